//! Program → Ir. Runs only on a program that validated without errors, so every value here is
//! known to normalise.

use super::enforcement::{collapse_domains, merge_networks, ChannelNames};
use super::*;

use crate::normalize::domain::SuffixIndex;
use crate::normalize::network;
use crate::resolve::{ChannelDef, Program};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, Ceiling};
use std::sync::Arc;
use time::Date;

pub fn build(program: &Program, map: &SourceMap, today: Date) -> Ir {
    let loc = |span: Span| map.location(span);

    let policy = &program.policy;
    let policy_info = PolicyInfo {
        title: policy.title.value.clone(),
        organisation: policy.organisation.value.clone(),
        size: policy.size.value,
        version: policy.version.value.clone(),
        effective: policy.effective.value,
        owner: policy.owner.value.clone(),
        support: policy.support.value.clone(),
        briefing: policy.briefing.value,
        docs: policy.docs.clone(),
        at: loc(policy.span),
    };

    // Classes, lowest first: by the number of classes below, then by name.
    let mut class_names: Vec<&String> = program.classes.keys().collect();
    class_names.sort_by_key(|n| (program.classes[*n].below.len(), (*n).clone()));
    let classes = class_names
        .into_iter()
        .map(|name| {
            let def = &program.classes[name];
            // Requirements with the place that states them: the class itself or one below.
            let mut requires: Vec<Located<Requirement>> = Vec::new();
            for owner in std::iter::once(name).chain(def.below.iter()) {
                for r in &program.classes[owner].decl.requires {
                    if !requires.iter().any(|x| x.value == r.value) {
                        requires.push(Located {
                            value: r.value,
                            at: loc(r.span),
                        });
                    }
                }
            }
            requires.sort_by_key(|r| r.value);
            ClassInfo {
                name: name.clone(),
                label: def
                    .decl
                    .label
                    .as_ref()
                    .map_or_else(|| title_case(name), |l| l.value.clone()),
                below: def.below.clone(),
                requires,
                retention: def.decl.retention.value(),
                detectors: def
                    .decl
                    .detectors
                    .iter()
                    .map(|d| detector(d, &loc))
                    .collect(),
                docs: def.decl.docs.clone(),
                at: loc(def.decl.span),
            }
        })
        .collect();

    let tier_of = |channel: &str| program.tier_of(channel).map(|t| t.name.text.clone());
    // Every channel the policy can see, so `decide` answers for each (one in no tier: deny).
    let channels: Vec<ChannelInfo> = program
        .channels
        .iter()
        .map(|(name, def)| channel(name, def, tier_of(name), &loc))
        .collect();

    let mut ir = Ir {
        format_version: FORMAT_VERSION,
        evaluation_date: today,
        policy: policy_info,
        classes,
        channels,
        tiers: Vec::new(),
        exceptions: Vec::new(),
        reviews: Vec::new(),
        incidents: Vec::new(),
        hardening: Vec::new(),
        changes: Vec::new(),
        next_change: None,
        matrix: Vec::new(),
        enforcement: EnforcementSets::default(),
        index: Default::default(),
    };
    ir.tiers = program
        .tiers
        .iter()
        .map(|t| tier(program, t, &loc))
        .collect();
    ir.reindex();

    ir.exceptions = program
        .exceptions
        .iter()
        .map(|e| ExceptionInfo {
            name: e.name.text.clone(),
            group: e.who_group.value.clone(),
            channel: e.channel.text.clone(),
            ceiling: e.allows.text.clone(),
            media: sorted_media(&e.media),
            until: e.until.value,
            approved_by: e.approved_by.value.clone(),
            reason: e.reason.value.clone(),
            status: ExceptionStatus::on(e.until.value, today),
            docs: e.docs.clone(),
            at: loc(e.span),
        })
        .collect();
    // Judged with every exception still in its dates, as `decide` sees them (W223 reports these).
    let without_effect: Vec<bool> = ir
        .exceptions
        .iter()
        .map(|e| e.status.in_force() && !ir.applies(e))
        .collect();
    for (e, no_effect) in ir.exceptions.iter_mut().zip(without_effect) {
        if no_effect {
            e.status = ExceptionStatus::NoEffect;
        }
    }
    ir.reviews = program
        .reviews
        .iter()
        .map(|r| ReviewInfo {
            channel: r.channel.text.clone(),
            reviewed: r.reviewed.value,
            reviewer: r.reviewer.as_ref().map(|s| s.value.clone()),
            findings: r.findings.iter().map(|f| f.value.clone()).collect(),
            next: r.next.value,
            status: ReviewStatus::on(r.next.value, today),
            at: loc(r.span),
        })
        .collect();
    let mut incidents: Vec<IncidentInfo> = program
        .incidents
        .iter()
        .map(|i| IncidentInfo {
            title: i.title.value.clone(),
            date: i.date.value,
            lessons: i.lessons.iter().map(|l| l.value.clone()).collect(),
            docs: i.docs.clone(),
            at: loc(i.span),
        })
        .collect();
    incidents.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    ir.incidents = incidents;
    ir.hardening = program
        .hardening
        .iter()
        .map(|h| {
            let mut disable: Vec<Hardening> = Vec::new();
            for setting in &h.disable {
                if !disable.contains(&setting.value) {
                    disable.push(setting.value);
                }
            }
            HardeningInfo {
                channel: h.channel.text.clone(),
                disable,
                docs: h.docs.clone(),
                at: loc(h.span),
            }
        })
        .collect();

    ir.changes = changes(program, today);
    ir.next_change = next_change(&ir);
    ir.enforcement = enforcement_sets(program);
    let mut matrix = Vec::new();
    for class in &ir.classes {
        for channel in ir.tiered_channels() {
            matrix.extend(
                ir.decisions(&class.name, &channel.name, None)
                    .into_iter()
                    .flatten(),
            );
        }
    }
    ir.matrix = matrix;
    ir
}

/// Each medium once, in `Medium` order.
fn sorted_media(media: &[ast::Spanned<Medium>]) -> Vec<Medium> {
    let mut out: Vec<Medium> = media.iter().map(|m| m.value).collect();
    out.sort();
    out.dedup();
    out
}

fn title_case(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
        .replace('-', " ")
}

fn detector(d: &ast::Detector, loc: &impl Fn(Span) -> crate::source::Location) -> DetectorInfo {
    DetectorInfo {
        name: d.name.text.clone(),
        patterns: d.patterns.iter().map(|p| p.value.clone()).collect(),
        keywords: d.keywords.iter().map(|k| k.value.clone()).collect(),
        checks: d.checks.iter().map(|c| c.value.clone()).collect(),
        near: d.near.as_ref().map(|n| NearInfo {
            words: n.words.iter().map(|w| w.value.clone()).collect(),
            within: n.within.value,
        }),
        confidence: d.confidence(),
        min_count: d.min_count(),
        case_sensitive: d.case_sensitive,
        examples: d.examples.iter().map(|e| e.value.clone()).collect(),
        not_examples: d.not_examples.iter().map(|e| e.value.clone()).collect(),
        at: loc(d.span),
    }
}

/// Texts in the order written.
fn texts(list: &Option<Vec<ast::Str>>) -> Vec<String> {
    list.iter().flatten().map(|s| s.value.clone()).collect()
}

/// Values sorted, each once (identifiers, which have no order).
fn strings(list: &Option<Vec<ast::Str>>) -> Vec<String> {
    let mut out = texts(list);
    out.sort();
    out.dedup();
    out
}

fn channel(
    name: &str,
    def: &ChannelDef,
    tier: Option<String>,
    loc: &impl Fn(Span) -> crate::source::Location,
) -> ChannelInfo {
    let body = &def.decl.body;
    let flag = |f: &Option<ast::Spanned<bool>>| f.is_some_and(|f| f.value);
    // As the channel writes them; the enforcement sets are the de-duplicated, collapsed form.
    let domains: Vec<DomainEntry> = def
        .names
        .iter()
        .map(|e| DomainEntry {
            name: e.name.clone(),
            scope: e.scope,
        })
        .collect();
    let networks = network::merge(def.networks().map(|(n, _)| n).collect());
    let mut ports: Vec<PortRange> = body.ports.iter().flatten().map(|p| p.value).collect();
    ports.sort();
    ports.dedup();
    let mut media: Vec<Medium> = body.media.iter().flatten().map(|m| m.value).collect();
    media.sort();
    media.dedup();
    let mut unconfirmed: Vec<Property> =
        body.unconfirmed.iter().flatten().map(|p| p.value).collect();
    unconfirmed.sort();
    unconfirmed.dedup();
    ChannelInfo {
        name: name.to_string(),
        label: def
            .decl
            .label
            .as_ref()
            .map_or_else(|| name.to_string(), |l| l.value.clone()),
        vendor: body.vendor.as_ref().map(|v| v.value.clone()),
        media,
        e2ee: body.e2ee.map_or(E2ee::No, |e| e.value),
        open_source: flag(&body.open_source),
        self_hostable: flag(&body.self_hostable),
        mfa: flag(&body.mfa),
        managed: flag(&body.managed),
        unconfirmed,
        sources: texts(&body.sources),
        notes: texts(&body.notes),
        admin_notes: texts(&body.admin_notes),
        dns_bypass: texts(&body.dns_bypass),
        docs: def.decl.docs.clone(),
        inherits: def.ancestors.clone(),
        tier,
        endpoints: Endpoints {
            domains,
            networks,
            ports,
            windows_exe: strings(&body.windows_exe),
            windows_publisher: strings(&body.windows_publisher),
            windows_store: strings(&body.windows_store),
            windows_path: strings(&body.windows_path),
            macos_bundle: strings(&body.macos_bundle),
            macos_team: strings(&body.macos_team),
            macos_signing_id: strings(&body.macos_signing_id),
            entra_app: strings(&body.entra_app),
            android_package: strings(&body.android_package),
            web_app: strings(&body.web_app),
        },
        from_stdlib: def.stdlib,
        at: loc(def.decl.span),
        e2ee_at: loc(body.e2ee.map_or(def.decl.span, |e| e.span)),
    }
}

fn tier(
    program: &Program,
    t: &ast::Tier,
    loc: &impl Fn(Span) -> crate::source::Location,
) -> TierInfo {
    let kind = program.tier_kind(t);
    let class_of = |allows: &ast::Allows| match &allows.ceiling {
        Ceiling::UpTo(class) => Some(Located {
            value: class.text.clone(),
            at: loc(class.span),
        }),
        Ceiling::Nothing(_) => None,
    };
    let (ceiling, medium_ceilings) = if kind == TierKind::Banned {
        (None, Vec::new())
    } else {
        let ceiling = t.allows_for(None).and_then(class_of);
        let medium_ceilings: Vec<MediumCeiling> = Medium::ALL
            .into_iter()
            .filter_map(|medium| {
                let allows = t.allows_for(Some(medium)).filter(|a| !a.media.is_empty())?;
                let class = class_of(allows);
                Some(MediumCeiling {
                    medium,
                    at: class
                        .as_ref()
                        .map_or_else(|| loc(allows.span), |c| c.at.clone()),
                    class: class.map(|c| c.value),
                })
            })
            .collect();
        (ceiling, medium_ceilings)
    };
    let mut requires: Vec<Requirement> = t.requires.iter().map(|r| r.value).collect();
    requires.sort();
    requires.dedup();
    let mut block: Vec<Enforcement> = t.block.iter().map(|b| b.value).collect();
    block.sort();
    block.dedup();
    let instead = alternatives(program, t);
    TierInfo {
        name: t.name.text.clone(),
        label: t
            .label
            .as_ref()
            .map_or_else(|| title_case(&t.name.text), |l| l.value.clone()),
        kind,
        channels: t
            .channels
            .iter()
            .map(|c| Located {
                value: c.text.clone(),
                at: loc(c.span),
            })
            .collect(),
        ceiling,
        medium_ceilings,
        requires,
        retention: t.retention.value(),
        block,
        monitor: t.monitor.is_some(),
        instead,
        carve_out: t.carve_out.iter().map(|c| c.text.clone()).collect(),
        docs: t.docs.clone(),
        at: loc(t.span),
    }
}

/// Per medium the tier refuses on its channels: the `instead` alternatives written for it, or
/// else the approved channels that carry it.
fn alternatives(program: &Program, t: &ast::Tier) -> Vec<Alternative> {
    alternatives_among(program, &program.tiers, t, program.refused_media(t))
}

/// For each of `media`, which tier `t` refuses: its `instead` alternatives, or else the
/// channels approved for the medium among `tiers`.
fn alternatives_among(
    program: &Program,
    tiers: &[ast::Tier],
    t: &ast::Tier,
    media: Vec<Medium>,
) -> Vec<Alternative> {
    media
        .into_iter()
        .map(|medium| {
            let explicit: Vec<String> = ast::Instead::for_medium(&t.instead, medium)
                .map(|i| i.channel.text.clone())
                .collect();
            if explicit.is_empty() {
                Alternative {
                    medium,
                    channels: program.approved_carriers_among(tiers, medium),
                    explicit: false,
                }
            } else {
                Alternative {
                    medium,
                    channels: explicit,
                    explicit: true,
                }
            }
        })
        .collect()
}

/// The first day after the evaluation date on which a build would enforce or say something
/// else: a channel changes tier, an exception starts to expire or ends, a review falls due or
/// overdue, a refresher briefing passes.
fn next_change(ir: &Ir) -> Option<Date> {
    let today = ir.evaluation_date;
    let days = |n: i64| time::Duration::days(n);
    let warn = days(ExceptionStatus::EXPIRY_WARNING_DAYS);
    let due = days(ReviewStatus::DUE_WITHIN_DAYS);
    let tier_changes = ir.changes.first().map(|c| c.date);
    let exceptions = ir
        .exceptions
        .iter()
        .flat_map(|e| [e.until.checked_sub(warn), e.until.next_day()]);
    let reviews = ir
        .reviews
        .iter()
        .flat_map(|r| [r.next.checked_sub(due), r.next.next_day()]);
    let refresher = (1..)
        .map_while(|n| ir.policy.briefing.step(ir.policy.effective, n))
        .find(|&d| d > today);
    std::iter::once(tier_changes)
        .chain(exceptions)
        .chain(reviews)
        .chain(std::iter::once(refresher))
        .flatten()
        .filter(|&d| d > today)
        .min()
}

/// The channels that change tier after `today`, by date then as the tiers list them, each
/// with where to go for the media its new tier refuses.
fn changes(program: &Program, today: Date) -> Vec<TierChange> {
    let mut out = Vec::new();
    for date in program.change_dates(today) {
        let before = date
            .previous_day()
            .expect("a change date has a day before it");
        let tiers_then = program.tiers_on(date);
        let tiers_before = program.tiers_on(before);
        let mut moved: Vec<&str> = Vec::new();
        for name in tiers_then
            .iter()
            .chain(&tiers_before)
            .flat_map(|t| t.channels.iter())
            .map(|c| c.text.as_str())
        {
            if !moved.contains(&name) {
                moved.push(name);
            }
        }
        for channel in moved {
            let from_tier = program.tier_name_on(channel, before);
            let to_tier = program.tier_name_on(channel, date);
            if from_tier == to_tier {
                continue;
            }
            let mut media: Vec<Medium> = program.media_of(channel).collect();
            media.sort();
            media.dedup();
            let instead = match tiers_then
                .iter()
                .find(|t| Some(t.name.text.as_str()) == to_tier)
            {
                Some(t) => {
                    media.retain(|&m| program.medium_kind(t, m) == TierKind::Banned);
                    alternatives_among(program, &tiers_then, t, media)
                }
                // In no tier: not approved for anything.
                None => media
                    .into_iter()
                    .map(|medium| Alternative {
                        medium,
                        channels: program.approved_carriers_among(&tiers_then, medium),
                        explicit: false,
                    })
                    .collect(),
            };
            out.push(TierChange {
                date,
                channel: channel.to_string(),
                from_tier: from_tier.map(str::to_string),
                to_tier: to_tier.map(str::to_string),
                instead,
            });
        }
    }
    out
}

/// The names of every channel in `defs`, collapsed, and the names collapsed into a parent
/// (see `collapse_domains`).
fn domain_rules(defs: Vec<&ChannelDef>) -> (Vec<DomainRule>, Vec<DomainRule>) {
    let channels: Vec<Arc<str>> = defs
        .iter()
        .map(|def| Arc::from(def.decl.name.text.as_str()))
        .collect();
    let sources: Vec<ChannelNames> = channels
        .iter()
        .zip(&defs)
        .map(|(channel, def)| (channel, &def.names[..]))
        .collect();
    collapse_domains(&sources)
}

/// What tiers that `block kind` block by name, by name: the rules, the carve-outs (names of
/// channels that are not blocked, inside a blocked rule: validation allows only those a tier
/// carves out), and the names collapsed into a blocked parent that are not carved out.
struct NameBlocks {
    block: Vec<DomainRule>,
    allow: Vec<DomainRule>,
    covered: Vec<DomainRule>,
}

fn blocks_and_carve_outs(program: &Program, kind: Enforcement) -> NameBlocks {
    let blocked = program.blocked_channels(kind);
    let blocked_names: std::collections::BTreeSet<&str> =
        blocked.iter().map(|d| d.decl.name.text.as_str()).collect();
    let (block, covered) = domain_rules(blocked);
    let open: Vec<&ChannelDef> = program
        .open_channels()
        .into_iter()
        .filter(|d| !blocked_names.contains(d.decl.name.text.as_str()))
        .collect();
    // Few open names, many blocked ones: index the open names by suffix and look each blocked
    // rule up once.
    let (open_rules, _) = domain_rules(open);
    let open_index = SuffixIndex::new(
        open_rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), r.scope, i)),
    );
    let mut carved: Vec<usize> = block
        .iter()
        .flat_map(|b| open_index.covered_by(&b.name, b.scope).map(|(_, _, i)| *i))
        .collect();
    carved.sort_unstable();
    carved.dedup();
    let allow = carved.into_iter().map(|i| open_rules[i].clone()).collect();
    let covered = covered
        .into_iter()
        .filter(|c| {
            open_index
                .covered_by(&c.name, Scope::Exact)
                .next()
                .is_none()
        })
        .collect();
    let (block, allow) = subtract_same_name_carve_outs(block, allow);
    NameBlocks {
        block,
        allow,
        covered,
    }
}

fn enforcement_sets(program: &Program) -> EnforcementSets {
    let dns = blocks_and_carve_outs(program, Enforcement::Dns);
    let browser = blocks_and_carve_outs(program, Enforcement::Browser);
    let firewall = program
        .blocked_channels(Enforcement::Firewall)
        .into_iter()
        .flat_map(|def| def.networks().map(|(n, _)| (n, def.decl.name.text.clone())))
        .collect();
    let monitored: Vec<&ChannelDef> = program
        .tiers
        .iter()
        .filter(|t| t.monitor.is_some())
        .flat_map(|t| t.channels.iter())
        .map(|c| &program.channels[&c.text])
        .collect();
    EnforcementSets {
        dns_block: dns.block,
        dns_allow: dns.allow,
        dns_covered: dns.covered,
        browser_block: browser.block,
        browser_allow: browser.allow,
        firewall_block: merge_networks(firewall),
        dns_monitor: domain_rules(monitored).0,
    }
}

/// A carve-out of the very name a rule blocks takes its part out of the rule: `x` (with
/// subdomains) minus `*.x` is exactly `x`, minus `x` alone is `*.x`; `*.x` minus `*.x` is
/// nothing. The rule was the only one covering the carve-out (collapsing keeps no rule under
/// a blocked parent), so the carve-out goes too. Doing this in the IR lets every format write
/// it exactly, and none writes a block and a pass for one name. Both lists are sorted by name.
fn subtract_same_name_carve_outs(
    mut block: Vec<DomainRule>,
    allow: Vec<DomainRule>,
) -> (Vec<DomainRule>, Vec<DomainRule>) {
    let parts = |scope: Scope| (scope.covers_apex(), scope.covers_subdomains());
    let mut dropped: Vec<usize> = Vec::new();
    let mut kept_allow = Vec::with_capacity(allow.len());
    for carve in allow {
        let Ok(i) = block.binary_search_by(|b| b.name.cmp(&carve.name)) else {
            kept_allow.push(carve);
            continue;
        };
        let (apex, subdomains) = parts(block[i].scope);
        let (open_apex, open_subdomains) = parts(carve.scope);
        match (apex && !open_apex, subdomains && !open_subdomains) {
            (true, true) => block[i].scope = Scope::Tree,
            (true, false) => block[i].scope = Scope::Exact,
            (false, true) => block[i].scope = Scope::Subdomains,
            (false, false) => dropped.push(i),
        }
    }
    // In place, and only when needed: the block list may hold a million rules.
    if !dropped.is_empty() {
        dropped.sort_unstable();
        let mut position = 0..;
        block.retain(|_| {
            let i = position.next().expect("a position for each rule");
            dropped.binary_search(&i).is_err()
        });
    }
    (block, kept_allow)
}
