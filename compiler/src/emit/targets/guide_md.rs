//! `guide-md`: the staff guide in Markdown. The matrix comes from `decide`, channel facts from
//! the policy and the stdlib (unconfirmed ones marked), doc comments where their node appears.

use crate::emit::{templates::render, EmitError, Emitted, OutputFile, Target};
use crate::ir::{ChannelInfo, Ir, TierKind, Verdict};
use crate::syntax::ast::{CadenceUnit, E2ee, Property, Requirement, Size};
use serde::Serialize;

pub struct GuideMd;

#[derive(Serialize)]
struct Card {
    name: String,
    label: String,
    vendor: Option<String>,
    media: String,
    facts: Vec<String>,
    notes: Vec<String>,
    docs: Vec<String>,
}

#[derive(Serialize)]
struct Alternative {
    medium: &'static str,
    channels: String,
}

#[derive(Serialize)]
struct TierView {
    label: String,
    kind: TierKind,
    docs: Vec<String>,
    ceiling: Option<String>,
    requires: Vec<&'static str>,
    monitor: bool,
    block: Vec<String>,
    channels: Vec<Card>,
    instead: Vec<Alternative>,
}

#[derive(Serialize)]
struct Row {
    channel: String,
    tier: String,
    cells: Vec<&'static str>,
}

#[derive(Serialize)]
struct Condition {
    channel: String,
    class: String,
    text: String,
}

fn requirement_words(r: Requirement) -> &'static str {
    match r {
        Requirement::E2ee => "end-to-end encrypted channels only",
        Requirement::ManagedDevice => "only from a managed device",
        Requirement::Mfa => "only with multi-factor authentication",
    }
}

fn card(c: &ChannelInfo) -> Card {
    let unconfirmed = |p: Property| {
        if c.unconfirmed.contains(&p) {
            " (unconfirmed)"
        } else {
            ""
        }
    };
    let mut facts = vec![match c.e2ee {
        E2ee::Yes => format!(
            "end-to-end encrypted by default{}",
            unconfirmed(Property::E2ee)
        ),
        E2ee::Optional => format!(
            "end-to-end encryption only if you turn it on{}",
            unconfirmed(Property::E2ee)
        ),
        E2ee::No => format!("not end-to-end encrypted{}", unconfirmed(Property::E2ee)),
    }];
    if c.open_source {
        facts.push(format!(
            "open-source clients{}",
            unconfirmed(Property::OpenSource)
        ));
    }
    if c.self_hostable {
        facts.push(format!(
            "can be self-hosted{}",
            unconfirmed(Property::SelfHostable)
        ));
    }
    if c.mfa {
        facts.push(format!(
            "supports multi-factor authentication{}",
            unconfirmed(Property::Mfa)
        ));
    }
    if c.managed {
        facts.push(format!(
            "managed by the organisation{}",
            unconfirmed(Property::Managed)
        ));
    }
    Card {
        name: c.name.clone(),
        label: c.label.clone(),
        vendor: c.vendor.clone(),
        media: c
            .media
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        facts,
        notes: c.notes.clone(),
        docs: c.docs.clone(),
    }
}

impl Target for GuideMd {
    fn name(&self) -> &'static str {
        "guide-md"
    }
    fn description(&self) -> &'static str {
        "the staff guide in Markdown: what to use for what, the class × channel matrix, alternatives"
    }
    fn default_for(&self) -> &'static [Size] {
        &[Size::Small, Size::Medium, Size::Large]
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let label_of = |name: &str| {
            ir.channel(name)
                .map_or_else(|| name.to_string(), |c| c.label.clone())
        };
        let class_label = |name: &str| {
            ir.class(name)
                .map_or_else(|| name.to_string(), |c| c.label.clone())
        };
        let tiers: Vec<TierView> = ir
            .tiers
            .iter()
            .map(|t| TierView {
                label: t.label.clone(),
                kind: t.kind,
                docs: t.docs.clone(),
                ceiling: t.ceiling.as_ref().map(|c| class_label(&c.value)),
                requires: t.requires.iter().map(|r| requirement_words(*r)).collect(),
                monitor: t.monitor,
                block: t
                    .block
                    .iter()
                    .map(|b| format!("{b:?}").to_lowercase())
                    .collect(),
                channels: t
                    .channels
                    .iter()
                    .filter_map(|c| ir.channel(&c.value))
                    .map(card)
                    .collect(),
                instead: t
                    .instead
                    .iter()
                    .map(|a| Alternative {
                        medium: a.medium.as_str(),
                        channels: a
                            .channels
                            .iter()
                            .map(|c| label_of(c))
                            .collect::<Vec<_>>()
                            .join(" or "),
                    })
                    .collect(),
            })
            .collect();

        let mut rows = Vec::new();
        let mut conditions = Vec::new();
        for channel in ir.tiered_channels() {
            let tier = ir.tier_of(channel);
            let mut cells = Vec::new();
            for class in &ir.classes {
                let decision = ir
                    .matrix
                    .iter()
                    .find(|d| d.class == class.name && d.channel == channel.name)
                    .expect("the matrix has every class × tiered channel");
                cells.push(match decision.verdict {
                    Verdict::Allow => "✅ yes",
                    Verdict::Warn => "⚠️ with conditions",
                    Verdict::Deny => "⛔ no",
                });
                if decision.verdict == Verdict::Warn {
                    let text = decision
                        .reasons
                        .iter()
                        .rev()
                        .map(|r| r.message.replace('`', ""))
                        .next()
                        .unwrap_or_default();
                    conditions.push(Condition {
                        channel: channel.label.clone(),
                        class: class.label.clone(),
                        text,
                    });
                }
            }
            rows.push(Row {
                channel: channel.label.clone(),
                tier: tier.map_or_else(String::new, |t| t.label.clone()),
                cells,
            });
        }

        let briefing = &ir.policy.briefing;
        let unit = match (briefing.unit, briefing.every) {
            (CadenceUnit::Months, 1) => "month".to_string(),
            (CadenceUnit::Weeks, 1) => "week".to_string(),
            (CadenceUnit::Months, n) => format!("{n} months"),
            (CadenceUnit::Weeks, n) => format!("{n} weeks"),
        };
        let context = minijinja::context! {
            policy => &ir.policy,
            evaluation_date => &ir.evaluation_date,
            briefing => format!("every {unit}"),
            classes => ir.classes.iter().map(|c| minijinja::context! {
                label => &c.label,
                docs => &c.docs,
                requires => c.requires.iter().map(|r| requirement_words(r.value)).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            class_labels => ir.classes.iter().map(|c| &c.label).collect::<Vec<_>>(),
            tiers => tiers,
            rows => rows,
            conditions => conditions,
            exceptions => ir.exceptions.iter().map(|e| minijinja::context! {
                group => &e.group,
                channel => label_of(&e.channel),
                ceiling => class_label(&e.ceiling),
                until => &e.until,
                approved_by => &e.approved_by,
                reason => &e.reason,
                docs => &e.docs,
            }).collect::<Vec<_>>(),
            incidents => &ir.incidents,
            reviews => ir.reviews.iter().map(|r| minijinja::context! {
                channel => label_of(&r.channel),
                reviewed => &r.reviewed,
                reviewer => &r.reviewer,
                findings => &r.findings,
                next => &r.next,
                overdue => r.overdue,
            }).collect::<Vec<_>>(),
        };
        let text = render("guide-md", context)?;
        Ok(Emitted {
            files: vec![OutputFile {
                path: "guide.md".into(),
                contents: text.into_bytes(),
            }],
            warnings: Vec::new(),
        })
    }
}
