//! `--error-format sarif`: the diagnostics as one SARIF 2.1.0 run (for code-scanning services),
//! serialised by serde. Each code that occurs is a rule whose help is its error page; each
//! diagnostic a result located at its first label, its other labels related locations.

use super::{Code, Diagnostic, Label, Severity};
use crate::source::SourceMap;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a URI reference may not hold unescaped, besides controls: a path's `/` stays.
const URI_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Policy files, relative to the policy root (GitHub's name for a checkout's root).
const SOURCE_ROOT: &str = "%SRCROOT%";
/// Standard-library modules, embedded in msgpol.
const STDLIB_ROOT: &str = "MSGPOL_STDLIB";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    original_uri_base_ids: BTreeMap<&'static str, BaseId>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct BaseId {
    description: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(code: Code) -> &'static str {
    match code.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A file as a URI reference: `<std.channels>` is the standard library's `std/channels.msgpol`.
fn artifact(file: &str) -> ArtifactLocation {
    match file.strip_prefix("<std.").and_then(|m| m.strip_suffix('>')) {
        Some(module) => ArtifactLocation {
            uri: format!("std/{}.msgpol", utf8_percent_encode(module, URI_ESCAPES)),
            uri_base_id: STDLIB_ROOT,
        },
        None => ArtifactLocation {
            uri: utf8_percent_encode(&file.replace('\\', "/"), URI_ESCAPES).to_string(),
            uri_base_id: SOURCE_ROOT,
        },
    }
}

fn location(label: &Label, map: &SourceMap, id: Option<usize>) -> SarifLocation {
    let file = map.get(label.span.file);
    let (start_line, start_column) = file.line_col(label.span.start);
    let (end_line, end_column) = file.line_col(label.span.end.max(label.span.start));
    SarifLocation {
        id,
        physical_location: PhysicalLocation {
            artifact_location: artifact(&file.name),
            region: Region {
                start_line,
                start_column,
                end_line,
                // SARIF's end column is past the region: an empty span still covers a column.
                end_column: if (end_line, end_column) == (start_line, start_column) {
                    end_column + 1
                } else {
                    end_column
                },
            },
        },
        message: Text {
            text: label.text.clone(),
        },
    }
}

pub fn render(diags: &[Diagnostic], map: &SourceMap) -> String {
    let mut codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    codes.sort();
    codes.dedup();
    let rules = codes
        .iter()
        .map(|&code| Rule {
            id: code.to_string(),
            short_description: Text {
                text: code.summary().to_string(),
            },
            help: Help {
                text: format!("{}: see docs/errors/{code}.md", code.summary()),
                markdown: code.explanation(),
            },
            default_configuration: Configuration { level: level(code) },
        })
        .collect();
    let results = diags
        .iter()
        .map(|d| {
            let mut labels = d.labels.iter();
            let text = match &d.help {
                Some(help) => format!("{}\nhelp: {help}", d.message),
                None => d.message.clone(),
            };
            SarifResult {
                rule_id: d.code.to_string(),
                rule_index: codes.binary_search(&d.code).expect("every code is a rule"),
                level: level(d.code),
                message: Text { text },
                locations: labels
                    .next()
                    .map(|l| location(l, map, None))
                    .into_iter()
                    .collect(),
                related_locations: labels
                    .enumerate()
                    .map(|(i, l)| location(l, map, Some(i + 1)))
                    .collect(),
            }
        })
        .collect();
    let log = Log {
        schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "msgpol",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            original_uri_base_ids: BTreeMap::from([
                (
                    SOURCE_ROOT,
                    BaseId {
                        description: Text {
                            text: "the policy root: the directory of the file given to msgpol".into(),
                        },
                    },
                ),
                (
                    STDLIB_ROOT,
                    BaseId {
                        description: Text {
                            text: "the standard library embedded in msgpol (stdlib/ in its source)".into(),
                        },
                    },
                ),
            ]),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).expect("a SARIF log serialises");
    out.push('\n');
    out
}
