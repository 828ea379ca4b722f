//! Exceptions `decide` would never apply, judged as `decide` judges them (see `ir/decide.rs`):
//! - E222: the channel is banned or in no tier, where every class is denied;
//! - W223: no class the exception allows is both above the tier's ceiling and permitted on
//!   the channel (a class requirement the channel cannot meet denies it).
//!
//! The IR marks the same exceptions `no-effect`, so the guides never list them as active.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::resolve::Program;
use crate::source::Span;
use crate::syntax::ast::{Allows, Ceiling, Exception, Tier};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{E2ee, ExceptionStatus, Medium, Requirement, TierKind};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    for e in &program.exceptions {
        // An expired exception is E205; `decide` ignores it anyway.
        if ExceptionStatus::on(e.until.value, ctx.today) == ExceptionStatus::Expired {
            continue;
        }
        let channel = e.channel.text.as_str();
        let Some(tier) = program.tier_of(channel) else {
            out.push(never_applies(
                e,
                format!("`{channel}` is in no tier, so every class is denied on it"),
                None,
            ));
            continue;
        };
        if program.tier_kind(tier) == TierKind::Banned {
            let listed = tier.channels.iter().find(|c| c.text == channel);
            out.push(never_applies(
                e,
                format!(
                    "`{channel}` is in the banned tier `{}`, so every class is denied on it",
                    tier.name.text
                ),
                listed.map(|c| (c.span, "banned here".to_string())),
            ));
            continue;
        }
        let media = judged_media(program, tier, e);
        if media.is_empty() {
            out.push(ValidateError(
                Diagnostic::new(
                    Code::W223,
                    format!("the exception {} never applies", quote(&e.name.text)),
                )
                .label(
                    e.media[0].span,
                    format!("`{channel}` carries none of the media this names"),
                )
                .help("name a medium the channel carries, or remove the exception"),
            ));
            continue;
        }
        // The classes the exception raises above the tier's ceiling, on any medium it is for.
        let mut raised: Vec<&str> = program
            .classes
            .keys()
            .map(String::as_str)
            .filter(|c| {
                program.class_at_most(c, &e.allows.text)
                    && media.iter().any(|&m| match tier.allows_for(m) {
                        Some(Allows {
                            ceiling: Ceiling::UpTo(ceiling),
                            ..
                        }) => !program.class_at_most(c, &ceiling.text),
                        _ => true,
                    })
            })
            .collect();
        raised.sort_by_key(|c| program.classes[*c].below.len());
        if raised.is_empty() {
            let mut diag = Diagnostic::new(
                Code::W223,
                format!(
                    "the exception {} allows nothing that tier {} does not already allow",
                    quote(&e.name.text),
                    quote(&tier.name.text)
                ),
            )
            .label(
                e.allows.span,
                format!("`{channel}` may already carry `{}`", e.allows.text),
            );
            if let Some(allows) = tier.allows_for(media[0]) {
                diag = diag.label(
                    allows.span,
                    format!("tier `{}` allows this", tier.name.text),
                );
            }
            out.push(ValidateError(diag.help(
                "raise the exception's `allows up to` above the tier's ceiling, or remove the exception",
            )));
            continue;
        }
        // A class `decide` lets through for the group: the exception applies.
        let Some(mut refusals) = raised
            .iter()
            .map(|class| refusal(program, tier, channel, class))
            .collect::<Option<Vec<Refusal>>>()
        else {
            continue;
        };
        // Classes above one that states a requirement inherit it: name it once.
        refusals.dedup_by_key(|r| r.at);
        let mut diag = Diagnostic::new(
            Code::W223,
            format!("the exception {} never applies", quote(&e.name.text)),
        )
        .label(
            e.allows.span,
            format!(
                "every class this allows above tier `{}`'s ceiling{} is denied on `{channel}`",
                tier.name.text,
                common_ceiling(tier, &media).map_or(String::new(), |c| format!(" `{c}`"))
            ),
        );
        for refusal in refusals {
            diag = diag.label(refusal.at, refusal.why);
        }
        out.push(ValidateError(diag.help(
            "remove the exception, or have the group use a channel that meets the class's requirements",
        )));
    }
}

/// The media `decide` judges the exception on (`None`: whatever the medium): those it names
/// that the channel carries; if it names none, each medium of the channel when the tier
/// decides by medium. A channel that declares no media is judged as a whole.
fn judged_media(program: &Program, tier: &Tier, e: &Exception) -> Vec<Option<Medium>> {
    let carried: Vec<Medium> = program.media_of(&e.channel.text).collect();
    if !e.media.is_empty() {
        return e
            .media
            .iter()
            .map(|m| m.value)
            .filter(|m| carried.is_empty() || carried.contains(m))
            .map(Some)
            .collect();
    }
    if tier.by_medium() && !carried.is_empty() {
        carried.into_iter().map(Some).collect()
    } else {
        vec![None]
    }
}

/// The tier's ceiling on `media`, if it is the same on each: a class's name or `nothing`.
fn common_ceiling<'a>(tier: &'a Tier, media: &[Option<Medium>]) -> Option<&'a str> {
    let mut names = media.iter().map(|&m| match tier.allows_for(m) {
        Some(Allows {
            ceiling: Ceiling::UpTo(class),
            ..
        }) => class.text.as_str(),
        _ => "nothing",
    });
    let first = names.next()?;
    names.all(|n| n == first).then_some(first)
}

/// Why `decide` denies a class an exception raises, and where that is written.
struct Refusal {
    why: String,
    at: Span,
}

/// The first requirement of `class` that `decide` denies on `channel` in `tier`, pointing at
/// the class (itself or one below it) that states it; `None` if the class gets through.
fn refusal(program: &Program, tier: &Tier, channel: &str, class: &str) -> Option<Refusal> {
    let def = &program.classes[class];
    let body = &program.channels[channel].decl.body;
    let enforced = |r: Requirement| tier.requires.iter().any(|t| t.value == r);
    let (requirement, why) = def.requires.iter().find_map(|&r| {
        let why = match r {
            Requirement::E2ee if body.e2ee.map_or(E2ee::No, |e| e.value) != E2ee::Yes => format!(
                "`{class}` requires end-to-end encryption, which `{channel}` does not have by default"
            ),
            Requirement::Mfa if !enforced(r) && !body.mfa.is_some_and(|m| m.value) => format!(
                "`{class}` requires mfa, which `{channel}` does not offer and tier `{}` does not enforce",
                tier.name.text
            ),
            // A managed device is a condition (`warn`), never a refusal.
            _ => return None,
        };
        Some((r, why))
    })?;
    let at = std::iter::once(class)
        .chain(def.below.iter().map(String::as_str))
        .flat_map(|owner| program.classes[owner].decl.requires.iter())
        .find(|r| r.value == requirement)
        .map_or(def.decl.name.span, |r| r.span);
    Some(Refusal { why, at })
}

fn never_applies(e: &Exception, why: String, tier_label: Option<(Span, String)>) -> ValidateError {
    let mut diag = Diagnostic::new(
        Code::E222,
        format!("the exception {} can never apply", quote(&e.name.text)),
    )
    .label(e.channel.span, why);
    if let Some((span, text)) = tier_label {
        diag = diag.label(span, text);
    }
    ValidateError(diag.help(
        "remove the exception; if the group really may use the channel, move the channel to an approved or limited tier",
    ))
}
