//! A DNS filter list in AdGuard's syntax (as AdGuard Home, Pi-hole and hostlist-compiler read
//! it): `||NAME^` blocks the name and every name under it, `|NAME^` the name only; `@@`
//! makes a rule an exception, and an exception wins over every blocking rule; `*` in a name
//! matches any run of characters (`||*.NAME^` matches the names under NAME only); `!` starts
//! a comment.

use super::domains::NameList;
use super::text;
use crate::emit::verify::names::Name;
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;

/// One side of the list (blocks or exceptions): plain names, and patterns with `*`.
struct Rules<'t> {
    names: NameList<'t>,
    /// `(pattern, anchored at a label start)`: `||` patterns match from any label.
    wildcards: Vec<(String, bool)>,
}

impl<'t> Rules<'t> {
    /// No rules yet; the names of `index` are kept by number.
    fn new(index: &'t NameIndex<'t>) -> Self {
        Rules {
            names: NameList::new(index),
            wildcards: Vec::new(),
        }
    }

    fn add(&mut self, rule: &'t str) -> Result<(), String> {
        let (body, any_label) = if let Some(body) = rule.strip_prefix("||") {
            (body, true)
        } else if let Some(body) = rule.strip_prefix('|') {
            (body, false)
        } else {
            return Err(format!("`{rule}` is not anchored with | or ||"));
        };
        let body = body
            .strip_suffix('^')
            .ok_or_else(|| format!("`{rule}` does not end with ^"))?;
        if body.contains(['$', '/', '^', '|']) {
            return Err(format!(
                "`{rule}` has a modifier or path this reader does not know"
            ));
        }
        match (body.contains('*'), any_label) {
            (true, _) => self.wildcards.push((body.to_ascii_lowercase(), any_label)),
            (false, true) => self.names.add_tree(body),
            (false, false) => self.names.add_name(body),
        }
        Ok(())
    }

    /// Whether a rule matches `host`, and a fresh label under it.
    fn matches_both(&self, name: Name<'_>) -> [bool; 2] {
        let [apex, child] = self.names.holds_both(name);
        let host = name.text;
        if self.wildcards.is_empty() || (apex && child) {
            return [apex, child];
        }
        [
            apex || self.wildcard_matches(host),
            child || self.wildcard_matches(&format!("msgpol-probe.{host}")),
        ]
    }

    fn wildcard_matches(&self, host: &str) -> bool {
        self.wildcards.iter().any(|(pattern, any_label)| {
            let starts = std::iter::once(0).chain(
                host.match_indices('.')
                    .map(|(i, _)| i + 1)
                    .filter(|_| *any_label),
            );
            starts
                .into_iter()
                .any(|start| glob(pattern, &host[start..]))
        })
    }
}

/// Whether `text` is matched whole by `pattern`, where `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head) && (head.len()..=text.len()).any(|at| glob(tail, &text[at..]))
        }
    }
}

struct FilterList<'t> {
    blocks: Rules<'t>,
    exceptions: Rules<'t>,
}

impl Reading for FilterList<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(Name::text(name))[usize::from(child)]
    }
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        let excepted = self.exceptions.matches_both(name);
        let blocked = self.blocks.matches_both(name);
        std::array::from_fn(|i| {
            Some(if !excepted[i] && blocked[i] {
                Effect::Blocked
            } else {
                Effect::Allowed
            })
        })
    }
}

pub fn read<'f>(
    files: &'f [OutputFile],
    names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let text = text(files, "msgpol.txt")?;
    let mut list = FilterList {
        blocks: Rules::new(names),
        exceptions: Rules::new(names),
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('!') || line.starts_with('#') {
            continue;
        }
        match line.strip_prefix("@@") {
            Some(exception) => list.exceptions.add(exception)?,
            None => list.blocks.add(line)?,
        }
    }
    Ok(Consumer::only(&[Question::Dns], list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_adguard_means_them() {
        let mut rules = Rules::new(NameIndex::empty());
        rules.add("||*.secure.example^").unwrap();
        assert_eq!(
            rules.matches_both(Name::text("a.secure.example")),
            [true, true]
        );
        assert_eq!(
            rules.matches_both(Name::text("secure.example")),
            [false, true]
        );
        assert_eq!(
            rules.matches_both(Name::text("notsecure.example")),
            [false, false]
        );
        assert!(glob("a*c", "abbc") && !glob("a*c", "abcd"));
    }
}
