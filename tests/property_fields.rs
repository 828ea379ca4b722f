//! Property test over the fields of a policy, through msgpol itself: hostile strings (made of
//! `common::hostile::PIECES`: line and paragraph separators, NEL, BOM, noncharacters, bidi
//! controls, quotes of many scripts, `]]>`, `--`, `*/`, `'@`, backticks, `$(`, now and then
//! 64 KiB long) are written into every string-bearing field of a policy at once (quotes and
//! backslashes escaped as a `.msgpol` string needs; line breaks left as they are), the policy
//! is compiled in memory and each string is either refused with a coded diagnostic at its own
//! place (an error with an `E` code, never a panic; the string is then taken back and the
//! policy compiled again) or kept. The policy that compiles is built for every target: each
//! builds (or refuses with a code of its own, such as E315 for a version Purview cannot take;
//! never E303, a string an encoder refuses that `check` let through, nor E317–E319, a written
//! file that its own reader cannot read or that disagrees with the policy) and the written
//! files are given to their real consumers, one run per consumer over every policy of the run.
//!
//! Two kinds of policies: in the first, every free-text field holds hostile strings (read back
//! against a marker policy, below); in the second, every name, path and identifier does (most
//! are refused; those accepted must still give files every consumer reads). A string whose
//! policy is refused with an error at no hostile string's place (what the strings do together)
//! is counted apart; every string is one of refused, kept, or taken back that way.
//!
//! The fields, each a slot of `TEMPLATE` (every declaration kind; a field of the other kind
//! keeps its default value):
//!
//! - policy: title, organisation, version, owner, support, security team, its doc comment
//!   (`///`);
//! - `import` paths;
//! - class: label, doc comment; detector: `keywords`, `near` words, `example`, `not-example`,
//!   doc comment;
//! - channel: label (of an approved, a Teams and a banned channel), doc comment, `vendor`,
//!   `source`, `note`, `admin-note`, `dns-bypass`, `domains`, `hosts`, `networks`, `windows-exe`,
//!   `windows-publisher`, `windows-store`, `windows-path`, `macos-bundle`, `macos-team`,
//!   `macos-signing-id`, `entra-app`, `android-package`, `web-app`, a `feed` path;
//! - tier: label, doc comment;
//! - exception: `who group`, `approved-by`, `reason`, doc comment;
//! - review: reviewer (`reviewed … by`), `finding`; incident: title, `lesson`, doc comment;
//! - feed lines: lines of a `feed domains` file (a line break in a string makes more lines).
//!
//! Fields of free text are read back: the same policy with a marker for every string (and
//! a refused string's marker left in its place) is built too, and wherever a consumer reads a
//! literal holding markers, the hostile policy's files hold that literal with each string in
//! its marker's place, exactly, and the same literals, tags and comments otherwise. "Exactly"
//! as the encoders document it: a tab (the one control character a doc comment may hold; a
//! quoted string refuses it, E002) shows as a space in HTML and Markdown and is dropped from
//! PowerShell strings; a doc line is read trimmed; Purview and Google DLP cut names and
//! descriptions to their engines' lengths (`dlp::cut`, `fit_name`); a keyword becomes a regular
//! expression in Google DLP's template (checked by its rules reader, not compared here). The
//! consumers and what they read:
//!
//! - JSON (`ir`, `chrome`, `firefox`, `conditional-access`, `google-dlp`): Python's `json`,
//!   every string value.
//! - XML (`applocker`, the Purview rule package): `xmllint --noout`, then Python's
//!   ElementTree, every element's text and every attribute value.
//! - Santa's profile: Python's `plistlib`, every string (`CustomMsg`, HTML, as Python's
//!   `html.parser` reads its text).
//! - HTML guides and briefing: html5ever's tokenizer (the WHATWG one browsers use), the text
//!   of each block element (`p`, `li`, `td`, headings, …) and every attribute value; the tags,
//!   comments and parse errors.
//! - Markdown guides and briefing: `cmark-gfm` with GitHub's table, task list and
//!   strikethrough extensions (all files in one run, `markdown`), then as HTML.
//! - PowerShell (`windows-firewall`, `teams`, `purview`): tree-sitter-powershell, no parse
//!   error, every string literal (quotes undoubled), the number of comments.
//! - PAC: node evaluates the file and asks `FindProxyForURL` about the policy's names: the same
//!   answers as for the marker policy.
//! - Suricata: PyPI suricataparser, the options of every rule (the same as the marker policy's).
//! - YARA: `yara` compiles every rule file. `unbound-checkconf`, `named-checkconf -z` (the RPZ
//!   zone), `nft -c -f`, `squid -k parse`, `dnsmasq --test` accept every file (their comments
//!   carry the title and organisation); `ipset restore` (twice, in a network namespace of its
//!   own) loads every set file; Samba's `ndrdump` reads every `Registry.pol` of `gpo`; AdGuard's
//!   hostlist-compiler keeps every rule of every `adblock` list (Validate). `hosts`, `pf` and
//!   `reg` are read back by msgpol's own readers only, as every build does.
//!
//! How many strings: `POLICIES` policies of the template of each kind
//! (`MSGPOL_PROPTEST_POLICIES`). A field that takes a list gets `MANY` strings in each (over
//! 10,000 a run); a field a declaration holds once (a label, a reviewer) gets one in each of
//! `COPIES` declarations, the first and its copies (`CLASS_COPY`, `CHANNEL_COPY`), in every
//! other policy (over 10,000 a run too). The policy header is held once: besides the
//! template's, `HEADERS` small policies for each (`HEADER_TEMPLATE`,
//! `MSGPOL_PROPTEST_HEADERS` in all) give its fields 10,200 strings a run too. The Teams
//! script writes a setting once, so only the first `harden` blocks put their channel's label
//! there. `MSGPOL_PROPTEST_SEED` picks another sequence; `MSGPOL_PROPTEST_KEEP=1` keeps the
//! files. Half of the strings have the characters every policy refuses (E002) and line breaks taken
//! out, so that many are kept. Free text is never empty here
//! (`empty_text_is_refused_with_a_code`).

mod common;

use common::hostile::{self, pipe};
use common::hostlist;
use common::rng::Rng;
use msgpol::diagnostics::Code;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const POLICIES: usize = 300;

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
  security-team @security_team@
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
@admin_note@
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
@feed_path@
  macos-team @macos_team@
}

tier approved "Tier 1: approved" {
  channels safe-talk, our-teams@approved_copies@
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

# Vets `our-teams` and each `extra-teams-N`, which inherit from it.
review teams {
  reviewed 2026-04-01 by "security team"
  finding "Vetted"
  next 2027-04-01
}

@incident_doc@
incident @incident_title@ {
  date 2025-11-02
@lesson@
}
@copies@"#;

/// Declarations repeated in copies `@n@` after the first, each holding the `@n@`th string of
/// every field one declaration holds once (a label, a vendor, a reviewer), so that these fields
/// get as many strings a run as the fields that take a list. A policy repeats one of the two
/// groups (`Copies`): copies of both would make the guides and the IR grow with the product
/// of classes and channels. Each copy reaches the targets the first one reaches (a banned
/// channel has programs for AppLocker and Santa, a Teams channel a `harden` block); each
/// incident has a date of its own, so that the guides list them in the same order whatever
/// their titles.
const CLASS_COPY: &str = r#"
class extra-@n@ : open @class_label@ {
}

exception extra-@n@ {
  who group @who_group@
  channel partner-portal
  allows up to staff-only
  until 2028-01-31
  approved-by @approved_by@
  reason @reason@
}

incident @incident_title@ {
  date @date@
  lesson "Check the chat."
}
"#;

/// See `CLASS_COPY`.
const CHANNEL_COPY: &str = r#"
channel extra-approved-@n@ @approved_label@ {
  media text
  e2ee
  mfa
  managed
  domains "extra-@n@.safetalk.fixture.example"
}

review extra-approved-@n@ {
  reviewed 2026-04-01 by @reviewer@
  next 2027-04-01
}

channel extra-teams-@n@ : teams @teams_label@ {
}

harden extra-teams-@n@ {
  disable consumer-accounts
}

channel extra-banned-@n@ @banned_label@ {
  vendor @vendor@
  media text
  e2ee no
  domains "extra-@n@.leaky.example"
  windows-exe "Extra@n@.exe"
  windows-publisher "O=EXTRA @n@ LTD, C=GB"
  macos-bundle "example.extra@n@.desktop"
  macos-signing-id "E1E2E3E4E5:example.extra@n@.desktop"
}

tier extra-banned-@n@ @tier_label@ {
  channels extra-banned-@n@
  allows nothing
  block dns, endpoint, browser
  instead safe-talk
}
"#;

/// The two groups of declarations a policy repeats: its classes, exceptions and incidents, or
/// its channels, reviews and tiers (`CLASS_COPY`, `CHANNEL_COPY`).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Copies {
    Classes,
    Channels,
}

impl Copies {
    const BOTH: [Copies; 2] = [Copies::Classes, Copies::Channels];

    fn template(self) -> &'static str {
        match self {
            Copies::Classes => CLASS_COPY,
            Copies::Channels => CHANNEL_COPY,
        }
    }
}

/// A small policy for the header's fields, which a policy holds once: `HEADERS` of these for
/// each policy of `TEMPLATE` give them more strings a run. It has a channel of each kind and
/// every control, so that every target writes its files (and the header into them); a header
/// policy writes only the files its header reaches.
const HEADER_TEMPLATE: &str = r#"policy @title@ {
  organisation @organisation@
  size large
  version @version@
  effective 2026-05-01
  owner @owner@
  support @support@
  security-team @security_team@
  briefing every 6 months
}

class open "Open" {
}

class staff-only : open "Staff only" {
  requires mfa
  detect marking {
    keywords "STAFF ONLY"
    case-sensitive
    example "STAFF ONLY"
  }
}

channel safe-talk "Safe Talk" {
  media text, voice, video, file
  e2ee
  mfa
  managed
  domains "safetalk.fixture.example"
}

channel partner-portal "Partner portal" {
  media text, file
  domains "portal.fixture.example"
}

channel leaky-chat "Leaky Chat" {
  media text, voice, file
  e2ee no
  domains "leaky.example"
  networks "192.0.2.0/24"
  ports tcp 443
  windows-exe "Leaky.exe"
  windows-path "C:\\Program Files\\Leaky\\Leaky.exe"
  macos-signing-id "C1C2C3D4E5:example.leaky.helper"
  entra-app "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"
  android-package "example.leaky"
  web-app "https://leaky.example"
}

tier approved "Tier 1: approved" {
  channels safe-talk
  allows up to staff-only
  requires mfa
}

tier limited "Tier 2: public only" {
  channels partner-portal
  allows up to open
  monitor
}

tier banned "Tier 3: banned" {
  channels leaky-chat
  allows nothing
  block dns, firewall, endpoint, browser, dlp
  instead safe-talk
}

review safe-talk {
  reviewed 2026-04-01 by "security team"
  finding "Vetted"
  next 2027-04-01
}
"#;

/// How a policy of a run is laid out.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Layout {
    /// `TEMPLATE` alone.
    Plain,
    /// `TEMPLATE` with copies of a group of its declarations.
    Copied(Copies),
    /// `HEADER_TEMPLATE`.
    Header,
}

impl Layout {
    /// The layouts of a run of `mode` with `policies` policies of `TEMPLATE` and `headers`
    /// header policies: in a run of free text each group of copies in turn; in a run of names
    /// none (every field copied is free text).
    fn of_run(mode: Mode, policies: usize, headers: usize) -> Vec<Layout> {
        assert!(FIELDS.iter().all(|f| f.copied.is_none() || f.free));
        let full = (0..policies).map(|n| match mode {
            Mode::Text => Layout::Copied(Copies::BOTH[n % 2]),
            Mode::Names => Layout::Plain,
        });
        full.chain(std::iter::repeat_n(Layout::Header, headers))
            .collect()
    }

    fn template(self) -> &'static str {
        match self {
            Layout::Header => HEADER_TEMPLATE,
            _ => TEMPLATE,
        }
    }

    /// Whether its policies hold `f`.
    fn holds(self, f: &Field) -> bool {
        self != Layout::Header || HEADER_SLOTS.contains(&f.slot)
    }
}

/// The slots of `HEADER_TEMPLATE`, found once (every field of every policy of a run asks).
static HEADER_SLOTS: std::sync::LazyLock<Vec<&str>> =
    std::sync::LazyLock::new(|| HEADER_TEMPLATE.split('@').skip(1).step_by(2).collect());

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
    /// The group of declarations repeated to give it more strings, if it takes one string
    /// per declaration.
    copied: Option<Copies>,
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
        copied: None,
        free,
        detector: false,
    }
}

/// Free text a declaration holds once (a label, a reviewer), written as a plain string: each
/// copy of `group` holds one.
const fn once(group: Copies, slot: &'static str, default: &'static [&'static str]) -> Field {
    let mut f = field(slot, List(""), default, false, true);
    f.copied = Some(group);
    f
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
    field(
        "security_team",
        List(""),
        &["information security"],
        false,
        true,
    ),
    field("policy_doc", Doc(""), &["The fields fixture."], true, true),
    field("import", Each("import "), &[], true, false),
    once(Copies::Classes, "class_label", &["Staff only"]),
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
    once(Copies::Channels, "approved_label", &["Safe Talk"]),
    once(Copies::Channels, "banned_label", &["Leaky Chat"]),
    once(Copies::Channels, "teams_label", &["Our Teams"]),
    once(Copies::Channels, "vendor", &["Leaky Ltd"]),
    field("source", Each("  source "), &["vendor pages"], true, true),
    field("note", Each("  note "), &["A note."], true, true),
    field(
        "admin_note",
        Each("  admin-note "),
        &["An administrators' note."],
        true,
        true,
    ),
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
    field("feed_path", Each("  feed domains "), &[FEED], true, false),
    field("feed_line", FeedLine, &[], true, false),
    field("tier_doc", Doc(""), &["Banned."], true, true),
    once(Copies::Channels, "tier_label", &["Tier 3: banned"]),
    field("exception_doc", Doc(""), &["Partners."], true, true),
    once(Copies::Classes, "who_group", &["sales"]),
    once(Copies::Classes, "approved_by", &["CISO"]),
    once(Copies::Classes, "reason", &["Partners confirm orders"]),
    once(Copies::Channels, "reviewer", &["security team"]),
    field("finding", Each("  finding "), &["Encrypted"], true, true),
    field("incident_doc", Doc(""), &["A lesson learnt."], true, true),
    once(
        Copies::Classes,
        "incident_title",
        &["Order list posted in the wrong chat"],
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

/// Every field's strings in one policy, by the field's index in `FIELDS`.
type Values = Vec<Vec<String>>;

/// Which fields hold hostile strings in a run's policies: the free-text ones (read back
/// against a marker policy) or the names, paths and identifiers (refused, or accepted by the
/// consumers).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Text,
    Names,
}

impl Mode {
    fn tests(self, f: &Field) -> bool {
        f.free == (self == Mode::Text)
    }
}

/// How many strings a field that takes more than one holds in every policy of a run: with
/// `POLICIES` policies, more than 10,000 a run.
const MANY: usize = 34;

/// How many declarations (the first and its copies) hold a field's strings in a policy that
/// repeats its group: every other policy does, so as many strings a run as `MANY` gives.
const COPIES: usize = 2 * MANY;

/// Header policies for each policy of `TEMPLATE` in a run (`MSGPOL_PROPTEST_HEADERS` sets how
/// many in all): the header's fields get `(1 + HEADERS) * POLICIES` strings a run, as many as
/// `MANY` gives. Each header policy writes some 25 files for the consumers (80 KB of HTML), so
/// they are read in few runs: every Markdown file in one cmark-gfm run, HTML by html5ever in
/// this process, every ipset file in one restore.
const HEADERS: usize = MANY - 1;

/// How many strings a field holds in a policy of `layout`.
fn count(f: &Field, layout: Layout) -> usize {
    match (layout, f.copied) {
        (Layout::Header, _) => 1,
        _ if f.many => MANY,
        (Layout::Copied(g), Some(h)) if g == h => COPIES,
        _ => 1,
    }
}

const MARK: &str = "Msgpolmark";

/// The marker that stands for the `i`th string of field `field` in the marker policy: `MARK`,
/// the two numbers in two letters each, and `q`.
fn marker(field: usize, i: usize) -> String {
    let letter = |n: usize| (b'a' + n as u8) as char;
    format!(
        "{MARK}{}{}{}{}q",
        letter(field / 26),
        letter(field % 26),
        letter(i / 26),
        letter(i % 26)
    )
}

/// `text` with each marker in it replaced by what `by` gives for its field and string (left
/// as it is for `None`), in one pass over the text.
fn unmark(text: &str, mut by: impl FnMut(usize, usize) -> Option<String>) -> String {
    let number = |pair: &[u8]| {
        let digit = |b: u8| b.checked_sub(b'a').filter(|d| *d < 26).map(usize::from);
        Some(digit(pair[0])? * 26 + digit(pair[1])?)
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let tail = &rest.as_bytes()[at + MARK.len()..];
        let replaced = (tail.len() >= 5 && tail[4] == b'q')
            .then(|| by(number(&tail[..2])?, number(&tail[2..4])?))
            .flatten();
        match replaced {
            Some(r) => {
                out.push_str(&r);
                rest = &rest[at + MARK.len() + 5..];
            }
            None => {
                out.push_str(MARK);
                rest = &rest[at + MARK.len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The strings of the marker policy of `mode`: a marker for each string of a free field under
/// test, every other field at its default.
fn base_values(mode: Mode, layout: Layout) -> Values {
    FIELDS
        .iter()
        .enumerate()
        .map(|(index, f)| {
            if mode == Mode::Text && mode.tests(f) {
                (0..count(f, layout)).map(|i| marker(index, i)).collect()
            } else if f.copied.is_some() {
                (0..count(f, layout))
                    .map(|copy| copy_default(f, copy))
                    .collect()
            } else {
                f.default.iter().map(|v| v.to_string()).collect()
            }
        })
        .collect()
}

/// The default of a field one declaration holds once, in copy `copy` of the declaration:
/// free text numbered (an exception's group, a label: each copy its own), a feed's path not.
fn copy_default(f: &Field, copy: usize) -> String {
    match (copy, f.free) {
        (0, _) | (_, false) => f.default[0].to_string(),
        _ => format!("{} {copy}", f.default[0]),
    }
}

/// Where one string of a field is written: its file and byte range (with its statement's
/// keyword, where it has one).
struct Place {
    field: usize,
    index: usize,
    file: &'static str,
    range: std::ops::Range<usize>,
}

/// The files of the policy holding `values`, and where each string is.
fn policy(values: &Values, layout: Layout) -> (BTreeMap<String, Vec<u8>>, Vec<Place>) {
    let mut text = String::new();
    let mut places = Vec::new();
    fill(&mut text, &mut places, values, layout.template(), 0);
    let mut feed = FEED_BASE.to_string();
    let feed_line = FIELDS.iter().position(|f| matches!(f.shape, FeedLine));
    for (index, v) in values[feed_line.expect("a feed line field")]
        .iter()
        .enumerate()
    {
        let start = feed.len();
        feed.push_str(v);
        places.push(Place {
            field: feed_line.unwrap(),
            index,
            file: FEED,
            range: start..feed.len(),
        });
        feed.push('\n');
    }
    let files = BTreeMap::from([
        (ROOT.to_string(), text.into_bytes()),
        (FEED.to_string(), feed.into_bytes()),
    ]);
    (files, places)
}

/// Write `template` with its slots filled from `values`, as copy `copy` of its declarations
/// (`CLASS_COPY` or `CHANNEL_COPY` for copies after the first): a field one declaration holds
/// once gets its `copy`th string, any other field all of its strings.
fn fill(text: &mut String, places: &mut Vec<Place>, values: &Values, template: &str, copy: usize) {
    let mut rest = template;
    while let Some(at) = rest.find('@') {
        let end = at + 1 + rest[at + 1..].find('@').expect("a slot ends");
        let slot = &rest[at + 1..end];
        text.push_str(&rest[..at]);
        match slot {
            "n" => text.push_str(&copy.to_string()),
            // A day of its own in 2024 for each copy (up to 336).
            "date" => text.push_str(&format!("2024-{:02}-{:02}", 1 + copy / 28, 1 + copy % 28)),
            "copies" => {
                for group in Copies::BOTH {
                    for c in 1..copies(values, group) {
                        fill(text, places, values, group.template(), c);
                    }
                }
            }
            "approved_copies" => {
                for c in 1..copies(values, Copies::Channels) {
                    text.push_str(&format!(", extra-approved-{c}, extra-teams-{c}"));
                }
            }
            _ => {
                let field = FIELDS
                    .iter()
                    .position(|f| f.slot == slot)
                    .unwrap_or_else(|| panic!("no field for @{slot}@"));
                let all = &values[field];
                if FIELDS[field].copied.is_some() {
                    render(text, places, field, copy, &all[copy..=copy]);
                } else {
                    render(text, places, field, 0, all);
                }
            }
        }
        rest = &rest[end + 1..];
    }
    text.push_str(rest);
}

/// How many declarations of `group` `values` fill: the first and its copies.
fn copies(values: &Values, group: Copies) -> usize {
    let field = FIELDS.iter().position(|f| f.copied == Some(group));
    values[field.expect("a field of each group")].len()
}

/// Write `values` of `field` (its strings from the `first`th on) as its shape wants them,
/// noting where each one is.
fn render(
    text: &mut String,
    places: &mut Vec<Place>,
    field: usize,
    first: usize,
    values: &[String],
) {
    let shape = FIELDS[field].shape;
    for (index, v) in (first..).zip(values) {
        let start = text.len();
        match shape {
            List(prefix) => {
                text.push_str(if index == first { prefix } else { ", " });
                text.push_str(&quoted(v));
            }
            Each(prefix) => {
                text.push_str(prefix);
                text.push_str(&quoted(v));
            }
            After(prefix, before) => {
                text.push_str(prefix);
                text.push_str(&quoted(&format!("{before}{v}")));
            }
            Doc(indent) => {
                text.push_str(indent);
                text.push_str("/// ");
                text.push_str(v);
            }
            FeedLine => unreachable!("feed lines are written to the feed file"),
        }
        places.push(Place {
            field,
            index,
            file: ROOT,
            range: start..text.len(),
        });
        if index + 1 < first + values.len() && !matches!(shape, List(_)) {
            text.push('\n');
        }
    }
}

/// A hostile string for a field, of about `length` characters; now and then without the
/// characters a policy never holds and line breaks, so that many policies compile.
fn hostile_string(rng: &mut Rng, f: &Field, length: usize) -> String {
    // Tried again when it comes out empty: then at least one character long.
    let mut length = length;
    loop {
        let mut s = hostile::string(rng, length);
        length = length.max(1);
        if rng.percent(50) {
            s.retain(|c| !msgpol::source::is_unsafe_char(c) && c != '\n' && c != '\r');
        }
        if matches!(f.shape, Doc(_)) {
            // A doc comment ends at its line: what follows a line break would be a statement.
            s.retain(|c| c != '\n' && c != '\r');
        }
        // A doc line of only white space ends a paragraph. Free text is never empty here: it
        // is refused with E016 (`empty_text_is_refused_with_a_code`).
        if !(matches!(f.shape, Doc(_)) && s.trim().is_empty() || f.free && s.is_empty()) {
            return s;
        }
    }
}

/// Whether the policies of `layout` in a run of `mode` have hostile strings in field `f`.
fn hostile_in(mode: Mode, layout: Layout, f: &Field) -> bool {
    mode.tests(f) && layout.holds(f)
}

/// The strings of one policy of `mode`: hostile ones (distinct within a field) in every field
/// under test, the marker policy's elsewhere; in one policy of twelve (of a hundred and twenty
/// header policies, which hold much less), one of them 64 KiB long.
fn case_values(rng: &mut Rng, mode: Mode, layout: Layout, case: usize) -> Values {
    let mut values = base_values(mode, layout);
    let tested: Vec<usize> = (0..FIELDS.len())
        .filter(|&i| hostile_in(mode, layout, &FIELDS[i]))
        .collect();
    let one_in = if layout == Layout::Header { 120 } else { 12 };
    let long = (case % one_in == one_in - 1 && !tested.is_empty())
        .then(|| tested[rng.below(tested.len())]);
    for &field in &tested {
        let f = &FIELDS[field];
        let mut out: Vec<String> = Vec::new();
        while out.len() < count(f, layout) {
            let length = if long == Some(field) && out.is_empty() {
                64 * 1024
            } else {
                rng.below(40)
            };
            let s = hostile_string(rng, f, length);
            if !out.contains(&s) {
                out.push(s);
            }
        }
        values[field] = out;
    }
    values
}

/// A short form of a policy's hostile strings for a failure message: the first few of them
/// (a policy holds over a thousand; the run's seed, `MSGPOL_PROPTEST_SEED`, makes them again).
fn show(values: &Values, hostile: &[Vec<bool>]) -> String {
    const SHOWN: usize = 12;
    let mut shown = Vec::new();
    for (field, list) in values.iter().enumerate() {
        for (v, _) in list.iter().zip(&hostile[field]).filter(|(_, h)| **h) {
            let short: String = v.chars().take(60).collect();
            shown.push(format!(
                "{} {short:?} ({} bytes)",
                FIELDS[field].slot,
                v.len()
            ));
        }
    }
    let more = shown.len().saturating_sub(SHOWN);
    shown.truncate(SHOWN);
    if more > 0 {
        shown.push(format!("and {more} more"));
    }
    shown.join(", ")
}

/// One policy of the run: its strings, which of them are hostile, and once it compiled, where
/// its files are and which targets wrote them.
struct Case {
    layout: Layout,
    values: Values,
    hostile: Vec<Vec<bool>>,
    /// Hostile strings refused with a code at their own place.
    refused: usize,
    /// Hostile strings taken back because the policy was refused with an error at no hostile
    /// string's place (a combination of strings; the policy was still refused with a code).
    withdrawn: usize,
    dir: PathBuf,
    /// The targets that wrote files (the others refused with a code); `None` if nothing was
    /// built (no hostile string left: the policy is the marker policy).
    targets: Option<Vec<&'static str>>,
}

/// The targets whose files a consumer here reads (the others, `hosts`, `pf` and `reg`, whose
/// consumers do not run here, are read back only by msgpol's own readers, as every build
/// does).
const CONSUMED: &[&str] = &[
    "ir",
    "adblock",
    "ipset",
    "gpo",
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

/// Compile the case's policy until it compiles: each hostile string at the place of an error
/// is refused (its field's marker or default takes its place) and the policy compiled again.
/// Every error must have a code. Returns the IR of the policy that compiled.
fn settle(mode: Mode, case: &mut Case) -> msgpol::ir::Ir {
    let base = base_values(mode, case.layout);
    loop {
        let (files, places) = policy(&case.values, case.layout);
        let c = msgpol::compile_memory(ROOT, &files, common::today()).expect("the root is given");
        if let Some(ir) = c.ir {
            return ir;
        }
        let what = || show(&case.values, &case.hostile);
        let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(!errors.is_empty(), "{}: no IR and no error", what());
        // The diagnostics render, as `msgpol check` prints them.
        let _ = common::rendered(&c);
        let mut refused: Vec<(usize, usize)> = Vec::new();
        for d in &errors {
            let code = d.code.to_string();
            assert!(
                code.starts_with('E') && code.len() == 4,
                "{}: an error without a code: {code} {}",
                what(),
                d.message
            );
            for label in &d.labels {
                let file = c.sources.get(label.span.file);
                for p in &places {
                    if file.name == p.file
                        && case.hostile[p.field][p.index]
                        && p.range.start <= label.span.start
                        && label.span.start <= p.range.end
                        && !refused.contains(&(p.field, p.index))
                    {
                        refused.push((p.field, p.index));
                    }
                }
            }
        }
        if refused.is_empty() {
            // Refused for what the strings do together: take every hostile string back.
            for (field, flags) in case.hostile.iter_mut().enumerate() {
                for (index, flag) in flags.iter_mut().enumerate() {
                    if *flag {
                        refused.push((field, index));
                        *flag = false;
                    }
                }
            }
            assert!(
                !refused.is_empty(),
                "the policy without hostile strings is refused: {}",
                common::rendered(&c)
            );
            case.withdrawn += refused.len();
        } else {
            case.refused += refused.len();
        }
        // Taken back, from the last string of a field down, so the indexes stay right.
        refused.sort_unstable_by(|a, b| b.cmp(a));
        for (field, index) in refused {
            case.hostile[field][index] = false;
            // A copy's string is put back to the marker or default, not removed: each copy
            // holds one.
            if mode == Mode::Text || FIELDS[field].copied.is_some() {
                case.values[field][index] = base[field][index].clone();
            } else {
                case.values[field].remove(index);
                case.hostile[field].remove(index);
                if case.values[field].is_empty() {
                    case.values[field] = base[field].clone();
                    case.hostile[field] = vec![false; base[field].len()];
                }
            }
        }
    }
}

/// Build every target from `ir` into `dir`: the targets that wrote files. A target may refuse
/// with a code of its own (E320 and E321 only when a detector's strings are hostile), never
/// with `BUG_CODES`.
/// Only the files `keep` names (`target/path`) are written.
fn build(
    ir: &msgpol::ir::Ir,
    dir: &Path,
    detectors: bool,
    what: &str,
    keep: &dyn Fn(&str) -> bool,
) -> Vec<&'static str> {
    let oracle = msgpol::emit::verify::Oracle::new(ir);
    let mut written = Vec::new();
    for target in msgpol::emit::all_targets() {
        let refused = |e: &msgpol::diagnostics::Diagnostic| {
            assert!(
                !BUG_CODES.contains(&e.code)
                    && (detectors || !matches!(e.code, Code::E320 | Code::E321)),
                "{what}: target {} refused: {} {}",
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
            if !keep(&format!("{}/{}", target.name(), file.path)) {
                continue;
            }
            let path = dir.join(target.name()).join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, file.contents).unwrap();
        }
    }
    written
}

/// Settle and build one case: nothing is built when no hostile string is left.
fn run_case(mode: Mode, case: &mut Case, keep: &dyn Fn(&str) -> bool) {
    let ir = settle(mode, case);
    if case.hostile.iter().flatten().any(|h| *h) {
        let detectors = FIELDS
            .iter()
            .zip(&case.hostile)
            .any(|(f, h)| f.detector && h.iter().any(|h| *h));
        let what = show(&case.values, &case.hostile);
        case.targets = Some(build(&ir, &case.dir, detectors, &what, keep));
    }
}

/// What a consumer read of one file: its literals, tags, comments, and whether it had an error.
#[derive(serde::Deserialize, Debug, Clone)]
struct Read {
    literals: Vec<String>,
    tags: BTreeMap<String, usize>,
    comments: usize,
    error: bool,
}

/// Python reading every file of `files` (kind, path) as its format: JSON, XML, plist or
/// PowerShell (HTML files are read by `read_html`; the HTML in a Santa message by
/// `html.parser`).
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
    elif kind == "ps1":
        out[path] = ps1_read(path)
sys.stdout.write(json.dumps(out))
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

/// `items` in two halves (every other one), for two threads: the machine has two cores.
fn in_two<T: Copy>(items: &[T]) -> impl Iterator<Item = Vec<T>> + '_ {
    (0..2).map(|half| items.iter().skip(half).step_by(2).copied().collect())
}

/// A paragraph between two Markdown files of one cmark-gfm run, and its rendering.
const MARKDOWN_BOUNDARY: &str = "\n\nmsgpol-file-boundary-5c1e\n\n";
const RENDERED_BOUNDARY: &str = "<p>msgpol-file-boundary-5c1e</p>\n";

/// cmark-gfm's HTML for each Markdown file. One run renders them all, a paragraph of its own
/// between two files (a blank line closes every block a file may leave open but a fenced code
/// block or an HTML comment: then each file is rendered in a run of its own). Link reference
/// definitions hold for the whole run, but one defined by a file is a failure of that file
/// whatever the run, and one used by another changes that file's tags, so batching can add a
/// failure, never hide one.
fn markdown(files: &[&PathBuf]) -> Vec<String> {
    const EXTENSIONS: [&str; 6] = ["-e", "table", "-e", "tasklist", "-e", "strikethrough"];
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let all = pipe(
        "cmark-gfm",
        &EXTENSIONS,
        texts.join(MARKDOWN_BOUNDARY).as_bytes(),
    );
    let rendered: Vec<String> = all.split(RENDERED_BOUNDARY).map(String::from).collect();
    if rendered.len() == files.len() {
        return rendered;
    }
    texts
        .iter()
        .map(|text| pipe("cmark-gfm", &EXTENSIONS, text.as_bytes()))
        .collect()
}

/// Each HTML file of `files` (kind, path) as a browser's tokenizer reads it.
fn read_html(files: &[&(String, String)]) -> HashMap<String, Read> {
    files
        .iter()
        .map(|(_, path)| {
            let html = common::html::read(&std::fs::read_to_string(path).unwrap());
            let read = Read {
                literals: html.literals,
                tags: html.tags,
                comments: 0,
                error: false,
            };
            (path.clone(), read)
        })
        .collect()
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

fn consume(dirs: &[PathBuf], work: &Path) -> Consumed {
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
        let md = by_ext("md");
        let rendered: Vec<(&PathBuf, String)> = std::thread::scope(|scope| {
            let runs: Vec<_> = in_two(&md)
                .map(|half| {
                    scope.spawn(move || {
                        let html = markdown(&half);
                        half.into_iter().zip(html)
                    })
                })
                .collect();
            runs.into_iter().flat_map(|r| r.join().unwrap()).collect()
        });
        for (md, html) in rendered {
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
    let (html, others): (Vec<_>, Vec<_>) = listed.iter().partition(|(k, _)| k == "html");
    let python = common::require_tool("python3");
    if !python {
        missing.extend(["json", "xmllint + ElementTree", "plistlib"]);
    }
    // Two readers of each kind at once, a file in two to each: the machine has two cores.
    let mut read = HashMap::new();
    std::thread::scope(|scope| {
        let tokenized: Vec<_> = in_two(&html)
            .map(|half| scope.spawn(move || read_html(&half)))
            .collect();
        let literal_readers: Vec<_> = in_two(&others)
            .filter(|_| python)
            .map(|half| {
                scope.spawn(move || {
                    let input = serde_json::to_string(&half).unwrap();
                    pipe("python3", &["-c", READ], input.as_bytes())
                })
            })
            .collect();
        for run in literal_readers {
            let part: HashMap<String, Read> = serde_json::from_str(&run.join().unwrap()).unwrap();
            read.extend(part);
        }
        for run in tokenized {
            read.extend(run.join().unwrap());
        }
    });
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
    let lists = named("adblock", "msgpol.txt");
    if let (false, Some(compiler)) = (lists.is_empty(), hostlist::compiler()) {
        let lists: Vec<&Path> = lists.iter().map(|l| l.as_path()).collect();
        let kept = hostlist::validated(&compiler, &lists, work);
        for (list, kept) in lists.iter().zip(kept) {
            // Rules with `_` are dropped by Validate: a limit the build warns of (W308).
            let mut written = hostlist::rules(&std::fs::read_to_string(list).unwrap());
            written.retain(|rule| !rule.contains('_'));
            assert_eq!(kept, written, "{}: Validate dropped rules", list.display());
        }
    }
    let ipset = named("ipset", "msgpol.ipset");
    if !ipset.is_empty() && common::require_tool("ipset") && common::can_unshare("-n") {
        // One restore in a network namespace of its own: each file twice (as a rebuild
        // restores it), then its sets destroyed before the next file.
        let mut restore = String::new();
        let (mut first_lines, mut lines) = (Vec::new(), 0);
        for file in &ipset {
            first_lines.push(lines + 1);
            let text = std::fs::read_to_string(file).unwrap();
            let segment = format!("{text}\n{text}\ndestroy\n");
            lines += segment.matches('\n').count();
            restore.push_str(&segment);
        }
        let path = work.join("all.ipset");
        std::fs::write(&path, &restore).unwrap();
        let (ok, text) = common::run(
            Command::new("unshare")
                .args(["-n", "ipset", "restore", "-exist", "-f"])
                .arg(&path),
        );
        // ipset names the line it refused: say whose it is.
        let line: usize = text
            .split("Error in line ")
            .nth(1)
            .and_then(|rest| rest.split(':').next()?.parse().ok())
            .unwrap_or(1);
        let whose = first_lines.partition_point(|&first| first <= line).max(1) - 1;
        assert!(ok, "ipset restore of {}: {text}", ipset[whose].display());
    }
    let pols = named("Machine", "Registry.pol");
    if !pols.is_empty() && common::require_tool("ndrdump") {
        for pol in pols {
            common::ndrdump(pol);
        }
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
    case: &Case,
    base: &Path,
    consumed: &Consumed,
    read_back: &mut BTreeMap<&'static str, usize>,
) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut base_files = Vec::new();
    files_under(base, &mut base_files);
    let targets = case.targets.as_deref().unwrap_or_default();
    let empty = case.values.iter().flatten().any(String::is_empty);
    for base_file in base_files {
        let relative = base_file.strip_prefix(base).unwrap();
        let file = case.dir.join(relative);
        let (b, h) = (base_file.display().to_string(), file.display().to_string());
        let target = relative.iter().next().unwrap().to_str().unwrap();
        if !targets.contains(&target) {
            continue;
        }
        let mut differs = |what: String| {
            wrong.push(format!(
                "{h}: {what}\n  in the policy with {}",
                show(&case.values, &case.hostile)
            ))
        };
        if let (Some(rb), Some(rh)) = (consumed.read.get(&b), consumed.read.get(&h)) {
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
            // A detector's keywords and `near` words become regular expressions in Google
            // DLP's template: its rules reader checks them, not a literal comparison.
            let regex = target == "google-dlp";
            let detector = |l: &str| {
                let mut any = false;
                unmark(l, |field, _| {
                    any |= FIELDS.get(field).is_some_and(|f| f.detector);
                    None
                });
                any
            };
            let expected = rb
                .literals
                .iter()
                .filter(|l| l.contains(MARK))
                .filter(|l| !(regex && detector(l)))
                .map(|l| {
                    unmark(l, |field, i| {
                        let v = case.values.get(field)?.get(i)?;
                        if !FIELDS[field].free {
                            return None;
                        }
                        let v = if matches!(FIELDS[field].shape, Doc(_)) {
                            v.trim()
                        } else {
                            v
                        };
                        Some(as_read(context, v))
                    })
                });
            let mut left: HashMap<&str, usize> = HashMap::new();
            for l in &rh.literals {
                *left.entry(l.as_str()).or_default() += 1;
            }
            // An empty string leaves a space of the text around it at the edge of a Markdown
            // paragraph, where Markdown drops it.
            let edge = h.ends_with(".md.html") && empty;
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
        _ if ends(".html") => "html5ever",
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
    let policies = hostile::count("MSGPOL_PROPTEST_POLICIES", POLICIES);
    let mut rng = Rng::new(hostile::seed(0xf1e1_d5ee_d000_0013));
    // `MSGPOL_PROPTEST_KEEP` keeps the files for a look, in the system's temporary folder.
    // On a tmpfs where there is one: the run writes and removes thousands of files.
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
    for mode in [Mode::Text, Mode::Names] {
        run_mode(mode, policies, &mut rng, &work);
    }
}

/// `policies` policies of `mode`, each with hostile strings in every field under test:
/// settled, built, given to the consumers and (free text) read back.
fn run_mode(mode: Mode, policies: usize, rng: &mut Rng, work: &Path) {
    let started = std::time::Instant::now();
    let headers = hostile::count("MSGPOL_PROPTEST_HEADERS", HEADERS * policies);
    let layouts = Layout::of_run(mode, policies, headers);
    // The marker policy of each layout, built first (in a run of names, the header's alone):
    // a header policy writes only the files that hold the header's strings under test (the
    // marker policy's, or their defaults), the others holding none of them.
    let base = |layout: Layout| work.join(format!("{mode:?}-base-{layout:?}"));
    let mut based: Vec<Layout> = Vec::new();
    for &layout in &layouts {
        if based.contains(&layout) || mode == Mode::Names && layout != Layout::Header {
            continue;
        }
        based.push(layout);
        let (files, _) = policy(&base_values(mode, layout), layout);
        let c = msgpol::compile_memory(ROOT, &files, common::today()).unwrap();
        let ir =
            c.ir.unwrap_or_else(|| panic!("the {layout:?} marker policy compiles"));
        let targets = build(&ir, &base(layout), false, "the marker policy", &|_| true);
        assert_eq!(targets.len(), msgpol::emit::all_targets().len());
    }
    let header_values = base_values(mode, Layout::Header);
    let held: Vec<&str> = FIELDS
        .iter()
        .zip(&header_values)
        .filter(|(f, _)| hostile_in(mode, Layout::Header, f))
        .map(|(_, v)| v[0].as_str())
        .collect();
    let header_files: std::collections::BTreeSet<String> = {
        let header = base(Layout::Header);
        let mut files = Vec::new();
        files_under(&header, &mut files);
        files
            .iter()
            .filter(|file| {
                let text = std::fs::read_to_string(file).unwrap_or_default();
                held.iter().any(|v| text.contains(v))
            })
            .map(|file| {
                file.strip_prefix(&header)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert!(!header_files.is_empty(), "the header reaches no file");
    let keep_header = |path: &str| header_files.contains(path);
    let keep_all = |_: &str| true;
    let cases: Vec<std::sync::Mutex<Case>> = layouts
        .iter()
        .enumerate()
        .map(|(n, &layout)| {
            let values = case_values(rng, mode, layout, n);
            let hostile = FIELDS
                .iter()
                .zip(&values)
                .map(|(f, list)| vec![hostile_in(mode, layout, f); list.len()])
                .collect();
            std::sync::Mutex::new(Case {
                layout,
                values,
                hostile,
                refused: 0,
                withdrawn: 0,
                dir: work.join(format!("{mode:?}-{n}")),
                targets: None,
            })
        })
        .collect();
    let generated: Vec<usize> = FIELDS
        .iter()
        .map(|f| {
            layouts
                .iter()
                .filter(|&&l| hostile_in(mode, l, f))
                .map(|&l| count(f, l))
                .sum()
        })
        .collect();
    // Settled and built on two threads (each case on its own: the results do not depend on
    // the order).
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work_on = || loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(case) = cases.get(i) else {
            break;
        };
        let mut case = case.lock().unwrap();
        let what = show(&case.values, &case.hostile);
        let keep: &dyn Fn(&str) -> bool = if case.layout == Layout::Header {
            &keep_header
        } else {
            &keep_all
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_case(mode, &mut case, keep)
        }))
        .unwrap_or_else(|_| panic!("{mode:?} policy {i} with {what}: panicked"));
    };
    std::thread::scope(|scope| {
        scope.spawn(work_on);
        work_on();
    });
    let cases: Vec<Case> = cases.into_iter().map(|c| c.into_inner().unwrap()).collect();
    let built: Vec<&Case> = cases.iter().filter(|c| c.targets.is_some()).collect();
    let refused: usize = cases.iter().map(|c| c.refused).sum();
    let withdrawn: usize = cases.iter().map(|c| c.withdrawn).sum();
    let kept: usize = built
        .iter()
        .map(|c| c.hostile.iter().flatten().filter(|h| **h).count())
        .sum();
    assert_eq!(
        refused + withdrawn + kept,
        generated.iter().sum::<usize>(),
        "every hostile string is refused, taken back or kept"
    );
    eprintln!(
        "{mode:?}: {} policies ({policies} of the whole template), {} strings ({} to {} per \
         field): {refused} refused with a code at their place, {withdrawn} with their policy's \
         error elsewhere, {kept} in {} policies built, in {:?}",
        layouts.len(),
        generated.iter().sum::<usize>(),
        generated.iter().filter(|n| **n > 0).min().unwrap(),
        generated.iter().max().unwrap(),
        built.len(),
        started.elapsed()
    );
    let mut dirs: Vec<PathBuf> = built.iter().map(|c| c.dir.clone()).collect();
    if mode == Mode::Text {
        dirs.extend(based.iter().map(|&layout| base(layout)));
    }
    let started = std::time::Instant::now();
    let consumed = consume(&dirs, work);
    eprintln!("{mode:?}: consumers: {:?}", started.elapsed());
    let mut wrong = Vec::new();
    let mut read_back = BTreeMap::new();
    for c in &built {
        if mode == Mode::Text {
            wrong.extend(compare(c, &base(c.layout), &consumed, &mut read_back));
        } else {
            let prefix = format!("{}/", c.dir.display());
            for (path, read) in &consumed.read {
                if read.error && path.starts_with(&prefix) {
                    wrong.push(format!(
                        "{}: {path}: a parse error",
                        show(&c.values, &c.hostile)
                    ));
                }
            }
        }
    }
    common::assert_all_right(format!("hostile fields ({mode:?})"), &wrong, built.len());
    if mode == Mode::Names {
        return;
    }
    eprintln!("strings read back, by reader: {read_back:?}");
    for reader in [
        "cmark-gfm",
        "html5ever",
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
    // Each free-text field reaches the consumers.
    for (field, f) in FIELDS.iter().enumerate().filter(|(_, f)| f.free) {
        assert!(
            built.iter().any(|c| c.hostile[field].iter().any(|h| *h)),
            "no policy with a hostile {} built",
            f.slot
        );
    }
}

/// The templates with every field at its default compile, in every layout, and every target
/// builds from each.
#[test]
fn the_template_builds_every_target() {
    let layouts = [Copies::Classes, Copies::Channels].map(Layout::Copied);
    for layout in [Layout::Plain, Layout::Header].into_iter().chain(layouts) {
        let (files, _) = policy(&base_values(Mode::Names, layout), layout);
        let c = msgpol::compile_memory(ROOT, &files, common::today()).unwrap();
        let Some(ir) = &c.ir else {
            panic!("{layout:?}: {}", common::rendered(&c));
        };
        let dir = tempfile::tempdir().unwrap();
        let targets = build(ir, dir.path(), false, "the template", &|_| true);
        assert_eq!(targets.len(), msgpol::emit::all_targets().len());
    }
}

/// An empty `support` (or label) was accepted, and the Markdown guides wrote it in bold:
/// `****`, which Markdown shows as four asterisks. Empty text is refused with E016.
#[test]
fn empty_text_is_refused_with_a_code() {
    for slot in ["support", "title", "banned_label"] {
        let field = FIELDS.iter().position(|f| f.slot == slot).unwrap();
        for blank in ["", " ", "\u{3000} "] {
            let mut values = base_values(Mode::Names, Layout::Plain);
            values[field][0] = blank.to_string();
            let (files, _) = policy(&values, Layout::Plain);
            let c = msgpol::compile_memory(ROOT, &files, common::today()).unwrap();
            let codes: Vec<String> = c.diagnostics.iter().map(|d| d.code.to_string()).collect();
            assert!(
                c.ir.is_none() && codes.contains(&"E016".to_string()),
                "{slot} {blank:?}: {codes:?}"
            );
        }
    }
}
