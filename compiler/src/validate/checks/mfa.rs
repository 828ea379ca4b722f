//! W209 an approved tier that does not require mfa.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{Requirement, TierKind};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for tier in &ctx.program.tiers {
        if ctx.program.tier_kind(tier) == TierKind::Approved
            && !tier.requires.iter().any(|r| r.value == Requirement::Mfa)
        {
            out.push(ValidateError(
                Diagnostic::new(
                    Code::W209,
                    format!(
                        "the approved tier {} does not require mfa",
                        quote(&tier.name.text)
                    ),
                )
                .label(
                    tier.name.span,
                    "accounts on these channels can be taken over with a password alone",
                )
                .help(
                    "add `requires mfa` to the tier and enforce it in each tool's admin settings",
                ),
            ));
        }
    }
}
