//! The block reader. Each block has one table of keywords: whether a keyword is known, whether
//! it may repeat, whether it is required and how its statement is read all come from the same
//! entry, so what a block accepts and what it handles cannot drift apart.

use super::statement::line;
use crate::source::Span;
use crate::syntax::args::Args;
use crate::syntax::cst::Stmt;
use crate::syntax::error::{self, SyntaxError};

/// Reads a one-line statement's arguments into the value being built. The reader has checked
/// that the statement has no block, and checks afterwards that no argument is left.
type ReadArguments<T> = fn(&mut T, &mut Args) -> Result<(), SyntaxError>;

/// Reads a whole statement (its head and its own block), reporting its errors itself.
type ReadStatement<T> = fn(&mut T, &Stmt, &mut Vec<SyntaxError>);

enum Read<T> {
    Arguments(ReadArguments<T>),
    Statement(ReadStatement<T>),
}

/// How often a keyword may be given in one block.
pub enum Occurs {
    /// At most once.
    Once,
    /// Exactly once; the example is suggested when it is missing.
    Required(&'static str),
    /// Any number of times, each statement adding to the ones before it.
    Many,
    /// At least once; the example is suggested when it is missing.
    AtLeastOnce(&'static str),
}

/// One keyword of a block: how often it may be given and how its statement is read.
pub struct Keyword<T> {
    word: &'static str,
    occurs: Occurs,
    read: Read<T>,
}

impl<T> Keyword<T> {
    /// A statement on one line, its arguments read by `read`.
    pub const fn new(word: &'static str, occurs: Occurs, read: ReadArguments<T>) -> Self {
        Keyword {
            word,
            occurs,
            read: Read::Arguments(read),
        }
    }

    /// A statement read whole, which may repeat: a declaration, a `detect` block.
    pub const fn statements(word: &'static str, read: ReadStatement<T>) -> Self {
        Keyword {
            word,
            occurs: Occurs::Many,
            read: Read::Statement(read),
        }
    }

    fn repeats(&self) -> bool {
        matches!(self.occurs, Occurs::Many | Occurs::AtLeastOnce(_))
    }

    /// For a required keyword, an example of its statement.
    fn required(&self) -> Option<&'static str> {
        match self.occurs {
            Occurs::Required(example) | Occurs::AtLeastOnce(example) => Some(example),
            Occurs::Once | Occurs::Many => None,
        }
    }
}

/// What one kind of block may contain.
pub struct Block<T: 'static> {
    /// How diagnostics name the block: "a tier".
    pub context: &'static str,
    /// In the order the "may contain" help lists them.
    pub keywords: &'static [Keyword<T>],
}

impl<T> Block<T> {
    /// Reads the block of `owner` into `target`, then reports each required keyword it does
    /// not give (a keyword given in a statement that was wrong is not reported again).
    pub fn read(&self, owner: &Stmt, target: &mut T, errors: &mut Vec<SyntaxError>) {
        let statements = owner.block.as_deref().unwrap_or(&[]);
        let given = self.read_statements(statements, target, errors);
        for (keyword, given) in self.keywords.iter().zip(given) {
            if let (Some(example), None) = (keyword.required(), given) {
                errors.push(error::missing(
                    owner.keyword_span,
                    keyword.word,
                    self.context,
                    example,
                ));
            }
        }
    }

    /// Reads `statements` in order into `target`. A statement with an unknown or repeated
    /// keyword, or one that is wrong, is reported and skipped, and the next one is read.
    /// Returns where each keyword of the table was first given.
    pub fn read_statements(
        &self,
        statements: &[Stmt],
        target: &mut T,
        errors: &mut Vec<SyntaxError>,
    ) -> Vec<Option<Span>> {
        let mut first = vec![None; self.keywords.len()];
        for stmt in statements {
            let Some(index) = self.keywords.iter().position(|k| k.word == stmt.keyword) else {
                errors.push(self.unknown(stmt));
                continue;
            };
            let keyword = &self.keywords[index];
            match first[index] {
                None => first[index] = Some(stmt.keyword_span),
                Some(first) if !keyword.repeats() => {
                    errors.push(error::repeated(stmt.keyword_span, first, keyword.word));
                    continue;
                }
                Some(_) => {}
            }
            match keyword.read {
                Read::Arguments(read) => {
                    if let Err(e) = line(stmt, |args| read(target, args)) {
                        errors.push(e);
                    }
                }
                Read::Statement(read) => read(target, stmt, errors),
            }
        }
        first
    }

    fn unknown(&self, stmt: &Stmt) -> SyntaxError {
        let known: Vec<&str> = self.keywords.iter().map(|k| k.word).collect();
        error::unknown_keyword(stmt.keyword_span, &stmt.keyword, self.context, &known)
    }
}

#[cfg(test)]
mod tests {
    use super::super::statement::push;
    use super::*;
    use crate::source::FileId;
    use crate::syntax::cst;

    fn text(read: &mut Vec<String>, a: &mut Args) -> Result<(), SyntaxError> {
        push(read, a.string("").map(|s| s.value))
    }

    const TEST: Block<Vec<String>> = Block {
        context: "a test block",
        keywords: &[
            Keyword::new("once", Occurs::Once, text),
            Keyword::new("many", Occurs::Many, text),
            Keyword::new("needed", Occurs::Required("needed \"x\""), text),
            Keyword::new("some", Occurs::AtLeastOnce("some \"x\""), text),
        ],
    };

    /// What `TEST` reads from `body`, and the messages of the errors it reports.
    fn read(body: &str) -> (Vec<String>, Vec<String>) {
        let tree = cst::parse(FileId(0), &format!("test {{\n{body}}}\n")).unwrap();
        let (mut read, mut errors) = (Vec::new(), Vec::new());
        TEST.read(&tree.stmts[0], &mut read, &mut errors);
        (read, errors.into_iter().map(|e| e.0.message).collect())
    }

    #[test]
    fn every_mistake_is_reported_and_its_statement_skipped() {
        let (read, errors) = read(
            "once \"a\"\nonce \"b\"\nmany \"c\"\nmany \"d\"\nother\nneeded\nmany \"e\" {\n}\n",
        );
        assert_eq!(read, ["a", "c", "d"]);
        assert_eq!(
            errors,
            [
                "`once` is given twice",
                "unknown keyword `other` in a test block",
                "`needed` expects a string in double quotes, found nothing",
                "`many` does not take a block",
                "a test block has no `some`",
            ]
        );
    }

    #[test]
    fn a_keyword_needed_at_least_once_may_repeat() {
        let (read, errors) = read("some \"a\"\nsome \"b\"\n");
        assert_eq!(read, ["a", "b"]);
        assert_eq!(errors, ["a test block has no `needed`"]);
    }
}
