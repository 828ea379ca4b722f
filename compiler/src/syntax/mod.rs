//! Stage 1, syntax: text → typed syntax tree (`ast::Module`), comments kept.
//!
//! Three passes: `scan` (control characters, open strings, braces), the pest grammar (`cst`),
//! and `lower` (the meaning of each statement). Only the first pass that fails reports.

pub mod args;
pub mod ast;
pub mod cst;
pub mod error;
mod lower;
mod scan;

pub use error::SyntaxError;

use crate::source::{FileId, Span};

/// Largest policy file msgpol reads.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Turn a file's bytes into text, or say where it stops being UTF-8.
pub fn decode(file: FileId, bytes: Vec<u8>) -> Result<String, (String, SyntaxError)> {
    if bytes.len() > MAX_FILE_BYTES {
        let err = error::too_large(Span::new(file, 0, 0), bytes.len());
        return Err((String::new(), err));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // In the lossy text the bad byte became U+FFFD (3 bytes) at the same offset.
            Err((lossy, error::invalid_utf8(Span::new(file, at, at + 3))))
        }
    }
}

/// Parse one file. Returns the module (if the text could be read at all) and every error.
pub fn parse(file: FileId, text: &str) -> (Option<ast::Module>, Vec<SyntaxError>) {
    let errors = scan::scan(file, text);
    if !errors.is_empty() {
        return (None, errors);
    }
    match cst::parse(file, text) {
        Ok(tree) => {
            let (module, errors) = lower::lower(file, tree);
            (Some(module), errors)
        }
        Err(e) => (None, vec![e]),
    }
}
