//! `import std.channels` or `import "partners.msgpol"`.

use super::statement::{line, report};
use crate::syntax::ast::{Decl, Import, ImportTarget};
use crate::syntax::cst::Stmt;
use crate::syntax::error::SyntaxError;

pub fn lower(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Decl> {
    let target = report(
        errors,
        line(stmt, |a| {
            if a.peek_is_string() {
                return a.string("").map(ImportTarget::File);
            }
            a.name("a module such as `std.channels`, or a file path in quotes")
                .map(ImportTarget::Std)
                .map_err(|_| {
                    a.fail(
                        "a module such as `std.channels` or a file in quotes",
                        "e.g. `import std.channels` or `import \"partners.msgpol\"`",
                    )
                })
        }),
    )?;
    Some(Decl::Import(Import {
        target,
        span: stmt.span,
    }))
}
