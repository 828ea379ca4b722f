//! Name-based targets checked by the programs that consume them: `dnsmasq --test` and a live
//! dnsmasq on a loopback port (serving the dnsmasq configuration, and the hosts file),
//! `named-checkzone` on the RPZ and a live BIND resolver applying it, `squid -k parse` with no
//! warning and a live Squid proxying requests, and the PAC file evaluated by node. Every example
//! and every `ok/` fixture is built. The live resolvers forward to an authoritative `named` on
//! loopback that answers every name, so a name they let through resolves without any network.

mod common;

use common::{PROBE, TEST_ADDRESS};
use msgpol::ir::Ir;
use msgpol::ir::Scope;
use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

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
            names.push((format!("{PROBE}.{}", rule.name), true));
        }
    }
    names
}

/// Names that must not be blocked: approved channels' names, the subdomains of names that are
/// blocked exactly and the names whose subdomains only are blocked (a conversion must not widen
/// a block).
fn open_probes(ir: &Ir) -> Vec<String> {
    let mut names: Vec<String> = common::channels(ir, |t| t.kind != msgpol::ir::TierKind::Banned)
        .into_iter()
        .flat_map(|c| c.endpoints.domains.iter())
        .map(|d| match d.scope {
            Scope::Subdomains => format!("{PROBE}.{}", d.name),
            _ => d.name.to_string(),
        })
        .collect();
    for rule in &ir.enforcement.dns_block {
        match rule.scope {
            Scope::Exact => names.push(format!("{PROBE}.{}", rule.name)),
            Scope::Subdomains => names.push(rule.name.to_string()),
            Scope::Tree => {}
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
    let (status, addresses) = common::dns_lookup(port, name);
    (status, addresses == ["0.0.0.0"])
}

/// What a live resolver must answer for a name.
#[derive(Clone, Copy, Debug)]
enum Want {
    Nxdomain,
    /// 0.0.0.0: a banned name without its subdomains.
    Sunk,
    /// NXDOMAIN or 0.0.0.0.
    Blocked,
    /// The upstream's answer: the resolver let the name through.
    Resolved,
}

/// Query every name and fail with the list of wrong answers.
fn assert_answers(port: u16, cases: &[(String, Want)], what: &str) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(name, want)| {
            let (status, addresses) = common::dns_lookup(port, name);
            let sunk = status == "NOERROR" && addresses == ["0.0.0.0"];
            let ok = match want {
                Want::Nxdomain => status == "NXDOMAIN",
                Want::Sunk => sunk,
                Want::Blocked => status == "NXDOMAIN" || sunk,
                Want::Resolved => status == "NOERROR" && addresses == [TEST_ADDRESS],
            };
            (!ok).then(|| format!("{name}: want {want:?}, got {status} {addresses:?}"))
        })
        .collect();
    common::assert_all_right(what, &wrong, cases.len());
}

/// The carve-outs' probes (`common::carve_out_probes`) as answers.
fn carve_out_answers(ir: &Ir, opens: fn(Scope) -> Scope) -> Vec<(String, Want)> {
    let e = &ir.enforcement;
    common::carve_out_probes(&e.dns_block, &e.dns_allow, opens)
        .into_iter()
        .map(|(name, blocked)| {
            (
                name,
                if blocked {
                    Want::Blocked
                } else {
                    Want::Resolved
                },
            )
        })
        .collect()
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
        let (_server, port) = common::start_dnsmasq(dir.path(), &hosts, None);
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
            let below = format!("{PROBE}.{}", rule.name);
            assert!(
                !dns_query(port, &below).1,
                "{below} is not in the hosts file of {}",
                policy.display()
            );
        }
    }
}

/// The commands `docs/targets/hosts.md` gives for a machine's own hosts file: delete the lines
/// between msgpol's markers, then append the new file. Run on a hosts file with entries of its
/// own, for one build and then another, they leave those entries as they were and hold exactly
/// the latest build's lines, once.
#[test]
fn hosts_file_replaces_only_its_own_block_in_a_system_hosts_file() {
    if !common::require_tool("sed") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let system = dir.path().join("etc-hosts");
    let before = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n# a comment of the admin's\n192.0.2.5 intranet.example\n";
    fs::write(&system, before).unwrap();
    let mut last = String::new();
    for (step, name) in ["medium-org", "small-org", "small-org"].iter().enumerate() {
        let build_dir = dir.path().join(format!("build{step}"));
        build(
            &common::root().join(format!("examples/{name}.msgpol")),
            "hosts",
            &build_dir,
        );
        let file = build_dir.join("hosts");
        // The same two commands as on the page.
        let script = format!(
            "sed -i '/^# BEGIN msgpol$/,/^# END msgpol$/d' {system} && cat {file} >> {system}",
            system = system.display(),
            file = file.display(),
        );
        let (ok, text) = common::run(Command::new("sh").args(["-c", &script]));
        assert!(ok, "{text}");
        last = fs::read_to_string(&file).unwrap();
        // An entry the admin appends after msgpol's block survives the next build too.
        if step == 0 {
            let mut f = fs::OpenOptions::new().append(true).open(&system).unwrap();
            f.write_all(b"192.0.2.6 later.example\n").unwrap();
        }
    }
    let after = fs::read_to_string(&system).unwrap();
    assert_eq!(after, format!("{before}192.0.2.6 later.example\n{last}"));
}

/// dnsmasq with the configuration, forwarding to a test upstream: banned names answer NXDOMAIN
/// (exact names 0.0.0.0), approved and carved-out names resolve, and the names around a
/// carve-out stay blocked, those under an exact carve-out too (`address=/*.x/` beside
/// `server=/x/#`).
#[test]
fn live_dnsmasq_answers_as_the_policy_says() {
    if !common::require_tool("dnsmasq")
        || !common::require_tool("kdig")
        || !common::require_tool("named")
    {
        return;
    }
    let upstream_dir = tempfile::tempdir().unwrap();
    let (_upstream, upstream) = common::start_upstream(upstream_dir.path());
    for policy in common::policies() {
        let dir = tempfile::tempdir().unwrap();
        let ir = build(&policy, "dnsmasq", dir.path());
        let config = format!("--conf-file={}", dir.path().join("msgpol.conf").display());
        let (_server, port) = common::start_dnsmasq(dir.path(), &config, Some(upstream));
        let mut cases: Vec<(String, Want)> = blocked_probes(&ir)
            .into_iter()
            .take(40)
            .map(|(name, nxdomain)| (name, if nxdomain { Want::Nxdomain } else { Want::Sunk }))
            .collect();
        cases.extend(
            open_probes(&ir)
                .into_iter()
                .take(10)
                .map(|n| (n, Want::Resolved)),
        );
        cases.extend(carve_out_answers(&ir, |scope| scope));
        assert_answers(port, &cases, &policy.display().to_string());
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

/// The RPZ loaded by a live BIND resolver that forwards to a test upstream: every banned name,
/// and every name around a carve-out, answers NXDOMAIN; approved and carved-out names resolve.
#[test]
fn live_bind_applies_the_rpz_as_the_policy_says() {
    if !common::require_tool("named") || !common::require_tool("kdig") {
        return;
    }
    let upstream_dir = tempfile::tempdir().unwrap();
    let (_upstream, upstream) = common::start_upstream(upstream_dir.path());
    for policy in common::policies() {
        let dir = tempfile::tempdir().unwrap();
        let ir = build(&policy, "rpz", dir.path());
        let zone = dir.path().join("msgpol.rpz.zone");
        let (_resolver, port) = common::start_rpz_resolver(dir.path(), upstream, &zone);
        // `CNAME .` answers NXDOMAIN for every banned name, exact ones too.
        let mut cases: Vec<(String, Want)> = blocked_probes(&ir)
            .into_iter()
            .take(40)
            .map(|(name, _)| (name, Want::Nxdomain))
            .collect();
        cases.extend(
            open_probes(&ir)
                .into_iter()
                .take(10)
                .map(|n| (n, Want::Resolved)),
        );
        cases.extend(carve_out_answers(&ir, |scope| scope).into_iter().map(
            |(name, want)| match want {
                Want::Blocked => (name, Want::Nxdomain),
                _ => (name, want),
            },
        ));
        assert_answers(port, &cases, &policy.display().to_string());
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
            .filter(|l| {
                l.contains("ERROR") || l.contains("WARNING") || l.contains("is a subdomain of")
            })
            .collect();
        assert!(
            complaints.is_empty(),
            "{}: {complaints:?}",
            policy.display()
        );
    }
}

/// Requests through a live Squid for every policy with carve-outs: banned names (a subdomain
/// under each block of subdomains too, and not the name of a block of subdomains only) are
/// refused with ERR_ACCESS_DENIED, and approved names, carve-outs and the names a carve-out
/// keeps open reach the web server.
#[test]
fn live_squid_denies_banned_names_and_only_those() {
    if !common::require_tool("squid") {
        return;
    }
    let web = common::start_web_server();
    for policy in common::policies() {
        let dir = tempfile::tempdir().unwrap();
        let ir = build(&policy, "squid", dir.path());
        if ir.enforcement.dns_allow.is_empty() {
            continue;
        }
        let expressed = &ir.enforcement.dns_block;
        let mut cases: Vec<(String, bool)> = Vec::new();
        for rule in expressed.iter().take(20) {
            cases.push((rule.name.to_string(), rule.scope.covers_apex()));
            if rule.scope.covers_subdomains() {
                cases.push((format!("{PROBE}.{}", rule.name), true));
            }
        }
        cases.extend(open_probes(&ir).into_iter().take(10).map(|n| (n, false)));
        cases.extend(common::carve_out_probes(
            expressed,
            &ir.enforcement.dns_allow,
            |scope| scope,
        ));
        cases.sort();
        cases.dedup();
        let names: Vec<&str> = cases.iter().map(|(n, _)| n.as_str()).collect();
        let (_squid, proxy) = common::start_squid(dir.path(), &names);
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|(host, blocked)| {
                let (status, answer) = common::through_squid(proxy, host, web);
                let ok = if *blocked {
                    status.contains(" 403 ") && answer.contains("ERR_ACCESS_DENIED")
                } else {
                    status.contains(" 200 ") && answer.ends_with(&format!("served {host}:{web}"))
                };
                let want = if *blocked { "denied" } else { "served" };
                (!ok).then(|| format!("{host}: want {want}, got {status}"))
            })
            .collect();
        common::assert_all_right(policy.display(), &wrong, cases.len());
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
        let e = &ir.enforcement;
        let verdict = |blocked| {
            if blocked {
                "PROXY 127.0.0.1:9"
            } else {
                "DIRECT"
            }
        };
        let cases: Vec<(String, &str)> = blocked_probes(&ir)
            .into_iter()
            .map(|(n, _)| (n, verdict(true)))
            .chain(open_probes(&ir).into_iter().map(|n| (n, verdict(false))))
            .chain(
                common::carve_out_probes(&e.dns_block, &e.dns_allow, |scope| scope)
                    .into_iter()
                    .map(|(n, blocked)| (n, verdict(blocked))),
            )
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
