//! A proxy auto-config file: the name tables `var MSGPOL_… = [ "name", … ];` and what its
//! `FindProxyForURL` does with them: the host lowercased and without a final dot; an
//! allowed name (in an `ALLOW` table) goes `DIRECT`; else a blocked one goes to the dead
//! proxy; else `DIRECT`. In each pair of tables, `…TREE` holds a name and its subdomains,
//! `…EXACT` the name only, `…SUBDOMAINS` the names under it. (tests/real_dns.rs evaluates the
//! same file in node and checks that the function does this.)

use super::domains::NameList;
use super::text;
use crate::emit::verify::names::Name;
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;

struct Pac<'t> {
    allowed: NameList<'t>,
    blocked: NameList<'t>,
}

impl Reading for Pac<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(Name::text(name))[usize::from(child)]
    }
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        let allowed = self.allowed.holds_both(name);
        let blocked = self.blocked.holds_both(name);
        std::array::from_fn(|i| {
            Some(if !allowed[i] && blocked[i] {
                Effect::Blocked
            } else {
                Effect::Allowed
            })
        })
    }
}

/// The strings of the array assigned to `var NAME`.
fn table<'t>(
    source: &'t str,
    name: &str,
) -> Result<impl Iterator<Item = Result<&'t str, String>>, String> {
    let start = source
        .find(&format!("var {name} = ["))
        .ok_or_else(|| format!("the file has no table {name}"))?;
    let body = &source[start..];
    let body = &body[body.find('[').unwrap_or(0) + 1..];
    let end = body
        .find("];")
        .ok_or_else(|| format!("the table {name} is not closed"))?;
    let name = name.to_string();
    Ok(body[..end]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(move |s| {
            s.strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .filter(|s| !s.contains(['"', '\\']))
                .ok_or_else(|| format!("{name} holds {s}, not a plain string"))
        }))
}

fn names<'t>(
    source: &'t str,
    prefix: &str,
    index: &'t NameIndex<'t>,
) -> Result<NameList<'t>, String> {
    let mut list = NameList::new(index);
    for name in table(source, &format!("{prefix}TREE"))? {
        list.add_tree(name?);
    }
    for name in table(source, &format!("{prefix}EXACT"))? {
        list.add_name(name?);
    }
    for name in table(source, &format!("{prefix}SUBDOMAINS"))? {
        list.add_subdomains(name?);
    }
    Ok(list)
}

pub fn read<'f>(
    files: &'f [OutputFile],
    names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let source = text(files, "msgpol.pac")?;
    if !source.contains("function FindProxyForURL(url, host)") {
        return Err("the file defines no FindProxyForURL".into());
    }
    Ok(Consumer::only(
        &[Question::Dns],
        Pac {
            allowed: self::names(source, "MSGPOL_ALLOW_", names)?,
            blocked: self::names(source, "MSGPOL_", names)?,
        },
    ))
}
