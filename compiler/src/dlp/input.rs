//! What `msgpol scan` reads: plain text, Slack export JSON, WhatsApp `.txt` exports and mbox.
//! Each becomes a `Document`: the text the scanner searches, and a way back from an offset in
//! that text to the line and column of the original file.
//!
//! - plain text: searched as it is; a file that starts with a UTF-16 byte-order mark (Windows
//!   exports) is decoded to UTF-8 first (lines and columns count characters, so they are the
//!   same in either encoding);
//! - WhatsApp: the `date, time - sender:` prefix of each message is blanked out (same length,
//!   so offsets stay those of the file), so a phone number in a sender's name is not a finding;
//! - mbox: header lines are blanked out except `Subject:`; bodies are searched as written
//!   (quoted-printable and base64 bodies are not decoded);
//! - Slack export: the `text` of each message (the objects of the top-level array), decoded
//!   from JSON, one message after another; findings point into the JSON file.

use regex_automata::meta::Regex;
use std::sync::OnceLock;

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

/// A message's text in the scanned buffer, and where its JSON string starts in the file.
struct Segment {
    start: usize,
    raw: usize,
}

pub struct Document {
    /// What the scanner searches.
    pub text: Vec<u8>,
    /// The file as read, when `text` is not the file itself (blanked or decoded).
    raw: Option<Vec<u8>>,
    /// Where each `text` offset comes from; `None`: the same offset in the file.
    segments: Option<Vec<Segment>>,
}

/// Turns offsets of the scanned text, in increasing order, into lines and columns of the
/// file, counting line breaks and characters only between one offset and the next (a 20 MB
/// one-line export with a finding every few bytes is still read once).
pub struct Positions<'a> {
    doc: &'a Document,
    raw_offset: usize,
    line: usize,
    /// Characters between the start of the line and `raw_offset`.
    column: usize,
}

fn whatsapp_prefix() -> &'static Regex {
    static PREFIX: OnceLock<Regex> = OnceLock::new();
    PREFIX.get_or_init(|| {
        // `12/03/2024, 14:22 - Name: ` (Android) or `[12/03/2024, 14:22:05] Name: ` (iOS).
        Regex::new(
            r"^\x{200E}?\[?[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4},? [0-9]{1,2}[:.][0-9]{2}(?:[:.][0-9]{2})?(?:\s?[AaPp]\.?[Mm]\.?)?\]?(?: -)? (?:[^:\n]{1,100}: )?",
        )
        .expect("the WhatsApp prefix pattern is valid")
    })
}

/// The file's bytes as UTF-8: UTF-16 (little- or big-endian, with its byte-order mark)
/// decoded, anything else as it is.
pub fn utf8(raw: Vec<u8>) -> Vec<u8> {
    let decode = |little: bool| {
        let units: Vec<u16> = raw[2..]
            .chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if little {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16_lossy(&units).into_bytes()
    };
    match raw.get(..2) {
        Some([0xFF, 0xFE]) => decode(true),
        Some([0xFE, 0xFF]) => decode(false),
        _ => raw,
    }
}

/// The format of a file, from its name and its first bytes.
pub fn detect(name: &str, raw: &[u8]) -> Format {
    let lower = name.to_ascii_lowercase();
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    if lower.ends_with(".json") || raw[start..].starts_with(b"[") {
        Format::Slack
    } else if lower.ends_with(".mbox") || raw.starts_with(b"From ") {
        Format::Mbox
    } else if whatsapp_prefix().is_match(raw.split(|b| *b == b'\n').next().unwrap_or(b"")) {
        Format::WhatsApp
    } else {
        Format::Text
    }
}

impl Document {
    pub fn new(format: Format, raw: Vec<u8>) -> Result<Document, String> {
        Ok(match format {
            Format::Text => Document {
                text: raw,
                raw: None,
                segments: None,
            },
            Format::WhatsApp => Document {
                text: blank_whatsapp(&raw),
                raw: Some(raw),
                segments: None,
            },
            Format::Mbox => Document {
                text: blank_mbox_headers(&raw),
                raw: Some(raw),
                segments: None,
            },
            Format::Slack => {
                let (text, segments) = slack_messages(&raw)?;
                Document {
                    text,
                    raw: Some(raw),
                    segments: Some(segments),
                }
            }
        })
    }

    fn raw(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(&self.text)
    }

    pub fn positions(&self) -> Positions<'_> {
        Positions {
            doc: self,
            raw_offset: 0,
            line: 1,
            column: 0,
        }
    }
}

impl Positions<'_> {
    /// 1-based line and column (in characters) in the file of an offset in the text.
    pub fn at(&mut self, offset: usize) -> (usize, usize) {
        let raw = self.doc.raw();
        let target = match &self.doc.segments {
            None => offset,
            Some(segments) => {
                let i = segments.partition_point(|s| s.start <= offset) - 1;
                raw_offset(raw, segments[i].raw, offset - segments[i].start)
            }
        };
        if target < self.raw_offset {
            // Out of order: count again from the start.
            (self.raw_offset, self.line, self.column) = (0, 1, 0);
        }
        let between = &raw[self.raw_offset..target];
        let on_this_line = match memchr::memrchr(b'\n', between) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', between).count();
                self.column = 0;
                &between[last + 1..]
            }
            None => between,
        };
        self.column += on_this_line.iter().filter(|b| (**b & 0xC0) != 0x80).count();
        self.raw_offset = target;
        (self.line, self.column + 1)
    }
}

fn blank(text: &mut [u8]) {
    for b in text {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn blank_whatsapp(raw: &[u8]) -> Vec<u8> {
    let mut text = raw.to_vec();
    let mut start = 0;
    while start < text.len() {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i);
        if let Some(m) = whatsapp_prefix().find(&text[start..end]) {
            blank(&mut text[start..start + m.end()]);
        }
        start = end + 1;
    }
    text
}

fn blank_mbox_headers(raw: &[u8]) -> Vec<u8> {
    let mut text = raw.to_vec();
    let mut in_headers = false;
    let mut keep_header = false;
    let mut previous_blank = true;
    let mut start = 0;
    while start < text.len() {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        let is_blank = line.iter().all(|b| b.is_ascii_whitespace());
        if previous_blank && line.starts_with(b"From ") {
            in_headers = true;
            keep_header = false;
            blank(&mut text[start..end]);
        } else if in_headers && is_blank {
            in_headers = false;
        } else if in_headers {
            let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
            if !continuation {
                keep_header = line.len() >= 8 && line[..8].eq_ignore_ascii_case(b"subject:");
            }
            if !keep_header {
                blank(&mut text[start..end]);
            } else if !continuation {
                blank(&mut text[start..start + 8]);
            }
        }
        previous_blank = is_blank;
        start = end + 1;
    }
    text
}

/// The decoded `text` of every message of a Slack export file (a JSON array of message
/// objects), each followed by a line break, and where each starts in the file.
fn slack_messages(raw: &[u8]) -> Result<(Vec<u8>, Vec<Segment>), String> {
    serde_json::from_slice::<serde::de::IgnoredAny>(raw)
        .map_err(|e| format!("not valid JSON: {e}"))?;
    let mut text = Vec::new();
    let mut segments = Vec::new();
    // Containers open: true for an object. A message's fields sit at depth 2 ([ { … } ]).
    let mut stack: Vec<bool> = Vec::new();
    let mut expecting_key = false;
    let mut last_key_is_text = false;
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'{' => {
                stack.push(true);
                expecting_key = true;
            }
            b'[' => {
                stack.push(false);
                expecting_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => expecting_key = stack.last() == Some(&true),
            b':' => expecting_key = false,
            b'"' => {
                let end = string_end(raw, i + 1);
                let in_message = stack == [false, true];
                if expecting_key {
                    last_key_is_text = in_message && &raw[i + 1..end] == b"text";
                } else if last_key_is_text && in_message {
                    segments.push(Segment {
                        start: text.len(),
                        raw: i + 1,
                    });
                    decode_json_string(&raw[i + 1..end], &mut text);
                    text.push(b'\n');
                    last_key_is_text = false;
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    Ok((text, segments))
}

/// The offset of the closing quote of a JSON string whose contents start at `from`.
fn string_end(raw: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < raw.len() && raw[i] != b'"' {
        i += if raw[i] == b'\\' { 2 } else { 1 };
    }
    i.min(raw.len())
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

/// The file offset of the `decoded`-th decoded byte of the JSON string starting at `from`.
fn raw_offset(raw: &[u8], from: usize, decoded: usize) -> usize {
    let mut i = from;
    let mut seen = 0;
    loop {
        // Up to the next escape or the closing quote, one byte of the file is one decoded byte.
        let run = memchr::memchr2(b'"', b'\\', &raw[i..]).unwrap_or(raw.len() - i);
        if decoded - seen < run {
            return i + (decoded - seen);
        }
        seen += run;
        i += run;
        if i == raw.len() || raw[i] == b'"' {
            return i;
        }
        let escape = json_escape(raw, i);
        if seen + escape.decoded_len > decoded {
            return i;
        }
        seen += escape.decoded_len;
        i += escape.raw_len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_positions_point_into_the_json_file() {
        let raw = b"[\n {\"user\": \"U1\", \"text\": \"caf\\u00e9 \\\"x\\\" SECRET\"},\n {\"text\": \"a\\nb\", \"blocks\": [{\"text\": \"inner\"}]}\n]\n".to_vec();
        let doc = Document::new(Format::Slack, raw).unwrap();
        let text = String::from_utf8(doc.text.clone()).unwrap();
        assert_eq!(text, "caf\u{e9} \"x\" SECRET\na\nb\n");
        let secret = text.find("SECRET").unwrap();
        assert_eq!(doc.positions().at(secret), (2, 42));
        let b = text.rfind('b').unwrap();
        assert_eq!(doc.positions().at(b), (3, 15));
    }

    #[test]
    fn json_strings_decode_and_map_back_across_escapes() {
        let raw = br#"a\ud83d\ude00b\\c\u00e9d\"#;
        let mut text = Vec::new();
        decode_json_string(raw, &mut text);
        assert_eq!(text, "a\u{1F600}b\\c\u{e9}d\\".as_bytes());
        // Decoded offset → file offset: a character's bytes all map to where its escape starts.
        let file: Vec<usize> = (0..text.len()).map(|d| raw_offset(raw, 0, d)).collect();
        assert_eq!(file, [0, 1, 1, 1, 1, 13, 14, 16, 17, 17, 23, 24]);
    }

    #[test]
    fn positions_count_lines_forward_and_again_when_out_of_order() {
        let doc = Document::new(Format::Text, "a\nbø c\n\nd".as_bytes().to_vec()).unwrap();
        let mut p = doc.positions();
        assert_eq!(p.at(0), (1, 1));
        assert_eq!(p.at(6), (2, 4));
        assert_eq!(p.at(9), (4, 1));
        assert_eq!(p.at(2), (2, 1));
    }

    #[test]
    fn columns_carry_on_along_a_line() {
        let doc = Document::new(Format::Text, "øø a øb\nc d".as_bytes().to_vec()).unwrap();
        let mut p = doc.positions();
        assert_eq!(p.at(5), (1, 4));
        assert_eq!(p.at(9), (1, 7));
        assert_eq!(p.at(9), (1, 7));
        assert_eq!(p.at(13), (2, 3));
        assert_eq!(p.at(14), (2, 4));
    }

    #[test]
    fn whatsapp_prefixes_are_blanked_in_place() {
        let raw = b"12/03/2024, 14:22 - +47 912 34 567: card 4111\ncontinued\n".to_vec();
        assert_eq!(detect("chat.txt", &raw), Format::WhatsApp);
        let doc = Document::new(Format::WhatsApp, raw).unwrap();
        let text = String::from_utf8(doc.text.clone()).unwrap();
        assert!(text.starts_with("                                    card 4111\ncontinued"));
        assert_eq!(doc.positions().at(text.find("card").unwrap()), (1, 37));
    }

    #[test]
    fn mbox_keeps_subjects_and_bodies() {
        let raw = b"From a@b Mon Jan  1 00:00:00 2024\nFrom: x@y.example\nSubject: CONFIDENTIAL\nTo: z@y.example\n\nbody x@y.example\n".to_vec();
        assert_eq!(detect("mail", &raw), Format::Mbox);
        let doc = Document::new(Format::Mbox, raw).unwrap();
        let text = String::from_utf8(doc.text.clone()).unwrap();
        assert_eq!(text.matches("x@y.example").count(), 1);
        assert!(text.contains("CONFIDENTIAL"));
        assert!(!text.contains("Subject"));
    }

    #[test]
    fn utf16_is_decoded_and_utf8_kept() {
        assert_eq!(
            utf8(vec![0xFF, 0xFE, b'h', 0, 0xF8, 0]),
            "h\u{f8}".as_bytes()
        );
        assert_eq!(utf8(vec![0xFE, 0xFF, 0, b'h']), b"h");
        assert_eq!(utf8(b"plain".to_vec()), b"plain");
    }

    #[test]
    fn invalid_slack_json_is_an_error() {
        assert!(Document::new(Format::Slack, b"[{\"text\": ".to_vec()).is_err());
    }
}
