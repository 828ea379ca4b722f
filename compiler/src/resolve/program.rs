//! What the resolved program says, asked the same way by the checks and by the IR builder, so
//! that validation and output never disagree about which tier is banned or which channel a
//! tier blocks.

use super::{ChannelDef, Program};
use crate::normalize::network::{self, Network};
use crate::source::Str;
use crate::syntax::ast::{self, Ceiling};
use crate::vocabulary::{Enforcement, Medium, TierKind};
use time::Date;

impl Program {
    /// Judge the program as it stands on `date`: each tier's `channels` become those listed
    /// without dates and the dated ones in force that day.
    pub fn set_date(&mut self, date: Date) {
        self.date = date;
        self.tiers = self.tiers_on(date);
        self.tier_index.clear();
        for (i, tier) in self.tiers.iter().enumerate() {
            for channel in &tier.channels {
                self.tier_index.entry(channel.text.clone()).or_insert(i);
            }
        }
    }

    /// The tiers as they stand on `date`, whatever day the program is judged on.
    pub fn tiers_on(&self, date: Date) -> Vec<ast::Tier> {
        self.schedule
            .iter()
            .map(|written| {
                let mut tier = written.clone();
                tier.channels.extend(
                    written
                        .dated
                        .iter()
                        .filter(|d| d.in_force(date))
                        .flat_map(|d| d.channels.iter().cloned()),
                );
                tier
            })
            .collect()
    }

    /// The day the program is judged on.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The days after `after` on which a channel enters or leaves a tier, in order.
    pub fn change_dates(&self, after: Date) -> Vec<Date> {
        let mut dates: Vec<Date> = self
            .schedule
            .iter()
            .flat_map(|t| t.dated.iter())
            .flat_map(|d| {
                let enters = d.from.map(|f| f.value);
                let leaves = d.until.and_then(|u| u.value.next_day());
                enters.into_iter().chain(leaves)
            })
            .filter(|&d| d > after)
            .collect();
        dates.sort();
        dates.dedup();
        dates
    }

    /// The name of the tier a channel is in on `date`, whatever day the program is judged on.
    pub fn tier_name_on(&self, channel: &str, date: Date) -> Option<&str> {
        self.schedule
            .iter()
            .find(|t| {
                t.channels.iter().any(|c| c.text == channel)
                    || t.dated
                        .iter()
                        .any(|d| d.in_force(date) && d.channels.iter().any(|c| c.text == channel))
            })
            .map(|t| t.name.text.as_str())
    }

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
        if !tier.block.is_empty() {
            return TierKind::Banned;
        }
        // The most open of its ceilings (`TierKind` orders the most open first).
        tier.allows
            .iter()
            .map(|a| self.ceiling_kind(&a.ceiling))
            .min()
            .unwrap_or(TierKind::Banned)
    }

    /// What a tier is for one medium: banned if the tier is, or if it allows nothing for it.
    pub fn medium_kind(&self, tier: &ast::Tier, medium: Medium) -> TierKind {
        match tier.allows_for(Some(medium)) {
            _ if !tier.block.is_empty() => TierKind::Banned,
            Some(allows) => self.ceiling_kind(&allows.ceiling),
            None => TierKind::Banned,
        }
    }

    fn ceiling_kind(&self, ceiling: &Ceiling) -> TierKind {
        match ceiling {
            Ceiling::Nothing(_) => TierKind::Banned,
            Ceiling::UpTo(class) => {
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

    /// The media the channels of a tier carry that it allows nothing for (every medium they
    /// carry, for a banned tier): where staff need an alternative.
    pub fn refused_media(&self, tier: &ast::Tier) -> Vec<Medium> {
        self.tier_media(tier)
            .into_iter()
            .filter(|&m| self.medium_kind(tier, m) == TierKind::Banned)
            .collect()
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

    /// The channels that carry a medium in a tier approved for it, by name.
    pub fn approved_carriers(&self, medium: Medium) -> Vec<String> {
        self.approved_carriers_among(&self.tiers, medium)
    }

    /// `approved_carriers` among `tiers` (the tiers on another day).
    pub fn approved_carriers_among(&self, tiers: &[ast::Tier], medium: Medium) -> Vec<String> {
        let mut out: Vec<String> = tiers
            .iter()
            .filter(|t| self.medium_kind(t, medium) == TierKind::Approved)
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

impl ast::Tier {
    /// The `allows` statement that decides `medium`: the one that names it, else the one that
    /// names no medium (`None` asks for that one). `None` if there is neither: the tier allows
    /// nothing on that medium.
    pub fn allows_for(&self, medium: Option<Medium>) -> Option<&ast::Allows> {
        medium
            .and_then(|m| {
                self.allows
                    .iter()
                    .find(|a| a.media.iter().any(|n| n.value == m))
            })
            .or_else(|| self.allows.iter().find(|a| a.media.is_empty()))
    }

    /// Some `allows` names a medium: the tier's decisions may differ from one medium to the
    /// next.
    pub fn by_medium(&self) -> bool {
        self.allows.iter().any(|a| !a.media.is_empty())
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
