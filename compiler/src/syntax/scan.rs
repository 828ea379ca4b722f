//! A linear pass over the raw text before the grammar runs. It finds the mistakes that a
//! grammar reports badly (a stray control character, a string left open, a brace that does not
//! match) and gives each its own code and a precise place.

use super::error::{self, SyntaxError};
use crate::source::{is_unsafe_char, FileId, Span};

/// Most blocks open at once: a declaration's and a `detect` block inside it.
pub const MAX_DEPTH: usize = 2;

pub fn scan(file: FileId, text: &str) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    let mut open_braces: Vec<usize> = Vec::new();
    let mut brace_error = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut string_start: Option<usize> = None;
    let mut in_comment = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            if let Some(start) = string_start.take() {
                errors.push(error::unterminated_string(Span::new(file, start, i)));
            }
            in_comment = false;
            i += 1;
            continue;
        }
        if b < 0x20 && b != b'\t' && !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) || b == 0x7f
        {
            errors.push(error::control_character(
                Span::new(file, i, i + 1),
                b as char,
            ));
            if errors.len() > 20 {
                return errors;
            }
            i += 1;
            continue;
        }
        if let Some(len) = invisible_control(&bytes[i..]) {
            let c = text[i..].chars().next().unwrap_or('\u{fffd}');
            errors.push(error::control_character(Span::new(file, i, i + len), c));
            i += len;
            continue;
        }
        if in_comment {
            i += 1;
            continue;
        }
        if let Some(_start) = string_start {
            match b {
                b'\\' if bytes.get(i + 1).is_some_and(|&n| n != b'\n') => i += 1,
                b'"' => string_start = None,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => string_start = Some(i),
            b'#' => in_comment = true,
            b'/' if text[i..].starts_with("///") => in_comment = true,
            b'{' if !brace_error => {
                if open_braces.len() >= MAX_DEPTH {
                    errors.push(error::nested_too_deep(Span::new(file, i, i + 1)));
                    brace_error = true;
                }
                open_braces.push(i);
            }
            b'}' if !brace_error && open_braces.pop().is_none() => {
                errors.push(error::unmatched_close(Span::new(file, i, i + 1)));
                brace_error = true;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(start) = string_start {
        errors.push(error::unterminated_string(Span::new(
            file,
            start,
            bytes.len(),
        )));
    }
    if !brace_error {
        if let Some(&start) = open_braces.last() {
            errors.push(error::unclosed_block(Span::new(file, start, start + 1)));
        }
    }
    errors
}

/// The length of a character past ASCII at the start of `rest` that no output can carry
/// safely (`source::is_unsafe_char`), if one is there.
fn invisible_control(rest: &[u8]) -> Option<usize> {
    let lead = *rest.first()?;
    if lead < 0x80 {
        return None;
    }
    let len = match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    let c = std::str::from_utf8(rest.get(..len)?).ok()?.chars().next()?;
    is_unsafe_char(c).then_some(len)
}
