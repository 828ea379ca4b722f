//! The names a build's probes ask about, numbered once for every reader. A feed makes them a
//! million: the oracle and each reader keep what they know of a name in a plain array indexed
//! by its number, and walk up a name through its ancestors' numbers, instead of hashing the
//! name and each of its ancestors into maps of their own again and again.
//!
//! The index holds only names (the policy's, and their ancestors); what a file says about
//! them stays in each reader's `NameMap`, read from the file's bytes.
//!
//! Files list names sorted, and the index keeps its names in that order too (by their sort
//! keys, side by side in memory): a reader finds the next name of a file a step or two after
//! the last one, instead of hashing it and following pointers to names spread over the heap.
//! A file in any other order is read just as well, through the hash map.

use crate::ir::enforcement::{sort_key, KEY_BYTES};
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::OnceLock;

/// A name's number in a `NameIndex`: its place in name order.
pub type NameId = u32;

const NO_PARENT: NameId = NameId::MAX;

/// Every probed name and every ancestor of one, numbered in name order.
#[derive(Default)]
pub struct NameIndex<'n> {
    /// The numbers, found by the hash of the name (the names themselves are in `names`: a
    /// table of numbers is a sixth the size of one of names).
    ids: HashTable<NameId>,
    names: Vec<&'n str>,
    /// Each name's sort key, side by side: the next name of a sorted file is found here
    /// without following a pointer.
    keys: Vec<[u64; 3]>,
    /// The number of each name's nearest ancestor (`b.c` for `a.b.c`), or `NO_PARENT`.
    parents: Vec<NameId>,
}

/// Where in name order a reader last found a name (a file may list a name twice in a row,
/// for two addresses).
#[derive(Clone, Copy, Default)]
pub struct Cursor(usize);

/// How far past the last name found the next one is looked for, before the hash table is.
const STEPS: usize = 16;

fn hash(name: &str) -> u64 {
    FxBuildHasher.hash_one(name)
}

impl<'n> NameIndex<'n> {
    /// An index of `names` (lowercase, as the IR writes them) and their ancestors, and the
    /// number of each name given, in the order given.
    pub fn new(names: impl IntoIterator<Item = &'n str>, room: usize) -> (Self, Vec<NameId>) {
        // First every distinct name, in the order met; then numbered in name order. Room for
        // ancestors too (a feed's names add about one for every two).
        let with_ancestors = room + room / 2;
        let mut met = NameIndex {
            ids: HashTable::with_capacity(with_ancestors),
            names: Vec::with_capacity(with_ancestors),
            keys: Vec::with_capacity(with_ancestors),
            parents: Vec::with_capacity(with_ancestors),
        };
        let mut given: Vec<NameId> = Vec::with_capacity(room);
        for name in names {
            given.push(met.add(name));
        }
        let mut order: Vec<([u64; 3], NameId)> = (0..met.count() as NameId)
            .map(|id| (met.keys[id as usize], id))
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| met.names[a.1 as usize].cmp(met.names[b.1 as usize]))
        });
        let mut renumbered = vec![0; met.count()];
        for (place, &(_, id)) in order.iter().enumerate() {
            renumbered[id as usize] = place as NameId;
        }
        for id in met.ids.iter_mut() {
            *id = renumbered[*id as usize];
        }
        let parents = order
            .iter()
            .map(|&(_, id)| match met.parents[id as usize] {
                NO_PARENT => NO_PARENT,
                parent => renumbered[parent as usize],
            })
            .collect();
        for id in &mut given {
            *id = renumbered[*id as usize];
        }
        let index = NameIndex {
            names: order
                .iter()
                .map(|&(_, id)| met.names[id as usize])
                .collect(),
            keys: order.into_iter().map(|(key, _)| key).collect(),
            parents,
            ids: met.ids,
        };
        (index, given)
    }

    /// Numbers `name` and the ancestors not numbered yet, in the order met, with their sort
    /// keys; its number.
    fn add(&mut self, name: &'n str) -> NameId {
        // The name and its ancestors up to the first one already numbered, nearest first.
        let mut rest = Some(name);
        let mut parent = NO_PARENT;
        let first = self.names.len();
        while let Some(at) = rest {
            let (key, hashed) = (sort_key(at), hash(at));
            if let Some(id) = self.lookup(at, key, hashed) {
                parent = id;
                break;
            }
            let id = NameId::try_from(self.names.len()).expect("fewer than 2^32 names");
            let names = &self.names;
            self.ids
                .insert_unique(hashed, id, |&i| hash(names[i as usize]));
            self.keys.push(key);
            self.names.push(at);
            rest = at.split_once('.').map(|(_, above)| above);
        }
        // Each new name's parent is the one numbered after it, the last one's the one found.
        self.parents
            .extend((first + 1..self.names.len()).map(|p| p as NameId));
        if self.names.len() > first {
            self.parents.push(parent);
            first as NameId
        } else {
            parent
        }
    }

    /// `name`'s number, looked for first from `cursor` on in name order (where the next name
    /// of a sorted file is), then in the hash table; the cursor moves to the name found.
    pub fn id_after(&self, name: &str, cursor: &mut Cursor) -> Option<NameId> {
        let key = sort_key(name);
        // A key padded with a zero byte is only ever the key of this very name.
        let fits = name.len() < KEY_BYTES;
        for place in cursor.0..(cursor.0 + STEPS).min(self.keys.len()) {
            let at = self.keys[place];
            if at > key || at == key && !fits && self.names[place] > name {
                break;
            }
            if at == key && (fits || self.names[place] == name) {
                cursor.0 = place;
                return Some(place as NameId);
            }
        }
        let id = self.id(name)?;
        cursor.0 = id as usize;
        Some(id)
    }

    /// An index of no names, for readers asked one name at a time (tests, tools).
    pub fn empty() -> &'static NameIndex<'static> {
        static EMPTY: OnceLock<NameIndex<'static>> = OnceLock::new();
        EMPTY.get_or_init(NameIndex::default)
    }

    /// How many names it numbers.
    pub fn count(&self) -> usize {
        self.names.len()
    }

    /// `name`'s number, if it is in the index.
    pub fn id(&self, name: &str) -> Option<NameId> {
        // The empty index of short lists: no name to hash.
        if self.names.is_empty() {
            return None;
        }
        self.lookup(name, sort_key(name), hash(name))
    }

    /// The number of `name`, whose sort key and hash are given. Names are compared by their
    /// keys, side by side in memory, where the key holds the whole name (most do), rather than
    /// by following a pointer to each name's text.
    fn lookup(&self, name: &str, key: [u64; 3], hashed: u64) -> Option<NameId> {
        let fits = name.len() < KEY_BYTES;
        self.ids
            .find(hashed, |&id| {
                self.keys[id as usize] == key && (fits || self.names[id as usize] == name)
            })
            .copied()
    }

    /// A numbered name as probes ask it.
    pub fn name(&self, id: NameId) -> Name<'_> {
        Name {
            text: self.names[id as usize],
            id: Some((self, id)),
        }
    }

    fn parent(&self, id: NameId) -> Option<NameId> {
        Some(self.parents[id as usize]).filter(|&p| p != NO_PARENT)
    }

    /// The numbers of `id`'s proper ancestors, nearest first.
    pub fn ancestors(&self, id: NameId) -> impl Iterator<Item = NameId> + '_ {
        std::iter::successors(self.parent(id), |&p| self.parent(p))
    }
}

/// A name a reader is asked about: its text, and its number in the index that numbered it.
#[derive(Clone, Copy)]
pub struct Name<'a> {
    pub text: &'a str,
    id: Option<(&'a NameIndex<'a>, NameId)>,
}

impl<'a> Name<'a> {
    /// A name given as text alone: readers look its number up if it has one.
    pub fn text(text: &'a str) -> Self {
        Name { text, id: None }
    }

    /// Its number in `index`: the one it came with if `index` numbered it, else looked up.
    fn id_in(&self, index: &NameIndex) -> Option<NameId> {
        match self.id {
            Some((from, id)) if std::ptr::eq(from, index) => Some(id),
            _ => index.id(self.text),
        }
    }
}

/// What a file says about each name it mentions: the names of the index in an array by
/// number, any other in a map of their own.
pub struct NameMap<'t, T> {
    index: &'t NameIndex<'t>,
    known: Vec<T>,
    others: FxHashMap<Cow<'t, str>, T>,
    /// Where the last name entered was found in the index.
    cursor: Cursor,
}

impl<'t, T: Copy + Default> NameMap<'t, T> {
    pub fn new(index: &'t NameIndex<'t>) -> Self {
        NameMap {
            index,
            known: vec![T::default(); index.count()],
            others: FxHashMap::default(),
            cursor: Cursor::default(),
        }
    }

    /// The entry of `name` (already in lowercase, as DNS compares names).
    pub fn entry(&mut self, name: Cow<'t, str>) -> &mut T {
        match self.index.id_after(&name, &mut self.cursor) {
            Some(id) => &mut self.known[id as usize],
            None => self.others.entry(name).or_default(),
        }
    }

    /// What the file says about `name` itself.
    pub fn get(&self, name: Name<'_>) -> T {
        match name.id_in(self.index) {
            Some(id) => self.known[id as usize],
            None => self.others.get(name.text).copied().unwrap_or_default(),
        }
    }

    /// What the file says about each proper ancestor of `name`, nearest first.
    pub fn above<'q>(&'q self, name: Name<'q>) -> impl Iterator<Item = T> + 'q {
        let id = name.id_in(self.index);
        // A name outside the index is walked by text until an ancestor in it is met.
        let mut text = id.is_none().then_some(name.text);
        let mut at = id;
        std::iter::from_fn(move || {
            if let Some(t) = text {
                let (_, parent) = t.split_once('.')?;
                return Some(match self.index.id(parent) {
                    Some(id) => {
                        text = None;
                        at = Some(id);
                        self.known[id as usize]
                    }
                    None => {
                        text = Some(parent);
                        self.others.get(parent).copied().unwrap_or_default()
                    }
                });
            }
            at = self.index.parent(at?);
            at.map(|id| self.known[id as usize])
        })
    }

    /// Applies `mark` to the entry of each proper ancestor of `name` (in lowercase).
    pub fn mark_above(&mut self, name: Cow<'t, str>, mark: impl Fn(&mut T)) {
        let index = self.index;
        // A name of the index has its ancestors there, numbered: no need to look them up.
        let nearest_known = match index.id_after(&name, &mut self.cursor) {
            Some(id) => index.parent(id),
            None => self.mark_others_above(name, &mark),
        };
        for id in std::iter::successors(nearest_known, |&id| index.parent(id)) {
            mark(&mut self.known[id as usize]);
        }
    }

    /// Applies `mark` to the ancestors of `name` that are not in the index, up to the first
    /// one that is; that one's number.
    fn mark_others_above(&mut self, name: Cow<'t, str>, mark: impl Fn(&mut T)) -> Option<NameId> {
        let mut rest: &str = &name;
        while let Some((_, parent)) = rest.split_once('.') {
            if let Some(id) = self.index.id(parent) {
                return Some(id);
            }
            let key = match &name {
                Cow::Borrowed(name) => Cow::Borrowed(&name[name.len() - parent.len()..]),
                Cow::Owned(_) => Cow::Owned(parent.to_string()),
            };
            mark(self.others.entry(key).or_default());
            rest = parent;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_are_numbered_and_walked_nearest_first() {
        let (index, _) = NameIndex::new(["a.b.example.com", "c.example.com"], 0);
        assert_eq!(index.count(), 5);
        let a = index.id("a.b.example.com").unwrap();
        let up: Vec<&str> = index.ancestors(a).map(|i| index.name(i).text).collect();
        assert_eq!(up, ["b.example.com", "example.com", "com"]);
    }

    #[test]
    fn names_are_found_in_any_order() {
        let (index, given) = NameIndex::new(["b.example.com", "a.example.com", "x.org"], 0);
        assert_eq!(
            given,
            [
                index.id("b.example.com").unwrap(),
                index.id("a.example.com").unwrap(),
                index.id("x.org").unwrap()
            ]
        );
        let mut cursor = Cursor::default();
        for name in [
            "a.example.com",
            "b.example.com",
            "com",
            "example.com",
            "org",
            "x.org",
        ] {
            assert_eq!(index.id_after(name, &mut cursor), index.id(name), "{name}");
        }
        for name in ["x.org", "a.example.com", "nowhere.net", "com"] {
            assert_eq!(index.id_after(name, &mut cursor), index.id(name), "{name}");
        }
        let long = "a-name-longer-than-its-sort-key.example.com";
        let longer = "a-name-longer-than-its-sort-key.example.com.example";
        let (index, _) = NameIndex::new([longer, long], 0);
        let mut cursor = Cursor::default();
        assert_eq!(index.id_after(long, &mut cursor), index.id(long));
        assert_eq!(index.id_after(longer, &mut cursor), index.id(longer));
        assert_eq!(
            index.id_after("a-name-longer-than-its-sort-key.x", &mut cursor),
            None
        );
    }

    #[test]
    fn maps_answer_alike_for_names_in_the_index_and_out_of_it() {
        let (index, _) = NameIndex::new(["x.example.com"], 0);
        let mut map: NameMap<u8> = NameMap::new(&index);
        *map.entry("example.com".into()) = 1;
        *map.entry("other.org".into()) = 2;
        map.mark_above("deep.y.example.com".into(), |v| *v |= 4);
        let probe = index.name(index.id("x.example.com").unwrap());
        assert_eq!(map.above(probe).collect::<Vec<_>>(), [5, 4]);
        assert_eq!(
            map.above(Name::text("x.example.com")).collect::<Vec<_>>(),
            [5, 4]
        );
        assert_eq!(
            map.above(Name::text("a.y.example.com")).collect::<Vec<_>>(),
            [4, 5, 4]
        );
        assert_eq!(map.get(Name::text("other.org")), 2);
        assert_eq!(map.get(Name::text("y.example.com")), 4);
    }
}
