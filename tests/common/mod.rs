//! Helpers shared by the integration tests.
#![allow(dead_code)]

use msgpol::diagnostics::{render, ErrorFormat};
use msgpol::source::SourceMap;
use std::path::{Path, PathBuf};
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

/// Whether a tool is on PATH; in CI (`CI=true`) a missing tool fails the test.
pub fn require_tool(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false);
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("`{name}` is not installed: in CI a missing tool is a test failure (.ci/run installs it)");
        }
        eprintln!("note: `{name}` is not installed; skipping the part of this test that needs it");
    }
    found
}
