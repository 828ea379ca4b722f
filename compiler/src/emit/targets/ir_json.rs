//! `ir`: the IR as JSON for pipelines (schema: docs/ir.schema.json).

use crate::emit::{
    EmitError, EmitWarning, Emitted, emitted_in_memory, Sink, StreamError, Target, TargetInfo,
};
use crate::ir::{Ir, Size};

pub struct IrJson;

const INFO: TargetInfo = TargetInfo {
    name: "ir",
    description: "the compiled policy as JSON (decisions, tiers, enforcement sets), for pipelines",
    outputs: &["policy.json"],
    default_for: &[Size::Medium, Size::Large],
    controls: &[],
    templates: &[],
    reader: None,
    rules_reader: None,
};

impl Target for IrJson {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        emitted_in_memory(self, ir)
    }
    /// Written as it is serialised: a feed's million names make the file hundreds of
    /// megabytes, not to be held in memory as well.
    fn emit_to(&self, ir: &Ir, sink: &mut dyn Sink) -> Result<Vec<EmitWarning>, EmitError> {
        sink.file("policy.json", &mut |out| {
            serde_json::to_writer_pretty(&mut *out, ir).map_err(std::io::Error::from)?;
            out.write_all(b"\n").map_err(StreamError::from)
        })?;
        Ok(Vec::new())
    }
}
