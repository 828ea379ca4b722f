//! Every example policy × every target, snapshotted; the examples are warning-free; the
//! staff guide's matrices, as rendered in HTML and in Markdown, agree with `decide` cell by
//! cell, on the evaluation date and on the days around each dated tier change.

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

/// The staff guides' matrices of `ir` agree with its `decide`, in HTML and in Markdown.
fn assert_rendered_matrices_agree(ir: &msgpol::ir::Ir, what: &str) {
    for (target, file, parse) in [
        (
            "guide-html",
            "staff.html",
            common::html_matrices as fn(&str) -> Vec<common::RenderedMatrix>,
        ),
        ("guide-md", "staff.md", markdown_matrices),
    ] {
        let emitted = emit::find_target(target).unwrap().emit(ir).unwrap();
        let staff = emitted.files.iter().find(|f| f.path == file).unwrap();
        let text = String::from_utf8(staff.contents.clone()).unwrap();
        common::assert_matrix_agrees(ir, &parse(&text), &format!("{what} {target}"));
    }
}

/// Around each dated tier change of the examples: on the day before and on the day itself,
/// the channel is in the tier the change names, the whole build with every target succeeds
/// (it reads each file back against `decide` on that day), its DNS block list holds the
/// channel's names exactly when its tier blocks by DNS, and the guides' matrices agree with
/// `decide`; the day before, the staff guide announces the change, and the manifest names
/// the change's day as the next one to rebuild on.
#[test]
fn examples_change_tier_on_their_dates() {
    let mut changes = 0;
    for path in common::examples() {
        let ir = common::ir(&path);
        for change in &ir.changes {
            changes += 1;
            let before = change.date.previous_day().unwrap();
            for (date, tier) in [(before, &change.from_tier), (change.date, &change.to_tier)] {
                let what = format!("{} on {date}", path.display());
                let compilation = msgpol::compile(&path, date).unwrap();
                let on_day = compilation.ir.expect("the example compiles on the day");
                let channel = on_day.channel(&change.channel).unwrap();
                assert_eq!(&channel.tier, tier, "{what}");
                let blocked_by_dns = on_day
                    .tier_of(channel)
                    .is_some_and(|t| t.block.contains(&msgpol::ir::Enforcement::Dns));
                let listed = on_day
                    .enforcement
                    .dns_block
                    .iter()
                    .any(|rule| rule.channels.iter().any(|c| **c == *change.channel));
                assert_eq!(listed, blocked_by_dns, "{what}");
                assert_rendered_matrices_agree(&on_day, &what);

                let out = tempfile::tempdir().unwrap();
                let dir = out.path().join("out");
                let assert = assert_cmd::Command::cargo_bin("msgpol")
                    .unwrap()
                    .env_remove("SOURCE_DATE_EPOCH")
                    .args(["--today", &date.to_string(), "build", "-t", "all", "--out"])
                    .arg(&dir)
                    .arg(&path)
                    .assert();
                let output = assert.get_output();
                assert!(
                    output.status.success(),
                    "{what}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                let manifest: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap())
                        .unwrap();
                if date == before {
                    assert_eq!(manifest["next_change"], change.date.to_string(), "{what}");
                    let staff = std::fs::read_to_string(dir.join("guide-md/staff.md")).unwrap();
                    assert!(
                        staff.contains(&format!("**From {}:** {}", change.date, channel.label)),
                        "{what}: the staff guide announces the change"
                    );
                }
            }
        }
    }
    assert!(changes > 0, "an example changes a channel's tier on a date");
}

#[test]
fn rendered_matrix_agrees_with_decide() {
    for path in common::guide_policies() {
        let ir = common::ir(&path);
        assert_rendered_matrices_agree(&ir, &path.display().to_string());
    }
}
