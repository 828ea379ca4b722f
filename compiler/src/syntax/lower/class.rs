//! `class NAME [: PARENT] ["Label"] { … }` and the `detect` blocks inside it.

use super::block::{
    Block, Keyword,
    Occurs::{Many, Once},
};
use super::statement::{extend, named_head, opening, push, report, set};
use super::values::{confidence, delete_after, keep_at_least, requirements, strings};
use crate::syntax::args::Args;
use crate::syntax::ast::{Class, Decl, Detector, Near, Spanned};
use crate::syntax::cst::Stmt;
use crate::syntax::error::SyntaxError;
use crate::vocabulary::Checksum;

const CLASS: Block<Class> = Block {
    context: "a class",
    keywords: &[
        Keyword::new("requires", Once, |c, a| {
            extend(&mut c.requires, requirements(a))
        }),
        Keyword::new("keep", Once, |c, a| {
            set(&mut c.retention.keep_at_least, keep_at_least(a))
        }),
        Keyword::new("delete", Once, |c, a| {
            set(&mut c.retention.delete_after, delete_after(a))
        }),
        Keyword::statements("detect", |c, s, errors| {
            c.detectors.extend(detector(s, errors));
        }),
    ],
};

pub fn lower(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Decl> {
    let (name, parent, label) = report(errors, named_head(stmt, "class"))?;
    let mut class = Class {
        name,
        parent,
        label,
        requires: Vec::new(),
        retention: Default::default(),
        detectors: Vec::new(),
        docs: stmt.docs.clone(),
        span: stmt.span,
    };
    CLASS.read(stmt, &mut class, errors);
    Some(Decl::Class(class))
}

const DETECTOR: Block<Detector> = Block {
    context: "a detector",
    keywords: &[
        Keyword::new("pattern", Many, |d, a| {
            push(&mut d.patterns, a.string("e.g. `pattern \"[0-9]{4}\"`"))
        }),
        Keyword::new("keywords", Many, |d, a| {
            extend(
                &mut d.keywords,
                strings(a, "e.g. `keywords \"CONFIDENTIAL\", \"INTERNAL ONLY\"`"),
            )
        }),
        Keyword::new("check", Once, |d, a| {
            extend(&mut d.checks, a.list(checksum))
        }),
        Keyword::new("near", Once, |d, a| set(&mut d.near, near(a))),
        Keyword::new("confidence", Once, |d, a| {
            set(&mut d.confidence, confidence(a))
        }),
        Keyword::new("min-count", Once, |d, a| {
            set(&mut d.min_count, a.number(1, 1000))
        }),
        Keyword::new("case-sensitive", Once, |d, _| {
            d.case_sensitive = true;
            Ok(())
        }),
        Keyword::new("example", Many, |d, a| {
            push(&mut d.examples, a.string(EXAMPLE_HELP))
        }),
        Keyword::new("not-example", Many, |d, a| {
            push(&mut d.not_examples, a.string(EXAMPLE_HELP))
        }),
    ],
};

const EXAMPLE_HELP: &str = "one text per statement, e.g. `example \"card 4111 1111 1111 1111\"`";

fn detector(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Detector> {
    let name = report(
        errors,
        opening(stmt, "`detect card-number { pattern \"…\" }`", |a| {
            a.simple_name("the detector's name")
        }),
    )?;
    let mut detector = Detector {
        name,
        patterns: Vec::new(),
        keywords: Vec::new(),
        checks: Vec::new(),
        near: None,
        confidence: None,
        min_count: None,
        case_sensitive: false,
        examples: Vec::new(),
        not_examples: Vec::new(),
        docs: stmt.docs.clone(),
        span: stmt.span,
    };
    DETECTOR.read(stmt, &mut detector, errors);
    Some(detector)
}

/// `"word", … within N`.
fn near(a: &mut Args) -> Result<Near, SyntaxError> {
    let help = "e.g. `near \"card\", \"visa\" within 50`";
    let words = strings(a, help)?;
    a.expect("within", help)?;
    let within = a.number(1, 1000)?;
    Ok(Near { words, within })
}

/// `luhn`, `iban`, or `weighted W W … mod M`.
fn checksum(a: &mut Args) -> Result<Spanned<Checksum>, SyntaxError> {
    let Some(start) = a.eat("weighted") else {
        let simple = a.choice("a checksum", &[("luhn", true), ("iban", false)])?;
        return Ok(Spanned {
            value: if simple.value {
                Checksum::Luhn
            } else {
                Checksum::Iban
            },
            span: simple.span,
        });
    };
    let mut weights = Vec::new();
    let mut end = start;
    while a.eat("mod").is_none() {
        if weights.len() == MAX_WEIGHTS {
            return Err(a.fail(
                "`mod`",
                &format!("a weighted checksum has at most {MAX_WEIGHTS} weights, then `mod N`"),
            ));
        }
        let w = a.number(0, 99)?;
        end = w.span;
        weights.push(w.value);
    }
    if weights.is_empty() {
        return Err(a.fail(
            "a weight",
            "e.g. `check weighted 3 7 6 1 8 9 4 5 2 1 0 mod 11`",
        ));
    }
    let modulus = a.number(2, 1000)?;
    Ok(Spanned {
        value: Checksum::Weighted {
            weights,
            modulus: modulus.value,
        },
        span: start.to(end).to(modulus.span),
    })
}

/// Most weights in a `check weighted` (the longest identifiers DLP engines validate).
const MAX_WEIGHTS: usize = 34;
