//! Hostile and broken input: no panic, no stack overflow, a coded diagnostic with a place,
//! and no output. Large inputs are generated here rather than committed.

mod common;

use common::rng::Rng;

use msgpol::diagnostics::Code;
use predicates::prelude::*;
use std::fs;

fn compile_text(bytes: &[u8]) -> msgpol::Compilation {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.msgpol");
    fs::write(&path, bytes).unwrap();
    msgpol::compile(&path, common::today()).expect("the file itself is readable")
}

fn assert_rejected(bytes: &[u8], code: Code) {
    let c = compile_text(bytes);
    assert!(c.has_errors(), "expected {code}");
    assert!(c.ir.is_none());
    let codes: Vec<Code> = c.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&code), "expected {code}, got {codes:?}");
    for d in &c.diagnostics {
        assert!(d.primary_span().is_some(), "{} has no location", d.code);
        assert!(d.help.is_some(), "{} has no help", d.code);
    }
}

const HEADER: &str = "policy \"P\" {\n  organisation \"O\"\n  size small\n  version \"1\"\n  effective 2026-01-01\n  owner \"o\"\n  support \"s\"\n  briefing every 6 months\n}\n";

#[test]
fn deep_braces_do_not_overflow_the_stack() {
    let open = "{".repeat(100_000);
    assert_rejected(format!("{HEADER}tier t {open}").as_bytes(), Code::E011);
    let close = "}".repeat(100_000);
    assert_rejected(format!("{HEADER}{close}").as_bytes(), Code::E005);
}

#[test]
fn huge_lines_and_names_get_short_diagnostics() {
    let name = "a".repeat(3_000_000);
    let c = compile_text(format!("{HEADER}channel {name} {{\n}}\n").as_bytes());
    assert!(c.diagnostics.iter().any(|d| d.code == Code::E008));
    let text = common::rendered(&c);
    assert!(
        text.len() < 2_000,
        "the report quotes megabytes: {} bytes",
        text.len()
    );
    assert!(
        text.contains("policy.msgpol:10:9"),
        "the place is named: {text}"
    );

    let domain = format!("{}.example", "a".repeat(2_000_000));
    assert_rejected(
        format!("{HEADER}channel x {{\n  domains \"{domain}\"\n}}\n").as_bytes(),
        Code::E201,
    );
}

#[test]
fn binary_and_control_bytes() {
    assert_rejected(b"policy \"P\" {\n\xff\xfe garbage\n}\n", Code::E001);
    assert_rejected(format!("{HEADER}# a NUL\0 byte\n").as_bytes(), Code::E002);
    assert_rejected(
        format!("{HEADER}channel x {{\n  vendor \"right-to-left \u{202e} override\"\n}}\n")
            .as_bytes(),
        Code::E002,
    );
}

#[test]
fn hostile_strings_never_reach_an_output() {
    for hostile in [
        "evil.com\\\"; rm -rf /",
        "a;b.com",
        "$(id).com",
        "`id`.com",
        "a b.com",
    ] {
        let text = format!("{HEADER}import std.channels\nchannel x {{\n  media text\n  domains \"{hostile}\"\n}}\ntier banned {{\n  channels x\n  allows nothing\n  block dns\n}}\n");
        let c = compile_text(text.as_bytes());
        assert!(c.ir.is_none(), "{hostile} was accepted");
        assert!(
            c.diagnostics.iter().any(|d| d.code == Code::E201),
            "{hostile}"
        );
    }
}

#[test]
fn impossible_dates_and_networks() {
    assert_rejected(
        HEADER.replace("2026-01-01", "2026-13-01").as_bytes(),
        Code::E009,
    );
    assert_rejected(
        format!("{HEADER}channel x {{\n  networks \"10.0.0.1/8\"\n}}\n").as_bytes(),
        Code::E202,
    );
    assert_rejected(
        format!("{HEADER}channel x {{\n  networks \"::1/129\"\n}}\n").as_bytes(),
        Code::E202,
    );
}

#[test]
fn mutated_examples_never_panic() {
    let mut rng = Rng::new(0x5eed_1234_abcd_ef01);
    for path in common::examples() {
        let original = fs::read(&path).unwrap();
        for round in 0..150 {
            let mut bytes = original.clone();
            match round % 3 {
                0 => bytes.truncate(rng.below(bytes.len())),
                1 => {
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(bytes.len());
                        bytes[at] ^= 1 << rng.below(8);
                    }
                }
                _ => {
                    let at = rng.below(bytes.len());
                    let len = rng.below(200).min(bytes.len() - at);
                    bytes.drain(at..at + len);
                }
            }
            let c = compile_text(&bytes);
            // Either it still compiles, or every error says where.
            if c.has_errors() {
                assert!(c.ir.is_none());
                for d in c.diagnostics.iter().filter(|d| d.is_error()) {
                    assert!(
                        d.primary_span().is_some(),
                        "{} without a place (round {round})",
                        d.code
                    );
                }
            }
            let _ = common::rendered(&c);
        }
    }
}

/// A named pipe (or any file that is not a regular one) given as an import, a feed or the
/// policy itself is refused with a coded diagnostic; msgpol never waits for a writer.
#[cfg(unix)]
#[test]
fn a_pipe_in_place_of_a_file_is_refused_at_once() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    let policy = dir.path().join("policy.msgpol");
    let run = |text: String| {
        fs::write(&policy, text).unwrap();
        let mut cmd = common::msgpol();
        cmd.arg("check")
            .arg(&policy)
            .timeout(Duration::from_secs(20));
        let started = Instant::now();
        let assert = cmd.assert();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "msgpol waited on the pipe"
        );
        assert
    };
    let import = format!("{HEADER}import \"pipe\"\n");
    run(import).code(1).stderr(
        predicates::str::contains("E101").and(predicates::str::contains("not a regular file")),
    );
    let feed = format!("{HEADER}channel c {{\n  media text\n  feed hosts \"pipe\"\n}}\n");
    run(feed).code(1).stderr(
        predicates::str::contains("E101").and(predicates::str::contains("not a regular file")),
    );
    let mut cmd = common::msgpol();
    cmd.arg("check").arg(&pipe).timeout(Duration::from_secs(20));
    cmd.assert().code(2).stderr(
        predicates::str::contains("E301").and(predicates::str::contains("not a regular file")),
    );
}

/// A chain of thousands of channels, each inheriting from the one before (or classes, each
/// above the one before), is refused past a documented depth with a coded diagnostic naming
/// the first declaration too deep, instead of copying every ancestor list (memory that grows
/// with the square of the chain).
#[test]
fn chains_deeper_than_the_limit_are_refused() {
    let channels: String = (1..3000)
        .map(|i| format!("channel c{i} : c{} {{\n  media text\n}}\n", i - 1))
        .collect();
    let text = format!("{HEADER}channel c0 {{\n  media text\n}}\n{channels}");
    assert_rejected(text.as_bytes(), Code::E113);
    let c = compile_text(text.as_bytes());
    let deep: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::E113)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(deep.len(), 1, "one diagnostic for the chain: {deep:?}");
    assert!(deep[0].contains("`c33`"), "{}", deep[0]);

    let classes: String = (1..3000)
        .map(|i| format!("class k{i} : k{} {{\n}}\n", i - 1))
        .collect();
    let text = format!("{HEADER}class k0 {{\n}}\n{classes}");
    assert_rejected(text.as_bytes(), Code::E113);
}

/// Control characters in a policy or a feed (terminal escapes: ESC, BEL, a lone carriage
/// return) never reach the terminal: diagnostics show them escaped, in every format.
#[test]
fn diagnostics_never_print_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.msgpol");
    let escape = "\u{1b}]52;c;bWFsaWNpb3Vz\u{7}\u{1b}[2K\r";
    fs::write(
        &policy,
        format!("{HEADER}channel c {{\n  media text {escape}\n}}\n"),
    )
    .unwrap();
    let feed_policy = dir.path().join("feed.msgpol");
    fs::write(
        &feed_policy,
        format!("{HEADER}channel c {{\n  media text\n  feed hosts \"bad.hosts\"\n}}\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("bad.hosts"),
        format!("0.0.0.0 ok.example\nnot a hosts line {escape}\n"),
    )
    .unwrap();
    for (file, code) in [(&policy, "E002"), (&feed_policy, "E112")] {
        for format in ["human", "plain", "json"] {
            let out = common::msgpol()
                .args(["--error-format", format, "check"])
                .arg(file)
                .output()
                .unwrap();
            let printed = [out.stdout, out.stderr].concat();
            let text = String::from_utf8_lossy(&printed);
            assert!(text.contains(code), "{format}: {text}");
            let controls: Vec<char> = text
                .chars()
                .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
                .collect();
            assert!(
                controls.is_empty(),
                "{format} printed {controls:?}:\n{text}"
            );
            if format != "json" {
                assert!(
                    text.contains("\\u{1b}"),
                    "{format} does not show the escape:\n{text}"
                );
            }
        }
    }
}

/// A build stopped by SIGTERM or SIGINT while it writes removes its temporary directory: only
/// what was there before remains beside the output.
#[cfg(unix)]
#[test]
fn an_interrupted_build_leaves_no_temporary_directory() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let names: String = (0..200_000)
        .map(|i| format!("0.0.0.0 n{i}.example\n"))
        .collect();
    fs::write(dir.path().join("big.hosts"), names).unwrap();
    let policy = dir.path().join("policy.msgpol");
    fs::write(
        &policy,
        format!("{HEADER}import std.classes\nchannel safe {{\n  media text\n  mfa\n  domains \"safe.example\"\n}}\nchannel feed {{\n  media text\n  feed hosts \"big.hosts\"\n}}\ntier ok {{\n  channels safe\n  allows up to internal\n  requires mfa\n}}\ntier banned {{\n  channels feed\n  allows nothing\n  block dns\n  instead safe\n}}\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    for signal in ["TERM", "INT"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_msgpol"))
            .args(["--today", common::TODAY, "build"])
            .arg(&policy)
            .arg("--out")
            .arg(&out)
            .args(["--target", "all"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the build writes into its temporary directory, then stop it.
        let staging = |d: &std::path::Path| {
            fs::read_dir(d).unwrap().filter_map(Result::ok).any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".out.msgpol-new")
            })
        };
        let started = Instant::now();
        while !staging(dir.path()) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the build never started writing"
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "the build ended before it could be stopped"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let killed = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert!(!status.success(), "SIG{signal}: the build still succeeded");
        assert!(
            !staging(dir.path()),
            "SIG{signal} left the temporary directory behind"
        );
        assert!(
            !out.exists(),
            "SIG{signal}: a stopped build wrote the output"
        );
    }
}

/// Found by fuzzing (`policy_structured`): an empty keyword matches nowhere, and the scanner
/// that runs a detector's examples once read the byte before an empty match at the start of
/// the text (an overflow, then an index out of bounds). It is E231, and no panic.
#[test]
fn an_empty_keyword_with_an_example_is_refused_without_a_panic() {
    let class = "import std.classes\n\nclass k : public \"K\" {\n  detect d {\n    keywords \"\"\n    example \"abc\"\n  }\n}\n";
    assert_rejected(format!("{HEADER}\n{class}").as_bytes(), Code::E231);
}

/// Found by fuzzing (`policy_bytes`): a string left open at a Windows line end (E003, whose
/// label ends between `\r` and `\n`) made the plain error format fail to render and panic.
#[test]
fn an_open_string_at_a_windows_line_end_is_reported_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.msgpol");
    fs::write(&policy, format!("{HEADER}\"\r\n")).unwrap();
    for format in ["human", "plain", "json"] {
        let out = common::msgpol()
            .args(["--error-format", format, "check"])
            .arg(&policy)
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
        assert_eq!(out.status.code(), Some(1), "{format}:\n{printed}");
        assert!(printed.contains("E003"), "{format}:\n{printed}");
    }
}

/// Each "did you mean" compares an unknown name with every declared one: 5,000 misspelt
/// channels in a tier beside 5,000 declared took 4 s, 20,000 would take a minute. Past the
/// first 200 unknown names, the help says how to declare one instead, so the check stays
/// linear in the file.
#[test]
fn suggestions_for_unknown_names_are_bounded() {
    let mut text = format!("{HEADER}import std.classes\n");
    let n = 300;
    for i in 0..n {
        text.push_str(&format!("channel chan-{i} {{\n  media text\n}}\n"));
    }
    let listed: Vec<String> = (0..n).map(|i| format!("cham-{i}")).collect();
    text.push_str(&format!(
        "tier banned \"B\" {{\n  channels {}\n  allows nothing\n}}\n",
        listed.join(", ")
    ));
    let c = compile_text(text.as_bytes());
    let helps: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::E107)
        .map(|d| d.help.as_deref().unwrap())
        .collect();
    assert_eq!(helps.len(), n);
    let suggested = helps
        .iter()
        .filter(|h| h.starts_with("did you mean"))
        .count();
    assert_eq!(suggested, 200, "{:?}", &helps[195..205]);
    assert!(helps[200..].iter().all(|h| h.starts_with("declare it")));
}
