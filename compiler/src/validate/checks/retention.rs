//! Retention (`keep at least`, `delete after`):
//! - E238: messages that would have to be deleted before they may be: a class or a tier that
//!   says so itself, or a tier's channels, where the tier's retention and that of every class
//!   it allows all apply (a service keeps or deletes a chat whatever class it holds);
//! - W239: a retention on a channel of a tier that is not banned which no target can set (only
//!   Teams, Exchange and Mattermost have one, `vocabulary::RETENTION_SERVICES`).

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::resolve::Program;
use crate::syntax::ast::{Ceiling, Retention, Tier};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{TierKind, RETENTION_SERVICES};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    for (name, class) in &program.classes {
        contradicts_itself("class", name, class.decl.retention, out);
    }
    for tier in &program.tiers {
        contradicts_itself("tier", &tier.name.text, tier.retention, out);
    }
    for tier in &program.tiers {
        if program.tier_kind(tier) == TierKind::Banned {
            continue;
        }
        let sources = sources(program, tier);
        let longest_keep = sources
            .iter()
            .filter_map(|(what, r)| r.keep_at_least.map(|k| (what, k)))
            .max_by_key(|(_, k)| k.value.days());
        let shortest_delete = sources
            .iter()
            .filter_map(|(what, r)| r.delete_after.map(|d| (what, d)))
            .min_by_key(|(_, d)| d.value.days());
        if let (Some((kept_by, keep)), Some((deleted_by, delete))) = (longest_keep, shortest_delete)
        {
            if keep.value.days() > delete.value.days() && kept_by != deleted_by {
                out.push(ValidateError(
                    Diagnostic::new(
                        Code::E238,
                        format!(
                            "tier {} must keep messages at least {} ({kept_by}) but delete them after {} ({deleted_by})",
                            quote(&tier.name.text),
                            keep.value,
                            delete.value
                        ),
                    )
                    .label(tier.name.span, "one retention applies to all of the tier's messages")
                    .label(keep.span, format!("kept at least {}", keep.value))
                    .label(delete.span, format!("deleted after {}", delete.value))
                    .help("a service keeps or deletes a chat whatever it holds: make the periods agree, or move the class to a tier whose retention suits it"),
                ));
            }
        }
        if sources.iter().all(|(_, r)| r.value().is_empty()) {
            continue;
        }
        let unenforced: Vec<&str> = tier
            .channels
            .iter()
            .map(|c| c.text.as_str())
            .filter(|c| !settable(program, c))
            .collect();
        let Some(first) = tier.channels.iter().find(|c| !settable(program, &c.text)) else {
            continue;
        };
        out.push(ValidateError(
            Diagnostic::new(
                Code::W239,
                format!(
                    "no target can set how long {} keeps messages",
                    unenforced.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ")
                ),
            )
            .label(first.span, "its retention is stated by the policy only")
            .help("the purview target sets Teams' and Exchange's retention and the mattermost target Mattermost's; elsewhere the guides tell staff, and you enforce it by other means"),
        ));
    }
}

/// E238 for one declaration.
fn contradicts_itself(kind: &str, name: &str, r: Retention, out: &mut Vec<ValidateError>) {
    let (Some(keep), Some(delete)) = (r.keep_at_least, r.delete_after) else {
        return;
    };
    if keep.value.days() <= delete.value.days() {
        return;
    }
    out.push(ValidateError(
        Diagnostic::new(
            Code::E238,
            format!(
                "{kind} {} keeps messages at least {} but deletes them after {}",
                quote(name),
                keep.value,
                delete.value
            ),
        )
        .label(delete.span, "deleted here")
        .label(keep.span, "before they may be")
        .help("`keep at least` must not be longer than `delete after`"),
    ));
}

/// Who states a retention for a tier's messages: the tier and each class it allows on some
/// medium.
fn sources(program: &Program, tier: &Tier) -> Vec<(String, Retention)> {
    let ceilings: Vec<&str> = tier
        .allows
        .iter()
        .filter_map(|a| match &a.ceiling {
            Ceiling::UpTo(class) => Some(class.text.as_str()),
            Ceiling::Nothing(_) => None,
        })
        .collect();
    std::iter::once((format!("tier `{}`", tier.name.text), tier.retention))
        .chain(
            program
                .classes
                .iter()
                .filter(|(name, _)| ceilings.iter().any(|c| program.class_at_most(name, c)))
                .map(|(name, class)| (format!("class `{name}`"), class.decl.retention)),
        )
        .collect()
}

/// A target can set the channel's retention: it is one of `RETENTION_SERVICES` or inherits
/// from one.
fn settable(program: &Program, channel: &str) -> bool {
    let def = &program.channels[channel];
    std::iter::once(channel)
        .chain(def.ancestors.iter().map(String::as_str))
        .any(|c| RETENTION_SERVICES.contains(&c))
}
