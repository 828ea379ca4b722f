//! Domain names: lowercase, IDNA → punycode, no trailing dot, DNS length and character rules,
//! and each entry's scope (exactly the name, its subdomains, or both).

use crate::source::{FileId, Span, Str};
use crate::vocabulary::Scope;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainError {
    Empty,
    BadCharacter(char),
    Idna,
    LabelTooLong(usize),
    NameTooLong(usize),
    EmptyLabel,
    Hyphen,
    Underscore,
    Wildcard,
    /// The last label, a number: the host is an address, not a name.
    EndsInANumber(String),
}

impl DomainError {
    pub fn explain(&self) -> String {
        match self {
            DomainError::Empty => "the name is empty".into(),
            DomainError::BadCharacter(c) => format!(
                "{} cannot appear in a domain name",
                crate::diagnostics::quote(&c.to_string())
            ),
            DomainError::Idna => "the name is not a valid internationalised domain name".into(),
            DomainError::LabelTooLong(n) => {
                format!("a label has {n} characters; at most 63 are allowed")
            }
            DomainError::NameTooLong(n) => {
                format!("the name has {n} characters; at most 253 are allowed")
            }
            DomainError::EmptyLabel => {
                "the name has an empty label (two dots in a row, or a leading dot)".into()
            }
            DomainError::Hyphen => "a label starts or ends with `-`".into(),
            DomainError::Underscore => "`_` may only start a service label such as `_sip`".into(),
            DomainError::Wildcard => {
                "`*` may only appear as `*.` at the start of a `domains` entry".into()
            }
            DomainError::EndsInANumber(label) => format!(
                "the last label {} is a number: browsers and resolvers read this host as an IP address, and DNS blocks names only (addresses go in `networks`)",
                crate::diagnostics::quote(label)
            ),
        }
    }
}

/// Normalise one name (without any `*.` prefix). A name already in normal form (most of a
/// feed) is returned as it is, without a copy.
pub fn normalize(input: &str) -> Result<Cow<'_, str>, DomainError> {
    let trimmed = input.strip_suffix('.').unwrap_or(input);
    let name = if is_normal(trimmed) {
        Cow::Borrowed(trimmed)
    } else {
        normalize_slowly(trimmed)?
    };
    let last = name.rsplit('.').next().unwrap_or_default();
    if ends_in_a_number(last) {
        return Err(DomainError::EndsInANumber(last.to_string()));
    }
    Ok(name)
}

/// Whether a host's last label makes it an address (WHATWG URL's "ends in a number"): all
/// decimal digits, or `0x` and hexadecimal digits.
fn ends_in_a_number(label: &str) -> bool {
    let hex = label
        .strip_prefix("0x")
        .or_else(|| label.strip_prefix("0X"));
    match hex {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_hexdigit()),
        None => !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// `normalize` for a name that is not already in normal form: convert it, or say why not.
fn normalize_slowly(trimmed: &str) -> Result<Cow<'_, str>, DomainError> {
    if trimmed.is_empty() {
        return Err(DomainError::Empty);
    }
    if let Some(c) = trimmed
        .chars()
        .find(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
    {
        return Err(if c == '*' {
            DomainError::Wildcard
        } else {
            DomainError::BadCharacter(c)
        });
    }
    let ascii = if !trimmed.is_ascii() {
        Cow::Owned(idna::domain_to_ascii(trimmed).map_err(|_| DomainError::Idna)?)
    } else if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        Cow::Borrowed(trimmed)
    };
    if ascii.len() > 253 {
        return Err(DomainError::NameTooLong(ascii.len()));
    }
    for label in ascii.split('.') {
        if label.is_empty() {
            return Err(DomainError::EmptyLabel);
        }
        if label.len() > 63 {
            return Err(DomainError::LabelTooLong(label.len()));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(DomainError::Hyphen);
        }
        if label[1..].contains('_') {
            return Err(DomainError::Underscore);
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_')))
        {
            return Err(DomainError::BadCharacter(c));
        }
    }
    Ok(ascii)
}

/// Whether a name (without a trailing dot) is already in normal form, in one pass over its
/// bytes: at most 253 bytes of lowercase letters, digits, `-`, `_` and `.`; labels of 1 to 63
/// bytes that neither start nor end with `-`, with `_` only first. Most names in a feed are;
/// the rest take the long way through `normalize`, which says what is wrong.
fn is_normal(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > 253 {
        return false;
    }
    let mut label_start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let ok = match byte {
            b'a'..=b'z' | b'0'..=b'9' => true,
            b'-' => i != label_start && bytes.get(i + 1).is_some_and(|&next| next != b'.'),
            b'_' => i == label_start,
            b'.' => {
                let ok = i != label_start && i - label_start <= 63;
                label_start = i + 1;
                ok
            }
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    (1..=63).contains(&(bytes.len() - label_start))
}

/// Normalise a `domains` entry (`x` or `*.x`) or a `hosts` entry (exact).
pub fn normalize_entry(input: &str, exact: bool) -> Result<(Cow<'_, str>, Scope), DomainError> {
    if exact {
        return normalize(input).map(|n| (n, Scope::Exact));
    }
    match input.strip_prefix("*.") {
        Some(rest) => normalize(rest).map(|n| (n, Scope::Subdomains)),
        None => normalize(input).map(|n| (n, Scope::Tree)),
    }
}

/// One of a channel's names, normalised, shared by every later stage.
#[derive(Clone, Debug)]
pub struct NameEntry {
    pub name: Arc<str>,
    pub scope: Scope,
    /// Where it is written (the policy, or a feed file), in 12 bytes rather than a `Span`'s
    /// 24: a feed may hold a million names. Files are far smaller than 4 GiB (`MAX_FILE_BYTES`).
    file: FileId,
    start: u32,
    len: u32,
}

impl NameEntry {
    pub fn new(name: Arc<str>, scope: Scope, span: Span) -> Self {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        NameEntry {
            name,
            scope,
            file: span.file,
            start: offset(span.start),
            len: offset(span.end.saturating_sub(span.start)),
        }
    }

    /// Where it is written.
    pub fn span(&self) -> Span {
        let start = self.start as usize;
        Span::new(self.file, start, start + self.len as usize)
    }
}

/// A `domains` or `hosts` entry that does not normalise, kept for the E201 diagnostic.
#[derive(Clone, Debug)]
pub struct BadName {
    pub written: Str,
    pub error: DomainError,
}

/// Normalised names and the entries that would not normalise, in the order written.
#[derive(Clone, Debug, Default)]
pub struct NameList {
    pub names: Vec<NameEntry>,
    pub bad: Vec<BadName>,
}

impl NameList {
    /// Normalise one entry written at `span` into the list.
    pub fn push(&mut self, written: &str, span: Span, exact: bool) {
        match normalize_entry(written, exact) {
            Ok((name, scope)) => self
                .names
                .push(NameEntry::new(Arc::from(name), scope, span)),
            Err(error) => self.bad.push(BadName {
                written: Str {
                    value: written.to_string(),
                    span,
                },
                error,
            }),
        }
    }

    /// Move `more` to the end of this list.
    pub fn append(&mut self, mut more: NameList) {
        if self.names.is_empty() {
            std::mem::swap(&mut self.names, &mut more.names);
        }
        self.names.append(&mut more.names);
        self.bad.append(&mut more.bad);
    }
}

/// Names shared by many services: blocking them as a whole breaks approved tools. Only those
/// the Public Suffix List leaves out (it lists `akadns.net` and `googleapis.com`, so
/// `too_broad` refuses them already).
pub const SHARED_PARENTS: &[&str] = &[
    "amazonaws.com",
    "apple.com",
    "cloudflare.com",
    "facebook.com",
    "fastly.net",
    "fbcdn.net",
    "github.com",
    "google.com",
    "gstatic.com",
    "icloud.com",
    "microsoft.com",
    "msedge.net",
    "office.com",
    "office.net",
    "qq.com",
    "windows.net",
    "zendesk.com",
];

/// Whether blocking this whole name would swallow unrelated organisations: it is itself a
/// public suffix, a name under which anyone can register their own. The Public Suffix List
/// (embedded by `psl`, so nothing is fetched at run time) decides, with both its sections: the
/// registries (`com.ar`) and the platforms that give out subdomains (`github.io`). Its implicit
/// `*` rule makes every single label one, so a name under no known top-level domain counts too.
pub fn too_broad(name: &str) -> bool {
    psl::suffix(name.as_bytes()).is_some_and(|suffix| suffix.as_bytes().len() == name.len())
}

/// Sort key that puts a name's subtree right after it: labels reversed, joined by a byte that
/// sorts before every label character.
pub fn tree_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for (i, label) in name.rsplit('.').enumerate() {
        if i > 0 {
            key.push('\u{1}');
        }
        key.push_str(label);
    }
    key
}

/// `child` is a strict subdomain of `parent`.
pub fn is_subdomain(child: &str, parent: &str) -> bool {
    child.len() > parent.len()
        && child.ends_with(parent)
        && child.as_bytes()[child.len() - parent.len() - 1] == b'.'
}

/// Whether a rule `(rule, scope)` matches some name of the entry `(name, name_scope)`.
pub fn covers(rule: &str, scope: Scope, name: &str, name_scope: Scope) -> bool {
    if name == rule {
        // Same name: the rule reaches the entry if their scopes share a name.
        (scope.covers_apex() && name_scope.covers_apex())
            || (scope.covers_subdomains() && name_scope.covers_subdomains())
    } else if is_subdomain(name, rule) {
        scope.covers_subdomains()
    } else {
        false
    }
}

/// Few names (e.g. approved channels'), indexed by every suffix, so that each of many blocked
/// names is checked against them with one lookup.
pub struct SuffixIndex<T> {
    by_suffix: FxHashMap<Arc<str>, Vec<Indexed<T>>>,
}

/// An indexed name, its scope, and what the caller attached to it.
pub type Indexed<T> = (Arc<str>, Scope, T);

impl<T: Clone> SuffixIndex<T> {
    pub fn new(entries: impl IntoIterator<Item = Indexed<T>>) -> Self {
        let mut by_suffix: FxHashMap<Arc<str>, Vec<Indexed<T>>> = FxHashMap::default();
        for (name, scope, value) in entries {
            let mut suffix: &str = &name;
            loop {
                by_suffix.entry(Arc::from(suffix)).or_default().push((
                    name.clone(),
                    scope,
                    value.clone(),
                ));
                match suffix.split_once('.') {
                    Some((_, parent)) => suffix = parent,
                    None => break,
                }
            }
        }
        SuffixIndex { by_suffix }
    }

    /// The indexed entries that a rule `(name, scope)` matches.
    pub fn covered_by<'a>(
        &'a self,
        name: &'a str,
        scope: Scope,
    ) -> impl Iterator<Item = &'a Indexed<T>> + 'a {
        self.by_suffix
            .get(name)
            .into_iter()
            .flatten()
            .filter(move |(entry, entry_scope, _)| covers(name, scope, entry, *entry_scope))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_quick_check_agrees_with_the_long_way() {
        // Every string of up to four characters over an alphabet of the interesting cases,
        // and labels and names at their length limits.
        let alphabet = ["a", "Z", "0", "-", "_", ".", "*", "é", " "];
        let mut cases = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|prefix| alphabet.iter().map(move |c| format!("{prefix}{c}")))
                .collect();
            cases.extend(last.iter().cloned());
        }
        for label in [62, 63, 64] {
            cases.push(format!("{}.example", "a".repeat(label)));
            cases.push(format!("x.{}", "b".repeat(label)));
        }
        for total in [252, 253, 254] {
            let mut name = "abcdefghi.".repeat(26);
            name.truncate(total);
            cases.push(name.trim_end_matches('.').to_string() + "z");
            cases.push(name);
        }
        for case in &cases {
            let long_way = normalize_slowly(case);
            let normal = matches!(&long_way, Ok(Cow::Borrowed(n)) if *n == case);
            assert_eq!(is_normal(case), normal, "{case:?}: {long_way:?}");
        }
    }

    use super::*;

    #[test]
    fn normalises_case_trailing_dot_and_idna() {
        assert_eq!(normalize("Signal.ORG.").unwrap(), "signal.org");
        assert_eq!(
            normalize("bücher.example").unwrap(),
            "xn--bcher-kva.example"
        );
    }

    #[test]
    fn rejects_hostile_and_malformed_names() {
        assert_eq!(normalize("a\"b.com"), Err(DomainError::BadCharacter('"')));
        assert_eq!(normalize("a;b.com"), Err(DomainError::BadCharacter(';')));
        assert_eq!(normalize("a b.com"), Err(DomainError::BadCharacter(' ')));
        assert_eq!(normalize("a..com"), Err(DomainError::EmptyLabel));
        assert_eq!(
            normalize(&format!("{}.com", "a".repeat(64))),
            Err(DomainError::LabelTooLong(64))
        );
        assert_eq!(normalize("-a.com"), Err(DomainError::Hyphen));
        assert_eq!(normalize("a_b.com"), Err(DomainError::Underscore));
        assert!(normalize("_sip._tcp.example.com").is_ok());
    }

    /// An IP address in `domains` normalised as a name: no resolver is asked for it, and
    /// AdGuard's list compiler drops the rule. A host whose last label is a number (decimal,
    /// or `0x` hex) is an address to browsers and resolvers (WHATWG URL's "ends in a number").
    #[test]
    fn rejects_names_ending_in_a_number() {
        for address in [
            "1.2.3.4",
            "10.0.0.1.",
            "0.0",
            "a.0",
            "x.0x1f",
            "x.0X",
            "192.168.1.1",
        ] {
            assert!(
                matches!(normalize(address), Err(DomainError::EndsInANumber(_))),
                "{address}: {:?}",
                normalize(address)
            );
        }
        for name in ["1.example", "a.0a", "x.0xg", "4chan.org", "a.b1"] {
            assert!(normalize(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn scopes_cover_as_documented() {
        assert!(covers(
            "skype.com",
            Scope::Tree,
            "teams.skype.com",
            Scope::Subdomains
        ));
        assert!(!covers(
            "skype.com",
            Scope::Exact,
            "web.skype.com",
            Scope::Exact
        ));
        assert!(!covers(
            "skype.com",
            Scope::Subdomains,
            "skype.com",
            Scope::Exact
        ));
        assert!(covers(
            "skype.com",
            Scope::Tree,
            "skype.com",
            Scope::Subdomains
        ));
        assert!(!covers(
            "skype.com",
            Scope::Tree,
            "notskype.com",
            Scope::Tree
        ));
    }

    #[test]
    fn public_suffixes_of_every_registry_are_too_broad() {
        // Top-level domains, a brand TLD and a name under no known TLD.
        for name in ["org", "skype", "corp"] {
            assert!(too_broad(name), "{name}");
        }
        // Registries of the ICANN section, and the private section's platforms where anyone
        // gets a subdomain.
        for name in [
            "com.ar",
            "co.id",
            "com.pl",
            "co.uk",
            "github.io",
            "pages.dev",
        ] {
            assert!(too_broad(name), "{name}");
        }
        // Names registered under them, and punycode registries.
        assert!(too_broad("xn--55qx5d.cn"));
        for name in [
            "signal.org",
            "example.com.ar",
            "user.github.io",
            "xn--bcher-kva.com.pl",
        ] {
            assert!(!too_broad(name), "{name}");
        }
    }

    #[test]
    fn tree_key_keeps_subtrees_together() {
        let mut names = vec!["skype-x.com", "web.skype.com", "skype.com", "a.skype.com"];
        names.sort_by_key(|n| tree_key(n));
        assert_eq!(
            names,
            vec!["skype.com", "a.skype.com", "web.skype.com", "skype-x.com"]
        );
    }
}
