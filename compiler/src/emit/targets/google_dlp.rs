//! `google-dlp`: a Google Cloud Sensitive Data Protection (DLP) inspect template: one custom
//! info type per detector, its patterns and keywords as one RE2 regex (whole words as
//! `msgpol scan` reads them, the case rule folded into ASCII classes), its confidence as a
//! likelihood, and `near` as a hotword rule that raises a match without context words (one
//! level lower, as `msgpol scan` judges it) to the declared likelihood. Google DLP has no checksum for custom info types and no minimum count: both
//! are warnings.

use super::dlp::{self, cut, fit_name};
use crate::dlp::pattern::Dialect;
use crate::emit::pretty_json;
use crate::emit::{EmitError, Emitted, Target, TargetInfo};
use crate::emit::verify::detectors::{self, RulesReader, Unchecked};
use crate::emit::verify::readers;
use crate::ir::{Confidence, Ir, Size};
use serde_json::{json, Value};

pub struct GoogleDlp;

/// Longest info type name Google DLP accepts.
const MAX_INFO_TYPE: usize = 64;
/// Longest template description.
const MAX_DESCRIPTION: usize = 256;

fn likelihood(c: Option<Confidence>) -> &'static str {
    match c {
        None => "UNLIKELY",
        Some(Confidence::Low) => "POSSIBLE",
        Some(Confidence::Medium) => "LIKELY",
        Some(Confidence::High) => "VERY_LIKELY",
    }
}

/// `MSGPOL_<CLASS>_<DETECTOR>` (`[A-Z0-9_]`, see `dlp::detector_identifiers`), fit to the
/// length Google DLP accepts.
fn info_type_name(identifier: &str) -> String {
    let full = format!("MSGPOL_{identifier}").to_ascii_uppercase();
    // Upper case again: the hash `fit_name` may append is lower-case hex.
    fit_name(&full, MAX_INFO_TYPE).to_ascii_uppercase()
}

/// Words as one RE2 alternation, each a whole word as `msgpol scan` matches it: `\b` beside
/// each end that is a word character (after `+`, RE2's `\b` would want a word character
/// next), ASCII letters in either case unless `case_sensitive` (RE2's `(?i)` would fold other
/// letters too, `ſ` to `s`), every other character as written.
fn words_regex(words: &[String], case_sensitive: bool) -> String {
    let word_character = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let alternatives: Vec<String> = words
        .iter()
        .map(|w| {
            let edge = |c| if word_character(c) { "\\b" } else { "" };
            let mut out = String::from(edge(w.chars().next()));
            for c in w.chars() {
                if !case_sensitive && c.is_ascii_alphabetic() {
                    out.push_str(&format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()));
                } else {
                    out.push_str(&regex_syntax::escape(c.encode_utf8(&mut [0; 4])));
                }
            }
            out.push_str(edge(w.chars().last()));
            out
        })
        .collect();
    format!("(?:{})", alternatives.join("|"))
}

const RULES_READER: RulesReader = RulesReader {
    read: readers::google_dlp::read,
    // Custom info types compute no checksum and have no minimum count.
    unchecked: Unchecked {
        checks: detectors::every_check,
        near: false,
        min_count: true,
    },
};

const INFO: TargetInfo = TargetInfo {
    name: "google-dlp",
    description: "Google Cloud DLP inspect template: custom info types with hotword rules",
    outputs: &["inspect-template.json"],
    default_for: &[Size::Large],
    controls: &[],
    templates: &[],
    reader: None,
    rules_reader: Some(&RULES_READER),
};

impl Target for GoogleDlp {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut info_types = Vec::new();
        let mut warnings = Vec::new();
        let identifiers = dlp::detector_identifiers(ir);
        for ((class, d), identifier) in crate::dlp::detectors(ir).zip(&identifiers) {
            let mut alternatives = dlp::patterns(self.name(), d, Dialect::Perl)?;
            if !d.keywords.is_empty() {
                alternatives.push(words_regex(&d.keywords, d.case_sensitive));
            }
            let mut info_type = json!({
                "infoType": {"name": info_type_name(identifier)},
                "regex": {"pattern": alternatives.join("|")},
            });
            let base = match &d.near {
                None => Some(d.confidence),
                Some(near) => {
                    info_type["detectionRules"] = json!([{
                        "hotwordRule": {
                            "hotwordRegex": {"pattern": words_regex(&near.words, false)},
                            "proximity": {"windowBefore": near.within, "windowAfter": near.within},
                            "likelihoodAdjustment": {"fixedLikelihood": likelihood(Some(d.confidence))},
                        }
                    }]);
                    crate::dlp::without_context(d.confidence)
                }
            };
            info_type["likelihood"] = Value::from(likelihood(base));
            info_types.push(info_type);
            warnings.extend(dlp::unchecked_checksums(
                self.name(),
                class,
                d,
                &d.checks,
                "custom info types have no checksum, so numbers that fail it are findings too (the built-in CREDIT_CARD_NUMBER and IBAN_CODE types do check)",
            ));
            if d.min_count > 1 {
                warnings.push(dlp::cannot_express(
                    self.name(),
                    class,
                    d,
                    &format!("`min-count {}`", d.min_count),
                    "every single match is a finding",
                ));
            }
        }
        let description = cut(
            &format!(
                "msgpol detectors of {}, version {} (as of {})",
                ir.policy.title, ir.policy.version, ir.evaluation_date
            ),
            MAX_DESCRIPTION,
        );
        let template = json!({
            "displayName": cut(&ir.policy.title, MAX_DESCRIPTION),
            "description": description,
            "inspectConfig": {
                "customInfoTypes": info_types,
                // UNLIKELY is how a low-confidence match without context words is written.
                "minLikelihood": "POSSIBLE",
                "includeQuote": false,
            },
        });
        Ok(Emitted::single(
            "inspect-template.json",
            pretty_json(&template),
            warnings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_escaped_whole_word_alternations() {
        assert_eq!(
            words_regex(&["a.b".into(), "C++".into()], true),
            "(?:\\ba\\.b\\b|\\bC\\+\\+)",
            "no \\b beside an end that is no word character"
        );
        assert_eq!(
            words_regex(&["ssn".into(), "fø".into()], false),
            "(?:\\b[Ss][Ss][Nn]\\b|\\b[Ff]ø)",
            "ASCII letters in either case, others as written"
        );
    }
}
