//! `ipset restore` input: `create SET hash:net family inet|inet6` and `add SET RANGE`. The
//! sets block what the rules that match them drop (docs/targets/ipset.md); every range added to
//! a set created here counts as blocked.

use super::{text, Cidr, DroppedRanges};
use crate::emit::verify::{Consumer, NameIndex, Question};
use crate::emit::OutputFile;

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let mut created: Vec<&str> = Vec::new();
    let mut ranges = Vec::new();
    for (number, line) in text(files, "msgpol.ipset")?.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            [comment, ..] if comment.starts_with('#') => {}
            ["create", set, "hash:net", "family", "inet" | "inet6", ..] => created.push(set),
            ["flush", set] if created.contains(set) => {}
            ["add", set, range] if created.contains(set) => ranges.push(Cidr::parse(range)?),
            _ => {
                return Err(format!(
                    "line {} is not an ipset command: {line:?}",
                    number + 1
                ))
            }
        }
    }
    Ok(Consumer::only(
        &[Question::Firewall],
        DroppedRanges::new(&ranges),
    ))
}
