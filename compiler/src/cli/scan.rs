//! `msgpol scan POLICY PATH… [--format human|json]`: run the policy's detectors over chat
//! text, exports and mail (see `dlp::input`), each read and scanned a window at a time, and
//! report each finding by file, line and column as it is found. Exit 0: nothing found; 1: findings; 2: the policy has errors, or a path cannot be
//! read or parsed (the other paths are still scanned).

use super::{Session, EXIT_OK, EXIT_POLICY, EXIT_USAGE};
use msgpol::diagnostics::{quote, Code, Diagnostic};
use msgpol::dlp::engine::Scanner;
use msgpol::dlp::{input, stream};
use serde::ser::{SerializeSeq, Serializer};
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
    line: u64,
    column: u64,
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

/// Scan one file (or standard input), giving each finding to `report` as it is found.
fn scan_file(
    path: &Path,
    name: &str,
    scanner: &Scanner,
    report: impl FnMut(stream::Finding),
) -> Result<(), String> {
    let io = |e: std::io::Error| msgpol::diagnostics::describe_io(&e);
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(io)?)
    };
    let mut source = input::Source::new(reader, stream::WINDOW);
    let format = input::detect(name, source.head(input::HEAD).map_err(io)?);
    input::scan(source, format, scanner, stream::WINDOW, report).map_err(|e| match e {
        input::Error::Io(e) => io(e),
        input::Error::Invalid(why) => format!("{} {why}", format.name()),
    })
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
    let mut found_any = false;
    let mut scan_all = |report: &mut dyn FnMut(&str, &stream::Finding) -> bool| {
        // A closed pipe (`| head`) just ends the output.
        let mut out_open = true;
        for path in &walk.files {
            let name = path.display().to_string();
            let scanned = scan_file(path, &name, &scanner, |f| {
                found_any = true;
                out_open = out_open && report(&name, &f);
            });
            if let Err(why) = scanned {
                problems.push(unreadable(&name, &why));
            }
        }
    };
    // Findings are written as they are found, through one buffer; JSON output is one array,
    // written an element at a time.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ScanFormat::Human => scan_all(&mut |name, f| {
            let (class, detector) = scanner.detector(f.detector);
            writeln!(
                out,
                "{name}:{}:{}: {class}/{detector} ({} confidence)",
                f.line,
                f.column,
                msgpol::dlp::confidence_name(f.confidence)
            )
            .is_ok()
        }),
        ScanFormat::Json => {
            let mut json = serde_json::Serializer::pretty(&mut out);
            let mut array = json.serialize_seq(None).expect("an array starts");
            scan_all(&mut |path, f| {
                let (class, detector) = scanner.detector(f.detector);
                let finding = Finding {
                    path,
                    line: f.line,
                    column: f.column,
                    class,
                    detector,
                    confidence: f.confidence,
                };
                array.serialize_element(&finding).is_ok()
            });
            let _ = SerializeSeq::end(array);
            let _ = writeln!(out);
        }
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
