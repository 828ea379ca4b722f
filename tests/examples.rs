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
        let mut expected = 0;
        for class in &ir.classes {
            for channel in ir.tiered_channels() {
                let media = ir.media_to_judge(channel, None);
                expected += media.len();
                for medium in media {
                    let cell = ir
                        .matrix
                        .iter()
                        .find(|d| {
                            d.class == class.name && d.channel == channel.name && d.medium == medium
                        })
                        .unwrap();
                    let again = ir.decide(&class.name, &channel.name, medium, None).unwrap();
                    assert_eq!(again.verdict, cell.verdict);
                }
            }
        }
        assert_eq!(ir.matrix.len(), expected);
    }
}

/// The matrices of the Markdown guide: each table whose header starts "| Channel | Tier |",
/// with the media of the caption line before it.
fn markdown_matrices(md: &str) -> Vec<common::RenderedMatrix> {
    let lines: Vec<&str> = md.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with("| Channel | Tier |") {
            continue;
        }
        let caption = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.is_empty() && !l.starts_with("Legend"))
            .unwrap();
        let rows = lines[i..]
            .iter()
            .take_while(|l| l.starts_with('|'))
            .filter(|l| !l.starts_with("|---"))
            .map(|l| {
                l.trim_matches('|')
                    .split(" | ")
                    .map(|c| c.trim().replace('\\', ""))
                    .collect()
            })
            .collect();
        out.push(common::RenderedMatrix {
            media: common::caption_media(caption),
            rows,
        });
    }
    out
}

#[test]
fn rendered_matrix_agrees_with_decide() {
    for path in common::guide_policies() {
        let ir = common::ir(&path);
        for (target, file, parse) in [
            (
                "guide-html",
                "staff.html",
                common::html_matrices as fn(&str) -> Vec<common::RenderedMatrix>,
            ),
            ("guide-md", "staff.md", markdown_matrices),
        ] {
            let emitted = emit::find_target(target).unwrap().emit(&ir).unwrap();
            let staff = emitted.files.iter().find(|f| f.path == file).unwrap();
            let text = String::from_utf8(staff.contents.clone()).unwrap();
            let what = format!("{} {target}", path.display());
            common::assert_matrix_agrees(&ir, &parse(&text), &what);
        }
    }
}
