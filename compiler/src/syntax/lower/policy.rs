//! `policy "Title" { … }`: the header, every statement of which is required but the
//! security team's name.

use super::block::{
    Block, Keyword,
    Occurs::{Once, Required},
};
use super::statement::{opening, report, set};
use super::values::size;
use crate::syntax::args::Args;
use crate::syntax::ast::{Decl, Policy, Spanned, Str};
use crate::syntax::cst::Stmt;
use crate::syntax::error::SyntaxError;
use crate::vocabulary::{Cadence, CadenceUnit, Size};
use time::Date;

/// The header's statements as they are read.
#[derive(Default)]
struct Draft {
    organisation: Option<Str>,
    size: Option<Spanned<Size>>,
    version: Option<Str>,
    effective: Option<Spanned<Date>>,
    owner: Option<Str>,
    support: Option<Str>,
    briefing: Option<Spanned<Cadence>>,
    security_team: Option<Str>,
}

const POLICY: Block<Draft> = Block {
    context: "the policy header",
    keywords: &[
        Keyword::new(
            "organisation",
            Required("organisation \"Acme Ltd\""),
            |d, a| {
                set(
                    &mut d.organisation,
                    a.text("e.g. `organisation \"Acme Ltd\"`"),
                )
            },
        ),
        Keyword::new("size", Required("size medium"), |d, a| {
            set(&mut d.size, size(a))
        }),
        Keyword::new("version", Required("version \"2026.11\""), |d, a| {
            set(&mut d.version, a.text("e.g. `version \"2026.11\"`"))
        }),
        Keyword::new("effective", Required("effective 2026-12-01"), |d, a| {
            set(&mut d.effective, a.date())
        }),
        Keyword::new(
            "owner",
            Required("owner \"security@acme.example\""),
            |d, a| {
                set(
                    &mut d.owner,
                    a.text("e.g. `owner \"security@acme.example\"`"),
                )
            },
        ),
        Keyword::new(
            "support",
            Required("support \"IT desk, room 2.14\""),
            |d, a| {
                set(
                    &mut d.support,
                    a.text("say where staff get help, e.g. `support \"IT desk, room 2.14\"`"),
                )
            },
        ),
        Keyword::new("briefing", Required("briefing every 6 months"), |d, a| {
            set(&mut d.briefing, briefing(a))
        }),
        Keyword::new("security-team", Once, |d, a| {
            set(
                &mut d.security_team,
                a.text("name the group, e.g. `security-team \"information security\"`"),
            )
        }),
    ],
};

pub fn lower(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Decl> {
    let title = report(
        errors,
        opening(stmt, "`policy \"Acme messaging policy\" { … }`", |a| {
            a.text("name the policy, e.g. `policy \"Acme messaging policy\" {`")
        }),
    )?;
    let mut draft = Draft::default();
    POLICY.read(stmt, &mut draft, errors);
    Some(Decl::Policy(Box::new(Policy {
        title,
        organisation: draft.organisation?,
        size: draft.size?,
        version: draft.version?,
        effective: draft.effective?,
        owner: draft.owner?,
        support: draft.support?,
        briefing: draft.briefing?,
        security_team: draft.security_team,
        docs: stmt.docs.clone(),
        span: stmt.span,
    })))
}

/// `every N months|weeks`.
fn briefing(a: &mut Args) -> Result<Spanned<Cadence>, SyntaxError> {
    a.expect("every", "e.g. `briefing every 6 months`")?;
    let every = a.number(1, 120)?;
    let unit = a.choice(
        "`months` or `weeks`",
        &[
            ("months", CadenceUnit::Months),
            ("month", CadenceUnit::Months),
            ("weeks", CadenceUnit::Weeks),
            ("week", CadenceUnit::Weeks),
        ],
    )?;
    Ok(Spanned {
        value: Cadence {
            every: every.value,
            unit: unit.value,
        },
        span: every.span.to(unit.span),
    })
}
