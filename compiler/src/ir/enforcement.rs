//! Set algebra for enforcement: domain rules merged by scope and collapsed under a blocked
//! parent; networks merged. Linear after one sort, so feeds of a million names stay cheap.

use super::{DomainRule, NetworkRule};
use crate::normalize::domain::{covers, Scope};
use crate::normalize::network::{self, Network};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Merge the scopes of two entries for one name.
fn union(a: Scope, b: Scope) -> Scope {
    if a == b {
        a
    } else {
        Scope::Tree
    }
}

/// One rule per name (scopes joined), then every rule inside a parent that covers its
/// subdomains is dropped; its channels are credited to the parent. Sorted by name, the order
/// every list target writes. One sort, then one hash lookup per label of each name against
/// the (usually few) rules that cover subdomains: a feed of a million names stays cheap.
pub fn collapse_domains(
    entries: impl IntoIterator<Item = (Arc<str>, Scope, Arc<str>)>,
) -> Vec<DomainRule> {
    let mut entries: Vec<(Arc<str>, Scope, Arc<str>)> = entries.into_iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));

    // All entries for one name: their scopes joined, their channels listed once.
    let mut rules: Vec<DomainRule> = Vec::with_capacity(entries.len());
    for (name, scope, channel) in entries {
        match rules.last_mut() {
            Some(last) if last.name == name => {
                last.scope = union(last.scope, scope);
                if last.channels.last() != Some(&channel) {
                    last.channels.push(channel);
                }
            }
            _ => rules.push(DomainRule {
                name,
                scope,
                channels: vec![channel],
            }),
        }
    }

    let covering: HashMap<Arc<str>, usize> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.scope.covers_subdomains())
        .map(|(i, r)| (r.name.clone(), i))
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
    let mut credited: Vec<(usize, Arc<str>)> = Vec::new();
    for (rule, parent) in rules.iter().zip(&parents) {
        if let Some(p) = parent {
            credited.extend(rule.channels.iter().map(|c| (*p, c.clone())));
        }
    }
    for (p, channel) in credited {
        if !rules[p].channels.contains(&channel) {
            rules[p].channels.push(channel);
        }
    }
    rules
        .into_iter()
        .zip(parents)
        .filter(|(_, parent)| parent.is_none())
        .map(|(mut rule, _)| {
            rule.channels.sort();
            rule
        })
        .collect()
}

/// Few names (e.g. approved channels'), indexed by every suffix, so that each of many blocked
/// names is checked against them with one lookup.
pub struct SuffixIndex<T> {
    by_suffix: HashMap<Arc<str>, Vec<Indexed<T>>>,
}

/// An indexed name, its scope, and what the caller attached to it.
pub type Indexed<T> = (Arc<str>, Scope, T);

impl<T: Clone> SuffixIndex<T> {
    pub fn new(entries: impl IntoIterator<Item = Indexed<T>>) -> Self {
        let mut by_suffix: HashMap<Arc<str>, Vec<Indexed<T>>> = HashMap::new();
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

    fn rule(name: &str, scope: Scope, channel: &str) -> (Arc<str>, Scope, Arc<str>) {
        (Arc::from(name), scope, Arc::from(channel))
    }

    #[test]
    fn collapses_children_and_joins_scopes() {
        let rules = collapse_domains(vec![
            rule("web.whatsapp.com", Scope::Exact, "whatsapp"),
            rule("whatsapp.com", Scope::Tree, "whatsapp"),
            rule("whatsapp.com", Scope::Tree, "whatsapp"),
            rule("a.example", Scope::Exact, "x"),
            rule("a.example", Scope::Subdomains, "y"),
            rule("b.a.example", Scope::Exact, "z"),
            rule("whatsapp-plus.com", Scope::Exact, "clone"),
        ]);
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
        let rules = collapse_domains(vec![
            rule("skype.com", Scope::Exact, "s"),
            rule("web.skype.com", Scope::Exact, "s"),
        ]);
        assert_eq!(rules.len(), 2);
    }
}
