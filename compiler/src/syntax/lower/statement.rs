//! The shapes of statements shared by every declaration, and the small functions a keyword
//! table's handlers use to store what they read.

use crate::source::Span;
use crate::syntax::args::Args;
use crate::syntax::ast::{Name, Str};
use crate::syntax::cst::Stmt;
use crate::syntax::error::{self, SyntaxError};

/// Records an error, so that the caller can skip what it was reading and go on.
pub fn report<T>(errors: &mut Vec<SyntaxError>, result: Result<T, SyntaxError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// Reads a statement's arguments with `read`, which must use them all.
pub fn arguments<T>(
    stmt: &Stmt,
    read: impl FnOnce(&mut Args) -> Result<T, SyntaxError>,
) -> Result<T, SyntaxError> {
    let mut args = Args::new(stmt);
    let value = read(&mut args)?;
    args.end()?;
    Ok(value)
}

/// A statement on one line: no block, then its arguments.
pub fn line<T>(
    stmt: &Stmt,
    read: impl FnOnce(&mut Args) -> Result<T, SyntaxError>,
) -> Result<T, SyntaxError> {
    if stmt.block.is_some() {
        return Err(error::wrong_arguments(
            stmt.keyword_span,
            format!("`{}` does not take a block", stmt.keyword),
            "a statement on one line",
            "remove the `{ … }` after this statement",
        ));
    }
    arguments(stmt, read)
}

/// A statement that opens a block (`example` shows one): its arguments, then the block.
pub fn opening<T>(
    stmt: &Stmt,
    example: &str,
    read: impl FnOnce(&mut Args) -> Result<T, SyntaxError>,
) -> Result<T, SyntaxError> {
    let value = arguments(stmt, read)?;
    if stmt.block.is_none() {
        return Err(error::wrong_arguments(
            Span::new(stmt.span.file, stmt.span.end, stmt.span.end),
            format!("`{}` needs a block", stmt.keyword),
            "`{`",
            &format!("for example: {example}"),
        ));
    }
    Ok(value)
}

/// An optional label in quotes after a declaration's name.
pub fn label(a: &mut Args) -> Result<Option<Str>, SyntaxError> {
    if a.peek_is_string() {
        a.text("").map(Some)
    } else {
        Ok(None)
    }
}

/// `NAME [: PARENT] ["Label"]`, the head shared by classes and channels, whose block may be
/// left out.
pub fn named_head(
    stmt: &Stmt,
    what: &str,
) -> Result<(Name, Option<Name>, Option<Str>), SyntaxError> {
    arguments(stmt, |a| {
        let name = a.simple_name(&format!("the {what}'s name"))?;
        let parent = if a.eat_colon() {
            Some(a.name(&format!("the parent {what}'s name"))?)
        } else {
            None
        };
        Ok((name, parent, label(a)?))
    })
}

/// Stores the value of a statement given once.
pub fn set<T>(slot: &mut Option<T>, value: Result<T, SyntaxError>) -> Result<(), SyntaxError> {
    *slot = Some(value?);
    Ok(())
}

/// Adds the value of a statement that may repeat.
pub fn push<T>(list: &mut Vec<T>, value: Result<T, SyntaxError>) -> Result<(), SyntaxError> {
    list.push(value?);
    Ok(())
}

/// Adds the items of a list statement.
pub fn extend<T>(list: &mut Vec<T>, items: Result<Vec<T>, SyntaxError>) -> Result<(), SyntaxError> {
    list.extend(items?);
    Ok(())
}
