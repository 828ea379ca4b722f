//! E201 invalid domain names; E214 names too broad to block.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::normalize::domain::{self, SHARED_PARENTS};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{Enforcement, Scope};
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let blocked: HashSet<&str> = ctx
        .program
        .blocked_channels(Enforcement::Dns)
        .into_iter()
        .map(|c| c.decl.name.text.as_str())
        .collect();
    for (name, def) in &ctx.program.channels {
        for bad in &def.bad_names {
            out.push(ValidateError(
                Diagnostic::new(Code::E201, format!("invalid domain name {}", quote(&bad.written.value)))
                    .label(bad.written.span, bad.error.explain())
                    .help("write a host name such as `chat.example.com`: letters, digits, `-` and `.`, without a scheme or path"),
            ));
        }
        for entry in def.names.iter().filter(|e| e.scope == Scope::Exact) {
            // A resolver appends its search domain to a name of one label, and DNS filters
            // drop such a rule as a whole top-level domain: it would block nothing.
            if !entry.name.contains('.') {
                out.push(ValidateError(
                    Diagnostic::new(
                        Code::E214,
                        format!(
                            "{} is a single label: a top-level domain, not a host",
                            quote(&entry.name)
                        ),
                    )
                    .label(
                        entry.span(),
                        "no host on the Internet is named by one label",
                    )
                    .help("write the host's full name, e.g. `chat.example.com`"),
                ));
            }
        }
        for entry in def.names.iter().filter(|e| e.scope != Scope::Exact) {
            if domain::too_broad(&entry.name) {
                out.push(ValidateError(
                    Diagnostic::new(Code::E214, format!("{} is too broad: it is a top-level domain or public suffix", quote(&entry.name)))
                        .label(entry.span(), "this would cover every name registered under it")
                        .help("list the service's own names instead, e.g. `skype.com`, not `skype` or `com`"),
                ));
            } else if blocked.contains(name.as_str()) && SHARED_PARENTS.contains(&&*entry.name) {
                out.push(ValidateError(
                    Diagnostic::new(Code::E214, format!("{} is shared by many services and cannot be blocked as a whole", quote(&entry.name)))
                        .label(entry.span(), format!("blocking this breaks far more than `{name}`"))
                        .help("list the channel's exact names with `hosts`, e.g. `hosts \"weixin.qq.com\"` rather than `domains \"qq.com\"`"),
                ));
            }
        }
    }
}
