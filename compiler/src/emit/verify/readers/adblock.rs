//! A DNS filter list in AdGuard's syntax (as AdGuard Home, Pi-hole and hostlist-compiler read
//! it): `||NAME^` blocks the name and every name under it, `|NAME^` the name only; `@@`
//! makes a rule an exception, and an exception wins over every blocking rule; `*` in a name
//! matches any run of characters (`||*.NAME^` matches the names under NAME only, and is kept
//! as such: looked up, not tried for each name); `!` starts a comment.

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
        // `*.x` from the start of the name or of a label is the same: the names under x (a
        // label start never holds the `.`, so `*` takes at least one character, dots too).
        let under = body.strip_prefix("*.").filter(|name| !name.contains('*'));
        match (under, body.contains('*'), any_label) {
            (Some(name), _, _) => self.names.add_subdomains(name),
            (None, true, _) => self.wildcards.push((body.to_ascii_lowercase(), any_label)),
            (None, false, true) => self.names.add_tree(body),
            (None, false, false) => self.names.add_name(body),
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
/// Each piece between two `*` is matched at its first place after the one before: a later
/// place could only leave less text for the pieces after it, so nothing is tried twice.
fn glob(pattern: &str, text: &str) -> bool {
    let pieces: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = pieces
        .split_first()
        .expect("split gives one piece at least");
    let Some(mut text) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return text.is_empty();
    };
    for piece in middle {
        match text.find(piece) {
            Some(at) => text = &text[at + piece.len()..],
            None => return false,
        }
    }
    text.len() >= last.len() && text.ends_with(last)
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

    /// `||*.x^` and `|*.x^` are x's subdomains, looked up as names are: a list with thousands of
    /// them is not tried pattern by pattern for each of a feed's million names.
    #[test]
    fn subdomain_rules_are_looked_up_not_tried_one_by_one() {
        let mut rules = Rules::new(NameIndex::empty());
        rules.add("||*.secure.example^").unwrap();
        rules.add("|*.other.example^").unwrap();
        assert!(rules.wildcards.is_empty());
        for (name, both) in [
            ("secure.example", [false, true]),
            ("a.b.secure.example", [true, true]),
            ("other.example", [false, true]),
            ("a.other.example", [true, true]),
            ("xother.example", [false, false]),
        ] {
            assert_eq!(rules.matches_both(Name::text(name)), both, "{name}");
        }
        // Any other pattern is matched as AdGuard matches it.
        rules.add("||a*b.example^").unwrap();
        assert_eq!(rules.wildcards.len(), 1);
        assert_eq!(
            rules.matches_both(Name::text("x.axyb.example")),
            [true, true]
        );
    }

    /// A pattern of many `*` is matched in time proportional to its length times the text's,
    /// not by trying every way of splitting the text.
    #[test]
    fn globs_do_not_backtrack() {
        let pattern = "*a".repeat(20) + "*b";
        let text = "a".repeat(200);
        assert!(!glob(&pattern, &text));
        assert!(glob(&pattern, &(text + "b")));
        assert!(glob("*", "") && glob("a**", "a") && !glob("a*", "") && glob("*.x", "a.b.x"));
    }
}
