//! The DLP targets checked by the programs that consume them: YARA rules compiled by `yarac`
//! and run by `yara` over planted samples (Debian `yara`); Google DLP inspect templates parsed
//! and every regex compiled by RE2 (PyPI `google-re2`); Purview rule packages validated against
//! tests/schemas/purview-rule-package.xsd by `xmllint` (Debian `libxml2-utils`). All installed
//! by .ci/run. The readers every build runs the detectors' examples through
//! (`emit::verify::readers`) answer as the real engines do: every example and non-example of
//! every policy, and texts where engines read words and case differently, against every rule,
//! by `yara` and by RE2.

mod common;

use msgpol::ir::{Medium, Verdict};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn emit(policy: &Path, target: &str) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let (_, files) = common::emit_target(policy, target, dir.path());
    (dir, files)
}

#[test]
fn yarac_compiles_every_yara_output() {
    if !common::require_tool("yarac") {
        return;
    }
    for policy in common::policies() {
        let (dir, files) = emit(&policy, "yara");
        let (ok, text) = common::run(
            Command::new("yarac")
                .arg(&files[0])
                .arg(dir.path().join("compiled")),
        );
        assert!(ok, "{}: {text}", policy.display());
    }
}

#[test]
fn yara_finds_the_planted_samples() {
    if !common::require_tool("yara") {
        return;
    }
    let (_dir, files) = emit(
        &common::root().join("examples/large-enterprise.msgpol"),
        "yara",
    );
    let planted = common::root().join("tests/fixtures/dlp/planted");
    let out = Command::new("yara")
        .arg("--no-warnings")
        .arg("-r")
        .arg(&files[0])
        .arg(&planted)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: BTreeSet<(String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (rule, path) = l.split_once(' ').unwrap();
            let file = Path::new(path).file_name().unwrap().to_string_lossy();
            (rule.to_string(), file.to_string())
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("msgpol_confidential_payment_card", "whatsapp-card.txt"),
        ("msgpol_confidential_iban", "slack-iban.json"),
        // The precision cost the build warns about: YARA cannot check Luhn, and the IBAN's
        // digits `1234 5698 7654 32` have the shape of a card number (`msgpol scan` drops it).
        ("msgpol_confidential_payment_card", "slack-iban.json"),
        ("msgpol_confidential_marking", "mail-marking.mbox"),
        ("msgpol_internal_email_address", "mail-marking.mbox"),
        ("msgpol_confidential_us_ssn", "utf16-ssn.txt"),
    ]
    .iter()
    .map(|(r, f)| (r.to_string(), f.to_string()))
    .collect();
    assert_eq!(found, expected);
}

/// Parses the template, checks its shape against the API's rules, compiles every regex with
/// RE2 and prints, per info type, which of the sample lines its regex finds.
const RE2_CHECK: &str = r##"
import json, re, sys
import re2
template = json.load(open(sys.argv[1], encoding="utf-8"))
samples = json.loads(sys.argv[2])
likelihoods = {"VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY"}
config = template["inspectConfig"]
assert config["minLikelihood"] in likelihoods
assert 0 < len(template["displayName"]) <= 256 and len(template["description"]) <= 256
found = {}
for t in config["customInfoTypes"]:
    name = t["infoType"]["name"]
    assert re.fullmatch(r"[A-Z0-9_]{1,64}", name), name
    assert t["likelihood"] in likelihoods
    pattern = re2.compile(t["regex"]["pattern"])
    for rule in t.get("detectionRules", []):
        hot = rule["hotwordRule"]
        re2.compile(hot["hotwordRegex"]["pattern"])
        assert 0 < hot["proximity"]["windowBefore"] <= 1000
        assert 0 < hot["proximity"]["windowAfter"] <= 1000
        assert hot["likelihoodAdjustment"]["fixedLikelihood"] in likelihoods
    found[name] = [s for s in samples if pattern.search(s)]
print(json.dumps(found, sort_keys=True))
"##;

#[test]
fn google_dlp_templates_parse_and_re2_compiles_every_regex() {
    if !common::require_python_module("re2", "google-re2") {
        return;
    }
    let samples = [
        "card 4111 1111 1111 1111",
        "x4111111111111111",
        "ssn 123-45-6789",
        "000-12-3456",
        "CONFIDENTIAL",
        "confidential",
        "SECRETARY",
        "KRAKEN-2 tender",
        "mail ola@halvorsen.example",
    ];
    let samples_json = serde_json::to_string(&samples).unwrap();
    for policy in common::policies() {
        let (_dir, files) = emit(&policy, "google-dlp");
        let (ok, text) = common::run(
            Command::new("python3")
                .args(["-c", RE2_CHECK])
                .arg(&files[0])
                .arg(&samples_json),
        );
        assert!(ok, "{}: {text}", policy.display());
        if policy.ends_with("large-enterprise.msgpol") {
            let found: serde_json::Value = serde_json::from_str(&text).unwrap();
            let expect = |name: &str, lines: &[&str]| {
                assert_eq!(found[name], serde_json::json!(lines), "{name}");
            };
            // RE2 agrees with msgpol scan on whole words, ranges and case.
            expect(
                "MSGPOL_CONFIDENTIAL_PAYMENT_CARD",
                &["card 4111 1111 1111 1111"],
            );
            expect("MSGPOL_CONFIDENTIAL_US_SSN", &["ssn 123-45-6789"]);
            expect("MSGPOL_CONFIDENTIAL_MARKING", &["CONFIDENTIAL"]);
            expect("MSGPOL_RESTRICTED_MARKING", &[]);
            expect("MSGPOL_RESTRICTED_PROJECT_CODENAMES", &["KRAKEN-2 tender"]);
            expect(
                "MSGPOL_INTERNAL_EMAIL_ADDRESS",
                &["mail ola@halvorsen.example"],
            );
        }
    }
}

fn xmllint_validates(file: &Path) -> (bool, String) {
    common::run(
        Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(common::root().join("tests/schemas/purview-rule-package.xsd"))
            .arg(file),
    )
}

#[test]
fn purview_rule_packages_are_utf16_and_valid_against_the_schema() {
    if !common::require_tool("xmllint") {
        return;
    }
    for policy in common::policies() {
        let (_dir, files) = emit(&policy, "purview");
        let package = files
            .iter()
            .find(|f| f.ends_with("msgpol-rulepack.xml"))
            .unwrap();
        let bytes = std::fs::read(package).unwrap();
        assert_eq!(&bytes[..2], &[0xFF, 0xFE], "UTF-16LE byte-order mark");
        let (ok, text) = xmllint_validates(package);
        assert!(ok, "{}: {text}", policy.display());
    }
}

/// The schema is not a formality: a dangling reference, a repeated confidence level and an
/// over-long regex are each rejected.
#[test]
fn the_purview_schema_rejects_broken_packages() {
    if !common::require_tool("xmllint") {
        return;
    }
    let (dir, files) = emit(
        &common::root().join("examples/large-enterprise.msgpol"),
        "purview",
    );
    let text = common::output_text(&std::fs::read(&files[0]).unwrap());
    let long = format!(">{}</Regex>", "[0-9]".repeat(300));
    let breakages: [(&str, String); 3] = [
        (
            "<IdMatch idRef=\"Regex_",
            "<IdMatch idRef=\"Missing_".to_string(),
        ),
        (
            "confidenceLevel=\"75\"",
            "confidenceLevel=\"85\"".to_string(),
        ),
        ("\\b</Regex>", long),
    ];
    for (from, to) in breakages {
        assert!(text.contains(from), "{from}");
        let broken = text.replacen(from, &to, 1);
        let path = dir.path().join("broken.xml");
        std::fs::write(&path, common::utf16le_bom(&broken)).unwrap();
        let (ok, _) = xmllint_validates(&path);
        assert!(!ok, "the schema accepted a package with {to:?}");
    }
}

/// The PowerShell script blocks, on each location, exactly the classes that `decide` denies
/// for its channel, by the names the rule package gives its types.
#[test]
fn purview_policies_block_the_classes_the_tier_denies() {
    let policy = common::root().join("examples/large-enterprise.msgpol");
    let (_dir, files) = emit(&policy, "purview");
    let script = std::fs::read_to_string(&files[1]).unwrap();
    let package = common::output_text(&std::fs::read(&files[0]).unwrap());
    let ir = common::ir(&policy);
    for class in &ir.classes {
        let denied = ir
            .decide(&class.name, "teams", Some(Medium::Text), None)
            .unwrap()
            .verdict
            == Verdict::Deny;
        let rule = format!("'msgpol Teams chat: block {}'", class.name);
        let has_detectors = !class.detectors.is_empty();
        assert_eq!(
            script.contains(&rule),
            denied && has_detectors,
            "{}",
            class.name
        );
        for d in &class.detectors {
            let name = format!("msgpol {}/{}", class.name, d.name);
            assert!(package.contains(&format!(">{name}</Name>")), "{name}");
            assert_eq!(script.contains(&format!("'{name}'")), denied, "{name}");
        }
    }
}

/// With decisions by medium, a location blocks a class only where `decide` denies it on every
/// medium the location inspects (Teams chat: text; Exchange: mail and its attachments), never
/// what the policy allows on one of them; a class denied on a medium no rule inspects is a
/// W308 warning naming it.
#[test]
fn purview_blocks_by_medium_only_what_every_inspected_medium_denies() {
    let policy = r#"policy "Media DLP" {
  organisation "Media Ltd"
  size small
  version "1"
  effective 2026-01-01
  owner "security@media.example"
  support "IT desk"
  briefing every 6 months
}

import std.classes.confidential
import std.channels

/// Mail with its attachments as files.
channel email "Email" {
  media email, file
  mfa
}

tier everyday "Everyday" {
  channels teams, email
  allows up to internal
  allows up to public for file
  requires mfa
}

tier secure "Secure" {
  channels signal
  allows up to confidential
  requires mfa
}
"#;
    let files =
        std::collections::BTreeMap::from([("p.msgpol".to_string(), policy.as_bytes().to_vec())]);
    let compilation = msgpol::compile_memory("p.msgpol", &files, common::today()).unwrap();
    let ir = compilation.ir.expect("the policy compiles");
    let emitted = msgpol::emit::find_target("purview")
        .unwrap()
        .emit(&ir)
        .unwrap();
    let script = String::from_utf8(emitted.files[1].contents.clone()).unwrap();
    let blocks = |location: &str, class: &str| {
        script.contains(&format!("'msgpol {location}: block {class}'"))
    };
    // Teams chat inspects text, which allows up to internal.
    assert!(blocks("Teams chat", "confidential"));
    assert!(!blocks("Teams chat", "internal"));
    // Exchange inspects mail and attachments together: internal is allowed in mail, so it is
    // not blocked, though refused as a file; confidential is denied on both.
    assert!(blocks("Exchange email", "confidential"));
    assert!(!blocks("Exchange email", "internal"));
    let warning = emitted
        .warnings
        .iter()
        .find(|w| w.code() == msgpol::diagnostics::Code::W308)
        .expect("a W308 warning");
    for unblocked in ["teams: internal", "email: internal"] {
        assert!(
            warning.message().contains(unblocked),
            "{}",
            warning.message()
        );
    }
    assert!(
        !warning.message().contains("confidential"),
        "{}",
        warning.message()
    );
}

/// Policy text with XML's markup characters reaches an XML reader as written: the title in the
/// leading comment (where `--` cannot stand, so dashes are spaced out), the organisation,
/// class labels and keywords in text; and the package still matches the schema.
#[test]
fn purview_rule_packages_carry_policy_text_with_markup_as_written() {
    if !common::require_tool("python3") || !common::require_tool("xmllint") {
        return;
    }
    let mut ir = common::ir(&common::root().join("examples/large-enterprise.msgpol"));
    ir.policy.title = "A&B's <policy> --- \"draft\"".into();
    ir.policy.organisation = r#"R&D <Ltd> "North" 'South' ]]>"#.into();
    let label = "Pay & <roll> \"staff\" 'only'";
    let keyword = "Q&A <b>";
    for class in &mut ir.classes {
        class.label = label.into();
        for d in &mut class.detectors {
            d.keywords.push(keyword.into());
        }
    }
    let emitted = msgpol::emit::find_target("purview")
        .unwrap()
        .emit(&ir)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("msgpol-rulepack.xml");
    std::fs::write(&package, &emitted.files[0].contents).unwrap();
    let (ok, text) = xmllint_validates(&package);
    assert!(ok, "{text}");
    let script = r#"
import json, sys
from xml.dom import minidom
doc = minidom.parse(sys.argv[1])
ns = "http://schemas.microsoft.com/office/2011/mce"
def text(e):
    return "".join(n.data for n in e.childNodes if n.nodeType == n.TEXT_NODE)
def texts(tag):
    return [text(e) for e in doc.getElementsByTagNameNS(ns, tag)]
print(json.dumps({
    "comments": [n.data for n in doc.childNodes if n.nodeType == n.COMMENT_NODE],
    "publishers": texts("PublisherName"),
    "terms": texts("Term"),
    "descriptions": texts("Description"),
}))
"#;
    let (ok, text) = common::run(Command::new("python3").args(["-c", script]).arg(&package));
    assert!(ok, "{text}");
    let read: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        read["comments"],
        serde_json::json!([format!(
            " A&B's <policy> - - - \"draft\": generated by msgpol on the policy as of {}. Do not edit: change the policy and rebuild. ",
            ir.evaluation_date
        )])
    );
    assert_eq!(
        read["publishers"],
        serde_json::json!([ir.policy.organisation])
    );
    let has = |field: &str, wanted: &str| {
        read[field]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str().unwrap().contains(wanted))
    };
    assert!(has("terms", keyword));
    assert!(has("descriptions", &format!("({label})")));
}

/// The text of the smallest policy, to which tests add classes.
fn minimal_policy() -> String {
    std::fs::read_to_string(common::root().join("tests/fixtures/ok/minimal.msgpol")).unwrap()
}

/// Build the purview target of a policy: whether it succeeded, and the diagnostics.
fn build_purview(policy_text: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.msgpol");
    std::fs::write(&policy, policy_text).unwrap();
    let out = common::msgpol()
        .arg("build")
        .arg(&policy)
        .arg("--out")
        .arg(dir.path().join("out"))
        .args(["--target", "purview"])
        .output()
        .unwrap();
    // Diagnostics are written to standard error.
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn purview_refuses_versions_it_cannot_order_and_patterns_it_cannot_hold() {
    let minimal = minimal_policy();
    let (ok, text) = build_purview(&minimal.replace("version \"1\"", "version \"draft\""));
    assert!(!ok && text.contains("E315"), "{text}");
    let long = "abcdefghij".repeat(30);
    let (ok, text) = build_purview(&format!(
        "{minimal}\nclass codes : confidential {{\n  detect long-codes {{\n    pattern \"{long}\"\n  }}\n}}\n"
    ));
    assert!(!ok && text.contains("E316"), "{text}");
    let (ok, text) = build_purview(&minimal);
    assert!(ok, "{text}");
}

/// The names an engine gives the detectors of a policy whose names meet once mapped: `pay-roll`
/// / `staff` and `pay` / `roll-staff` (both `pay_roll_staff` as identifiers), and two
/// detectors of a 64-character class with 64-character names, one with keywords too (its
/// Purview twin `… keywords`): they share the start that fits each engine's name length.
#[test]
fn detectors_whose_names_meet_in_an_engine_get_distinct_names() {
    let minimal = minimal_policy();
    let long_class = "r".repeat(64);
    let long_detector = "d".repeat(63);
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.msgpol");
    std::fs::write(
        &policy,
        format!(
            "{minimal}
class pay-roll : confidential {{
  detect staff {{
    pattern \"PAY[0-9]{{6}}\"
  }}
}}
class pay : confidential {{
  detect roll-staff {{
    pattern \"PAY[0-9]{{7}}\"
  }}
}}
class {long_class} : confidential {{
  detect {long_detector}1 {{
    pattern \"REF[0-9]{{6}}\"
    keywords \"payroll reference\"
  }}
  detect {long_detector}2 {{
    pattern \"REF[0-9]{{7}}\"
  }}
}}
"
        ),
    )
    .unwrap();
    let distinct = |names: Vec<String>, max: usize, what: &str| {
        assert!(names.iter().all(|n| n.len() <= max), "{what}: {names:?}");
        let unique: BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{what}: {names:?}");
        names
    };

    let (yara_dir, files) = emit(&policy, "yara");
    let rules = std::fs::read_to_string(&files[0]).unwrap();
    let rules = distinct(
        rules
            .lines()
            .filter_map(|l| l.strip_prefix("rule "))
            .map(|l| l.split(' ').next().unwrap().to_string())
            .collect(),
        128,
        "yara",
    );
    assert!(
        rules.contains(&"msgpol_pay_roll_staff".to_string()),
        "{rules:?}"
    );
    if common::require_tool("yarac") {
        let compiled = yara_dir.path().join("compiled");
        let (ok, text) = common::run(Command::new("yarac").arg(&files[0]).arg(compiled));
        assert!(ok, "{text}");
    }

    let (_dir, files) = emit(&policy, "google-dlp");
    let template: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    let info_types = template["inspectConfig"]["customInfoTypes"]
        .as_array()
        .unwrap();
    let names = distinct(
        info_types
            .iter()
            .map(|t| t["infoType"]["name"].as_str().unwrap().to_string())
            .collect(),
        64,
        "google-dlp",
    );
    assert!(
        names.contains(&"MSGPOL_PAY_ROLL_STAFF".to_string()),
        "{names:?}"
    );

    let (_dir, files) = emit(&policy, "purview");
    let package = common::output_text(&std::fs::read(&files[0]).unwrap());
    let tag = "<Name default=\"true\" langcode=\"en-us\">";
    distinct(
        package
            .lines()
            .filter_map(|l| l.trim().strip_prefix(tag))
            .map(|l| l.trim_end_matches("</Name>").to_string())
            .collect(),
        64,
        "purview",
    );
}

/// Texts where engines read words and case differently: letters outside ASCII next to a
/// match or inside a word, `_`, and ends that are no word characters.
const EDGE_TEXTS: &[&str] = &[
    "CONFIDENTIALé",
    "éCONFIDENTIAL",
    "CONFIDENTIAL_",
    "SECRET_plan",
    "ſsn 219-09-9999",
    "claſſified",
    "C++x",
    "visa 4111 1111 1111 1111é",
    "card 4111 1111 1111 1111 1111",
];

/// Every example and non-example of a policy's detectors and the edge texts, each once.
fn example_texts(ir: &msgpol::ir::Ir) -> Vec<String> {
    let mut texts: Vec<String> = ir
        .classes
        .iter()
        .flat_map(|c| &c.detectors)
        .flat_map(|d| d.examples.iter().chain(&d.not_examples))
        .cloned()
        .chain(EDGE_TEXTS.iter().map(|t| t.to_string()))
        .collect();
    texts.sort();
    texts.dedup();
    texts
}

/// Which of `texts` each rule finds, by the rule's name, as the in-process reader answers.
fn read_back(
    rules: &[Box<dyn msgpol::emit::verify::detectors::Rule + '_>],
    texts: &[String],
) -> std::collections::BTreeMap<String, Vec<bool>> {
    rules
        .iter()
        .map(|r| {
            (
                r.name().to_string(),
                texts.iter().map(|t| r.finds(t)).collect(),
            )
        })
        .collect()
}

/// Where the real engine and the reader disagree: each rule and text, and what the engine
/// says (rules that find nothing are left out of both).
fn disagreements(
    real: &std::collections::BTreeMap<String, Vec<bool>>,
    read: &std::collections::BTreeMap<String, Vec<bool>>,
    texts: &[String],
) -> Vec<String> {
    let none = vec![false; texts.len()];
    let rules: BTreeSet<&String> = real.keys().chain(read.keys()).collect();
    let mut out = Vec::new();
    for rule in rules {
        let (r, m) = (
            real.get(rule).unwrap_or(&none),
            read.get(rule).unwrap_or(&none),
        );
        for (i, text) in texts.iter().enumerate() {
            if r[i] != m[i] {
                out.push(format!(
                    "{rule} on {text:?}: the engine says {}, the reader {}",
                    r[i], m[i]
                ));
            }
        }
    }
    out
}

/// Scan one file per text with the real `yara`: which texts each rule finds, by rule name.
fn real_yara(rules: &Path, texts: &[String]) -> std::collections::BTreeMap<String, Vec<bool>> {
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in texts.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i}.txt")), text).unwrap();
    }
    let out = Command::new("yara")
        .arg("--no-warnings")
        .arg(rules)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found: std::collections::BTreeMap<String, Vec<bool>> = Default::default();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let (rule, path) = line.split_once(' ').unwrap();
        let index: usize = Path::new(path)
            .file_stem()
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        found
            .entry(rule.to_string())
            .or_insert_with(|| vec![false; texts.len()])[index] = true;
    }
    found
}

/// The in-process YARA reader answers as `yara` does: every example and non-example of every
/// policy, scanned as a file of its own, against every rule.
#[test]
fn yara_and_the_yara_reader_find_the_same_examples() {
    if !common::require_tool("yara") {
        return;
    }
    let mut compared = 0;
    for policy in common::policies() {
        let (dir, files) = emit(&policy, "yara");
        let ir = common::ir(&policy);
        let texts = example_texts(&ir);
        let written = [msgpol::emit::OutputFile {
            path: "msgpol.yar".into(),
            contents: std::fs::read(&files[0]).unwrap(),
        }];
        let rules = msgpol::emit::verify::readers::yara::read(&written).unwrap();
        let read = read_back(&rules, &texts);
        let real = real_yara(&files[0], &texts);
        let differ = disagreements(&real, &read, &texts);
        assert!(differ.is_empty(), "{}: {differ:#?}", policy.display());
        compared += rules.len() * texts.len();
        drop(dir);
    }
    assert!(compared > 1000, "only {compared} answers compared");
}

/// Rules written by hand with what the writer no longer uses (text strings, `nocase`,
/// `fullword`, other conditions) are read as `yara` reads them too.
#[test]
fn the_yara_reader_reads_hand_written_rules_as_yara_does() {
    if !common::require_tool("yara") {
        return;
    }
    let source = r#"
rule text_fullword { strings: $k = "SECRET" fullword ascii wide nocase condition: any of them }
rule text_exact { strings: $k = "C++" fullword condition: $k }
rule text_plain { strings: $a = "ab" $b = "x\x41" condition: #a >= 2 or $b }
rule regex_nocase { strings: $p = /\bss[n]\b/ nocase ascii condition: all of them }
rule regex_overlap { strings: $p = /\b[0-9]{3} ?[0-9]{3}\b/ condition: #p + 0 >= 2 and not none of them }
rule wide_only { strings: $w = "secret" wide condition: any of them }
"#;
    let texts: Vec<String> = [
        "top secret",
        "MY_SECRET",
        "SECRETARY",
        "C++ daily",
        "C++x",
        "xC++",
        "abab",
        "aba",
        "xA",
        "xa",
        "SSN 1",
        "ssnx",
        "part 123 456 789",
        "123456",
        "secret",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand.yar");
    std::fs::write(&path, source).unwrap();
    let written = [msgpol::emit::OutputFile {
        path: "msgpol.yar".into(),
        contents: source.as_bytes().to_vec(),
    }];
    let rules = msgpol::emit::verify::readers::yara::read(&written).unwrap();
    let read = read_back(&rules, &texts);
    let real = real_yara(&path, &texts);
    let differ = disagreements(&real, &read, &texts);
    assert!(differ.is_empty(), "{differ:#?}");
    assert_eq!(real.len(), 5, "every rule but `wide_only` finds something");
}

/// Google DLP's findings as the reader models them (regex matches one after another, hotword
/// windows in characters, likelihoods against the minimum), computed with the real RE2.
const RE2_FINDS: &str = r##"
import json, sys
import re2
template = json.load(open(sys.argv[1], encoding="utf-8"))
texts = json.loads(sys.argv[2])
order = ["VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY"]
config = template["inspectConfig"]
minimum = order.index(config.get("minLikelihood", "POSSIBLE"))
found = {}
for t in config["customInfoTypes"]:
    regex = re2.compile(t["regex"]["pattern"])
    rules = []
    for rule in t.get("detectionRules", []):
        hot = rule["hotwordRule"]
        adjust = hot["likelihoodAdjustment"]
        rules.append((re2.compile(hot["hotwordRegex"]["pattern"]),
                      hot["proximity"].get("windowBefore", 0),
                      hot["proximity"].get("windowAfter", 0),
                      adjust.get("fixedLikelihood"), adjust.get("relativeLikelihood", 0)))
    def finds(text):
        for m in regex.finditer(text):
            level = order.index(t.get("likelihood", "VERY_LIKELY"))
            for hot, before, after, fixed, relative in rules:
                window = text[max(0, m.start() - before):m.end() + after]
                if hot.search(window):
                    level = order.index(fixed) if fixed else min(4, max(0, level + relative))
            if level >= minimum:
                return True
        return False
    found[t["infoType"]["name"]] = [finds(text) for text in texts]
print(json.dumps(found, sort_keys=True))
"##;

/// The in-process Google DLP reader answers as RE2 does: every example and non-example of
/// every policy, against every custom info type.
#[test]
fn re2_and_the_google_dlp_reader_find_the_same_examples() {
    if !common::require_python_module("re2", "google-re2") {
        return;
    }
    let mut compared = 0;
    for policy in common::policies() {
        let (_dir, files) = emit(&policy, "google-dlp");
        let texts = example_texts(&common::ir(&policy));
        let written = [msgpol::emit::OutputFile {
            path: "inspect-template.json".into(),
            contents: std::fs::read(&files[0]).unwrap(),
        }];
        let rules = msgpol::emit::verify::readers::google_dlp::read(&written).unwrap();
        let read = read_back(&rules, &texts);
        let (ok, out) = common::run(
            Command::new("python3")
                .args(["-c", RE2_FINDS])
                .arg(&files[0])
                .arg(serde_json::to_string(&texts).unwrap()),
        );
        assert!(ok, "{}: {out}", policy.display());
        let real: std::collections::BTreeMap<String, Vec<bool>> =
            serde_json::from_str(&out).unwrap();
        let differ = disagreements(&real, &read, &texts);
        assert!(differ.is_empty(), "{}: {differ:#?}", policy.display());
        compared += rules.len() * texts.len();
    }
    assert!(compared > 1000, "only {compared} answers compared");
}
