//! Defence in depth: validation keeps hostile strings out of the IR, and every target escapes
//! or re-checks what it writes as well. Here the IR is tampered with directly (as a bug in an
//! earlier stage might) and every target must refuse, or write the hostile text only in a
//! harmless form.

mod common;

use msgpol::emit;

const HOSTILE: &[&str] = &[
    "evil.example\"; rm -rf /",
    "evil.example\nserver:",
    "$(id).example",
    "`id`.example",
    "evil'.example",
];

#[test]
fn hostile_names_never_reach_an_output() {
    let base = msgpol::compile(
        &common::root().join("examples/large-enterprise.msgpol"),
        common::today(),
    )
    .unwrap()
    .ir
    .unwrap();
    for hostile in HOSTILE {
        let mut ir = base.clone();
        ir.enforcement.dns_block[0].name = (*hostile).into();
        if let Some(rule) = ir.enforcement.dns_monitor.first_mut() {
            rule.name = (*hostile).into();
        }
        for target in emit::all_targets() {
            match target.emit(&ir) {
                Err(_) => {}
                Ok(emitted) => {
                    for file in emitted.files {
                        let text = String::from_utf8_lossy(&file.contents);
                        // The IR target is JSON: the string is escaped by the serialiser.
                        if target.name() == "ir" {
                            let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
                            assert_eq!(parsed["enforcement"]["dns_block"][0]["name"], *hostile);
                            continue;
                        }
                        assert!(
                            !text.contains(hostile),
                            "{} wrote {hostile:?} raw into {}",
                            target.name(),
                            file.path
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn hostile_policy_text_stays_inside_comments_and_strings() {
    let mut ir = msgpol::compile(
        &common::root().join("examples/large-enterprise.msgpol"),
        common::today(),
    )
    .unwrap()
    .ir
    .unwrap();
    let hostile =
        "Acme\nserver:\n  local-zone: \"evil.\" transparent\n'; Remove-Item C:\\ -Recurse; '\u{7}";
    ir.policy.title = hostile.to_string();
    ir.policy.organisation = hostile.to_string();
    ir.policy.version = hostile.to_string();
    for target in emit::all_targets() {
        let Ok(emitted) = target.emit(&ir) else {
            continue;
        };
        for file in emitted.files {
            let text = String::from_utf8_lossy(&file.contents);
            if target.name() == "ir" {
                continue;
            }
            for line in text.lines() {
                assert!(
                    !line.trim_start().starts_with("local-zone: \"evil."),
                    "{}: a policy string became a config line",
                    target.name()
                );
                assert!(
                    !line.trim_start().starts_with("server:") || target.name() == "unbound",
                    "{}: {line}",
                    target.name()
                );
                assert!(
                    !line.contains('\u{7}'),
                    "{}: control character written",
                    target.name()
                );
            }
        }
    }
}

/// Detector keywords, context words, class and tier labels reach the DLP targets: each must
/// stay a string of its format (a YARA text string, an XML text node, a JSON string, a
/// PowerShell single-quoted literal).
#[test]
fn hostile_detector_text_stays_inside_dlp_strings() {
    let mut ir = msgpol::compile(
        &common::root().join("examples/large-enterprise.msgpol"),
        common::today(),
    )
    .unwrap()
    .ir
    .unwrap();
    let keyword = "X\" fullword\n}\nrule evil { condition: true }\n//";
    let label = "L</Name><Evil/>'; Remove-Item C:\\ -Recurse; '";
    for class in &mut ir.classes {
        class.label = label.to_string();
        for d in &mut class.detectors {
            d.keywords.push(keyword.to_string());
            if let Some(near) = &mut d.near {
                near.words.push(keyword.to_string());
            }
        }
    }
    for tier in &mut ir.tiers {
        tier.label = label.to_string();
    }
    for name in ["yara", "google-dlp", "purview"] {
        let emitted = emit::find_target(name).unwrap().emit(&ir).unwrap();
        for file in emitted.files {
            let text = common::output_text(&file.contents);
            assert!(
                !text
                    .lines()
                    .any(|l| l.trim_start().starts_with("rule evil")),
                "{name}: a keyword became a YARA rule"
            );
            if file.path.ends_with(".xml") {
                assert!(!text.contains("<Evil/>"), "{name}: a label became XML");
            }
            assert!(
                !text.replace("''", "").contains("'; Remove-Item"),
                "{name}: a label left its PowerShell string"
            );
            if name == "google-dlp" {
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert!(json["inspectConfig"]["customInfoTypes"].is_array());
            }
        }
    }
}
