//! Every detector finds its examples and none of its non-examples, each run through the scanner
//! `msgpol scan` uses (`dlp::engine`: patterns as whole words, keywords, checks, context words,
//! `min-count`), as a document of its own:
//! - E234: an example the detector does not find, and which part of the detector stops it (no
//!   pattern or keyword matches, a check fails, no context word is near, too few matches);
//! - E235: a non-example it finds, and what in it matches.
//!
//! A detector whose patterns do not compile is left to the `detectors` check (E213, E230).

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::dlp::engine::{Detector as Scanned, Hit, Part, Scanner, Trace};
use crate::syntax::ast::{Detector, Str};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::Checksum;
use std::ops::Range;
use std::sync::{Arc, Mutex};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for (class, def) in &ctx.program.classes {
        for d in &def.decl.detectors {
            if d.examples.is_empty() && d.not_examples.is_empty() {
                continue;
            }
            let Some(scanner) = scanner(ctx, class, d) else {
                continue;
            };
            for example in &d.examples {
                let mut why = Why::default();
                let text = example.value.as_bytes();
                if scanner.scan_traced(text, &mut why).is_empty() {
                    out.push(misses(d, example, &why.describe(d, text)));
                }
            }
            for non_example in &d.not_examples {
                let text = non_example.value.as_bytes();
                let hits = scanner.scan(text);
                if let Some(first) = hits.first() {
                    out.push(finds(
                        d,
                        non_example,
                        &what_matches(d, text, first, hits.len()),
                    ));
                }
            }
        }
    }
}

/// The scanner of detector `d` of `class`, if its patterns compile. Those of the standard
/// library are kept for the process, keyed by where they are written (the modules never
/// change): every policy importing `std.classes` checks the same examples, and compiling their
/// patterns is most of the time a check takes.
fn scanner(ctx: &Context, class: &str, d: &Detector) -> Option<Arc<Scanner>> {
    let compile = || Scanner::new(&[scanned(class, d)]).ok().map(Arc::new);
    let file = ctx.map.get(d.span.file);
    if !file.is_stdlib {
        return compile();
    }
    type Key = (String, String, usize);
    static COMPILED: Mutex<Vec<(Key, Arc<Scanner>)>> = Mutex::new(Vec::new());
    let key = (file.name.clone(), class.to_string(), d.span.start);
    let cached = COMPILED.lock().expect("no panic holds the lock");
    if let Some((_, scanner)) = cached.iter().find(|(k, _)| *k == key) {
        return Some(scanner.clone());
    }
    drop(cached);
    let scanner = compile()?;
    COMPILED
        .lock()
        .expect("no panic holds the lock")
        .push((key, scanner.clone()));
    Some(scanner)
}

/// A declared detector as the scanner reads it.
fn scanned<'a>(class: &'a str, d: &'a Detector) -> Scanned<'a> {
    Scanned {
        class,
        name: &d.name.text,
        patterns: d.patterns.iter().map(|p| p.value.as_str()).collect(),
        keywords: d.keywords.iter().map(|k| k.value.as_str()).collect(),
        checks: d.checks.iter().map(|c| c.value.clone()).collect(),
        near: d.near.as_ref().map(|n| {
            (
                n.words.iter().map(|w| w.value.as_str()).collect(),
                n.within.value,
            )
        }),
        confidence: d.confidence(),
        min_count: d.min_count(),
        case_sensitive: d.case_sensitive,
    }
}

/// Why the scanner dropped what it matched: the first match that failed a check, the first
/// without context words, and how many matches there were if too few.
#[derive(Default)]
struct Why {
    failed_check: Option<(Range<usize>, Checksum)>,
    without_context: Option<Range<usize>>,
    too_few: Option<u32>,
}

impl Trace for Why {
    fn fails_check(&mut self, _: usize, at: Range<usize>, check: &Checksum) {
        self.failed_check.get_or_insert((at, check.clone()));
    }
    fn without_context(&mut self, _: usize, at: Range<usize>) {
        self.without_context.get_or_insert(at);
    }
    fn too_few(&mut self, _: usize, matches: u32) {
        self.too_few = Some(matches);
    }
}

fn matched(text: &[u8], at: Range<usize>) -> String {
    quote(&String::from_utf8_lossy(&text[at]))
}

fn check_name(check: &Checksum) -> String {
    match check {
        Checksum::Luhn => "the luhn check".into(),
        Checksum::Iban => "the iban check".into(),
        Checksum::Weighted { modulus, .. } => format!("the weighted check (mod {modulus})"),
    }
}

/// "the pattern" or, in a detector with several, "a pattern".
fn a_pattern(d: &Detector) -> &'static str {
    if d.patterns.len() == 1 {
        "the pattern"
    } else {
        "a pattern"
    }
}

impl Why {
    /// Which part of the detector stops it from finding `text`.
    fn describe(&self, d: &Detector, text: &[u8]) -> String {
        let dropped = self
            .failed_check
            .as_ref()
            .map(|(at, check)| {
                format!(
                    "{} matches {}, but {} fails on it",
                    a_pattern(d),
                    matched(text, at.clone()),
                    check_name(check)
                )
            })
            .or_else(|| {
                let at = self.without_context.clone()?;
                let near = d.near.as_ref()?;
                Some(format!(
                    "{} has no context word within {} characters, and a low-confidence match without one is not reported",
                    matched(text, at),
                    near.within.value
                ))
            });
        match (self.too_few, dropped) {
            (Some(n), dropped) => {
                let times = if n == 1 {
                    "once".to_string()
                } else {
                    format!("{n} times")
                };
                let mut out = format!(
                    "it matches {times}, and reports from {} matches (`min-count`)",
                    d.min_count()
                );
                if let Some(dropped) = dropped {
                    out.push_str("; ");
                    out.push_str(&dropped);
                }
                out
            }
            (None, Some(dropped)) => dropped,
            (None, None) => match (d.patterns.is_empty(), d.keywords.is_empty()) {
                (false, true) => format!("{} matches no whole word here", a_pattern(d)),
                (true, false) if in_another_case(d, text) => {
                    "a keyword occurs here only in another case, and the detector is `case-sensitive`".into()
                }
                (true, false) => "no keyword occurs here as a whole word".into(),
                _ => "no pattern matches a whole word here, and no keyword occurs as one".into(),
            },
        }
    }
}

/// Whether a keyword of a case-sensitive detector occurs in `text` in another case.
fn in_another_case(d: &Detector, text: &[u8]) -> bool {
    let text = text.to_ascii_lowercase();
    d.case_sensitive
        && d.keywords.iter().any(|k| {
            let k = k.value.to_ascii_lowercase();
            !k.is_empty() && text.windows(k.len()).any(|w| w == k.as_bytes())
        })
}

/// What in a non-example the detector finds: its first hit, of `count`.
fn what_matches(d: &Detector, text: &[u8], first: &Hit, count: usize) -> String {
    let found = matched(text, first.offset..first.end);
    let mut out = match first.part {
        Part::Pattern(i) => {
            let which = if d.patterns.len() == 1 {
                "the pattern".to_string()
            } else {
                format!("pattern {}", i + 1)
            };
            let checks: Vec<String> = d.checks.iter().map(|c| check_name(&c.value)).collect();
            if checks.is_empty() {
                format!("{which} matches {found}")
            } else {
                format!(
                    "{which} matches {found}, and it passes {}",
                    checks.join(" and ")
                )
            }
        }
        Part::Keyword => {
            let exact = d
                .keywords
                .iter()
                .any(|k| k.value.as_bytes() == &text[first.offset..first.end]);
            if exact || d.case_sensitive {
                format!("{found} is a keyword")
            } else {
                format!("{found} is a keyword, in another case (without `case-sensitive`, case is ignored)")
            }
        }
    };
    if d.min_count() > 1 {
        out.push_str(&format!(
            " ({count} matches, `min-count {}`)",
            d.min_count()
        ));
    }
    out
}

/// E234: a detector does not find one of its examples.
fn misses(d: &Detector, example: &Str, why: &str) -> ValidateError {
    ValidateError(
        Diagnostic::new(
            Code::E234,
            format!("detector {} does not find its example", quote(&d.name.text)),
        )
        .label(example.span, why)
        .help("change the detector so that it finds the example, or correct the example; `msgpol scan` finds what the detector finds, and every DLP target is checked against these examples"),
    )
}

/// E235: a detector finds one of its non-examples.
fn finds(d: &Detector, non_example: &Str, what: &str) -> ValidateError {
    ValidateError(
        Diagnostic::new(
            Code::E235,
            format!(
                "detector {} finds its non-example",
                quote(&d.name.text)
            ),
        )
        .label(non_example.span, what)
        .help("narrow the detector (a stricter pattern, a `check`, `near` context words, `case-sensitive`) so that it leaves the non-example alone, or correct the non-example"),
    )
}
