//! Property test over the fields of a policy, through msgpol itself: hostile strings (made of
//! `common::hostile::PIECES`: line and paragraph separators, NEL, BOM, noncharacters, bidi
//! controls, quotes of many scripts, `]]>`, `--`, `*/`, `'@`, backticks, `$(`, now and then
//! 64 KiB long) are written into one string-bearing field of a policy (quotes and backslashes
//! escaped as a `.msgpol` string needs; line breaks left as they are), the policy is compiled in
//! memory and, if it compiles, built for every target. Either msgpol refuses the policy with a
//! coded diagnostic (an error with an `E` code, never a panic), or every target builds (or
//! refuses with a code of its own, such as E315 for a version Purview cannot take; never E303,
//! a string an encoder refuses that `check` let through, nor E317–E319, a written file that
//! its own reader cannot read or that disagrees with the policy) and
//! the written files are given to their real consumers, one run per consumer over every policy
//! of the run.
//!
//! The fields, one a slot of `TEMPLATE` (every declaration kind; the others keep their
//! default values):
//!
//! - policy: title, organisation, version, owner, support, its doc comment (`///`);
//! - `import` paths;
//! - class: label, doc comment; detector: `keywords`, `near` words, `example`, `not-example`,
//!   doc comment;
//! - channel: label (of an approved, a Teams and a banned channel), doc comment, `vendor`,
//!   `source`, `note`, `dns-bypass`, `domains`, `hosts`, `networks`, `windows-exe`,
//!   `windows-publisher`, `windows-store`, `windows-path`, `macos-bundle`, `macos-team`,
//!   `macos-signing-id`, `entra-app`, `android-package`, `web-app`, a `feed` path;
//! - tier: label, doc comment;
//! - exception: `who group`, `approved-by`, `reason`, doc comment;
//! - review: reviewer (`reviewed … by`), `finding`; incident: title, `lesson`, doc comment;
//! - feed lines: lines of a `feed domains` file (a line break in a string makes more lines).
//!
//! Fields of free text are read back: the same policy with a marker in the field is built too,
//! and wherever a consumer reads a literal holding the marker, the hostile policy's files hold
//! that literal with the string in the marker's place, exactly, and the same literals, tags and
//! comments otherwise. "Exactly" as the encoders document it: a tab (the one control character
//! a doc comment may hold; a quoted string refuses it, E002) shows as a space in HTML and Markdown and is dropped from
//! PowerShell strings; a doc line is read trimmed; Purview and Google DLP cut names and
//! descriptions to their engines' lengths (`dlp::cut`, `fit_name`); a keyword becomes a regular
//! expression in Google DLP's template (checked by its rules reader, not compared here). Names,
//! paths and identifiers are validated (most hostile strings are refused); where one is
//! accepted, its files go to the same consumers. The consumers and what they read:
//!
//! - JSON (`ir`, `chrome`, `firefox`, `conditional-access`, `google-dlp`): Python's `json`,
//!   every string value.
//! - XML (`applocker`, the Purview rule package): `xmllint --noout`, then Python's
//!   ElementTree, every element's text and every attribute value.
//! - Santa's profile: Python's `plistlib`, every string (`CustomMsg`, HTML, as `html.parser`
//!   reads its text).
//! - HTML guides and briefing: Python's `html.parser`, the text of each block element (`p`,
//!   `li`, `td`, headings, …) and every attribute value; the tags.
//! - Markdown guides and briefing: `cmark-gfm` with GitHub's table, task list and
//!   strikethrough extensions, then as HTML.
//! - PowerShell (`windows-firewall`, `teams`, `purview`): tree-sitter-powershell, no parse
//!   error, every string literal (quotes undoubled), the number of comments.
//! - PAC: node evaluates the file and asks `FindProxyForURL` about the policy's names: the same
//!   answers as for the marker policy.
//! - Suricata: PyPI suricataparser, the options of every rule (the same as the marker policy's).
//! - YARA: `yara` compiles every rule file. `unbound-checkconf`, `named-checkconf -z` (the RPZ
//!   zone), `nft -c -f`, `squid -k parse`, `dnsmasq --test` accept every file (their comments
//!   carry the title and organisation). `hosts`, `adblock`, `ipset`, `pf`, `gpo` and `reg`
//!   are read back by msgpol's own readers only, as every build does.
//!
//! Run time is kept short: `POLICIES` policies per field (`MSGPOL_PROPTEST_POLICIES` for more),
//! up to three strings each where the field repeats; `MSGPOL_PROPTEST_SEED` picks another
//! sequence; `MSGPOL_PROPTEST_KEEP=1` keeps the files. Half of the strings have the characters
//! every policy refuses (E002) and line breaks taken out, so that many policies compile and
//! reach the consumers. Free text is never empty here (`empty_text_is_refused_with_a_code`).

mod common;

use common::hostile::{self, pipe};
use common::rng::Rng;
use msgpol::diagnostics::Code;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const POLICIES: usize = 30;

const ROOT: &str = "policy.msgpol";
const FEED: &str = "feeds/banned.list";

/// The policy every case starts from; `@slot@` is where a field's statements go.
const TEMPLATE: &str = r#"@policy_doc@
policy @title@ {
  organisation @organisation@
  size large
  version @version@
  effective 2026-05-01
  owner @owner@
  support @support@
  briefing every 6 months
}
@import@
import std.channels

class open "Open" {
}

@class_doc@
class staff-only : open @class_label@ {
  requires mfa
@detector_doc@
  detect marking {
    keywords "STAFF ONLY"@keywords@
    case-sensitive
    example "STAFF ONLY"
@not_example@
  }
  detect card {
    pattern "[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}"
    check luhn
    near "visa"@near@ within 30
    example "visa 4111 1111 1111 1111"
  }
  detect anything {
    pattern "[A-Z]{3}-[0-9]{4}"
    example "ABC-1234"
@example@
  }
}

@channel_doc@
channel safe-talk @approved_label@ {
  vendor "Safe Talk AG"
  media text, voice, video, file
  e2ee
  mfa
  managed
  domains "safetalk.fixture.example"
  web-app "https://safetalk.fixture.example"
}

/// Our Teams tenant: its label goes into the hardening script's strings.
channel our-teams : teams @teams_label@ {
}

harden our-teams {
  disable consumer-accounts
}

channel leaky-chat @banned_label@ {
  vendor @vendor@
  media text, voice, file
  e2ee no
@source@
@note@
@dns_bypass@
  domains @domains@
  hosts @hosts@
  networks @networks@
  ports tcp 443
  windows-exe @windows_exe@
  windows-publisher @windows_publisher@
  windows-store @windows_store@
  windows-path @windows_path@
  macos-bundle @macos_bundle@
  macos-signing-id @macos_signing_id@
  entra-app @entra_app@
  android-package @android_package@
  web-app @web_app@
}

channel partner-portal "Partner portal" {
  media text, file
  domains "portal.fixture.example"
}

channel feed-chat "Feed chat" {
  media text
  feed domains @feed_path@
  macos-team @macos_team@
}

tier approved "Tier 1: approved" {
  channels safe-talk, our-teams
  allows up to staff-only
  requires mfa
}

tier limited "Tier 2: public only" {
  channels partner-portal
  allows up to open
  monitor
}

@tier_doc@
tier banned @tier_label@ {
  channels leaky-chat, feed-chat
  allows nothing
  block dns, firewall, endpoint, browser, dlp
  instead safe-talk
}

@exception_doc@
exception partner-orders {
  who group @who_group@
  channel partner-portal
  allows up to staff-only
  until 2028-01-31
  approved-by @approved_by@
  reason @reason@
}

review safe-talk {
  reviewed 2026-04-01 by @reviewer@
@finding@
  next 2027-04-01
}

@incident_doc@
incident @incident_title@ {
  date 2025-11-02
@lesson@
}
"#;

/// How a field's strings are written into its slot.
#[derive(Clone, Copy)]
enum Shape {
    /// Quoted strings after a prefix, separated by commas (`keywords "a", "b"`; a prefix of
    /// nothing for a value inside a statement, as a title).
    List(&'static str),
    /// One statement per string (`note "a"`).
    Each(&'static str),
    /// One statement per string, the string after fixed text inside the quotes (an `example`
    /// the detector's pattern finds in that text).
    After(&'static str, &'static str),
    /// One doc comment line per string, at this indentation (the rest of the line).
    Doc(&'static str),
    /// Lines of the feed file.
    FeedLine,
}

struct Field {
    slot: &'static str,
    shape: Shape,
    /// Its value when another field is under test.
    default: &'static [&'static str],
    /// Whether it takes more than one string.
    many: bool,
    /// Free text, read back against a marker; the others are names, paths and identifiers,
    /// which msgpol validates (most hostile strings are refused).
    free: bool,
    /// Whether a detector's examples are checked on it: a target's engine may then refuse it
    /// with E320 or E321.
    detector: bool,
}

const fn field(
    slot: &'static str,
    shape: Shape,
    default: &'static [&'static str],
    many: bool,
    free: bool,
) -> Field {
    Field {
        slot,
        shape,
        default,
        many,
        free,
        detector: false,
    }
}

const fn detector(mut f: Field) -> Field {
    f.detector = true;
    f
}

use Shape::{After, Doc, Each, FeedLine, List};

static FIELDS: &[Field] = &[
    field("title", List(""), &["Fields fixture"], false, true),
    field("organisation", List(""), &["Fixture Ltd"], false, true),
    field("version", List(""), &["2026.11"], false, false),
    field(
        "owner",
        List(""),
        &["security@fixture.example"],
        false,
        true,
    ),
    field("support", List(""), &["IT desk"], false, true),
    field("policy_doc", Doc(""), &["The fields fixture."], true, true),
    field("import", Each("import "), &[], true, false),
    field("class_label", List(""), &["Staff only"], false, true),
    field("class_doc", Doc(""), &["Day-to-day business."], true, true),
    detector(field("keywords", List(", "), &["KEYWORD"], true, true)),
    detector(field("near", List(", "), &["card"], true, true)),
    detector(field(
        "example",
        After("    example ", "ABC-1234 "),
        &[],
        true,
        true,
    )),
    detector(field(
        "not_example",
        Each("    not-example "),
        &["staff only"],
        true,
        true,
    )),
    field("detector_doc", Doc("  "), &["A marking."], true, true),
    field(
        "channel_doc",
        Doc(""),
        &["An approved messenger."],
        true,
        true,
    ),
    field("approved_label", List(""), &["Safe Talk"], false, true),
    field("banned_label", List(""), &["Leaky Chat"], false, true),
    field("teams_label", List(""), &["Our Teams"], false, true),
    field("vendor", List(""), &["Leaky Ltd"], false, true),
    field("source", Each("  source "), &["vendor pages"], true, true),
    field("note", Each("  note "), &["A note."], true, true),
    field(
        "dns_bypass",
        Each("  dns-bypass "),
        &["it has built-in addresses"],
        true,
        true,
    ),
    field("domains", List(""), &["leaky.example"], true, false),
    field("hosts", List(""), &["api.leaky-cdn.example"], true, false),
    field("networks", List(""), &["192.0.2.0/24"], true, false),
    field("windows_exe", List(""), &["Leaky.exe"], true, false),
    field(
        "windows_publisher",
        List(""),
        &["O=LEAKY LTD, C=GB"],
        true,
        false,
    ),
    field(
        "windows_store",
        List(""),
        &["Leaky.Desktop_abcdefghjkmn1"],
        true,
        false,
    ),
    field(
        "windows_path",
        List(""),
        &["C:\\Program Files\\Leaky\\Leaky.exe"],
        true,
        false,
    ),
    field(
        "macos_bundle",
        List(""),
        &["example.leaky.desktop"],
        true,
        false,
    ),
    field("macos_team", List(""), &["B1B2C3D4E5"], true, false),
    field(
        "macos_signing_id",
        List(""),
        &["C1C2C3D4E5:example.leaky.helper"],
        true,
        false,
    ),
    field(
        "entra_app",
        List(""),
        &["cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"],
        true,
        false,
    ),
    field("android_package", List(""), &["example.leaky"], true, false),
    field("web_app", List(""), &["https://leaky.example"], true, false),
    field("feed_path", List(""), &[FEED], false, false),
    field("feed_line", FeedLine, &[], true, false),
    field("tier_doc", Doc(""), &["Banned."], true, true),
    field("tier_label", List(""), &["Tier 3: banned"], false, true),
    field("exception_doc", Doc(""), &["Partners."], true, true),
    field("who_group", List(""), &["sales"], false, true),
    field("approved_by", List(""), &["CISO"], false, true),
    field(
        "reason",
        List(""),
        &["Partners confirm orders"],
        false,
        true,
    ),
    field("reviewer", List(""), &["security team"], false, true),
    field("finding", Each("  finding "), &["Encrypted"], true, true),
    field("incident_doc", Doc(""), &["A lesson learnt."], true, true),
    field(
        "incident_title",
        List(""),
        &["Order list posted in the wrong chat"],
        false,
        true,
    ),
    field(
        "lesson",
        Each("  lesson "),
        &["Check the chat."],
        true,
        true,
    ),
];

/// The names the feed file always holds.
const FEED_BASE: &str = "feedchat.example\nmore.feedchat.example\n";

fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn render(shape: Shape, values: &[String]) -> String {
    match shape {
        List(_) if values.is_empty() => String::new(),
        List(prefix) => format!(
            "{prefix}{}",
            values
                .iter()
                .map(|v| quoted(v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Each(prefix) => values
            .iter()
            .map(|v| format!("{prefix}{}", quoted(v)))
            .collect::<Vec<_>>()
            .join("\n"),
        After(prefix, text) => values
            .iter()
            .map(|v| format!("{prefix}{}", quoted(&format!("{text}{v}"))))
            .collect::<Vec<_>>()
            .join("\n"),
        Doc(indent) => values
            .iter()
            .map(|v| format!("{indent}/// {v}"))
            .collect::<Vec<_>>()
            .join("\n"),
        FeedLine => String::new(),
    }
}

/// The files of the policy with `values` in `chosen` and every other field at its default.
fn policy(chosen: &Field, values: &[String]) -> BTreeMap<String, Vec<u8>> {
    let mut text = TEMPLATE.to_string();
    let mut feed = FEED_BASE.to_string();
    for f in FIELDS {
        let own: Vec<String>;
        let values = if f.slot == chosen.slot {
            values
        } else {
            own = f.default.iter().map(|v| v.to_string()).collect();
            &own
        };
        if let FeedLine = f.shape {
            for v in values {
                feed.push_str(v);
                feed.push('\n');
            }
            continue;
        }
        let slot = format!("@{}@", f.slot);
        assert!(text.contains(&slot), "{slot}");
        text = text.replace(&slot, &render(f.shape, values));
    }
    BTreeMap::from([
        (ROOT.to_string(), text.into_bytes()),
        (FEED.to_string(), feed.into_bytes()),
    ])
}

/// The marker that stands for the `i`th string of a field in the policy read back against.
fn marker(i: usize) -> String {
    format!("Msgpolmark{}q", (b'a' + i as u8) as char)
}

/// The hostile strings of one case: one, or up to three distinct ones where the field
/// repeats. Half the time without the characters a policy never holds.
fn case_strings(rng: &mut Rng, f: &Field, case: usize) -> Vec<String> {
    let n = if f.many { rng.between(1, 3) } else { 1 };
    let clean = rng.percent(50);
    let mut out: Vec<String> = Vec::new();
    while out.len() < n {
        let target = if case % 12 == 11 && out.is_empty() {
            64 * 1024
        } else {
            rng.below(40)
        };
        let mut s = hostile::string(rng, target);
        if clean {
            s.retain(|c| !msgpol::source::is_unsafe_char(c) && c != '\n' && c != '\r');
        }
        if matches!(f.shape, Doc(_)) {
            // A doc comment ends at its line: what follows a line break would be a statement.
            s.retain(|c| c != '\n' && c != '\r');
        }
        // A doc line of only white space ends a paragraph. Free text is never empty here: it
        // is refused with E016 (`empty_text_is_refused_with_a_code`).
        if matches!(f.shape, Doc(_)) && s.trim().is_empty() || f.free && s.is_empty() {
            continue;
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// A short form of a string for a failure message.
fn show(values: &[String]) -> String {
    values
        .iter()
        .map(|v| {
            let short: String = v.chars().take(120).collect();
            format!("{short:?} ({} bytes)", v.len())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One policy of the run that built: where its files are.
struct Built {
    field: usize,
    values: Vec<String>,
    dir: PathBuf,
    /// The targets that wrote files (the others refused with a code).
    targets: Vec<&'static str>,
}

/// The targets whose files a consumer here reads (the others, `hosts`, `adblock`, `ipset`,
/// `pf`, `gpo` and `reg`, are read back only by msgpol's own readers, as every build does).
const CONSUMED: &[&str] = &[
    "ir",
    "dnsmasq",
    "unbound",
    "rpz",
    "squid",
    "pac",
    "nftables",
    "windows-firewall",
    "suricata",
    "chrome",
    "firefox",
    "applocker",
    "santa",
    "conditional-access",
    "teams",
    "yara",
    "google-dlp",
    "purview",
    "guide-md",
    "guide-html",
    "briefing",
];

/// Codes a build in memory never gives for a policy `check` accepted: a file that disagrees
/// with the policy (E317–E319), or a string an encoder refuses (E303: emission writes nothing
/// to disk here, so it is a string `check` should have refused with a code of its own).
const BUG_CODES: &[Code] = &[Code::E303, Code::E317, Code::E318, Code::E319];

/// Compile the policy and build every target into `dir`: `None` if msgpol refused it (with a
/// coded error: anything else fails here).
fn compile_and_build(f: &Field, values: &[String], dir: &Path) -> Option<Vec<&'static str>> {
    let what = || format!("field {} with {}", f.slot, show(values));
    let files = &policy(f, values);
    let c = msgpol::compile_memory(ROOT, files, common::today()).expect("the root is given");
    let Some(ir) = &c.ir else {
        let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(!errors.is_empty(), "{}: no IR and no error", what());
        for d in errors {
            let code = d.code.to_string();
            assert!(
                code.starts_with('E') && code.len() == 4,
                "{}: an error without a code: {code} {}",
                what(),
                d.message
            );
        }
        // The diagnostics render, as `msgpol check` prints them.
        let _ = common::rendered(&c);
        return None;
    };
    let oracle = msgpol::emit::verify::Oracle::new(ir);
    let mut written = Vec::new();
    for target in msgpol::emit::all_targets() {
        let refused = |e: &msgpol::diagnostics::Diagnostic| {
            assert!(
                !BUG_CODES.contains(&e.code)
                    && (f.detector || !matches!(e.code, Code::E320 | Code::E321)),
                "{}: target {} refused: {} {}",
                what(),
                target.name(),
                e.code,
                e.message
            );
        };
        let emitted = match target.emit(ir) {
            Ok(emitted) => emitted,
            Err(e) => {
                refused(&e.0);
                continue;
            }
        };
        let mut ok = true;
        if let Some(reader) = target.info().reader {
            if let Err(e) =
                msgpol::emit::verify::verify(target.name(), reader, &oracle, &emitted.files)
            {
                refused(&e.0);
                ok = false;
            }
        }
        if let Some(reader) = target.info().rules_reader {
            if let Err(e) =
                msgpol::emit::verify::detectors::verify(target.name(), reader, ir, &emitted.files)
            {
                refused(&e.0);
                ok = false;
            }
        }
        if !ok {
            continue;
        }
        written.push(target.name());
        if !CONSUMED.contains(&target.name()) {
            continue;
        }
        for file in emitted.files {
            let path = dir.join(target.name()).join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, file.contents).unwrap();
        }
    }
    Some(written)
}

/// What a consumer read of one file: its literals, tags, comments, and whether it had an error.
#[derive(serde::Deserialize, Debug, Clone)]
struct Read {
    literals: Vec<String>,
    tags: BTreeMap<String, usize>,
    comments: usize,
    error: bool,
}

/// Python reading every file of `files` (kind, path) as its format: JSON, XML, plist, HTML or
/// PowerShell.
const READ: &str = r#"
import html, json, plistlib, sys, xml.etree.ElementTree as ET
from html.parser import HTMLParser
BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "title",
          "caption", "summary", "figcaption", "pre", "blockquote", "option", "label", "button"}
class H(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.literals, self.stack, self.loose, self.tags = [], [], "", {}
    def flush_loose(self):
        if self.loose.strip():
            self.literals.append(self.loose)
        self.loose = ""
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for _, v in attrs:
            self.literals.append(v or "")
        if tag in BLOCKS:
            self.flush_loose()
            self.stack.append([tag, ""])
    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for _, v in attrs:
            self.literals.append(v or "")
    def handle_endtag(self, tag):
        self.tags["/" + tag] = self.tags.get("/" + tag, 0) + 1
        if self.stack and self.stack[-1][0] == tag:
            self.literals.append(self.stack.pop()[1])
        elif tag in BLOCKS:
            self.flush_loose()
    def handle_data(self, data):
        if self.stack:
            self.stack[-1][1] += data
        else:
            self.loose += data
    def handle_comment(self, data):
        self.tags["!--"] = self.tags.get("!--", 0) + 1
def html_read(text):
    p = H()
    p.feed(text)
    p.close()
    p.flush_loose()
    for tag, text in p.stack:
        p.literals.append(text)
    return {"literals": p.literals, "tags": p.tags, "comments": 0, "error": False}
def strings(value, out, key=None):
    if isinstance(value, str):
        if key in ("CustomMsg", "custom_msg"):
            out.extend(html_read(value)["literals"])
        else:
            out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            strings(v, out, k)
    elif isinstance(value, list):
        for v in value:
            strings(v, out, key)
def text_of(path):
    data = open(path, "rb").read()
    if data.startswith(b"\xff\xfe"):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")
def ps1_read(path):
    import tree_sitter as ts, tree_sitter_powershell as tp
    source = open(path, "rb").read()
    tree = ts.Parser(ts.Language(tp.language())).parse(source)
    literals, comments = [], [0]
    def walk(node):
        if node.type == "string_literal":
            text = node.text.decode("utf-8")
            if text[0] in "'\u2018\u2019\u201a\u201b":
                inner, out, i = text[1:-1], "", 0
                while i < len(inner):
                    out += inner[i]
                    i += 2 if inner[i] in "'\u2018\u2019\u201a\u201b" else 1
                literals.append(out)
            else:
                literals.append(text)
            return
        if node.type == "comment":
            comments[0] += 1
        for child in node.children:
            walk(child)
    walk(tree.root_node)
    return {"literals": literals, "tags": {}, "comments": comments[0],
            "error": tree.root_node.has_error}
out = {}
for kind, path in json.load(sys.stdin):
    if kind == "json":
        lits = []
        strings(json.loads(text_of(path)), lits)
        out[path] = {"literals": lits, "tags": {}, "comments": 0, "error": False}
    elif kind == "xml":
        root = ET.fromstring(open(path, "rb").read())
        lits = []
        for e in root.iter():
            lits.append(e.text or "")
            lits.extend(e.attrib.values())
        out[path] = {"literals": lits, "tags": {}, "comments": 0, "error": False}
    elif kind == "plist":
        lits = []
        strings(plistlib.loads(open(path, "rb").read()), lits)
        out[path] = {"literals": lits, "tags": {}, "comments": 0, "error": False}
    elif kind == "html":
        out[path] = html_read(text_of(path))
    elif kind == "ps1":
        out[path] = ps1_read(path)
json.dump(out, sys.stdout)
"#;

/// The kind `READ` reads a file as, by its name; `None` for the files read otherwise.
fn kind(path: &Path) -> Option<&'static str> {
    let name = path.to_str().unwrap();
    Some(match path.extension()?.to_str()? {
        "json" if !name.ends_with("manifest.json") => "json",
        "xml" => "xml",
        "mobileconfig" => "plist",
        "html" => "html",
        "ps1" => "ps1",
        _ => return None,
    })
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// PAC stubs and a run of `FindProxyForURL` over the policy's names for every file given.
const PAC: &str = r#"
const fs = require("fs"), vm = require("vm");
const files = JSON.parse(fs.readFileSync(0, "utf8"));
const hosts = ["leaky.example", "www.leaky.example", "api.leaky-cdn.example", "feedchat.example",
               "safetalk.fixture.example", "other.test", "192.0.2.7"];
const out = {};
for (const file of files) {
  const ctx = {
    isPlainHostName: h => !h.includes("."),
    dnsDomainIs: (h, d) => h.endsWith(d),
    localHostOrDomainIs: (h, d) => h === d || d.startsWith(h + "."),
    isResolvable: () => true,
    isInNet: () => false,
    dnsResolve: h => h,
    convert_addr: () => 0,
    myIpAddress: () => "127.0.0.1",
    dnsDomainLevels: h => h.split(".").length - 1,
    shExpMatch: (s, p) => new RegExp("^" + p.replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*").replace(/\?/g, ".") + "$").test(s),
    weekdayRange: () => true, dateRange: () => true, timeRange: () => true,
  };
  vm.createContext(ctx);
  vm.runInContext(fs.readFileSync(file, "utf8"), ctx, { filename: file });
  out[file] = hosts.map(h => ctx.FindProxyForURL("https://" + h + "/", h));
}
process.stdout.write(JSON.stringify(out));
"#;

/// suricataparser over every rules file: the option names of each rule.
const SURICATA: &str = r#"
import json, sys
from suricataparser import parse_file
out = {}
for path in json.load(sys.stdin):
    out[path] = [[o.name for o in r.options] for r in parse_file(path)]
json.dump(out, sys.stdout)
"#;

/// Run every consumer over the files of every built policy; what the literal readers read,
/// by path, and the PAC answers and Suricata options by path.
struct Consumed {
    read: HashMap<String, Read>,
    pac: HashMap<String, Vec<String>>,
    suricata: HashMap<String, Vec<Vec<String>>>,
    /// The readers not installed here (outside CI).
    missing: Vec<&'static str>,
}

fn consume(dirs: &[&Path], work: &Path) -> Consumed {
    let mut all = Vec::new();
    for dir in dirs {
        files_under(dir, &mut all);
    }
    let by_ext = |ext: &str| -> Vec<&PathBuf> {
        all.iter()
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect()
    };
    // Markdown: cmark-gfm renders each file, read as HTML.
    let mut listed: Vec<(String, String)> = Vec::new();
    let mut missing = Vec::new();
    if !common::require_tool("cmark-gfm") {
        missing.push("cmark-gfm");
    } else {
        for md in by_ext("md") {
            let html = pipe(
                "cmark-gfm",
                &["-e", "table", "-e", "tasklist", "-e", "strikethrough"],
                &std::fs::read(md).unwrap(),
            );
            let out = md.with_extension("md.html");
            std::fs::write(&out, html).unwrap();
            listed.push(("html".into(), out.display().to_string()));
        }
    }
    for path in &all {
        if let Some(k) = kind(path) {
            listed.push((k.into(), path.display().to_string()));
        }
    }
    let xml: Vec<&String> = listed
        .iter()
        .filter(|(k, _)| k == "xml")
        .map(|(_, p)| p)
        .collect();
    if common::require_tool("xmllint") && !xml.is_empty() {
        let (ok, text) = common::run(Command::new("xmllint").arg("--noout").args(&xml));
        assert!(ok, "xmllint: {text}");
    }
    if !common::require_python_module("tree_sitter_powershell", "tree-sitter-powershell") {
        listed.retain(|(k, _)| k != "ps1");
        missing.push("tree-sitter-powershell");
    }
    let mut read = HashMap::new();
    if !common::require_tool("python3") {
        missing.extend([
            "cmark-gfm",
            "html.parser",
            "json",
            "xmllint + ElementTree",
            "plistlib",
        ]);
    } else {
        read = serde_json::from_str(&pipe(
            "python3",
            &["-c", READ],
            serde_json::to_string(&listed).unwrap().as_bytes(),
        ))
        .unwrap();
    }
    let mut pac = HashMap::new();
    let pacs = by_ext("pac");
    if common::require_tool("node") && !pacs.is_empty() {
        pac = serde_json::from_str(&pipe(
            "node",
            &["-e", PAC],
            serde_json::to_string(&pacs).unwrap().as_bytes(),
        ))
        .unwrap();
    }
    let mut suricata = HashMap::new();
    let rules = by_ext("rules");
    if common::require_python_module("suricataparser", "suricataparser") && !rules.is_empty() {
        suricata = serde_json::from_str(&pipe(
            "python3",
            &["-c", SURICATA],
            serde_json::to_string(&rules).unwrap().as_bytes(),
        ))
        .unwrap();
    }
    let yar = by_ext("yar");
    if common::require_tool("yara") && !yar.is_empty() {
        let scanned = work.join("scanned");
        std::fs::write(&scanned, "x").unwrap();
        let mut cmd = Command::new("yara");
        for (i, y) in yar.iter().enumerate() {
            cmd.arg(format!("n{i}:{}", y.display()));
        }
        let (ok, text) = common::run(cmd.arg(&scanned));
        assert!(ok, "yara: {text}");
    }
    line_based(&all, work);
    Consumed {
        read,
        pac,
        suricata,
        missing,
    }
}

/// The line-based configurations, all of a kind in one run of their checker.
fn line_based(all: &[PathBuf], work: &Path) {
    let named = |dir: &str, name: &str| -> Vec<&PathBuf> {
        all.iter()
            .filter(|p| p.ends_with(format!("{dir}/{name}")))
            .collect()
    };
    let unbound = named("unbound", "msgpol.conf");
    if !unbound.is_empty() && common::require_tool("unbound-checkconf") {
        let mut conf = String::from("server:\n");
        for u in &unbound {
            conf.push_str(&format!("include: \"{}\"\n", u.display()));
        }
        let path = work.join("unbound.conf");
        std::fs::write(&path, conf).unwrap();
        let (ok, text) =
            common::run(Command::new(common::find_tool("unbound-checkconf").unwrap()).arg(&path));
        assert!(
            ok && text.contains("no errors"),
            "unbound-checkconf: {text}"
        );
    }
    let rpz = named("rpz", "msgpol.rpz.zone");
    if !rpz.is_empty() && common::require_tool("named-checkconf") {
        let mut conf = String::new();
        for (i, z) in rpz.iter().enumerate() {
            conf.push_str(&format!(
                "zone \"rpz{i}.msgpol\" {{ type primary; file \"{}\"; }};\n",
                z.display()
            ));
        }
        let path = work.join("named.conf");
        std::fs::write(&path, conf).unwrap();
        let (ok, text) = common::run(
            Command::new(common::find_tool("named-checkconf").unwrap())
                .arg("-z")
                .arg(&path),
        );
        assert!(ok, "named-checkconf -z: {text}");
    }
    let nft = named("nftables", "msgpol.nft");
    if !nft.is_empty() && common::require_tool("nft") {
        // In batches: one transaction of a thousand rulesets is more than the kernel's
        // netlink message takes (E2BIG), even for a check.
        for (i, batch) in nft.chunks(300).enumerate() {
            let text: String = batch
                .iter()
                .map(|n| format!("include \"{}\"\n", n.display()))
                .collect();
            let path = work.join(format!("all-{i}.nft"));
            std::fs::write(&path, text).unwrap();
            let (ok, text) = common::run(
                Command::new(common::find_tool("nft").unwrap())
                    .args(["-c", "-f"])
                    .arg(&path),
            );
            assert!(ok, "nft -c: {text}");
        }
    }
    let squid = named("squid", "msgpol.conf");
    if !squid.is_empty() && common::require_tool("squid") {
        let mut conf = format!("http_port 127.0.0.1:{}\n", common::free_port());
        for s in &squid {
            let dir = s.parent().unwrap();
            let included = dir.join("included.conf");
            let text = std::fs::read_to_string(s)
                .unwrap()
                .replace("/etc/squid/", &format!("{}/", dir.display()));
            std::fs::write(&included, text).unwrap();
            conf.push_str(&format!("include {}\n", included.display()));
        }
        conf.push_str("http_access deny all\n");
        let path = work.join("squid.conf");
        std::fs::write(&path, conf).unwrap();
        let (ok, text) = common::run(
            Command::new(common::find_tool("squid").unwrap())
                .args(["-k", "parse", "-f"])
                .arg(&path),
        );
        assert!(
            ok && !text.contains("ERROR") && !text.contains("FATAL"),
            "squid -k parse: {text}"
        );
    }
    let dnsmasq = named("dnsmasq", "msgpol.conf");
    if !dnsmasq.is_empty() && common::require_tool("dnsmasq") {
        let conf: String = dnsmasq
            .iter()
            .map(|d| format!("conf-file={}\n", d.display()))
            .collect();
        let path = work.join("dnsmasq.conf");
        std::fs::write(&path, conf).unwrap();
        let (ok, text) = common::run(
            Command::new(common::find_tool("dnsmasq").unwrap())
                .args(["--test", "-C"])
                .arg(&path),
        );
        assert!(
            ok && text.contains("syntax check OK"),
            "dnsmasq --test: {text}"
        );
    }
}

/// A built policy's files agree with its marker policy's: the same files; for each file a
/// literal reader read, the same literals but with each marker replaced by its string, the
/// same tags and comments, no error; the same PAC answers and Suricata rule options.
fn compare(
    built: &Built,
    base: &Path,
    consumed: &Consumed,
    read_back: &mut BTreeMap<&'static str, usize>,
) -> Vec<String> {
    let f = &FIELDS[built.field];
    let mut wrong = Vec::new();
    let mut base_files = Vec::new();
    files_under(base, &mut base_files);
    for base_file in base_files {
        let relative = base_file.strip_prefix(base).unwrap();
        let file = built.dir.join(relative);
        let (b, h) = (base_file.display().to_string(), file.display().to_string());
        let target = relative.iter().next().unwrap().to_str().unwrap();
        if !built.targets.contains(&target) {
            continue;
        }
        let mut differs =
            |what: String| wrong.push(format!("{} {}: {h}: {what}", f.slot, show(&built.values)));
        // A detector's keywords and `near` words become regular expressions in Google DLP's
        // template: its rules reader checks them, not a literal comparison.
        let regex = f.detector && target == "google-dlp";
        if let (Some(rb), Some(rh), false) = (consumed.read.get(&b), consumed.read.get(&h), regex) {
            if rh.error {
                differs("a parse error".into());
            }
            if rh.tags != rb.tags || rh.comments != rb.comments {
                differs(format!(
                    "tags {:?} / comments {} where {:?} / {}",
                    rh.tags, rh.comments, rb.tags, rb.comments
                ));
            }
            let context = context(&h);
            let expected = rb
                .literals
                .iter()
                .filter(|l| l.contains("Msgpolmark"))
                .map(|l| {
                    let mut l = l.clone();
                    for (i, v) in built.values.iter().enumerate() {
                        let v = if matches!(f.shape, Doc(_)) {
                            v.trim()
                        } else {
                            v
                        };
                        l = l.replace(&marker(i), &as_read(context, v));
                    }
                    l
                });
            let mut left: HashMap<&str, usize> = HashMap::new();
            for l in &rh.literals {
                *left.entry(l.as_str()).or_default() += 1;
            }
            // An empty string leaves a space of the text around it at the edge of a Markdown
            // paragraph, where Markdown drops it.
            let edge = h.ends_with(".md.html") && built.values.iter().any(String::is_empty);
            let same = |l: &str, e: &str| {
                l == e || edge && l.trim_matches(' ') == e.trim_matches(' ') || cut_from(&h, l, e)
            };
            for e in expected {
                let e = &e;
                let found = match left.get_mut(e.as_str()) {
                    Some(n) if *n > 0 => Some(e.as_str()),
                    _ => left
                        .iter()
                        .find(|(l, n)| **n > 0 && same(l, e))
                        .map(|(l, _)| *l),
                };
                match found {
                    Some(l) => {
                        *left.get_mut(l).unwrap() -= 1;
                        *read_back.entry(reader(&h)).or_default() += 1;
                    }
                    None => {
                        let near = left
                            .keys()
                            .max_by_key(|l| common_prefix(l, e))
                            .map_or(String::new(), |l| l.to_string());
                        let at = common_prefix(&near, e);
                        let around = |t: &str| -> String {
                            t.chars().skip(at.saturating_sub(30)).take(60).collect()
                        };
                        differs(format!(
                            "no literal {:?}, nearest differs at character {at}: {:?} where {:?}",
                            e.chars().take(100).collect::<String>(),
                            around(&near),
                            around(e),
                        ))
                    }
                }
            }
            if rh.literals.len() != rb.literals.len() {
                differs(format!(
                    "{} literals where {}",
                    rh.literals.len(),
                    rb.literals.len()
                ));
            }
        }
        if let (Some(pb), Some(ph)) = (consumed.pac.get(&b), consumed.pac.get(&h)) {
            if pb != ph {
                differs(format!("PAC answers {ph:?} where {pb:?}"));
            }
        }
        if let (Some(sb), Some(sh)) = (consumed.suricata.get(&b), consumed.suricata.get(&h)) {
            if sb != sh {
                differs(format!("Suricata options {sh:?} where {sb:?}"));
            }
        }
    }
    wrong
}

/// Whether `literal` is `expected` as a DLP target cuts a name or description to the length
/// its engine takes (`dlp::cut`: 64 or 256 characters; `fit_name`: the first 55, `_` and 8 hex
/// digits of a hash).
fn cut_from(path: &str, literal: &str, expected: &str) -> bool {
    if !path.contains("/purview/") && !path.contains("/google-dlp/") {
        return false;
    }
    let n = literal.chars().count();
    let cut = |k: usize| expected.chars().take(k).collect::<String>();
    if expected.chars().count() <= n {
        return false;
    }
    match n {
        64 if literal.chars().nth(55) == Some('_') && literal.starts_with(&cut(55)) => true,
        64 | 256 => literal == cut(n),
        _ => false,
    }
}

/// Which reader read a file back, for the tally of strings read back.
fn reader(path: &str) -> &'static str {
    let ends = |e: &str| path.ends_with(e);
    match () {
        _ if ends(".md.html") => "cmark-gfm",
        _ if ends(".html") => "html.parser",
        _ if ends(".json") => "json",
        _ if ends(".xml") => "xmllint + ElementTree",
        _ if ends(".mobileconfig") => "plistlib",
        _ if ends(".ps1") => "tree-sitter-powershell",
        _ => "other",
    }
}

/// How many leading characters two strings share.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// The contexts whose encoders change what a string holds.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    /// HTML and Markdown: a control character (a tab) shows as a space.
    Spaced,
    /// PowerShell strings: control characters dropped.
    Dropped,
    /// Everything else: as written.
    Verbatim,
}

fn context(path: &str) -> Context {
    if path.ends_with(".html") {
        Context::Spaced
    } else if path.ends_with(".ps1") {
        Context::Dropped
    } else {
        Context::Verbatim
    }
}

/// A string as its encoder documents a reader gets it back in `context`.
fn as_read(context: Context, s: &str) -> String {
    match context {
        Context::Spaced => s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
        Context::Dropped => s.chars().filter(|c| !c.is_control()).collect(),
        Context::Verbatim => s.to_string(),
    }
}

#[test]
fn hostile_strings_in_every_field_are_refused_with_a_code_or_come_back_exactly() {
    let per_field = hostile::count("MSGPOL_PROPTEST_POLICIES", POLICIES);
    let mut rng = Rng::new(hostile::seed(0xf1e1_d5ee_d000_0013));
    // `MSGPOL_PROPTEST_KEEP` keeps the files for a look, in the system's temporary folder.
    // On a tmpfs where there is one: the run writes and removes some 10,000 files.
    let shm = Path::new("/dev/shm");
    let temp = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let work = if std::env::var_os("MSGPOL_PROPTEST_KEEP").is_some() {
        let kept = std::env::temp_dir().join("msgpol-property-fields");
        let _ = std::fs::remove_dir_all(&kept);
        std::fs::create_dir_all(&kept).unwrap();
        kept
    } else {
        temp.path().to_path_buf()
    };
    let started = std::time::Instant::now();
    let mut cases = Vec::new();
    for (index, f) in FIELDS.iter().enumerate() {
        for case in 0..per_field {
            let values = case_strings(&mut rng, f, case);
            cases.push((index, work.join(format!("{}-{case}", f.slot)), values));
        }
    }
    let strings: usize = cases.iter().map(|(_, _, v)| v.len()).sum();
    // Compiled and built on two threads (each case on its own: the results do not depend on
    // the order).
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(vec![None; cases.len()]);
    let work_on = || loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some((index, dir, values)) = cases.get(i) else {
            break;
        };
        let f = &FIELDS[*index];
        let result = std::panic::catch_unwind(|| compile_and_build(f, values, dir))
            .unwrap_or_else(|_| panic!("field {} with {}: panicked", f.slot, show(values)));
        results.lock().unwrap()[i] = Some(result);
    };
    std::thread::scope(|scope| {
        scope.spawn(work_on);
        work_on();
    });
    let mut built = Vec::new();
    let mut refused = 0;
    for ((index, dir, values), result) in cases.into_iter().zip(results.into_inner().unwrap()) {
        match result.expect("every case ran") {
            Some(targets) => built.push(Built {
                field: index,
                values,
                dir,
                targets,
            }),
            None => refused += 1,
        }
    }
    let mut bases: BTreeMap<(usize, usize), PathBuf> = BTreeMap::new();
    for b in &built {
        let f = &FIELDS[b.field];
        if f.free {
            bases.entry((b.field, b.values.len())).or_insert_with(|| {
                let markers: Vec<String> = (0..b.values.len()).map(marker).collect();
                let base = work.join(format!("{}-base{}", f.slot, b.values.len()));
                let targets = compile_and_build(f, &markers, &base)
                    .unwrap_or_else(|| panic!("the marker policy of {} compiles", f.slot));
                assert_eq!(
                    targets.len(),
                    msgpol::emit::all_targets().len(),
                    "{}",
                    f.slot
                );
                base
            });
        }
    }
    eprintln!(
        "{} policies ({strings} strings): {refused} refused with a code, {} built in {:?}",
        FIELDS.len() * per_field,
        built.len(),
        started.elapsed()
    );
    let mut dirs: Vec<&Path> = built.iter().map(|b| b.dir.as_path()).collect();
    dirs.extend(bases.values().map(PathBuf::as_path));
    let started = std::time::Instant::now();
    let consumed = consume(&dirs, &work);
    eprintln!("consumers: {:?}", started.elapsed());
    let mut wrong = Vec::new();
    let mut read_back = BTreeMap::new();
    for b in &built {
        if let Some(base) = bases.get(&(b.field, b.values.len())) {
            wrong.extend(compare(b, base, &consumed, &mut read_back));
        }
    }
    eprintln!("strings read back, by reader: {read_back:?}");
    common::assert_all_right("hostile fields", &wrong, built.len());
    for reader in [
        "cmark-gfm",
        "html.parser",
        "json",
        "xmllint + ElementTree",
        "plistlib",
        "tree-sitter-powershell",
    ] {
        // Every reader that is installed read strings back.
        assert!(
            read_back.get(reader).is_some_and(|&n| n > 0) || consumed.missing.contains(&reader),
            "nothing read back by {reader}"
        );
    }
    // Each free-text field reaches the consumers at least once.
    for (index, f) in FIELDS.iter().enumerate().filter(|(_, f)| f.free) {
        assert!(
            built.iter().any(|b| b.field == index),
            "no policy with a hostile {} built",
            f.slot
        );
    }
}

/// The template with every field at its default compiles, and every target builds from it.
#[test]
fn the_template_builds_every_target() {
    let files = policy(&FIELDS[0], &[FIELDS[0].default[0].to_string()]);
    let c = msgpol::compile_memory(ROOT, &files, common::today()).unwrap();
    assert!(c.ir.is_some(), "{}", common::rendered(&c));
    let dir = tempfile::tempdir().unwrap();
    let targets = compile_and_build(&FIELDS[0], &[FIELDS[0].default[0].to_string()], dir.path());
    assert_eq!(targets.unwrap().len(), msgpol::emit::all_targets().len());
}

/// An empty `support` (or label) was accepted, and the Markdown guides wrote it in bold:
/// `****`, which Markdown shows as four asterisks. Empty text is refused with E016.
#[test]
fn empty_text_is_refused_with_a_code() {
    for slot in ["support", "title", "banned_label"] {
        let f = FIELDS.iter().find(|f| f.slot == slot).unwrap();
        for blank in ["", " ", "\u{3000} "] {
            let files = &policy(f, &[blank.to_string()]);
            let c = msgpol::compile_memory(ROOT, files, common::today()).unwrap();
            let codes: Vec<String> = c.diagnostics.iter().map(|d| d.code.to_string()).collect();
            assert!(
                c.ir.is_none() && codes.contains(&"E016".to_string()),
                "{slot} {blank:?}: {codes:?}"
            );
        }
    }
}
