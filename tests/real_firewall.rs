//! Network targets checked by the programs that consume them: `nft -c -f` and the ruleset
//! loaded inside a fresh network namespace with its sets listed back, `ipset restore` likewise;
//! pf and PowerShell have no Linux checker, so their grammar and quoting are tested here.

mod common;

use msgpol::ir::Ir;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn policies() -> Vec<PathBuf> {
    let mut list = common::examples();
    list.push(common::root().join("tests/fixtures/ok/normalisation.msgpol"));
    list
}

/// Build a target that writes one file: the IR and that file.
fn build(policy: &Path, target: &str, dir: &Path) -> (Ir, PathBuf) {
    let (ir, mut paths) = common::emit_target(policy, target, dir);
    assert_eq!(paths.len(), 1);
    (ir, paths.remove(0))
}

fn networks(ir: &Ir, v6: bool) -> Vec<String> {
    ir.enforcement
        .firewall_block
        .iter()
        .filter(|r| r.network.v6 == v6)
        .map(|r| r.network.to_string())
        .collect()
}

#[test]
fn nftables_ruleset_loads_and_lists_the_banned_networks() {
    if !common::require_tool("nft") {
        return;
    }
    for policy in policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, file) = build(&policy, "nftables", dir.path());
        let (ok, text) = common::run(Command::new("nft").arg("-c").arg("-f").arg(&file));
        assert!(ok, "{}: {text}", policy.display());
        if !common::can_unshare("-n") {
            continue;
        }
        // Loaded twice: reloading must replace the table, not fail or duplicate it.
        let script = format!(
            "nft -f {0} && nft -f {0} && nft -j list ruleset",
            file.display()
        );
        let (ok, text) = common::run(Command::new("unshare").args(["-n", "sh", "-c", &script]));
        assert!(ok, "{}: {text}", policy.display());
        let listed: serde_json::Value = serde_json::from_str(&text).unwrap();
        for (set, v6) in [("banned_v4", false), ("banned_v6", true)] {
            let elements: Vec<String> = listed["nftables"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|item| item["set"]["name"] == set)
                .flat_map(|item| item["set"]["elem"].as_array().cloned().unwrap_or_default())
                .map(|e| match &e["prefix"] {
                    serde_json::Value::Object(p) => {
                        format!("{}/{}", p["addr"].as_str().unwrap(), p["len"])
                    }
                    _ => e
                        .as_str()
                        .map(|a| format!("{a}/{}", if v6 { 128 } else { 32 }))
                        .unwrap(),
                })
                .collect();
            let mut want = networks(&ir, v6);
            let mut got = elements;
            want.sort();
            got.sort();
            assert_eq!(got, want, "{set} of {}", policy.display());
        }
    }
}

/// Everything in a `nft -j list ruleset` listing but the msgpol table and what it holds.
fn without_msgpol_table(listing: &str) -> Vec<serde_json::Value> {
    let listed: serde_json::Value = serde_json::from_str(listing).unwrap();
    listed["nftables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| {
            let object = item.as_object().unwrap().values().next().unwrap();
            let table = if item.get("table").is_some() {
                &object["name"]
            } else {
                &object["table"]
            };
            !(object["family"] == "inet" && table == "msgpol")
        })
        .cloned()
        .collect()
}

/// Loading msgpol's file (twice, as a rebuild would) onto a machine with rulesets of its own
/// touches nothing but the `inet msgpol` table: the other tables, a table named `msgpol` in
/// another family, their chains, sets and rules are listed exactly as before.
#[test]
fn nftables_ruleset_leaves_other_tables_alone() {
    if !common::require_tool("nft") || !common::can_unshare("-n") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = build(
        &common::root().join("examples/medium-org.msgpol"),
        "nftables",
        dir.path(),
    );
    let foreign = dir.path().join("foreign.nft");
    fs::write(
        &foreign,
        "table inet filter {\n\
         \tset admins { type ipv4_addr; elements = { 192.0.2.10 } }\n\
         \tchain input { type filter hook input priority 0; policy accept; ip saddr @admins tcp dport 22 accept; }\n\
         \tchain output { type filter hook output priority 0; policy accept; ip daddr 198.51.100.0/24 drop; }\n\
         }\n\
         table ip msgpol {\n\
         \tchain forward { type filter hook forward priority 10; policy accept; ip daddr 203.0.113.7 drop; }\n\
         }\n\
         table ip nat {\n\
         \tchain postrouting { type nat hook postrouting priority 100; oifname \"eth9\" masquerade; }\n\
         }\n",
    )
    .unwrap();
    let script = format!(
        "nft -f {foreign} && nft -j list ruleset && echo '---' && nft -f {0} && nft -f {0} && nft -j list ruleset",
        file.display(),
        foreign = foreign.display(),
    );
    let (ok, text) = common::run(Command::new("unshare").args(["-n", "sh", "-c", &script]));
    assert!(ok, "{text}");
    let (before, after) = text.split_once("\n---\n").unwrap();
    let after_ours = without_msgpol_table(after.trim());
    assert_eq!(without_msgpol_table(before.trim()), after_ours);
    // The foreign tables are really there (the comparison is not of two empty lists), and
    // msgpol's table was loaded beside them.
    assert!(after_ours.len() >= 8, "{after}");
    assert!(after.contains("\"banned_v4\""), "{after}");
}

#[test]
fn ipset_restore_loads_the_banned_networks() {
    if !common::require_tool("ipset") || !common::can_unshare("-n") {
        return;
    }
    for policy in policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, file) = build(&policy, "ipset", dir.path());
        let script = format!(
            "ipset restore -exist -f {0} && ipset restore -exist -f {0} && ipset save",
            file.display()
        );
        let (ok, text) = common::run(Command::new("unshare").args(["-n", "sh", "-c", &script]));
        assert!(ok, "{}: {text}", policy.display());
        for (set, v6) in [("msgpol-banned4", false), ("msgpol-banned6", true)] {
            let mut got: Vec<String> = text
                .lines()
                .filter_map(|l| l.strip_prefix(&format!("add {set} ")))
                .map(|n| {
                    if n.contains('/') {
                        n.to_string()
                    } else {
                        format!("{n}/{}", if v6 { 128 } else { 32 })
                    }
                })
                .collect();
            let mut want = networks(&ir, v6);
            got.sort();
            want.sort();
            assert_eq!(got, want, "{set} of {}", policy.display());
        }
    }
}

/// Restoring msgpol's file (twice) beside sets of other owners leaves them as they were: it
/// creates, flushes and fills only `msgpol-banned4` and `msgpol-banned6`.
#[test]
fn ipset_restore_leaves_other_sets_alone() {
    if !common::require_tool("ipset") || !common::can_unshare("-n") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = build(
        &common::root().join("examples/medium-org.msgpol"),
        "ipset",
        dir.path(),
    );
    let foreign = dir.path().join("foreign.ipset");
    fs::write(
        &foreign,
        "create admins hash:ip family inet\nadd admins 192.0.2.10\n\
         create msgpol-banned hash:net family inet\nadd msgpol-banned 198.51.100.0/24\n\
         create blocked6 hash:net family inet6\nadd blocked6 2001:db8::/32\n",
    )
    .unwrap();
    let others = "ipset save admins && ipset save msgpol-banned && ipset save blocked6";
    let script = format!(
        "ipset restore -f {foreign} && {others} && echo '---' && \
         ipset restore -exist -f {0} && ipset restore -exist -f {0} && {others}",
        file.display(),
        foreign = foreign.display(),
    );
    let (ok, text) = common::run(Command::new("unshare").args(["-n", "sh", "-c", &script]));
    assert!(ok, "{text}");
    let (before, after) = text.split_once("---\n").unwrap();
    assert_eq!(before, after);
    assert!(before.contains("add admins 192.0.2.10"), "{before}");
}

#[test]
fn pf_fragment_follows_the_pf_grammar() {
    for policy in policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, file) = build(&policy, "pf", dir.path());
        let text = fs::read_to_string(file).unwrap();
        let rules: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        assert_eq!(rules.len(), 2, "{text}");
        let table = rules[0]
            .strip_prefix("table <msgpol_banned> persist {")
            .and_then(|r| r.strip_suffix('}'))
            .unwrap_or_else(|| panic!("not a pf table: {}", rules[0]));
        let listed: Vec<String> = table
            .split(',')
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
        let want: Vec<String> = ir
            .enforcement
            .firewall_block
            .iter()
            .map(|r| r.network.to_string())
            .collect();
        assert_eq!(listed, want);
        for n in &listed {
            msgpol::normalize::network::parse(n).unwrap();
        }
        assert_eq!(rules[1], "block drop out quick to <msgpol_banned>");
    }
}

/// Every argument of every command is a bare switch or a single-quoted string with quotes
/// doubled: nothing a policy says can end a string and start a command.
#[test]
fn windows_firewall_script_quotes_every_value() {
    use msgpol::ir::Enforcement;
    let mut policies = policies();
    policies.push(common::root().join("tests/fixtures/ok/endpoint.msgpol"));
    for policy in policies {
        let dir = tempfile::tempdir().unwrap();
        let (ir, file) = build(&policy, "windows-firewall", dir.path());
        let text = fs::read_to_string(file).unwrap();
        let rules: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("New-NetFirewallRule"))
            .collect();
        let blocked_by = |how| common::channels(&ir, |t| t.block.contains(&how));
        let networks = blocked_by(Enforcement::Firewall)
            .iter()
            .filter(|c| !c.endpoints.networks.is_empty())
            .count();
        let programs: usize = blocked_by(Enforcement::Endpoint)
            .iter()
            .map(|c| c.endpoints.windows_path.len())
            .sum();
        assert_eq!(
            rules
                .iter()
                .filter(|r| r.contains("-RemoteAddress"))
                .count(),
            networks,
            "one rule per channel blocked by network"
        );
        assert_eq!(
            rules.iter().filter(|r| r.contains("-Program")).count(),
            programs,
            "one rule per program of a channel blocked on endpoints"
        );
        assert_eq!(rules.len(), networks + programs);
        for rule in rules {
            // Remove the quoted strings (with '' inside them); what is left must be plain syntax.
            let mut outside = String::new();
            let mut in_string = false;
            let mut chars = rule.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, in_string) {
                    ('\'', false) => in_string = true,
                    ('\'', true) if chars.peek() == Some(&'\'') => {
                        chars.next();
                    }
                    ('\'', true) => in_string = false,
                    (c, false) => outside.push(c),
                    _ => {}
                }
            }
            assert!(!in_string, "unterminated string in {rule}");
            assert!(
                outside
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || " -@(),|".contains(c)),
                "unexpected syntax outside strings: {outside}"
            );
        }
    }
}
