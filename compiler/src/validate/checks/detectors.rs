//! E213 detectors that cannot work: no pattern and no keywords, a pattern that is not a
//! regular expression, or one longer than DLP engines accept.

use crate::diagnostics::{quote, Diagnostic};
use crate::validate::{Context, ValidateError};

/// Longest pattern the DLP engines accept (Purview's limit).
const MAX_PATTERN: usize = 1024;

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for def in ctx.program.classes.values() {
        for d in &def.decl.detectors {
            if d.patterns.is_empty() && d.keywords.is_empty() {
                out.push(ValidateError(
                    Diagnostic::error(
                        "E213",
                        format!(
                            "detector {} has no `pattern` and no `keywords`",
                            quote(&d.name.text)
                        ),
                    )
                    .label(d.name.span, "this detector can never match")
                    .help("add `pattern \"…\"` or `keywords \"…\"`"),
                ));
            }
            for p in &d.patterns {
                let problem = if p.value.len() > MAX_PATTERN {
                    Some(format!(
                        "the pattern has {} characters; DLP engines accept at most {MAX_PATTERN}",
                        p.value.len()
                    ))
                } else {
                    regex_syntax::ParserBuilder::new()
                        .nest_limit(50)
                        .build()
                        .parse(&p.value)
                        .err()
                        .map(|e| match e {
                            regex_syntax::Error::Parse(e) => e.kind().to_string(),
                            regex_syntax::Error::Translate(e) => e.kind().to_string(),
                            _ => "not a valid regular expression".to_string(),
                        })
                };
                if let Some(problem) = problem {
                    out.push(ValidateError(
                        Diagnostic::error("E213", format!("invalid pattern in detector {}", quote(&d.name.text)))
                            .label(p.span, problem)
                            .help("use the portable subset: literal text, `[0-9]` style classes, groups, `|`, and bounded repeats such as `{4}`"),
                    ));
                }
            }
        }
    }
}
