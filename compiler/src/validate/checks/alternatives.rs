//! E208 a banned channel, or a medium a tier refuses, with no approved alternative ("never ban
//! without an alternative"); E212 an `instead` that is not approved or does not carry the
//! medium it is named for; W229 an `instead` for a medium its tier allows.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::syntax::ast::{Instead, Spanned, Tier};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{Medium, TierKind};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    let carried_by_approved: Vec<Medium> = Medium::ALL
        .into_iter()
        .filter(|m| !program.approved_carriers(*m).is_empty())
        .collect();
    for tier in &program.tiers {
        let banned = program.tier_kind(tier) == TierKind::Banned;
        let refused = program.refused_media(tier);
        if !banned {
            allowed_alternatives(tier, &refused, out);
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
            let alternative_tier = program.tier_of(name).expect("approved above");
            for medium in &instead.media {
                let m = medium.value.as_str();
                let (why, label) = if !program.media_of(name).any(|c| c == medium.value) {
                    (
                        format!("the alternative {} does not carry {m}", quote(name)),
                        format!("`{name}` has no `{m}` among its media"),
                    )
                } else if program.medium_kind(alternative_tier, medium.value) != TierKind::Approved
                {
                    (
                        format!("the alternative {} is not approved for {m}", quote(name)),
                        format!(
                            "tier `{}` does not approve `{m}` on it",
                            alternative_tier.name.text
                        ),
                    )
                } else {
                    continue;
                };
                out.push(ValidateError(
                    Diagnostic::new(Code::E212, why)
                        .label(medium.span, label)
                        .help("name an approved channel that carries this medium"),
                ));
            }
        }
        for channel in &tier.channels {
            for medium in program.media_of(&channel.text) {
                let written = Instead::for_medium(&tier.instead, medium).next().is_some();
                if !refused.contains(&medium) || written || carried_by_approved.contains(&medium) {
                    continue;
                }
                let what = if banned {
                    format!("{} is banned", quote(&channel.text))
                } else {
                    format!(
                        "tier {} allows nothing for {} on {}",
                        quote(&tier.name.text),
                        medium.as_str(),
                        quote(&channel.text)
                    )
                };
                out.push(ValidateError(
                    Diagnostic::new(
                        Code::E208,
                        format!("{what} but no approved channel carries {}", medium.as_str()),
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

/// W229: in a tier that is not banned, `instead` is for the media the tier refuses only.
fn allowed_alternatives(tier: &Tier, refused: &[Medium], out: &mut Vec<ValidateError>) {
    for instead in &tier.instead {
        let allowed: Vec<&Spanned<Medium>> = instead
            .media
            .iter()
            .filter(|m| !refused.contains(&m.value))
            .collect();
        let (span, what) = match allowed.first() {
            Some(first) => (
                first.span,
                format!("the tier allows {}", first.value.as_str()),
            ),
            None if instead.media.is_empty() && refused.is_empty() => (
                instead.span,
                "the tier allows every medium its channels carry".to_string(),
            ),
            None => continue,
        };
        out.push(ValidateError(
            Diagnostic::new(
                Code::W229,
                format!(
                    "tier {} names an alternative for what it allows",
                    quote(&tier.name.text)
                ),
            )
            .label(span, what)
            .help("name only the media the tier refuses (`allows nothing for file`), or refuse the medium in the tier"),
        ));
    }
}
