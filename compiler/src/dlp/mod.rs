//! Data-loss prevention: the portable pattern subset every DLP target and the built-in
//! scanner share (`pattern`), the checksums (`checksum`), the scanner (`engine`) and the chat
//! formats it reads (`input`).

pub mod checksum;
pub mod engine;
pub mod input;
pub mod pattern;

use crate::ir::{ClassInfo, Confidence, DetectorInfo, Ir};
use regex_syntax::hir::Hir;

/// Every detector of the policy with the class that declares it, lowest class first: the
/// order of the scanner's detectors and of every DLP target's rules.
pub fn detectors(ir: &Ir) -> impl Iterator<Item = (&ClassInfo, &DetectorInfo)> {
    ir.classes
        .iter()
        .flat_map(|c| c.detectors.iter().map(move |d| (c, d)))
}

/// A detector's pattern outside the portable subset (validation reports these first).
pub struct BadPattern<'a> {
    pub pattern: &'a str,
    pub error: pattern::PatternError,
}

/// A detector's patterns with its case rule applied, each as a whole word: what the scanner
/// runs and what every DLP target prints in its engine's dialect.
pub fn detector_hirs(d: &DetectorInfo) -> Result<Vec<Hir>, BadPattern<'_>> {
    d.patterns
        .iter()
        .map(|p| {
            pattern::compile(p, d.case_sensitive)
                .map(pattern::whole_word)
                .map_err(|error| BadPattern { pattern: p, error })
        })
        .collect()
}

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
