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
    /// A list with room for about `names` names (a feed's million are not rehashed again and
    /// again while they are added).
    pub fn with_capacity(names: usize) -> Self {
        NameList {
            names: FxHashMap::with_capacity_and_hasher(names, Default::default()),
        }
    }

    /// `name` itself.
    pub fn add_name(&mut self, name: impl Into<Cow<'t, str>>) {
        self.listing(name.into()).apex = true;
    }
    /// `name` and every name under it.
    pub fn add_tree(&mut self, name: impl Into<Cow<'t, str>>) {
        let listing = self.listing(name.into());
        listing.apex = true;
        listing.subdomains = true;
    }
    /// Every name under `name`, not `name` itself.
    pub fn add_subdomains(&mut self, name: impl Into<Cow<'t, str>>) {
        let listing = self.listing(name.into());
        listing.subdomains = true;
        listing.wildcard = true;
    }

    fn listing(&mut self, name: Cow<'t, str>) -> &mut Listing {
        let name = match name {
            Cow::Borrowed(name) => folded(name),
            Cow::Owned(name) => Cow::Owned(name.to_ascii_lowercase()),
        };
        self.names.entry(name).or_default()
    }

    /// Whether the list holds `name`, and a fresh label under it: one walk up the name.
    pub fn holds_both(&self, name: &str) -> [bool; 2] {
        let here = self.names.get(name).copied().unwrap_or_default();
        if here.apex && here.subdomains {
            return [true, true];
        }
        let above = ancestors(name).any(|a| self.names.get(a).is_some_and(|l| l.subdomains));
        [here.apex || above, here.subdomains || above]
    }

    /// How long the longest pattern of the list that holds `name`, and a fresh label under
    /// it, is, counting `*.x` as the text `.x` (one longer than `x`): formats where the most
    /// specific pattern wins compare these. One walk up the name serves both.
    pub fn closest_both(&self, name: &str) -> [Option<usize>; 2] {
        let under = |at: &str, listing: &Listing| at.len() + usize::from(listing.wildcard);
        let above = || {
            ancestors(name).find_map(|a| {
                self.names
                    .get(a)
                    .filter(|l| l.subdomains)
                    .map(|l| under(a, l))
            })
        };
        match self.names.get(name) {
            Some(here) if here.apex && here.subdomains => {
                [Some(name.len()), Some(under(name, here))]
            }
            Some(here) if here.apex => [Some(name.len()), above()],
            Some(here) if here.subdomains => [above(), Some(under(name, here))],
            _ => {
                let above = above();
                [above, above]
            }
        }
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
        assert_eq!(list.holds_both("example.com"), [true, true]);
        assert_eq!(list.holds_both("a.b.example.com"), [true, true]);
        assert_eq!(list.holds_both("exact.org"), [true, false]);
        assert_eq!(list.holds_both("a.exact.org"), [false, false]);
        assert_eq!(list.holds_both("subs.net"), [false, true]);
        assert_eq!(list.holds_both("a.subs.net"), [true, true]);
        assert_eq!(list.holds_both("notexample.com"), [false, false]);
        assert_eq!(list.closest_both("a.example.com"), [Some(11), Some(11)]);
        // `*.subs.net` is matched by the text `.subs.net`: one longer than `subs.net`.
        assert_eq!(list.closest_both("subs.net"), [None, Some(9)]);
    }
}
