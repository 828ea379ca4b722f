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

#[cfg(test)]
mod tests {
    use super::*;

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
