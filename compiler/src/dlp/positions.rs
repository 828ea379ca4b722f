//! From offsets in the scanned text back to lines and columns of the file. The text arrives
//! in pieces (`dlp::stream`), each saying where it comes from (`Origin`); offsets are asked
//! for in increasing order, and what lies before the last one asked is forgotten, so the
//! work is one count of every byte and the memory what the window holds.

use crate::dlp::input::slack;
use std::collections::VecDeque;

/// A line (from 1) and how many characters of it come before a point (UTF-8 lead bytes: a
/// column is the same in a UTF-16 file and in its UTF-8 decoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub line: u64,
    pub column: u64,
}

impl Default for Place {
    fn default() -> Self {
        Place::START
    }
}

impl Place {
    pub const START: Place = Place { line: 1, column: 0 };

    /// The place after `bytes` of the file, read from this one.
    pub fn advance(&mut self, bytes: &[u8]) {
        let on_this_line = match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
                self.column = 0;
                &bytes[last + 1..]
            }
            None => bytes,
        };
        self.column += on_this_line.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64;
    }

    /// As reported: line and column from 1.
    pub fn reported(self) -> (u64, u64) {
        (self.line, self.column + 1)
    }
}

/// Where a piece of the scanned text comes from.
pub enum Origin<'a> {
    /// The file's bytes as they are (or decoded from UTF-16): counted on the text itself.
    Same,
    /// The file's bytes, as many as the text's, some blanked out in the text (a WhatsApp
    /// prefix, mail headers): counted on these.
    Blanked(&'a [u8]),
    /// The contents of a JSON string, as written in the file from `place`; the text is their
    /// decoding.
    Json { raw: &'a [u8], place: Place },
}

/// A JSON string's contents and where the text decoded from them starts.
struct JsonString {
    start: u64,
    place: Place,
    raw: Vec<u8>,
}

enum Map {
    /// Nothing pushed yet.
    Empty,
    Same,
    /// The file's bytes from the window's first text byte.
    Blanked(Vec<u8>),
    /// The strings that text in the window comes from; the cursor is in the first one
    /// (`decoded` bytes of its text, `raw` bytes of the file in).
    Json {
        strings: VecDeque<JsonString>,
        decoded: usize,
        raw: usize,
    },
}

pub struct Positions {
    map: Map,
    /// The text offset the cursor is at, and that offset's place in the file.
    at: u64,
    place: Place,
}

impl Default for Positions {
    fn default() -> Self {
        Positions {
            map: Map::Empty,
            at: 0,
            place: Place::START,
        }
    }
}

impl Positions {
    /// `len` bytes of text from offset `start` came from `origin`.
    pub fn push(&mut self, start: u64, len: usize, origin: Origin) {
        match (&mut self.map, origin) {
            (Map::Empty, Origin::Same) => self.map = Map::Same,
            (Map::Empty, Origin::Blanked(raw)) => self.map = Map::Blanked(raw.to_vec()),
            (Map::Empty, Origin::Json { raw, place }) => {
                self.map = Map::Json {
                    strings: VecDeque::from([JsonString {
                        start,
                        place,
                        raw: raw.to_vec(),
                    }]),
                    decoded: 0,
                    raw: 0,
                };
                self.place = place;
            }
            (Map::Same, Origin::Same) => {}
            (Map::Blanked(kept), Origin::Blanked(raw)) => kept.extend_from_slice(raw),
            (Map::Json { strings, .. }, Origin::Json { raw, place }) => {
                strings.push_back(JsonString {
                    start,
                    place,
                    raw: raw.to_vec(),
                })
            }
            _ => unreachable!("a document's pieces all come from one kind of file"),
        }
        debug_assert!(!matches!(self.map, Map::Blanked(ref kept) if kept.len() < len));
    }

    /// The place in the file of text offset `offset`, at least the last one asked for;
    /// `text` is the window, which starts at offset `base`.
    pub fn at(&mut self, text: &[u8], base: u64, offset: u64) -> Place {
        debug_assert!(offset >= self.at);
        let between = (self.at - base) as usize..(offset - base) as usize;
        match &mut self.map {
            Map::Empty => {}
            Map::Same => self.place.advance(&text[between]),
            Map::Blanked(raw) => self.place.advance(&raw[between]),
            Map::Json {
                strings,
                decoded,
                raw,
            } => {
                // Move to the string the offset is in: each string has its own place.
                while strings.len() > 1 && strings[1].start <= offset {
                    strings.pop_front();
                    (*decoded, *raw) = (0, 0);
                    self.place = strings[0].place;
                }
                let s = &strings[0];
                let (to_raw, to_decoded) =
                    slack::raw_offset(&s.raw, *raw, *decoded, (offset - s.start) as usize);
                self.place.advance(&s.raw[*raw..to_raw]);
                (*raw, *decoded) = (to_raw, to_decoded);
            }
        }
        self.at = offset;
        self.place
    }

    /// The window loses its text before offset `to` (no offset before it will be asked for).
    pub fn forget(&mut self, text: &[u8], base: u64, to: u64) {
        if to > self.at {
            self.at(text, base, to);
        }
        if let Map::Blanked(raw) = &mut self.map {
            raw.drain(..(to - base) as usize);
        }
    }
}
