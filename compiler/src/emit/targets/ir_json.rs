//! `ir`: the IR as JSON for pipelines (schema: docs/ir.schema.json).

use crate::emit::{EmitError, Emitted, Target, TargetInfo, pretty_json};
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
        Ok(Emitted::single("policy.json", pretty_json(ir), Vec::new()))
    }
}
