//! W225 an exception for the policy's own security team (`security-team` in the header).

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::validate::{Context, ValidateError};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let Some(team) = &ctx.program.policy.security_team else {
        return;
    };
    let team_key = group_key(&team.value);
    for e in &ctx.program.exceptions {
        if group_key(&e.who_group.value) != team_key {
            continue;
        }
        out.push(ValidateError(
            Diagnostic::new(
                Code::W225,
                format!(
                    "the exception {} is for the security team, {}",
                    quote(&e.name.text),
                    quote(&e.who_group.value)
                ),
            )
            .label(
                e.who_group.span,
                "the group the policy names as its security team",
            )
            .label(team.span, "the security team, declared here")
            .help(
                "security staff lead by example: use an approved channel, or ask whether the \
                 tier is right for everyone",
            ),
        ));
    }
}

/// Group names as people write them: case and runs of spaces do not make another group.
fn group_key(group: &str) -> String {
    group
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
