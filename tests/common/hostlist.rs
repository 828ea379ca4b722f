//! AdGuard's @adguard/hostlist-compiler (npm, pinned in tests/hostlist/, installed by .ci/run):
//! its Validate transformation drops every rule a DNS-level blocker would reject or that
//! blocks too much (a bad name, an IP address, a whole public suffix, a pattern that is no
//! domain rule).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The rule lines of an adblock list (no comments, no blank lines).
pub fn rules(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('!'))
        .map(String::from)
        .collect()
}

/// hostlist-compiler, installed by `npm ci` in tests/hostlist (.ci/run does it); `None` (a
/// note) outside CI when it is not, a failure in CI.
pub fn compiler() -> Option<PathBuf> {
    if !super::require_tool("node") {
        return None;
    }
    let bin = super::root().join("tests/hostlist/node_modules/.bin/hostlist-compiler");
    if bin.is_file() {
        return Some(bin);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("tests/hostlist/node_modules is missing: .ci/run installs it with `npm ci`");
    }
    eprintln!("note: run `npm ci` in tests/hostlist to validate the adblock lists; skipping");
    None
}

/// The rules Validate keeps of each list, in one run of `compiler` (in `work`, a folder of the
/// caller's). A control list whose rules Validate must drop (a public suffix, an IP address, a
/// name with a space, a modifier a DNS blocker does not support) and one good rule it keeps
/// goes with them, so that a silent no-op cannot pass.
pub fn validated(compiler: &Path, lists: &[&Path], work: &Path) -> Vec<Vec<String>> {
    let control = work.join("control.txt");
    fs::write(
        &control,
        "||org^\n||192.168.0.1^\n||a b.example^\n||ads.example^$third-party\n||kept.example^\n",
    )
    .unwrap();
    // Each list a source of its own with Validate: the output has a section per source.
    let sources: Vec<serde_json::Value> = lists
        .iter()
        .copied()
        .chain([control.as_path()])
        .map(|path| {
            serde_json::json!({
                "source": path,
                "type": "adblock",
                "transformations": ["Validate"],
            })
        })
        .collect();
    let config = work.join("hostlist.json");
    fs::write(
        &config,
        serde_json::to_vec(&serde_json::json!({ "name": "msgpol", "sources": sources })).unwrap(),
    )
    .unwrap();
    let output = work.join("compiled.txt");
    let (ok, log) = super::run(
        Command::new(compiler)
            .arg("-c")
            .arg(&config)
            .arg("-o")
            .arg(&output)
            .env("HOME", work),
    );
    assert!(ok, "hostlist-compiler failed:\n{log}");
    let compiled = fs::read_to_string(&output).unwrap();
    let section = |path: &Path| -> Vec<String> {
        let marker = format!("! Source: {}\n", path.display());
        let rest = compiled
            .split(&marker)
            .nth(1)
            .unwrap_or_else(|| panic!("no section for {}:\n{compiled}", path.display()));
        rules(rest.split("! Source: ").next().unwrap())
    };
    assert_eq!(
        section(&control),
        ["||kept.example^"],
        "Validate did not run"
    );
    lists.iter().map(|list| section(list)).collect()
}
