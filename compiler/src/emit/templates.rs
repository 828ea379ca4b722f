//! The minijinja environment shared by every templated target, with the filters that make a
//! policy string safe in each kind of output.

use super::error::{render_failed, EmitError};
use crate::ir::{date, Ir};
use minijinja::{Environment, Error, ErrorKind, Value};
use std::sync::OnceLock;
use time::Date;

/// A template of the repository's `targets/` folder, embedded in the binary. Each target names
/// the templates it renders in its `TargetInfo`; the environment holds exactly those.
pub struct Template {
    /// Its path under `targets/`, which also chooses the auto-escaping (`.html.j2`: HTML).
    pub path: &'static str,
    pub source: &'static str,
}

impl Template {
    /// The file it renders: its file name without `.j2` (`unbound/msgpol.conf.j2` renders
    /// `msgpol.conf`).
    pub fn output(&self) -> &'static str {
        let file = self.path.rsplit('/').next().unwrap_or(self.path);
        file.strip_suffix(".j2").unwrap_or(file)
    }
}

/// `template!("hosts/hosts.j2")`: the template `targets/hosts/hosts.j2`, embedded.
macro_rules! template {
    ($path:literal) => {
        $crate::emit::Template {
            path: $path,
            source: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/targets/", $path)),
        }
    };
}
pub(crate) use template;

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let templates = super::all_targets().iter().flat_map(|t| t.info().templates);
        for template in templates {
            // Two targets may render the same template (the guides): added once.
            if env.get_template(template.path).is_err() {
                env.add_template(template.path, template.source)
                    .expect("the shipped templates parse");
            }
        }
        env.add_filter("dns_name", dns_name);
        env.add_filter("comment", comment);
        env.add_filter("md", markdown);
        env.add_filter("network", network);
        env.add_filter("ps", powershell);
        env.set_formatter(strip_controls_in_html);
        env
    })
}

/// In HTML templates (auto-escaped by their `.html` name) a policy string also loses its
/// control characters, which HTML cannot show and a validator rejects.
fn strip_controls_in_html(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &Value,
) -> Result<(), Error> {
    match value.as_str() {
        Some(text)
            if state.auto_escape() == minijinja::AutoEscape::Html
                && !value.is_safe()
                && text.chars().any(char::is_control) =>
        {
            minijinja::escape_formatter(out, state, &Value::from(one_line(text)))
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// What the header of every generated file states: which policy, which version, as of when.
#[derive(serde::Serialize)]
pub struct Header<'a> {
    pub title: &'a str,
    pub organisation: &'a str,
    pub version: &'a str,
    #[serde(with = "date::iso")]
    pub evaluation_date: Date,
}

impl<'a> Header<'a> {
    pub fn of(ir: &'a Ir) -> Self {
        Header {
            title: &ir.policy.title,
            organisation: &ir.policy.organisation,
            version: &ir.policy.version,
            evaluation_date: ir.evaluation_date,
        }
    }

    /// The header as template variables, to spread into a `context!`.
    pub fn value(ir: &Ir) -> Value {
        Value::from_serialize(Header::of(ir))
    }
}

pub fn render(template: &Template, context: Value) -> Result<String, EmitError> {
    environment()
        .get_template(template.path)
        .and_then(|t| t.render(context))
        .map_err(|e| render_failed(template.path, format!("{e:#}")))
}

/// Whether a string is a normalised domain name: only `[a-z0-9._-]`.
pub fn is_dns_name(value: &str) -> bool {
    // A table lookup per byte: every name of a million-line feed passes here once per target.
    const ALLOWED: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            table[b] =
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'_');
            b += 1;
        }
        table
    };
    !value.is_empty() && value.bytes().all(|b| ALLOWED[b as usize])
}

/// A normalised domain name, checked again at the last moment.
fn dns_name(value: String) -> Result<String, Error> {
    let ok = is_dns_name(&value);
    if ok {
        Ok(value)
    } else {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("refusing to write {value:?} as a DNS name"),
        ))
    }
}

/// A normalised network, checked again at the last moment: only hex digits, `.`, `:` and `/`.
fn network(value: String) -> Result<String, Error> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'/'));
    if ok {
        Ok(value)
    } else {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("refusing to write {value:?} as a network"),
        ))
    }
}

/// A PowerShell single-quoted string literal: `'` doubled, control characters dropped.
pub fn powershell(value: String) -> String {
    let mut out = String::from("'");
    for c in value.chars().filter(|c| !c.is_control()) {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Text inside a comment: one line, no control characters.
pub fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn comment(value: String) -> String {
    one_line(&value)
}

/// Text inside Markdown: characters with a Markdown or HTML meaning are escaped, so a policy
/// string can never become a link, an image, HTML or a table cell break.
fn markdown(value: String) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '{' | '}' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_what_could_become_markup() {
        assert_eq!(
            markdown("[x](javascript:y) <b>|".into()),
            "\\[x\\](javascript:y) \\<b\\>\\|"
        );
    }

    #[test]
    fn powershell_strings_cannot_be_escaped() {
        assert_eq!(powershell("it's $(Get-Item)".into()), "'it''s $(Get-Item)'");
        assert_eq!(powershell("a\u{2019}b\nc".into()), "'a\u{2019}\u{2019}bc'");
    }

    #[test]
    fn dns_name_refuses_anything_else() {
        assert!(dns_name("whatsapp.com".into()).is_ok());
        assert!(dns_name("a\"; rm".into()).is_err());
        assert!(dns_name("A.com".into()).is_err());
    }
}
