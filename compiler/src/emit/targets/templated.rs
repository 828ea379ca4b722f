//! Targets that are a table of templates over one of two shared contexts: blocked *names* by
//! scope (with carve-outs and the DoH canary) or blocked *networks*. Each format declares
//! which name scopes it cannot express; those entries are reported, never silently widened
//! or dropped.

use super::endpoint;
use super::ids;
use crate::emit::encode::{self, is_dns_name};
use crate::emit::error::render_failed;
use crate::emit::templates::{encoded, render, Header};
use crate::emit::{
    emitted_in_memory, warning, Control, EmitError, EmitWarning, Emitted, Sink, StreamError,
    Target, TargetInfo,
};
use crate::ir::{DomainRule, Enforcement, Ir, Scope};
use minijinja::Value;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use time::macros::format_description;
use time::Date;

/// The zone's SOA serial: the evaluation date as `YYYYMMDD00`, so it grows with each day's
/// build and never with anything else.
fn soa_serial(date: Date) -> String {
    date.format(format_description!("[year][month][day]00"))
        .expect("a four-digit year formats")
}

/// Names that DNS-over-HTTPS-aware clients probe: answered NXDOMAIN so that Firefox keeps using
/// the organisation's resolver (and its blocks).
pub const DOH_CANARIES: &[&str] = &["use-application-dns.net"];

/// How a name-based format writes each kind of rule: one or more line patterns per scope,
/// where `{name}` is the name and `{channels}` the channels it is for (comments only). A
/// scope the format cannot express gets comment lines (and `cannot_express` warns).
pub struct NameFormat {
    pub tree: &'static [&'static str],
    pub exact: &'static [&'static str],
    pub subdomains: &'static [&'static str],
    pub allow_tree: &'static [&'static str],
    pub allow_exact: &'static [&'static str],
    pub allow_subdomains: &'static [&'static str],
    /// Names the policy lists that lie under a blocked domain: only a format that cannot block
    /// subdomains writes them (the others block them with their domain).
    pub covered: &'static [&'static str],
    /// Whether `*.x` lines match as DNS wildcards do (RFC 4592, 2.2.1): a wildcard does not
    /// reach a name the file holds below it, nor the names under that name. A carve-out's
    /// lines are such names, so the blocked names they hide are written again as blocks
    /// (`hidden_blocks`).
    pub dns_wildcards: bool,
}

/// What every name-based target renders: the header facts, and a marker where each kind of
/// rule goes (empty when there is none, so templates can test for it). The rules themselves
/// are streamed into the file at the markers: a feed can hold a million names.
#[derive(Serialize)]
struct DnsContext<'a> {
    #[serde(flatten)]
    header: Header<'a>,
    /// `YYYYMMDD00` from the evaluation date, for formats with a serial number.
    serial: Value,
    canaries: Value,
    tree: Value,
    exact: Value,
    subdomains: Value,
    allow_tree: Value,
    allow_exact: Value,
    allow_subdomains: Value,
    covered: Value,
}

/// The kinds of name rules, in the order of `DnsContext`'s markers.
#[derive(Clone, Copy)]
enum Section {
    Canaries,
    Tree,
    Exact,
    Subdomains,
    AllowTree,
    AllowExact,
    AllowSubdomains,
    Covered,
}

/// Marks a section in the rendered template. NUL never appears in a rendered policy string
/// (the syntax stage rejects control characters), so markers cannot be forged.
const MARKERS: [(&str, Section); 8] = [
    ("\0canaries\0", Section::Canaries),
    ("\0tree\0", Section::Tree),
    ("\0exact\0", Section::Exact),
    ("\0subdomains\0", Section::Subdomains),
    ("\0allow_tree\0", Section::AllowTree),
    ("\0allow_exact\0", Section::AllowExact),
    ("\0allow_subdomains\0", Section::AllowSubdomains),
    ("\0covered\0", Section::Covered),
];

/// Bytes gathered before each write.
const BLOCK: usize = 1 << 16;

enum Piece<'p> {
    Text(&'p str),
    Name,
    Channels,
}

fn pieces(pattern: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(at) = rest.find('{') {
        let (before, tail) = rest.split_at(at);
        out.push(Piece::Text(before));
        if let Some(after) = tail.strip_prefix("{name}") {
            out.push(Piece::Name);
            rest = after;
        } else if let Some(after) = tail.strip_prefix("{channels}") {
            out.push(Piece::Channels);
            rest = after;
        } else {
            out.push(Piece::Text("{"));
            rest = &tail[1..];
        }
    }
    out.push(Piece::Text(rest));
    out
}

type Segments = Vec<Vec<u8>>;

/// The lines written for each name, cut at the name: what comes before the first occurrence,
/// between occurrences, and after the last (newlines included), for one list of channels. A
/// name's lines are then its name between these, a few copies per name rather than one per
/// piece.
fn segments(patterns: &[Vec<Piece>], channels: &str) -> Segments {
    let mut segments = vec![Vec::new()];
    for pattern in patterns {
        for piece in pattern {
            let current = segments.last_mut().expect("never empty");
            match piece {
                Piece::Text(text) => current.extend_from_slice(text.as_bytes()),
                Piece::Channels => current.extend_from_slice(channels.as_bytes()),
                Piece::Name => segments.push(Vec::new()),
            }
        }
        segments.last_mut().expect("never empty").push(b'\n');
    }
    segments
}

/// Write `(name, channels)` pairs with the patterns, in the order given (the IR's rules are
/// sorted by name). Every name is checked again here, at the last moment, so nothing but a
/// DNS name reaches the file.
fn write_lines<'r>(
    out: &mut dyn Write,
    rules: impl Iterator<Item = (&'r str, &'r [Arc<str>])>,
    patterns: &[&str],
    target: &str,
) -> Result<(), StreamError> {
    let patterns: Vec<Vec<Piece>> = patterns.iter().map(|p| pieces(p)).collect();
    // Rules share channel lists: cut the lines for each list once and reuse them while it
    // repeats.
    let mut last: Option<(&[Arc<str>], Segments)> = None;
    // Lines are gathered into blocks: one write per block rather than per line.
    let mut block = Vec::with_capacity(BLOCK + 1024);
    for (name, channels) in rules {
        if !is_dns_name(name) {
            let refusal = format!("refusing to write {name:?} as a DNS name");
            return Err(render_failed(target, refusal).into());
        }
        let cut = match &last {
            Some((list, cut)) if std::ptr::eq(*list, channels) => cut,
            _ => {
                let names: Vec<&str> = channels.iter().map(|c| &**c).collect();
                let text = encode::comment(&names.join(", "));
                &last.insert((channels, segments(&patterns, &text))).1
            }
        };
        let (first, rest) = cut.split_first().expect("never empty");
        block.extend_from_slice(first);
        for segment in rest {
            block.extend_from_slice(name.as_bytes());
            block.extend_from_slice(segment);
        }
        if block.len() >= BLOCK {
            out.write_all(&block)?;
            block.clear();
        }
    }
    out.write_all(&block)?;
    Ok(())
}

impl Section {
    fn marker(self) -> &'static str {
        MARKERS[self as usize].0
    }

    /// The rules of this section, with the channels each is for.
    fn rules<'a>(
        self,
        ir: &'a Ir,
        index: &'a SectionIndex,
        canary_note: &'a [Arc<str>],
    ) -> Box<dyn Iterator<Item = (&'a str, &'a [Arc<str>])> + 'a> {
        let list = match self {
            Section::Canaries => {
                return Box::new(DOH_CANARIES.iter().map(move |c| (*c, canary_note)))
            }
            Section::Tree | Section::Exact | Section::Subdomains => &ir.enforcement.dns_block,
            Section::Covered => &ir.enforcement.dns_covered,
            _ => &ir.enforcement.dns_allow,
        };
        let written = index.rules[self as usize]
            .iter()
            .map(|&i| &list[i as usize]);
        let hidden = index.hidden[self as usize].iter();
        Box::new(
            written
                .chain(hidden)
                .map(|rule| (&*rule.name, &rule.channels[..])),
        )
    }

    /// The section of a blocked (or carved-out) rule of this scope.
    fn of(scope: Scope, carved_out: bool) -> Section {
        match (scope, carved_out) {
            (Scope::Tree, false) => Section::Tree,
            (Scope::Exact, false) => Section::Exact,
            (Scope::Subdomains, false) => Section::Subdomains,
            (Scope::Tree, true) => Section::AllowTree,
            (Scope::Exact, true) => Section::AllowExact,
            (Scope::Subdomains, true) => Section::AllowSubdomains,
        }
    }

    /// How `format` writes this section's rules.
    fn patterns(self, format: &NameFormat) -> &'static [&'static str] {
        match self {
            Section::Canaries | Section::Tree => format.tree,
            Section::Exact => format.exact,
            Section::Subdomains => format.subdomains,
            Section::AllowTree => format.allow_tree,
            Section::AllowExact => format.allow_exact,
            Section::AllowSubdomains => format.allow_subdomains,
            Section::Covered => format.covered,
        }
    }
}

/// Which rules each section holds, as positions in the IR's lists (one pass over a million
/// rules rather than one per section), and the blocks a format with DNS wildcards writes again
/// after them.
struct SectionIndex {
    rules: [Vec<u32>; MARKERS.len()],
    hidden: [Vec<DomainRule>; MARKERS.len()],
}

/// What a carve-out of scope `open` (if any) leaves blocked of a name and its subdomains.
fn left_blocked(open: Option<Scope>) -> Option<Scope> {
    match open {
        None => Some(Scope::Tree),
        Some(Scope::Exact) => Some(Scope::Subdomains),
        Some(Scope::Subdomains) => Some(Scope::Exact),
        Some(Scope::Tree) => None,
    }
}

/// The rule of `name` in a list of rules sorted by name.
fn find<'r>(rules: &'r [DomainRule], name: &str) -> Option<&'r DomainRule> {
    let found = rules.binary_search_by(|r| (*r.name).cmp(name));
    found.ok().map(|i| &rules[i])
}

/// The blocked names that carve-outs hide from the wildcard of the blocked rule above them,
/// where wildcards match as in DNS: a wildcard `*.b` matches neither a name the zone holds
/// under b nor the names under that one (RFC 4592, 2.2.1 and 2.2.2). `*.x` of a carve-out
/// makes x such a name, and so are the names between x and b (empty non-terminals); `x` of a
/// carve-out hides the names under x. Each name from a carve-out up to the blocked rule above
/// it is therefore blocked again, in every part that no carve-out keeps open, for the
/// channels of that rule. Both IR lists are sorted by name.
fn hidden_blocks(ir: &Ir) -> Vec<DomainRule> {
    let (block, allow) = (&ir.enforcement.dns_block, &ir.enforcement.dns_allow);
    let mut hidden: BTreeMap<&str, (Scope, &DomainRule)> = BTreeMap::new();
    for carve_out in allow {
        let mut path = vec![&*carve_out.name];
        let above = loop {
            let name = path.last().expect("never empty");
            let Some((_, parent)) = name.split_once('.') else {
                break None;
            };
            match find(block, parent) {
                Some(rule) if rule.scope.covers_subdomains() => break Some(rule),
                _ => path.push(parent),
            }
        };
        let Some(above) = above else {
            continue;
        };
        for name in path {
            if let Some(scope) = left_blocked(find(allow, name).map(|r| r.scope)) {
                hidden.insert(name, (scope, above));
            }
        }
    }
    hidden
        .into_iter()
        .map(|(name, (scope, above))| DomainRule {
            name: Arc::from(name),
            scope,
            channels: Arc::clone(&above.channels),
        })
        .collect()
}

impl SectionIndex {
    fn new(ir: &Ir, format: &NameFormat) -> Self {
        let mut rules: [Vec<u32>; MARKERS.len()] = Default::default();
        let sets = [
            (&ir.enforcement.dns_block, false),
            (&ir.enforcement.dns_allow, true),
        ];
        for (list, carved_out) in sets {
            // Room for the whole list in each of its sections: only what is filled is touched,
            // and a feed's million rules are not copied from one doubling to the next.
            for scope in [Scope::Tree, Scope::Exact, Scope::Subdomains] {
                rules[Section::of(scope, carved_out) as usize].reserve(list.len());
            }
            for (i, rule) in list.iter().enumerate() {
                let position = u32::try_from(i).expect("fewer than 4 billion rules");
                rules[Section::of(rule.scope, carved_out) as usize].push(position);
            }
        }
        // A covered name whose subdomains alone are carved out is written by the carve-out's
        // lines, which keep the name itself blocked, where the format writes them: a second
        // rule of the same name could replace them (Unbound keeps the last zone of a name).
        let carved_out = |rule: &DomainRule| {
            !format.allow_subdomains.is_empty()
                && find(&ir.enforcement.dns_allow, &rule.name).is_some()
        };
        let covered = (ir.enforcement.dns_covered.iter().enumerate())
            .filter(|(_, rule)| !carved_out(rule))
            .map(|(i, _)| u32::try_from(i).expect("fewer than 4 billion rules"));
        rules[Section::Covered as usize].extend(covered);
        let mut hidden: [Vec<DomainRule>; MARKERS.len()] = Default::default();
        if format.dns_wildcards {
            for rule in hidden_blocks(ir) {
                hidden[Section::of(rule.scope, false) as usize].push(rule);
            }
        }
        SectionIndex { rules, hidden }
    }
}

fn dns_context<'a>(ir: &'a Ir, index: &SectionIndex, format: &NameFormat) -> DnsContext<'a> {
    let canary_note: [Arc<str>; 0] = [];
    // A section's marker is there only when the format writes something for it.
    let marker = |section: Section| {
        let writes = !section.patterns(format).is_empty()
            && section.rules(ir, index, &canary_note).next().is_some();
        // msgpol's own text: printed as it is.
        encoded(if writes { section.marker() } else { "" }.to_string())
    };
    DnsContext {
        header: Header::of(ir),
        serial: encoded(soa_serial(ir.evaluation_date)),
        canaries: marker(Section::Canaries),
        tree: marker(Section::Tree),
        exact: marker(Section::Exact),
        subdomains: marker(Section::Subdomains),
        allow_tree: marker(Section::AllowTree),
        allow_exact: marker(Section::AllowExact),
        allow_subdomains: marker(Section::AllowSubdomains),
        covered: marker(Section::Covered),
    }
}

/// Write a rendered name template, streaming each section's rules where its marker stands.
fn write_with_sections(
    out: &mut dyn Write,
    rendered: &str,
    ir: &Ir,
    index: &SectionIndex,
    format: &NameFormat,
    target: &str,
) -> Result<(), StreamError> {
    let canary_note: [Arc<str>; 1] = [Arc::from("DNS-over-HTTPS canary")];
    let mut rest = rendered;
    while let Some(at) = rest.find('\0') {
        out.write_all(&rest.as_bytes()[..at])?;
        let (marker, section) = MARKERS
            .iter()
            .find(|(marker, _)| rest[at..].starts_with(marker))
            .ok_or_else(|| render_failed(target, "a template holds a stray NUL".into()))?;
        write_lines(
            out,
            section.rules(ir, index, &canary_note),
            section.patterns(format),
            target,
        )?;
        rest = &rest[at + marker.len()..];
    }
    out.write_all(rest.as_bytes())?;
    Ok(())
}

#[derive(Serialize)]
struct NetRule {
    network: String,
    channels: String,
}

/// What every network-based target renders.
#[derive(Serialize)]
struct NetworkContext<'a> {
    #[serde(flatten)]
    header: Header<'a>,
    v4: Vec<NetRule>,
    v6: Vec<NetRule>,
    /// Each blocked channel with its own networks (before merging across channels).
    by_channel: Vec<ChannelNetworks>,
    /// Each channel of a tier that `block endpoint` with the full paths of its programs
    /// (`windows-path`), for the targets that block on endpoints too (empty for the others).
    programs: Vec<ChannelPrograms>,
}

#[derive(Serialize)]
struct ChannelPrograms {
    channel: String,
    paths: Vec<String>,
}

#[derive(Serialize)]
struct ChannelNetworks {
    channel: String,
    networks: Vec<String>,
}

/// The network context; `programs` are filled (and their warnings reported) only for a target
/// that also blocks on endpoints.
fn network_context<'a>(
    ir: &'a Ir,
    target: &TemplatedTarget,
    warnings: &mut Vec<EmitWarning>,
) -> NetworkContext<'a> {
    let rules = |v6: bool| {
        ir.enforcement
            .firewall_block
            .iter()
            .filter(|r| r.network.v6 == v6)
            .map(|r| NetRule {
                network: r.network.to_string(),
                channels: r.channels.join(", "),
            })
            .collect()
    };
    NetworkContext {
        header: Header::of(ir),
        v4: rules(false),
        v6: rules(true),
        by_channel: ir
            .channels
            .iter()
            .filter(|c| {
                ir.tier_of(c)
                    .is_some_and(|t| t.block.contains(&Enforcement::Firewall))
            })
            .filter(|c| !c.endpoints.networks.is_empty())
            .map(|c| ChannelNetworks {
                channel: c.name.clone(),
                networks: c.endpoints.networks.iter().map(|n| n.to_string()).collect(),
            })
            .collect(),
        programs: if target.info.controls.contains(&Control::BlockEndpoint) {
            endpoint::windows_programs(ir, target.info.name, warnings)
                .into_iter()
                .map(|(c, paths)| ChannelPrograms {
                    channel: c.name.clone(),
                    paths: paths.into_iter().map(str::to_string).collect(),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// The two sets of name rules: what is blocked, and what is carved out of a blocked domain.
pub enum Rules {
    Blocked,
    CarvedOut,
}

/// Which shared context a target renders.
pub enum Family {
    /// Blocked names (tiers that `block dns`), written with these patterns.
    Names(NameFormat),
    /// Blocked networks (tiers that `block firewall`).
    Networks,
}

/// A templated target: what it is, and the name scopes its format cannot express, with what
/// it does about them. Each of its templates renders one file (`msgpol.conf.j2` renders
/// `msgpol.conf`). Its controls say what the files put into effect: `BlockEndpoint` also makes
/// a network target write (and warn about) program rules.
pub struct TemplatedTarget {
    pub info: TargetInfo,
    pub family: Family,
    /// Rules the format cannot write exactly: which set, which scope, and the consequence
    /// stated in the build warning.
    pub cannot_express: &'static [(Rules, Scope, &'static str)],
}

impl Target for TemplatedTarget {
    fn info(&self) -> &TargetInfo {
        &self.info
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        emitted_in_memory(self, ir)
    }

    fn emit_to(&self, ir: &Ir, sink: &mut dyn Sink) -> Result<Vec<EmitWarning>, EmitError> {
        let Family::Names(format) = &self.family else {
            let mut warnings = Vec::new();
            let context =
                minijinja::Value::from_serialize(network_context(ir, self, &mut warnings));
            for template in self.info.templates {
                let path = template.output();
                let bytes = ids::text_file(path, render(template, context.clone())?);
                sink.file(path, &mut |out| Ok(out.write_all(&bytes)?))?;
            }
            return Ok(warnings);
        };
        let index = SectionIndex::new(ir, format);
        let warnings = self
            .cannot_express
            .iter()
            .filter_map(|(rules, scope, consequence)| {
                let carved_out = matches!(rules, Rules::CarvedOut);
                let count = index.rules[Section::of(*scope, carved_out) as usize].len();
                (count > 0).then(|| warning::cannot_express(self.info.name, count, consequence))
            })
            .collect();
        let context = minijinja::Value::from_serialize(dns_context(ir, &index, format));
        for template in self.info.templates {
            let path = template.output();
            let rendered = render(template, context.clone())?;
            sink.file(path, &mut |out| {
                write_with_sections(out, &rendered, ir, &index, format, self.info.name)
            })?;
        }
        Ok(warnings)
    }
}
