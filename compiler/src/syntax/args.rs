//! A cursor over a statement's arguments, with one method per kind of value. Each method
//! reports exactly what it expected and where, so `lower/` reads like the grammar of a
//! statement.

use super::ast::{Name, Spanned, Str};
use super::cst::{Arg, ArgKind, Stmt};
use super::error::{self, SyntaxError};
use crate::diagnostics::quote;
use crate::source::Span;
use crate::vocabulary::date;
use time::Date;

pub const MAX_NAME: usize = 64;

pub struct Args<'a> {
    stmt: &'a Stmt,
    pos: usize,
}

impl<'a> Args<'a> {
    pub fn new(stmt: &'a Stmt) -> Self {
        Args { stmt, pos: 0 }
    }

    fn peek(&self) -> Option<&'a Arg> {
        self.stmt.args.get(self.pos)
    }

    /// Where the statement's keyword is written: the place of a value it implies.
    pub fn keyword_span(&self) -> Span {
        self.stmt.keyword_span
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.stmt.args.len()
    }

    /// Where a missing value would have been: the argument at the cursor, or just after the
    /// statement's last token.
    fn here(&self) -> Span {
        match self.peek() {
            Some(arg) => arg.span,
            None => {
                let last = self
                    .stmt
                    .args
                    .last()
                    .map_or(self.stmt.keyword_span, |a| a.span);
                Span::new(last.file, last.end, last.end)
            }
        }
    }

    fn describe_here(&self) -> String {
        match self.peek() {
            None => "nothing".to_string(),
            Some(arg) => describe(&arg.kind),
        }
    }

    pub fn fail(&self, expected: &str, help: &str) -> SyntaxError {
        error::wrong_arguments(
            self.here(),
            format!(
                "`{}` expects {expected}, found {}",
                self.stmt.keyword,
                self.describe_here()
            ),
            expected,
            help,
        )
    }

    pub fn string(&mut self, help: &str) -> Result<Str, SyntaxError> {
        match self.peek() {
            Some(Arg {
                kind: ArgKind::Str(raw),
                span,
            }) => {
                self.pos += 1;
                if let Some(tab) = raw.find('\t') {
                    // +1 skips the opening quote of the string.
                    let at = span.start + 1 + tab;
                    return Err(error::tab_in_string(Span::new(span.file, at, at + 1)));
                }
                Ok(Str {
                    value: unescape(raw, *span)?,
                    span: *span,
                })
            }
            _ => Err(self.fail("a string in double quotes", help)),
        }
    }

    /// A string people read (a title, label, contact, reason): not empty or only white space,
    /// which every output would show as nothing (and the Markdown guides as stray `**`).
    pub fn text(&mut self, help: &str) -> Result<Str, SyntaxError> {
        let text = self.string(help)?;
        if text.value.trim().is_empty() {
            return Err(error::blank_text(text.span, &self.stmt.keyword));
        }
        Ok(text)
    }

    fn word(&mut self) -> Option<(&'a str, Span)> {
        match self.peek() {
            Some(Arg {
                kind: ArgKind::Word(w),
                span,
            }) => {
                self.pos += 1;
                Some((w.as_str(), *span))
            }
            _ => None,
        }
    }

    /// A name, possibly qualified by a module path (`std.channels.signal`).
    pub fn name(&mut self, what: &str) -> Result<Name, SyntaxError> {
        match self.word() {
            Some((text, span)) => {
                if text.split('.').all(is_valid_name) {
                    Ok(Name {
                        text: text.to_string(),
                        span,
                    })
                } else {
                    Err(error::invalid_name(span, text))
                }
            }
            None => Err(self.fail(what, "names are written without quotes, e.g. `signal`")),
        }
    }

    /// A name that declares something: no module path.
    pub fn simple_name(&mut self, what: &str) -> Result<Name, SyntaxError> {
        let name = self.name(what)?;
        if name.text.contains('.') {
            return Err(error::invalid_name(name.span, &name.text));
        }
        Ok(name)
    }

    /// One of a fixed set of words.
    pub fn choice<T: Copy>(
        &mut self,
        what: &str,
        options: &[(&str, T)],
    ) -> Result<Spanned<T>, SyntaxError> {
        let words: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
        let help = format!("one of: {}", words.join(", "));
        let before = self.pos;
        match self.word() {
            Some((text, span)) => match options.iter().find(|(w, _)| *w == text) {
                Some((_, value)) => Ok(Spanned {
                    value: *value,
                    span,
                }),
                None => {
                    self.pos = before;
                    let help = crate::diagnostics::did_you_mean(text, words.iter().copied())
                        .map_or(help.clone(), |d| format!("{d} ({help})"));
                    Err(self.fail(what, &help))
                }
            },
            None => Err(self.fail(what, &help)),
        }
    }

    /// Whether the next argument is this exact word (consumed if so).
    pub fn eat(&mut self, word: &str) -> Option<Span> {
        match self.peek() {
            Some(Arg {
                kind: ArgKind::Word(w),
                span,
            }) if w == word => {
                self.pos += 1;
                Some(*span)
            }
            _ => None,
        }
    }

    pub fn expect(&mut self, word: &str, help: &str) -> Result<Span, SyntaxError> {
        self.eat(word)
            .ok_or_else(|| self.fail(&format!("`{word}`"), help))
    }

    pub fn eat_colon(&mut self) -> bool {
        if matches!(
            self.peek(),
            Some(Arg {
                kind: ArgKind::Colon,
                ..
            })
        ) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub fn peek_is_string(&self) -> bool {
        matches!(
            self.peek(),
            Some(Arg {
                kind: ArgKind::Str(_),
                ..
            })
        )
    }

    pub fn date(&mut self) -> Result<Spanned<Date>, SyntaxError> {
        match self.word() {
            Some((text, span)) => date::parse(text)
                .map(|value| Spanned { value, span })
                .ok_or_else(|| error::invalid_date(span, text)),
            None => Err(self.fail(
                "a date (YYYY-MM-DD)",
                "write dates as YYYY-MM-DD, e.g. `2027-03-31`",
            )),
        }
    }

    pub fn number(&mut self, min: u32, max: u32) -> Result<Spanned<u32>, SyntaxError> {
        let range = format!("from {min} to {max}");
        match self.word() {
            Some((text, span)) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (min..=max).contains(n) && text.bytes().all(|b| b.is_ascii_digit()))
                .map(|value| Spanned { value, span })
                .ok_or_else(|| error::invalid_number(span, text, &range)),
            None => Err(self.fail(&format!("a number {range}"), "write the number in digits")),
        }
    }

    /// Raw word (for port ranges and similar values checked by the caller).
    pub fn raw_word(&mut self, what: &str, help: &str) -> Result<(&'a str, Span), SyntaxError> {
        self.word().ok_or_else(|| self.fail(what, help))
    }

    /// `item, item, …`: at least one item.
    pub fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<Vec<T>, SyntaxError> {
        let mut items = vec![item(self)?];
        while matches!(
            self.peek(),
            Some(Arg {
                kind: ArgKind::Comma,
                ..
            })
        ) {
            self.pos += 1;
            items.push(item(self)?);
        }
        Ok(items)
    }

    pub fn end(&self) -> Result<(), SyntaxError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(error::wrong_arguments(
                self.here(),
                format!(
                    "unexpected {} after `{}`",
                    self.describe_here(),
                    self.stmt.keyword
                ),
                "the end of the statement",
                "put each statement on its own line; separate list items with `,`",
            ))
        }
    }
}

fn describe(kind: &ArgKind) -> String {
    match kind {
        ArgKind::Word(w) => quote(w),
        ArgKind::Str(s) => format!("the string \"{}\"", quote(s).trim_matches('`')),
        ArgKind::Comma => "`,`".to_string(),
        ArgKind::Colon => "`:`".to_string(),
    }
}

pub fn is_valid_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_NAME
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// A string's value from its text between the quotes: `\"` and `\\` are its only escapes
/// (`span_in_string` maps offsets back by the same rule).
fn unescape(raw: &str, span: Span) -> Result<String, SyntaxError> {
    if !raw.contains('\\') {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((j, other)) => {
                // +1 skips the opening quote of the string.
                let start = span.start + 1 + i;
                let end = span.start + 1 + j + other.len_utf8();
                return Err(error::invalid_escape(
                    Span::new(span.file, start, end),
                    &format!("\\{other}"),
                ));
            }
            None => out.push('\\'),
        }
    }
    Ok(out)
}

/// The source span of `range` (byte offsets in the value of `s`, written in `file_text`): each
/// escape `unescape` reads is two source bytes for one.
pub fn span_in_string(file_text: &str, s: &Str, range: std::ops::Range<usize>) -> Span {
    let raw = file_text.get(s.span.start..s.span.end).unwrap_or("");
    let Some(body) = raw.strip_prefix('"') else {
        return s.span;
    };
    let source_offset = |value_offset: usize| {
        let bytes = body.as_bytes();
        let (mut source, mut value) = (0, 0);
        while source < bytes.len() && value < value_offset {
            source += if bytes[source] == b'\\' { 2 } else { 1 };
            value += 1;
        }
        s.span.start + 1 + source
    };
    let start = source_offset(range.start);
    Span::new(s.span.file, start, source_offset(range.end).max(start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn spans_in_strings_skip_escapes() {
        // pattern "a\"b\\c" at offset 8: the value is `a"b\c`.
        let text = r#"pattern "a\"b\\c""#;
        let s = Str {
            value: "a\"b\\c".into(),
            span: Span::new(FileId(0), 8, text.len()),
        };
        let at = |range| {
            let span = span_in_string(text, &s, range);
            &text[span.start..span.end]
        };
        assert_eq!(at(0..1), "a");
        assert_eq!(at(1..3), r#"\"b"#);
        assert_eq!(at(4..5), "c");
        assert_eq!(at(5..5), "");
    }
}
