//! Slack export JSON: a top-level array of message objects, whose `text` strings are
//! scanned, each decoded and followed by a line break.
//!
//! The file is read a chunk at a time into a buffer, where a scan of its strings and brackets
//! (`Skeleton`, `memchr` over string contents) finds the last comma between two of the array's
//! elements. serde_json parses the buffer up to that comma from memory, which is several times
//! faster than from a reader (it skips strings a word at a time instead of reading a byte at a
//! time), and each `text` value is borrowed where it is written, so its place in the file is
//! known. What follows the comma, a message not complete yet, waits for the next chunk behind
//! `[0,`, which puts serde_json back where it stopped: inside the array, after a comma. The
//! file is thus checked as one parse of it would check it; serde_json's errors are moved to the
//! file's line and column. Memory holds a chunk and one message, at most `LONGEST_MESSAGE`.

use super::{Error, Source};
use crate::dlp::positions::{Origin, Place};
use crate::dlp::stream::{Finding, Stream};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::io::Read;

/// The most bytes of one element of the array (with the space and comma before it) held at
/// once. Slack caps a message's text at 40,000 characters; a file with a longer element, or
/// a long JSON file that is not an array, is reported as not an export (E313).
pub const LONGEST_MESSAGE: usize = 16 << 20;

/// What serde_json reads before the rest of the buffer: a stand-in for the messages parsed.
const RESUME: &[u8] = b"[0,";

/// The file's strings and brackets, followed from chunk to chunk.
#[derive(Default)]
struct Skeleton {
    /// Whether the file's first value is an array (`None` before its first byte).
    array: Option<bool>,
    depth: i64,
    in_string: bool,
    /// After a backslash in a string.
    escaped: bool,
}

impl Skeleton {
    /// Follow `bytes`, the next ones of the file: the offset in them of the last comma between
    /// two elements of the top-level array.
    fn last_comma(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut comma = None;
        let mut i = 0;
        while i < bytes.len() {
            if self.escaped {
                self.escaped = false;
                i += 1;
            } else if self.in_string {
                let Some(special) = memchr::memchr2(b'"', b'\\', &bytes[i..]) else {
                    break;
                };
                i += special;
                self.in_string = bytes[i] == b'\\';
                self.escaped = self.in_string;
                i += 1;
            } else {
                let byte = bytes[i];
                match byte {
                    b'"' => self.in_string = true,
                    b'[' | b'{' => self.depth += 1,
                    b']' | b'}' => self.depth -= 1,
                    b',' if self.depth == 1 && self.array == Some(true) => comma = Some(i),
                    _ => {}
                }
                if self.array.is_none() && !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                    self.array = Some(byte == b'[');
                }
                i += 1;
            }
        }
        comma
    }
}

/// Where a byte of the file is: its place, and its column in bytes, which serde_json's errors
/// count.
#[derive(Clone, Copy)]
struct At {
    place: Place,
    byte_column: u64,
}

/// The buffer as serde_json parses it, and the way from its bytes to their places in the file.
struct Sink<'a, 's, E: FnMut(Finding)> {
    json: &'a [u8],
    /// `place` is that of `json[counted]`.
    counted: usize,
    place: Place,
    stream: &'a mut Stream<'s, E>,
    text: &'a mut Vec<u8>,
}

impl<E: FnMut(Finding)> Sink<'_, '_, E> {
    /// The value of a message's `text` key, as written in `json`.
    fn text(&mut self, value: &RawValue) {
        let start = value.get().as_ptr() as usize - self.json.as_ptr() as usize;
        let written = &self.json[start..start + value.get().len()];
        // Another kind of value is not scanned.
        let [b'"', raw @ .., b'"'] = written else {
            return;
        };
        self.place.advance(&self.json[self.counted..=start]);
        self.counted = start + 1;
        self.text.clear();
        decode_json_string(raw, self.text);
        self.text.push(b'\n');
        let place = self.place;
        self.stream.push(self.text, Origin::Json { raw, place });
    }
}

/// The top-level value, or an element of the top-level array (a message).
struct Value<'v, 'a, 's, E: FnMut(Finding)> {
    sink: &'v mut Sink<'a, 's, E>,
    message: bool,
}

impl<'de, E: FnMut(Finding)> DeserializeSeed<'de> for Value<'_, '_, '_, E> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, E: FnMut(Finding)> Visitor<'de> for Value<'_, '_, '_, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.message {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
        } else {
            let sink = self.sink;
            while seq
                .next_element_seed(Value {
                    sink: &mut *sink,
                    message: true,
                })?
                .is_some()
            {}
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let sink = self.sink;
        while let Some(is_text) = map.next_key_seed(IsText)? {
            if is_text && self.message {
                sink.text(map.next_value::<&RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    // Anything else is valid, and not scanned.
    fn visit_bool<X: de::Error>(self, _: bool) -> Result<(), X> {
        Ok(())
    }
    fn visit_i64<X: de::Error>(self, _: i64) -> Result<(), X> {
        Ok(())
    }
    fn visit_u64<X: de::Error>(self, _: u64) -> Result<(), X> {
        Ok(())
    }
    fn visit_f64<X: de::Error>(self, _: f64) -> Result<(), X> {
        Ok(())
    }
    fn visit_str<X: de::Error>(self, _: &str) -> Result<(), X> {
        Ok(())
    }
    fn visit_unit<X: de::Error>(self) -> Result<(), X> {
        Ok(())
    }
}

/// Whether an object's key is `text`.
struct IsText;

impl<'de> DeserializeSeed<'de> for IsText {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for IsText {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<X: de::Error>(self, key: &str) -> Result<bool, X> {
        Ok(key == "text")
    }
}

/// Parse `json`, the file from `at` after `skip` bytes standing in for what came before, and
/// scan its messages' texts: the whole rest of the file if `last`, else up to a comma between
/// two messages (where serde_json, asking for the next one, finds the end of `json`). Returns
/// where `json` ends.
fn parse<E: FnMut(Finding)>(
    json: &[u8],
    skip: usize,
    at: At,
    last: bool,
    stream: &mut Stream<E>,
    text: &mut Vec<u8>,
) -> Result<At, Error> {
    let mut sink = Sink {
        json,
        counted: skip,
        place: at.place,
        stream,
        text,
    };
    let mut parser = serde_json::Deserializer::from_slice(json);
    let parsed = parser
        .deserialize_any(Value {
            sink: &mut sink,
            message: false,
        })
        .and_then(|()| parser.end());
    match parsed {
        Err(e) if last || !e.is_eof() => return Err(invalid(&e, skip, at)),
        _ => {}
    }
    let mut place = sink.place;
    place.advance(&json[sink.counted..]);
    let byte_column = match memchr::memrchr(b'\n', &json[skip..]) {
        Some(i) => (json.len() - skip - i - 1) as u64,
        None => at.byte_column + (json.len() - skip) as u64,
    };
    Ok(At { place, byte_column })
}

/// serde_json's error in a buffer whose byte `skip` is at `at`, with the file's line and column.
fn invalid(e: &serde_json::Error, skip: usize, at: At) -> Error {
    let what = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let what = what.strip_suffix(&suffix).unwrap_or(&what);
    let (line, column) = match e.line() as u64 {
        1 => (at.place.line, at.byte_column + (e.column() - skip) as u64),
        line => (at.place.line + line - 1, e.column() as u64),
    };
    Error::Invalid(format!(
        "not valid JSON: {what} at line {line} column {column}"
    ))
}

/// Read the export a chunk at a time, parse it a run of whole messages at a time, and scan
/// each message's text.
pub fn scan<R: Read, E: FnMut(Finding)>(
    mut source: Source<R>,
    stream: &mut Stream<E>,
) -> Result<(), Error> {
    let mut skeleton = Skeleton::default();
    // What is read and not parsed yet, after `skip` bytes of stand-in; the skeleton has seen
    // its first `followed` bytes.
    let mut buf = Vec::new();
    let (mut skip, mut followed) = (0, 0);
    let mut at = At {
        place: Place::START,
        byte_column: 0,
    };
    let mut text = Vec::new();
    loop {
        let more = source.read(&mut buf)?;
        let comma = skeleton.last_comma(&buf[followed..]).map(|c| followed + c);
        followed = buf.len();
        if !more {
            parse(&buf, skip, at, true, stream, &mut text)?;
            return Ok(());
        }
        if let Some(comma) = comma {
            at = parse(&buf[..=comma], skip, at, false, stream, &mut text)?;
            // A comma between elements has `[` and an element before it: room for `[0,`.
            buf.drain(..comma + 1 - RESUME.len());
            buf[..RESUME.len()].copy_from_slice(RESUME);
            (skip, followed) = (RESUME.len(), buf.len());
        } else if buf.len() - skip > LONGEST_MESSAGE {
            // An error in it is the one to report; else, the message is too long to hold.
            parse(&buf, skip, at, false, stream, &mut text)?;
            let blank = buf[skip..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            let mut start = at.place;
            start.advance(&buf[skip..skip + blank]);
            let (line, column) = start.reported();
            return Err(Error::Invalid(format!(
                "an element longer than {} MB at line {line} column {column}: messages are read whole",
                LONGEST_MESSAGE >> 20
            )));
        }
    }
}

/// What one escape of a JSON string decodes to: at most four bytes (one UTF-8 character),
/// kept inline because there is one per escape of every message.
struct Escape {
    bytes: [u8; 4],
    decoded_len: usize,
    /// How many bytes of the file the escape takes (`\n`: 2, `\u00e9`: 6, a pair: 12).
    raw_len: usize,
}

impl Escape {
    fn byte(b: u8, raw_len: usize) -> Escape {
        Escape {
            bytes: [b, 0, 0, 0],
            decoded_len: 1,
            raw_len,
        }
    }

    fn char(c: char, raw_len: usize) -> Escape {
        let mut bytes = [0; 4];
        let decoded_len = c.encode_utf8(&mut bytes).len();
        Escape {
            bytes,
            decoded_len,
            raw_len,
        }
    }

    fn decoded(&self) -> &[u8] {
        &self.bytes[..self.decoded_len]
    }
}

/// The escape at `raw[i]` (a backslash); a backslash that ends the input stands for itself.
fn json_escape(raw: &[u8], i: usize) -> Escape {
    let Some(&kind) = raw.get(i + 1) else {
        return Escape::byte(b'\\', 1);
    };
    let simple = match kind {
        b'n' => b'\n',
        b't' => b'\t',
        b'r' => b'\r',
        b'b' => 0x08,
        b'f' => 0x0C,
        b'u' => {
            let unit = |at: usize| {
                raw.get(at..at + 4)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
            };
            let Some(first) = unit(i + 2) else {
                return Escape::byte(b'?', 2);
            };
            // A surrogate pair is two escapes for one character.
            if (0xD800..0xDC00).contains(&first) && raw.get(i + 6..i + 8) == Some(b"\\u") {
                if let Some(second) = unit(i + 8).filter(|s| (0xDC00..0xE000).contains(s)) {
                    let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return Escape::char(char::from_u32(c).unwrap_or('\u{FFFD}'), 12);
                }
            }
            return Escape::char(char::from_u32(first).unwrap_or('\u{FFFD}'), 6);
        }
        other => other,
    };
    Escape::byte(simple, 2)
}

/// Decode a JSON string's contents into `out`: runs without a backslash are copied as they are.
fn decode_json_string(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(run) = memchr::memchr(b'\\', &raw[i..]) {
        out.extend_from_slice(&raw[i..i + run]);
        let escape = json_escape(raw, i + run);
        out.extend_from_slice(escape.decoded());
        i += run + escape.raw_len;
    }
    out.extend_from_slice(&raw[i..]);
}

/// Where the `target`-th decoded byte of a JSON string's contents `raw` is written, going on
/// from `i` bytes of `raw` that decode to `seen` bytes: the offset in `raw` and the decoded
/// bytes before it (a byte of an escape's decoding is where the escape starts).
pub fn raw_offset(raw: &[u8], mut i: usize, mut seen: usize, target: usize) -> (usize, usize) {
    loop {
        // Up to the next escape, one byte of the file is one decoded byte.
        let run = memchr::memchr(b'\\', &raw[i..]).unwrap_or(raw.len() - i);
        if target - seen < run {
            return (i + (target - seen), target);
        }
        seen += run;
        i += run;
        if i == raw.len() {
            return (i, seen);
        }
        let escape = json_escape(raw, i);
        if seen + escape.decoded_len > target {
            return (i, seen);
        }
        seen += escape.decoded_len;
        i = (i + escape.raw_len).min(raw.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_decode_and_map_back_across_escapes() {
        let raw = br#"a\ud83d\ude00b\\c\u00e9d\"#;
        let mut text = Vec::new();
        decode_json_string(raw, &mut text);
        assert_eq!(text, "a\u{1F600}b\\c\u{e9}d\\".as_bytes());
        // Decoded offset → file offset: a character's bytes all map to where its escape starts,
        // whether counted from the start or on from the previous offset.
        let file: Vec<usize> = (0..text.len())
            .map(|d| raw_offset(raw, 0, 0, d).0)
            .collect();
        assert_eq!(file, [0, 1, 1, 1, 1, 13, 14, 16, 17, 17, 23, 24]);
        let mut at = (0, 0);
        for (d, expected) in file.iter().enumerate() {
            at = raw_offset(raw, at.0, at.1, d);
            assert_eq!(at.0, *expected);
        }
    }
}
