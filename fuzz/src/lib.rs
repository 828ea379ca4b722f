//! What the fuzz targets share: compiling a policy held in memory, building every target from
//! its IR in memory and reading each target's files back as every build does.

use msgpol::diagnostics::{render, ErrorFormat};
use msgpol::emit::verify::{self, Oracle};
use msgpol::ir::Ir;
pub mod structured;

use std::collections::BTreeMap;
use time::{Date, Month};

/// The name of the compiled file among the files in memory.
pub const ROOT: &str = "policy.msgpol";

/// The evaluation date of every run, as in the tests.
pub fn today() -> Date {
    Date::from_calendar_date(2026, Month::November, 23).expect("a valid date")
}

/// Compile `files` (the root file `ROOT` among them) and render every diagnostic, as
/// `msgpol check` would print it.
pub fn check(files: &BTreeMap<String, Vec<u8>>) -> msgpol::Compilation {
    let compilation = msgpol::compile_memory(ROOT, files, today()).expect("the root is given");
    let text = render(
        &compilation.diagnostics,
        &compilation.sources,
        ErrorFormat::Plain,
        100,
        false,
    );
    std::hint::black_box(text);
    compilation
}

/// The files of a policy of one file.
pub fn one_file(policy: &[u8]) -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([(ROOT.to_string(), policy.to_vec())])
}

/// Build every target from `ir` in memory and read its files back with its readers, as every
/// build does: a target may refuse (an error) or disagree with the policy (E317–E321), but
/// must not panic.
pub fn build_and_verify(ir: &Ir) {
    let oracle = Oracle::new(ir);
    for target in msgpol::emit::all_targets() {
        build_and_verify_one(ir, *target, &oracle);
    }
}

/// Build `target` from `ir` in memory and read its files back with its readers, as
/// `build_and_verify` does for each target.
pub fn build_and_verify_one(ir: &Ir, target: &dyn msgpol::emit::Target, oracle: &Oracle) {
    let Ok(emitted) = target.emit(ir) else {
        return;
    };
    if let Some(reader) = target.info().reader {
        let _ = verify::verify(target.name(), reader, oracle, &emitted.files);
    }
    if let Some(reader) = target.info().rules_reader {
        let _ = verify::detectors::verify(target.name(), reader, ir, &emitted.files);
    }
}

/// The targets whose files every build reads back, in the registry's order.
pub fn readable_targets() -> Vec<&'static dyn msgpol::emit::Target> {
    msgpol::emit::all_targets()
        .iter()
        .copied()
        .filter(|t| t.info().reader.is_some() || t.info().rules_reader.is_some())
        .collect()
}

/// The line that separates one file from the next in the `readers` target's input.
pub const FILE_BREAK: &[u8] = b"\n--8<--\n";

/// `data` cut at every `FILE_BREAK`.
pub fn split_files(data: &[u8]) -> Vec<&[u8]> {
    let mut files = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(FILE_BREAK.len()).position(|w| w == FILE_BREAK) {
        files.push(&rest[..at]);
        rest = &rest[at + FILE_BREAK.len()..];
    }
    files.push(rest);
    files
}
