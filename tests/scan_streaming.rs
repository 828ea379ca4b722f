//! `msgpol scan` reads its inputs a window at a time: every format scanned in windows of a few
//! bytes finds exactly what one window over the whole file finds (matches, context words,
//! whole words and `min-count` across thousands of window ends, one line longer than many
//! windows), and a large input from standard input is scanned in flat memory.

mod common;

use common::rng::Rng;
use msgpol::dlp::engine::Scanner;
use msgpol::dlp::input::{self, Format, Source};
use msgpol::dlp::stream::Finding;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The std.classes detectors and two more: one that needs three matches in a document, its
/// first far from its third, and one whose `min-count` no test document reaches.
fn policy(dir: &Path) -> PathBuf {
    let minimal =
        fs::read_to_string(common::root().join("tests/fixtures/ok/minimal.msgpol")).unwrap();
    let path = dir.join("policy.msgpol");
    fs::write(
        &path,
        format!(
            "{minimal}\nclass staff : confidential {{\n  detect employee {{\n    pattern \"EMP-[0-9]{{6}}\"\n    near \"employee\" within 300\n    confidence high\n    min-count 3\n  }}\n  detect bulk-ssn {{\n    pattern \"[0-9]{{3}}-[0-9]{{2}}-[0-9]{{4}}\"\n    min-count 1000\n  }}\n}}\n"
        ),
    )
    .unwrap();
    path
}

fn scanner(dir: &Path) -> Scanner {
    msgpol::dlp::scanner(&common::ir(&policy(dir))).unwrap()
}

/// A chat line: words, sensitive values with and without their context words, lookalikes,
/// markings and characters of several bytes.
fn line(rng: &mut Rng) -> String {
    let words = [
        "lunch",
        "the",
        "card",
        "ssn",
        "employee",
        "Ålesund",
        "søknad",
        "ok",
        "SECRETARY",
        "CONFIDENTIAL",
        "SECRET",
        "iban",
        "😀",
        "bank",
    ];
    let values = [
        "4111 1111 1111 1111",
        "5555-5555-5555-4444",
        "4111111111111112",
        "123-45-6789",
        "000-12-3456",
        "GB82 WEST 1234 5698 7654 32",
        "kari.nordmann@example.com",
        "INTERNAL ONLY",
    ];
    let mut parts = Vec::new();
    for _ in 0..rng.between(1, 12) {
        if rng.percent(30) {
            parts.push(rng.pick(&values).to_string());
        } else {
            parts.push(rng.pick(&words).to_string());
        }
    }
    parts.join(" ")
}

/// Lines of chat, one of them longer than many windows (a minified export is one line).
fn chat(seed: u64, count: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut lines: Vec<String> = (0..count).map(|_| line(&mut rng)).collect();
    lines[count / 3] = (0..400)
        .map(|_| line(&mut rng))
        .collect::<Vec<_>>()
        .join(" ");
    // The first employee number and the third are far apart: the findings between wait.
    lines[1].push_str(" employee EMP-000001");
    lines[count - 2].push_str(" EMP-000002 EMP-000003");
    lines
}

fn text(lines: &[String]) -> Vec<u8> {
    (lines.join("\n") + "\n").into_bytes()
}

fn utf16(lines: &[String], little: bool) -> Vec<u8> {
    let mut bytes = if little {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in (lines.join("\r\n") + "\r\n").encode_utf16() {
        bytes.extend(if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    bytes
}

fn whatsapp(lines: &[String]) -> Vec<u8> {
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i % 5 == 4 {
            // A message's second line has no prefix.
            out.push_str(&format!("{l}\n"));
        } else {
            out.push_str(&format!(
                "12/03/2026, 14:{:02} - +47 912 34 567 Kåre: {l}\n",
                i % 60
            ));
        }
    }
    out.into_bytes()
}

fn mbox(lines: &[String]) -> Vec<u8> {
    let mut out = String::new();
    for (i, chunk) in lines.chunks(7).enumerate() {
        out.push_str(&format!(
            "From kari@example.com Fri Nov 20 10:00:{:02} 2026\nFrom: kari@example.com\nTo: ola@example.com,\n  per@example.com 4111 1111 1111 1111\nSubject: {}\n\n",
            i % 60,
            chunk[0]
        ));
        for l in &chunk[1..] {
            out.push_str(l);
            out.push('\n');
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// A Slack export: one message per line or the whole array on one line, with escapes (`\"`,
/// `\n`, `\u00e9`, a surrogate pair) in the texts and `text` keys elsewhere that are not
/// scanned.
fn slack(lines: &[String], one_line: bool) -> Vec<u8> {
    let messages: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let text = serde_json::to_string(&format!("\"{l}\"\nsecond line é"))
                .unwrap()
                .replace('é', "\\u00e9")
                .replace('😀', "\\ud83d\\ude00");
            format!(
                "{{\"type\": \"message\", \"user\": \"U{i}\", \"text\": {text}, \"blocks\": [{{\"text\": \"SECRET\"}}]}}"
            )
        })
        .collect();
    let separator = if one_line { "," } else { ",\n  " };
    format!("[{}]\n", messages.join(separator)).into_bytes()
}

/// The findings of one file, read and scanned `chunk` bytes at a time.
fn findings(scanner: &Scanner, name: &str, bytes: &[u8], chunk: usize) -> (Format, Vec<Finding>) {
    let mut source = Source::new(bytes, chunk);
    let format = input::detect(name, source.head(input::HEAD).unwrap());
    let mut found = Vec::new();
    input::scan(source, format, scanner, chunk, |f| found.push(f)).unwrap();
    (format, found)
}

#[test]
fn every_format_scanned_in_small_windows_finds_what_one_window_finds() {
    let dir = tempfile::tempdir().unwrap();
    let scanner = scanner(dir.path());
    let lines = chat(7, 900);
    let long_line = (lines.len() / 3 + 1) as u64;
    let files = [
        ("chat.txt", text(&lines), Format::Text),
        ("chat-le.txt", utf16(&lines, true), Format::Text),
        ("chat-be.txt", utf16(&lines, false), Format::Text),
        ("WhatsApp Chat.txt", whatsapp(&lines), Format::WhatsApp),
        ("archive.mbox", mbox(&lines), Format::Mbox),
        ("export.json", slack(&lines, false), Format::Slack),
        ("minified.json", slack(&lines, true), Format::Slack),
    ];
    for (name, bytes, format) in &files {
        let (detected, whole) = findings(&scanner, name, bytes, bytes.len() + 1);
        assert_eq!(detected, *format, "{name}");
        assert!(whole.len() > 500, "{name}: {} findings", whole.len());
        let employee = whole
            .iter()
            .filter(|f| scanner.detector(f.detector).1 == "employee");
        assert_eq!(employee.count(), 3, "{name}: min-count reached at the end");
        for chunk in [64, 173, 4096] {
            let (_, parts) = findings(&scanner, name, bytes, chunk);
            if parts != whole {
                let first = parts.iter().zip(&whole).position(|(a, b)| a != b);
                panic!(
                    "{name} in chunks of {chunk}: {} findings against {}, first difference at {first:?}: {:?} against {:?}",
                    parts.len(),
                    whole.len(),
                    first.map(|i| &parts[i]),
                    first.map(|i| &whole[i]),
                );
            }
        }
    }
    // The long line is scanned end to end, in text read line by line and in one piece.
    let (_, found) = findings(&scanner, "chat.txt", &files[0].1, 64);
    let on_it = found.iter().filter(|f| f.line == long_line);
    assert!(on_it.clone().count() > 100);
    assert!(on_it.clone().any(|f| f.column > 10_000));
}

/// A Slack export made to fall across read chunks everywhere: texts with `\"`, `\\` and
/// `\\\"`, strings holding brackets and commas, messages with nested attachments and blocks
/// (whose `text` keys are not scanned; they are on even lines), a `text` that is not a string,
/// whitespace between elements, and one message longer than many chunks.
fn tricky_slack() -> Vec<u8> {
    let long = "card 4111 1111 1111 1111 \\\" ".repeat(300);
    let texts = [
        r#"say \"4111 1111 1111 1111\" and \\ then"#,
        r#"back\\\"slash 123-45-6789 \\"#,
        r#"[{,}] kari.nordmann@example.com ]}"#,
        r#"caf\u00e9 \ud83d\ude00 GB82 WEST 1234 5698 7654 32 \/ end"#,
        &long,
    ];
    let mut out = String::from(" \n[");
    for (i, text) in texts.iter().enumerate() {
        out.push_str(&format!(
            "{{\"ts\": \"{i}.0\", \"attachments\": [{{\"text\": \"nested@example.com\", \"fields\": [[], {{}}, \"]\"]}}], \"blocks\": [{{\"elements\": [{{\"text\": \"5555-5555-5555-4444\"}}]}}],\n \"text\": \"{text}\", \"n\": [1, 2.5, true, null]}} ,\n\t"
        ));
    }
    out.push_str("\n{\"text\": null}, {\"text\": 12}, {\"text\": \"last 4111111111111111\"}\n]\n");
    out.into_bytes()
}

#[test]
fn slack_messages_across_read_chunks_find_what_one_read_finds() {
    let dir = tempfile::tempdir().unwrap();
    let scanner = scanner(dir.path());
    let bytes = tricky_slack();
    let (format, whole) = findings(&scanner, "export.json", &bytes, bytes.len() + 1);
    assert_eq!(format, Format::Slack);
    let name = |f: &Finding| scanner.detector(f.detector).1.to_string();
    let names: Vec<String> = whole.iter().map(name).collect();
    assert!(names.len() > 300, "{names:?}");
    for expected in ["payment-card", "us-ssn", "email-address", "iban"] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    // Nested texts are not messages: none of their values is found.
    let nested = |f: &&Finding| f.line.is_multiple_of(2) && f.line > 1;
    assert!(!whole.iter().any(|f| nested(&f)), "{whole:?}");
    for chunk in (1..=40).chain([97, 1000, 4096]) {
        let (_, parts) = findings(&scanner, "export.json", &bytes, chunk);
        assert_eq!(parts, whole, "in chunks of {chunk}");
    }
}

/// A Slack export that is not valid JSON, cut off or with a byte changed anywhere, is reported
/// with the message, line and column of one parse of the whole file (serde_json's, moved to the
/// file's place), whatever the size of the chunks it is read in.
#[test]
fn invalid_slack_exports_are_reported_where_one_parse_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let scanner = scanner(dir.path());
    let valid = b"[{\"text\": \"a \\\" b\", \"blocks\": [{\"text\": \"x\"}]},\n {\"text\": \"\\\\\"}, 1, \"s\"]\n";
    let mut broken: Vec<Vec<u8>> = (0..valid.len()).map(|n| valid[..n].to_vec()).collect();
    for at in 0..valid.len() {
        for byte in [b'x', b',', b']', b'}', b'"', b'\\', b' ', b'[', b'{', b'\n'] {
            let mut bytes = valid.to_vec();
            bytes[at] = byte;
            broken.push(bytes);
        }
    }
    let scan = |bytes: &[u8], chunk: usize| {
        let source = Source::new(bytes, chunk);
        match input::scan(source, Format::Slack, &scanner, chunk, |_| {}) {
            Ok(()) => None,
            Err(input::Error::Invalid(why)) => Some(why),
            Err(input::Error::Io(e)) => panic!("{e}"),
        }
    };
    let mut invalid = 0;
    for bytes in &broken {
        let shown = String::from_utf8_lossy(bytes);
        let whole = scan(bytes, bytes.len() + 1);
        match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) => assert_eq!(whole, None, "{shown:?}"),
            Err(e) => {
                invalid += 1;
                let why = whole.as_deref().unwrap_or_default();
                assert!(
                    why.starts_with("not valid JSON: ") && why.contains(" at line "),
                    "{shown:?}: {why:?}, serde_json: {e}"
                );
            }
        }
        for chunk in [1, 2, 3, 5, 8, 13] {
            assert_eq!(scan(bytes, chunk), whole, "{shown:?} in chunks of {chunk}");
        }
    }
    assert!(invalid > broken.len() / 2, "{invalid} of {}", broken.len());
}

/// A message is held whole while it is parsed: one longer than `LONGEST_MESSAGE` is an error
/// at its start, after the findings before it.
#[test]
fn a_slack_message_longer_than_the_cap_is_an_error_at_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let scanner = scanner(dir.path());
    let mut bytes = b"[{\"text\": \"card 4111 1111 1111 1111\"},\n  {\"text\": \"".to_vec();
    bytes.resize(bytes.len() + input::slack::LONGEST_MESSAGE, b'a');
    bytes.extend_from_slice(b"\"}]");
    let mut found = Vec::new();
    let source = Source::new(&bytes[..], 1 << 16);
    let result = input::scan(source, Format::Slack, &scanner, 1 << 16, |f| found.push(f));
    let Err(input::Error::Invalid(why)) = result else {
        panic!("{result:?}");
    };
    assert!(
        why.contains("longer than 16 MB at line 2 column 3"),
        "{why}"
    );
    assert_eq!(found.len(), 1);
}

/// The windows against a scan of the whole text in memory, lines and columns counted apart.
#[test]
fn small_windows_find_what_a_scan_of_the_whole_text_finds() {
    let dir = tempfile::tempdir().unwrap();
    let scanner = scanner(dir.path());
    let bytes = text(&chat(11, 600));
    let expected: Vec<(u64, u64, usize)> = scanner
        .scan(&bytes)
        .iter()
        .map(|hit| {
            let before = &bytes[..hit.offset];
            let line_start = before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count();
            let line = before.iter().filter(|b| **b == b'\n').count();
            (line as u64 + 1, column as u64 + 1, hit.detector)
        })
        .collect();
    let (_, found) = findings(&scanner, "chat.txt", &bytes, 64);
    let found: Vec<(u64, u64, usize)> = found
        .iter()
        .map(|f| (f.line, f.column, f.detector))
        .collect();
    assert_eq!(found, expected);
}

/// The peak resident memory (in MB) of `msgpol scan` reading `blocks` copies of `block` from
/// standard input, after `head` and before `tail`, and how many lines it printed. The peak is
/// the kernel's high-water mark of the running process (`VmHWM`), read as it runs: the
/// `ru_maxrss` of a child starts from its parent's, which here is the test's.
#[cfg(target_os = "linux")]
fn peak_mb(head: &[u8], block: &[u8], blocks: usize, tail: &[u8]) -> (u64, usize) {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_msgpol"))
        .args(["--today", "2026-11-23", "scan"])
        .arg(common::root().join("tests/fixtures/ok/minimal.msgpol"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (head, block, tail) = (head.to_vec(), block.to_vec(), tail.to_vec());
    let writer = std::thread::spawn(move || {
        stdin.write_all(&head).unwrap();
        for _ in 0..blocks {
            stdin.write_all(&block).unwrap();
        }
        stdin.write_all(&tail).unwrap();
    });
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let (mut lines, mut buf) = (0, vec![0; 1 << 16]);
        loop {
            match stdout.read(&mut buf).unwrap() {
                0 => return lines,
                n => lines += buf[..n].iter().filter(|b| **b == b'\n').count(),
            }
        }
    });
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    while child.try_wait().unwrap().is_none() {
        let hwm = fs::read_to_string(&status).unwrap_or_default();
        let kb = hwm
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok());
        peak_kb = peak_kb.max(kb.unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    writer.join().unwrap();
    (peak_kb / 1024, reader.join().unwrap())
}

/// 96 MB of text and 64 MB of Slack export through a pipe, each scanned in under 48 MB: a
/// scan that read its input whole would hold more than that (it took 148 MB for 106 MB).
#[cfg(target_os = "linux")]
#[test]
fn a_large_input_is_scanned_in_flat_memory() {
    let lines = chat(3, 2000);
    let mut block = text(&lines[..1000]);
    block.extend_from_slice(b"lunch\n".repeat(200_000 / 6).as_slice());
    let blocks = 96_000_000 / block.len();
    let (peak, printed) = peak_mb(b"", &block, blocks, b"");
    assert!(printed >= blocks * 100, "{printed} findings printed");
    assert!(peak < 48, "text: peak {peak} MB");

    let message = slack(&lines[..1000], true);
    // The messages between `[` and `]`, repeated, comma-separated.
    let inner = &message[1..message.len() - 2];
    let mut block = inner.to_vec();
    block.push(b',');
    let blocks = 64_000_000 / block.len();
    let (peak, printed) = peak_mb(b"[", &block, blocks, b"{\"text\": \"end\"}]");
    assert!(printed >= blocks * 100, "{printed} findings printed");
    assert!(peak < 48, "slack: peak {peak} MB");
}
