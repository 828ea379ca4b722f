//! What the resolved program says, asked the same way by the checks and by the IR builder, so
//! that validation and output never disagree about which tier is banned or which channel a
//! tier blocks.

use super::{ChannelDef, Program};
use crate::normalize::network::{self, Network};
use crate::source::Str;
use crate::syntax::ast::{self, Ceiling};
use crate::vocabulary::{Enforcement, Medium, TierKind};

impl Program {
    /// `low` is `high` or below it in the class order.
    pub fn class_at_most(&self, low: &str, high: &str) -> bool {
        low == high
            || self
                .classes
                .get(high)
                .is_some_and(|c| c.below.iter().any(|b| b == low))
    }

    pub fn tier_of(&self, channel: &str) -> Option<&ast::Tier> {
        self.tier_index.get(channel).map(|&i| &self.tiers[i])
    }

    /// What a tier is, from what it says: see "tier" in docs/language.md.
    pub fn tier_kind(&self, tier: &ast::Tier) -> TierKind {
        match &tier.allows {
            _ if !tier.block.is_empty() => TierKind::Banned,
            None | Some(Ceiling::Nothing(_)) => TierKind::Banned,
            Some(Ceiling::UpTo(class)) => {
                let has_lower = self
                    .classes
                    .get(&class.text)
                    .is_some_and(|c| !c.below.is_empty());
                if has_lower {
                    TierKind::Approved
                } else {
                    TierKind::Limited
                }
            }
        }
    }

    /// The media a channel carries, as written (possibly repeated).
    pub fn media_of(&self, channel: &str) -> impl Iterator<Item = Medium> + '_ {
        self.channels[channel]
            .decl
            .body
            .media
            .iter()
            .flatten()
            .map(|m| m.value)
    }

    /// The media the channels of a tier carry, each once, in `Medium` order.
    pub fn tier_media(&self, tier: &ast::Tier) -> Vec<Medium> {
        let mut media: Vec<Medium> = tier
            .channels
            .iter()
            .flat_map(|c| self.media_of(&c.text))
            .collect();
        media.sort();
        media.dedup();
        media
    }

    /// The channels of approved tiers that carry a medium, by name.
    pub fn approved_carriers(&self, medium: Medium) -> Vec<String> {
        let mut out: Vec<String> = self
            .tiers
            .iter()
            .filter(|t| self.tier_kind(t) == TierKind::Approved)
            .flat_map(|t| t.channels.iter())
            .filter(|c| self.media_of(&c.text).any(|m| m == medium))
            .map(|c| c.text.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The channels of the tiers that block by `kind`.
    pub fn blocked_channels(&self, kind: Enforcement) -> Vec<&ChannelDef> {
        self.tiers
            .iter()
            .filter(|t| t.block.iter().any(|b| b.value == kind))
            .flat_map(|t| t.channels.iter())
            .map(|c| &self.channels[&c.text])
            .collect()
    }

    /// The channels of the tiers that are not banned (approved or limited).
    pub fn open_channels(&self) -> Vec<&ChannelDef> {
        self.tiers
            .iter()
            .filter(|t| self.tier_kind(t) != TierKind::Banned)
            .flat_map(|t| t.channels.iter())
            .map(|c| &self.channels[&c.text])
            .collect()
    }
}

impl ChannelDef {
    /// Its networks, parsed (invalid ones skipped: validation reports them), each with the
    /// string it was written as.
    pub fn networks(&self) -> impl Iterator<Item = (Network, &Str)> {
        self.decl
            .body
            .networks
            .iter()
            .flatten()
            .filter_map(|n| network::parse(&n.value).ok().map(|parsed| (parsed, n)))
    }
}

impl ast::Instead {
    /// The `instead` statements that name an alternative for `medium` (one that names no
    /// medium is for every medium).
    pub fn for_medium(
        list: &[ast::Instead],
        medium: Medium,
    ) -> impl Iterator<Item = &ast::Instead> {
        list.iter()
            .filter(move |i| i.media.is_empty() || i.media.iter().any(|m| m.value == medium))
    }
}
