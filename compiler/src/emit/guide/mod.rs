//! The guide model: one serialisable view of the IR that the `guide-html`, `guide-md` and
//! `briefing` targets all render, each with its own template. Every fact about a channel comes
//! from the IR (the policy or the standard library), unconfirmed ones flagged; every word of
//! the guides' own text is in `targets/guide/strings.en.json`, so a translation is one more
//! file. Which sections each audience reads is decided here, once, for every format.

mod briefing;
mod compliance;
mod coverage;

use crate::emit::templates::render;
use crate::emit::{EmitError, OutputFile};
use crate::ir::{ChannelInfo, ExceptionStatus, IncidentInfo, Ir, PolicyInfo, TierKind, Verdict};
use crate::syntax::ast::{E2ee, Enforcement, Medium, Property, Requirement};
use serde::Serialize;
use std::sync::OnceLock;

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
    /// The audiences of the guide targets (`briefing` is its own target).
    pub const GUIDES: [Audience; 3] = [Audience::Staff, Audience::Executives, Audience::Security];

    pub fn name(self) -> &'static str {
        match self {
            Audience::Staff => "staff",
            Audience::Executives => "executives",
            Audience::Security => "security",
            Audience::Briefing => "briefing",
        }
    }

    /// The sections this audience reads, in order (each a macro in every format's template).
    pub fn sections(self) -> &'static [&'static str] {
        match self {
            Audience::Staff => &[
                "summary",
                "instead",
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
                "risks",
                "incidents",
                "exemptions",
                "matrix",
                "compliance-summary",
                "help",
            ],
            Audience::Security => &[
                "summary",
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
            Audience::Briefing => &["checklist", "schedule", "incidents", "mistakes", "help"],
        }
    }
}

#[derive(Serialize)]
pub struct Guide {
    pub policy: PolicyInfo,
    pub evaluation_date: String,
    pub classes: Vec<ClassView>,
    pub tiers: Vec<TierView>,
    pub matrix: Matrix,
    /// What to use for what: per medium and class, the channels that may carry it.
    pub media: Vec<MediumRow>,
    pub alternatives: Vec<AlternativeView>,
    pub exceptions: Vec<ExceptionView>,
    pub reviews: Vec<ReviewView>,
    pub incidents: Vec<IncidentInfo>,
    pub monitored: Vec<MonitoredView>,
    pub risks: Vec<Evidence>,
    /// How the tiered channels split between approved, limited and banned tiers.
    pub shares: Vec<Share>,
    pub coverage: Coverage,
    pub compliance: Vec<Framework>,
    pub briefing: Briefing,
}

#[derive(Serialize)]
pub struct ClassView {
    pub label: String,
    pub docs: Vec<String>,
    pub requires: Vec<Requirement>,
}

/// A fact about a channel, by key in the strings table; `unconfirmed` if no primary source
/// confirms it.
#[derive(Serialize)]
pub struct Fact {
    pub key: &'static str,
    pub unconfirmed: bool,
}

#[derive(Serialize)]
pub struct ChannelCard {
    pub label: String,
    pub vendor: Option<String>,
    pub media: Vec<Medium>,
    pub facts: Vec<Fact>,
    pub notes: Vec<String>,
    pub docs: Vec<String>,
}

#[derive(Serialize)]
pub struct TierView {
    pub label: String,
    pub kind: TierKind,
    pub docs: Vec<String>,
    pub ceiling: Option<String>,
    pub requires: Vec<Requirement>,
    pub block: Vec<Enforcement>,
    pub monitor: bool,
    pub channels: Vec<ChannelCard>,
}

#[derive(Serialize)]
pub struct Matrix {
    /// Column headers: class labels, lowest first.
    pub classes: Vec<String>,
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
pub struct AlternativeView {
    pub medium: Medium,
    pub use_channels: Vec<String>,
    pub instead_of: Vec<String>,
}

#[derive(Serialize)]
pub struct ExceptionView {
    pub name: String,
    pub group: String,
    pub channel: String,
    pub ceiling: String,
    pub until: String,
    pub approved_by: String,
    pub reason: String,
    pub status: ExceptionStatus,
    pub docs: Vec<String>,
}

#[derive(Serialize)]
pub struct ReviewView {
    pub channel: String,
    pub reviewed: String,
    pub reviewer: Option<String>,
    pub findings: Vec<String>,
    pub next: String,
    pub overdue: bool,
}

#[derive(Serialize)]
pub struct MonitoredView {
    pub tier: String,
    pub channels: Vec<String>,
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
}

impl Evidence {
    fn list(key: &'static str, items: Vec<String>) -> Evidence {
        Evidence {
            key,
            n: items.len(),
            items,
        }
    }
}

fn channel_label(ir: &Ir, name: &str) -> String {
    ir.channel(name)
        .map_or_else(|| name.to_string(), |c| c.label.clone())
}

fn class_label(ir: &Ir, name: &str) -> String {
    ir.class(name)
        .map_or_else(|| name.to_string(), |c| c.label.clone())
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

fn card(c: &ChannelInfo) -> ChannelCard {
    ChannelCard {
        label: c.label.clone(),
        vendor: c.vendor.clone(),
        media: c.media.clone(),
        facts: facts(c),
        notes: c.notes.clone(),
        docs: c.docs.clone(),
    }
}

fn matrix(ir: &Ir) -> Matrix {
    let channels: Vec<&ChannelInfo> = ir.tiered_channels().collect();
    // ir/build.rs fills `ir.matrix` class by class, each over the tiered channels in order.
    let decision = |class: usize, channel: usize| {
        ir.matrix
            .get(class * channels.len() + channel)
            .filter(|d| d.class == ir.classes[class].name && d.channel == channels[channel].name)
            .expect("ir.matrix decides every class for every tiered channel, class by class")
    };
    let mut rows = Vec::new();
    let mut conditions = Vec::new();
    for (channel_index, channel) in channels.iter().enumerate() {
        let Some(tier) = ir.tier_of(channel) else {
            continue;
        };
        let cells = ir
            .classes
            .iter()
            .enumerate()
            .map(|(class_index, class)| {
                let decision = decision(class_index, channel_index);
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
        classes: ir.classes.iter().map(|c| c.label.clone()).collect(),
        rows,
        conditions,
    }
}

fn media(ir: &Ir, matrix: &Matrix) -> Vec<MediumRow> {
    Medium::ALL
        .into_iter()
        .filter(|m| ir.tiered_channels().any(|c| c.media.contains(m)))
        .map(|medium| MediumRow {
            medium,
            cells: (0..ir.classes.len())
                .map(|i| {
                    matrix
                        .rows
                        .iter()
                        .filter(|r| r.cells[i].verdict != Verdict::Deny)
                        .filter(|r| {
                            ir.channel(&r.channel)
                                .is_some_and(|c| c.media.contains(&medium))
                        })
                        .map(|r| Choice {
                            label: r.label.clone(),
                            verdict: r.cells[i].verdict,
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}

fn alternatives(ir: &Ir) -> Vec<AlternativeView> {
    ir.tiers
        .iter()
        .filter(|t| t.kind == TierKind::Banned)
        .flat_map(|t| {
            t.instead.iter().map(move |a| AlternativeView {
                medium: a.medium,
                use_channels: a.channels.iter().map(|c| channel_label(ir, c)).collect(),
                instead_of: t
                    .channels
                    .iter()
                    .filter_map(|c| ir.channel(&c.value))
                    .filter(|c| c.media.contains(&a.medium))
                    .map(|c| c.label.clone())
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
                .filter(|e| e.status != ExceptionStatus::Expired)
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
                .filter(|r| r.overdue)
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
    list.into_iter().filter(|e| e.n > 0).collect()
}

/// Build the model from the IR.
pub fn model(ir: &Ir) -> Guide {
    let matrix = matrix(ir);
    let coverage = coverage::coverage(ir);
    Guide {
        policy: ir.policy.clone(),
        evaluation_date: ir.evaluation_date.clone(),
        classes: ir
            .classes
            .iter()
            .map(|c| ClassView {
                label: c.label.clone(),
                docs: c.docs.clone(),
                requires: c.requires.iter().map(|r| r.value).collect(),
            })
            .collect(),
        tiers: ir
            .tiers
            .iter()
            .map(|t| TierView {
                label: t.label.clone(),
                kind: t.kind,
                docs: t.docs.clone(),
                ceiling: t.ceiling.as_ref().map(|c| class_label(ir, &c.value)),
                requires: t.requires.clone(),
                block: t.block.clone(),
                monitor: t.monitor,
                channels: t
                    .channels
                    .iter()
                    .filter_map(|c| ir.channel(&c.value))
                    .map(card)
                    .collect(),
            })
            .collect(),
        media: media(ir, &matrix),
        matrix,
        alternatives: alternatives(ir),
        exceptions: ir
            .exceptions
            .iter()
            .map(|e| ExceptionView {
                name: e.name.clone(),
                group: e.group.clone(),
                channel: channel_label(ir, &e.channel),
                ceiling: class_label(ir, &e.ceiling),
                until: e.until.clone(),
                approved_by: e.approved_by.clone(),
                reason: e.reason.clone(),
                status: e.status,
                docs: e.docs.clone(),
            })
            .collect(),
        reviews: ir
            .reviews
            .iter()
            .map(|r| ReviewView {
                channel: channel_label(ir, &r.channel),
                reviewed: r.reviewed.clone(),
                reviewer: r.reviewer.clone(),
                findings: r.findings.clone(),
                next: r.next.clone(),
                overdue: r.overdue,
            })
            .collect(),
        incidents: ir.incidents.clone(),
        monitored: ir
            .tiers
            .iter()
            .filter(|t| t.monitor)
            .map(|t| MonitoredView {
                tier: t.label.clone(),
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

/// Render one document per audience with a format's template (`guide-html/guide.html` or
/// `guide-md/guide.md`), named `<audience>.<extension>`.
pub fn render_all(
    ir: &Ir,
    audiences: &[Audience],
    template: &str,
    extension: &str,
) -> Result<Vec<OutputFile>, EmitError> {
    let guide = minijinja::Value::from_serialize(model(ir));
    audiences
        .iter()
        .map(|audience| {
            let context = minijinja::context! {
                guide => guide.clone(),
                t => minijinja::Value::from_serialize(strings()),
                audience => audience.name(),
                sections => audience.sections(),
            };
            render(template, context).map(|text| OutputFile {
                path: format!("{}.{extension}", audience.name()),
                contents: text.into_bytes(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
