//! The minijinja environment shared by every templated target, with the filters that make a
//! policy string safe in each kind of output.

use super::encode;
use super::error::{render_failed, EmitError};
use crate::ir::{date, Ir};
use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Value};
use std::sync::OnceLock;

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
        // HTML templates escape every plain string as HTML text; every other template is
        // "encoded": it prints only what an encoder filter made (see `print_encoded`).
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html.j2") {
                AutoEscape::Html
            } else {
                AutoEscape::Custom(ENCODED)
            }
        });
        let templates = super::all_targets().iter().flat_map(|t| t.info().templates);
        for template in templates {
            // Two targets may render the same template (the guides): added once.
            if env.get_template(template.path).is_err() {
                env.add_template(template.path, template.source)
                    .expect("the shipped templates parse");
            }
        }
        // The filters that would mark any string as already escaped are gone: only the
        // encoders below (and text msgpol itself ships) are marked so.
        for bypass in ["safe", "escape", "e", "urlencode", "tojson"] {
            env.remove_filter(bypass);
        }
        env.add_filter("dns_name", |v: &str| checked(encode::dns_name(v)));
        env.add_filter("network", |v: &str| checked(encode::network(v)));
        env.add_filter("identifier", |v: &str| checked(encode::identifier(v)));
        env.add_filter("comment", |v: &str| encoded(encode::comment(v)));
        env.add_filter("md", |v: &str| encoded(encode::markdown(v)));
        env.add_filter("ps", |v: &str| encoded(encode::powershell(v)));
        env.add_filter("yara_string", |v: &str| encoded(encode::yara_string(v)));
        env.add_filter("suricata_msg", |v: &str| encoded(encode::suricata_msg(v)));
        // An address's `mailto:` URL, or none (the template then prints no link).
        env.add_filter("mailto", |v: &str| encode::mailto(v).map(encoded));
        env.add_filter("join", join);
        env.add_filter("replace", replace);
        env.set_formatter(print_encoded);
        env
    })
}

/// The auto-escape mode of every template but the HTML ones.
const ENCODED: &str = "encoded";

/// A value an encoder made, marked so for the formatter.
pub fn encoded(text: String) -> Value {
    Value::from_safe_string(text)
}

fn checked(result: Result<&str, encode::Refused>) -> Result<Value, Error> {
    result
        .map(|text| encoded(text.to_string()))
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.0))
}

/// Print a value: what an encoder made as it is, numbers and booleans as they are. A plain
/// string is HTML-encoded in an HTML template and refused in any other, so a template cannot
/// print a policy string without its context's encoder.
fn print_encoded(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &Value,
) -> Result<(), Error> {
    let text = printable(value, state.auto_escape() == AutoEscape::Html)?;
    out.write_str(&text).map_err(Error::from)
}

fn printable(value: &Value, html: bool) -> Result<String, Error> {
    match value.kind() {
        ValueKind::String if value.is_safe() => Ok(value.as_str().unwrap_or_default().to_string()),
        ValueKind::String if html => Ok(encode::html_text(value.as_str().unwrap_or_default())),
        ValueKind::Number | ValueKind::Bool => Ok(value.to_string()),
        _ => {
            let mut shown: String = value.to_string().chars().take(60).collect();
            shown.push('…');
            Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("{shown:?} is printed without its context's encoder (a filter such as `comment`, `ps`, `md`)"),
            ))
        }
    }
}

/// `replace`, replacing minijinja's: the text and what replaces are printed as the formatter
/// prints them; what is replaced is the template's own text.
fn replace(
    state: &minijinja::State,
    value: &Value,
    from: &str,
    to: &Value,
) -> Result<Value, Error> {
    let html = state.auto_escape() == AutoEscape::Html;
    let from = if html {
        encode::html_text(from)
    } else {
        from.to_string()
    };
    Ok(encoded(
        printable(value, html)?.replace(&from, &printable(to, html)?),
    ))
}

/// `join`, replacing minijinja's: every item is printed as the formatter prints it (so a plain
/// string is refused outside HTML); the separator is the template's own text.
fn join(state: &minijinja::State, items: &Value, separator: Option<&str>) -> Result<Value, Error> {
    let html = state.auto_escape() == AutoEscape::Html;
    let separator = separator.unwrap_or_default();
    let separator = if html {
        encode::html_text(separator)
    } else {
        separator.to_string()
    };
    let mut out = String::new();
    for (i, item) in items.try_iter()?.enumerate() {
        if i > 0 {
            out.push_str(&separator);
        }
        out.push_str(&printable(&item, html)?);
    }
    Ok(encoded(out))
}

/// For `#[serde(serialize_with = "own_text")]`: text msgpol itself writes (a keyword, a
/// command it ships, syntax it built from encoded parts), printed as it is.
pub fn own_text<T: AsRef<str>, S: serde::Serializer>(text: &T, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&encoded(text.as_ref().to_string()), s)
}

/// What the header of every generated file states: which policy, which version, as of when.
#[derive(serde::Serialize)]
pub struct Header<'a> {
    pub title: &'a str,
    pub organisation: &'a str,
    pub version: &'a str,
    /// `YYYY-MM-DD`, written by msgpol: printed as it is.
    pub evaluation_date: Value,
}

impl<'a> Header<'a> {
    pub fn of(ir: &'a Ir) -> Self {
        Header {
            title: &ir.policy.title,
            organisation: &ir.policy.organisation,
            version: &ir.policy.version,
            evaluation_date: encoded(date::format(ir.evaluation_date)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn render_source(name: &str, source: &str, context: Value) -> Result<String, Error> {
        let env = environment();
        let mut env = env.clone();
        env.add_template_owned(name.to_string(), source.to_string())?;
        env.get_template(name)?.render(context)
    }

    #[test]
    fn a_policy_string_printed_without_its_encoder_is_refused() {
        let context = minijinja::context! { title => "Acme\nserver:" };
        let raw = render_source("x/raw.conf.j2", "# {{ title }}\n", context.clone());
        assert!(raw.is_err(), "{raw:?}");
        let joined = render_source(
            "x/join.conf.j2",
            "# {{ [title]|join(\", \") }}\n",
            context.clone(),
        );
        assert!(joined.is_err(), "{joined:?}");
        assert_eq!(
            render_source("x/ok.conf.j2", "# {{ title|comment }}\n", context.clone()).unwrap(),
            "# Acme server:\n"
        );
        assert!(render_source("x/safe.conf.j2", "{{ title|safe }}", context.clone()).is_err());
        // HTML templates encode plain strings themselves.
        assert_eq!(
            render_source(
                "x/page.html.j2",
                "<p>{{ title }}</p>",
                minijinja::context! { title => "<b>" }
            )
            .unwrap(),
            "<p>&lt;b&gt;</p>"
        );
    }
}
