//! The typed syntax tree: what each declaration says, with the span of every part, before any
//! name is resolved. Comments are kept beside the declarations for a formatter.

use crate::normalize::domain::NameList;
use crate::source::{FileId, Span};
use serde::Serialize;
use time::Date;

#[derive(Clone, Debug)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Module {
    pub file: FileId,
    pub decls: Vec<Decl>,
    pub comments: Vec<Comment>,
}

#[derive(Clone, Debug)]
pub enum Decl {
    Policy(Box<Policy>),
    Import(Import),
    Class(Class),
    Channel(Box<Channel>),
    Tier(Tier),
    Exception(Exception),
    Review(Review),
    Incident(Incident),
    Harden(Harden),
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    Small,
    Medium,
    Large,
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

#[derive(Clone, Debug)]
pub struct Policy {
    pub title: Str,
    pub organisation: Str,
    pub size: Spanned<Size>,
    pub version: Str,
    pub effective: Spanned<Date>,
    pub owner: Str,
    pub support: Str,
    pub briefing: Spanned<Cadence>,
    pub docs: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ImportTarget {
    Std(Name),
    File(Str),
}

#[derive(Clone, Debug)]
pub struct Import {
    pub target: ImportTarget,
    pub span: Span,
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

#[derive(Clone, Debug)]
pub struct Near {
    pub words: Vec<Str>,
    pub within: Spanned<u32>,
}

#[derive(Clone, Debug)]
pub struct Detector {
    pub name: Name,
    pub patterns: Vec<Str>,
    pub keywords: Vec<Str>,
    pub checks: Vec<Spanned<Checksum>>,
    pub near: Option<Near>,
    pub confidence: Option<Spanned<Confidence>>,
    pub min_count: Option<Spanned<u32>>,
    pub case_sensitive: bool,
    pub docs: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Class {
    pub name: Name,
    pub parent: Option<Name>,
    pub label: Option<Str>,
    pub requires: Vec<Spanned<Requirement>>,
    pub detectors: Vec<Detector>,
    pub docs: Vec<String>,
    pub span: Span,
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

/// The format of a feed file, which fixes the scope of its entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedFormat {
    /// `0.0.0.0 name …`: exact names (a hosts file never matches subdomains).
    Hosts,
    /// `||name^` (name and subdomains) and `|name^` (the name only).
    Adblock,
    /// One name per line, each with its subdomains (`*.name`: subdomains only).
    Domains,
}

#[derive(Clone, Debug)]
pub struct Feed {
    pub format: Spanned<FeedFormat>,
    pub path: Str,
}

impl Feed {
    /// The statement from its format to its path (`hosts "feeds/banned.hosts"`).
    pub fn span(&self) -> Span {
        self.format.span.to(self.path.span)
    }
}

/// Names read from feeds, as `domains` (with subdomains) and `hosts` (exact) entries. They are
/// normalised as they are read: a feed may hold a million names, too many to keep twice.
#[derive(Clone, Debug, Default)]
pub struct FeedNames {
    pub domains: NameList,
    pub hosts: NameList,
}

impl FeedNames {
    pub fn append(&mut self, more: FeedNames) {
        self.domains.append(more.domains);
        self.hosts.append(more.hosts);
    }
}

/// The statements of a channel. Each is optional so that `channel x : parent` can inherit what
/// it does not say; a statement written in the child replaces the parent's.
#[derive(Clone, Debug, Default)]
pub struct ChannelBody {
    pub vendor: Option<Str>,
    pub media: Option<Vec<Spanned<Medium>>>,
    pub e2ee: Option<Spanned<E2ee>>,
    pub open_source: Option<Spanned<bool>>,
    pub self_hostable: Option<Spanned<bool>>,
    pub mfa: Option<Spanned<bool>>,
    pub managed: Option<Spanned<bool>>,
    pub unconfirmed: Option<Vec<Spanned<Property>>>,
    pub sources: Option<Vec<Str>>,
    pub notes: Option<Vec<Str>>,
    pub domains: Option<Vec<Str>>,
    pub hosts: Option<Vec<Str>>,
    pub networks: Option<Vec<Str>>,
    pub ports: Option<Vec<Spanned<PortRange>>>,
    pub windows_exe: Option<Vec<Str>>,
    pub windows_publisher: Option<Vec<Str>>,
    pub windows_store: Option<Vec<Str>>,
    /// Full paths of the channel's Windows programs (firewall program rules need a path).
    pub windows_path: Option<Vec<Str>>,
    pub macos_bundle: Option<Vec<Str>>,
    pub macos_team: Option<Vec<Str>>,
    /// Santa signing ids (`TEAMID:bundle.id`): block these programs, not the whole team.
    pub macos_signing_id: Option<Vec<Str>>,
    /// Microsoft Entra application ids (Conditional Access targets).
    pub entra_app: Option<Vec<Str>>,
    pub android_package: Option<Vec<Str>>,
    pub web_app: Option<Vec<Str>>,
    /// Why a DNS block alone cannot stop the channel (built-in addresses, domain fronting).
    pub dns_bypass: Option<Vec<Str>>,
    /// Feed files; the loader reads them into `feed_names`.
    pub feeds: Vec<Feed>,
    /// What the feeds hold. A channel with a feed inherits neither `domains` nor `hosts`; one
    /// that inherits either list inherits that part of its parent's feed names with it.
    pub feed_names: FeedNames,
}

#[derive(Clone, Debug)]
pub struct Channel {
    pub name: Name,
    pub parent: Option<Name>,
    pub label: Option<Str>,
    pub body: ChannelBody,
    pub docs: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Ceiling {
    UpTo(Name),
    Nothing(Span),
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

#[derive(Clone, Debug)]
pub struct Instead {
    pub channel: Name,
    /// Empty: every medium of the banned channels.
    pub media: Vec<Spanned<Medium>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Tier {
    pub name: Name,
    pub label: Option<Str>,
    pub channels: Vec<Name>,
    pub allows: Option<Ceiling>,
    pub requires: Vec<Spanned<Requirement>>,
    pub block: Vec<Spanned<Enforcement>>,
    pub monitor: Option<Span>,
    pub instead: Vec<Instead>,
    /// Approved channels whose names stay reachable inside this tier's blocked domains.
    pub carve_out: Vec<Name>,
    /// Feed files of the tier itself. The loader reads them into `feed_names`; the resolver
    /// gives those names a channel of their own in the tier (`resolve::add_feed_channel`).
    pub feeds: Vec<Feed>,
    pub feed_names: FeedNames,
    pub docs: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Exception {
    pub name: Name,
    pub who_group: Str,
    pub channel: Name,
    pub allows: Name,
    pub until: Spanned<Date>,
    pub approved_by: Str,
    pub reason: Str,
    pub docs: Vec<String>,
    pub span: Span,
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

/// `harden CHANNEL { disable … }`: what the policy asks of an approved service's settings.
#[derive(Clone, Debug)]
pub struct Harden {
    pub channel: Name,
    pub disable: Vec<Spanned<Hardening>>,
    pub docs: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Review {
    pub channel: Name,
    pub reviewed: Spanned<Date>,
    pub reviewer: Option<Str>,
    pub findings: Vec<Str>,
    pub next: Spanned<Date>,
    pub docs: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Incident {
    pub title: Str,
    pub date: Spanned<Date>,
    pub lessons: Vec<Str>,
    pub docs: Vec<String>,
    pub span: Span,
}
