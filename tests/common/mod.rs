//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod hostile;
pub mod hostlist;
pub mod html;
pub mod rng;

use msgpol::diagnostics::{render, ErrorFormat};
use msgpol::ir::{ChannelInfo, DomainRule, Ir, Medium, Scope, Verdict};
use msgpol::source::SourceMap;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use time::{Date, Month};

/// The evaluation date every test uses, so that expiry checks never depend on the calendar.
pub fn today() -> Date {
    Date::from_calendar_date(2026, Month::November, 23).unwrap()
}

pub const TODAY: &str = "2026-11-23";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn examples() -> Vec<PathBuf> {
    msgpol_files(&root().join("examples"))
}

/// The policies the guides are checked on: the examples, and the fixture whose matrix has a
/// cell "with conditions".
pub fn guide_policies() -> Vec<PathBuf> {
    let mut list = examples();
    list.push(root().join("tests/fixtures/ok/guide.msgpol"));
    list
}

/// The IR of a policy that compiles (at `today()`), or a panic showing its diagnostics.
pub fn ir(policy: &Path) -> Ir {
    let compilation = msgpol::compile(policy, today()).unwrap();
    let text = rendered(&compilation);
    compilation
        .ir
        .unwrap_or_else(|| panic!("{} does not compile:\n{text}", policy.display()))
}

/// Fails with every wrong answer a live program gave, of the `asked` questions about `what`.
pub fn assert_all_right(what: impl std::fmt::Display, wrong: &[String], asked: usize) {
    assert!(
        wrong.is_empty(),
        "{what}: {} wrong answer(s) of {asked}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The first file `target` writes for `ir` (the targets whose output is one file).
pub fn first_file(ir: &Ir, target: &str) -> msgpol::emit::OutputFile {
    let emitted = msgpol::emit::find_target(target).unwrap().emit(ir).unwrap();
    emitted.files.into_iter().next().expect("a file")
}

/// The IR of a policy of one file held in memory; a policy that does not compile fails the
/// test with its diagnostics.
pub fn ir_of_text(policy: &str) -> Ir {
    let files = std::collections::BTreeMap::from([(
        "policy.msgpol".to_string(),
        policy.as_bytes().to_vec(),
    )]);
    let c = msgpol::compile_memory("policy.msgpol", &files, today()).expect("the root is given");
    match c.ir {
        Some(ir) => ir,
        None => panic!("{}", rendered(&c)),
    }
}

/// Samba's `ndrdump` reading a Registry.pol (Debian `samba-testsuite`): its dump, which must
/// end well.
pub fn ndrdump(path: &Path) -> String {
    let (ok, text) = run(Command::new("ndrdump")
        .args(["preg", "preg_file", "struct"])
        .arg(path));
    assert!(
        ok && text.contains("dump OK"),
        "ndrdump refused {}:\n{text}",
        path.display()
    );
    text
}

/// Render a compilation's diagnostics as a user sees them: no colour, 100 columns.
pub fn rendered(c: &msgpol::Compilation) -> String {
    render(&c.diagnostics, &c.sources, ErrorFormat::Human, 100, false)
}

/// Compile and render every diagnostic as a user sees it: no colour, 100 columns.
pub fn diagnostics_text(path: &Path, format: ErrorFormat) -> (String, bool) {
    match msgpol::compile(path, today()) {
        Ok(c) => (
            render(&c.diagnostics, &c.sources, format, 100, false),
            c.has_errors(),
        ),
        Err(d) => (
            render(&[d], &SourceMap::default(), format, 100, false),
            true,
        ),
    }
}

/// Where a program is: on PATH, or in /usr/sbin or /sbin (Debian puts `unbound`, `dnsmasq`
/// and `nft` there, and a non-root user's PATH often lacks them).
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.push("/usr/sbin".into());
    dirs.push("/sbin".into());
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// Whether a tool is installed. In CI (`CI=true`) a missing tool is a test failure; elsewhere
/// the test prints a note and returns early.
pub fn require_tool(name: &str) -> bool {
    if find_tool(name).is_some() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("`{name}` is not installed: a missing tool is a test failure in CI (.ci/run installs it)");
    }
    eprintln!("note: `{name}` is not installed; skipping the part of this test that needs it");
    false
}

/// Whether this process may make a namespace of the kind `unshare` `flag` makes (`-n`
/// network, `-m` mount; root may). In CI (`CI=true`) a refusal is a test failure; elsewhere the
/// test prints a note and skips what needs it.
pub fn can_unshare(flag: &str) -> bool {
    let ok = Command::new("unshare")
        .args([flag, "true"])
        .stdin(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "`unshare {flag}` is not permitted: in CI a missing capability is a test failure"
            );
        }
        eprintln!("note: `unshare {flag}` is not permitted here; skipping the part of this test that needs it");
    }
    ok
}

/// Whether a Python module is installed, as `require_tool` asks of a program: in CI a missing
/// module is a test failure; elsewhere the test prints a note and returns early.
pub fn require_python_module(module: &str, pip_name: &str) -> bool {
    if !require_tool("python3") {
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the Python module {module} (PyPI {pip_name}) is missing: in CI a missing tool is a test failure");
        }
        eprintln!("note: {pip_name} is not installed (pip install {pip_name}); skipping");
    }
    ok
}

/// The `msgpol` command as tests run it: evaluated at `TODAY`, whatever SOURCE_DATE_EPOCH the
/// environment sets.
pub fn msgpol() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("msgpol").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .arg("--today")
        .arg(TODAY);
    cmd
}

/// Every example and every `ok/` fixture, in path order: the policies that tests build with
/// every target.
pub fn policies() -> Vec<PathBuf> {
    let mut list = examples();
    for entry in std::fs::read_dir(root().join("tests/fixtures/ok")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "msgpol") {
            list.push(path);
        }
    }
    list.sort();
    list
}

/// `text` as UTF-16 little-endian with a byte-order mark: what `output_text` reads back.
pub fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

/// Run a program to completion; its success and its stdout and stderr together.
pub fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A port that is free for both UDP and TCP on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A server started by a test, killed when the test ends, also on panic.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A made-up label put in front of a name to stand for "a name under it".
pub const PROBE: &str = "msgpol-probe";

/// What a format's carve-out of one name opens, where it also opens the names under it (the
/// build warns): `opens` for `carve_out_probes`.
pub fn exact_opens_subdomains(scope: Scope) -> Scope {
    match scope {
        Scope::Exact => Scope::Tree,
        _ => scope,
    }
}

/// What the carve-outs inside `block` ask of the names around them, as (name, blocked) pairs:
/// each carve-out's name and a made-up name under it (open where its scope covers them,
/// blocked where not: they lie inside a blocked name), and every name between the carve-out
/// and the blocked rule above it, with a made-up name under each (blocked). Carve-outs under no
/// rule of `block` are left out. `opens(scope)`: what a format's carve-out of that scope opens,
/// more than the scope only where the format says so in a build warning.
pub fn carve_out_probes(
    block: &[DomainRule],
    allow: &[DomainRule],
    opens: impl Fn(Scope) -> Scope,
) -> Vec<(String, bool)> {
    let mut probes = Vec::new();
    for carve in allow {
        let mut between = Vec::new();
        let mut name: &str = &carve.name;
        while let Some((_, parent)) = name.split_once('.') {
            let blocks_below = |b: &DomainRule| *b.name == *parent && b.scope.covers_subdomains();
            if block.iter().any(blocks_below) {
                let open = opens(carve.scope);
                probes.push((carve.name.to_string(), !open.covers_apex()));
                probes.push((format!("{PROBE}.{}", carve.name), !open.covers_subdomains()));
                for name in between {
                    probes.push((format!("{PROBE}.{name}"), true));
                    probes.push((name, true));
                }
                break;
            }
            between.push(parent.to_string());
            name = parent;
        }
    }
    probes.sort();
    probes.dedup();
    probes
}

/// What the test DNS servers answer for every name that is not blocked (TEST-NET-1, RFC 5737).
pub const TEST_ADDRESS: &str = "192.0.2.1";

/// The status of a DNS answer (NOERROR, NXDOMAIN, …, or NO ANSWER) and its A records.
pub fn dns_lookup(port: u16, name: &str) -> (String, Vec<String>) {
    let (_, text) = run(Command::new(find_tool("kdig").expect("kdig is installed"))
        .args(["+timeout=2", "+retry=0", "@127.0.0.1", "-p"])
        .arg(port.to_string())
        .arg(name)
        .arg("A"));
    let status = match text.split("status: ").nth(1) {
        Some(rest) => rest.chars().take_while(char::is_ascii_uppercase).collect(),
        None => "NO ANSWER".to_string(),
    };
    let addresses = text
        .lines()
        .filter(|l| !l.starts_with(';'))
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [_, _, "IN", "A", address] | [_, _, "A", address] => Some(address.to_string()),
            _ => None,
        })
        .collect();
    (status, addresses)
}

/// A `named` (BIND 9) on a free loopback port with `options` added to its options and `zones`
/// as its zone statements, everything in `dir` (under `label`): no control channel, no
/// IPv6, one worker thread. Returns once it answers and has logged `ready` (it answers before
/// it has loaded its zones).
pub fn start_named(
    dir: &Path,
    label: &str,
    options: &str,
    zones: &str,
    ready: &str,
) -> (KillOnDrop, u16) {
    let d = dir.display();
    let conf = dir.join(format!("{label}.conf"));
    start_dns_server(
        &dir.join(format!("{label}.log")),
        "named",
        Some(ready),
        |port| {
            std::fs::write(
            &conf,
            format!(
                "options {{\n  directory \"{d}\";\n  pid-file none;\n  \
                 session-keyfile \"{d}/{label}-session.key\";\n  managed-keys-directory \"{d}\";\n  \
                 listen-on port {port} {{ 127.0.0.1; }};\n  listen-on-v6 {{ none; }};\n  \
                 dnssec-validation no;\n{options}}};\ncontrols {{ }};\n{zones}"
            ),
        )
        .unwrap();
            let (ok, text) = run(Command::new(find_tool("named-checkconf").unwrap()).arg(&conf));
            assert!(ok, "named-checkconf rejected {}:\n{text}", conf.display());
            let mut command = Command::new(find_tool("named").unwrap());
            command.args(["-g", "-n", "1", "-c"]).arg(&conf);
            command
        },
    )
}

/// A DNS server on a free loopback port: `command` gives the command that starts it on a
/// port. If it exits before it answers (most likely the port was taken), it is started again
/// on another port. Returns once it answers a query at all (a refusal is an answer) and, if
/// given, `ready` is a line of its `log`, where its standard error goes.
pub fn start_dns_server(
    log: &Path,
    what: &str,
    ready: Option<&str>,
    command: impl Fn(u16) -> Command,
) -> (KillOnDrop, u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let port = free_port();
        let child = command(port)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let mut server = KillOnDrop(child);
        loop {
            let logged = || {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                ready.is_none_or(|line| text.lines().any(|l| l.ends_with(line)))
            };
            if dns_responds(port) && logged() {
                return (server, port);
            }
            assert!(
                Instant::now() < deadline,
                "{what} did not answer on port {port}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
            if server.0.try_wait().unwrap().is_some() {
                break; // most likely the port was taken: try another
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// An authoritative `named` for the root zone whose wildcard answers `TEST_ADDRESS` for every
/// name: the upstream that resolvers under test forward to, so that a name they let through
/// resolves without any network.
pub fn start_upstream(dir: &Path) -> (KillOnDrop, u16) {
    std::fs::write(
        dir.join("root.zone"),
        format!(
            "$TTL 300\n@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 300\n\
             @ NS localhost.\n* A {TEST_ADDRESS}\n"
        ),
    )
    .unwrap();
    let zones = format!(
        "zone \".\" {{ type primary; file \"{}/root.zone\"; }};\n",
        dir.display()
    );
    start_named(dir, "upstream", "  recursion no;\n", &zones, " running")
}

/// A recursive `named` that forwards every query to `upstream` and applies the response-policy
/// zone in `zone_file` (as `rpz.msgpol`), as the rpz target's page says to install it. Returns
/// once BIND has loaded the zone's policies (queries before that are not rewritten).
pub fn start_rpz_resolver(dir: &Path, upstream: u16, zone_file: &Path) -> (KillOnDrop, u16) {
    let options = format!(
        "  recursion yes;\n  allow-query {{ 127.0.0.1; }};\n  forward only;\n  \
         forwarders {{ 127.0.0.1 port {upstream}; }};\n  response-policy {{ zone \"rpz.msgpol\"; }};\n"
    );
    let zones = format!(
        "zone \"rpz.msgpol\" {{ type primary; file \"{}\"; }};\n",
        zone_file.display()
    );
    start_named(
        dir,
        "resolver",
        &options,
        &zones,
        " rpz: rpz.msgpol: reload done: success",
    )
}

/// A dnsmasq on a free loopback port with `option` (a configuration file or a hosts file),
/// forwarding to `upstream` if given; without, names it does not answer itself are refused,
/// never sent on.
pub fn start_dnsmasq(dir: &Path, option: &str, upstream: Option<u16>) -> (KillOnDrop, u16) {
    start_dns_server(&dir.join("dnsmasq.log"), "dnsmasq", None, |port| {
        let mut command = Command::new(find_tool("dnsmasq").unwrap());
        command
            .arg("--keep-in-foreground")
            .arg("--no-resolv")
            .arg("--no-hosts")
            .arg("--bind-interfaces")
            .arg("--listen-address=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg("--user=root")
            .arg(format!("--pid-file={}", dir.join("pid").display()))
            .arg("--conf-file=/dev/null")
            .args(upstream.map(|p| format!("--server=127.0.0.1#{p}")))
            .arg(option);
        command
    })
}

/// An Unbound on a free loopback port with the `fragment` an unbound target wrote included in
/// its `server:` clause, forwarding every name the fragment does not answer to `upstream`;
/// everything else in `dir`.
pub fn start_unbound(dir: &Path, fragment: &Path, upstream: u16) -> (KillOnDrop, u16) {
    let conf = dir.join("unbound.conf");
    let d = dir.display();
    start_dns_server(&dir.join("unbound.log"), "unbound", None, |port| {
        std::fs::write(
            &conf,
            format!(
                "server:\n    interface: 127.0.0.1\n    port: {port}\n    so-reuseport: no\n    \
                 do-daemonize: no\n    username: \"\"\n    chroot: \"\"\n    directory: \"{d}\"\n    \
                 pidfile: \"\"\n    use-syslog: no\n    logfile: \"\"\n    do-ip6: no\n    \
                 num-threads: 1\n    access-control: 127.0.0.0/8 allow\n    \
                 do-not-query-localhost: no\ninclude: \"{}\"\n\
                 forward-zone:\n    name: \".\"\n    forward-addr: 127.0.0.1@{upstream}\n",
                fragment.display()
            ),
        )
        .unwrap();
        let mut command = Command::new(find_tool("unbound").unwrap());
        command.arg("-d").arg("-c").arg(&conf);
        command
    })
}

/// What a DNS server answered to an A query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsReply {
    /// The response code: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, …
    pub rcode: u8,
    pub addresses: Vec<Ipv4Addr>,
}

pub const NOERROR: u8 = 0;
pub const NXDOMAIN: u8 = 3;

/// Whether a DNS server answers on 127.0.0.1:`port` at once.
pub fn dns_responds(port: u16) -> bool {
    dns_ask_with(
        port,
        &["msgpol-probe.example".into()],
        Duration::from_millis(50),
        1,
    )[0]
    .is_some()
}

/// Ask the DNS server on 127.0.0.1:`port` for the A records of every name, over UDP: a few
/// dozen queries in flight at a time, each sent again if unanswered after a second, at most
/// four times. `None` for a name never answered.
pub fn dns_ask(port: u16, names: &[String]) -> Vec<Option<DnsReply>> {
    dns_ask_with(port, names, Duration::from_secs(1), 4)
}

fn dns_ask_with(
    port: u16,
    names: &[String],
    patience: Duration,
    tries: usize,
) -> Vec<Option<DnsReply>> {
    /// Queries in flight at once: below dnsmasq's 150 forwarded queries.
    const WINDOW: usize = 32;
    assert!(
        names.len() <= usize::from(u16::MAX),
        "one query id per name"
    );
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut replies: Vec<Option<DnsReply>> = vec![None; names.len()];
    // Each query in flight: when it was last sent and how often.
    let mut in_flight: HashMap<usize, (Instant, usize)> = HashMap::new();
    let mut next = 0;
    let mut buffer = [0u8; 4096];
    while next < names.len() || !in_flight.is_empty() {
        while in_flight.len() < WINDOW && next < names.len() {
            let _ = socket.send(&dns_query_packet(next as u16, &names[next]));
            in_flight.insert(next, (Instant::now(), 1));
            next += 1;
        }
        if let Ok(length) = socket.recv(&mut buffer) {
            if let Some((id, reply)) = dns_reply(&buffer[..length], names) {
                if in_flight.remove(&id).is_some() {
                    replies[id] = Some(reply);
                }
            }
        }
        let now = Instant::now();
        in_flight.retain(|&id, (sent, count)| {
            if now.duration_since(*sent) < patience {
                return true;
            }
            if *count >= tries {
                return false;
            }
            let _ = socket.send(&dns_query_packet(id as u16, &names[id]));
            *sent = now;
            *count += 1;
            true
        });
    }
    replies
}

/// A query for the A records of `name`, recursion desired.
fn dns_query_packet(id: u16, name: &str) -> Vec<u8> {
    let mut packet = Vec::with_capacity(name.len() + 18);
    packet.extend_from_slice(&id.to_be_bytes());
    packet.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.trim_end_matches('.').split('.') {
        packet.push(label.len() as u8);
        packet.extend_from_slice(label.as_bytes());
    }
    packet.extend_from_slice(&[0, 0, 1, 0, 1]);
    packet
}

/// The query id and the answer of a reply to a query `dns_query_packet` made for one of
/// `names`; `None` for anything else.
fn dns_reply(packet: &[u8], names: &[String]) -> Option<(usize, DnsReply)> {
    let u16_at = |at: usize| Some(u16::from_be_bytes([*packet.get(at)?, *packet.get(at + 1)?]));
    let id = usize::from(u16_at(0)?);
    let is_reply = packet.get(2)? & 0x80 != 0;
    if !is_reply || u16_at(4)? != 1 || id >= names.len() {
        return None;
    }
    let rcode = packet[3] & 0x0F;
    let answers = u16_at(6)?;
    // The question must be ours (a late reply to an earlier query of the same id is not).
    let mut at = 12;
    let mut asked = Vec::new();
    loop {
        let length = usize::from(*packet.get(at)?);
        at += 1;
        if length == 0 {
            break;
        }
        asked.push(String::from_utf8_lossy(packet.get(at..at + length)?).to_ascii_lowercase());
        at += length;
    }
    if asked.join(".") != names[id].trim_end_matches('.').to_ascii_lowercase() {
        return None;
    }
    at += 4;
    let mut addresses = Vec::new();
    for _ in 0..answers {
        // The owner name: labels ending in a zero or a compression pointer.
        loop {
            let length = *packet.get(at)?;
            if length & 0xC0 == 0xC0 {
                at += 2;
                break;
            }
            at += 1 + usize::from(length);
            if length == 0 {
                break;
            }
        }
        let kind = u16_at(at)?;
        let length = usize::from(u16_at(at + 8)?);
        let data = packet.get(at + 10..at + 10 + length)?;
        if kind == 1 && length == 4 {
            addresses.push(Ipv4Addr::new(data[0], data[1], data[2], data[3]));
        }
        at += 10 + length;
    }
    Some((id, DnsReply { rcode, addresses }))
}

/// A web server on a free loopback port that answers every request with `served HOST` (its
/// Host header), in a thread that ends with the test.
pub fn start_web_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut host = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("host:") {
                    host = value.trim().to_string();
                }
                line.clear();
            }
            let body = format!("served {host}");
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// What Squid on `proxy` makes of a request for `http://HOST:WEB/`: its status line and
/// whole answer.
pub fn through_squid(proxy: u16, host: &str, web: u16) -> (String, String) {
    // A connection Squid accepts and closes without a byte (a worker restarting under load)
    // is asked again; an answer of any kind, allowed or refused, is never asked twice.
    for _ in 0..3 {
        let answer = squid_request(proxy, host, web);
        if let Some(status) = answer.lines().next() {
            return (status.to_string(), answer);
        }
    }
    ("no answer".to_string(), String::new())
}

/// One request for `host` through the Squid on `proxy`: all it answered.
fn squid_request(proxy: u16, host: &str, web: u16) -> String {
    // Squid's master restarts a worker that stops, refusing connections meanwhile: wait for it.
    let started = Instant::now();
    let mut stream = loop {
        match TcpStream::connect(("127.0.0.1", proxy)) {
            Ok(stream) => break stream,
            Err(_) if started.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("Squid on port {proxy} refuses connections: {e}"),
        }
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET http://{host}:{web}/ HTTP/1.1\r\nHost: {host}:{web}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// A Squid on a free loopback port with the squid target's snippet (in `dir`, with the files
/// it names) included, then `http_access allow localhost`: every name in `names` resolves to
/// 127.0.0.1 through its `hosts_file`. It runs as Debian's `proxy` user, so its directory
/// must be readable by it.
pub fn start_squid(dir: &Path, names: &[&str]) -> (KillOnDrop, u16) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let hosts: String = names.iter().map(|n| format!("127.0.0.1 {n}\n")).collect();
    std::fs::write(dir.join("hosts"), hosts).unwrap();
    let snippet = std::fs::read_to_string(dir.join("msgpol.conf"))
        .unwrap()
        .replace("/etc/squid/", &format!("{}/", dir.display()));
    std::fs::write(dir.join("included.conf"), snippet).unwrap();
    let port = free_port();
    let d = dir.display();
    let conf = dir.join("squid.conf");
    std::fs::write(
        &conf,
        format!(
            "http_port 127.0.0.1:{port}\npid_filename none\naccess_log none\ncache_log /dev/null\n\
             hosts_file {d}/hosts\ndns_nameservers 127.0.0.1\npinger_enable off\n\
             shutdown_lifetime 0 seconds\ncoredump_dir {d}\ninclude {d}/included.conf\n\
             http_access allow localhost\nhttp_access deny all\n"
        ),
    )
    .unwrap();
    let log = dir.join("squid.log");
    let child = Command::new(find_tool("squid").unwrap())
        .args(["-N", "-d", "1", "-f"])
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut server = KillOnDrop(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = server.0.try_wait().unwrap().is_some();
        assert!(
            !exited && start.elapsed() < Duration::from_secs(20),
            "squid did not start:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}

/// Compile a policy and write one target's files into `dir` (with their folders, such as the
/// gpo's `Machine/`); the IR and the files' paths.
pub fn emit_target(policy: &Path, target: &str, dir: &Path) -> (msgpol::ir::Ir, Vec<PathBuf>) {
    let ir = ir(policy);
    let paths = write_target(&ir, target, dir);
    (ir, paths)
}

/// Write the files `target` makes of `ir` into `dir` (with their folders); their paths.
pub fn write_target(ir: &Ir, target: &str, dir: &Path) -> Vec<PathBuf> {
    let emitted = msgpol::emit::find_target(target).unwrap().emit(ir).unwrap();
    emitted
        .files
        .into_iter()
        .map(|file| {
            let path = dir.join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, file.contents).unwrap();
            path
        })
        .collect()
}

/// The channels whose tier `keep` accepts, in tier order.
pub fn channels(
    ir: &Ir,
    keep: impl Fn(&msgpol::ir::TierInfo) -> bool,
) -> Vec<&msgpol::ir::ChannelInfo> {
    ir.tiered_channels()
        .filter(|c| ir.tier_of(c).is_some_and(&keep))
        .collect()
}

/// An output file as text: UTF-16 little-endian if it starts with that byte-order mark (the
/// `reg` file, the Purview rule package), else UTF-8 without its byte-order mark if it has one
/// (the Purview script).
pub fn output_text(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFF, 0xFE]) {
        Some(rest) => {
            let units: Vec<u16> = rest
                .chunks(2)
                .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16(&units).expect("valid UTF-16")
        }
        None => String::from_utf8(
            bytes
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(bytes)
                .to_vec(),
        )
        .expect("valid UTF-8"),
    }
}

/// A file as text for its snapshot: text as `output_text` reads it, with a note when it starts
/// with a byte-order mark; anything else (Registry.pol) as a hex dump with the UTF-16 text
/// beside it.
pub fn readable(bytes: &[u8]) -> String {
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return format!("(UTF-16LE with BOM)\n{}", output_text(bytes));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return format!("(UTF-8 with BOM)\n{}", output_text(bytes));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => return text.to_string(),
        _ => {}
    }
    let mut out = String::from("(binary: offset, bytes, the ASCII of UTF-16LE text)\n");
    for (i, line) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
        let text: String = line
            .chunks(2)
            .map(|c| match c {
                [b, 0] if b.is_ascii_graphic() || *b == b' ' => *b as char,
                _ => '.',
            })
            .collect();
        out.push_str(&format!("{:06x}  {:<47}  {text}\n", i * 16, hex.join(" ")));
    }
    out
}

/// Headless Chromium without a sandbox (tests run as root), GPU or any background traffic.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Policies files that Firefox reads in preference to the one beside its binary.
pub const FIREFOX_SYSTEM_POLICIES: &[&str] = &[
    "/etc/firefox/policies/policies.json",
    "/etc/firefox-esr/policies/policies.json",
];

/// A private Firefox installation in `dir`: the binary copied (Firefox finds its
/// `distribution` folder beside the binary it runs as), everything else linked to the
/// installed one, and `distribution/policies.json` holding `policies`. Its binary's path.
pub fn private_firefox(dir: &Path, policies: &[u8]) -> PathBuf {
    let binary = std::fs::canonicalize(find_tool("firefox-esr").unwrap()).unwrap();
    let install = binary.parent().unwrap();
    let copy = dir.join("firefox");
    let distribution = copy.join("distribution");
    std::fs::create_dir_all(&distribution).unwrap();
    for entry in std::fs::read_dir(install).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "distribution" || name == "firefox-bin" || *name == *binary.file_name().unwrap()
        {
            continue;
        }
        std::os::unix::fs::symlink(entry.path(), copy.join(&name)).unwrap();
    }
    if let Ok(entries) = std::fs::read_dir(install.join("distribution")) {
        for entry in entries {
            let entry = entry.unwrap();
            if entry.file_name() != "policies.json" {
                std::os::unix::fs::symlink(entry.path(), distribution.join(entry.file_name()))
                    .unwrap();
            }
        }
    }
    std::fs::write(distribution.join("policies.json"), policies).unwrap();
    let private = copy.join(binary.file_name().unwrap());
    std::fs::copy(&binary, &private).unwrap();
    private
}

/// The Node.js modules of tests/a11y (puppeteer-core), installed by `npm ci` (.ci/run does it).
pub fn puppeteer_dir() -> Option<PathBuf> {
    let dir = root().join("tests/a11y");
    if dir.join("node_modules/puppeteer-core").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("tests/a11y/node_modules is missing: .ci/run installs it with `npm ci`");
    }
    eprintln!("note: run `npm ci` in tests/a11y to drive the browsers; skipping");
    None
}

/// The JSON objects a script printed, one a line, among its other lines.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// How a browser ends loading each of `hosts`, as tests/a11y/load.js drives it: one JSON object
/// per host (`{"host", "outcome", "body"}`). `launcher` runs the script's arguments (`node`,
/// or a command that ends by running them), `kind` is `firefox` or `chrome`, and `dir` holds
/// the profile and stands for HOME.
pub fn browser_outcomes(
    mut launcher: Command,
    kind: &str,
    executable: &Path,
    dir: &Path,
    hosts: &[&str],
) -> Vec<serde_json::Value> {
    let scripts = root().join("tests/a11y");
    let (ok, text) = run(launcher
        .arg(scripts.join("load.js"))
        .arg(kind)
        .arg(executable)
        .arg(dir.join("profile"))
        .args(hosts)
        .env("HOME", dir)
        .env("MOZ_CRASHREPORTER_DISABLE", "1")
        .env("CHROMIUM_FLAGS", CHROMIUM_FLAGS.join("\n")));
    assert!(ok, "load.js ({kind}) failed:\n{text}");
    let results = json_lines(&text);
    assert_eq!(results.len(), hosts.len(), "{text}");
    for (host, result) in hosts.iter().zip(&results) {
        assert_eq!(result["host"], *host);
    }
    results
}

/// How Firefox ends loading each of `hosts` with `policies` as its policies.json (a private
/// installation in `dir`), as `browser_outcomes` says; `None` if it cannot be driven here.
pub fn firefox_outcomes(
    dir: &Path,
    policies: &[u8],
    hosts: &[&str],
) -> Option<Vec<serde_json::Value>> {
    if !require_tool("firefox-esr") || !require_tool("node") {
        return None;
    }
    puppeteer_dir()?;
    for path in FIREFOX_SYSTEM_POLICIES {
        assert!(
            !Path::new(path).exists(),
            "{path} exists: Firefox would read it instead of the policies under test"
        );
    }
    let firefox = private_firefox(dir, policies);
    Some(browser_outcomes(
        Command::new("node"),
        "firefox",
        &firefox,
        dir,
        hosts,
    ))
}

/// The verdict a guide's matrix cell shows: "<symbol> <word>", then an optional "(n)" naming
/// its condition.
pub fn verdict_of_cell(cell: &str) -> Verdict {
    let cell = cell.trim();
    let word = cell.split_once(' ').map_or(cell, |(_, rest)| rest);
    if word.starts_with("Yes") {
        Verdict::Allow
    } else if word.starts_with("With conditions") {
        Verdict::Warn
    } else if word.starts_with("No") {
        Verdict::Deny
    } else {
        panic!("not a verdict: {cell:?}")
    }
}

/// One rendered matrix: the media its caption names (none: whatever the medium) and its rows
/// of cell texts (a header, then channel, tier and one cell per class).
pub struct RenderedMatrix {
    pub media: Vec<Medium>,
    pub rows: Vec<Vec<String>>,
}

/// The media a matrix caption names: "For text, voice and video: may this kind …" (the guide
/// strings' medium words); none for the caption of a matrix for whatever the medium.
pub fn caption_media(caption: &str) -> Vec<Medium> {
    let Some(list) = caption
        .trim()
        .strip_prefix("For ")
        .and_then(|rest| rest.split_once(':'))
        .map(|(list, _)| list)
    else {
        return Vec::new();
    };
    list.split(", ")
        .flat_map(|part| part.split(" and "))
        .map(|word| match word {
            "text" => Medium::Text,
            "voice" => Medium::Voice,
            "video" => Medium::Video,
            "files" => Medium::File,
            "email" => Medium::Email,
            other => panic!("not a medium in a matrix caption: {other:?}"),
        })
        .collect()
}

/// Whether `decide` judges a tiered channel medium by medium (its tier has `allows … for`).
pub fn judged_per_medium(ir: &Ir, channel: &ChannelInfo) -> bool {
    ir.media_to_judge(channel, None) != [None]
}

/// A guide's matrices agree with `decide` for every class × tiered channel × medium: one
/// matrix if no channel is judged per medium, else each medium such a channel carries in
/// exactly one matrix, whose every cell `decide` gives for each of its media.
pub fn assert_matrix_agrees(ir: &Ir, matrices: &[RenderedMatrix], what: &str) {
    let tiered: Vec<&ChannelInfo> = ir.tiered_channels().collect();
    let split: Vec<&ChannelInfo> = tiered
        .iter()
        .copied()
        .filter(|c| judged_per_medium(ir, c))
        .collect();
    if split.is_empty() {
        assert_eq!(matrices.len(), 1, "{what}: one matrix");
        assert!(
            matrices[0].media.is_empty(),
            "{what}: a matrix for every medium"
        );
    } else {
        let mut shown: Vec<Medium> = matrices.iter().flat_map(|m| m.media.clone()).collect();
        shown.sort();
        let mut carried: Vec<Medium> = split.iter().flat_map(|c| c.media.clone()).collect();
        carried.sort();
        carried.dedup();
        assert_eq!(shown, carried, "{what}: each medium in one matrix");
    }
    let labels: Vec<&str> = ir.classes.iter().map(|c| c.label.as_str()).collect();
    for matrix in matrices {
        let what = format!("{what} ({:?})", matrix.media);
        let media: Vec<Option<Medium>> = if matrix.media.is_empty() {
            vec![None]
        } else {
            matrix.media.iter().copied().map(Some).collect()
        };
        let rows = &matrix.rows;
        let shown: Vec<&ChannelInfo> = tiered
            .iter()
            .copied()
            .filter(|c| !judged_per_medium(ir, c) || c.media.contains(&media[0].unwrap()))
            .collect();
        assert_eq!(
            rows.len(),
            shown.len() + 1,
            "{what}: a header and a row per channel"
        );
        assert_eq!(rows[0][2..], labels[..], "{what}: class columns");
        for (row, channel) in rows[1..].iter().zip(&shown) {
            assert_eq!(row[0], channel.label, "{what}");
            assert_eq!(row.len(), ir.classes.len() + 2, "{what}: {row:?}");
            let per_medium = judged_per_medium(ir, channel);
            for (cell, class) in row[2..].iter().zip(&ir.classes) {
                for &medium in &media {
                    let judged = medium.filter(|_| per_medium);
                    let decided = ir.decide(&class.name, &channel.name, judged, None).unwrap();
                    assert_eq!(
                        verdict_of_cell(cell),
                        decided.verdict,
                        "{what}: {} on {} as {medium:?}",
                        class.name,
                        channel.name
                    );
                }
            }
        }
    }
}

/// The matrices of a guide rendered as HTML (our own or cmark-gfm's): each table whose header
/// starts "Channel", "Tier", with the media of its caption (its `<caption>`, else the
/// paragraph before it).
pub fn html_matrices(html: &str) -> Vec<RenderedMatrix> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<table") {
        let end = start + rest[start..].find("</table>").expect("a closed table");
        let table = &rest[start..end];
        let rows = html_rows(table);
        if rows
            .first()
            .is_some_and(|h| h.starts_with(&["Channel".to_string(), "Tier".to_string()]))
        {
            // The legend is a paragraph of its own between the first caption and its table.
            let paragraph = rest[..start]
                .rmatch_indices("<p>")
                .map(|(p, _)| html_text(&rest[p..start]))
                .find(|text| !text.trim_start().starts_with("Legend"));
            let caption = match table.find("<caption") {
                Some(at) => {
                    let body = at + table[at..].find('>').unwrap() + 1;
                    html_text(&table[body..body + table[body..].find("</caption>").unwrap()])
                }
                None => paragraph.unwrap_or_default(),
            };
            out.push(RenderedMatrix {
                media: caption_media(&caption),
                rows,
            });
        }
        rest = &rest[end..];
    }
    out
}

/// The text of an HTML fragment: tags dropped and the predefined entities decoded.
pub fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// Every `<table>` of an HTML document, as rows of the text of their `<th>` and `<td>` cells.
pub fn html_tables(html: &str) -> Vec<Vec<Vec<String>>> {
    let mut tables = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<table") {
        let end = start + rest[start..].find("</table>").expect("a closed table");
        tables.push(html_rows(&rest[start..end]));
        rest = &rest[end..];
    }
    tables
}

/// The rows of one HTML table, as the text of their `<th>` and `<td>` cells.
pub fn html_rows(table: &str) -> Vec<Vec<String>> {
    table
        .split("<tr")
        .skip(1)
        .map(|row| {
            let mut cells = Vec::new();
            let mut row = row;
            while let Some(at) = ["<th", "<td"].iter().filter_map(|t| row.find(t)).min() {
                let close = format!("</{}>", &row[at + 1..at + 3]);
                let body = at + row[at..].find('>').unwrap() + 1;
                let body_end = body + row[body..].find(&close).expect("a closed cell");
                cells.push(html_text(&row[body..body_end]).trim().to_string());
                row = &row[body_end + close.len()..];
            }
            cells
        })
        .collect()
}

/// Snapshot settings for one target's output: its snapshots live in
/// `tests/snapshots/targets/<target>/`, so a change to one target shows as one folder's diff.
pub fn target_snapshots(target: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("snapshots/targets/{target}"));
    settings
}

/// The `.msgpol` files directly in `dir`, sorted.
pub fn msgpol_files(dir: &Path) -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "msgpol"))
        .collect();
    list.sort();
    list
}
