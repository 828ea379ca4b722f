//! Slack export JSON: a top-level array of message objects, whose `text` strings are
//! scanned, each decoded and followed by a line break.
//!
//! serde_json parses the file as it is read (`deserialize_any` with a visitor that takes the
//! array's elements one by one, never collecting them), so a file that is not JSON is
//! reported as serde_json says, with its line and column. The reader under it counts lines
//! and columns, and keeps the bytes of each `text` value as written: a finding's column is
//! counted on those, escapes and all.

use super::{Error, Source};
use crate::dlp::positions::{Origin, Place};
use crate::dlp::stream::{Finding, Stream};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::{self, Read};

/// Between the visitor and the reader: the visitor asks for the bytes of a value; the
/// reader keeps them from its next byte on, and says where that byte is in the file.
#[derive(Default)]
struct Marker {
    state: Cell<Mark>,
    place: Cell<Place>,
    record: RefCell<Vec<u8>>,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Mark {
    #[default]
    Off,
    Asked,
    On,
}

/// The file as serde_json reads it (a byte at a time, through `io::Bytes`), counting lines
/// and columns, and keeping the bytes the `Marker` asks for.
struct Tracked<'m, R> {
    source: Source<R>,
    buf: Vec<u8>,
    pos: usize,
    /// `place` is that of `buf[counted]`.
    counted: usize,
    place: Place,
    marker: &'m Marker,
}

impl<R: Read> Tracked<'_, R> {
    fn count_to_pos(&mut self) {
        self.place.advance(&self.buf[self.counted..self.pos]);
        self.counted = self.pos;
    }
}

impl<R: Read> Read for Tracked<'_, R> {
    /// serde_json asks for one byte at a time: that case, outside a marked value, is kept
    /// small enough to be inlined into its loop.
    #[inline]
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.len() == 1 && self.pos < self.buf.len() && self.marker.state.get() == Mark::Off {
            out[0] = self.buf[self.pos];
            self.pos += 1;
            return Ok(1);
        }
        self.read_slowly(out)
    }
}

impl<R: Read> Tracked<'_, R> {
    #[inline(never)]
    fn read_slowly(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.marker.state.get() == Mark::Asked {
            self.count_to_pos();
            self.marker.place.set(self.place);
            self.marker.record.borrow_mut().clear();
            self.marker.state.set(Mark::On);
        }
        if self.pos == self.buf.len() {
            self.count_to_pos();
            self.buf.clear();
            (self.pos, self.counted) = (0, 0);
            if !self.source.read(&mut self.buf)? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        let bytes = &self.buf[self.pos..self.pos + n];
        if let [byte] = bytes {
            out[0] = *byte;
        } else {
            out[..n].copy_from_slice(bytes);
        }
        if self.marker.state.get() == Mark::On {
            let mut record = self.marker.record.borrow_mut();
            match bytes {
                [byte] => record.push(*byte),
                _ => record.extend_from_slice(bytes),
            }
        }
        self.pos += n;
        Ok(n)
    }
}

/// What the visitor does with a message's `text` value: it calls `start` before serde_json
/// reads the value and `end` after.
trait Texts {
    fn start(&mut self);
    fn end(&mut self);
}

struct Sink<'a, 's, E: FnMut(Finding)> {
    marker: &'a Marker,
    stream: &'a mut Stream<'s, E>,
    text: Vec<u8>,
}

impl<E: FnMut(Finding)> Texts for Sink<'_, '_, E> {
    fn start(&mut self) {
        self.marker.state.set(Mark::Asked);
    }

    fn end(&mut self) {
        self.marker.state.set(Mark::Off);
        let read = self.marker.record.borrow();
        // `: "…"`, or another kind of value, which is not scanned.
        let Some(quote) = read
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != b':')
        else {
            return;
        };
        if read[quote] != b'"' {
            return;
        }
        let raw = &read[quote + 1..read.len() - 1];
        let mut place = self.marker.place.get();
        place.advance(&read[..=quote]);
        self.text.clear();
        decode_json_string(raw, &mut self.text);
        self.text.push(b'\n');
        self.stream.push(&self.text, Origin::Json { raw, place });
    }
}

/// The top-level value, or an element of the top-level array (a message).
struct Value<'v> {
    texts: &'v mut dyn Texts,
    message: bool,
}

impl<'de> DeserializeSeed<'de> for Value<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Value<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.message {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
        } else {
            let texts = self.texts;
            while seq
                .next_element_seed(Value {
                    texts: &mut *texts,
                    message: true,
                })?
                .is_some()
            {}
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(is_text) = map.next_key_seed(IsText)? {
            if is_text && self.message {
                self.texts.start();
                map.next_value::<IgnoredAny>()?;
                self.texts.end();
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

/// Parse the export as it is read and scan each message's text.
pub fn scan<R: Read, E: FnMut(Finding)>(
    source: Source<R>,
    stream: &mut Stream<E>,
) -> Result<(), Error> {
    let marker = Marker::default();
    let reader = Tracked {
        source,
        buf: Vec::new(),
        pos: 0,
        counted: 0,
        place: Place::START,
        marker: &marker,
    };
    let mut sink = Sink {
        marker: &marker,
        stream,
        text: Vec::new(),
    };
    let mut json = serde_json::Deserializer::from_reader(reader);
    let parsed = json
        .deserialize_any(Value {
            texts: &mut sink,
            message: false,
        })
        .and_then(|()| json.end());
    parsed.map_err(|e| match e.is_io() {
        true => Error::Io(e.into()),
        false => Error::Invalid(format!("not valid JSON: {e}")),
    })
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
