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

#[test]
fn policy_text_cannot_become_markup_in_the_guides() {
    let mut ir = msgpol::compile(
        &common::root().join("examples/medium-org.msgpol"),
        common::today(),
    )
    .unwrap()
    .ir
    .unwrap();
    let hostile = "<script>alert(1)</script> [x](javascript:alert(1)) | `code`";
    ir.policy.title = hostile.to_string();
    ir.policy.support = hostile.to_string();
    ir.channels[0].label = hostile.to_string();
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
