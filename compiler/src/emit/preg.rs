//! A writer for the Registry Policy file format ([MS-GPREG], `Registry.pol`): the `PReg`
//! header, then one `[key;value;type;size;data]` record per setting, brackets, semicolons and
//! strings in UTF-16LE, numbers little-endian, no padding.

/// The registry value types msgpol writes, with the data each carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegValue {
    Sz(String),
    Dword(u32),
}

impl RegValue {
    /// The type number [MS-GPREG] stores.
    pub fn type_code(&self) -> u32 {
        match self {
            RegValue::Sz(_) => 1,
            RegValue::Dword(_) => 4,
        }
    }

    fn data(&self) -> Vec<u8> {
        match self {
            RegValue::Sz(s) => utf16z(s),
            RegValue::Dword(n) => n.to_le_bytes().to_vec(),
        }
    }
}

/// One record: a key (no hive: the file's place gives it), a value name (or a directive such
/// as `**delvals.`) and the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub key: String,
    pub name: String,
    pub value: RegValue,
}

/// The value name of the directive that deletes every value of its key.
pub const DELETE_ALL_VALUES: &str = "**delvals.";

/// Windows refuses longer value names.
pub const MAX_VALUE_NAME: usize = 259;
/// The size field is a u32, but Group Policy refuses data above 64 KiB.
pub const MAX_DATA: usize = 65535;

const HEADER: [u8; 8] = *b"PReg\x01\x00\x00\x00";

/// UTF-16LE with the terminating NUL.
fn utf16z(s: &str) -> Vec<u8> {
    s.encode_utf16()
        .chain([0])
        .flat_map(|unit| unit.to_le_bytes())
        .collect()
}

fn char16(c: char) -> [u8; 2] {
    (c as u16).to_le_bytes()
}

fn check(record: &Record) -> Result<(), String> {
    let has_nul = |s: &str| s.contains('\0');
    if record.key.is_empty() || has_nul(&record.key) || record.key.starts_with('\\') {
        return Err(format!("invalid registry key {:?}", record.key));
    }
    if record.key.to_ascii_uppercase().starts_with("HKEY_")
        || record.key.to_ascii_uppercase().starts_with("HKLM")
    {
        return Err(format!(
            "registry key {:?} names a hive; a Registry.pol key must not",
            record.key
        ));
    }
    if has_nul(&record.name) || record.name.encode_utf16().count() > MAX_VALUE_NAME {
        return Err(format!("invalid registry value name {:?}", record.name));
    }
    if matches!(&record.value, RegValue::Sz(s) if has_nul(s)) {
        return Err(format!(
            "a string in {:?} holds a NUL character",
            record.name
        ));
    }
    Ok(())
}

/// The bytes of a `Registry.pol` holding `records` in order; an error names the first record
/// Windows would refuse.
pub fn write(records: &[Record]) -> Result<Vec<u8>, String> {
    let mut out = HEADER.to_vec();
    for record in records {
        check(record)?;
        let data = record.value.data();
        if data.len() > MAX_DATA {
            return Err(format!(
                "the data of {:?} is {} bytes; Group Policy accepts at most {MAX_DATA}",
                record.name,
                data.len()
            ));
        }
        out.extend(char16('['));
        out.extend(utf16z(&record.key));
        out.extend(char16(';'));
        out.extend(utf16z(&record.name));
        out.extend(char16(';'));
        out.extend(record.value.type_code().to_le_bytes());
        out.extend(char16(';'));
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(char16(';'));
        out.extend(data);
        out.extend(char16(']'));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(key: &str, name: &str, value: RegValue) -> Vec<u8> {
        let bytes = write(&[Record {
            key: key.into(),
            name: name.into(),
            value,
        }])
        .unwrap();
        assert_eq!(&bytes[..8], b"PReg\x01\x00\x00\x00");
        bytes[8..].to_vec()
    }

    /// `[K;V;type;size;` as bytes, for a one-letter key and value.
    fn prefix(type_code: u8, size: u8) -> Vec<u8> {
        vec![
            0x5b, 0, 0x4b, 0, 0, 0, 0x3b, 0, 0x56, 0, 0, 0, 0x3b, 0, type_code, 0, 0, 0, 0x3b, 0,
            size, 0, 0, 0, 0x3b, 0,
        ]
    }

    fn record(type_code: u8, data: &[u8]) -> Vec<u8> {
        let mut out = prefix(type_code, data.len() as u8);
        out.extend(data);
        out.extend([0x5d, 0]);
        out
    }

    #[test]
    fn empty_file_is_the_header_alone() {
        assert_eq!(write(&[]).unwrap(), b"PReg\x01\x00\x00\x00");
    }

    #[test]
    fn dword_matches_the_specification_example() {
        // [MS-GPREG]: key `K`, value `V`, REG_DWORD 1.
        let expected = [
            0x5b, 0x00, 0x4b, 0x00, 0x00, 0x00, 0x3b, 0x00, 0x56, 0x00, 0x00, 0x00, 0x3b, 0x00,
            0x04, 0x00, 0x00, 0x00, 0x3b, 0x00, 0x04, 0x00, 0x00, 0x00, 0x3b, 0x00, 0x01, 0x00,
            0x00, 0x00, 0x5d, 0x00,
        ];
        assert_eq!(one("K", "V", RegValue::Dword(1)), expected);
    }

    #[test]
    fn strings_are_utf16le_with_their_nul_counted() {
        assert_eq!(
            one("K", "V", RegValue::Sz("aé".into())),
            record(1, &[0x61, 0, 0xe9, 0, 0, 0])
        );
    }

    #[test]
    fn characters_outside_the_bmp_are_surrogate_pairs() {
        // U+1F512 is D83D DD12 in UTF-16.
        assert_eq!(
            one("K", "V", RegValue::Sz("🔒".into())),
            record(1, &[0x3d, 0xd8, 0x12, 0xdd, 0, 0])
        );
    }

    #[test]
    fn delvals_directive_is_an_ordinary_record() {
        let bytes = one("K", DELETE_ALL_VALUES, RegValue::Sz(" ".into()));
        let name: Vec<u8> = "**delvals.\0"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let mut expected = vec![0x5b, 0, 0x4b, 0, 0, 0, 0x3b, 0];
        expected.extend(name);
        expected.extend([
            0x3b, 0, 1, 0, 0, 0, 0x3b, 0, 4, 0, 0, 0, 0x3b, 0, 0x20, 0, 0, 0,
        ]);
        expected.extend([0x5d, 0]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn records_follow_each_other_without_padding() {
        let r = |n: u32| Record {
            key: "K".into(),
            name: "V".into(),
            value: RegValue::Dword(n),
        };
        let bytes = write(&[r(1), r(2)]).unwrap();
        assert_eq!(bytes.len(), 8 + 2 * 32);
        assert_eq!(&bytes[8 + 32..8 + 34], &[0x5b, 0]);
    }

    #[test]
    fn refuses_what_windows_refuses() {
        let bad = |key: &str, name: &str, value: RegValue| {
            write(&[Record {
                key: key.into(),
                name: name.into(),
                value,
            }])
            .is_err()
        };
        assert!(bad("HKLM\\Software", "V", RegValue::Dword(1)));
        assert!(bad("", "V", RegValue::Dword(1)));
        assert!(bad("K\0", "V", RegValue::Dword(1)));
        assert!(bad("K", &"v".repeat(260), RegValue::Dword(1)));
        assert!(!bad("K", &"v".repeat(259), RegValue::Dword(1)));
        assert!(bad("K", "V", RegValue::Sz("a\0b".into())));
        // Two bytes a character and two for the NUL: one character over the limit.
        let longest = "a".repeat(MAX_DATA / 2 - 1);
        assert!(!bad("K", "V", RegValue::Sz(longest.clone())));
        assert!(bad("K", "V", RegValue::Sz(longest + "a")));
    }
}
