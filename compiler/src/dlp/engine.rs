//! The built-in scanner: the policy's detectors, compiled once, run over text.
//!
//! Semantics (the same the DLP targets emit): a pattern matches whole words (`\b…\b`, ASCII
//! word characters) within one line, with the detector's case rule; every `check` must pass
//! on the match; keywords match whole words, ASCII letters folded unless `case-sensitive`.
//! With `near`, a match that has one of the words within N characters (before or after,
//! across lines) gets the detector's confidence, and one level less without (nothing, if
//! that was `low`). A detector reports only if it matched at least `min-count` times in the
//! document.
//!
//! Speed: a byte prefilter, then a regex set, then each matching pattern alone. Every pattern
//! has a set of bytes of which each of its matches holds at least one (`required_bytes`,
//! chosen to be rare in text: digits for card numbers, `@` for email addresses, `-` for SSNs).
//! Matches never span lines (patterns are printable ASCII), so only a line holding one of
//! those bytes can match: the scanner jumps from such byte to such byte (SIMD), asks the regex
//! set (regex-automata, every pattern at once) which patterns match in that line, and runs
//! only those; checksums and context words are evaluated only on their matches. Keywords are
//! one Aho–Corasick pass over the whole text.
//!
//! A long document is scanned in parts (`scan_part`, driven by `dlp::stream`): what decides
//! a hit lies within `reach()` bytes of it (patterns have a longest match, context words a
//! `within`), so a part scanned with that much text on either side finds what one pass over
//! the whole text finds there.
//!
//! The scanner reads detectors as `Detector`s, which `dlp::scanner` makes from the IR and
//! validation makes from a declaration, to run its examples: one engine for both.

use crate::dlp::{checksum, pattern};
use crate::vocabulary::{Checksum, Confidence};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use memchr::{memchr, memrchr};
use regex_automata::meta::Regex;
use regex_automata::{Input, PatternSet};
use regex_syntax::hir::{Class, Hir, HirKind};
use std::ops::Range;

/// A set of bytes, as a lookup table.
type ByteSet = [bool; 256];

/// Finds the next byte of a set: with a SIMD searcher (aho-corasick's Teddy) where the CPU
/// has one, else with the lookup table.
enum ByteFinder {
    Simd(aho_corasick::packed::Searcher),
    Table(ByteSet),
}

impl ByteFinder {
    fn new(set: ByteSet) -> ByteFinder {
        let bytes: Vec<[u8; 1]> = (0..=255u8)
            .filter(|b| set[usize::from(*b)])
            .map(|b| [b])
            .collect();
        aho_corasick::packed::Config::new()
            .builder()
            .extend(&bytes)
            .build()
            .map_or(ByteFinder::Table(set), ByteFinder::Simd)
    }

    fn find(&self, text: &[u8], from: usize) -> Option<usize> {
        match self {
            ByteFinder::Simd(s) => s
                .find_in(text, aho_corasick::Span::from(from..text.len()))
                .map(|m| m.start()),
            ByteFinder::Table(set) => text[from..]
                .iter()
                .position(|b| set[usize::from(*b)])
                .map(|i| from + i),
        }
    }
}

/// A detector as the scanner reads it.
#[derive(Clone, Debug)]
pub struct Detector<'a> {
    pub class: &'a str,
    pub name: &'a str,
    pub patterns: Vec<&'a str>,
    pub keywords: Vec<&'a str>,
    pub checks: Vec<Checksum>,
    /// The context words, and within how many bytes of a match (`near … within N`).
    pub near: Option<(Vec<&'a str>, u32)>,
    pub confidence: Confidence,
    pub min_count: u32,
    pub case_sensitive: bool,
}

/// Which part of a detector matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Its pattern of this index.
    Pattern(usize),
    Keyword,
}

/// What the scanner drops on the way to its hits, told to a caller that wants to know why a
/// text was not found (validation of a detector's examples). `scan` tells `()`, which keeps
/// nothing.
pub trait Trace {
    /// A whole-word match of a pattern that fails one of the detector's checks.
    fn fails_check(&mut self, _detector: usize, _at: Range<usize>, _check: &Checksum) {}
    /// A match with no context word near, whose confidence falls below low.
    fn without_context(&mut self, _detector: usize, _at: Range<usize>) {}
    /// A detector that matched fewer times than its `min-count`.
    fn too_few(&mut self, _detector: usize, _matches: u32) {}
}

impl Trace for () {}

/// Where each pattern's search goes on in a line that one part of a text ends inside and the
/// next part continues: the end of the pattern's last match there (see `Scanner::scan_part`).
pub struct Resume(Vec<usize>);

impl Resume {
    /// Nothing found yet: every search starts where its line does.
    pub fn new(scanner: &Scanner) -> Resume {
        Resume(vec![0; scanner.pattern_owner.len()])
    }

    /// The text lost its first `by` bytes.
    pub fn shift(&mut self, by: usize) {
        for r in &mut self.0 {
            *r = r.saturating_sub(by);
        }
    }
}

/// A detector, compiled.
struct Compiled {
    class: String,
    name: String,
    patterns: Vec<Regex>,
    checks: Vec<Checksum>,
    near: Option<(AhoCorasick, usize)>,
    confidence: Confidence,
    min_count: u32,
}

/// One keyword automaton: patterns map to their detectors.
struct Keywords {
    /// Leftmost-longest, non-overlapping: fast (SIMD prefilters); finds where keywords are.
    finder: AhoCorasick,
    /// Every match, overlaps included: run only around what `finder` found.
    automaton: AhoCorasick,
    detector_of: Vec<usize>,
    longest: usize,
}

pub struct Scanner {
    detectors: Vec<Compiled>,
    /// Every pattern of every detector in one regex reporting each one that matches (a regex
    /// set): which patterns to run on a candidate line.
    which_patterns: Option<Regex>,
    /// The detector and the index among its patterns of each pattern of `which_patterns`.
    pattern_owner: Vec<(usize, usize)>,
    /// Bytes of which every match of any pattern holds one.
    prefilter: ByteFinder,
    /// Case-sensitive keywords, and keywords with ASCII case folded.
    keywords: Vec<Keywords>,
    /// The longest match of any pattern or keyword, in bytes (the subset has no unbounded
    /// repeat, and validation caps keywords).
    longest: usize,
    /// The widest `near … within`.
    widest_context: usize,
}

/// A detector's match that passed its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Byte offset of the match in the scanned text.
    pub offset: usize,
    /// Byte offset just past the match.
    pub end: usize,
    pub detector: usize,
    pub part: Part,
    pub confidence: Confidence,
}

fn build_with(
    hirs: &[regex_syntax::hir::Hir],
    kind: regex_automata::MatchKind,
) -> Result<Regex, String> {
    Regex::builder()
        .configure(Regex::config().utf8_empty(false).match_kind(kind))
        .build_many_from_hir(hirs)
        .map_err(|e| e.to_string())
}

fn keyword_automaton(
    words: &[&str],
    fold_case: bool,
    kind: MatchKind,
) -> Result<AhoCorasick, String> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(fold_case)
        .match_kind(kind)
        .build(words)
        .map_err(|e| e.to_string())
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `text[start..end]` is a whole word: no word character touches either end. An empty
/// match (an empty keyword, which validation refuses) is none.
fn whole_word_at(text: &[u8], start: usize, end: usize) -> bool {
    if start >= end {
        return false;
    }
    let before = start == 0 || !is_word_byte(text[start - 1]) || !is_word_byte(text[start]);
    let after = end == text.len() || !is_word_byte(text[end]) || !is_word_byte(text[end - 1]);
    before && after
}

impl Scanner {
    /// Compile the detectors. Validation has checked the patterns, so an error here means a
    /// pattern the engine itself cannot build (its size limits).
    pub fn new(given: &[Detector]) -> Result<Scanner, String> {
        let mut detectors = Vec::new();
        let mut every_hir = Vec::new();
        let mut pattern_owner = Vec::new();
        let mut keywords: [(Vec<&str>, Vec<usize>); 2] = Default::default();
        let mut longest = 0;
        for d in given {
            let index = detectors.len();
            let hirs = d
                .patterns
                .iter()
                .map(|p| pattern::runnable(p, d.case_sensitive))
                .collect::<Result<Vec<Hir>, _>>()
                .map_err(|e| format!("detector `{}`: {}", d.name, e.problem))?;
            for hir in &hirs {
                let len = hir.properties().maximum_len().ok_or_else(|| {
                    format!("detector `{}`: a pattern without a longest match", d.name)
                })?;
                longest = longest.max(len);
            }
            longest = longest.max(d.keywords.iter().map(|k| k.len()).max().unwrap_or(0));
            every_hir.extend(hirs.iter().cloned());
            pattern_owner.extend((0..hirs.len()).map(|i| (index, i)));
            let near = match &d.near {
                Some((words, within)) => Some((
                    keyword_automaton(words, true, MatchKind::Standard)?,
                    *within as usize,
                )),
                None => None,
            };
            let (list, owners) = &mut keywords[usize::from(!d.case_sensitive)];
            for k in &d.keywords {
                list.push(k);
                owners.push(index);
            }
            detectors.push(Compiled {
                class: d.class.to_string(),
                name: d.name.to_string(),
                patterns: hirs
                    .iter()
                    .map(|h| {
                        build_with(
                            std::slice::from_ref(h),
                            regex_automata::MatchKind::LeftmostFirst,
                        )
                    })
                    .collect::<Result<_, _>>()?,
                checks: d.checks.clone(),
                near,
                confidence: d.confidence,
                min_count: d.min_count,
            });
        }
        // A pattern without a required byte (none in the subset today) makes every byte one.
        let mut prefilter = [false; 256];
        for hir in &every_hir {
            let set = required_bytes(hir).unwrap_or([true; 256]);
            for b in 0..256 {
                prefilter[b] |= set[b];
            }
        }
        let prefilter = ByteFinder::new(prefilter);
        let which_patterns = if every_hir.is_empty() {
            None
        } else {
            Some(build_with(&every_hir, regex_automata::MatchKind::All)?)
        };
        let mut automata = Vec::new();
        for (fold_case, (words, owners)) in [false, true].into_iter().zip(keywords) {
            if !words.is_empty() {
                automata.push(Keywords {
                    finder: keyword_automaton(&words, fold_case, MatchKind::LeftmostLongest)?,
                    automaton: keyword_automaton(&words, fold_case, MatchKind::Standard)?,
                    longest: words.iter().map(|w| w.len()).max().unwrap_or(0),
                    detector_of: owners,
                });
            }
        }
        let widest_context = detectors
            .iter()
            .filter_map(|d| d.near.as_ref().map(|(_, within)| *within))
            .max()
            .unwrap_or(0);
        Ok(Scanner {
            detectors,
            which_patterns,
            pattern_owner,
            prefilter,
            keywords: automata,
            longest,
            widest_context,
        })
    }

    /// The class and the name of a detector, by the index in a `Hit`.
    pub fn detector(&self, index: usize) -> (&str, &str) {
        let d = &self.detectors[index];
        (&d.class, &d.name)
    }

    /// How many matches of a detector a document needs for any to count (`min-count`).
    pub fn min_count(&self, detector: usize) -> u32 {
        self.detectors[detector].min_count
    }

    /// How far what decides a hit reaches past its part of a text: a match that starts in
    /// the part, the byte after it (whole words) and its context words (`within`). A text
    /// scanned in parts has this much beyond each part's end, and as much before its start.
    pub fn reach(&self) -> usize {
        self.longest + self.widest_context + 2
    }

    /// Every hit in a document, in order of offset, detectors with too few hits left out.
    pub fn scan(&self, text: &[u8]) -> Vec<Hit> {
        self.scan_traced(text, &mut ())
    }

    /// `scan`, telling `trace` what it drops and why.
    pub fn scan_traced(&self, text: &[u8], trace: &mut impl Trace) -> Vec<Hit> {
        let mut hits = self.scan_part(text, 0..text.len(), &mut Resume::new(self), trace);
        let mut counts = vec![0u32; self.detectors.len()];
        for h in &hits {
            counts[h.detector] += 1;
        }
        for (detector, &count) in counts.iter().enumerate() {
            if count > 0 && count < self.detectors[detector].min_count {
                trace.too_few(detector, count);
            }
        }
        hits.retain(|h| counts[h.detector] >= self.detectors[h.detector].min_count);
        hits
    }

    /// The hits that start in `text[part]`, in order of offset, before `min-count` is applied.
    /// The same as in the whole text as long as `text` holds `reach()` bytes on either side of
    /// `part` (or the document ends there), `part` starts where the previous part ended, and
    /// `resume` is the one the previous part was scanned with: a part may end inside a line
    /// (a line longer than a window), and each pattern's search then goes on from its last
    /// match, as in one pass over the line.
    pub fn scan_part(
        &self,
        text: &[u8],
        part: Range<usize>,
        resume: &mut Resume,
        trace: &mut impl Trace,
    ) -> Vec<Hit> {
        let mut hits = Vec::new();
        if let Some(which) = &self.which_patterns {
            self.scan_prefiltered(which, text, &part, resume, &mut hits, trace);
        }
        for k in &self.keywords {
            // Every occurrence overlaps or lies within `longest` bytes of a leftmost-longest
            // match, so searching for overlaps around those matches finds them all (windows
            // may overlap: the hits are de-duplicated below). An occurrence that starts in the
            // part ends before `part.end + longest`.
            let span = part.start..(part.end + k.longest).min(text.len());
            for found in k
                .finder
                .find_iter(aho_corasick::Input::new(text).span(span))
            {
                let from = found.start().saturating_sub(k.longest);
                let to = (found.end() + k.longest).min(text.len());
                for m in k.automaton.find_overlapping_iter(&text[from..to]) {
                    let (start, end) = (from + m.start(), from + m.end());
                    if part.contains(&start) && whole_word_at(text, start, end) {
                        let detector = k.detector_of[m.pattern().as_usize()];
                        if let Some(confidence) = self.judge(detector, text, start, end, trace) {
                            hits.push(Hit {
                                offset: start,
                                end,
                                detector,
                                part: Part::Keyword,
                                confidence,
                            });
                        }
                    }
                }
            }
        }
        hits.sort_by_key(|h| (h.offset, h.detector));
        hits.dedup_by_key(|h| (h.offset, h.detector));
        hits
    }

    /// From each byte of the prefilter to its line; the patterns the regex set finds in that
    /// line are searched one by one. A match holds a prefilter byte, so one that starts in the
    /// part has it before `part.end + longest`.
    fn scan_prefiltered(
        &self,
        which: &Regex,
        text: &[u8],
        part: &Range<usize>,
        resume: &mut Resume,
        hits: &mut Vec<Hit>,
        trace: &mut impl Trace,
    ) {
        let mut matched = PatternSet::new(which.pattern_len());
        let limit = (part.end + self.longest).min(text.len());
        let mut pos = part.start;
        while let Some(at) = self.prefilter.find(&text[..limit], pos) {
            let start = memrchr(b'\n', &text[pos..at]).map_or(pos, |j| pos + j + 1);
            if start >= part.end {
                break;
            }
            let end = memchr(b'\n', &text[at..]).map_or(text.len(), |j| at + j);
            matched.clear();
            which.which_overlapping_matches(&Input::new(text).range(start..end), &mut matched);
            for pattern in matched.iter() {
                let line = start..end;
                self.scan_pattern(
                    text,
                    line,
                    part.end,
                    pattern.as_usize(),
                    resume,
                    hits,
                    trace,
                );
            }
            // Past the line break: a class may allow one, making it a prefilter byte too.
            pos = (end + 1).min(limit);
        }
    }

    /// Every match of one pattern (by its index in the regex set) in the line `text[line]`
    /// that starts before `until` and passes its checks. The search starts at the line or at
    /// the end of the pattern's last match in it, and sees the bytes around the line (`\b`).
    #[allow(clippy::too_many_arguments)]
    fn scan_pattern(
        &self,
        text: &[u8],
        line: Range<usize>,
        until: usize,
        index: usize,
        resume: &mut Resume,
        hits: &mut Vec<Hit>,
        trace: &mut impl Trace,
    ) {
        let (detector, pattern) = self.pattern_owner[index];
        let d = &self.detectors[detector];
        let from = line.start.max(resume.0[index]);
        if from >= line.end {
            return;
        }
        for m in d.patterns[pattern].find_iter(Input::new(text).range(from..line.end)) {
            let (s, e) = (m.start(), m.end());
            if s >= until {
                break;
            }
            resume.0[index] = e;
            if let Some(failed) = d.checks.iter().find(|c| !checksum::passes(c, &text[s..e])) {
                trace.fails_check(detector, s..e, failed);
                continue;
            }
            if let Some(confidence) = self.judge(detector, text, s, e, trace) {
                hits.push(Hit {
                    offset: s,
                    end: e,
                    detector,
                    part: Part::Pattern(pattern),
                    confidence,
                });
            }
        }
    }

    /// The confidence of a match at `text[start..end]`: the declared one, one level less if
    /// the detector wants context words and none is near.
    fn judge(
        &self,
        detector: usize,
        text: &[u8],
        start: usize,
        end: usize,
        trace: &mut impl Trace,
    ) -> Option<Confidence> {
        let d = &self.detectors[detector];
        let Some((words, within)) = &d.near else {
            return Some(d.confidence);
        };
        let from = start.saturating_sub(*within);
        let to = (end + within).min(text.len());
        let near = words
            .find_overlapping_iter(&text[from..to])
            .any(|m| whole_word_at(text, from + m.start(), from + m.end()));
        if near {
            return Some(d.confidence);
        }
        let lower = without_context(d.confidence);
        if lower.is_none() {
            trace.without_context(detector, start..end);
        }
        lower
    }
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

/// How often a byte appears in chat text, roughly: the prefilter prefers rare bytes.
fn frequency(b: u8) -> u32 {
    match b {
        b'a'..=b'z' | b' ' => 40,
        b'A'..=b'Z' => 8,
        b'0'..=b'9' | b'.' | b',' => 3,
        _ => 1,
    }
}

fn cost(set: &ByteSet) -> u32 {
    (0..=255u8)
        .filter(|b| set[usize::from(*b)])
        .map(frequency)
        .sum()
}

/// A set of bytes of which every match of `hir` holds at least one, as rare as the pattern
/// allows; `None` if there is none (a pattern that can match without any particular byte).
fn required_bytes(hir: &Hir) -> Option<ByteSet> {
    let single = |b: u8| {
        let mut set = [false; 256];
        set[usize::from(b)] = true;
        set
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(lit) => lit.0.iter().map(|b| single(*b)).min_by_key(cost),
        HirKind::Class(Class::Bytes(class)) => {
            let mut set = [false; 256];
            for r in class.ranges() {
                for b in r.start()..=r.end() {
                    set[usize::from(b)] = true;
                }
            }
            Some(set)
        }
        HirKind::Class(Class::Unicode(_)) => None,
        HirKind::Repetition(r) if r.min >= 1 => required_bytes(&r.sub),
        HirKind::Repetition(_) => None,
        HirKind::Capture(c) => required_bytes(&c.sub),
        HirKind::Concat(parts) => parts.iter().filter_map(required_bytes).min_by_key(cost),
        HirKind::Alternation(branches) => branches.iter().try_fold([false; 256], |mut union, b| {
            let set = required_bytes(b)?;
            for i in 0..256 {
                union[i] |= set[i];
            }
            Some(union)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn required(pattern: &str) -> String {
        let hir = pattern::runnable(pattern, true).unwrap();
        let set = required_bytes(&hir).unwrap();
        (0..=255u8)
            .filter(|b| set[usize::from(*b)])
            .map(char::from)
            .collect()
    }

    #[test]
    fn prefilter_bytes_are_rare_and_required() {
        assert_eq!(required("[a-z]{1,9}@[a-z]{2,9}"), "@");
        assert_eq!(required("[0-9]{3}-[0-9]{2}"), "-");
        assert_eq!(required("[A-Z]{2}[0-9]{2}"), "0123456789");
        assert_eq!(required("ab|[0-9]x"), "0123456789a");
        assert!(required_bytes(&pattern::compile("a?b?c", true).unwrap()).is_some());
        assert!(required_bytes(&Hir::empty()).is_none());
    }

    #[test]
    fn simd_and_table_byte_finders_agree() {
        let mut set = [false; 256];
        for b in b"0123456789@-" {
            set[usize::from(*b)] = true;
        }
        let text = b"lunch at noon - or ask kari@x, room 7b\nno digits here\n42";
        let table = ByteFinder::Table(set);
        let any = ByteFinder::new(set);
        for from in 0..text.len() {
            assert_eq!(any.find(text, from), table.find(text, from), "from {from}");
        }
        assert_eq!(table.find(text, 0), Some(14));
    }

    /// What a trace is told, in order.
    #[derive(Default)]
    struct Told(Vec<String>);

    impl Trace for Told {
        fn fails_check(&mut self, _: usize, at: Range<usize>, _: &Checksum) {
            self.0.push(format!("check {at:?}"));
        }
        fn without_context(&mut self, _: usize, at: Range<usize>) {
            self.0.push(format!("context {at:?}"));
        }
        fn too_few(&mut self, _: usize, matches: u32) {
            self.0.push(format!("too few {matches}"));
        }
    }

    #[test]
    fn a_trace_is_told_what_the_scanner_drops() {
        let d = Detector {
            class: "payroll",
            name: "employee-number",
            patterns: vec!["EMP-[0-9]{6}"],
            keywords: vec![],
            checks: vec![Checksum::Luhn],
            near: Some((vec!["employee"], 12)),
            confidence: Confidence::Low,
            min_count: 2,
            case_sensitive: true,
        };
        let scanner = Scanner::new(&[d]).unwrap();
        let told = |text: &str| {
            let mut t = Told::default();
            let hits = scanner.scan_traced(text.as_bytes(), &mut t);
            (hits.len(), t.0)
        };
        assert_eq!(told("employee EMP-123455 employee EMP-000422"), (2, vec![]));
        assert_eq!(
            told("employee EMP-123456, employee EMP-000422"),
            (0, vec!["check 9..19".into(), "too few 1".into()])
        );
        assert_eq!(
            told("EMP-123455 then much later: employee EMP-000422"),
            (0, vec!["context 0..10".into(), "too few 1".into()])
        );
        assert_eq!(told("EMP 123455"), (0, vec![]));
    }

    #[test]
    fn whole_words_only() {
        assert!(whole_word_at(b"a SECRET b", 2, 8));
        assert!(!whole_word_at(b"SECRETARY", 0, 6));
        assert!(!whole_word_at(b"TOPSECRET", 3, 9));
        assert!(whole_word_at(b"SECRET.", 0, 6));
    }
}
