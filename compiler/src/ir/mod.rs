//! Stage 4, IR: the validated program as the one model every target reads. It is
//! serde-serialisable (the `ir` target writes it as JSON, format version `FORMAT_VERSION`,
//! schema in `docs/ir.schema.json`), holds only normalised values, and answers
//! `decide(class, channel, medium, who)`.

pub mod build;
mod decide;
pub mod enforcement;
mod retention;

pub use build::build;

pub use crate::normalize::network::Network;
pub use crate::source::Location;
pub use crate::vocabulary::date;
pub use crate::vocabulary::{
    Cadence, CadenceUnit, Checksum, Confidence, E2ee, Enforcement, ExceptionStatus, Hardening,
    Medium, Period, PeriodUnit, PortRange, Property, Protocol, Requirement, Retention,
    ReviewStatus, Scope, Size, TierKind, RETENTION_SERVICES,
};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use time::Date;

/// Bumped whenever the JSON shape changes incompatibly.
pub const FORMAT_VERSION: u32 = 3;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Ir {
    pub format_version: u32,
    /// The day the policy was judged on (YYYY-MM-DD): tiers as they stand that day, exceptions
    /// and reviews by their dates.
    #[serde(with = "crate::vocabulary::date::iso")]
    #[schemars(with = "String")]
    pub evaluation_date: Date,
    pub policy: PolicyInfo,
    /// Lowest class first.
    pub classes: Vec<ClassInfo>,
    /// Every channel the policy can see, by name: its own and those of the standard-library
    /// modules it imports, in a tier or not (`tier` is then null).
    pub channels: Vec<ChannelInfo>,
    pub tiers: Vec<TierInfo>,
    pub exceptions: Vec<ExceptionInfo>,
    pub reviews: Vec<ReviewInfo>,
    pub incidents: Vec<IncidentInfo>,
    /// Settings of approved services the policy turns off (`harden`).
    pub hardening: Vec<HardeningInfo>,
    /// Channels that move between tiers after the evaluation date, by date (`channels … from
    /// … until …`).
    pub changes: Vec<TierChange>,
    /// The first day after the evaluation date on which a build would enforce or say
    /// something else (a tier change, an exception starting to expire or ending, a review
    /// falling due or overdue, a refresher briefing); null if none is known. Rebuild then.
    #[serde(with = "crate::vocabulary::date::iso::option")]
    #[schemars(with = "Option<String>")]
    pub next_change: Option<Date>,
    /// `decisions(class, channel)` for every class and every channel in a tier, for
    /// everyone: one decision for whatever the medium, or one per medium the channel carries
    /// where its tier decides by medium.
    pub matrix: Vec<Decision>,
    pub enforcement: EnforcementSets,
    #[serde(skip)]
    #[schemars(skip)]
    index: Index,
}

#[derive(Clone, Debug, Default)]
struct Index {
    classes: HashMap<String, usize>,
    channels: HashMap<String, usize>,
    tiers: HashMap<String, usize>,
    /// Channel → (tier index, position in the tier's list).
    membership: HashMap<String, (usize, usize)>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct PolicyInfo {
    pub title: String,
    pub organisation: String,
    pub size: Size,
    pub version: String,
    #[serde(with = "crate::vocabulary::date::iso")]
    #[schemars(with = "String")]
    pub effective: Date,
    pub owner: String,
    pub support: String,
    pub briefing: Cadence,
    pub docs: Vec<String>,
    pub at: Location,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Located<T> {
    pub value: T,
    pub at: Location,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ClassInfo {
    pub name: String,
    pub label: String,
    /// The classes below it, nearest first.
    pub below: Vec<String>,
    /// Its own requirements and those it inherits, each where it was written.
    pub requires: Vec<Located<Requirement>>,
    /// How long its messages may be kept (`keep at least`, `delete after`).
    pub retention: Retention,
    pub detectors: Vec<DetectorInfo>,
    pub docs: Vec<String>,
    pub at: Location,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DetectorInfo {
    pub name: String,
    pub patterns: Vec<String>,
    pub keywords: Vec<String>,
    pub checks: Vec<Checksum>,
    pub near: Option<NearInfo>,
    pub confidence: Confidence,
    pub min_count: u32,
    pub case_sensitive: bool,
    /// Texts the detector finds (`example`): every build checks that each DLP target's
    /// files find them too.
    pub examples: Vec<String>,
    /// Texts it does not find (`not-example`).
    pub not_examples: Vec<String>,
    pub at: Location,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NearInfo {
    pub words: Vec<String>,
    pub within: u32,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DomainEntry {
    pub name: Arc<str>,
    pub scope: Scope,
}

#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Endpoints {
    /// Its `domains` and `hosts` (and feed entries), normalised, as written.
    pub domains: Vec<DomainEntry>,
    pub networks: Vec<Network>,
    pub ports: Vec<PortRange>,
    pub windows_exe: Vec<String>,
    pub windows_publisher: Vec<String>,
    pub windows_store: Vec<String>,
    /// Full paths of its Windows programs, environment variables allowed.
    pub windows_path: Vec<String>,
    pub macos_bundle: Vec<String>,
    pub macos_team: Vec<String>,
    /// Santa signing ids, `TEAMID:bundle.id`.
    pub macos_signing_id: Vec<String>,
    /// Microsoft Entra application ids.
    pub entra_app: Vec<String>,
    pub android_package: Vec<String>,
    pub web_app: Vec<String>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ChannelInfo {
    pub name: String,
    pub label: String,
    pub vendor: Option<String>,
    pub media: Vec<Medium>,
    pub e2ee: E2ee,
    pub open_source: bool,
    pub self_hostable: bool,
    pub mfa: bool,
    pub managed: bool,
    /// Properties whose value no primary source confirms.
    pub unconfirmed: Vec<Property>,
    pub sources: Vec<String>,
    /// Notes for staff and everyone else (`note`).
    pub notes: Vec<String>,
    /// Notes for administrators (`admin-note`): enforcement, identifiers, list sources.
    pub admin_notes: Vec<String>,
    /// Why a DNS block alone cannot stop it; empty if nothing is known.
    pub dns_bypass: Vec<String>,
    pub docs: Vec<String>,
    /// Its parents, nearest first.
    pub inherits: Vec<String>,
    /// The tier that lists it; null for a channel in no tier, which `decide` denies.
    pub tier: Option<String>,
    pub endpoints: Endpoints,
    pub from_stdlib: bool,
    pub at: Location,
    /// Where its e2ee property is stated (or the channel, if it never says).
    pub e2ee_at: Location,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Alternative {
    pub medium: Medium,
    pub channels: Vec<String>,
    /// Written with `instead` (true) or found among the approved channels (false).
    pub explicit: bool,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TierInfo {
    pub name: String,
    pub label: String,
    pub kind: TierKind,
    pub channels: Vec<Located<String>>,
    /// The highest class it allows on the media `medium_ceilings` does not name; `None`:
    /// nothing.
    pub ceiling: Option<Located<String>>,
    /// Ceilings of particular media (`allows … for MEDIUM`), which replace `ceiling` for
    /// them; in `Medium` order, each medium once.
    pub medium_ceilings: Vec<MediumCeiling>,
    pub requires: Vec<Requirement>,
    /// How long its channels' messages may be kept (`keep at least`, `delete after`).
    pub retention: Retention,
    pub block: Vec<Enforcement>,
    pub monitor: bool,
    /// Per medium the tier refuses on its channels (every medium of a banned tier's channels,
    /// the media another tier allows nothing for), where staff go instead.
    pub instead: Vec<Alternative>,
    /// Allowed channels whose names stay reachable inside this tier's blocked domains.
    pub carve_out: Vec<String>,
    pub docs: Vec<String>,
    pub at: Location,
}

/// A channel moving between tiers on a day after the evaluation date.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct TierChange {
    /// The first day in its new tier.
    #[serde(with = "crate::vocabulary::date::iso")]
    #[schemars(with = "String")]
    pub date: Date,
    pub channel: String,
    /// The tier it leaves; null: none.
    pub from_tier: Option<String>,
    /// The tier it enters; null: none, so it is approved for nothing from that day.
    pub to_tier: Option<String>,
    /// Where to go from that day for each medium of the channel its new tier refuses.
    pub instead: Vec<Alternative>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct MediumCeiling {
    pub medium: Medium,
    /// The highest class allowed on this medium; null: nothing.
    pub class: Option<String>,
    pub at: Location,
}

/// The ceiling that decides one medium of a tier (see `TierInfo::ceiling_for`).
pub struct CeilingFor<'a> {
    /// `None`: nothing is allowed.
    pub class: Option<&'a str>,
    /// The medium an `allows … for` names, `None` for the tier's `allows` without `for`.
    pub medium: Option<Medium>,
    pub at: &'a Location,
}

impl ChannelInfo {
    /// It is the service `service` (a standard-library channel such as `teams`) or inherits
    /// from it.
    pub fn is_service(&self, service: &str) -> bool {
        self.name == service || self.inherits.iter().any(|p| p == service)
    }
}

impl TierInfo {
    /// The ceiling for `medium` (`None`: whatever the medium): its own `allows … for`, or
    /// else the tier's `allows` without `for`.
    pub fn ceiling_for(&self, medium: Option<Medium>) -> CeilingFor<'_> {
        match medium.and_then(|m| self.medium_ceilings.iter().find(|c| c.medium == m)) {
            Some(c) => CeilingFor {
                class: c.class.as_deref(),
                medium: Some(c.medium),
                at: &c.at,
            },
            None => CeilingFor {
                class: self.ceiling.as_ref().map(|c| c.value.as_str()),
                medium: None,
                at: self.ceiling.as_ref().map_or(&self.at, |c| &c.at),
            },
        }
    }
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ExceptionInfo {
    pub name: String,
    pub group: String,
    pub channel: String,
    pub ceiling: String,
    /// The media it raises the ceiling on; empty: every medium.
    pub media: Vec<Medium>,
    #[serde(with = "crate::vocabulary::date::iso")]
    #[schemars(with = "String")]
    pub until: Date,
    pub approved_by: String,
    pub reason: String,
    pub status: ExceptionStatus,
    pub docs: Vec<String>,
    pub at: Location,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ReviewInfo {
    pub channel: String,
    #[serde(with = "crate::vocabulary::date::iso")]
    #[schemars(with = "String")]
    pub reviewed: Date,
    pub reviewer: Option<String>,
    pub findings: Vec<String>,
    #[serde(with = "crate::vocabulary::date::iso")]
    #[schemars(with = "String")]
    pub next: Date,
    pub status: ReviewStatus,
    pub at: Location,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct IncidentInfo {
    pub title: String,
    #[serde(with = "crate::vocabulary::date::iso")]
    #[schemars(with = "String")]
    pub date: Date,
    pub lessons: Vec<String>,
    pub docs: Vec<String>,
    pub at: Location,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct HardeningInfo {
    pub channel: String,
    /// What to turn off, each once, in the order written.
    pub disable: Vec<Hardening>,
    pub docs: Vec<String>,
    pub at: Location,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Deny,
    Warn,
    Allow,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Reason {
    pub message: String,
    /// What this reason alone leads to: `allow` for a reason that permits, `warn` for a
    /// condition (the guides print these under the matrix), `deny` for a refusal.
    pub verdict: Verdict,
    pub at: Location,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Decision {
    pub class: String,
    pub channel: String,
    /// The medium decided; absent: whatever the medium.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medium: Option<Medium>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub who: Option<String>,
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct DomainRule {
    pub name: Arc<str>,
    pub scope: Scope,
    /// The channels this rule is for (sorted; rules with the same channels share the list).
    pub channels: Arc<[Arc<str>]>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct NetworkRule {
    pub network: Network,
    pub channels: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct EnforcementSets {
    /// Names of channels in tiers that `block dns`: normalised, de-duplicated, collapsed under
    /// a blocked parent, sorted by name.
    pub dns_block: Vec<DomainRule>,
    /// Names of channels that are not blocked, inside a blocked name (carve-outs).
    pub dns_allow: Vec<DomainRule>,
    /// Names tiers that `block dns` list themselves, collapsed out of `dns_block` because they
    /// lie under a blocked name with its subdomains: only a format that cannot block
    /// subdomains (a hosts file) writes them.
    pub dns_covered: Vec<DomainRule>,
    /// Names of channels in tiers that `block browser`, as `dns_block` is built.
    pub browser_block: Vec<DomainRule>,
    /// Carve-outs from `browser_block`.
    pub browser_allow: Vec<DomainRule>,
    /// Networks of channels in tiers that `block firewall`, merged; IPv4 first.
    pub firewall_block: Vec<NetworkRule>,
    /// Names of channels in tiers that `monitor`.
    pub dns_monitor: Vec<DomainRule>,
}

/// The JSON Schema of the `ir` target's output (published as docs/ir.schema.json).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Ir);
    let mut text = serde_json::to_string_pretty(&schema).expect("the schema serialises");
    text.push('\n');
    text
}

impl Ir {
    pub fn class(&self, name: &str) -> Option<&ClassInfo> {
        self.index.classes.get(name).map(|&i| &self.classes[i])
    }
    pub fn channel(&self, name: &str) -> Option<&ChannelInfo> {
        self.index.channels.get(name).map(|&i| &self.channels[i])
    }
    pub fn tier(&self, name: &str) -> Option<&TierInfo> {
        self.index.tiers.get(name).map(|&i| &self.tiers[i])
    }
    /// The tier a channel belongs to, if any.
    pub fn tier_of(&self, channel: &ChannelInfo) -> Option<&TierInfo> {
        channel.tier.as_deref().and_then(|t| self.tier(t))
    }
    /// Where the channel is listed in its tier.
    pub fn membership(&self, channel: &str) -> Option<&Located<String>> {
        self.index
            .membership
            .get(channel)
            .map(|&(i, j)| &self.tiers[i].channels[j])
    }
    /// Channels that belong to a tier, in tier order then as listed.
    pub fn tiered_channels(&self) -> impl Iterator<Item = &ChannelInfo> {
        self.tiers
            .iter()
            .flat_map(|t| t.channels.iter())
            .filter_map(|c| self.channel(&c.value))
    }
    /// The tiered channels whose tier satisfies `pred`, in `tiered_channels` order.
    pub fn channels_where(
        &self,
        pred: impl Fn(&TierInfo) -> bool,
    ) -> impl Iterator<Item = &ChannelInfo> {
        self.tiered_channels()
            .filter(move |c| self.tier_of(c).is_some_and(&pred))
    }
    fn reindex(&mut self) {
        let names = |list: Vec<&String>| {
            list.into_iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i))
                .collect()
        };
        self.index = Index {
            classes: names(self.classes.iter().map(|c| &c.name).collect()),
            channels: names(self.channels.iter().map(|c| &c.name).collect()),
            tiers: names(self.tiers.iter().map(|t| &t.name).collect()),
            membership: self
                .tiers
                .iter()
                .enumerate()
                .flat_map(|(i, t)| {
                    t.channels
                        .iter()
                        .enumerate()
                        .map(move |(j, c)| (c.value.clone(), (i, j)))
                })
                .collect(),
        };
    }
}
