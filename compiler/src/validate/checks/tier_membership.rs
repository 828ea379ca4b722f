//! E204 a channel listed in two tiers (or twice in one) on the same day; E237 a dated
//! `channels` statement that ends before it starts.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::source::Span;
use crate::validate::{Context, ValidateError};
use std::collections::HashMap;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let mut first: HashMap<&str, (&str, Span)> = HashMap::new();
    for tier in &ctx.program.tiers {
        for channel in &tier.channels {
            match first.get(channel.text.as_str()) {
                Some((other_tier, other_span)) => out.push(ValidateError(
                    Diagnostic::new(Code::E204, format!("the channel {} is in more than one tier", quote(&channel.text)))
                        .label(channel.span, format!("listed in tier `{}` here", tier.name.text))
                        .label(*other_span, format!("already listed in tier `{other_tier}` here"))
                        .help("a channel belongs to one tier on any day: for a group that needs more, write an `exception`; to move a channel, give its dated lists periods that do not overlap (`until 2027-02-28` in one tier, `from 2027-03-01` in the other)"),
                )),
                None => {
                    first.insert(&channel.text, (&tier.name.text, channel.span));
                }
            }
        }
    }
    periods(ctx, out);
}

/// E237: `from` after `until`: the channels would never be in the tier.
fn periods(ctx: &Context, out: &mut Vec<ValidateError>) {
    for tier in &ctx.program.tiers {
        for dated in &tier.dated {
            let (Some(from), Some(until)) = (dated.from, dated.until) else {
                continue;
            };
            if from.value > until.value {
                out.push(ValidateError(
                    Diagnostic::new(
                        Code::E237,
                        format!(
                            "tier {} lists channels from {} until {}, which ends before it starts",
                            quote(&tier.name.text),
                            from.value,
                            until.value
                        ),
                    )
                    .label(until.span, "the last day in the tier")
                    .label(from.span, "comes before the first")
                    .help("`from` is the first day in the tier and `until` the last: swap the dates, or write the statement in the tier the channels move to"),
                ));
            }
        }
    }
}
