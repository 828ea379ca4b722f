//! The concrete syntax tree: the pest grammar's output as generic statements (a keyword, its
//! arguments and an optional block), with every comment kept.

use super::ast::Comment;
use super::error::{self, SyntaxError};
use crate::source::{FileId, Span};
use pest::iterators::Pair;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "compiler/src/syntax/grammar.pest"]
struct Grammar;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgKind {
    Word(String),
    /// The text between the quotes, escapes not yet decoded.
    Str(String),
    Comma,
    Colon,
}

#[derive(Clone, Debug)]
pub struct Arg {
    pub kind: ArgKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub keyword: String,
    pub keyword_span: Span,
    pub args: Vec<Arg>,
    pub block: Option<Vec<Stmt>>,
    pub docs: Vec<String>,
    /// From the keyword to the end of the statement (including its block).
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SyntaxTree {
    pub stmts: Vec<Stmt>,
    pub comments: Vec<Comment>,
}

pub fn parse(file: FileId, text: &str) -> Result<SyntaxTree, SyntaxError> {
    let mut pairs = Grammar::parse(Rule::file, text).map_err(|e| convert_error(file, text, e))?;
    let root = pairs.next().expect("the file rule always yields one pair");
    let mut tree = SyntaxTree {
        stmts: Vec::new(),
        comments: Vec::new(),
    };
    for pair in root.into_inner() {
        match pair.as_rule() {
            Rule::decl => {
                let stmt = statement(file, pair, &mut tree.comments);
                tree.stmts.push(stmt);
            }
            Rule::comment => tree.comments.push(comment(file, pair)),
            _ => {}
        }
    }
    Ok(tree)
}

fn span_of(file: FileId, pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(file, s.start(), s.end())
}

fn comment(file: FileId, pair: Pair<Rule>) -> Comment {
    Comment {
        span: span_of(file, &pair),
        text: pair.as_str().to_string(),
    }
}

/// `decl`, `member` and `leaf` all have the shape: doc lines, a header, maybe a block.
fn statement(file: FileId, pair: Pair<Rule>, comments: &mut Vec<Comment>) -> Stmt {
    let mut docs = Vec::new();
    let mut keyword = None;
    let mut args = Vec::new();
    let mut block = None;
    let mut end = pair.as_span().end();
    let mut start = pair.as_span().start();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::doc => docs.push(part.as_str()[3..].trim().to_string()),
            Rule::comment => comments.push(comment(file, part)),
            Rule::header => {
                start = part.as_span().start();
                end = part.as_span().end();
                for token in part.into_inner() {
                    let span = span_of(file, &token);
                    match token.as_rule() {
                        Rule::word if keyword.is_none() => {
                            keyword = Some((token.as_str().to_string(), span))
                        }
                        Rule::word => args.push(Arg {
                            kind: ArgKind::Word(token.as_str().to_string()),
                            span,
                        }),
                        Rule::string => {
                            let inner = token.as_str();
                            args.push(Arg {
                                kind: ArgKind::Str(inner[1..inner.len() - 1].to_string()),
                                span,
                            })
                        }
                        Rule::comma => {
                            for c in token.into_inner() {
                                comments.push(comment(file, c));
                            }
                            args.push(Arg {
                                kind: ArgKind::Comma,
                                span: Span::new(file, span.start, span.start + 1),
                            })
                        }
                        Rule::colon => args.push(Arg {
                            kind: ArgKind::Colon,
                            span,
                        }),
                        _ => {}
                    }
                }
            }
            Rule::block1 | Rule::block2 => {
                end = part.as_span().end();
                let mut stmts = Vec::new();
                for inner in part.into_inner() {
                    match inner.as_rule() {
                        Rule::member | Rule::leaf => stmts.push(statement(file, inner, comments)),
                        Rule::comment => comments.push(comment(file, inner)),
                        _ => {}
                    }
                }
                block = Some(stmts);
            }
            _ => {}
        }
    }
    let (keyword, keyword_span) = keyword.expect("the grammar requires a keyword in every header");
    let docs = paragraphs(&docs);
    Stmt {
        keyword,
        keyword_span,
        args,
        block,
        docs,
        span: Span::new(file, start, end),
    }
}

/// Consecutive `///` lines form one paragraph; an empty `///` line starts the next.
fn paragraphs(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn describe_found(text: &str, pos: usize) -> (String, usize) {
    match text[pos..].chars().next() {
        None => ("end of file".to_string(), pos),
        Some('\n') | Some('\r') => ("end of line".to_string(), pos),
        Some(c) => (format!("`{}`", c.escape_default()), pos + c.len_utf8()),
    }
}

fn convert_error(file: FileId, text: &str, e: pest::error::Error<Rule>) -> SyntaxError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let (found, end) = describe_found(text, pos);
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().map(rule_name).collect();
            names.sort();
            names.dedup();
            match names.len() {
                0 => "a statement".to_string(),
                1 => names[0].to_string(),
                _ => {
                    let last = names.pop().unwrap_or_default();
                    format!("{} or {last}", names.join(", "))
                }
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    error::unexpected(Span::new(file, pos, end), &found, &expected)
}

fn rule_name(rule: &Rule) -> &'static str {
    match rule {
        Rule::word | Rule::header => "a keyword or value",
        Rule::string | Rule::chars => "a string",
        Rule::comma => "`,`",
        Rule::colon => "`:`",
        Rule::block1 | Rule::block2 => "`{`",
        Rule::EOI => "the end of the file",
        Rule::doc | Rule::doc_line => "a doc comment",
        Rule::comment => "a comment",
        Rule::decl | Rule::member | Rule::leaf => "a statement",
        _ => "the end of the line",
    }
}
