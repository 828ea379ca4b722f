//! A macOS configuration profile carrying Santa's `StaticRules` (santa.dev, "Configuration"
//! and "Rules"): each payload whose `PayloadType` is Santa's preference domain configures that
//! Santa, North Pole Security's (`com.northpolesec.santa`) or Google's before it
//! (`com.google.santa`); a static rule is a dictionary of `identifier`, `rule_type` and
//! `policy`. A `TEAMID` rule matches the binaries signed by that team, a `SIGNINGID` rule
//! (`TEAMID:signing.id`) those with that signing id; `BLOCKLIST` and `SILENT_BLOCKLIST` block,
//! `ALLOWLIST` and `ALLOWLIST_COMPILER` allow. Of the rules matching a binary the most specific
//! decides: CDHASH, then BINARY, then SIGNINGID, then CERTIFICATE, then TEAMID. A binary no rule
//! matches runs (the profile sets no lockdown mode). The policy names no hashes, so rules by
//! hash or certificate match no probe. Santa runs on macOS: Windows programs are not its to
//! block. The profile is read with the plist crate, as strictly as Apple's parser.

use crate::emit::verify::{Consumer, Effect, Identifier, NameIndex, Program, Question, Reading};
use crate::emit::OutputFile;
use rustc_hash::FxHashMap;
use serde::Deserialize;

#[derive(Deserialize)]
struct Profile {
    #[serde(rename = "PayloadContent", default)]
    payloads: Vec<Payload>,
}

#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "PayloadType")]
    kind: String,
    #[serde(rename = "StaticRules", default)]
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    identifier: String,
    rule_type: String,
    policy: String,
}

/// What one Santa's static rules do, by rule type from the most specific.
#[derive(Default)]
struct Rules {
    /// The identifiers of the SIGNINGID rules and of the TEAMID rules, each with whether a
    /// rule for it blocks.
    signing_ids: FxHashMap<String, bool>,
    teams: FxHashMap<String, bool>,
}

impl Rules {
    fn add(&mut self, rule: Rule) -> Result<(), String> {
        let blocks = match rule.policy.as_str() {
            "BLOCKLIST" | "SILENT_BLOCKLIST" => true,
            "ALLOWLIST" | "ALLOWLIST_COMPILER" => false,
            other => return Err(format!("policy `{other}` is not one this reader knows")),
        };
        match rule.rule_type.as_str() {
            "SIGNINGID" => *self.signing_ids.entry(rule.identifier).or_default() |= blocks,
            "TEAMID" => *self.teams.entry(rule.identifier).or_default() |= blocks,
            "CDHASH" | "BINARY" | "CERTIFICATE" => {}
            other => return Err(format!("rule type `{other}` is not known")),
        }
        Ok(())
    }
}

impl Reading for Rules {
    fn program(&self, program: &Program) -> Option<Effect> {
        let macos = matches!(
            program.kind,
            Identifier::MacosTeam | Identifier::MacosSigningId | Identifier::MacosBundle
        );
        let decision = |rules: &FxHashMap<String, bool>, ids: &[&str]| {
            // A program the policy knows several ids of is blocked if any of them is.
            let matching = ids.iter().filter_map(|id| rules.get(*id));
            matching.fold(None, |decided, blocks| {
                Some(decided.unwrap_or(false) || *blocks)
            })
        };
        let blocked = decision(&self.signing_ids, &program.signing_ids)
            .or_else(|| decision(&self.teams, &program.teams))
            .unwrap_or(false);
        Some(super::blocked_if(macos && blocked))
    }
}

/// The preference domains of the Santas that read a profile.
const SANTAS: [&str; 2] = ["com.northpolesec.santa", "com.google.santa"];

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let bytes = super::file(files, "msgpol-santa.mobileconfig")?;
    let profile: Profile = plist::from_bytes(bytes)
        .map_err(|e| format!("`msgpol-santa.mobileconfig` is not a profile: {e}"))?;
    let mut santas: Vec<Rules> = SANTAS.iter().map(|_| Rules::default()).collect();
    for payload in profile.payloads {
        if let Some(i) = SANTAS.iter().position(|domain| *domain == payload.kind) {
            for rule in payload.rules {
                santas[i].add(rule)?;
            }
        }
    }
    Ok(SANTAS
        .iter()
        .zip(santas)
        .map(|(domain, rules)| Consumer {
            name: Some(domain),
            questions: &[Question::Endpoint],
            reading: Box::new(rules),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(list: &[(&str, &str, &str)]) -> Rules {
        let mut rules = Rules::default();
        for (identifier, rule_type, policy) in list {
            rules
                .add(Rule {
                    identifier: identifier.to_string(),
                    rule_type: rule_type.to_string(),
                    policy: policy.to_string(),
                })
                .unwrap();
        }
        rules
    }

    #[test]
    fn a_signing_id_rule_decides_before_a_team_rule() {
        let r = rules(&[
            ("AAAAAAAAAA", "TEAMID", "BLOCKLIST"),
            ("AAAAAAAAAA:com.kept.app", "SIGNINGID", "ALLOWLIST"),
        ]);
        let mut kept = Program::alone(Identifier::MacosSigningId, "AAAAAAAAAA:com.kept.app");
        assert_eq!(r.program(&kept), Some(Effect::Allowed));
        kept.signing_ids.clear();
        assert_eq!(r.program(&kept), Some(Effect::Blocked));
        let other = Program::alone(Identifier::MacosTeam, "BBBBBBBBBB");
        assert_eq!(r.program(&other), Some(Effect::Allowed));
    }

    #[test]
    fn a_bundle_id_alone_matches_no_rule_and_windows_programs_are_not_santas() {
        let r = rules(&[("AAAAAAAAAA", "TEAMID", "SILENT_BLOCKLIST")]);
        let mut app = Program::alone(Identifier::MacosBundle, "com.example.app");
        assert_eq!(r.program(&app), Some(Effect::Allowed));
        app.teams.push("AAAAAAAAAA");
        assert_eq!(r.program(&app), Some(Effect::Blocked));
        let exe = Program::alone(Identifier::WindowsExe, "AAAAAAAAAA");
        assert_eq!(r.program(&exe), Some(Effect::Allowed));
    }

    #[test]
    fn unknown_policies_and_rule_types_are_refused() {
        let rule = |rule_type: &str, policy: &str| Rule {
            identifier: "X".into(),
            rule_type: rule_type.into(),
            policy: policy.into(),
        };
        assert!(Rules::default().add(rule("TEAMID", "REMOVE")).is_err());
        assert!(Rules::default().add(rule("BUNDLEID", "BLOCKLIST")).is_err());
    }
}
