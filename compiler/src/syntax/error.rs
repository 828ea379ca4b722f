//! Errors of the syntax stage (codes E001–E015, and E203 for a port), each explained in
//! `error/<CODE>.md` beside this file.

use crate::diagnostics::{did_you_mean, quote, stage_error, Code, Diagnostic};
use crate::source::Span;

stage_error!(
    /// A problem found while reading a file's text into a syntax tree.
    SyntaxError
);

pub fn invalid_utf8(span: Span) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E001, "the file is not valid UTF-8 text")
            .label(span, "this byte is not valid UTF-8")
            .help("save the policy as UTF-8 text; a .msgpol file is plain text, not a binary file"),
    )
}

pub fn control_character(span: Span, c: char) -> SyntaxError {
    let what = match c {
        '\0' => "a NUL byte".to_string(),
        '\u{2028}' => "the line separator U+2028".to_string(),
        '\u{2029}' => "the paragraph separator U+2029".to_string(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c if (c as u32) & 0xFFFE == 0xFFFE || (0xFDD0..=0xFDEF).contains(&(c as u32)) => {
            format!("the noncharacter U+{:04X}", c as u32)
        }
        c => format!("the bidirectional control U+{:04X}", c as u32),
    };
    SyntaxError(
        Diagnostic::new(Code::E002, format!("{what} is not allowed in a policy"))
            .label(span, "here")
            .help("remove it; only tabs, spaces and line breaks may separate text"),
    )
}

pub fn tab_in_string(span: Span) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E002, "a tab inside a string is not allowed in a policy")
            .label(span, "here")
            .help("write a space: XML attributes, HTML and PowerShell strings cannot all show a tab as written"),
    )
}

pub fn unterminated_string(span: Span) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E003, "unterminated string")
            .label(span, "this string is not closed before the end of the line")
            .help("add the closing `\"`; a string cannot span lines (write `\\\"` for a quote inside it)"),
    )
}

pub fn unexpected(span: Span, found: &str, expected: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E004, format!("unexpected {found}"))
            .label(span, format!("expected {expected}"))
            .help(
                "each statement is a keyword and its values on one line; comments start with `#`",
            ),
    )
}

pub fn unclosed_block(span: Span) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E005, "this block is never closed")
            .label(span, "this `{` has no matching `}`")
            .help("add a `}` on its own line at the end of the block"),
    )
}

pub fn unmatched_close(span: Span) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E005, "this `}` closes no block")
            .label(span, "no `{` is open here")
            .help("remove the `}` or add the `{` it was meant to close"),
    )
}

pub fn unknown_keyword(span: Span, keyword: &str, context: &str, known: &[&str]) -> SyntaxError {
    let help = did_you_mean(keyword, known.iter().copied())
        .unwrap_or_else(|| format!("{context} may contain: {}", known.join(", ")));
    SyntaxError(
        Diagnostic::new(
            Code::E006,
            format!("unknown keyword {} in {context}", quote(keyword)),
        )
        .label(span, "not a keyword here")
        .help(help),
    )
}

pub fn wrong_arguments(span: Span, message: String, expected: &str, help: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E007, message)
            .label(span, format!("expected {expected}"))
            .help(help.to_string()),
    )
}

pub fn invalid_name(span: Span, name: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E008, format!("invalid name {}", quote(name)))
            .label(span, "not a valid name")
            .help("names use lowercase ASCII letters, digits and `-`, start with a letter, and have at most 64 characters"),
    )
}

pub fn invalid_date(span: Span, text: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E009, format!("invalid date {}", quote(text)))
            .label(span, "not a calendar date")
            .help("write dates as YYYY-MM-DD, e.g. `2027-03-31`"),
    )
}

pub fn invalid_number(span: Span, text: &str, range: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E010, format!("invalid number {}", quote(text)))
            .label(span, format!("expected a whole number {range}"))
            .help("write the number in decimal digits"),
    )
}

pub fn nested_too_deep(span: Span) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E011, "blocks are nested too deeply")
            .label(span, "a fourth level of `{` starts here")
            .help("blocks nest at most three deep: a declaration, a `detect` block, and its statements"),
    )
}

pub fn repeated(span: Span, first: Span, keyword: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E012, format!("{} is given twice", quote(keyword)))
            .label(span, "given again here")
            .label(first, "first given here")
            .help("keep one of the two statements"),
    )
}

pub fn missing(span: Span, keyword: &str, in_what: &str, example: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E013, format!("{in_what} has no {}", quote(keyword)))
            .label(span, format!("add `{keyword}` to this block"))
            .help(format!("for example: `{example}`")),
    )
}

pub fn invalid_escape(span: Span, escape: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(
            Code::E014,
            format!("invalid escape {} in a string", quote(escape)),
        )
        .label(span, "not an escape msgpol knows")
        .help("only `\\\"` (a quote) and `\\\\` (a backslash) may follow a backslash"),
    )
}

pub fn blank_text(span: Span, keyword: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(
            Code::E016,
            format!("the text of `{keyword}` is empty"),
        )
        .label(span, "nothing here for a reader to see")
        .help("write what staff and auditors should read, or leave the statement out where it is optional"),
    )
}

pub fn too_large(span: Span, bytes: usize) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E015, format!("the file is too large ({bytes} bytes)"))
            .label(span, "the file starts here")
            .help("a policy file may be at most 64 MiB; split it with `import`"),
    )
}

pub fn invalid_port(span: Span, text: &str) -> SyntaxError {
    SyntaxError(
        Diagnostic::new(Code::E203, format!("invalid port {}", quote(text)))
            .label(span, "not a port or port range")
            .help("ports are numbers from 1 to 65535; a range is written `3478-3481` with the smaller number first"),
    )
}
