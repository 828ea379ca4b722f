//! Helpers shared by the integration tests.
#![allow(dead_code)]

use msgpol::diagnostics::{render, ErrorFormat};
use msgpol::source::SourceMap;
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
    let mut list: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "msgpol"))
        .collect();
    list.sort();
    list
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

/// Compile a policy and write one target's files into `dir`; the IR and the files' paths.
pub fn emit_target(policy: &Path, target: &str, dir: &Path) -> (msgpol::ir::Ir, Vec<PathBuf>) {
    let ir = msgpol::compile(policy, today()).unwrap().ir.unwrap();
    let emitted = msgpol::emit::find_target(target)
        .unwrap()
        .emit(&ir)
        .unwrap();
    let paths = emitted
        .files
        .into_iter()
        .map(|file| {
            let path = dir.join(&file.path);
            std::fs::write(&path, file.contents).unwrap();
            path
        })
        .collect();
    (ir, paths)
}

/// An output file as text: UTF-16 little-endian if it starts with that byte-order mark (the
/// Purview rule package), else UTF-8 without its byte-order mark if it has one (the Purview
/// script).
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
