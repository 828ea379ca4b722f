//! Markup contexts: XML (written by quick-xml and the plist crate, which escape markup
//! characters; the encoder checks what no escape can carry) and HTML.

use super::{refuse, Refused};

/// Whether XML 1.0 can hold a character at all (production `Char`): no control character but
/// tab, line feed and carriage return, no surrogate, no U+FFFE or U+FFFF.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// XML text or an attribute value, before the writer escapes `<`, `&`, `"`: refused if it
/// holds a character XML cannot, or a control character (a reader normalises a tab or line
/// break in an attribute to a space, so the text would not come back as written; validation
/// refuses them in policy text before a build).
pub fn xml_text(value: &str) -> Result<&str, Refused> {
    if value.chars().all(|c| is_xml_char(c) && !c.is_control()) {
        Ok(value)
    } else {
        Err(refuse(value, "XML text"))
    }
}

/// Text inside an XML comment: a comment has no escapes, so `--` (which would end or break
/// it) becomes `- -`, a final `-` gets a space after it, and line breaks become spaces.
pub fn xml_comment(value: &str) -> Result<String, Refused> {
    let text = xml_text(value)?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '-' && out.ends_with('-') {
            out.push(' ');
        }
        out.push(c);
    }
    if out.ends_with('-') {
        out.push(' ');
    }
    Ok(out)
}

/// HTML text or a quoted attribute value: `& < > " ' /` escaped (minijinja's HTML escape);
/// control characters and line separators, which HTML cannot show, and U+FFFE and U+FFFF,
/// which XML cannot hold (Santa's messages are HTML inside a plist), as spaces.
pub fn html_text(value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || !is_xml_char(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    minijinja::HtmlEscape(&clean).to_string()
}

/// An e-mail address as a `mailto:` URL for an HTML `href`, or `None` when `value` is not one
/// address: a local part, `@`, and a domain that is a DNS name with a dot (as msgpol
/// normalises names; an upper-case or international domain gets no link). Every byte of the
/// local part but RFC 3986's unreserved characters is percent-encoded (RFC 6068), so the URL
/// is ASCII letters, digits, `-._~%@:` only: nothing in it can end the attribute, and no
/// address can make it another scheme.
pub fn mailto(value: &str) -> Option<String> {
    let (local, domain) = value.split_once('@')?;
    let plausible = !local.is_empty()
        && !local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '@')
        && super::is_dns_name(domain)
        && domain.contains('.');
    if !plausible {
        return None;
    }
    let local = percent_encoding::utf8_percent_encode(local, NOT_UNRESERVED);
    Some(format!("mailto:{local}@{domain}"))
}

/// Every byte but RFC 3986's unreserved characters (letters, digits, `-._~`).
const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_address_becomes_a_mailto_url_and_its_local_part_is_percent_encoded() {
        assert_eq!(
            mailto("security@acme.example").as_deref(),
            Some("mailto:security@acme.example")
        );
        assert_eq!(
            mailto("a+b\"<x>'&é@acme.example").as_deref(),
            Some("mailto:a%2Bb%22%3Cx%3E%27%26%C3%A9@acme.example")
        );
        for not_one in [
            "IT desk, room 2.14",
            "security@",
            "@acme.example",
            "a b@acme.example",
            "a@b@acme.example",
            "a@localhost",
            "a@Acme.example",
            "a@acme.example?subject=x",
            "a@acme.example\" onclick=\"x",
            "javascript:alert(1)//@acme.example x",
        ] {
            assert_eq!(mailto(not_one), None, "{not_one}");
        }
        // What a URL can hold: no quote, bracket, ampersand, space or colon but the scheme's.
        let url = mailto("javascript:alert(1)//@acme.example").unwrap();
        assert_eq!(url, "mailto:javascript%3Aalert%281%29%2F%2F@acme.example");
    }

    #[test]
    fn xml_refuses_what_it_cannot_hold() {
        assert!(xml_text("a\u{1}").is_err());
        assert!(xml_text("a\nb").is_err());
        assert!(xml_text("a\u{fffe}").is_err());
        assert_eq!(xml_text("<a & ]]>"), Ok("<a & ]]>"));
        assert_eq!(xml_comment("a--b-").unwrap(), "a- -b- ");
        assert_eq!(xml_comment("---").unwrap(), "- - - ");
    }

    #[test]
    fn html_text_is_inert() {
        assert_eq!(
            html_text("<b a='x'>&\u{7}"),
            "&lt;b a=&#x27;x&#x27;&gt;&amp; "
        );
        // Santa's message is HTML inside a plist: nothing XML cannot hold.
        assert_eq!(html_text("a\u{fffe}b\u{ffff}"), "a b ");
    }
}
