//! Dependencies point one way, as docs/ARCHITECTURE.md draws them: each module of
//! `compiler/src` may use only the modules listed for it in `LAYERS`. In particular the targets
//! and guides read the IR and never the syntax tree, the resolver or the checks.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

/// A source path (relative to `compiler/src`, by prefix: the longest match wins) and the
/// `crate::` modules it may use besides itself. Paths absent from this table (the command
/// line, `lib.rs`, `main.rs`) may use anything.
const LAYERS: &[(&str, &[&str])] = &[
    ("vocabulary/", &[]),
    ("source.rs", &[]),
    ("stdlib.rs", &[]),
    ("diagnostics", &["source"]),
    ("normalize/", &["source", "diagnostics", "vocabulary"]),
    ("syntax/", &["source", "diagnostics", "vocabulary"]),
    (
        "resolve/",
        &[
            "source",
            "diagnostics",
            "vocabulary",
            "normalize",
            "syntax",
            "stdlib",
        ],
    ),
    // The detector language and the scanner: checked and run by validate (a detector's
    // examples), compiled by the DLP targets.
    ("dlp/pattern.rs", &["vocabulary"]),
    ("dlp/checksum.rs", &["vocabulary"]),
    ("dlp/engine.rs", &["vocabulary"]),
    (
        "validate/",
        &[
            "source",
            "diagnostics",
            "vocabulary",
            "normalize",
            "syntax",
            "resolve",
            "dlp::pattern",
            "dlp::checksum",
            "dlp::engine",
        ],
    ),
    (
        "ir/",
        &["source", "vocabulary", "normalize", "syntax", "resolve"],
    ),
    // The scanner and what the DLP targets share: detectors as the IR states them.
    ("dlp/", &["ir"]),
    // Writing files and reporting emit errors: the stage's own plumbing.
    ("emit/error.rs", &["diagnostics"]),
    ("emit/warning.rs", &["diagnostics"]),
    ("emit/", &["ir", "dlp"]),
];

/// Paths (by prefix) that must not use some parts of their own module: the readers that
/// verify what the targets wrote are written apart from the writers, so that a mistake in a
/// writer cannot hide in its reader.
const APART: &[(&str, &[&str])] = &[(
    "emit/verify/",
    &[
        "emit::targets",
        "emit::templates",
        "emit::guide",
        "emit::write",
        "emit::preg",
    ],
)];

/// The `crate::` modules (with their first sub-module, `dlp::pattern`) that `code` uses
/// outside comments and string literals.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let code = without_comments_and_strings(code);
    let mut paths = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // `$crate::` or a longer identifier
        }
        let rest = &code[at + "crate::".len()..];
        let segments: Vec<&str> = rest
            .split("::")
            .take(2)
            .map(|s| {
                s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap()
            })
            .collect();
        if let Some(first) = segments.first().filter(|s| !s.is_empty()) {
            paths.insert(first.to_string());
            if let Some(second) = segments.get(1).filter(|s| !s.is_empty()) {
                paths.insert(format!("{first}::{second}"));
            }
        }
    }
    paths
}

/// `code` with every comment and string or character literal blanked out, so that a doc
/// comment naming `crate::syntax` is not a dependency.
fn without_comments_and_strings(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && matches!(next, Some('"' | '#')) {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let closing: Vec<char> = closing.chars().collect();
            while i < chars.len() && !chars[i..].starts_with(&closing) {
                i += 1;
            }
            i += closing.len();
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next == Some('\\') {
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3; // a character literal such as '"'; otherwise a lifetime
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// What `relative` (a path under compiler/src) uses that its layer does not allow.
fn violations(relative: &str, code: &str) -> Vec<String> {
    let uses = crate_paths(code);
    let mut found: Vec<String> = APART
        .iter()
        .filter(|(prefix, _)| relative.starts_with(prefix))
        .flat_map(|(_, apart)| apart.iter())
        .filter(|part| uses.contains(**part))
        .map(|part| format!("{relative} uses crate::{part}"))
        .collect();
    found.extend(layer_violations(relative, &uses));
    found
}

fn layer_violations(relative: &str, uses: &BTreeSet<String>) -> Vec<String> {
    let Some((layer, allowed)) = LAYERS
        .iter()
        .filter(|(prefix, _)| relative.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
    else {
        return Vec::new();
    };
    let own = layer.trim_end_matches('/').trim_end_matches(".rs");
    let own = own.split('/').next().unwrap();
    uses.iter()
        .filter(|path| {
            let module = path.split("::").next().unwrap();
            // A module path counts once: `dlp::pattern` is judged, `dlp` alone is not when a
            // sub-module of it is used.
            let is_parent_of_used =
                !path.contains("::") && uses.iter().any(|u| u.starts_with(&format!("{path}::")));
            module != own
                && !is_parent_of_used
                && !allowed
                    .iter()
                    .any(|a| *path == *a || path.starts_with(&format!("{a}::")) || module == *a)
        })
        .map(|path| format!("{relative} uses crate::{path}"))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_the_stages_before_it() {
    let src = common::root().join("compiler/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut found = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        found.extend(violations(
            &relative,
            &std::fs::read_to_string(file).unwrap(),
        ));
    }
    assert!(
        found.is_empty(),
        "dependencies against the layers:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layer_check_sees_what_a_target_must_not_use() {
    let target = "emit/targets/example.rs";
    assert_eq!(
        violations(target, "use crate::syntax::ast::Str;\nuse crate::ir::Ir;"),
        ["emit/targets/example.rs uses crate::syntax::ast"]
    );
    assert_eq!(
        violations(target, "fn f() { crate::resolve::load(); }"),
        ["emit/targets/example.rs uses crate::resolve::load"]
    );
    // A dlp module allowed elsewhere is still judged by its sub-module.
    assert_eq!(
        violations("validate/checks/x.rs", "use crate::dlp::input::Document;"),
        ["validate/checks/x.rs uses crate::dlp::input"]
    );
    // Comments and strings are not dependencies.
    let quiet = "//! see crate::syntax\n/* crate::validate */ let s = \"crate::resolve\";\nlet c = '\"'; let r = r#\"crate::syntax\"#;";
    assert!(
        violations(target, quiet).is_empty(),
        "{:?}",
        violations(target, quiet)
    );
    assert!(violations("cli/build.rs", "use crate::syntax::ast;").is_empty());
    // A reader may not use the writer it checks.
    assert_eq!(
        violations(
            "emit/verify/readers/x.rs",
            "use crate::emit::targets::hosts;"
        ),
        ["emit/verify/readers/x.rs uses crate::emit::targets"]
    );
}
