//! The formats read line by line, with parts of some lines blanked out (spaces, same length,
//! so offsets stay the file's): WhatsApp exports and mbox.
//!
//! A line reaches its format whole, or, when longer than `LONGEST_PIECE`, in pieces of that
//! size cut from its start, whatever the chunk size: what a format decides from a line's
//! start (a WhatsApp prefix, a mail header's name, whether the line is blank, for a header
//! line that ends the headers) it decides from its first piece.

use super::Source;
use crate::dlp::positions::Origin;
use crate::dlp::stream::{Finding, Stream};
use regex_automata::meta::Regex;
use std::io::{self, Read};
use std::sync::OnceLock;

/// The longest piece of a line a format sees at once.
pub const LONGEST_PIECE: usize = 64 * 1024;

/// What a format blanks out of a line.
pub trait Blank {
    /// A line's bytes without its line break, or a piece of them: `first` if the line starts
    /// here, `last` if it ends here.
    fn line(&mut self, line: &mut [u8], first: bool, last: bool);
}

fn blank(text: &mut [u8]) {
    for b in text {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// Read the file, blank each line as `format` says, and scan it.
pub fn scan<R: Read, E: FnMut(Finding)>(
    source: &mut Source<R>,
    format: &mut impl Blank,
    stream: &mut Stream<E>,
) -> io::Result<()> {
    // What is read and not yet scanned (the end of a line waits for the rest of it).
    let mut raw = Vec::new();
    let mut text = Vec::new();
    let mut first = true;
    loop {
        let more = source.read(&mut raw)?;
        text.clear();
        text.extend_from_slice(&raw);
        let mut done = 0;
        loop {
            let rest = &raw[done..];
            // The piece's length, whether the line ends with it, and the bytes it takes.
            let (len, last, taken) = match memchr::memchr(b'\n', rest) {
                Some(i) if i < LONGEST_PIECE => (i, true, i + 1),
                _ if rest.len() >= LONGEST_PIECE => (LONGEST_PIECE, false, LONGEST_PIECE),
                _ if !more && !rest.is_empty() => (rest.len(), true, rest.len()),
                _ => break,
            };
            format.line(&mut text[done..done + len], first, last);
            first = last;
            done += taken;
        }
        stream.push(&text[..done], Origin::Blanked(&raw[..done]));
        raw.drain(..done);
        if !more {
            return Ok(());
        }
    }
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

/// Whether a line starts as a WhatsApp message does.
pub fn is_whatsapp(line: &[u8]) -> bool {
    whatsapp_prefix().is_match(line)
}

/// A WhatsApp export: each message's `date, time - sender:` prefix is blanked out.
pub struct WhatsApp;

impl Blank for WhatsApp {
    fn line(&mut self, line: &mut [u8], first: bool, _last: bool) {
        if first {
            if let Some(m) = whatsapp_prefix().find(&*line) {
                blank(&mut line[..m.end()]);
            }
        }
    }
}

/// An mbox file: header lines are blanked out, except `Subject:` (the name blanked, the
/// subject kept).
pub struct Mbox {
    in_headers: bool,
    keep_header: bool,
    previous_blank: bool,
    /// Of the line being read: whether it is blanked, and blank so far.
    blanking: bool,
    blank_so_far: bool,
}

impl Default for Mbox {
    fn default() -> Self {
        Mbox {
            in_headers: false,
            keep_header: false,
            previous_blank: true,
            blanking: false,
            blank_so_far: true,
        }
    }
}

impl Blank for Mbox {
    fn line(&mut self, line: &mut [u8], first: bool, last: bool) {
        let is_blank = line.iter().all(|b| b.is_ascii_whitespace());
        if first {
            self.blanking = false;
            if self.previous_blank && line.starts_with(b"From ") {
                self.in_headers = true;
                self.keep_header = false;
                self.blanking = true;
            } else if self.in_headers && is_blank {
                self.in_headers = false;
            } else if self.in_headers {
                let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
                if !continuation {
                    self.keep_header =
                        line.len() >= 8 && line[..8].eq_ignore_ascii_case(b"subject:");
                }
                if !self.keep_header {
                    self.blanking = true;
                } else if !continuation {
                    blank(&mut line[..8]);
                }
            }
            self.blank_so_far = is_blank;
        } else {
            self.blank_so_far &= is_blank;
        }
        if self.blanking {
            blank(line);
        }
        if last {
            self.previous_blank = self.blank_so_far;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text a format makes of `raw`.
    fn blanked(format: &mut impl Blank, raw: &[u8]) -> String {
        let mut text = raw.to_vec();
        let mut start = 0;
        for line in raw.split(|b| *b == b'\n') {
            format.line(&mut text[start..start + line.len()], true, true);
            start += line.len() + 1;
        }
        String::from_utf8(text).unwrap()
    }

    #[test]
    fn whatsapp_prefixes_are_blanked_in_place() {
        let raw = b"12/03/2024, 14:22 - +47 912 34 567: card 4111\ncontinued\n";
        assert!(is_whatsapp(raw));
        let text = blanked(&mut WhatsApp, raw);
        assert!(text.starts_with("                                    card 4111\ncontinued"));
    }

    #[test]
    fn mbox_keeps_subjects_and_bodies() {
        let raw = b"From a@b Mon Jan  1 00:00:00 2024\nFrom: x@y.example\nSubject: CONFIDENTIAL\nTo: z@y.example\n\nbody x@y.example\n";
        let text = blanked(&mut Mbox::default(), raw);
        assert_eq!(text.matches("x@y.example").count(), 1);
        assert!(text.contains("CONFIDENTIAL"));
        assert!(!text.contains("Subject"));
    }
}
