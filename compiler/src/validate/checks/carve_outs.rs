//! E217 a `carve-out` that names a channel which is not approved or limited, or sits in a
//! tier that blocks nothing by DNS (where there is nothing to carve out of).

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{Enforcement, TierKind};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    for tier in &program.tiers {
        for channel in &tier.carve_out {
            let open = program
                .tier_of(&channel.text)
                .is_some_and(|t| program.tier_kind(t) != TierKind::Banned);
            let problem = if !tier.block.iter().any(|b| b.value == Enforcement::Dns) {
                Some(format!(
                    "tier `{}` does not `block dns`, so there is nothing to carve out of",
                    tier.name.text
                ))
            } else if !open {
                Some(format!(
                    "`{}` is not in an approved or limited tier",
                    channel.text
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                out.push(ValidateError(
                    Diagnostic::new(Code::E217, format!("cannot carve out {}", quote(&channel.text)))
                        .label(channel.span, problem)
                        .help("`carve-out` keeps an allowed channel's names reachable inside the domains a banned tier blocks by DNS"),
                ));
            }
        }
    }
}
