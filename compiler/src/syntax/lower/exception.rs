//! `exception NAME { … }`: a dated, owned departure from a tier, every statement required.

use super::block::{Block, Keyword, Occurs::Required};
use super::statement::{opening, report, set};
use super::values::{for_media, up_to};
use crate::syntax::ast::{Decl, Exception, Name, Spanned, Str};
use crate::syntax::cst::Stmt;
use crate::syntax::error::SyntaxError;
use crate::vocabulary::Medium;
use time::Date;

/// The exception's statements as they are read.
#[derive(Default)]
struct Draft {
    who: Option<Str>,
    channel: Option<Name>,
    allows: Option<(Name, Vec<Spanned<Medium>>)>,
    until: Option<Spanned<Date>>,
    approved_by: Option<Str>,
    reason: Option<Str>,
}

const EXCEPTION: Block<Draft> = Block {
    context: "an exception",
    keywords: &[
        Keyword::new("who", Required("who group \"communications\""), |d, a| {
            let help = "e.g. `who group \"communications\"`";
            a.expect("group", help)?;
            set(&mut d.who, a.text(help))
        }),
        Keyword::new("channel", Required("channel whatsapp"), |d, a| {
            set(&mut d.channel, a.name("a channel's name"))
        }),
        Keyword::new("allows", Required("allows up to internal"), |d, a| {
            set(
                &mut d.allows,
                up_to(a).and_then(|class| Ok((class, for_media(a)?))),
            )
        }),
        Keyword::new("until", Required("until 2027-03-31"), |d, a| {
            set(&mut d.until, a.date())
        }),
        Keyword::new("approved-by", Required("approved-by \"CISO\""), |d, a| {
            set(&mut d.approved_by, a.text("e.g. `approved-by \"CISO\"`"))
        }),
        Keyword::new(
            "reason",
            Required("reason \"why the exception is needed\""),
            |d, a| {
                set(
                    &mut d.reason,
                    a.text("e.g. `reason \"Journalists reach us only on WhatsApp\"`"),
                )
            },
        ),
    ],
};

pub fn lower(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Decl> {
    let name = report(
        errors,
        opening(stmt, "`exception press-whatsapp { … }`", |a| {
            a.simple_name("the exception's name")
        }),
    )?;
    let mut draft = Draft::default();
    EXCEPTION.read(stmt, &mut draft, errors);
    let (allows, media) = draft.allows?;
    Some(Decl::Exception(Exception {
        name,
        who_group: draft.who?,
        channel: draft.channel?,
        allows,
        media,
        until: draft.until?,
        approved_by: draft.approved_by?,
        reason: draft.reason?,
        docs: stmt.docs.clone(),
        span: stmt.span,
    }))
}
