//! A response-policy zone (the RPZ draft, as BIND, Knot and PowerDNS read it): each owner name,
//! relative to the zone, is a query name trigger; `CNAME .` answers NXDOMAIN, `CNAME *.`
//! NODATA, `CNAME rpz-drop.` drops, `CNAME rpz-passthru.` lets the query through. A name
//! matches its own records first; otherwise a wildcard `*.X` applies with DNS's own wildcard
//! rules (RFC 4592): only at the name's closest encloser, so a name that exists in the zone,
//! even as an empty non-terminal (`b` in a zone holding only `*.b.c`), is matched by no
//! wildcard above it.

use super::domains::ancestors;
use super::domains::folded;
use super::text;
use crate::emit::verify::{Consumer, Effect, Question, Reading};
use crate::emit::OutputFile;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;

#[derive(Default)]
struct Zone<'t> {
    /// Owner names with a policy record, and what it does.
    triggers: FxHashMap<Cow<'t, str>, Effect>,
    /// Wildcard owners `*.X` by X (`*` alone by the empty name), and what they do.
    wildcards: FxHashMap<Cow<'t, str>, Effect>,
    /// Every name that exists in the zone: the owners and the names above them.
    nodes: FxHashSet<Cow<'t, str>>,
}

impl Zone<'_> {
    /// What the wildcard at `encloser` (the closest encloser of a query) does, if any.
    fn wildcard(&self, encloser: &str) -> Effect {
        self.wildcards
            .get(encloser)
            .copied()
            .unwrap_or(Effect::Allowed)
    }
}

impl Reading for Zone<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(name)[usize::from(child)]
    }
    fn name_and_child(&self, name: &str) -> [Option<Effect>; 2] {
        if self.nodes.contains(name) {
            // The name answers by its own policy, or (an empty non-terminal: it exists, has no
            // policy, and no wildcard applies to it) by none; a fresh label under it has the
            // name itself as its closest encloser.
            let itself = self.triggers.get(name).copied().unwrap_or(Effect::Allowed);
            return [Some(itself), Some(self.wildcard(name))];
        }
        // The closest encloser of both: the nearest name above that exists in the zone (the
        // zone's apex if none does).
        let encloser = ancestors(name)
            .find(|a| self.nodes.contains(*a))
            .unwrap_or("");
        let effect = Some(self.wildcard(encloser));
        [effect, effect]
    }
}

pub fn read(files: &[OutputFile]) -> Result<Vec<Consumer<'_>>, String> {
    let text = text(files, "msgpol.rpz.zone")?;
    let lines = super::lines(text);
    let mut zone = Zone {
        triggers: FxHashMap::with_capacity_and_hasher(lines, Default::default()),
        wildcards: FxHashMap::with_capacity_and_hasher(lines, Default::default()),
        nodes: FxHashSet::with_capacity_and_hasher(lines, Default::default()),
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
        if zone
            .triggers
            .insert(owner.clone(), effect)
            .is_some_and(|e| e != effect)
        {
            return Err(format!("line {}: `{owner}` has two policies", number + 1));
        }
        let wildcard_of = match &owner {
            Cow::Borrowed(name) => name
                .strip_prefix("*.")
                .or((*name == "*").then_some(""))
                .map(Cow::Borrowed),
            Cow::Owned(name) => name
                .strip_prefix("*.")
                .or((name == "*").then_some(""))
                .map(|n| Cow::Owned(n.to_string())),
        };
        if let Some(parent) = wildcard_of {
            zone.wildcards.insert(parent, effect);
        }
        match &owner {
            Cow::Borrowed(name) => zone.nodes.extend(ancestors(name).map(Cow::Borrowed)),
            Cow::Owned(name) => zone
                .nodes
                .extend(ancestors(name).map(|a| Cow::Owned(a.to_string()))),
        }
        zone.nodes.insert(owner.clone());
    }
    Ok(Consumer::only(&[Question::Dns], zone))
}
