//! The HTML guides in a real headless Chromium (Debian `chromium`, installed by .ci/run): every
//! page of `guide-html` and `briefing`, for every example, is rendered to a PNG screenshot
//! (desktop and phone widths) and printed to PDF; then loaded with no network, where axe-core
//! (npm, pinned in tests/a11y/) must find no serious or critical accessibility violation, the
//! console must stay free of errors, no request may leave the file, the page may not stick
//! out sideways on a 360 px phone or on A4 paper, and the staff matrix as the browser shows
//! it must agree with `decide` cell by cell, and the staff guide as it shows it must hold
//! nothing meant for administrators.

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
        let results = common::json_lines(&text);
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
        let matrices: Vec<common::RenderedMatrix> = staff["matrices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| common::RenderedMatrix {
                media: common::caption_media(m["caption"].as_str().unwrap()),
                rows: serde_json::from_value(m["rows"].clone()).unwrap(),
            })
            .collect();
        common::assert_matrix_agrees(&ir, &matrices, &policy.display().to_string());
        assert_staff_sees_nothing_for_administrators(&ir, staff["text"].as_str().unwrap());
    }
}

/// The staff guide as Chromium shows it holds no administrators' notes, "unconfirmed" marks,
/// blocking controls, or program and app identifiers of the policy's channels.
fn assert_staff_sees_nothing_for_administrators(ir: &Ir, shown: &str) {
    for word in ["For administrators", "unconfirmed", "Blocked by"] {
        assert!(!shown.contains(word), "the staff guide shows {word:?}");
    }
    for channel in ir.channels.iter().filter(|c| c.tier.is_some()) {
        let e = &channel.endpoints;
        let identifiers = [
            &e.windows_publisher,
            &e.macos_team,
            &e.macos_signing_id,
            &e.entra_app,
            &e.android_package,
        ];
        let admin = channel
            .admin_notes
            .iter()
            .chain(identifiers.into_iter().flatten());
        for text in admin {
            assert!(
                !shown.contains(text.as_str()),
                "the staff guide shows {text:?} of `{}`",
                channel.name
            );
        }
    }
}

/// Markdown table blocks (runs of lines starting with `|`), as rows of raw cell texts: the
/// header, then the body rows (the delimiter row left out).
fn markdown_tables(md: &str) -> Vec<Vec<Vec<String>>> {
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut in_table = false;
    for line in md.lines() {
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if !in_table {
            tables.push(Vec::new());
            in_table = true;
        }
        if line.starts_with("|---") || line.starts_with("| ---") {
            continue;
        }
        // Cells are separated by `|` that is not escaped as `\|`.
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut chars = line.trim().trim_start_matches('|').chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    cell.push(c);
                    cell.extend(chars.next());
                }
                '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
                _ => cell.push(c),
            }
        }
        tables.last_mut().unwrap().push(cells);
    }
    tables
}

/// The Markdown guides and the briefing through cmark-gfm (Debian `cmark-gfm`, installed by
/// .ci/run), GitHub's own Markdown renderer, with GitHub's extensions: every table comes out
/// as a `<table>` with every row and cell, every heading as a heading, no raw HTML, no table
/// line left as text, and the staff matrix as rendered agrees with `decide` cell by cell.
#[test]
fn markdown_guides_render_as_github_flavoured_markdown() {
    if !common::require_tool("cmark-gfm") {
        return;
    }
    for policy in common::guide_policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, mut files) = common::emit_target(&policy, "guide-md", dir.path());
        files.extend(common::emit_target(&policy, "briefing", dir.path()).1);
        files.retain(|p| p.extension().is_some_and(|e| e == "md"));
        assert_eq!(files.len(), 4, "staff, executives, security and briefing");
        for file in files {
            let what = format!("{} {}", policy.display(), file.display());
            let (ok, html) = common::run(
                Command::new("cmark-gfm")
                    .args(["--to", "html", "--validate-utf8"])
                    .args(["-e", "table", "-e", "strikethrough", "-e", "autolink"])
                    .args(["-e", "tagfilter", "-e", "tasklist"])
                    .arg(&file),
            );
            assert!(ok, "{what}: {html}");
            let md = fs::read_to_string(&file).unwrap();
            assert!(!html.contains("raw HTML omitted"), "{what}: raw HTML");
            let headings = md
                .lines()
                .filter(|l| {
                    let hashes = l.len() - l.trim_start_matches('#').len();
                    (1..=6).contains(&hashes) && l[hashes..].starts_with(' ')
                })
                .count();
            let rendered_headings = (1..=6)
                .map(|n| html.matches(&format!("<h{n}>")).count())
                .sum::<usize>();
            assert_eq!(rendered_headings, headings, "{what}: headings");
            let text = common::html_text(&html);
            let stray: Vec<&str> = text
                .lines()
                .filter(|l| l.trim_start().starts_with('|'))
                .collect();
            assert!(
                stray.is_empty(),
                "{what}: table lines left as text: {stray:?}"
            );

            let written = markdown_tables(&md);
            let rendered = common::html_tables(&html);
            assert_eq!(rendered.len(), written.len(), "{what}: tables");
            for (table, rows) in written.iter().zip(&rendered) {
                assert_eq!(rows.len(), table.len(), "{what}: rows of {:?}", table[0]);
                for (row, cells) in table.iter().zip(rows) {
                    // GitHub drops cells past the header's and pads short rows: a row with a
                    // different count would lose or misplace text.
                    assert_eq!(row.len(), table[0].len(), "{what}: {row:?}");
                    assert_eq!(cells.len(), row.len(), "{what}: {cells:?}");
                    assert!(
                        row.iter()
                            .zip(cells)
                            .all(|(w, r)| w.is_empty() == r.is_empty()),
                        "{what}: {row:?} rendered as {cells:?}"
                    );
                }
            }
            if file.ends_with("staff.md") {
                common::assert_matrix_agrees(&ir, &common::html_matrices(&html), &what);
            }
        }
    }
}
