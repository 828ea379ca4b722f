//! What the policy decides for each probe, from the IR's channels and tiers alone (never from
//! the enforcement sets the writers read), so that a mistake there cannot hide on both sides.

use super::program::{Identifier, Identifiers, Program};
use super::{Effect, Question};
use crate::ir::{ChannelInfo, Enforcement, Ir, Network, Scope, TierKind};
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

/// How the policy reaches a name it blocks. Formats differ in which of these they can write
/// (a hosts file only `Listed`), so a target declares the ones it leaves open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// The name itself is listed (exactly, or as the apex of a domain with its subdomains).
    Listed,
    /// The name lies under a listed domain with its subdomains (`domains "x"`).
    UnderDomain,
    /// The name lies only under subdomains-only entries (`domains "*.x"`).
    UnderSubdomainsOnly,
    /// The name lies under a name an allowed channel lists exactly: that one name is carved
    /// out, its subdomains are not (some formats can carve out only whole subtrees).
    UnderCarvedOutName,
    /// The name is blocked (listed itself, or under a blocked domain), and an allowed channel
    /// lists its subdomains alone: they are carved out, the name itself is not (some formats'
    /// exceptions cover the name with its subdomains).
    AboveCarvedOutSubdomains,
    /// For the alert question: the name is allowed because a tier carves it out of a name it
    /// blocks by DNS (detection rules on the blocked name that cannot except it alert on it).
    CarvedOut,
    /// A program the policy names by these kinds of identifier: a format whose rules need
    /// another kind cannot act on it (the target's W309 warning names its channel).
    Program(Identifiers),
    /// Never the policy's answer, but declared by a format for programs: a path in a user's
    /// profile (`%LOCALAPPDATA%\…`) is one its rules cannot match (the Windows Firewall expands
    /// a rule's variables as itself, not as the user), so a program the policy names only by
    /// such paths is reached by its other identifiers (the target's W309 warning names it).
    InUserProfile,
}

/// Which part of a listed name an entry covers.
const APEX: u8 = 1;
const SUBDOMAINS: u8 = 2;

fn bits(scope: Scope) -> u8 {
    match scope {
        Scope::Exact => APEX,
        Scope::Subdomains => SUBDOMAINS,
        Scope::Tree => APEX | SUBDOMAINS,
    }
}

/// The names of some channels, each with the union of the scopes it is listed with.
#[derive(Default)]
struct Names<'ir> {
    scopes: FxHashMap<&'ir str, u8>,
}

impl<'ir> Names<'ir> {
    fn of(channels: impl Iterator<Item = &'ir ChannelInfo>) -> Self {
        let channels: Vec<&ChannelInfo> = channels.collect();
        // Sized once: a feed's million names are not rehashed again and again.
        let names = channels.iter().map(|c| c.endpoints.domains.len()).sum();
        let mut scopes: FxHashMap<&'ir str, u8> =
            FxHashMap::with_capacity_and_hasher(names, Default::default());
        for channel in channels {
            for entry in &channel.endpoints.domains {
                *scopes.entry(&entry.name).or_default() |= bits(entry.scope);
            }
        }
        Names { scopes }
    }

    /// How these names reach `name` and a fresh label under it, the most direct way; and
    /// whether an exactly listed name lies on the way up from each (the name itself for the
    /// label, or an ancestor). One walk up the name serves both.
    fn reach(&self, name: &str) -> [(Option<Reach>, bool); 2] {
        let under = |scope: u8| {
            if scope & APEX != 0 {
                Reach::UnderDomain
            } else {
                Reach::UnderSubdomainsOnly
            }
        };
        // What the ancestors say, for the name and its label alike.
        let mut above: Option<Reach> = None;
        let mut exact_above = false;
        for ancestor in ancestors(name) {
            if let Some(&scope) = self.scopes.get(ancestor) {
                if scope & SUBDOMAINS != 0 {
                    let reach = under(scope);
                    above = Some(above.map_or(reach, |b| b.min(reach)));
                }
                exact_above |= scope == APEX;
            }
        }
        let here = self.scopes.get(name).copied().unwrap_or(0);
        let itself = if here & APEX != 0 {
            Some(Reach::Listed)
        } else {
            above
        };
        let label = match (here & SUBDOMAINS != 0, above) {
            (true, Some(a)) => Some(under(here).min(a)),
            (true, None) => Some(under(here)),
            (false, a) => a,
        };
        [(itself, exact_above), (label, exact_above || here == APEX)]
    }
}

/// The proper ancestors of a name, nearest first: `a.b.c` → `b.c`, `c`.
fn ancestors(name: &str) -> impl Iterator<Item = &str> {
    let mut rest = name;
    std::iter::from_fn(move || {
        let (_, parent) = rest.split_once('.')?;
        rest = parent;
        Some(parent)
    })
}

/// The policy's answer for every probe.
pub struct Oracle<'ir> {
    /// Names of channels in approved and limited tiers: never to be blocked.
    open: Names<'ir>,
    dns: Names<'ir>,
    browser: Names<'ir>,
    /// Names of channels in tiers that `monitor`.
    monitored: Names<'ir>,
    open_networks: Vec<Network>,
    blocked_networks: Vec<Network>,
    /// The answers to `name_probes`, in their order, worked out once for all the targets
    /// that ask the same question (a feed makes them millions).
    dns_answers: OnceLock<Vec<[Answer; 2]>>,
    browser_answers: OnceLock<Vec<[Answer; 2]>>,
    alert_answers: OnceLock<Vec<[Answer; 2]>>,
    /// Every program identifier of a channel in a tier, with the answers to the endpoint and
    /// the alert question.
    programs: Vec<(Program<'ir>, Answer, Answer)>,
}

/// The policy's answer to one name probe: what it decides, and how it reaches a name it
/// blocks.
pub type Answer = (Effect, Option<Reach>);

impl<'ir> Oracle<'ir> {
    pub fn new(ir: &'ir Ir) -> Self {
        let blocking = |how: Enforcement| ir.channels_where(move |t| t.block.contains(&how));
        let networks = |channels: Vec<&'ir ChannelInfo>| {
            channels
                .into_iter()
                .flat_map(|c| c.endpoints.networks.iter().copied())
                .collect()
        };
        let open = || ir.channels_where(|t| t.kind != TierKind::Banned);
        let identifiers = |channels: Vec<&'ir ChannelInfo>| {
            channels
                .into_iter()
                .flat_map(Program::of)
                .map(|p| key(p.kind, p.identifier))
                .collect::<FxHashSet<_>>()
        };
        let open_programs = identifiers(open().collect());
        let blocked_programs = identifiers(blocking(Enforcement::Endpoint).collect());
        let monitored_programs = identifiers(ir.channels_where(|t| t.monitor).collect());
        let programs = ir
            .tiered_channels()
            .flat_map(Program::of)
            .map(|program| {
                let id = key(program.kind, program.identifier);
                let reach = Some(Reach::Program(program.given()));
                let blocked = if !open_programs.contains(&id) && blocked_programs.contains(&id) {
                    (Effect::Blocked, reach)
                } else {
                    (Effect::Allowed, None)
                };
                let reported = if monitored_programs.contains(&id) {
                    (Effect::Reported, reach)
                } else {
                    (Effect::Allowed, None)
                };
                (program, blocked, reported)
            })
            .collect();
        Oracle {
            open: Names::of(open()),
            dns: Names::of(blocking(Enforcement::Dns)),
            browser: Names::of(blocking(Enforcement::Browser)),
            monitored: Names::of(ir.channels_where(|t| t.monitor)),
            open_networks: networks(open().collect()),
            blocked_networks: networks(blocking(Enforcement::Firewall).collect()),
            dns_answers: OnceLock::new(),
            browser_answers: OnceLock::new(),
            alert_answers: OnceLock::new(),
            programs,
        }
    }

    /// Every name the policy mentions for a name question (DNS, browser, alert), with the
    /// policy's answer for the name itself and for a fresh label under it.
    pub fn name_probes(
        &self,
        question: Question,
    ) -> impl Iterator<Item = (&'ir str, [Answer; 2])> + '_ {
        let (blocked, watched, answers) = match question {
            Question::Dns => (&self.dns, None, &self.dns_answers),
            Question::Alert => (&self.dns, Some(&self.monitored), &self.alert_answers),
            // The browser question; the others ask no names.
            _ => (&self.browser, None, &self.browser_answers),
        };
        let names = move || {
            self.open
                .scopes
                .keys()
                .chain(blocked.scopes.keys())
                .chain(watched.into_iter().flat_map(|w| w.scopes.keys()))
                .copied()
        };
        let answers = answers.get_or_init(|| {
            names()
                .map(|n| match watched {
                    Some(watched) => self.alerts(watched, n),
                    None => self.answers(blocked, n),
                })
                .collect()
        });
        names().zip(answers.iter().copied())
    }

    /// What the policy wants seen of `name` and a label under it: the names of monitored
    /// channels are reported, and so are those the DNS question blocks.
    fn alerts(&self, watched: &Names, name: &str) -> [Answer; 2] {
        let monitored = watched.reach(name);
        let dns = self.answers(&self.dns, name);
        let (open, blocked) = (self.open.reach(name), self.dns.reach(name));
        std::array::from_fn(|i| match (monitored[i].0, dns[i]) {
            (Some(reach), _) => (Effect::Reported, Some(reach)),
            (None, (Effect::Blocked, reach)) => (Effect::Reported, reach),
            (None, _) if open[i].0.is_some() && blocked[i].0.is_some() => {
                (Effect::Allowed, Some(Reach::CarvedOut))
            }
            (None, answer) => answer,
        })
    }

    /// Every program identifier of a channel in a tier, with the policy's answer for
    /// `question`: blocked on endpoints (tiers that `block endpoint`, unless an approved or
    /// limited channel names the same program), or reported (tiers that `monitor`).
    pub fn program_probes(
        &self,
        question: Question,
    ) -> impl Iterator<Item = (&Program<'ir>, Answer)> + '_ {
        self.programs
            .iter()
            .map(move |(program, blocked, reported)| match question {
                Question::Alert => (program, *reported),
                // The endpoint question; the others ask no programs.
                _ => (program, *blocked),
            })
    }

    /// What the policy decides for `name` and a label under it, and how it reaches a name it
    /// blocks.
    fn answers(&self, blocked: &Names, name: &str) -> [Answer; 2] {
        let open = self.open.reach(name);
        let blocked = blocked.reach(name);
        let subdomains_carved_out = self.open.scopes.get(name) == Some(&SUBDOMAINS);
        std::array::from_fn(|i| {
            let (opened, exact_on_the_way) = open[i];
            match blocked[i].0 {
                _ if opened.is_some() => (Effect::Allowed, None),
                // Before a carve-out of a name above: a format whose exception for the
                // subdomains lets the name through does so whatever else opens it, and the
                // formats that carve out only whole subtrees still block the name itself.
                Some(_) if i == 0 && subdomains_carved_out => {
                    (Effect::Blocked, Some(Reach::AboveCarvedOutSubdomains))
                }
                Some(_) if exact_on_the_way => (Effect::Blocked, Some(Reach::UnderCarvedOutName)),
                Some(reach) => (Effect::Blocked, Some(reach)),
                None => (Effect::Allowed, None),
            }
        })
    }

    /// The first and last address of every network the policy mentions, and the addresses
    /// just outside it.
    pub fn address_probes(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.open_networks
            .iter()
            .chain(&self.blocked_networks)
            .flat_map(|n| {
                let top = if n.v6 {
                    u128::MAX
                } else {
                    u128::from(u32::MAX)
                };
                let before = n.base.checked_sub(1);
                let after = (n.last() < top).then(|| n.last() + 1);
                [Some(n.base), Some(n.last()), before, after]
                    .into_iter()
                    .flatten()
                    .map(move |a| address(a, n.v6))
            })
    }

    /// What the policy decides for an address.
    pub fn address(&self, address: IpAddr) -> Effect {
        let inside = |networks: &[Network]| networks.iter().any(|n| contains(n, address));
        if !inside(&self.open_networks) && inside(&self.blocked_networks) {
            Effect::Blocked
        } else {
            Effect::Allowed
        }
    }
}

/// A program identifier as it is compared: Windows' in any case.
fn key(kind: Identifier, identifier: &str) -> (Identifier, Cow<'_, str>) {
    if kind.ignores_case() {
        (kind, Cow::Owned(identifier.to_lowercase()))
    } else {
        (kind, Cow::Borrowed(identifier))
    }
}

fn address(value: u128, v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(value))
    } else {
        IpAddr::V4(Ipv4Addr::from(value as u32))
    }
}

fn contains(network: &Network, address: IpAddr) -> bool {
    let (value, v6) = match address {
        IpAddr::V4(a) => (u128::from(u32::from(a)), false),
        IpAddr::V6(a) => (u128::from(a), true),
    };
    network.v6 == v6 && network.base <= value && value <= network.last()
}
