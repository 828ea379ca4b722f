//! E204 a channel listed in two tiers (or twice in one).

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
                        .help("a channel belongs to one tier; for a group that needs more, write an `exception`"),
                )),
                None => {
                    first.insert(&channel.text, (&tier.name.text, channel.span));
                }
            }
        }
    }
}
