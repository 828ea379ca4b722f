//! What the guide targets share: each renders the shared guide model (`emit::guide`) for its
//! audiences, once per format, with one template per format.

use crate::emit::guide::{render_all, Audience, Format};
use crate::emit::{EmitError, Emitted, Target, TargetInfo};
use crate::ir::Ir;

/// A guide target: the audiences it writes a document for, in each of its formats.
pub struct GuideTarget {
    pub info: TargetInfo,
    pub audiences: &'static [Audience],
    pub formats: &'static [Format],
}

impl Target for GuideTarget {
    fn info(&self) -> &TargetInfo {
        &self.info
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        Ok(Emitted {
            files: render_all(ir, self.audiences, self.formats)?,
            warnings: Vec::new(),
        })
    }
}
