//! The `adblock` target, for every example and every `ok/` fixture. No DNS filter that reads
//! it (AdGuard Home, Pi-hole) is packaged for Debian; AdGuard's own list compiler is:
//! @adguard/hostlist-compiler (npm, pinned in tests/hostlist/, installed by .ci/run), whose
//! Validate transformation drops every rule a DNS-level blocker would reject or that blocks
//! too much (a bad name, an IP address, a whole public suffix, a pattern that is no domain
//! rule). It must keep every rule msgpol writes. Every rule is exactly the form of an IR rule's
//! scope (`||x^`, `|x^`, `||*.x^`, and each with `@@`), one for each rule of `dns_block` and
//! `dns_allow`; and the list, read as AdGuard's DNS filtering syntax documents it, blocks
//! exactly the names the policy blocks.

mod common;

use common::hostlist::{self, rules};

use msgpol::ir::Ir;
use msgpol::ir::Scope;
use std::fs;
use std::path::{Path, PathBuf};

/// The rules the IR calls for: the DoH canaries and `dns_block` as blocks, `dns_allow` as
/// exceptions, each in its scope's form.
fn expected_rules(ir: &Ir) -> Vec<String> {
    let mut rules: Vec<String> = msgpol::emit::targets::DOH_CANARIES
        .iter()
        .map(|c| format!("||{c}^"))
        .collect();
    for (list, prefix) in [
        (&ir.enforcement.dns_block, ""),
        (&ir.enforcement.dns_allow, "@@"),
    ] {
        for rule in list {
            rules.push(match rule.scope {
                Scope::Tree => format!("{prefix}||{}^", rule.name),
                Scope::Exact => format!("{prefix}|{}^", rule.name),
                Scope::Subdomains => format!("{prefix}||*.{}^", rule.name),
            });
        }
    }
    rules.sort();
    rules
}

/// Whether `name` is a lower-case DNS name: labels of 1 to 63 letters, digits and inner
/// hyphens, at least two of them.
fn is_dns_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Each policy with its built adblock list, written under `dir`.
fn build_all(dir: &Path) -> Vec<(PathBuf, Ir, PathBuf)> {
    common::policies()
        .into_iter()
        .enumerate()
        .map(|(i, policy)| {
            let sub = dir.join(i.to_string());
            fs::create_dir(&sub).unwrap();
            let (ir, paths) = common::emit_target(&policy, "adblock", &sub);
            assert_eq!(paths.len(), 1);
            (policy, ir, paths[0].clone())
        })
        .collect()
}

#[test]
fn every_rule_has_its_ir_rules_scope_and_form() {
    let dir = tempfile::tempdir().unwrap();
    for (policy, ir, list) in build_all(dir.path()) {
        let text = fs::read_to_string(&list).unwrap();
        let mut written = rules(&text);
        for rule in &written {
            let pattern = rule.strip_prefix("@@").unwrap_or(rule);
            let name = pattern
                .strip_prefix("||*.")
                .or_else(|| pattern.strip_prefix("||"))
                .or_else(|| pattern.strip_prefix('|'))
                .and_then(|r| r.strip_suffix('^'))
                .unwrap_or_else(|| panic!("{}: not a domain rule: {rule}", policy.display()));
            assert!(is_dns_name(name), "{}: {rule}", policy.display());
        }
        written.sort();
        let before = written.len();
        written.dedup();
        assert_eq!(
            written.len(),
            before,
            "{}: a rule is repeated",
            policy.display()
        );
        assert_eq!(written, expected_rules(&ir), "{}", policy.display());
    }
}

/// Whether a pattern (a rule without `@@`) matches a host name, as AdGuard's DNS filtering
/// syntax defines its special characters (AdGuard DNS Knowledge Base, "DNS filtering rules
/// syntax"): `||` the start of the name or of any of its labels, `|` at the start the start of
/// the name, `*` any characters (none too), `^` the end of the name; with neither `^` nor `|`
/// at the end, the pattern may end anywhere in the name.
fn pattern_matches(pattern: &str, host: &str) -> bool {
    fn from(pattern: &[u8], host: &[u8]) -> bool {
        match pattern.split_first() {
            None => true,
            Some((b'^' | b'|', rest)) => host.is_empty() && rest.is_empty(),
            Some((b'*', rest)) => (0..=host.len()).any(|skip| from(rest, &host[skip..])),
            Some((c, rest)) => host.first() == Some(c) && from(rest, &host[1..]),
        }
    }
    let (starts, body): (Vec<usize>, &str) = if let Some(body) = pattern.strip_prefix("||") {
        let labels = host.match_indices('.').map(|(at, _)| at + 1);
        (std::iter::once(0).chain(labels).collect(), body)
    } else if let Some(body) = pattern.strip_prefix('|') {
        (vec![0], body)
    } else {
        ((0..=host.len()).collect(), pattern)
    };
    starts
        .into_iter()
        .any(|at| from(body.as_bytes(), &host.as_bytes()[at..]))
}

/// Whether a list blocks a host: a blocking rule matches it and no exception (`@@`) does.
fn list_blocks(rules: &[String], host: &str) -> bool {
    let matching = |exception: bool| {
        rules
            .iter()
            .filter(|r| r.starts_with("@@") == exception)
            .any(|r| pattern_matches(r.trim_start_matches("@@"), host))
    };
    matching(false) && !matching(true)
}

#[test]
fn every_list_blocks_what_the_policy_blocks_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    for (policy, ir, list) in build_all(dir.path()) {
        let written = rules(&fs::read_to_string(&list).unwrap());
        let e = &ir.enforcement;
        let mut probes: Vec<(String, bool)> = Vec::new();
        for rule in &e.dns_block {
            probes.push((rule.name.to_string(), rule.scope.covers_apex()));
            let below = format!("{}.{}", common::PROBE, rule.name);
            probes.push((below, rule.scope.covers_subdomains()));
        }
        probes.extend(common::carve_out_probes(
            &e.dns_block,
            &e.dns_allow,
            |scope| scope,
        ));
        for (host, blocked) in probes {
            assert_eq!(
                list_blocks(&written, &host),
                blocked,
                "{}: {host}",
                policy.display()
            );
        }
    }
}

#[test]
fn hostlist_compiler_validate_keeps_every_rule() {
    let Some(compiler) = hostlist::compiler() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let built = build_all(dir.path());
    let lists: Vec<&Path> = built.iter().map(|(_, _, list)| list.as_path()).collect();
    let kept = hostlist::validated(&compiler, &lists, dir.path());
    for ((policy, _, list), kept) in built.iter().zip(kept) {
        let written = rules(&fs::read_to_string(list).unwrap());
        assert_eq!(
            kept,
            written,
            "{}: Validate dropped rules",
            policy.display()
        );
    }
}

/// AdGuard's hostlist-compiler drops every rule whose pattern holds `_` (Validate allows
/// letters, digits, `-`, `.` and the special characters), so where a list passes through it a
/// blocked name with `_` stays open and a carve-out of one is lost (the name stays blocked).
/// The list still holds those rules (AdGuard Home reads them), and the build says what
/// hostlist-compiler would do with them (W308), one warning for the blocks and one for the
/// carve-outs, counting exactly the rules the real compiler drops.
#[test]
fn rules_hostlist_compiler_drops_are_a_declared_limit() {
    let ir = common::ir_of_text(
        r#"policy "Underscores" {
  organisation "Acme Ltd"
  size small
  version "1"
  effective 2026-01-01
  owner "security@acme.example"
  support "IT desk"
  briefing every 6 months
}
import std.classes
channel voice "Voice" {
  media text, voice
  e2ee
  mfa
  hosts "_sip._tls.chat.example", "_xmpp.voice.example"
}
channel chat "Chat" {
  media text
  domains "chat.example", "_sip._udp.other.example", "banned.example"
}
tier approved "Approved" {
  channels voice
  allows up to confidential
  requires mfa
}
tier banned "Banned" {
  channels chat
  allows nothing
  block dns
  carve-out voice
}
"#,
    );
    let emitted = msgpol::emit::find_target("adblock")
        .unwrap()
        .emit(&ir)
        .unwrap();
    let limits: Vec<&str> = emitted
        .warnings
        .iter()
        .filter(|w| w.code() == msgpol::diagnostics::Code::W308)
        .map(|w| w.message())
        .collect();
    assert_eq!(limits.len(), 2, "{limits:?}");
    assert!(
        limits[0].contains("hostlist-compiler") && limits[0].contains("stay open (1 rule)"),
        "{limits:?}"
    );
    assert!(
        limits[1].contains("hostlist-compiler") && limits[1].contains("stay blocked (1 rule)"),
        "{limits:?}"
    );
    let written = rules(std::str::from_utf8(&emitted.files[0].contents).unwrap());
    assert!(written.contains(&"||_sip._udp.other.example^".to_string()));
    assert!(written.contains(&"@@|_sip._tls.chat.example^".to_string()));
    let Some(compiler) = hostlist::compiler() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("msgpol.txt");
    fs::write(&list, &emitted.files[0].contents).unwrap();
    let kept = hostlist::validated(&compiler, &[&list], dir.path()).remove(0);
    let dropped: Vec<&String> = written.iter().filter(|r| !kept.contains(r)).collect();
    assert_eq!(
        dropped,
        ["||_sip._udp.other.example^", "@@|_sip._tls.chat.example^"],
        "the rules hostlist-compiler drops are the ones the warnings count"
    );
}
