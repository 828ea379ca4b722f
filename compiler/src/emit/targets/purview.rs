//! `purview`: Microsoft Purview DLP. Two files:
//! - `msgpol-rulepack.xml`: a custom sensitive-information-type rule package (UTF-16 with a
//!   byte-order mark, as the upload expects). One entity per detector (two when a detector has
//!   both patterns and keywords: an entity matches one primary element), its patterns as one
//!   Boost regex, `near` as a keyword list in a higher-confidence pattern, Luhn as Microsoft's
//!   `Func_credit_card` validator. GUIDs derive from names (stable across builds); the version
//!   is the policy's, so every new policy version deploys.
//! - `msgpol-dlp-policies.ps1`: uploads the package and creates, per location (the `teams`
//!   channel: Teams chat; the `email` channel: Exchange), a DLP policy whose rules block each
//!   class the channel's tier may not carry.

use super::dlp::{self, cut, fit_name};
use super::ids;
use crate::dlp::pattern::{self, Dialect};
use crate::emit::error::{purview_pattern_too_long, purview_version};
use crate::emit::templates::{one_line, render, Header};
use crate::emit::templates::template;
use crate::emit::{Control, EmitError, Emitted, OutputFile, Target, TargetInfo, Template};
use crate::ir::{Checksum, ClassInfo, Confidence, DetectorInfo, Ir, Size, Verdict};
use serde::Serialize;

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

/// Text for XML content and attribute values; control characters dropped (XML 1.0 has no
/// way to write most of them).
fn xml(text: &str) -> String {
    let printable: String = text.chars().filter(|c| !c.is_control()).collect();
    ids::xml_text(&printable)
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
    warnings: &mut Vec<String>,
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

fn rule_package(ir: &Ir, entities: &[Entity], version: [u32; 4], rule_pack_id: &str) -> String {
    let mut x = String::new();
    let org = &ir.policy.organisation;
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-16\"?>\n");
    x.push_str(&format!(
        "<!-- {}: generated by msgpol on the policy as of {}. Do not edit: change the policy and rebuild. -->\n",
        xml(&one_line(&ir.policy.title)).replace("--", "- -"),
        ir.evaluation_date
    ));
    x.push_str("<RulePackage xmlns=\"http://schemas.microsoft.com/office/2011/mce\">\n");
    x.push_str(&format!("  <RulePack id=\"{rule_pack_id}\">\n"));
    x.push_str(&format!(
        "    <Version major=\"{}\" minor=\"{}\" build=\"{}\" revision=\"{}\"/>\n",
        version[0], version[1], version[2], version[3]
    ));
    x.push_str(&format!(
        "    <Publisher id=\"{}\"/>\n",
        guid("publisher", org)
    ));
    x.push_str(
        "    <Details defaultLangCode=\"en-us\">\n      <LocalizedDetails langcode=\"en-us\">\n",
    );
    x.push_str(&format!(
        "        <PublisherName>{}</PublisherName>\n",
        xml(&cut(org, MAX_TEXT))
    ));
    x.push_str(&format!(
        "        <Name>{}</Name>\n",
        xml(&cut(&format!("msgpol: {}", ir.policy.title), MAX_NAME))
    ));
    x.push_str(&format!(
        "        <Description>{}</Description>\n",
        xml(&cut(
            &format!(
                "Data-class detectors of {}, version {}",
                ir.policy.title, ir.policy.version
            ),
            MAX_TEXT
        ))
    ));
    x.push_str("      </LocalizedDetails>\n    </Details>\n  </RulePack>\n  <Rules>\n");
    let mut elements = String::new();
    for e in entities {
        let d = e.detector;
        let primary_id = match e.primary {
            Primary::Regex(_) => format!("Regex_{}", e.id),
            Primary::Keywords => format!("Keyword_{}", e.id),
        };
        let near_id = format!("Keyword_near_{}", e.id);
        let proximity = d
            .near
            .as_ref()
            .map_or("300".to_string(), |n| n.within.to_string());
        x.push_str(&format!(
            "    <Entity id=\"{}\" patternsProximity=\"{proximity}\" recommendedConfidence=\"{}\">\n",
            e.id,
            level(d.confidence)
        ));
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
        for (confidence, with_near) in patterns {
            x.push_str(&format!(
                "      <Pattern confidenceLevel=\"{}\">\n        <IdMatch idRef=\"{primary_id}\"/>\n",
                level(confidence)
            ));
            if with_near {
                x.push_str(&format!("        <Match idRef=\"{near_id}\"/>\n"));
            }
            x.push_str("      </Pattern>\n");
        }
        x.push_str("    </Entity>\n");
        match &e.primary {
            Primary::Regex(regex) => {
                let validator = if d.checks.contains(&Checksum::Luhn) {
                    " validators=\"Func_credit_card\""
                } else {
                    ""
                };
                elements.push_str(&format!(
                    "    <Regex id=\"{primary_id}\"{validator}>{}</Regex>\n",
                    xml(regex)
                ));
            }
            Primary::Keywords => {
                keyword_element(&mut elements, &primary_id, &d.keywords, d.case_sensitive)
            }
        }
        if let Some(near) = &d.near {
            keyword_element(&mut elements, &near_id, &near.words, false);
        }
    }
    x.push_str(&elements);
    x.push_str("    <LocalizedStrings>\n");
    for e in entities {
        x.push_str(&format!(
            "      <Resource idRef=\"{}\">\n        <Name default=\"true\" langcode=\"en-us\">{}</Name>\n        <Description default=\"true\" langcode=\"en-us\">{}</Description>\n      </Resource>\n",
            e.id,
            xml(&e.name),
            xml(&cut(
                &format!(
                    "Detector {} of the class {} ({}), from the msgpol policy",
                    e.detector.name, e.class.name, e.class.label
                ),
                MAX_TEXT
            ))
        ));
    }
    x.push_str("    </LocalizedStrings>\n  </Rules>\n</RulePackage>\n");
    x
}

fn keyword_element(out: &mut String, id: &str, words: &[String], case_sensitive: bool) {
    out.push_str(&format!(
        "    <Keyword id=\"{id}\">\n      <Group matchStyle=\"word\">\n"
    ));
    for w in words {
        out.push_str(&format!(
            "        <Term caseSensitive=\"{case_sensitive}\">{}</Term>\n",
            xml(w)
        ));
    }
    out.push_str("      </Group>\n    </Keyword>\n");
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
    location: &'static str,
    /// The `New-DlpCompliancePolicy` location parameter.
    parameter: &'static str,
    channel: String,
    tier: String,
    name: String,
    comment: String,
    rules: Vec<Rule>,
}

/// The Purview locations msgpol writes policies for, by the std channel that stands for them.
const LOCATIONS: &[(&str, &str, &str)] = &[
    ("teams", "Teams chat", "TeamsLocation"),
    ("email", "Exchange email", "ExchangeLocation"),
];

fn policies(ir: &Ir, entities: &[Entity]) -> Vec<LocationPolicy> {
    let mut out = Vec::new();
    for &(channel, location, parameter) in LOCATIONS {
        let Some(info) = ir.channel(channel) else {
            continue;
        };
        let Some(tier) = ir.tier_of(info) else {
            continue;
        };
        let name = format!("msgpol {location}");
        let mut rules = Vec::new();
        for class in &ir.classes {
            let denied = ir
                .decide(&class.name, channel, None)
                .is_some_and(|d| d.verdict == Verdict::Deny);
            let types: Vec<SensitiveType> = entities
                .iter()
                .filter(|e| e.class.name == class.name)
                .map(|e| SensitiveType {
                    name: e.name.clone(),
                    min_count: e.detector.min_count,
                })
                .collect();
            if denied && !types.is_empty() {
                rules.push(Rule {
                    name: format!("{name}: block {}", class.name),
                    types,
                });
            }
        }
        out.push(LocationPolicy {
            location,
            parameter,
            channel: channel.to_string(),
            tier: tier.name.clone(),
            comment: cut(
                &format!(
                    "msgpol: {} version {}; tier {}",
                    ir.policy.title, ir.policy.version, tier.label
                ),
                1024,
            ),
            name,
            rules,
        });
    }
    out
}

const TEMPLATE: Template = template!("purview/msgpol-dlp-policies.ps1.j2");

const INFO: TargetInfo = TargetInfo {
    name: "purview",
    description: "Microsoft Purview: sensitive information types (rule package XML) and DLP policies for Teams and Exchange",
    outputs: &["msgpol-rulepack.xml", "msgpol-dlp-policies.ps1"],
    default_for: &[Size::Large],
    controls: &[Control::BlockDlp],
    templates: &[&TEMPLATE],
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
        let package = rule_package(ir, &entities, version, &rule_pack_id);
        let context = minijinja::context! {
            rule_pack_id => rule_pack_id,
            policies => policies(ir, &entities),
            ..Header::value(ir),
        };
        const SCRIPT: &str = "msgpol-dlp-policies.ps1";
        let script = render(&TEMPLATE, context)?;
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

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(xml("a<b>&\"'\u{7}"), "a&lt;b&gt;&amp;&quot;&apos;");
    }
}
