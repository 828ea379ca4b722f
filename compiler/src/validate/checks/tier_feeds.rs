//! E221 a feed in a tier that neither blocks nor monitors: its names would be enforced nowhere.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::validate::{Context, ValidateError};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for tier in &ctx.program.tiers {
        let Some(first) = tier.feeds.first() else {
            continue;
        };
        if !tier.block.is_empty() || tier.monitor.is_some() {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            Code::E221,
            format!(
                "tier {} takes names from a feed but neither blocks nor monitors them",
                quote(&tier.name.text)
            ),
        )
        .label(first.span(), "no output would use these names");
        for feed in &tier.feeds[1..] {
            diagnostic = diagnostic.label(feed.span(), "nor these");
        }
        out.push(ValidateError(diagnostic.help(
            "move the feed into a tier that says `block dns` or `monitor`; names an approved service needs belong in its channel's `domains`",
        )));
    }
}
