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

/// Channels of tiers that `monitor` (audited on endpoints, never blocked), in tier order.
pub fn monitored(ir: &Ir) -> Vec<&ChannelInfo> {
    ir.tiered_channels()
        .filter(|c| ir.tier_of(c).is_some_and(|t| t.monitor))
        .collect()
}

/// The channels a target cannot act on for want of one kind of identifier, reported as one
/// warning that names each channel, the missing fields, and what is therefore not written.
pub struct Missing {
    fields: &'static str,
    consequence: String,
    channels: Vec<String>,
}

impl Missing {
    pub fn new(fields: &'static str, consequence: impl Into<String>) -> Self {
        Missing {
            fields,
            consequence: consequence.into(),
            channels: Vec::new(),
        }
    }
    pub fn add(&mut self, channel: &ChannelInfo) {
        self.channels.push(format!("`{}`", channel.name));
    }
    /// Adds the warning to `warnings` if any channel lacks the fields.
    pub fn report(self, target: &str, warnings: &mut Vec<String>) {
        let (noun, verb) = match self.channels.len() {
            0 => return,
            1 => ("channel", "has"),
            _ => ("channels", "have"),
        };
        warnings.push(format!(
            "{target}: {noun} {} {verb} no {}, so {}",
            self.channels.join(", "),
            self.fields,
            self.consequence
        ));
    }
}

/// Text for an XML attribute or element: the five markup characters escaped; a control
/// character (which XML 1.0 cannot hold, or would normalise away in an attribute) is refused.
pub fn xml(value: &str) -> Result<String, String> {
    if value.chars().any(char::is_control) {
        return Err(format!("refusing to write {value:?} into XML"));
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    Ok(out)
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
    use super::{guid, xml};

    #[test]
    fn xml_escapes_markup_and_refuses_control_characters() {
        assert_eq!(
            xml(r#"O=A & B's <"x">"#).unwrap(),
            "O=A &amp; B&apos;s &lt;&quot;x&quot;&gt;"
        );
        assert!(xml("a\nb").is_err());
    }

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
