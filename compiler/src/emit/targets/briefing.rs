//! `briefing`: the onboarding checklist and the refresher schedule, as a printable HTML page
//! and as Markdown, rendered from the shared guide model with the guides' own templates.

use crate::emit::guide::{render_all, Audience};
use crate::emit::{EmitError, Emitted, Target};
use crate::ir::Ir;
use crate::syntax::ast::Size;

pub struct Briefing;

impl Target for Briefing {
    fn name(&self) -> &'static str {
        "briefing"
    }
    fn description(&self) -> &'static str {
        "the onboarding checklist and refresher schedule (HTML and Markdown)"
    }
    fn default_for(&self) -> &'static [Size] {
        &[Size::Small, Size::Medium, Size::Large]
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut files = render_all(ir, &[Audience::Briefing], "guide-html/guide.html", "html")?;
        files.extend(render_all(
            ir,
            &[Audience::Briefing],
            "guide-md/guide.md",
            "md",
        )?);
        Ok(Emitted {
            files,
            warnings: Vec::new(),
        })
    }
}
