//! `--error-format github`: one GitHub Actions workflow command per diagnostic
//! (`::error file=…,line=…::message`), which the runner shows as an annotation on the line.

use super::{Diagnostic, Severity};
use crate::source::SourceMap;

/// A workflow command's message: `%`, CR and LF escaped as the runner unescapes them.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: a message's escapes, and `:` and `,`, which end a value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(diags: &[Diagnostic], map: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = vec![format!("title={}", d.code)];
        let mut message = d.message.clone();
        if let Some(label) = d.labels.first() {
            let file = map.get(label.span.file);
            let (line, col) = file.line_col(label.span.start);
            let (end_line, end_col) = file.line_col(label.span.end.max(label.span.start));
            if file.name.starts_with("<std.") {
                // Not a file of the repository: name the place in the message.
                message = format!("{message} (at {}:{line}:{col})", file.name);
            } else {
                properties.splice(
                    0..0,
                    [
                        format!("file={}", property(&file.name)),
                        format!("line={line}"),
                        format!("col={col}"),
                        format!("endLine={end_line}"),
                        format!("endColumn={end_col}"),
                    ],
                );
            }
        }
        if let Some(help) = &d.help {
            message = format!("{message}\nhelp: {help}");
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            data(&message)
        ));
    }
    out
}
