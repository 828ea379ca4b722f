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
