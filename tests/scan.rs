//! `msgpol scan`: exit codes, both output formats, every input format with positions in the
//! original file, and precision and recall on a generated labelled corpus.

mod common;

use common::msgpol;
use predicates::prelude::*;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// A policy with the detectors of std.classes.
fn std_policy() -> PathBuf {
    common::root().join("tests/fixtures/ok/minimal.msgpol")
}

/// Findings as (line, column, class/detector, confidence).
fn scan_json(args: &[&Path], stdin: Option<&str>) -> (i32, Vec<(u64, u64, String, String)>) {
    let mut cmd = msgpol();
    cmd.arg("scan")
        .arg(std_policy())
        .args(args)
        .arg("--format")
        .arg("json");
    if let Some(text) = stdin {
        cmd.arg("-").write_stdin(text);
    }
    let out = cmd.output().unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let findings = items
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                format!(
                    "{}/{}",
                    f["class"].as_str().unwrap(),
                    f["detector"].as_str().unwrap()
                ),
                f["confidence"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (out.status.code().unwrap(), findings)
}

fn finding(line: u64, column: u64, what: &str, confidence: &str) -> (u64, u64, String, String) {
    (line, column, what.to_string(), confidence.to_string())
}

#[test]
fn clean_text_exits_0_and_findings_exit_1() {
    let (code, found) = scan_json(&[], Some("lunch at noon?\nsee you there\n"));
    assert_eq!((code, found), (0, vec![]));
    let text = "hello\npay with card 4111 1111 1111 1111 today\nold 4111 1111 1111 1112\n";
    let (code, found) = scan_json(&[], Some(text));
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![finding(2, 15, "confidential/payment-card", "high")]
    );
}

#[test]
fn context_words_raise_confidence_and_their_absence_lowers_it() {
    let far = "no context words in this line, which is longer than the window of fifty";
    let text = format!("ssn 123-45-6789\n{far}\nnumber 123-45-6789\n000-12-3456 666-12-3456 912-12-3456 123-00-4567 123-45-0000\n");
    let (_, found) = scan_json(&[], Some(&text));
    assert_eq!(
        found,
        vec![
            finding(1, 5, "confidential/us-ssn", "medium"),
            finding(3, 8, "confidential/us-ssn", "low"),
        ]
    );
}

#[test]
fn keywords_are_whole_words_and_respect_case_sensitive() {
    let text = "CONFIDENTIAL board pack\nconfidential\nthe SECRETARY\nINTERNAL ONLY\n";
    let (_, found) = scan_json(&[], Some(text));
    assert_eq!(
        found,
        vec![
            finding(1, 1, "confidential/marking", "high"),
            finding(4, 1, "internal/marking", "high"),
        ]
    );
}

#[test]
fn human_output_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chat.txt");
    fs::write(&file, "x\n  iban GB82 WEST 1234 5698 7654 32 ok\n").unwrap();
    msgpol()
        .arg("scan")
        .arg(std_policy())
        .arg(&file)
        .assert()
        .code(1)
        .stdout(format!(
            "{}:2:8: confidential/iban (high confidence)\n",
            file.display()
        ));
}

#[test]
fn directories_are_scanned_recursively_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("b")).unwrap();
    fs::write(dir.path().join("b/z.txt"), "SECRET\n").unwrap();
    fs::write(dir.path().join("b/a.txt"), "RESTRICTED\n").unwrap();
    fs::write(dir.path().join("a.txt"), "nothing\n").unwrap();
    fs::write(dir.path().join("c.txt"), "CONFIDENTIAL\n").unwrap();
    let out = msgpol()
        .arg("scan")
        .arg(std_policy())
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = text
        .lines()
        .map(|l| {
            let path = l.split(':').next().unwrap();
            path.rsplit('/').next().unwrap()
        })
        .collect();
    assert_eq!(files, ["a.txt", "z.txt", "c.txt"], "{text}");
}

#[test]
fn utf16_files_are_decoded() {
    let planted = common::root().join("tests/fixtures/dlp/planted/utf16-ssn.txt");
    let (code, found) = scan_json(&[&planted], None);
    assert_eq!(code, 1);
    assert_eq!(found, vec![finding(1, 14, "confidential/us-ssn", "medium")]);
}

#[test]
fn slack_export_findings_point_into_the_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2026-11-20.json");
    fs::write(
        &file,
        r#"[
    {
        "type": "message",
        "user": "U024BE7LH",
        "text": "hi \"team\" \u2014 card 4111111111111111",
        "ts": "1355517523.000005",
        "user_profile": {"email": "someone@example.com"},
        "blocks": [{"type": "rich_text", "text": "SECRET"}]
    },
    {"type": "message", "text": "line one\nSECRET plans"}
]
"#,
    )
    .unwrap();
    let (code, found) = scan_json(&[&file], None);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![
            finding(5, 42, "confidential/payment-card", "high"),
            finding(10, 44, "restricted/marking", "high"),
        ]
    );
}

#[test]
fn whatsapp_export_skips_sender_names() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("WhatsApp Chat.txt");
    fs::write(
        &file,
        "12/03/2026, 14:22 - +1 555-12-3456: hi\n12/03/2026, 14:23 - Kari: ssn 123-45-6789\nand SECRET on the next line\n",
    )
    .unwrap();
    let (_, found) = scan_json(&[&file], None);
    assert_eq!(
        found,
        vec![
            finding(2, 31, "confidential/us-ssn", "medium"),
            finding(3, 5, "restricted/marking", "high"),
        ]
    );
}

#[test]
fn mbox_scans_subjects_and_bodies_not_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("archive.mbox");
    fs::write(
        &file,
        "From kari@halvorsen.example Fri Nov 20 10:00:00 2026\nFrom: kari@halvorsen.example\nSubject: RESTRICTED tender\n\nPlease reply to ola@halvorsen.example\n",
    )
    .unwrap();
    let (_, found) = scan_json(&[&file], None);
    assert_eq!(
        found,
        vec![
            finding(3, 10, "restricted/marking", "high"),
            finding(5, 17, "internal/email-address", "low"),
        ]
    );
}

#[test]
fn unreadable_and_invalid_inputs_exit_2_after_scanning_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    fs::write(&broken, "[{\"text\": ").unwrap();
    let good = dir.path().join("good.txt");
    fs::write(&good, "SECRET\n").unwrap();
    msgpol()
        .arg("scan")
        .arg(std_policy())
        .arg(&broken)
        .arg(dir.path().join("missing.txt"))
        .arg(&good)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("good.txt:1:1: restricted/marking"))
        .stderr(predicate::str::contains("E313").and(predicate::str::contains("no such file")));
}

#[test]
fn a_policy_with_errors_exits_2() {
    let bad = common::root().join("tests/fixtures/validate/err/pattern-outside-subset.msgpol");
    msgpol()
        .arg("scan")
        .arg(bad)
        .arg("-")
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E230"));
}

#[test]
fn min_count_needs_that_many_matches_in_a_document() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.msgpol");
    let minimal = fs::read_to_string(std_policy()).unwrap();
    fs::write(
        &policy,
        format!("{minimal}\nclass bulk : confidential {{\n  detect many-cards {{\n    pattern \"[0-9]{{16}}\"\n    check luhn\n    min-count 2\n  }}\n}}\n"),
    )
    .unwrap();
    let scan = |text: &str| {
        let out = msgpol()
            .arg("scan")
            .arg(&policy)
            .arg("-")
            .write_stdin(text.to_string())
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .matches("bulk/many-cards")
            .count()
    };
    assert_eq!(scan("4111111111111111\n"), 0);
    assert_eq!(scan("4111111111111111\n5555555555554444\n"), 2);
}

/// `check weighted` counts digits only: a pattern that allows a separator (`-?`) finds the
/// number with and without it, and the separator is never weighed as a digit.
#[test]
fn weighted_checksums_weigh_digits_not_separators() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.msgpol");
    let minimal = fs::read_to_string(std_policy()).unwrap();
    // The second control digit of a Norwegian national identity number (fødselsnummer).
    fs::write(
        &policy,
        format!("{minimal}\nclass staff : confidential {{\n  detect national-id {{\n    pattern \"[0-9]{{6}}-?[0-9]{{5}}\"\n    check weighted 5 4 3 2 7 6 5 4 3 2 1 mod 11\n  }}\n}}\n"),
    )
    .unwrap();
    let out = msgpol()
        .arg("scan")
        .arg(&policy)
        .arg("-")
        .args(["--format", "json"])
        .write_stdin("id 010101-50155\nid 01010150155\nid 010101-50156\n")
        .output()
        .unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(u64, &str)> = items
        .iter()
        .map(|f| (f["line"].as_u64().unwrap(), f["detector"].as_str().unwrap()))
        .collect();
    assert_eq!(found, vec![(1, "national-id"), (2, "national-id")]);
}

/// A pattern may allow a line break in a class (`[\\n#]`) as long as some match stays on one
/// line; the scanner, which picks rare bytes to find candidate lines, must not stall on one.
#[test]
fn a_line_break_in_a_class_does_not_stall_the_scanner() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.msgpol");
    let minimal = fs::read_to_string(std_policy()).unwrap();
    fs::write(
        &policy,
        format!("{minimal}\nclass stock : confidential {{\n  detect lot {{\n    pattern \"[0-9]{{2}}[\\\\n#][0-9]{{2}}\"\n  }}\n}}\n"),
    )
    .unwrap();
    msgpol()
        .arg("scan")
        .arg(&policy)
        .arg("-")
        .write_stdin("lot 12#34\nnext line\n")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stdout("-:1:5: stock/lot (medium confidence)\n");
}

/// The generated corpus (benches/dlp-corpus.py): line-level precision and recall of every
/// (line, detector) pair against the labels.
#[test]
fn precision_and_recall_on_the_labelled_corpus_are_at_least_098() {
    if !common::require_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = common::run(
        std::process::Command::new("python3")
            .arg(common::root().join("benches/dlp-corpus.py"))
            .arg(dir.path())
            .arg("20000"),
    );
    assert!(ok, "{text}");
    let labels: BTreeSet<(u64, String)> = fs::read_to_string(dir.path().join("labels.tsv"))
        .unwrap()
        .lines()
        .map(|l| {
            let (n, d) = l.split_once('\t').unwrap();
            (n.parse().unwrap(), d.to_string())
        })
        .collect();
    assert!(labels.len() > 1500, "the corpus has sensitive lines");
    let (code, found) = scan_json(&[&dir.path().join("chat.txt")], None);
    assert_eq!(code, 1);
    let found: BTreeSet<(u64, String)> = found.into_iter().map(|(l, _, d, _)| (l, d)).collect();
    let hits = found.intersection(&labels).count() as f64;
    let precision = hits / found.len() as f64;
    let recall = hits / labels.len() as f64;
    eprintln!("precision {precision:.4}, recall {recall:.4}");
    assert!(precision >= 0.98, "precision {precision:.4}");
    assert!(recall >= 0.98, "recall {recall:.4}");
    // Each kind of lookalike is in the corpus and left alone.
    let chat = fs::read_to_string(dir.path().join("chat.txt")).unwrap();
    for lookalike in ["call me on", "order number", "tracking 1Z", "SECRETARY"] {
        assert!(chat.contains(lookalike), "{lookalike}");
    }
}

/// A policy whose detectors' automata are larger than a scan may take: `count` detectors of
/// the pattern `[a-z0-9]{1,999}` repeated `repeats` times.
fn costly_policy(dir: &Path, count: usize, repeats: usize) -> PathBuf {
    let policy = dir.join("policy.msgpol");
    let pattern = "[a-z0-9]{1,999}".repeat(repeats);
    let detectors: String = (0..count)
        .map(|i| format!("  detect d{i} {{\n    pattern \"{pattern}\"\n  }}\n"))
        .collect();
    let minimal = fs::read_to_string(std_policy()).unwrap();
    fs::write(
        &policy,
        format!("{minimal}\nclass huge : confidential {{\n{detectors}}}\n"),
    )
    .unwrap();
    policy
}

#[test]
fn patterns_too_costly_to_scan_are_refused_at_check_with_e236() {
    let dir = tempfile::tempdir().unwrap();
    // One pattern over the cap of its own.
    let policy = costly_policy(dir.path(), 1, 60);
    msgpol()
        .arg("check")
        .arg(&policy)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E236").and(predicate::str::contains("`d0`")));
    msgpol()
        .arg("scan")
        .arg(&policy)
        .arg("-")
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E236"));
    // Patterns within the cap each, over the policy's cap together: the one that crosses it
    // is named.
    let policy = costly_policy(dir.path(), 8, 1);
    msgpol().arg("check").arg(&policy).assert().code(1).stderr(
        predicate::str::contains("E236")
            .and(predicate::str::contains("`d4`"))
            .and(predicate::str::contains("`d3`").not()),
    );
    // Within both caps: accepted, and scanned.
    let policy = costly_policy(dir.path(), 4, 1);
    msgpol().arg("check").arg(&policy).assert().success();
}

/// The file names (without directories) a human-format scan of `args` reports, in order.
fn scanned_files(args: &[&std::ffi::OsStr]) -> Vec<String> {
    let out = msgpol()
        .arg("scan")
        .arg(std_policy())
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.code().is_some(), "the scan was stopped: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect()
}

#[cfg(unix)]
#[test]
fn directory_walks_skip_links_and_special_files_and_never_revisit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("a.txt"), "SECRET\n").unwrap();
    fs::write(root.join("sub/b.txt"), "SECRET\n").unwrap();
    fs::write(dir.path().join("outside.txt"), "SECRET\n").unwrap();
    std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside.txt"), root.join("link.txt")).unwrap();
    // A pipe nobody writes to: reading it would wait for ever.
    let fifo = std::ffi::CString::new(root.join("pipe.txt").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let shown = |p: &Path| p.display().to_string();

    let found = scanned_files(&[root.as_os_str()]);
    assert_eq!(
        found,
        [shown(&root.join("a.txt")), shown(&root.join("sub/b.txt"))]
    );

    let found = scanned_files(&[root.as_os_str(), "--follow-links".as_ref()]);
    assert_eq!(
        found,
        [
            shown(&root.join("a.txt")),
            shown(&root.join("link.txt")),
            shown(&root.join("sub/b.txt")),
        ],
        "a linked file is read once it is asked for, a directory never twice"
    );
}
