//! Name lists as most DNS formats mean them: a name alone, or a name with all its subdomains.
//! Each reader keeps its own lists; this only answers "does a list hold this name".

use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Names listed alone and names listed with their subdomains (a name may be both), borrowed
/// from the file that lists them.
#[derive(Default)]
pub struct NameList<'t> {
    names: FxHashMap<Cow<'t, str>, Listing>,
}

#[derive(Clone, Copy, Default)]
struct Listing {
    apex: bool,
    subdomains: bool,
    /// Listed for its subdomains by a pattern of its own (`*.x`), not only as a domain.
    wildcard: bool,
}

/// A name as DNS compares it: without regard to case. Names are written in lowercase, so
/// this copies one only when it is not.
pub fn folded(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

impl<'t> NameList<'t> {
    /// `name` itself.
    pub fn add_name(&mut self, name: &'t str) {
        self.listing(name).apex = true;
    }
    /// `name` and every name under it.
    pub fn add_tree(&mut self, name: &'t str) {
        let listing = self.listing(name);
        listing.apex = true;
        listing.subdomains = true;
    }
    /// Every name under `name`, not `name` itself.
    pub fn add_subdomains(&mut self, name: &'t str) {
        let listing = self.listing(name);
        listing.subdomains = true;
        listing.wildcard = true;
    }

    fn listing(&mut self, name: &'t str) -> &mut Listing {
        self.names.entry(folded(name)).or_default()
    }

    /// Whether the list holds `name` (or, `child`, a name one label below it).
    pub fn holds(&self, name: &str, child: bool) -> bool {
        let here = self.names.get(name);
        if here.is_some_and(|l| if child { l.subdomains } else { l.apex }) {
            return true;
        }
        ancestors(name).any(|a| self.names.get(a).is_some_and(|l| l.subdomains))
    }

    /// How long the longest pattern of the list that holds `name` (or a label below it) is,
    /// counting `*.x` as the text `.x` (one longer than `x`): formats where the most specific
    /// pattern wins compare these.
    pub fn closest(&self, name: &str, child: bool) -> Option<usize> {
        let under = |at: &str, listing: &Listing| at.len() + usize::from(listing.wildcard);
        if let Some(here) = self.names.get(name) {
            if child && here.subdomains {
                return Some(under(name, here));
            }
            if !child && here.apex {
                return Some(name.len());
            }
        }
        ancestors(name).find_map(|a| {
            self.names
                .get(a)
                .filter(|l| l.subdomains)
                .map(|l| under(a, l))
        })
    }
}

/// The proper ancestors of a name, nearest first: `a.b.c` → `b.c`, `c`.
pub fn ancestors(name: &str) -> impl Iterator<Item = &str> {
    let mut rest = name;
    std::iter::from_fn(move || {
        let (_, parent) = rest.split_once('.')?;
        rest = parent;
        Some(parent)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_hold_names_as_listed() {
        let mut list = NameList::default();
        list.add_tree("example.com");
        list.add_name("exact.org");
        list.add_subdomains("subs.net");
        assert!(list.holds("example.com", false) && list.holds("a.b.example.com", false));
        assert!(list.holds("example.com", true));
        assert!(list.holds("exact.org", false) && !list.holds("exact.org", true));
        assert!(!list.holds("a.exact.org", false));
        assert!(!list.holds("subs.net", false) && list.holds("subs.net", true));
        assert!(list.holds("a.subs.net", false));
        assert!(!list.holds("notexample.com", false));
        assert_eq!(
            list.closest("a.example.com", false),
            Some("example.com".len())
        );
    }
}
