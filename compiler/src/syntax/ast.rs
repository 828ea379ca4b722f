//! The typed syntax tree: what each declaration says, with the span of every part, before any
//! name is resolved. Comments are kept beside the declarations for a formatter.

use crate::source::{FileId, Span};
pub use crate::source::{Spanned, Str};
use crate::vocabulary::{
    Cadence, Checksum, Confidence, E2ee, Enforcement, Hardening, Medium, Period, PortRange,
    Property, Requirement, Size,
};
use time::Date;

#[derive(Clone, Debug)]
pub struct Name {
    pub text: String,
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
    /// The group that runs the policy (`security-team`), as exceptions name groups.
    pub security_team: Option<Str>,
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
    /// Texts the detector must find (`example`).
    pub examples: Vec<Str>,
    /// Texts it must not find (`not-example`).
    pub not_examples: Vec<Str>,
    pub docs: Vec<String>,
    pub span: Span,
}

impl Detector {
    /// Its `confidence`, `medium` if it gives none.
    pub fn confidence(&self) -> Confidence {
        self.confidence.map_or(Confidence::Medium, |c| c.value)
    }

    /// Its `min-count`, 1 if it gives none.
    pub fn min_count(&self) -> u32 {
        self.min_count.map_or(1, |c| c.value)
    }
}

#[derive(Clone, Debug)]
pub struct Class {
    pub name: Name,
    pub parent: Option<Name>,
    pub label: Option<Str>,
    pub requires: Vec<Spanned<Requirement>>,
    pub retention: Retention,
    pub detectors: Vec<Detector>,
    pub docs: Vec<String>,
    pub span: Span,
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
    /// Notes for administrators (`admin-note`): the security register shows them, the staff
    /// guide does not.
    pub admin_notes: Option<Vec<Str>>,
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
    /// Feed files, which the loader reads (`resolve::FeedNames`). A channel with a feed
    /// inherits neither `domains` nor `hosts`.
    pub feeds: Vec<Feed>,
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

/// `keep at least PERIOD` and `delete after PERIOD`, in a class or a tier.
#[derive(Clone, Copy, Debug, Default)]
pub struct Retention {
    pub keep_at_least: Option<Spanned<Period>>,
    pub delete_after: Option<Spanned<Period>>,
}

impl Retention {
    pub fn value(self) -> crate::vocabulary::Retention {
        crate::vocabulary::Retention {
            keep_at_least: self.keep_at_least.map(|p| p.value),
            delete_after: self.delete_after.map(|p| p.value),
        }
    }
}

/// `allows up to CLASS [for MEDIUM [and MEDIUM …]]` or `allows nothing [for …]`.
#[derive(Clone, Debug)]
pub struct Allows {
    pub ceiling: Ceiling,
    /// Empty: every medium no other `allows` of the tier names.
    pub media: Vec<Spanned<Medium>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Instead {
    pub channel: Name,
    /// Empty: every medium of the banned channels.
    pub media: Vec<Spanned<Medium>>,
    pub span: Span,
}

/// `channels a, b from DATE until DATE`: channels in a tier for a period only (either date
/// may be left out).
#[derive(Clone, Debug)]
pub struct DatedChannels {
    pub channels: Vec<Name>,
    /// The first day in the tier.
    pub from: Option<Spanned<Date>>,
    /// The last day in the tier.
    pub until: Option<Spanned<Date>>,
}

impl DatedChannels {
    /// Whether the channels are in the tier on `date`.
    pub fn in_force(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f.value <= date) && self.until.is_none_or(|u| date <= u.value)
    }
}

#[derive(Clone, Debug)]
pub struct Tier {
    pub name: Name,
    pub label: Option<Str>,
    /// Its channels on the date the program is judged on (see `resolve::Program::set_date`):
    /// those listed without dates, and the `dated` ones in force that day.
    pub channels: Vec<Name>,
    /// `channels … from … until …` statements, as written.
    pub dated: Vec<DatedChannels>,
    pub retention: Retention,
    pub allows: Vec<Allows>,
    pub requires: Vec<Spanned<Requirement>>,
    pub block: Vec<Spanned<Enforcement>>,
    pub monitor: Option<Span>,
    pub instead: Vec<Instead>,
    /// Approved channels whose names stay reachable inside this tier's blocked domains.
    pub carve_out: Vec<Name>,
    /// Feed files of the tier itself. The loader reads them; the resolver gives their names a
    /// channel of their own in the tier (`resolve::add_feed_channel`).
    pub feeds: Vec<Feed>,
    pub docs: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Exception {
    pub name: Name,
    pub who_group: Str,
    pub channel: Name,
    pub allows: Name,
    /// `for MEDIUM [and …]`; empty: every medium.
    pub media: Vec<Spanned<Medium>>,
    pub until: Spanned<Date>,
    pub approved_by: Str,
    pub reason: Str,
    pub docs: Vec<String>,
    pub span: Span,
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
