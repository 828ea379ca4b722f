//! An nftables ruleset: named sets of `ipv4_addr` / `ipv6_addr` intervals, and chains on the
//! `output` and `forward` hooks whose rules `ip daddr @SET drop` / `ip6 daddr @SET drop`. The
//! ranges dropped are those of the sets the output chain's drop rules name.

use super::{text, Cidr, DroppedRanges};
use crate::emit::verify::{Consumer, NameIndex, Question};
use crate::emit::OutputFile;
use std::collections::BTreeMap;

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let text = text(files, "msgpol.nft")?;
    // Comments end at the line's end; braces and commas separate the rest.
    let code: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut sets: BTreeMap<String, Vec<Cidr>> = BTreeMap::new();
    let mut dropped_sets: Vec<String> = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("\tset ").or_else(|| rest.find(" set ")) {
        let after = &rest[at + 5..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let body_start = after
            .find('{')
            .ok_or_else(|| format!("set {name} has no body"))?;
        let body_end = matching_brace(&after[body_start..])
            .ok_or_else(|| format!("set {name}'s body is not closed"))?;
        let body = &after[body_start + 1..body_start + body_end];
        let mut ranges = Vec::new();
        if let Some(elements) = body.split_once("elements").map(|(_, e)| e) {
            let inner = elements
                .split_once('{')
                .and_then(|(_, e)| e.split_once('}'))
                .map(|(inner, _)| inner)
                .ok_or_else(|| format!("set {name}'s elements are not in {{ … }}"))?;
            for element in inner
                .split([',', '\n', '\t', ' '])
                .filter(|e| !e.is_empty())
            {
                ranges.push(Cidr::parse(element)?);
            }
        }
        sets.insert(name, ranges);
        rest = &after[body_start + body_end..];
    }
    let chain_at = code
        .find("chain output")
        .ok_or("the ruleset has no output chain")?;
    let open = chain_at
        + code[chain_at..]
            .find('{')
            .ok_or("the output chain has no body")?;
    let close = open + matching_brace(&code[open..]).ok_or("the output chain is not closed")?;
    let chain = &code[open + 1..close];
    if !chain.contains("hook output") {
        return Err("the output chain is not on the output hook".into());
    }
    for line in chain.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let ["ip" | "ip6", "daddr", set, "drop"] = words.as_slice() {
            let name = set
                .strip_prefix('@')
                .ok_or_else(|| format!("a drop rule that names no set: {line:?}"))?;
            dropped_sets.push(name.to_string());
        }
    }
    let mut ranges = Vec::new();
    for name in &dropped_sets {
        ranges.extend(
            sets.get(name)
                .ok_or_else(|| format!("a rule drops @{name}, which is not defined"))?,
        );
    }
    Ok(Consumer::only(
        &[Question::Firewall],
        DroppedRanges::new(&ranges),
    ))
}

/// The offset of the `}` that closes the `{` at the start of `text`.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}
