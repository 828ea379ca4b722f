//! The guide targets, rendered from the shared guide model (`emit::guide`) with one template
//! per format: `guide-md` (Markdown for wikis) and `guide-html` (self-contained pages: inline
//! CSS, no external fetches), one document per audience; and `briefing`, the onboarding
//! checklist and refresher schedule as a printable HTML page and as Markdown.

use crate::emit::guide::{render_all, Audience, Format};
use crate::emit::{EmitError, Emitted, Target};
use crate::ir::{Ir, Size};

/// A guide target: the audiences it writes a document for, in each of its formats.
pub struct GuideTarget {
    pub name: &'static str,
    pub description: &'static str,
    pub audiences: &'static [Audience],
    pub formats: &'static [Format],
}

pub const GUIDE_MD: GuideTarget = GuideTarget {
    name: "guide-md",
    description: "the guides in Markdown (staff, executives, security): what to use for what, the matrix, the register",
    audiences: &Audience::GUIDES,
    formats: &[Format::MARKDOWN],
};

pub const GUIDE_HTML: GuideTarget = GuideTarget {
    name: "guide-html",
    description:
        "the guides as self-contained HTML pages for staff, executives and the security team",
    audiences: &Audience::GUIDES,
    formats: &[Format::HTML],
};

pub const BRIEFING: GuideTarget = GuideTarget {
    name: "briefing",
    description: "the onboarding checklist and refresher schedule (HTML and Markdown)",
    audiences: &[Audience::Briefing],
    formats: &[Format::HTML, Format::MARKDOWN],
};

impl Target for GuideTarget {
    fn name(&self) -> &'static str {
        self.name
    }
    fn description(&self) -> &'static str {
        self.description
    }
    fn default_for(&self) -> &'static [Size] {
        &[Size::Small, Size::Medium, Size::Large]
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        Ok(Emitted {
            files: render_all(ir, self.audiences, self.formats)?,
            warnings: Vec::new(),
        })
    }
}
