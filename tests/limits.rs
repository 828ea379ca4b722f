//! msgpol's size limits, at the limit and one past it: a browser list over 1,000 entries
//! (E307) and a file over 64 MiB (E015). Past a limit the build fails with a coded error and
//! help, exits non-zero, panics nowhere and writes nothing.

mod common;

use msgpol::diagnostics::Code;
use predicates::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

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
/// `feed domains` (each name with its subdomains: one Chrome entry, one Firefox pattern),
/// beside an approved channel.
fn browser_feed_policy(dir: &Path, count: usize) -> PathBuf {
    let feed: String = (0..count)
        .map(|i| format!("site{i:04}.example\n"))
        .collect();
    fs::write(dir.join("big.txt"), feed).unwrap();
    let policy = dir.join("policy.msgpol");
    fs::write(
        &policy,
        "policy \"Limits\" {\n  organisation \"O\"\n  size large\n  version \"1\"\n  effective 2026-01-01\n  owner \"o@example.org\"\n  support \"IT\"\n  briefing every 6 months\n}\nimport std.classes\nchannel suite {\n  media text\n  mfa\n  domains \"suite.example.org\"\n}\nchannel big {\n  media text\n  feed domains \"big.txt\"\n}\ntier approved {\n  channels suite\n  allows up to internal\n  requires mfa\n}\ntier banned {\n  channels big\n  allows nothing\n  block dns, browser\n}\nreview suite {\n  reviewed 2026-10-01 by \"security team\"\n  finding \"Vetted\"\n  next 2027-10-01\n}\n",
    )
    .unwrap();
    policy
}

/// Build `targets` of the policy into `dir/out`; the command's assertion.
fn build(dir: &Path, policy: &Path, targets: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = common::msgpol();
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
    build(dir.path(), &policy, &["chrome", "firefox"]).code(0);
    let chrome = dir.path().join("out/chrome/msgpol.json");
    assert_eq!(list_len(&chrome, "/URLBlocklist"), 1000);
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
            "the `firefox` block list would hold 1001 entries; the browser accepts at most 1000",
        ),
        // Both: the first failing target in target order is reported, and neither is written.
        (
            &["chrome", "firefox"][..],
            "the `chrome` block list would hold 1001 entries; the browser accepts at most 1000",
        ),
    ] {
        let mut cmd = common::msgpol();
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

/// A sparse file of `len` bytes (no disk space used: it reads as zeros).
fn sparse(path: &Path, len: u64) {
    fs::File::create(path).unwrap().set_len(len).unwrap();
}

#[test]
fn a_file_over_64_mib_is_e015_without_reading_it_as_a_policy() {
    const LIMIT: u64 = 64 * 1024 * 1024;
    assert_eq!(LIMIT as usize, msgpol::syntax::MAX_FILE_BYTES);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.msgpol");
    sparse(&big, LIMIT + 1);
    for command in ["check", "build"] {
        let mut cmd = common::msgpol();
        cmd.args(["--error-format", "json", command]).arg(&big);
        if command == "build" {
            cmd.arg("--out").arg(dir.path().join("out"));
        }
        let errors = json_errors(&cmd.assert().code(1));
        assert_eq!(errors.len(), 1, "{command}: {errors:?}");
        assert_eq!(errors[0]["code"], "E015");
        assert_eq!(
            errors[0]["message"],
            format!("the file is too large ({} bytes)", LIMIT + 1)
        );
        assert_eq!(errors[0]["location"]["file"], "big.msgpol");
        assert_eq!(
            errors[0]["help"],
            "a policy file may be at most 64 MiB; split it with `import`"
        );
        assert!(
            !dir.path().join("out").exists(),
            "{command} wrote an output"
        );
    }
    common::msgpol()
        .arg("check")
        .arg(&big)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E015").and(predicate::str::contains("big.msgpol")));

    // An imported file and a feed over the limit are refused the same way, by name.
    fs::write(
        dir.path().join("policy.msgpol"),
        "policy \"P\" {\n  organisation \"O\"\n  size small\n  version \"1\"\n  effective 2026-01-01\n  owner \"o@example.org\"\n  support \"IT\"\n  briefing every 6 months\n}\nimport std.classes\nimport \"big.msgpol\"\nchannel chat {\n  media text\n  mfa\n  domains \"chat.example.org\"\n}\nchannel feed {\n  media text\n  feed domains \"big.txt\"\n}\ntier approved {\n  channels chat\n  allows up to internal\n  requires mfa\n}\ntier banned {\n  channels feed\n  allows nothing\n  block dns\n}\n",
    )
    .unwrap();
    sparse(&dir.path().join("big.txt"), LIMIT + 1);
    let compilation = msgpol::compile(&dir.path().join("policy.msgpol"), common::today()).unwrap();
    assert!(compilation.ir.is_none());
    let text = common::rendered(&compilation);
    for file in ["big.msgpol", "big.txt"] {
        assert!(
            text.contains(&format!("[{file}:1:1]")),
            "no E015 names {file}:\n{text}"
        );
    }
    let codes: Vec<Code> = compilation.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::E015, Code::E015], "{text}");

    // At the limit, a file is read as text; one byte more, and it is refused.
    let file = msgpol::source::FileId(0);
    let at = vec![b' '; msgpol::syntax::MAX_FILE_BYTES];
    assert!(msgpol::syntax::decode(file, at).is_ok());
    let over = vec![b' '; msgpol::syntax::MAX_FILE_BYTES + 1];
    let (_, err) = msgpol::syntax::decode(file, over).unwrap_err();
    assert_eq!(msgpol::diagnostics::Diagnostic::from(err).code, Code::E015);
}
