//! Writing a build: the targets stream their files straight into a temporary directory beside
//! the output (hashed as they are written, on as many threads as there are cores), then the
//! whole directory is renamed into place. Before that, each target's files are read back from
//! the disk and verified against the policy (`verify`). A failed build removes the temporary
//! directory and leaves an existing output directory exactly as it was.

use super::error::{not_an_output_dir, write_failed, EmitError};
use super::verify::{self, Oracle};
use super::{pretty_json, Contents, EmitWarning, OutputFile, Sink, Target};
use crate::ir::{date, Ir};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use time::Date;

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

/// How one target's files were checked against the policy after they were written.
#[derive(Serialize)]
struct Verification {
    target: String,
    /// Names and addresses its files were asked about, or the detectors' examples and
    /// non-examples.
    probes: usize,
    /// Answers that equal the policy's; the others are limits the target declares.
    agreed: usize,
}

#[derive(Serialize)]
struct Manifest {
    compiler: String,
    ir_format_version: u32,
    #[serde(with = "date::iso")]
    evaluation_date: Date,
    /// The first later day on which a build would write something else (the IR's
    /// `next_change`): when a pipeline should rebuild.
    #[serde(with = "date::iso::option")]
    next_change: Option<Date>,
    sources: Vec<SourceDigest>,
    outputs: Vec<OutputDigest>,
    verified: Vec<Verification>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file being written, with the hash and size of what went into it (behind a buffer, so
/// that both the file and the hash get large blocks).
struct HashingWriter {
    file: fs::File,
    hasher: Sha256,
    bytes: usize,
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.file.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written;
        Ok(written)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// One target's directory in the staging area; records every file it writes.
struct DiskSink<'a> {
    dir: PathBuf,
    target: &'a str,
    outputs: Vec<OutputDigest>,
}

impl Sink for DiskSink<'_> {
    fn file(&mut self, relative: &str, contents: &mut Contents<'_>) -> Result<(), EmitError> {
        let path = self.dir.join(relative);
        if STOPPING.load(Ordering::SeqCst) {
            return Err(write_failed(
                &path,
                &io::Error::other("the build is being stopped"),
            ));
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| write_failed(parent, &e))?;
        }
        let file = fs::File::create(&path).map_err(|e| write_failed(&path, &e))?;
        let mut out = BufWriter::with_capacity(
            1 << 18,
            HashingWriter {
                file,
                hasher: Sha256::new(),
                bytes: 0,
            },
        );
        contents(&mut out)
            .and_then(|()| Ok(out.flush()?))
            .map_err(|e| e.at(&path))?;
        let out = out.into_parts().0;
        self.outputs.push(OutputDigest {
            path: format!("{}/{relative}", self.target),
            target: self.target.to_string(),
            bytes: out.bytes,
            sha256: hex(&out.hasher.finalize()),
        });
        Ok(())
    }
}

/// What one target wrote and how it was verified, or why it failed.
type TargetResult = Result<(Vec<OutputDigest>, Vec<EmitWarning>, Option<Verification>), EmitError>;

/// Read back what `target` wrote into `dir` and check it against the policy, if the target
/// has a reader: of names and addresses, or of detectors' rules. `files` holds what the last
/// target verified on this thread: its buffers are read into again (a feed's files are tens
/// of megabytes each, and fresh memory has to be zeroed by the system first).
fn verify_written<'ir>(
    target: &dyn Target,
    dir: &Path,
    outputs: &[OutputDigest],
    files: &mut Vec<OutputFile>,
    (ir, oracle): (&'ir Ir, &dyn Fn() -> &'ir Oracle<'ir>),
) -> Result<Option<Verification>, EmitError> {
    let (reader, rules_reader) = (target.info().reader, target.info().rules_reader);
    if reader.is_none() && rules_reader.is_none() {
        return Ok(None);
    }
    let prefix = format!("{}/", target.name());
    files.truncate(outputs.len());
    files.resize_with(outputs.len(), || OutputFile {
        path: String::new(),
        contents: Vec::new(),
    });
    for (output, file) in outputs.iter().zip(files.iter_mut()) {
        let relative = output.path.strip_prefix(&prefix).unwrap_or(&output.path);
        let path = dir.join(relative);
        file.path = relative.to_string();
        file.contents.clear();
        fs::File::open(&path)
            .and_then(|mut f| {
                // A buffer of the file's size: grown by doubling, the largest file's would be
                // up to twice its size.
                let size = f.metadata()?.len() as usize;
                if file.contents.capacity() < size {
                    file.contents = Vec::with_capacity(size);
                }
                f.read_to_end(&mut file.contents)
            })
            .map_err(|e| super::error::write_failed(&path, &e))?;
    }
    let files = &files[..];
    let mut verification = Verification {
        target: target.name().to_string(),
        probes: 0,
        agreed: 0,
    };
    let verified = [
        reader.map(|r| verify::verify(target.name(), r, oracle(), files)),
        rules_reader.map(|r| verify::detectors::verify(target.name(), r, ir, files)),
    ];
    for v in verified.into_iter().flatten() {
        let v = v?;
        verification.probes += v.probes;
        verification.agreed += v.agreed;
    }
    Ok(Some(verification))
}

/// A target whose files are written, waiting for the oracle to verify them.
struct Written<'a> {
    place: usize,
    target: &'a dyn Target,
    sink: DiskSink<'a>,
    warnings: Vec<EmitWarning>,
}

/// Emit every target into `staging`, on up to one thread per core; results in target order.
/// The oracle (a feed's million names, numbered) is made by one thread while the others write
/// their targets: a target written before it is ready waits in a queue to be verified, and no
/// thread sits idle waiting for it while there is still a target to write.
fn emit_all(
    staging: &Path,
    ir: &Ir,
    targets: &[&'static dyn Target],
    progress: &(dyn Fn(&str) + Sync),
) -> Vec<TargetResult> {
    let made = OnceLock::new();
    let oracle = || made.get_or_init(|| Oracle::new(ir));
    let next = AtomicUsize::new(0);
    let waiting: Mutex<Vec<Written>> = Mutex::new(Vec::new());
    let results: Mutex<Vec<Option<TargetResult>>> =
        Mutex::new((0..targets.len()).map(|_| None).collect());
    let finish = |written: Written, files: &mut Vec<OutputFile>| {
        let Written {
            place,
            target,
            sink,
            warnings,
        } = written;
        let result = verify_written(target, &sink.dir, &sink.outputs, files, (ir, &oracle))
            .map(|verified| (sink.outputs, warnings, verified));
        results.lock().expect("no thread panics holding it")[place] = Some(result);
    };
    let enqueue = |written| {
        waiting
            .lock()
            .expect("no thread panics holding it")
            .push(written)
    };
    let dequeue = || waiting.lock().expect("no thread panics holding it").pop();
    let work = |makes_oracle: bool| {
        let mut files = Vec::new();
        if makes_oracle {
            oracle();
        }
        loop {
            if made.get().is_some() {
                if let Some(written) = dequeue() {
                    finish(written, &mut files);
                    continue;
                }
            }
            let place = next.fetch_add(1, Ordering::Relaxed);
            let Some(&target) = targets.get(place) else {
                // Nothing left to write: verify what waits (the oracle is being made, or is).
                match dequeue() {
                    Some(written) => {
                        finish(written, &mut files);
                        continue;
                    }
                    None => break,
                }
            };
            progress(target.name());
            let mut sink = DiskSink {
                dir: staging.join(target.name()),
                target: target.name(),
                outputs: Vec::new(),
            };
            match target.emit_to(ir, &mut sink) {
                Ok(warnings) => {
                    let written = Written {
                        place,
                        target,
                        sink,
                        warnings,
                    };
                    if target.info().reader.is_some() && made.get().is_none() {
                        enqueue(written);
                    } else {
                        finish(written, &mut files);
                    }
                }
                Err(e) => {
                    results.lock().expect("no thread panics holding it")[place] = Some(Err(e))
                }
            }
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(targets.len());
    // With one thread, the oracle is made when the first target is verified.
    let makes_oracle = threads > 1 && targets.iter().any(|t| t.info().reader.is_some());
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(|| work(false));
        }
        work(makes_oracle);
    });
    results
        .into_inner()
        .expect("no thread panics holding it")
        .into_iter()
        .map(|r| r.expect("every target ran"))
        .collect()
}

/// What `replaceable` reads of a manifest.json: enough to tell that msgpol wrote it.
#[derive(serde::Deserialize)]
struct WrittenManifest {
    compiler: String,
    outputs: Vec<WrittenOutput>,
}

#[derive(serde::Deserialize)]
struct WrittenOutput {
    path: String,
}

/// Whether a build may replace `out`: an empty directory, or one an earlier build wrote —
/// msgpol's own manifest.json, and nothing in it but that manifest and the files it lists.
/// Anything else (a web app's `public/` with a manifest of its own, an output someone added
/// a file to, a link) is left alone.
fn replaceable(out: &Path) -> bool {
    let is_dir = fs::symlink_metadata(out).is_ok_and(|m| m.is_dir());
    if !is_dir {
        return false;
    }
    let manifest = match fs::read(out.join("manifest.json")) {
        Ok(bytes) => serde_json::from_slice::<WrittenManifest>(&bytes).ok(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return fs::read_dir(out).is_ok_and(|mut d| d.next().is_none());
        }
        Err(_) => return false,
    };
    let Some(manifest) = manifest.filter(|m| m.compiler.starts_with("msgpol ")) else {
        return false;
    };
    let listed: std::collections::BTreeSet<&str> =
        manifest.outputs.iter().map(|o| o.path.as_str()).collect();
    // Every entry below `out`: directories are walked, files must be listed, nothing else.
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let Ok(entries) = fs::read_dir(out.join(&relative)) else {
            return false;
        };
        for entry in entries {
            let Ok(entry) = entry else {
                return false;
            };
            let path = relative.join(entry.file_name());
            let Ok(kind) = entry.file_type() else {
                return false;
            };
            let name = path.to_string_lossy().replace('\\', "/");
            if kind.is_dir() {
                stack.push(path);
            } else if !(kind.is_file()
                && (name == "manifest.json" || listed.contains(name.as_str())))
            {
                return false;
            }
        }
    }
    true
}

/// Temporary directories of builds under way, for `remove_unfinished`.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set once the process is stopping: no target creates another file or directory.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Remove the temporary directory of every build still under way: what a process stopped by
/// a signal calls (the command line's handler), so that it leaves nothing half-written.
pub fn remove_unfinished() {
    STOPPING.store(true, Ordering::SeqCst);
    let unfinished = UNFINISHED.lock().unwrap_or_else(|e| e.into_inner());
    for dir in unfinished.iter() {
        let _ = fs::remove_dir_all(dir);
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

/// What a build did: the targets' warnings, in target order, and whether `out` was written
/// (a build that must not have warnings writes nothing when it has some).
pub struct Built {
    pub warnings: Vec<EmitWarning>,
    pub written: bool,
}

/// Build `targets` from `ir` into `out` with its `manifest.json`. `progress` is told each
/// target's name as it starts. With `deny_warnings`, a target's warning leaves `out` as it
/// was, as an error would.
pub fn build(
    out: &Path,
    ir: &Ir,
    targets: &[&'static dyn Target],
    mut sources: Vec<SourceDigest>,
    progress: &(dyn Fn(&str) + Sync),
    deny_warnings: bool,
) -> Result<Built, EmitError> {
    if fs::symlink_metadata(out).is_ok() && !replaceable(out) {
        return Err(not_an_output_dir(out));
    }
    // `--out build/medium` in a fresh checkout: create `build/` (only the parent; the output
    // directory itself appears by rename).
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| write_failed(parent, &e))?;
    }
    let staging = sibling(out, "msgpol-new");
    let _ = fs::remove_dir_all(&staging);
    let unfinished = || UNFINISHED.lock().unwrap_or_else(|e| e.into_inner());
    unfinished().push(staging.clone());
    let result = fs::create_dir(&staging)
        .map_err(|e| write_failed(&staging, &e))
        .and_then(|_| {
            let mut outputs = Vec::new();
            let mut warnings = Vec::new();
            let mut verified = Vec::new();
            // The first failure in target order is reported, whichever thread met it first.
            for result in emit_all(&staging, ir, targets, progress) {
                let (written, warned, checked) = result?;
                outputs.extend(written);
                warnings.extend(warned);
                verified.extend(checked);
            }
            if deny_warnings && !warnings.is_empty() {
                let _ = fs::remove_dir_all(&staging);
                return Ok(Built {
                    warnings,
                    written: false,
                });
            }
            sources.sort_by(|a, b| a.file.cmp(&b.file));
            outputs.sort_by(|a, b| a.path.cmp(&b.path));
            let manifest = Manifest {
                compiler: format!("msgpol {}", env!("CARGO_PKG_VERSION")),
                ir_format_version: crate::ir::FORMAT_VERSION,
                evaluation_date: ir.evaluation_date,
                next_change: ir.next_change,
                sources,
                outputs,
                verified,
            };
            let path = staging.join("manifest.json");
            fs::write(&path, pretty_json(&manifest)).map_err(|e| write_failed(&path, &e))?;
            swap_into_place(&staging, out)?;
            Ok(Built {
                warnings,
                written: true,
            })
        });
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    unfinished().retain(|d| *d != staging);
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
