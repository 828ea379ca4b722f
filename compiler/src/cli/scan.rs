//! `msgpol scan POLICY PATH… [--format human|json]`: run the policy's detectors over chat
//! text, exports and mail (see `dlp::input`), and report each finding by file, line and
//! column. Exit 0: nothing found; 1: findings; 2: the policy has errors, or a path cannot be
//! read or parsed (the other paths are still scanned).

use super::{Session, EXIT_OK, EXIT_POLICY, EXIT_USAGE};
use msgpol::diagnostics::{quote, Code, Diagnostic};
use msgpol::dlp::input::{self, Document};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    Human,
    Json,
}

#[derive(clap::Args)]
pub struct ScanArgs {
    policy: PathBuf,
    /// Files, directories (scanned recursively, in name order) or `-` for standard input
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// How to print findings
    #[arg(long, value_enum, default_value = "human")]
    format: ScanFormat,
    /// Follow symbolic links found in directories (each directory is still scanned once)
    #[arg(long)]
    follow_links: bool,
}

#[derive(Serialize)]
struct Finding<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    class: &'a str,
    detector: &'a str,
    confidence: msgpol::ir::Confidence,
}

/// E313: a path to scan cannot be read, or is not in the format its name says.
fn unreadable(path: &str, why: &str) -> Diagnostic {
    Diagnostic::new(Code::E313, format!("cannot scan {}: {why}", quote(path)))
        .help("check the path; a `.json` file must be a Slack export (a JSON array of messages)")
}

/// A directory walk: the files below the paths given, sorted by path within each directory.
/// Inside a directory only regular files are read (a pipe there could wait for ever) and
/// symbolic links are skipped unless followed; a directory is never walked twice, so a link
/// to an ancestor cannot loop.
struct Walk {
    follow_links: bool,
    visited: std::collections::HashSet<PathBuf>,
    files: Vec<PathBuf>,
}

impl Walk {
    /// A path given on the command line: read whatever it is (a pipe from `<(…)` included).
    fn given(&mut self, path: &Path) -> std::io::Result<()> {
        if path.is_dir() {
            self.directory(path)
        } else {
            self.files.push(path.to_path_buf());
            Ok(())
        }
    }

    fn directory(&mut self, path: &Path) -> std::io::Result<()> {
        if !self.visited.insert(path.canonicalize()?) {
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for entry in entries {
            let link = std::fs::symlink_metadata(&entry)?.file_type().is_symlink();
            if link && !self.follow_links {
                continue;
            }
            // A dangling link is not a file to scan.
            let Ok(metadata) = std::fs::metadata(&entry) else {
                continue;
            };
            if metadata.is_dir() {
                self.directory(&entry)?;
            } else if metadata.is_file() {
                self.files.push(entry);
            }
        }
        Ok(())
    }
}

fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

pub fn run(session: &Session, args: &ScanArgs) -> i32 {
    let compilation = match msgpol::compile(&args.policy, session.today) {
        Ok(c) => c,
        Err(diag) => return session.fail(diag),
    };
    session.report(&compilation.diagnostics, &compilation.sources);
    let Some(ir) = compilation.ir.as_ref() else {
        return EXIT_USAGE;
    };
    let scanner = match msgpol::dlp::scanner(ir) {
        Ok(s) => s,
        // Validation keeps every policy's patterns within what the engine compiles (E236).
        Err(why) => {
            return session.fail(
                Diagnostic::new(
                    Code::E236,
                    format!("the detectors cannot be compiled: {why}"),
                )
                .help("lower the repeat bounds, or split what a pattern matches between simpler detectors"),
            )
        }
    };
    let mut problems = Vec::new();
    let mut walk = Walk {
        follow_links: args.follow_links,
        visited: Default::default(),
        files: Vec::new(),
    };
    for p in &args.paths {
        if let Err(e) = walk.given(p) {
            problems.push(unreadable(
                &p.display().to_string(),
                &msgpol::diagnostics::describe_io(&e),
            ));
        }
    }
    let paths = walk.files;
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    // Only JSON output keeps the findings, to print them at the end. Human output is written
    // as it is found, through one buffer; a closed pipe (`| head`) just ends the output.
    let mut findings = Vec::new();
    let mut found_any = false;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut out_open = true;
    for (path, name) in paths.iter().zip(&names) {
        let raw = match read(path) {
            Ok(raw) => input::utf8(raw),
            Err(e) => {
                problems.push(unreadable(name, &msgpol::diagnostics::describe_io(&e)));
                continue;
            }
        };
        let format = input::detect(name, &raw);
        let document = match Document::new(format, raw) {
            Ok(d) => d,
            Err(why) => {
                problems.push(unreadable(name, &format!("{} {why}", format.name())));
                continue;
            }
        };
        let hits = scanner.scan(&document.text);
        found_any |= !hits.is_empty();
        let mut positions = document.positions();
        for hit in hits {
            if args.format == ScanFormat::Human && !out_open {
                break;
            }
            let (line, column) = positions.at(hit.offset);
            let (class, detector) = scanner.detector(hit.detector);
            match args.format {
                ScanFormat::Human => {
                    out_open = writeln!(
                        out,
                        "{name}:{line}:{column}: {class}/{detector} ({} confidence)",
                        msgpol::dlp::confidence_name(hit.confidence)
                    )
                    .is_ok();
                }
                ScanFormat::Json => findings.push(Finding {
                    path: name,
                    line,
                    column,
                    class,
                    detector,
                    confidence: hit.confidence,
                }),
            }
        }
    }
    if args.format == ScanFormat::Json {
        let text = serde_json::to_string_pretty(&findings).expect("findings serialise");
        let _ = writeln!(out, "{text}");
    }
    let _ = out.flush();
    drop(out);
    let failed = !problems.is_empty();
    for problem in problems {
        session.fail(problem);
    }
    if failed {
        EXIT_USAGE
    } else if found_any {
        EXIT_POLICY
    } else {
        EXIT_OK
    }
}
