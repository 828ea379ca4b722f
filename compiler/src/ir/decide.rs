//! `decide(class, channel, medium, who)`: may this class of data be sent on this channel, as
//! this medium, by this group? The answer carries every reason that led to it, each pointing
//! at its source line.

use super::{
    ChannelInfo, Decision, ExceptionInfo, ExceptionStatus, Ir, Medium, Reason, TierKind, Verdict,
};
use crate::vocabulary::{E2ee, Requirement};

impl Ir {
    /// `medium` `None`: whatever the medium, as a tier's `allows` without `for` decides (see
    /// `media_to_judge` for when that is the whole answer). `None` if the class or the channel
    /// is not declared.
    pub fn decide(
        &self,
        class_name: &str,
        channel_name: &str,
        medium: Option<Medium>,
        who: Option<&str>,
    ) -> Option<Decision> {
        self.judge(class_name, channel_name, medium, who, in_dates)
            .map(|(decision, _)| decision)
    }

    /// The whole answer for a class on a channel: one decision per medium in
    /// `media_to_judge`. `None` if the class or the channel is not declared.
    pub fn decisions(
        &self,
        class_name: &str,
        channel_name: &str,
        who: Option<&str>,
    ) -> Option<Vec<Decision>> {
        let channel = self.channel(channel_name)?;
        self.media_to_judge(channel, who)
            .into_iter()
            .map(|medium| self.decide(class_name, channel_name, medium, who))
            .collect()
    }

    /// The media on which decisions for the channel can differ: each medium it carries when
    /// its tier has an `allows … for` (or `who` an exception limited to some media on it),
    /// else only `None`, whatever the medium. A channel that declares no media is judged as a
    /// whole.
    pub fn media_to_judge(&self, channel: &ChannelInfo, who: Option<&str>) -> Vec<Option<Medium>> {
        let by_tier = self
            .tier_of(channel)
            .is_some_and(|t| !t.medium_ceilings.is_empty());
        let by_exception = who.is_some_and(|group| {
            self.exceptions.iter().any(|e| {
                e.group == group && e.channel == channel.name && in_dates(e) && !e.media.is_empty()
            })
        });
        if (by_tier || by_exception) && !channel.media.is_empty() {
            let mut media = channel.media.clone();
            media.sort();
            media.dedup();
            media.into_iter().map(Some).collect()
        } else {
            vec![None]
        }
    }

    /// The media an exception is judged on, as validation's W223 judges it: those it names
    /// that its channel carries, or, if it names none, the media the channel is judged on.
    fn exception_media(&self, exception: &ExceptionInfo) -> Vec<Option<Medium>> {
        let Some(channel) = self.channel(&exception.channel) else {
            return Vec::new();
        };
        if exception.media.is_empty() {
            return self.media_to_judge(channel, None);
        }
        exception
            .media
            .iter()
            .filter(|m| channel.media.is_empty() || channel.media.contains(m))
            .map(|&m| Some(m))
            .collect()
    }

    /// Whether `decide` lets the exception change a decision for its group, were it the
    /// group's only exception on the channel: some class it allows is above the tier's ceiling
    /// and, through it, not denied. (An overlapping renewal of an exception is not void: it
    /// applies once the first one ends.)
    pub(crate) fn applies(&self, exception: &ExceptionInfo) -> bool {
        let media = self.exception_media(exception);
        self.classes.iter().any(|class| {
            media.iter().any(|&medium| {
                self.judge(
                    &class.name,
                    &exception.channel,
                    medium,
                    Some(&exception.group),
                    |e| std::ptr::eq(e, exception),
                )
                .is_some_and(|(decision, used)| decision.verdict != Verdict::Deny && used.is_some())
            })
        })
    }

    /// The decision, considering only the exceptions `considered` accepts, and the exception
    /// it used to raise the tier's ceiling, if any.
    fn judge(
        &self,
        class_name: &str,
        channel_name: &str,
        medium: Option<Medium>,
        who: Option<&str>,
        considered: impl Fn(&ExceptionInfo) -> bool,
    ) -> Option<(Decision, Option<&ExceptionInfo>)> {
        let class = self.class(class_name)?;
        let channel = self.channel(channel_name)?;
        let mut chain = Chain {
            verdict: Verdict::Allow,
            reasons: Vec::new(),
        };
        let mut used = None;
        let decision = |chain: Chain, used| {
            let decision = Decision {
                class: class.name.clone(),
                channel: channel.name.clone(),
                medium,
                who: who.map(str::to_string),
                verdict: chain.verdict,
                reasons: chain.reasons,
            };
            (decision, used)
        };

        if let Some(m) = medium.filter(|m| !channel.media.is_empty() && !channel.media.contains(m))
        {
            chain.worsen(
                Verdict::Deny,
                format!("`{}` does not carry {}", channel.name, m.as_str()),
                &channel.at,
            );
            return Some(decision(chain, used));
        }
        let Some(tier) = self.tier_of(channel) else {
            chain.worsen(
                Verdict::Deny,
                format!(
                    "`{}` is in no tier, so it is not approved for any data",
                    channel.name
                ),
                &channel.at,
            );
            return Some(decision(chain, used));
        };
        let membership = self.membership(&channel.name).map_or(&tier.at, |c| &c.at);
        if tier.kind == TierKind::Banned {
            chain.worsen(
                Verdict::Deny,
                format!(
                    "`{}` is in the banned tier `{}` ({})",
                    channel.name, tier.name, tier.label
                ),
                membership,
            );
            return Some(decision(chain, used));
        }
        chain.note(
            format!(
                "`{}` is in tier `{}` ({})",
                channel.name, tier.name, tier.label
            ),
            membership,
        );

        let ceiling = tier.ceiling_for(medium);
        // " for file" when an `allows … for` decides the medium.
        let on = ceiling
            .medium
            .map_or(String::new(), |m| format!(" for {}", m.as_str()));
        if let Some(top) = ceiling.class.filter(|top| self.at_most(&class.name, top)) {
            chain.note(
                format!(
                    "tier `{}` allows up to `{top}`{on}, which includes `{}`",
                    tier.name, class.name
                ),
                ceiling.at,
            );
        } else {
            let refusal = match (ceiling.class, medium) {
                (Some(top), _) => format!("tier `{}` allows only up to `{top}`{on}", tier.name),
                (None, Some(m)) => {
                    format!("tier `{}` allows nothing for {}", tier.name, m.as_str())
                }
                (None, None) => format!(
                    "tier `{}` allows data only on the media its `allows` statements name",
                    tier.name
                ),
            };
            let exception = who.and_then(|group| {
                self.exceptions.iter().find(|e| {
                    e.group == group
                        && e.channel == channel.name
                        && considered(e)
                        && self.at_most(&class.name, &e.ceiling)
                        && (e.media.is_empty() || medium.is_some_and(|m| e.media.contains(&m)))
                })
            });
            match exception {
                Some(e) => {
                    used = Some(e);
                    let media: Vec<&str> = e.media.iter().map(|m| m.as_str()).collect();
                    let as_media = if media.is_empty() {
                        String::new()
                    } else {
                        format!(" as {}", media.join(" and "))
                    };
                    chain.worsen(
                        Verdict::Warn,
                        format!(
                            "{refusal}, but exception `{}` allows `{}`{as_media} for group `{}` until {} (approved by {})",
                            e.name, e.ceiling, e.group, e.until, e.approved_by
                        ),
                        &e.at,
                    )
                }
                None => {
                    let message = if ceiling.class.is_some() {
                        format!("{refusal}; `{}` is not included", class.name)
                    } else {
                        refusal
                    };
                    chain.worsen(Verdict::Deny, message, ceiling.at);
                    return Some(decision(chain, used));
                }
            }
        }

        for requirement in &class.requires {
            match requirement.value {
                Requirement::E2ee => match channel.e2ee {
                    E2ee::Yes => chain.note(
                        format!(
                            "`{}` requires end-to-end encryption, which `{}` has by default",
                            class.name, channel.name
                        ),
                        &channel.e2ee_at,
                    ),
                    other => chain.worsen(
                        Verdict::Deny,
                        format!(
                            "`{}` requires end-to-end encryption; `{}` {}",
                            class.name,
                            channel.name,
                            if other == E2ee::Optional {
                                "encrypts end to end only when the user turns it on"
                            } else {
                                "does not encrypt end to end"
                            }
                        ),
                        &requirement.at,
                    ),
                },
                Requirement::Mfa => {
                    if tier.requires.contains(&Requirement::Mfa) {
                        chain.note(
                            format!(
                                "`{}` requires mfa, which tier `{}` enforces",
                                class.name, tier.name
                            ),
                            &requirement.at,
                        );
                    } else if channel.mfa {
                        chain.worsen(
                            Verdict::Warn,
                            format!("`{}` requires mfa: turn it on for your `{}` account (the tier does not enforce it)", class.name, channel.name),
                            &requirement.at,
                        );
                    } else {
                        chain.worsen(
                            Verdict::Deny,
                            format!("`{}` requires mfa; `{}` does not offer it and tier `{}` does not enforce it", class.name, channel.name, tier.name),
                            &requirement.at,
                        );
                    }
                }
                Requirement::ManagedDevice => {
                    if tier.requires.contains(&Requirement::ManagedDevice) {
                        chain.note(
                            format!(
                                "`{}` requires a managed device, which tier `{}` enforces",
                                class.name, tier.name
                            ),
                            &requirement.at,
                        );
                    } else {
                        chain.worsen(
                            Verdict::Warn,
                            format!(
                                "`{}` may be sent only from a device the organisation manages",
                                class.name
                            ),
                            &requirement.at,
                        );
                    }
                }
            }
        }
        Some(decision(chain, used))
    }

    /// `low` is `high` or a class below it.
    pub fn at_most(&self, low: &str, high: &str) -> bool {
        low == high
            || self
                .class(high)
                .is_some_and(|c| c.below.iter().any(|b| b == low))
    }
}

/// What `decide` considers: every exception still in its dates.
fn in_dates(e: &ExceptionInfo) -> bool {
    e.status != ExceptionStatus::Expired
}

/// The verdict so far (the worst seen) and the reasons behind it.
struct Chain {
    verdict: Verdict,
    reasons: Vec<Reason>,
}

impl Chain {
    fn note(&mut self, message: String, at: &crate::source::Location) {
        self.push(Verdict::Allow, message, at);
    }
    fn worsen(&mut self, verdict: Verdict, message: String, at: &crate::source::Location) {
        self.verdict = self.verdict.min(verdict);
        self.push(verdict, message, at);
    }
    fn push(&mut self, verdict: Verdict, message: String, at: &crate::source::Location) {
        self.reasons.push(Reason {
            message,
            verdict,
            at: at.clone(),
        });
    }
}
