//! Documentation is part of the feature: every diagnostic code has its page, generated from
//! the code's explanation with its example run for real, and every page belongs to a code
//! (the target pages: tests/registry.rs).

mod common;
#[path = "docs/error_pages.rs"]
mod error_pages;

use msgpol::diagnostics::Code;
use std::collections::BTreeSet;
use std::fs;

/// The pages in docs/errors are generated (see `error_pages`); regenerate them with
/// `MSGPOL_WRITE_DOCS=1 cargo test --test docs`.
#[test]
fn error_pages_are_current() {
    let dir = common::root().join("docs/errors");
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    let write = std::env::var_os("MSGPOL_WRITE_DOCS").is_some();
    let mut stale = Vec::new();
    for page in error_pages::generate(&readme) {
        let path = dir.join(&page.name);
        if write {
            fs::write(&path, &page.text).unwrap();
        }
        if fs::read_to_string(&path).ok().as_deref() != Some(page.text.as_str()) {
            stale.push(page.name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale in docs/errors: {stale:?}; regenerate them (see this test's comment)"
    );
}

#[test]
fn every_code_has_a_page_and_every_page_a_code() {
    let codes: BTreeSet<String> = Code::ALL.iter().map(|c| c.to_string()).collect();
    let pages: BTreeSet<String> = fs::read_dir(common::root().join("docs/errors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .map(|n| n.strip_suffix(".md").unwrap_or(&n).to_string())
        .collect();
    let missing: Vec<&String> = codes.difference(&pages).collect();
    let stale: Vec<&String> = pages.difference(&codes).collect();
    assert!(missing.is_empty(), "codes without a page: {missing:?}");
    assert!(
        stale.is_empty(),
        "files in docs/errors that are no code's page: {stale:?}"
    );
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
