//! `review CHANNEL { … }`: a vendor security review.

use super::block::{
    Block, Keyword,
    Occurs::{Many, Required},
};
use super::statement::{opening, push, report, set};
use crate::syntax::args::Args;
use crate::syntax::ast::{Decl, Review, Spanned, Str};
use crate::syntax::cst::Stmt;
use crate::syntax::error::SyntaxError;
use time::Date;

/// The review's statements as they are read.
#[derive(Default)]
struct Draft {
    reviewed: Option<(Spanned<Date>, Option<Str>)>,
    findings: Vec<Str>,
    next: Option<Spanned<Date>>,
}

const REVIEW: Block<Draft> = Block {
    context: "a review",
    keywords: &[
        Keyword::new(
            "reviewed",
            Required("reviewed 2026-10-01 by \"security team\""),
            |d, a| set(&mut d.reviewed, reviewed(a)),
        ),
        Keyword::new("finding", Many, |d, a| {
            push(
                &mut d.findings,
                a.text("e.g. `finding \"E2EE by default\"`"),
            )
        }),
        Keyword::new("next", Required("next 2027-10-01"), |d, a| {
            set(&mut d.next, a.date())
        }),
    ],
};

pub fn lower(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Decl> {
    let channel = report(
        errors,
        opening(
            stmt,
            "`review signal { reviewed 2026-10-01  next 2027-10-01 }`",
            |a| a.name("the reviewed channel's name"),
        ),
    )?;
    let mut draft = Draft::default();
    REVIEW.read(stmt, &mut draft, errors);
    let (reviewed, reviewer) = draft.reviewed?;
    Some(Decl::Review(Review {
        channel,
        reviewed,
        reviewer,
        findings: draft.findings,
        next: draft.next?,
        docs: stmt.docs.clone(),
        span: stmt.span,
    }))
}

/// `DATE [by "reviewer"]`.
fn reviewed(a: &mut Args) -> Result<(Spanned<Date>, Option<Str>), SyntaxError> {
    let date = a.date()?;
    let by = match a.eat("by") {
        Some(_) => Some(a.text("e.g. `reviewed 2026-10-01 by \"security team\"`")?),
        None => None,
    };
    Ok((date, by))
}
