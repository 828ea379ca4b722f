//! Every example policy × every target, snapshotted; the examples are warning-free; the
//! staff guide's matrix agrees with `decide` cell by cell.

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
        let ir = msgpol::compile(&path, common::today()).unwrap().ir.unwrap();
        for target in emit::all_targets() {
            let emitted = target.emit(&ir).unwrap();
            assert!(!emitted.files.is_empty(), "{} wrote nothing", target.name());
            for file in &emitted.files {
                let name = format!("{stem}__{}__{}", target.name(), file.path.replace('/', "_"));
                let text = common::output_text(&file.contents);
                insta::assert_snapshot!(name, text);
            }
        }
    }
}

#[test]
fn matrix_agrees_with_decide() {
    for path in common::examples() {
        let ir = msgpol::compile(&path, common::today()).unwrap().ir.unwrap();
        let tiered: Vec<String> = ir.tiered_channels().map(|c| c.name.clone()).collect();
        assert_eq!(ir.matrix.len(), ir.classes.len() * tiered.len());
        for cell in &ir.matrix {
            let again = ir.decide(&cell.class, &cell.channel, None).unwrap();
            assert_eq!(again.verdict, cell.verdict);
        }
    }
}
