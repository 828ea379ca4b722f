//! `hosts`: a hosts file sinking banned names to 0.0.0.0. Hosts files match exact names only,
//! so what they cannot block is said in the file and in a build warning.

use super::dns_context;
use crate::emit::{templates::render, EmitError, Emitted, OutputFile, Target};
use crate::ir::Ir;
use crate::syntax::ast::Size;

pub struct Hosts;

impl Target for Hosts {
    fn name(&self) -> &'static str {
        "hosts"
    }
    fn description(&self) -> &'static str {
        "a hosts file (0.0.0.0 for each banned name; exact names only)"
    }
    fn default_for(&self) -> &'static [Size] {
        &[Size::Small, Size::Medium, Size::Large]
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let context = dns_context(ir);
        let mut warnings = Vec::new();
        if !context.tree.is_empty() {
            warnings.push(format!(
                "hosts: {} blocked domains also cover their subdomains, which a hosts file cannot block; use the unbound target for those",
                context.tree.len()
            ));
        }
        if !context.subdomains.is_empty() {
            warnings.push(format!(
                "hosts: {} subdomain-only (`*.`) entries cannot be written to a hosts file and are listed as comments",
                context.subdomains.len()
            ));
        }
        let text = render("hosts", minijinja::Value::from_serialize(&context))?;
        Ok(Emitted {
            files: vec![OutputFile {
                path: "hosts".into(),
                contents: text.into_bytes(),
            }],
            warnings,
        })
    }
}
