//! Chrome's (and Chromium's, and Edge's) managed policy: `URLBlocklist` and `URLAllowlist`,
//! lists of URL filters as Chromium's "URL Blocklist filter format" describes them
//! (https://www.chromium.org/administrators/url-blocklist-filter-format; Edge's "Filter format
//! for URL list-based policies" says the same). A filter `host` matches the host and every
//! name under it, `.host` the host only, `*` every host; a trailing `.` or `/` is ignored and
//! hosts are compared in any case. The filter that decides is the most specific match: the
//! filters of the longest matching host, going up one label at a time and to `*` last; among
//! those, one for the host only (`.host`) before one that also matches subdomains; and "when
//! both a blocklist and allowlist filter apply" with the same specificity, "the allowlist filter
//! takes precedence". No filter: the request is allowed. Each list is "limited to 1000 entries;
//! subsequent entries are ignored" (the URLBlocklist and URLAllowlist policy pages).
//! tests/real_browser.rs checks these rules against Chromium itself, `.host` before `host`
//! included (the format page leaves it to "most specific").
//!
//! This reader judges whole sites: a filter with a scheme, port, path or query blocks part of
//! one, and is not one it reads.

use super::domains::{ancestors, folded};
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;
use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::borrow::Cow;

/// Chromium reads at most this many entries of each list.
pub const MAX_ENTRIES: usize = 1000;

/// The filters written for one host: for the host only or with its subdomains, to block or
/// to allow.
#[derive(Clone, Copy, Default)]
struct Filters {
    exact: Option<Effect>,
    subdomains: Option<Effect>,
}

/// Allow wins over block at the same specificity.
fn strongest(current: Option<Effect>, allow: bool) -> Option<Effect> {
    if allow || current == Some(Effect::Allowed) {
        Some(Effect::Allowed)
    } else {
        Some(Effect::Blocked)
    }
}

/// A filter's host: `None` for `*`, else whether it is for the host only (`.host`), and the
/// host. A trailing `.` or `/` is ignored.
fn host_filter(filter: &str) -> Result<Option<(bool, &str)>, String> {
    let trimmed = filter.strip_suffix(['.', '/']).unwrap_or(filter);
    if trimmed == "*" {
        return Ok(None);
    }
    let (exact, host) = match trimmed.strip_prefix('.') {
        Some(host) => (true, host),
        None => (false, trimmed),
    };
    if host.is_empty() || host.contains([':', '/', '?', '@', '#', '*', ' ']) {
        return Err(format!(
            "the URL filter `{filter}` is not for a whole host (`host`, `.host` or `*`)"
        ));
    }
    Ok(Some((exact, host)))
}

/// Both lists, as Chromium matches a host against them.
#[derive(Default)]
pub struct UrlFilters<'t> {
    hosts: FxHashMap<Cow<'t, str>, Filters>,
    /// The `*` filters.
    everything: Option<Effect>,
}

impl<'t> UrlFilters<'t> {
    /// The first 1,000 filters of the block list (`allow` false) or the allow list.
    pub fn add_list(
        &mut self,
        filters: impl IntoIterator<Item = Cow<'t, str>>,
        allow: bool,
    ) -> Result<(), String> {
        for filter in filters.into_iter().take(MAX_ENTRIES) {
            self.add(filter, allow)?;
        }
        Ok(())
    }

    fn add(&mut self, filter: Cow<'t, str>, allow: bool) -> Result<(), String> {
        let parsed = match filter {
            Cow::Borrowed(text) => host_filter(text)?.map(|(exact, host)| (exact, folded(host))),
            Cow::Owned(text) => host_filter(&text)?
                .map(|(exact, host)| (exact, Cow::Owned(host.to_ascii_lowercase()))),
        };
        let Some((exact, host)) = parsed else {
            self.everything = strongest(self.everything, allow);
            return Ok(());
        };
        let filters = self.hosts.entry(host).or_default();
        let side = if exact {
            &mut filters.exact
        } else {
            &mut filters.subdomains
        };
        *side = strongest(*side, allow);
        Ok(())
    }

    /// What Chromium does with a request to `host` (or, `child`, to a name one label below it
    /// that no filter names).
    pub fn decide(&self, host: &str, child: bool) -> Effect {
        let own = (!child).then_some(host);
        let mut levels = std::iter::once(host).chain(ancestors(host));
        let decided = levels.find_map(|level| {
            let filters = self.hosts.get(level)?;
            let exact = filters.exact.filter(|_| own == Some(level));
            exact.or(filters.subdomains)
        });
        decided.or(self.everything).unwrap_or(Effect::Allowed)
    }
}

impl Reading for UrlFilters<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        Some(self.decide(name, child))
    }
}

#[derive(Deserialize)]
struct Policy<'f> {
    #[serde(rename = "URLBlocklist", default, borrow)]
    block: Vec<Cow<'f, str>>,
    #[serde(rename = "URLAllowlist", default, borrow)]
    allow: Vec<Cow<'f, str>>,
}

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let file = super::file(files, "msgpol.json")?;
    let policy: Policy =
        serde_json::from_slice(file).map_err(|e| format!("`msgpol.json` is not a policy: {e}"))?;
    let mut filters = UrlFilters::default();
    filters.add_list(policy.block, false)?;
    filters.add_list(policy.allow, true)?;
    Ok(Consumer::only(&[Question::Browser], filters))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(block: &[&'static str], allow: &[&'static str]) -> UrlFilters<'static> {
        let mut filters = UrlFilters::default();
        let cows =
            |list: &[&'static str]| list.iter().map(|f| Cow::Borrowed(*f)).collect::<Vec<_>>();
        filters.add_list(cows(block), false).unwrap();
        filters.add_list(cows(allow), true).unwrap();
        filters
    }

    #[test]
    fn a_host_filter_matches_its_subdomains_and_a_dotted_one_the_host_only() {
        let f = filters(&["example.com", ".exact.org"], &[]);
        assert_eq!(f.decide("example.com", false), Effect::Blocked);
        assert_eq!(f.decide("a.b.example.com", false), Effect::Blocked);
        assert_eq!(f.decide("example.com", true), Effect::Blocked);
        assert_eq!(f.decide("exact.org", false), Effect::Blocked);
        assert_eq!(f.decide("exact.org", true), Effect::Allowed);
        assert_eq!(f.decide("notexample.com", false), Effect::Allowed);
    }

    #[test]
    fn the_most_specific_filter_wins_whichever_list_holds_it() {
        // A longer host decides, allowed or blocked.
        let f = filters(
            &["example.com", "deep.chat.example.com"],
            &["chat.example.com"],
        );
        assert_eq!(f.decide("chat.example.com", false), Effect::Allowed);
        assert_eq!(f.decide("x.chat.example.com", false), Effect::Allowed);
        assert_eq!(f.decide("deep.chat.example.com", true), Effect::Blocked);
        assert_eq!(f.decide("other.example.com", false), Effect::Blocked);
        // An exact allow carves out the host alone.
        let f = filters(&["example.com"], &[".example.com"]);
        assert_eq!(f.decide("example.com", false), Effect::Allowed);
        assert_eq!(f.decide("example.com", true), Effect::Blocked);
    }

    #[test]
    fn a_host_only_filter_is_more_specific_than_one_with_subdomains() {
        let f = filters(&[".a.test"], &["a.test"]);
        assert_eq!(f.decide("a.test", false), Effect::Blocked);
        assert_eq!(f.decide("a.test", true), Effect::Allowed);
    }

    #[test]
    fn an_allow_wins_over_a_block_of_the_same_specificity() {
        let f = filters(&["x.test", ".y.test"], &["x.test", ".y.test"]);
        assert_eq!(f.decide("x.test", false), Effect::Allowed);
        assert_eq!(f.decide("x.test", true), Effect::Allowed);
        assert_eq!(f.decide("y.test", false), Effect::Allowed);
    }

    #[test]
    fn star_matches_every_host_last() {
        let f = filters(&["*"], &["good.test"]);
        assert_eq!(f.decide("good.test", true), Effect::Allowed);
        assert_eq!(f.decide("other.test", false), Effect::Blocked);
    }

    #[test]
    fn entries_past_the_thousandth_are_ignored_and_case_and_trailing_dots_are_not() {
        let mut block: Vec<Cow<str>> = (0..MAX_ENTRIES)
            .map(|i| Cow::Owned(format!("n{i}.test")))
            .collect();
        block.push(Cow::Borrowed("late.test"));
        block.push(Cow::Borrowed("Upper.TEST."));
        let mut f = UrlFilters::default();
        f.add_list(block, false).unwrap();
        assert_eq!(f.decide("n999.test", false), Effect::Blocked);
        assert_eq!(f.decide("late.test", false), Effect::Allowed);
        let f = filters(&["Upper.TEST.", ".Dot.test/"], &[]);
        assert_eq!(f.decide("upper.test", true), Effect::Blocked);
        assert_eq!(f.decide("dot.test", false), Effect::Blocked);
    }

    #[test]
    fn filters_for_part_of_a_site_are_not_read() {
        for filter in [
            "https://x.test",
            "x.test/path",
            "x.test:8080",
            "*.x.test",
            "x.test?a=1",
        ] {
            let mut f = UrlFilters::default();
            assert!(
                f.add_list([Cow::Borrowed(filter)], false).is_err(),
                "{filter}"
            );
        }
    }
}
