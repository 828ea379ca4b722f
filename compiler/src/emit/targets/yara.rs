//! `yara`: one YARA rule per detector, for scanning exports and attachments. Patterns are
//! regular expressions in YARA's dialect (plain groups, `\b…\b`, the case rule folded in),
//! keywords are `fullword` text strings (`nocase` unless `case-sensitive`), and every string
//! matches both ASCII/UTF-8 and UTF-16 (`ascii wide`). `min-count` becomes the condition.
//! YARA cannot validate a checksum or weigh context words: both are warnings.

use super::dlp;
use crate::dlp::pattern::Dialect;
use crate::emit::templates::{render, Header};
use crate::emit::templates::template;
use crate::emit::{EmitError, Emitted, Target, TargetInfo, Template};
use crate::emit::verify::detectors::{self, RulesReader, Unchecked};
use crate::emit::verify::readers;
use crate::ir::{Confidence, Ir, Size};
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
    strings: Vec<String>,
    condition: String,
}

/// A YARA text string: printable ASCII as is (`"` and `\` escaped), every other byte `\xNN`.
fn text_string(value: &str) -> String {
    let mut out = String::from("\"");
    for &b in value.as_bytes() {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b' '..=b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
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
};

impl Target for Yara {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn rules_reader(&self) -> Option<&'static RulesReader> {
        Some(&RULES_READER)
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
                strings.push(format!("$p{i} = /{p}/ ascii wide"));
                names.push(format!("#p{i}"));
            }
            let nocase = if d.case_sensitive { "" } else { " nocase" };
            for (i, k) in d.keywords.iter().enumerate() {
                strings.push(format!(
                    "$k{i} = {} fullword ascii wide{nocase}",
                    text_string(k)
                ));
                names.push(format!("#k{i}"));
            }
            warnings.extend(dlp::unchecked_checksums(
                self.name(),
                class,
                d,
                &d.checks,
                "every match of the pattern is reported, so numbers that fail the check are false positives",
            ));
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
                condition: if d.min_count <= 1 {
                    "any of them".to_string()
                } else {
                    format!("{} >= {}", names.join(" + "), d.min_count)
                },
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
    fn text_strings_escape_quotes_and_non_ascii() {
        assert_eq!(text_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(text_string("fø"), "\"f\\xc3\\xb8\"");
    }
}
