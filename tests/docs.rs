//! Documentation is part of the feature: every diagnostic code the compiler can emit has its
//! page and every page belongs to a code (the target pages: tests/registry.rs).

mod common;

use std::collections::BTreeSet;
use std::fs;

fn codes_in_source() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    let mut stack = vec![common::root().join("compiler/src")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).unwrap();
                for (i, _) in text.match_indices('"') {
                    let rest = &text[i + 1..];
                    let code: String = rest.chars().take(5).collect();
                    let is_code = code.len() == 4 + 1
                        && rest.as_bytes().get(4) == Some(&b'"')
                        && matches!(code.as_bytes()[0], b'E' | b'W')
                        && code[1..4].bytes().all(|b| b.is_ascii_digit());
                    if is_code {
                        codes.insert(code[..4].to_string());
                    }
                }
            }
        }
    }
    codes
}

#[test]
fn every_code_has_a_page_and_every_page_a_code() {
    let used = codes_in_source();
    assert!(used.len() > 30, "found only {used:?}");
    let pages: BTreeSet<String> = fs::read_dir(common::root().join("docs/errors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
        .filter(|n| n != "README")
        .collect();
    let missing: Vec<&String> = used.difference(&pages).collect();
    let stale: Vec<&String> = pages.difference(&used).collect();
    assert!(
        missing.is_empty(),
        "codes without docs/errors page: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "docs/errors pages for codes the compiler never emits: {stale:?}"
    );
    let index = fs::read_to_string(common::root().join("docs/errors/README.md")).unwrap();
    for code in &used {
        assert!(
            index.contains(code.as_str()),
            "docs/errors/README.md does not list {code}"
        );
    }
}

/// The published schema is the one generated from the IR types; regenerate with
/// `MSGPOL_WRITE_SCHEMA=1 cargo test --test docs`.
#[test]
fn published_ir_schema_is_current() {
    let path = common::root().join("docs/ir.schema.json");
    let generated = msgpol::ir::json_schema();
    if std::env::var_os("MSGPOL_WRITE_SCHEMA").is_some() {
        fs::write(&path, &generated).unwrap();
    }
    let published = fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        published, generated,
        "docs/ir.schema.json is stale; regenerate it (see this test's comment)"
    );
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(schema["properties"]["format_version"]["type"], "integer");
}

/// The first example of docs/language.md is a whole policy: it must compile cleanly.
#[test]
fn language_reference_example_compiles() {
    let text = fs::read_to_string(common::root().join("docs/language.md")).unwrap();
    let start = text.find("```msgpol\n").unwrap() + "```msgpol\n".len();
    let end = start + text[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reference.msgpol");
    fs::write(&path, &text[start..end]).unwrap();
    let c = msgpol::compile(&path, common::today()).unwrap();
    let rendered = common::rendered(&c);
    assert!(c.diagnostics.is_empty(), "{rendered}");
}
