//! The HTML guides in a real headless Chromium (Debian `chromium`, installed by .ci/run): every
//! page of `guide-html` and `briefing`, for every example, is rendered to a PNG screenshot
//! (desktop and phone widths) and printed to PDF; then loaded with no network, where axe-core
//! (npm, pinned in tests/a11y/) must find no serious or critical accessibility violation, the
//! console must stay free of errors, no request may leave the file, the page may not stick
//! out sideways on a 360 px phone or on A4 paper, and the staff matrix as the browser shows
//! it must agree with `decide` cell by cell.

mod common;

use msgpol::ir::Ir;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every HTML page of the guides for one policy, written into `dir`.
fn html_pages(policy: &Path, dir: &Path) -> (Ir, Vec<PathBuf>) {
    let (ir, mut pages) = common::emit_target(policy, "guide-html", dir);
    let (_, briefing) = common::emit_target(policy, "briefing", dir);
    pages.extend(briefing);
    pages.retain(|p| p.extension().is_some_and(|e| e == "html"));
    assert_eq!(pages.len(), 4, "staff, executives, security and briefing");
    (ir, pages)
}

/// Chromium where `common::find_tool` finds it, the one path both tests launch. Missing, it
/// fails the test in CI and is noted elsewhere (`require_tool`).
fn chromium_path() -> Option<PathBuf> {
    let path = common::find_tool("chromium");
    if path.is_none() {
        common::require_tool("chromium");
    }
    path
}

fn run_chromium(chromium: &Path, profile: &Path, args: &[String]) {
    let (ok, text) = common::run(
        Command::new(chromium)
            .args(common::CHROMIUM_FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(args),
    );
    assert!(ok, "chromium {args:?} failed:\n{text}");
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

fn pdf_pages(bytes: &[u8]) -> usize {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let text = String::from_utf8_lossy(bytes);
    assert!(text.trim_end().ends_with("%%EOF"), "PDF is truncated");
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

#[test]
fn every_html_guide_renders_to_png_and_pdf() {
    let Some(chromium) = chromium_path() else {
        return;
    };
    for policy in common::guide_policies() {
        let dir = tempfile::tempdir().unwrap();
        let (_, pages) = html_pages(&policy, dir.path());
        for page in pages {
            let url = format!("file://{}", page.display());
            let png = page.with_extension("png");
            let phone = page.with_extension("phone.png");
            let pdf = page.with_extension("pdf");
            let profile = dir.path().join("profile");
            run_chromium(
                &chromium,
                &profile,
                &[
                    "--window-size=1280,2000".into(),
                    format!("--screenshot={}", png.display()),
                    url.clone(),
                ],
            );
            run_chromium(
                &chromium,
                &profile,
                &[
                    "--window-size=390,1600".into(),
                    format!("--screenshot={}", phone.display()),
                    url.clone(),
                ],
            );
            run_chromium(
                &chromium,
                &profile,
                &[
                    "--no-pdf-header-footer".into(),
                    format!("--print-to-pdf={}", pdf.display()),
                    url,
                ],
            );
            let bytes = fs::read(&png).unwrap();
            assert_eq!(png_size(&bytes), (1280, 2000), "{}", page.display());
            // A blank page compresses to a few kilobytes; a rendered guide does not.
            assert!(
                bytes.len() > 40_000,
                "{}: {} bytes",
                png.display(),
                bytes.len()
            );
            assert_eq!(png_size(&fs::read(&phone).unwrap()), (390, 1600));
            let pdf_bytes = fs::read(&pdf).unwrap();
            let pages = pdf_pages(&pdf_bytes);
            assert!(pages >= 1, "{}: no pages", pdf.display());
            assert!(
                pdf_bytes.len() > 20_000,
                "{}: {} bytes",
                pdf.display(),
                pdf_bytes.len()
            );
        }
    }
}

/// The directory with axe-core and puppeteer-core, installed by `npm ci` (.ci/run does it).
fn a11y_dir() -> Option<PathBuf> {
    let dir = common::root().join("tests/a11y");
    if dir.join("node_modules/axe-core").is_dir()
        && dir.join("node_modules/puppeteer-core").is_dir()
    {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("tests/a11y/node_modules is missing: .ci/run installs it with `npm ci`");
    }
    eprintln!("note: run `npm ci` in tests/a11y to check accessibility; skipping");
    None
}

#[test]
fn html_guides_are_accessible_and_match_decide_in_chromium() {
    let Some(chromium) = chromium_path() else {
        return;
    };
    if !common::require_tool("node") {
        return;
    }
    let Some(a11y) = a11y_dir() else {
        return;
    };
    for policy in common::guide_policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, pages) = html_pages(&policy, dir.path());
        let (ok, text) = common::run(
            Command::new("node")
                .arg(a11y.join("check.js"))
                .args(&pages)
                .env("CHROMIUM", &chromium)
                .env("CHROMIUM_FLAGS", common::CHROMIUM_FLAGS.join("\n"))
                .env("HOME", dir.path()),
        );
        let results: Vec<serde_json::Value> = text
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(results.len(), pages.len(), "{text}");
        for result in &results {
            let file = result["file"].as_str().unwrap();
            for key in ["consoleErrors", "refused", "violations"] {
                assert_eq!(
                    result[key].as_array().unwrap().len(),
                    0,
                    "{file}: {key}: {:#}",
                    result[key]
                );
            }
            // Wide tables scroll inside their own region: the page itself never does.
            for (medium, px) in result["overflow"].as_object().unwrap() {
                assert_eq!(
                    px.as_i64(),
                    Some(0),
                    "{file} overflows on {medium} by {px} px"
                );
            }
        }
        assert!(ok, "{text}");

        let staff = results
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with("staff.html"))
            .unwrap();
        let rows: Vec<Vec<String>> = serde_json::from_value(staff["matrix"].clone()).unwrap();
        common::assert_matrix_agrees(&ir, &rows, &policy.display().to_string());
    }
}
