//! `suricata`: detection rules (the `monitor` control, and alerts for banned channels) on DNS
//! queries and TLS server names. Each name keeps its scope: `dotprefix` + `endswith` for a
//! name and its subdomains, `startswith` + `endswith` for the name only, `endswith` on `.x`
//! for the subdomains only.

use crate::emit::templates::{own_text, render, Header};
use crate::emit::templates::template;
use crate::emit::verify::{readers, Reach, Reader};
use crate::emit::{warning, Control, EmitError, Emitted, Target, TargetInfo, Template};
use crate::ir::{DomainRule, Ir, Scope, Size};
use serde::Serialize;

pub struct Suricata;

/// First sid msgpol uses: inside the range Suricata leaves to local rules.
const FIRST_SID: u32 = 9_100_001;

#[derive(Serialize)]
struct Rule {
    sid: u32,
    /// `banned` or `monitored`.
    #[serde(serialize_with = "own_text")]
    kind: &'static str,
    channels: String,
    /// The `content` to match, and the options around it that give it its scope.
    content: String,
    #[serde(serialize_with = "own_text")]
    before: &'static str,
    #[serde(serialize_with = "own_text")]
    after: &'static str,
    /// `dns.query` or `tls.sni`.
    #[serde(serialize_with = "own_text")]
    buffer: &'static str,
    /// `dns` or `tls`.
    #[serde(serialize_with = "own_text")]
    protocol: &'static str,
}

fn rules_for(rules: &[DomainRule], kind: &'static str, next_sid: &mut u32, out: &mut Vec<Rule>) {
    for rule in rules {
        let (content, before, after) = match rule.scope {
            Scope::Tree => (
                format!(".{}", rule.name),
                "dotprefix; content:\"",
                "\"; nocase; endswith;",
            ),
            Scope::Exact => (
                rule.name.to_string(),
                "content:\"",
                "\"; nocase; startswith; endswith;",
            ),
            Scope::Subdomains => (
                format!(".{}", rule.name),
                "content:\"",
                "\"; nocase; endswith;",
            ),
        };
        for (protocol, buffer) in [("dns", "dns.query"), ("tls", "tls.sni")] {
            out.push(Rule {
                sid: *next_sid,
                kind,
                channels: rule.channels.join(", "),
                content: content.clone(),
                before,
                after,
                buffer,
                protocol,
            });
            *next_sid += 1;
        }
    }
}

const TEMPLATE: Template = template!("suricata/msgpol.rules.j2");

// Rules on a banned domain alert on the names carved out of it too (the build warns).
const READER: Reader = Reader {
    read: readers::suricata::read,
    leaves_open: &[Reach::CarvedOut],
    programs_by: &[],
};

const INFO: TargetInfo = TargetInfo {
    name: "suricata",
    description: "Suricata alert rules on DNS queries and TLS names for banned and monitored channels",
    outputs: &["msgpol.rules"],
    default_for: &[Size::Medium, Size::Large],
    controls: &[Control::Monitor],
    templates: &[&TEMPLATE],
    reader: Some(&READER),
    rules_reader: None,
};

impl Target for Suricata {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut rules = Vec::new();
        let mut sid = FIRST_SID;
        rules_for(&ir.enforcement.dns_block, "banned", &mut sid, &mut rules);
        rules_for(
            &ir.enforcement.dns_monitor,
            "monitored",
            &mut sid,
            &mut rules,
        );
        let context = minijinja::context! {
            rules => rules,
            ..Header::value(ir),
        };
        let text = render(&TEMPLATE, context)?;
        let mut warnings = Vec::new();
        let carve_outs = ir.enforcement.dns_allow.len();
        if carve_outs > 0 {
            warnings.push(warning::cannot_express(
                self.name(),
                carve_outs,
                "carve-outs cannot be written: the alerts on a banned domain also fire for the names carved out of it (a `pass` rule would stop every ruleset inspecting those flows)",
            ));
        }
        Ok(Emitted::single("msgpol.rules", text, warnings))
    }
}
