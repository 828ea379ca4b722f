//! `msgpol verify FILE DIR [--target NAME…]`: read back the files an earlier build wrote into
//! DIR (or that were deployed from it) and check them against the policy, as every build
//! does before it puts its output in place: a file changed since, by hand or by a tool, that
//! now blocks what the policy allows or lets through what it blocks, or a DLP rule that now
//! misses a detector's example or finds a non-example, is reported.

use super::{Session, EXIT_OK, EXIT_POLICY};
use msgpol::diagnostics::Diagnostic;
use msgpol::emit::verify::{self, Oracle};
use msgpol::emit::{self, OutputFile, Target};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct VerifyArgs {
    file: PathBuf,
    /// The output directory of a build (or a copy of it)
    dir: PathBuf,
    /// Targets to verify (repeatable); default: every target DIR holds that can be read back
    #[arg(long = "target", short = 't', value_name = "NAME")]
    targets: Vec<String>,
}

pub fn run(session: &Session, args: &VerifyArgs) -> i32 {
    let compilation = match msgpol::compile(&args.file, session.today) {
        Ok(c) => c,
        Err(diag) => return session.fail(diag),
    };
    session.report(&compilation.diagnostics, &compilation.sources);
    let Some(ir) = compilation.ir.as_ref() else {
        return EXIT_POLICY;
    };
    let targets: Vec<&'static dyn Target> = if args.targets.is_empty() {
        emit::all_targets()
            .iter()
            .copied()
            .filter(|t| {
                (t.info().reader.is_some() || t.info().rules_reader.is_some())
                    && args.dir.join(t.name()).is_dir()
            })
            .collect()
    } else {
        let mut chosen = Vec::new();
        for name in &args.targets {
            match emit::find_target(name) {
                Ok(t) => chosen.push(t),
                Err(e) => return session.fail(e.into()),
            }
        }
        chosen
    };
    let oracle = Oracle::new(ir);
    for target in targets {
        let (reader, rules_reader) = (target.info().reader, target.info().rules_reader);
        if reader.is_none() && rules_reader.is_none() {
            eprintln!(
                "not verified: {} (its files cannot be read back)",
                target.name()
            );
            continue;
        }
        let dir = args.dir.join(target.name());
        let mut files = Vec::new();
        for output in target.info().outputs {
            let path = dir.join(output);
            match std::fs::read(&path) {
                Ok(contents) => files.push(OutputFile {
                    path: output.to_string(),
                    contents,
                }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return session.fail(msgpol::diagnostics::io_error(&path, &e)),
            }
        }
        let results = [
            reader.map(|r| verify::verify(target.name(), r, &oracle, &files)),
            rules_reader.map(|r| verify::detectors::verify(target.name(), r, ir, &files)),
        ];
        for result in results.into_iter().flatten() {
            match result {
                Ok(verified) => eprintln!(
                    "verified {}: {} probes, {} as the policy says, the rest declared limits",
                    target.name(),
                    verified.probes,
                    verified.agreed
                ),
                Err(e) => return session.fail(Diagnostic::from(e)),
            }
        }
    }
    super::abandon(compilation);
    EXIT_OK
}
