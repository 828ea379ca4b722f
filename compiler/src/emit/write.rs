//! Writing a build: all files into a temporary directory beside the output, then one rename.
//! A failed build leaves an existing output directory exactly as it was.

use super::error::{not_an_output_dir, write_failed, EmitError};
use super::Emitted;
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
pub struct Manifest {
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

impl Manifest {
    pub fn new(
        evaluation_date: &str,
        mut sources: Vec<SourceDigest>,
        emitted: &[(&str, Emitted)],
    ) -> Manifest {
        sources.sort_by(|a, b| a.file.cmp(&b.file));
        let mut outputs: Vec<OutputDigest> = emitted
            .iter()
            .flat_map(|(target, e)| {
                e.files.iter().map(move |f| OutputDigest {
                    path: format!("{target}/{}", f.path),
                    target: target.to_string(),
                    bytes: f.contents.len(),
                    sha256: sha256_hex(&f.contents),
                })
            })
            .collect();
        outputs.sort_by(|a, b| a.path.cmp(&b.path));
        Manifest {
            compiler: format!("msgpol {}", env!("CARGO_PKG_VERSION")),
            ir_format_version: crate::ir::FORMAT_VERSION,
            evaluation_date: evaluation_date.to_string(),
            sources,
            outputs,
        }
    }
}

/// A sibling of `out` with a suffix, for the temporary and the replaced directory.
fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.{suffix}-{}", std::process::id()))
}

pub fn write_outputs(
    out: &Path,
    emitted: &[(&str, Emitted)],
    manifest: &Manifest,
) -> Result<(), EmitError> {
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
    let result = stage(&staging, emitted, manifest).and_then(|_| swap_into_place(&staging, out));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn stage(
    staging: &Path,
    emitted: &[(&str, Emitted)],
    manifest: &Manifest,
) -> Result<(), EmitError> {
    let _ = fs::remove_dir_all(staging);
    fs::create_dir(staging).map_err(|e| write_failed(staging, &e))?;
    for (target, e) in emitted {
        for file in &e.files {
            let path = staging.join(target).join(&file.path);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| write_failed(parent, &e))?;
            }
            fs::write(&path, &file.contents).map_err(|e| write_failed(&path, &e))?;
        }
    }
    let mut json = serde_json::to_vec_pretty(manifest).expect("the manifest serialises");
    json.push(b'\n');
    let path = staging.join("manifest.json");
    fs::write(&path, json).map_err(|e| write_failed(&path, &e))
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
