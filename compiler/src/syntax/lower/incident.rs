//! `incident "Title" { … }`: a lesson for the guides.

use super::block::{
    Block, Keyword,
    Occurs::{AtLeastOnce, Required},
};
use super::statement::{opening, push, report, set};
use crate::syntax::ast::{Decl, Incident, Spanned, Str};
use crate::syntax::cst::Stmt;
use crate::syntax::error::SyntaxError;
use time::Date;

/// The incident's statements as they are read.
#[derive(Default)]
struct Draft {
    date: Option<Spanned<Date>>,
    lessons: Vec<Str>,
}

const INCIDENT: Block<Draft> = Block {
    context: "an incident",
    keywords: &[
        Keyword::new("date", Required("date 2025-03-24"), |d, a| {
            set(&mut d.date, a.date())
        }),
        Keyword::new(
            "lesson",
            AtLeastOnce("lesson \"Check every participant\""),
            |d, a| {
                push(
                    &mut d.lessons,
                    a.text("e.g. `lesson \"Check every participant\"`"),
                )
            },
        ),
    ],
};

pub fn lower(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Decl> {
    let title = report(
        errors,
        opening(
            stmt,
            "`incident \"…\" { date 2025-03-24  lesson \"…\" }`",
            |a| a.text("e.g. `incident \"Invite sent to a journalist\" {`"),
        ),
    )?;
    let mut draft = Draft::default();
    INCIDENT.read(stmt, &mut draft, errors);
    Some(Decl::Incident(Incident {
        title,
        date: draft.date?,
        lessons: draft.lessons,
        docs: stmt.docs.clone(),
        span: stmt.span,
    }))
}
