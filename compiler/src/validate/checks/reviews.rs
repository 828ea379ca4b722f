//! W207 a vendor security review past its `next` date.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{date, ReviewStatus};
use rustc_hash::FxHashMap;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    // A later review of the same channel supersedes this one: each channel's latest, found
    // once rather than by comparing every review with every other.
    let mut latest: FxHashMap<&str, _> = FxHashMap::default();
    for r in &ctx.program.reviews {
        let date = latest
            .entry(r.channel.text.as_str())
            .or_insert(r.reviewed.value);
        *date = (*date).max(r.reviewed.value);
    }
    for r in &ctx.program.reviews {
        let superseded = latest[r.channel.text.as_str()] > r.reviewed.value;
        let overdue = ReviewStatus::on(r.next.value, ctx.today) == ReviewStatus::Overdue;
        if overdue && !superseded {
            out.push(ValidateError(
                Diagnostic::new(
                    Code::W207,
                    format!(
                        "the security review of {} was due on {}",
                        quote(&r.channel.text),
                        date::format(r.next.value)
                    ),
                )
                .label(
                    r.next.span,
                    format!("this date is before {}", date::format(ctx.today)),
                )
                .help("review the vendor again and record it with a new `review` block"),
            ));
        }
    }
}
