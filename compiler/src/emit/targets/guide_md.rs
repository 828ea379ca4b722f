//! `guide-md`: the guides in Markdown, for wikis: one file per audience, rendered from the
//! shared guide model (`emit::guide`).

use crate::emit::guide::{render_all, Audience};
use crate::emit::{EmitError, Emitted, Target};
use crate::ir::Ir;
use crate::syntax::ast::Size;

pub struct GuideMd;

impl Target for GuideMd {
    fn name(&self) -> &'static str {
        "guide-md"
    }
    fn description(&self) -> &'static str {
        "the guides in Markdown (staff, executives, security): what to use for what, the matrix, the register"
    }
    fn default_for(&self) -> &'static [Size] {
        &[Size::Small, Size::Medium, Size::Large]
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        Ok(Emitted {
            files: render_all(ir, &Audience::GUIDES, "guide-md/guide.md", "md")?,
            warnings: Vec::new(),
        })
    }
}
