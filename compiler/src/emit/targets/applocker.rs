//! `applocker`: AppLocker policy XML denying the programs of channels in tiers that
//! `block endpoint` (enforced), and of channels in tiers that `monitor` (a separate audit-only
//! policy). Publisher rules where the channel names its publisher, file-name path rules
//! otherwise, Appx rules for Store apps; every configured collection also carries the default
//! allow rules, because an enforced collection denies whatever no rule allows, and an allow
//! rule for each `windows-path` of an approved or limited channel that the default rules would
//! refuse.

use super::endpoint::{self, printable, Missing};
use super::ids::guid;
use crate::emit::error::render_failed;
use crate::emit::verify::{readers, Identifier, Reader};
use crate::emit::{Control, EmitError, EmitWarning, Emitted, OutputFile, Target, TargetInfo};
use crate::ir::{ChannelInfo, Enforcement, Ir, Size, TierKind};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::io;

pub struct AppLocker;

const EVERYONE: &str = "S-1-1-0";
const ADMINISTRATORS: &str = "S-1-5-32-544";

enum Condition {
    Path(String),
    /// Publisher, product, binary name; `*` for any.
    Publisher(String, String, String),
}

struct Rule {
    id: String,
    name: String,
    description: String,
    sid: &'static str,
    allow: bool,
    condition: Condition,
}

/// The allow rules AppLocker's console creates as its defaults: everyone may run what is in
/// Program Files and Windows, administrators anything; for packaged apps, every signed one.
fn default_rules(collection: &str) -> Vec<Rule> {
    let rule = |name: &str, sid, condition| Rule {
        id: guid(&format!("msgpol applocker default {collection} {name}")),
        name: format!("(Default Rule) {name}"),
        description: String::new(),
        sid,
        allow: true,
        condition,
    };
    match collection {
        "Appx" => vec![rule(
            "All signed packaged apps",
            EVERYONE,
            Condition::Publisher("*".into(), "*".into(), "*".into()),
        )],
        _ => vec![
            rule(
                "All files located in the Program Files folder",
                EVERYONE,
                Condition::Path(r"%PROGRAMFILES%\*".into()),
            ),
            rule(
                "All files located in the Windows folder",
                EVERYONE,
                Condition::Path(r"%WINDIR%\*".into()),
            ),
            rule("All files", ADMINISTRATORS, Condition::Path("*".into())),
        ],
    }
}

/// Where a program's `windows-path` lies, in AppLocker's terms: AppLocker knows only its own
/// path variables (`%WINDIR%`, `%SYSTEM32%`, `%OSDRIVE%`, `%PROGRAMFILES%`, `%REMOVABLE%`,
/// `%HOT%`), not the environment's, so a user's folder becomes a pattern over every user's
/// profile.
enum Place {
    /// Under Program Files or Windows: the default rules let everyone run it.
    Default,
    /// A path pattern AppLocker matches.
    Pattern(String),
    /// Under a variable AppLocker has no equivalent of.
    Unknown,
}

fn place(path: &str) -> Place {
    let Some((variable, rest)) = path.strip_prefix('%').and_then(|p| p.split_once('%')) else {
        // A drive letter: AppLocker compares it as written.
        return Place::Pattern(path.to_string());
    };
    let folder = match variable.to_ascii_uppercase().as_str() {
        "PROGRAMFILES" | "PROGRAMFILES(X86)" | "PROGRAMW6432" | "WINDIR" | "SYSTEMROOT" => {
            return Place::Default
        }
        "SYSTEMDRIVE" | "HOMEDRIVE" => "%OSDRIVE%",
        "PROGRAMDATA" | "ALLUSERSPROFILE" => r"%OSDRIVE%\ProgramData",
        "PUBLIC" => r"%OSDRIVE%\Users\Public",
        "USERPROFILE" => r"%OSDRIVE%\Users\*",
        "APPDATA" => r"%OSDRIVE%\Users\*\AppData\Roaming",
        "LOCALAPPDATA" => r"%OSDRIVE%\Users\*\AppData\Local",
        "TEMP" | "TMP" => r"%OSDRIVE%\Users\*\AppData\Local\Temp",
        _ => return Place::Unknown,
    };
    Place::Pattern(format!("{folder}{rest}"))
}

/// Allow rules for the programs of approved and limited channels that the default rules would
/// refuse: one path rule for each `windows-path` outside Program Files and Windows. A deny
/// rule still wins over them, so they open no banned program. A path under a variable
/// AppLocker has no equivalent of gets none (the build's check then fails, naming it).
fn allow_rules(channels: &[&ChannelInfo]) -> Vec<Rule> {
    let mut rules = Vec::new();
    for channel in channels {
        for path in &channel.endpoints.windows_path {
            match place(path) {
                Place::Default | Place::Unknown => {}
                Place::Pattern(pattern) => rules.push(Rule {
                    id: guid(&format!("msgpol applocker allowed {} {path}", channel.name)),
                    name: format!("msgpol: {} ({path})", channel.label),
                    description: format!("allowed by msgpol: channel {}", channel.name),
                    sid: EVERYONE,
                    allow: true,
                    condition: Condition::Path(pattern),
                }),
            }
        }
    }
    rules
}

/// The deny rules for one channel: (Exe rules, Appx rules).
fn deny_rules(channel: &ChannelInfo, purpose: &str) -> (Vec<Rule>, Vec<Rule>) {
    let e = &channel.endpoints;
    let rule = |what: &str, condition| Rule {
        id: guid(&format!(
            "msgpol applocker {purpose} {} {what}",
            channel.name
        )),
        name: format!("msgpol: {} ({what})", channel.label),
        description: format!("{purpose} by msgpol: channel {}", channel.name),
        sid: EVERYONE,
        allow: false,
        condition,
    };
    let exe = if e.windows_publisher.is_empty() {
        e.windows_exe
            .iter()
            .map(|exe| rule(exe, Condition::Path(format!(r"*\{exe}"))))
            .collect()
    } else {
        e.windows_publisher
            .iter()
            .map(|publisher| {
                rule(
                    publisher,
                    Condition::Publisher(publisher.clone(), "*".into(), "*".into()),
                )
            })
            .collect()
    };
    let appx = e
        .windows_store
        .iter()
        .map(|family| {
            // A package family name is `<name>_<publisher id>`; the rule matches the name.
            let package = family.rsplit_once('_').map_or(family.as_str(), |(n, _)| n);
            rule(
                family,
                Condition::Publisher("*".into(), package.to_string(), "*".into()),
            )
        })
        .collect();
    (exe, appx)
}

fn write_rule(w: &mut Writer<Vec<u8>>, rule: &Rule) -> io::Result<()> {
    let element = match rule.condition {
        Condition::Path(_) => "FilePathRule",
        Condition::Publisher(..) => "FilePublisherRule",
    };
    let action = if rule.allow { "Allow" } else { "Deny" };
    w.create_element(element)
        .with_attributes([
            ("Id", rule.id.as_str()),
            ("Name", printable(&rule.name)?),
            ("Description", printable(&rule.description)?),
            ("UserOrGroupSid", rule.sid),
            ("Action", action),
        ])
        .write_inner_content(|w| {
            w.create_element("Conditions")
                .write_inner_content(|w| write_condition(w, &rule.condition))?;
            Ok(())
        })?;
    Ok(())
}

fn write_condition(w: &mut Writer<Vec<u8>>, condition: &Condition) -> io::Result<()> {
    match condition {
        Condition::Path(path) => {
            w.create_element("FilePathCondition")
                .with_attribute(("Path", printable(path)?))
                .write_empty()?;
        }
        Condition::Publisher(publisher, product, binary) => {
            w.create_element("FilePublisherCondition")
                .with_attributes([
                    ("PublisherName", printable(publisher)?),
                    ("ProductName", printable(product)?),
                    ("BinaryName", printable(binary)?),
                ])
                .write_inner_content(|w| {
                    w.create_element("BinaryVersionRange")
                        .with_attributes([("LowSection", "*"), ("HighSection", "*")])
                        .write_empty()?;
                    Ok(())
                })?;
        }
    }
    Ok(())
}

/// A policy denying the programs of `channels`, in `mode` (`Enabled` or `AuditOnly`), and
/// allowing `allows` where it denies any program; the channels without a program identifier
/// are reported as `target`'s warning.
fn policy(
    target: &str,
    channels: &[&ChannelInfo],
    allows: &[Rule],
    mode: &str,
    purpose: &str,
    warnings: &mut Vec<EmitWarning>,
) -> io::Result<Vec<u8>> {
    let (mut exe, mut appx) = (Vec::new(), Vec::new());
    let mut missing = Missing::new(
        "`windows-exe`, `windows-publisher` or `windows-store`",
        format!("no AppLocker rule is written ({purpose})"),
    );
    for channel in channels {
        let (e, a) = deny_rules(channel, purpose);
        if e.is_empty() && a.is_empty() {
            missing.add(channel);
        }
        exe.extend(e);
        appx.extend(a);
    }
    missing.report(target, warnings);
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // `<x />`, as AppLocker's own exports close empty elements.
    w.config_mut().add_space_before_slash_in_empty_elements = true;
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    w.write_event(Event::Comment(BytesText::new(
        " Generated by msgpol. Do not edit: change the policy and rebuild. ",
    )))?;
    w.create_element("AppLockerPolicy")
        .with_attribute(("Version", "1"))
        .write_inner_content(|w| {
            for (collection, denies) in [("Exe", exe), ("Appx", appx)] {
                let element = w
                    .create_element("RuleCollection")
                    .with_attribute(("Type", collection));
                if denies.is_empty() {
                    element
                        .with_attribute(("EnforcementMode", "NotConfigured"))
                        .write_empty()?;
                    continue;
                }
                element
                    .with_attribute(("EnforcementMode", mode))
                    .write_inner_content(|w| {
                        let allows = if collection == "Exe" { allows } else { &[] };
                        for rule in default_rules(collection).iter().chain(allows).chain(&denies) {
                            write_rule(w, rule)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    let mut text = String::from_utf8(w.into_inner()).map_err(io::Error::other)?;
    text.push('\n');
    // Windows tools write CRLF; every line break here is the writer's, as `printable` lets no
    // value carry one.
    Ok(text.replace('\n', "\r\n").into_bytes())
}

const READER: Reader = Reader {
    read: readers::applocker::read,
    leaves_open: &[],
    programs_by: &[
        Identifier::WindowsExe,
        Identifier::WindowsPublisher,
        Identifier::WindowsStore,
    ],
};

const INFO: TargetInfo = TargetInfo {
    name: "applocker",
    description: "AppLocker policy XML denying banned channels' programs (audit-only policy for monitored ones)",
    outputs: &["msgpol.xml", "msgpol-audit.xml"],
    default_for: &[Size::Large],
    controls: &[Control::BlockEndpoint],
    templates: &[],
    reader: Some(&READER),
    rules_reader: None,
};

impl Target for AppLocker {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let fail = |e: io::Error| render_failed(self.name(), e.to_string());
        let mut warnings = Vec::new();
        let blocked = endpoint::blocked_by(ir, Enforcement::Endpoint);
        let open: Vec<&ChannelInfo> = ir
            .channels_where(|t| t.kind != TierKind::Banned)
            .collect();
        let allows = allow_rules(&open);
        let mut files = vec![OutputFile {
            path: "msgpol.xml".into(),
            contents: policy(
                self.name(),
                &blocked,
                &allows,
                "Enabled",
                "blocked",
                &mut warnings,
            )
            .map_err(fail)?,
        }];
        let monitored = endpoint::monitored(ir);
        if !monitored.is_empty() {
            files.push(OutputFile {
                path: "msgpol-audit.xml".into(),
                contents: policy(
                    self.name(),
                    &monitored,
                    &allows,
                    "AuditOnly",
                    "audited",
                    &mut warnings,
                )
                .map_err(fail)?,
            });
        }
        Ok(Emitted { files, warnings })
    }
}

#[cfg(test)]
mod tests {
    use super::{place, Place};

    fn pattern(path: &str) -> Option<String> {
        match place(path) {
            Place::Pattern(p) => Some(p),
            Place::Default | Place::Unknown => None,
        }
    }

    #[test]
    fn a_path_becomes_applocker_variables_or_is_left_to_the_default_rules() {
        assert_eq!(
            pattern(r"%LocalAppData%\Programs\Suite\Suite.exe").as_deref(),
            Some(r"%OSDRIVE%\Users\*\AppData\Local\Programs\Suite\Suite.exe")
        );
        assert_eq!(
            pattern(r"%SystemDrive%\Tools\x.exe").as_deref(),
            Some(r"%OSDRIVE%\Tools\x.exe")
        );
        assert_eq!(pattern(r"D:\Tools\x.exe").as_deref(), Some(r"D:\Tools\x.exe"));
        assert!(matches!(place(r"%ProgramFiles(x86)%\X\x.exe"), Place::Default));
        assert!(matches!(place(r"%SystemRoot%\x.exe"), Place::Default));
        assert!(matches!(place(r"%OneDrive%\x.exe"), Place::Unknown));
    }
}
