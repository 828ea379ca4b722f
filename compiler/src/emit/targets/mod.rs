//! The targets, one file each. DNS targets share `dns_context`.

mod guide_md;
mod hosts;
mod ir_json;
mod unbound;

use super::Target;
use crate::ir::{DomainRule, Ir};
use crate::normalize::domain::Scope;
use serde::Serialize;

pub static ALL: &[&dyn Target] = &[
    &ir_json::IrJson,
    &hosts::Hosts,
    &unbound::Unbound,
    &guide_md::GuideMd,
];

/// Names that DNS-over-HTTPS-aware clients probe: answered NXDOMAIN so that Firefox keeps using
/// the organisation's resolver (and its blocks).
pub const DOH_CANARIES: &[&str] = &["use-application-dns.net"];

#[derive(Serialize)]
struct DnsRule<'a> {
    name: &'a str,
    channels: String,
}

/// What every DNS target renders: the header facts and the blocked names split by scope.
#[derive(Serialize)]
pub struct DnsContext<'a> {
    title: &'a str,
    organisation: &'a str,
    version: &'a str,
    evaluation_date: &'a str,
    canaries: &'static [&'static str],
    tree: Vec<DnsRule<'a>>,
    exact: Vec<DnsRule<'a>>,
    subdomains: Vec<DnsRule<'a>>,
    allow: Vec<DnsRule<'a>>,
}

pub fn dns_context(ir: &Ir) -> DnsContext<'_> {
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
    let block = &ir.enforcement.dns_block;
    DnsContext {
        title: &ir.policy.title,
        organisation: &ir.policy.organisation,
        version: &ir.policy.version,
        evaluation_date: &ir.evaluation_date,
        canaries: DOH_CANARIES,
        tree: by_scope(block, Scope::Tree),
        exact: by_scope(block, Scope::Exact),
        subdomains: by_scope(block, Scope::Subdomains),
        allow: ir
            .enforcement
            .dns_allow
            .iter()
            .map(|r| DnsRule {
                name: &r.name,
                channels: r.channels.join(", "),
            })
            .collect(),
    }
}
