//! Every line of every line-based output stays under the smallest line buffer of the programs
//! that read it (`emit::encode::LINE_LIMITS`, with where each size comes from): a longer line
//! is split by a reader that uses `fgets` into a fixed buffer, and the tail of a comment would
//! be read as a directive. Checked on every example and `ok/` fixture, as written and with
//! 64 KiB of text in every title, organisation, version and label.

mod common;

use msgpol::emit::{self, encode::LINE_LIMITS};

fn policies() -> Vec<std::path::PathBuf> {
    let mut list = common::examples();
    let mut fixtures: Vec<_> = std::fs::read_dir(common::root().join("tests/fixtures/ok"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "msgpol"))
        .collect();
    fixtures.sort();
    list.extend(fixtures);
    list
}

#[test]
fn every_line_fits_its_readers_buffer() {
    let long = "Ω~# ".repeat(64 * 1024 / 5 + 1);
    assert!(long.len() >= 64 * 1024);
    for policy in policies() {
        let ir = common::ir(&policy);
        let mut hostile = ir.clone();
        let p = &mut hostile.policy;
        (p.title, p.organisation, p.version) = (long.clone(), long.clone(), long.clone());
        for c in &mut hostile.channels {
            c.label = long.clone();
        }
        for t in &mut hostile.tiers {
            t.label = long.clone();
        }
        for ir in [&ir, &hostile] {
            for limit in LINE_LIMITS {
                let target = emit::find_target(limit.target).unwrap();
                let emitted = match target.emit(ir) {
                    Ok(emitted) => emitted,
                    // A target the policy cannot build (a version purview cannot read…).
                    Err(_) => continue,
                };
                for file in emitted.files {
                    let text = common::output_text(&file.contents);
                    for (n, line) in text.lines().enumerate() {
                        assert!(
                            line.len() <= limit.bytes,
                            "{}: {}/{} line {} holds {} bytes, over {} ({})",
                            policy.display(),
                            limit.target,
                            file.path,
                            n + 1,
                            line.len(),
                            limit.bytes,
                            limit.reader
                        );
                    }
                }
            }
        }
    }
}

/// The table names every line-based target, and no other.
#[test]
fn every_line_based_target_has_a_limit() {
    for target in emit::all_targets() {
        let listed = LINE_LIMITS.iter().any(|l| l.target == target.name());
        let structured = matches!(
            target.name(),
            "ir" | "chrome"
                | "firefox"
                | "conditional-access"
                | "google-dlp"
                | "gpo"
                | "reg"
                | "applocker"
                | "santa"
                | "purview"
                | "guide-html"
                | "guide-md"
                | "briefing"
                | "pf"
                | "teams"
                | "mattermost"
                | "windows-firewall"
        );
        assert!(
            listed != structured,
            "{}: in LINE_LIMITS: {listed}",
            target.name()
        );
    }
}
