//! Targets that are a table of templates over one of two shared contexts: blocked *names* by
//! scope (with carve-outs and the DoH canary) or blocked *networks*. Each format declares
//! which name scopes it cannot express; those entries are reported, never silently widened
//! or dropped.

use crate::emit::error::render_failed;
use crate::emit::templates::{is_dns_name, one_line, render};
use crate::emit::{Control, EmitError, Emitted, OutputFile, Target};
use crate::ir::{DomainRule, Ir};
use crate::normalize::domain::Scope;
use crate::syntax::ast::{Enforcement, Size};
use serde::Serialize;
use std::sync::Arc;

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
}

/// What every name-based target renders: the header facts, and each kind of rule already
/// written line by line (a feed can hold a million names: they are not looped over in a
/// template).
#[derive(Serialize)]
struct DnsContext<'a> {
    title: &'a str,
    organisation: &'a str,
    version: &'a str,
    evaluation_date: &'a str,
    /// `YYYYMMDD00` from the evaluation date, for formats with a serial number.
    serial: String,
    canaries: String,
    tree: String,
    exact: String,
    subdomains: String,
    allow_tree: String,
    allow_exact: String,
    allow_subdomains: String,
}

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

/// Write `(name, channels)` pairs with the patterns, in the order given (the IR's rules are
/// sorted by name). Every name is checked again here, at the last moment, so nothing but a
/// DNS name reaches the file.
fn write_lines<'r>(
    rules: impl Iterator<Item = (&'r str, &'r [Arc<str>])>,
    patterns: &[&str],
    target: &str,
) -> Result<String, EmitError> {
    let patterns: Vec<Vec<Piece>> = patterns.iter().map(|p| pieces(p)).collect();
    let mut out = String::new();
    for (name, channels) in rules {
        if !is_dns_name(name) {
            return Err(render_failed(
                target,
                format!("refusing to write {name:?} as a DNS name"),
            ));
        }
        for pattern in &patterns {
            for piece in pattern {
                match piece {
                    Piece::Text(text) => out.push_str(text),
                    Piece::Name => out.push_str(name),
                    Piece::Channels => {
                        for (i, channel) in channels.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            out.push_str(&one_line(channel));
                        }
                    }
                }
            }
            out.push('\n');
        }
    }
    Ok(out)
}

fn dns_context<'a>(
    ir: &'a Ir,
    format: &NameFormat,
    target: &str,
) -> Result<DnsContext<'a>, EmitError> {
    let of_scope = |rules: &'a [DomainRule], scope: Scope| {
        rules
            .iter()
            .filter(move |r| r.scope == scope)
            .map(|r| (&*r.name, &r.channels[..]))
    };
    let block = &ir.enforcement.dns_block;
    let allow = &ir.enforcement.dns_allow;
    let canary_note: [Arc<str>; 1] = [Arc::from("DNS-over-HTTPS canary")];
    let canaries = DOH_CANARIES.iter().map(|c| (*c, &canary_note[..]));
    Ok(DnsContext {
        title: &ir.policy.title,
        organisation: &ir.policy.organisation,
        version: &ir.policy.version,
        evaluation_date: &ir.evaluation_date,
        serial: format!("{}00", ir.evaluation_date.replace('-', "")),
        canaries: write_lines(canaries, format.tree, target)?,
        tree: write_lines(of_scope(block, Scope::Tree), format.tree, target)?,
        exact: write_lines(of_scope(block, Scope::Exact), format.exact, target)?,
        subdomains: write_lines(
            of_scope(block, Scope::Subdomains),
            format.subdomains,
            target,
        )?,
        allow_tree: write_lines(of_scope(allow, Scope::Tree), format.allow_tree, target)?,
        allow_exact: write_lines(of_scope(allow, Scope::Exact), format.allow_exact, target)?,
        allow_subdomains: write_lines(
            of_scope(allow, Scope::Subdomains),
            format.allow_subdomains,
            target,
        )?,
    })
}

#[derive(Serialize)]
struct NetRule {
    network: String,
    channels: String,
}

/// What every network-based target renders.
#[derive(Serialize)]
struct NetworkContext<'a> {
    title: &'a str,
    organisation: &'a str,
    version: &'a str,
    evaluation_date: &'a str,
    v4: Vec<NetRule>,
    v6: Vec<NetRule>,
    /// Each blocked channel with its own networks (before merging across channels).
    by_channel: Vec<ChannelNetworks>,
}

#[derive(Serialize)]
struct ChannelNetworks {
    channel: String,
    networks: Vec<String>,
}

fn network_context(ir: &Ir) -> NetworkContext<'_> {
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
        title: &ir.policy.title,
        organisation: &ir.policy.organisation,
        version: &ir.policy.version,
        evaluation_date: &ir.evaluation_date,
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

/// A templated target: its identity, its files (template → path), and the name scopes its
/// format cannot express, with what it does about them.
pub struct TemplatedTarget {
    pub name: &'static str,
    pub description: &'static str,
    pub default_for: &'static [Size],
    pub family: Family,
    pub files: &'static [(&'static str, &'static str)],
    /// Rules the format cannot write exactly: which set, which scope, and the consequence
    /// stated in the build warning.
    pub cannot_express: &'static [(Rules, Scope, &'static str)],
}

impl Target for TemplatedTarget {
    fn name(&self) -> &'static str {
        self.name
    }
    fn description(&self) -> &'static str {
        self.description
    }
    fn default_for(&self) -> &'static [Size] {
        self.default_for
    }
    fn controls(&self) -> &'static [Control] {
        match self.family {
            Family::Names(_) => &[Control::BlockDns],
            Family::Networks => &[Control::BlockFirewall],
        }
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut warnings = Vec::new();
        for (rules, scope, consequence) in self.cannot_express {
            let set = match rules {
                Rules::Blocked => &ir.enforcement.dns_block,
                Rules::CarvedOut => &ir.enforcement.dns_allow,
            };
            let count = set.iter().filter(|r| r.scope == *scope).count();
            if count > 0 {
                warnings.push(format!("{}: {count} {}", self.name, consequence));
            }
        }
        let value = match self.family {
            Family::Names(ref format) => {
                minijinja::Value::from_serialize(dns_context(ir, format, self.name)?)
            }
            Family::Networks => minijinja::Value::from_serialize(network_context(ir)),
        };
        let files = self
            .files
            .iter()
            .map(|(template, path)| {
                render(template, value.clone()).map(|text| OutputFile {
                    path: path.to_string(),
                    contents: text.into_bytes(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Emitted { files, warnings })
    }
}
