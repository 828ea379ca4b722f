//! `guide-html`: the guides as self-contained HTML pages (inline CSS, no external fetches),
//! one per audience, rendered from the shared guide model (`emit::guide`).

use crate::emit::guide::{render_all, Audience};
use crate::emit::{EmitError, Emitted, Target};
use crate::ir::Ir;
use crate::syntax::ast::Size;

pub struct GuideHtml;

impl Target for GuideHtml {
    fn name(&self) -> &'static str {
        "guide-html"
    }
    fn description(&self) -> &'static str {
        "the guides as self-contained HTML pages for staff, executives and the security team"
    }
    fn default_for(&self) -> &'static [Size] {
        &[Size::Small, Size::Medium, Size::Large]
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        Ok(Emitted {
            files: render_all(ir, &Audience::GUIDES, "guide-html/guide.html", "html")?,
            warnings: Vec::new(),
        })
    }
}
