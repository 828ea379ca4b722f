//! E202 invalid IPv4/IPv6 networks.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::normalize::network;
use crate::validate::{Context, ValidateError};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for def in ctx.program.channels.values() {
        for entry in def.decl.body.networks.iter().flatten() {
            if let Err(e) = network::parse(&entry.value) {
                out.push(ValidateError(
                    Diagnostic::new(Code::E202, format!("invalid network {}", quote(&entry.value)))
                        .label(entry.span, e.explain())
                        .help("write an address and prefix length, e.g. `149.154.160.0/20` or `2603:1063::/38`"),
                ));
            }
        }
    }
}
