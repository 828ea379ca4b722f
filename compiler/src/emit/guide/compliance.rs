//! The compliance mapping: which controls of NIST CSF 2.0, ISO/IEC 27001:2022 Annex A and
//! CIS Controls v8 this policy supports, judged from what it actually declares and what the
//! targets enforce. A control is `covered` when the policy states it and a target (or the
//! guides) carries it out, `partial` when only part is there, `missing` otherwise, and every
//! status shows the evidence it was judged on.

use super::coverage::Coverage;
use super::{Audience, Evidence};
use crate::emit::Control;
use crate::ir::{CadenceUnit, Ir, Requirement, ReviewStatus, TierKind};
use serde::Serialize;

/// Evidence keys this module produces (each has words in the strings table).
#[cfg(test)]
pub const EVIDENCE_KEYS: &[&str] = &[
    "policy-owner",
    "classes",
    "detectors",
    "channels-tiered",
    "channels-vendor",
    "reviews-current",
    "reviews-missing",
    "briefing",
    "briefing-over-a-year",
    "incidents",
    "guides",
    "support",
    "mfa-tiers",
    "mfa-missing",
    "e2ee-classes",
    "control-enforced",
    "control-unenforced",
    "control-unused",
    "alternatives",
];

/// Every control the mapping can name (each has its title in the strings table).
#[cfg(test)]
pub const CONTROL_IDS: &[&str] = &[
    "GV.PO-01", "ID.AM-04", "GV.SC-07", "PR.AT-01", "PR.AA-03", "PR.DS-02", "PR.PS-05", "PR.IR-01",
    "DE.CM-01", "ID.IM-03", "A.5.1", "A.5.10", "A.5.12", "A.5.14", "A.5.22", "A.5.27", "A.6.3",
    "A.8.5", "A.8.12", "A.8.16", "A.8.19", "A.8.23", "CIS 3.7", "CIS 9.2", "CIS 14.1", "CIS 14.3",
    "CIS 14.4", "CIS 14.5", "CIS 14.6",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Covered,
    Partial,
    Missing,
}

#[derive(Serialize)]
pub struct Mapping {
    pub id: &'static str,
    pub status: Status,
    pub evidence: Vec<Evidence>,
}

#[derive(Serialize)]
pub struct Framework {
    /// A key of `strings.framework`.
    pub name: &'static str,
    pub controls: Vec<Mapping>,
}

fn status(all: bool, some: bool) -> Status {
    if all {
        Status::Covered
    } else if some {
        Status::Partial
    } else {
        Status::Missing
    }
}

/// What the policy knows, computed once for every mapping.
struct Facts {
    owner: Evidence,
    classes: Evidence,
    detectors: Evidence,
    tiered: Evidence,
    vendor: Evidence,
    reviewed: Evidence,
    unreviewed: Evidence,
    briefing: Evidence,
    incidents: Evidence,
    mfa_tiers: Evidence,
    mfa_missing: Evidence,
    e2ee_classes: Evidence,
    alternatives: Evidence,
}

impl Facts {
    /// The refresher cadence is at most a year (CIS 14.1 asks for at least yearly).
    fn yearly(&self) -> bool {
        self.briefing.key == "briefing"
    }
}

fn facts(ir: &Ir) -> Facts {
    let approved: Vec<_> = ir
        .channels_where(|t| t.kind == TierKind::Approved)
        .collect();
    let reviewed = |name: &str| {
        ir.reviews
            .iter()
            .any(|r| r.channel == name && r.status != ReviewStatus::Overdue)
    };
    let allowing: Vec<_> = ir
        .tiers
        .iter()
        .filter(|t| t.kind != TierKind::Banned)
        .collect();
    let b = ir.policy.briefing;
    let months = match b.unit {
        CadenceUnit::Months => b.every,
        // 52 weeks make a year: round weeks up to whole months conservatively.
        CadenceUnit::Weeks => b.every.div_ceil(4),
    };
    Facts {
        owner: Evidence::list("policy-owner", vec![ir.policy.owner.clone()]),
        classes: Evidence::list(
            "classes",
            ir.classes.iter().map(|c| c.label.clone()).collect(),
        ),
        detectors: Evidence::list(
            "detectors",
            ir.classes
                .iter()
                .filter(|c| !c.detectors.is_empty())
                .map(|c| c.label.clone())
                .collect(),
        ),
        tiered: Evidence::count("channels-tiered", ir.tiered_channels().count()),
        vendor: Evidence::count(
            "channels-vendor",
            ir.tiered_channels().filter(|c| c.vendor.is_some()).count(),
        ),
        reviewed: Evidence::list(
            "reviews-current",
            approved
                .iter()
                .filter(|c| reviewed(&c.name))
                .map(|c| c.label.clone())
                .collect(),
        ),
        unreviewed: Evidence::list(
            "reviews-missing",
            approved
                .iter()
                .filter(|c| !reviewed(&c.name))
                .map(|c| c.label.clone())
                .collect(),
        ),
        briefing: Evidence::count(
            if months <= 12 {
                "briefing"
            } else {
                "briefing-over-a-year"
            },
            b.every as usize,
        ),
        incidents: Evidence::count("incidents", ir.incidents.len()),
        mfa_tiers: Evidence::list(
            "mfa-tiers",
            allowing
                .iter()
                .filter(|t| t.requires.contains(&Requirement::Mfa))
                .map(|t| t.label.clone())
                .collect(),
        ),
        mfa_missing: Evidence::list(
            "mfa-missing",
            allowing
                .iter()
                .filter(|t| !t.requires.contains(&Requirement::Mfa))
                .map(|t| t.label.clone())
                .collect(),
        ),
        e2ee_classes: Evidence::list(
            "e2ee-classes",
            ir.classes
                .iter()
                .filter(|c| c.requires.iter().any(|r| r.value == Requirement::E2ee))
                .map(|c| c.label.clone())
                .collect(),
        ),
        alternatives: Evidence::count(
            "alternatives",
            ir.tiers.iter().map(|t| t.instead.len()).sum(),
        ),
    }
}

/// A control judged on tier controls: covered if every one is asked for and enforced by a
/// target, partial if some are.
fn by_controls(id: &'static str, coverage: &Coverage, controls: &[Control]) -> Mapping {
    let key = |c: Control| {
        if coverage.enforced(c) {
            "control-enforced"
        } else if coverage.uses(c) {
            "control-unenforced"
        } else {
            "control-unused"
        }
    };
    let evidence = ["control-enforced", "control-unenforced", "control-unused"]
        .into_iter()
        .map(|k| {
            Evidence::list(
                k,
                controls
                    .iter()
                    .filter(|&&c| key(c) == k)
                    .map(|&c| super::coverage::control_name(c).to_string())
                    .collect(),
            )
        })
        .filter(Evidence::worth_stating)
        .collect();
    let enforced = controls.iter().filter(|&&c| coverage.enforced(c)).count();
    Mapping {
        id,
        status: status(enforced == controls.len(), enforced > 0),
        evidence,
    }
}

fn mapping(id: &'static str, status: Status, evidence: &[&Evidence]) -> Mapping {
    Mapping {
        id,
        status,
        evidence: evidence
            .iter()
            .filter(|e| e.worth_stating())
            .map(|&e| e.clone())
            .collect(),
    }
}

pub fn frameworks(ir: &Ir, coverage: &Coverage) -> Vec<Framework> {
    let f = facts(ir);
    let guides = Evidence::list(
        "guides",
        Audience::GUIDES
            .iter()
            .map(|a| a.name().to_string())
            .collect(),
    );
    let support = Evidence::list("support", vec![ir.policy.support.clone()]);
    let has = |e: &Evidence| e.n > 0;
    let ordered = ir.classes.len() >= 2;
    // Banning asks for an alternative (E208 enforces one per medium).
    let bans = ir.tiers.iter().any(|t| t.kind == TierKind::Banned);
    let reviews = status(has(&f.reviewed) && !has(&f.unreviewed), has(&f.reviewed));
    let mfa = status(has(&f.mfa_tiers) && !has(&f.mfa_missing), has(&f.mfa_tiers));
    let incidents = status(has(&f.incidents), false);
    let awareness = status(f.yearly(), true);
    let classes = status(ordered && has(&f.detectors), ordered);
    let transfer = status(ordered && has(&f.e2ee_classes), ordered);
    let network = [
        Control::BlockDns,
        Control::BlockFirewall,
        Control::BlockBrowser,
    ];
    let network_mapping = |id| {
        let mut m = by_controls(id, coverage, &network);
        // Any one of the network controls puts the ban into effect on the network.
        if m.status == Status::Partial {
            m.status = Status::Covered;
        }
        m
    };
    vec![
        Framework {
            name: "nist-csf",
            controls: vec![
                mapping("GV.PO-01", Status::Covered, &[&f.owner, &guides]),
                mapping(
                    "ID.AM-04",
                    status(f.vendor.n == f.tiered.n && f.tiered.n > 0, f.tiered.n > 0),
                    &[&f.tiered, &f.vendor],
                ),
                mapping("GV.SC-07", reviews, &[&f.reviewed, &f.unreviewed]),
                mapping("PR.AT-01", awareness, &[&f.briefing, &guides, &f.incidents]),
                mapping("PR.AA-03", mfa, &[&f.mfa_tiers, &f.mfa_missing]),
                mapping("PR.DS-02", transfer, &[&f.classes, &f.e2ee_classes]),
                by_controls("PR.PS-05", coverage, &[Control::BlockEndpoint]),
                network_mapping("PR.IR-01"),
                by_controls("DE.CM-01", coverage, &[Control::Monitor]),
                mapping("ID.IM-03", incidents, &[&f.incidents]),
            ],
        },
        Framework {
            name: "iso-27001",
            controls: vec![
                mapping("A.5.1", Status::Covered, &[&f.owner, &guides]),
                mapping(
                    "A.5.10",
                    status(
                        f.tiered.n > 0 && (!bans || has(&f.alternatives)),
                        f.tiered.n > 0,
                    ),
                    &[&f.tiered, &f.alternatives],
                ),
                mapping("A.5.12", classes, &[&f.classes, &f.detectors]),
                mapping("A.5.14", transfer, &[&f.classes, &f.e2ee_classes]),
                mapping("A.5.22", reviews, &[&f.reviewed, &f.unreviewed]),
                mapping("A.5.27", incidents, &[&f.incidents]),
                mapping("A.6.3", awareness, &[&f.briefing, &guides]),
                mapping("A.8.5", mfa, &[&f.mfa_tiers, &f.mfa_missing]),
                by_controls("A.8.12", coverage, &[Control::BlockDlp]),
                by_controls("A.8.16", coverage, &[Control::Monitor]),
                by_controls("A.8.19", coverage, &[Control::BlockEndpoint]),
                by_controls(
                    "A.8.23",
                    coverage,
                    &[Control::BlockDns, Control::BlockBrowser],
                ),
            ],
        },
        Framework {
            name: "cis-v8",
            controls: vec![
                mapping("CIS 3.7", classes, &[&f.classes, &f.detectors]),
                by_controls("CIS 9.2", coverage, &[Control::BlockDns]),
                mapping("CIS 14.1", awareness, &[&f.briefing, &guides]),
                mapping("CIS 14.3", mfa, &[&f.mfa_tiers, &f.mfa_missing]),
                mapping("CIS 14.4", transfer, &[&f.classes, &f.e2ee_classes]),
                mapping("CIS 14.5", incidents, &[&f.incidents]),
                mapping("CIS 14.6", Status::Covered, &[&support]),
            ],
        },
    ]
}
