//! Every fixture under tests/fixtures. `<stage>/err/` files (stage: syntax, resolve, validate)
//! must fail with the code named on their first line (`# expect: E0xx`) and that code must
//! belong to the stage; `ok/` files must compile. All snapshot the rendered diagnostics exactly
//! as a user sees them (no colour, fixed width; graphical and plain), `ok/` also the IR.

mod common;

use msgpol::diagnostics::{Code, ErrorFormat};
use msgpol::ir::{ExceptionStatus, Medium, Verdict};
use std::collections::BTreeMap;

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

/// The examples, the `ok/` fixtures and the `warn/` fixtures: every policy that has an IR.
fn policies_with_an_ir() -> Vec<std::path::PathBuf> {
    let mut list = common::policies();
    let warn = common::root().join("tests/fixtures/validate/warn");
    for entry in std::fs::read_dir(warn).unwrap() {
        list.push(entry.unwrap().path());
    }
    list.sort();
    list
}

/// An exception that `decide` never applies for its group, were it the group's only one on
/// the channel (no class it allows is both above the tier's ceiling and permitted on the
/// channel), is `no-effect` in the IR and reported by W223; every other exception is neither.
#[test]
fn exceptions_decide_never_applies_are_no_effect_and_reported() {
    let mut no_effect = 0;
    for path in policies_with_an_ir() {
        let compilation = msgpol::compile(&path, common::today()).unwrap();
        let ir = compilation.ir.as_ref().expect("an IR");
        for e in &ir.exceptions {
            let mut alone = ir.clone();
            alone.exceptions.retain(|other| other.name == e.name);
            // Every medium the channel carries (one that declares none is judged as a whole,
            // or on the media the exception names).
            let carried = &ir.channel(&e.channel).unwrap().media;
            let media: Vec<Option<Medium>> = if carried.is_empty() {
                std::iter::once(None)
                    .chain(e.media.iter().copied().map(Some))
                    .collect()
            } else {
                carried.iter().copied().map(Some).collect()
            };
            let applies = ir.classes.iter().any(|class| {
                media.iter().any(|&medium| {
                    let decision = alone
                        .decide(&class.name, &e.channel, medium, Some(&e.group))
                        .unwrap();
                    decision.verdict != Verdict::Deny
                        && decision.reasons.iter().any(|r| r.at == e.at)
                })
            });
            let reported = compilation
                .diagnostics
                .iter()
                .any(|d| d.code == Code::W223 && d.message.contains(&format!("`{}`", e.name)));
            let what = format!("{}: exception `{}`", path.display(), e.name);
            assert_eq!(e.status == ExceptionStatus::NoEffect, !applies, "{what}");
            assert_eq!(reported, !applies, "{what}");
            no_effect += usize::from(!applies);
        }
    }
    assert!(
        no_effect >= 2,
        "the warn fixtures have exceptions with no effect"
    );
}

/// The guides list an exception `decide` never applies as having no effect, never as active,
/// and do not count it among the exceptions in force.
#[test]
fn guides_never_call_an_exception_without_effect_active() {
    let path = common::root()
        .join("tests/fixtures/validate/warn/exception-overruled-by-class-requirement.msgpol");
    let ir = common::ir(&path);
    for target in ["guide-md", "guide-html"] {
        let text = guide(&ir, target);
        let security = text("security");
        let row = security
            .lines()
            .find(|l| l.contains("board-teams"))
            .unwrap_or_else(|| panic!("{target}: the register lists the exception"));
        assert!(row.contains("no effect"), "{target}: {row}");
        assert!(!row.contains("active"), "{target}: {row}");
        let executives = text("executives");
        assert!(
            executives.contains("Exceptions in force: **0**")
                || executives.contains("Exceptions in force: <strong>0</strong>"),
            "{target}: the exception is not in force"
        );
    }
}

/// The guides' review tables mark a review "due" from 30 days before its next date and
/// "overdue" once the date has passed; a review further off has no mark.
#[test]
fn guides_mark_a_review_due_within_30_days_of_its_date_and_overdue_after_it() {
    // Its review of Safe Talk is next due on 2027-04-01.
    let path = common::root().join("tests/fixtures/ok/all-declarations.msgpol");
    let days = [
        ("2027-03-01", None),
        ("2027-03-02", Some("due")),
        ("2027-04-01", Some("due")),
        ("2027-04-02", Some("overdue")),
    ];
    for (day, mark) in days {
        let today =
            time::Date::parse(day, &time::format_description::well_known::Iso8601::DATE).unwrap();
        let ir = msgpol::compile(&path, today).unwrap().ir.expect("an IR");
        for target in ["guide-md", "guide-html"] {
            let security = guide(&ir, target)("security");
            let row = security
                .lines()
                .find(|l| l.contains("2027-04-01"))
                .unwrap_or_else(|| panic!("{target}: the register lists the review"));
            let marked = ["overdue", "due"].into_iter().find(|m| {
                row.contains(&format!("({m})"))
                    || row.contains(&format!("(**{m}**)"))
                    || row.contains(&format!("\"tag\">{m}<"))
            });
            assert_eq!(marked, mark, "{target} on {day}: {row}");
        }
    }
}

/// The staff guide leaves out what is for administrators (admin notes, "unconfirmed" marks,
/// the controls that block a tier); the security register shows every admin note.
#[test]
fn staff_guides_leave_administrators_notes_to_the_security_register() {
    let mut admin_notes = 0;
    for path in common::guide_policies() {
        let ir = common::ir(&path);
        for target in ["guide-md", "guide-html"] {
            let text = guide(&ir, target);
            // As read (HTML through a browser's tokenizer), letters and digits alone: notes are
            // compared whatever each format escapes.
            let plain =
                |text: &str| -> String { text.chars().filter(|c| c.is_alphanumeric()).collect() };
            let read = |text: &str| match target {
                "guide-html" => plain(&common::html::read(text).literals.join(" ")),
                _ => plain(text),
            };
            let (staff, security) = (text("staff"), text("security"));
            let (plain_staff, plain_security) = (read(&staff), read(&security));
            let what = format!("{}: {target}", path.display());
            for admin in ["For administrators", "unconfirmed", "Blocked by"] {
                assert!(
                    !staff.contains(admin),
                    "{what}: the staff guide says {admin:?}"
                );
            }
            for channel in ir.channels.iter().filter(|c| c.tier.is_some()) {
                for note in &channel.admin_notes {
                    let note = plain(note);
                    assert!(plain_security.contains(&note), "{what}: {note:?} not shown");
                    assert!(
                        !plain_staff.contains(&note),
                        "{what}: {note:?} shown to staff"
                    );
                    admin_notes += 1;
                }
            }
        }
    }
    assert!(admin_notes > 0, "the examples have admin notes");
}

/// `import std.classes.X` brings X and the classes below it, nothing above; with the whole
/// module imported too (here or by another file), every class.
#[test]
fn standard_classes_are_imported_a_la_carte() {
    let path = common::root().join("tests/fixtures/ok/std-classes-a-la-carte.msgpol");
    let text = std::fs::read_to_string(path).unwrap();
    let classes = |policy: String, extra: Option<&str>| -> Vec<String> {
        let mut files = BTreeMap::from([("policy.msgpol".to_string(), policy.into_bytes())]);
        if let Some(extra) = extra {
            files.insert("more.msgpol".into(), extra.as_bytes().to_vec());
        }
        let ir = msgpol::compile_memory("policy.msgpol", &files, common::today())
            .unwrap()
            .ir
            .expect("an IR");
        ir.classes.iter().map(|c| c.name.clone()).collect()
    };
    let own = ["public", "internal", "confidential"];
    assert_eq!(classes(text.clone(), None), own);
    let with_restricted = text.replace(
        "import std.classes.internal",
        "import std.classes.internal\nimport \"more.msgpol\"",
    );
    let all = ["public", "internal", "confidential", "restricted"];
    assert_eq!(classes(with_restricted, Some("import std.classes\n")), all);
    let below_restricted = text
        .replace(
            "import std.classes.internal",
            "import std.classes.restricted",
        )
        .replace("class confidential", "class own-confidential");
    let names = classes(below_restricted, None);
    assert_eq!(names.len(), 5, "{names:?}");
}

/// An approved channel with no vendor review: nothing in a small policy, W226 in a medium one,
/// E227 in a large one; a review of a channel it inherits from vets it too.
#[test]
fn approved_channels_without_a_review_by_size() {
    let path = common::root().join("tests/fixtures/validate/warn/approved-without-review.msgpol");
    let text = std::fs::read_to_string(path).unwrap();
    for (size, expected) in [
        ("small", vec![]),
        ("medium", vec![Code::W226]),
        ("large", vec![Code::E227]),
    ] {
        let policy = text.replace("size medium", &format!("size {size}"));
        let files = [("policy.msgpol".to_string(), policy.into_bytes())].into();
        let compilation = msgpol::compile_memory("policy.msgpol", &files, common::today()).unwrap();
        let codes: Vec<Code> = compilation.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, expected, "size {size}");
    }
}

/// The guides `target` renders from `ir`: the text of each audience's file, by audience.
fn guide<'t>(ir: &msgpol::ir::Ir, target: &'t str) -> impl Fn(&str) -> String + 't {
    let emitted = msgpol::emit::find_target(target).unwrap().emit(ir).unwrap();
    move |audience: &str| {
        let file = emitted
            .files
            .iter()
            .find(|f| f.path.starts_with(&format!("{audience}.")))
            .unwrap_or_else(|| panic!("{target} writes no {audience} guide"));
        String::from_utf8(file.contents.clone()).unwrap()
    }
}

/// Every regular file below `dir`, by its path relative to `dir` with `/` separators.
fn files_below(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![std::path::PathBuf::new()];
    while let Some(relative) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&relative)).unwrap() {
            let entry = entry.unwrap();
            let path = relative.join(entry.file_name());
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let name = path.to_string_lossy().replace('\\', "/");
                files.insert(name, std::fs::read(dir.join(&path)).unwrap());
            }
        }
    }
    files
}

/// A policy held in memory with the files beside it compiles as it does from the disk: the
/// same diagnostics, places included, and the same IR.
#[test]
fn policies_compile_the_same_in_memory() {
    let mut policies = common::examples();
    let fixtures = common::root().join("tests/fixtures");
    for dir in [
        "ok",
        "endpoint",
        "verify",
        "syntax/err",
        "resolve/err",
        "validate/err",
        "validate/warn",
    ] {
        policies.extend(common::msgpol_files(&fixtures.join(dir)));
    }
    assert!(policies.len() > 90, "{} policies", policies.len());
    for path in policies {
        let files = files_below(path.parent().unwrap());
        let name = path.file_name().unwrap().to_str().unwrap();
        let disk = msgpol::compile(&path, common::today()).unwrap();
        let memory = msgpol::compile_memory(name, &files, common::today()).unwrap();
        let what = path.display();
        assert_eq!(common::rendered(&disk), common::rendered(&memory), "{what}");
        let json = |c: &msgpol::Compilation| serde_json::to_string(&c.ir).unwrap();
        assert_eq!(json(&disk), json(&memory), "{what}");
    }
    let missing = msgpol::compile_memory("policy.msgpol", &Default::default(), common::today());
    assert!(missing.is_err(), "no root file is an I/O error");
}
