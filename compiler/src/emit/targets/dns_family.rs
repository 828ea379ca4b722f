//! What every name-based target shares: the rendering context (blocked names by scope,
//! carve-outs, the DoH canary) and a `Target` built from a table of templates. Each format
//! declares which scopes it cannot express; those entries are reported, never silently
//! widened or dropped.

use crate::emit::{templates::render, EmitError, Emitted, OutputFile, Target};
use crate::ir::{DomainRule, Ir};
use crate::normalize::domain::Scope;
use crate::syntax::ast::Size;
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

/// A name-based target: its identity, its files (template → path), and the scopes its format
/// cannot express, with what it does about them.
pub struct DnsTarget {
    pub name: &'static str,
    pub description: &'static str,
    pub default_for: &'static [Size],
    pub files: &'static [(&'static str, &'static str)],
    /// Scopes the format cannot express, each with the consequence stated in the warning.
    pub cannot_express: &'static [(Scope, &'static str)],
}

impl Target for DnsTarget {
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
        let context = dns_context(ir);
        let mut warnings = Vec::new();
        for (scope, consequence) in self.cannot_express {
            let count = match scope {
                Scope::Tree => context.tree.len(),
                Scope::Exact => context.exact.len(),
                Scope::Subdomains => context.subdomains.len(),
            };
            if count > 0 {
                warnings.push(format!("{}: {count} {}", self.name, consequence));
            }
        }
        let value = minijinja::Value::from_serialize(&context);
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
