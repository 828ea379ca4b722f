//! Set algebra for enforcement: domain rules merged by scope and collapsed under a blocked
//! parent; networks merged. Linear after one sort, so feeds of a million names stay cheap.

use super::{DomainRule, NetworkRule};
use crate::normalize::domain::{covers, Scope};
use crate::normalize::network::{self, Network};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Merge the scopes of two entries for one name.
fn union(a: Scope, b: Scope) -> Scope {
    if a == b {
        a
    } else {
        Scope::Tree
    }
}

/// The first 16 bytes of a name as two big-endian numbers, zero-padded: comparing keys orders
/// names exactly as comparing the names does, as far as the first 16 bytes tell (names hold
/// no NUL). Sorting on keys held inline avoids chasing a pointer per comparison.
fn prefix_key(name: &str) -> (u64, u64) {
    let mut bytes = [0u8; 16];
    let len = name.len().min(16);
    bytes[..len].copy_from_slice(&name.as_bytes()[..len]);
    let (high, low) = bytes.split_at(8);
    (
        u64::from_be_bytes(high.try_into().expect("8 bytes")),
        u64::from_be_bytes(low.try_into().expect("8 bytes")),
    )
}

/// A name to collapse: its sort key, the name, its channel (an index into the few distinct
/// channels) and its scope. Small, because a million of them may be sorted.
type Entry<'a> = ((u64, u64), &'a str, u32, Scope);

/// Lists at least this long are sorted on two threads.
const PARALLEL_FROM: usize = 100_000;

/// Two sorted runs read as one.
struct Merge<I: Iterator, F> {
    left: std::iter::Peekable<I>,
    right: std::iter::Peekable<I>,
    order: F,
}

impl<'a, I, F> Iterator for Merge<I, F>
where
    I: Iterator<Item = Entry<'a>>,
    F: Fn(&Entry<'a>, &Entry<'a>) -> std::cmp::Ordering,
{
    type Item = Entry<'a>;
    fn next(&mut self) -> Option<Entry<'a>> {
        match (self.left.peek(), self.right.peek()) {
            (Some(l), Some(r)) if (self.order)(r, l).is_lt() => self.right.next(),
            (Some(_), _) => self.left.next(),
            (None, _) => self.right.next(),
        }
    }
}

/// Channel lists shared between rules: a feed gives a million names the same one or two
/// channels, so each rule holds a pointer to one shared list instead of a list of its own.
#[derive(Default)]
struct ChannelLists {
    lists: FxHashMap<Vec<Arc<str>>, Arc<[Arc<str>]>>,
}

impl ChannelLists {
    /// The shared list for `channels` (sorted, without repeats).
    fn intern(&mut self, channels: &[Arc<str>]) -> Arc<[Arc<str>]> {
        if let Some(list) = self.lists.get(channels) {
            return list.clone();
        }
        let list: Arc<[Arc<str>]> = Arc::from(channels);
        self.lists.insert(channels.to_vec(), list.clone());
        list
    }
}

/// One rule per name (scopes joined), then every rule inside a parent that covers its
/// subdomains is dropped; its channels are credited to the parent. Sorted by name, the order
/// every list target writes. One sort, then one hash lookup per label of each name against
/// the (usually few) rules that cover subdomains: a feed of a million names stays cheap.
///
/// Each rule's name is a new allocation, made in sorted order: names arrive in the order a
/// feed lists them, scattered over the heap, and every list target reads them in sorted order
/// (one cache miss per name per target); copied in order, they sit side by side.
pub fn collapse_domains<'a>(
    entries: impl IntoIterator<Item = (&'a str, Scope, &'a Arc<str>)>,
) -> Vec<DomainRule> {
    let mut channel_table: Vec<&Arc<str>> = Vec::new();
    let mut entries: Vec<Entry> = entries
        .into_iter()
        .map(|(name, scope, channel)| {
            let index = match channel_table.iter().rposition(|c| *c == channel) {
                Some(i) => i,
                None => {
                    channel_table.push(channel);
                    channel_table.len() - 1
                }
            };
            (prefix_key(name), name, index as u32, scope)
        })
        .collect();
    let order = |a: &Entry, b: &Entry| {
        (a.0.cmp(&b.0))
            .then_with(|| a.1.cmp(b.1))
            .then_with(|| channel_table[a.2 as usize].cmp(channel_table[b.2 as usize]))
    };
    // A long list is sorted in two halves at once, which are then merged as they are read.
    let middle = if entries.len() >= PARALLEL_FROM {
        entries.len() / 2
    } else {
        entries.len()
    };
    let (left, right) = entries.split_at_mut(middle);
    std::thread::scope(|scope| {
        if !right.is_empty() {
            scope.spawn(|| right.sort_unstable_by(order));
        }
        left.sort_unstable_by(order);
    });
    let (left, right) = entries.split_at(middle);

    // All entries for one name: their scopes joined, their channels listed once.
    let mut lists = ChannelLists::default();
    let mut rules: Vec<DomainRule> = Vec::with_capacity(entries.len());
    let mut channels: Vec<Arc<str>> = Vec::new();
    let mut group = Merge {
        left: left.iter().copied().peekable(),
        right: right.iter().copied().peekable(),
        order,
    }
    .peekable();
    while let Some((_, name, channel, mut scope)) = group.next() {
        channels.clear();
        channels.push(channel_table[channel as usize].clone());
        while let Some((_, _, channel, other)) = group.next_if(|next| next.1 == name) {
            scope = union(scope, other);
            let channel = channel_table[channel as usize];
            if channels.last() != Some(channel) {
                channels.push(channel.clone());
            }
        }
        rules.push(DomainRule {
            name: Arc::from(name),
            scope,
            channels: lists.intern(&channels),
        });
    }

    let covering: FxHashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.scope.covers_subdomains())
        .map(|(i, r)| (&*r.name, i))
        .collect();
    if covering.is_empty() {
        return rules;
    }
    // The outermost covering parent of each rule, if any.
    let parent_of = |name: &str| {
        let mut outermost = None;
        let mut suffix = name;
        while let Some((_, parent)) = suffix.split_once('.') {
            if let Some(&i) = covering.get(parent) {
                outermost = Some(i);
            }
            suffix = parent;
        }
        outermost
    };
    let parents: Vec<Option<usize>> = rules.iter().map(|r| parent_of(&r.name)).collect();
    drop(covering);
    // Channels credited to each parent by the rules it swallows.
    let mut credited: BTreeMap<usize, BTreeSet<Arc<str>>> = BTreeMap::new();
    for (rule, parent) in rules.iter().zip(&parents) {
        if let Some(p) = parent {
            credited
                .entry(*p)
                .or_default()
                .extend(rule.channels.iter().cloned());
        }
    }
    for (p, extra) in credited {
        let mut joined: BTreeSet<Arc<str>> = rules[p].channels.iter().cloned().collect();
        joined.extend(extra);
        rules[p].channels = lists.intern(&joined.into_iter().collect::<Vec<_>>());
    }
    rules
        .into_iter()
        .zip(parents)
        .filter(|(_, parent)| parent.is_none())
        .map(|(rule, _)| rule)
        .collect()
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

/// Merge networks; each merged network lists every channel whose networks it contains.
pub fn merge_networks(entries: Vec<(Network, String)>) -> Vec<NetworkRule> {
    let merged = network::merge(entries.iter().map(|(n, _)| *n).collect());
    merged
        .into_iter()
        .map(|network| {
            let channels: BTreeSet<String> = entries
                .iter()
                .filter(|(n, _)| network.contains(n))
                .map(|(_, c)| c.clone())
                .collect();
            NetworkRule {
                network,
                channels: channels.into_iter().collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries as `collapse_domains` takes them, from `(name, scope, channel)`.
    fn entries<'a>(
        list: &'a [(&'a str, Scope, Arc<str>)],
    ) -> impl Iterator<Item = (&'a str, Scope, &'a Arc<str>)> {
        list.iter()
            .map(|(name, scope, channel)| (*name, *scope, channel))
    }

    fn rule<'a>(name: &'a str, scope: Scope, channel: &str) -> (&'a str, Scope, Arc<str>) {
        (name, scope, Arc::from(channel))
    }

    #[test]
    fn collapses_children_and_joins_scopes() {
        let list = [
            rule("web.whatsapp.com", Scope::Exact, "whatsapp"),
            rule("whatsapp.com", Scope::Tree, "whatsapp"),
            rule("whatsapp.com", Scope::Tree, "whatsapp"),
            rule("a.example", Scope::Exact, "x"),
            rule("a.example", Scope::Subdomains, "y"),
            rule("b.a.example", Scope::Exact, "z"),
            rule("whatsapp-plus.com", Scope::Exact, "clone"),
        ];
        let rules = collapse_domains(entries(&list));
        let view: Vec<(&str, Scope, Vec<String>)> = rules
            .iter()
            .map(|r| {
                (
                    &*r.name,
                    r.scope,
                    r.channels.iter().map(|c| c.to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(
            view,
            vec![
                (
                    "a.example",
                    Scope::Tree,
                    vec!["x".to_string(), "y".to_string(), "z".to_string()]
                ),
                ("whatsapp-plus.com", Scope::Exact, vec!["clone".to_string()]),
                ("whatsapp.com", Scope::Tree, vec!["whatsapp".to_string()]),
            ]
        );
    }

    #[test]
    fn exact_names_do_not_swallow_children() {
        let list = [
            rule("skype.com", Scope::Exact, "s"),
            rule("web.skype.com", Scope::Exact, "s"),
        ];
        let rules = collapse_domains(entries(&list));
        assert_eq!(rules.len(), 2);
    }

    #[test]
    fn long_lists_sorted_in_halves_come_out_merged() {
        // Over PARALLEL_FROM entries, in an order that puts every name in both halves.
        let names: Vec<String> = (0..PARALLEL_FROM as u32 + 1000)
            .map(|i| format!("host{}.example", (i * 7919) % 60_000))
            .collect();
        let list: Vec<(&str, Scope, Arc<str>)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| rule(n, Scope::Exact, if i < 60_000 { "a" } else { "b" }))
            .collect();
        let rules = collapse_domains(entries(&list));
        let mut unique: Vec<&str> = names.iter().map(String::as_str).collect();
        unique.sort_unstable();
        unique.dedup();
        let got: Vec<&str> = rules.iter().map(|r| &*r.name).collect();
        assert_eq!(got, unique);
        // The names listed again after the first 60,000 are one rule for both channels.
        let both = rules.iter().filter(|r| r.channels.len() == 2).count();
        assert_eq!(both, list.len() - 60_000);
    }
}
