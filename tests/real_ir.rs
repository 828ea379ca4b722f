//! The `ir` target against its published schema: `ir/policy.json` of every example and every
//! `ok/` fixture validates against docs/ir.schema.json with PyPI jsonschema (installed by
//! .ci/run), under the draft the schema declares and with its format checks; a file that breaks
//! the schema is refused, so the check is not vacuous.

mod common;

use std::fs;
use std::process::Command;

/// Validates each file after the schema; prints the validator's name, then per file "ok PATH"
/// or "invalid PATH" followed by its first errors.
const VALIDATE: &str = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
print("validator", cls.__name__)
for path in sys.argv[2:]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(map(str, e.absolute_path)))
    print("invalid" if errors else "ok", path)
    for e in errors[:5]:
        print("  /" + "/".join(map(str, e.absolute_path)) + ": " + e.message)
"#;

#[test]
fn every_ir_matches_the_published_schema() {
    if !common::require_python_module("jsonschema", "jsonschema") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, policy) in common::policies().iter().enumerate() {
        let sub = dir.path().join(i.to_string());
        fs::create_dir(&sub).unwrap();
        let (_, paths) = common::emit_target(policy, "ir", &sub);
        assert_eq!(paths.len(), 1);
        files.push((policy.display().to_string(), paths[0].clone()));
    }
    // A control that breaks the schema twice: a required field gone, a number as a string.
    let mut broken: serde_json::Value =
        serde_json::from_slice(&fs::read(&files[0].1).unwrap()).unwrap();
    broken.as_object_mut().unwrap().remove("tiers");
    broken["format_version"] = "1".into();
    let control = dir.path().join("broken.json");
    fs::write(&control, serde_json::to_vec(&broken).unwrap()).unwrap();

    let (_, text) = common::run(
        Command::new("python3")
            .args(["-c", VALIDATE])
            .arg(common::root().join("docs/ir.schema.json"))
            .args(files.iter().map(|(_, path)| path))
            .arg(&control),
    );
    assert!(
        text.lines().next() == Some("validator Draft7Validator"),
        "the schema is draft-07:\n{text}"
    );
    for (policy, path) in &files {
        assert!(
            text.lines().any(|l| l == format!("ok {}", path.display())),
            "{policy}: ir/policy.json does not match docs/ir.schema.json:\n{text}"
        );
    }
    let control_report = text
        .split(&format!("invalid {}\n", control.display()))
        .nth(1)
        .unwrap_or_else(|| panic!("the broken IR passed:\n{text}"));
    assert!(
        control_report.contains("'tiers' is a required property")
            && control_report.contains("is not of type 'integer'"),
        "{text}"
    );
}
