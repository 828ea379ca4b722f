//! What the policy decides for each probe, from the IR's channels and tiers alone (never from
//! the enforcement sets the writers read), so that a mistake there cannot hide on both sides.

use super::names::{Name, NameId, NameIndex};
use super::program::{Identifier, Identifiers, Program};
use super::ranges::Ranges;
use super::{Effect, Question};
use crate::ir::{ChannelInfo, Enforcement, Ir, Network, Scope, TierInfo, TierKind};
use rustc_hash::FxHashSet;
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

/// The names of some channels, each with the union of the scopes it is listed with, by number
/// in the oracle's index.
struct Names {
    scopes: Vec<u8>,
    /// The numbers of the names listed, each once, in name order (probes asked in that order
    /// find what readers keep of them side by side in memory).
    listed: Vec<NameId>,
}

impl Names {
    /// The names of `channels`, each given with the numbers of its names, of an index of
    /// `len` names.
    fn of<'c>(len: usize, channels: impl Iterator<Item = (&'c ChannelInfo, &'c [NameId])>) -> Self {
        let mut names = Names {
            scopes: vec![0; len],
            listed: Vec::new(),
        };
        for (channel, ids) in channels {
            for (entry, &id) in channel.endpoints.domains.iter().zip(ids) {
                names.scopes[id as usize] |= bits(entry.scope);
            }
        }
        names.listed = (0..len as NameId)
            .filter(|&id| names.scopes[id as usize] != 0)
            .collect();
        names
    }

    fn scope(&self, id: NameId) -> u8 {
        self.scopes[id as usize]
    }

    /// How these names reach the name numbered `id` and a fresh label under it, the most
    /// direct way; and whether an exactly listed name lies on the way up from each (the name
    /// itself for the label, or an ancestor). One walk up the name serves both.
    fn reach(&self, index: &NameIndex, id: NameId) -> [(Option<Reach>, bool); 2] {
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
        for ancestor in index.ancestors(id) {
            let scope = self.scope(ancestor);
            if scope & SUBDOMAINS != 0 {
                let reach = under(scope);
                above = Some(above.map_or(reach, |b| b.min(reach)));
            }
            exact_above |= scope == APEX;
        }
        let here = self.scope(id);
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

/// The policy's answer for every probe.
pub struct Oracle<'ir> {
    /// Every name of a channel in a tier, and their ancestors, numbered.
    index: NameIndex<'ir>,
    /// Names of channels in approved and limited tiers: never to be blocked.
    open: Names,
    dns: Names,
    browser: Names,
    /// Names of channels in tiers that `monitor`.
    monitored: Names,
    open_networks: Vec<Network>,
    blocked_networks: Vec<Network>,
    /// The same, merged for looking addresses up.
    open_ranges: Ranges,
    blocked_ranges: Ranges,
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
                .collect::<Vec<Network>>()
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
        let tiered: Vec<&ChannelInfo> = ir.tiered_channels().collect();
        let named = || tiered.iter().flat_map(|c| &c.endpoints.domains);
        let (index, numbers) = NameIndex::new(named().map(|e| &*e.name), named().count());
        // Each tiered channel with the numbers of its names.
        let mut rest = numbers.as_slice();
        let numbered: Vec<(&ChannelInfo, &[NameId])> = tiered
            .iter()
            .map(|&c| {
                let (own, after) = rest.split_at(c.endpoints.domains.len());
                rest = after;
                (c, own)
            })
            .collect();
        let names = |pred: &dyn Fn(&TierInfo) -> bool| {
            let channels = numbered
                .iter()
                .filter(|(c, _)| ir.tier_of(c).is_some_and(pred));
            Names::of(index.count(), channels.copied())
        };
        let open_networks = networks(open().collect());
        let blocked_networks = networks(blocking(Enforcement::Firewall).collect());
        Oracle {
            open: names(&|t| t.kind != TierKind::Banned),
            dns: names(&|t| t.block.contains(&Enforcement::Dns)),
            browser: names(&|t| t.block.contains(&Enforcement::Browser)),
            monitored: names(&|t| t.monitor),
            index,
            open_ranges: ranges(&open_networks),
            blocked_ranges: ranges(&blocked_networks),
            open_networks,
            blocked_networks,
            dns_answers: OnceLock::new(),
            browser_answers: OnceLock::new(),
            alert_answers: OnceLock::new(),
            programs,
        }
    }

    /// The names the probes ask about, numbered: what readers are given to keep what their
    /// files say of each name by number.
    pub fn names(&self) -> &NameIndex<'ir> {
        &self.index
    }

    /// Every name the policy mentions for a name question (DNS, browser, alert), with the
    /// policy's answer for the name itself and for a fresh label under it.
    pub fn name_probes(&self, question: Question) -> impl Iterator<Item = (Name<'_>, [Answer; 2])> {
        let (blocked, watched, answers) = match question {
            Question::Dns => (&self.dns, None, &self.dns_answers),
            Question::Alert => (&self.dns, Some(&self.monitored), &self.alert_answers),
            // The browser question; the others ask no names.
            _ => (&self.browser, None, &self.browser_answers),
        };
        let ids = move || {
            self.open
                .listed
                .iter()
                .chain(&blocked.listed)
                .chain(watched.into_iter().flat_map(|w| &w.listed))
                .copied()
        };
        let answers = answers.get_or_init(|| {
            ids()
                .map(|id| match watched {
                    Some(watched) => self.alerts(watched, id),
                    None => self.answers(blocked, id),
                })
                .collect()
        });
        ids()
            .map(|id| self.index.name(id))
            .zip(answers.iter().copied())
    }

    /// What the policy wants seen of the name numbered `id` and a label under it: the names
    /// of monitored channels are reported, and so are those the DNS question blocks.
    fn alerts(&self, watched: &Names, id: NameId) -> [Answer; 2] {
        let monitored = watched.reach(&self.index, id);
        let dns = self.answers(&self.dns, id);
        let (open, blocked) = (
            self.open.reach(&self.index, id),
            self.dns.reach(&self.index, id),
        );
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

    /// What the policy decides for the name numbered `id` and a label under it, and how it
    /// reaches a name it blocks.
    fn answers(&self, blocked: &Names, id: NameId) -> [Answer; 2] {
        let open = self.open.reach(&self.index, id);
        let blocked = blocked.reach(&self.index, id);
        let subdomains_carved_out = self.open.scope(id) == SUBDOMAINS;
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
        if !self.open_ranges.contains(address) && self.blocked_ranges.contains(address) {
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

fn ranges(networks: &[Network]) -> Ranges {
    Ranges::new(networks.iter().map(|n| (n.v6, n.base, n.last())))
}
