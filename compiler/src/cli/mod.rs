//! Command-line interface: global options, the evaluation date, and rendering diagnostics.
//! Exit codes: 0 ok, 1 the policy has errors (or warnings with --deny-warnings), 2 usage or I/O.
//! The codes the command line reports are explained beside the module that reports them
//! (`cli/E301.md`, `cli/E305.md`, `explain/E306.md`, `scan/E313.md`).

mod build;
mod check;
mod completions;
mod explain;
mod scan;
mod targets;
mod verify;

use clap::{Parser, Subcommand};
use msgpol::diagnostics::{self, Code, Diagnostic, ErrorFormat};
use msgpol::ir::Medium;
use msgpol::source::SourceMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use time::Date;

pub const EXIT_OK: i32 = 0;
pub const EXIT_POLICY: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "msgpol",
    version,
    about = "Compile a messaging-security policy into deployable configs and staff guides"
)]
pub struct Cli {
    /// How to print diagnostics: human (graphical), plain (screen readers), json (pipelines), sarif (code scanning), github (Actions annotations)
    #[arg(long, global = true, value_enum, default_value = "human")]
    error_format: ErrorFormat,
    /// Treat warnings as errors (exit code 1)
    #[arg(long, global = true)]
    deny_warnings: bool,
    /// Judge the policy as of this day (YYYY-MM-DD): expiry and review dates, dated tier changes; default: SOURCE_DATE_EPOCH, else today
    #[arg(long, global = true, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check policies and report every problem
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compile a policy into deployable files under DIR
    Build(build::BuildArgs),
    /// List the targets: what each writes and enforces, and the sizes that build it by default
    Targets(targets::TargetsArgs),
    /// Show the decision for one class on one channel, with its reasons
    Explain {
        file: PathBuf,
        class: String,
        channel: String,
        /// The medium: text, voice, video, file or email (without it: one decision per medium
        /// where the channel's tier decides by medium)
        #[arg(long, value_parser = parse_medium)]
        medium: Option<Medium>,
        /// The group asking (exceptions apply to groups)
        #[arg(long)]
        who: Option<String>,
        /// Exit 1 unless every decision printed is this verdict (for CI: pin a decision)
        #[arg(long, value_enum)]
        expect: Option<Expected>,
    },
    /// Run the policy's DLP detectors over chat text, exports and mail; exit 1 if anything is found
    Scan(scan::ScanArgs),
    /// Read back the files of a build (or a deployed copy) and check them against the policy
    Verify(verify::VerifyArgs),
    /// Print the shell completion script for SHELL (bash, zsh, fish, powershell, elvish)
    Completions { shell: clap_complete::Shell },
    /// Write the manual pages (msgpol.1, and msgpol-COMMAND.1 for each command) into DIR
    Man {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// What every subcommand needs: the global options and a way to print diagnostics.
pub struct Session {
    pub format: ErrorFormat,
    pub deny_warnings: bool,
    pub today: Date,
}

impl Session {
    /// Print diagnostics to stderr with a summary line (the formats for programs: to stdout,
    /// alone).
    pub fn report(&self, diags: &[Diagnostic], map: &SourceMap) {
        if diags.is_empty() {
            return;
        }
        let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let width = terminal_width();
        let text = diagnostics::render(diags, map, self.format, width, colour);
        if self.format.for_programs() {
            print!("{text}");
        } else {
            eprint!("{text}");
            if let Some(summary) = diagnostics::summary(diags) {
                eprintln!("{summary}");
            }
        }
    }

    /// The exit code for a run that produced these diagnostics.
    pub fn exit_code(&self, diags: &[Diagnostic]) -> i32 {
        let failing = diags.iter().any(|d| d.is_error() || self.deny_warnings);
        if failing {
            EXIT_POLICY
        } else {
            EXIT_OK
        }
    }

    /// A usage or I/O problem: printed; its code's exit code (2).
    pub fn fail(&self, diag: Diagnostic) -> i32 {
        let exit = diag.code.exit_code();
        self.report(&[diag], &SourceMap::default());
        exit
    }
}

/// `explain --expect`: the verdict a decision must have.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Expected {
    Allow,
    Warn,
    Deny,
}

impl Expected {
    fn verdict(self) -> msgpol::ir::Verdict {
        match self {
            Expected::Allow => msgpol::ir::Verdict::Allow,
            Expected::Warn => msgpol::ir::Verdict::Warn,
            Expected::Deny => msgpol::ir::Verdict::Deny,
        }
    }
}

/// `--medium`: one of the words a policy's `media` statement takes.
fn parse_medium(word: &str) -> Result<Medium, String> {
    Medium::ALL
        .into_iter()
        .find(|m| m.as_str() == word)
        .ok_or_else(|| {
            let known: Vec<&str> = Medium::ALL.iter().map(|m| m.as_str()).collect();
            format!("a medium is one of: {}", known.join(", "))
        })
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// The evaluation date: --today, else SOURCE_DATE_EPOCH, else the system's date (UTC).
fn evaluation_date(flag: Option<&str>) -> Result<Date, Diagnostic> {
    let bad = |what: String| {
        Diagnostic::new(Code::E305, what)
            .help("write the date as YYYY-MM-DD, or SOURCE_DATE_EPOCH as whole seconds since 1970")
    };
    if let Some(text) = flag {
        return msgpol::vocabulary::date::parse(text)
            .ok_or_else(|| bad(format!("invalid --today {}", diagnostics::quote(text))));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch.trim().parse().map_err(|_| {
            bad(format!(
                "invalid SOURCE_DATE_EPOCH {}",
                diagnostics::quote(&epoch)
            ))
        })?;
        return time::OffsetDateTime::from_unix_timestamp(seconds)
            .map(|t| t.date())
            .map_err(|_| {
                bad(format!(
                    "SOURCE_DATE_EPOCH {} is out of range",
                    diagnostics::quote(&epoch)
                ))
            });
    }
    Ok(time::OffsetDateTime::now_utc().date())
}

/// Free a compilation on another thread: a policy with a million-name feed takes a tenth of
/// a second to free, which the process's exit (or the next file) need not wait for.
fn release(compilation: msgpol::Compilation) {
    std::thread::spawn(move || drop(compilation));
}

/// Leave a compilation to the operating system: the process exits next, and freeing a
/// million feed names one by one would only delay it.
fn abandon(compilation: msgpol::Compilation) {
    std::mem::forget(compilation);
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let mut session = Session {
        format: cli.error_format,
        deny_warnings: cli.deny_warnings,
        today: Date::MIN,
    };
    match evaluation_date(cli.today.as_deref()) {
        Ok(date) => session.today = date,
        Err(diag) => return session.fail(diag),
    }
    match cli.command {
        Command::Check { files } => check::run(&session, &files),
        Command::Build(args) => build::run(&session, &args),
        Command::Targets(args) => targets::run(&args),
        Command::Explain {
            file,
            class,
            channel,
            medium,
            who,
            expect,
        } => explain::run(
            &session,
            &file,
            &class,
            &channel,
            medium,
            who.as_deref(),
            expect.map(Expected::verdict),
        ),
        Command::Scan(args) => scan::run(&session, &args),
        Command::Verify(args) => verify::run(&session, &args),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { out } => completions::man(&session, &out),
    }
}
