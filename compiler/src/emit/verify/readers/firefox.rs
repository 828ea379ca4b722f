//! Firefox's `policies.json`: `WebsiteFilter`'s `Block` and `Exceptions`, lists of WebExtension
//! match patterns (MDN, "Match patterns"), as Firefox's WebsiteFilter.sys.mjs applies them: a
//! page is refused when a `Block` pattern matches its URL and no `Exceptions` pattern does
//! (an exception wins, whatever block it meets); patterns are lowercased, and only the first
//! 1,000 of each list are read (`LIST_LENGTH_LIMIT`). In a pattern's host, `*` matches every
//! host, `*.x` matches x "and any of its subdomains" (x itself included), and `x` x alone;
//! `<all_urls>` matches every URL.
//!
//! This reader judges whole sites: it reads `*://HOST/*` patterns (scheme `*` is http and
//! https, path `/*` every page) and `<all_urls>`; a pattern for one scheme or for some pages
//! is not one it reads.

use super::domains::NameList;
use crate::emit::verify::names::Name;
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;
use serde::Deserialize;
use std::borrow::Cow;

/// Firefox reads at most this many patterns of each list.
pub const MAX_ENTRIES: usize = 1000;

/// The hosts a pattern matches.
enum Host<S> {
    Every,
    /// `*.x`: x and every name under it.
    Tree(S),
    Only(S),
}

impl<S> Host<S> {
    fn map<T>(self, f: impl FnOnce(S) -> T) -> Host<T> {
        match self {
            Host::Every => Host::Every,
            Host::Tree(name) => Host::Tree(f(name)),
            Host::Only(name) => Host::Only(f(name)),
        }
    }
}

fn host(pattern: &str) -> Result<Host<&str>, String> {
    if pattern.eq_ignore_ascii_case("<all_urls>") {
        return Ok(Host::Every);
    }
    let host = pattern
        .strip_prefix("*://")
        .and_then(|p| p.strip_suffix("/*"))
        .filter(|h| !h.is_empty() && !h.contains(['/', ':']))
        .ok_or_else(|| {
            format!(
                "the pattern `{pattern}` is not for a whole site (`*://HOST/*` or `<all_urls>`)"
            )
        })?;
    Ok(match host.strip_prefix("*.") {
        _ if host == "*" => Host::Every,
        Some(domain) if !domain.contains('*') => Host::Tree(domain),
        None if !host.contains('*') => Host::Only(host),
        _ => return Err(format!("the pattern `{pattern}` has a misplaced `*`")),
    })
}

/// One list of patterns, by the hosts they match.
#[derive(Default)]
struct Patterns<'t> {
    hosts: NameList<'t>,
    every: bool,
}

impl<'t> Patterns<'t> {
    fn add(&mut self, pattern: Cow<'t, str>) -> Result<(), String> {
        let host = match pattern {
            Cow::Borrowed(text) => host(text)?.map(Cow::Borrowed),
            Cow::Owned(text) => host(&text)?.map(|h| Cow::Owned(h.to_string())),
        };
        match host {
            Host::Every => self.every = true,
            Host::Tree(name) => self.hosts.add_tree(name),
            Host::Only(name) => self.hosts.add_name(name),
        }
        Ok(())
    }

    /// Whether a pattern matches `name`, and a fresh label under it.
    fn matches_both(&self, name: Name<'_>) -> [bool; 2] {
        if self.every {
            return [true, true];
        }
        self.hosts.holds_both(name)
    }
}

/// Both lists, as Firefox matches a page's URL against them.
#[derive(Default)]
pub struct WebsiteFilter<'t> {
    block: Patterns<'t>,
    exceptions: Patterns<'t>,
}

impl<'t> WebsiteFilter<'t> {
    /// The first 1,000 patterns of the `Block` list and of the `Exceptions` list.
    pub fn new(
        block: impl IntoIterator<Item = Cow<'t, str>>,
        exceptions: impl IntoIterator<Item = Cow<'t, str>>,
    ) -> Result<Self, String> {
        let mut filter = WebsiteFilter::default();
        for pattern in block.into_iter().take(MAX_ENTRIES) {
            filter.block.add(pattern)?;
        }
        for pattern in exceptions.into_iter().take(MAX_ENTRIES) {
            filter.exceptions.add(pattern)?;
        }
        Ok(filter)
    }
}

impl Reading for WebsiteFilter<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(Name::text(name))[usize::from(child)]
    }
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        let blocked = self.block.matches_both(name);
        let excepted = self.exceptions.matches_both(name);
        std::array::from_fn(|i| Some(super::blocked_if(blocked[i] && !excepted[i])))
    }
}

#[derive(Deserialize)]
struct File<'f> {
    #[serde(borrow)]
    policies: Policies<'f>,
}

#[derive(Deserialize)]
struct Policies<'f> {
    #[serde(rename = "WebsiteFilter", default, borrow)]
    website_filter: Lists<'f>,
}

#[derive(Deserialize, Default)]
struct Lists<'f> {
    #[serde(rename = "Block", default, borrow)]
    block: Vec<Cow<'f, str>>,
    #[serde(rename = "Exceptions", default, borrow)]
    exceptions: Vec<Cow<'f, str>>,
}

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let file: File = serde_json::from_slice(super::file(files, "policies.json")?)
        .map_err(|e| format!("`policies.json` is not a policies file: {e}"))?;
    let lists = file.policies.website_filter;
    let filter = WebsiteFilter::new(lists.block, lists.exceptions)?;
    Ok(Consumer::only(&[Question::Browser], filter))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(block: &[&'static str], exceptions: &[&'static str]) -> WebsiteFilter<'static> {
        let cows = |l: &[&'static str]| l.iter().map(|p| Cow::Borrowed(*p)).collect::<Vec<_>>();
        WebsiteFilter::new(cows(block), cows(exceptions)).unwrap()
    }

    fn effect(f: &WebsiteFilter, name: &str, child: bool) -> Effect {
        f.name(name, child).unwrap()
    }

    #[test]
    fn a_star_dot_host_matches_the_host_and_its_subdomains() {
        let f = filter(&["*://*.wide.test/*", "*://only.test/*"], &[]);
        assert_eq!(effect(&f, "wide.test", false), Effect::Blocked);
        assert_eq!(effect(&f, "a.wide.test", true), Effect::Blocked);
        assert_eq!(effect(&f, "only.test", false), Effect::Blocked);
        assert_eq!(effect(&f, "only.test", true), Effect::Allowed);
        assert_eq!(effect(&f, "notwide.test", false), Effect::Allowed);
    }

    #[test]
    fn an_exception_wins_over_any_block() {
        let f = filter(
            &["<all_urls>", "*://*.chat.test/*"],
            &["*://keep.chat.test/*"],
        );
        assert_eq!(effect(&f, "keep.chat.test", false), Effect::Allowed);
        assert_eq!(effect(&f, "keep.chat.test", true), Effect::Blocked);
        assert_eq!(effect(&f, "elsewhere.test", false), Effect::Blocked);
        let f = filter(&["*://x.test/*"], &["*://*.x.test/*"]);
        assert_eq!(effect(&f, "x.test", false), Effect::Allowed);
    }

    #[test]
    fn patterns_are_lowercased_and_only_the_first_thousand_read() {
        let mut block: Vec<Cow<str>> = (0..MAX_ENTRIES)
            .map(|i| Cow::Owned(format!("*://n{i}.test/*")))
            .collect();
        block.push(Cow::Borrowed("*://late.test/*"));
        let f = WebsiteFilter::new(block, []).unwrap();
        assert_eq!(effect(&f, "late.test", false), Effect::Allowed);
        let f = filter(&["*://UPPER.test/*"], &[]);
        assert_eq!(effect(&f, "upper.test", false), Effect::Blocked);
    }

    #[test]
    fn patterns_for_part_of_a_site_are_not_read() {
        for pattern in [
            "https://x.test/*",
            "*://x.test/",
            "*://x.test/page*",
            "*://a.*.test/*",
        ] {
            assert!(
                WebsiteFilter::new([Cow::Borrowed(pattern)], []).is_err(),
                "{pattern}"
            );
        }
    }
}
