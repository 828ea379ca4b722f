//! `unbound`: a configuration fragment for the Unbound resolver (`local-zone` rules).

use super::dns_context;
use crate::emit::{templates::render, EmitError, Emitted, OutputFile, Target};
use crate::ir::Ir;
use crate::syntax::ast::Size;

pub struct Unbound;

impl Target for Unbound {
    fn name(&self) -> &'static str {
        "unbound"
    }
    fn description(&self) -> &'static str {
        "an Unbound resolver fragment: NXDOMAIN for banned domains and the DoH canary"
    }
    fn default_for(&self) -> &'static [Size] {
        &[Size::Medium, Size::Large]
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let context = dns_context(ir);
        let mut warnings = Vec::new();
        if !context.subdomains.is_empty() {
            warnings.push(format!(
                "unbound: {} subdomain-only (`*.`) entries cannot be expressed without also blocking the name itself; they are listed as comments",
                context.subdomains.len()
            ));
        }
        let text = render("unbound", minijinja::Value::from_serialize(&context))?;
        Ok(Emitted {
            files: vec![OutputFile {
                path: "msgpol.conf".into(),
                contents: text.into_bytes(),
            }],
            warnings,
        })
    }
}
