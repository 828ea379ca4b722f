//! A registration entries file (Microsoft's "How to add, modify, or delete registry subkeys
//! and values by using a .reg file"): UTF-16LE text with a byte-order mark, first line
//! `Windows Registry Editor Version 5.00`, then `[KEY]` opening (and creating) a key,
//! `[-KEY]` deleting a key and every key under it, and under a key `"name"=DATA` or `@=DATA`
//! (the default value), where DATA is a quoted string (`\\` and `\"` escaped), `dword:` and
//! eight hex digits, `hex(…):…`, or `-` to delete the value. Lines starting `;` are comments.
//! Regedit applies the lines in order; what the registry then holds is read by
//! `windows_registry`. Keys are read under `HKEY_LOCAL_MACHINE` only, where the policies
//! are; a value continued over several lines is not one this reader reads.

use super::windows_registry::{self, Registry, Value};
use crate::emit::verify::Consumer;
use crate::emit::verify::NameIndex;
use crate::emit::OutputFile;

const HEADER: &str = "Windows Registry Editor Version 5.00";
const HIVE: &str = "HKEY_LOCAL_MACHINE\\";

/// The text of a UTF-16LE file with a byte-order mark.
fn utf16(bytes: &[u8]) -> Result<String, String> {
    let body = bytes
        .strip_prefix(&[0xFF, 0xFE])
        .ok_or("`msgpol.reg` has no UTF-16LE byte-order mark")?;
    if !body.len().is_multiple_of(2) {
        return Err("`msgpol.reg` has an odd number of bytes".into());
    }
    let units = body
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| "`msgpol.reg` is not UTF-16 text".into())
}

/// A quoted string at the start of `text`, and what follows it.
fn quoted(text: &str) -> Result<(String, &str), String> {
    let body = text
        .strip_prefix('"')
        .ok_or_else(|| format!("`{text}` does not start with a quoted string"))?;
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &body[at + 1..])),
            '\\' => match chars.next() {
                Some((_, escaped @ ('\\' | '"'))) => value.push(escaped),
                _ => return Err(format!("`{text}` has an escape regedit does not know")),
            },
            c => value.push(c),
        }
    }
    Err(format!("`{text}` has a string that is not closed"))
}

/// Apply `line`, the value line `"name"=DATA` or `@=DATA`, to `key`.
fn value_line(registry: &mut Registry, key: &str, line: &str) -> Result<(), String> {
    let (name, rest) = match line.strip_prefix('@') {
        Some(rest) => (String::new(), rest),
        None => quoted(line)?,
    };
    let data = rest
        .strip_prefix('=')
        .ok_or_else(|| format!("`{line}` has no `=`"))?;
    if data == "-" {
        registry.delete_value(key, &name);
        return Ok(());
    }
    let value = if data.starts_with('"') {
        match quoted(data)? {
            (text, "") => Value::Text(text),
            _ => return Err(format!("`{line}` has text after its string")),
        }
    } else if data
        .strip_prefix("dword:")
        .is_some_and(|hex| hex.len() == 8 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        || (data.starts_with("hex") && !data.ends_with('\\'))
    {
        Value::Other
    } else {
        return Err(format!("`{line}` has data this reader does not know"));
    };
    registry.set(key, &name, value, false);
    Ok(())
}

/// The registry a .reg file leaves on a machine that had none of its keys.
fn registry(text: &str) -> Result<Registry, String> {
    let mut lines = text.lines().map(str::trim).enumerate();
    if lines.next().map(|(_, l)| l.trim_start_matches('\u{feff}')) != Some(HEADER) {
        return Err(format!("`msgpol.reg` does not start with `{HEADER}`"));
    }
    let mut registry = Registry::default();
    let mut key: Option<String> = None;
    for (number, line) in lines {
        let at = |why: String| format!("`msgpol.reg` line {}: {why}", number + 1);
        if line.is_empty() || line.starts_with(';') {
            continue;
        }
        if let Some(path) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let (delete, path) = match path.strip_prefix('-') {
                Some(path) => (true, path),
                None => (false, path),
            };
            let path = path
                .get(..HIVE.len())
                .filter(|hive| hive.eq_ignore_ascii_case(HIVE))
                .map(|_| &path[HIVE.len()..])
                .ok_or_else(|| at(format!("`{path}` is not under {HIVE}")))?;
            if delete {
                registry.delete_key(path);
                key = None;
            } else {
                registry.create(path);
                key = Some(path.to_string());
            }
            continue;
        }
        let key = key
            .as_deref()
            .ok_or_else(|| at("a value outside a key".into()))?;
        value_line(&mut registry, key, line).map_err(at)?;
    }
    Ok(registry)
}

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let text = utf16(super::file(files, "msgpol.reg")?)?;
    windows_registry::consumers(&registry(&text)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::verify::Effect;

    fn chrome(text: &str) -> Box<dyn crate::emit::verify::Reading> {
        let registry = registry(text).unwrap();
        windows_registry::consumers(&registry)
            .unwrap()
            .remove(0)
            .reading
    }

    #[test]
    fn deleting_a_key_then_recreating_it_leaves_only_the_new_values() {
        let text = concat!(
            "Windows Registry Editor Version 5.00\r\n\r\n",
            "[HKEY_LOCAL_MACHINE\\Software\\Policies\\Google\\Chrome\\URLBlocklist]\r\n",
            "\"1\"=\"stale.test\"\r\n",
            "\r\n[-HKEY_LOCAL_MACHINE\\Software\\Policies\\Google\\Chrome\\URLBlocklist]\r\n",
            "\r\n[HKEY_LOCAL_MACHINE\\Software\\Policies\\Google\\Chrome\\URLBlocklist]\r\n",
            "\"1\"=\"banned.test\"\r\n",
            "\"2\"=\"gone.test\"\r\n",
            "\"2\"=-\r\n",
            "; a comment\r\n",
        );
        let chrome = chrome(text);
        assert_eq!(chrome.name("banned.test", false), Some(Effect::Blocked));
        assert_eq!(chrome.name("stale.test", false), Some(Effect::Allowed));
        assert_eq!(chrome.name("gone.test", false), Some(Effect::Allowed));
    }

    #[test]
    fn strings_unescape_as_regedit_writes_them() {
        assert_eq!(
            quoted(r#""C:\\x \"y\"" rest"#).unwrap(),
            (r#"C:\x "y""#.to_string(), " rest")
        );
        assert!(quoted(r#""a\nb""#).is_err());
        assert!(quoted(r#""open"#).is_err());
    }

    #[test]
    fn files_regedit_would_not_apply_here_are_refused() {
        let header = "Windows Registry Editor Version 5.00\r\n";
        for body in [
            "[HKEY_CURRENT_USER\\Software]\r\n",
            "\"1\"=\"outside a key\"\r\n",
            "[HKEY_LOCAL_MACHINE\\K]\r\n\"1\"=dword:1\r\n",
            "[HKEY_LOCAL_MACHINE\\K]\r\n\"1\"=hex:00,\\\r\n",
        ] {
            assert!(registry(&format!("{header}{body}")).is_err(), "{body}");
        }
        assert!(registry("REGEDIT4\r\n").is_err());
        assert!(utf16(b"\xFF\xFEW\x00").is_ok() && utf16(b"W\x00").is_err());
    }
}
