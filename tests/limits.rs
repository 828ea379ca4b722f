//! msgpol's size limits, at the limit and one past it: a browser list over 1,000 entries
//! (E307). Past a limit the build fails with a coded error and help, exits non-zero, panics
//! nowhere and writes nothing.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

fn msgpol() -> Command {
    let mut cmd = Command::cargo_bin("msgpol").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .arg("--today")
        .arg(common::TODAY);
    cmd
}

/// The names in a directory, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A policy in `dir` whose banned tier blocks in browsers the `count` names of a channel's
/// `feed domains` (each name with its subdomains: one Chrome entry, two Firefox patterns),
/// beside an approved channel.
fn browser_feed_policy(dir: &Path, count: usize) -> PathBuf {
    let feed: String = (0..count)
        .map(|i| format!("site{i:04}.example\n"))
        .collect();
    fs::write(dir.join("big.txt"), feed).unwrap();
    let policy = dir.join("policy.msgpol");
    fs::write(
        &policy,
        "policy \"Limits\" {\n  organisation \"O\"\n  size large\n  version \"1\"\n  effective 2026-01-01\n  owner \"o@example.org\"\n  support \"IT\"\n  briefing every 6 months\n}\nimport std.classes\nchannel suite {\n  media text\n  mfa\n  domains \"suite.example.org\"\n}\nchannel big {\n  media text\n  feed domains \"big.txt\"\n}\ntier approved {\n  channels suite\n  allows up to internal\n  requires mfa\n}\ntier banned {\n  channels big\n  allows nothing\n  block dns, browser\n}\n",
    )
    .unwrap();
    policy
}

/// Build `targets` of the policy into `dir/out`; the command's assertion.
fn build(dir: &Path, policy: &Path, targets: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = msgpol();
    cmd.arg("build")
        .arg(policy)
        .arg("--out")
        .arg(dir.join("out"));
    for target in targets {
        cmd.args(["--target", target]);
    }
    cmd.assert()
}

/// The length of the JSON array at `pointer` in a built file.
fn list_len(file: &Path, pointer: &str) -> usize {
    let json: serde_json::Value = serde_json::from_slice(&fs::read(file).unwrap()).unwrap();
    json.pointer(pointer)
        .and_then(|v| v.as_array())
        .unwrap_or_else(|| panic!("no array at {pointer} in {}", file.display()))
        .len()
}

#[test]
fn browser_lists_of_exactly_1000_entries_are_built() {
    let dir = tempfile::tempdir().unwrap();
    let policy = browser_feed_policy(dir.path(), 1000);
    build(dir.path(), &policy, &["chrome"]).code(0);
    let chrome = dir.path().join("out/chrome/msgpol.json");
    assert_eq!(list_len(&chrome, "/URLBlocklist"), 1000);

    let dir = tempfile::tempdir().unwrap();
    let policy = browser_feed_policy(dir.path(), 500);
    build(dir.path(), &policy, &["firefox"]).code(0);
    let firefox = dir.path().join("out/firefox/policies.json");
    assert_eq!(list_len(&firefox, "/policies/WebsiteFilter/Block"), 1000);
}

/// The diagnostics of a command run with `--error-format json`, which prints them to stdout.
fn json_errors(assert: &assert_cmd::assert::Assert) -> Vec<serde_json::Value> {
    let output = assert.get_output();
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "{output:?}"
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {output:?}"))
}

#[test]
fn a_browser_list_past_1000_entries_is_e307_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let policy = browser_feed_policy(dir.path(), 1001);
    let help = "block long lists (feeds) with a DNS target such as dnsmasq, unbound or rpz, and keep `block browser` for the channels' own web apps";
    for (targets, message) in [
        (
            &["chrome"][..],
            "the `chrome` block list would hold 1001 entries; the browser accepts at most 1000",
        ),
        (
            &["firefox"][..],
            "the `firefox` block list would hold 2002 entries; the browser accepts at most 1000",
        ),
        // Both: the first failing target in target order is reported, and neither is written.
        (
            &["chrome", "firefox"][..],
            "the `chrome` block list would hold 1001 entries; the browser accepts at most 1000",
        ),
    ] {
        let mut cmd = msgpol();
        cmd.args(["--error-format", "json", "build"])
            .arg(&policy)
            .arg("--out")
            .arg(dir.path().join("out"));
        for target in targets {
            cmd.args(["--target", target]);
        }
        let assert = cmd.assert().code(2);
        let errors = json_errors(&assert);
        assert_eq!(errors.len(), 1, "{targets:?}: {errors:?}");
        assert_eq!(errors[0]["code"], "E307", "{targets:?}");
        assert_eq!(errors[0]["severity"], "error", "{targets:?}: {errors:?}");
        assert_eq!(errors[0]["message"], message, "{targets:?}");
        assert_eq!(errors[0]["help"], help, "{targets:?}");
        assert_eq!(
            listing(dir.path()),
            ["big.txt", "policy.msgpol"],
            "{targets:?}: no output and no temporary directory is left"
        );
    }
    // As people read it, with its code and help.
    build(dir.path(), &policy, &["chrome"]).code(2).stderr(
        predicate::str::contains("E307")
            .and(predicate::str::contains("the browser accepts at most 1000"))
            .and(predicate::str::contains("help: block long lists (feeds)")),
    );
    // The DNS targets take the same feed: the limit is the browsers' alone.
    build(dir.path(), &policy, &["unbound", "rpz"]).code(0);
}
