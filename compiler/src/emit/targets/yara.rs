//! `yara`: one YARA rule per detector, for scanning exports and attachments. Patterns are
//! regular expressions in YARA's dialect (plain groups, `\b…\b`, the case rule folded in), and
//! so are keywords (whole words as `msgpol scan` reads them, which `fullword` is not), and
//! every string matches both ASCII/UTF-8 and UTF-16 (`ascii wide`). `min-count` becomes the
//! condition. YARA cannot validate a checksum, weigh context words or count matches as
//! `min-count` does: all are warnings.

use super::dlp;
use crate::dlp::pattern::{self, Dialect};
use crate::emit::templates::{encoded, render, Header};
use minijinja::Value;
use crate::emit::templates::template;
use crate::emit::{EmitError, Emitted, Target, TargetInfo, Template};
use crate::emit::verify::detectors::{self, RulesReader, Unchecked};
use crate::emit::verify::readers;
use crate::ir::{Confidence, Ir, Size};
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, Look};
use serde::Serialize;

pub struct Yara;

/// Longest identifier `yarac` accepts.
const MAX_IDENTIFIER: usize = 128;

#[derive(Serialize)]
struct Rule {
    name: String,
    tag: String,
    class: String,
    detector: String,
    confidence: Confidence,
    /// The checksums YARA leaves unchecked, for the rule's metadata.
    checks: String,
    /// YARA syntax msgpol built from the detector's patterns and keywords (printed as it is).
    strings: Vec<Value>,
    condition: Value,
}

/// A keyword as a YARA regex: a whole word as `msgpol scan` matches it, with `\b` beside each
/// end that is a word character (a `fullword` text string would take `_` for a delimiter, and
/// want one after `C++`), ASCII letters in either case unless `case_sensitive`, other bytes as
/// `\xNN`.
fn keyword_regex(word: &str, case_sensitive: bool) -> String {
    let bytes = word.as_bytes();
    let word_byte = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    let edge = |b| word_byte(b).then(|| Hir::look(Look::WordAscii));
    let mut parts: Vec<Hir> = edge(bytes.first()).into_iter().collect();
    for &b in bytes {
        parts.push(if !case_sensitive && b.is_ascii_alphabetic() {
            let (upper, lower) = (b.to_ascii_uppercase(), b.to_ascii_lowercase());
            Hir::class(Class::Bytes(ClassBytes::new([
                ClassBytesRange::new(upper, upper),
                ClassBytesRange::new(lower, lower),
            ])))
        } else {
            Hir::literal([b])
        });
    }
    parts.extend(edge(bytes.last()));
    pattern::print(&Hir::concat(parts), Dialect::Yara)
}

const TEMPLATE: Template = template!("yara/msgpol.yar.j2");

const RULES_READER: RulesReader = RulesReader {
    read: readers::yara::read,
    // YARA computes no checksum and weighs no context word; its `#s` counts a match at
    // every offset, overlapping ones included, where `min-count` counts matches one after
    // another.
    unchecked: Unchecked {
        checks: detectors::every_check,
        near: true,
        min_count: true,
    },
};

const INFO: TargetInfo = TargetInfo {
    name: "yara",
    description: "YARA rules for the DLP detectors, to scan chat exports and attachments",
    outputs: &["msgpol.yar"],
    default_for: &[Size::Large],
    controls: &[],
    templates: &[&TEMPLATE],
    reader: None,
    rules_reader: Some(&RULES_READER),
};

impl Target for Yara {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut rules = Vec::new();
        let mut warnings = Vec::new();
        let identifiers = dlp::detector_identifiers(ir);
        for ((class, d), identifier) in crate::dlp::detectors(ir).zip(&identifiers) {
            let mut strings = Vec::new();
            let mut names = Vec::new();
            for (i, p) in dlp::patterns(self.name(), d, Dialect::Yara)?
                .iter()
                .enumerate()
            {
                strings.push(encoded(format!("$p{i} = /{p}/ ascii wide")));
                names.push(format!("#p{i}"));
            }
            for (i, k) in d.keywords.iter().enumerate() {
                strings.push(encoded(format!(
                    "$k{i} = /{}/ ascii wide",
                    keyword_regex(k, d.case_sensitive)
                )));
                names.push(format!("#k{i}"));
            }
            warnings.extend(dlp::unchecked_checksums(
                self.name(),
                class,
                d,
                &d.checks,
                "every match of the pattern is reported, so numbers that fail the check are false positives",
            ));
            if d.min_count > 1 {
                warnings.push(dlp::cannot_express(
                    self.name(),
                    class,
                    d,
                    &format!("`min-count {}` as msgpol counts matches (one after another)", d.min_count),
                    "YARA's `#` counts every offset where a match starts, overlapping ones included, so a text can reach the count in YARA alone",
                ));
            }
            if d.near.is_some() {
                warnings.push(dlp::cannot_express(
                    self.name(),
                    class,
                    d,
                    "`near` context words",
                    "matches without them are reported at the declared confidence, not one level lower",
                ));
            }
            rules.push(Rule {
                name: dlp::fit_name(&format!("msgpol_{identifier}"), MAX_IDENTIFIER),
                tag: class.name.replace('-', "_"),
                class: class.name.clone(),
                detector: d.name.clone(),
                confidence: d.confidence,
                checks: dlp::checksum_names(&d.checks),
                strings,
                condition: encoded(if d.min_count <= 1 {
                    "any of them".to_string()
                } else {
                    format!("{} >= {}", names.join(" + "), d.min_count)
                }),
            });
        }
        let context = minijinja::context! {
            rules => rules,
            ..Header::value(ir),
        };
        Ok(Emitted::single(
            "msgpol.yar",
            render(&TEMPLATE, context)?,
            warnings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_whole_words_as_msgpol_scan_reads_them() {
        assert_eq!(keyword_regex("SECRET", true), "\\bSECRET\\b");
        assert_eq!(
            keyword_regex("C++", false),
            "\\b[Cc]\\+\\+",
            "no \\b after a character that is no word character"
        );
        assert_eq!(keyword_regex("fø/x", true), "\\bf\\xC3\\xB8\\/x\\b");
    }
}
