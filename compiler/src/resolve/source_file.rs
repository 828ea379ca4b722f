//! Reading a source file (the policy, an import, a feed): a regular file only, never a pipe,
//! device or socket (which could block msgpol forever or feed it without end), and never more
//! than `MAX_FILE_BYTES`, checked before reading and again while reading.

use crate::syntax::MAX_FILE_BYTES;
use std::fs::File;
use std::io;
use std::io::Read as _;
use std::path::Path;

/// What reading a regular file gave.
pub enum Read {
    Bytes(Vec<u8>),
    /// Larger than `MAX_FILE_BYTES`, so not read: its size in bytes.
    TooLarge(u64),
}

/// The bytes of the regular file at `path` (links followed).
pub fn read(path: &Path) -> io::Result<Read> {
    let not_regular = || io::Error::other("it is not a regular file (a pipe, device or socket)");
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = open(path)?;
    // The file may have been replaced since: ask the opened file itself.
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    let limit = MAX_FILE_BYTES as u64;
    if metadata.len() > limit {
        return Ok(Read::TooLarge(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        // It grew while being read.
        return Ok(Read::TooLarge(bytes.len() as u64));
    }
    Ok(Read::Bytes(bytes))
}

/// What reading bytes held in memory gives: the same limit as for a file.
pub fn in_memory(bytes: &[u8]) -> Read {
    if bytes.len() > MAX_FILE_BYTES {
        Read::TooLarge(bytes.len() as u64)
    } else {
        Read::Bytes(bytes.to_vec())
    }
}

/// Open without waiting: opening a pipe for reading blocks until a writer comes, unless it
/// is opened non-blocking (the check that it is a regular file follows).
#[cfg(unix)]
fn open(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> io::Result<File> {
    File::open(path)
}
