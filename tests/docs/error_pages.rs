//! `docs/errors/<CODE>.md` and the index of `docs/errors/README.md`, generated from the code
//! table (`msgpol::diagnostics::Code`) and each code's explanation.
//!
//! An explanation is Markdown: `# title`, then `## What it means`, `## Example` and
//! `## How to fix`. In the example, a fence whose info string names a file
//! (```` ```msgpol policy.msgpol ````) is written to a fresh directory, and a ```` ```sh ````
//! fence holds the commands run there (without one: `msgpol check` of the first file). The
//! page shows the commands with what they print, run with the `msgpol` under test, so no page
//! can show a message msgpol no longer prints.

use msgpol::diagnostics::{Code, Severity};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Diagnostics on the pages are drawn this wide (the snapshots' width).
const COLUMNS: &str = "100";

/// One generated file: its path under `docs/errors` and its text.
pub struct Page {
    pub name: String,
    pub text: String,
}

/// Every page and the index; `readme` is the current `docs/errors/README.md`, whose text up to
/// its code table is written by hand and kept.
pub fn generate(readme: &str) -> Vec<Page> {
    let explained: Vec<(Code, Explanation)> = Code::ALL
        .iter()
        .map(|&code| (code, Explanation::parse(code)))
        .collect();
    let mut pages: Vec<Page> = std::thread::scope(|scope| {
        let workers: Vec<_> = explained
            .iter()
            .map(|(code, explanation)| scope.spawn(move || page(*code, explanation)))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    pages.push(Page {
        name: "README.md".into(),
        text: index(readme, &explained),
    });
    pages
}

/// An explanation split into its fixed sections.
struct Explanation {
    title: String,
    meaning: String,
    example: String,
    fix: String,
}

impl Explanation {
    const SECTIONS: [&'static str; 3] = ["What it means", "Example", "How to fix"];

    fn parse(code: Code) -> Explanation {
        let source = code.explanation_path();
        let (title, rest) = code
            .explanation()
            .strip_prefix("# ")
            .and_then(|text| text.split_once('\n'))
            .unwrap_or_else(|| panic!("{source} must start with `# TITLE`"));
        let mut parts = rest.split("\n## ");
        assert!(
            parts.next().is_some_and(|before| before.trim().is_empty()),
            "{source}: text between the title and `## {}`",
            Self::SECTIONS[0]
        );
        let sections: Vec<(&str, &str)> = parts
            .map(|part| part.split_once('\n').unwrap_or((part, "")))
            .collect();
        let headings: Vec<&str> = sections.iter().map(|(heading, _)| *heading).collect();
        assert_eq!(headings, Self::SECTIONS, "{source}: the sections");
        let body = |i: usize| sections[i].1.trim().to_string();
        Explanation {
            title: title.trim().to_string(),
            meaning: body(0),
            example: body(1),
            fix: body(2),
        }
    }
}

/// What an example fence holds.
enum Fence {
    File { language: String, path: String },
    Commands,
}

/// The example section with its files captioned and its commands replaced by a transcript of
/// running them; checks that the last command reports `code` and exits with its exit code.
fn run_example(code: Code, example: &str) -> String {
    let source = code.explanation_path();
    let dir = tempfile::tempdir().unwrap();
    let mut out = String::new();
    let mut lines = example.lines();
    let mut first_file = None;
    let mut ran = false;
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        match fence(info, source) {
            Fence::File { language, path } => {
                let file = dir.path().join(&path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, body.join("\n") + "\n").unwrap();
                out.push_str(&format!("`{path}`:\n\n```{language}\n"));
                for line in &body {
                    out.push_str(line);
                    out.push('\n');
                }
                out.push_str("```\n");
                first_file.get_or_insert(path);
            }
            Fence::Commands => {
                assert!(!ran, "{source}: one `sh` fence per example");
                out.push_str(&transcript(code, dir.path(), &body));
                ran = true;
            }
        }
    }
    if !ran {
        let file = first_file.unwrap_or_else(|| panic!("{source}: the example has no file"));
        let command = format!("msgpol check {file}");
        out.push('\n');
        out.push_str(&transcript(code, dir.path(), &[command.as_str()]));
    }
    out.trim_end().to_string()
}

fn fence(info: &str, source: &str) -> Fence {
    match info.split_once(' ') {
        None if info == "sh" => Fence::Commands,
        Some((language, file)) if is_relative(file) => Fence::File {
            language: language.to_string(),
            path: file.to_string(),
        },
        _ => panic!(
            "{source}: an example fence is a file (```LANGUAGE RELATIVE-PATH) or commands (```sh), not ```{info}"
        ),
    }
}

fn is_relative(file: &str) -> bool {
    let path = Path::new(file);
    path.is_relative()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Run each command with `sh` in `dir`, as a terminal would show it: `$ command`, then its
/// output. Every command but the last must succeed; the last must report `code`.
fn transcript(code: Code, dir: &Path, commands: &[&str]) -> String {
    let source = code.explanation_path();
    let msgpol = PathBuf::from(env!("CARGO_BIN_EXE_msgpol"));
    let search_path = std::env::join_paths(
        std::iter::once(msgpol.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let epoch = super::common::today()
        .midnight()
        .assume_utc()
        .unix_timestamp();
    let mut out = String::from("```console\n");
    for (i, command) in commands.iter().enumerate() {
        let output = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(dir)
            .env("PATH", &search_path)
            // Dates are judged as of the tests' day unless the command says `--today`.
            .env("SOURCE_DATE_EPOCH", epoch.to_string())
            .env("COLUMNS", COLUMNS)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for place in [dir.to_path_buf(), dir.canonicalize().unwrap()] {
            assert!(
                !printed.contains(place.to_str().unwrap()),
                "{source}: `{command}` prints the example's directory:\n{printed}"
            );
        }
        let last = i + 1 == commands.len();
        if last {
            assert!(
                printed.contains(code.as_str()),
                "{source}: `{command}` does not report {code}:\n{printed}"
            );
            let others: Vec<&str> = Code::ALL
                .iter()
                .map(|c| c.as_str())
                .filter(|c| *c != code.as_str() && printed.contains(c))
                .collect();
            assert!(
                others.is_empty(),
                "{source}: `{command}` also reports {others:?}:\n{printed}"
            );
            assert_eq!(
                output.status.code(),
                Some(code.exit_code()),
                "{source}: `{command}` exits with {:?}, not {code}'s exit code:\n{printed}",
                output.status.code()
            );
        } else {
            assert!(
                output.status.success(),
                "{source}: `{command}` fails:\n{printed}"
            );
        }
        out.push_str(&format!("$ {command}\n"));
        // Without the spaces that pad the snippets' empty lines, which only clutter a page.
        for line in printed.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.push_str("```\n");
    out
}

fn page(code: Code, explanation: &Explanation) -> Page {
    let text = format!(
        "<!-- Generated from {source} by tests/docs.rs: edit that file, then run `MSGPOL_WRITE_DOCS=1 cargo test --test docs`. -->\n\
         # {code}: {title}\n\n\
         **Stage:** {stage} · **Severity:** {severity} · **Exit code:** {exit}\n\n\
         ## What it means\n\n{meaning}\n\n\
         ## Example\n\n{example}\n\n\
         ## How to fix\n\n{fix}\n",
        source = code.explanation_path(),
        severity = severity_name(code),
        title = explanation.title,
        stage = code.stage().name(),
        exit = code.exit_code(),
        meaning = explanation.meaning,
        example = run_example(code, &explanation.example),
        fix = explanation.fix,
    );
    Page {
        name: format!("{code}.md"),
        text,
    }
}

/// The README's hand-written part, then a table of every code.
fn index(readme: &str, explained: &[(Code, Explanation)]) -> String {
    const TABLE: &str = "## All codes\n";
    let intro = &readme[..readme
        .find(TABLE)
        .expect("docs/errors/README.md has an `## All codes` section")];
    let mut out = format!(
        "{intro}{TABLE}\n<!-- Generated by tests/docs.rs from the code table, compiler/src/diagnostics/code.rs. -->\n\n\
         | code | severity | stage | meaning | page |\n|---|---|---|---|---|\n"
    );
    for (code, explanation) in explained {
        out.push_str(&format!(
            "| {code} | {severity} | {stage} | {summary} | [{title}]({code}.md) |\n",
            severity = severity_name(*code),
            stage = code.stage().name(),
            summary = code.summary().replace('|', "\\|"),
            title = explanation.title.replace('|', "\\|"),
        ));
    }
    out
}

fn severity_name(code: Code) -> &'static str {
    match code.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
