//! The minijinja environment shared by every templated target, with the filters that make a
//! policy string safe in each kind of output.

use super::error::{render_failed, EmitError};
use crate::ir::{date, Ir};
use minijinja::{Environment, Error, ErrorKind, Value};
use std::sync::OnceLock;
use time::Date;

/// Every template, embedded: `targets/<target>/<file>.j2`.
const TEMPLATES: &[(&str, &str)] = &[
    ("hosts", include_str!("../../../targets/hosts/hosts.j2")),
    (
        "unbound",
        include_str!("../../../targets/unbound/msgpol.conf.j2"),
    ),
    (
        "guide-md/guide.md",
        include_str!("../../../targets/guide-md/guide.md.j2"),
    ),
    (
        "guide-html/guide.html",
        include_str!("../../../targets/guide-html/guide.html.j2"),
    ),
    (
        "dnsmasq",
        include_str!("../../../targets/dnsmasq/msgpol.conf.j2"),
    ),
    (
        "rpz",
        include_str!("../../../targets/rpz/msgpol.rpz.zone.j2"),
    ),
    (
        "adblock",
        include_str!("../../../targets/adblock/msgpol.txt.j2"),
    ),
    (
        "squid-acl",
        include_str!("../../../targets/squid/msgpol-banned.txt.j2"),
    ),
    (
        "squid-allow",
        include_str!("../../../targets/squid/msgpol-allowed.txt.j2"),
    ),
    (
        "squid-conf",
        include_str!("../../../targets/squid/msgpol.conf.j2"),
    ),
    ("pac", include_str!("../../../targets/pac/msgpol.pac.j2")),
    (
        "suricata",
        include_str!("../../../targets/suricata/msgpol.rules.j2"),
    ),
    (
        "nftables",
        include_str!("../../../targets/nftables/msgpol.nft.j2"),
    ),
    (
        "ipset",
        include_str!("../../../targets/ipset/msgpol.ipset.j2"),
    ),
    ("pf", include_str!("../../../targets/pf/msgpol.pf.conf.j2")),
    (
        "windows-firewall",
        include_str!("../../../targets/windows-firewall/msgpol-firewall.ps1.j2"),
    ),
    (
        "teams",
        include_str!("../../../targets/teams/msgpol-teams.ps1.j2"),
    ),
    ("yara", include_str!("../../../targets/yara/msgpol.yar.j2")),
    (
        "purview-ps",
        include_str!("../../../targets/purview/msgpol-dlp-policies.ps1.j2"),
    ),
];

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .expect("the shipped templates parse");
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

pub fn render(template: &str, context: Value) -> Result<String, EmitError> {
    environment()
        .get_template(template)
        .and_then(|t| t.render(context))
        .map_err(|e| render_failed(template, format!("{e:#}")))
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
