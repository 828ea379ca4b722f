//! AppLocker policy XML (the AppLocker CSP's policy schema; Microsoft's "Understanding
//! AppLocker rule behavior", "…allow and deny actions on rules", "…the path rule condition",
//! "…the publisher rule condition" and "AppLocker enforcement settings"): `RuleCollection`s
//! (`Exe` for programs, `Appx` for packaged apps) of `FilePathRule`, `FilePublisherRule` and
//! `FileHashRule`, each allowing or denying files to a user or group. In a collection that has
//! rules, a file a deny rule matches is refused whatever else allows it, a file an allow rule
//! matches runs, and any other file is refused ("implicitly blocked"); a collection without
//! rules refuses nothing. `EnforcementMode` `Enabled` (or `NotConfigured` with rules) enforces
//! this, `AuditOnly` only logs what it would refuse.
//!
//! The probe is a standard user's program (rules for Everyone, Authenticated Users and Users
//! apply to it). A path condition is a pattern where `*` matches any run of characters,
//! compared in any case, with AppLocker's variables (`%PROGRAMFILES%` for both Program Files
//! folders, `%WINDIR%`, `%SYSTEM32%`, `%OSDRIVE%`); the program's own path has its
//! environment variables expanded. A program named without a path (by file name or
//! publisher) may be anywhere: a pattern matches it only if it matches in every folder, and it
//! is taken to be installed where the file's allow rules let it run. A publisher condition
//! matches a program signed by that publisher (`*`: by anyone) whose file name the binary
//! name allows, for any product and version only where the rule says `*`; a packaged app is
//! matched on its package name (the family name before its publisher id) and is signed.
//! Rule exceptions, and rules in the `Msi`, `Script` and `Dll` collections, are not read.

use crate::emit::verify::{Consumer, Effect, Identifier, NameIndex, Program, Question, Reading};
use crate::emit::OutputFile;
use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The groups every standard user is in: Everyone, Authenticated Users, Users.
const STANDARD_USER: [&str; 3] = ["S-1-1-0", "S-1-5-11", "S-1-5-32-545"];

enum Condition {
    /// A path pattern, expanded and lowercased: `%PROGRAMFILES%` gives two.
    Path(Vec<String>),
    Publisher {
        publisher: String,
        product: String,
        binary: String,
        any_version: bool,
    },
    Hash,
}

struct Rule {
    deny: bool,
    /// Whether its user or group includes a standard user.
    applies: bool,
    condition: Condition,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Enforced,
    AuditOnly,
}

struct Collection {
    mode: Mode,
    rules: Vec<Rule>,
    /// Its rules for a standard user by what a program needs for them to match, made when it
    /// is first asked: a probe tries a few rules, not every rule of a policy of thousands.
    index: OnceLock<RuleIndex>,
}

/// Rules by number: path rules under the last folder-or-file name of their patterns where it
/// has no `*` (only a path ending in that name can match), publisher rules under their
/// publisher (in lowercase); every other rule in `others`, tried for every program.
#[derive(Default)]
struct RuleIndex {
    by_file_name: FxHashMap<String, Vec<usize>>,
    by_publisher: FxHashMap<String, Vec<usize>>,
    others: Vec<usize>,
}

impl RuleIndex {
    fn of(rules: &[Rule]) -> Self {
        let mut index = RuleIndex::default();
        for (number, rule) in rules.iter().enumerate().filter(|(_, r)| r.applies) {
            match &rule.condition {
                Condition::Path(patterns) => {
                    for pattern in patterns {
                        match last_name(pattern) {
                            name if name.contains('*') => index.others.push(number),
                            name => index
                                .by_file_name
                                .entry(name.to_string())
                                .or_default()
                                .push(number),
                        }
                    }
                }
                Condition::Publisher { publisher, .. } if publisher != "*" => index
                    .by_publisher
                    .entry(publisher.to_ascii_lowercase())
                    .or_default()
                    .push(number),
                Condition::Publisher { .. } => index.others.push(number),
                Condition::Hash => {}
            }
        }
        index
    }
}

/// What follows the last `\` of a path or pattern (all of it if there is none).
fn last_name(path: &str) -> &str {
    path.rsplit('\\').next().unwrap_or(path)
}

/// `*` matches any run of characters; both sides lowercased.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head) && (head.len()..=text.len()).any(|at| glob(tail, &text[at..]))
        }
    }
}

/// A path with the machine's folders written out, lowercased: the environment variables a
/// program's path may use, or (`applocker`) AppLocker's own variables in a rule's pattern.
fn expanded(path: &str, applocker: bool) -> Vec<String> {
    let lower = path.to_lowercase();
    let variables: &[(&str, &[&str])] = if applocker {
        &[
            (
                "%programfiles%",
                &[r"c:\program files", r"c:\program files (x86)"],
            ),
            ("%system32%", &[r"c:\windows\system32"]),
            ("%windir%", &[r"c:\windows"]),
            ("%osdrive%", &["c:"]),
        ]
    } else {
        &[
            ("%programfiles(x86)%", &[r"c:\program files (x86)"]),
            ("%programfiles%", &[r"c:\program files"]),
            ("%programw6432%", &[r"c:\program files"]),
            ("%windir%", &[r"c:\windows"]),
            ("%systemroot%", &[r"c:\windows"]),
            ("%systemdrive%", &["c:"]),
            ("%homedrive%", &["c:"]),
            ("%programdata%", &[r"c:\programdata"]),
            ("%allusersprofile%", &[r"c:\programdata"]),
            ("%public%", &[r"c:\users\public"]),
            ("%userprofile%", &[r"c:\users\user"]),
            ("%localappdata%", &[r"c:\users\user\appdata\local"]),
            ("%appdata%", &[r"c:\users\user\appdata\roaming"]),
            ("%temp%", &[r"c:\users\user\appdata\local\temp"]),
            ("%tmp%", &[r"c:\users\user\appdata\local\temp"]),
        ]
    };
    for (variable, folders) in variables {
        if let Some(rest) = lower.strip_prefix(variable) {
            return folders.iter().map(|f| format!("{f}{rest}")).collect();
        }
    }
    vec![lower]
}

impl Condition {
    /// Whether the condition matches `program`, at `path` (`None`: in any folder).
    fn matches(&self, program: &Program, path: Option<&str>) -> bool {
        match self {
            Condition::Path(patterns) => {
                if program.package.is_some() {
                    return false;
                }
                match path {
                    Some(path) => expanded(path, false)
                        .iter()
                        .any(|p| patterns.iter().any(|pattern| glob(pattern, p))),
                    None => program.file_names.iter().any(|name| {
                        let anywhere = format!("\\{}", name.to_lowercase());
                        patterns
                            .iter()
                            .any(|p| p.starts_with('*') && glob(p, &anywhere))
                    }),
                }
            }
            Condition::Publisher {
                publisher,
                product,
                binary,
                any_version,
            } => {
                let any = |field: &str| field == "*";
                if !any_version {
                    return false;
                }
                if let Some(package) = program.package {
                    let name = package.rsplit_once('_').map_or(package, |(n, _)| n);
                    return any(publisher)
                        && any(binary)
                        && (any(product) || product.eq_ignore_ascii_case(name));
                }
                let signed = if any(publisher) {
                    !program.publishers.is_empty()
                } else {
                    program
                        .publishers
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case(publisher))
                };
                signed
                    && any(product)
                    && (any(binary)
                        || program
                            .file_names
                            .iter()
                            .any(|n| n.eq_ignore_ascii_case(binary)))
            }
            Condition::Hash => false,
        }
    }
}

impl Collection {
    fn new(mode: Mode) -> Self {
        Collection {
            mode,
            rules: Vec::new(),
            index: OnceLock::new(),
        }
    }

    /// The numbers of the rules that may match `program` at `path` (`None`: in any folder),
    /// each at least once.
    fn candidates(&self, program: &Program, path: Option<&str>) -> Vec<usize> {
        let index = self.index.get_or_init(|| RuleIndex::of(&self.rules));
        let names: Vec<String> = match path {
            Some(path) => expanded(path, false)
                .iter()
                .map(|p| last_name(p).to_string())
                .collect(),
            None => program
                .file_names
                .iter()
                .map(|n| last_name(&n.to_lowercase()).to_string())
                .collect(),
        };
        let publishers = program.publishers.iter().map(|p| p.to_ascii_lowercase());
        let mut numbers = index.others.clone();
        for name in names {
            numbers.extend(index.by_file_name.get(&name).into_iter().flatten());
        }
        for publisher in publishers {
            numbers.extend(index.by_publisher.get(&publisher).into_iter().flatten());
        }
        numbers
    }

    fn effect(&self, program: &Program) -> Effect {
        if self.rules.is_empty() {
            return Effect::Allowed;
        }
        let at = |path: Option<&str>, deny: bool| {
            self.candidates(program, path).into_iter().any(|number| {
                let rule = &self.rules[number];
                rule.deny == deny && rule.condition.matches(program, path)
            })
        };
        let paths = || program.paths.iter().map(|p| Some(*p));
        let denied = at(None, true) || paths().any(|p| at(p, true));
        // Where the program is known to be (a path, or a package), no allow rule may miss it.
        let unallowed = if program.package.is_some() {
            !at(None, false)
        } else {
            paths().any(|p| !at(p, false))
        };
        match (denied || unallowed, self.mode) {
            (false, _) => Effect::Allowed,
            (true, Mode::Enforced) => Effect::Blocked,
            (true, Mode::AuditOnly) => Effect::Reported,
        }
    }
}

/// One policy file: its `Exe` and `Appx` collections.
#[derive(Default)]
struct Policy {
    exe: Option<Collection>,
    appx: Option<Collection>,
}

impl Reading for Policy {
    fn program(&self, program: &Program) -> Option<Effect> {
        let collection = match program.kind {
            Identifier::WindowsExe | Identifier::WindowsPath | Identifier::WindowsPublisher => {
                &self.exe
            }
            Identifier::WindowsStore => &self.appx,
            Identifier::MacosTeam | Identifier::MacosSigningId | Identifier::MacosBundle => &None,
        };
        Some(
            collection
                .as_ref()
                .map_or(Effect::Allowed, |c| c.effect(program)),
        )
    }
}

/// The attributes of an element, unescaped.
fn attributes(element: &BytesStart) -> Result<Vec<(String, String)>, String> {
    element
        .attributes()
        .map(|a| {
            let a = a.map_err(|e| e.to_string())?;
            let key = a.key.as_ref().to_string();
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| e.to_string())?;
            Ok((key, value.into_owned()))
        })
        .collect()
}

fn attribute<'a>(attrs: &'a [(String, String)], name: &str) -> Result<&'a str, String> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| format!("an element lacks `{name}`"))
}

fn policy(xml: &str) -> Result<Policy, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut policy = Policy::default();
    // The collection being read (`None` for one not read here), and the rule being read.
    let mut collection: Option<(bool, Collection)> = None;
    let mut rule: Option<(bool, bool)> = None;
    let mut condition: Option<Condition> = None;
    loop {
        let event = reader.read_event().map_err(|e| format!("not XML: {e}"))?;
        let (element, empty) = match event {
            Event::Eof => break,
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                match e.local_name().as_ref() {
                    "RuleCollection" => match collection.take() {
                        Some((true, c)) => policy.exe = Some(c),
                        Some((false, c)) => policy.appx = Some(c),
                        None => {}
                    },
                    "FilePathRule" | "FilePublisherRule" | "FileHashRule" => {
                        let (deny, applies) = rule.take().ok_or("a rule closes twice")?;
                        let condition = condition.take().ok_or("a rule has no condition")?;
                        let (_, c) = collection.as_mut().ok_or("a rule outside a collection")?;
                        c.rules.push(Rule {
                            deny,
                            applies,
                            condition,
                        });
                    }
                    _ => {}
                }
                continue;
            }
            _ => continue,
        };
        let attrs = attributes(&element)?;
        let get = |name| attribute(&attrs, name);
        match element.local_name().as_ref() {
            "AppLockerPolicy" | "Conditions" | "FileHashCondition" | "FileHash" => {}
            "RuleCollection" => {
                let kind = get("Type")?;
                if !matches!(kind, "Exe" | "Appx") {
                    if empty {
                        // A collection without rules refuses nothing.
                        continue;
                    }
                    return Err(format!(
                        "rules of the `{kind}` collection are not read here"
                    ));
                }
                let exe = kind == "Exe";
                let mode = match get("EnforcementMode")? {
                    "AuditOnly" => Mode::AuditOnly,
                    "Enabled" | "NotConfigured" => Mode::Enforced,
                    other => return Err(format!("enforcement mode `{other}` is not known")),
                };
                let read = Collection::new(mode);
                match (empty, exe) {
                    (true, true) => policy.exe = Some(read),
                    (true, false) => policy.appx = Some(read),
                    (false, _) => collection = Some((exe, read)),
                }
            }
            "FilePathRule" | "FilePublisherRule" | "FileHashRule" => {
                let deny = match get("Action")? {
                    "Deny" => true,
                    "Allow" => false,
                    other => return Err(format!("action `{other}` is not known")),
                };
                let sid = get("UserOrGroupSid")?;
                rule = Some((deny, STANDARD_USER.contains(&sid)));
                if element.local_name().as_ref() == "FileHashRule" {
                    condition = Some(Condition::Hash);
                }
            }
            "FilePathCondition" => {
                condition = Some(Condition::Path(expanded(get("Path")?, true)));
            }
            "FilePublisherCondition" => {
                condition = Some(Condition::Publisher {
                    publisher: get("PublisherName")?.to_string(),
                    product: get("ProductName")?.to_string(),
                    binary: get("BinaryName")?.to_string(),
                    any_version: false,
                });
            }
            "BinaryVersionRange" => {
                let any = get("LowSection")? == "*" && get("HighSection")? == "*";
                if let Some(Condition::Publisher { any_version, .. }) = &mut condition {
                    *any_version = any;
                }
            }
            other => return Err(format!("`{other}` is not an element this reader knows")),
        }
    }
    Ok(policy)
}

fn read_file(files: &[OutputFile], path: &str) -> Result<Policy, String> {
    let text = super::text(files, path)?;
    policy(text).map_err(|why| format!("`{path}`: {why}"))
}

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let audit = match files.iter().any(|f| f.path == "msgpol-audit.xml") {
        true => read_file(files, "msgpol-audit.xml")?,
        false => Policy::default(),
    };
    Ok(vec![
        Consumer {
            name: Some("msgpol.xml"),
            questions: &[Question::Endpoint],
            reading: Box::new(read_file(files, "msgpol.xml")?),
        },
        Consumer {
            name: Some("msgpol-audit.xml"),
            questions: &[Question::Alert],
            reading: Box::new(audit),
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: &str = r#"
    <FilePathRule Id="1" Name="" Description="" UserOrGroupSid="S-1-1-0" Action="Allow"><Conditions><FilePathCondition Path="%PROGRAMFILES%\*" /></Conditions></FilePathRule>
    <FilePathRule Id="2" Name="" Description="" UserOrGroupSid="S-1-1-0" Action="Allow"><Conditions><FilePathCondition Path="%WINDIR%\*" /></Conditions></FilePathRule>
    <FilePathRule Id="3" Name="" Description="" UserOrGroupSid="S-1-5-32-544" Action="Allow"><Conditions><FilePathCondition Path="*" /></Conditions></FilePathRule>"#;

    fn exe_policy(mode: &str, rules: &str) -> Policy {
        let xml = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><AppLockerPolicy Version="1"><RuleCollection Type="Exe" EnforcementMode="{mode}">{DEFAULTS}{rules}</RuleCollection><RuleCollection Type="Appx" EnforcementMode="NotConfigured" /></AppLockerPolicy>"#
        );
        policy(&xml).unwrap()
    }

    fn deny_path(path: &str) -> String {
        format!(
            r#"<FilePathRule Id="9" Name="" Description="" UserOrGroupSid="S-1-1-0" Action="Deny"><Conditions><FilePathCondition Path="{path}" /></Conditions></FilePathRule>"#
        )
    }

    fn deny_publisher(publisher: &str, low: &str) -> String {
        format!(
            r#"<FilePublisherRule Id="8" Name="" Description="" UserOrGroupSid="S-1-1-0" Action="Deny"><Conditions><FilePublisherCondition PublisherName="{publisher}" ProductName="*" BinaryName="*"><BinaryVersionRange LowSection="{low}" HighSection="*" /></FilePublisherCondition></Conditions></FilePublisherRule>"#
        )
    }

    fn effect(policy: &Policy, program: &Program) -> Effect {
        policy.program(program).unwrap()
    }

    #[test]
    fn a_deny_wins_over_the_default_allow_rules_in_any_folder() {
        let p = exe_policy("Enabled", &deny_path(r"*\Chat.exe"));
        let exe = Program::alone(Identifier::WindowsExe, "CHAT.EXE");
        assert_eq!(effect(&p, &exe), Effect::Blocked);
        let in_program_files =
            Program::alone(Identifier::WindowsPath, r"%ProgramFiles%\Chat\Chat.exe");
        assert_eq!(effect(&p, &in_program_files), Effect::Blocked);
        let other = Program::alone(Identifier::WindowsExe, "Other.exe");
        assert_eq!(effect(&p, &other), Effect::Allowed);
        // A pattern for one folder says nothing of a program that may be anywhere.
        let p = exe_policy("Enabled", &deny_path(r"C:\Tools\*"));
        assert_eq!(effect(&p, &other), Effect::Allowed);
    }

    #[test]
    fn what_no_allow_rule_covers_is_refused_and_audit_only_reports_it() {
        let p = exe_policy("Enabled", &deny_path(r"*\Banned.exe"));
        let profile = Program::alone(Identifier::WindowsPath, r"%LOCALAPPDATA%\Chat\Chat.exe");
        assert_eq!(effect(&p, &profile), Effect::Blocked);
        let windows = Program::alone(Identifier::WindowsPath, r"C:\Windows\System32\chat.exe");
        assert_eq!(effect(&p, &windows), Effect::Allowed);
        let x86 = Program::alone(
            Identifier::WindowsPath,
            r"%ProgramFiles(x86)%\Chat\Chat.exe",
        );
        assert_eq!(effect(&p, &x86), Effect::Allowed);
        let audit = exe_policy("AuditOnly", &deny_path(r"*\Banned.exe"));
        assert_eq!(effect(&audit, &profile), Effect::Reported);
        let banned = Program::alone(Identifier::WindowsExe, "Banned.exe");
        assert_eq!(effect(&audit, &banned), Effect::Reported);
        // A collection without rules refuses nothing.
        let empty = policy(r#"<AppLockerPolicy Version="1"><RuleCollection Type="Exe" EnforcementMode="Enabled" /></AppLockerPolicy>"#).unwrap();
        assert_eq!(effect(&empty, &profile), Effect::Allowed);
    }

    #[test]
    fn a_pattern_over_every_profile_allows_a_program_in_the_users_profile() {
        let allow =
            deny_path(r"%OSDRIVE%\Users\*\AppData\Local\Suite\Suite.exe").replace("Deny", "Allow");
        let p = exe_policy("Enabled", &allow);
        let suite = Program::alone(Identifier::WindowsPath, r"%LOCALAPPDATA%\Suite\Suite.exe");
        assert_eq!(effect(&p, &suite), Effect::Allowed);
        let other = Program::alone(Identifier::WindowsPath, r"%LOCALAPPDATA%\Other\Suite.exe");
        assert_eq!(effect(&p, &other), Effect::Blocked);
        // AppLocker does not expand the environment's variables in a rule.
        let allow = deny_path(r"%LOCALAPPDATA%\Suite\Suite.exe").replace("Deny", "Allow");
        let p = exe_policy("Enabled", &allow);
        assert_eq!(effect(&p, &suite), Effect::Blocked);
        // A deny rule still wins over the allow rule.
        let both = format!("{}{}", allow, deny_path(r"*\Suite.exe"));
        let p = exe_policy("Enabled", &both);
        assert_eq!(effect(&p, &suite), Effect::Blocked);
    }

    #[test]
    fn a_publisher_rule_matches_programs_that_publisher_signed_any_version() {
        let p = exe_policy("Enabled", &deny_publisher("O=Chat &amp; Co, C=US", "*"));
        let mut exe = Program::alone(Identifier::WindowsExe, "Chat.exe");
        assert_eq!(effect(&p, &exe), Effect::Allowed);
        exe.publishers.push("o=chat & co, c=us");
        assert_eq!(effect(&p, &exe), Effect::Blocked);
        let versioned = exe_policy(
            "Enabled",
            &deny_publisher("O=Chat &amp; Co, C=US", "2.0.0.0"),
        );
        assert_eq!(effect(&versioned, &exe), Effect::Allowed);
    }

    #[test]
    fn packaged_apps_are_matched_on_their_package_name() {
        let xml = r#"<AppLockerPolicy Version="1"><RuleCollection Type="Appx" EnforcementMode="Enabled">
            <FilePublisherRule Id="1" Name="" Description="" UserOrGroupSid="S-1-1-0" Action="Allow"><Conditions><FilePublisherCondition PublisherName="*" ProductName="*" BinaryName="*"><BinaryVersionRange LowSection="*" HighSection="*" /></FilePublisherCondition></Conditions></FilePublisherRule>
            <FilePublisherRule Id="2" Name="" Description="" UserOrGroupSid="S-1-1-0" Action="Deny"><Conditions><FilePublisherCondition PublisherName="*" ProductName="Chat.Desktop" BinaryName="*"><BinaryVersionRange LowSection="*" HighSection="*" /></FilePublisherCondition></Conditions></FilePublisherRule>
        </RuleCollection></AppLockerPolicy>"#;
        let p = policy(xml).unwrap();
        let chat = Program::alone(Identifier::WindowsStore, "Chat.Desktop_abc123");
        assert_eq!(effect(&p, &chat), Effect::Blocked);
        let other = Program::alone(Identifier::WindowsStore, "Other.App_abc123");
        assert_eq!(effect(&p, &other), Effect::Allowed);
        // Windows rules are not a Mac's.
        let mac = Program::alone(Identifier::MacosBundle, "Chat.Desktop");
        assert_eq!(effect(&p, &mac), Effect::Allowed);
    }

    #[test]
    fn rules_for_other_users_do_not_apply_and_unknown_forms_are_refused() {
        let admins = deny_path(r"*\Chat.exe").replace("S-1-1-0", "S-1-5-32-544");
        let p = exe_policy("Enabled", &admins);
        let exe = Program::alone(Identifier::WindowsExe, "Chat.exe");
        assert_eq!(effect(&p, &exe), Effect::Allowed);
        let exceptions =
            deny_path(r"*\Chat.exe").replace("</Conditions>", "</Conditions><Exceptions />");
        assert!(policy(&format!(r#"<AppLockerPolicy Version="1"><RuleCollection Type="Exe" EnforcementMode="Enabled">{exceptions}</RuleCollection></AppLockerPolicy>"#)).is_err());
        assert!(policy(r#"<AppLockerPolicy Version="1"><RuleCollection Type="Dll" EnforcementMode="Enabled"><FilePathRule Id="1" Name="" Description="" UserOrGroupSid="S-1-1-0" Action="Allow"><Conditions><FilePathCondition Path="*" /></Conditions></FilePathRule></RuleCollection></AppLockerPolicy>"#).is_err());
    }
}
