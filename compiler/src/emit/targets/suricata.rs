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
use sha2::{Digest, Sha256};
use std::collections::HashSet;

pub struct Suricata;

/// msgpol's sids: 1,000,000,000 to 1,999,999,999, above the ranges local rules and rule vendors
/// conventionally take (1,000,000–1,999,999 local, 2,000,000–2,999,999 Emerging Threats) and
/// below 2^31.
const FIRST_SID: u32 = 1_000_000_000;
const SIDS: u64 = 1_000_000_000;

/// The sids of one file. A rule's sid comes from what it is (its kind, buffer and content with
/// its scope), not from its place in the file: an operator suppresses or thresholds a noisy
/// rule by sid, and a sid that moved when a channel was added would silence another rule.
#[derive(Default)]
struct Sids(HashSet<u32>);

impl Sids {
    fn of(&mut self, rule: &str) -> u32 {
        let digest = Sha256::digest(rule.as_bytes());
        let first = u64::from_be_bytes(digest[..8].try_into().expect("a digest has 8 bytes"));
        let mut n = first % SIDS;
        loop {
            let sid = FIRST_SID + u32::try_from(n).expect("below SIDS");
            if self.0.insert(sid) {
                return sid;
            }
            // Two rules on one sid (about one file in a thousand that has a thousand names):
            // the later in the file takes the next free one.
            n = (n + 1) % SIDS;
        }
    }
}

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

fn rules_for(rules: &[DomainRule], kind: &'static str, sids: &mut Sids, out: &mut Vec<Rule>) {
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
                sid: sids.of(&format!("{kind} {buffer} {before}{content}{after}")),
                kind,
                channels: rule.channels.join(", "),
                content: content.clone(),
                before,
                after,
                buffer,
                protocol,
            });
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
        let mut sids = Sids::default();
        rules_for(&ir.enforcement.dns_block, "banned", &mut sids, &mut rules);
        rules_for(
            &ir.enforcement.dns_monitor,
            "monitored",
            &mut sids,
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
