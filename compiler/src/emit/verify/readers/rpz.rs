//! A response-policy zone (the RPZ draft, as BIND, Knot and PowerDNS read it): each owner name,
//! relative to the zone, is a query name trigger; `CNAME .` answers NXDOMAIN, `CNAME *.`
//! NODATA, `CNAME rpz-drop.` drops, `CNAME rpz-passthru.` lets the query through. A name
//! matches its own records first; otherwise a wildcard `*.X` applies with DNS's own wildcard
//! rules (RFC 4592): only at the name's closest encloser, so a name that exists in the zone,
//! even as an empty non-terminal (`b` in a zone holding only `*.b.c`), is matched by no
//! wildcard above it.

use super::domains::folded;
use super::text;
use crate::emit::verify::names::{Name, NameMap};
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;
use std::borrow::Cow;

/// What the zone holds at one name.
#[derive(Clone, Copy, Default)]
struct Node {
    /// The name exists in the zone: it owns records, or names under it do.
    exists: bool,
    /// What its own policy record does.
    trigger: Option<Effect>,
    /// What its wildcard owner (`*.name`) does.
    wildcard: Option<Effect>,
}

struct Zone<'t> {
    nodes: NameMap<'t, Node>,
    /// What the wildcard owner `*` (the zone's apex's own) does.
    apex_wildcard: Option<Effect>,
}

/// What a policy does, `Allowed` when there is none.
fn or_allowed(effect: Option<Effect>) -> Option<Effect> {
    Some(effect.unwrap_or(Effect::Allowed))
}

impl Reading for Zone<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(Name::text(name))[usize::from(child)]
    }
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        let here = self.nodes.get(name);
        if here.exists {
            // The name answers by its own policy, or (an empty non-terminal: it exists, has no
            // policy, and no wildcard applies to it) by none; a fresh label under it has the
            // name itself as its closest encloser.
            return [or_allowed(here.trigger), or_allowed(here.wildcard)];
        }
        // The closest encloser of both: the nearest name above that exists in the zone (the
        // zone's apex if none does).
        let wildcard = match self.nodes.above(name).find(|n| n.exists) {
            Some(encloser) => encloser.wildcard,
            None => self.apex_wildcard,
        };
        [or_allowed(wildcard), or_allowed(wildcard)]
    }
}

pub fn read<'f>(
    files: &'f [OutputFile],
    names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let text = text(files, "msgpol.rpz.zone")?;
    let mut zone = Zone {
        nodes: NameMap::new(names),
        apex_wildcard: None,
    };
    let mut owner: Cow<str> = Cow::Borrowed("");
    for (number, line) in text.lines().enumerate() {
        let code = line.split(';').next().unwrap_or_default();
        if code.trim().is_empty() || code.starts_with('$') {
            continue;
        }
        let mut fields = code.split_whitespace().peekable();
        // A line that starts with blank space continues the previous owner.
        if !code.starts_with([' ', '\t']) {
            owner = folded(fields.next().unwrap_or_default());
        }
        // An optional TTL and class before the type.
        while fields
            .peek()
            .is_some_and(|f| f.bytes().all(|b| b.is_ascii_digit()) || f.eq_ignore_ascii_case("IN"))
        {
            fields.next();
        }
        let kind = fields.next().unwrap_or_default().to_ascii_uppercase();
        let data: Vec<&str> = fields.collect();
        if owner == "@" {
            if !matches!(kind.as_str(), "SOA" | "NS") {
                return Err(format!("line {}: the apex has a {kind} record", number + 1));
            }
            continue;
        }
        if owner.ends_with('.') {
            return Err(format!(
                "line {}: `{owner}` is not relative to the zone",
                number + 1
            ));
        }
        let effect = match (kind.as_str(), data.as_slice()) {
            ("CNAME", ["rpz-passthru."]) => Effect::Allowed,
            ("CNAME", ["." | "*." | "rpz-drop."]) => Effect::Blocked,
            ("A", ["0.0.0.0"]) | ("AAAA", ["::"]) => Effect::Blocked,
            _ => {
                return Err(format!(
                    "line {}: `{owner} {kind} {}` is not a policy this reader knows",
                    number + 1,
                    data.join(" ")
                ))
            }
        };
        let node = zone.nodes.entry(owner.clone());
        if node.trigger.is_some_and(|e| e != effect) {
            return Err(format!("line {}: `{owner}` has two policies", number + 1));
        }
        node.trigger = Some(effect);
        node.exists = true;
        if owner == "*" {
            zone.apex_wildcard = Some(effect);
        } else if let Some(parent) = owner.strip_prefix("*.") {
            let parent = match &owner {
                Cow::Borrowed(name) => Cow::Borrowed(&name[2..]),
                Cow::Owned(_) => Cow::Owned(parent.to_string()),
            };
            zone.nodes.entry(parent).wildcard = Some(effect);
        }
        zone.nodes
            .mark_above(owner.clone(), |node| node.exists = true);
    }
    Ok(Consumer::only(&[Question::Dns], zone))
}
