//! The `chrome` target in a real headless Chromium (Debian `chromium`, installed by .ci/run):
//! with the generated policy in /etc/chromium/policies/managed/, banned names are refused with
//! ERR_BLOCKED_BY_ADMINISTRATOR before any network access, and approved and carved-out names
//! are not (they fail only because this machine has no network). The `firefox` target's
//! patterns are checked against the WebExtension match-pattern grammar (no Firefox here).

mod common;

use msgpol::ir::Ir;
use msgpol::normalize::domain::Scope;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

const POLICY_DIR: &str = "/etc/chromium/policies/managed";

/// Removes the installed policy when the test ends, also on panic.
struct InstalledPolicy(PathBuf);
impl Drop for InstalledPolicy {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

fn policies() -> Vec<PathBuf> {
    vec![
        common::root().join("examples/large-enterprise.msgpol"),
        common::root().join("tests/fixtures/ok/browser.msgpol"),
    ]
}

/// How Chromium ends loading `url`: the net error of a failed load ("ERR_…"), or "loaded".
fn load(url: &str, profile: &std::path::Path) -> String {
    let (_, text) = common::run(
        Command::new("chromium")
            .args(common::CHROMIUM_FLAGS)
            .arg("--dump-dom")
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(url),
    );
    match text.split("Page load failed: net::").nth(1) {
        Some(rest) => rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
            .collect(),
        None => "loaded".to_string(),
    }
}

/// (url, refused?) pairs: a few blocked names and a subdomain under each that covers them,
/// names under exact blocks and the carve-outs (not refused).
fn probes(ir: &Ir) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for rule in ir.enforcement.browser_block.iter().take(4) {
        if rule.scope.covers_apex() {
            out.push((format!("https://{}/", rule.name), true));
        }
        out.push((
            format!("https://msgpol-probe.{}/", rule.name),
            rule.scope.covers_subdomains(),
        ));
    }
    for rule in ir.enforcement.browser_allow.iter().take(2) {
        out.push((format!("https://{}/", rule.name), false));
    }
    out
}

#[test]
fn chromium_refuses_banned_names_and_only_those() {
    if !common::require_tool("chromium") {
        return;
    }
    fs::create_dir_all(POLICY_DIR).unwrap();
    for policy in policies() {
        let ir = common::ir(&policy);
        assert!(
            !ir.enforcement.browser_block.is_empty(),
            "{} blocks nothing in browsers",
            policy.display()
        );
        let file = msgpol::emit::find_target("chrome")
            .unwrap()
            .emit(&ir)
            .unwrap()
            .files
            .remove(0);
        let installed = InstalledPolicy(
            PathBuf::from(POLICY_DIR).join(format!("msgpol-test-{}.json", std::process::id())),
        );
        fs::write(&installed.0, &file.contents).unwrap();
        let profile = tempfile::tempdir().unwrap();
        for (url, refused) in probes(&ir) {
            let outcome = load(&url, profile.path());
            if refused {
                assert_eq!(
                    outcome,
                    "ERR_BLOCKED_BY_ADMINISTRATOR",
                    "{url} in {}",
                    policy.display()
                );
            } else {
                assert_ne!(
                    outcome,
                    "ERR_BLOCKED_BY_ADMINISTRATOR",
                    "{url} in {}",
                    policy.display()
                );
            }
        }
        drop(installed);
    }
}

#[test]
fn firefox_patterns_are_match_patterns_with_the_right_scope() {
    for policy in policies() {
        let ir = common::ir(&policy);
        let file = msgpol::emit::find_target("firefox")
            .unwrap()
            .emit(&ir)
            .unwrap()
            .files
            .remove(0);
        let json: serde_json::Value = serde_json::from_slice(&file.contents).unwrap();
        let filter = &json["policies"]["WebsiteFilter"];
        let host_of = |pattern: &str| -> String {
            let host = pattern
                .strip_prefix("*://")
                .and_then(|p| p.strip_suffix("/*"))
                .unwrap_or_else(|| panic!("not a match pattern: {pattern}"));
            let bare = host.strip_prefix("*.").unwrap_or(host);
            assert!(
                bare.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'.'
                    || b == b'-'),
                "{pattern}"
            );
            host.to_string()
        };
        let blocked: Vec<String> = filter["Block"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| host_of(p.as_str().unwrap()))
            .collect();
        for rule in &ir.enforcement.browser_block {
            assert_eq!(
                blocked.contains(&rule.name.to_string()),
                rule.scope.covers_apex(),
                "{}",
                rule.name
            );
            assert_eq!(
                blocked.contains(&format!("*.{}", rule.name)),
                rule.scope != Scope::Exact,
                "{}",
                rule.name
            );
        }
        assert!(
            filter["Exceptions"].as_array().unwrap().len() >= ir.enforcement.browser_allow.len()
        );
        assert_eq!(json["policies"]["DNSOverHTTPS"]["Enabled"], false);
    }
}
