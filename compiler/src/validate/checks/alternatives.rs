//! E208 a banned channel with no approved alternative for one of its media ("never ban
//! without an alternative"); E212 an `instead` that is not approved or does not carry the
//! medium it is named for.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::syntax::ast::Instead;
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{Medium, TierKind};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    let carried_by_approved: Vec<Medium> = Medium::ALL
        .into_iter()
        .filter(|m| !program.approved_carriers(*m).is_empty())
        .collect();
    for tier in &program.tiers {
        if program.tier_kind(tier) != TierKind::Banned {
            continue;
        }
        for instead in &tier.instead {
            let name = &instead.channel.text;
            let approved = program
                .tier_of(name)
                .is_some_and(|t| program.tier_kind(t) == TierKind::Approved);
            if !approved {
                out.push(ValidateError(
                    Diagnostic::new(Code::E212, format!("the alternative {} is not in an approved tier", quote(name)))
                        .label(instead.channel.span, "staff would be sent to a channel that is not approved")
                        .help("name a channel from a tier that allows internal data or more, or approve this one"),
                ));
                continue;
            }
            for medium in &instead.media {
                if !program.media_of(name).any(|m| m == medium.value) {
                    out.push(ValidateError(
                        Diagnostic::new(
                            Code::E212,
                            format!(
                                "the alternative {} does not carry {}",
                                quote(name),
                                medium.value.as_str()
                            ),
                        )
                        .label(
                            medium.span,
                            format!(
                                "`{name}` has no `{}` among its media",
                                medium.value.as_str()
                            ),
                        )
                        .help("name an approved channel that carries this medium"),
                    ));
                }
            }
        }
        for channel in &tier.channels {
            for medium in program.media_of(&channel.text) {
                let written = Instead::for_medium(&tier.instead, medium).next().is_some();
                if written || carried_by_approved.contains(&medium) {
                    continue;
                }
                out.push(ValidateError(
                    Diagnostic::new(
                        Code::E208,
                        format!("{} is banned but no approved channel carries {}", quote(&channel.text), medium.as_str()),
                    )
                    .label(channel.span, format!("staff who use `{}` for {} have nowhere approved to go", channel.text, medium.as_str()))
                    .help(format!(
                        "never ban without an alternative: approve a channel that carries {0} and name it with `instead CHANNEL for {0}`",
                        medium.as_str()
                    )),
                ));
            }
        }
    }
}
