//! Every fixture under tests/fixtures. `<stage>/err/` files (stage: syntax, resolve, validate)
//! must fail with the code named on their first line (`# expect: E0xx`) and that code must
//! belong to the stage; `ok/` files must compile. All snapshot the rendered diagnostics exactly
//! as a user sees them (no colour, fixed width; graphical and plain), `ok/` also the IR.

mod common;

use msgpol::diagnostics::{Code, ErrorFormat};

fn expected_code(path: &std::path::Path) -> Code {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let written = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect: "))
        .unwrap_or_else(|| panic!("{} must start with `# expect: CODE`", path.display()))
        .trim();
    Code::ALL
        .iter()
        .copied()
        .find(|code| code.as_str() == written)
        .unwrap_or_else(|| panic!("{}: no code {written}", path.display()))
}

#[test]
fn err_fixtures_fail_with_their_code() {
    insta::glob!("fixtures/*/err/*.msgpol", |path| {
        let (text, has_errors) = common::diagnostics_text(path, ErrorFormat::Human);
        let code = expected_code(path);
        assert!(has_errors, "{} should fail", path.display());
        assert!(
            text.contains(code.as_str()),
            "{} should report {code}, got:\n{text}",
            path.display()
        );
        let stage = path
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let expected_stage = code.stage().name();
        assert_eq!(
            stage, expected_stage,
            "{code} belongs to the {expected_stage} stage"
        );
        insta::assert_snapshot!("human", text);
        let (plain, _) = common::diagnostics_text(path, ErrorFormat::Plain);
        insta::assert_snapshot!("plain", plain);
    });
}

#[test]
fn err_fixtures_in_json_name_file_line_and_column() {
    insta::glob!("fixtures/*/err/*.msgpol", |path| {
        let (json, _) = common::diagnostics_text(path, ErrorFormat::Json);
        let items: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        assert!(!items.is_empty());
        for item in &items {
            assert!(item["code"].as_str().is_some_and(|c| !c.is_empty()));
            assert!(
                item["help"].is_string(),
                "every diagnostic has help: {item}"
            );
            let location = &item["location"];
            assert!(
                location["file"].is_string(),
                "{}: no location in {item}",
                path.display()
            );
            assert!(location["line"].as_u64().unwrap() >= 1);
            assert!(location["column"].as_u64().unwrap() >= 1);
        }
    });
}

#[test]
fn ok_fixtures_compile() {
    insta::glob!("fixtures/ok/*.msgpol", |path| {
        let compilation = msgpol::compile(path, common::today()).unwrap();
        let text = common::rendered(&compilation);
        assert!(
            !compilation.has_errors(),
            "{} should compile:\n{text}",
            path.display()
        );
        let ir = compilation.ir.expect("an IR for a policy without errors");
        insta::assert_snapshot!("diagnostics", text);
        insta::assert_json_snapshot!("ir", ir);
        for target in msgpol::emit::all_targets()
            .iter()
            .filter(|t| t.name() != "ir")
        {
            for file in target.emit(&ir).unwrap().files {
                let name = file.path.replace('/', "_");
                common::target_snapshots(target.name()).bind(|| {
                    insta::assert_snapshot!(name, common::readable(&file.contents));
                });
            }
        }
    });
}

#[test]
fn warn_fixtures_pass_with_their_warning() {
    insta::glob!("fixtures/*/warn/*.msgpol", |path| {
        let code = expected_code(path);
        let compilation = msgpol::compile(path, common::today()).unwrap();
        assert!(
            !compilation.has_errors(),
            "{} should compile",
            path.display()
        );
        let codes: Vec<Code> = compilation.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![code], "{}", path.display());
        let (text, _) = common::diagnostics_text(path, ErrorFormat::Human);
        insta::assert_snapshot!(text);
    });
}
