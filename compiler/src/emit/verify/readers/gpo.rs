//! A Group Policy's `Machine/Registry.pol`, read per [MS-GPREG] 2.1 (Registry Policy File
//! Format): the signature `PReg` and version 1 (a little-endian u32), then records with no
//! padding, `[key;value;type;size;data]`, where the brackets and semicolons are UTF-16LE
//! characters, key and value name are NUL-terminated UTF-16LE strings, type and size
//! little-endian u32s, and data `size` bytes (REG_SZ: UTF-16LE with its NUL). The client
//! applies the records in order ([MS-GPREG] 2.2.1), value names starting `**` being
//! directives: `**del.NAME` deletes a value, `**delvals.` all of the key's values,
//! `**DeleteValues` and `**DeleteKeys` the values and keys its data lists (`;`-separated),
//! `**soft.NAME` sets a value only if it does not exist, `**SecureKey` changes nothing read
//! here. What the machine's registry then holds is read by `windows_registry`.

use super::windows_registry::{self, Registry, Value};
use crate::emit::verify::Consumer;
use crate::emit::verify::NameIndex;
use crate::emit::OutputFile;

const REG_SZ: u32 = 1;
const REG_EXPAND_SZ: u32 = 2;

/// The bytes of a Registry.pol, read from the start.
struct Records<'f> {
    bytes: &'f [u8],
    at: usize,
}

impl<'f> Records<'f> {
    fn fail(&self, what: &str) -> String {
        format!("`Machine/Registry.pol` at byte {}: {what}", self.at)
    }

    fn take(&mut self, n: usize) -> Result<&'f [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| self.fail("the file ends inside a record"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// One UTF-16LE character that must be `expected`.
    fn delimiter(&mut self, expected: char) -> Result<(), String> {
        if self.take(2)? != [expected as u8, 0] {
            self.at -= 2;
            return Err(self.fail(&format!("expected `{expected}`")));
        }
        Ok(())
    }

    /// A NUL-terminated UTF-16LE string.
    fn string(&mut self) -> Result<String, String> {
        let mut units = Vec::new();
        loop {
            let pair = self.take(2)?;
            let unit = u16::from_le_bytes([pair[0], pair[1]]);
            if unit == 0 {
                break;
            }
            units.push(unit);
        }
        String::from_utf16(&units).map_err(|_| self.fail("a string is not UTF-16"))
    }
}

/// REG_SZ data: UTF-16LE, up to its first NUL.
fn sz(data: &[u8]) -> Result<String, String> {
    if !data.len().is_multiple_of(2) {
        return Err("a string value has an odd number of bytes".into());
    }
    let units: Vec<u16> = data
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16(&units).map_err(|_| "a string value is not UTF-16".to_string())
}

/// Apply one record to `registry`.
fn apply(
    registry: &mut Registry,
    key: &str,
    name: &str,
    kind: u32,
    data: &[u8],
) -> Result<(), String> {
    let text = || sz(data);
    let list = |text: String| -> Vec<String> {
        text.split(';')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let directive = name.get(..2) == Some("**");
    let lower = name.to_ascii_lowercase();
    if !directive {
        let value = match kind {
            REG_SZ | REG_EXPAND_SZ => Value::Text(text()?),
            _ => Value::Other,
        };
        registry.set(key, name, value, false);
    } else if lower == "**delvals." {
        registry.delete_values(key);
    } else if let Some(value) = lower.strip_prefix("**del.").map(|_| &name[6..]) {
        registry.delete_value(key, value);
    } else if lower == "**deletevalues" {
        for value in list(text()?) {
            registry.delete_value(key, &value);
        }
    } else if lower == "**deletekeys" {
        for subkey in list(text()?) {
            registry.delete_key(&format!(r"{key}\{subkey}"));
        }
    } else if let Some(value) = lower.strip_prefix("**soft.").map(|_| &name[7..]) {
        let value_data = match kind {
            REG_SZ | REG_EXPAND_SZ => Value::Text(text()?),
            _ => Value::Other,
        };
        registry.set(key, value, value_data, true);
    } else if lower == "**securekey" {
        registry.create(key);
    } else {
        return Err(format!("`{name}` is not a directive of [MS-GPREG]"));
    }
    Ok(())
}

/// The registry a Registry.pol leaves on a machine that had none of its keys.
fn registry(bytes: &[u8]) -> Result<Registry, String> {
    let mut records = Records { bytes, at: 0 };
    if records.take(4).ok() != Some(b"PReg".as_slice()) || records.u32().ok() != Some(1) {
        return Err("`Machine/Registry.pol` does not start with `PReg` version 1".into());
    }
    let mut registry = Registry::default();
    while records.at < bytes.len() {
        records.delimiter('[')?;
        let key = records.string()?;
        records.delimiter(';')?;
        let name = records.string()?;
        records.delimiter(';')?;
        let kind = records.u32()?;
        records.delimiter(';')?;
        let size = records.u32()? as usize;
        records.delimiter(';')?;
        let data = records.take(size)?;
        records.delimiter(']')?;
        apply(&mut registry, &key, &name, kind, data)
            .map_err(|why| format!("`Machine/Registry.pol`, key `{key}`: {why}"))?;
    }
    Ok(registry)
}

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    windows_registry::consumers(&registry(super::file(files, "Machine/Registry.pol")?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::verify::Effect;

    fn utf16(text: &str) -> Vec<u8> {
        text.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    }

    fn record(key: &str, name: &str, kind: u32, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let delimiter = |c: char| [c as u8, 0];
        out.extend(delimiter('['));
        out.extend(utf16(key));
        out.extend(delimiter(';'));
        out.extend(utf16(name));
        out.extend(delimiter(';'));
        out.extend(kind.to_le_bytes());
        out.extend(delimiter(';'));
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(delimiter(';'));
        out.extend(data);
        out.extend(delimiter(']'));
        out
    }

    fn pol(records: &[Vec<u8>]) -> Vec<u8> {
        let mut out = b"PReg\x01\x00\x00\x00".to_vec();
        for r in records {
            out.extend(r);
        }
        out
    }

    #[test]
    fn the_specifications_example_record_reads_back() {
        // [MS-GPREG]'s layout: key `K`, value `V`, REG_DWORD 1.
        let example = [
            0x5b, 0, 0x4b, 0, 0, 0, 0x3b, 0, 0x56, 0, 0, 0, 0x3b, 0, 4, 0, 0, 0, 0x3b, 0, 4, 0, 0,
            0, 0x3b, 0, 1, 0, 0, 0, 0x5d, 0,
        ];
        assert_eq!(record("K", "V", 4, &[1, 0, 0, 0]), example);
        assert!(registry(&pol(&[example.to_vec()])).is_ok());
    }

    #[test]
    fn directives_apply_in_order() {
        let list = r"Software\Policies\Google\Chrome\URLBlocklist";
        let bytes = pol(&[
            record(list, "1", REG_SZ, &utf16("stale.test")),
            record(list, "**delvals.", REG_SZ, &utf16(" ")),
            record(list, "1", REG_SZ, &utf16("banned.test")),
            record(list, "2", REG_SZ, &utf16("gone.test")),
            record(list, "**del.2", REG_SZ, &utf16(" ")),
            record(list, "**soft.1", REG_SZ, &utf16("ignored.test")),
        ]);
        let consumers = windows_registry::consumers(&registry(&bytes).unwrap()).unwrap();
        let chrome = &consumers[0].reading;
        assert_eq!(chrome.name("banned.test", false), Some(Effect::Blocked));
        for open in ["stale.test", "gone.test", "ignored.test"] {
            assert_eq!(chrome.name(open, false), Some(Effect::Allowed), "{open}");
        }
        let unknown = pol(&[record(list, "**nonsense", REG_SZ, &utf16(" "))]);
        assert!(registry(&unknown).is_err());
    }

    #[test]
    fn a_truncated_or_unsigned_file_is_refused() {
        let whole = pol(&[record("K", "V", REG_SZ, &utf16("x"))]);
        assert!(registry(&whole[..whole.len() - 1]).is_err());
        assert!(registry(&whole[4..]).is_err());
        let mut bad = whole.clone();
        bad[8] = b'(';
        assert!(registry(&bad).is_err());
    }
}
