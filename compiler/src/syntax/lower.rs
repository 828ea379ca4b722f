//! Gives the generic statements of the concrete tree their meaning: one function per
//! declaration, each reading its statements with `Args`. Errors are collected, not fatal: a
//! bad statement is reported and skipped so that one run shows every mistake.

use super::args::Args;
use super::ast::*;
use super::cst::{Stmt, SyntaxTree};
use super::error::{self, SyntaxError};
use crate::source::{FileId, Span};
use crate::vocabulary::{
    Cadence, CadenceUnit, Checksum, Confidence, E2ee, Enforcement, Hardening, Medium, PortRange,
    Property, Protocol, Requirement, Size,
};
use std::collections::HashMap;

const DECLARATIONS: &[&str] = &[
    "policy",
    "import",
    "class",
    "channel",
    "tier",
    "exception",
    "review",
    "incident",
    "harden",
];

pub fn lower(file: FileId, tree: SyntaxTree) -> (Module, Vec<SyntaxError>) {
    let mut errors = Vec::new();
    let mut decls = Vec::new();
    for stmt in &tree.stmts {
        let result = match stmt.keyword.as_str() {
            "policy" => policy(stmt, &mut errors).map(|p| Decl::Policy(Box::new(p))),
            "import" => import(stmt).map(Decl::Import),
            "class" => class(stmt, &mut errors).map(Decl::Class),
            "channel" => channel(stmt, &mut errors).map(|c| Decl::Channel(Box::new(c))),
            "tier" => tier(stmt, &mut errors).map(Decl::Tier),
            "exception" => exception(stmt, &mut errors).map(Decl::Exception),
            "review" => review(stmt, &mut errors).map(Decl::Review),
            "incident" => incident(stmt, &mut errors).map(Decl::Incident),
            "harden" => harden(stmt, &mut errors).map(Decl::Harden),
            other => Err(error::unknown_keyword(
                stmt.keyword_span,
                other,
                "a policy file",
                DECLARATIONS,
            )),
        };
        match result {
            Ok(decl) => decls.push(decl),
            Err(e) if e.is_reported() => errors.push(e),
            Err(_) => {}
        }
    }
    let module = Module {
        file,
        decls,
        comments: tree.comments,
    };
    (module, errors)
}

/// Walks the statements of one block: rejects unknown and repeated keywords, and remembers
/// which were seen so that missing ones can be reported.
struct Block<'a> {
    owner: &'a Stmt,
    context: &'static str,
    known: &'static [&'static str],
    repeatable: &'static [&'static str],
    seen: HashMap<&'static str, Span>,
}

impl<'a> Block<'a> {
    fn new(
        owner: &'a Stmt,
        context: &'static str,
        known: &'static [&'static str],
        repeatable: &'static [&'static str],
    ) -> Self {
        Block {
            owner,
            context,
            known,
            repeatable,
            seen: HashMap::new(),
        }
    }

    fn statements(&self) -> &'a [Stmt] {
        self.owner.block.as_deref().unwrap_or(&[])
    }

    /// The canonical keyword of a statement, or an error if this block does not know it.
    fn keyword(&mut self, stmt: &Stmt) -> Result<&'static str, SyntaxError> {
        let Some(keyword) = self.known.iter().copied().find(|k| *k == stmt.keyword) else {
            return Err(error::unknown_keyword(
                stmt.keyword_span,
                &stmt.keyword,
                self.context,
                self.known,
            ));
        };
        if !self.repeatable.contains(&keyword) {
            if let Some(first) = self.seen.get(keyword) {
                return Err(error::repeated(stmt.keyword_span, *first, keyword));
            }
        }
        self.seen.entry(keyword).or_insert(stmt.keyword_span);
        Ok(keyword)
    }

    fn require<T>(
        &self,
        value: Option<T>,
        keyword: &str,
        example: &str,
        errors: &mut Vec<SyntaxError>,
    ) -> Option<T> {
        if value.is_none() && !self.seen.contains_key(keyword) {
            errors.push(error::missing(
                self.owner.keyword_span,
                keyword,
                self.context,
                example,
            ));
        }
        value
    }
}

fn no_block(stmt: &Stmt) -> Result<(), SyntaxError> {
    match &stmt.block {
        Some(_) => Err(error::wrong_arguments(
            stmt.keyword_span,
            format!("`{}` does not take a block", stmt.keyword),
            "a statement on one line",
            "remove the `{ … }` after this statement",
        )),
        None => Ok(()),
    }
}

fn with_block(stmt: &Stmt, example: &str) -> Result<(), SyntaxError> {
    match &stmt.block {
        Some(_) => Ok(()),
        None => Err(error::wrong_arguments(
            Span::new(stmt.span.file, stmt.span.end, stmt.span.end),
            format!("`{}` needs a block", stmt.keyword),
            "`{`",
            &format!("for example: {example}"),
        )),
    }
}

/// Runs `read` on a statement and records its error, so that the block goes on.
fn attempt<T>(
    errors: &mut Vec<SyntaxError>,
    read: impl FnOnce() -> Result<T, SyntaxError>,
) -> Option<T> {
    match read() {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn string_stmt(stmt: &Stmt, help: &str) -> Result<Str, SyntaxError> {
    no_block(stmt)?;
    let mut args = Args::new(stmt);
    let s = args.string(help)?;
    args.end()?;
    Ok(s)
}

fn string_list(stmt: &Stmt, help: &str) -> Result<Vec<Str>, SyntaxError> {
    no_block(stmt)?;
    let mut args = Args::new(stmt);
    let list = args.list(|a| a.string(help))?;
    args.end()?;
    Ok(list)
}

fn date_stmt(stmt: &Stmt) -> Result<Spanned<Date>, SyntaxError> {
    no_block(stmt)?;
    let mut args = Args::new(stmt);
    let d = args.date()?;
    args.end()?;
    Ok(d)
}

const REQUIREMENTS: &[(&str, Requirement)] = &[
    ("e2ee", Requirement::E2ee),
    ("managed-device", Requirement::ManagedDevice),
    ("mfa", Requirement::Mfa),
];

const MEDIA: &[(&str, Medium)] = &[
    ("text", Medium::Text),
    ("voice", Medium::Voice),
    ("video", Medium::Video),
    ("file", Medium::File),
    ("email", Medium::Email),
];

fn requirement_list(stmt: &Stmt) -> Result<Vec<Spanned<Requirement>>, SyntaxError> {
    no_block(stmt)?;
    let mut args = Args::new(stmt);
    let list = args.list(|a| a.choice("a requirement", REQUIREMENTS))?;
    args.end()?;
    Ok(list)
}

use time::Date;

fn policy(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Result<Policy, SyntaxError> {
    let mut args = Args::new(stmt);
    let title = args.string("name the policy, e.g. `policy \"Acme messaging policy\" {`")?;
    args.end()?;
    with_block(stmt, "`policy \"Acme messaging policy\" { … }`")?;
    let mut block = Block::new(
        stmt,
        "the policy header",
        &[
            "organisation",
            "size",
            "version",
            "effective",
            "owner",
            "support",
            "briefing",
        ],
        &[],
    );
    let (
        mut organisation,
        mut size,
        mut version,
        mut effective,
        mut owner,
        mut support,
        mut briefing,
    ) = (None, None, None, None, None, None, None);
    for s in block.statements() {
        let Some(keyword) = attempt(errors, || block.keyword(s)) else {
            continue;
        };
        match keyword {
            "organisation" => {
                organisation = attempt(errors, || {
                    string_stmt(s, "e.g. `organisation \"Acme Ltd\"`")
                })
            }
            "version" => version = attempt(errors, || string_stmt(s, "e.g. `version \"2026.11\"`")),
            "owner" => {
                owner = attempt(errors, || {
                    string_stmt(s, "e.g. `owner \"security@acme.example\"`")
                })
            }
            "support" => {
                support = attempt(errors, || {
                    string_stmt(
                        s,
                        "say where staff get help, e.g. `support \"IT desk, room 2.14\"`",
                    )
                })
            }
            "effective" => effective = attempt(errors, || date_stmt(s)),
            "size" => {
                size = attempt(errors, || {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    let v = a.choice(
                        "an organisation size",
                        &[
                            ("small", Size::Small),
                            ("medium", Size::Medium),
                            ("large", Size::Large),
                        ],
                    )?;
                    a.end()?;
                    Ok(v)
                })
            }
            "briefing" => {
                briefing = attempt(errors, || {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    a.expect("every", "e.g. `briefing every 6 months`")?;
                    let n = a.number(1, 120)?;
                    let unit = a.choice(
                        "`months` or `weeks`",
                        &[
                            ("months", CadenceUnit::Months),
                            ("month", CadenceUnit::Months),
                            ("weeks", CadenceUnit::Weeks),
                            ("week", CadenceUnit::Weeks),
                        ],
                    )?;
                    a.end()?;
                    Ok(Spanned {
                        value: Cadence {
                            every: n.value,
                            unit: unit.value,
                        },
                        span: n.span.to(unit.span),
                    })
                })
            }
            _ => unreachable!("every known keyword is handled"),
        }
    }
    let organisation = block.require(
        organisation,
        "organisation",
        "organisation \"Acme Ltd\"",
        errors,
    );
    let size = block.require(size, "size", "size medium", errors);
    let version = block.require(version, "version", "version \"2026.11\"", errors);
    let effective = block.require(effective, "effective", "effective 2026-12-01", errors);
    let owner = block.require(owner, "owner", "owner \"security@acme.example\"", errors);
    let support = block.require(support, "support", "support \"IT desk, room 2.14\"", errors);
    let briefing = block.require(briefing, "briefing", "briefing every 6 months", errors);
    match (
        organisation,
        size,
        version,
        effective,
        owner,
        support,
        briefing,
    ) {
        (
            Some(organisation),
            Some(size),
            Some(version),
            Some(effective),
            Some(owner),
            Some(support),
            Some(briefing),
        ) => Ok(Policy {
            title,
            organisation,
            size,
            version,
            effective,
            owner,
            support,
            briefing,
            docs: stmt.docs.clone(),
            span: stmt.span,
        }),
        _ => Err(SyntaxError::incomplete()),
    }
}

impl SyntaxError {
    /// A declaration whose errors were already pushed statement by statement: it is left out,
    /// with nothing more to report. Its empty message marks it (the code is never shown).
    fn incomplete() -> SyntaxError {
        use crate::diagnostics::{Code, Diagnostic};
        SyntaxError(Diagnostic::new(Code::E013, String::new()))
    }
    fn is_reported(&self) -> bool {
        !self.0.message.is_empty()
    }
}

fn import(stmt: &Stmt) -> Result<Import, SyntaxError> {
    no_block(stmt)?;
    let mut args = Args::new(stmt);
    let target = if args.peek_is_string() {
        ImportTarget::File(args.string("")?)
    } else {
        let name = args
            .name("a module such as `std.channels`, or a file path in quotes")
            .map_err(|_| {
                args.fail(
                    "a module such as `std.channels` or a file in quotes",
                    "e.g. `import std.channels` or `import \"partners.msgpol\"`",
                )
            })?;
        ImportTarget::Std(name)
    };
    args.end()?;
    Ok(Import {
        target,
        span: stmt.span,
    })
}

/// `NAME [: PARENT] ["Label"]`, the head shared by classes and channels.
fn named_head(stmt: &Stmt, what: &str) -> Result<(Name, Option<Name>, Option<Str>), SyntaxError> {
    let mut args = Args::new(stmt);
    let name = args.simple_name(&format!("the {what}'s name"))?;
    let parent = if args.eat_colon() {
        Some(args.name(&format!("the parent {what}'s name"))?)
    } else {
        None
    };
    let label = if args.peek_is_string() {
        Some(args.string("")?)
    } else {
        None
    };
    args.end()?;
    Ok((name, parent, label))
}

fn class(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Result<Class, SyntaxError> {
    let (name, parent, label) = named_head(stmt, "class")?;
    let mut class = Class {
        name,
        parent,
        label,
        requires: Vec::new(),
        detectors: Vec::new(),
        docs: stmt.docs.clone(),
        span: stmt.span,
    };
    let mut block = Block::new(stmt, "a class", &["requires", "detect"], &["detect"]);
    for s in block.statements() {
        let Some(keyword) = attempt(errors, || block.keyword(s)) else {
            continue;
        };
        match keyword {
            "requires" => {
                class.requires = attempt(errors, || requirement_list(s)).unwrap_or_default()
            }
            "detect" => match detector(s, errors) {
                Ok(d) => class.detectors.push(d),
                Err(e) => errors.push(e),
            },
            _ => unreachable!("every known keyword is handled"),
        }
    }
    Ok(class)
}

/// `luhn`, `iban`, or `weighted W W … mod M`.
fn checksum(a: &mut Args) -> Result<Spanned<Checksum>, SyntaxError> {
    let Some(start) = a.eat("weighted") else {
        let simple = a.choice("a checksum", &[("luhn", true), ("iban", false)])?;
        return Ok(Spanned {
            value: if simple.value {
                Checksum::Luhn
            } else {
                Checksum::Iban
            },
            span: simple.span,
        });
    };
    let mut weights = Vec::new();
    let mut end = start;
    while a.eat("mod").is_none() {
        if weights.len() == MAX_WEIGHTS {
            return Err(a.fail(
                "`mod`",
                &format!("a weighted checksum has at most {MAX_WEIGHTS} weights, then `mod N`"),
            ));
        }
        let w = a.number(0, 99)?;
        end = w.span;
        weights.push(w.value);
    }
    if weights.is_empty() {
        return Err(a.fail(
            "a weight",
            "e.g. `check weighted 3 7 6 1 8 9 4 5 2 1 0 mod 11`",
        ));
    }
    let modulus = a.number(2, 1000)?;
    Ok(Spanned {
        value: Checksum::Weighted {
            weights,
            modulus: modulus.value,
        },
        span: start.to(end).to(modulus.span),
    })
}

/// Most weights in a `check weighted` (the longest identifiers DLP engines validate).
const MAX_WEIGHTS: usize = 34;

fn detector(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Result<Detector, SyntaxError> {
    let mut args = Args::new(stmt);
    let name = args.simple_name("the detector's name")?;
    args.end()?;
    with_block(stmt, "`detect card-number { pattern \"…\" }`")?;
    let mut d = Detector {
        name,
        patterns: Vec::new(),
        keywords: Vec::new(),
        checks: Vec::new(),
        near: None,
        confidence: None,
        min_count: None,
        case_sensitive: false,
        docs: stmt.docs.clone(),
        span: stmt.span,
    };
    let mut block = Block::new(
        stmt,
        "a detector",
        &[
            "pattern",
            "keywords",
            "check",
            "near",
            "confidence",
            "min-count",
            "case-sensitive",
        ],
        &["pattern", "keywords"],
    );
    for s in block.statements() {
        let Some(keyword) = attempt(errors, || block.keyword(s)) else {
            continue;
        };
        let result = match keyword {
            "pattern" => string_stmt(s, "e.g. `pattern \"[0-9]{4}\"`").map(|p| d.patterns.push(p)),
            "keywords" => string_list(s, "e.g. `keywords \"CONFIDENTIAL\", \"INTERNAL ONLY\"`")
                .map(|k| d.keywords.extend(k)),
            "check" => (|| {
                no_block(s)?;
                let mut a = Args::new(s);
                d.checks = a.list(checksum)?;
                a.end()
            })(),
            "near" => (|| {
                no_block(s)?;
                let mut a = Args::new(s);
                let words = a.list(|a| a.string("e.g. `near \"card\", \"visa\" within 50`"))?;
                a.expect("within", "e.g. `near \"card\", \"visa\" within 50`")?;
                let within = a.number(1, 1000)?;
                a.end()?;
                d.near = Some(Near { words, within });
                Ok(())
            })(),
            "confidence" => (|| {
                no_block(s)?;
                let mut a = Args::new(s);
                d.confidence = Some(a.choice(
                    "a confidence",
                    &[
                        ("low", Confidence::Low),
                        ("medium", Confidence::Medium),
                        ("high", Confidence::High),
                    ],
                )?);
                a.end()
            })(),
            "min-count" => (|| {
                no_block(s)?;
                let mut a = Args::new(s);
                d.min_count = Some(a.number(1, 1000)?);
                a.end()
            })(),
            "case-sensitive" => {
                d.case_sensitive = true;
                no_block(s).and_then(|_| Args::new(s).end())
            }
            _ => unreachable!("every known keyword is handled"),
        };
        if let Err(e) = result {
            errors.push(e);
        }
    }
    Ok(d)
}

const CHANNEL_KEYWORDS: &[&str] = &[
    "vendor",
    "media",
    "e2ee",
    "open-source",
    "self-hostable",
    "mfa",
    "managed",
    "unconfirmed",
    "source",
    "note",
    "domains",
    "hosts",
    "networks",
    "ports",
    "windows-exe",
    "windows-publisher",
    "windows-store",
    "windows-path",
    "macos-bundle",
    "macos-team",
    "macos-signing-id",
    "entra-app",
    "android-package",
    "web-app",
    "feed",
    "dns-bypass",
];
const CHANNEL_LISTS: &[&str] = &[
    "note",
    "domains",
    "hosts",
    "networks",
    "ports",
    "windows-exe",
    "windows-publisher",
    "windows-store",
    "windows-path",
    "macos-bundle",
    "macos-team",
    "macos-signing-id",
    "entra-app",
    "android-package",
    "web-app",
    "source",
    "media",
    "unconfirmed",
    "feed",
    "dns-bypass",
];

fn flag(stmt: &Stmt) -> Result<Spanned<bool>, SyntaxError> {
    no_block(stmt)?;
    let mut a = Args::new(stmt);
    let value = if a.at_end() {
        Spanned {
            value: true,
            span: stmt.keyword_span,
        }
    } else {
        a.choice("`yes` or `no`", &[("yes", true), ("no", false)])?
    };
    a.end()?;
    Ok(value)
}

fn extend<T>(slot: &mut Option<Vec<T>>, items: Vec<T>) {
    slot.get_or_insert_with(Vec::new).extend(items);
}

fn channel(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Result<Channel, SyntaxError> {
    let (name, parent, label) = named_head(stmt, "channel")?;
    let mut body = ChannelBody::default();
    let mut block = Block::new(stmt, "a channel", CHANNEL_KEYWORDS, CHANNEL_LISTS);
    for s in block.statements() {
        let Some(keyword) = attempt(errors, || block.keyword(s)) else {
            continue;
        };
        let result: Result<(), SyntaxError> = (|| {
            match keyword {
                "vendor" => {
                    body.vendor = Some(string_stmt(s, "e.g. `vendor \"Signal Messenger LLC\"`")?)
                }
                "media" => {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    let media = a.list(|a| a.choice("a medium", MEDIA))?;
                    a.end()?;
                    extend(&mut body.media, media);
                }
                "e2ee" => {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    body.e2ee = Some(if a.at_end() {
                        Spanned {
                            value: E2ee::Yes,
                            span: s.keyword_span,
                        }
                    } else {
                        a.choice(
                            "`yes`, `optional` or `no`",
                            &[
                                ("yes", E2ee::Yes),
                                ("optional", E2ee::Optional),
                                ("no", E2ee::No),
                            ],
                        )?
                    });
                    a.end()?;
                }
                "open-source" => body.open_source = Some(flag(s)?),
                "self-hostable" => body.self_hostable = Some(flag(s)?),
                "mfa" => body.mfa = Some(flag(s)?),
                "managed" => body.managed = Some(flag(s)?),
                "unconfirmed" => {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    let props = a.list(|a| {
                        a.choice(
                            "a property",
                            &[
                                ("e2ee", Property::E2ee),
                                ("open-source", Property::OpenSource),
                                ("self-hostable", Property::SelfHostable),
                                ("mfa", Property::Mfa),
                                ("managed", Property::Managed),
                            ],
                        )
                    })?;
                    a.end()?;
                    extend(&mut body.unconfirmed, props);
                }
                "source" => extend(
                    &mut body.sources,
                    string_list(s, "e.g. `source \"vendor documentation\"`")?,
                ),
                "note" => extend(&mut body.notes, vec![string_stmt(s, "e.g. `note \"…\"`")?]),
                "domains" => extend(
                    &mut body.domains,
                    string_list(s, "e.g. `domains \"signal.org\"`")?,
                ),
                "hosts" => extend(
                    &mut body.hosts,
                    string_list(s, "e.g. `hosts \"web.whatsapp.com\"`")?,
                ),
                "networks" => extend(
                    &mut body.networks,
                    string_list(s, "e.g. `networks \"149.154.160.0/20\"`")?,
                ),
                "ports" => {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    let protocol = a.choice(
                        "`tcp` or `udp`",
                        &[("tcp", Protocol::Tcp), ("udp", Protocol::Udp)],
                    )?;
                    let ports = a.list(|a| port_range(a, protocol.value))?;
                    a.end()?;
                    extend(&mut body.ports, ports);
                }
                "windows-exe" => extend(
                    &mut body.windows_exe,
                    string_list(s, "e.g. `windows-exe \"Signal.exe\"`")?,
                ),
                "windows-publisher" => extend(
                    &mut body.windows_publisher,
                    string_list(s, "e.g. `windows-publisher \"O=…, L=…, C=US\"`")?,
                ),
                "windows-store" => extend(
                    &mut body.windows_store,
                    string_list(s, "a Store package family name")?,
                ),
                "windows-path" => extend(
                    &mut body.windows_path,
                    string_list(
                        s,
                        "e.g. `windows-path \"%ProgramFiles%\\\\Example\\\\chat.exe\"`",
                    )?,
                ),
                "macos-bundle" => extend(
                    &mut body.macos_bundle,
                    string_list(s, "e.g. `macos-bundle \"com.tinyspeck.slackmacgap\"`")?,
                ),
                "macos-team" => extend(
                    &mut body.macos_team,
                    string_list(s, "e.g. `macos-team \"BQR82RBBHL\"`")?,
                ),
                "macos-signing-id" => extend(
                    &mut body.macos_signing_id,
                    string_list(s, "e.g. `macos-signing-id \"UBF8T346G9:com.skype.skype\"`")?,
                ),
                "entra-app" => extend(
                    &mut body.entra_app,
                    string_list(
                        s,
                        "e.g. `entra-app \"cc15fd57-2c6c-4117-a88c-83b1d56b4bbe\"`",
                    )?,
                ),
                "android-package" => extend(
                    &mut body.android_package,
                    string_list(s, "e.g. `android-package \"com.whatsapp\"`")?,
                ),
                "web-app" => extend(
                    &mut body.web_app,
                    string_list(s, "e.g. `web-app \"https://web.whatsapp.com\"`")?,
                ),
                "dns-bypass" => extend(
                    &mut body.dns_bypass,
                    vec![string_stmt(
                        s,
                        "e.g. `dns-bypass \"clients connect to built-in IP addresses\"`",
                    )?],
                ),
                "feed" => {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    body.feeds.push(feed(&mut a)?);
                    a.end()?;
                }
                _ => unreachable!("every known keyword is handled"),
            }
            Ok(())
        })();
        if let Err(e) = result {
            errors.push(e);
        }
    }
    Ok(Channel {
        name,
        parent,
        label,
        body,
        docs: stmt.docs.clone(),
        span: stmt.span,
    })
}

/// `feed hosts|adblock|domains "file"`, in a channel or a tier.
fn feed(a: &mut Args) -> Result<Feed, SyntaxError> {
    let format = a.choice(
        "a feed format",
        &[
            ("hosts", FeedFormat::Hosts),
            ("adblock", FeedFormat::Adblock),
            ("domains", FeedFormat::Domains),
        ],
    )?;
    let path = a.string("e.g. `feed hosts \"feeds/banned.txt\"`")?;
    Ok(Feed { format, path })
}

fn port_range(a: &mut Args, protocol: Protocol) -> Result<Spanned<PortRange>, SyntaxError> {
    let (text, span) = a.raw_word(
        "a port or a range such as `3478-3481`",
        "ports are numbers from 1 to 65535",
    )?;
    let parse = |s: &str| {
        s.parse::<u16>()
            .ok()
            .filter(|p| *p > 0 && s.bytes().all(|b| b.is_ascii_digit()))
    };
    let range = match text.split_once('-') {
        Some((a, b)) => parse(a).zip(parse(b)).filter(|(a, b)| a <= b),
        None => parse(text).map(|p| (p, p)),
    };
    match range {
        Some((first, last)) => Ok(Spanned {
            value: PortRange {
                protocol,
                first,
                last,
            },
            span,
        }),
        None => Err(error::invalid_port(span, text)),
    }
}

fn tier(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Result<Tier, SyntaxError> {
    let mut args = Args::new(stmt);
    let name = args.simple_name("the tier's name")?;
    let label = if args.peek_is_string() {
        Some(args.string("")?)
    } else {
        None
    };
    args.end()?;
    with_block(stmt, "`tier approved \"Tier 1\" { channels signal }`")?;
    let mut tier = Tier {
        name,
        label,
        channels: Vec::new(),
        allows: None,
        requires: Vec::new(),
        block: Vec::new(),
        monitor: None,
        instead: Vec::new(),
        carve_out: Vec::new(),
        feeds: Vec::new(),
        docs: stmt.docs.clone(),
        span: stmt.span,
    };
    let mut block = Block::new(
        stmt,
        "a tier",
        &[
            "channels",
            "allows",
            "requires",
            "block",
            "monitor",
            "instead",
            "carve-out",
            "feed",
        ],
        &["channels", "instead", "carve-out", "feed"],
    );
    for s in block.statements() {
        let Some(keyword) = attempt(errors, || block.keyword(s)) else {
            continue;
        };
        let result: Result<(), SyntaxError> = (|| {
            no_block(s)?;
            let mut a = Args::new(s);
            match keyword {
                "channels" => tier
                    .channels
                    .extend(a.list(|a| a.name("a channel's name"))?),
                "allows" => tier.allows = Some(ceiling(&mut a, true)?),
                "requires" => {
                    tier.requires = a.list(|a| a.choice("a requirement", REQUIREMENTS))?
                }
                "block" => {
                    tier.block = a.list(|a| {
                        a.choice(
                            "an enforcement kind",
                            &[
                                ("dns", Enforcement::Dns),
                                ("firewall", Enforcement::Firewall),
                                ("endpoint", Enforcement::Endpoint),
                                ("browser", Enforcement::Browser),
                                ("dlp", Enforcement::Dlp),
                            ],
                        )
                    })?
                }
                "monitor" => tier.monitor = Some(s.keyword_span),
                "feed" => tier.feeds.push(feed(&mut a)?),
                "carve-out" => tier
                    .carve_out
                    .extend(a.list(|a| a.name("an approved channel's name"))?),
                "instead" => {
                    let items = a.list(|a| {
                        let channel = a.name("an approved channel's name")?;
                        let mut media = Vec::new();
                        if a.eat("for").is_some() {
                            media.push(a.choice("a medium", MEDIA)?);
                            while a.eat("and").is_some() {
                                media.push(a.choice("a medium", MEDIA)?);
                            }
                        }
                        let span = media
                            .last()
                            .map_or(channel.span, |m| channel.span.to(m.span));
                        Ok(Instead {
                            channel,
                            media,
                            span,
                        })
                    })?;
                    tier.instead.extend(items);
                }
                _ => unreachable!("every known keyword is handled"),
            }
            a.end()
        })();
        if let Err(e) = result {
            errors.push(e);
        }
    }
    Ok(tier)
}

/// `up to CLASS` or (where allowed) `nothing`.
fn ceiling(a: &mut Args, nothing_allowed: bool) -> Result<Ceiling, SyntaxError> {
    if nothing_allowed {
        if let Some(span) = a.eat("nothing") {
            return Ok(Ceiling::Nothing(span));
        }
    }
    let help = "e.g. `allows up to internal`";
    a.expect("up", help)?;
    a.expect("to", help)?;
    Ok(Ceiling::UpTo(a.name("a class's name")?))
}

fn exception(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Result<Exception, SyntaxError> {
    let mut args = Args::new(stmt);
    let name = args.simple_name("the exception's name")?;
    args.end()?;
    with_block(stmt, "`exception press-whatsapp { … }`")?;
    let mut block = Block::new(
        stmt,
        "an exception",
        &["who", "channel", "allows", "until", "approved-by", "reason"],
        &[],
    );
    let (mut who, mut channel, mut allows, mut until, mut approved_by, mut reason) =
        (None, None, None, None, None, None);
    for s in block.statements() {
        let Some(keyword) = attempt(errors, || block.keyword(s)) else {
            continue;
        };
        match keyword {
            "who" => {
                who = attempt(errors, || {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    a.expect("group", "e.g. `who group \"communications\"`")?;
                    let g = a.string("e.g. `who group \"communications\"`")?;
                    a.end()?;
                    Ok(g)
                })
            }
            "channel" => {
                channel = attempt(errors, || {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    let c = a.name("a channel's name")?;
                    a.end()?;
                    Ok(c)
                })
            }
            "allows" => {
                allows = attempt(errors, || {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    let c = ceiling(&mut a, false)?;
                    a.end()?;
                    match c {
                        Ceiling::UpTo(name) => Ok(name),
                        Ceiling::Nothing(_) => unreachable!("`nothing` is not accepted here"),
                    }
                })
            }
            "until" => until = attempt(errors, || date_stmt(s)),
            "approved-by" => {
                approved_by = attempt(errors, || string_stmt(s, "e.g. `approved-by \"CISO\"`"))
            }
            "reason" => {
                reason = attempt(errors, || {
                    string_stmt(s, "e.g. `reason \"Journalists reach us only on WhatsApp\"`")
                })
            }
            _ => unreachable!("every known keyword is handled"),
        }
    }
    let who = block.require(who, "who", "who group \"communications\"", errors);
    let channel = block.require(channel, "channel", "channel whatsapp", errors);
    let allows = block.require(allows, "allows", "allows up to internal", errors);
    let until = block.require(until, "until", "until 2027-03-31", errors);
    let approved_by = block.require(approved_by, "approved-by", "approved-by \"CISO\"", errors);
    let reason = block.require(
        reason,
        "reason",
        "reason \"why the exception is needed\"",
        errors,
    );
    match (who, channel, allows, until, approved_by, reason) {
        (
            Some(who_group),
            Some(channel),
            Some(allows),
            Some(until),
            Some(approved_by),
            Some(reason),
        ) => Ok(Exception {
            name,
            who_group,
            channel,
            allows,
            until,
            approved_by,
            reason,
            docs: stmt.docs.clone(),
            span: stmt.span,
        }),
        _ => Err(SyntaxError::incomplete()),
    }
}

fn review(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Result<Review, SyntaxError> {
    let mut args = Args::new(stmt);
    let channel = args.name("the reviewed channel's name")?;
    args.end()?;
    with_block(
        stmt,
        "`review signal { reviewed 2026-10-01  next 2027-10-01 }`",
    )?;
    let mut block = Block::new(
        stmt,
        "a review",
        &["reviewed", "finding", "next"],
        &["finding"],
    );
    let (mut reviewed, mut next) = (None, None);
    let mut findings = Vec::new();
    for s in block.statements() {
        let Some(keyword) = attempt(errors, || block.keyword(s)) else {
            continue;
        };
        match keyword {
            "reviewed" => {
                reviewed = attempt(errors, || {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    let date = a.date()?;
                    let by = match a.eat("by") {
                        Some(_) => {
                            Some(a.string("e.g. `reviewed 2026-10-01 by \"security team\"`")?)
                        }
                        None => None,
                    };
                    a.end()?;
                    Ok((date, by))
                })
            }
            "finding" => findings.extend(attempt(errors, || {
                string_stmt(s, "e.g. `finding \"E2EE by default\"`")
            })),
            "next" => next = attempt(errors, || date_stmt(s)),
            _ => unreachable!("every known keyword is handled"),
        }
    }
    let reviewed = block.require(
        reviewed,
        "reviewed",
        "reviewed 2026-10-01 by \"security team\"",
        errors,
    );
    let next = block.require(next, "next", "next 2027-10-01", errors);
    match (reviewed, next) {
        (Some((reviewed, reviewer)), Some(next)) => Ok(Review {
            channel,
            reviewed,
            reviewer,
            findings,
            next,
            docs: stmt.docs.clone(),
            span: stmt.span,
        }),
        _ => Err(SyntaxError::incomplete()),
    }
}

const HARDENINGS: &[(&str, Hardening)] = &[
    ("consumer-accounts", Hardening::ConsumerAccounts),
    ("third-party-storage", Hardening::ThirdPartyStorage),
    ("email-into-channel", Hardening::EmailIntoChannel),
];

fn harden(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Result<Harden, SyntaxError> {
    let mut args = Args::new(stmt);
    let channel = args.name("the approved channel's name")?;
    args.end()?;
    with_block(stmt, "`harden teams { disable consumer-accounts }`")?;
    let mut block = Block::new(stmt, "a harden block", &["disable"], &["disable"]);
    let mut disable = Vec::new();
    for s in block.statements() {
        let Some(keyword) = attempt(errors, || block.keyword(s)) else {
            continue;
        };
        match keyword {
            "disable" => disable.extend(
                attempt(errors, || {
                    no_block(s)?;
                    let mut a = Args::new(s);
                    let list = a.list(|a| {
                        a.choice(
                            "`consumer-accounts`, `third-party-storage` or `email-into-channel`",
                            HARDENINGS,
                        )
                    })?;
                    a.end()?;
                    Ok(list)
                })
                .into_iter()
                .flatten(),
            ),
            _ => unreachable!("every known keyword is handled"),
        }
    }
    let disable = block
        .require(
            (!disable.is_empty()).then_some(disable),
            "disable",
            "disable consumer-accounts",
            errors,
        )
        .ok_or_else(SyntaxError::incomplete)?;
    Ok(Harden {
        channel,
        disable,
        docs: stmt.docs.clone(),
        span: stmt.span,
    })
}

fn incident(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Result<Incident, SyntaxError> {
    let mut args = Args::new(stmt);
    let title = args.string("e.g. `incident \"Invite sent to a journalist\" {`")?;
    args.end()?;
    with_block(stmt, "`incident \"…\" { date 2025-03-24  lesson \"…\" }`")?;
    let mut block = Block::new(stmt, "an incident", &["date", "lesson"], &["lesson"]);
    let mut date = None;
    let mut lessons = Vec::new();
    for s in block.statements() {
        let Some(keyword) = attempt(errors, || block.keyword(s)) else {
            continue;
        };
        match keyword {
            "date" => date = attempt(errors, || date_stmt(s)),
            "lesson" => lessons.extend(attempt(errors, || {
                string_stmt(s, "e.g. `lesson \"Check every participant\"`")
            })),
            _ => unreachable!("every known keyword is handled"),
        }
    }
    let date = block.require(date, "date", "date 2025-03-24", errors);
    if lessons.is_empty() && !block.seen.contains_key("lesson") {
        errors.push(error::missing(
            stmt.keyword_span,
            "lesson",
            "an incident",
            "lesson \"Check every participant\"",
        ));
    }
    match date {
        Some(date) => Ok(Incident {
            title,
            date,
            lessons,
            docs: stmt.docs.clone(),
            span: stmt.span,
        }),
        None => Err(SyntaxError::incomplete()),
    }
}
