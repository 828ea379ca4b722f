//! `teams`: a PowerShell script (MicrosoftTeams module) applying what the policy's `harden`
//! blocks ask of Microsoft Teams, and nothing else: each `disable` setting becomes the
//! cmdlet parameters that turn it off tenant-wide.

use super::ids;
use crate::emit::templates::{own_text, render, Header};
use crate::emit::templates::template;
use crate::emit::{EmitError, Emitted, Target, TargetInfo, Template, warning};
use crate::ir::{Hardening, Ir, Size};
use serde::Serialize;

pub struct Teams;

/// A `harden` block of a Teams channel, with the settings it is the first to ask for.
#[derive(Serialize)]
struct Block<'a> {
    channel: &'a str,
    label: &'a str,
    file: &'a str,
    line: usize,
    settings: Vec<Setting>,
}

#[derive(Serialize)]
struct Setting {
    meaning: &'static str,
    #[serde(serialize_with = "own_text")]
    command: &'static str,
}

/// The standard library's Teams channel, which a policy's own Teams channel may inherit.
const TEAMS: &str = "teams";

/// What each setting means to an administrator, and the command that turns it off.
fn command(setting: Hardening) -> (&'static str, &'static str) {
    match setting {
        Hardening::ConsumerAccounts => (
            "chats and calls with personal (consumer) Teams accounts off, both ways",
            "Set-CsTenantFederationConfiguration -AllowTeamsConsumer $false -AllowTeamsConsumerInbound $false",
        ),
        Hardening::ThirdPartyStorage => (
            "third-party cloud storage in Teams off (Dropbox, Box, Google Drive, ShareFile, Egnyte)",
            "Set-CsTeamsClientConfiguration -Identity Global -AllowDropBox $false -AllowBox $false -AllowGoogleDrive $false -AllowShareFile $false -AllowEgnyte $false",
        ),
        Hardening::EmailIntoChannel => (
            "e-mail into channels off",
            "Set-CsTeamsClientConfiguration -Identity Global -AllowEmailIntoChannel $false",
        ),
    }
}

const TEMPLATE: Template = template!("teams/msgpol-teams.ps1.j2");

const INFO: TargetInfo = TargetInfo {
    name: "teams",
    description: "a PowerShell script hardening Microsoft Teams as the policy's `harden` blocks ask",
    outputs: &["msgpol-teams.ps1"],
    default_for: &[Size::Large],
    controls: &[],
    templates: &[&TEMPLATE],
    reader: None,
    rules_reader: None,
};

impl Target for Teams {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut warnings = Vec::new();
        let mut blocks = Vec::new();
        let mut done: Vec<Hardening> = Vec::new();
        for harden in &ir.hardening {
            let Some(channel) = ir.channel(&harden.channel) else {
                continue;
            };
            if !channel.is_service(TEAMS) {
                warnings.push(warning::harden_not_applied(&channel.name));
                continue;
            }
            // A setting an earlier block turned off is not run again.
            let mut settings = Vec::new();
            for setting in &harden.disable {
                if done.contains(setting) {
                    continue;
                }
                done.push(*setting);
                let (meaning, command) = command(*setting);
                settings.push(Setting { meaning, command });
            }
            blocks.push(Block {
                channel: &channel.name,
                label: &channel.label,
                file: &harden.at.file,
                line: harden.at.line,
                settings,
            });
        }
        let context = minijinja::context! {
            blocks => blocks,
            nothing_asked => done.is_empty(),
            ..Header::value(ir),
        };
        const SCRIPT: &str = "msgpol-teams.ps1";
        let script = ids::text_file(SCRIPT, render(&TEMPLATE, context)?);
        Ok(Emitted::single(SCRIPT, script, warnings))
    }
}
