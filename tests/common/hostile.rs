//! Hostile strings for the property tests over outputs (`property_outputs`, `property_fields`):
//! random Unicode strings made of pieces that mean something in some output format, from a
//! seeded generator, and a way to run a consumer over them.

use super::rng::Rng;
use std::io::Write;
use std::process::{Command, Stdio};

/// The pieces hostile strings are made of: quotes of many scripts, the openers and closers of
/// comments, CDATA, here-strings and command substitutions, line breaks and separators, control
/// characters, bidi controls, noncharacters and text of right-to-left scripts.
pub const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    " ",
    "  ",
    "'",
    "\"",
    "`",
    "$(",
    "'@",
    "@'",
    "@\"",
    "]]>",
    "--",
    "-",
    "*/",
    "/*",
    "<",
    ">",
    "&",
    "&amp;",
    "\\",
    "#",
    ";",
    "{",
    "}",
    "|",
    "[",
    "]",
    "(",
    ")",
    "!",
    "_",
    "*",
    "~",
    "\n",
    "\r",
    "\t",
    "\r\n",
    "\u{0}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{202e}",
    "\u{2066}",
    "\u{200f}",
    "\u{61c}",
    "\u{2018}",
    "\u{2019}",
    "\u{201a}",
    "\u{201b}",
    "\u{201c}",
    "\u{201d}",
    "\u{201e}",
    "\u{ab}",
    "\u{bb}",
    "\u{2039}",
    "\u{203a}",
    "\u{300c}",
    "\u{300d}",
    "\u{ff02}",
    "\u{ff07}",
    "\u{5f3}",
    "\u{5f4}",
    "שלום",
    "مرحبا",
    "日本",
    "\u{301}",
    "\u{1F600}",
    "\u{d7ff}",
    "\u{e000}",
    "\u{10ffff}",
    "\u{a0}",
    "\u{3000}",
];

/// The seed of a run: `MSGPOL_PROPTEST_SEED` if set, else `default`.
pub fn seed(default: u64) -> u64 {
    std::env::var("MSGPOL_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A count from the environment variable `name`, else `default`.
pub fn count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// One hostile string of about `target` bytes (at least one piece, at most `4 * target`).
pub fn string(rng: &mut Rng, target: usize) -> String {
    let mut s = String::new();
    let mut pieces = 0;
    while s.len() < target && pieces < target.max(1) * 4 {
        s.push_str(PIECES[rng.below(PIECES.len())]);
        pieces += 1;
    }
    s
}

/// `n` hostile strings from the run's seed, one in a thousand of them 64 KiB long, the others
/// under 40 bytes.
pub fn strings(n: usize) -> Vec<String> {
    let mut rng = Rng::new(seed(0x5eed_cafe_f00d_u64));
    (0..n)
        .map(|i| {
            let target = if i % 1000 == 999 {
                64 * 1024
            } else {
                rng.below(40)
            };
            string(&mut rng, target)
        })
        .collect()
}

/// Run `program` with `input` on its standard input; its standard output, which must be UTF-8
/// (a failure shows its standard error).
pub fn pipe(program: &str, args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
