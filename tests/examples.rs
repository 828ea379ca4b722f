//! Every example policy × every target, snapshotted; the examples are warning-free; the
//! staff guide's matrix, as rendered in HTML and in Markdown, agrees with `decide` cell by
//! cell.

mod common;

use msgpol::emit;

#[test]
fn examples_compile_without_diagnostics() {
    for path in common::examples() {
        let c = msgpol::compile(&path, common::today()).unwrap();
        let text = common::rendered(&c);
        assert!(c.diagnostics.is_empty(), "{}:\n{text}", path.display());
    }
}

#[test]
fn every_example_with_every_target() {
    let examples = common::examples();
    assert_eq!(examples.len(), 3, "small, medium and large examples");
    for path in examples {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let ir = common::ir(&path);
        for target in emit::all_targets() {
            let emitted = target.emit(&ir).unwrap();
            assert!(!emitted.files.is_empty(), "{} wrote nothing", target.name());
            for file in &emitted.files {
                let name = format!("{stem}__{}", file.path.replace('/', "_"));
                let text = common::readable(&file.contents);
                common::target_snapshots(target.name()).bind(|| {
                    insta::assert_snapshot!(name, text);
                });
            }
        }
    }
}

#[test]
fn matrix_agrees_with_decide() {
    for path in common::examples() {
        let ir = common::ir(&path);
        let tiered: Vec<String> = ir.tiered_channels().map(|c| c.name.clone()).collect();
        assert_eq!(ir.matrix.len(), ir.classes.len() * tiered.len());
        for cell in &ir.matrix {
            let again = ir.decide(&cell.class, &cell.channel, None).unwrap();
            assert_eq!(again.verdict, cell.verdict);
        }
    }
}

/// The cells of each row of the staff guide's matrix table: channel, tier, then one per class.
fn html_matrix(html: &str) -> Vec<Vec<String>> {
    let start = html
        .find("<table id=\"matrix-table\">")
        .expect("a matrix table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    common::html_rows(table)
}

/// The rows of the Markdown matrix (the table under the header that starts with "| Channel").
fn markdown_matrix(md: &str) -> Vec<Vec<String>> {
    md.lines()
        .skip_while(|l| !l.starts_with("| Channel | Tier |"))
        .take_while(|l| l.starts_with('|'))
        .filter(|l| !l.starts_with("|---"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().replace('\\', ""))
                .collect()
        })
        .collect()
}

#[test]
fn rendered_matrix_agrees_with_decide() {
    for path in common::guide_policies() {
        let ir = common::ir(&path);
        for (target, file, parse) in [
            (
                "guide-html",
                "staff.html",
                html_matrix as fn(&str) -> Vec<Vec<String>>,
            ),
            ("guide-md", "staff.md", markdown_matrix),
        ] {
            let emitted = emit::find_target(target).unwrap().emit(&ir).unwrap();
            let staff = emitted.files.iter().find(|f| f.path == file).unwrap();
            let text = String::from_utf8(staff.contents.clone()).unwrap();
            let what = format!("{} {target}", path.display());
            common::assert_matrix_agrees(&ir, &parse(&text), &what);
        }
    }
}
