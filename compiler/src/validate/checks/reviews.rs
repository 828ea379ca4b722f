//! W207 a vendor security review past its `next` date.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::date;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for r in &ctx.program.reviews {
        // A later review of the same channel supersedes this one.
        let superseded = ctx.program.reviews.iter().any(|other| {
            other.channel.text == r.channel.text && other.reviewed.value > r.reviewed.value
        });
        if r.next.value < ctx.today && !superseded {
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
