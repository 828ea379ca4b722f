//! One encoder per output context. Every policy string that reaches a file goes through the
//! encoder of the place it is written, and through nothing else:
//!
//! | context | encoder | used by |
//! |---|---|---|
//! | comment of a line-based format (`#`, `//`, `;`, `!`), PAC comment | [`comment`] | every list and firewall template, the names' channel notes (`templated.rs`), the `.ps1` and YARA headers |
//! | Markdown text | [`markdown`] | `guide-md` |
//! | HTML text and attribute | [`html_text`] | `guide-html` (automatically, by the template's `.html` name), Santa's `custom_msg` (HTML inside the plist's XML) |
//! | URL in an HTML `href` | [`mailto`] (an e-mail address; any other text gets no link) | `guide-html`: the support and owner contacts |
//! | XML text and attribute, written by quick-xml or the plist crate | [`xml_text`] | AppLocker, Purview, Santa |
//! | XML comment | [`xml_comment`] | Purview's rule package |
//! | PowerShell single-quoted string | [`powershell`] | `teams`, `windows-firewall`, `purview` scripts |
//! | `.reg` string | [`reg_string`] | `reg` |
//! | YARA text string | [`yara_string`] | `yara` meta values |
//! | Suricata `msg` | [`suricata_msg`] | `suricata` |
//! | DNS name, network, identifier token | [`dns_name`], [`network`], [`identifier`] | every list and firewall target, YARA and Purview identifiers |
//! | JSON | serde_json (`ir`, `chrome`, `firefox`, `conditional-access`, `google-dlp`) | |
//!
//! In templates (`emit/templates.rs`) each encoder is a filter whose result is marked as
//! encoded; the environment's formatter refuses to print a string no encoder produced, so a
//! template that prints a policy string raw fails to render (HTML templates encode every plain
//! string as HTML text themselves).

mod config;
mod markup;
mod script;
mod text;

pub use config::{
    dns_name, identifier, is_dns_name, network, reg_string, suricata_msg, yara_string,
};
pub use markup::{html_text, is_xml_char, mailto, xml_comment, xml_text};
pub use script::powershell;
pub use text::{comment, markdown, COMMENT_BYTES};

/// Why an encoder refused a value: the value cannot be written in its context at all.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn refuse(value: &str, context: &str) -> Refused {
    let mut shown: String = value.chars().take(60).collect();
    if shown.len() < value.len() {
        shown.push('…');
    }
    Refused(format!("refusing to write {shown:?} as {context}"))
}

/// The longest line, in bytes without its line break, that each line-based output may hold:
/// the smallest line buffer among the programs that read it. A longer line is split by a
/// reader that reads with `fgets` into a fixed buffer, and its remainder read as a line of
/// its own (a comment's tail would become a directive).
pub struct LineLimit {
    pub target: &'static str,
    pub bytes: usize,
    /// The reader with the smallest buffer, and where its size is set.
    pub reader: &'static str,
}

/// ipset restore reads a line with `fgets` into `char cmdline[MAX_CMDLINE_CHARS]`, 1024 bytes
/// with the line break and the terminating NUL (ipset `src/ipset.c`); dnsmasq reads its
/// configuration and `addn-hosts` files with `fgets(buff, MAXDNAME, f)`, MAXDNAME 1025
/// (dnsmasq `src/config.h`, `src/option.c`). Every line-based output keeps under both, with a
/// margin for a line break of two bytes.
pub const LINE_BYTES: usize = 1000;

/// PowerShell scripts (`teams`, `windows-firewall`, `purview`) are not here: PowerShell reads a
/// script whole, and a string literal in one must come back as written, so it is never cut.
/// Nor is `pf`: pfctl's lexer reads by character, and its table is one line by design.
pub const LINE_LIMITS: &[LineLimit] = &[
    LineLimit { target: "dnsmasq", bytes: LINE_BYTES, reader: "dnsmasq: fgets into MAXDNAME (1025) bytes, src/option.c read_file" },
    LineLimit { target: "hosts", bytes: LINE_BYTES, reader: "dnsmasq --addn-hosts: MAXDNAME (1025) bytes; glibc nss_files grows its buffer" },
    LineLimit { target: "ipset", bytes: LINE_BYTES, reader: "ipset restore: fgets into MAX_CMDLINE_CHARS (1024) bytes, src/ipset.c" },
    LineLimit { target: "squid", bytes: LINE_BYTES, reader: "squid: CONFIG_LINE_LIMIT 2048 (src/ConfigParser.h) for ACL files, BUFSIZ for squid.conf" },
    LineLimit { target: "suricata", bytes: LINE_BYTES, reader: "suricata: a rule line of at most DETECT_MAX_RULE_SIZE (8192) bytes, src/detect.h" },
    LineLimit { target: "unbound", bytes: LINE_BYTES, reader: "unbound: a flex lexer (no fixed line buffer); dnsmasq's bound is kept" },
    LineLimit { target: "rpz", bytes: LINE_BYTES, reader: "BIND: isc_lex, tokens of at most TOKENSIZ (8 KiB) and comments skipped by character" },
    LineLimit { target: "adblock", bytes: LINE_BYTES, reader: "AdGuard Home and hostlist-compiler read lines whole; dnsmasq's bound is kept" },
    LineLimit { target: "pac", bytes: LINE_BYTES, reader: "browsers' JavaScript engines read lines whole; dnsmasq's bound is kept" },
    LineLimit { target: "nftables", bytes: LINE_BYTES, reader: "nft: a flex lexer (no fixed line buffer); dnsmasq's bound is kept" },
    LineLimit { target: "yara", bytes: LINE_BYTES, reader: "yara: a flex lexer (no fixed line buffer); dnsmasq's bound is kept" },
];
