//! W226 (medium policies) and E227 (large ones): an approved channel with no vendor security
//! review. Good practice vets a tool before approving it; a small organisation's policy is not
//! asked to record it.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{Size, TierKind};
use std::collections::BTreeSet;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let code = match ctx.program.policy.size.value {
        Size::Small => return,
        Size::Medium => Code::W226,
        Size::Large => Code::E227,
    };
    let reviewed: BTreeSet<&str> = ctx
        .program
        .reviews
        .iter()
        .map(|r| r.channel.text.as_str())
        .collect();
    for tier in &ctx.program.tiers {
        if ctx.program.tier_kind(tier) != TierKind::Approved {
            continue;
        }
        for channel in &tier.channels {
            // A tier's feed is a list of names, not a vendor's service (its channel is named
            // where the feed is).
            if tier.feeds.iter().any(|feed| feed.span() == channel.span) {
                continue;
            }
            // A review of a channel it inherits from vets the same vendor's service.
            let ancestors = ctx
                .program
                .channels
                .get(&channel.text)
                .map(|c| &c.ancestors);
            let mut lineage = std::iter::once(&channel.text).chain(ancestors.into_iter().flatten());
            if lineage.any(|name| reviewed.contains(name.as_str())) {
                continue;
            }
            out.push(ValidateError(
                Diagnostic::new(
                    code,
                    format!(
                        "the approved channel {} has no vendor security review",
                        quote(&channel.text)
                    ),
                )
                .label(channel.span, "approved here, with no `review` of it")
                .help(format!(
                    "vet the vendor before approving it, and record it: `review {} {{ reviewed \
                     <date> by \"…\"  finding \"…\"  next <date> }}`, a statement per line",
                    channel.text
                )),
            ));
        }
    }
}
