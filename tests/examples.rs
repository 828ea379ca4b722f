//! Every example policy × every target, snapshotted; the examples are warning-free; the
//! staff guide's matrix agrees with `decide` cell by cell.

mod common;

use msgpol::emit;

#[test]
fn examples_compile_without_diagnostics() {
    for path in common::examples() {
        let c = msgpol::compile(&path, common::today()).unwrap();
        let text = common::rendered(&c);
        assert!(c.diagnostics.is_empty(), "{}:\n{text}", path.display());
    }
}

#[test]
fn every_example_with_every_target() {
    let examples = common::examples();
    assert_eq!(examples.len(), 3, "small, medium and large examples");
    for path in examples {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let ir = msgpol::compile(&path, common::today()).unwrap().ir.unwrap();
        for target in emit::all_targets() {
            let emitted = target.emit(&ir).unwrap();
            assert!(!emitted.files.is_empty(), "{} wrote nothing", target.name());
            for file in &emitted.files {
                let name = format!("{stem}__{}__{}", target.name(), file.path.replace('/', "_"));
                let text = readable(&file.contents);
                insta::assert_snapshot!(name, text);
            }
        }
    }
}

/// A file as text for its snapshot: UTF-8 as it is, UTF-16LE with a byte-order mark (the `reg`
/// target) decoded, anything else (Registry.pol) as a hex dump with the UTF-16 text beside it.
fn readable(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xff, 0xfe]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return format!(
            "(UTF-16LE with BOM)\n{}",
            String::from_utf16(&units).unwrap()
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => return text.to_string(),
        _ => {}
    }
    let mut out = String::from("(binary: offset, bytes, the ASCII of UTF-16LE text)\n");
    for (i, line) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
        let text: String = line
            .chunks(2)
            .map(|c| match c {
                [b, 0] if b.is_ascii_graphic() || *b == b' ' => *b as char,
                _ => '.',
            })
            .collect();
        out.push_str(&format!("{:06x}  {:<47}  {text}\n", i * 16, hex.join(" ")));
    }
    out
}

#[test]
fn matrix_agrees_with_decide() {
    for path in common::examples() {
        let ir = msgpol::compile(&path, common::today()).unwrap().ir.unwrap();
        let tiered: Vec<String> = ir.tiered_channels().map(|c| c.name.clone()).collect();
        assert_eq!(ir.matrix.len(), ir.classes.len() * tiered.len());
        for cell in &ir.matrix {
            let again = ir.decide(&cell.class, &cell.channel, None).unwrap();
            assert_eq!(again.verdict, cell.verdict);
        }
    }
}
