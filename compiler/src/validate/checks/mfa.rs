//! W209 an approved tier that does not require mfa.

use crate::diagnostics::{quote, Diagnostic};
use crate::ir::build::tier_kind;
use crate::ir::TierKind;
use crate::syntax::ast::Requirement;
use crate::validate::{Context, ValidateError};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for tier in &ctx.program.tiers {
        if tier_kind(ctx.program, tier) == TierKind::Approved
            && !tier.requires.iter().any(|r| r.value == Requirement::Mfa)
        {
            out.push(ValidateError(
                Diagnostic::warning(
                    "W209",
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
