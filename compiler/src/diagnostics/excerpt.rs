//! The part of a source file a snippet shows: whole lines around its labels, copied with every
//! control character (and every other character `source::is_unsafe_char` names) escaped
//! (`\u{1b}`), so that a terminal escape in a policy or a feed never
//! reaches an administrator's terminal, and with the file's line numbers kept. Only these
//! lines are copied and scanned, however large the file.

use crate::source::{is_unsafe_char, SourceFile};
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines shown around the labels (miette shows fewer; these are what it may ask for).
const CONTEXT: usize = 3;

#[derive(Debug)]
pub struct Excerpt {
    name: String,
    /// The lines, escaped.
    text: String,
    /// The 0-based number of its first line in the file.
    first_line: usize,
    /// Where the lines start in the file.
    start: usize,
    /// The file's text of those lines, as written.
    original: std::ops::Range<usize>,
}

impl Excerpt {
    /// The lines of `file` around the byte offsets `from..to`.
    pub fn of(file: &SourceFile, from: usize, to: usize) -> Excerpt {
        let text = file.text.as_str();
        let (first_line, _) = file.line_col(from);
        let (last_line, _) = file.line_col(to);
        let first = (first_line - 1).saturating_sub(CONTEXT);
        let start = file.line_start(first);
        let end = file.line_start(last_line + CONTEXT);
        Excerpt {
            name: file.name.clone(),
            text: escaped(&text[start..end], end - start),
            first_line: first,
            start,
            original: start..end,
        }
    }

    /// Where the file's byte `offset` is in the excerpt (`offset` lies within it).
    pub fn offset(&self, file: &SourceFile, offset: usize) -> usize {
        let offset = offset.clamp(self.original.start, self.original.end);
        escaped(&file.text[self.original.clone()], offset - self.start).len()
    }
}

/// The first `end` bytes of `text` with every character no terminal should be sent escaped
/// (`is_unsafe_char`) but a line break and a tab; a carriage return just before a line break
/// (a Windows line end) is dropped, even when `end` falls between the two: a label ending
/// there must not count the escape of a character the excerpt does not show.
fn escaped(text: &str, end: usize) -> String {
    let mut out = String::with_capacity(end);
    for (at, c) in text[..end].char_indices() {
        match c {
            '\r' if text[at + 1..].starts_with('\n') => {}
            '\n' | '\t' => out.push(c),
            c if is_unsafe_char(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        // miette counts both the first line and the line count (which for its own `str`
        // reader is the number of lines up to the end of what it read) from the start of the
        // text: both move by the lines before the excerpt.
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count() + self.first_line,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn excerpts_escape_controls_and_keep_places() {
        let file = SourceFile::new(
            "p.msgpol".into(),
            Arc::new("one\r\ntwo \u{1b}[2J three\nfour\n".into()),
            false,
        );
        let at = file.text.find("three").unwrap();
        let excerpt = Excerpt::of(&file, at, at + 5);
        assert_eq!(excerpt.text, "one\ntwo \\u{1b}[2J three\nfour\n");
        assert_eq!(&excerpt.text[excerpt.offset(&file, at)..][..5], "three");
    }

    /// Found by fuzzing (`policy_bytes`): a label that ends between the two bytes of a
    /// Windows line end once ended past the excerpt, and rendering it failed.
    #[test]
    fn a_label_ending_inside_a_windows_line_end_stays_in_the_excerpt() {
        let file = SourceFile::new("p.msgpol".into(), Arc::new("\"\r\n".into()), false);
        let excerpt = Excerpt::of(&file, 0, 2);
        assert_eq!(excerpt.text, "\"\n");
        assert_eq!(excerpt.offset(&file, 2), 1);
    }
}
