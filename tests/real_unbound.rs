//! The `unbound` target fed to the real Unbound: `unbound-checkconf` accepts the fragment built
//! from every example (and a tier-feed fixture), and a live `unbound` on a loopback port
//! answers as the IR says, carve-outs included.
//!
//! Needs `unbound` (for `unbound` and `unbound-checkconf`) and `kdig` (Debian `knot-dnsutils`;
//! `dig` is used if `kdig` is absent), and for the carve-outs `named` (Debian `bind9`). Without
//! them the tests print a note and pass, except in CI (`CI=true`), where a missing tool is a
//! test failure.
//!
//! The tests never touch the network. The resolver's root hints name a single root server at
//! 127.0.0.1, and Unbound never queries localhost (`do-not-query-localhost` defaults to yes), so
//! any name the fragment does not answer itself fails at once with SERVFAIL instead of being
//! sent to the internet (where a sandbox or a captive resolver could answer anything). The
//! carve-out test forwards such names to a `named` on loopback that answers every name, so that
//! a carved-out name is seen to resolve.

mod common;

use assert_cmd::Command as CargoCommand;
use common::TEST_ADDRESS;
use msgpol::ir::Scope;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The examples, and the fixture whose banned names come from a tier's own feeds.
const POLICIES: [&str; 4] = [
    "examples/small-org.msgpol",
    "examples/medium-org.msgpol",
    "examples/large-enterprise.msgpol",
    "tests/fixtures/ok/tier-feeds.msgpol",
];
const TODAY: &str = "2026-11-23";

/// At most this many names of each kind are queried per example, to keep the test fast.
const MAX_BLOCKED: usize = 15;
const MAX_EXACT: usize = 5;
const MAX_APPROVED: usize = 8;

/// A made-up label put in front of a name to test "and its subdomains".
const PROBE: &str = "msgpol-test";

// ---------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------

fn tool(name: &str) -> PathBuf {
    common::find_tool(name).unwrap_or_else(|| panic!("`{name}` is not installed"))
}

// ---------------------------------------------------------------------------------------------
// Building and configuring
// ---------------------------------------------------------------------------------------------

/// `msgpol build EXAMPLE --out DIR/out --today … --target …`; returns the output directory.
fn build(example: &str, targets: &[&str], dir: &Path) -> PathBuf {
    let out = dir.join("out");
    let mut cmd = CargoCommand::cargo_bin("msgpol").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("build")
        .arg(example)
        .arg("--out")
        .arg(&out)
        .arg("--today")
        .arg(TODAY);
    for target in targets {
        cmd.arg("--target").arg(target);
    }
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "msgpol build {example} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let fragment = out.join("unbound/msgpol.conf");
    let text = fs::read_to_string(&fragment).unwrap();
    assert!(
        text.lines().any(|l| l == "server:"),
        "{example}: the fragment has no `server:` line"
    );
    out
}

/// A complete configuration around the fragment: loopback only, in the foreground, no
/// privileges to drop, everything in the temporary directory, and no way to the internet (see
/// the comment at the top). `extra` lines go in the `server:` clause before the include. With
/// an `upstream` port, every query the fragment does not answer goes to the test upstream on
/// loopback (`common::start_upstream`).
fn write_config(dir: &Path, port: u16, extra: &[String], upstream: Option<u16>) -> PathBuf {
    let hints = dir.join("root.hints");
    fs::write(
        &hints,
        ".                  3600000 NS a.root-servers.net.\n\
         a.root-servers.net. 3600000 A  127.0.0.1\n",
    )
    .unwrap();
    let d = dir.display();
    let mut text = format!(
        "server:\n\
         \x20   interface: 127.0.0.1\n\
         \x20   port: {port}\n\
         \x20   so-reuseport: no\n\
         \x20   do-daemonize: no\n\
         \x20   username: \"\"\n\
         \x20   chroot: \"\"\n\
         \x20   directory: \"{d}\"\n\
         \x20   pidfile: \"\"\n\
         \x20   use-syslog: no\n\
         \x20   logfile: \"\"\n\
         \x20   do-ip6: no\n\
         \x20   access-control: 127.0.0.0/8 allow\n\
         \x20   root-hints: \"{d}/root.hints\"\n"
    );
    for line in extra {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    if upstream.is_some() {
        text.push_str("    do-not-query-localhost: no\n");
    }
    text.push_str(&format!("include: \"{d}/out/unbound/msgpol.conf\"\n"));
    if let Some(upstream) = upstream {
        text.push_str(&format!(
            "forward-zone:\n    name: \".\"\n    forward-addr: 127.0.0.1@{upstream}\n"
        ));
    }
    let conf = dir.join("unbound.conf");
    fs::write(&conf, text).unwrap();
    conf
}

/// `unbound-checkconf` must accept the configuration without a warning: a name declared twice
/// as a `local-zone` is only a warning, and Unbound then silently keeps the last declaration.
fn checkconf(conf: &Path, example: &str) {
    let (ok, text) = common::run(Command::new(tool("unbound-checkconf")).arg(conf));
    assert!(
        ok && text.contains("no errors"),
        "{example}: unbound-checkconf rejected the fragment:\n{text}"
    );
    assert!(
        !text.contains("warning"),
        "{example}: unbound-checkconf warns about the fragment:\n{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// What the fragment and the IR say
// ---------------------------------------------------------------------------------------------

/// The `local-zone` lines of the fragment: (zone without the final dot, type, comment above).
fn local_zones(fragment: &str) -> Vec<(String, String, String)> {
    let mut zones = Vec::new();
    let mut comment = String::new();
    for line in fragment.lines().map(str::trim) {
        if let Some(c) = line.strip_prefix('#') {
            comment = c.trim().to_string();
        } else if let Some(rest) = line.strip_prefix("local-zone:") {
            // A comment on the zone's own line (`… always_nxdomain  # telegram`) wins.
            let (rest, trailing) = rest.split_once('#').unwrap_or((rest, ""));
            if !trailing.trim().is_empty() {
                comment = trailing.trim().to_string();
            }
            let mut parts = rest.split_whitespace();
            let zone = parts
                .next()
                .unwrap()
                .trim_matches('"')
                .trim_end_matches('.');
            let kind = parts.next().unwrap();
            zones.push((zone.to_string(), kind.to_string(), comment.clone()));
        }
    }
    zones
}

/// Whether `name` is `zone` or a name below it.
fn within(name: &str, zone: &str) -> bool {
    name == zone || name.ends_with(&format!(".{zone}"))
}

/// The names of approved channels' domains to query (a `*.x` entry is queried as a made-up
/// name below `x`), taken from each approved channel in turn so that every channel is tried.
fn approved_probes(ir: &Value) -> Vec<String> {
    let approved: Vec<&str> = ir["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "approved")
        .flat_map(|t| t["channels"].as_array().unwrap())
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    let per_channel: Vec<Vec<String>> = ir["channels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| approved.contains(&c["name"].as_str().unwrap()))
        .map(|c| {
            c["endpoints"]["domains"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let name = d["name"].as_str().unwrap();
                    if d["scope"] == "subdomains" {
                        format!("{PROBE}.{name}")
                    } else {
                        name.to_string()
                    }
                })
                .collect()
        })
        .collect();
    let mut probes = Vec::new();
    for i in 0..per_channel.iter().map(Vec::len).max().unwrap_or(0) {
        for names in &per_channel {
            if let Some(name) = names.get(i) {
                if !probes.contains(name) {
                    probes.push(name.clone());
                }
            }
        }
    }
    probes.truncate(MAX_APPROVED);
    probes
}

/// `dns_block` names of one scope, at most `max`.
fn blocked(ir: &Value, scope: &str, max: usize) -> Vec<String> {
    ir["enforcement"]["dns_block"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scope"] == scope)
        .map(|r| r["name"].as_str().unwrap().to_string())
        .take(max)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The live server
// ---------------------------------------------------------------------------------------------

/// A running `unbound -d`, killed when the test ends, also on panic.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One DNS answer: the status (NOERROR, NXDOMAIN, SERVFAIL, … or NO ANSWER) and the full text.
struct Answer {
    status: String,
    text: String,
}

fn query(port: u16, name: &str) -> Answer {
    query_type(port, name, "A")
}

fn query_type(port: u16, name: &str, record: &str) -> Answer {
    let mut cmd = match common::find_tool("kdig") {
        Some(kdig) => {
            let mut c = Command::new(kdig);
            c.args(["+timeout=1", "+retry=0"]);
            c
        }
        None => {
            let mut c = Command::new(tool("dig"));
            c.args(["+time=1", "+tries=1"]);
            c
        }
    };
    cmd.arg("@127.0.0.1")
        .arg("-p")
        .arg(port.to_string())
        .arg(name)
        .arg(record);
    let (_, text) = common::run(&mut cmd);
    // kdig: `status: NXDOMAIN; id: …`, dig: `status: NXDOMAIN, id: …`.
    let status = text
        .split("status: ")
        .nth(1)
        .map(|s| s.chars().take_while(char::is_ascii_uppercase).collect())
        .unwrap_or_else(|| "NO ANSWER".to_string());
    Answer { status, text }
}

/// Start Unbound on a free port (forwarding to `upstream` if given) and wait (at most 10 s) until it answers the DoH canary. If the
/// port was taken in the meantime Unbound exits, and another port is tried.
fn start(dir: &Path, extra: &[String], upstream: Option<u16>, example: &str) -> Server {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let port = common::free_port();
        let conf = write_config(dir, port, extra, upstream);
        if attempt == 1 {
            checkconf(&conf, example);
        }
        let log = dir.join(format!("unbound-{attempt}.log"));
        let child = Command::new(tool("unbound"))
            .arg("-d")
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .expect("cannot start unbound");
        let mut server = Server { child, port, log };
        loop {
            if query(port, "use-application-dns.net").status == "NXDOMAIN" {
                return server;
            }
            let exited = server.child.try_wait().unwrap().is_some();
            let log_text = fs::read_to_string(&server.log).unwrap_or_default();
            assert!(
                Instant::now() < deadline,
                "{example}: unbound did not answer on port {port} within 10 s:\n{log_text}"
            );
            if exited {
                assert!(attempt < 5, "{example}: unbound keeps exiting:\n{log_text}");
                break; // most likely the port was taken: try another
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

#[test]
fn live_unbound_answers_as_the_policy_says() {
    if !common::require_tool("unbound") || !common::require_tool("unbound-checkconf") {
        return;
    }
    if common::find_tool("dig").is_none() && !common::require_tool("kdig") {
        return;
    }
    for example in POLICIES {
        let dir = tempfile::Builder::new()
            .prefix("msgpol-unbound-")
            .tempdir()
            .unwrap();
        let out = build(example, &["unbound", "ir"], dir.path());
        let ir: Value =
            serde_json::from_str(&fs::read_to_string(out.join("ir/policy.json")).unwrap()).unwrap();
        let fragment = fs::read_to_string(out.join("unbound/msgpol.conf")).unwrap();
        let zones = local_zones(&fragment);

        let canaries: Vec<&str> = zones
            .iter()
            .filter(|(_, kind, comment)| kind == "always_nxdomain" && comment.contains("canary"))
            .map(|(zone, _, _)| zone.as_str())
            .collect();
        assert!(
            canaries.contains(&"use-application-dns.net"),
            "{example}: no DoH canary in the fragment"
        );
        let tree = blocked(&ir, "tree", MAX_BLOCKED);
        let exact = blocked(&ir, "exact", MAX_EXACT);
        let approved = approved_probes(&ir);
        assert!(!tree.is_empty(), "{example}: nothing is blocked");
        assert!(!approved.is_empty(), "{example}: nothing is approved");

        // Approved names get a test answer of their own, so that "not blocked" is a positive
        // NOERROR with a known address rather than only "not NXDOMAIN". Unbound answers from the
        // most specific local zone, so a test zone at or below one of msgpol's zones would hide
        // that zone: such names (carve-outs under a blocked name) get no test zone, and for
        // them the assertion is only "not NXDOMAIN" (offline, they end in SERVFAIL).
        let covered = |name: &str| zones.iter().any(|(zone, _, _)| within(name, zone));
        let with_test_answer: Vec<&String> = approved.iter().filter(|n| !covered(n)).collect();
        let extra: Vec<String> = with_test_answer
            .iter()
            .flat_map(|name| {
                [
                    format!("local-zone: \"{name}.\" static"),
                    format!("local-data: \"{name}. A {TEST_ADDRESS}\""),
                ]
            })
            .collect();

        let server = start(dir.path(), &extra, None, example);
        let port = server.port;
        let mut failures = Vec::new();
        let mut expect = |name: &str, ok: bool, want: &str, answer: &Answer| {
            if !ok {
                failures.push(format!(
                    "{name}: want {want}, got {}\n{}",
                    answer.status, answer.text
                ));
            }
        };

        for name in &canaries {
            let a = query(port, name);
            expect(name, a.status == "NXDOMAIN", "NXDOMAIN (DoH canary)", &a);
        }
        for name in &tree {
            for probe in [name.clone(), format!("{PROBE}.{name}")] {
                let a = query(port, &probe);
                expect(&probe, a.status == "NXDOMAIN", "NXDOMAIN (banned)", &a);
            }
        }
        // Exact names are answered 0.0.0.0; the names below them are not blocked.
        for name in &exact {
            let a = query(port, name);
            let ok = a.status == "NOERROR" && a.text.contains("0.0.0.0");
            expect(name, ok, "NOERROR 0.0.0.0 (banned, this name only)", &a);
            // Every other type gets no data: the name has no real address of any kind.
            let aaaa = query_type(port, name, "AAAA");
            let ok = aaaa.status == "NOERROR" && !aaaa.text.contains("\tAAAA\t");
            expect(name, ok, "NOERROR without an AAAA record (banned)", &aaaa);
            let below = format!("{PROBE}.{name}");
            let a = query(port, &below);
            expect(
                &below,
                a.status != "NXDOMAIN",
                "not NXDOMAIN (below an exact name)",
                &a,
            );
        }
        for name in &approved {
            let a = query(port, name);
            if with_test_answer.contains(&name) {
                let ok = a.status == "NOERROR" && a.text.contains(TEST_ADDRESS);
                expect(name, ok, "the test answer (approved)", &a);
            } else {
                expect(name, a.status != "NXDOMAIN", "not NXDOMAIN (approved)", &a);
            }
        }

        let log = fs::read_to_string(&server.log).unwrap_or_default();
        drop(server);
        assert!(
            failures.is_empty(),
            "{example}: {} wrong answer(s):\n{}\nunbound log:\n{log}",
            failures.len(),
            failures.join("\n")
        );
        eprintln!(
            "{example}: {} canary, {} tree, {} exact and {} approved name(s) answered as expected",
            canaries.len(),
            tree.len(),
            exact.len(),
            approved.len()
        );
    }
}

#[test]
fn unbound_checkconf_accepts_every_full_build() {
    if !common::require_tool("unbound-checkconf") {
        return;
    }
    for example in POLICIES {
        let dir = tempfile::Builder::new()
            .prefix("msgpol-unbound-all-")
            .tempdir()
            .unwrap();
        build(example, &["all"], dir.path());
        let conf = write_config(dir.path(), common::free_port(), &[], None);
        checkconf(&conf, example);
    }
}

/// Every policy with carve-outs, with Unbound forwarding to a test upstream: carved-out names
/// get the upstream's answer, and the banned names, those around the carve-outs included, stay
/// blocked (NXDOMAIN, or 0.0.0.0 for the name of a subdomain-only carve-out, as for every
/// banned name without its subdomains). A carve-out of one name opens the names under it too
/// (an Unbound zone covers its subtree; the build warns).
#[test]
fn live_unbound_keeps_carve_outs_open_and_the_names_around_them_blocked() {
    if !common::require_tool("unbound")
        || !common::require_tool("kdig")
        || !common::require_tool("named")
    {
        return;
    }
    let upstream_dir = tempfile::tempdir().unwrap();
    let (_upstream, upstream) = common::start_upstream(upstream_dir.path());
    for policy in common::policies() {
        let ir = common::ir(&policy);
        let e = &ir.enforcement;
        if e.dns_allow.is_empty() {
            continue;
        }
        let example = policy.display().to_string();
        let dir = tempfile::Builder::new()
            .prefix("msgpol-unbound-carve-")
            .tempdir()
            .unwrap();
        build(&example, &["unbound"], dir.path());
        let server = start(dir.path(), &[], Some(upstream), &example);
        // The banned rules themselves too; Unbound cannot write subdomain-only ones (the build
        // warns).
        let mut probes: Vec<(String, bool)> = Vec::new();
        for rule in e.dns_block.iter().filter(|r| r.scope != Scope::Subdomains) {
            probes.push((rule.name.to_string(), true));
            if rule.scope == Scope::Tree {
                probes.push((format!("{}.{}", common::PROBE, rule.name), true));
            }
        }
        probes.extend(common::carve_out_probes(
            &e.dns_block,
            &e.dns_allow,
            common::exact_opens_subdomains,
        ));
        let wrong: Vec<String> = probes
            .iter()
            .filter_map(|(name, blocked)| {
                let a = query(server.port, name);
                let ok = if *blocked {
                    a.status == "NXDOMAIN" || (a.status == "NOERROR" && a.text.contains("0.0.0.0"))
                } else {
                    a.status == "NOERROR" && a.text.contains(TEST_ADDRESS)
                };
                let want = if *blocked { "blocked" } else { "resolved" };
                (!ok).then(|| format!("{name}: want {want}, got {}\n{}", a.status, a.text))
            })
            .collect();
        common::assert_all_right(example, &wrong, probes.len());
    }
}
