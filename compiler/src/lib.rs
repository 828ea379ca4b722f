//! msgpol: a compiler for organisational messaging-security policy.
//!
//! The pipeline, one module per stage (see docs/ARCHITECTURE.md):
//! `syntax` → `resolve` → `validate` → `ir` → `emit`.

pub mod diagnostics;
pub mod dlp;
pub mod emit;
pub mod ir;
pub mod normalize;
pub mod resolve;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod validate;
pub mod vocabulary;

use diagnostics::Diagnostic;
use source::SourceMap;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use time::Date;

/// Everything one run of the front end produced: the sources read, every diagnostic, and the
/// IR if the policy had no errors.
pub struct Compilation {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub ir: Option<ir::Ir>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Compile a policy file as far as its errors allow. `Err` means the file itself could not
/// be read (a usage or I/O problem, exit code 2).
pub fn compile(path: &Path, today: Date) -> Result<Compilation, Diagnostic> {
    let mut sources = SourceMap::default();
    let loaded = resolve::load(path, &mut sources)?;
    Ok(compile_loaded(sources, loaded, today))
}

/// Compile a policy held in memory, as `compile` does a file, without touching the file
/// system: `files` by root-relative path with `/` separators, the root file `root` among them
/// with every file it imports or names as a feed (see `resolve::load_memory`). `Err` means
/// `files` has no `root`.
pub fn compile_memory(
    root: &str,
    files: &BTreeMap<String, Vec<u8>>,
    today: Date,
) -> Result<Compilation, Diagnostic> {
    let mut sources = SourceMap::default();
    let loaded = resolve::load_memory(root, files, &mut sources)?;
    Ok(compile_loaded(sources, loaded, today))
}

/// The stages after loading: resolve, validate and, without errors, the IR.
fn compile_loaded(sources: SourceMap, loaded: resolve::Loaded, today: Date) -> Compilation {
    let mut diagnostics = loaded.errors;
    let root = source::FileId(0);
    // Later stages need a whole program: stop after the first stage that reports errors.
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Compilation {
            sources,
            diagnostics,
            ir: None,
        };
    }
    let (mut program, errors) = resolve::resolve(root, loaded.modules, loaded.feed_names, &sources);
    diagnostics.extend(errors);
    let mut ir = None;
    if let Some(program) = &mut program {
        diagnostics.extend(validate_every_state(program, &sources, today));
        if !diagnostics.iter().any(Diagnostic::is_error) {
            ir = Some(ir::build(program, &sources, today));
        }
    }
    // The resolved program (a feed makes it a million names) is freed here, before anything
    // is emitted: emission reuses its memory instead of asking the system for more.
    drop(program);
    sort_diagnostics(&mut diagnostics, &sources);
    Compilation {
        sources,
        diagnostics,
        ir,
    }
}

/// Validate the program as it stands on `today` and on each later day a channel changes tier
/// (the next `LATER_STATES_CHECKED`), so that a change announced for March is refused today if
/// it would break something. A
/// problem that only a later state has says from when. Leaves the program judged on `today`.
fn validate_every_state(
    program: &mut resolve::Program,
    sources: &SourceMap,
    today: Date,
) -> Vec<Diagnostic> {
    let mut states: Vec<(Date, Vec<Diagnostic>)> = Vec::new();
    let later = program.change_dates(today);
    let later = &later[..later.len().min(LATER_STATES_CHECKED)];
    for &date in std::iter::once(&today).chain(later) {
        program.set_date(date);
        let ctx = validate::Context {
            program,
            map: sources,
            today,
        };
        let found = validate::validate(&ctx).into_iter().map(Diagnostic::from);
        states.push((date, found.collect()));
    }
    program.set_date(today);
    if states.len() == 1 {
        // No dated change ahead: nothing to merge.
        return states.pop().map(|(_, found)| found).unwrap_or_default();
    }
    let by_state: Vec<HashSet<&Diagnostic>> = states
        .iter()
        .map(|(_, found)| found.iter().collect())
        .collect();
    // Each problem once, as first found (undated), and as reported.
    let mut seen: HashSet<&Diagnostic> = HashSet::new();
    let mut out = Vec::new();
    for (date, found) in &states {
        for diag in found {
            let every_day = || by_state.iter().all(|state| state.contains(diag));
            if seen.contains(diag)
                || (USELESS_ONLY_IF_EVERY_DAY.contains(&diag.code) && !every_day())
            {
                continue;
            }
            seen.insert(diag);
            let mut diag = diag.clone();
            if *date != today {
                diag.message = format!("{} (from {date})", diag.message);
            }
            out.push(diag);
        }
    }
    out
}

/// How many later states `check` validates besides the evaluation date's: a build validates
/// the state on its own evaluation date anyway, so a change further off is checked in time, and
/// a policy with thousands of dated lines stays quick to check.
const LATER_STATES_CHECKED: usize = 64;

/// Reports that a statement does nothing (an exception, a carve-out, an alternative): a
/// statement that acts on some day judged is not useless, so these stand only if every day
/// judged has them.
const USELESS_ONLY_IF_EVERY_DAY: [diagnostics::Code; 4] = [
    diagnostics::Code::E222,
    diagnostics::Code::W223,
    diagnostics::Code::W224,
    diagnostics::Code::W229,
];

/// Errors first, then by place, so every run prints them in the same order.
fn sort_diagnostics(diags: &mut [Diagnostic], map: &SourceMap) {
    diags.sort_by_cached_key(|d| {
        let place = d
            .primary_span()
            .map(|s| (map.get(s.file).name.clone(), s.start));
        (d.severity(), place, d.code, d.message.clone())
    });
}
