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
    let base = common::ir(&common::root().join("examples/large-enterprise.msgpol"));
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
    let mut ir = common::ir(&common::root().join("examples/large-enterprise.msgpol"));
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

/// The endpoint targets with every identifier and label of every channel tampered with: the
/// formats that cannot hold the text refuse (a `|` would add fields to a firewall rule, a line
/// break a .reg key, a control character breaks XML); the JSON and PowerShell targets write it
/// only escaped or quoted.
#[test]
fn hostile_endpoint_identifiers_are_refused_or_escaped() {
    let hostile = "x\"</string><x a='1'>|Action=Allow|\n[HKEY_LOCAL_MACHINE\\X]";
    let mut ir = common::ir(&common::root().join("tests/fixtures/ok/endpoint.msgpol"));
    for channel in &mut ir.channels {
        channel.label = hostile.into();
        let e = &mut channel.endpoints;
        for list in [
            &mut e.windows_exe,
            &mut e.windows_publisher,
            &mut e.windows_store,
            &mut e.windows_path,
            &mut e.macos_team,
            &mut e.macos_signing_id,
            &mut e.entra_app,
        ] {
            *list = vec![hostile.to_string()];
        }
    }
    for name in ["gpo", "reg", "applocker", "santa"] {
        let target = emit::find_target(name).unwrap();
        assert!(target.emit(&ir).is_err(), "{name} must refuse");
    }
    for name in ["conditional-access", "teams"] {
        let emitted = emit::find_target(name).unwrap().emit(&ir).unwrap();
        for file in emitted.files {
            let text = String::from_utf8(file.contents).unwrap();
            assert!(!text.contains(hostile), "{name} wrote it verbatim");
            assert!(
                !text
                    .lines()
                    .any(|l| l.starts_with("[HKEY") || l.starts_with("<x")),
                "{name}: the text broke out of its string:\n{text}"
            );
        }
    }
}

#[test]
fn policy_text_cannot_become_markup_in_the_guides() {
    let mut ir = common::ir(&common::root().join("examples/medium-org.msgpol"));
    let hostile = "<script>alert(1)</script> [x](javascript:alert(1)) | `code`";
    ir.policy.title = hostile.to_string();
    ir.policy.support = hostile.to_string();
    // A channel the guides show: one in a tier (the IR also holds the untiered ones).
    let shown = ir.tiered_channels().next().unwrap().name.clone();
    let channel = ir.channels.iter_mut().find(|c| c.name == shown).unwrap();
    channel.label = hostile.to_string();
    ir.incidents[0].lessons[0] = hostile.to_string();
    for name in ["guide-html", "guide-md", "briefing"] {
        let emitted = emit::find_target(name).unwrap().emit(&ir).unwrap();
        for file in emitted.files {
            let text = String::from_utf8(file.contents).unwrap();
            // Markdown shows `\<` as a literal `<`.
            assert!(
                !text.replace("\\<", "").contains("<script"),
                "{name}/{}: raw tag",
                file.path
            );
            if file.path.ends_with(".html") {
                assert!(text.contains("&lt;script&gt;"), "{name}/{}", file.path);
            } else {
                assert!(
                    !text.contains("[x](javascript"),
                    "{name}/{}: link",
                    file.path
                );
                assert!(text.contains("\\[x\\]"), "{name}/{}", file.path);
            }
        }
    }
}

/// Detector keywords, context words, class and tier labels reach the DLP targets: each must
/// stay a string of its format (a YARA text string, an XML text node, a JSON string, a
/// PowerShell single-quoted literal).
#[test]
fn hostile_detector_text_stays_inside_dlp_strings() {
    let mut ir = common::ir(&common::root().join("examples/large-enterprise.msgpol"));
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
        let emitted = match emit::find_target(name).unwrap().emit(&ir) {
            Ok(emitted) => emitted,
            // XML cannot carry the line break as written (a reader would read a space): refused.
            Err(e) if name == "purview" => {
                assert!(format!("{e:?}").contains("refusing to write"), "{e:?}");
                continue;
            }
            Err(e) => panic!("{name}: {e:?}"),
        };
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

/// Hostile text in every free-text field of the IR at once (titles, labels, docs, notes,
/// reasons, findings, lessons, detector words): every target writes it through its context's
/// encoder or refuses it with a coded error saying what it refused. A template that printed a
/// field without an encoder fails here ("without its context's encoder").
#[test]
fn every_free_text_field_goes_through_an_encoder() {
    let texts = [
        "]]>--*/'@ `id` $(id) \u{2018}x\u{2019}\u{201a}\u{201b} \"q\" <b>&amp; {{x}} {%x%} \\ \u{feff}\u{200f}שלום \u{1F600}",
        "line\nbreak\r\n\u{85}\u{2028}\u{2029}\u{7}\u{1b}[31m",
    ];
    let mut policies = common::examples();
    policies.push(common::root().join("tests/fixtures/ok/endpoint.msgpol"));
    policies.push(common::root().join("tests/fixtures/ok/guide.msgpol"));
    for policy in &policies {
        for text in texts {
            let mut ir = common::ir(policy);
            tamper_free_text(&mut ir, text);
            for target in emit::all_targets() {
                if let Err(e) = target.emit(&ir) {
                    let shown = format!("{e:?}");
                    assert!(
                        !shown.contains("without its context's encoder"),
                        "{}: {shown}",
                        target.name()
                    );
                    assert!(
                        shown.contains("refusing to write") || shown.contains("E3"),
                        "{}: {shown}",
                        target.name()
                    );
                }
            }
        }
    }
}

fn tamper_free_text(ir: &mut msgpol::ir::Ir, text: &str) {
    let t = || text.to_string();
    let p = &mut ir.policy;
    (p.title, p.organisation, p.version, p.owner, p.support) = (t(), t(), t(), t(), t());
    p.docs = vec![t()];
    for c in &mut ir.classes {
        c.label = t();
        c.docs = vec![t()];
        for d in &mut c.detectors {
            d.keywords.push(t());
            if let Some(near) = &mut d.near {
                near.words.push(t());
            }
        }
    }
    for c in &mut ir.channels {
        c.label = t();
        c.vendor = Some(t());
        c.notes = vec![t()];
        c.docs = vec![t()];
    }
    for tier in &mut ir.tiers {
        tier.label = t();
        tier.docs = vec![t()];
    }
    for e in &mut ir.exceptions {
        e.reason = t();
        e.approved_by = t();
        e.docs = vec![t()];
    }
    for r in &mut ir.reviews {
        r.reviewer = Some(t());
        r.findings = vec![t()];
    }
}
