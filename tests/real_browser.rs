//! The browser targets in real headless browsers.
//!
//! `chrome`: Chromium (Debian `chromium`, installed by .ci/run), with the generated policy in
//! /etc/chromium/policies/managed/: banned names, and the banned names around each carve-out,
//! are refused with ERR_BLOCKED_BY_ADMINISTRATOR before any network access, and approved and
//! carved-out names are not (they fail only because this machine has no network).
//!
//! `firefox`: Firefox ESR (Debian `firefox-esr`, installed by .ci/run), driven by
//! tests/a11y/load.js (puppeteer-core over WebDriver BiDi), from a private copy of its
//! installation whose `distribution/policies.json` is the generated file; every name resolves
//! to a local server: banned names end on Firefox's "blocked by your organization" error page
//! (about:neterror?e=blockedByPolicy), and approved and carved-out names load the server's
//! page. The patterns are also checked against the WebExtension match-pattern grammar.
//!
//! Both browsers also decide every name as the readers that verify each build say they do
//! (`msgpol::emit::verify::readers::{chrome, firefox}`): on the generated policies, and on
//! policies written here to test the precedence rules the readers implement.

mod common;

use msgpol::emit::verify::{readers, Effect, NameIndex, Read};
use msgpol::emit::OutputFile;
use msgpol::ir::Ir;
use msgpol::ir::Scope;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

const POLICY_DIR: &str = "/etc/chromium/policies/managed";

/// Chromium reads every file in `POLICY_DIR`: one test at a time installs its policy there.
static POLICY_DIR_IN_USE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The only policy file in `POLICY_DIR` while it lives; removed when the test ends, also on
/// panic.
struct InstalledPolicy {
    path: PathBuf,
    _in_use: std::sync::MutexGuard<'static, ()>,
}

impl InstalledPolicy {
    /// Installs `contents` as Chromium's managed policy. A file left by a test run that was
    /// killed would be merged with it, so those go first, and any other file fails the test.
    fn new(contents: &[u8]) -> Self {
        let in_use = POLICY_DIR_IN_USE.lock().unwrap_or_else(|e| e.into_inner());
        fs::create_dir_all(POLICY_DIR).unwrap();
        for entry in fs::read_dir(POLICY_DIR).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.starts_with("msgpol-test-"),
                "{} would be merged with the policy under test",
                path.display()
            );
            fs::remove_file(&path).unwrap();
        }
        let path =
            PathBuf::from(POLICY_DIR).join(format!("msgpol-test-{}.json", std::process::id()));
        fs::write(&path, contents).unwrap();
        InstalledPolicy {
            path,
            _in_use: in_use,
        }
    }
}

impl Drop for InstalledPolicy {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn policies() -> Vec<PathBuf> {
    vec![
        common::root().join("examples/large-enterprise.msgpol"),
        common::root().join("tests/fixtures/ok/browser.msgpol"),
        common::root().join("tests/fixtures/ok/carve-out-scopes.msgpol"),
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

/// (host, blocked?) pairs: a few blocked rules' names and a name under each, blocked as far as
/// the rule's scope reaches, and what the carve-outs ask of the names around them, where a
/// carve-out of a scope opens `opens(scope)` (more than the scope where the build warns so).
fn probes(ir: &Ir, opens: fn(Scope) -> Scope) -> Vec<(String, bool)> {
    let e = &ir.enforcement;
    let mut out = Vec::new();
    for rule in e.browser_block.iter().take(4) {
        out.push((rule.name.to_string(), rule.scope.covers_apex()));
        out.push((
            format!("{}.{}", common::PROBE, rule.name),
            rule.scope.covers_subdomains(),
        ));
    }
    out.extend(common::carve_out_probes(
        &e.browser_block,
        &e.browser_allow,
        opens,
    ));
    out
}

#[test]
fn chromium_refuses_banned_names_and_only_those() {
    if !common::require_tool("chromium") {
        return;
    }
    for policy in policies() {
        let ir = common::ir(&policy);
        assert!(
            !ir.enforcement.browser_block.is_empty(),
            "{} blocks nothing in browsers",
            policy.display()
        );
        let file = common::first_file(&ir, "chrome");
        let installed = InstalledPolicy::new(&file.contents);
        let profile = tempfile::tempdir().unwrap();
        let reader = reading(readers::chrome::read, &file.path, &file.contents);
        for (host, refused) in probes(&ir, |scope| scope) {
            let url = format!("https://{host}/");
            let outcome = load(&url, profile.path());
            assert_eq!(
                reader(&host),
                outcome == "ERR_BLOCKED_BY_ADMINISTRATOR",
                "the chrome reader on {url}"
            );
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

/// Whether the reader `read` of the format, given one file, says a name is blocked.
fn reading(read: Read, path: &str, contents: &[u8]) -> impl Fn(&str) -> bool {
    let files = vec![OutputFile {
        path: path.to_string(),
        contents: contents.to_vec(),
    }];
    move |name| {
        let consumers = read(&files, NameIndex::empty()).unwrap();
        consumers[0].reading.name(name, false) == Some(Effect::Blocked)
    }
}

/// Filters written to test Chromium's precedence, and what it does with some hosts (true:
/// refused): a longer host decides; at one host, a host-only filter (`.x`) before one with
/// subdomains (`x`), and an allow before a block of the same kind.
const CHROME_PRECEDENCE: &str = r#"{
  "URLBlocklist": [".a.test", "b.test", "c.test", "d.test"],
  "URLAllowlist": ["a.test", ".b.test", "x.c.test", "d.test"]
}"#;
const CHROME_HOSTS: &[(&str, bool)] = &[
    ("a.test", true),
    ("sub.a.test", false),
    ("b.test", false),
    ("sub.b.test", true),
    ("c.test", true),
    ("x.c.test", false),
    ("y.x.c.test", false),
    ("d.test", false),
    ("sub.d.test", false),
];

#[test]
fn chromium_decides_precedence_as_the_chrome_reader_does() {
    if !common::require_tool("chromium") {
        return;
    }
    let _installed = InstalledPolicy::new(CHROME_PRECEDENCE.as_bytes());
    let reader = reading(
        readers::chrome::read,
        "msgpol.json",
        CHROME_PRECEDENCE.as_bytes(),
    );
    let profile = tempfile::tempdir().unwrap();
    for &(host, refused) in CHROME_HOSTS {
        let outcome = load(&format!("https://{host}/"), profile.path());
        assert_eq!(
            outcome == "ERR_BLOCKED_BY_ADMINISTRATOR",
            refused,
            "Chromium on {host}"
        );
        assert_eq!(reader(host), refused, "the chrome reader on {host}");
    }
}

#[test]
fn firefox_patterns_are_match_patterns_with_the_right_scope() {
    for policy in policies() {
        let ir = common::ir(&policy);
        let file = common::first_file(&ir, "firefox");
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
        let hosts = |list: &str| -> Vec<String> {
            let mut hosts: Vec<String> = filter[list]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| host_of(p.as_str().unwrap()))
                .collect();
            hosts.sort();
            hosts
        };
        // A host `*.x` is x and its subdomains; an exception wins over every block, so an
        // exception for x narrows a blocked `*.x` to the subdomains of x.
        let host = |name: &str, scope: Scope| match scope {
            Scope::Exact => name.to_string(),
            Scope::Tree | Scope::Subdomains => format!("*.{name}"),
        };
        let e = &ir.enforcement;
        let mut block: Vec<String> = e
            .browser_block
            .iter()
            .map(|r| host(&r.name, r.scope))
            .collect();
        let mut exceptions: Vec<String> = e
            .browser_allow
            .iter()
            .map(|r| host(&r.name, r.scope))
            .collect();
        exceptions.extend(
            e.browser_block
                .iter()
                .filter(|r| r.scope == Scope::Subdomains)
                .map(|r| r.name.to_string()),
        );
        block.sort();
        exceptions.sort();
        assert_eq!(hosts("Block"), block, "{}", policy.display());
        assert_eq!(hosts("Exceptions"), exceptions, "{}", policy.display());
        assert_eq!(json["policies"]["DNSOverHTTPS"]["Enabled"], false);
    }
}

/// (host, blocked?) pairs: `probes`, and the approved channels' names. An exception for the
/// subdomains of x lets x through too (the build warns).
fn firefox_probes(ir: &Ir) -> Vec<(String, bool)> {
    let opens = |scope| match scope {
        Scope::Subdomains => Scope::Tree,
        _ => scope,
    };
    let mut out = probes(ir, opens);
    let approved = ir
        .channels
        .iter()
        .filter(|c| {
            ir.tier_of(c)
                .is_some_and(|t| t.kind == msgpol::ir::TierKind::Approved)
        })
        .flat_map(|c| c.endpoints.domains.iter())
        .filter(|d| d.scope.covers_apex())
        .take(2);
    for domain in approved {
        out.push((domain.name.to_string(), false));
    }
    out
}

/// How Firefox ends loading each of `hosts` with `policies` as its policies.json, one JSON
/// object per host (`{"host", "outcome", "body"}`), or `None` if it cannot be driven here.
fn firefox_outcomes(policies: &[u8], hosts: &[&str]) -> Option<Vec<serde_json::Value>> {
    let dir = tempfile::tempdir().unwrap();
    common::firefox_outcomes(dir.path(), policies, hosts)
}

#[test]
fn firefox_refuses_banned_names_and_only_those() {
    for policy in policies() {
        let ir = common::ir(&policy);
        let file = common::first_file(&ir, "firefox");
        let probes = firefox_probes(&ir);
        assert!(
            probes.iter().any(|(_, blocked)| *blocked) && probes.iter().any(|(_, b)| !*b),
            "{}: {probes:?}",
            policy.display()
        );
        let hosts: Vec<&str> = probes.iter().map(|(host, _)| host.as_str()).collect();
        let Some(results) = firefox_outcomes(&file.contents, &hosts) else {
            return;
        };
        let reader = reading(readers::firefox::read, &file.path, &file.contents);
        for ((host, blocked), result) in probes.iter().zip(&results) {
            let outcome = result["outcome"].as_str().unwrap();
            if *blocked {
                assert_eq!(outcome, "blockedByPolicy", "{host} in {}", policy.display());
            } else {
                assert_eq!(outcome, "loaded", "{host} in {}", policy.display());
                assert_eq!(result["body"], format!("served {host}"));
            }
            assert_eq!(reader(host), *blocked, "the firefox reader on {host}");
        }
    }
}

/// A merge a target page gives, run as the page says: `page` must hold `program`; jq reads
/// `own` (the organisation's policies) and the file `target` writes for `policy`. The IR, the
/// merged JSON, `own` and msgpol's file as JSON; `None` without jq.
fn merged_as_the_page_says(
    page: &str,
    program: &str,
    own: &str,
    policy: &str,
    target: &str,
) -> Option<(Ir, [serde_json::Value; 3])> {
    let text = fs::read_to_string(common::root().join("docs/targets").join(page)).unwrap();
    assert!(
        text.contains(program),
        "docs/targets/{page} no longer gives the merge this test runs"
    );
    if !common::require_tool("jq") {
        return None;
    }
    let ir = common::ir(&common::root().join(policy));
    let ours = common::first_file(&ir, target);
    let dir = tempfile::tempdir().unwrap();
    let (own_path, ours_path) = (dir.path().join("own.json"), dir.path().join(&ours.path));
    fs::write(&own_path, own).unwrap();
    fs::write(&ours_path, &ours.contents).unwrap();
    let (ok, merged) = common::run(
        Command::new("jq")
            .args(["-s", program])
            .arg(&own_path)
            .arg(&ours_path),
    );
    assert!(ok, "{merged}");
    let json = |text: &[u8]| serde_json::from_slice::<serde_json::Value>(text).unwrap();
    Some((
        ir,
        [
            json(merged.as_bytes()),
            json(own.as_bytes()),
            json(&ours.contents),
        ],
    ))
}

/// The jq program `docs/targets/chrome.md` gives for joining the organisation's own URL lists
/// with msgpol's into one managed-policy file (Chromium takes a policy from one file only).
const CHROME_MERGE: &str = r#".[0] as $own | .[1] as $msgpol | ($own * $msgpol)
  | .URLBlocklist = (($own.URLBlocklist // []) + ($msgpol.URLBlocklist // []))
  | .URLAllowlist = (($own.URLAllowlist // []) + ($msgpol.URLAllowlist // []))"#;

/// The page's merge keeps the organisation's other policies and both URL lists whole; msgpol's
/// `DnsOverHttpsMode` wins.
#[test]
fn chrome_lists_merge_with_the_organisations_own() {
    let own = r#"{"HomepageLocation": "https://intranet.example/", "DnsOverHttpsMode": "automatic",
        "URLBlocklist": ["games.example"], "URLAllowlist": ["ok.games.example"]}"#;
    let Some((_, [merged, own, ours])) = merged_as_the_page_says(
        "chrome.md",
        CHROME_MERGE,
        own,
        "tests/fixtures/ok/carve-out-scopes.msgpol",
        "chrome",
    ) else {
        return;
    };
    assert_eq!(merged["HomepageLocation"], own["HomepageLocation"]);
    assert_eq!(merged["DnsOverHttpsMode"], ours["DnsOverHttpsMode"]);
    for list in ["URLBlocklist", "URLAllowlist"] {
        let mut want = own[list].as_array().unwrap().clone();
        want.extend(ours[list].as_array().cloned().unwrap_or_default());
        assert!(want.len() > 1, "{list}: {want:?}");
        assert_eq!(merged[list], serde_json::Value::Array(want));
    }
}

/// The jq program `docs/targets/firefox.md` gives for merging msgpol's `policies.json` with
/// the organisation's other Firefox policies (Firefox reads one file: deploying msgpol's alone
/// would drop every other policy).
const FIREFOX_MERGE: &str = r#".[0] as $own | .[1] as $msgpol | ($own * $msgpol)
  | .policies.WebsiteFilter.Block = (($own.policies.WebsiteFilter.Block // []) + ($msgpol.policies.WebsiteFilter.Block // []))
  | .policies.WebsiteFilter.Exceptions = (($own.policies.WebsiteFilter.Exceptions // []) + ($msgpol.policies.WebsiteFilter.Exceptions // []))"#;

/// Policies of the organisation's own, with a site filter of their own.
const FIREFOX_OWN: &str = r#"{"policies": {
  "DisableTelemetry": true,
  "DNSOverHTTPS": {"Enabled": true},
  "WebsiteFilter": {"Block": ["*://*.games.test/*"], "Exceptions": ["*://ok.games.test/*"]}
}}"#;

/// The page's merge keeps every other policy and both site filters whole (msgpol's settings
/// win where both set one), and Firefox, given the merged file, refuses the names of both
/// block lists and lets the rest through.
#[test]
fn firefox_policies_merge_with_the_organisations_own() {
    let Some((ir, [merged, own, ours])) = merged_as_the_page_says(
        "firefox.md",
        FIREFOX_MERGE,
        FIREFOX_OWN,
        "tests/fixtures/ok/browser.msgpol",
        "firefox",
    ) else {
        return;
    };
    let policies = &merged["policies"];
    assert_eq!(policies["DisableTelemetry"], true);
    assert_eq!(policies["DNSOverHTTPS"], ours["policies"]["DNSOverHTTPS"]);
    for list in ["Block", "Exceptions"] {
        let mut want: Vec<serde_json::Value> = Vec::new();
        for source in [&own, &ours] {
            if let Some(items) = source["policies"]["WebsiteFilter"][list].as_array() {
                want.extend(items.iter().cloned());
            }
        }
        assert_eq!(
            policies["WebsiteFilter"][list],
            serde_json::Value::Array(want)
        );
    }
    let ours_blocked = firefox_probes(&ir)
        .into_iter()
        .find(|(_, blocked)| *blocked)
        .unwrap()
        .0;
    let hosts = [
        ours_blocked.as_str(),
        "games.test",
        "ok.games.test",
        "intranet.test",
    ];
    let Some(results) = firefox_outcomes(merged.to_string().as_bytes(), &hosts) else {
        return;
    };
    let outcomes: Vec<&str> = results
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["blockedByPolicy", "blockedByPolicy", "loaded", "loaded"],
        "{hosts:?}"
    );
}

/// Patterns written to test how Firefox matches them, and what it does with some hosts (true:
/// refused): `*.x` matches x and its subdomains, `x` x alone, and an exception wins.
const FIREFOX_PATTERNS: &str = r#"{"policies": {"WebsiteFilter": {
  "Block": ["*://*.wide.test/*", "*://only.test/*"],
  "Exceptions": ["*://keep.wide.test/*"]
}}}"#;
const FIREFOX_HOSTS: &[(&str, bool)] = &[
    ("wide.test", true),
    ("a.wide.test", true),
    ("keep.wide.test", false),
    ("x.keep.wide.test", true),
    ("only.test", true),
    ("a.only.test", false),
];

#[test]
fn firefox_matches_patterns_as_the_firefox_reader_does() {
    let hosts: Vec<&str> = FIREFOX_HOSTS.iter().map(|(h, _)| *h).collect();
    let Some(results) = firefox_outcomes(FIREFOX_PATTERNS.as_bytes(), &hosts) else {
        return;
    };
    let reader = reading(
        readers::firefox::read,
        "policies.json",
        FIREFOX_PATTERNS.as_bytes(),
    );
    for (&(host, refused), result) in FIREFOX_HOSTS.iter().zip(&results) {
        let outcome = result["outcome"].as_str().unwrap();
        assert_eq!(
            outcome == "blockedByPolicy",
            refused,
            "Firefox on {host}: {outcome}"
        );
        assert_eq!(reader(host), refused, "the firefox reader on {host}");
    }
}
