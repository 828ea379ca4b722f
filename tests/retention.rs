//! Retention (`keep at least`, `delete after`) reaches the services that keep history: the
//! Mattermost patch in Mattermost's own field names and types, Purview's retention policies
//! with the action and days the policy asks for, and the staff guide; and never a setting
//! that would delete what the policy keeps.

mod common;

use msgpol::diagnostics::Code;
use std::collections::BTreeMap;

const HEADER: &str = r#"policy "Retention" {
  organisation "Retention Ltd"
  size small
  version "1"
  effective 2026-01-01
  owner "security@retention.example"
  support "IT desk"
  briefing every 6 months
}

import std.classes.internal
import std.channels
"#;

fn ir(body: &str) -> msgpol::ir::Ir {
    let text = format!("{HEADER}\n{body}");
    let files = BTreeMap::from([("p.msgpol".to_string(), text.into_bytes())]);
    let compilation = msgpol::compile_memory("p.msgpol", &files, common::today()).unwrap();
    let rendered = common::rendered(&compilation);
    compilation.ir.unwrap_or_else(|| panic!("{rendered}"))
}

fn emit(ir: &msgpol::ir::Ir, target: &str) -> msgpol::emit::Emitted {
    msgpol::emit::find_target(target).unwrap().emit(ir).unwrap()
}

fn text(emitted: &msgpol::emit::Emitted, path: &str) -> String {
    let file = emitted.files.iter().find(|f| f.path == path).unwrap();
    String::from_utf8(file.contents.clone()).unwrap()
}

/// `DataRetentionSettings` as Mattermost declares it (`server/public/model/config.go`): these
/// fields, booleans and day counts, and `isValid` refuses a count below 1.
fn assert_is_mattermost_retention(patch: &serde_json::Value) {
    let settings = patch["DataRetentionSettings"].as_object().unwrap();
    let known = [
        "EnableMessageDeletion",
        "EnableFileDeletion",
        "MessageRetentionDays",
        "FileRetentionDays",
    ];
    assert!(
        settings.keys().all(|k| known.contains(&k.as_str())),
        "{settings:?}"
    );
    assert!(settings["EnableMessageDeletion"].is_boolean());
    assert!(settings["EnableFileDeletion"].is_boolean());
    assert!(settings["MessageRetentionDays"].as_u64().unwrap() >= 1);
    assert!(settings["FileRetentionDays"].as_u64().unwrap() >= 1);
}

#[test]
fn mattermost_deletes_after_the_policy_period_and_only_that() {
    let ir = ir(r#"
class contracts : internal "Contracts" {
  keep at least 1 year
}

channel acme-chat : mattermost "Acme Chat" {
  domains "chat.acme.example"
}

tier approved "Approved" {
  channels acme-chat
  allows up to contracts
  delete after 2 years
}
"#);
    let emitted = emit(&ir, "mattermost");
    assert!(emitted.warnings.is_empty());
    let patch: serde_json::Value =
        serde_json::from_str(&text(&emitted, "msgpol-retention.json")).unwrap();
    assert_is_mattermost_retention(&patch);
    assert_eq!(
        patch,
        serde_json::json!({"DataRetentionSettings": {
            "EnableMessageDeletion": true,
            "MessageRetentionDays": 730,
            "EnableFileDeletion": true,
            "FileRetentionDays": 730
        }})
    );
}

/// Two servers with different periods: one patch cannot serve both, so it sets nothing and
/// the build names each server's period (deleting on the shorter one would delete contracts
/// the policy keeps seven years).
#[test]
fn mattermost_servers_with_different_periods_get_no_deletion() {
    let path = common::root().join("tests/fixtures/ok/retention.msgpol");
    let ir = common::ir(&path);
    let emitted = emit(&ir, "mattermost");
    assert_eq!(text(&emitted, "msgpol-retention.json").trim(), "{}");
    let warning = emitted
        .warnings
        .iter()
        .find(|w| w.code() == Code::W308)
        .expect("a W308 warning");
    assert!(
        warning.message().contains("`fixture-chat` after 2555 days"),
        "{}",
        warning.message()
    );
    assert!(
        warning
            .message()
            .contains("`fixture-community` after 180 days"),
        "{}",
        warning.message()
    );
}

/// Each location's policy: keep and delete → KeepAndDelete for the deletion's days; keep
/// only → Keep; delete only → Delete; the retention of the tier and of every class the channel
/// may carry together.
#[test]
fn purview_retention_policies_carry_the_action_and_days_the_policy_asks_for() {
    let path = common::root().join("tests/fixtures/ok/retention.msgpol");
    let script = text(
        &emit(&common::ir(&path), "purview"),
        "msgpol-retention-policies.ps1",
    );
    for (name, location) in [
        ("Teams chats", "TeamsChatLocation"),
        ("Teams channel messages", "TeamsChannelLocation"),
        ("Exchange email", "ExchangeLocation"),
    ] {
        let line = format!(
            "Set-MsgpolRetention -Name 'msgpol retention: {name}' -Location @{{ {location} = 'All' }} -Days '2555' -Action 'KeepAndDelete'"
        );
        assert!(script.contains(&line), "{line}\n{script}");
    }
    for (statements, action, days) in [
        ("keep at least 90 days", "Keep", "90"),
        ("delete after 3 months", "Delete", "90"),
    ] {
        let ir = ir(&format!(
            "tier approved \"Approved\" {{\n  channels teams\n  allows up to internal\n  {statements}\n}}\n"
        ));
        let script = text(&emit(&ir, "purview"), "msgpol-retention-policies.ps1");
        let expected = format!("-Days '{days}' -Action '{action}'");
        assert_eq!(
            script.matches(&expected).count(),
            2,
            "{statements}:\n{script}"
        );
        assert!(!script.contains("ExchangeLocation = 'All'"), "{script}");
    }
}

/// Staff read how long messages are kept, in the class and tier sections.
#[test]
fn the_staff_guide_says_how_long_messages_are_kept() {
    let path = common::root().join("tests/fixtures/ok/retention.msgpol");
    let staff = text(&emit(&common::ir(&path), "guide-md"), "staff.md");
    assert!(
        staff.contains("Messages are kept at least 7 years."),
        "{staff}"
    );
    assert!(
        staff.contains("Messages are deleted after 7 years."),
        "{staff}"
    );
    assert!(
        staff.contains("Messages are kept at least 30 days. Messages are deleted after 6 months."),
        "{staff}"
    );
}

/// tree-sitter-powershell parses the retention script without error, and reads in it a call of
/// `Set-MsgpolRetention` per location, each with the location, days and action as arguments.
#[test]
fn the_retention_script_parses_as_powershell() {
    if !common::require_python_module("tree_sitter_powershell", "tree-sitter-powershell") {
        return;
    }
    let path = common::root().join("tests/fixtures/ok/retention.msgpol");
    let emitted = emit(&common::ir(&path), "purview");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("msgpol-retention-policies.ps1");
    let file = emitted
        .files
        .iter()
        .find(|f| f.path == "msgpol-retention-policies.ps1")
        .unwrap();
    std::fs::write(&script, &file.contents).unwrap();
    let reader = r#"
import sys, tree_sitter as ts, tree_sitter_powershell as tp
parser = ts.Parser(ts.Language(tp.language()))
tree = parser.parse(open(sys.argv[1], "rb").read())
if tree.root_node.has_error:
    sys.exit("parse error")
calls = []
def walk(node):
    if node.type == "command":
        name = node.child_by_field_name("command_name")
        if name is not None and name.text.decode() == "Set-MsgpolRetention":
            calls.append(node.text.decode())
    for child in node.children:
        walk(child)
walk(tree.root_node)
print(len(calls))
"#;
    let (ok, out) = common::run(
        std::process::Command::new("python3")
            .args(["-c", reader])
            .arg(&script),
    );
    assert!(ok, "{out}");
    // One call per location (the function's definition is not a call).
    assert_eq!(out.trim(), "3", "{out}");
}
