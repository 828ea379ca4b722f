//! A pf.conf fragment: `table <T> persist { RANGE, … }` and `block drop out quick to <T>`.
//! Only ranges of a table that a block rule names are dropped.

use super::{text, Cidr, DroppedRanges};
use crate::emit::verify::{Consumer, NameIndex, Question};
use crate::emit::OutputFile;
use std::collections::BTreeMap;

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let mut tables: BTreeMap<&str, Vec<Cidr>> = BTreeMap::new();
    let mut blocked: Vec<&str> = Vec::new();
    for line in text(files, "msgpol.pf.conf")?.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("table <") {
            let (name, body) = rest
                .split_once('>')
                .ok_or_else(|| format!("a table without its name's `>`: {line:?}"))?;
            let inner = body
                .split_once('{')
                .and_then(|(_, b)| b.rsplit_once('}'))
                .map(|(inner, _)| inner)
                .ok_or_else(|| format!("table <{name}> has no {{ … }}"))?;
            let ranges = inner
                .split([',', ' '])
                .filter(|r| !r.is_empty())
                .map(Cidr::parse)
                .collect::<Result<Vec<_>, _>>()?;
            tables.entry(name).or_default().extend(ranges);
        } else if let Some(rest) = line.strip_prefix("block drop out quick to <") {
            let name = rest
                .strip_suffix('>')
                .ok_or_else(|| format!("a rule naming no table: {line:?}"))?;
            blocked.push(name);
        } else {
            return Err(format!("a line this reader does not know: {line:?}"));
        }
    }
    let mut ranges = Vec::new();
    for name in blocked {
        ranges.extend(
            tables
                .get(name)
                .ok_or_else(|| format!("the rule names table <{name}>, which is not defined"))?,
        );
    }
    Ok(Consumer::only(
        &[Question::Firewall],
        DroppedRanges::new(&ranges),
    ))
}
