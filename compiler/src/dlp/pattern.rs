//! The portable regex subset a detector pattern must fit, so that one source pattern means the
//! same in the built-in scanner (Rust regex), Google DLP (RE2), Purview (Boost) and YARA.
//!
//! The subset: printable ASCII; literal text, bracketed classes of ASCII characters and
//! ranges (`[0-9]`, `[A-Z ]`), `|`, groups, `?` and bounded repeats `{n}` / `{n,m}` up to
//! 1000 of a single character or class (no repeated groups). Not allowed: `.`, `\d`-style and
//! Unicode classes, negated or nested classes, anchors and word boundaries (every pattern
//! matches whole words: each engine gets it wrapped in `\b…\b`), inline flags (case is the
//! detector's `case-sensitive`), lazy repeats, lookaround and backreferences.
//!
//! A pattern is checked on the regex-syntax AST, which keeps the position of every part, so a
//! violation points at the offending characters. It is then translated once to HIR with the
//! detector's case rule applied (folded into classes), and every engine prints that HIR in its
//! own dialect: the case rule and the meaning travel with the pattern.

use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{self, Hir, HirKind, Look};
use std::ops::Range;

/// Largest `{n,m}` bound: RE2's limit (YARA allows 32767).
pub const MAX_REPEAT: u32 = 1000;
/// Longest regex, in characters: Purview's limit, the tightest of the engines. Validation
/// holds a detector's pattern to it, and the purview target the regex it writes.
pub const MAX_LENGTH: usize = 1024;

/// Why a pattern is not usable, and where in the pattern text.
#[derive(Debug, PartialEq, Eq)]
pub struct PatternError {
    /// Byte range in the pattern.
    pub at: Range<usize>,
    pub problem: String,
    pub help: &'static str,
    /// A regex syntax error (rather than valid regex outside the subset).
    pub syntax: bool,
}

fn outside(span: &ast::Span, problem: impl Into<String>, help: &'static str) -> PatternError {
    PatternError {
        at: span.start.offset..span.end.offset,
        problem: problem.into(),
        help,
        syntax: false,
    }
}

/// Check a pattern against the subset and translate it, with the case rule applied.
pub fn compile(pattern: &str, case_sensitive: bool) -> Result<Hir, PatternError> {
    if let Some((i, c)) = pattern
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_graphic() || *c == ' '))
    {
        return Err(PatternError {
            at: i..i + c.len_utf8(),
            problem: "only printable ASCII is allowed in a pattern".into(),
            help: "match other text with `keywords`, or write the ASCII characters you mean",
            syntax: false,
        });
    }
    let tree = ast::parse::ParserBuilder::new()
        .nest_limit(50)
        .build()
        .parse(pattern)
        .map_err(|e| PatternError {
            at: e.span().start.offset..e.span().end.offset,
            problem: e.kind().to_string(),
            help: "fix the regular expression at this place",
            syntax: true,
        })?;
    check(&tree)?;
    let hir = hir::translate::TranslatorBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(!case_sensitive)
        .build()
        .translate(pattern, &tree)
        .map_err(|e| PatternError {
            at: e.span().start.offset..e.span().end.offset,
            problem: e.kind().to_string(),
            help: "fix the regular expression at this place",
            syntax: true,
        })?;
    if hir.properties().minimum_len() == Some(0) {
        return Err(PatternError {
            at: 0..pattern.len(),
            problem: "the pattern matches empty text".into(),
            help: "every pattern must match at least one character; make one part required",
            syntax: false,
        });
    }
    Ok(hir)
}

fn check(node: &Ast) -> Result<(), PatternError> {
    const CLASS_HELP: &str =
        "write the characters you mean as an ASCII class, e.g. `[0-9]` or `[A-Za-z]`";
    match node {
        Ast::Empty(_) | Ast::Literal(_) => Ok(()),
        Ast::Flags(f) => Err(outside(
            &f.span,
            "inline flags are not portable",
            "case is a detector statement: add `case-sensitive` or leave it out",
        )),
        Ast::Dot(span) => Err(outside(
            span,
            "`.` matches any character, differently in each engine",
            CLASS_HELP,
        )),
        Ast::Assertion(a) => Err(outside(
            &a.span,
            "anchors and word boundaries are added by msgpol",
            "leave it out: every pattern matches whole words only",
        )),
        Ast::ClassUnicode(c) => Err(outside(
            &c.span,
            "Unicode classes are not portable",
            CLASS_HELP,
        )),
        Ast::ClassPerl(c) => Err(outside(
            &c.span,
            "`\\d`, `\\w` and `\\s` mean different things in each engine",
            CLASS_HELP,
        )),
        Ast::ClassBracketed(c) => {
            if c.negated {
                return Err(outside(
                    &c.span,
                    "a negated class also matches line breaks and non-ASCII text",
                    "list the characters that may appear instead, e.g. `[A-Za-z0-9]`",
                ));
            }
            class_set(&c.kind)
        }
        Ast::Repetition(r) => {
            if !r.greedy {
                return Err(outside(
                    &r.op.span,
                    "lazy repeats are not portable",
                    "remove the `?` after the repeat",
                ));
            }
            let max = match &r.op.kind {
                ast::RepetitionKind::ZeroOrOne => 1,
                ast::RepetitionKind::Range(ast::RepetitionRange::Exactly(n))
                | ast::RepetitionKind::Range(ast::RepetitionRange::Bounded(_, n)) => *n,
                _ => {
                    return Err(outside(
                        &r.op.span,
                        "unbounded repeats are not portable (Purview rejects them)",
                        "give an upper bound, e.g. `{1,64}` instead of `+`",
                    ))
                }
            };
            if max > MAX_REPEAT {
                return Err(outside(
                    &r.op.span,
                    format!("the repeat allows {max}; the limit is {MAX_REPEAT}"),
                    "lower the bound",
                ));
            }
            if let Ast::Group(g) = &*r.ast {
                return Err(outside(
                    &g.span,
                    "a repeated group is not portable (Purview rejects it)",
                    "write the group out as many times as needed, or repeat the classes inside it",
                ));
            }
            check(&r.ast)
        }
        Ast::Group(g) => {
            if let ast::GroupKind::NonCapturing(flags) = &g.kind {
                if !flags.items.is_empty() {
                    return Err(outside(
                        &flags.span,
                        "inline flags are not portable",
                        "case is a detector statement: add `case-sensitive` or leave it out",
                    ));
                }
            }
            check(&g.ast)
        }
        Ast::Alternation(a) => a.asts.iter().try_for_each(check),
        Ast::Concat(c) => c.asts.iter().try_for_each(check),
    }
}

fn class_set(set: &ast::ClassSet) -> Result<(), PatternError> {
    match set {
        ast::ClassSet::BinaryOp(op) => Err(outside(
            &op.span,
            "class set operations are not portable",
            "list the characters of the class directly",
        )),
        ast::ClassSet::Item(item) => class_item(item),
    }
}

fn class_item(item: &ast::ClassSetItem) -> Result<(), PatternError> {
    use ast::ClassSetItem as I;
    match item {
        I::Empty(_) | I::Literal(_) | I::Range(_) => Ok(()),
        I::Ascii(c) => Err(outside(
            &c.span,
            "`[:name:]` classes are not portable",
            "write the range instead, e.g. `[0-9]` for `[:digit:]`",
        )),
        I::Unicode(c) => Err(outside(
            &c.span,
            "Unicode classes are not portable",
            "write the ASCII characters you mean",
        )),
        I::Perl(c) => Err(outside(
            &c.span,
            "`\\d`, `\\w` and `\\s` mean different things in each engine",
            "write the ASCII range instead, e.g. `0-9`",
        )),
        I::Bracketed(c) => Err(outside(
            &c.span,
            "nested classes are not portable",
            "merge the characters into one class",
        )),
        I::Union(u) => u.items.iter().try_for_each(class_item),
    }
}

/// The pattern as every engine runs it: a whole word, `\b…\b` (ASCII word characters).
pub fn whole_word(hir: Hir) -> Hir {
    Hir::concat(vec![
        Hir::look(Look::WordAscii),
        hir,
        Hir::look(Look::WordAscii),
    ])
}

/// The most automaton states one pattern may compile to. A scan's work per byte grows with
/// the states it may have to follow at once (regex engines that guarantee linear time, as
/// `msgpol scan`'s does, fall back to stepping every state when a DFA would be too large), so
/// the states of every pattern are capped, and those of a whole policy (`MAX_POLICY_STATES`).
/// `[0-9]{1,1000}`, the largest repeat the subset allows, takes about 2,000.
pub const MAX_PATTERN_STATES: usize = 2_500;
/// The most automaton states all the detectors of one policy may compile to together; the
/// `std.classes` detectors take about 900. `benches/dlp-scan.sh` measures a scan of a policy
/// at this cap on text made to keep every state busy: the floor the README states.
pub const MAX_POLICY_STATES: usize = 10_000;

/// How many automaton states a runnable pattern compiles to (a Thompson NFA on bytes, as the
/// scanner builds it); `None` if it cannot be compiled within the size limit at all.
pub fn automaton_states(runnable: &Hir) -> Option<usize> {
    use regex_automata::nfa::thompson::{Compiler, Config};
    Compiler::new()
        .configure(Config::new().utf8(false))
        .build_from_hir(runnable)
        .ok()
        .map(|nfa| nfa.states().len())
}

/// A pattern as every engine runs it: checked, translated with the case rule, a whole word.
pub fn runnable(pattern: &str, case_sensitive: bool) -> Result<Hir, PatternError> {
    compile(pattern, case_sensitive).map(whole_word)
}

/// Why no match of a pattern can be a whole word within one line (see `never_a_word`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeverAWord {
    /// Every match holds a line break, and patterns match within one line.
    LineBreak,
    /// Every match starts with a character that is not a word character (ASCII letter, digit,
    /// `_`): `\b` then holds only after another word character, so the match is never a word
    /// of its own.
    Start,
    /// Every match ends with one.
    End,
    /// Every match starts or ends with one.
    StartOrEnd,
}

/// What `never_a_word` knows of a pattern's matches that hold no line break: whether one is
/// empty, and which (starts with a word character, ends with one) pairs occur.
#[derive(Clone, Copy, Default)]
struct Edges {
    empty: bool,
    /// `pairs[first is a word character][last is one]`.
    pairs: [[bool; 2]; 2],
}

impl Edges {
    fn empty() -> Edges {
        Edges {
            empty: true,
            ..Edges::default()
        }
    }

    fn or(self, other: Edges) -> Edges {
        let mut out = self;
        out.empty |= other.empty;
        for (f, l) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            out.pairs[f][l] |= other.pairs[f][l];
        }
        out
    }

    /// A match of `self` followed by one of `next`.
    fn then(self, next: Edges) -> Edges {
        let mut out = Edges {
            empty: self.empty && next.empty,
            ..Edges::default()
        };
        for (f, l) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            out.pairs[f][l] = (0..2).any(|a| self.pairs[f][a]) && (0..2).any(|b| next.pairs[b][l])
                || self.empty && next.pairs[f][l]
                || next.empty && self.pairs[f][l];
        }
        out
    }

    fn any(self) -> bool {
        self.pairs.iter().flatten().any(|&p| p)
    }
}

fn edges(hir: &Hir) -> Edges {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let from_class = |bytes: &mut dyn Iterator<Item = u8>| {
        let mut out = Edges::default();
        for b in bytes.filter(|&b| b != b'\n') {
            let w = usize::from(word(b));
            out.pairs[w][w] = true;
        }
        out
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Edges::empty(),
        HirKind::Literal(lit) => {
            let mut out = Edges::default();
            if let (Some(&first), Some(&last)) = (lit.0.first(), lit.0.last()) {
                if !lit.0.contains(&b'\n') {
                    out.pairs[usize::from(word(first))][usize::from(word(last))] = true;
                }
            }
            out
        }
        HirKind::Class(hir::Class::Bytes(c)) => {
            from_class(&mut c.ranges().iter().flat_map(|r| r.start()..=r.end()))
        }
        HirKind::Class(hir::Class::Unicode(c)) => from_class(
            &mut c
                .ranges()
                .iter()
                .flat_map(|r| u32::from(r.start())..=u32::from(r.end()))
                .map(|c| u8::try_from(c).unwrap_or(0x80)),
        ),
        HirKind::Capture(cap) => edges(&cap.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .fold(Edges::empty(), |acc, part| acc.then(edges(part))),
        HirKind::Alternation(branches) => branches
            .iter()
            .fold(Edges::default(), |acc, branch| acc.or(edges(branch))),
        HirKind::Repetition(rep) => {
            let once = edges(&rep.sub);
            let mut out = Edges {
                empty: rep.min == 0 || once.empty,
                ..Edges::default()
            };
            if rep.max != Some(0) {
                out = out.or(Edges {
                    empty: false,
                    ..once
                });
            }
            // Two copies give every (first of one, last of another) pair; more add none.
            if rep.max.is_none_or(|m| m >= 2) {
                out = out.or(Edges {
                    empty: false,
                    ..once.then(once)
                });
            }
            out
        }
    }
}

/// Why no match of the pattern can be a whole word within one line, if none can: every
/// engine runs a pattern as `\b…\b` on one line (`whole_word`).
pub fn never_a_word(hir: &Hir) -> Option<NeverAWord> {
    let edges = edges(hir);
    let [[_, non_word_then_word], [word_then_non_word, words]] = edges.pairs;
    if !edges.any() {
        Some(NeverAWord::LineBreak)
    } else if words {
        None
    } else if !word_then_non_word {
        Some(NeverAWord::Start)
    } else if !non_word_then_word {
        Some(NeverAWord::End)
    } else {
        Some(NeverAWord::StartOrEnd)
    }
}

/// How many digits the matches of a pattern can hold, each count up to a limit, and whether
/// some match holds more: what a weighted checksum (one weight per digit) needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigitCounts {
    /// `possible[n]` for `n` up to the limit; the last entry stands for every count above it.
    possible: Vec<bool>,
}

impl DigitCounts {
    fn only(count: usize, limit: usize) -> DigitCounts {
        let mut possible = vec![false; limit + 2];
        possible[count.min(limit + 1)] = true;
        DigitCounts { possible }
    }

    fn none(limit: usize) -> DigitCounts {
        DigitCounts {
            possible: vec![false; limit + 2],
        }
    }

    fn members(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.possible.len()).filter(|&n| self.possible[n])
    }

    fn union(&mut self, other: &DigitCounts) {
        for n in other.members() {
            self.possible[n] = true;
        }
    }

    /// The counts of a match of one pattern followed by a match of the other.
    fn then(&self, other: &DigitCounts) -> DigitCounts {
        let above = self.possible.len() - 1;
        let mut out = DigitCounts::none(above - 1);
        for a in self.members() {
            for b in other.members() {
                out.possible[(a + b).min(above)] = true;
            }
        }
        out
    }

    /// Whether some match holds exactly `count` digits (`count` at most the limit).
    pub fn contains(&self, count: usize) -> bool {
        self.possible.get(count).is_some_and(|&p| p) && count < self.possible.len() - 1
    }

    /// The counts in words, for a diagnostic: "10 digits", "9 or 10 digits", "4 to 8 digits".
    pub fn describe(&self) -> String {
        let above = self.possible.len() - 1;
        let mut ranges: Vec<String> = Vec::new();
        let mut members = self.members().filter(|&n| n < above).peekable();
        while let Some(first) = members.next() {
            let mut last = first;
            while members.peek() == Some(&(last + 1)) {
                last = members.next().expect("peeked");
            }
            if last - first >= 2 {
                ranges.push(format!("{first} to {last}"));
            } else {
                ranges.extend((first..=last).map(|n| n.to_string()));
            }
        }
        if self.possible[above] {
            ranges.push(format!("more than {}", above - 1));
        }
        match ranges.as_slice() {
            [] => "no match at all".to_string(),
            [only] if only == "0" => "no digits".to_string(),
            [only] => format!("{only} digits"),
            [init @ .., last] => format!("{} or {last} digits", init.join(", ")),
        }
    }
}

/// The digit counts of every match of `hir`, each up to `limit` (counts above it are one).
pub fn digit_counts(hir: &Hir, limit: usize) -> DigitCounts {
    let digit = |b: u32| (u32::from(b'0')..=u32::from(b'9')).contains(&b);
    // Whether some member of a class is a digit, and whether some member is not.
    let class_counts = |ranges: Vec<(u32, u32)>| {
        let has_digit = ranges
            .iter()
            .any(|&(lo, hi)| lo <= u32::from(b'9') && hi >= u32::from(b'0'));
        let has_other = ranges.iter().any(|&(lo, hi)| !(digit(lo) && digit(hi)));
        let mut out = DigitCounts::none(limit);
        out.possible[0] = has_other;
        out.possible[1] |= has_digit;
        out
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => DigitCounts::only(0, limit),
        HirKind::Literal(lit) => {
            DigitCounts::only(lit.0.iter().filter(|b| b.is_ascii_digit()).count(), limit)
        }
        HirKind::Class(hir::Class::Bytes(c)) => class_counts(
            c.ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end())))
                .collect(),
        ),
        HirKind::Class(hir::Class::Unicode(c)) => class_counts(
            c.ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end())))
                .collect(),
        ),
        HirKind::Capture(cap) => digit_counts(&cap.sub, limit),
        HirKind::Concat(parts) => parts.iter().fold(DigitCounts::only(0, limit), |acc, part| {
            acc.then(&digit_counts(part, limit))
        }),
        HirKind::Alternation(branches) => {
            let mut out = DigitCounts::none(limit);
            for branch in branches {
                out.union(&digit_counts(branch, limit));
            }
            out
        }
        HirKind::Repetition(rep) => {
            let once = digit_counts(&rep.sub, limit);
            let mut out = DigitCounts::none(limit);
            let mut power = DigitCounts::only(0, limit);
            if rep.min == 0 {
                out.union(&power);
            }
            for k in 1..=rep.max.unwrap_or(u32::MAX) {
                let next = power.then(&once);
                // From here on every power is the same: it is already in `out`.
                let stable = next == power && k > rep.min;
                power = next;
                if k >= rep.min {
                    out.union(&power);
                }
                if stable {
                    break;
                }
            }
            out
        }
    }
}

/// How an engine writes what the subset contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// RE2 (Google DLP), Boost (Purview) and Rust: `(?:…)` groups.
    Perl,
    /// YARA: plain `(…)` groups, `/` escaped (the pattern sits between slashes).
    Yara,
}

/// Print a translated pattern in an engine's dialect. Every byte is ASCII (the subset).
pub fn print(hir: &Hir, dialect: Dialect) -> String {
    let mut out = String::new();
    write(hir, dialect, &mut out);
    out
}

fn group(hir: &Hir, dialect: Dialect, out: &mut String) {
    out.push_str(match dialect {
        Dialect::Perl => "(?:",
        Dialect::Yara => "(",
    });
    write(hir, dialect, out);
    out.push(')');
}

fn write(hir: &Hir, dialect: Dialect, out: &mut String) {
    match hir.kind() {
        HirKind::Empty => {}
        HirKind::Literal(lit) => {
            for &b in lit.0.iter() {
                literal_byte(b, out);
            }
        }
        HirKind::Class(class) => write_class(class, out),
        HirKind::Look(look) => out.push_str(match look {
            Look::WordAscii => "\\b",
            _ => unreachable!("the subset has no assertions; only whole_word adds \\b"),
        }),
        HirKind::Repetition(rep) => {
            let atom = match rep.sub.kind() {
                HirKind::Class(_) => true,
                HirKind::Literal(lit) => lit.0.len() == 1,
                _ => false,
            };
            if atom {
                write(&rep.sub, dialect, out);
            } else {
                group(&rep.sub, dialect, out);
            }
            match (rep.min, rep.max) {
                (0, Some(1)) => out.push('?'),
                (n, Some(m)) if n == m => out.push_str(&format!("{{{n}}}")),
                (n, Some(m)) => out.push_str(&format!("{{{n},{m}}}")),
                (n, None) => out.push_str(&format!("{{{n},}}")),
            }
        }
        HirKind::Capture(cap) => group(&cap.sub, dialect, out),
        HirKind::Concat(parts) => {
            for part in parts {
                if matches!(part.kind(), HirKind::Alternation(_)) {
                    group(part, dialect, out);
                } else {
                    write(part, dialect, out);
                }
            }
        }
        HirKind::Alternation(branches) => {
            for (i, branch) in branches.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                write(branch, dialect, out);
            }
        }
    }
}

fn literal_byte(b: u8, out: &mut String) {
    if b"\\.+*?()|[]{}^$/".contains(&b) {
        out.push('\\');
        out.push(char::from(b));
    } else if b.is_ascii_graphic() || b == b' ' {
        out.push(char::from(b));
    } else {
        out.push_str(&format!("\\x{b:02X}"));
    }
}

fn class_byte(b: u8, out: &mut String) {
    if b"\\]^-[/".contains(&b) {
        out.push('\\');
        out.push(char::from(b));
    } else if b.is_ascii_alphanumeric() || b == b' ' || b.is_ascii_punctuation() {
        out.push(char::from(b));
    } else {
        out.push_str(&format!("\\x{b:02X}"));
    }
}

fn write_class(class: &hir::Class, out: &mut String) {
    let ranges: Vec<(u8, u8)> = match class {
        hir::Class::Bytes(c) => c.ranges().iter().map(|r| (r.start(), r.end())).collect(),
        // Not produced with Unicode off; kept total for ASCII ranges.
        hir::Class::Unicode(c) => c
            .ranges()
            .iter()
            .filter_map(|r| Some((u8::try_from(r.start()).ok()?, u8::try_from(r.end()).ok()?)))
            .collect(),
    };
    out.push('[');
    for (lo, hi) in ranges {
        class_byte(lo, out);
        if hi > lo {
            if hi > lo + 1 {
                out.push('-');
            }
            class_byte(hi, out);
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(pattern: &str) -> (String, Range<usize>) {
        let e = compile(pattern, true).unwrap_err();
        (e.problem, e.at)
    }

    #[test]
    fn violations_point_at_the_offending_part() {
        assert_eq!(problem("ab\\d{3}").1, 2..4);
        assert_eq!(problem("[0-9]{4}.x").1, 8..9);
        assert_eq!(problem("x[0-9]+").1, 6..7);
        assert_eq!(problem("a([0-9]{2}){3}").1, 1..11);
        assert_eq!(problem("(?i)abc").1, 0..4);
        assert_eq!(problem("^abc").1, 0..1);
        assert_eq!(problem("[^a]b").1, 0..4);
        assert_eq!(problem("a{2000}").1, 1..7);
        assert!(problem("a(?=b)").0.contains("look-around"));
        assert!(problem("(a)\\1").0.contains("backreferences"));
        assert_eq!(problem("[0-9]{0,3}").0, "the pattern matches empty text");
        assert_eq!(problem("caf\u{e9}").1, 3..5);
    }

    #[test]
    fn the_standard_shapes_are_inside_the_subset() {
        for p in [
            "[0-9]{4}[ -]?[0-9]{4}",
            "(00[1-9]|0[1-9][0-9])-(0[1-9]|[1-9][0-9])",
            "(?:ab|cd)e",
            "a[.]b\\.c",
        ] {
            assert!(compile(p, false).is_ok(), "{p}");
        }
    }

    /// Printing and parsing again gives the same pattern: what the targets write means what
    /// the scanner runs.
    #[test]
    fn printed_patterns_reparse_to_the_same_hir() {
        for (p, cs) in [
            ("[0-9]{4}[ -]?[0-9]{1,7}|[0-9]{3}", true),
            ("ssn-(0[1-9]|[1-9][0-9])x?", false),
            ("(?:ab|c)[/.%+-]{0,3}q", false),
            ("a/b\\$", true),
        ] {
            let hir = whole_word(compile(p, cs).unwrap());
            for dialect in [Dialect::Perl, Dialect::Yara] {
                let text = print(&hir, dialect);
                let again = regex_syntax::ParserBuilder::new()
                    .unicode(false)
                    .utf8(false)
                    .build()
                    .parse(&text)
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                // Captures differ only in index; compare printed forms.
                assert_eq!(
                    print(&again, Dialect::Perl),
                    print(&hir, Dialect::Perl),
                    "{text}"
                );
            }
        }
    }

    fn digits(pattern: &str, limit: usize) -> String {
        digit_counts(&compile(pattern, false).unwrap(), limit).describe()
    }

    #[test]
    fn digit_counts_count_digits_not_separators() {
        assert_eq!(digits("[0-9]{10}", 12), "10 digits");
        assert_eq!(digits("[0-9]{6}-?[0-9]{4}", 12), "10 digits");
        assert_eq!(
            digits("[0-9]{6}[ -]?[0-9]{4}|[0-9]{9}", 12),
            "9 or 10 digits"
        );
        assert_eq!(digits("[0-9]{4,8}", 12), "4 to 8 digits");
        assert_eq!(
            digits("[0-9]{2}(x|[0-9]{3})|[0-9]{9}", 12),
            "2, 5 or 9 digits"
        );
        assert_eq!(digits("[0-9A-Z]{3}", 12), "0 to 3 digits");
        assert_eq!(digits("ab[.]c", 12), "no digits");
        assert_eq!(digits("[0-9]{20}", 11), "more than 11 digits");
        assert_eq!(
            digits("[0-9]{5,1000}", 11),
            "5 to 11 or more than 11 digits"
        );
        assert_eq!(digits("ssn-[0-9]{3}", 12), "3 digits");
    }

    #[test]
    fn digit_counts_hold_the_weights_count_or_not() {
        let hir = compile("[0-9]{6}-?[0-9]{5}", true).unwrap();
        assert!(digit_counts(&hir, 11).contains(11));
        assert!(!digit_counts(&hir, 12).contains(12));
        assert!(!digit_counts(&compile("[0-9]{20}", true).unwrap(), 11).contains(11));
    }

    #[test]
    fn whole_words_need_a_word_character_at_each_end_and_no_line_break() {
        let never = |p: &str| never_a_word(&compile(p, false).unwrap());
        for p in [
            "[0-9]{4}[ -]?[0-9]{4}",
            "[+]?[0-9]{10}",
            "[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]{1,63}",
            "(a|-)b",
            "x-?",
            "[0-9]",
        ] {
            assert_eq!(never(p), None, "{p}");
        }
        assert_eq!(never("[$][0-9]{3,6}"), Some(NeverAWord::Start));
        assert_eq!(never("[0-9]{3}-"), Some(NeverAWord::End));
        assert_eq!(never("a-|-a"), Some(NeverAWord::StartOrEnd));
        assert_eq!(never("[-]{2,4}"), Some(NeverAWord::Start));
        assert_eq!(never("PAYSLIP\\n[0-9]{6}"), Some(NeverAWord::LineBreak));
        assert_eq!(never("a[\\n]b"), Some(NeverAWord::LineBreak));
        assert_eq!(never("a[\\nb]c"), None);
    }

    #[test]
    fn case_rule_is_folded_into_classes() {
        let hir = compile("ssn", false).unwrap();
        assert_eq!(print(&hir, Dialect::Perl), "[Ss][Ss][Nn]");
        assert_eq!(
            print(&compile("a(bb|c)", true).unwrap(), Dialect::Yara),
            "a(bb|c)"
        );
        assert_eq!(
            print(&compile("a(?:bb|c)", true).unwrap(), Dialect::Yara),
            "a(bb|c)"
        );
        assert_eq!(
            print(&compile("a(?:bb|c)", true).unwrap(), Dialect::Perl),
            "a(?:bb|c)"
        );
    }
}
