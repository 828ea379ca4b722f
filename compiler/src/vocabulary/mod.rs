//! The words of the policy language that every stage shares: what the parser reads, the
//! resolver and the checks reason about, and the IR hands to the targets (which reach them
//! through `crate::ir`). Plain enums and dates only: nothing here depends on another module.

pub mod date;

use serde::Serialize;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    Small,
    Medium,
    Large,
}

impl Size {
    pub fn as_str(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CadenceUnit {
    Weeks,
    Months,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Cadence {
    pub every: u32,
    pub unit: CadenceUnit,
}

impl Cadence {
    /// The `n`th refresher after `start`: `n` steps of the cadence. A month step keeps the day
    /// of the month where it exists and otherwise takes the month's last day (31 January +
    /// 1 month = 28 or 29 February).
    pub fn step(self, start: time::Date, n: u32) -> Option<time::Date> {
        let every = self.every.max(1);
        match self.unit {
            CadenceUnit::Weeks => start.checked_add(time::Duration::weeks(i64::from(every * n))),
            CadenceUnit::Months => {
                let months =
                    i64::from(u8::from(start.month()) - 1) + i64::from(every) * i64::from(n);
                let year = start.year() + i32::try_from(months / 12).ok()?;
                let month = time::Month::try_from(u8::try_from(months % 12 + 1).ok()?).ok()?;
                let day = start.day().min(month.length(year));
                time::Date::from_calendar_date(year, month, day).ok()
            }
        }
    }
}

/// A length of time: `N days`, `N months`, `N years`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Period {
    pub count: u32,
    pub unit: PeriodUnit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PeriodUnit {
    Days,
    Months,
    Years,
}

impl Period {
    /// In days, as the services that take a number of days count them: a month is 30 days,
    /// a year 365.
    pub fn days(self) -> u64 {
        let per = match self.unit {
            PeriodUnit::Days => 1,
            PeriodUnit::Months => 30,
            PeriodUnit::Years => 365,
        };
        u64::from(self.count) * per
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match (self.unit, self.count) {
            (PeriodUnit::Days, 1) => "day",
            (PeriodUnit::Days, _) => "days",
            (PeriodUnit::Months, 1) => "month",
            (PeriodUnit::Months, _) => "months",
            (PeriodUnit::Years, 1) => "year",
            (PeriodUnit::Years, _) => "years",
        };
        write!(f, "{} {unit}", self.count)
    }
}

/// How long messages may be kept: at least `keep_at_least`, and no longer than
/// `delete_after` (either may be unsaid).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Retention {
    pub keep_at_least: Option<Period>,
    pub delete_after: Option<Period>,
}

impl Retention {
    pub fn is_empty(self) -> bool {
        self.keep_at_least.is_none() && self.delete_after.is_none()
    }

    /// What satisfies both: the longer keep, the shorter delete.
    pub fn and(self, other: Retention) -> Retention {
        let pick = |a: Option<Period>, b: Option<Period>, longer: bool| match (a, b) {
            (Some(a), Some(b)) => Some(if (a.days() >= b.days()) == longer {
                a
            } else {
                b
            }),
            (a, b) => a.or(b),
        };
        Retention {
            keep_at_least: pick(self.keep_at_least, other.keep_at_least, true),
            delete_after: pick(self.delete_after, other.delete_after, false),
        }
    }

    /// Messages would have to be deleted before they may be.
    pub fn contradicts(self) -> bool {
        matches!((self.keep_at_least, self.delete_after), (Some(k), Some(d)) if k.days() > d.days())
    }
}

/// The services whose retention a target can set (Microsoft Teams and Exchange through
/// Purview, Mattermost through its configuration): a channel that is one of them or inherits
/// from one.
pub const RETENTION_SERVICES: [&str; 3] = ["teams", "email", "mattermost"];

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    E2ee,
    ManagedDevice,
    Mfa,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Checksum {
    Luhn,
    Iban,
    /// The digits of the match, times these weights from the left (the match must have
    /// exactly as many digits), sum to a multiple of `modulus`.
    Weighted {
        weights: Vec<u32>,
        modulus: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Medium {
    Text,
    Voice,
    Video,
    File,
    Email,
}

impl Medium {
    pub const ALL: [Medium; 5] = [
        Medium::Text,
        Medium::Voice,
        Medium::Video,
        Medium::File,
        Medium::Email,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Text => "text",
            Medium::Voice => "voice",
            Medium::Video => "video",
            Medium::File => "file",
            Medium::Email => "email",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum E2ee {
    Yes,
    Optional,
    No,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Property {
    E2ee,
    OpenSource,
    SelfHostable,
    Mfa,
    Managed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct PortRange {
    pub protocol: Protocol,
    pub first: u16,
    pub last: u16,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    Dns,
    Firewall,
    Endpoint,
    Browser,
    Dlp,
}

/// A setting of an approved service that the policy turns off (`harden teams { disable … }`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Hardening {
    /// Chats and calls with personal (consumer) accounts, both ways.
    ConsumerAccounts,
    /// Third-party cloud storage (Dropbox, Box, Google Drive, ShareFile, Egnyte) in the client.
    ThirdPartyStorage,
    /// Mail sent to a channel's e-mail address.
    EmailIntoChannel,
}

/// Which names a domain entry matches.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Exactly this name (`hosts "x"`).
    Exact,
    /// The subdomains of this name but not the name (`domains "*.x"`).
    Subdomains,
    /// The name and all its subdomains (`domains "x"`).
    Tree,
}

impl Scope {
    pub fn covers_apex(self) -> bool {
        self != Scope::Subdomains
    }
    pub fn covers_subdomains(self) -> bool {
        self != Scope::Exact
    }
}

/// What a tier is, from what it says: see "tier" in docs/language.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TierKind {
    Approved,
    Limited,
    Banned,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExceptionStatus {
    Active,
    /// Within 30 days of its end (`EXPIRY_WARNING_DAYS`).
    Expiring,
    Expired,
    /// In its dates, but `decide` never applies it: no class it allows is both above its
    /// channel's tier ceiling and permitted on the channel (W223).
    NoEffect,
}

/// Where a vendor review's next date stands on a day: passed, near, or further off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewStatus {
    /// Further off than `DUE_WITHIN_DAYS`.
    Scheduled,
    /// Within `DUE_WITHIN_DAYS` days.
    Due,
    /// Passed (W207).
    Overdue,
}

impl ReviewStatus {
    /// Days before its next date at which a review counts as due.
    pub const DUE_WITHIN_DAYS: i64 = 30;

    /// The status on `today` of a review whose next one is on `next`.
    pub fn on(next: time::Date, today: time::Date) -> ReviewStatus {
        if next < today {
            ReviewStatus::Overdue
        } else if (next - today).whole_days() <= Self::DUE_WITHIN_DAYS {
            ReviewStatus::Due
        } else {
            ReviewStatus::Scheduled
        }
    }
}

impl ExceptionStatus {
    /// Days before its end at which an exception counts as expiring.
    pub const EXPIRY_WARNING_DAYS: i64 = 30;

    /// Whether the exception changes a decision: neither expired nor without effect.
    pub fn in_force(self) -> bool {
        matches!(self, ExceptionStatus::Active | ExceptionStatus::Expiring)
    }

    /// The status by its dates alone on `today`, of an exception that ends on `until`.
    pub fn on(until: time::Date, today: time::Date) -> ExceptionStatus {
        if until < today {
            ExceptionStatus::Expired
        } else if (until - today).whole_days() <= Self::EXPIRY_WARNING_DAYS {
            ExceptionStatus::Expiring
        } else {
            ExceptionStatus::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReviewStatus;
    use time::macros::date;

    #[test]
    fn a_review_is_due_within_30_days_of_its_next_date_and_overdue_after_it() {
        let today = date!(2026 - 11 - 23);
        let on = |next| ReviewStatus::on(next, today);
        assert_eq!(on(date!(2027 - 10 - 01)), ReviewStatus::Scheduled);
        assert_eq!(on(date!(2026 - 12 - 24)), ReviewStatus::Scheduled);
        assert_eq!(on(date!(2026 - 12 - 23)), ReviewStatus::Due);
        assert_eq!(on(today), ReviewStatus::Due);
        assert_eq!(on(date!(2026 - 11 - 22)), ReviewStatus::Overdue);
    }
}
