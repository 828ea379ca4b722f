//! Small pieces several formats share: GUIDs derived from content (outputs are byte-identical
//! across builds, so no identifier may be random), UTF-16 text and byte-order marks.

use sha2::{Digest, Sha256};

/// A GUID (8-4-4-4-12, upper case) derived from `seed`: the same input always gives the same
/// GUID, and different seeds practically never collide. Marked as a name-based (version 5
/// layout) GUID.
pub fn guid(seed: &str) -> String {
    let d = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `text` as UTF-16 little-endian with a byte-order mark, as Windows tools read it (`.reg`
/// files, Purview rule packages).
pub fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// A text file's bytes as msgpol writes them: UTF-8, and for a PowerShell script (`.ps1`) a
/// byte-order mark first, since Windows PowerShell 5.1 reads a script without one as ANSI and
/// would garble any non-ASCII policy text in it.
pub fn text_file(path: &str, text: String) -> Vec<u8> {
    if path.ends_with(".ps1") {
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend_from_slice(text.as_bytes());
        bytes
    } else {
        text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_and_well_formed() {
        let g = guid("telegram");
        assert_eq!(g, guid("telegram"));
        assert_ne!(g, guid("telegram "));
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "5");
        assert!(g.split('-').map(str::len).eq([8, 4, 4, 4, 12].into_iter()));
    }

    #[test]
    fn powershell_scripts_and_only_they_start_with_a_byte_order_mark() {
        assert_eq!(text_file("x.ps1", "é".into()), b"\xEF\xBB\xBF\xC3\xA9");
        assert_eq!(text_file("x.conf", "é".into()), "é".as_bytes());
    }

    #[test]
    fn utf16le_has_a_byte_order_mark() {
        assert_eq!(utf16le_bom("A"), vec![0xFF, 0xFE, 0x41, 0x00]);
        assert_eq!(
            utf16le_bom("\u{1F600}"),
            vec![0xFF, 0xFE, 0x3D, 0xD8, 0x00, 0xDE]
        );
    }
}
