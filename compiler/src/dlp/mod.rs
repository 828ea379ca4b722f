//! Data-loss prevention: the portable pattern subset every DLP target and the built-in
//! scanner share (`pattern`), the checksums (`checksum`), the scanner (`engine`) and the chat
//! formats it reads (`input`).

pub mod checksum;
pub mod engine;
pub mod input;
pub mod pattern;

use crate::syntax::ast::Confidence;

/// The confidence of a match whose detector wants context words (`near`) and has none near:
/// one level less than declared, none below `low`. The scanner and every target agree on it.
pub fn without_context(c: Confidence) -> Option<Confidence> {
    match c {
        Confidence::High => Some(Confidence::Medium),
        Confidence::Medium => Some(Confidence::Low),
        Confidence::Low => None,
    }
}

/// How a confidence is written in reports and rule metadata.
pub fn confidence_name(c: Confidence) -> &'static str {
    match c {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}
