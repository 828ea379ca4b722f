//! The guide model: one serialisable view of the IR that the `guide-html`, `guide-md` and
//! `briefing` targets all render, each with its own template. Every fact about a channel comes
//! from the IR (the policy or the standard library), unconfirmed ones flagged; every word of
//! the guides' own text is in `targets/guide/strings.en.json`, so a translation is one more
//! file. Which sections each audience reads is decided here, once, for every format.

mod briefing;
mod compliance;
mod coverage;

use crate::emit::templates::{encoded, render, template, Template};
use crate::emit::{EmitError, OutputFile};
use crate::ir::{
    date, ChannelInfo, ClassInfo, Decision, E2ee, Enforcement, ExceptionInfo, IncidentInfo, Ir,
    Medium, PolicyInfo, Property, Requirement, Retention, ReviewInfo, ReviewStatus, TierKind,
    Verdict,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use time::Date;

pub use briefing::Briefing;
pub use compliance::Framework;
pub use coverage::Coverage;

/// The guides' own words, in English. A translation adds a file of the same shape.
const STRINGS_EN: &str = include_str!("../../../../targets/guide/strings.en.json");

fn strings() -> &'static serde_json::Value {
    static STRINGS: OnceLock<serde_json::Value> = OnceLock::new();
    STRINGS.get_or_init(|| serde_json::from_str(STRINGS_EN).expect("the shipped strings parse"))
}

/// Who a document is for; each reads its own sections of the same model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Staff,
    Executives,
    Security,
    /// The onboarding checklist and refresher schedule (the `briefing` target).
    Briefing,
}

impl Audience {
    /// The audiences of `guide-md` and `guide-html` (`briefing` is its own target).
    pub const GUIDES: [Audience; 3] = [Audience::Staff, Audience::Executives, Audience::Security];

    pub fn name(self) -> &'static str {
        match self {
            Audience::Staff => "staff",
            Audience::Executives => "executives",
            Audience::Security => "security",
            Audience::Briefing => "briefing",
        }
    }

    /// Whether it reads what is meant for the people who enforce the policy: admin notes,
    /// "unconfirmed" marks, the controls that block a tier. Staff act on the rest.
    pub fn for_administrators(self) -> bool {
        self == Audience::Security
    }

    /// The sections this audience reads, in order (each a macro in every format's template).
    pub fn sections(self) -> &'static [&'static str] {
        match self {
            Audience::Staff => &[
                "summary",
                "instead",
                "changes",
                "matrix",
                "media",
                "classes",
                "tiers",
                "incidents",
                "mistakes",
                "help",
            ],
            Audience::Executives => &[
                "summary",
                "changes",
                "risks",
                "incidents",
                "exemptions",
                "matrix",
                "compliance-summary",
                "help",
            ],
            Audience::Security => &[
                "summary",
                "changes",
                "matrix",
                "tiers",
                "exceptions",
                "reviews",
                "monitored",
                "coverage",
                "compliance",
                "incidents",
                "schedule",
                "help",
            ],
            Audience::Briefing => &[
                "checklist",
                "changes",
                "schedule",
                "incidents",
                "mistakes",
                "help",
            ],
        }
    }
}

/// The model borrows what the IR already says as it is; it never holds the whole `Ir` or a
/// channel's `endpoints` (a feed can put a million names there).
#[derive(Serialize)]
pub struct Guide<'ir> {
    pub policy: &'ir PolicyInfo,
    #[serde(with = "date::iso")]
    pub evaluation_date: Date,
    pub classes: &'ir [ClassInfo],
    pub tiers: Vec<TierView<'ir>>,
    /// The matrices' column headers: class labels, lowest first.
    pub columns: Vec<String>,
    /// One matrix, or one per group of media whose answers differ from the others'.
    pub matrices: Vec<Matrix>,
    /// What to use for what: per medium and class, the channels that may carry it.
    pub media: Vec<MediumRow>,
    pub alternatives: Vec<AlternativeView<'ir>>,
    /// What changes after the evaluation date, by date.
    pub changes: Vec<ChangeView<'ir>>,
    /// Every exception, with its status (the register lists those without effect as such).
    pub exceptions: &'ir [ExceptionInfo],
    /// How many exceptions change a decision: in their dates and with an effect.
    pub exceptions_in_force: usize,
    pub reviews: &'ir [ReviewInfo],
    pub incidents: &'ir [IncidentInfo],
    /// The label of each channel that `exceptions` and `reviews` name.
    pub channel_labels: BTreeMap<&'ir str, &'ir str>,
    /// The label of each class that `exceptions` name.
    pub class_labels: BTreeMap<&'ir str, &'ir str>,
    pub monitored: Vec<MonitoredView<'ir>>,
    pub risks: Vec<Evidence>,
    /// How the tiered channels split between approved, limited and banned tiers.
    pub shares: Vec<Share>,
    pub coverage: Coverage,
    pub compliance: Vec<Framework>,
    pub briefing: Briefing,
}

/// A fact about a channel, by key in the strings table; `unconfirmed` if no primary source
/// confirms it.
#[derive(Serialize)]
pub struct Fact {
    pub key: &'static str,
    pub unconfirmed: bool,
}

/// What the guides say about a channel: `ChannelInfo` without its endpoints.
#[derive(Serialize)]
pub struct ChannelCard<'ir> {
    pub label: &'ir str,
    pub vendor: Option<&'ir str>,
    pub media: &'ir [Medium],
    pub facts: Vec<Fact>,
    pub notes: &'ir [String],
    pub admin_notes: &'ir [String],
    pub docs: &'ir [String],
}

#[derive(Serialize)]
pub struct TierView<'ir> {
    pub label: &'ir str,
    pub kind: TierKind,
    pub docs: &'ir [String],
    /// The label of the ceiling for media no `allows … for` names (for a tier that names
    /// every medium it allows, its highest ceiling).
    pub ceiling: Option<&'ir str>,
    /// Ceilings of particular media.
    pub medium_ceilings: Vec<MediumCeilingView<'ir>>,
    /// A tier that is not banned and allows nothing on the media no `allows … for` names.
    pub other_media_refused: bool,
    pub retention: &'ir Retention,
    pub requires: &'ir [Requirement],
    pub block: &'ir [Enforcement],
    pub monitor: bool,
    pub channels: Vec<ChannelCard<'ir>>,
}

#[derive(Serialize)]
pub struct MediumCeilingView<'ir> {
    pub medium: Medium,
    /// The class's label; `None`: nothing.
    pub ceiling: Option<&'ir str>,
}

#[derive(Serialize)]
pub struct Matrix {
    /// The media it answers for; empty: whatever the medium.
    pub media: Vec<Medium>,
    pub rows: Vec<MatrixRow>,
    /// The conditions of `warn` cells, numbered from 1 in reading order.
    pub conditions: Vec<Condition>,
}

#[derive(Serialize)]
pub struct MatrixRow {
    pub channel: String,
    pub label: String,
    pub tier: String,
    pub cells: Vec<Cell>,
}

#[derive(Serialize)]
pub struct Cell {
    pub verdict: Verdict,
    /// The number of its condition, for `warn` cells.
    pub condition: Option<usize>,
}

#[derive(Serialize)]
pub struct Condition {
    pub number: usize,
    pub channel: String,
    pub class: String,
    pub text: String,
}

#[derive(Serialize)]
pub struct Choice {
    pub label: String,
    pub verdict: Verdict,
}

#[derive(Serialize)]
pub struct MediumRow {
    pub medium: Medium,
    /// Per class (as in `Matrix::classes`), the channels that may carry it on this medium.
    pub cells: Vec<Vec<Choice>>,
}

#[derive(Serialize)]
pub struct AlternativeView<'ir> {
    pub medium: Medium,
    pub use_channels: Vec<&'ir str>,
    pub instead_of: Vec<&'ir str>,
}

/// A channel changing tier on a later day, as staff are told of it.
#[derive(Serialize)]
pub struct ChangeView<'ir> {
    #[serde(with = "date::iso")]
    pub date: Date,
    /// The day to announce it by: `NOTICE_DAYS` before, or the evaluation date if later.
    #[serde(with = "date::iso")]
    pub notice: Date,
    pub channel: &'ir str,
    /// Its new tier's kind, label and (for a tier that is not banned) highest ceiling's
    /// label; all `None` for a channel that leaves every tier.
    pub kind: Option<TierKind>,
    pub tier: Option<&'ir str>,
    pub ceiling: Option<&'ir str>,
    /// Where to go instead, media with the same channels together.
    pub instead: Vec<InsteadLine<'ir>>,
}

#[derive(Serialize)]
pub struct InsteadLine<'ir> {
    pub media: Vec<Medium>,
    pub use_channels: Vec<&'ir str>,
}

/// Days before a change that staff are told of it.
const NOTICE_DAYS: i64 = 30;

fn changes(ir: &Ir) -> Vec<ChangeView<'_>> {
    ir.changes
        .iter()
        .map(|change| {
            let tier = change.to_tier.as_deref().and_then(|t| ir.tier(t));
            let mut instead: Vec<InsteadLine> = Vec::new();
            for a in &change.instead {
                let channels: Vec<&str> = a.channels.iter().map(|c| channel_label(ir, c)).collect();
                match instead
                    .iter_mut()
                    .find(|line| line.use_channels == channels)
                {
                    Some(line) => line.media.push(a.medium),
                    None => instead.push(InsteadLine {
                        media: vec![a.medium],
                        use_channels: channels,
                    }),
                }
            }
            ChangeView {
                date: change.date,
                notice: change
                    .date
                    .checked_sub(time::Duration::days(NOTICE_DAYS))
                    .map_or(ir.evaluation_date, |d| d.max(ir.evaluation_date)),
                channel: channel_label(ir, &change.channel),
                kind: tier.map(|t| t.kind),
                tier: tier.map(|t| t.label.as_str()),
                ceiling: tier.and_then(|t| {
                    highest(
                        ir,
                        t.ceiling
                            .iter()
                            .map(|c| c.value.as_str())
                            .chain(t.medium_ceilings.iter().filter_map(|c| c.class.as_deref())),
                    )
                    .map(|c| class_label(ir, c))
                }),
                instead,
            }
        })
        .collect()
}

#[derive(Serialize)]
pub struct MonitoredView<'ir> {
    pub tier: &'ir str,
    pub channels: Vec<&'ir str>,
}

/// One kind of tier's part of the tiered channels, with its place on a 0–100 bar.
#[derive(Serialize)]
pub struct Share {
    pub kind: TierKind,
    pub channels: usize,
    pub offset: f64,
    pub width: f64,
}

fn shares(ir: &Ir) -> Vec<Share> {
    let total = ir.tiered_channels().count().max(1);
    // Counted in whole tenths, so the SVG's numbers stay short and the output stable.
    let mut offset = 0;
    [TierKind::Approved, TierKind::Limited, TierKind::Banned]
        .into_iter()
        .map(|kind| {
            let channels = ir.channels_where(|t| t.kind == kind).count();
            let width = (channels * 1000 + total / 2) / total;
            let share = Share {
                kind,
                channels,
                offset: offset as f64 / 10.0,
                width: width as f64 / 10.0,
            };
            offset += width;
            share
        })
        .filter(|s| s.channels > 0)
        .collect()
}

/// One statement computed from the policy: its wording is `strings.evidence[key]` with `{n}`
/// replaced by `n`, followed by `items`.
#[derive(Clone, Serialize)]
pub struct Evidence {
    pub key: &'static str,
    pub n: usize,
    pub items: Vec<String>,
    /// A count says something even when it is 0 ("vendor named: 0"); an empty list does not.
    #[serde(skip)]
    is_count: bool,
}

impl Evidence {
    fn list(key: &'static str, items: Vec<String>) -> Evidence {
        Evidence {
            key,
            n: items.len(),
            items,
            is_count: false,
        }
    }

    fn count(key: &'static str, n: usize) -> Evidence {
        Evidence {
            key,
            n,
            items: Vec::new(),
            is_count: true,
        }
    }

    /// Whether it is worth stating: a count always is, a list only with items in it.
    fn worth_stating(&self) -> bool {
        self.is_count || !self.items.is_empty()
    }
}

/// A channel's label. The IR holds every channel the policy can see (a reviewed standard-library
/// channel in no tier too); a name it does not hold stands for itself.
fn channel_label<'ir>(ir: &'ir Ir, name: &'ir str) -> &'ir str {
    ir.channel(name).map_or(name, |c| &c.label)
}

fn class_label<'ir>(ir: &'ir Ir, name: &'ir str) -> &'ir str {
    ir.class(name).map_or(name, |c| &c.label)
}

fn facts(c: &ChannelInfo) -> Vec<Fact> {
    let fact = |key, property| Fact {
        key,
        unconfirmed: c.unconfirmed.contains(&property),
    };
    let mut out = vec![fact(
        match c.e2ee {
            E2ee::Yes => "e2ee-yes",
            E2ee::Optional => "e2ee-optional",
            E2ee::No => "e2ee-no",
        },
        Property::E2ee,
    )];
    for (has, key, property) in [
        (c.open_source, "open-source", Property::OpenSource),
        (c.self_hostable, "self-hostable", Property::SelfHostable),
        (c.mfa, "mfa", Property::Mfa),
        (c.managed, "managed", Property::Managed),
    ] {
        if has {
            out.push(fact(key, property));
        }
    }
    out
}

fn card(c: &ChannelInfo) -> ChannelCard<'_> {
    ChannelCard {
        label: &c.label,
        vendor: c.vendor.as_deref(),
        media: &c.media,
        facts: facts(c),
        notes: &c.notes,
        admin_notes: &c.admin_notes,
        docs: &c.docs,
    }
}

/// `ir.matrix` by class and channel: each cell's decisions (one, or one per medium).
struct Cells<'ir> {
    channels: Vec<&'ir ChannelInfo>,
    /// `[class][channel]`.
    decisions: Vec<Vec<Vec<&'ir Decision>>>,
}

impl<'ir> Cells<'ir> {
    fn new(ir: &'ir Ir) -> Self {
        let channels: Vec<&ChannelInfo> = ir.tiered_channels().collect();
        let position: HashMap<&str, usize> = channels
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let mut decisions = vec![vec![Vec::new(); channels.len()]; ir.classes.len()];
        for (class, row) in ir.classes.iter().zip(&mut decisions) {
            for d in ir.matrix.iter().filter(|d| d.class == class.name) {
                row[position[d.channel.as_str()]].push(d);
            }
        }
        Cells {
            channels,
            decisions,
        }
    }

    /// The decision for a class on a channel as `medium`: the one for that medium, else the
    /// one for whatever the medium; `None` where the channel is judged per medium and does
    /// not carry it.
    fn pick(&self, class: usize, channel: usize, medium: Option<Medium>) -> Option<&'ir Decision> {
        let cell = &self.decisions[class][channel];
        cell.iter()
            .find(|d| d.medium.is_some() && d.medium == medium)
            .or_else(|| cell.iter().find(|d| d.medium.is_none()))
            .copied()
    }

    fn by_medium(&self, channel: usize) -> bool {
        self.decisions
            .iter()
            .any(|row| row[channel].iter().any(|d| d.medium.is_some()))
    }
}

/// One matrix for a policy that decides nothing by medium; else one per group of media with
/// the same answers, in `Medium` order of each group's first medium.
fn matrices(ir: &Ir, cells: &Cells) -> Vec<Matrix> {
    let split: Vec<usize> = (0..cells.channels.len())
        .filter(|&c| cells.by_medium(c))
        .collect();
    if split.is_empty() {
        return vec![matrix(ir, cells, Vec::new())];
    }
    let mut groups: Vec<(Vec<Option<Verdict>>, Vec<Medium>)> = Vec::new();
    for medium in Medium::ALL {
        let carried = split
            .iter()
            .any(|&c| cells.channels[c].media.contains(&medium));
        if !carried {
            continue;
        }
        let answers: Vec<Option<Verdict>> = split
            .iter()
            .flat_map(|&c| (0..ir.classes.len()).map(move |class| (class, c)))
            .map(|(class, c)| cells.pick(class, c, Some(medium)).map(|d| d.verdict))
            .collect();
        match groups.iter_mut().find(|(a, _)| *a == answers) {
            Some((_, media)) => media.push(medium),
            None => groups.push((answers, vec![medium])),
        }
    }
    groups
        .into_iter()
        .map(|(_, media)| matrix(ir, cells, media))
        .collect()
}

/// The matrix for `media` (all of whose answers are the same; empty: whatever the medium).
fn matrix(ir: &Ir, cells: &Cells, media: Vec<Medium>) -> Matrix {
    let medium = media.first().copied();
    let mut rows = Vec::new();
    let mut conditions = Vec::new();
    for (channel_index, channel) in cells.channels.iter().enumerate() {
        let Some(tier) = ir.tier_of(channel) else {
            continue;
        };
        let decisions: Option<Vec<&Decision>> = (0..ir.classes.len())
            .map(|class| cells.pick(class, channel_index, medium))
            .collect();
        // A channel judged per medium that carries none of these media has no row.
        let Some(decisions) = decisions else {
            continue;
        };
        let cells = decisions
            .into_iter()
            .zip(&ir.classes)
            .map(|(decision, class)| {
                let condition = (decision.verdict == Verdict::Warn).then(|| {
                    // The conditions the decision states, without the code quotes.
                    let text = decision
                        .reasons
                        .iter()
                        .filter(|r| r.verdict == Verdict::Warn)
                        .map(|r| r.message.replace('`', ""))
                        .collect::<Vec<_>>()
                        .join("; ");
                    conditions.push(Condition {
                        number: conditions.len() + 1,
                        channel: channel.label.clone(),
                        class: class.label.clone(),
                        text,
                    });
                    conditions.len()
                });
                Cell {
                    verdict: decision.verdict,
                    condition,
                }
            })
            .collect();
        rows.push(MatrixRow {
            channel: channel.name.clone(),
            label: channel.label.clone(),
            tier: tier.label.clone(),
            cells,
        });
    }
    Matrix {
        media,
        rows,
        conditions,
    }
}

fn media(ir: &Ir, cells: &Cells) -> Vec<MediumRow> {
    Medium::ALL
        .into_iter()
        .filter(|m| cells.channels.iter().any(|c| c.media.contains(m)))
        .map(|medium| MediumRow {
            medium,
            cells: (0..ir.classes.len())
                .map(|class| {
                    cells
                        .channels
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.media.contains(&medium))
                        .filter_map(|(i, c)| {
                            let decision = cells.pick(class, i, Some(medium))?;
                            (decision.verdict != Verdict::Deny).then(|| Choice {
                                label: c.label.clone(),
                                verdict: decision.verdict,
                            })
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}

fn alternatives(ir: &Ir) -> Vec<AlternativeView<'_>> {
    ir.tiers
        .iter()
        .flat_map(|t| {
            t.instead.iter().map(move |a| AlternativeView {
                medium: a.medium,
                use_channels: a.channels.iter().map(|c| channel_label(ir, c)).collect(),
                instead_of: t
                    .channels
                    .iter()
                    .filter_map(|c| ir.channel(&c.value))
                    .filter(|c| c.media.contains(&a.medium))
                    .map(|c| c.label.as_str())
                    .collect(),
            })
        })
        .filter(|a| !a.instead_of.is_empty())
        .collect()
}

/// What an executive should weigh, each computed from the policy; only those that apply.
fn risks(ir: &Ir, coverage: &Coverage) -> Vec<Evidence> {
    let in_kind = |kind: TierKind| ir.channels_where(move |t| t.kind == kind);
    let allowed = || ir.channels_where(|t| t.kind != TierKind::Banned);
    let reviewed = |c: &ChannelInfo| ir.reviews.iter().any(|r| r.channel == c.name);
    let list = [
        Evidence::list(
            "risk-banned",
            in_kind(TierKind::Banned).map(|c| c.label.clone()).collect(),
        ),
        Evidence::list(
            "risk-not-e2ee",
            allowed()
                .filter(|c| c.e2ee != E2ee::Yes)
                .map(|c| c.label.clone())
                .collect(),
        ),
        Evidence::list(
            "risk-exceptions",
            ir.exceptions
                .iter()
                .filter(|e| e.status.in_force())
                .map(|e| {
                    format!(
                        "{} · {} · {} · {}",
                        e.group,
                        channel_label(ir, &e.channel),
                        class_label(ir, &e.ceiling),
                        e.until
                    )
                })
                .collect(),
        ),
        Evidence::list(
            "risk-unreviewed",
            in_kind(TierKind::Approved)
                .filter(|c| !reviewed(c))
                .map(|c| c.label.clone())
                .collect(),
        ),
        Evidence::list(
            "risk-overdue",
            ir.reviews
                .iter()
                .filter(|r| r.status == ReviewStatus::Overdue)
                .map(|r| format!("{} · {}", channel_label(ir, &r.channel), r.next))
                .collect(),
        ),
        Evidence::list("risk-unenforced", coverage.gap_names()),
        Evidence::list(
            "risk-unconfirmed",
            ir.tiered_channels()
                .filter(|c| !c.unconfirmed.is_empty())
                .map(|c| c.label.clone())
                .collect(),
        ),
    ];
    list.into_iter().filter(Evidence::worth_stating).collect()
}

/// The highest of some classes.
fn highest<'a>(ir: &Ir, classes: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    classes.max_by_key(|c| ir.class(c).map_or(0, |info| info.below.len()))
}

/// Build the model from the IR.
pub fn model(ir: &Ir) -> Guide<'_> {
    let cells = Cells::new(ir);
    let coverage = coverage::coverage(ir);
    Guide {
        policy: &ir.policy,
        evaluation_date: ir.evaluation_date,
        classes: &ir.classes,
        tiers: ir
            .tiers
            .iter()
            .map(|t| TierView {
                label: &t.label,
                kind: t.kind,
                docs: &t.docs,
                ceiling: t
                    .ceiling
                    .as_ref()
                    .map(|c| c.value.as_str())
                    .or_else(|| {
                        highest(
                            ir,
                            t.medium_ceilings.iter().filter_map(|c| c.class.as_deref()),
                        )
                    })
                    .map(|c| class_label(ir, c)),
                medium_ceilings: t
                    .medium_ceilings
                    .iter()
                    .map(|c| MediumCeilingView {
                        medium: c.medium,
                        ceiling: c.class.as_deref().map(|class| class_label(ir, class)),
                    })
                    .collect(),
                other_media_refused: t.kind != TierKind::Banned && t.ceiling.is_none(),
                retention: &t.retention,
                requires: &t.requires,
                block: &t.block,
                monitor: t.monitor,
                channels: t
                    .channels
                    .iter()
                    .filter_map(|c| ir.channel(&c.value))
                    .map(card)
                    .collect(),
            })
            .collect(),
        columns: ir.classes.iter().map(|c| c.label.clone()).collect(),
        media: media(ir, &cells),
        matrices: matrices(ir, &cells),
        alternatives: alternatives(ir),
        changes: changes(ir),
        exceptions: &ir.exceptions,
        exceptions_in_force: ir.exceptions.iter().filter(|e| e.status.in_force()).count(),
        reviews: &ir.reviews,
        incidents: &ir.incidents,
        channel_labels: ir
            .exceptions
            .iter()
            .map(|e| e.channel.as_str())
            .chain(ir.reviews.iter().map(|r| r.channel.as_str()))
            .map(|name| (name, channel_label(ir, name)))
            .collect(),
        class_labels: ir
            .exceptions
            .iter()
            .map(|e| (e.ceiling.as_str(), class_label(ir, &e.ceiling)))
            .collect(),
        monitored: ir
            .tiers
            .iter()
            .filter(|t| t.monitor)
            .map(|t| MonitoredView {
                tier: &t.label,
                channels: t
                    .channels
                    .iter()
                    .map(|c| channel_label(ir, &c.value))
                    .collect(),
            })
            .collect(),
        risks: risks(ir, &coverage),
        shares: shares(ir),
        compliance: compliance::frameworks(ir, &coverage),
        briefing: briefing::briefing(ir),
        coverage,
    }
}

/// A document format: its template and the extension of the files rendered with it.
pub struct Format {
    pub template: Template,
    pub extension: &'static str,
}

impl Format {
    pub const HTML: Format = Format {
        template: template!("guide-html/guide.html.j2"),
        extension: "html",
    };
    pub const MARKDOWN: Format = Format {
        template: template!("guide-md/guide.md.j2"),
        extension: "md",
    };
}

/// Render one document per format and audience, named `<audience>.<extension>`, from one
/// model and one copy of the strings.
pub fn render_all(
    ir: &Ir,
    audiences: &[Audience],
    formats: &[Format],
) -> Result<Vec<OutputFile>, EmitError> {
    let guide = minijinja::Value::from_serialize(model(ir));
    let mut files = Vec::new();
    for format in formats {
        // The HTML template escapes the words like any other text; the others print them as
        // they are: they are msgpol's own words, never policy text.
        let words = if format.extension == "html" {
            minijinja::Value::from_serialize(strings())
        } else {
            own_words(strings())
        };
        for audience in audiences {
            let context = minijinja::context! {
                guide => guide.clone(),
                t => words.clone(),
                audience => audience.name(),
                sections => audience
                    .sections()
                    .iter()
                    .filter(|s| **s != "changes" || !ir.changes.is_empty())
                    .collect::<Vec<_>>(),
                for_administrators => audience.for_administrators(),
            };
            files.push(OutputFile {
                path: format!("{}.{}", audience.name(), format.extension),
                contents: render(&format.template, context)?.into_bytes(),
            });
        }
    }
    Ok(files)
}

/// The guides' words (`strings.en.json`) as template values marked encoded.
fn own_words(words: &serde_json::Value) -> minijinja::Value {
    use serde_json::Value as Json;
    match words {
        Json::String(text) => encoded(text.clone()),
        Json::Array(items) => items.iter().map(own_words).collect::<Vec<_>>().into(),
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), own_words(v)))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into(),
        other => minijinja::Value::from_serialize(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ExceptionStatus;

    /// Every key the model can produce has words in the strings table.
    #[test]
    fn every_key_has_words() {
        let t = strings();
        for key in [
            "e2ee-yes",
            "e2ee-optional",
            "e2ee-no",
            "open-source",
            "self-hostable",
            "mfa",
            "managed",
        ] {
            assert!(t["fact"][key].is_string(), "fact {key}");
        }
        for audience in Audience::GUIDES.into_iter().chain([Audience::Briefing]) {
            assert!(t["title"][audience.name()].is_string());
            for section in audience.sections() {
                assert!(t["heading"][section].is_string(), "heading {section}");
            }
        }
        for control in crate::emit::Control::ALL {
            let key = serde_json::to_value(control).unwrap();
            assert!(t["control"][key.as_str().unwrap()].is_string());
            assert!(t["control-name"][key.as_str().unwrap()].is_string());
        }
        for status in [
            ExceptionStatus::Active,
            ExceptionStatus::Expiring,
            ExceptionStatus::Expired,
            ExceptionStatus::NoEffect,
        ] {
            let key = serde_json::to_value(status).unwrap();
            assert!(t["exceptions"][key.as_str().unwrap()].is_string(), "{key}");
        }
        for key in coverage::STATE_KEYS
            .iter()
            .chain(compliance::EVIDENCE_KEYS)
            .chain(briefing::CHECKLIST_KEYS)
            .chain(RISK_KEYS)
        {
            assert!(t["evidence"][key].is_string(), "evidence {key}");
        }
        for id in compliance::CONTROL_IDS {
            assert!(t["compliance-control"][id].is_string(), "control {id}");
        }
    }

    const RISK_KEYS: &[&str] = &[
        "risk-banned",
        "risk-not-e2ee",
        "risk-exceptions",
        "risk-unreviewed",
        "risk-overdue",
        "risk-unenforced",
        "risk-unconfirmed",
    ];
}
