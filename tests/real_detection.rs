//! The `suricata` target parsed by a real rule parser (PyPI `suricataparser`, installed by
//! .ci/run): every line is a rule, sids are unique, and every banned and monitored name has a
//! DNS and a TLS rule with the modifiers of its scope.

mod common;

use std::fs;
use std::process::Command;

const PARSER: &str = r##"
import json, sys
from suricataparser import parse_rule
rules = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    rule = parse_rule(line)
    if rule is None:
        print("UNPARSED", line)
        sys.exit(1)
    options = {o.name: o.value for o in rule.options}
    rules.append({"sid": rule.sid, "action": rule.action, "header": rule.header, "msg": rule.msg,
                  "options": [o.name for o in rule.options], "content": options.get("content")})
print(json.dumps(rules))
"##;

#[test]
fn suricata_rules_parse_and_cover_every_name() {
    if !common::require_python_module("suricataparser", "suricataparser") {
        return;
    }
    let mut policies = common::examples();
    policies.push(common::root().join("tests/fixtures/ok/normalisation.msgpol"));
    for policy in policies {
        let ir = common::ir(&policy);
        let file = common::first_file(&ir, "suricata");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(&file.path);
        fs::write(&path, &file.contents).unwrap();
        let out = Command::new("python3")
            .arg("-c")
            .arg(PARSER)
            .arg(&path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {stdout}{}",
            policy.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let rules: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
        let expected = (ir.enforcement.dns_block.len() + ir.enforcement.dns_monitor.len()) * 2;
        assert_eq!(rules.len(), expected, "{}", policy.display());
        let mut sids: Vec<String> = rules.iter().map(|r| r["sid"].to_string()).collect();
        sids.sort();
        sids.dedup();
        assert_eq!(sids.len(), rules.len(), "sids are unique");
        for (list, kind) in [
            (&ir.enforcement.dns_block, "banned"),
            (&ir.enforcement.dns_monitor, "monitored"),
        ] {
            for rule in list.iter() {
                let content = match rule.scope {
                    msgpol::ir::Scope::Exact => format!("\"{}\"", rule.name),
                    _ => format!("\".{}\"", rule.name),
                };
                for buffer in ["dns.query", "tls.sni"] {
                    let found = rules.iter().find(|r| {
                        r["content"] == content.as_str()
                            && r["msg"].as_str().unwrap().contains(kind)
                            && r["options"].as_array().unwrap().iter().any(|o| o == buffer)
                    });
                    let found = found.unwrap_or_else(|| {
                        panic!("no {buffer} rule for {} in {}", rule.name, policy.display())
                    });
                    let options: Vec<&str> = found["options"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|o| o.as_str().unwrap())
                        .collect();
                    assert_eq!(
                        options.contains(&"dotprefix"),
                        rule.scope == msgpol::ir::Scope::Tree
                    );
                    assert_eq!(
                        options.contains(&"startswith"),
                        rule.scope == msgpol::ir::Scope::Exact
                    );
                    assert!(options.contains(&"endswith") && options.contains(&"nocase"));
                }
            }
        }
    }
}

/// Each rule's sid, keyed by the rule without its sid (its kind, buffer and content).
fn sids(policy: &str) -> std::collections::BTreeMap<String, String> {
    let ir = common::ir_of_text(policy);
    let file = common::first_file(&ir, "suricata");
    let text = String::from_utf8(file.contents).unwrap();
    text.lines()
        .filter(|l| l.starts_with("alert"))
        .map(|l| {
            let (rule, sid) = l.split_once(" sid:").unwrap();
            let msg_end = rule.find("\"; ").unwrap();
            let kind = if rule[..msg_end].contains("banned") {
                "banned"
            } else {
                "monitored"
            };
            (format!("{kind} {}", &rule[msg_end..]), sid.to_string())
        })
        .collect()
}

/// An operator suppresses or thresholds a noisy rule by its sid (`threshold.config`): when a
/// channel was added, every later rule moved to another sid, so the suppression silenced
/// another channel's alerts. A rule keeps its sid whatever else the policy adds or removes.
#[test]
fn a_rule_keeps_its_sid_when_channels_are_added() {
    let policy = |extra: &str| {
        format!(
            r#"policy "Sids" {{
  organisation "O"
  size large
  version "1"
  effective 2026-01-01
  owner "security@example.org"
  support "desk"
  briefing every 6 months
}}
import std.classes
channel ok "Ok" {{
  media text
  e2ee
  mfa
  domains "ok.example"
}}
channel chat "Chat" {{
  media text
  domains "chat.example", "*.cdn.chat-cdn.example"
  hosts "api.chat-api.example"
}}
channel watched "Watched" {{
  media text
  domains "watched.example"
}}
{extra}
tier approved "Approved" {{
  channels ok
  allows up to confidential
}}
tier limited "Limited" {{
  channels watched
  allows up to public
  monitor
}}
tier banned "Banned" {{
  channels chat{}
  allows nothing
  block dns
}}
review ok {{
  reviewed 2026-10-01 by "security team"
  finding "Vetted"
  next 2027-10-01
}}
"#,
            if extra.is_empty() { "" } else { ", aardvark" }
        )
    };
    let before = sids(&policy(""));
    let after = sids(&policy(
        "channel aardvark \"Aardvark\" {\n  media text\n  domains \"aaa.example\", \"0.example\"\n}\n",
    ));
    assert_eq!(before.len(), 8, "{before:?}");
    assert_eq!(after.len(), 12, "{after:?}");
    for (rule, sid) in &before {
        assert_eq!(after.get(rule), Some(sid), "{rule}");
    }
}
