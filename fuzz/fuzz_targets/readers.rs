//! Raw bytes as the files of a target, read back by its reader of names, addresses and programs
//! (`emit/verify/readers/`) or of DLP rules, and asked every probe of
//! `tests/fixtures/ok/all-declarations.msgpol` and its detectors' examples: an error (E319) or
//! an answer, never a panic or a hang. The first line names the target (another first line
//! chooses one by its first byte); the rest is split into its files at each line `--8<--`, in
//! the order the target declares them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msgpol::emit::verify::{self, Oracle};
use msgpol::emit::{OutputFile, Target};
use msgpol::ir::Ir;
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn ir() -> &'static Ir {
    static IR: OnceLock<Ir> = OnceLock::new();
    IR.get_or_init(|| {
        let files = BTreeMap::from([
            (
                msgpol_fuzz::ROOT.to_string(),
                include_bytes!("../../tests/fixtures/ok/all-declarations.msgpol").to_vec(),
            ),
            (
                "support/partners.msgpol".to_string(),
                include_bytes!("../../tests/fixtures/ok/support/partners.msgpol").to_vec(),
            ),
        ]);
        msgpol_fuzz::check(&files).ir.expect("the fixture compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(&selector) = data.first() else {
        return;
    };
    let (first, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let readable: Vec<&dyn Target> = msgpol_fuzz::readable_targets();
    let target = readable
        .iter()
        .copied()
        .find(|t| t.name().as_bytes() == first)
        .unwrap_or(readable[usize::from(selector) % readable.len()]);
    let files: Vec<OutputFile> = target
        .info()
        .outputs
        .iter()
        .zip(msgpol_fuzz::split_files(rest))
        .map(|(path, contents)| OutputFile {
            path: path.to_string(),
            contents: contents.to_vec(),
        })
        .collect();
    let ir = ir();
    if let Some(reader) = target.info().reader {
        let oracle = Oracle::new(ir);
        let _ = verify::verify(target.name(), reader, &oracle, &files);
    }
    if let Some(reader) = target.info().rules_reader {
        let _ = verify::detectors::verify(target.name(), reader, ir, &files);
    }
});
