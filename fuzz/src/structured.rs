//! A policy built from arbitrary declarations and rendered to source: names come from small
//! pools, so that references mostly resolve, and values from pools of plausible forms mixed
//! with arbitrary text, so that many generated policies compile and reach the targets.

use arbitrary::{Arbitrary, Result, Unstructured};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Pick one of `items`.
fn pick<'a, T>(u: &mut Unstructured<'_>, items: &'a [T]) -> Result<&'a T> {
    u.choose(items)
}

/// A string literal's contents: usually from the pool, now and then arbitrary text (quotes and
/// backslashes escaped, control characters dropped: `policy_bytes` tries those), so that the
/// checks see odd values while most policies still compile.
fn text(u: &mut Unstructured<'_>, pool: &[&str]) -> Result<String> {
    if !u.is_empty() && u.ratio(1, 32)? {
        let raw: String = String::arbitrary(u)?
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        if !raw.is_empty() {
            return Ok(raw);
        }
    }
    Ok(pick(u, pool)?.to_string())
}

fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn list<T>(
    u: &mut Unstructured<'_>,
    min: usize,
    max: usize,
    mut one: impl FnMut(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = u.int_in_range(min..=max)?;
    (0..n).map(|_| one(u)).collect()
}

fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| quoted(v))
        .collect::<Vec<_>>()
        .join(", ")
}

const STD_CLASSES: &[&str] = &["public", "internal", "confidential", "restricted"];
const STD_CHANNELS: &[&str] = &[
    "telegram", "signal", "teams", "whatsapp", "slack", "discord",
];
const MEDIA: &[&str] = &["text", "voice", "video", "file", "email"];
const LABELS: &[&str] = &[
    "chat",
    "api",
    "push",
    "cdn",
    "web",
    "a",
    "b-c",
    "xn--bcher-kva",
    "bücher",
    "_srv",
    "messenger",
    "files",
    "x1",
];
const SUFFIXES: &[&str] = &[
    "example",
    "example.org",
    "example.com",
    "test",
    "co.uk",
    "org",
];
const WORDS: &[&str] = &[
    "card",
    "visa",
    "secret",
    "STAFF ONLY",
    "Konto",
    "iban",
    "ÄÖÜ",
    "x",
];
const PATTERNS: &[&str] = &[
    "[0-9]{4}",
    "[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}",
    "[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}",
    "[0-9]{3}-[0-9]{2}-[0-9]{4}",
    "ab|cd",
    "x?yz",
    "[a-z]{2,5}",
    "(foo|bar)[0-9]{1,3}",
];
const TEXTS: &[&str] = &[
    "visa 4111 1111 1111 1111",
    "card 4111 1111 1111 1112",
    "DE89370400440532013000",
    "078-05-1120",
    "STAFF ONLY",
    "abcd ab",
    "xyz foo12",
    "nothing to see",
    "secret $12",
];

/// A domain name as a policy writes it: labels from the pool over a suffix, sometimes a
/// wildcard, sometimes arbitrary text.
fn domain(u: &mut Unstructured<'_>) -> Result<String> {
    if !u.is_empty() && u.ratio(1, 32)? {
        return text(u, &["example.org"]);
    }
    let mut name = String::new();
    if u.ratio(1, 6)? {
        name.push_str("*.");
    }
    for _ in 0..u.int_in_range(1..=3)? {
        name.push_str(pick(u, LABELS)?);
        name.push('.');
    }
    name.push_str(pick(u, SUFFIXES)?);
    if u.ratio(1, 10)? {
        name.push('.');
    }
    Ok(name)
}

fn network(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        // A network with its host bits clear, as the checks want it.
        0 => {
            let prefix: u32 = u.int_in_range(8..=32)?;
            let bits = u32::arbitrary(u)? & (u32::MAX.checked_shl(32 - prefix).unwrap_or(0));
            format!("{}/{prefix}", std::net::Ipv4Addr::from(bits))
        }
        1 => {
            let prefix: u32 = u.int_in_range(16..=128)?;
            let bits = u128::arbitrary(u)? & (u128::MAX.checked_shl(128 - prefix).unwrap_or(0));
            format!("{}/{prefix}", std::net::Ipv6Addr::from(bits))
        }
        2 => format!("203.0.113.{}", u8::arbitrary(u)?),
        _ => format!("198.51.100.0/{}", u.int_in_range(24..=33)?),
    })
}

/// A date near the evaluation date (2026-11-23), sometimes an impossible one.
fn date(u: &mut Unstructured<'_>) -> Result<String> {
    date_from(u, 2024)
}

/// A date from `first`'s year to 2029.
fn date_from(u: &mut Unstructured<'_>, first: u16) -> Result<String> {
    let year = u.int_in_range(first..=2029)?;
    let month = u.int_in_range(1..=12)?;
    let day = if u.ratio(1, 20)? {
        31
    } else {
        u.int_in_range(1..=28)?
    };
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

pub struct Detector(String);

impl<'a> Arbitrary<'a> for Detector {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut s = String::new();
        let name = format!("d{}", u.int_in_range(0..=3)?);
        writeln!(s, "  detect {name} {{").unwrap();
        if u.ratio(2, 3)? {
            for _ in 0..u.int_in_range(1..=2)? {
                let mut p = text(u, PATTERNS)?;
                if u.ratio(1, 4)? {
                    p.push_str(pick(u, PATTERNS)?);
                }
                writeln!(s, "    pattern {}", quoted(&p)).unwrap();
            }
        } else {
            let words = list(u, 1, 3, |u| text(u, WORDS))?;
            writeln!(s, "    keywords {}", quoted_list(&words)).unwrap();
        }
        if u.ratio(1, 4)? {
            s.push_str("    case-sensitive\n");
        }
        match u.int_in_range(0..=5)? {
            0 => s.push_str("    check luhn\n"),
            1 => s.push_str("    check iban\n"),
            2 => {
                let weights = list(u, 1, 12, |u| u.int_in_range(0..=9u8))?;
                let weights: Vec<String> = weights.iter().map(u8::to_string).collect();
                writeln!(
                    s,
                    "    check weighted {} mod {}",
                    weights.join(" "),
                    u.int_in_range(1..=97u8)?
                )
                .unwrap();
            }
            _ => {}
        }
        if u.ratio(1, 3)? {
            let words = list(u, 1, 2, |u| text(u, WORDS))?;
            writeln!(
                s,
                "    near {} within {}",
                quoted_list(&words),
                u.int_in_range(0..=200u16)?
            )
            .unwrap();
        }
        if u.ratio(1, 3)? {
            writeln!(s, "    confidence {}", pick(u, &["low", "medium", "high"])?).unwrap();
        }
        if u.ratio(1, 5)? {
            writeln!(s, "    min-count {}", u.int_in_range(1..=3u8)?).unwrap();
        }
        // Examples a random detector finds are rare: give them now and then only.
        if u.ratio(1, 4)? {
            writeln!(s, "    example {}", quoted(&text(u, TEXTS)?)).unwrap();
        }
        if u.ratio(1, 4)? {
            writeln!(s, "    not-example {}", quoted(&text(u, TEXTS)?)).unwrap();
        }
        s.push_str("  }\n");
        Ok(Detector(s))
    }
}

/// What one execution of `policy_structured` builds: the policy, and one target chosen by the
/// input (so that an execution costs one build and coverage guides the fuzzer target by
/// target), or now and then every target.
pub struct Input {
    pub target: Option<&'static dyn msgpol::emit::Target>,
    pub policy: Policy,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let targets = msgpol::emit::all_targets();
        let chosen = u.int_in_range(0..=targets.len())?;
        Ok(Input {
            target: targets.get(chosen).copied(),
            policy: Policy::arbitrary(u)?,
        })
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.target {
            Some(target) => writeln!(f, "target {}", target.name())?,
            None => writeln!(f, "every target")?,
        }
        self.policy.fmt(f)
    }
}

/// The generated policy: its root file and its feed files.
pub struct Policy {
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The channels a policy may name: its own, and (when it imports them) the standard library's.
struct Names {
    channels: Vec<String>,
    classes: Vec<String>,
}

impl<'a> Arbitrary<'a> for Policy {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut s = String::new();
        let size = pick(u, &["small", "medium", "large"])?;
        writeln!(
            s,
            "policy {} {{\n  organisation \"O\"\n  size {size}\n  version \"1\"\n  effective {}\n  owner \"security@example.org\"\n  support \"desk\"\n  briefing every {} months",
            quoted(&text(u, &["Fuzzed policy"])?),
            date(u)?,
            u.int_in_range(1..=12u8)?
        )
        .unwrap();
        // Sometimes a security team, named like the exceptions' groups (W225).
        if u.arbitrary::<bool>()? {
            let team = quoted(&text(u, &["sales", "security"])?);
            writeln!(s, "  security-team {team}").unwrap();
        }
        s.push_str("}\n\n");
        // The whole module, or its top class with every class below it (the same classes).
        let classes = pick(u, &["std.classes", "std.classes.restricted"])?;
        writeln!(s, "import {classes}").unwrap();
        let std_channels = u.arbitrary::<bool>()?;
        if std_channels {
            s.push_str("import std.channels\n");
        }
        s.push('\n');
        let mut names = Names {
            channels: Vec::new(),
            classes: STD_CLASSES.iter().map(|c| c.to_string()).collect(),
        };
        if std_channels {
            names
                .channels
                .extend(STD_CHANNELS.iter().map(|c| c.to_string()));
        }
        let mut files = BTreeMap::new();

        // Classes, each above a standard class or an earlier one.
        for i in 0..u.int_in_range(0..=3)? {
            let name = format!("k{i}");
            let parent = pick(u, &names.classes)?.clone();
            writeln!(
                s,
                "/// Class {i}.\nclass {name} : {parent} {}{{",
                quoted(&text(u, &["Label"])?)
            )
            .unwrap();
            if u.ratio(1, 3)? {
                let req = list(u, 1, 3, |u| {
                    pick(u, &["e2ee", "managed-device", "mfa"]).copied()
                })?;
                writeln!(s, "  requires {}", req.join(", ")).unwrap();
            }
            for _ in 0..u.int_in_range(0..=2)? {
                s.push_str(&Detector::arbitrary(u)?.0);
            }
            s.push_str("}\n\n");
            names.classes.push(name);
        }

        // Channels.
        let own = u.int_in_range(1..=6)?;
        for i in 0..own {
            let name = format!("c{i}");
            let parent = if !names.channels.is_empty() && u.ratio(1, 5)? {
                format!(" : {}", pick(u, &names.channels)?)
            } else {
                String::new()
            };
            writeln!(
                s,
                "channel {name}{parent} {} {{",
                quoted(&text(u, &["Chat", "Messenger"])?)
            )
            .unwrap();
            let media = list(u, 1, 4, |u| pick(u, MEDIA).copied())?;
            writeln!(s, "  media {}", media.join(", ")).unwrap();
            writeln!(s, "  e2ee {}", pick(u, &["yes", "optional", "no"])?).unwrap();
            for flag in ["open-source", "self-hostable", "mfa", "managed"] {
                if u.ratio(1, 3)? {
                    writeln!(s, "  {flag}").unwrap();
                }
            }
            if u.ratio(3, 4)? {
                let d = list(u, 1, 3, domain)?;
                writeln!(s, "  domains {}", quoted_list(&d)).unwrap();
            }
            if u.ratio(1, 3)? {
                let h = list(u, 1, 2, domain)?;
                writeln!(s, "  hosts {}", quoted_list(&h)).unwrap();
            }
            if u.ratio(1, 3)? {
                let n = list(u, 1, 3, network)?;
                writeln!(s, "  networks {}", quoted_list(&n)).unwrap();
            }
            if u.ratio(1, 4)? {
                let lo = u.int_in_range(1..=65535u16)?;
                writeln!(
                    s,
                    "  ports {} {lo}, {}-{}",
                    pick(u, &["tcp", "udp"])?,
                    lo,
                    lo.saturating_add(u8::arbitrary(u)?.into())
                )
                .unwrap();
            }
            let programs: &[(&str, &[&str])] = &[
                ("windows-exe", &["Chat.exe", "x.exe"]),
                ("windows-publisher", &["O=CHAT LTD, L=LONDON, C=GB"]),
                ("windows-store", &["Chat.Desktop_abcdefghjkmn1"]),
                (
                    "windows-path",
                    &["%ProgramFiles%\\Chat\\chat.exe", "C:\\Chat\\chat.exe"],
                ),
                ("macos-bundle", &["org.example.chat"]),
                ("macos-team", &["A1B2C3D4E5"]),
                ("macos-signing-id", &["A1B2C3D4E5:org.example.chat"]),
                ("entra-app", &["00000000-0000-0000-0000-000000000001"]),
                ("android-package", &["org.example.chat"]),
                (
                    "web-app",
                    &["https://web.chat.example.org", "https://x.example/path?q"],
                ),
            ];
            for (keyword, pool) in programs {
                if u.ratio(1, 5)? {
                    let values = list(u, 1, 2, |u| text(u, pool))?;
                    writeln!(s, "  {keyword} {}", quoted_list(&values)).unwrap();
                }
            }
            if u.ratio(1, 8)? {
                writeln!(
                    s,
                    "  dns-bypass {}",
                    quoted(&text(u, &["built-in addresses"])?)
                )
                .unwrap();
            }
            if u.ratio(1, 8)? {
                let feed = feed(u, &mut files)?;
                writeln!(s, "  {feed}").unwrap();
            }
            s.push_str("}\n\n");
            names.channels.push(name);
        }

        // Tiers: each channel in at most one, an approved one first.
        let tiers = u.int_in_range(1..=4)?;
        let mut members: Vec<Vec<String>> = vec![Vec::new(); tiers];
        for channel in &names.channels {
            let t = u.int_in_range(0..=tiers)?;
            if t < tiers {
                members[t].push(channel.clone());
            }
        }
        let mut approved = Vec::new();
        for (t, channels) in members.iter().enumerate() {
            if channels.is_empty() {
                continue;
            }
            let name = format!("t{t}");
            writeln!(s, "tier {name} {} {{", quoted(&format!("Tier {t}"))).unwrap();
            writeln!(s, "  channels {}", channels.join(", ")).unwrap();
            let banned = t > 0 && u.ratio(1, 2)?;
            if banned {
                s.push_str("  allows nothing\n");
                let blocks = list(u, 1, 5, |u| {
                    pick(u, &["dns", "firewall", "endpoint", "browser", "dlp"]).copied()
                })?;
                writeln!(s, "  block {}", blocks.join(", ")).unwrap();
                if !approved.is_empty() && u.ratio(3, 4)? {
                    let alternative: &String = pick(u, &approved)?;
                    if u.ratio(1, 2)? {
                        writeln!(s, "  instead {alternative}").unwrap();
                    } else {
                        writeln!(
                            s,
                            "  instead {alternative} for {} and {}",
                            pick(u, MEDIA)?,
                            pick(u, MEDIA)?
                        )
                        .unwrap();
                    }
                }
                if !approved.is_empty() && u.ratio(1, 4)? {
                    writeln!(s, "  carve-out {}", pick(u, &approved)?).unwrap();
                }
                // A channel moving here on a date (from another tier, or overlapping it).
                if !approved.is_empty() && u.ratio(1, 4)? {
                    writeln!(
                        s,
                        "  channels {} from {}",
                        pick(u, &approved)?,
                        date_from(u, 2026)?
                    )
                    .unwrap();
                }
            } else {
                writeln!(s, "  allows up to {}", pick(u, &names.classes)?).unwrap();
                // Decisions by medium, and retention.
                if u.ratio(1, 4)? {
                    writeln!(s, "  allows nothing for {}", pick(u, MEDIA)?).unwrap();
                }
                if u.ratio(1, 4)? {
                    writeln!(
                        s,
                        "  allows up to {} for {} and {}",
                        pick(u, &names.classes)?,
                        pick(u, MEDIA)?,
                        pick(u, MEDIA)?
                    )
                    .unwrap();
                }
                if u.ratio(1, 4)? {
                    writeln!(s, "  keep at least {} days", u.int_in_range(1..=400)?).unwrap();
                }
                if u.ratio(1, 4)? {
                    writeln!(s, "  delete after {} months", u.int_in_range(1..=90)?).unwrap();
                }
                if u.ratio(1, 3)? {
                    s.push_str("  monitor\n");
                }
                approved.extend(channels.iter().cloned());
            }
            if u.ratio(1, 3)? {
                let req = list(u, 1, 2, |u| pick(u, &["mfa", "managed-device"]).copied())?;
                writeln!(s, "  requires {}", req.join(", ")).unwrap();
            }
            if u.ratio(1, 8)? {
                let feed = feed(u, &mut files)?;
                writeln!(s, "  {feed}").unwrap();
            }
            s.push_str("}\n\n");
        }

        for i in 0..u.int_in_range(0..=2)? {
            if approved.is_empty() {
                break;
            }
            writeln!(
                s,
                "exception e{i} {{\n  who group {}\n  channel {}\n  allows up to {}{}\n  until {}\n  approved-by \"CISO\"\n  reason {}\n}}\n",
                quoted(&text(u, &["sales", "press"])?),
                pick(u, &approved)?,
                pick(u, &names.classes)?,
                if u.ratio(1, 3)? {
                    format!(" for {}", pick(u, MEDIA)?)
                } else {
                    String::new()
                },
                date_from(u, 2027)?,
                quoted(&text(u, &["Because"])?),
            )
            .unwrap();
        }
        // Most approved channels are vetted; the others get W226 or E227 (by the size).
        for channel in &approved {
            if u.ratio(7, 8)? {
                writeln!(
                    s,
                    "review {channel} {{\n  reviewed 2026-01-01 by \"team\"\n  finding \"Vetted\"\n  next 2027-01-01\n}}\n"
                )
                .unwrap();
            }
        }
        for _ in 0..u.int_in_range(0..=2)? {
            writeln!(
                s,
                "review {} {{\n  reviewed {} by \"team\"\n  finding {}\n  next {}\n}}\n",
                pick(u, &names.channels)?,
                date(u)?,
                quoted(&text(u, &["Fine"])?),
                date(u)?,
            )
            .unwrap();
        }
        for _ in 0..u.int_in_range(0..=1)? {
            writeln!(
                s,
                "incident {} {{\n  date {}\n  lesson {}\n}}\n",
                quoted(&text(u, &["A slip"])?),
                date(u)?,
                quoted(&text(u, &["Look first."])?),
            )
            .unwrap();
        }
        if !approved.is_empty() && u.ratio(1, 6)? {
            let settings = list(u, 1, 3, |u| {
                pick(
                    u,
                    &[
                        "consumer-accounts",
                        "third-party-storage",
                        "email-into-channel",
                    ],
                )
                .copied()
            })?;
            writeln!(
                s,
                "harden {} {{\n  disable {}\n}}\n",
                pick(u, &approved)?,
                settings.join(", ")
            )
            .unwrap();
        }
        files.insert(crate::ROOT.to_string(), s.into_bytes());
        Ok(Policy { files })
    }
}

/// A `feed` statement and its file, added to `files`.
fn feed(u: &mut Unstructured<'_>, files: &mut BTreeMap<String, Vec<u8>>) -> Result<String> {
    let format = *pick(u, &["hosts", "adblock", "domains"])?;
    let path = format!("feeds/f{}.txt", files.len());
    let mut body = String::new();
    for _ in 0..u.int_in_range(0..=5)? {
        let name = domain(u)?;
        let line = match format {
            "hosts" => format!("0.0.0.0 {name}"),
            "adblock" => format!("{}{name}^", pick(u, &["||", "|", "@@||"])?),
            _ => name,
        };
        body.push_str(&line);
        body.push_str(pick(u, &["\n", "\r\n", " # note\n"])?);
    }
    files.insert(path.clone(), body.into_bytes());
    Ok(format!("feed {format} {}", quoted(&path)))
}

/// Shown when a run fails: every file, as text.
impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (path, bytes) in &self.files {
            writeln!(f, "=== {path}\n{}", String::from_utf8_lossy(bytes))?;
        }
        Ok(())
    }
}
