//! Configuration contexts: tokens (names, networks, identifiers) re-checked at the last moment,
//! and the quoted strings of `.reg`, YARA and Suricata.

use super::{refuse, Refused};

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

/// A normalised domain name, the only token a list format's name field takes.
pub fn dns_name(value: &str) -> Result<&str, Refused> {
    if is_dns_name(value) {
        Ok(value)
    } else {
        Err(refuse(value, "a DNS name"))
    }
}

/// A normalised network: only hex digits, `.`, `:` and `/`.
pub fn network(value: &str) -> Result<&str, Refused> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'/'));
    if ok {
        Ok(value)
    } else {
        Err(refuse(value, "a network"))
    }
}

/// An identifier token (a YARA rule name or tag, a parameter name): `[A-Za-z0-9_-]` only.
pub fn identifier(value: &str) -> Result<&str, Refused> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
    if ok {
        Ok(value)
    } else {
        Err(refuse(value, "an identifier"))
    }
}

/// A quoted `.reg` string: `\` and `"` escaped. Regedit reads a value on one line, so a
/// control character (a line break) is refused.
pub fn reg_string(value: &str) -> Result<String, Refused> {
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(refuse(value, "a .reg string"));
    }
    Ok(format!(
        "\"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// A quoted YARA text string: `\` and `"` escaped, control characters as `\xNN` (YARA's
/// escapes are `\" \\ \t \n \r \xNN`), so the string stays on its line. A NUL is dropped:
/// YARA keeps a meta value as a C string, so `\x00` would silently end it there.
pub fn yara_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\0' => {}
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                for b in c.encode_utf8(&mut [0; 4]).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text of a Suricata `msg` option, inside its quotes: `"`, `;` and `\` escaped with a
/// backslash (Suricata's escapes in `msg`), on one line and cut like a comment.
pub fn suricata_msg(value: &str) -> String {
    let text = super::comment(value);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | ';' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_refuse_anything_else() {
        assert!(dns_name("whatsapp.com").is_ok());
        assert!(dns_name("a\"; rm").is_err());
        assert!(dns_name("A.com").is_err());
        assert!(network("10.0.0.0/8").is_ok());
        assert!(network("10.0.0.0/8 }").is_err());
        assert!(identifier("msgpol_x").is_ok());
        assert!(identifier("x y").is_err());
    }

    #[test]
    fn quoted_strings_cannot_be_left() {
        assert_eq!(reg_string(r#"a"b\c"#).unwrap(), r#""a\"b\\c""#);
        assert!(reg_string("a\nb").is_err());
        assert_eq!(yara_string("a\"\\\n\u{85}é"), r#""a\"\\\x0a\xc2\x85é""#);
        // YARA would end the meta value at a NUL.
        assert_eq!(yara_string("a\0b"), r#""ab""#);
        assert_eq!(suricata_msg("a\";b\\"), r#"a\"\;b\\"#);
    }
}
