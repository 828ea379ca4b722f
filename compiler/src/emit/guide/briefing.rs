//! The briefing: an onboarding checklist computed from the policy (what to install, turn on,
//! remove and know), and the refresher schedule that follows from `briefing every N months`
//! counted from the policy's `effective` date.

use super::{channel_label, Evidence};
use crate::ir::{date, Cadence, Ir, Requirement, TierKind};
use serde::Serialize;
use time::Date;

/// Checklist keys this module produces (each has words in the strings table).
#[cfg(test)]
pub const CHECKLIST_KEYS: &[&str] = &[
    "check-read",
    "check-classes",
    "check-approved",
    "check-limited",
    "check-mfa",
    "check-managed-device",
    "check-banned",
    "check-exceptions",
    "check-incidents",
    "check-help",
    "check-acknowledge",
];

/// How many refreshers after the evaluation date the schedule lists.
const UPCOMING: usize = 4;

#[derive(Serialize)]
pub struct Briefing {
    pub checklist: Vec<Evidence>,
    /// The last refresher on or before the evaluation date, if one is due yet.
    #[serde(with = "date::iso::option")]
    pub last: Option<Date>,
    /// The next refreshers after the evaluation date, as `YYYY-MM-DD`.
    pub upcoming: Vec<String>,
    /// Incidents dated after the last refresher (or all of them): the next refresher's
    /// lessons.
    pub incidents_since: Vec<String>,
}

/// The last refresher on or before `today` and the next `UPCOMING` after it.
fn schedule(effective: Date, today: Date, cadence: Cadence) -> (Option<Date>, Vec<Date>) {
    let mut last = None;
    let mut upcoming = Vec::new();
    // Refresher n is n steps after the policy took effect (the first briefing is onboarding).
    for n in 1.. {
        let Some(date) = cadence.step(effective, n) else {
            break;
        };
        if date <= today {
            last = Some(date);
        } else {
            upcoming.push(date);
            if upcoming.len() == UPCOMING {
                break;
            }
        }
    }
    (last, upcoming)
}

fn labels_in(ir: &Ir, kind: TierKind) -> Vec<String> {
    ir.channels_where(|t| t.kind == kind)
        .map(|c| c.label.clone())
        .collect()
}

fn labels_requiring(ir: &Ir, requirement: Requirement) -> Vec<String> {
    ir.channels_where(|t| t.kind != TierKind::Banned && t.requires.contains(&requirement))
        .map(|c| c.label.clone())
        .collect()
}

pub fn briefing(ir: &Ir) -> Briefing {
    let (last, upcoming) = schedule(ir.policy.effective, ir.evaluation_date, ir.policy.briefing);
    let item = |key: &'static str, items: Vec<String>| Evidence::list(key, items);
    let checklist = [
        item("check-read", vec![ir.policy.title.clone()]),
        item(
            "check-classes",
            ir.classes.iter().map(|c| c.label.clone()).collect(),
        ),
        item("check-approved", labels_in(ir, TierKind::Approved)),
        item("check-limited", labels_in(ir, TierKind::Limited)),
        item("check-mfa", labels_requiring(ir, Requirement::Mfa)),
        item(
            "check-managed-device",
            labels_requiring(ir, Requirement::ManagedDevice),
        ),
        item("check-banned", labels_in(ir, TierKind::Banned)),
        item(
            "check-exceptions",
            ir.exceptions
                .iter()
                .filter(|e| e.status.in_force())
                .map(|e| format!("{} · {}", e.group, channel_label(ir, &e.channel)))
                .collect(),
        ),
        item(
            "check-incidents",
            ir.incidents.iter().map(|i| i.title.clone()).collect(),
        ),
        item("check-help", vec![ir.policy.support.clone()]),
        item("check-acknowledge", vec![ir.policy.version.clone()]),
    ]
    .into_iter()
    .filter(Evidence::worth_stating)
    .collect();
    Briefing {
        checklist,
        incidents_since: ir
            .incidents
            .iter()
            .filter(|i| last.is_none_or(|l| i.date > l))
            .map(|i| i.title.clone())
            .collect(),
        last,
        upcoming: upcoming.into_iter().map(date::format).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::CadenceUnit;
    use time::macros::date;

    fn cadence(every: u32, unit: CadenceUnit) -> Cadence {
        Cadence { every, unit }
    }

    #[test]
    fn months_keep_the_day_or_take_the_last_day_of_the_month() {
        let s = |d, every, n| {
            cadence(every, CadenceUnit::Months)
                .step(d, n)
                .map(date::format)
        };
        assert_eq!(s(date!(2026 - 04 - 01), 6, 1).unwrap(), "2026-10-01");
        assert_eq!(s(date!(2026 - 04 - 01), 6, 2).unwrap(), "2027-04-01");
        assert_eq!(s(date!(2027 - 01 - 31), 1, 1).unwrap(), "2027-02-28");
        assert_eq!(s(date!(2027 - 08 - 31), 6, 1).unwrap(), "2028-02-29");
    }

    #[test]
    fn schedule_lists_the_last_refresher_and_the_next_ones() {
        let (last, next) = schedule(
            date!(2026 - 04 - 01),
            date!(2026 - 11 - 23),
            cadence(6, CadenceUnit::Months),
        );
        assert_eq!(last.map(date::format).as_deref(), Some("2026-10-01"));
        let next: Vec<String> = next.into_iter().map(date::format).collect();
        assert_eq!(
            next,
            ["2027-04-01", "2027-10-01", "2028-04-01", "2028-10-01"]
        );
        let (last, next) = schedule(
            date!(2026 - 11 - 20),
            date!(2026 - 11 - 23),
            cadence(2, CadenceUnit::Weeks),
        );
        assert_eq!(last, None);
        assert_eq!(date::format(next[0]), "2026-12-04");
    }
}
