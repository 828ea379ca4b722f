//! Name lists as most DNS formats mean them: a name alone, or a name with all its subdomains.
//! Each reader keeps its own lists; this only answers "does a list hold this name".

use crate::emit::verify::names::{Name, NameIndex, NameMap};
use std::borrow::Cow;

/// Names listed alone and names listed with their subdomains (a name may be both), borrowed
/// from the file that lists them.
pub struct NameList<'t> {
    names: NameMap<'t, Listing>,
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

/// `name` in lowercase, borrowed while it is.
fn folded_cow(name: Cow<'_, str>) -> Cow<'_, str> {
    match name {
        Cow::Borrowed(name) => folded(name),
        Cow::Owned(name) => Cow::Owned(name.to_ascii_lowercase()),
    }
}

/// A list of names kept by text alone, for lists too short to need an index.
impl Default for NameList<'_> {
    fn default() -> Self {
        NameList::new(NameIndex::empty())
    }
}

impl<'t> NameList<'t> {
    /// An empty list whose names of `index` are kept by number.
    pub fn new(index: &'t NameIndex<'t>) -> Self {
        NameList {
            names: NameMap::new(index),
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
        self.names.entry(folded_cow(name))
    }

    /// Whether the list holds `name`, and a fresh label under it: one walk up the name.
    pub fn holds_both(&self, name: Name<'_>) -> [bool; 2] {
        let here = self.names.get(name);
        if here.apex && here.subdomains {
            return [true, true];
        }
        let above = self.names.above(name).any(|l| l.subdomains);
        [here.apex || above, here.subdomains || above]
    }

    /// How long the longest pattern of the list that holds `name`, and a fresh label under
    /// it, is, counting `*.x` as the text `.x` (one longer than `x`): formats where the most
    /// specific pattern wins compare these. One walk up the name serves both.
    pub fn closest_both(&self, name: Name<'_>) -> [Option<usize>; 2] {
        let under = |at: &str, listing: &Listing| at.len() + usize::from(listing.wildcard);
        // The ancestor's text is found only for the one listed: most names have none.
        let above = || {
            let (nth, listing) = self
                .names
                .above(name)
                .enumerate()
                .find(|(_, l)| l.subdomains)?;
            ancestors(name.text).nth(nth).map(|a| under(a, &listing))
        };
        let here = self.names.get(name);
        match (here.apex, here.subdomains) {
            (true, true) => [Some(name.text.len()), Some(under(name.text, &here))],
            (true, false) => [Some(name.text.len()), above()],
            (false, true) => [above(), Some(under(name.text, &here))],
            (false, false) => {
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
    use crate::emit::verify::names::Name;

    fn n(text: &str) -> Name<'_> {
        Name::text(text)
    }

    #[test]
    fn lists_hold_names_as_listed() {
        let mut list = NameList::default();
        list.add_tree("example.com");
        list.add_name("exact.org");
        list.add_subdomains("subs.net");
        assert_eq!(list.holds_both(n("example.com")), [true, true]);
        assert_eq!(list.holds_both(n("a.b.example.com")), [true, true]);
        assert_eq!(list.holds_both(n("exact.org")), [true, false]);
        assert_eq!(list.holds_both(n("a.exact.org")), [false, false]);
        assert_eq!(list.holds_both(n("subs.net")), [false, true]);
        assert_eq!(list.holds_both(n("a.subs.net")), [true, true]);
        assert_eq!(list.holds_both(n("notexample.com")), [false, false]);
        assert_eq!(list.closest_both(n("a.example.com")), [Some(11), Some(11)]);
        // `*.subs.net` is matched by the text `.subs.net`: one longer than `subs.net`.
        assert_eq!(list.closest_both(n("subs.net")), [None, Some(9)]);
    }
}
