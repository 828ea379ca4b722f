//! Data-loss prevention: the portable pattern subset every DLP target and the built-in
//! scanner share (`pattern`), the checksums (`checksum`), the scanner (`engine`), the chat
//! formats it reads (`input`), read and scanned a window at a time (`stream`), and the way
//! back from the scanned text to the file's lines and columns (`positions`).

pub mod checksum;
pub mod engine;
pub mod input;
pub mod pattern;
pub mod positions;
pub mod stream;

use crate::ir::{ClassInfo, Confidence, DetectorInfo, Ir};
pub use engine::without_context;
use regex_syntax::hir::Hir;

/// Every detector of the policy with the class that declares it, lowest class first: the
/// order of the scanner's detectors and of every DLP target's rules.
pub fn detectors(ir: &Ir) -> impl Iterator<Item = (&ClassInfo, &DetectorInfo)> {
    ir.classes
        .iter()
        .flat_map(|c| c.detectors.iter().map(move |d| (c, d)))
}

/// A detector of the IR as the scanner reads it.
pub fn scanned<'a>(class: &'a ClassInfo, d: &'a DetectorInfo) -> engine::Detector<'a> {
    engine::Detector {
        class: &class.name,
        name: &d.name,
        patterns: d.patterns.iter().map(String::as_str).collect(),
        keywords: d.keywords.iter().map(String::as_str).collect(),
        checks: d.checks.clone(),
        near: d
            .near
            .as_ref()
            .map(|n| (n.words.iter().map(String::as_str).collect(), n.within)),
        confidence: d.confidence,
        min_count: d.min_count,
        case_sensitive: d.case_sensitive,
    }
}

/// The scanner of every detector of the policy, in `detectors` order.
pub fn scanner(ir: &Ir) -> Result<engine::Scanner, String> {
    let detectors: Vec<engine::Detector> = detectors(ir).map(|(c, d)| scanned(c, d)).collect();
    engine::Scanner::new(&detectors)
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
            pattern::runnable(p, d.case_sensitive).map_err(|error| BadPattern { pattern: p, error })
        })
        .collect()
}

/// How a confidence is written in reports and rule metadata.
pub fn confidence_name(c: Confidence) -> &'static str {
    match c {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}
