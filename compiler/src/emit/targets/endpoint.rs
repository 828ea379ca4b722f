//! What the endpoint targets (gpo, reg, applocker, santa) share: which channels they act on,
//! the warning for a channel that lacks the identifier a target needs (reported, never
//! silently dropped), and identifiers derived from content so output stays deterministic.

use crate::ir::{ChannelInfo, Ir};
use crate::syntax::ast::Enforcement;
use sha2::{Digest, Sha256};

/// Channels of tiers that block with `how`, in tier order.
pub fn blocked_by(ir: &Ir, how: Enforcement) -> Vec<&ChannelInfo> {
    ir.tiered_channels()
        .filter(|c| ir.tier_of(c).is_some_and(|t| t.block.contains(&how)))
        .collect()
}

/// The warning for a channel the target cannot act on: which channel, which field is
/// missing, and what is therefore not written.
pub fn missing(target: &str, channel: &ChannelInfo, fields: &str, consequence: &str) -> String {
    format!(
        "{target}: channel `{}` has no {fields}; {consequence} (add it to the channel)",
        channel.name
    )
}

/// A GUID (8-4-4-4-12, upper case) derived from `seed`: the same input always gives the same
/// GUID, and different seeds practically never collide. Marked as a name-based (version 5
/// layout) GUID.
pub fn guid(seed: &str) -> String {
    let d = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::guid;

    #[test]
    fn guids_are_stable_and_well_formed() {
        let g = guid("telegram");
        assert_eq!(g, guid("telegram"));
        assert_ne!(g, guid("telegram "));
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "5");
        assert!(g.split('-').map(str::len).eq([8, 4, 4, 4, 12].into_iter()));
    }
}
