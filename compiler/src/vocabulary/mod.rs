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
