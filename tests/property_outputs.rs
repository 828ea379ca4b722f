//! Property test over the output contexts: random Unicode strings (line and paragraph
//! separators, NEL, BOM, noncharacters, bidi controls, quotes of many scripts, `]]>`, `--`,
//! `*/`, `'@`, backticks, `$(`, and strings up to 64 KiB) go through each context's encoder,
//! and the real consumer reads them back. Each string comes back exactly as one literal (as
//! the encoder documents it: control characters dropped or turned into spaces, a comment cut
//! to `COMMENT_BYTES`), or the encoder refused it. What each consumer checks:
//!
//! - PowerShell strings: tree-sitter-powershell parses the script with no error, one
//!   `string_literal` per string, its text the string.
//! - PAC comments: node runs the file; the statement after every comment runs once.
//! - XML text, attributes and comments: `xmllint` accepts the document, Python's XML parser
//!   reads every text and attribute back.
//! - Markdown: cmark-gfm renders one list item per string, its text the string, no markup.
//! - HTML text and attributes: Python's `html.parser` reads one `<p>` per string, its text and
//!   `title` the string, no other tag.
//! - Santa's `custom_msg` (HTML inside the plist): Python's `plistlib` reads the plist the
//!   plist crate wrote, and `html.parser` reads each message back as the string, no tag.
//! - YARA meta values: `yara -m` compiles one rule per string and prints its meta value,
//!   decoded here from YARA's C escapes: the string (strings whose line would pass
//!   `LINE_BYTES` left out).
//! - Suricata `msg`: PyPI suricataparser parses every rule with its two options only, and the
//!   message, unescaped as Suricata does, is the string as a comment holds it.
//! - Comments of line-based files, each followed by a statement: `unbound-checkconf` accepts
//!   the file and `-o private-domain` lists every statement; `named-checkzone -D` dumps every
//!   record of the RPZ zone; `nft -c -f` accepts the ruleset and, loaded in a network
//!   namespace, the set holds every element; `squid -k parse` processes every `acl` with no
//!   error; `dnsmasq --test` accepts the file and a running dnsmasq answers every name.
//! - `.reg` strings: Samba's `net registry import` reads the regedit file (no regedit runs
//!   here) and `net registry enumerate` lists every value's data as the string.
//!
//! The strings are batched, one consumer run per context (every line within `LINE_BYTES`
//! where the format is line-based), so a run of 10,000 strings per context stays short.
//! `MSGPOL_PROPTEST_SEED` picks another sequence.

mod common;

use common::hostile::{pipe as run, strings};

use msgpol::emit::encode;
use std::process::Command;

const PER_CONTEXT: usize = 10_000;

fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .status()
        .is_ok_and(|s| s.success())
}

/// PowerShell single-quoted strings, read by tree-sitter-powershell: one `string_literal` per
/// statement, no parse error, and its text (quotes undoubled) is the string without control
/// characters.
#[test]
fn powershell_strings_come_back_exactly() {
    if !python_has("tree_sitter_powershell") {
        assert!(
            std::env::var_os("CI").is_none(),
            "tree-sitter-powershell is missing"
        );
        eprintln!("skipped: PyPI tree-sitter-powershell is not installed");
        return;
    }
    let strings = strings(PER_CONTEXT);
    let mut script = String::new();
    for (i, s) in strings.iter().enumerate() {
        script.push_str(&format!("$s{i} = {}\n", encode::powershell(s)));
    }
    const READ: &str = r#"
import json, sys
import tree_sitter as ts, tree_sitter_powershell as tp
source = sys.stdin.buffer.read()
tree = ts.Parser(ts.Language(tp.language())).parse(source)
assert not tree.root_node.has_error, "parse error"
out = []
def walk(node):
    if node.type == "string_literal":
        out.append(node.text.decode("utf-8"))
        return
    for child in node.children:
        walk(child)
walk(tree.root_node)
json.dump(out, sys.stdout)
"#;
    let literals: Vec<String> =
        serde_json::from_str(&run("python3", &["-c", READ], script.as_bytes())).unwrap();
    assert_eq!(literals.len(), strings.len(), "one literal per string");
    for (s, literal) in strings.iter().zip(&literals) {
        let inner = &literal[1..literal.len() - 1];
        let mut read = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
                let next = chars.next();
                assert!(
                    next.is_some_and(|n| matches!(
                        n,
                        '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}'
                    )),
                    "{literal:?}"
                );
            }
            read.push(c);
        }
        let expected: String = s.chars().filter(|c| !c.is_control()).collect();
        assert_eq!(read, expected);
    }
}

/// Comments of a PAC file, run by node: each comment stays a comment (the statement after it
/// runs, once) and on a line under the line limit.
#[test]
fn pac_comments_stay_comments() {
    common::require_tool("node");
    let strings = strings(PER_CONTEXT);
    let mut js = String::from("var n = 0;\n");
    for s in &strings {
        let line = format!("// {}", encode::comment(s));
        assert!(line.len() <= encode::LINE_BYTES);
        js.push_str(&line);
        js.push_str("\nn++;\n");
    }
    js.push_str("console.log(n);\n");
    let out = run("node", &["-"], js.as_bytes());
    assert_eq!(out.trim(), strings.len().to_string());
}

/// XML text, checked by xmllint and read back by Python's parser: the text is the string, or
/// the encoder refused a string XML cannot carry as written.
#[test]
fn xml_text_comes_back_exactly_or_is_refused() {
    common::require_tool("xmllint");
    let strings = strings(PER_CONTEXT);
    let mut doc = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<r>\n");
    let mut expected = Vec::new();
    for s in &strings {
        match encode::xml_text(s) {
            Ok(text) => {
                doc.push_str(&format!(
                    "<s a=\"{}\">{}</s>\n",
                    quick_xml::escape::escape(text),
                    quick_xml::escape::escape(text)
                ));
                doc.push_str(&format!("<!--{}-->\n", encode::xml_comment(s).unwrap()));
                expected.push(text.to_string());
            }
            Err(_) => assert!(
                s.chars().any(|c| c.is_control() || !encode::is_xml_char(c)),
                "refused {s:?}"
            ),
        }
    }
    doc.push_str("</r>\n");
    run("xmllint", &["--noout", "-"], doc.as_bytes());
    const READ: &str = r#"
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
json.dump([[s.text or "", s.get("a")] for s in root], sys.stdout)
"#;
    let read: Vec<(String, String)> =
        serde_json::from_str(&run("python3", &["-c", READ], doc.as_bytes())).unwrap();
    assert_eq!(read.len(), expected.len());
    for ((text, attribute), s) in read.iter().zip(&expected) {
        // XML reads a carriage return as a line feed: the encoder refused those already.
        assert_eq!(text, s);
        assert_eq!(attribute, s);
    }
    assert!(
        expected.len() > PER_CONTEXT / 10,
        "too few strings XML can hold"
    );
}

/// Markdown, rendered by cmark-gfm: each string is one list item whose text is the string
/// (line breaks and control characters as spaces), never markup.
#[test]
fn markdown_text_comes_back_exactly() {
    common::require_tool("cmark-gfm");
    let strings = strings(PER_CONTEXT);
    let mut md = String::new();
    for s in &strings {
        md.push_str(&format!("- X{}Y\n", encode::markdown(s)));
    }
    let html = run("cmark-gfm", &["--unsafe"], md.as_bytes());
    const READ: &str = r#"
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items, self.depth, self.tags = [], 0, 0
    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self.items.append("")
        elif tag not in ("ul", "p"):
            self.tags += 1
    def handle_data(self, data):
        if self.items:
            self.items[-1] += data
p = P()
p.feed(sys.stdin.read())
json.dump([p.items, p.tags], sys.stdout)
"#;
    let (items, tags): (Vec<String>, usize) =
        serde_json::from_str(&run("python3", &["-c", READ], html.as_bytes())).unwrap();
    assert_eq!(tags, 0, "a string became markup");
    assert_eq!(items.len(), strings.len(), "one item per string");
    for (item, s) in items.iter().zip(&strings) {
        let expected: String = s
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        assert_eq!(
            item.trim_end_matches('\n'),
            format!("X{expected}Y"),
            "{s:?}"
        );
    }
}

/// What an HTML reader shows for `html_text(s)`: the string, with control characters, the
/// line and paragraph separators and U+FFFE and U+FFFF as spaces.
fn html_expected(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || !encode::is_xml_char(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Python's `html.parser` over each fragment of a JSON list, one parser per fragment: its text
/// (character references decoded) and how many tags it held.
const HTML_FRAGMENTS: &str = r#"
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.tags = "", 0
    def handle_starttag(self, tag, attrs):
        self.tags += 1
    def handle_endtag(self, tag):
        self.tags += 1
    def handle_data(self, data):
        self.text += data
    def handle_comment(self, data):
        self.tags += 1
    def handle_decl(self, data):
        self.tags += 1
    def handle_pi(self, data):
        self.tags += 1
out = []
for fragment in json.load(sys.stdin):
    p = P()
    p.feed(fragment)
    p.close()
    out.append([p.text, p.tags])
json.dump(out, sys.stdout)
"#;

/// HTML text and attribute values, read by Python's `html.parser`: each string is the text of
/// one `<p>` and its `title`, exactly (control characters and line separators as spaces), and
/// no string opens or closes a tag.
#[test]
fn html_text_comes_back_exactly() {
    if !common::require_tool("python3") {
        return;
    }
    let strings = strings(PER_CONTEXT);
    let mut doc = String::from("<!DOCTYPE html>\n<html><body>\n");
    for s in &strings {
        let text = encode::html_text(s);
        doc.push_str(&format!("<p title=\"{text}\">{text}</p>\n"));
    }
    doc.push_str("</body></html>\n");
    const READ: &str = r#"
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items, self.open, self.other = [], False, 0
    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.items.append([dict(attrs).get("title"), ""])
            self.open = True
        elif tag not in ("html", "body"):
            self.other += 1
    def handle_endtag(self, tag):
        if tag == "p":
            self.open = False
        elif tag not in ("html", "body"):
            self.other += 1
    def handle_data(self, data):
        if self.open:
            self.items[-1][1] += data
p = P()
p.feed(sys.stdin.read())
p.close()
json.dump([p.items, p.other], sys.stdout)
"#;
    let (items, other): (Vec<(String, String)>, usize) =
        serde_json::from_str(&run("python3", &["-c", READ], doc.as_bytes())).unwrap();
    assert_eq!(other, 0, "a string became markup");
    assert_eq!(items.len(), strings.len(), "one paragraph per string");
    for ((title, text), s) in items.iter().zip(&strings) {
        let expected = html_expected(s);
        assert_eq!(text, &expected, "{s:?}");
        assert_eq!(title, &expected, "{s:?}");
    }
}

/// Santa's `custom_msg`: HTML text inside the plist's XML. The plist crate writes every message
/// as Santa's target does, Python's `plistlib` reads the plist back, and `html.parser` reads
/// each message: its text is the string (control characters and line separators as spaces),
/// with no tag in it.
#[test]
fn santa_messages_come_back_exactly() {
    if !common::require_tool("python3") {
        return;
    }
    let strings = strings(PER_CONTEXT);
    let messages: Vec<plist::Value> = strings
        .iter()
        .map(|s| plist::Value::String(encode::html_text(s)))
        .collect();
    let mut xml = Vec::new();
    plist::to_writer_xml_with_options(
        &mut xml,
        &plist::Value::Array(messages),
        &plist::XmlWriteOptions::default().indent(b' ', 2),
    )
    .unwrap();
    const READ: &str = r#"
import json, plistlib, sys
messages = plistlib.loads(sys.stdin.buffer.read())
sys.stdout.write(json.dumps(messages))
"#;
    let messages = run("python3", &["-c", READ], &xml);
    let read: Vec<(String, usize)> = serde_json::from_str(&run(
        "python3",
        &["-c", HTML_FRAGMENTS],
        messages.as_bytes(),
    ))
    .unwrap();
    assert_eq!(read.len(), strings.len());
    for ((text, tags), s) in read.iter().zip(&strings) {
        assert_eq!(*tags, 0, "{s:?} became markup");
        assert_eq!(text, &html_expected(s), "{s:?}");
    }
}

/// The text between the quotes of a C-escaped string as `yara -m` prints a meta value
/// (`\"`, `\\`, `\n`, `\t`, `\r`, three octal digits for any other byte), from `at` (just past
/// the opening quote); returns the bytes and where the closing quote is.
fn yara_unescape(line: &[u8], mut at: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    while line[at] != b'"' {
        if line[at] == b'\\' {
            let c = line[at + 1];
            match c {
                b'"' | b'\\' | b'\'' => out.push(c),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'r' => out.push(b'\r'),
                b'0'..=b'7' => {
                    let octal = std::str::from_utf8(&line[at + 1..at + 4]).unwrap();
                    out.push(u8::from_str_radix(octal, 8).unwrap());
                    at += 2;
                }
                _ => panic!("unknown escape in {}", String::from_utf8_lossy(line)),
            }
            at += 2;
        } else {
            out.push(line[at]);
            at += 1;
        }
    }
    (out, at)
}

/// YARA meta values: one rule per string with the string as its meta value `s`, compiled and
/// run by `yara -m` over a file, which prints every meta value (C-escaped, decoded here): each
/// comes back exactly (a NUL, which would end YARA's C string, dropped). Strings whose meta
/// line would pass `LINE_BYTES` are left out: msgpol's meta values are short words, and
/// YARA's lexer refuses a string longer than 8 KiB.
#[test]
fn yara_meta_values_come_back_exactly() {
    if !common::require_tool("yara") {
        return;
    }
    let strings = strings(PER_CONTEXT);
    let dir = tempfile::tempdir().unwrap();
    let mut rules = String::new();
    let mut expected = Vec::new();
    for s in &strings {
        let line = format!("        s = {}", encode::yara_string(s));
        if line.len() > encode::LINE_BYTES {
            continue;
        }
        rules.push_str(&format!(
            "rule r{} {{\n    meta:\n{line}\n    condition:\n        true\n}}\n",
            expected.len()
        ));
        expected.push(s.replace('\0', ""));
    }
    assert!(expected.len() > PER_CONTEXT * 9 / 10, "too few strings fit");
    let rule_file = dir.path().join("msgpol.yar");
    std::fs::write(&rule_file, &rules).unwrap();
    let scanned = dir.path().join("scanned");
    std::fs::write(&scanned, "x").unwrap();
    let out = Command::new("yara")
        .arg("-m")
        .arg(&rule_file)
        .arg(&scanned)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut read = vec![None; expected.len()];
    for line in out.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let open = line.iter().position(|&b| b == b' ').unwrap();
        let index: usize = std::str::from_utf8(&line[1..open])
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            line[open..].starts_with(b" [s=\""),
            "{}",
            String::from_utf8_lossy(line)
        );
        let (value, close) = yara_unescape(line, open + 5);
        assert!(
            line[close..].starts_with(b"\"] "),
            "one meta value per rule"
        );
        assert!(read[index].replace(value).is_none(), "rule {index} twice");
    }
    for (value, s) in read.into_iter().zip(&expected) {
        assert_eq!(
            String::from_utf8(value.expect("every rule matched")).unwrap(),
            *s
        );
    }
}

/// Suricata rules, one per string with the string as its `msg`, parsed by PyPI
/// `suricataparser`: each rule has exactly its two options (`msg` and `sid`, so no `;` in a
/// message ended it), and the message, its backslash escapes undone as Suricata undoes them,
/// is the string as a comment holds it (on one line, cut to `COMMENT_BYTES`).
#[test]
fn suricata_messages_come_back_exactly() {
    if !common::require_python_module("suricataparser", "suricataparser") {
        return;
    }
    let strings = strings(PER_CONTEXT);
    let mut rules = String::new();
    for (i, s) in strings.iter().enumerate() {
        let line = format!(
            "alert tcp any any -> any any (msg:\"{}\"; sid:{};)",
            encode::suricata_msg(s),
            i + 1
        );
        assert!(line.len() <= encode::LINE_BYTES);
        rules.push_str(&line);
        rules.push('\n');
    }
    const READ: &str = r#"
import json, sys
from suricataparser import parse_rule
out = []
for line in sys.stdin.read().split("\n")[:-1]:
    rule = parse_rule(line)
    # The option's value as written: `rule.msg` strips every quote at either end, an escaped
    # one too, where Suricata strips the two quotes around the value.
    msg = [o.value for o in rule.options if o.name == "msg"][0]
    assert msg[0] == '"' and msg[-1] == '"', msg
    out.append([msg[1:-1], [o.name for o in rule.options]])
json.dump(out, sys.stdout)
"#;
    let read: Vec<(String, Vec<String>)> =
        serde_json::from_str(&run("python3", &["-c", READ], rules.as_bytes())).unwrap();
    assert_eq!(read.len(), strings.len());
    for ((msg, options), s) in read.iter().zip(&strings) {
        assert_eq!(options, &["msg", "sid"], "{s:?}");
        let mut unescaped = String::new();
        let mut chars = msg.chars();
        while let Some(c) = chars.next() {
            unescaped.push(if c == '\\' {
                chars.next().unwrap_or_else(|| panic!("{msg:?} {s:?}"))
            } else {
                c
            });
        }
        assert_eq!(unescaped, encode::comment(s), "{s:?}");
    }
}

/// A file of every string as a comment (`marker` then the encoded text), each followed by the
/// statement `statement(i)`; every line within `LINE_BYTES`.
fn commented(head: &str, marker: &str, statement: impl Fn(usize) -> String, tail: &str) -> String {
    let mut out = String::from(head);
    for (i, s) in strings(PER_CONTEXT).iter().enumerate() {
        let line = format!("{marker} {}", encode::comment(s));
        assert!(line.len() <= encode::LINE_BYTES);
        out.push_str(&line);
        out.push('\n');
        out.push_str(&statement(i));
        out.push('\n');
    }
    out.push_str(tail);
    out
}

fn write_temp(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("n{i}.test")).collect()
}

/// Unbound: `unbound-checkconf` accepts a `server:` clause of every comment, each followed by
/// a `private-domain:`, and `-o private-domain` lists every one of them.
#[test]
fn unbound_comments_stay_comments() {
    if !common::require_tool("unbound-checkconf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = commented(
        "server:\n",
        "  #",
        |i| format!("  private-domain: \"n{i}.test\""),
        "",
    );
    let conf = write_temp(&dir, "unbound.conf", &conf);
    let checkconf = common::find_tool("unbound-checkconf").unwrap();
    let (ok, text) = common::run(Command::new(&checkconf).arg(&conf));
    assert!(ok, "{text}");
    let (ok, text) = common::run(
        Command::new(&checkconf)
            .args(["-o", "private-domain"])
            .arg(&conf),
    );
    assert!(ok, "{text}");
    let mut listed: Vec<&str> = text.lines().collect();
    listed.reverse();
    assert_eq!(listed, names(PER_CONTEXT));
}

/// An RPZ zone: `named-checkzone` loads a zone of every comment (`;`), each followed by a
/// record, and its dump (`-D`) holds every record once.
#[test]
fn rpz_comments_stay_comments() {
    if !common::require_tool("named-checkzone") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let zone = commented(
        "$TTL 300\n@ IN SOA localhost. root.localhost. 1 3600 600 86400 300\n@ IN NS localhost.\n",
        ";",
        |i| format!("n{i}.test CNAME ."),
        "",
    );
    let zone = write_temp(&dir, "rpz.zone", &zone);
    let (ok, text) = common::run(
        Command::new(common::find_tool("named-checkzone").unwrap())
            .args(["-D", "-o", "-", "rpz.msgpol"])
            .arg(&zone),
    );
    assert!(ok, "{text}");
    let mut records: Vec<String> = text
        .lines()
        .filter(|l| l.contains("CNAME"))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    records.sort();
    let mut expected: Vec<String> = names(PER_CONTEXT)
        .iter()
        .map(|n| format!("{n}.rpz.msgpol."))
        .collect();
    expected.sort();
    assert_eq!(records, expected);
}

/// nftables: `nft -c -f` accepts a set whose elements each follow a comment; loaded in a
/// network namespace of its own, the set lists every element.
#[test]
fn nftables_comments_stay_comments() {
    if !common::require_tool("nft") {
        return;
    }
    let address = |i: usize| format!("10.{}.{}.1", i >> 8, i & 255);
    let dir = tempfile::tempdir().unwrap();
    let ruleset = commented(
        "table inet msgpol_property {\n  set s {\n    type ipv4_addr\n    elements = {\n",
        "      #",
        |i| format!("      {},", address(i)),
        "    }\n  }\n}\n",
    );
    let file = write_temp(&dir, "ruleset.nft", &ruleset);
    let nft = common::find_tool("nft").unwrap();
    let (ok, text) = common::run(Command::new(&nft).arg("-c").arg("-f").arg(&file));
    assert!(ok, "{text}");
    if !common::can_unshare("-n") {
        return;
    }
    let script = format!(
        "{0} -f {1} && {0} -j list set inet msgpol_property s",
        nft.display(),
        file.display()
    );
    let (ok, text) = common::run(Command::new("unshare").args(["-n", "sh", "-c", &script]));
    assert!(ok, "{text}");
    let listed: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut elements: Vec<String> = listed["nftables"][1]["set"]["elem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    elements.sort();
    let mut expected: Vec<String> = (0..PER_CONTEXT).map(address).collect();
    expected.sort();
    assert_eq!(elements, expected);
}

/// Squid: `squid -k parse` reads a configuration of every comment, each followed by an `acl`,
/// with no error, and reports processing every `acl`, in order.
#[test]
fn squid_comments_stay_comments() {
    if !common::require_tool("squid") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = commented(
        &format!("http_port 127.0.0.1:{}\n", common::free_port()),
        "#",
        |i| format!("acl a{i} dstdomain .n{i}.test"),
        "http_access deny all\n",
    );
    let conf = write_temp(&dir, "squid.conf", &conf);
    let (ok, text) = common::run(
        Command::new(common::find_tool("squid").unwrap())
            .args(["-k", "parse", "-f"])
            .arg(&conf),
    );
    assert!(ok, "{text}");
    assert!(!text.contains("ERROR") && !text.contains("FATAL"), "{text}");
    let acls: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once("| Processing: acl ").map(|(_, acl)| acl))
        .collect();
    let expected: Vec<String> = (0..PER_CONTEXT)
        .map(|i| format!("a{i} dstdomain .n{i}.test"))
        .collect();
    assert_eq!(acls, expected);
}

/// dnsmasq: `dnsmasq --test` accepts a configuration of every comment, each followed by an
/// `address=`, and a dnsmasq running it answers every name with its own address.
#[test]
fn dnsmasq_comments_stay_comments() {
    if !common::require_tool("dnsmasq") {
        return;
    }
    let address = |i: usize| std::net::Ipv4Addr::new(10, (i >> 8) as u8, (i & 255) as u8, 1);
    let dir = tempfile::tempdir().unwrap();
    let conf = commented(
        "",
        "#",
        |i| format!("address=/n{i}.test/{}", address(i)),
        "",
    );
    let conf = write_temp(&dir, "dnsmasq.conf", &conf);
    let (ok, text) = common::run(
        Command::new(common::find_tool("dnsmasq").unwrap())
            .args(["--test", "-C"])
            .arg(&conf),
    );
    assert!(ok && text.contains("syntax check OK"), "{text}");
    let (_dnsmasq, port) =
        common::start_dnsmasq(dir.path(), &format!("--conf-file={}", conf.display()), None);
    let replies = common::dns_ask(port, &names(PER_CONTEXT));
    for (i, reply) in replies.iter().enumerate() {
        let reply = reply.as_ref().expect("answered");
        assert_eq!(reply.addresses, [address(i)], "n{i}.test");
    }
}

/// `.reg` strings, read by Samba's `net registry import` (Samba's `.reg` parser, in a registry
/// of a temporary directory; no regedit runs here): a regedit file (UTF-16LE, CRLF) with every
/// string the encoder accepts as a value's data imports, and `net registry enumerate` lists
/// each value with its data exactly; the encoder refused only strings with a line break or
/// another control character.
#[test]
fn reg_strings_come_back_exactly_or_are_refused() {
    if !common::require_tool("net") {
        return;
    }
    let strings = strings(PER_CONTEXT);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let smb_conf = write_temp(
        &dir,
        "smb.conf",
        &format!(
            "[global]\nstate directory = {d}\nlock directory = {d}\ncache directory = {d}\nprivate dir = {d}\npid directory = {d}\nncalrpc dir = {d}\n"
        ),
    );
    let mut text = String::from(
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\msgpol-property]\r\n",
    );
    let mut expected = Vec::new();
    for s in &strings {
        match encode::reg_string(s) {
            Ok(data) => {
                text.push_str(&format!("\"v{}\"={data}\r\n", expected.len()));
                expected.push(s.as_str());
            }
            Err(_) => assert!(
                s.chars()
                    .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')),
                "refused {s:?}"
            ),
        }
    }
    // Regedit ends its files with an empty line; Samba's parser drops a last value without it.
    text.push_str("\r\n");
    assert!(
        expected.len() > PER_CONTEXT / 10,
        "too few strings accepted"
    );
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let reg = dir.path().join("msgpol.reg");
    std::fs::write(&reg, bytes).unwrap();
    let net = common::find_tool("net").unwrap();
    let (ok, out) = common::run(
        Command::new(&net)
            .arg("-s")
            .arg(&smb_conf)
            .args(["registry", "import"])
            .arg(&reg),
    );
    assert!(ok, "{out}");
    let out = Command::new(&net)
        .arg("-s")
        .arg(&smb_conf)
        .args(["registry", "enumerate", "HKLM\\SOFTWARE\\msgpol-property"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let listing = String::from_utf8(out.stdout).unwrap();
    let mut read = vec![None; expected.len()];
    let mut name = None;
    for line in listing.lines() {
        if let Some(n) = line.strip_prefix("Valuename  = v") {
            name = Some(n.parse::<usize>().unwrap());
        } else if let Some(value) = line.strip_prefix("Value      = \"") {
            let value = value.strip_suffix('"').unwrap();
            assert!(read[name.take().unwrap()].replace(value).is_none());
        }
    }
    for (value, s) in read.iter().zip(&expected) {
        assert_eq!(value.expect("every value imported"), *s);
    }
}
