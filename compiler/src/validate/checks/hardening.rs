//! E219 `harden` names a channel that is not approved or limited: the settings of a service the
//! policy bans (or never places in a tier) are nobody's to harden.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::TierKind;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    for harden in &program.hardening {
        let problem = match program.tier_of(&harden.channel.text) {
            None => "it is in no tier".to_string(),
            Some(t) if program.tier_kind(t) == TierKind::Banned => {
                format!("it is in the banned tier `{}`", t.name.text)
            }
            Some(_) => continue,
        };
        out.push(ValidateError(
            Diagnostic::new(
                Code::E219,
                format!("cannot harden {}", quote(&harden.channel.text)),
            )
            .label(harden.channel.span, problem)
            .help("`harden` sets up an approved or limited service; put the channel in such a tier, or remove the block"),
        ));
    }
}
