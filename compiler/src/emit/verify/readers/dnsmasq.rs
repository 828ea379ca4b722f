//! A dnsmasq configuration (dnsmasq(8)): `address=/DOMAIN/` answers NXDOMAIN (or the address
//! given) for the domain and every name under it; `server=/DOMAIN/#` sends them to the
//! normal upstream servers instead; `host-record=NAME,ADDRESS…` answers for that one name.
//! "More specific domains take precedence over less specific domains", and a pattern
//! `*.DOMAIN` matches the names under the domain but not the domain itself. The longer
//! pattern text wins (`*.x` matches with `.x`, one longer than `x`, so `address=/*.x/` beats
//! `server=/x/#` under x: checked with a live dnsmasq 2.90); of two patterns matching the same
//! text, the one without `*` wins.

use super::domains::folded;
use super::domains::NameList;
use super::text;
use crate::emit::verify::names::{Name, NameMap};
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;

struct Dnsmasq<'t> {
    /// `address=` domains: answered here, never forwarded.
    answered: NameList<'t>,
    /// `server=/…/#` domains: forwarded as usual.
    forwarded: NameList<'t>,
    /// `host-record=` names answered with an unroutable address.
    sunk: NameMap<'t, bool>,
}

impl Reading for Dnsmasq<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(Name::text(name))[usize::from(child)]
    }
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        let answered = self.answered.closest_both(name);
        let forwarded = self.forwarded.closest_both(name);
        let sunk = self.sunk.get(name);
        std::array::from_fn(|i| {
            Some(match (answered[i], forwarded[i]) {
                _ if i == 0 && sunk => Effect::Blocked,
                (Some(a), Some(f)) if f > a => Effect::Allowed,
                (Some(_), _) => Effect::Blocked,
                _ => Effect::Allowed,
            })
        })
    }
}

/// Add a `/…/` domain pattern to `list`: `*.x` is x's subdomains, `x` (or `.x`) x and them.
fn add_pattern<'t>(list: &mut NameList<'t>, pattern: &'t str) -> Result<(), String> {
    if let Some(parent) = pattern.strip_prefix("*.") {
        list.add_subdomains(parent);
    } else if pattern.contains('*') || pattern.is_empty() || pattern == "#" {
        return Err(format!(
            "the pattern /{pattern}/ is not one this reader knows"
        ));
    } else {
        list.add_tree(pattern.strip_prefix('.').unwrap_or(pattern));
    }
    Ok(())
}

/// The domains and the value of `option=/DOMAIN/…/VALUE`.
fn domains_and_value(spec: &str) -> Result<(Vec<&str>, &str), String> {
    let inner = spec
        .strip_prefix('/')
        .ok_or_else(|| format!("`{spec}` does not start with /"))?;
    let mut parts: Vec<&str> = inner.split('/').collect();
    let value = parts.pop().unwrap_or_default();
    Ok((parts, value))
}

pub fn read<'f>(
    files: &'f [OutputFile],
    names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let text = text(files, "msgpol.conf")?;
    let mut config = Dnsmasq {
        answered: NameList::new(names),
        forwarded: NameList::new(names),
        sunk: NameMap::new(names),
    };
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (option, spec) = line
            .split_once('=')
            .ok_or_else(|| format!("line {} is not an option: {line:?}", number + 1))?;
        match option {
            "address" => {
                let (domains, address) = domains_and_value(spec)?;
                if !matches!(address, "" | "0.0.0.0" | "::" | "127.0.0.1") {
                    return Err(format!("line {} answers {address}", number + 1));
                }
                for domain in domains {
                    add_pattern(&mut config.answered, domain)?;
                }
            }
            "server" | "local" => {
                let (domains, server) = domains_and_value(spec)?;
                if server != "#" {
                    return Err(format!("line {} forwards to {server:?}", number + 1));
                }
                for domain in domains {
                    add_pattern(&mut config.forwarded, domain)?;
                }
            }
            "host-record" => {
                let mut fields = spec.split(',');
                let name = folded(fields.next().unwrap_or_default());
                if !fields.all(|a| matches!(a, "0.0.0.0" | "::" | "127.0.0.1" | "::1")) {
                    return Err(format!("line {} records a routable address", number + 1));
                }
                *config.sunk.entry(name) = true;
            }
            _ => {
                return Err(format!(
                    "line {} sets `{option}`, which this reader does not know",
                    number + 1
                ))
            }
        }
    }
    Ok(Consumer::only(&[Question::Dns], config))
}
