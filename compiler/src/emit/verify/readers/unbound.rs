//! An Unbound configuration fragment (unbound.conf(5)): under `server:`, `local-zone: "NAME."
//! TYPE` and `local-data: "NAME. TYPE DATA"`. A query is answered by the closest enclosing
//! local zone: `always_nxdomain` (and the other `always_` refusals) refuses every name in it;
//! `always_transparent` resolves every name normally; `transparent` answers a name's local
//! data and resolves the rest; `static`, `deny`, `refuse` and `nxdomain` answer local data and
//! refuse the rest. A name with local data and no zone of its own gets a
//! `transparent` zone of its own. Local data of 0.0.0.0 or :: sinks the name.

use super::domains::folded;
use super::text;
use crate::emit::verify::names::{Name, NameMap};
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;
use std::borrow::Cow;

#[derive(Clone, Copy, PartialEq, Eq)]
enum ZoneType {
    /// Every name refused, local data or not.
    AlwaysRefused,
    /// Every name resolved normally, local data or not.
    AlwaysTransparent,
    /// Local data answered, the rest resolved normally.
    Transparent,
    /// Local data answered, the rest refused.
    Static,
}

struct Unbound<'t> {
    zones: NameMap<'t, Option<ZoneType>>,
    /// Names with local data, and whether all their data sinks them.
    data: NameMap<'t, Option<bool>>,
}

/// What a query meets in its closest zone, given the local data of the name asked.
fn answer(zone: Option<ZoneType>, local: Option<bool>) -> Effect {
    match zone {
        None | Some(ZoneType::AlwaysTransparent) => Effect::Allowed,
        Some(ZoneType::AlwaysRefused) => Effect::Blocked,
        Some(ZoneType::Transparent) => match local {
            Some(true) => Effect::Blocked,
            _ => Effect::Allowed,
        },
        Some(ZoneType::Static) => match local {
            Some(false) => Effect::Allowed,
            _ => Effect::Blocked,
        },
    }
}

impl Reading for Unbound<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(Name::text(name))[usize::from(child)]
    }
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        let local = self.data.get(name);
        // The closest zone at the name or above it; a fresh label under the name has no zone
        // or data of its own, so this is its closest zone too.
        let zone = std::iter::once(self.zones.get(name))
            .chain(self.zones.above(name))
            .find_map(|z| z);
        // Local data without a zone makes a transparent zone for its own name.
        let own_zone = zone.or(local.map(|_| ZoneType::Transparent));
        [Some(answer(own_zone, local)), Some(answer(own_zone, None))]
    }
}

/// The text of a quoted statement value: `"…"` → `…`.
fn quoted(value: &str) -> Result<&str, String> {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .ok_or_else(|| format!("{value:?} is not quoted"))
}

/// A name as Unbound writes it (`name.`), without the root's dot, in lowercase.
fn name_of(text: &str) -> Cow<'_, str> {
    folded(text.strip_suffix('.').unwrap_or(text))
}

pub fn read<'f>(
    files: &'f [OutputFile],
    names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let text = text(files, "msgpol.conf")?;
    let mut config = Unbound {
        zones: NameMap::new(names),
        data: NameMap::new(names),
    };
    let mut in_server = false;
    for (number, line) in text.lines().enumerate() {
        let code = line.split('#').next().unwrap_or_default().trim();
        if code.is_empty() {
            continue;
        }
        if code == "server:" {
            in_server = true;
            continue;
        }
        let (key, value) = code
            .split_once(':')
            .ok_or_else(|| format!("line {} is not a statement: {line:?}", number + 1))?;
        if !in_server {
            return Err(format!("line {} is outside `server:`", number + 1));
        }
        let value = value.trim();
        match key.trim() {
            "local-zone" => {
                let (zone, kind) = value
                    .rsplit_once(' ')
                    .ok_or_else(|| format!("line {} has no zone type", number + 1))?;
                let kind = match kind {
                    "always_nxdomain" | "always_refuse" | "always_null" | "always_nodata"
                    | "always_deny" => ZoneType::AlwaysRefused,
                    "always_transparent" => ZoneType::AlwaysTransparent,
                    "transparent" | "typetransparent" | "inform" => ZoneType::Transparent,
                    "static" | "nxdomain" | "deny" | "refuse" | "inform_deny" => ZoneType::Static,
                    other => {
                        return Err(format!(
                            "line {}: zone type `{other}` is not known",
                            number + 1
                        ))
                    }
                };
                *config.zones.entry(name_of(quoted(zone.trim())?)) = Some(kind);
            }
            "local-data" => {
                let record = quoted(value)?;
                let mut fields = record.split_whitespace();
                let name = name_of(fields.next().unwrap_or_default());
                let data = fields.last().unwrap_or_default();
                let sinks = matches!(data, "0.0.0.0" | "::");
                let all = config.data.entry(name);
                *all = Some(all.unwrap_or(true) && sinks);
            }
            other => {
                return Err(format!(
                    "line {} sets `{other}`, which this reader does not know",
                    number + 1
                ))
            }
        }
    }
    Ok(Consumer::only(&[Question::Dns], config))
}
