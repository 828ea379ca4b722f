//! A Squid configuration snippet and its ACL files (squid.conf's `acl` and `http_access`):
//! `http_access` rules apply in order and the first that matches decides; a `dstdomain` ACL
//! entry `.NAME` matches the name and every name under it, `NAME` the name only;
//! `dstdom_regex` matches the host name with a regular expression (`-i`: in any case). Lines
//! that name an ACL again add to it (as squid.conf's own `acl Safe_ports port …` lines do). A
//! request no msgpol rule decides goes on to the site's own rules: msgpol lets it through.

use super::domains::NameList;
use super::text;
use crate::emit::verify::names::Name;
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;
use regex_automata::meta::Regex;

enum Acl<'t> {
    Domains(NameList<'t>),
    Patterns(Vec<Regex>),
}

impl Acl<'_> {
    /// Whether the ACL matches `name`, and a fresh label under it.
    fn matches_both(&self, name: Name<'_>) -> [bool; 2] {
        match self {
            Acl::Domains(list) => list.holds_both(name),
            Acl::Patterns(patterns) => {
                let child = format!("msgpol-probe.{}", name.text);
                [name.text, child.as_str()].map(|host| patterns.iter().any(|p| p.is_match(host)))
            }
        }
    }
}

struct Squid<'t> {
    /// The ACLs, by name; rules name them by their position here.
    acls: Vec<(String, Acl<'t>)>,
    /// `(allow, [(acl, negated)])`, in order.
    rules: Vec<(bool, Vec<(usize, bool)>)>,
}

impl Squid<'_> {
    fn position(&self, acl: &str) -> Option<usize> {
        self.acls.iter().position(|(name, _)| name == acl)
    }
}

impl Reading for Squid<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(Name::text(name))[usize::from(child)]
    }
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        let matched: Vec<[bool; 2]> = self
            .acls
            .iter()
            .map(|(_, a)| a.matches_both(name))
            .collect();
        std::array::from_fn(|i| {
            let decided = self.rules.iter().find(|(_, conditions)| {
                conditions
                    .iter()
                    .all(|&(acl, negated)| matched[acl][i] != negated)
            });
            Some(match decided {
                Some((false, _)) => Effect::Blocked,
                _ => Effect::Allowed,
            })
        })
    }
}

/// The values of an ACL line: inline, or the lines of a quoted file (one of the target's own).
/// Read as they are used: a feed's file holds a million.
fn values<'f>(
    files: &'f [OutputFile],
    spec: &'f str,
) -> Result<Box<dyn Iterator<Item = &'f str> + 'f>, String> {
    if let Some(path) = spec.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        let file = path.rsplit('/').next().unwrap_or(path);
        Ok(Box::new(
            text(files, file)?
                .lines()
                .map(|l| l.split('#').next().unwrap_or_default().trim())
                .filter(|l| !l.is_empty()),
        ))
    } else {
        Ok(Box::new(spec.split_whitespace()))
    }
}

pub fn read<'f>(
    files: &'f [OutputFile],
    names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let mut squid = Squid {
        acls: Vec::new(),
        rules: Vec::new(),
    };
    for (number, line) in text(files, "msgpol.conf")?.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.splitn(4, ' ').collect();
        match words.as_slice() {
            ["acl", name, "dstdomain", spec] => {
                let values = values(files, spec)?;
                let at = squid.position(name).unwrap_or_else(|| {
                    let list = NameList::new(names);
                    squid.acls.push((name.to_string(), Acl::Domains(list)));
                    squid.acls.len() - 1
                });
                let Acl::Domains(list) = &mut squid.acls[at].1 else {
                    return Err(format!("line {}: `{name}` changes type", number + 1));
                };
                for value in values {
                    match value.strip_prefix('.') {
                        Some(domain) => list.add_tree(domain),
                        None => list.add_name(value),
                    }
                }
            }
            ["acl", name, "dstdom_regex", spec] => {
                let (insensitive, spec) = match spec.strip_prefix("-i ") {
                    Some(rest) => (true, rest),
                    None => (false, *spec),
                };
                let patterns = values(files, spec)?
                    .map(|p| {
                        let p = if insensitive {
                            format!("(?i){p}")
                        } else {
                            p.to_string()
                        };
                        Regex::new(&p).map_err(|e| format!("the pattern {p:?}: {e}"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let at = squid.position(name).unwrap_or_else(|| {
                    squid
                        .acls
                        .push((name.to_string(), Acl::Patterns(Vec::new())));
                    squid.acls.len() - 1
                });
                let Acl::Patterns(all) = &mut squid.acls[at].1 else {
                    return Err(format!("line {}: `{name}` changes type", number + 1));
                };
                all.extend(patterns);
            }
            ["http_access", action @ ("allow" | "deny"), ..] => {
                let mut conditions = Vec::new();
                for condition in line.split_whitespace().skip(2) {
                    let (acl, negated) = match condition.strip_prefix('!') {
                        Some(acl) => (acl, true),
                        None => (condition, false),
                    };
                    let at = squid.position(acl).ok_or_else(|| {
                        format!("line {}: ACL `{acl}` is not defined", number + 1)
                    })?;
                    conditions.push((at, negated));
                }
                squid.rules.push((*action == "allow", conditions));
            }
            _ => {
                return Err(format!(
                    "line {} is not one this reader knows: {line:?}",
                    number + 1
                ))
            }
        }
    }
    Ok(Consumer::only(&[Question::Dns], squid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_acl_named_again_adds_to_itself() {
        let conf = "acl banned dstdomain .chat.example\n\
                    acl open dstdomain .a.chat.example\n\
                    acl open dstdomain .b.chat.example\n\
                    http_access deny banned !open\n";
        let files = [OutputFile {
            path: "msgpol.conf".into(),
            contents: conf.as_bytes().to_vec(),
        }];
        let squid = &read(&files, NameIndex::empty()).unwrap()[0].reading;
        assert_eq!(squid.name("x.a.chat.example", false), Some(Effect::Allowed));
        assert_eq!(squid.name("x.b.chat.example", false), Some(Effect::Allowed));
        assert_eq!(squid.name("x.chat.example", false), Some(Effect::Blocked));
    }
}
