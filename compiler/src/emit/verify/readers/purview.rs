//! Microsoft Purview rule packages (`msgpol-rulepack.xml`, UTF-16 with a byte-order mark),
//! read as Purview reads a sensitive information type (an `Entity`).
//!
//! - An entity finds a text when one of its `Pattern`s does: some match of the element its
//!   `IdMatch` names has, for every `Match` element, at least `minCount` (1) matches of that
//!   element within `patternsProximity` characters before the match to as many after it (the
//!   match included; `unlimited`: anywhere). Any confidence level counts: the DLP rules'
//!   thresholds and `minCount`s (in `msgpol-dlp-policies.ps1`) are not the type's.
//! - A `Regex` is .NET's dialect, compiled with regex-automata where the two agree: Unicode
//!   text, case as written, leftmost-first matches one after another. `\b` and `\w` are
//!   Unicode's, as in .NET: a letter such as `é` next to a match is part of its word, where
//!   `msgpol scan` sees a word's end (.NET's `\w` is letters, decimal digits, non-spacing
//!   marks and connector punctuation; Rust's adds the other marks and joiners). Lookaround and
//!   backreferences, which .NET has, are refused. `validators="Func_credit_card"` keeps the
//!   matches whose digits pass the Luhn check; other validators are refused.
//! - A `Keyword` term matches as written in a `matchStyle="string"` group, and as a whole word
//!   in a `word` group: where the term starts or ends with a word character, the text there
//!   must not continue the word (Unicode word characters, as `\b`). `caseSensitive="false"`
//!   (the default) folds ASCII letters only: Purview does not document how it folds others.
//!
//! An entity is the detector its `LocalizedStrings` description names ("Detector D of the
//! class C …"); a detector with patterns and keywords has two.

use crate::dlp::checksum;
use crate::emit::verify::detectors::Rule;
use crate::emit::OutputFile;
use crate::ir::Checksum;
use quick_xml::escape::unescape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use regex_automata::meta::Regex;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

enum Element {
    Regex { regex: Regex, luhn: bool },
    Keyword(Vec<Regex>),
}

impl Element {
    fn matches(&self, text: &str) -> Vec<Range<usize>> {
        match self {
            Element::Regex { regex, luhn } => regex
                .find_iter(text)
                .map(|m| m.range())
                .filter(|r| !luhn || checksum::passes(&Checksum::Luhn, text[r.clone()].as_bytes()))
                .collect(),
            Element::Keyword(terms) => terms
                .iter()
                .flat_map(|t| t.find_iter(text).map(|m| m.range()))
                .collect(),
        }
    }
}

#[derive(Default)]
struct Pattern {
    id_match: String,
    /// Each `Match`: the element, and how many of its matches must be near.
    matches: Vec<(String, usize)>,
}

#[derive(Default)]
struct Entity {
    id: String,
    /// `patternsProximity` in characters; `None`: unlimited.
    proximity: Option<usize>,
    patterns: Vec<Pattern>,
}

/// The entities of one detector.
struct SensitiveType {
    name: String,
    class: String,
    detector: String,
    entities: Vec<Entity>,
    elements: Rc<HashMap<String, Element>>,
}

fn chars(text: &str, bytes: usize) -> usize {
    text[..bytes].chars().count()
}

impl SensitiveType {
    fn entity_finds(&self, e: &Entity, text: &str) -> bool {
        let matches = |id: &str| {
            self.elements
                .get(id)
                .map_or(Vec::new(), |el| el.matches(text))
        };
        e.patterns.iter().any(|p| {
            let supporting: Vec<(Vec<Range<usize>>, usize)> = p
                .matches
                .iter()
                .map(|(id, min)| (matches(id), *min))
                .collect();
            matches(&p.id_match).into_iter().any(|m| {
                let (start, end) = (chars(text, m.start), chars(text, m.end));
                supporting.iter().all(|(found, min)| {
                    found
                        .iter()
                        .filter(|s| {
                            e.proximity.is_none_or(|n| {
                                chars(text, s.start) + n >= start && chars(text, s.end) <= end + n
                            })
                        })
                        .count()
                        >= *min
                })
            })
        })
    }
}

impl Rule for SensitiveType {
    fn name(&self) -> &str {
        &self.name
    }
    fn is_for(&self, class: &str, detector: &str) -> bool {
        self.class == class && self.detector == detector
    }
    fn finds(&self, text: &str) -> bool {
        self.entities.iter().any(|e| self.entity_finds(e, text))
    }
}

/// Everything the package says, by id.
#[derive(Default)]
struct Package {
    entities: Vec<Entity>,
    elements: HashMap<String, Element>,
    /// Entity id → (name, description).
    resources: HashMap<String, (String, String)>,
}

/// Reads the sensitive information types of `purview/msgpol-rulepack.xml`.
pub fn read(files: &[OutputFile]) -> Result<Vec<Box<dyn Rule + '_>>, String> {
    const PATH: &str = "msgpol-rulepack.xml";
    let bytes = &files
        .iter()
        .find(|f| f.path == PATH)
        .ok_or_else(|| format!("it wrote no `{PATH}`"))?
        .contents;
    let text =
        utf16(bytes).ok_or_else(|| format!("`{PATH}` is not UTF-16 with a byte-order mark"))?;
    let package = parse(&text).map_err(|why| format!("`{PATH}`: {why}"))?;
    let elements = Rc::new(package.elements);
    let mut types: Vec<SensitiveType> = Vec::new();
    for e in package.entities {
        let (name, description) = package
            .resources
            .get(&e.id)
            .ok_or_else(|| format!("`{PATH}`: entity `{}` has no localized strings", e.id))?;
        let (detector, class) = description
            .strip_prefix("Detector ")
            .and_then(|rest| rest.split_once(" of the class "))
            .and_then(|(d, rest)| Some((d, rest.split(' ').next()?)))
            .ok_or_else(|| {
                format!("`{PATH}`: entity `{name}` does not say which detector it is")
            })?;
        match types
            .iter_mut()
            .find(|t| t.class == class && t.detector == detector)
        {
            Some(t) => t.entities.push(e),
            None => types.push(SensitiveType {
                name: name.clone(),
                class: class.to_string(),
                detector: detector.to_string(),
                entities: vec![e],
                elements: Rc::clone(&elements),
            }),
        }
    }
    Ok(types
        .into_iter()
        .map(|t| Box::new(t) as Box<dyn Rule>)
        .collect())
}

/// UTF-16 little-endian text after its byte-order mark.
fn utf16(bytes: &[u8]) -> Option<String> {
    let body = bytes.strip_prefix(&[0xFF, 0xFE])?;
    if body.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

fn attribute(e: &BytesStart, key: &str) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        if a.key.local_name().as_ref() == key {
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| e.to_string())?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

fn required(e: &BytesStart, key: &str) -> Result<String, String> {
    attribute(e, key)?.ok_or_else(|| format!("a `<{}>` without `{key}`", e.local_name().as_ref()))
}

/// The elements whose meaning the reader knows; any other is refused.
const KNOWN: &[&str] = &[
    "RulePackage",
    "RulePack",
    "Version",
    "Publisher",
    "Details",
    "LocalizedDetails",
    "PublisherName",
    "Name",
    "Description",
    "Rules",
    "Entity",
    "Pattern",
    "IdMatch",
    "Match",
    "Regex",
    "Keyword",
    "Group",
    "Term",
    "LocalizedStrings",
    "Resource",
];

/// Where the parser is, and what it is collecting.
#[derive(Default)]
struct State {
    /// The open elements, outermost first.
    path: Vec<String>,
    text: String,
    /// The `Regex` being read: its id and whether it validates Luhn.
    regex: Option<(String, bool)>,
    /// The `Keyword` being read: its id and terms so far.
    keyword: Option<(String, Vec<Regex>)>,
    /// The current `Group`'s match style is `word`, and the current `Term`'s case rule.
    word: bool,
    case_sensitive: bool,
    /// The `Resource` being read: its entity, name and description.
    resource: Option<(String, String, String)>,
}

fn parse(text: &str) -> Result<Package, String> {
    let mut reader = Reader::from_str(text);
    let mut package = Package::default();
    let mut s = State::default();
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name().as_ref().to_string();
                if !KNOWN.contains(&name.as_str()) {
                    return Err(format!("this reader does not evaluate `<{name}>`"));
                }
                start(&name, e, &mut package, &mut s)?;
                s.text.clear();
                if matches!(event, Event::Start(_)) {
                    s.path.push(name);
                } else {
                    end(&name, &mut package, &mut s)?;
                }
            }
            Event::Text(t) => s.text.push_str(&t.xml10_content()),
            Event::CData(t) => s.text.push_str(&t),
            Event::GeneralRef(r) => {
                let reference = format!("&{};", &*r);
                s.text
                    .push_str(&unescape(&reference).map_err(|e| e.to_string())?);
            }
            Event::End(_) => {
                let name = s.path.pop().unwrap_or_default();
                end(&name, &mut package, &mut s)?;
            }
            Event::Eof => return Ok(package),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}

fn start(name: &str, e: &BytesStart, p: &mut Package, s: &mut State) -> Result<(), String> {
    match name {
        "Entity" => p.entities.push(Entity {
            id: required(e, "id")?,
            proximity: match required(e, "patternsProximity")?.as_str() {
                "unlimited" => None,
                n => Some(
                    n.parse()
                        .map_err(|_| format!("`patternsProximity=\"{n}\"`"))?,
                ),
            },
            patterns: Vec::new(),
        }),
        "Pattern" => entity(p)?.patterns.push(Pattern::default()),
        "IdMatch" => pattern(p)?.id_match = required(e, "idRef")?,
        "Match" => {
            if attribute(e, "uniqueResults")?.is_some_and(|u| u == "true") {
                return Err("this reader does not evaluate `uniqueResults`".into());
            }
            let min = match attribute(e, "minCount")? {
                None => 1,
                Some(n) => n.parse().map_err(|_| format!("`minCount=\"{n}\"`"))?,
            };
            let id = required(e, "idRef")?;
            pattern(p)?.matches.push((id, min));
        }
        "Regex" => {
            let luhn = match attribute(e, "validators")?.as_deref() {
                None => false,
                Some("Func_credit_card") => true,
                Some(other) => {
                    return Err(format!(
                        "this reader does not evaluate the validator `{other}`"
                    ))
                }
            };
            s.regex = Some((required(e, "id")?, luhn));
        }
        "Keyword" => s.keyword = Some((required(e, "id")?, Vec::new())),
        "Group" => {
            s.word = match required(e, "matchStyle")?.as_str() {
                "word" => true,
                "string" => false,
                other => return Err(format!("`matchStyle=\"{other}\"`")),
            }
        }
        "Term" => {
            s.case_sensitive = attribute(e, "caseSensitive")?.is_some_and(|c| c == "true");
        }
        "Resource" => s.resource = Some((required(e, "idRef")?, String::new(), String::new())),
        _ => {}
    }
    Ok(())
}

fn end(name: &str, p: &mut Package, s: &mut State) -> Result<(), String> {
    match name {
        "Regex" => {
            let (id, luhn) = s.regex.take().ok_or("a `</Regex>` without its start")?;
            let regex = Regex::new(&s.text).map_err(|e| {
                format!(
                    "the regex `{}` is not one this reader evaluates: {e}",
                    s.text
                )
            })?;
            p.elements.insert(id, Element::Regex { regex, luhn });
        }
        "Term" => {
            let term = term(&s.text, s.word, s.case_sensitive)?;
            s.keyword
                .as_mut()
                .ok_or("a `<Term>` outside a `<Keyword>`")?
                .1
                .push(term);
        }
        "Keyword" => {
            let (id, terms) = s.keyword.take().ok_or("a `</Keyword>` without its start")?;
            p.elements.insert(id, Element::Keyword(terms));
        }
        "Name" | "Description" if s.path.last().is_some_and(|p| p == "Resource") => {
            if let Some((_, n, d)) = s.resource.as_mut() {
                *(if name == "Name" { n } else { d }) = s.text.clone();
            }
        }
        "Resource" => {
            let (id, n, d) = s
                .resource
                .take()
                .ok_or("a `</Resource>` without its start")?;
            p.resources.insert(id, (n, d));
        }
        _ => {}
    }
    Ok(())
}

fn entity(p: &mut Package) -> Result<&mut Entity, String> {
    p.entities
        .last_mut()
        .ok_or_else(|| "a `<Pattern>` outside an `<Entity>`".into())
}

fn pattern(p: &mut Package) -> Result<&mut Pattern, String> {
    entity(p)?
        .patterns
        .last_mut()
        .ok_or_else(|| "a match outside a `<Pattern>`".into())
}

/// A keyword term as a regex: the text (ASCII letters folded unless case-sensitive), and for
/// word matching `\b` beside each end that is a word character.
fn term(text: &str, word: bool, case_sensitive: bool) -> Result<Regex, String> {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let edge = |at: bool| if word && at { r"\b" } else { "" };
    let flags = if case_sensitive { "" } else { "(?i)" };
    let pattern = format!(
        "{}(?-u:{flags}{}){}",
        edge(is_word(text.chars().next())),
        regex_syntax::escape(text),
        edge(is_word(text.chars().last()))
    );
    Regex::new(&pattern).map_err(|e| format!("the term `{text}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_fold_ascii_letters_and_match_words_by_unicode() {
        let secret = term("SECRET", true, false).unwrap();
        assert!(secret.is_match("top secret"));
        assert!(!secret.is_match("SECRETARY"));
        assert!(!secret.is_match("SECRETé"), "é continues the word");
        assert!(!term("dissent", true, false).unwrap().is_match("diſſent"));
        assert!(term("C++", true, true).unwrap().is_match("C++ daily"));
        assert!(term("fødselsnummer", true, false)
            .unwrap()
            .is_match("FøDSELSNUMMER"));
        assert!(term("ab", false, true).unwrap().is_match("xaby"));
    }

    #[test]
    fn regexes_are_unicode_and_the_luhn_validator_filters_matches() {
        let card = Element::Regex {
            regex: Regex::new(r"\b[0-9]{4}\b").unwrap(),
            luhn: true,
        };
        assert_eq!(
            card.matches("4242 1234 x"),
            vec![Range { start: 0, end: 4 }]
        );
        let plain = Element::Regex {
            regex: Regex::new(r"\b[0-9]{4}\b").unwrap(),
            luhn: false,
        };
        assert!(plain.matches("1234é").is_empty(), "é is a word character");
    }
}
