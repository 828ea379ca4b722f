//! The target registry is the one source of what the targets are: the README's table is what
//! `msgpol targets --format markdown` prints, the docs index and the pages follow it, every
//! template is declared by a target, every file a target writes is one it declares, and every
//! target page says what deploying the target replaces.
//! Regenerate the README table and the docs index with `MSGPOL_WRITE_DOCS=1 cargo test --test
//! registry`.

mod common;

use msgpol::emit::all_targets;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The text between `<!-- begin NAME -->` and `<!-- end NAME -->` in `path` must be
/// `expected`; with MSGPOL_WRITE_DOCS set, it is rewritten instead.
fn assert_generated_block(path: &Path, name: &str, expected: &str) {
    let text = fs::read_to_string(path).unwrap();
    let begin = format!("<!-- begin {name}: generated, do not edit -->\n");
    let end = format!("<!-- end {name} -->");
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("{} has no `{}`", path.display(), begin.trim()))
        + begin.len();
    let stop = start
        + text[start..]
            .find(&end)
            .unwrap_or_else(|| panic!("{} has no `{end}`", path.display()));
    if std::env::var_os("MSGPOL_WRITE_DOCS").is_some() {
        let updated = format!("{}{expected}{}", &text[..start], &text[stop..]);
        fs::write(path, updated).unwrap();
        return;
    }
    assert_eq!(
        &text[start..stop],
        expected,
        "{} is stale: regenerate it with MSGPOL_WRITE_DOCS=1 cargo test --test registry",
        path.display()
    );
}

#[test]
fn readme_table_is_what_msgpol_targets_prints() {
    let assert = common::msgpol()
        .args(["targets", "--format", "markdown"])
        .assert()
        .code(0);
    let table = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(table.lines().count(), all_targets().len() + 2);
    assert_generated_block(&common::root().join("README.md"), "targets", &table);
}

#[test]
fn docs_index_lists_every_target_and_every_target_has_a_page() {
    let dir = common::root().join("docs/targets");
    assert_generated_block(
        &dir.join("README.md"),
        "targets",
        &msgpol::emit::targets_markdown(""),
    );
    let pages: BTreeSet<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
        .filter(|n| n != "README")
        .collect();
    let names: BTreeSet<String> = all_targets().iter().map(|t| t.name().to_string()).collect();
    assert_eq!(pages, names, "docs/targets pages and targets differ");
}

/// Every target page says what installing its files replaces on the consuming system and what
/// it leaves alone, under one heading, so that a new target cannot leave it out.
#[test]
fn every_target_page_says_what_deploying_it_replaces() {
    const HEADING: &str = "## What deploying it replaces";
    let mut missing = Vec::new();
    for target in all_targets() {
        let path = common::root().join(format!("docs/targets/{}.md", target.name()));
        let text = fs::read_to_string(&path).unwrap();
        // Headings only, not lines inside fenced code blocks.
        let mut fenced = false;
        let found = text.lines().any(|line| {
            if line.starts_with("```") {
                fenced = !fenced;
            }
            !fenced && line == HEADING
        });
        if !found {
            missing.push(target.name());
        }
    }
    assert!(
        missing.is_empty(),
        "these target pages have no `{HEADING}` section: {missing:?}"
    );
}

#[test]
fn targets_list_as_json_for_pipelines() {
    let assert = common::msgpol()
        .args(["targets", "--format", "json"])
        .assert()
        .code(0);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(list.len(), all_targets().len());
    let unbound = list.iter().find(|t| t["name"] == "unbound").unwrap();
    assert_eq!(unbound["outputs"], serde_json::json!(["msgpol.conf"]));
    assert_eq!(unbound["controls"], serde_json::json!(["block-dns"]));
    assert_eq!(
        unbound["default_for"],
        serde_json::json!(["medium", "large"])
    );
}

#[test]
fn every_template_is_declared_by_a_target() {
    let declared: BTreeSet<&str> = all_targets()
        .iter()
        .flat_map(|t| t.info().templates.iter().map(|tpl| tpl.path))
        .collect();
    let mut shipped = BTreeSet::new();
    let root = common::root().join("targets");
    for dir in fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        for file in fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "j2") {
                let relative = path.strip_prefix(&root).unwrap().to_string_lossy();
                shipped.insert(relative.replace('\\', "/"));
            }
        }
    }
    let declared: BTreeSet<String> = declared.into_iter().map(str::to_string).collect();
    assert_eq!(
        declared, shipped,
        "templates under targets/ and those targets declare differ"
    );
}

#[test]
fn every_file_a_target_writes_is_one_it_declares() {
    let mut written: BTreeSet<(&str, String)> = BTreeSet::new();
    for policy in common::policies() {
        let ir = common::ir(&policy);
        for target in all_targets() {
            let info = target.info();
            for file in target.emit(&ir).unwrap().files {
                assert!(
                    info.outputs.contains(&file.path.as_str()),
                    "{} wrote {} for {}, which its TargetInfo does not declare",
                    info.name,
                    file.path,
                    policy.display()
                );
                written.insert((info.name, file.path));
            }
        }
    }
    // And every declared file is written by at least one example or fixture.
    for target in all_targets() {
        let info = target.info();
        for output in info.outputs {
            assert!(
                written.contains(&(info.name, output.to_string())),
                "{} declares {output}, which no example or fixture makes it write",
                info.name
            );
        }
    }
}
