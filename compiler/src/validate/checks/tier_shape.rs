//! Tiers that contradict themselves: E216 blocking while allowing data, or saying neither;
//! E228 two `allows` statements for the same medium (or two for every medium).

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::syntax::ast::{Ceiling, Tier};
use crate::validate::{Context, ValidateError};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for tier in &ctx.program.tiers {
        let allowing = tier.allows.iter().find_map(|a| match &a.ceiling {
            Ceiling::UpTo(class) => Some(class),
            Ceiling::Nothing(_) => None,
        });
        match (allowing, tier.block.first()) {
            (Some(class), Some(block)) => out.push(ValidateError(
                Diagnostic::new(Code::E216, format!("tier {} both blocks its channels and allows data on them", quote(&tier.name.text)))
                    .label(block.span, "this blocks the tier's channels")
                    .label(class.span, "but this allows data on them")
                    .help("a banned tier says `allows nothing`; to watch a channel without blocking it, use `monitor`"),
            )),
            (None, None) if tier.allows.is_empty() => out.push(ValidateError(
                Diagnostic::new(Code::E216, format!("tier {} does not say what data it allows", quote(&tier.name.text)))
                    .label(tier.name.span, "add `allows up to CLASS` or `allows nothing`")
                    .help("e.g. `allows up to internal` for an approved tier, `allows nothing` with `block dns` for a banned one"),
            )),
            _ => {}
        }
        repeated_media(tier, out);
    }
}

/// E228: each medium (and "every other medium", an `allows` without `for`) is decided by one
/// statement.
fn repeated_media(tier: &Tier, out: &mut Vec<ValidateError>) {
    for (i, later) in tier.allows.iter().enumerate() {
        let earlier = &tier.allows[..i];
        if later.media.is_empty() {
            if let Some(first) = earlier.iter().find(|a| a.media.is_empty()) {
                out.push(twice(
                    tier,
                    first.span,
                    later.span,
                    "every medium no `for` names",
                ));
            }
            continue;
        }
        for medium in &later.media {
            let first = earlier
                .iter()
                .flat_map(|a| a.media.iter())
                .chain(later.media.iter().take_while(|m| m.span != medium.span))
                .find(|m| m.value == medium.value);
            if let Some(first) = first {
                out.push(twice(
                    tier,
                    first.span,
                    medium.span,
                    &format!("`{}`", medium.value.as_str()),
                ));
            }
        }
    }
}

fn twice(
    tier: &Tier,
    first: crate::source::Span,
    again: crate::source::Span,
    what: &str,
) -> ValidateError {
    ValidateError(
        Diagnostic::new(
            Code::E228,
            format!("tier {} says twice what it allows for {what}", quote(&tier.name.text)),
        )
        .label(again, "said again here")
        .label(first, "first said here")
        .help("keep one `allows` per medium: `allows up to internal for text and voice`, then `allows nothing for file`, and one `allows` without `for` for the other media"),
    )
}
