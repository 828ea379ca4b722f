//! `msgpol build FILE --out DIR [--target NAME…|all]`: compile, emit every target in memory,
//! then write DIR in one step (see emit::build).

use super::{Session, EXIT_POLICY};
use msgpol::diagnostics::Diagnostic;
use msgpol::emit::{self, SourceDigest, Target};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct BuildArgs {
    file: PathBuf,
    /// The output directory (replaced as a whole on success)
    #[arg(long, short)]
    out: PathBuf,
    /// Targets to build (repeatable, or `all`); default: those for the policy's size
    #[arg(long = "target", short = 't', value_name = "NAME")]
    targets: Vec<String>,
}

/// The exit code of a build stopped by SIGINT or SIGTERM, as shells report an interrupt.
const EXIT_INTERRUPTED: i32 = 130;

pub fn run(session: &Session, args: &BuildArgs) -> i32 {
    // Stopped while writing: leave no temporary directory beside the output.
    let _ = ctrlc::set_handler(|| {
        emit::write::remove_unfinished();
        std::process::exit(EXIT_INTERRUPTED);
    });
    let compilation = match msgpol::compile(&args.file, session.today) {
        Ok(c) => c,
        Err(diag) => return session.fail(diag),
    };
    session.report(&compilation.diagnostics, &compilation.sources);
    let code = session.exit_code(&compilation.diagnostics);
    let Some(ir) = compilation.ir.as_ref().filter(|_| code == super::EXIT_OK) else {
        return EXIT_POLICY;
    };
    let targets: Vec<&'static dyn Target> = if args.targets.is_empty() {
        emit::default_targets(ir.policy.size)
    } else if args.targets.iter().any(|t| t == "all") {
        emit::all_targets().to_vec()
    } else {
        let mut chosen = Vec::new();
        for name in &args.targets {
            match emit::find_target(name) {
                Ok(t) if !chosen.iter().any(|c: &&dyn Target| c.name() == t.name()) => {
                    chosen.push(t)
                }
                Ok(_) => {}
                Err(e) => return session.fail(e.into()),
            }
        }
        chosen
    };
    let sources = compilation
        .sources
        .files()
        .map(|(_, f)| SourceDigest {
            file: f.name.clone(),
            sha256: emit::write::sha256_hex(f.text.as_bytes()),
        })
        .collect();
    // Progress on a terminal only: pipelines get the summary alone.
    let terminal = std::io::stderr().is_terminal();
    let total = targets.len();
    let started = std::sync::atomic::AtomicUsize::new(0);
    let progress = |name: &str| {
        let done = started.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if terminal {
            eprint!("\rbuilding {name} ({done}/{total})…\x1b[K");
        }
    };
    // A banned channel that nothing stops is known before any file is written.
    let (notes, bypass_warnings) = emit::dns_bypass(ir);
    let refused = |warnings: Vec<Diagnostic>| {
        session.report(&warnings, &compilation.sources);
        eprintln!("nothing written: --deny-warnings refuses a build with warnings");
        EXIT_POLICY
    };
    let mut warnings: Vec<Diagnostic> = bypass_warnings.into_iter().map(Diagnostic::from).collect();
    if session.deny_warnings && !warnings.is_empty() {
        return refused(warnings);
    }
    let built = match emit::build(
        &args.out,
        ir,
        &targets,
        sources,
        &progress,
        session.deny_warnings,
    ) {
        Ok(built) => built,
        Err(e) => return session.fail(e.into()),
    };
    if terminal {
        eprint!("\r\x1b[K");
    }
    warnings.extend(built.warnings.into_iter().map(Diagnostic::from));
    if !built.written {
        return refused(warnings);
    }
    session.report(&warnings, &compilation.sources);
    if !session.format.for_programs() {
        for note in notes {
            eprintln!("note: {note}");
        }
    }
    eprintln!(
        "built {} into {}",
        targets
            .iter()
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(", "),
        args.out.display()
    );
    super::abandon(compilation);
    super::EXIT_OK
}
