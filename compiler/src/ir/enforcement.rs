//! Set algebra for enforcement: domain rules merged by scope and collapsed under a blocked
//! parent; networks merged. Linear after one sort, so feeds of a million names stay cheap.

use super::{DomainRule, NetworkRule};
use crate::normalize::domain::NameEntry;
use crate::normalize::network::{self, Network};
use crate::vocabulary::Scope;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

/// Merge the scopes of two entries for one name.
fn union(a: Scope, b: Scope) -> Scope {
    if a == b {
        a
    } else {
        Scope::Tree
    }
}

/// How many leading bytes of a name its sort key holds.
pub const KEY_BYTES: usize = 24;

/// The first `KEY_BYTES` bytes of a name as big-endian numbers, zero-padded. Names hold no
/// NUL, so comparing keys orders names as comparing the names does, as far as the key goes;
/// two names that fit in their keys are equal exactly when their keys are. Most names fit,
/// so sorting and grouping rarely follow a pointer to a name (names sit scattered over the
/// heap, in the order the feed lists them: each pointer followed is a cache miss).
pub fn sort_key(name: &str) -> [u64; 3] {
    let mut bytes = [0u8; KEY_BYTES];
    let len = name.len().min(KEY_BYTES);
    bytes[..len].copy_from_slice(&name.as_bytes()[..len]);
    std::array::from_fn(|i| {
        u64::from_be_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("8 bytes"))
    })
}

/// A name to collapse, small because a million of them may be sorted.
#[derive(Clone, Copy)]
struct Entry<'a> {
    key: [u64; 3],
    name: &'a str,
    /// Its channel's rank among the distinct channels, in name order.
    channel: u32,
    scope: Scope,
}

impl Entry<'_> {
    fn same_name(&self, other: &Entry) -> bool {
        self.key == other.key
            && (self.name.len() <= KEY_BYTES && other.name.len() <= KEY_BYTES
                || self.name == other.name)
    }

    /// By name alone.
    fn name_order(&self, other: &Entry) -> std::cmp::Ordering {
        self.key.cmp(&other.key).then_with(|| {
            if self.name.len() <= KEY_BYTES && other.name.len() <= KEY_BYTES {
                std::cmp::Ordering::Equal
            } else {
                self.name.cmp(other.name)
            }
        })
    }

    /// By name, then channel.
    fn order(&self, other: &Entry) -> std::cmp::Ordering {
        self.name_order(other)
            .then(self.channel.cmp(&other.channel))
    }

    /// The name, copied from the key when it fits there (no pointer followed).
    fn name_copy(&self) -> Arc<str> {
        if self.name.len() > KEY_BYTES {
            return Arc::from(self.name);
        }
        let mut bytes = [0u8; KEY_BYTES];
        for (chunk, word) in bytes.chunks_exact_mut(8).zip(self.key) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        Arc::from(
            std::str::from_utf8(&bytes[..self.name.len()])
                .expect("the key holds the name's bytes, cut at its length"),
        )
    }
}

/// Lists at least this long are sorted on two threads.
const PARALLEL_FROM: usize = 100_000;

/// Two sorted runs read as one.
struct Merge<'a, I: Iterator<Item = Entry<'a>>> {
    left: std::iter::Peekable<I>,
    right: std::iter::Peekable<I>,
}

impl<'a, I: Iterator<Item = Entry<'a>>> Iterator for Merge<'a, I> {
    type Item = Entry<'a>;
    fn next(&mut self) -> Option<Entry<'a>> {
        match (self.left.peek(), self.right.peek()) {
            (Some(l), Some(r)) if r.order(l).is_lt() => self.right.next(),
            (Some(_), _) => self.left.next(),
            (None, _) => self.right.next(),
        }
    }
}

/// A shared list of channels.
type List = Arc<[Arc<str>]>;

/// Channel lists shared between rules: a feed gives a million names the same one or two
/// channels, so each rule holds a pointer to one shared list instead of a list of its own.
struct ChannelLists<'t> {
    /// Every distinct channel, in name order: lists are built of ranks in this table.
    table: &'t [Arc<str>],
    lists: FxHashMap<Vec<u32>, List>,
    /// The list handed out last: neighbouring rules mostly share one.
    last: Option<(Vec<u32>, List)>,
    /// The list of another table adopted last, and this table's list for it.
    last_adopted: Option<(List, List)>,
}

impl<'t> ChannelLists<'t> {
    fn new(table: &'t [Arc<str>]) -> Self {
        ChannelLists {
            table,
            lists: FxHashMap::default(),
            last: None,
            last_adopted: None,
        }
    }

    /// The shared list for the channels ranked `ranks` (ascending, without repeats).
    fn intern(&mut self, ranks: &[u32]) -> List {
        if let Some((last_ranks, list)) = &self.last {
            if last_ranks == ranks {
                return list.clone();
            }
        }
        let table = self.table;
        let list = self
            .lists
            .entry(ranks.to_vec())
            .or_insert_with(|| ranks.iter().map(|&r| table[r as usize].clone()).collect())
            .clone();
        self.last = Some((ranks.to_vec(), list.clone()));
        list
    }

    /// This table's list for a list handed out by another table over the same channels.
    fn adopt(&mut self, list: &List) -> List {
        if let Some((foreign, own)) = &self.last_adopted {
            if Arc::ptr_eq(foreign, list) {
                return own.clone();
            }
        }
        let own = self.intern(&self.ranks(list));
        self.last_adopted = Some((list.clone(), own.clone()));
        own
    }

    /// The ranks of the channels in a list of channels of the table.
    fn ranks(&self, list: &[Arc<str>]) -> Vec<u32> {
        list.iter()
            .map(|c| {
                self.table
                    .binary_search(c)
                    .expect("lists hold channels of the table") as u32
            })
            .collect()
    }
}

/// A channel and its names, as `collapse_domains` takes them.
pub type ChannelNames<'a> = (&'a Arc<str>, &'a [NameEntry]);

/// One rule per name (scopes joined), then every rule inside a parent that covers its
/// subdomains is dropped; its channels are credited to the parent. Sorted by name, the order
/// every list target writes. One sort, then one hash lookup per label of each name against
/// the (usually few) rules that cover subdomains: a feed of a million names stays cheap.
/// A long list is sorted in two halves, and grouped into rules in two parts, on two threads.
///
/// Each rule's name is a new allocation, made in sorted order: names arrive in the order a
/// feed lists them, scattered over the heap, and every list target reads them in sorted order
/// (one cache miss per name per target); copied in order, they sit side by side.
///
/// Also returns the rules collapsed into a parent that name themselves (not only their
/// subdomains): a format that cannot block subdomains still lists those names.
pub fn collapse_domains(sources: &[ChannelNames]) -> (Vec<DomainRule>, Vec<DomainRule>) {
    // Every distinct channel in name order; entries hold their channel's rank in it.
    let mut table: Vec<Arc<str>> = sources.iter().map(|(c, _)| Arc::clone(c)).collect();
    table.sort();
    table.dedup();
    let ranked: Vec<(u32, &[NameEntry])> = sources
        .iter()
        .map(|(channel, names)| {
            let rank = table
                .binary_search(channel)
                .expect("every channel is in the table");
            (rank as u32, *names)
        })
        .collect();
    let total: usize = ranked.iter().map(|(_, names)| names.len()).sum();
    let middle = if total >= PARALLEL_FROM {
        total / 2
    } else {
        total
    };
    let (left, right) = std::thread::scope(|scope| {
        let right =
            (middle < total).then(|| scope.spawn(|| sorted_entries(&ranked, middle..total)));
        let left = sorted_entries(&ranked, 0..middle);
        let right = right.map_or_else(Vec::new, |r| r.join().expect("sorting does not panic"));
        (left, right)
    });

    // Two parts split at a name, so that every entry for one name falls in one part.
    let (mut rules, mut lists) = if total >= PARALLEL_FROM && !left.is_empty() {
        let pivot = left[left.len() / 2];
        let a = left.partition_point(|e| e.name_order(&pivot).is_lt());
        let b = right.partition_point(|e| e.name_order(&pivot).is_lt());
        let ((mut rules, mut lists), (second, _)) = std::thread::scope(|scope| {
            let second = scope.spawn(|| group_rules(&left[a..], &right[b..], &table, 0));
            // With room for the second part's rules, which are then moved in.
            let room = left.len() - a + right.len() - b;
            let first = group_rules(&left[..a], &right[..b], &table, room);
            (first, second.join().expect("grouping does not panic"))
        });
        rules.extend(second.into_iter().map(|mut rule| {
            rule.channels = lists.adopt(&rule.channels);
            rule
        }));
        (rules, lists)
    } else {
        group_rules(&left, &right, &table, 0)
    };
    drop((left, right));

    // Sized first: grown a rule at a time, a million entries would be rehashed again and again.
    let count = rules.iter().filter(|r| r.scope.covers_subdomains()).count();
    let mut covering: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(count, Default::default());
    covering.extend(
        (rules.iter().enumerate())
            .filter(|(_, r)| r.scope.covers_subdomains())
            .map(|(i, r)| (&*r.name, i)),
    );
    if covering.is_empty() {
        return (rules, Vec::new());
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
    let mut credited: BTreeMap<usize, BTreeSet<u32>> = BTreeMap::new();
    for (rule, parent) in rules.iter().zip(&parents) {
        if let Some(p) = parent {
            credited
                .entry(*p)
                .or_default()
                .extend(lists.ranks(&rule.channels));
        }
    }
    for (p, extra) in credited {
        let mut joined: BTreeSet<u32> = lists.ranks(&rules[p].channels).into_iter().collect();
        joined.extend(extra);
        rules[p].channels = lists.intern(&joined.into_iter().collect::<Vec<_>>());
    }
    let mut covered = Vec::new();
    let mut parent = parents.into_iter();
    rules.retain(|rule| {
        let swallowed = parent.next().expect("a parent for each rule").is_some();
        if swallowed && rule.scope.covers_apex() {
            covered.push(rule.clone());
        }
        !swallowed
    });
    (rules, covered)
}

/// Entries for the names at positions `range` of all the sources' names taken in order,
/// sorted.
fn sorted_entries<'a>(sources: &[(u32, &'a [NameEntry])], range: Range<usize>) -> Vec<Entry<'a>> {
    let mut entries = Vec::with_capacity(range.len());
    let mut offset = 0;
    for &(channel, names) in sources {
        let start = range.start.max(offset);
        let end = range.end.min(offset + names.len());
        if start < end {
            entries.extend(names[start - offset..end - offset].iter().map(|e| Entry {
                key: sort_key(&e.name),
                name: &e.name,
                channel,
                scope: e.scope,
            }));
        }
        offset += names.len();
    }
    entries.sort_unstable_by(Entry::order);
    entries
}

/// Two sorted runs of entries read as one, a rule for each name: its scopes joined, its
/// channels listed once. The list has room for `room` more rules.
fn group_rules<'t>(
    left: &[Entry],
    right: &[Entry],
    table: &'t [Arc<str>],
    room: usize,
) -> (Vec<DomainRule>, ChannelLists<'t>) {
    let mut lists = ChannelLists::new(table);
    let mut rules: Vec<DomainRule> = Vec::with_capacity(left.len() + right.len() + room);
    let mut ranks: Vec<u32> = Vec::new();
    let mut group = Merge {
        left: left.iter().copied().peekable(),
        right: right.iter().copied().peekable(),
    }
    .peekable();
    while let Some(first) = group.next() {
        let mut scope = first.scope;
        ranks.clear();
        ranks.push(first.channel);
        while let Some(next) = group.next_if(|next| next.same_name(&first)) {
            scope = union(scope, next.scope);
            if ranks.last() != Some(&next.channel) {
                ranks.push(next.channel);
            }
        }
        rules.push(DomainRule {
            name: first.name_copy(),
            scope,
            channels: lists.intern(&ranks),
        });
    }
    (rules, lists)
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

    /// `collapse_domains` of `(name, scope, channel)` entries, each its own channel list.
    fn collapse(list: &[(&str, Scope, Arc<str>)]) -> Vec<DomainRule> {
        let names: Vec<[NameEntry; 1]> = list
            .iter()
            .map(|(name, scope, _)| {
                let nowhere = crate::source::Span::new(crate::source::FileId(0), 0, 0);
                [NameEntry::new(Arc::from(*name), *scope, nowhere)]
            })
            .collect();
        let sources: Vec<ChannelNames> = list
            .iter()
            .zip(&names)
            .map(|((_, _, channel), names)| (channel, &names[..]))
            .collect();
        collapse_domains(&sources).0
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
        let rules = collapse(&list);
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
    fn names_longer_than_the_sort_key_sort_and_group_by_their_whole_text() {
        // The first 24 bytes are the same; only what follows tells these apart.
        let stem = "abcdefghijklmnopqrstuvwx";
        assert_eq!(stem.len(), KEY_BYTES);
        let long_b = format!("{stem}b.example");
        let long_a = format!("{stem}a.example");
        let list = [
            rule(&long_b, Scope::Exact, "y"),
            rule(stem, Scope::Exact, "x"),
            rule(&long_a, Scope::Exact, "x"),
            rule(&long_b, Scope::Tree, "x"),
            rule(stem, Scope::Exact, "x"),
        ];
        let rules = collapse(&list);
        let view: Vec<(&str, Scope, usize)> = rules
            .iter()
            .map(|r| (&*r.name, r.scope, r.channels.len()))
            .collect();
        assert_eq!(
            view,
            vec![
                (stem, Scope::Exact, 1),
                (long_a.as_str(), Scope::Exact, 1),
                (long_b.as_str(), Scope::Tree, 2),
            ]
        );
    }

    #[test]
    fn exact_names_do_not_swallow_children() {
        let list = [
            rule("skype.com", Scope::Exact, "s"),
            rule("web.skype.com", Scope::Exact, "s"),
        ];
        let rules = collapse(&list);
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
        let rules = collapse(&list);
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
