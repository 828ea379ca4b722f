//! Raw bytes as a file `msgpol scan` reads, in each input format (text, UTF-16 text, Slack
//! export JSON, WhatsApp export, mbox, or the format detected from the bytes), scanned with
//! the detectors of the standard library and of `tests/fixtures/ok/all-declarations.msgpol`:
//! a reading error or findings with their line and column, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msgpol::dlp::engine::Scanner;
use msgpol::dlp::input::{self, Format, Source};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const POLICY: &str = r#"policy "Scan" {
  organisation "O"
  size small
  version "1"
  effective 2026-01-01
  owner "security@example.org"
  support "desk"
  briefing every 6 months
}

import std.classes

class sensitive : restricted "Sensitive" {
  detect card {
    pattern "[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}"
    check luhn
    near "card", "visa" within 30
    confidence high
    min-count 2
    example "visa 4111 1111 1111 1111, visa 5555 5555 5555 4444"
  }
  detect marking {
    keywords "STAFF ONLY", "Ünïcödé"
    case-sensitive
    example "STAFF ONLY"
  }
}
"#;

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        let files = BTreeMap::from([(msgpol_fuzz::ROOT.to_string(), POLICY.as_bytes().to_vec())]);
        let compilation = msgpol_fuzz::check(&files);
        let ir = compilation.ir.expect("the scan policy compiles");
        msgpol::dlp::scanner(&ir).expect("its detectors compile")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, raw)) = data.split_first() else {
        return;
    };
    // Small windows, so that the input crosses several of them.
    let mut source = Source::new(raw, 64);
    let Ok(head) = source.head(input::HEAD) else {
        return;
    };
    let format = match selector % 5 {
        0 => Format::Text,
        1 => Format::Slack,
        2 => Format::WhatsApp,
        3 => Format::Mbox,
        _ => input::detect("input", head),
    };
    let scanner = scanner();
    let _ = input::scan(source, format, scanner, 64, |finding| {
        std::hint::black_box(scanner.detector(finding.detector));
    });
});
