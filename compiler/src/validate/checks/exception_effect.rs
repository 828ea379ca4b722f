//! Exceptions `decide` would never apply, judged as `decide` judges them (see `ir/decide.rs`):
//! - E222: the channel is banned or in no tier, where every class is denied;
//! - W223: no class the exception allows is both above the tier's ceiling and permitted on
//!   the channel (a class requirement the channel cannot meet denies it).
//!
//! The IR marks the same exceptions `no-effect`, so the guides never list them as active.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::resolve::Program;
use crate::source::Span;
use crate::syntax::ast::{Ceiling, Exception, Tier};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{E2ee, ExceptionStatus, Requirement, TierKind};

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
        let ceiling = match &tier.allows {
            Some(Ceiling::UpTo(class)) if program.tier_kind(tier) != TierKind::Banned => class,
            _ => {
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
        };
        let mut raised: Vec<&str> = program
            .classes
            .keys()
            .map(String::as_str)
            .filter(|c| {
                program.class_at_most(c, &e.allows.text) && !program.class_at_most(c, &ceiling.text)
            })
            .collect();
        raised.sort_by_key(|c| program.classes[*c].below.len());
        if raised.is_empty() {
            out.push(ValidateError(
                Diagnostic::new(
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
                )
                .label(
                    ceiling.span,
                    format!("tier `{}` allows up to `{}`", tier.name.text, ceiling.text),
                )
                .help("raise the exception's `allows up to` above the tier's ceiling, or remove the exception"),
            ));
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
                "every class this allows above tier `{}`'s ceiling `{}` is denied on `{channel}`",
                tier.name.text, ceiling.text
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
