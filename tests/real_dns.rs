//! Name-based targets checked by the programs that consume them: `dnsmasq --test` and a live
//! dnsmasq on a loopback port (serving the dnsmasq configuration, and the hosts file), `named-checkzone` on the RPZ, `squid -k parse` with no warning,
//! and the PAC file evaluated by node. Every example and every `ok/` fixture is built.

mod common;

use msgpol::ir::Ir;
use msgpol::ir::Scope;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn build(policy: &Path, target: &str, dir: &Path) -> Ir {
    common::emit_target(policy, target, dir).0
}

/// Names the policy blocks, with a made-up name under each rule that covers subdomains, and
/// whether a resolver answers NXDOMAIN (true) or sinks the name to 0.0.0.0 (exact names:
/// resolvers cannot answer NXDOMAIN for a name without its subdomains).
fn blocked_probes(ir: &Ir) -> Vec<(String, bool)> {
    let mut names: Vec<(String, bool)> = msgpol::emit::targets::DOH_CANARIES
        .iter()
        .map(|s| (s.to_string(), true))
        .collect();
    for rule in &ir.enforcement.dns_block {
        if rule.scope.covers_apex() {
            names.push((rule.name.to_string(), rule.scope != Scope::Exact));
        }
        if rule.scope.covers_subdomains() {
            names.push((format!("msgpol-probe.{}", rule.name), true));
        }
    }
    names
}

/// Names that must not be blocked: approved channels' names, and the subdomains of names that
/// are blocked exactly (a conversion must not widen an exact block).
fn open_probes(ir: &Ir) -> Vec<String> {
    let mut names: Vec<String> = common::channels(ir, |t| t.kind != msgpol::ir::TierKind::Banned)
        .into_iter()
        .flat_map(|c| c.endpoints.domains.iter())
        .map(|d| match d.scope {
            Scope::Subdomains => format!("msgpol-probe.{}", d.name),
            _ => d.name.to_string(),
        })
        .collect();
    for rule in &ir.enforcement.dns_block {
        if rule.scope == Scope::Exact {
            names.push(format!("msgpol-probe.{}", rule.name));
        }
    }
    names
}

#[test]
fn dnsmasq_accepts_every_build() {
    if !common::require_tool("dnsmasq") {
        return;
    }
    for policy in common::policies() {
        let dir = tempfile::tempdir().unwrap();
        build(&policy, "dnsmasq", dir.path());
        let (ok, text) = common::run(
            Command::new("dnsmasq")
                .arg("--test")
                .arg("-C")
                .arg(dir.path().join("msgpol.conf")),
        );
        assert!(
            ok && text.contains("syntax check OK"),
            "{}: {text}",
            policy.display()
        );
    }
}

/// The response status of an A query, and whether the answer is 0.0.0.0.
fn dns_query(port: u16, name: &str) -> (String, bool) {
    let (_, text) = common::run(
        Command::new("kdig")
            .arg("@127.0.0.1")
            .arg("-p")
            .arg(port.to_string())
            .arg("+timeout=2")
            .arg("+retry=0")
            .arg(name)
            .arg("A"),
    );
    let status = match text.split("status: ").nth(1) {
        Some(rest) => rest
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect(),
        None => "NO ANSWER".to_string(),
    };
    let sunk = text
        .lines()
        .any(|l| l.split_whitespace().rev().take(2).eq(["0.0.0.0", "A"]));
    (status, sunk)
}

fn dns_status(port: u16, name: &str) -> String {
    dns_query(port, name).0
}

/// A dnsmasq on a free loopback port with `option` (a configuration file or a hosts file),
/// and no upstream servers: names it does not answer itself are refused, never sent on.
fn start_dnsmasq(dir: &Path, option: &str, policy: &Path) -> (common::KillOnDrop, u16) {
    let port = common::free_port();
    let child = Command::new("dnsmasq")
        .arg("--keep-in-foreground")
        .arg("--no-resolv")
        .arg("--no-hosts")
        .arg("--bind-interfaces")
        .arg("--listen-address=127.0.0.1")
        .arg(format!("--port={port}"))
        .arg("--user=root")
        .arg(format!("--pid-file={}", dir.join("pid").display()))
        .arg("--conf-file=/dev/null")
        .arg(option)
        .stdout(Stdio::null())
        .stderr(fs::File::create(dir.join("dnsmasq.log")).unwrap())
        .spawn()
        .unwrap();
    let server = common::KillOnDrop(child);
    // Ready when it answers at all (a refusal is an answer).
    let start = Instant::now();
    while dns_status(port, "use-application-dns.net") == "NO ANSWER" {
        let log = fs::read_to_string(dir.join("dnsmasq.log")).unwrap_or_default();
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "dnsmasq did not start for {}: {log}",
            policy.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, port)
}

/// The `hosts` target read by a real consumer of hosts files: dnsmasq's `--addn-hosts`. Every
/// name the file lists answers 0.0.0.0, and names under them are not answered from it (a
/// hosts file matches exact names only).
#[test]
fn live_dnsmasq_serves_the_hosts_file() {
    if !common::require_tool("dnsmasq") || !common::require_tool("kdig") {
        return;
    }
    for policy in common::examples() {
        let dir = tempfile::tempdir().unwrap();
        let ir = build(&policy, "hosts", dir.path());
        let hosts = format!("--addn-hosts={}", dir.path().join("hosts").display());
        let (_server, port) = start_dnsmasq(dir.path(), &hosts, &policy);
        let listed = ir
            .enforcement
            .dns_block
            .iter()
            .filter(|r| r.scope.covers_apex())
            .take(40);
        for rule in listed {
            let (status, sunk) = dns_query(port, &rule.name);
            assert!(
                status == "NOERROR" && sunk,
                "{} should answer 0.0.0.0 from the hosts file of {}: {status}",
                rule.name,
                policy.display()
            );
            let below = format!("msgpol-probe.{}", rule.name);
            assert!(
                !dns_query(port, &below).1,
                "{below} is not in the hosts file of {}",
                policy.display()
            );
        }
    }
}

#[test]
fn live_dnsmasq_answers_nxdomain_for_banned_names() {
    if !common::require_tool("dnsmasq") || !common::require_tool("kdig") {
        return;
    }
    for policy in common::examples() {
        let dir = tempfile::tempdir().unwrap();
        let ir = build(&policy, "dnsmasq", dir.path());
        let config = format!("--conf-file={}", dir.path().join("msgpol.conf").display());
        let (_server, port) = start_dnsmasq(dir.path(), &config, &policy);
        for (name, nxdomain) in blocked_probes(&ir).iter().take(40) {
            let (status, sunk) = dns_query(port, name);
            if *nxdomain {
                assert_eq!(status, "NXDOMAIN", "{name} in {}", policy.display());
            } else {
                assert!(
                    status == "NOERROR" && sunk,
                    "{name} should answer 0.0.0.0 in {}",
                    policy.display()
                );
            }
        }
        for name in open_probes(&ir).iter().take(10) {
            assert_ne!(
                dns_status(port, name),
                "NXDOMAIN",
                "{name} is approved in {}",
                policy.display()
            );
        }
    }
}

#[test]
fn named_checkzone_accepts_every_rpz() {
    if !common::require_tool("named-checkzone") {
        return;
    }
    for policy in common::policies() {
        let dir = tempfile::tempdir().unwrap();
        let ir = build(&policy, "rpz", dir.path());
        let zone = dir.path().join("msgpol.rpz.zone");
        let (ok, text) = common::run(Command::new("named-checkzone").arg("rpz.msgpol").arg(&zone));
        assert!(
            ok && text.trim_end().ends_with("OK"),
            "{}: {text}",
            policy.display()
        );
        // Every scope survives: `x` and `*.x` owners exactly as the IR says.
        let zone_text = fs::read_to_string(&zone).unwrap();
        for rule in &ir.enforcement.dns_block {
            assert_eq!(
                zone_text.contains(&format!("\n{} CNAME .\n", rule.name)),
                rule.scope.covers_apex(),
                "{}",
                rule.name
            );
            assert_eq!(
                zone_text.contains(&format!("\n*.{} CNAME .\n", rule.name)),
                rule.scope.covers_subdomains(),
                "{}",
                rule.name
            );
        }
    }
}

#[test]
fn squid_parses_every_build_without_warnings() {
    if !common::require_tool("squid") {
        return;
    }
    for policy in common::policies() {
        let dir = tempfile::tempdir().unwrap();
        build(&policy, "squid", dir.path());
        let snippet = fs::read_to_string(dir.path().join("msgpol.conf"))
            .unwrap()
            .replace("/etc/squid/", &format!("{}/", dir.path().display()));
        fs::write(dir.path().join("included.conf"), snippet).unwrap();
        let conf = dir.path().join("squid.conf");
        fs::write(
            &conf,
            format!(
                "http_port 127.0.0.1:{}\ninclude {}/included.conf\nhttp_access deny all\n",
                common::free_port(),
                dir.path().display()
            ),
        )
        .unwrap();
        let (ok, text) = common::run(
            Command::new("squid")
                .arg("-k")
                .arg("parse")
                .arg("-f")
                .arg(&conf),
        );
        assert!(ok, "{}: {text}", policy.display());
        assert!(
            text.contains("msgpol_banned"),
            "squid did not read the snippet: {text}"
        );
        let complaints: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("WARNING") || l.contains("subdomain"))
            .collect();
        assert!(
            complaints.is_empty(),
            "{}: {complaints:?}",
            policy.display()
        );
    }
}

#[test]
fn pac_blocks_banned_names_and_lets_approved_ones_through() {
    if !common::require_tool("node") {
        return;
    }
    for policy in common::policies() {
        let dir = tempfile::tempdir().unwrap();
        let ir = build(&policy, "pac", dir.path());
        let cases: Vec<(String, &str)> = blocked_probes(&ir)
            .into_iter()
            .map(|(n, _)| (n, "PROXY 127.0.0.1:9"))
            .chain(open_probes(&ir).into_iter().map(|n| (n, "DIRECT")))
            .collect();
        let cases_json = serde_json::to_string(&cases).unwrap();
        // The PAC runs in a bare context with the shims a browser would give it.
        let script = format!(
            r#"const vm = require("vm");
const fs = require("fs");
const ctx = {{ dnsDomainIs: (h, d) => h.endsWith(d), shExpMatch: () => false, isPlainHostName: h => !h.includes(".") }};
vm.createContext(ctx);
vm.runInContext(fs.readFileSync({pac:?}, "utf8"), ctx);
let failed = 0;
for (const [host, want] of {cases_json}) {{
  for (const h of [host, host.toUpperCase(), host + "."]) {{
    const got = ctx.FindProxyForURL("https://" + h + "/", h);
    if (got !== want) {{ console.log("FAIL", h, got, "want", want); failed++; }}
  }}
}}
console.log("checked", {count});
process.exit(failed ? 1 : 0);"#,
            pac = dir.path().join("msgpol.pac").display().to_string(),
            count = cases.len()
        );
        let (ok, text) = common::run(Command::new("node").arg("-e").arg(&script));
        assert!(ok, "{}: {text}", policy.display());
    }
}
