//! Google Cloud DLP inspect templates (`inspect-template.json`), read as the DLP API reads a
//! template's custom info types.
//!
//! - A custom info type's `regex.pattern` is RE2, compiled here with regex-automata where the
//!   two agree: UTF-8 text, `(?i)` folding case by Unicode's simple case folding, and `\b`
//!   between an ASCII word character (letter, digit, `_`) and anything else, as RE2 has it (a
//!   letter such as `é` is not a word character). RE2's `\d`, `\w` and `\s` are ASCII where
//!   Rust's are Unicode; a regex that uses them is refused rather than read differently.
//! - Its findings are the regex's leftmost-first matches, one after another, as RE2 finds them.
//!   Each has the info type's `likelihood` (VERY_LIKELY if none); a `hotwordRule` whose regex
//!   matches within `windowBefore` characters before the finding to `windowAfter` after it
//!   (the finding included) sets the likelihood (`fixedLikelihood`) or moves it
//!   (`relativeLikelihood`). A finding below `inspectConfig.minLikelihood` (POSSIBLE if none)
//!   is not reported.
//! - There is no checksum and no minimum count: every reported finding counts.
//!
//! An info type is a detector's when its name is `MSGPOL_<CLASS>_<DETECTOR>` (`-` as `_`, in
//! capitals), or, cut to 64 characters or told apart from another, that name's start then `_`
//! and eight hex digits.

use crate::emit::verify::detectors::Rule;
use crate::emit::OutputFile;
use regex_automata::meta::Regex;
use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{Hir, HirKind, Look};
use serde_json::Value;

/// Google's likelihoods, in order.
const LIKELIHOODS: [&str; 5] = [
    "VERY_UNLIKELY",
    "UNLIKELY",
    "POSSIBLE",
    "LIKELY",
    "VERY_LIKELY",
];

fn likelihood(value: &Value, default: &str) -> Result<usize, String> {
    let name = match value {
        Value::Null => default,
        Value::String(s) => s.as_str(),
        other => return Err(format!("`{other}` is not a likelihood")),
    };
    LIKELIHOODS
        .iter()
        .position(|l| *l == name)
        .ok_or_else(|| format!("`{name}` is not a likelihood"))
}

enum Adjustment {
    Fixed(usize),
    Relative(i64),
}

struct Hotword {
    regex: Regex,
    before: usize,
    after: usize,
    adjustment: Adjustment,
}

struct InfoType {
    name: String,
    likelihood: usize,
    regex: Regex,
    hotwords: Vec<Hotword>,
    min_likelihood: usize,
}

/// `text[from..to]` in characters, as a byte range of `text` (cut at its ends).
fn char_window(text: &str, from: usize, to: usize) -> &str {
    let byte = |chars: usize| {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i)
    };
    &text[byte(from)..byte(to)]
}

impl Rule for InfoType {
    fn name(&self) -> &str {
        &self.name
    }

    fn is_for(&self, class: &str, detector: &str) -> bool {
        let expected = format!("MSGPOL_{class}_{detector}")
            .replace('-', "_")
            .to_ascii_uppercase();
        if self.name == expected {
            return true;
        }
        let Some((stem, hash)) = self.name.rsplit_once('_') else {
            return false;
        };
        let hashed = hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        let n = expected.len().min(55);
        hashed && stem.len() >= n && stem.as_bytes()[..n] == expected.as_bytes()[..n]
    }

    fn finds(&self, text: &str) -> bool {
        self.regex.find_iter(text).any(|m| {
            let start = text[..m.start()].chars().count();
            let end = start + text[m.range()].chars().count();
            let mut likelihood = self.likelihood;
            for h in &self.hotwords {
                let window = char_window(text, start.saturating_sub(h.before), end + h.after);
                if h.regex.is_match(window) {
                    likelihood = match h.adjustment {
                        Adjustment::Fixed(l) => l,
                        Adjustment::Relative(by) => {
                            (likelihood as i64 + by).clamp(0, LIKELIHOODS.len() as i64 - 1) as usize
                        }
                    };
                }
            }
            likelihood >= self.min_likelihood
        })
    }
}

/// Reads the custom info types of `google-dlp/inspect-template.json`.
pub fn read(files: &[OutputFile]) -> Result<Vec<Box<dyn Rule + '_>>, String> {
    let text = super::text(files, "inspect-template.json")?;
    let template: Value = serde_json::from_str(text)
        .map_err(|e| format!("`inspect-template.json` is not JSON: {e}"))?;
    let config = &template["inspectConfig"];
    let min_likelihood = likelihood(&config["minLikelihood"], "POSSIBLE")?;
    let Some(types) = config["customInfoTypes"].as_array() else {
        return Err("`inspectConfig.customInfoTypes` is not a list".into());
    };
    let mut rules: Vec<Box<dyn Rule>> = Vec::new();
    for t in types {
        let name = t["infoType"]["name"]
            .as_str()
            .ok_or("a custom info type has no `infoType.name`")?
            .to_string();
        let at = |what: &str| format!("info type `{name}`: {what}");
        for key in t.as_object().into_iter().flat_map(|o| o.keys()) {
            if !["infoType", "likelihood", "regex", "detectionRules"].contains(&key.as_str()) {
                return Err(at(&format!("this reader does not evaluate `{key}`")));
            }
        }
        let regex = &t["regex"];
        if regex.get("groupIndexes").is_some() {
            return Err(at("this reader does not evaluate `groupIndexes`"));
        }
        let pattern = regex["pattern"]
            .as_str()
            .ok_or_else(|| at("no `regex.pattern`"))?;
        let mut hotwords = Vec::new();
        for rule in t["detectionRules"].as_array().into_iter().flatten() {
            let hot = rule
                .get("hotwordRule")
                .ok_or_else(|| at("a detection rule that is not a `hotwordRule`"))?;
            let window = |side: &str| {
                hot["proximity"][side].as_u64().map_or(Ok(0), |n| {
                    usize::try_from(n).map_err(|_| at("a window too large"))
                })
            };
            let adjust = &hot["likelihoodAdjustment"];
            let adjustment = if let Some(by) = adjust["relativeLikelihood"].as_i64() {
                Adjustment::Relative(by)
            } else {
                Adjustment::Fixed(likelihood(&adjust["fixedLikelihood"], "").map_err(|e| at(&e))?)
            };
            let hot_pattern = hot["hotwordRegex"]["pattern"]
                .as_str()
                .ok_or_else(|| at("a hotword rule without `hotwordRegex.pattern`"))?;
            hotwords.push(Hotword {
                regex: re2(hot_pattern).map_err(|e| at(&e))?,
                before: window("windowBefore")?,
                after: window("windowAfter")?,
                adjustment,
            });
        }
        rules.push(Box::new(InfoType {
            likelihood: likelihood(&t["likelihood"], "VERY_LIKELY").map_err(|e| at(&e))?,
            regex: re2(pattern).map_err(|e| at(&e))?,
            hotwords,
            min_likelihood,
            name,
        }));
    }
    Ok(rules)
}

/// An RE2 regex compiled as RE2 reads it (see the module's comment).
fn re2(pattern: &str) -> Result<Regex, String> {
    let tree = ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("`{pattern}` is not a regex RE2 reads: {e}"))?;
    fn perl_class(node: &Ast) -> bool {
        match node {
            Ast::ClassPerl(_) => true,
            Ast::ClassBracketed(c) => bracketed_perl(&c.kind),
            Ast::Group(g) => perl_class(&g.ast),
            Ast::Repetition(r) => perl_class(&r.ast),
            Ast::Alternation(a) => a.asts.iter().any(perl_class),
            Ast::Concat(c) => c.asts.iter().any(perl_class),
            _ => false,
        }
    }
    fn bracketed_perl(set: &ast::ClassSet) -> bool {
        match set {
            ast::ClassSet::Item(ast::ClassSetItem::Perl(_)) => true,
            ast::ClassSet::Item(ast::ClassSetItem::Bracketed(b)) => bracketed_perl(&b.kind),
            ast::ClassSet::Item(ast::ClassSetItem::Union(u)) => u
                .items
                .iter()
                .any(|i| bracketed_perl(&ast::ClassSet::Item(i.clone()))),
            ast::ClassSet::Item(_) => false,
            ast::ClassSet::BinaryOp(op) => bracketed_perl(&op.lhs) || bracketed_perl(&op.rhs),
        }
    }
    if perl_class(&tree) {
        return Err(format!(
            "`{pattern}` uses `\\d`, `\\w` or `\\s`, which are ASCII in RE2 and Unicode here: this reader does not evaluate them"
        ));
    }
    let hir = regex_syntax::hir::translate::Translator::new()
        .translate(pattern, &tree)
        .map_err(|e| format!("`{pattern}` is not a regex RE2 reads: {e}"))?;
    Regex::builder()
        .build_from_hir(&ascii_boundaries(hir))
        .map_err(|e| format!("`{pattern}`: {e}"))
}

/// `hir` with RE2's word boundaries: `\b` and `\B` by ASCII word characters.
fn ascii_boundaries(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Look(Look::WordUnicode) => Hir::look(Look::WordAscii),
        HirKind::Look(Look::WordUnicodeNegate) => Hir::look(Look::WordAsciiNegate),
        HirKind::Look(look) => Hir::look(look),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Class(class) => Hir::class(class),
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(ascii_boundaries(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(ascii_boundaries(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(parts) => Hir::concat(parts.into_iter().map(ascii_boundaries).collect()),
        HirKind::Alternation(parts) => {
            Hir::alternation(parts.into_iter().map(ascii_boundaries).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re2_boundaries_are_ascii_and_its_case_folding_unicode() {
        let r = re2(r"(?i)\b(?:secret)\b").unwrap();
        assert!(r.is_match("x secret."));
        assert!(
            !r.is_match("ſecret"),
            "ſ is no ASCII word character: no \\b before it"
        );
        assert!(re2(r"(?i)\bdissent\b").unwrap().is_match("diſſent"));
        assert!(re2(r"\b[0-9]{4}\b").unwrap().is_match("1234é"));
        assert!(!re2(r"\b(?:C\+\+)\b").unwrap().is_match("C++ daily"));
        assert!(re2(r"\d").unwrap_err().contains("\\d"));
        assert!(re2(r"[\w-]").unwrap_err().contains("\\w"));
    }

    fn info_type(name: &str) -> InfoType {
        InfoType {
            name: name.into(),
            likelihood: 2,
            regex: re2("x").unwrap(),
            hotwords: Vec::new(),
            min_likelihood: 2,
        }
    }

    #[test]
    fn an_info_type_is_the_detector_its_name_says() {
        assert!(info_type("MSGPOL_CONFIDENTIAL_US_SSN").is_for("confidential", "us-ssn"));
        assert!(!info_type("MSGPOL_CONFIDENTIAL_US_SSN").is_for("confidential", "iban"));
        assert!(info_type("MSGPOL_PAY_ROLL_STAFF_1A2B3C4D").is_for("pay-roll", "staff"));
        let long = format!("MSGPOL_{}_{}", "R".repeat(40), "D".repeat(40));
        let cut = format!("{}_0123ABCD", &long[..55]);
        assert!(info_type(&cut).is_for(&"r".repeat(40), &"d".repeat(40)));
        assert!(!info_type(&cut).is_for(&"r".repeat(40), "other"));
    }
}
