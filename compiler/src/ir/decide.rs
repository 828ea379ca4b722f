//! `decide(class, channel, who)`: may this class of data be sent on this channel by this
//! group? The answer carries every reason that led to it, each pointing at its source line.

use super::{Decision, ExceptionInfo, ExceptionStatus, Ir, Reason, TierKind, Verdict};
use crate::vocabulary::{E2ee, Requirement};

impl Ir {
    /// `None` if the class or the channel is not declared.
    pub fn decide(
        &self,
        class_name: &str,
        channel_name: &str,
        who: Option<&str>,
    ) -> Option<Decision> {
        self.judge(class_name, channel_name, who, |e| {
            e.status != ExceptionStatus::Expired
        })
        .map(|(decision, _)| decision)
    }

    /// Whether `decide` lets the exception change a decision for its group, were it the
    /// group's only exception on the channel: some class it allows is above the tier's ceiling
    /// and, through it, not denied. (An overlapping renewal of an exception is not void: it
    /// applies once the first one ends.)
    pub(crate) fn applies(&self, exception: &ExceptionInfo) -> bool {
        self.classes.iter().any(|class| {
            self.judge(
                &class.name,
                &exception.channel,
                Some(&exception.group),
                |e| std::ptr::eq(e, exception),
            )
            .is_some_and(|(decision, used)| decision.verdict != Verdict::Deny && used.is_some())
        })
    }

    /// The decision, considering only the exceptions `considered` accepts, and the exception
    /// it used to raise the tier's ceiling, if any.
    fn judge(
        &self,
        class_name: &str,
        channel_name: &str,
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
                who: who.map(str::to_string),
                verdict: chain.verdict,
                reasons: chain.reasons,
            };
            (decision, used)
        };

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

        let ceiling = tier
            .ceiling
            .as_ref()
            .expect("a tier that is not banned has a ceiling");
        if self.at_most(&class.name, &ceiling.value) {
            chain.note(
                format!(
                    "tier `{}` allows up to `{}`, which includes `{}`",
                    tier.name, ceiling.value, class.name
                ),
                &ceiling.at,
            );
        } else {
            let exception = who.and_then(|group| {
                self.exceptions.iter().find(|e| {
                    e.group == group
                        && e.channel == channel.name
                        && considered(e)
                        && self.at_most(&class.name, &e.ceiling)
                })
            });
            match exception {
                Some(e) => {
                    used = Some(e);
                    chain.worsen(
                        Verdict::Warn,
                        format!(
                            "tier `{}` allows only up to `{}`, but exception `{}` allows `{}` for group `{}` until {} (approved by {})",
                            tier.name, ceiling.value, e.name, e.ceiling, e.group, e.until, e.approved_by
                        ),
                        &e.at,
                    )
                }
                None => {
                    chain.worsen(
                        Verdict::Deny,
                        format!(
                            "tier `{}` allows only up to `{}`; `{}` is not included",
                            tier.name, ceiling.value, class.name
                        ),
                        &ceiling.at,
                    );
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
