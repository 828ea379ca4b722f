//! `harden CHANNEL { disable … }`: settings of an approved service the policy turns off.

use super::block::{Block, Keyword, Occurs::AtLeastOnce};
use super::statement::{extend, opening, report};
use super::values::hardening;
use crate::syntax::ast::{Decl, Harden};
use crate::syntax::cst::Stmt;
use crate::syntax::error::SyntaxError;

const HARDEN: Block<Harden> = Block {
    context: "a harden block",
    keywords: &[Keyword::new(
        "disable",
        AtLeastOnce("disable consumer-accounts"),
        |h, a| extend(&mut h.disable, a.list(hardening)),
    )],
};

pub fn lower(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Decl> {
    let channel = report(
        errors,
        opening(stmt, "`harden teams { disable consumer-accounts }`", |a| {
            a.name("the approved channel's name")
        }),
    )?;
    let mut harden = Harden {
        channel,
        disable: Vec::new(),
        docs: stmt.docs.clone(),
        span: stmt.span,
    };
    HARDEN.read(stmt, &mut harden, errors);
    // A block whose every `disable` was wrong says nothing to apply.
    (!harden.disable.is_empty()).then_some(Decl::Harden(harden))
}
