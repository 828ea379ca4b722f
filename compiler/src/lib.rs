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
use std::collections::BTreeMap;
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
    let (program, errors) = resolve::resolve(root, loaded.modules, loaded.feed_names, &sources);
    diagnostics.extend(errors);
    let mut ir = None;
    if let Some(program) = &program {
        let ctx = validate::Context {
            program,
            map: &sources,
            today,
        };
        diagnostics.extend(validate::validate(&ctx).into_iter().map(Diagnostic::from));
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

/// Errors first, then by place, so every run prints them in the same order.
fn sort_diagnostics(diags: &mut [Diagnostic], map: &SourceMap) {
    diags.sort_by_cached_key(|d| {
        let place = d
            .primary_span()
            .map(|s| (map.get(s.file).name.clone(), s.start));
        (d.severity(), place, d.code, d.message.clone())
    });
}
