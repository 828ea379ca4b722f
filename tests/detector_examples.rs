//! The detectors' examples asked of the DLP targets' files, as every build reads them back:
//! on every example and fixture each DLP reader finds every `example` and leaves every
//! `not-example` alone, but for the declared limits of its format. A rule changed by hand to
//! miss an example or to find a non-example is caught, and so are the first translations of
//! the writers, which engines read differently from `msgpol scan`.

mod common;

use msgpol::diagnostics::{Code, Diagnostic};
use msgpol::emit::verify::detectors;
use msgpol::emit::{all_targets, find_target, OutputFile};
use std::path::{Path, PathBuf};

/// Verify `files` as `target` wrote them for `policy`: (probes, agreed), or the code.
fn verify(policy: &Path, target: &str, files: &[OutputFile]) -> Result<(usize, usize), Code> {
    let ir = common::ir(policy);
    let target = find_target(target).unwrap();
    let reader = target.info().rules_reader.expect("a rules reader");
    detectors::verify(target.name(), reader, &ir, files)
        .map(|v| (v.probes, v.agreed))
        .map_err(|e| Diagnostic::from(e).code)
}

fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/fixtures/ok").join(name)
}

/// The files of `target` for `policy`, with `edit` applied to the text of the one at `path`
/// (UTF-16 files are edited as text and written back as UTF-16).
fn edited(
    policy: &Path,
    target: &str,
    path: &str,
    edit: impl Fn(&str) -> String,
) -> Vec<OutputFile> {
    let ir = common::ir(policy);
    let mut files = find_target(target).unwrap().emit(&ir).unwrap().files;
    let file = files.iter_mut().find(|f| f.path == path).unwrap();
    let utf16 = file.contents.starts_with(&[0xFF, 0xFE]);
    let text = common::output_text(&file.contents);
    let changed = edit(&text);
    assert_ne!(changed, text, "the edit changes {path}");
    file.contents = if utf16 {
        common::utf16le_bom(&changed)
    } else {
        changed.into_bytes()
    };
    files
}

#[test]
fn every_dlp_reader_finds_the_examples_and_leaves_the_non_examples() {
    let mut probes = 0;
    let mut declared = Vec::new();
    let mut readers = 0;
    for policy in common::policies() {
        let ir = common::ir(&policy);
        let file = policy.file_name().unwrap().to_string_lossy().into_owned();
        for target in all_targets() {
            let Some(reader) = target.info().rules_reader else {
                continue;
            };
            readers += 1;
            let files = target.emit(&ir).unwrap().files;
            match detectors::verify(target.name(), reader, &ir, &files) {
                Ok(v) => {
                    probes += v.probes;
                    if v.agreed < v.probes {
                        declared.push((file.clone(), target.name()));
                    }
                }
                Err(e) => panic!("{file} {}: {}", target.name(), Diagnostic::from(e).message),
            }
        }
    }
    assert_eq!(readers % 3, 0, "yara, google-dlp and purview read back");
    assert!(probes > 500, "only {probes} probes");
    // The standard library's card and IBAN near misses fail only the checksum, which YARA
    // and Google DLP cannot compute (Purview checks Luhn, not IBAN).
    assert!(declared.contains(&("minimal.msgpol".into(), "yara")));
    assert!(declared.contains(&("minimal.msgpol".into(), "purview")));
}

/// The fixture of detectors the writers once translated so that engines read them differently
/// from `msgpol scan`: read back as written today, each target agrees but for its declared
/// limits (overlapping matches in YARA, no minimum count in Google DLP and Purview).
#[test]
fn the_dialect_fixture_is_read_as_msgpol_scan_reads_it() {
    let policy = fixture("detector-examples.msgpol");
    for target in ["yara", "google-dlp", "purview"] {
        let files = find_target(target)
            .unwrap()
            .emit(&common::ir(&policy))
            .unwrap()
            .files;
        let (probes, agreed) = verify(&policy, target, &files).unwrap();
        assert_eq!(
            probes - agreed,
            1,
            "{target}: `part 123 456 789` is a declared limit"
        );
    }
}

#[test]
fn the_writers_first_translations_fail_verification() {
    let policy = fixture("detector-examples.msgpol");
    // YARA keywords as `fullword` text strings: `_` delimits a word.
    let files = edited(&policy, "yara", "msgpol.yar", |text| {
        text.replace(
            r"$k1 = /\b[Cc][Ll][Aa][Ss][Ss][Ii][Ff][Ii][Ee][Dd]\b/ ascii wide",
            r#"$k1 = "classified" fullword ascii wide nocase"#,
        )
    });
    assert_eq!(verify(&policy, "yara", &files), Err(Code::E321));
    // RE2 keywords as `\b(?:…)\b`: no word boundary after `C++ `.
    let files = edited(&policy, "google-dlp", "inspect-template.json", |text| {
        text.replace(
            r#"(?:\\b[Cc]\\+\\+|\\b[Cc][Ll][Aa][Ss][Ss][Ii][Ff][Ii][Ee][Dd]\\b)"#,
            r#"\\b(?:C\\+\\+|classified)\\b"#,
        )
    });
    assert_eq!(verify(&policy, "google-dlp", &files), Err(Code::E320));
    // RE2's `(?i)` folds `ſ` to `s`.
    let files = edited(&policy, "google-dlp", "inspect-template.json", |text| {
        text.replace(
            r#"(?:\\b[Cc]\\+\\+|\\b[Cc][Ll][Aa][Ss][Ss][Ii][Ff][Ii][Ee][Dd]\\b)"#,
            r#"(?i)(?:\\bC\\+\\+|\\bclassified\\b)"#,
        )
    });
    assert_eq!(verify(&policy, "google-dlp", &files), Err(Code::E321));
}

#[test]
fn a_rule_narrowed_by_hand_misses_an_example() {
    let minimal = fixture("minimal.msgpol");
    // Card numbers without their separators.
    let files = edited(&minimal, "yara", "msgpol.yar", |text| {
        text.replace(r"[ \-]?", "")
    });
    assert_eq!(verify(&minimal, "yara", &files), Err(Code::E320));
    // Context words that must be near at the declared confidence, and none lower.
    let files = edited(&minimal, "google-dlp", "inspect-template.json", |text| {
        text.replace(
            "\"minLikelihood\": \"POSSIBLE\"",
            "\"minLikelihood\": \"VERY_LIKELY\"",
        )
    });
    assert_eq!(verify(&minimal, "google-dlp", &files), Err(Code::E320));
    let files = edited(&minimal, "purview", "msgpol-rulepack.xml", |text| {
        text.replace("CONFIDENTIAL</Term>", "CONFIDENTIAL ONLY</Term>")
    });
    assert_eq!(verify(&minimal, "purview", &files), Err(Code::E320));
}

#[test]
fn a_rule_widened_by_hand_finds_a_non_example() {
    let minimal = fixture("minimal.msgpol");
    let files = edited(&minimal, "yara", "msgpol.yar", |text| {
        text.replace(
            r"/\bCONFIDENTIAL\b/ ascii wide",
            r"/\bCONFIDENTIAL\b/ nocase ascii wide",
        )
    });
    assert_eq!(verify(&minimal, "yara", &files), Err(Code::E321));
    let files = edited(&minimal, "google-dlp", "inspect-template.json", |text| {
        text.replace(r"(?:\\bCONFIDENTIAL\\b)", r"(?i)(?:\\bCONFIDENTIAL\\b)")
    });
    assert_eq!(verify(&minimal, "google-dlp", &files), Err(Code::E321));
    // Purview checks Luhn: a card number that fails it is no declared limit.
    let files = edited(&minimal, "purview", "msgpol-rulepack.xml", |text| {
        text.replace(" validators=\"Func_credit_card\"", "")
    });
    assert_eq!(verify(&minimal, "purview", &files), Err(Code::E321));
}

#[test]
fn rules_that_cannot_be_read_or_named_fail_verification() {
    let minimal = fixture("minimal.msgpol");
    let files = edited(&minimal, "yara", "msgpol.yar", |text| {
        format!("{text}\nrule extra {{ strings: $h = {{ 41 42 }} condition: $h }}\n")
    });
    assert_eq!(verify(&minimal, "yara", &files), Err(Code::E319));
    let files = edited(&minimal, "yara", "msgpol.yar", |text| {
        text.replace("detector = \"iban\"", "detector = \"account\"")
    });
    assert_eq!(verify(&minimal, "yara", &files), Err(Code::E319));
    let files = edited(&minimal, "google-dlp", "inspect-template.json", |text| {
        text.replace("MSGPOL_CONFIDENTIAL_IBAN", "MSGPOL_CONFIDENTIAL_ACCOUNT")
    });
    assert_eq!(verify(&minimal, "google-dlp", &files), Err(Code::E319));
    let files = edited(&minimal, "purview", "msgpol-rulepack.xml", |text| {
        text.replace("<Regex id", "<Lookup id")
            .replace("</Regex>", "</Lookup>")
    });
    assert_eq!(verify(&minimal, "purview", &files), Err(Code::E319));
}

/// A build records the probes of the DLP targets, and `msgpol verify` finds a rule changed
/// after the build.
#[test]
fn builds_record_and_verify_checks_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    common::msgpol()
        .arg("build")
        .arg(fixture("minimal.msgpol"))
        .arg("--out")
        .arg(&out)
        .args([
            "--target",
            "yara",
            "--target",
            "google-dlp",
            "--target",
            "purview",
        ])
        .assert()
        .code(0);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let verified: Vec<&str> = manifest["verified"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["probes"].as_u64().unwrap() > 20)
        .map(|v| v["target"].as_str().unwrap())
        .collect();
    assert_eq!(verified, ["yara", "google-dlp", "purview"]);
    let rules = out.join("yara/msgpol.yar");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(&rules, text.replace(r"[ \-]?", "")).unwrap();
    let run = common::msgpol()
        .arg("verify")
        .arg(fixture("minimal.msgpol"))
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("E320"), "{stderr}");
}
