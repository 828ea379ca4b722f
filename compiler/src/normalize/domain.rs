//! Domain names: lowercase, IDNA → punycode, no trailing dot, DNS length and character rules,
//! and each entry's scope (exactly the name, its subdomains, or both).

use serde::Serialize;
use std::borrow::Cow;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Exactly this name (`hosts "x"`).
    Exact,
    /// The subdomains of this name but not the name (`domains "*.x"`).
    Subdomains,
    /// The name and all its subdomains (`domains "x"`).
    Tree,
}

impl Scope {
    pub fn covers_apex(self) -> bool {
        self != Scope::Subdomains
    }
    pub fn covers_subdomains(self) -> bool {
        self != Scope::Exact
    }
}

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
        }
    }
}

/// Normalise one name (without any `*.` prefix). A name already in normal form (most of a
/// feed) is returned as it is, without a copy.
pub fn normalize(input: &str) -> Result<Cow<'_, str>, DomainError> {
    let trimmed = input.strip_suffix('.').unwrap_or(input);
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

/// Suffixes under which anyone can register names (a small built-in part of the Public Suffix
/// List); blocking one would block unrelated organisations.
const PUBLIC_SUFFIXES: &[&str] = &[
    "ac.uk",
    "co.uk",
    "gov.uk",
    "org.uk",
    "me.uk",
    "com.au",
    "net.au",
    "org.au",
    "co.nz",
    "co.jp",
    "ne.jp",
    "or.jp",
    "com.br",
    "com.cn",
    "net.cn",
    "org.cn",
    "com.hk",
    "com.tw",
    "co.in",
    "co.za",
    "com.mx",
    "com.tr",
    "com.sg",
    "co.kr",
    "github.io",
    "gitlab.io",
    "herokuapp.com",
    "appspot.com",
    "blogspot.com",
    "cloudfront.net",
    "azurewebsites.net",
    "web.app",
    "pages.dev",
    "netlify.app",
    "vercel.app",
];

/// Names shared by many services: blocking them as a whole breaks approved tools.
pub const SHARED_PARENTS: &[&str] = &[
    "akadns.net",
    "akamaihd.net",
    "amazonaws.com",
    "apple.com",
    "azureedge.net",
    "cloudflare.com",
    "facebook.com",
    "fastly.net",
    "fbcdn.net",
    "github.com",
    "google.com",
    "googleapis.com",
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

/// Whether blocking this whole name would swallow unrelated organisations.
pub fn too_broad(name: &str) -> bool {
    !name.contains('.') || PUBLIC_SUFFIXES.contains(&name)
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

#[cfg(test)]
mod tests {
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
    fn tree_key_keeps_subtrees_together() {
        let mut names = vec!["skype-x.com", "web.skype.com", "skype.com", "a.skype.com"];
        names.sort_by_key(|n| tree_key(n));
        assert_eq!(
            names,
            vec!["skype.com", "a.skype.com", "web.skype.com", "skype-x.com"]
        );
    }
}
