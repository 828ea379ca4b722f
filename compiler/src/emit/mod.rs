//! Stage 5, emit: IR → files. One file per target under `targets/`, templates under the
//! top-level `targets/` directory (embedded in the binary). Targets see only the IR.

pub mod error;
pub mod targets;
mod templates;
pub mod write;

pub use error::EmitError;
pub use write::{write_outputs, Manifest, SourceDigest};

use crate::ir::Ir;
use crate::syntax::ast::Size;

/// One file a target produces, relative to the target's own directory.
pub struct OutputFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// What a target made, and what it could not express (reported, never silently dropped).
#[derive(Default)]
pub struct Emitted {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<String>,
}

pub trait Target: Sync {
    /// The `--target` name and the output directory.
    fn name(&self) -> &'static str;
    /// One line for `msgpol targets`.
    fn description(&self) -> &'static str;
    /// Organisation sizes that build this target when no `--target` is given.
    fn default_for(&self) -> &'static [Size];
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError>;
}

pub fn all_targets() -> &'static [&'static dyn Target] {
    targets::ALL
}

pub fn find_target(name: &str) -> Result<&'static dyn Target, EmitError> {
    all_targets()
        .iter()
        .copied()
        .find(|t| t.name() == name)
        .ok_or_else(|| {
            let known: Vec<&str> = all_targets().iter().map(|t| t.name()).collect();
            error::unknown_target(name, &known)
        })
}

pub fn default_targets(size: Size) -> Vec<&'static dyn Target> {
    all_targets()
        .iter()
        .copied()
        .filter(|t| t.default_for().contains(&size))
        .collect()
}

/// Run targets in memory; nothing touches the disk until every one has succeeded.
pub fn emit_all(
    ir: &Ir,
    targets: &[&'static dyn Target],
) -> Result<Vec<(&'static str, Emitted)>, EmitError> {
    targets
        .iter()
        .map(|t| t.emit(ir).map(|e| (t.name(), e)))
        .collect()
}
