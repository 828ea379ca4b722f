//! `ir`: the IR as JSON for pipelines (schema: docs/ir.schema.json).

use crate::emit::{EmitError, Emitted, OutputFile, Target};
use crate::ir::Ir;
use crate::syntax::ast::Size;

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
        let mut json = serde_json::to_vec_pretty(ir).expect("the IR serialises");
        json.push(b'\n');
        Ok(Emitted {
            files: vec![OutputFile {
                path: "policy.json".into(),
                contents: json,
            }],
            warnings: Vec::new(),
        })
    }
}
