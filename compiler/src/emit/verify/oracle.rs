//! What the policy decides for each probe, from the IR's channels and tiers alone (never from
//! the enforcement sets the writers read), so that a mistake there cannot hide on both sides.

use super::{Effect, Question};
use crate::ir::{ChannelInfo, Enforcement, Ir, Network, Scope, TierKind};
use rustc_hash::FxHashMap;
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
        let mut scopes: FxHashMap<&'ir str, u8> = FxHashMap::default();
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
    open_networks: Vec<Network>,
    blocked_networks: Vec<Network>,
    /// The answers to `name_probes`, in their order, worked out once for all the targets
    /// that ask the same question (a feed makes them millions).
    dns_answers: OnceLock<Vec<[Answer; 2]>>,
    browser_answers: OnceLock<Vec<[Answer; 2]>>,
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
        Oracle {
            open: Names::of(ir.channels_where(|t| t.kind != TierKind::Banned)),
            dns: Names::of(blocking(Enforcement::Dns)),
            browser: Names::of(blocking(Enforcement::Browser)),
            open_networks: networks(ir.channels_where(|t| t.kind != TierKind::Banned).collect()),
            blocked_networks: networks(blocking(Enforcement::Firewall).collect()),
            dns_answers: OnceLock::new(),
            browser_answers: OnceLock::new(),
        }
    }

    /// The names blocked for a name question, and where its answers are kept.
    fn for_names(&self, question: Question) -> (&Names<'ir>, &OnceLock<Vec<[Answer; 2]>>) {
        match question {
            Question::Dns => (&self.dns, &self.dns_answers),
            Question::Browser | Question::Firewall => (&self.browser, &self.browser_answers),
        }
    }

    /// Every name the policy mentions for `question`, with the policy's answer for the name
    /// itself and for a fresh label under it.
    pub fn name_probes(
        &self,
        question: Question,
    ) -> impl Iterator<Item = (&'ir str, [Answer; 2])> + '_ {
        let (blocked, answers) = self.for_names(question);
        let names = move || {
            self.open
                .scopes
                .keys()
                .chain(blocked.scopes.keys())
                .copied()
        };
        let answers = answers.get_or_init(|| names().map(|n| self.answers(blocked, n)).collect());
        names().zip(answers.iter().copied())
    }

    /// What the policy decides for `name` and a label under it, and how it reaches a name it
    /// blocks.
    fn answers(&self, blocked: &Names, name: &str) -> [Answer; 2] {
        let open = self.open.reach(name);
        let blocked = blocked.reach(name);
        std::array::from_fn(|i| {
            let (opened, exact_on_the_way) = open[i];
            match blocked[i].0 {
                _ if opened.is_some() => (Effect::Allowed, None),
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
