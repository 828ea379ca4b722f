//! How long a channel's messages may be kept: what its tier says and what every class it may
//! carry says, together (a service keeps or deletes a chat whatever class it holds).

use super::{Ir, Retention, TierKind, Verdict};

impl Ir {
    /// The retention that applies to the channel's messages: its tier's and that of each
    /// class `decide` allows on it for someone, on some medium; empty for a channel in no
    /// tier or a banned one.
    pub fn retention_of(&self, channel: &str) -> Retention {
        let Some(info) = self.channel(channel) else {
            return Retention::default();
        };
        let Some(tier) = self.tier_of(info) else {
            return Retention::default();
        };
        self.classes
            .iter()
            .filter(|class| {
                self.decisions(&class.name, channel, None)
                    .is_some_and(|d| d.iter().any(|d| d.verdict != Verdict::Deny))
            })
            .fold(tier.retention, |r, class| r.and(class.retention))
    }

    /// The channels, in a tier that is not banned, that are the service `service` (one of
    /// `RETENTION_SERVICES`) or inherit it.
    pub fn channels_of_service<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a str> {
        self.channels_where(|t| t.kind != TierKind::Banned)
            .filter(move |c| c.is_service(service))
            .map(|c| c.name.as_str())
    }
}
