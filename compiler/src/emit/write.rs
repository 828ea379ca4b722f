//! Writing a build: each target is emitted and written straight into a temporary directory
//! beside the output (so only one target's files are in memory at a time), then the whole
//! directory is renamed into place. A failed build removes the temporary directory and leaves
//! an existing output directory exactly as it was.

use super::error::{not_an_output_dir, write_failed, EmitError};
use super::Target;
use crate::ir::Ir;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
pub struct SourceDigest {
    pub file: String,
    pub sha256: String,
}

#[derive(Serialize)]
struct OutputDigest {
    path: String,
    target: String,
    bytes: usize,
    sha256: String,
}

#[derive(Serialize)]
struct Manifest {
    compiler: String,
    ir_format_version: u32,
    evaluation_date: String,
    sources: Vec<SourceDigest>,
    outputs: Vec<OutputDigest>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A sibling of `out` with a suffix, for the temporary and the replaced directory.
fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.{suffix}-{}", std::process::id()))
}

/// Build `targets` from `ir` into `out` with its `manifest.json`; the targets' warnings, in
/// target order. `progress` is told each target's name as it starts.
pub fn build(
    out: &Path,
    ir: &Ir,
    targets: &[&'static dyn Target],
    mut sources: Vec<SourceDigest>,
    mut progress: impl FnMut(&str),
) -> Result<Vec<String>, EmitError> {
    if out.exists() {
        let is_ours = out.is_dir()
            && (out.join("manifest.json").is_file()
                || fs::read_dir(out)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false));
        if !is_ours {
            return Err(not_an_output_dir(out));
        }
    }
    // `--out build/medium` in a fresh checkout: create `build/` (only the parent; the output
    // directory itself appears by rename).
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| write_failed(parent, &e))?;
    }
    let staging = sibling(out, "msgpol-new");
    let _ = fs::remove_dir_all(&staging);
    let result = fs::create_dir(&staging)
        .map_err(|e| write_failed(&staging, &e))
        .and_then(|_| {
            let mut outputs = Vec::new();
            let mut warnings = Vec::new();
            for target in targets {
                progress(target.name());
                let emitted = target.emit(ir)?;
                warnings.extend(emitted.warnings);
                for file in emitted.files {
                    let path = staging.join(target.name()).join(&file.path);
                    if let Some(parent) = path.parent() {
                        fs::create_dir_all(parent).map_err(|e| write_failed(parent, &e))?;
                    }
                    fs::write(&path, &file.contents).map_err(|e| write_failed(&path, &e))?;
                    outputs.push(OutputDigest {
                        path: format!("{}/{}", target.name(), file.path),
                        target: target.name().to_string(),
                        bytes: file.contents.len(),
                        sha256: sha256_hex(&file.contents),
                    });
                }
            }
            sources.sort_by(|a, b| a.file.cmp(&b.file));
            outputs.sort_by(|a, b| a.path.cmp(&b.path));
            let manifest = Manifest {
                compiler: format!("msgpol {}", env!("CARGO_PKG_VERSION")),
                ir_format_version: crate::ir::FORMAT_VERSION,
                evaluation_date: ir.evaluation_date.clone(),
                sources,
                outputs,
            };
            let mut json = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
            json.push(b'\n');
            let path = staging.join("manifest.json");
            fs::write(&path, json).map_err(|e| write_failed(&path, &e))?;
            swap_into_place(&staging, out)?;
            Ok(warnings)
        });
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn swap_into_place(staging: &Path, out: &Path) -> Result<(), EmitError> {
    if !out.exists() {
        return fs::rename(staging, out).map_err(|e| write_failed(out, &e));
    }
    let old = sibling(out, "msgpol-old");
    let _ = fs::remove_dir_all(&old);
    fs::rename(out, &old).map_err(|e| write_failed(out, &e))?;
    if let Err(e) = fs::rename(staging, out) {
        // Put the previous build back before reporting.
        let _ = fs::rename(&old, out);
        return Err(write_failed(out, &e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}
