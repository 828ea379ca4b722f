//! Gives the generic statements of the concrete tree their meaning. Every block (the file, a
//! declaration, a `detect` block) is read through one keyword table (`block.rs`) that says
//! what it accepts and how each statement is read; each declaration has its file and table.
//! Errors are collected, not fatal: a bad statement is reported and skipped, so that one run
//! shows every mistake.

mod block;
mod channel;
mod class;
mod exception;
mod harden;
mod import;
mod incident;
mod policy;
mod review;
mod statement;
mod tier;
mod values;

use super::ast::{Decl, Module};
use super::cst::SyntaxTree;
use super::error::SyntaxError;
use crate::source::FileId;
use block::{Block, Keyword};

/// The declarations of a file. Each entry adds the declaration its statement makes: none if
/// the statement is incomplete, its errors reported.
const FILE: Block<Vec<Decl>> = Block {
    context: "a policy file",
    keywords: &[
        Keyword::statements("policy", |decls, s, e| decls.extend(policy::lower(s, e))),
        Keyword::statements("import", |decls, s, e| decls.extend(import::lower(s, e))),
        Keyword::statements("class", |decls, s, e| decls.extend(class::lower(s, e))),
        Keyword::statements("channel", |decls, s, e| decls.extend(channel::lower(s, e))),
        Keyword::statements("tier", |decls, s, e| decls.extend(tier::lower(s, e))),
        Keyword::statements("exception", |decls, s, e| {
            decls.extend(exception::lower(s, e))
        }),
        Keyword::statements("review", |decls, s, e| decls.extend(review::lower(s, e))),
        Keyword::statements("incident", |decls, s, e| {
            decls.extend(incident::lower(s, e))
        }),
        Keyword::statements("harden", |decls, s, e| decls.extend(harden::lower(s, e))),
    ],
};

pub fn lower(file: FileId, tree: SyntaxTree) -> (Module, Vec<SyntaxError>) {
    let mut errors = Vec::new();
    let mut decls = Vec::new();
    FILE.read_statements(&tree.stmts, &mut decls, &mut errors);
    let module = Module {
        file,
        decls,
        comments: tree.comments,
    };
    (module, errors)
}
