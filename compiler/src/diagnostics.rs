//! Diagnostics shared by every stage: a stable code, a lowercase message, labelled spans and a
//! help line. Stages wrap `Diagnostic` in their own error type; the CLI renders them as human
//! (graphical), plain (screen-reader friendly) or JSON reports.

mod code;
mod excerpt;
mod github;
mod sarif;

pub use code::{Code, Stage};

use crate::source::{Location, SourceMap, Span};
use excerpt::Excerpt;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NarratableReportHandler};
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// The code's severity: a call site cannot choose another.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

/// Quote user input for a message: in backticks, control characters escaped, long input cut.
pub fn quote(input: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::from("`");
    for (count, c) in input.chars().enumerate() {
        if count == MAX {
            out.push('…');
            break;
        }
        if c.is_control() || c == '`' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// "did you mean `x`?" for the closest candidate, if any is close enough.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    if input.len() > 200 {
        return None;
    }
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| format!("did you mean {}?", quote(c)))
}

/// Lines longer than this are not shown as a snippet: the location is named instead.
const MAX_SNIPPET_LINE: usize = 400;

/// Labels more lines apart than this are shown in separate snippets.
const MAX_SNIPPET_GAP: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    Human,
    Plain,
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl ErrorFormat {
    /// Read by a program, not a person: printed on standard output, alone.
    pub fn for_programs(self) -> bool {
        matches!(
            self,
            ErrorFormat::Json | ErrorFormat::Sarif | ErrorFormat::Github
        )
    }
}

/// A diagnostic made self-contained for miette: it owns its source snippet.
#[derive(Debug)]
struct Rendered {
    message: String,
    /// `None` for a "see also" snippet.
    code: Option<Code>,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .map(|code| Box::new(code) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.code.map(Code::severity) {
            Some(Severity::Error) => miette::Severity::Error,
            Some(Severity::Warning) => miette::Severity::Warning,
            None => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

fn line_too_long(map: &SourceMap, span: Span) -> bool {
    map.get(span.file).line_around(span.start).len() > MAX_SNIPPET_LINE
}

fn render_for_miette(diag: &Diagnostic, map: &SourceMap) -> Rendered {
    let mut message = diag.message.clone();
    let mut related: Vec<Rendered> = Vec::new();
    // Labels are shown in snippets: the first holds the primary label and those near it; a
    // label in another file or far away starts (or joins) a "see also" snippet.
    let mut snippets: Vec<(Span, Vec<&Label>)> = Vec::new();
    for (index, label) in diag.labels.iter().enumerate() {
        if line_too_long(map, label.span) {
            // A snippet of a multi-megabyte line would flood the terminal: name the place.
            let location = map.location(label.span);
            if index == 0 {
                message = format!("{message} (at {location})");
            } else {
                related.push(see_also(
                    format!("{} (at {location})", label.text),
                    None,
                    Vec::new(),
                ));
            }
            continue;
        }
        let line = |span: Span| map.get(span.file).line_col(span.start).0;
        let near = snippets.iter_mut().find(|(anchor, _)| {
            anchor.file == label.span.file
                && line(*anchor).abs_diff(line(label.span)) <= MAX_SNIPPET_GAP
        });
        match near {
            Some((_, labels)) => labels.push(label),
            None => snippets.push((label.span, vec![label])),
        }
    }
    // Each snippet shows an excerpt of its file: the lines around its labels, escaped.
    let excerpt = |anchor: Span, labels: Vec<&Label>| {
        let file = map.get(anchor.file);
        let from = labels
            .iter()
            .map(|l| l.span.start)
            .min()
            .unwrap_or(anchor.start);
        let to = labels
            .iter()
            .map(|l| l.span.end)
            .max()
            .unwrap_or(anchor.end);
        let excerpt = Excerpt::of(file, from, to);
        let labels = labels
            .into_iter()
            .map(|l| {
                let start = excerpt.offset(file, l.span.start);
                let end = excerpt.offset(file, l.span.end.max(l.span.start));
                LabeledSpan::new(Some(l.text.clone()), start, end - start)
            })
            .collect();
        (excerpt, labels)
    };
    let mut snippets = snippets.into_iter();
    let (source, labels) = match snippets.next() {
        Some((anchor, labels)) => {
            let (source, labels) = excerpt(anchor, labels);
            (Some(source), labels)
        }
        None => (None, Vec::new()),
    };
    for (anchor, labels) in snippets {
        let (source, labels) = excerpt(anchor, labels);
        related.push(see_also("see also".to_string(), Some(source), labels));
    }
    Rendered {
        message,
        code: Some(diag.code),
        help: diag.help.clone(),
        source,
        labels,
        related,
    }
}

fn see_also(message: String, source: Option<Excerpt>, labels: Vec<LabeledSpan>) -> Rendered {
    Rendered {
        message,
        code: None,
        help: None,
        source,
        labels,
        related: Vec::new(),
    }
}

#[derive(Serialize)]
struct JsonLabel {
    #[serde(flatten)]
    location: Location,
    end_line: usize,
    end_column: usize,
    message: String,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: Code,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    labels: Vec<JsonLabel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

/// Render diagnostics for a terminal (`human`), a screen reader (`plain`), a pipeline (`json`),
/// a code-scanning service (`sarif`) or a GitHub Actions log (`github`).
/// `width` fixes the line width (tests use it for stable snapshots).
pub fn render(
    diags: &[Diagnostic],
    map: &SourceMap,
    format: ErrorFormat,
    width: usize,
    colour: bool,
) -> String {
    match format {
        ErrorFormat::Sarif => sarif::render(diags, map),
        ErrorFormat::Github => github::render(diags, map),
        ErrorFormat::Json => {
            let items: Vec<JsonDiagnostic> = diags
                .iter()
                .map(|d| JsonDiagnostic {
                    code: d.code,
                    severity: d.severity(),
                    message: &d.message,
                    location: d.primary_span().map(|s| map.location(s)),
                    labels: d
                        .labels
                        .iter()
                        .map(|l| {
                            let end = map.get(l.span.file).line_col(l.span.end);
                            JsonLabel {
                                location: map.location(l.span),
                                end_line: end.0,
                                end_column: end.1,
                                message: l.text.clone(),
                            }
                        })
                        .collect(),
                    help: d.help.as_deref(),
                })
                .collect();
            let mut out = serde_json::to_string_pretty(&items).expect("diagnostics serialise");
            out.push('\n');
            out
        }
        ErrorFormat::Human | ErrorFormat::Plain => {
            let mut out = String::new();
            for diag in diags {
                let rendered = render_for_miette(diag, map);
                if format == ErrorFormat::Human {
                    let theme = if colour {
                        GraphicalTheme::unicode()
                    } else {
                        GraphicalTheme::unicode_nocolor()
                    };
                    GraphicalReportHandler::new_themed(theme)
                        .with_width(width)
                        .with_links(false)
                        .render_report(&mut out, &rendered)
                        .expect("writing to a string cannot fail");
                } else {
                    NarratableReportHandler::new()
                        .render_report(&mut out, &rendered)
                        .expect("writing to a string cannot fail");
                }
                out.push('\n');
            }
            out
        }
    }
}

/// One line per run: how many errors and warnings.
pub fn summary(diags: &[Diagnostic]) -> Option<String> {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => None,
        (0, w) => Some(plural(w, "warning")),
        (e, 0) => Some(plural(e, "error")),
        (e, w) => Some(format!("{}, {}", plural(e, "error"), plural(w, "warning"))),
    }
}

/// Gives each stage its own error type around the shared `Diagnostic`.
macro_rules! stage_error {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        pub struct $name(pub crate::diagnostics::Diagnostic);

        impl From<$name> for crate::diagnostics::Diagnostic {
            fn from(error: $name) -> Self {
                error.0
            }
        }
    };
}
pub(crate) use stage_error;

/// E301: a file named on the command line cannot be read (explained in `diagnostics/E301.md`).
pub fn io_error(path: &std::path::Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        Code::E301,
        format!(
            "cannot read {}: {}",
            quote(&path.display().to_string()),
            describe_io(error)
        ),
    )
    .help("check the path and that you may read the file")
}

/// An I/O error in lowercase words, without the OS error number.
pub fn describe_io(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "no such file".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = error.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_string();
            text.to_lowercase()
        }
    }
}
