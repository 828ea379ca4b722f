//! YARA rule files, read as `yara` reads them: each rule's strings and its condition,
//! evaluated on a document in-process.
//!
//! - A regular expression (`/…/`, flags `i` and `s`) is YARA's dialect on bytes: `\b` and `\w`
//!   are ASCII (a letter, digit or `_`), `.` is any byte but a line break, `nocase` folds ASCII
//!   letters; YARA has no `(?…)` groups or flags, so a regex with them is refused. It matches
//!   at every offset where it can start, overlapping matches included: `#s` counts offsets.
//! - A text string (`"…"`, escapes `\" \\ \t \n \r \xNN`) matches at every offset where it
//!   occurs, ASCII letters folded with `nocase`; `fullword` wants no ASCII letter or digit just
//!   before or after it (`_` delimits, where `\b` does not).
//! - The documents asked about are UTF-8 text without NUL bytes (a policy's strings hold no
//!   control characters), where a `wide` string (every character followed by a NUL) cannot
//!   match: only the `ascii` form of a string counts.
//! - The condition: `any of them`, `all of them`, `none of them`, `N of them`, `$s`, `#s`,
//!   numbers, `+`, comparisons, `and`, `or`, `not`, parentheses, `true`, `false`.
//!
//! A rule is the detector its `meta:` `class` and `detector` name.

use crate::emit::verify::detectors::Rule;
use crate::emit::OutputFile;
use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input};
use std::collections::HashMap;

/// A string of a rule, compiled.
enum Matcher {
    Text {
        bytes: Vec<u8>,
        nocase: bool,
        fullword: bool,
    },
    Regex(Regex),
    /// `wide` without `ascii`: nothing in a document without NUL bytes.
    Never,
}

impl Matcher {
    /// How many offsets of `text` it matches at.
    fn count(&self, text: &[u8]) -> u64 {
        match self {
            Matcher::Never => 0,
            Matcher::Text {
                bytes,
                nocase,
                fullword,
            } => {
                let n = bytes.len();
                (0..text.len().saturating_sub(n - 1))
                    .filter(|&i| {
                        let here = &text[i..i + n];
                        let same = if *nocase {
                            here.eq_ignore_ascii_case(bytes)
                        } else {
                            here == bytes.as_slice()
                        };
                        same && (!fullword
                            || ((i == 0 || !text[i - 1].is_ascii_alphanumeric())
                                && (i + n == text.len() || !text[i + n].is_ascii_alphanumeric())))
                    })
                    .count() as u64
            }
            Matcher::Regex(regex) => (0..text.len())
                .filter(|&i| regex.is_match(Input::new(text).range(i..).anchored(Anchored::Yes)))
                .count() as u64,
        }
    }
}

/// A condition, parsed.
#[derive(Debug)]
enum Expr {
    Bool(bool),
    Int(u64),
    /// `$s`: whether the string matched.
    Matched(String),
    /// `#s`: how many times.
    Count(String),
    /// `any`/`all`/`none`/`N` `of them`: at least this many strings matched (`None`: all);
    /// `none` is at most zero.
    Of(Quantity),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Add(Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Comparison, Box<Expr>),
}

#[derive(Clone, Copy, Debug)]
enum Quantity {
    Any,
    All,
    None,
    AtLeast(u64),
}

#[derive(Clone, Copy, Debug)]
enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

#[derive(Clone, Copy)]
enum Value {
    Bool(bool),
    Int(u64),
}

impl Value {
    fn truthy(self) -> bool {
        match self {
            Value::Bool(b) => b,
            Value::Int(n) => n != 0,
        }
    }
    fn int(self) -> u64 {
        match self {
            Value::Bool(b) => u64::from(b),
            Value::Int(n) => n,
        }
    }
}

struct YaraRule {
    name: String,
    meta: HashMap<String, String>,
    strings: Vec<(String, Matcher)>,
    condition: Expr,
}

impl YaraRule {
    /// `counts`: each string's matches, by its name without `$`.
    fn eval(&self, expr: &Expr, counts: &HashMap<&str, u64>) -> Value {
        let count = |id: &str| counts.get(&id[1..]).copied().unwrap_or(0);
        match expr {
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Int(n) => Value::Int(*n),
            Expr::Matched(id) => Value::Bool(count(id) > 0),
            Expr::Count(id) => Value::Int(count(id)),
            Expr::Of(quantity) => {
                let matched = counts.values().filter(|&&c| c > 0).count() as u64;
                let all = counts.len() as u64;
                Value::Bool(match quantity {
                    Quantity::Any => matched >= 1,
                    Quantity::All => matched == all,
                    Quantity::None => matched == 0,
                    Quantity::AtLeast(n) => matched >= *n,
                })
            }
            Expr::Not(e) => Value::Bool(!self.eval(e, counts).truthy()),
            Expr::And(a, b) => {
                Value::Bool(self.eval(a, counts).truthy() && self.eval(b, counts).truthy())
            }
            Expr::Or(a, b) => {
                Value::Bool(self.eval(a, counts).truthy() || self.eval(b, counts).truthy())
            }
            Expr::Add(a, b) => Value::Int(self.eval(a, counts).int() + self.eval(b, counts).int()),
            Expr::Compare(a, op, b) => {
                let (a, b) = (self.eval(a, counts).int(), self.eval(b, counts).int());
                Value::Bool(match op {
                    Comparison::Less => a < b,
                    Comparison::LessOrEqual => a <= b,
                    Comparison::Greater => a > b,
                    Comparison::GreaterOrEqual => a >= b,
                    Comparison::Equal => a == b,
                    Comparison::NotEqual => a != b,
                })
            }
        }
    }
}

impl Rule for YaraRule {
    fn name(&self) -> &str {
        &self.name
    }
    fn is_for(&self, class: &str, detector: &str) -> bool {
        self.meta.get("class").is_some_and(|c| c == class)
            && self.meta.get("detector").is_some_and(|d| d == detector)
    }
    fn finds(&self, text: &str) -> bool {
        let counts: HashMap<&str, u64> = self
            .strings
            .iter()
            .map(|(id, m)| (&id[1..], m.count(text.as_bytes())))
            .collect();
        self.eval(&self.condition, &counts).truthy()
    }
}

/// Reads the rules of `yara/msgpol.yar`.
pub fn read(files: &[OutputFile]) -> Result<Vec<Box<dyn Rule + '_>>, String> {
    let text = super::text(files, "msgpol.yar")?;
    let mut p = Parser { text, at: 0 };
    let mut rules: Vec<Box<dyn Rule>> = Vec::new();
    loop {
        p.skip_space()?;
        if p.at == text.len() {
            return Ok(rules);
        }
        rules.push(Box::new(p.rule()?));
    }
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'t> Parser<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.at..]
    }

    fn line(&self) -> usize {
        self.text[..self.at].matches('\n').count() + 1
    }

    fn fail<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("`msgpol.yar` line {}: {what}", self.line()))
    }

    /// Past spaces, line breaks and comments.
    fn skip_space(&mut self) -> Result<(), String> {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.at += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                self.at += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if trimmed.starts_with("/*") {
                let Some(end) = trimmed.find("*/") else {
                    return self.fail("a comment is not closed");
                };
                self.at += end + 2;
            } else {
                return Ok(());
            }
        }
    }

    /// The next identifier (letters, digits, `_`; with a leading `$` or `#` if there is one).
    fn word(&mut self) -> Result<&'t str, String> {
        self.skip_space()?;
        let rest = self.rest();
        let sigil = usize::from(rest.starts_with(['$', '#']));
        let len = sigil
            + rest.as_bytes()[sigil..]
                .iter()
                .take_while(|b| is_identifier_byte(**b) || **b == b'*')
                .count();
        if len == 0 {
            return self.fail(&format!(
                "expected a word, found `{}`",
                rest.chars().next().map_or("the end".into(), String::from)
            ));
        }
        self.at += len;
        Ok(&rest[..len])
    }

    /// Whether `token` comes next (skipping space); consumes it if so.
    fn eat(&mut self, token: &str) -> Result<bool, String> {
        self.skip_space()?;
        let rest = self.rest();
        let is_word = token.bytes().all(is_identifier_byte);
        let follows = rest.starts_with(token)
            && !(is_word
                && rest[token.len()..]
                    .bytes()
                    .next()
                    .is_some_and(is_identifier_byte));
        if follows {
            self.at += token.len();
        }
        Ok(follows)
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token)? {
            Ok(())
        } else {
            self.fail(&format!("expected `{token}`"))
        }
    }

    fn rule(&mut self) -> Result<YaraRule, String> {
        let mut word = self.word()?;
        while word == "private" {
            word = self.word()?;
        }
        if word != "rule" {
            return self.fail(&format!(
                "`{word}`: this reader reads rules only (no imports, includes or global rules)"
            ));
        }
        let name = self.word()?.to_string();
        if self.eat(":")? {
            while !self.eat("{")? {
                self.word()?;
            }
        } else {
            self.expect("{")?;
        }
        let mut meta = HashMap::new();
        let mut strings = Vec::new();
        if self.eat("meta")? {
            self.expect(":")?;
            while !self.next_is_section()? {
                let key = self.word()?.to_string();
                self.expect("=")?;
                meta.insert(key, self.meta_value()?);
            }
        }
        if self.eat("strings")? {
            self.expect(":")?;
            while !self.next_is_section()? {
                let id = self.word()?.to_string();
                if !id.starts_with('$') {
                    return self.fail(&format!("a string is named `${id}`"));
                }
                self.expect("=")?;
                strings.push((id, self.string()?));
            }
        }
        self.expect("condition")?;
        self.expect(":")?;
        let condition = self.or()?;
        self.expect("}")?;
        for id in mentioned(&condition) {
            if !strings.iter().any(|(s, _)| s[1..] == id[1..]) {
                return self.fail(&format!(
                    "rule `{name}`'s condition names no string of it: `{id}`"
                ));
            }
        }
        Ok(YaraRule {
            name,
            meta,
            strings,
            condition,
        })
    }

    fn next_is_section(&mut self) -> Result<bool, String> {
        self.skip_space()?;
        let rest = self.rest();
        Ok(["strings", "condition"]
            .iter()
            .any(|s| rest.starts_with(s) && rest[s.len()..].trim_start().starts_with(':')))
    }

    fn meta_value(&mut self) -> Result<String, String> {
        self.skip_space()?;
        if self.rest().starts_with('"') {
            let bytes = self.quoted()?;
            return String::from_utf8(bytes).or_else(|_| self.fail("a meta value is not UTF-8"));
        }
        Ok(self.word()?.to_string())
    }

    /// A quoted text string with YARA's escapes, as bytes.
    fn quoted(&mut self) -> Result<Vec<u8>, String> {
        self.expect("\"")?;
        let mut out = Vec::new();
        let bytes = self.text.as_bytes();
        loop {
            let Some(&b) = bytes.get(self.at) else {
                return self.fail("a string is not closed");
            };
            self.at += 1;
            match b {
                b'"' => return Ok(out),
                b'\n' => return self.fail("a string is not closed on its line"),
                b'\\' => {
                    let Some(&e) = bytes.get(self.at) else {
                        return self.fail("a string is not closed");
                    };
                    self.at += 1;
                    match e {
                        b'"' | b'\\' => out.push(e),
                        b't' => out.push(b'\t'),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b'x' => {
                            let hex = self.text.get(self.at..self.at + 2).unwrap_or("");
                            let Ok(value) = u8::from_str_radix(hex, 16) else {
                                return self.fail("`\\x` needs two hex digits");
                            };
                            self.at += 2;
                            out.push(value);
                        }
                        _ => return self.fail(&format!("unknown escape `\\{}`", char::from(e))),
                    }
                }
                _ => out.push(b),
            }
        }
    }

    /// A string's value and modifiers, compiled.
    fn string(&mut self) -> Result<Matcher, String> {
        self.skip_space()?;
        enum Value {
            Text(Vec<u8>),
            Regex(String, bool),
        }
        let value = if self.rest().starts_with('"') {
            Value::Text(self.quoted()?)
        } else if self.rest().starts_with('/') {
            let (pattern, nocase) = self.regex()?;
            Value::Regex(pattern, nocase)
        } else {
            return self
                .fail("this reader reads text strings and regular expressions (no hex strings)");
        };
        let (mut ascii, mut wide, mut nocase, mut fullword) = (false, false, false, false);
        loop {
            self.skip_space()?;
            let next = self.rest();
            let len = next.bytes().take_while(|b| is_identifier_byte(*b)).count();
            match &next[..len] {
                "ascii" => ascii = true,
                "wide" => wide = true,
                "nocase" => nocase = true,
                "fullword" => fullword = true,
                "private" => {}
                // The next string (`$…`), or the condition.
                "" => break,
                _ if self.next_is_section()? => break,
                other => {
                    return self.fail(&format!(
                        "the string modifier `{other}` is not one this reader evaluates"
                    ))
                }
            }
            self.at += len;
        }
        // Without `ascii` or `wide`, a string is ASCII.
        let ascii = ascii || !wide;
        if !ascii {
            return Ok(Matcher::Never);
        }
        match value {
            Value::Text(bytes) if bytes.is_empty() => self.fail("a text string is empty"),
            Value::Text(bytes) => Ok(Matcher::Text {
                bytes,
                nocase,
                fullword,
            }),
            Value::Regex(_, _) if fullword => {
                self.fail("this reader does not evaluate `fullword` regular expressions")
            }
            Value::Regex(pattern, flag_nocase) => {
                compile(&pattern, nocase || flag_nocase).or_else(|why| self.fail(&why))
            }
        }
    }

    /// `/…/` and its flags: the pattern as written (`\/` for `/`), and whether `i` is set.
    fn regex(&mut self) -> Result<(String, bool), String> {
        self.expect("/")?;
        let bytes = self.text.as_bytes();
        let start = self.at;
        loop {
            match bytes.get(self.at) {
                None | Some(b'\n') => return self.fail("a regular expression is not closed"),
                Some(b'\\') => self.at += 2,
                Some(b'/') => break,
                Some(_) => self.at += 1,
            }
        }
        let pattern = self.text[start..self.at].to_string();
        self.at += 1;
        let mut nocase = false;
        while let Some(&flag) = bytes.get(self.at) {
            match flag {
                b'i' => nocase = true,
                b's' => return self.fail("this reader does not evaluate the `s` flag"),
                _ => break,
            }
            self.at += 1;
        }
        Ok((pattern, nocase))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.eat("or")? {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.eat("and")? {
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.eat("not")? {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let left = self.sum()?;
        for (token, op) in [
            (">=", Comparison::GreaterOrEqual),
            ("<=", Comparison::LessOrEqual),
            ("==", Comparison::Equal),
            ("!=", Comparison::NotEqual),
            (">", Comparison::Greater),
            ("<", Comparison::Less),
        ] {
            if self.eat(token)? {
                return Ok(Expr::Compare(Box::new(left), op, Box::new(self.sum()?)));
            }
        }
        Ok(left)
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.term()?;
        while self.eat("+")? {
            left = Expr::Add(Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, String> {
        if self.eat("(")? {
            let inner = self.or()?;
            self.expect(")")?;
            return Ok(inner);
        }
        let word = self.word()?;
        let of = |q: Quantity, p: &mut Self| -> Result<Expr, String> {
            p.expect("of")?;
            p.expect("them")?;
            Ok(Expr::Of(q))
        };
        match word {
            "true" => Ok(Expr::Bool(true)),
            "false" => Ok(Expr::Bool(false)),
            "any" => of(Quantity::Any, self),
            "all" => of(Quantity::All, self),
            "none" => of(Quantity::None, self),
            _ if word.starts_with('$') && !word.contains('*') => Ok(Expr::Matched(word.into())),
            _ if word.starts_with('#') && !word.contains('*') => Ok(Expr::Count(word.into())),
            _ => match word.parse::<u64>() {
                Ok(n) if self.rest().trim_start().starts_with("of") => {
                    of(Quantity::AtLeast(n), self)
                }
                Ok(n) => Ok(Expr::Int(n)),
                Err(_) => self.fail(&format!(
                    "`{word}` in a condition is not something this reader evaluates"
                )),
            },
        }
    }
}

/// The strings a condition names (`$s`, `#s`).
fn mentioned(expr: &Expr) -> Vec<&str> {
    match expr {
        Expr::Matched(id) | Expr::Count(id) => vec![id.as_str()],
        Expr::Not(e) => mentioned(e),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Add(a, b) | Expr::Compare(a, _, b) => {
            let mut out = mentioned(a);
            out.extend(mentioned(b));
            out
        }
        Expr::Bool(_) | Expr::Int(_) | Expr::Of(_) => Vec::new(),
    }
}

/// A YARA regular expression compiled for bytes: ASCII `\b` and classes, no `(?…)`.
fn compile(pattern: &str, nocase: bool) -> Result<Matcher, String> {
    use regex_syntax::ast::{self, Ast};
    let tree = ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("the regular expression `/{pattern}/` is not one YARA reads: {e}"))?;
    fn has_groups_with_flags(node: &Ast) -> bool {
        match node {
            Ast::Flags(_) => true,
            Ast::Group(g) => {
                !matches!(g.kind, ast::GroupKind::CaptureIndex(_)) || has_groups_with_flags(&g.ast)
            }
            Ast::Repetition(r) => has_groups_with_flags(&r.ast),
            Ast::Alternation(a) => a.asts.iter().any(has_groups_with_flags),
            Ast::Concat(c) => c.asts.iter().any(has_groups_with_flags),
            _ => false,
        }
    }
    if has_groups_with_flags(&tree) {
        return Err(format!(
            "the regular expression `/{pattern}/` has a `(?…)` group or flag, which YARA does not read"
        ));
    }
    let hir = regex_syntax::hir::translate::TranslatorBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(nocase)
        .build()
        .translate(pattern, &tree)
        .map_err(|e| format!("the regular expression `/{pattern}/`: {e}"))?;
    Regex::builder()
        .configure(Regex::config().utf8_empty(false))
        .build_from_hir(&hir)
        .map(Matcher::Regex)
        .map_err(|e| format!("the regular expression `/{pattern}/`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(source: &str) -> YaraRule {
        let mut p = Parser {
            text: source,
            at: 0,
        };
        p.rule().unwrap()
    }

    #[test]
    fn text_strings_are_fullword_by_ascii_letters_and_digits_only() {
        let r = rule(
            r#"rule a { meta: class = "c" detector = "d" strings: $k = "SECRET" fullword ascii wide nocase condition: any of them }"#,
        );
        assert!(r.is_for("c", "d") && !r.is_for("c", "e"));
        assert!(r.finds("top secret"));
        assert!(r.finds("MY_SECRET"), "`_` delimits a fullword string");
        assert!(!r.finds("SECRETARY"));
        let cpp = rule(r#"rule b { strings: $k = "C++" fullword condition: $k }"#);
        assert!(cpp.finds("C++ daily") && !cpp.finds("C++x"));
    }

    #[test]
    fn regexes_count_every_offset_they_match_at() {
        let r = rule(
            r#"rule a { strings: $p0 = /\b([0-9]{4}[ ]?[0-9]{4}|[0-9]{4})\b/ ascii wide condition: #p0 >= 2 }"#,
        );
        assert!(r.finds("1234 5678"), "matches at 0 and at 5");
        assert!(!r.finds("12345678"));
        let w = rule(r#"rule a { strings: $p = /\bab\b/ condition: $p }"#);
        assert!(!w.finds("_ab") && w.finds("a ab."));
        let nocase = rule(r#"rule a { strings: $p = /ssn/ nocase condition: any of them }"#);
        assert!(nocase.finds("SSN"));
        let wide = rule(r#"rule a { strings: $p = "ssn" wide condition: any of them }"#);
        assert!(!wide.finds("ssn"), "wide alone needs NUL bytes");
    }

    #[test]
    fn what_yara_or_this_reader_does_not_read_is_refused() {
        let refuse = |source: &str| {
            let files = [OutputFile {
                path: "msgpol.yar".into(),
                contents: source.as_bytes().to_vec(),
            }];
            read(&files).err().unwrap_or_else(|| panic!("{source}"))
        };
        assert!(refuse(r#"rule a { strings: $p = /(?:ab)/ condition: $p }"#).contains("(?…)"));
        assert!(refuse(r#"rule a { strings: $p = { 41 42 } condition: $p }"#).contains("hex"));
        assert!(refuse(r#"rule a { strings: $p = "a" xor condition: $p }"#).contains("xor"));
        assert!(refuse(r#"rule a { strings: $p = "a" condition: $q }"#).contains("$q"));
        assert!(
            refuse(r#"rule a { strings: $p = "a" condition: filesize > 0 }"#).contains("filesize")
        );
        assert!(refuse(r#"import "pe""#).contains("import"));
    }
}
