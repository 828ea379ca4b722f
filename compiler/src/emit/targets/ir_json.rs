//! `ir`: the IR as JSON for pipelines (schema: docs/ir.schema.json).

use crate::emit::{pretty_json, EmitError, Emitted, Target};
use crate::ir::{Ir, Size};

pub struct IrJson;

impl Target for IrJson {
    fn name(&self) -> &'static str {
        "ir"
    }
    fn description(&self) -> &'static str {
        "the compiled policy as JSON (decisions, tiers, enforcement sets), for pipelines"
    }
    fn default_for(&self) -> &'static [Size] {
        &[Size::Medium, Size::Large]
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        Ok(Emitted::single("policy.json", pretty_json(ir), Vec::new()))
    }
}
