//! Carve-outs that cannot mean what they say:
//! - E217: the carved channel is not approved or limited, or the tier blocks nothing by DNS
//!   (there is nothing to carve out of);
//! - W224: no name the tier blocks overlaps a name of the carved channel, so the carve-out
//!   keeps nothing reachable.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::normalize::domain::SuffixIndex;
use crate::resolve::Program;
use crate::syntax::ast::{Name, Tier};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{Enforcement, TierKind};
use rustc_hash::FxHashSet;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    for tier in &program.tiers {
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
            } else if !blocks_a_name_of(program, tier, channel) {
                out.push(ValidateError(
                    Diagnostic::new(Code::W224, format!("the carve-out of {} carves nothing out", quote(&channel.text)))
                        .label(channel.span, format!("tier `{}` blocks no name `{}` uses", tier.name.text, channel.text))
                        .help("remove the `carve-out` line: a carve-out is needed only where a name the tier blocks covers one the channel uses"),
                ));
            }
        }
    }
}

/// Whether a name a channel of `tier` blocks and a name `carved` uses overlap. A blocked name
/// inside one of its domains (`web.skype.com` inside `*.skype.com`) is E211's, which says why
/// no carve-out can help: it is no reason to say the carve-out is idle as well.
fn blocks_a_name_of(program: &Program, tier: &Tier, carved: &Name) -> bool {
    let names = &program.channels[&carved.text].names;
    // The carved channel's names are few, the tier's may be a feed of a million: index the
    // few, by suffix for the blocked names that cover them and by name for the domains that
    // hold a blocked name, and look each blocked name up once.
    let index = SuffixIndex::new(names.iter().map(|e| (e.name.clone(), e.scope, ())));
    let domains: FxHashSet<&str> = names
        .iter()
        .filter(|e| e.scope.covers_subdomains())
        .map(|e| e.name.as_ref())
        .collect();
    tier.channels
        .iter()
        .flat_map(|c| &program.channels[&c.text].names)
        .any(|rule| {
            index.covered_by(&rule.name, rule.scope).next().is_some()
                || std::iter::successors(rule.name.split_once('.'), |(_, up)| up.split_once('.'))
                    .any(|(_, parent)| domains.contains(parent))
        })
}
