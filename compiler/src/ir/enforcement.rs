//! Set algebra for enforcement: domain rules merged by scope and collapsed under a blocked
//! parent; networks merged. Linear after one sort, so feeds of a million names stay cheap.

use super::{DomainRule, NetworkRule};
use crate::normalize::domain::{covers, tree_key, Scope};
use crate::normalize::network::{self, Network};
use std::collections::{BTreeSet, HashMap};

/// Merge the scopes of two entries for one name.
fn union(a: Scope, b: Scope) -> Scope {
    if a == b {
        a
    } else {
        Scope::Tree
    }
}

/// One rule per name (scopes joined), then every rule inside a parent that covers its
/// subdomains is dropped; its channels are credited to the parent. Sorted in tree order.
pub fn collapse_domains(
    entries: impl IntoIterator<Item = (String, Scope, String)>,
) -> Vec<DomainRule> {
    let mut by_name: HashMap<String, (Scope, BTreeSet<String>)> = HashMap::new();
    for (name, scope, channel) in entries {
        let slot = by_name.entry(name).or_insert((scope, BTreeSet::new()));
        slot.0 = union(slot.0, scope);
        slot.1.insert(channel);
    }
    let mut keyed: Vec<(String, String, Scope, BTreeSet<String>)> = by_name
        .into_iter()
        .map(|(name, (scope, channels))| (tree_key(&name), name, scope, channels))
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let mut out: Vec<DomainRule> = Vec::with_capacity(keyed.len());
    // Key of the last kept rule that covers subdomains, and its index in `out`.
    let mut cover: Option<(String, usize)> = None;
    for (key, name, scope, channels) in keyed {
        if let Some((parent_key, parent_index)) = &cover {
            let inside = key.len() > parent_key.len()
                && key.starts_with(parent_key.as_str())
                && key.as_bytes()[parent_key.len()] == 1;
            if inside {
                let parent = &mut out[*parent_index];
                for c in channels {
                    if !parent.channels.contains(&c) {
                        parent.channels.push(c);
                    }
                }
                parent.channels.sort();
                continue;
            }
        }
        if scope.covers_subdomains() {
            cover = Some((key, out.len()));
        }
        out.push(DomainRule {
            name,
            scope,
            channels: channels.into_iter().collect(),
        });
    }
    out
}

/// Whether any of `rules` matches some name of the entry: one hash lookup per label of it.
pub fn any_rule_covers(rules: &HashMap<&str, Scope>, name: &str, scope: Scope) -> bool {
    let mut suffix = name;
    loop {
        if rules
            .get(suffix)
            .is_some_and(|rule_scope| covers(suffix, *rule_scope, name, scope))
        {
            return true;
        }
        match suffix.split_once('.') {
            Some((_, parent)) => suffix = parent,
            None => return false,
        }
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

    fn rule(name: &str, scope: Scope, channel: &str) -> (String, Scope, String) {
        (name.to_string(), scope, channel.to_string())
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
            .map(|r| (r.name.as_str(), r.scope, r.channels.clone()))
            .collect();
        assert_eq!(
            view,
            vec![
                ("whatsapp.com", Scope::Tree, vec!["whatsapp".to_string()]),
                ("whatsapp-plus.com", Scope::Exact, vec!["clone".to_string()]),
                (
                    "a.example",
                    Scope::Tree,
                    vec!["x".to_string(), "y".to_string(), "z".to_string()]
                ),
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
