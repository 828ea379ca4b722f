//! A seeded generator of policies for tests/differential.rs. From one seed it writes a policy
//! whose names overlap in every way the formats treat differently: exact names (`hosts "x"`),
//! names with their subdomains (`domains "x"`) and subdomains only (`domains "*.x"`), several
//! labels deep under a few shared parents, across approved, limited and banned channels;
//! networks for firewall blocks (IPv4 and IPv6, nested, adjacent, single hosts, at the ends of
//! the address space); now and then a tier feed; banned tiers blocking by any mix of DNS,
//! browser and firewall.
//!
//! A generated policy is then checked with `msgpol check`, and what it reports is fixed as a
//! policy author would: a blocked name that covers an allowed channel's name gets a
//! `carve-out` of that channel (or is dropped where the tier cannot carve out), a blocked name
//! inside an allowed domain or a blocked network overlapping an allowed one is dropped, a
//! network written with host bits set is corrected. Every diagnostic and every fix is counted,
//! and a policy whose errors have no such fix is abandoned, with its reason counted.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

pub use crate::common::rng::Rng;

/// Which names an entry covers, as the language writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `hosts "x"`: x alone.
    Exact,
    /// `domains "x"`: x and its subdomains.
    Tree,
    /// `domains "*.x"`: the subdomains of x.
    Subdomains,
}

/// A name as the author writes it (any case, maybe with a final dot, maybe not in ASCII).
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub written: String,
    pub scope: Scope,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    pub name: String,
    pub names: Vec<Name>,
    pub networks: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Dns,
    Browser,
    Firewall,
}

impl Control {
    fn keyword(self) -> &'static str {
        match self {
            Control::Dns => "dns",
            Control::Browser => "browser",
            Control::Firewall => "firewall",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Approved,
    Limited { monitor: bool },
    Banned { block: Vec<Control> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedFormat {
    /// `0.0.0.0 x`: exact names.
    Hosts,
    /// `x` or `*.x`.
    Domains,
    /// `||x^` (with subdomains) or `|x^` (exact).
    Adblock,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Feed {
    pub format: FeedFormat,
    pub names: Vec<Name>,
}

impl Feed {
    fn path(&self, tier: &str) -> String {
        let extension = match self.format {
            FeedFormat::Hosts => "hosts",
            FeedFormat::Domains => "list",
            FeedFormat::Adblock => "txt",
        };
        format!("feeds/{tier}.{extension}")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tier {
    pub name: String,
    pub kind: Kind,
    /// Indices into `Policy::channels`.
    pub channels: Vec<usize>,
    /// Names of the channels carved out (a tier feed's channel is `TIER-feed`).
    pub carve_out: Vec<String>,
    pub feed: Option<Feed>,
}

impl Tier {
    fn blocks(&self, control: Control) -> bool {
        matches!(&self.kind, Kind::Banned { block } if block.contains(&control))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub seed: u64,
    pub channels: Vec<Channel>,
    pub tiers: Vec<Tier>,
}

// ---------------------------------------------------------------------------------------------
// Generating
// ---------------------------------------------------------------------------------------------

/// Words for the shared parents. `bücher` is written in Unicode and compiled to punycode.
const WORDS: &[&str] = &[
    "orbit", "harbour", "kestrel", "lumen", "quill", "tundra", "bücher", "meridian",
];
/// Parents of the shared parents: none is a public suffix, none is on a browser's HSTS preload
/// list, and no resolver answers them itself (Unbound refuses `test.` and `invalid.`).
const SUFFIXES: &[&str] = &["example", "example.net", "example.org"];
/// Labels put in front of a parent: few, so that names collide across channels.
const LABELS: &[&str] = &["a", "b", "api", "cdn", "eu", "files", "m", "web"];

/// The policy of one seed, before `msgpol check` has seen it.
pub fn generate(seed: u64) -> Policy {
    let mut rng = Rng::new(seed);
    let parents: Vec<String> = (0..rng.between(2, 3))
        .map(|_| format!("{}.{}", rng.pick(WORDS), rng.pick(SUFFIXES)))
        .collect();
    let mut networks: Vec<String> = Vec::new();
    let open = rng.between(1, 4);
    let banned = rng.between(1, 4);
    let mut channels = Vec::new();
    for i in 0..open + banned {
        let is_open = i < open;
        let names = (0..rng.between(usize::from(is_open), 4))
            .map(|_| name(&mut rng, &parents, any_scope))
            .collect();
        let count = match (is_open, rng.between(0, 99)) {
            (true, 0..=24) => rng.between(1, 2),
            (false, 0..=59) => rng.between(1, 3),
            _ => 0,
        };
        let mut own = Vec::new();
        for _ in 0..count {
            let network = network(&mut rng, &networks);
            networks.push(network.clone());
            own.push(network);
        }
        channels.push(Channel {
            name: format!("c{i}"),
            names,
            networks: own,
        });
    }
    let mut tiers = vec![Tier {
        name: "approved".into(),
        kind: Kind::Approved,
        channels: vec![0],
        carve_out: Vec::new(),
        feed: None,
    }];
    if open > 1 && rng.percent(50) {
        let monitor = rng.percent(50);
        let feed = (monitor && rng.percent(25)).then(|| feed(&mut rng, &parents));
        tiers.push(Tier {
            name: "limited".into(),
            kind: Kind::Limited { monitor },
            channels: Vec::new(),
            carve_out: Vec::new(),
            feed,
        });
    }
    for i in 1..open {
        let tier = rng.between(0, tiers.len() - 1);
        tiers[tier].channels.push(i);
    }
    let banned_tiers = rng.between(1, banned.min(3));
    let first_banned = tiers.len();
    for t in 0..banned_tiers {
        const BLOCKS: &[&[Control]] = &[
            &[Control::Dns],
            &[Control::Dns],
            &[Control::Dns, Control::Browser],
            &[Control::Dns, Control::Firewall],
            &[Control::Dns, Control::Browser, Control::Firewall],
            &[Control::Browser],
            &[Control::Firewall],
            &[Control::Browser, Control::Firewall],
        ];
        let block = rng.pick(BLOCKS).to_vec();
        let feed = rng.percent(15).then(|| feed(&mut rng, &parents));
        let mut carve_out = Vec::new();
        // Now and then a carve-out nobody asked for: it may carve nothing (W224).
        if block.contains(&Control::Dns) && rng.percent(10) {
            carve_out.push(format!("c{}", rng.between(0, open - 1)));
        }
        tiers.push(Tier {
            name: format!("banned-{}", t + 1),
            kind: Kind::Banned { block },
            channels: Vec::new(),
            carve_out,
            feed,
        });
    }
    for (k, i) in (open..open + banned).enumerate() {
        // Every banned tier gets a channel; the rest go anywhere.
        let tier = if k < banned_tiers {
            first_banned + k
        } else {
            rng.between(first_banned, tiers.len() - 1)
        };
        tiers[tier].channels.push(i);
    }
    tiers.retain(|t| !t.channels.is_empty());
    Policy {
        seed,
        channels,
        tiers,
    }
}

fn any_scope(rng: &mut Rng) -> Scope {
    match rng.between(0, 99) {
        0..=34 => Scope::Exact,
        35..=74 => Scope::Tree,
        _ => Scope::Subdomains,
    }
}

/// A name under one of the parents, up to four labels deep, written as an author might.
fn name(rng: &mut Rng, parents: &[String], scope: impl Fn(&mut Rng) -> Scope) -> Name {
    let depth = match rng.between(0, 99) {
        0..=29 => 0,
        30..=64 => 1,
        65..=89 => 2,
        _ => 3,
    };
    let mut written = rng.pick(parents).clone();
    for _ in 0..depth {
        written = format!("{}.{written}", rng.pick(LABELS));
    }
    if rng.percent(8) {
        written = written.to_uppercase();
    }
    if rng.percent(5) {
        written.push('.');
    }
    Name {
        written,
        scope: scope(rng),
    }
}

fn feed(rng: &mut Rng, parents: &[String]) -> Feed {
    let format = *rng.pick(&[FeedFormat::Hosts, FeedFormat::Domains, FeedFormat::Adblock]);
    let scope = move |rng: &mut Rng| match format {
        FeedFormat::Hosts => Scope::Exact,
        FeedFormat::Domains if rng.percent(70) => Scope::Tree,
        FeedFormat::Domains => Scope::Subdomains,
        FeedFormat::Adblock if rng.percent(70) => Scope::Tree,
        FeedFormat::Adblock => Scope::Exact,
    };
    let names = (0..rng.between(1, 5))
        .map(|_| {
            let mut n = name(rng, parents, scope);
            // Feeds are machine-written: lowercase, no final dot.
            n.written = n.written.trim_end_matches('.').to_lowercase();
            n
        })
        .collect();
    Feed { format, names }
}

/// A network (an address range, as a number, its prefix length and its family).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Range {
    base: u128,
    prefix: u32,
    v6: bool,
}

impl Range {
    fn bits(self) -> u32 {
        if self.v6 {
            128
        } else {
            32
        }
    }
    fn host_mask(self) -> u128 {
        let host = self.bits() - self.prefix;
        if host == 128 {
            u128::MAX
        } else {
            (1u128 << host) - 1
        }
    }
    fn masked(self) -> Range {
        Range {
            base: self.base & !self.host_mask(),
            ..self
        }
    }
    fn top(self) -> u128 {
        if self.v6 {
            u128::MAX
        } else {
            u128::from(u32::MAX)
        }
    }
    fn address(self, value: u128) -> IpAddr {
        if self.v6 {
            IpAddr::V6(Ipv6Addr::from(value))
        } else {
            IpAddr::V4(Ipv4Addr::from(value as u32))
        }
    }
    /// As a policy writes it: a single host sometimes without its prefix length.
    fn written(self, bare: bool) -> String {
        let address = self.address(self.base);
        if bare && self.prefix == self.bits() {
            address.to_string()
        } else {
            format!("{address}/{}", self.prefix)
        }
    }
    fn parse(text: &str) -> Range {
        let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
        let (base, v6) = match address.parse::<IpAddr>().expect("a generated address") {
            IpAddr::V4(a) => (u128::from(u32::from(a)), false),
            IpAddr::V6(a) => (u128::from(a), true),
        };
        let bits = if v6 { 128 } else { 32 };
        let prefix = if prefix.is_empty() {
            bits
        } else {
            prefix.parse().expect("a generated prefix")
        };
        Range { base, prefix, v6 }
    }
}

/// A network: half the time one made from a network already in the policy (its other half,
/// the next network of its size, one inside it or one around it), else a fresh one; now and
/// then one at an end of the address space, and now and then written with host bits set (an
/// author's mistake, E202, which the fixer corrects).
fn network(rng: &mut Rng, existing: &[String]) -> String {
    let mut range = if !existing.is_empty() && rng.percent(50) {
        let from = Range::parse(rng.pick(existing).as_str());
        let size = from.host_mask() + 1;
        match rng.between(0, 3) {
            0 if from.prefix > 8 => Range {
                base: from.base ^ size,
                ..from
            },
            1 if from.base.checked_add(size).is_some_and(|b| b <= from.top()) => Range {
                base: from.base + size,
                ..from
            },
            2 if from.prefix < from.bits() => {
                let prefix = rng.between(from.prefix as usize + 1, from.bits() as usize) as u32;
                Range {
                    base: from.base | (u128::from(rng.next()) & from.host_mask()),
                    prefix,
                    ..from
                }
            }
            _ => Range {
                prefix: from.prefix.saturating_sub(rng.between(1, 4) as u32).max(8),
                ..from
            },
        }
    } else {
        let v6 = rng.percent(30);
        match rng.between(0, 99) {
            0..=1 if v6 => Range::parse("::/16"),
            0..=1 => Range::parse("0.0.0.0/8"),
            2..=3 => Range {
                base: if v6 { u128::MAX } else { u128::from(u32::MAX) },
                prefix: if v6 { 128 } else { 32 },
                v6,
            },
            _ if v6 => Range {
                // Under 2001:db8::/32.
                base: (0x2001_0db8u128 << 96) | (u128::from(rng.next()) << 32),
                prefix: rng.between(32, 128) as u32,
                v6,
            },
            _ => Range {
                base: u128::from(rng.next() as u32),
                prefix: rng.between(12, 32) as u32,
                v6,
            },
        }
    }
    .masked();
    let bare = rng.percent(50);
    if range.prefix < range.bits() && rng.percent(4) {
        range.base |= 1;
    }
    range.written(bare)
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// What a line of a generated file holds, for the diagnostics that point at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    /// `channels[0].names[1]`.
    Name(usize, usize),
    Network(usize, usize),
    /// `tiers[0].feed.names[1]`.
    FeedName(usize, usize),
    /// `tiers[0].carve_out[1]`.
    CarveOut(usize, usize),
}

pub const POLICY_FILE: &str = "policy.msgpol";

/// A file being written, line by line, and what each line holds.
struct Lines<'a> {
    path: String,
    text: String,
    items: &'a mut HashMap<(String, usize), Item>,
}

impl Lines<'_> {
    fn put(&mut self, line: impl Into<String>) {
        self.text.push_str(&line.into());
        self.text.push('\n');
    }
    fn put_item(&mut self, item: Item, line: String) {
        let number = self.text.matches('\n').count() + 1;
        self.items.insert((self.path.clone(), number), item);
        self.put(line);
    }
    /// `  keyword a,` then one entry per line; nothing for an empty list.
    fn list(&mut self, keyword: &str, entries: Vec<(Item, String)>) {
        let count = entries.len();
        for (k, (item, entry)) in entries.into_iter().enumerate() {
            let lead = if k == 0 {
                format!("  {keyword} ")
            } else {
                "    ".to_string()
            };
            let comma = if k + 1 < count { "," } else { "" };
            self.put_item(item, format!("{lead}{entry}{comma}"));
        }
    }
}

/// What each line of a written policy holds, by file and line number.
pub type LineItems = HashMap<(String, usize), Item>;

impl Policy {
    /// The policy's files (paths relative to the policy root), and what each line holds. Every
    /// name, network and carve-out is on a line of its own (lists go on after a comma), so
    /// that a diagnostic's line says which one it means.
    pub fn write(&self) -> (Vec<(String, String)>, LineItems) {
        let mut items = HashMap::new();
        let mut feeds = Vec::new();
        let mut policy = Lines {
            path: POLICY_FILE.into(),
            text: String::new(),
            items: &mut items,
        };
        let seed = self.seed;
        policy.put(format!("# Generated by tests/generator from seed {seed}."));
        policy.put(format!("policy \"Generated policy {seed}\" {{"));
        policy.put("  organisation \"Generated Ltd\"");
        policy.put("  size large");
        policy.put("  version \"1\"");
        policy.put("  effective 2026-01-01");
        policy.put("  owner \"security@generated.example\"");
        policy.put("  support \"IT desk\"");
        policy.put("  briefing every 6 months");
        policy.put("}");
        policy.put("");
        policy.put("import std.classes");
        for (c, channel) in self.channels.iter().enumerate() {
            let open = self
                .tier_of(c)
                .is_some_and(|t| !matches!(t.kind, Kind::Banned { .. }));
            policy.put("");
            policy.put(format!("channel {} \"Channel {c}\" {{", channel.name));
            policy.put("  media text, file");
            if open {
                policy.put("  mfa");
            }
            for (keyword, scopes) in [
                ("hosts", &[Scope::Exact][..]),
                ("domains", &[Scope::Tree, Scope::Subdomains][..]),
            ] {
                let entries = channel
                    .names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| scopes.contains(&n.scope))
                    .map(|(i, n)| (Item::Name(c, i), quoted(n)))
                    .collect();
                policy.list(keyword, entries);
            }
            let networks = channel
                .networks
                .iter()
                .enumerate()
                .map(|(i, n)| (Item::Network(c, i), format!("\"{n}\"")))
                .collect();
            policy.list("networks", networks);
            policy.put("}");
        }
        let instead = self
            .tiers
            .iter()
            .find(|t| t.kind == Kind::Approved)
            .map(|t| self.channels[t.channels[0]].name.clone())
            .expect("an approved tier");
        for (t, tier) in self.tiers.iter().enumerate() {
            policy.put("");
            policy.put(format!("tier {} \"Tier {}\" {{", tier.name, tier.name));
            let names: Vec<&str> = tier
                .channels
                .iter()
                .map(|&c| self.channels[c].name.as_str())
                .collect();
            policy.put(format!("  channels {}", names.join(", ")));
            match &tier.kind {
                Kind::Approved => {
                    policy.put("  allows up to internal");
                    policy.put("  requires mfa");
                }
                Kind::Limited { monitor } => {
                    policy.put("  allows up to public");
                    if *monitor {
                        policy.put("  monitor");
                    }
                }
                Kind::Banned { block } => {
                    policy.put("  allows nothing");
                    let block: Vec<&str> = block.iter().map(|b| b.keyword()).collect();
                    policy.put(format!("  block {}", block.join(", ")));
                    policy.put(format!("  instead {instead}"));
                }
            }
            let carve_out = tier
                .carve_out
                .iter()
                .enumerate()
                .map(|(i, c)| (Item::CarveOut(t, i), c.clone()))
                .collect();
            policy.list("carve-out", carve_out);
            if let Some(feed) = &tier.feed {
                let path = feed.path(&tier.name);
                let keyword = match feed.format {
                    FeedFormat::Hosts => "hosts",
                    FeedFormat::Domains => "domains",
                    FeedFormat::Adblock => "adblock",
                };
                policy.put(format!("  feed {keyword} \"{path}\""));
                feeds.push((t, path, feed));
            }
            policy.put("}");
        }
        // A large policy's approved channels need a vendor review (E227).
        for tier in self.tiers.iter().filter(|t| t.kind == Kind::Approved) {
            for &c in &tier.channels {
                policy.put("");
                policy.put(format!("review {} {{", self.channels[c].name));
                policy.put("  reviewed 2026-10-01 by \"security team\"");
                policy.put("  finding \"Vetted\"");
                policy.put("  next 2027-10-01");
                policy.put("}");
            }
        }
        let mut files = vec![(policy.path, policy.text)];
        for (t, path, feed) in feeds {
            let mut lines = Lines {
                path,
                text: String::new(),
                items: &mut items,
            };
            lines.put("# generated");
            for (i, n) in feed.names.iter().enumerate() {
                let line = match (feed.format, n.scope) {
                    (FeedFormat::Hosts, _) => format!("0.0.0.0 {}", n.written),
                    (FeedFormat::Domains, Scope::Subdomains) => format!("*.{}", n.written),
                    (FeedFormat::Domains, _) => n.written.clone(),
                    (FeedFormat::Adblock, Scope::Exact) => format!("|{}^", n.written),
                    (FeedFormat::Adblock, _) => format!("||{}^", n.written),
                };
                lines.put_item(Item::FeedName(t, i), line);
            }
            files.push((lines.path, lines.text));
        }
        (files, items)
    }

    /// Write the policy's files into `dir`, replacing whatever it held; the policy file's path.
    pub fn write_to(&self, dir: &Path) -> std::path::PathBuf {
        let _ = std::fs::remove_dir_all(dir);
        for (path, text) in self.write().0 {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir.join(POLICY_FILE)
    }

    fn tier_of(&self, channel: usize) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.channels.contains(&channel))
    }

    /// The channel a diagnostic's item belongs to, by name.
    fn channel_of(&self, item: Item) -> Option<String> {
        match item {
            Item::Name(c, _) | Item::Network(c, _) => Some(self.channels[c].name.clone()),
            Item::FeedName(t, _) => Some(format!("{}-feed", self.tiers[t].name)),
            Item::CarveOut(..) => None,
        }
    }

    /// The tier that blocks what `item` lists, by its index.
    fn tier_listing(&self, item: Item) -> Option<usize> {
        match item {
            Item::Name(c, _) | Item::Network(c, _) => {
                self.tiers.iter().position(|t| t.channels.contains(&c))
            }
            Item::FeedName(t, _) => Some(t),
            Item::CarveOut(..) => None,
        }
    }
}

fn quoted(name: &Name) -> String {
    match name.scope {
        Scope::Subdomains => format!("\"*.{}\"", name.written),
        _ => format!("\"{}\"", name.written),
    }
}

// ---------------------------------------------------------------------------------------------
// Fixing what `msgpol check` reports
// ---------------------------------------------------------------------------------------------

/// What `msgpol check --error-format json` says about one problem, as far as the fixer reads it.
#[derive(Clone, Debug)]
pub struct Reported {
    pub code: String,
    pub error: bool,
    pub message: String,
    /// Each label's file and line.
    pub labels: Vec<(String, usize)>,
}

impl Reported {
    pub fn parse_all(json: &str) -> Vec<Reported> {
        if json.trim().is_empty() {
            return Vec::new();
        }
        let items: Vec<serde_json::Value> =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
        items
            .iter()
            .map(|d| Reported {
                code: d["code"].as_str().unwrap().to_string(),
                error: d["severity"] == "error",
                message: d["message"].as_str().unwrap().to_string(),
                labels: d["labels"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| {
                        (
                            l["file"].as_str().unwrap().to_string(),
                            l["line"].as_u64().unwrap() as usize,
                        )
                    })
                    .collect(),
            })
            .collect()
    }
}

/// How an error was fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fix {
    /// E211: the allowed channel is carved out of the banned tier.
    CarveOut,
    /// E211: the blocked name is dropped (inside an allowed domain, or the tier does not
    /// block by DNS, where a carve-out is refused, E217).
    DropName,
    /// E211: the blocked network overlapping an allowed one is dropped.
    DropNetwork,
    /// E202: the network's host bits are cleared, as the diagnostic suggests.
    ClearHostBits,
}

/// Fixes for every error of one check, applied to `policy`; `Err` names the code of an error
/// that has no fix here (the policy is then abandoned).
pub fn fix(policy: &mut Policy, reported: &[Reported], rng: &mut Rng) -> Result<Vec<Fix>, String> {
    let lines = policy.write().1;
    let item_at = |label: &(String, usize)| lines.get(label).copied();
    let mut fixes = Vec::new();
    let mut dropped: Vec<Item> = Vec::new();
    for d in reported.iter().filter(|d| d.error) {
        let unfixable = || format!("{} ({})", d.code, d.message);
        let first = d.labels.first().and_then(item_at).ok_or_else(unfixable)?;
        match (d.code.as_str(), first) {
            ("E211", Item::Network(..)) => {
                dropped.push(first);
                fixes.push(Fix::DropNetwork);
            }
            ("E211", Item::Name(..) | Item::FeedName(..)) => {
                let open = d.labels.get(1).and_then(item_at).ok_or_else(unfixable)?;
                let tier = policy.tier_listing(first).ok_or_else(unfixable)?;
                let carvable = !d.message.contains("would block a name inside")
                    && policy.tiers[tier].blocks(Control::Dns);
                if carvable && rng.percent(75) {
                    let channel = policy.channel_of(open).ok_or_else(unfixable)?;
                    let carve_out = &mut policy.tiers[tier].carve_out;
                    if !carve_out.contains(&channel) {
                        carve_out.push(channel);
                    }
                    fixes.push(Fix::CarveOut);
                } else {
                    dropped.push(first);
                    fixes.push(Fix::DropName);
                }
            }
            ("E202", Item::Network(c, i)) => {
                let network = &mut policy.channels[c].networks[i];
                let range = Range::parse(network).masked();
                *network = range.written(!network.contains('/'));
                fixes.push(Fix::ClearHostBits);
            }
            _ => return Err(unfixable()),
        }
    }
    // Drop from the end, so that the indices of what is left stay right.
    dropped.sort_by(|a, b| b.cmp(a));
    dropped.dedup();
    for item in dropped {
        match item {
            Item::Name(c, i) => {
                policy.channels[c].names.remove(i);
            }
            Item::Network(c, i) => {
                policy.channels[c].networks.remove(i);
            }
            Item::FeedName(t, i) => {
                let feed = policy.tiers[t].feed.as_mut().expect("a feed");
                feed.names.remove(i);
                if feed.names.is_empty() {
                    policy.tiers[t].feed = None;
                }
            }
            Item::CarveOut(t, i) => {
                policy.tiers[t].carve_out.remove(i);
            }
        }
    }
    Ok(fixes)
}

/// What became of the generated policies.
#[derive(Default)]
pub struct Tally {
    pub accepted_as_generated: usize,
    pub accepted_after_fixes: usize,
    /// Policies given up, by the error that had no fix.
    pub abandoned: BTreeMap<String, usize>,
    /// Every diagnostic `msgpol check` reported, by code (warnings stay in the policy).
    pub reported: BTreeMap<String, usize>,
    pub fixes: BTreeMap<Fix, usize>,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.accepted_as_generated += other.accepted_as_generated;
        self.accepted_after_fixes += other.accepted_after_fixes;
        for (map, more) in [
            (&mut self.abandoned, &other.abandoned),
            (&mut self.reported, &other.reported),
        ] {
            for (k, v) in more {
                *map.entry(k.clone()).or_default() += v;
            }
        }
        for (k, v) in &other.fixes {
            *self.fixes.entry(*k).or_default() += v;
        }
    }
}

/// How many times a policy is checked and fixed before it is given up.
const ROUNDS: usize = 8;

/// Generate the policy of `seed` in `dir`, and check and fix it until `check` (which runs
/// `msgpol check --error-format json` on the policy file and returns what it prints) reports no
/// error. The policy, or `None` if it was abandoned; `tally` counts what happened.
pub fn accepted(
    seed: u64,
    dir: &Path,
    check: impl Fn(&Path) -> String,
    tally: &mut Tally,
) -> Option<Policy> {
    let mut policy = generate(seed);
    let mut rng = Rng::new(seed ^ 0xF1C5);
    for round in 0..ROUNDS {
        let file = policy.write_to(dir);
        let reported = Reported::parse_all(&check(&file));
        for d in &reported {
            *tally.reported.entry(d.code.clone()).or_default() += 1;
        }
        if !reported.iter().any(|d| d.error) {
            if round == 0 {
                tally.accepted_as_generated += 1;
            } else {
                tally.accepted_after_fixes += 1;
            }
            return Some(policy);
        }
        match fix(&mut policy, &reported, &mut rng) {
            Ok(fixes) => {
                for f in fixes {
                    *tally.fixes.entry(f).or_default() += 1;
                }
            }
            Err(why) => {
                *tally.abandoned.entry(why).or_default() += 1;
                return None;
            }
        }
    }
    *tally
        .abandoned
        .entry(format!("errors left after {ROUNDS} rounds of fixes"))
        .or_default() += 1;
    None
}

/// The smallest policy found, by taking out one part at a time, that `msgpol check` still
/// accepts and `keeps_failing` still fails on.
pub fn shrink(
    mut policy: Policy,
    dir: &Path,
    check: impl Fn(&Path) -> String,
    keeps_failing: impl Fn(&Policy, &Path) -> bool,
) -> Policy {
    loop {
        let smaller = policy.smaller().into_iter().find(|candidate| {
            let file = candidate.write_to(dir);
            let clean = !Reported::parse_all(&check(&file)).iter().any(|d| d.error);
            clean && keeps_failing(candidate, dir)
        });
        match smaller {
            Some(s) => policy = s,
            None => {
                policy.write_to(dir);
                return policy;
            }
        }
    }
}

impl Policy {
    /// Every policy with one part of this one taken out: a channel (with its tier's place), a
    /// name, a network, a feed name, a carve-out, a control a tier blocks by.
    fn smaller(&self) -> Vec<Policy> {
        let mut out = Vec::new();
        for c in 1..self.channels.len() {
            let mut p = self.clone();
            p.channels.remove(c);
            for tier in &mut p.tiers {
                tier.channels.retain(|&x| x != c);
                for x in &mut tier.channels {
                    if *x > c {
                        *x -= 1;
                    }
                }
            }
            p.tiers.retain(|t| !t.channels.is_empty());
            out.push(p);
        }
        for (c, channel) in self.channels.iter().enumerate() {
            for i in 0..channel.names.len() {
                let mut p = self.clone();
                p.channels[c].names.remove(i);
                out.push(p);
            }
            for i in 0..channel.networks.len() {
                let mut p = self.clone();
                p.channels[c].networks.remove(i);
                out.push(p);
            }
        }
        for (t, tier) in self.tiers.iter().enumerate() {
            if let Some(feed) = &tier.feed {
                let mut p = self.clone();
                p.tiers[t].feed = None;
                out.push(p);
                for i in 0..feed.names.len() {
                    let mut p = self.clone();
                    p.tiers[t].feed.as_mut().unwrap().names.remove(i);
                    out.push(p);
                }
            }
            for i in 0..tier.carve_out.len() {
                let mut p = self.clone();
                p.tiers[t].carve_out.remove(i);
                out.push(p);
            }
            if let Kind::Banned { block } = &tier.kind {
                for i in 0..block.len() {
                    if block.len() > 1 {
                        let mut p = self.clone();
                        if let Kind::Banned { block } = &mut p.tiers[t].kind {
                            block.remove(i);
                        }
                        out.push(p);
                    }
                }
            }
        }
        out
    }
}
