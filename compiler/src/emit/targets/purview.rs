//! `purview`: Microsoft Purview DLP. Two files:
//! - `msgpol-rulepack.xml`: a custom sensitive-information-type rule package (UTF-16 with a
//!   byte-order mark, as the upload expects). One entity per detector (two when a detector has
//!   both patterns and keywords: an entity matches one primary element), its patterns as one
//!   Boost regex, `near` as a keyword list in a higher-confidence pattern, Luhn as Microsoft's
//!   `Func_credit_card` validator. GUIDs derive from names (stable across builds); the version
//!   is the policy's, so every new policy version deploys.
//! - `msgpol-dlp-policies.ps1`: uploads the package and creates, per location (the `teams`
//!   channel: Teams chat messages; the `email` channel: Exchange mail, body and attachments
//!   together), a DLP policy whose rules block each class `decide` denies on every medium the
//!   location inspects. A class denied on some medium of the channel but not blocked (a file
//!   on Teams lives in SharePoint or OneDrive, which msgpol does not configure; Exchange
//!   cannot block a class in bodies but not in attachments) is a W308 warning.

use super::dlp::{self, cut, fit_name};
use super::ids;
use super::retention;
use crate::dlp::pattern::{self, Dialect};
use crate::emit::error::{purview_pattern_too_long, purview_version, render_failed};
use crate::emit::encode;
use crate::emit::templates::{own_text, render, Header};
use crate::emit::templates::template;
use crate::emit::warning::cannot_express;
use crate::emit::{Control, EmitError, EmitWarning, Emitted, OutputFile, Target, TargetInfo, Template};
use crate::emit::verify::detectors::{RulesReader, Unchecked};
use crate::emit::verify::readers;
use crate::ir::{
    Checksum, ClassInfo, Confidence, DetectorInfo, Ir, Medium, Size, TierInfo, Verdict,
};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::writer::ElementWriter;
use quick_xml::Writer;
use serde::Serialize;
use std::io;

pub struct Purview;

/// Purview's limits (rule package schema and upload checks).
const MAX_NAME: usize = 64;
const MAX_TEXT: usize = 256;

/// Purview's confidence levels.
fn level(c: Confidence) -> u32 {
    match c {
        Confidence::Low => 65,
        Confidence::Medium => 75,
        Confidence::High => 85,
    }
}

/// A GUID from a name (see `ids::guid`), lower case as Purview's own packages write them.
fn guid(kind: &str, name: &str) -> String {
    ids::guid(&format!("msgpol purview {kind}\0{name}")).to_ascii_lowercase()
}

/// `major.minor.build.revision` from the digit runs of the policy version (`2026.2` →
/// 2026.2.0.0); each at most 65535.
fn version(text: &str) -> Option<[u32; 4]> {
    let numbers: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok().filter(|n| *n <= 65535))
        .collect::<Option<_>>()?;
    if numbers.is_empty() || numbers.len() > 4 {
        return None;
    }
    let mut out = [0; 4];
    out[..numbers.len()].copy_from_slice(&numbers);
    Some(out)
}

/// One sensitive information type: what it matches first, and its names.
struct Entity<'a> {
    class: &'a ClassInfo,
    detector: &'a DetectorInfo,
    /// The name rules refer to it by (`msgpol class/detector`, fit to Purview's length).
    name: String,
    id: String,
    /// The Boost regex, or the keywords.
    primary: Primary,
}

enum Primary {
    Regex(String),
    Keywords,
}

fn entities<'a>(
    ir: &'a Ir,
    target: &str,
    warnings: &mut Vec<EmitWarning>,
) -> Result<Vec<Entity<'a>>, EmitError> {
    let mut out = Vec::new();
    for (class, d) in crate::dlp::detectors(ir) {
        let name = format!("msgpol {}/{}", class.name, d.name);
        if !d.patterns.is_empty() {
            let regex = dlp::patterns(target, d, Dialect::Perl)?.join("|");
            if regex.chars().count() > pattern::MAX_LENGTH {
                return Err(purview_pattern_too_long(
                    &class.name,
                    &d.name,
                    regex.chars().count(),
                    pattern::MAX_LENGTH,
                ));
            }
            out.push(Entity {
                class,
                detector: d,
                id: guid("entity", &name),
                name: fit_name(&name, MAX_NAME),
                primary: Primary::Regex(regex),
            });
        }
        if !d.keywords.is_empty() {
            let name = if d.patterns.is_empty() {
                name
            } else {
                format!("{name} keywords")
            };
            out.push(Entity {
                class,
                detector: d,
                id: guid("entity", &name),
                name: fit_name(&name, MAX_NAME),
                primary: Primary::Keywords,
            });
        }
        let unexpressed: Vec<&Checksum> = d
            .checks
            .iter()
            .filter(|c| !matches!(c, Checksum::Luhn))
            .collect();
        let cost = if unexpressed.iter().all(|c| matches!(c, Checksum::Iban)) {
            "numbers that fail it match too; Purview's built-in \"International Banking Account Number (IBAN)\" type checks it"
        } else {
            "numbers that fail it match too (Purview's Checksum validator counts the check digit differently)"
        };
        warnings.extend(dlp::unchecked_checksums(
            target,
            class,
            d,
            unexpressed,
            cost,
        ));
    }
    Ok(out)
}

/// An element holding only `text` (refused if XML cannot hold it).
fn text_element(element: ElementWriter<'_, Vec<u8>>, text: &str) -> io::Result<()> {
    let text = encode::xml_text(text).map_err(|e| io::Error::other(e.0))?;
    element.write_text_content(BytesText::new(text))?;
    Ok(())
}

fn rule_package(
    ir: &Ir,
    entities: &[Entity],
    version: [u32; 4],
    rule_pack_id: &str,
) -> io::Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-16"), None)))?;
    let comment = format!(
        " {}: generated by msgpol on the policy as of {}. Do not edit: change the policy and rebuild. ",
        encode::xml_comment(&encode::comment(&ir.policy.title)).map_err(|e| io::Error::other(e.0))?,
        ir.evaluation_date
    );
    w.write_event(Event::Comment(BytesText::from_escaped(comment)))?;
    w.create_element("RulePackage")
        .with_attribute(("xmlns", "http://schemas.microsoft.com/office/2011/mce"))
        .write_inner_content(|w| {
            write_rule_pack(w, ir, version, rule_pack_id)?;
            w.create_element("Rules").write_inner_content(|w| {
                for e in entities {
                    write_entity(w, e)?;
                }
                for e in entities {
                    write_matches(w, e)?;
                }
                w.create_element("LocalizedStrings")
                    .write_inner_content(|w| {
                        for e in entities {
                            write_resource(w, e)?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
            Ok(())
        })?;
    let mut text = String::from_utf8(w.into_inner()).map_err(io::Error::other)?;
    text.push('\n');
    Ok(text)
}

/// The package's identity: id, version, publisher, name and description.
fn write_rule_pack(
    w: &mut Writer<Vec<u8>>,
    ir: &Ir,
    version: [u32; 4],
    rule_pack_id: &str,
) -> io::Result<()> {
    let (org, title) = (&ir.policy.organisation, &ir.policy.title);
    let name = format!("msgpol: {title}");
    let description = format!(
        "Data-class detectors of {title}, version {}",
        ir.policy.version
    );
    let [major, minor, build, revision] = version.map(|n| n.to_string());
    w.create_element("RulePack")
        .with_attribute(("id", rule_pack_id))
        .write_inner_content(|w| {
            w.create_element("Version")
                .with_attributes([
                    ("major", major.as_str()),
                    ("minor", &minor),
                    ("build", &build),
                    ("revision", &revision),
                ])
                .write_empty()?;
            w.create_element("Publisher")
                .with_attribute(("id", guid("publisher", org).as_str()))
                .write_empty()?;
            w.create_element("Details")
                .with_attribute(("defaultLangCode", "en-us"))
                .write_inner_content(|w| {
                    w.create_element("LocalizedDetails")
                        .with_attribute(("langcode", "en-us"))
                        .write_inner_content(|w| {
                            text_element(w.create_element("PublisherName"), &cut(org, MAX_TEXT))?;
                            text_element(w.create_element("Name"), &cut(&name, MAX_NAME))?;
                            text_element(
                                w.create_element("Description"),
                                &cut(&description, MAX_TEXT),
                            )
                        })?;
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

/// The id of an entity's primary element, and of its `near` keyword list.
fn element_ids(e: &Entity) -> (String, String) {
    let primary = match e.primary {
        Primary::Regex(_) => format!("Regex_{}", e.id),
        Primary::Keywords => format!("Keyword_{}", e.id),
    };
    (primary, format!("Keyword_near_{}", e.id))
}

/// The entity: one pattern at the detector's confidence (with `near`, requiring the context
/// words), and with `near` one more without them at the lower confidence.
fn write_entity(w: &mut Writer<Vec<u8>>, e: &Entity) -> io::Result<()> {
    let d = e.detector;
    let (primary_id, near_id) = element_ids(e);
    let proximity = d
        .near
        .as_ref()
        .map_or("300".to_string(), |n| n.within.to_string());
    let mut patterns = Vec::new();
    match &d.near {
        None => patterns.push((d.confidence, false)),
        Some(_) => {
            patterns.push((d.confidence, true));
            if let Some(lower) = crate::dlp::without_context(d.confidence) {
                patterns.push((lower, false));
            }
        }
    }
    w.create_element("Entity")
        .with_attributes([
            ("id", e.id.as_str()),
            ("patternsProximity", &proximity),
            ("recommendedConfidence", &level(d.confidence).to_string()),
        ])
        .write_inner_content(|w| {
            for (confidence, with_near) in patterns {
                w.create_element("Pattern")
                    .with_attribute(("confidenceLevel", level(confidence).to_string().as_str()))
                    .write_inner_content(|w| {
                        w.create_element("IdMatch")
                            .with_attribute(("idRef", primary_id.as_str()))
                            .write_empty()?;
                        if with_near {
                            w.create_element("Match")
                                .with_attribute(("idRef", near_id.as_str()))
                                .write_empty()?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// What the entity's patterns refer to: its regex or keywords, and its `near` keywords.
fn write_matches(w: &mut Writer<Vec<u8>>, e: &Entity) -> io::Result<()> {
    let d = e.detector;
    let (primary_id, near_id) = element_ids(e);
    match &e.primary {
        Primary::Regex(regex) => {
            let mut element = w
                .create_element("Regex")
                .with_attribute(("id", primary_id.as_str()));
            if d.checks.contains(&Checksum::Luhn) {
                element = element.with_attribute(("validators", "Func_credit_card"));
            }
            text_element(element, regex)?;
        }
        Primary::Keywords => write_keywords(w, &primary_id, &d.keywords, d.case_sensitive)?,
    }
    if let Some(near) = &d.near {
        write_keywords(w, &near_id, &near.words, false)?;
    }
    Ok(())
}

fn write_keywords(
    w: &mut Writer<Vec<u8>>,
    id: &str,
    words: &[String],
    case_sensitive: bool,
) -> io::Result<()> {
    let case_sensitive = case_sensitive.to_string();
    w.create_element("Keyword")
        .with_attribute(("id", id))
        .write_inner_content(|w| {
            w.create_element("Group")
                .with_attribute(("matchStyle", "word"))
                .write_inner_content(|w| {
                    for word in words {
                        let term = w
                            .create_element("Term")
                            .with_attribute(("caseSensitive", case_sensitive.as_str()));
                        text_element(term, word)?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn write_resource(w: &mut Writer<Vec<u8>>, e: &Entity) -> io::Result<()> {
    let description = format!(
        "Detector {} of the class {} ({}), from the msgpol policy",
        e.detector.name, e.class.name, e.class.label
    );
    let localised = [("default", "true"), ("langcode", "en-us")];
    w.create_element("Resource")
        .with_attribute(("idRef", e.id.as_str()))
        .write_inner_content(|w| {
            let name = w.create_element("Name").with_attributes(localised);
            text_element(name, &e.name)?;
            let description_element = w.create_element("Description").with_attributes(localised);
            text_element(description_element, &cut(&description, MAX_TEXT))
        })?;
    Ok(())
}

#[derive(Serialize)]
struct SensitiveType {
    name: String,
    min_count: u32,
}

#[derive(Serialize)]
struct Rule {
    name: String,
    types: Vec<SensitiveType>,
}

#[derive(Serialize)]
struct LocationPolicy {
    #[serde(serialize_with = "own_text")]
    location: &'static str,
    /// The `New-DlpCompliancePolicy` location parameter.
    #[serde(serialize_with = "own_text")]
    parameter: &'static str,
    channel: String,
    tier: String,
    name: String,
    comment: String,
    rules: Vec<Rule>,
}

/// The `-Comment` of a policy msgpol creates: which policy and tier it comes from (Purview
/// takes at most 1024 characters).
fn policy_comment(ir: &Ir, tier: &TierInfo) -> String {
    cut(
        &format!(
            "msgpol: {} version {}; tier {}",
            ir.policy.title, ir.policy.version, tier.label
        ),
        1024,
    )
}

/// The Purview locations msgpol writes policies for, by the std channel that stands for them,
/// with the media one rule of the location inspects together.
const LOCATIONS: &[(&str, &[Medium], &str, &str)] = &[
    ("teams", &[Medium::Text], "Teams chat", "TeamsLocation"),
    (
        "email",
        &[Medium::Email, Medium::File],
        "Exchange email",
        "ExchangeLocation",
    ),
];

/// The location policies, and the classes with detectors that `decide` denies on some medium
/// of a location's channel but that its policy cannot block (`channel: class` each).
fn policies(ir: &Ir, entities: &[Entity]) -> (Vec<LocationPolicy>, Vec<String>) {
    let mut out = Vec::new();
    let mut unblocked = Vec::new();
    for &(channel, inspected, location, parameter) in LOCATIONS {
        let Some(info) = ir.channel(channel) else {
            continue;
        };
        let Some(tier) = ir.tier_of(info) else {
            continue;
        };
        let name = format!("msgpol {location}");
        let mut rules = Vec::new();
        let denied_on = |class: &str, medium: Option<Medium>| {
            ir.decide(class, channel, medium, None)
                .is_some_and(|d| d.verdict == Verdict::Deny)
        };
        // The media the channel is judged on (`None`: whatever the medium).
        let judged = ir.media_to_judge(info, None);
        for class in &ir.classes {
            let inspected_media = judged
                .iter()
                .filter(|m| m.is_none_or(|m| inspected.contains(&m)));
            let mut inspected_media = inspected_media.peekable();
            let denied = inspected_media.peek().is_some()
                && inspected_media.all(|&m| denied_on(&class.name, m));
            let denied_somewhere = judged.iter().any(|&m| denied_on(&class.name, m));
            let types: Vec<SensitiveType> = entities
                .iter()
                .filter(|e| e.class.name == class.name)
                .map(|e| SensitiveType {
                    name: e.name.clone(),
                    min_count: e.detector.min_count,
                })
                .collect();
            if types.is_empty() {
                continue;
            }
            if denied {
                rules.push(Rule {
                    name: format!("{name}: block {}", class.name),
                    types,
                });
            } else if denied_somewhere {
                unblocked.push(format!("{channel}: {}", class.name));
            }
        }
        out.push(LocationPolicy {
            location,
            parameter,
            channel: channel.to_string(),
            tier: tier.name.clone(),
            comment: policy_comment(ir, tier),
            name,
            rules,
        });
    }
    (out, unblocked)
}

const TEMPLATE: Template = template!("purview/msgpol-dlp-policies.ps1.j2");
const RETENTION_TEMPLATE: Template = template!("purview/msgpol-retention-policies.ps1.j2");

#[derive(Serialize)]
struct RetentionPolicy {
    #[serde(serialize_with = "own_text")]
    location: &'static str,
    /// The `New-RetentionCompliancePolicy` location parameter.
    #[serde(serialize_with = "own_text")]
    parameter: &'static str,
    channel: String,
    name: String,
    days: u64,
    action: &'static str,
    meaning: String,
    comment: String,
}

/// The Purview retention locations, by the std channel that stands for them (Teams chats and
/// channel messages take a policy each).
const RETENTION_LOCATIONS: &[(&str, &str, &str)] = &[
    ("teams", "Teams chats", "TeamsChatLocation"),
    ("teams", "Teams channel messages", "TeamsChannelLocation"),
    ("email", "Exchange email", "ExchangeLocation"),
];

fn retention_policies(ir: &Ir) -> Vec<RetentionPolicy> {
    RETENTION_LOCATIONS
        .iter()
        .filter_map(|&(channel, location, parameter)| {
            let info = ir.channel(channel)?;
            let tier = ir.tier_of(info)?;
            let retention = ir.retention_of(channel);
            let setting = retention::setting(retention)?;
            let action = match (setting.keep, setting.delete) {
                (true, true) => "KeepAndDelete",
                (true, false) => "Keep",
                (false, _) => "Delete",
            };
            let said: Vec<String> = [
                retention.keep_at_least.map(|k| format!("kept at least {k}")),
                retention.delete_after.map(|d| format!("deleted after {d}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            Some(RetentionPolicy {
                location,
                parameter,
                channel: channel.to_string(),
                name: format!("msgpol retention: {location}"),
                days: setting.days,
                action,
                meaning: said.join(", "),
                comment: policy_comment(ir, tier),
            })
        })
        .collect()
}

/// The checksums a rule package cannot hold: all but Luhn (`Func_credit_card`).
fn not_luhn(c: &Checksum) -> bool {
    !matches!(c, Checksum::Luhn)
}

const RULES_READER: RulesReader = RulesReader {
    read: readers::purview::read,
    // Func_credit_card is the only checksum written; a rule package has no minimum count
    // (the DLP rules' `minCount` is not the sensitive information type's).
    unchecked: Unchecked {
        checks: not_luhn,
        near: false,
        min_count: true,
    },
};

const INFO: TargetInfo = TargetInfo {
    name: "purview",
    description: "Microsoft Purview: sensitive information types (rule package XML), DLP policies and retention policies for Teams and Exchange",
    outputs: &[
        "msgpol-rulepack.xml",
        "msgpol-dlp-policies.ps1",
        "msgpol-retention-policies.ps1",
    ],
    default_for: &[Size::Large],
    controls: &[Control::BlockDlp],
    templates: &[&TEMPLATE, &RETENTION_TEMPLATE],
    reader: None,
    rules_reader: Some(&RULES_READER),
};

impl Target for Purview {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    /// Its PowerShell creates the DLP policies that block each class on the channels whose
    /// tier may not carry it.
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let version =
            version(&ir.policy.version).ok_or_else(|| purview_version(&ir.policy.version))?;
        let mut warnings = Vec::new();
        let entities = entities(ir, self.name(), &mut warnings)?;
        // The package and the script that uploads it name the same rule pack.
        let rule_pack_id = guid(
            "rule pack",
            &format!("{}\0{}", ir.policy.organisation, ir.policy.title),
        );
        let package = rule_package(ir, &entities, version, &rule_pack_id)
            .map_err(|e| render_failed(self.name(), e.to_string()))?;
        let (policies, unblocked) = policies(ir, &entities);
        if !unblocked.is_empty() {
            warnings.push(cannot_express(
                self.name(),
                unblocked.len(),
                &format!(
                    "a DLP rule of a location inspects some media together and no rule sees the others, so these classes the policy denies on one medium of the channel are not blocked: {}",
                    unblocked.join(", ")
                ),
            ));
        }
        let context = minijinja::context! {
            rule_pack_id => rule_pack_id,
            policies => policies,
            ..Header::value(ir),
        };
        const SCRIPT: &str = "msgpol-dlp-policies.ps1";
        let script = render(&TEMPLATE, context)?;
        const RETENTION: &str = "msgpol-retention-policies.ps1";
        let retention = render(
            &RETENTION_TEMPLATE,
            minijinja::context! {
                policies => retention_policies(ir),
                ..Header::value(ir),
            },
        )?;
        Ok(Emitted {
            files: vec![
                OutputFile {
                    path: "msgpol-rulepack.xml".into(),
                    contents: ids::utf16le_bom(&package),
                },
                OutputFile {
                    path: SCRIPT.into(),
                    contents: ids::text_file(SCRIPT, script),
                },
                OutputFile {
                    path: RETENTION.into(),
                    contents: ids::text_file(RETENTION, retention),
                },
            ],
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_version_5_style_and_distinct() {
        let a = guid("entity", "msgpol confidential/iban");
        assert_eq!(a, guid("entity", "msgpol confidential/iban"));
        assert_ne!(a, guid("entity", "msgpol confidential/marking"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn versions_come_from_the_policy_version() {
        assert_eq!(version("2026.2"), Some([2026, 2, 0, 0]));
        assert_eq!(version("v3-rc1"), Some([3, 1, 0, 0]));
        assert_eq!(version("1.2.3.4"), Some([1, 2, 3, 4]));
        assert_eq!(version("draft"), None);
        assert_eq!(version("70000"), None);
        assert_eq!(version("1.2.3.4.5"), None);
    }
}
