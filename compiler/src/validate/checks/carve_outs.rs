//! Carve-outs that cannot mean what they say:
//! - E217: the carved channel is not approved or limited, or the tier blocks nothing by DNS
//!   (there is nothing to carve out of);
//! - W224: no name the tier blocks overlaps a name of the carved channel, so the carve-out
//!   keeps nothing reachable.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::normalize::domain::{NameEntry, SuffixIndex};
use crate::resolve::Program;
use crate::syntax::ast::Tier;
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{Enforcement, TierKind};
use rustc_hash::{FxHashMap, FxHashSet};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    for tier in &program.tiers {
        let overlapped = carved_with_a_blocked_name(program, tier);
        for channel in &tier.carve_out {
            let open = program
                .tier_of(&channel.text)
                .is_some_and(|t| program.tier_kind(t) != TierKind::Banned);
            let problem = if !tier.block.iter().any(|b| b.value == Enforcement::Dns) {
                Some(format!(
                    "tier `{}` does not `block dns`, so there is nothing to carve out of",
                    tier.name.text
                ))
            } else if !open {
                Some(format!(
                    "`{}` is not in an approved or limited tier",
                    channel.text
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                out.push(ValidateError(
                    Diagnostic::new(Code::E217, format!("cannot carve out {}", quote(&channel.text)))
                        .label(channel.span, problem)
                        .help("`carve-out` keeps an allowed channel's names reachable inside the domains a banned tier blocks by DNS"),
                ));
            } else if !overlapped.contains(channel.text.as_str()) {
                out.push(ValidateError(
                    Diagnostic::new(Code::W224, format!("the carve-out of {} carves nothing out", quote(&channel.text)))
                        .label(channel.span, format!("tier `{}` blocks no name `{}` uses", tier.name.text, channel.text))
                        .help("remove the `carve-out` line: a carve-out is needed only where a name the tier blocks covers one the channel uses"),
                ));
            }
        }
    }
}

/// The channels `tier` carves out that a name it blocks overlaps. A blocked name inside one of
/// their domains (`web.skype.com` inside `*.skype.com`) is E211's, which says why no carve-out
/// can help: it is no reason to say the carve-out is idle as well.
fn carved_with_a_blocked_name<'p>(program: &'p Program, tier: &Tier) -> FxHashSet<&'p str> {
    let carved: Vec<(&str, &[NameEntry])> = tier
        .carve_out
        .iter()
        .filter_map(|c| program.channels.get_key_value(&c.text))
        .map(|(name, def)| (name.as_str(), def.names.as_slice()))
        .collect();
    // The carved channels' names are fewer than the tier's, which may be a feed of a million:
    // index them, by suffix for the blocked names that cover them and by name for the domains
    // that hold a blocked name, and look each blocked name up once for all of them.
    let index = SuffixIndex::new(carved.iter().flat_map(|&(channel, names)| {
        names
            .iter()
            .map(move |e| (e.name.clone(), e.scope, channel))
    }));
    let mut domains: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for &(channel, names) in &carved {
        for e in names.iter().filter(|e| e.scope.covers_subdomains()) {
            domains.entry(e.name.as_ref()).or_default().push(channel);
        }
    }
    let mut overlapped = FxHashSet::default();
    for rule in tier
        .channels
        .iter()
        .flat_map(|c| &program.channels[&c.text].names)
    {
        overlapped.extend(index.covered_by(&rule.name, rule.scope).map(|e| e.2));
        let parents =
            std::iter::successors(rule.name.split_once('.'), |(_, up)| up.split_once('.'));
        for (_, parent) in parents {
            overlapped.extend(domains.get(parent).into_iter().flatten());
        }
    }
    overlapped
}
