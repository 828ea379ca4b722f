//! What `msgpol scan` reads: plain text, Slack export JSON, WhatsApp `.txt` exports and mbox.
//! Each is read a chunk at a time and turned, piece by piece, into the text the scanner
//! searches (`dlp::stream`), each piece with where it comes from in the file, so findings are
//! reported at the original file's line and column; memory does not grow with the file.
//!
//! - plain text: searched as it is; a file that starts with a UTF-16 byte-order mark (Windows
//!   exports) is decoded to UTF-8 first (lines and columns count characters, so they are the
//!   same in either encoding);
//! - WhatsApp: the `date, time - sender:` prefix of each message is blanked out (same length,
//!   so offsets stay those of the file), so a phone number in a sender's name is not a finding;
//! - mbox: header lines are blanked out except `Subject:`; bodies are searched as written
//!   (quoted-printable and base64 bodies are not decoded);
//! - Slack export: the `text` of each message (the objects of the top-level array), decoded
//!   from JSON, one message after another; findings point into the JSON file. The file is
//!   parsed (and checked) by serde_json from memory, a chunk's whole messages at a time
//!   (`slack.rs`); one message is held whole, at most `slack::LONGEST_MESSAGE`.

pub mod lines;
pub mod slack;

use crate::dlp::engine::Scanner;
use crate::dlp::positions::Origin;
use crate::dlp::stream::{Finding, Stream};
use std::io::{self, Read};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Slack,
    WhatsApp,
    Mbox,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Slack => "slack",
            Format::WhatsApp => "whatsapp",
            Format::Mbox => "mbox",
        }
    }
}

/// Why a file could not be scanned to its end (the findings before that point are reported).
#[derive(Debug)]
pub enum Error {
    Io(io::Error),
    /// Not in its format: what is wrong, and where.
    Invalid(String),
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::Io(e)
    }
}

/// How much of a file's start `detect` looks at.
pub const HEAD: usize = lines::LONGEST_PIECE;

/// The format of a file, from its name and its first bytes (`HEAD` of them, or all).
pub fn detect(name: &str, head: &[u8]) -> Format {
    let lower = name.to_ascii_lowercase();
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    if lower.ends_with(".json") || head[start..].starts_with(b"[") {
        Format::Slack
    } else if lower.ends_with(".mbox") || head.starts_with(b"From ") {
        Format::Mbox
    } else if lines::is_whatsapp(head.split(|b| *b == b'\n').next().unwrap_or(b"")) {
        Format::WhatsApp
    } else {
        Format::Text
    }
}

/// How a file's bytes are decoded, from its first two.
#[derive(Clone, Copy)]
enum Encoding {
    Utf8,
    Utf16 { little: bool },
}

/// A file's bytes as UTF-8, read `chunk` bytes at a time: UTF-16 (little- or big-endian,
/// with its byte-order mark) decoded, anything else as it is.
pub struct Source<R> {
    inner: R,
    chunk: usize,
    /// `None` until two bytes are read.
    encoding: Option<Encoding>,
    /// Bytes read and not decoded yet: UTF-16 waits for a unit's second byte, and for the
    /// second half of a surrogate pair.
    undecoded: Vec<u8>,
    /// Decoded and not handed out yet.
    ready: Vec<u8>,
    ended: bool,
}

impl<R: Read> Source<R> {
    pub fn new(inner: R, chunk: usize) -> Source<R> {
        Source {
            inner,
            chunk: chunk.max(1),
            encoding: None,
            undecoded: Vec::new(),
            ready: Vec::new(),
            ended: false,
        }
    }

    /// The file's first `n` bytes (fewer if it is shorter); reading starts with them still.
    pub fn head(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.ready.len() < n && !self.ended {
            self.fill()?;
        }
        Ok(&self.ready[..n.min(self.ready.len())])
    }

    /// Append the next bytes to `out`; false at the end of the file.
    pub fn read(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        while self.ready.is_empty() {
            if self.ended {
                return Ok(false);
            }
            self.fill()?;
        }
        if out.is_empty() {
            std::mem::swap(out, &mut self.ready);
        } else {
            out.append(&mut self.ready);
        }
        Ok(true)
    }

    /// Read one chunk and decode what can be.
    fn fill(&mut self) -> io::Result<()> {
        let old = self.undecoded.len();
        self.undecoded.resize(old + self.chunk, 0);
        let read = loop {
            match self.inner.read(&mut self.undecoded[old..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let n = read.inspect_err(|_| self.undecoded.truncate(old))?;
        self.undecoded.truncate(old + n);
        self.ended = n == 0;
        self.decode();
        Ok(())
    }

    fn decode(&mut self) {
        let encoding = match self.encoding {
            Some(e) => e,
            None if self.undecoded.len() < 2 && !self.ended => return,
            None => {
                let e = match self.undecoded.get(..2) {
                    Some([0xFF, 0xFE]) => Encoding::Utf16 { little: true },
                    Some([0xFE, 0xFF]) => Encoding::Utf16 { little: false },
                    _ => Encoding::Utf8,
                };
                if let Encoding::Utf16 { .. } = e {
                    self.undecoded.drain(..2);
                }
                self.encoding = Some(e);
                e
            }
        };
        match encoding {
            Encoding::Utf8 if self.ready.is_empty() => {
                std::mem::swap(&mut self.ready, &mut self.undecoded)
            }
            Encoding::Utf8 => self.ready.append(&mut self.undecoded),
            Encoding::Utf16 { little } => {
                if self.ended && self.undecoded.len() % 2 == 1 {
                    // An odd last byte is a unit whose other byte is zero.
                    self.undecoded.push(0);
                }
                let unit = |pair: &[u8]| {
                    let pair = [pair[0], pair[1]];
                    if little {
                        u16::from_le_bytes(pair)
                    } else {
                        u16::from_be_bytes(pair)
                    }
                };
                let mut whole = self.undecoded.len() / 2 * 2;
                // A leading surrogate at the end may pair with the next chunk's first unit.
                if !self.ended
                    && whole >= 2
                    && (0xD800..0xDC00).contains(&unit(&self.undecoded[whole - 2..whole]))
                {
                    whole -= 2;
                }
                let units = self.undecoded[..whole].chunks_exact(2).map(unit);
                let mut bytes = [0; 4];
                for c in char::decode_utf16(units) {
                    let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
                    self.ready
                        .extend_from_slice(c.encode_utf8(&mut bytes).as_bytes());
                }
                self.undecoded.drain(..whole);
            }
        }
    }
}

/// Scan a file in `format`, a window of about `chunk` bytes at a time, giving each finding
/// to `emit` in order. An error ends the scan; the findings before it have been given.
pub fn scan<R: Read>(
    mut source: Source<R>,
    format: Format,
    scanner: &Scanner,
    chunk: usize,
    emit: impl FnMut(Finding),
) -> Result<(), Error> {
    let mut stream = Stream::new(scanner, chunk, emit);
    let read = match format {
        Format::Text => plain(&mut source, &mut stream).map_err(Error::Io),
        Format::WhatsApp => {
            lines::scan(&mut source, &mut lines::WhatsApp, &mut stream).map_err(Error::Io)
        }
        Format::Mbox => {
            lines::scan(&mut source, &mut lines::Mbox::default(), &mut stream).map_err(Error::Io)
        }
        Format::Slack => slack::scan(source, &mut stream),
    };
    // The text read before an error is scanned to its end: its findings are reported.
    stream.finish();
    read
}

/// Plain text, searched as it is read.
fn plain<R: Read, E: FnMut(Finding)>(
    source: &mut Source<R>,
    stream: &mut Stream<E>,
) -> io::Result<()> {
    let mut piece = Vec::new();
    while source.read(&mut piece)? {
        stream.push(&piece, Origin::Same);
        piece.clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UTF-8 a source hands out, read `chunk` bytes at a time.
    fn decoded(raw: &[u8], chunk: usize) -> Vec<u8> {
        let mut source = Source::new(raw, chunk);
        let mut out = Vec::new();
        while source.read(&mut out).unwrap() {}
        out
    }

    #[test]
    fn utf16_is_decoded_across_chunks_and_utf8_kept() {
        for chunk in [1, 2, 3, 64] {
            assert_eq!(
                decoded(&[0xFF, 0xFE, b'h', 0, 0xF8, 0], chunk),
                "h\u{f8}".as_bytes()
            );
            assert_eq!(decoded(&[0xFE, 0xFF, 0, b'h'], chunk), b"h");
            assert_eq!(decoded(b"plain", chunk), b"plain");
            // A surrogate pair split between reads, a lone one, an odd last byte.
            let pair = [
                0xFF, 0xFE, 0x3D, 0xD8, 0x00, 0xDE, b'a', 0, 0x3D, 0xD8, b'b',
            ];
            assert_eq!(decoded(&pair, chunk), "\u{1F600}a\u{FFFD}b".as_bytes());
        }
    }

    #[test]
    fn the_head_is_read_again() {
        let mut source = Source::new(&b"From a\nb"[..], 2);
        assert_eq!(source.head(5).unwrap(), b"From ");
        let mut out = Vec::new();
        while source.read(&mut out).unwrap() {}
        assert_eq!(out, b"From a\nb");
    }
}
