//! Targets that are a table of templates over one of two shared contexts: blocked *names* by
//! scope (with carve-outs and the DoH canary) or blocked *networks*. Each format declares
//! which name scopes it cannot express; those entries are reported, never silently widened
//! or dropped.

use crate::emit::{templates::render, EmitError, Emitted, OutputFile, Target};
use crate::ir::{DomainRule, Ir};
use crate::normalize::domain::Scope;
use crate::syntax::ast::{Enforcement, Size};
use serde::Serialize;

/// Names that DNS-over-HTTPS-aware clients probe: answered NXDOMAIN so that Firefox keeps using
/// the organisation's resolver (and its blocks).
pub const DOH_CANARIES: &[&str] = &["use-application-dns.net"];

#[derive(Serialize)]
struct DnsRule<'a> {
    name: &'a str,
    channels: String,
}

/// What every name-based target renders.
#[derive(Serialize)]
struct DnsContext<'a> {
    title: &'a str,
    organisation: &'a str,
    version: &'a str,
    evaluation_date: &'a str,
    /// `YYYYMMDD00` from the evaluation date, for formats with a serial number.
    serial: String,
    canaries: &'static [&'static str],
    tree: Vec<DnsRule<'a>>,
    exact: Vec<DnsRule<'a>>,
    subdomains: Vec<DnsRule<'a>>,
    allow_tree: Vec<DnsRule<'a>>,
    allow_exact: Vec<DnsRule<'a>>,
    allow_subdomains: Vec<DnsRule<'a>>,
}

/// The rules of one scope, alphabetically: the order an administrator scans a list in.
fn by_scope(rules: &[DomainRule], scope: Scope) -> Vec<DnsRule<'_>> {
    let mut out: Vec<DnsRule> = rules
        .iter()
        .filter(|r| r.scope == scope)
        .map(|r| DnsRule {
            name: &r.name,
            channels: r.channels.join(", "),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(b.name));
    out
}

fn dns_context(ir: &Ir) -> DnsContext<'_> {
    let block = &ir.enforcement.dns_block;
    let allow = &ir.enforcement.dns_allow;
    DnsContext {
        title: &ir.policy.title,
        organisation: &ir.policy.organisation,
        version: &ir.policy.version,
        evaluation_date: &ir.evaluation_date,
        serial: format!("{}00", ir.evaluation_date.replace('-', "")),
        canaries: DOH_CANARIES,
        tree: by_scope(block, Scope::Tree),
        exact: by_scope(block, Scope::Exact),
        subdomains: by_scope(block, Scope::Subdomains),
        allow_tree: by_scope(allow, Scope::Tree),
        allow_exact: by_scope(allow, Scope::Exact),
        allow_subdomains: by_scope(allow, Scope::Subdomains),
    }
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
                c.tier
                    .as_deref()
                    .and_then(|t| ir.tier(t))
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

/// Which shared context a target renders.
pub enum Family {
    /// Blocked names (tiers that `block dns`).
    Names,
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
    /// Scopes the format cannot express, each with the consequence stated in the warning.
    pub cannot_express: &'static [(Scope, &'static str)],
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
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut warnings = Vec::new();
        for (scope, consequence) in self.cannot_express {
            let count = ir
                .enforcement
                .dns_block
                .iter()
                .filter(|r| r.scope == *scope)
                .count();
            if count > 0 {
                warnings.push(format!("{}: {count} {}", self.name, consequence));
            }
        }
        let value = match self.family {
            Family::Names => minijinja::Value::from_serialize(dns_context(ir)),
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
