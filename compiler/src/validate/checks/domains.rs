//! E201 invalid domain names; E214 names too broad to block.

use crate::diagnostics::{quote, Diagnostic};
use crate::ir::build::blocked_channels;
use crate::normalize::domain::{self, SHARED_PARENTS};
use crate::syntax::ast::Enforcement;
use crate::validate::{Context, ValidateError};
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let blocked: HashSet<&str> = blocked_channels(ctx.program, Enforcement::Dns)
        .into_iter()
        .map(|c| c.decl.name.text.as_str())
        .collect();
    for (name, def) in &ctx.program.channels {
        let body = &def.decl.body;
        let entries = body
            .domains
            .iter()
            .flatten()
            .map(|s| (s, false))
            .chain(body.hosts.iter().flatten().map(|s| (s, true)));
        for (entry, exact) in entries {
            match domain::normalize_entry(&entry.value, exact) {
                Err(e) => out.push(ValidateError(
                    Diagnostic::error("E201", format!("invalid domain name {}", quote(&entry.value)))
                        .label(entry.span, e.explain())
                        .help("write a host name such as `chat.example.com`: letters, digits, `-` and `.`, without a scheme or path"),
                )),
                Ok((normal, scope)) => {
                    if domain::too_broad(&normal) && scope != domain::Scope::Exact {
                        out.push(ValidateError(
                            Diagnostic::error("E214", format!("{} is too broad: it is a top-level domain or public suffix", quote(&normal)))
                                .label(entry.span, "this would cover every name registered under it")
                                .help("list the service's own names instead, e.g. `skype.com`, not `skype` or `com`"),
                        ));
                    } else if blocked.contains(name.as_str()) && scope != domain::Scope::Exact && SHARED_PARENTS.contains(&normal.as_str()) {
                        out.push(ValidateError(
                            Diagnostic::error("E214", format!("{} is shared by many services and cannot be blocked as a whole", quote(&normal)))
                                .label(entry.span, format!("blocking this breaks far more than `{name}`"))
                                .help("list the channel's exact names with `hosts`, e.g. `hosts \"weixin.qq.com\"` rather than `domains \"qq.com\"`"),
                        ));
                    }
                }
            }
        }
    }
}
