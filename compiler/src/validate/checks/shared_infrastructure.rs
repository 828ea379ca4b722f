//! E211 shared infrastructure: a blocked domain (or network) that also covers an endpoint of
//! a channel that is not blocked, e.g. Skype's `skype.com` covering Teams' `*.skype.com`; or a
//! blocked name that lies inside a domain such a channel needs, e.g. `web.skype.com` inside
//! Teams' `*.skype.com`.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::normalize::domain::{NameEntry, SuffixIndex};
use crate::normalize::network;
use crate::resolve::ChannelDef;
use crate::source::Span;
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{Enforcement, Scope};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;

const HELP: &str = "carve the other channel out with `carve-out CHANNEL` in the banned tier, block the banned channel's exact names with `hosts`, block it by program with `block endpoint`, or ban the other channel too (see docs/errors/E211.md)";

/// A blocked rule (where it is written, the banned channel, the rule as written) and the open
/// channel it would break.
type Rule<'a> = (Span, &'a str, String, &'a str);

/// How an entry is written: `*.x` for subdomains only.
fn written(name: &str, scope: Scope) -> String {
    if scope == Scope::Subdomains {
        format!("*.{name}")
    } else {
        name.to_string()
    }
}

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    // Blocking by name happens in resolvers (dns) and in browsers (browser).
    let mut dns_blocked = program.blocked_channels(Enforcement::Dns);
    let by_dns: FxHashSet<&str> = dns_blocked
        .iter()
        .map(|d| d.decl.name.text.as_str())
        .collect();
    for def in program.blocked_channels(Enforcement::Browser) {
        if !by_dns.contains(def.decl.name.text.as_str()) {
            dns_blocked.push(def);
        }
    }
    let firewall_blocked = program.blocked_channels(Enforcement::Firewall);
    let blocked_networks: Vec<(network::Network, &str, &crate::syntax::ast::Str)> =
        firewall_blocked
            .iter()
            .flat_map(|def| {
                def.networks()
                    .map(|(parsed, n)| (parsed, def.decl.name.text.as_str(), n))
            })
            .collect();
    let open = program.open_channels();
    // The open channels' names are few, the blocked ones may be a feed of a million: index the
    // open names by suffix and look each blocked name up once.
    let index = SuffixIndex::new(open.iter().flat_map(|def| {
        def.names.iter().map(move |e| {
            (
                e.name.clone(),
                e.scope,
                (def.decl.name.text.as_str(), e.span()),
            )
        })
    }));
    // One diagnostic per blocked rule and open channel, naming every endpoint it covers.
    let mut conflicts: BTreeMap<Rule, Vec<(String, Span)>> = BTreeMap::new();
    // Channels the banned channel's tier carves out stay reachable: no conflict. A set for
    // each tier, made once (a tier may ban and carve out thousands).
    let mut carved_by_tier: FxHashMap<&str, FxHashSet<&str>> = FxHashMap::default();
    for def in &dns_blocked {
        let banned = def.decl.name.text.as_str();
        let carved = match program.tier_of(banned) {
            Some(tier) => &*carved_by_tier
                .entry(tier.name.text.as_str())
                .or_insert_with(|| tier.carve_out.iter().map(|c| c.text.as_str()).collect()),
            None => &FxHashSet::default(),
        };
        for rule in &def.names {
            for (name, scope, (channel, span)) in index.covered_by(&rule.name, rule.scope) {
                if *channel != banned && !carved.contains(channel) {
                    conflicts
                        .entry((
                            rule.span(),
                            banned,
                            written(&rule.name, rule.scope),
                            channel,
                        ))
                        .or_default()
                        .push((written(name, *scope), *span));
                }
            }
        }
    }
    inside_open_domains(&dns_blocked, &open, out);
    for ((rule_span, banned, rule, channel), endpoints) in conflicts {
        let names: Vec<String> = endpoints.iter().map(|(n, _)| quote(n)).collect();
        let mut diag = Diagnostic::new(
            Code::E211,
            format!(
                "blocking {} for {} would also block {} of {}",
                quote(&rule),
                quote(banned),
                names.join(", "),
                quote(channel)
            ),
        )
        .label(rule_span, format!("`{banned}` is blocked here"));
        for (_, span) in &endpoints {
            diag = diag.label(
                *span,
                format!("`{channel}`, which is not banned, needs this name"),
            );
        }
        out.push(ValidateError(diag.help(HELP)));
    }
    // Networks nest or are apart: an open network meets the blocked ones that start inside it
    // (found in address order) and those that hold it (found by its supernets), not every
    // blocked network of a policy of thousands.
    let mut in_order: Vec<(bool, u128, usize)> = (blocked_networks.iter().enumerate())
        .map(|(at, (n, _, _))| (n.v6, n.base, at))
        .collect();
    in_order.sort_unstable();
    let mut by_network: FxHashMap<network::Network, Vec<usize>> = FxHashMap::default();
    for (at, (n, _, _)) in blocked_networks.iter().enumerate() {
        by_network.entry(*n).or_default().push(at);
    }
    for def in open {
        let channel = def.decl.name.text.as_str();
        for (open_parsed, open_net) in def.networks() {
            let (v6, first, last) = (open_parsed.v6, open_parsed.base, open_parsed.last());
            let start = in_order.partition_point(|&(f, base, _)| (f, base) < (v6, first));
            let end = in_order.partition_point(|&(f, base, _)| (f, base) <= (v6, last));
            let holding = open_parsed
                .supernets()
                .flat_map(|wider| by_network.get(&wider).into_iter().flatten().copied());
            let mut meeting: Vec<usize> = in_order[start..end]
                .iter()
                .map(|&(_, _, at)| at)
                .chain(holding)
                .collect();
            // In the order the blocked networks are declared, each once.
            meeting.sort_unstable();
            meeting.dedup();
            for (parsed, banned, net) in meeting.into_iter().map(|at| &blocked_networks[at]) {
                if (parsed.contains(&open_parsed) || open_parsed.contains(parsed))
                    && *banned != channel
                {
                    out.push(ValidateError(
                        Diagnostic::new(
                            Code::E211,
                            format!(
                                "blocking {} for {} would also block {} of {}",
                                quote(&net.value),
                                quote(banned),
                                quote(&open_net.value),
                                quote(channel)
                            ),
                        )
                        .label(net.span, format!("`{banned}` is blocked here"))
                        .label(
                            open_net.span,
                            format!("`{channel}`, which is not banned, uses this network"),
                        )
                        .help(HELP),
                    ));
                }
            }
        }
    }
}

/// A blocked name inside a domain that a channel which is not banned needs with all its
/// subdomains (`web.skype.com` inside Teams' `*.skype.com`): blocking it breaks that channel,
/// and no carve-out can help, since carving the domain out would unblock the name.
fn inside_open_domains(
    blocked: &[&ChannelDef],
    open: &[&ChannelDef],
    out: &mut Vec<ValidateError>,
) {
    // Few open domains, many blocked names: index the domains and walk each name's parents.
    let mut domains: FxHashMap<&str, Vec<(&str, &NameEntry)>> = FxHashMap::default();
    for def in open {
        for entry in def.names.iter().filter(|e| e.scope.covers_subdomains()) {
            domains
                .entry(&entry.name)
                .or_default()
                .push((def.decl.name.text.as_str(), entry));
        }
    }
    if domains.is_empty() {
        return;
    }
    for def in blocked {
        let banned = def.decl.name.text.as_str();
        for rule in &def.names {
            let mut parent = rule.name.as_ref();
            while let Some((_, up)) = parent.split_once('.') {
                parent = up;
                for (channel, domain) in domains.get(parent).into_iter().flatten() {
                    if *channel == banned {
                        continue;
                    }
                    out.push(ValidateError(
                        Diagnostic::new(
                            Code::E211,
                            format!(
                                "blocking {} for {} would block a name inside {} of {}",
                                quote(&written(&rule.name, rule.scope)),
                                quote(banned),
                                quote(&written(&domain.name, domain.scope)),
                                quote(channel)
                            ),
                        )
                        .label(rule.span(), format!("`{banned}` is blocked here"))
                        .label(
                            domain.span(),
                            format!("`{channel}`, which is not banned, needs every name under this"),
                        )
                        .help(format!("remove this name from `{banned}` and block the channel by program (`block endpoint`), or ban `{channel}` too; a carve-out cannot help, since it would unblock the name")),
                    ));
                }
            }
        }
    }
}
