//! Detectors that cannot work everywhere they are emitted:
//! - E213: no pattern and no keywords, a pattern that is not a regular expression, or one
//!   longer than DLP engines accept;
//! - E230: a valid regular expression outside the portable subset (`dlp::pattern`), pointing
//!   at the offending part;
//! - E231: a keyword list the engines would reject (a term over 50 characters, control
//!   characters, more than 2048 terms);
//! - E232: a weighted checksum no match can pass: no pattern, or a pattern none of whose
//!   matches has one digit per weight (separators are not digits);
//! - E233: a pattern none of whose matches can be a whole word within one line, or a keyword
//!   with no letter or digit;
//! - E236: a pattern whose automaton is larger than a scan may take (`MAX_PATTERN_STATES`), or
//!   the pattern with which the policy's patterns together grow larger than that
//!   (`MAX_POLICY_STATES`): a scan's work per byte grows with them.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::dlp::pattern::{self, NeverAWord};
use crate::source::Span;
use crate::syntax::args;
use crate::syntax::ast::{Detector, Str};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::Checksum;
use regex_syntax::hir::Hir;

/// Purview's limits on keyword lists.
const MAX_KEYWORD: usize = 50;
const MAX_KEYWORDS: usize = 2048;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let mut policy_states = 0;
    for def in ctx.program.classes.values() {
        for d in &def.decl.detectors {
            if d.patterns.is_empty() && d.keywords.is_empty() {
                out.push(ValidateError(
                    Diagnostic::new(
                        Code::E213,
                        format!(
                            "detector {} has no `pattern` and no `keywords`",
                            quote(&d.name.text)
                        ),
                    )
                    .label(d.name.span, "this detector can never match")
                    .help("add `pattern \"…\"` or `keywords \"…\"`"),
                ));
            }
            let compiled: Vec<(&Str, Hir)> = d
                .patterns
                .iter()
                .filter_map(|p| Some((p, check_pattern(ctx, d, p, out)?)))
                .collect();
            for (p, hir) in &compiled {
                check_cost(d, p, hir, &mut policy_states, out);
            }
            check_keywords(d, out);
            check_words(d, &compiled, out);
            check_weights(d, &compiled, out);
        }
    }
}

/// The pattern compiled with the detector's case rule, or `None` after reporting why not.
fn check_pattern(
    ctx: &Context,
    d: &Detector,
    p: &Str,
    out: &mut Vec<ValidateError>,
) -> Option<Hir> {
    if p.value.len() > pattern::MAX_LENGTH {
        out.push(ValidateError(
            Diagnostic::new(
                Code::E213,
                format!("invalid pattern in detector {}", quote(&d.name.text)),
            )
            .label(
                p.span,
                format!(
                    "the pattern has {} characters; DLP engines accept at most {}",
                    p.value.len(),
                    pattern::MAX_LENGTH
                ),
            )
            .help("split it into several `pattern` statements"),
        ));
        return None;
    }
    let e = match pattern::compile(&p.value, d.case_sensitive) {
        Ok(hir) => return Some(hir),
        Err(e) => e,
    };
    let at = args::span_in_string(&ctx.map.get(p.span.file).text, p, e.at.clone());
    let diag = if e.syntax {
        Diagnostic::new(
            Code::E213,
            format!("invalid pattern in detector {}", quote(&d.name.text)),
        )
    } else {
        Diagnostic::new(
            Code::E230,
            format!(
                "pattern of detector {} is outside the portable subset",
                quote(&d.name.text)
            ),
        )
    };
    out.push(ValidateError(diag.label(at, e.problem).help(e.help)));
    None
}

/// E236: the pattern's automaton, alone or added to those of the patterns checked before it
/// (`policy_states`), is larger than a scan may take.
fn check_cost(
    d: &Detector,
    p: &Str,
    hir: &Hir,
    policy_states: &mut usize,
    out: &mut Vec<ValidateError>,
) {
    let states = pattern::automaton_states(&pattern::whole_word(hir.clone()));
    let before = *policy_states;
    let problem = match states {
        Some(states) if states <= pattern::MAX_PATTERN_STATES => {
            *policy_states += states;
            if before <= pattern::MAX_POLICY_STATES && *policy_states > pattern::MAX_POLICY_STATES {
                format!(
                    "with this pattern ({states} states) the policy's patterns take {} automaton states; a scan may take at most {}",
                    *policy_states,
                    pattern::MAX_POLICY_STATES
                )
            } else {
                return;
            }
        }
        Some(states) => format!(
            "this pattern takes {states} automaton states; a scan may take at most {} per pattern",
            pattern::MAX_PATTERN_STATES
        ),
        None => "this pattern is too large to compile".to_string(),
    };
    out.push(ValidateError(
        Diagnostic::new(
            Code::E236,
            format!(
                "pattern of detector {} is too costly to scan",
                quote(&d.name.text)
            ),
        )
        .label(p.span, problem)
        .help("lower the repeat bounds, or split what it matches between simpler detectors"),
    ));
}

fn check_keywords(d: &Detector, out: &mut Vec<ValidateError>) {
    let error = |span: Span, problem: String| {
        ValidateError(
            Diagnostic::new(
                Code::E231,
                format!("keyword list of detector {} is not usable", quote(&d.name.text)),
            )
            .label(span, problem)
            .help(format!(
                "DLP engines accept up to {MAX_KEYWORDS} keywords of 1 to {MAX_KEYWORD} characters, on one line"
            )),
        )
    };
    if d.keywords.len() > MAX_KEYWORDS {
        out.push(error(
            d.keywords[MAX_KEYWORDS].span,
            format!("{} keywords, more than {MAX_KEYWORDS}", d.keywords.len()),
        ));
    }
    for k in &d.keywords {
        let chars = k.value.chars().count();
        if chars == 0 || chars > MAX_KEYWORD {
            out.push(error(
                k.span,
                format!("this keyword has {chars} characters"),
            ));
        } else if k.value.chars().any(char::is_control) {
            out.push(error(
                k.span,
                "this keyword holds a control character".into(),
            ));
        } else if k.value.trim() != k.value {
            out.push(error(
                k.span,
                "this keyword starts or ends with a space".into(),
            ));
        }
    }
}

/// E233: patterns and keywords that can never match a whole word. `compiled`: the detector's
/// patterns that compiled, each with its translation.
fn check_words(d: &Detector, compiled: &[(&Str, Hir)], out: &mut Vec<ValidateError>) {
    for (p, hir) in compiled {
        let Some(reason) = pattern::never_a_word(hir) else {
            continue;
        };
        let (problem, help) = match reason {
            NeverAWord::LineBreak => (
                "every match holds a line break",
                "a pattern matches within one line: leave the line break (`\\n`) out",
            ),
            NeverAWord::Start => (
                "every match starts with a character that is not a letter, digit or `_`",
                WORD_EDGE_HELP,
            ),
            NeverAWord::End => (
                "every match ends with a character that is not a letter, digit or `_`",
                WORD_EDGE_HELP,
            ),
            NeverAWord::StartOrEnd => (
                "every match starts or ends with a character that is not a letter, digit or `_`",
                WORD_EDGE_HELP,
            ),
        };
        out.push(ValidateError(
            Diagnostic::new(
                Code::E233,
                format!(
                    "pattern of detector {} can never match a whole word",
                    quote(&d.name.text)
                ),
            )
            .label(p.span, problem)
            .help(help),
        ));
    }
    for k in &d.keywords {
        if !k.value.chars().any(char::is_alphanumeric) {
            out.push(ValidateError(
                Diagnostic::new(
                    Code::E233,
                    format!(
                        "keyword of detector {} can never match as a word",
                        quote(&d.name.text)
                    ),
                )
                .label(k.span, "this keyword has no letter or digit")
                .help("keywords match whole words: write the word itself, or describe the text with a `pattern`"),
            ));
        }
    }
}

/// A match that starts or ends with a non-word character is found only glued to another word.
const WORD_EDGE_HELP: &str = "every engine matches a pattern as a whole word (`\\b…\\b`), which needs another word right beside such a character: start and end the pattern with a letter, digit or `_` (leave a leading `$` or a trailing `-` out)";

/// `compiled`: the detector's patterns that compiled, each with its translation.
fn check_weights(d: &Detector, compiled: &[(&Str, Hir)], out: &mut Vec<ValidateError>) {
    for c in &d.checks {
        let Checksum::Weighted { weights, .. } = &c.value else {
            continue;
        };
        if d.patterns.is_empty() {
            out.push(ValidateError(
                Diagnostic::new(
                    Code::E232,
                    format!(
                        "detector {} checks a checksum but has no `pattern`",
                        quote(&d.name.text)
                    ),
                )
                .label(c.span, "a checksum applies to what a pattern matches")
                .help("add the `pattern` whose matches carry the check digits"),
            ));
            continue;
        }
        for (p, hir) in compiled {
            // Counted up to the longest match (a match has no more digits than characters), so
            // the message names the real counts; bounded, as a pattern may repeat 1000 times.
            let longest = hir.properties().maximum_len().unwrap_or(0);
            let limit = weights.len().max(longest.min(pattern::MAX_REPEAT as usize));
            let counts = pattern::digit_counts(hir, limit);
            if !counts.contains(weights.len()) {
                out.push(ValidateError(
                    Diagnostic::new(
                        Code::E232,
                        format!(
                            "weighted checksum of detector {} can never pass",
                            quote(&d.name.text)
                        ),
                    )
                    .label(c.span, format!("{} weights, one per digit", weights.len()))
                    .label(p.span, format!("its matches have {}", counts.describe()))
                    .help("give one weight per digit of the number, the check digit included; the separators a pattern allows are not digits"),
                ));
            }
        }
    }
}
