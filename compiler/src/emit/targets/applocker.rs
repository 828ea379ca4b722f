//! `applocker`: AppLocker policy XML denying the programs of channels in tiers that
//! `block endpoint` (enforced), and of channels in tiers that `monitor` (a separate audit-only
//! policy). Publisher rules where the channel names its publisher, file-name path rules
//! otherwise, Appx rules for Store apps; every configured collection also carries the default
//! allow rules, because an enforced collection denies whatever no rule allows.

use super::endpoint::{self, xml, Missing};
use super::ids::guid;
use crate::emit::error::render_failed;
use crate::emit::{Control, EmitError, Emitted, OutputFile, Target, TargetInfo};
use crate::ir::{ChannelInfo, Enforcement, Ir, Size};
use std::fmt::Write;

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

fn render_rule(out: &mut String, rule: &Rule) -> Result<(), String> {
    let (element, condition) = match &rule.condition {
        Condition::Path(path) => (
            "FilePathRule",
            format!("<FilePathCondition Path=\"{}\" />", xml(path)?),
        ),
        Condition::Publisher(publisher, product, binary) => (
            "FilePublisherRule",
            format!(
                "<FilePublisherCondition PublisherName=\"{}\" ProductName=\"{}\" BinaryName=\"{}\">\r\n          <BinaryVersionRange LowSection=\"*\" HighSection=\"*\" />\r\n        </FilePublisherCondition>",
                xml(publisher)?,
                xml(product)?,
                xml(binary)?
            ),
        ),
    };
    let _ = write!(
        out,
        "    <{element} Id=\"{}\" Name=\"{}\" Description=\"{}\" UserOrGroupSid=\"{}\" Action=\"{}\">\r\n      <Conditions>\r\n        {condition}\r\n      </Conditions>\r\n    </{element}>\r\n",
        rule.id,
        xml(&rule.name)?,
        xml(&rule.description)?,
        rule.sid,
        if rule.allow { "Allow" } else { "Deny" },
    );
    Ok(())
}

/// A policy denying the programs of `channels`, in `mode` (`Enabled` or `AuditOnly`); the
/// channels without a program identifier are reported as `target`'s warning.
fn policy(
    target: &str,
    channels: &[&ChannelInfo],
    mode: &str,
    purpose: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<u8>, String> {
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
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n");
    out.push_str("<!-- Generated by msgpol. Do not edit: change the policy and rebuild. -->\r\n");
    out.push_str("<AppLockerPolicy Version=\"1\">\r\n");
    for (collection, denies) in [("Exe", exe), ("Appx", appx)] {
        if denies.is_empty() {
            let _ = write!(
                out,
                "  <RuleCollection Type=\"{collection}\" EnforcementMode=\"NotConfigured\" />\r\n"
            );
            continue;
        }
        let _ = write!(
            out,
            "  <RuleCollection Type=\"{collection}\" EnforcementMode=\"{mode}\">\r\n"
        );
        for rule in default_rules(collection).iter().chain(&denies) {
            render_rule(&mut out, rule)?;
        }
        out.push_str("  </RuleCollection>\r\n");
    }
    out.push_str("</AppLockerPolicy>\r\n");
    Ok(out.into_bytes())
}

const INFO: TargetInfo = TargetInfo {
    name: "applocker",
    description: "AppLocker policy XML denying banned channels' programs (audit-only policy for monitored ones)",
    outputs: &["msgpol.xml", "msgpol-audit.xml"],
    default_for: &[Size::Large],
    controls: &[Control::BlockEndpoint],
    templates: &[],
};

impl Target for AppLocker {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let fail = |e| render_failed(self.name(), e);
        let mut warnings = Vec::new();
        let blocked = endpoint::blocked_by(ir, Enforcement::Endpoint);
        let mut files = vec![OutputFile {
            path: "msgpol.xml".into(),
            contents: policy(self.name(), &blocked, "Enabled", "blocked", &mut warnings)
                .map_err(fail)?,
        }];
        let monitored = endpoint::monitored(ir);
        if !monitored.is_empty() {
            files.push(OutputFile {
                path: "msgpol-audit.xml".into(),
                contents: policy(
                    self.name(),
                    &monitored,
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
