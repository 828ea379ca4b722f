//! `suricata`: detection rules (the `monitor` control, and alerts for banned channels) on DNS
//! queries and TLS server names. Each name keeps its scope: `dotprefix` + `endswith` for a
//! name and its subdomains, `startswith` + `endswith` for the name only, `endswith` on `.x`
//! for the subdomains only.

use crate::emit::encode;
use crate::emit::error::render_failed;
use crate::emit::templates::template;
use crate::emit::templates::{encoded, render, Header};
use crate::emit::verify::{readers, Reach, Reader};
use crate::emit::{
    warning, Control, EmitError, EmitWarning, Emitted, emitted_in_memory, Sink, StreamError, Target,
    TargetInfo, Template,
};
use crate::ir::{DomainRule, Ir, Scope, Size};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::sync::Arc;

pub struct Suricata;

/// msgpol's sids: 1,000,000,000 to 1,999,999,999, above the ranges local rules and rule vendors
/// conventionally take (1,000,000–1,999,999 local, 2,000,000–2,999,999 Emerging Threats) and
/// below 2^31.
const FIRST_SID: u32 = 1_000_000_000;
const SIDS: u64 = 1_000_000_000;

/// The sids of one file. A rule's sid comes from what it is (its kind, buffer and content with
/// its scope), not from its place in the file: an operator suppresses or thresholds a noisy
/// rule by sid, and a sid that moved when a channel was added would silence another rule.
struct Sids(HashSet<u32>);

impl Sids {
    /// Room for `rules` sids.
    fn for_rules(rules: usize) -> Self {
        Sids(HashSet::with_capacity(rules))
    }

    /// The sid of the rule that `parts` spell, one after the other.
    fn of(&mut self, parts: &[&str]) -> u32 {
        let digest = parts
            .iter()
            .fold(Sha256::new(), |hash, part| hash.chain_update(part))
            .finalize();
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

/// How a rule matches its name: the content, and the options before and after it.
fn scoped(rule: &DomainRule) -> (String, &'static str, &'static str) {
    match rule.scope {
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
    }
}

/// Write the rules of `rules` (`banned` or `monitored`), two a name (DNS and TLS), each name
/// through the DNS-name encoder and each channel list through the `msg` encoder (once for a
/// run of rules that share it).
fn write_rules(
    out: &mut dyn Write,
    rules: &[DomainRule],
    kind: &'static str,
    sids: &mut Sids,
) -> Result<(), StreamError> {
    // A rule is written in many small pieces: they are gathered before they reach the sink.
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut last: Option<(&[Arc<str>], String)> = None;
    for rule in rules {
        let (content, before, after) = scoped(rule);
        let content = encode::dns_name(&content)
            .map_err(|e| render_failed(INFO.name, e.0))?;
        let msg = match &last {
            Some((list, msg)) if std::ptr::eq(*list, &*rule.channels) => msg,
            _ => {
                let msg = encode::suricata_msg(&rule.channels.join(", "));
                &last.insert((&rule.channels, msg)).1
            }
        };
        for (protocol, buffer) in [("dns", "dns.query"), ("tls", "tls.sni")] {
            let sid = sids.of(&[kind, " ", buffer, " ", before, content, after]);
            writeln!(
                out,
                "alert {protocol} $HOME_NET any -> any any (msg:\"msgpol {kind}: {msg}\"; \
                 {buffer}; {before}{content}{after} classtype:policy-violation; sid:{sid}; rev:1;)"
            )?;
        }
    }
    out.flush()?;
    Ok(())
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

/// Where the rules go in the rendered template. NUL never appears in a rendered policy string
/// (the syntax stage rejects control characters), so the marker cannot be forged.
const RULES: &str = "\0rules\0";

impl Target for Suricata {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        emitted_in_memory(self, ir)
    }
    fn emit_to(&self, ir: &Ir, sink: &mut dyn Sink) -> Result<Vec<EmitWarning>, EmitError> {
        let context = minijinja::context! {
            rules => encoded(RULES.to_string()),
            ..Header::value(ir),
        };
        let text = render(&TEMPLATE, context)?;
        let (head, tail) = text
            .split_once(RULES)
            .ok_or_else(|| render_failed(INFO.name, "the template has no rules marker".into()))?;
        sink.file("msgpol.rules", &mut |out| {
            let rules = ir.enforcement.dns_block.len() + ir.enforcement.dns_monitor.len();
            let mut sids = Sids::for_rules(2 * rules);
            out.write_all(head.as_bytes())?;
            write_rules(out, &ir.enforcement.dns_block, "banned", &mut sids)?;
            write_rules(out, &ir.enforcement.dns_monitor, "monitored", &mut sids)?;
            out.write_all(tail.as_bytes())?;
            Ok(())
        })?;
        let mut warnings = Vec::new();
        let carve_outs = ir.enforcement.dns_allow.len();
        if carve_outs > 0 {
            warnings.push(warning::cannot_express(
                self.name(),
                carve_outs,
                "carve-outs cannot be written: the alerts on a banned domain also fire for the names carved out of it (a `pass` rule would stop every ruleset inspecting those flows)",
            ));
        }
        Ok(warnings)
    }
}
