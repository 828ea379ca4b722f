//! Helpers shared by the integration tests.
#![allow(dead_code)]

use msgpol::diagnostics::{render, ErrorFormat};
use msgpol::ir::{DomainRule, Ir, Scope, Verdict};
use msgpol::source::SourceMap;
use std::net::{TcpListener, UdpSocket};
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
/// IPv6, one worker thread. Returns once it answers a query for `probe`.
pub fn start_named(
    dir: &Path,
    label: &str,
    options: &str,
    zones: &str,
    probe: &str,
) -> (KillOnDrop, u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let port = free_port();
        let d = dir.display();
        let conf = dir.join(format!("{label}.conf"));
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
        let log = dir.join(format!("{label}.log"));
        let child = Command::new(find_tool("named").unwrap())
            .args(["-g", "-n", "1", "-c"])
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("cannot start named");
        let mut server = KillOnDrop(child);
        loop {
            if dns_lookup(port, probe).0 != "NO ANSWER" {
                return (server, port);
            }
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(
                Instant::now() < deadline,
                "named ({label}) did not answer on port {port}:\n{log_text}"
            );
            if server.0.try_wait().unwrap().is_some() {
                break; // most likely the port was taken: try another
            }
            std::thread::sleep(Duration::from_millis(100));
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
    start_named(
        dir,
        "upstream",
        "  recursion no;\n",
        &zones,
        "msgpol-probe.example",
    )
}

/// A recursive `named` that forwards every query to `upstream` and applies the response-policy
/// zone in `zone_file` (as `rpz.msgpol`), as the rpz target's page says to install it.
pub fn start_rpz_resolver(dir: &Path, upstream: u16, zone_file: &Path) -> (KillOnDrop, u16) {
    let options = format!(
        "  recursion yes;\n  allow-query {{ 127.0.0.1; }};\n  forward only;\n  \
         forwarders {{ 127.0.0.1 port {upstream}; }};\n  response-policy {{ zone \"rpz.msgpol\"; }};\n"
    );
    let zones = format!(
        "zone \"rpz.msgpol\" {{ type primary; file \"{}\"; }};\n",
        zone_file.display()
    );
    start_named(dir, "resolver", &options, &zones, "msgpol-probe.example")
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

/// A guide's matrix as rows of cell texts (a header, then channel, tier and one cell per
/// class) agrees with `decide` for every class × tiered channel.
pub fn assert_matrix_agrees(ir: &Ir, rows: &[Vec<String>], what: &str) {
    let tiered: Vec<_> = ir.tiered_channels().collect();
    assert_eq!(
        rows.len(),
        tiered.len() + 1,
        "{what}: a header and a row per channel"
    );
    let labels: Vec<&str> = ir.classes.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(rows[0][2..], labels[..], "{what}: class columns");
    for (row, channel) in rows[1..].iter().zip(&tiered) {
        assert_eq!(row[0], channel.label, "{what}");
        assert_eq!(row.len(), ir.classes.len() + 2, "{what}: {row:?}");
        for (cell, class) in row[2..].iter().zip(&ir.classes) {
            let decided = ir.decide(&class.name, &channel.name, None).unwrap();
            assert_eq!(
                verdict_of_cell(cell),
                decided.verdict,
                "{what}: {} on {}",
                class.name,
                channel.name
            );
        }
    }
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
