//! `decide` against a reference model: small policies generated at random, each decided for
//! every class × channel × medium (and no medium) × group, on the evaluation date and on the
//! days around each dated tier change, by msgpol and by `expected` below, a table-driven
//! reading of docs/language.md's rules ("The decision", `allows … for`, exceptions, `channels
//! … from … until …`) written from the generator's own description of the policy, never from
//! the IR.
//! `decisions` is checked too: one decision per medium exactly where the model says the answer
//! can depend on the medium.

mod common;

use common::rng::Rng;
use msgpol::ir::{Medium, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write;
use time::{Date, Duration};

/// Classes form one chain, lowest first: `c0 < c1 < c2`.
const CLASSES: usize = 3;
const GROUPS: [&str; 2] = ["g0", "g1"];

#[derive(Clone, Copy, PartialEq)]
enum E2ee {
    Yes,
    Optional,
    No,
}

#[derive(Clone, Copy, PartialEq)]
enum Requirement {
    E2ee,
    Mfa,
    Managed,
}

struct Channel {
    media: Vec<Medium>,
    e2ee: E2ee,
    mfa: bool,
}

/// `None`: `allows nothing`; `Some(i)`: `allows up to c{i}`.
type Ceiling = Option<usize>;

/// A channel's place in a tier for a period: `from` and `until` are the first and last days
/// (`None`: unbounded).
struct Membership {
    channel: usize,
    from: Option<Date>,
    until: Option<Date>,
}

impl Membership {
    fn on(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.until.is_none_or(|u| date <= u)
    }
}

struct Tier {
    channels: Vec<Membership>,
    /// The `allows` without `for`, if written.
    general: Option<Ceiling>,
    /// `allows … for MEDIA`, media disjoint.
    by_medium: Vec<(Ceiling, Vec<Medium>)>,
    requires_mfa: bool,
    requires_managed: bool,
}

struct Exception {
    group: usize,
    channel: usize,
    ceiling: usize,
    media: Vec<Medium>,
}

struct Model {
    /// Each class's own requirements (a class also has those of every class below it).
    requires: Vec<Vec<Requirement>>,
    channels: Vec<Channel>,
    tiers: Vec<Tier>,
    exceptions: Vec<Exception>,
}

fn subset<T: Copy>(rng: &mut Rng, items: &[T], percent: u64) -> Vec<T> {
    items
        .iter()
        .copied()
        .filter(|_| rng.percent(percent))
        .collect()
}

fn generate(rng: &mut Rng) -> Model {
    let requirements = [Requirement::E2ee, Requirement::Mfa, Requirement::Managed];
    let requires = (0..CLASSES)
        .map(|i| {
            if i == 0 {
                Vec::new()
            } else {
                subset(rng, &requirements, 25)
            }
        })
        .collect();
    let channels: Vec<Channel> = (0..rng.between(2, 5))
        .map(|_| Channel {
            media: if rng.percent(10) {
                Vec::new()
            } else {
                subset(rng, &Medium::ALL, 60)
            },
            e2ee: *rng.pick(&[E2ee::Yes, E2ee::Optional, E2ee::No]),
            mfa: rng.percent(50),
        })
        .collect();
    let mut tiers: Vec<Tier> = (0..rng.between(1, 3))
        .map(|_| {
            let mut free: Vec<Medium> = Medium::ALL.to_vec();
            let mut by_medium = Vec::new();
            while !free.is_empty() && rng.percent(45) {
                let media = subset(rng, &free, 40);
                if media.is_empty() {
                    continue;
                }
                free.retain(|m| !media.contains(m));
                by_medium.push((ceiling(rng), media));
            }
            let general = if by_medium.is_empty() || rng.percent(60) {
                Some(ceiling(rng))
            } else {
                None
            };
            Tier {
                channels: Vec::new(),
                general,
                by_medium,
                requires_mfa: rng.percent(50),
                requires_managed: rng.percent(30),
            }
        })
        .collect();
    // Every channel in some tier or none; some move on a day soon after the evaluation date
    // (to another tier, or out of every tier), some only from or until a day.
    let today = common::today();
    for c in 0..channels.len() {
        let slot = rng.below(tiers.len() + 1);
        let day = today + Duration::days(*rng.pick(&[-5, 1, 2, 20]));
        let dated = rng.percent(40);
        let (first, second) = match rng.below(3) {
            _ if !dated => ((None, None), None),
            0 => ((None, Some(day)), Some(rng.below(tiers.len() + 1))),
            1 => ((Some(day), None), None),
            _ => ((None, Some(day)), None),
        };
        if let Some(tier) = tiers.get_mut(slot) {
            tier.channels.push(Membership {
                channel: c,
                from: first.0,
                until: first.1,
            });
        }
        if let Some(tier) = second.and_then(|s| tiers.get_mut(s)) {
            tier.channels.push(Membership {
                channel: c,
                from: Some(day + Duration::days(1)),
                until: None,
            });
        }
    }
    let exceptions = (0..rng.below(3))
        .map(|_| Exception {
            group: rng.below(GROUPS.len()),
            channel: rng.below(channels.len()),
            ceiling: rng.below(CLASSES),
            media: if rng.percent(50) {
                Vec::new()
            } else {
                subset(rng, &Medium::ALL, 40)
            },
        })
        .collect();
    Model {
        requires,
        channels,
        tiers,
        exceptions,
    }
}

fn ceiling(rng: &mut Rng) -> Ceiling {
    if rng.percent(25) {
        None
    } else {
        Some(rng.below(CLASSES))
    }
}

fn media_list(media: &[Medium]) -> String {
    media
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The policy as text. A channel `alt` in tier `alt` carries every medium and allows the top
/// class, so a refused medium always has an alternative (E208).
fn render(model: &Model) -> String {
    let mut out = String::from(
        "policy \"Model policy\" {\n  organisation \"Model Ltd\"\n  size small\n  version \"1\"\n  effective 2026-01-01\n  owner \"security@model.example\"\n  support \"IT desk\"\n  briefing every 6 months\n}\n\n",
    );
    for (i, requires) in model.requires.iter().enumerate() {
        let parent = if i == 0 {
            String::new()
        } else {
            format!(" : c{}", i - 1)
        };
        writeln!(out, "class c{i}{parent} {{").unwrap();
        if !requires.is_empty() {
            let words: Vec<&str> = requires
                .iter()
                .map(|r| match r {
                    Requirement::E2ee => "e2ee",
                    Requirement::Mfa => "mfa",
                    Requirement::Managed => "managed-device",
                })
                .collect();
            writeln!(out, "  requires {}", words.join(", ")).unwrap();
        }
        out.push_str("}\n\n");
    }
    for (i, c) in model.channels.iter().enumerate() {
        writeln!(out, "channel ch{i} {{").unwrap();
        if !c.media.is_empty() {
            let words: Vec<&str> = c.media.iter().map(|m| m.as_str()).collect();
            writeln!(out, "  media {}", words.join(", ")).unwrap();
        }
        let e2ee = match c.e2ee {
            E2ee::Yes => "yes",
            E2ee::Optional => "optional",
            E2ee::No => "no",
        };
        writeln!(out, "  e2ee {e2ee}").unwrap();
        if c.mfa {
            out.push_str("  mfa\n");
        }
        out.push_str("}\n\n");
    }
    out.push_str(
        "channel alt {\n  media text, voice, video, file, email\n  e2ee\n  mfa\n}\n\ntier alt {\n  channels alt\n  allows up to c2\n  requires mfa, managed-device\n}\n\n",
    );
    let ceiling = |c: &Ceiling| match c {
        None => "nothing".to_string(),
        Some(i) => format!("up to c{i}"),
    };
    for (i, t) in model.tiers.iter().enumerate() {
        writeln!(out, "tier t{i} {{").unwrap();
        for m in &t.channels {
            write!(out, "  channels ch{}", m.channel).unwrap();
            if let Some(from) = m.from {
                write!(out, " from {from}").unwrap();
            }
            if let Some(until) = m.until {
                write!(out, " until {until}").unwrap();
            }
            out.push('\n');
        }
        if let Some(general) = &t.general {
            writeln!(out, "  allows {}", ceiling(general)).unwrap();
        }
        for (c, media) in &t.by_medium {
            writeln!(out, "  allows {} for {}", ceiling(c), media_list(media)).unwrap();
        }
        let requires: Vec<&str> = [
            (t.requires_mfa, "mfa"),
            (t.requires_managed, "managed-device"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, word)| word)
        .collect();
        if !requires.is_empty() {
            writeln!(out, "  requires {}", requires.join(", ")).unwrap();
        }
        out.push_str("}\n\n");
    }
    for (i, e) in model.exceptions.iter().enumerate() {
        let media = if e.media.is_empty() {
            String::new()
        } else {
            format!(" for {}", media_list(&e.media))
        };
        write!(
            out,
            "exception e{i} {{\n  who group \"{}\"\n  channel ch{}\n  allows up to c{}{media}\n  until 2099-12-31\n  approved-by \"CISO\"\n  reason \"model\"\n}}\n\n",
            GROUPS[e.group], e.channel, e.ceiling
        )
        .unwrap();
    }
    out
}

impl Model {
    fn tier_of(&self, channel: usize, date: Date) -> Option<&Tier> {
        self.tiers.iter().find(|t| {
            t.channels
                .iter()
                .any(|m| m.channel == channel && m.on(date))
        })
    }

    /// The days a channel enters or leaves a tier.
    fn boundaries(&self) -> Vec<Date> {
        let mut days: Vec<Date> = self
            .tiers
            .iter()
            .flat_map(|t| &t.channels)
            .flat_map(|m| [m.from, m.until.map(|u| u + Duration::days(1))])
            .flatten()
            .collect();
        days.sort();
        days.dedup();
        days
    }

    /// A tier is banned when nothing it says allows a class (no `block` is generated).
    fn banned(tier: &Tier) -> bool {
        tier.general.flatten().is_none() && tier.by_medium.iter().all(|(c, _)| c.is_none())
    }

    /// The requirements of class `i`: its own and those of every class below it.
    fn requirements(&self, class: usize) -> Vec<Requirement> {
        self.requires[..=class].iter().flatten().copied().collect()
    }

    /// docs/language.md, "The decision", with media.
    fn expected(
        &self,
        date: Date,
        class: usize,
        channel: usize,
        medium: Option<Medium>,
        who: Option<usize>,
    ) -> Verdict {
        let ch = &self.channels[channel];
        // A channel that declares its media carries nothing else.
        if let Some(m) = medium {
            if !ch.media.is_empty() && !ch.media.contains(&m) {
                return Verdict::Deny;
            }
        }
        // Rules 1 and 2: in no tier on `date`, or in a banned tier.
        let Some(tier) = self.tier_of(channel, date) else {
            return Verdict::Deny;
        };
        if Self::banned(tier) {
            return Verdict::Deny;
        }
        // The ceiling: the `allows … for` naming the medium, else the `allows` without `for`,
        // else nothing.
        let named = medium.and_then(|m| {
            tier.by_medium
                .iter()
                .find(|(_, media)| media.contains(&m))
                .map(|(c, _)| *c)
        });
        let ceiling = named.or(tier.general).flatten();
        let mut verdict = Verdict::Allow;
        // Rule 3: above the ceiling, only an exception for the group, on the channel, whose
        // ceiling includes the class and whose media include this one (or are every medium).
        if ceiling.is_none_or(|top| class > top) {
            let excepted = self.exceptions.iter().any(|e| {
                Some(e.group) == who
                    && e.channel == channel
                    && class <= e.ceiling
                    && (e.media.is_empty() || medium.is_some_and(|m| e.media.contains(&m)))
            });
            if !excepted {
                return Verdict::Deny;
            }
            verdict = Verdict::Warn;
        }
        // Rules 4 to 6.
        for requirement in self.requirements(class) {
            let this = match requirement {
                Requirement::E2ee if ch.e2ee != E2ee::Yes => Verdict::Deny,
                Requirement::E2ee => Verdict::Allow,
                Requirement::Mfa if tier.requires_mfa => Verdict::Allow,
                Requirement::Mfa if ch.mfa => Verdict::Warn,
                Requirement::Mfa => Verdict::Deny,
                Requirement::Managed if tier.requires_managed => Verdict::Allow,
                Requirement::Managed => Verdict::Warn,
            };
            verdict = verdict.min(this);
        }
        verdict
    }

    /// Whether the answer for `who` on the channel is given medium by medium: its tier, not
    /// banned, names media in an `allows`, or an exception of the group on it names media,
    /// and the channel declares its media.
    fn per_medium(&self, date: Date, channel: usize, who: Option<usize>) -> bool {
        let by_tier = self
            .tier_of(channel, date)
            .is_some_and(|t| !Self::banned(t) && !t.by_medium.is_empty());
        let by_exception = self
            .exceptions
            .iter()
            .any(|e| Some(e.group) == who && e.channel == channel && !e.media.is_empty());
        (by_tier || by_exception) && !self.channels[channel].media.is_empty()
    }
}

#[test]
fn decide_agrees_with_the_reference_model() {
    let policies = common::hostile::count("MSGPOL_MODEL_POLICIES", 3000);
    let mut rng = Rng::new(common::hostile::seed(0x0dec_1de0_0000_0014));
    let mut compiled = 0;
    let mut decisions = 0;
    let mut seen = BTreeMap::<&str, usize>::new();
    let mut refused = BTreeMap::<String, usize>::new();
    for round in 0..policies {
        let model = generate(&mut rng);
        let text = render(&model);
        let files = BTreeMap::from([("policy.msgpol".to_string(), text.clone().into_bytes())]);
        let today = common::today();
        // The evaluation date, and the days either side of each later change.
        let mut dates = vec![today];
        for day in model.boundaries() {
            for date in [day - Duration::days(1), day] {
                if date > today && !dates.contains(&date) {
                    dates.push(date);
                }
            }
        }
        let compiled_on =
            |date: Date| msgpol::compile_memory("policy.msgpol", &files, date).unwrap();
        let compilation = compiled_on(today);
        if compilation.ir.is_none() {
            for d in compilation.diagnostics.iter().filter(|d| d.is_error()) {
                *refused.entry(format!("{:?}", d.code)).or_default() += 1;
            }
            // Policies validation refuses (an exception on a banned channel, a medium refused
            // with no alternative…) have no decisions; most compile.
            continue;
        }
        compiled += 1;
        for date in dates {
            let compilation = compiled_on(date);
            let Some(ir) = compilation.ir.as_ref() else {
                // Only an exception on a channel that has left its tier (or been banned) by
                // then, which can no longer apply, may stop a later build.
                let codes: Vec<_> = compilation
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| d.code)
                    .collect();
                assert!(
                    codes.iter().all(|c| *c == msgpol::diagnostics::Code::E222),
                    "round {round} on {date}: {codes:?}\n{text}"
                );
                continue;
            };
            decisions += check_every_decision(
                &model,
                ir,
                date,
                &mut seen,
                &format!("round {round} on {date}\n{text}"),
            );
        }
    }
    eprintln!("{compiled} of {policies} policies compiled (refused: {refused:?}); {decisions} decisions; {seen:?}");
    assert!(
        compiled * 10 >= policies * 6,
        "most generated policies compile"
    );
    assert!(
        seen.values().all(|&n| n * 50 >= decisions),
        "every verdict is common"
    );
}

/// Every class × channel × medium × group decided by `ir` (built on `date`) as the model
/// decides it; `decisions` split by medium exactly where the model says the answer can differ.
/// The number of decisions checked.
fn check_every_decision(
    model: &Model,
    ir: &msgpol::ir::Ir,
    date: Date,
    seen: &mut BTreeMap<&'static str, usize>,
    what: &str,
) -> usize {
    let mut count = 0;
    let whos: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..GROUPS.len()).map(Some))
        .collect();
    for class in 0..CLASSES {
        for channel in 0..model.channels.len() {
            let name = format!("ch{channel}");
            for &who in &whos {
                let group = who.map(|g| GROUPS[g]);
                let media = std::iter::once(None).chain(Medium::ALL.into_iter().map(Some));
                for medium in media {
                    let got = ir
                        .decide(&format!("c{class}"), &name, medium, group)
                        .unwrap();
                    let want = model.expected(date, class, channel, medium, who);
                    assert_eq!(
                        got.verdict, want,
                        "{what}: c{class} on {name} as {medium:?} for {group:?}\n{got:#?}"
                    );
                    count += 1;
                    *seen
                        .entry(match want {
                            Verdict::Allow => "allow",
                            Verdict::Warn => "warn",
                            Verdict::Deny => "deny",
                        })
                        .or_default() += 1;
                }
                let answer = ir.decisions(&format!("c{class}"), &name, group).unwrap();
                let expected_media: Vec<Option<Medium>> = if model.per_medium(date, channel, who) {
                    let mut media = model.channels[channel].media.clone();
                    media.sort();
                    media.into_iter().map(Some).collect()
                } else {
                    vec![None]
                };
                let media: Vec<Option<Medium>> = answer.iter().map(|d| d.medium).collect();
                assert_eq!(media, expected_media, "{what}: {name} for {group:?}");
            }
        }
    }
    count
}
