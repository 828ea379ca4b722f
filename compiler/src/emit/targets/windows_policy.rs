//! The Windows policy settings msgpol manages, built once from the IR as registry records
//! (`preg::Record`, `**delvals.` directives included) and rendered by two targets: `gpo`
//! (binary Registry.pol) and `reg` (a regedit file). Every browser list key is msgpol's own
//! and is cleared with `**delvals.` before its values, so a rebuilt policy never leaves stale
//! entries behind. The firewall rule key is shared with every other GPO's rules: msgpol only
//! sets its own values there, each named by a GUID derived from what it blocks.

use super::endpoint::{self, Missing};
use super::ids;
use super::{browser, chrome, firefox};
use crate::emit::error::render_failed;
use crate::emit::preg::{Record, RegValue, DELETE_ALL_VALUES};
use crate::emit::{Control, EmitError, EmitWarning};
use crate::ir::{Enforcement, Ir};

/// What the settings put into effect, for the targets that write them.
pub const CONTROLS: &[Control] = &[
    Control::BlockBrowser,
    Control::BlockFirewall,
    Control::BlockEndpoint,
];

const CHROME: &str = r"Software\Policies\Google\Chrome";
const EDGE: &str = r"Software\Policies\Microsoft\Edge";
const FIREFOX: &str = r"Software\Policies\Mozilla\Firefox";
const FIREWALL_RULES: &str = r"Software\Policies\Microsoft\WindowsFirewall\FirewallRules";

pub struct Settings {
    /// Machine (HKLM) settings, in the order they are applied.
    pub records: Vec<Record>,
    pub warnings: Vec<EmitWarning>,
}

fn set(key: &str, name: &str, value: RegValue) -> Record {
    Record {
        key: key.to_string(),
        name: name.to_string(),
        value,
    }
}

/// The key's values deleted, so that only what follows remains.
fn clear(records: &mut Vec<Record>, key: &str) {
    records.push(set(key, DELETE_ALL_VALUES, RegValue::Sz(" ".into())));
}

/// A list policy: the key cleared, then values `1`, `2`, … in order.
fn list(records: &mut Vec<Record>, key: &str, entries: &[String]) {
    clear(records, key);
    for (i, entry) in entries.iter().enumerate() {
        records.push(set(key, &(i + 1).to_string(), RegValue::Sz(entry.clone())));
    }
}

pub fn settings(ir: &Ir, target: &str) -> Result<Settings, EmitError> {
    let mut records = Vec::new();
    let chromium = browser::lists(ir, &format!("{target} (Chrome, Edge)"), chrome::patterns)?;
    for base in [CHROME, EDGE] {
        list(
            &mut records,
            &format!(r"{base}\URLBlocklist"),
            &chromium.block,
        );
        list(
            &mut records,
            &format!(r"{base}\URLAllowlist"),
            &chromium.allow,
        );
        records.push(set(base, "DnsOverHttpsMode", RegValue::Sz("off".into())));
    }
    let mozilla = browser::lists(ir, &format!("{target} (Firefox)"), firefox::patterns)?;
    list(
        &mut records,
        &format!(r"{FIREFOX}\WebsiteFilter\Block"),
        &mozilla.block,
    );
    list(
        &mut records,
        &format!(r"{FIREFOX}\WebsiteFilter\Exceptions"),
        &mozilla.allow,
    );
    let doh = format!(r"{FIREFOX}\DNSOverHTTPS");
    records.push(set(&doh, "Enabled", RegValue::Dword(0)));
    records.push(set(&doh, "Locked", RegValue::Dword(1)));
    let mut warnings = chromium.warnings;
    warnings.extend(mozilla.warnings);
    firewall_rules(ir, target, &mut records, &mut warnings)?;
    Ok(Settings { records, warnings })
}

/// One outbound block rule per channel of a tier that `block firewall`, covering its networks,
/// and one per `windows-path` of a channel of a tier that `block endpoint`.
fn firewall_rules(
    ir: &Ir,
    target: &str,
    records: &mut Vec<Record>,
    warnings: &mut Vec<EmitWarning>,
) -> Result<(), EmitError> {
    let mut without_networks = Missing::new("`networks`", "no firewall rule is written");
    for channel in endpoint::blocked_by(ir, Enforcement::Firewall) {
        let Some(tier) = ir.tier_of(channel) else {
            continue;
        };
        // The channel's own networks: a network merged with another channel's would also
        // block what lies around them.
        let networks = &channel.endpoints.networks;
        if networks.is_empty() {
            without_networks.add(channel);
            continue;
        }
        let addresses: Vec<(&str, String)> = networks
            .iter()
            .map(|n| (if n.v6 { "RA6" } else { "RA4" }, n.to_string()))
            .collect();
        records.push(firewall_rule(
            target,
            &format!("msgpol firewall {}", channel.name),
            &addresses,
            &format!("block {}", channel.name),
            &format!("{} is banned by tier {}", channel.name, tier.name),
        )?);
    }
    without_networks.report(target, warnings);
    for (channel, paths) in endpoint::windows_programs(ir, target, warnings) {
        for path in paths {
            records.push(firewall_rule(
                target,
                &format!("msgpol firewall {} {path}", channel.name),
                &[("App", path.to_string())],
                &format!("block {} program", channel.name),
                &format!("{} is banned on endpoints", channel.name),
            )?);
        }
    }
    Ok(())
}

/// An outbound block rule matching `conditions`, in the rule-string grammar of [MS-GPFAS]
/// 2.2.2.19 (`v2.30|Field=value|…|`), under a GUID derived from `seed`.
fn firewall_rule(
    target: &str,
    seed: &str,
    conditions: &[(&str, String)],
    name: &str,
    description: &str,
) -> Result<Record, EmitError> {
    let values = conditions.iter().map(|(_, value)| value.as_str());
    if let Some(bad) = values
        .chain([name, description])
        .find(|v| !is_rule_field(v))
    {
        return Err(render_failed(
            target,
            format!("refusing to write {bad:?} into a firewall rule"),
        ));
    }
    let conditions: String = conditions
        .iter()
        .map(|(field, value)| format!("{field}={value}|"))
        .collect();
    let rule = format!(
        "v2.30|Action=Block|Active=TRUE|Dir=Out|{conditions}Name=msgpol: {name}|Desc=msgpol: {description}|EmbedCtxt=msgpol|"
    );
    let id = format!("{{{}}}", ids::guid(seed));
    Ok(set(FIREWALL_RULES, &id, RegValue::Sz(rule)))
}

/// A firewall rule field value cannot hold the field separator `|` or control characters.
fn is_rule_field(value: &str) -> bool {
    !value.contains('|') && !value.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_firewall_rule_lists_its_conditions_and_refuses_a_field_separator() {
        let networks = [
            ("RA4", "10.0.0.0/8".into()),
            ("RA6", "2001:db8::/32".into()),
        ];
        let rule = firewall_rule("gpo", "seed", &networks, "block x", "x is banned").unwrap();
        assert_eq!(rule.key, FIREWALL_RULES);
        assert_eq!(
            rule.value,
            RegValue::Sz("v2.30|Action=Block|Active=TRUE|Dir=Out|RA4=10.0.0.0/8|RA6=2001:db8::/32|Name=msgpol: block x|Desc=msgpol: x is banned|EmbedCtxt=msgpol|".into())
        );
        let forged = [("App", r"C:\x.exe|Action=Allow".into())];
        assert!(firewall_rule("gpo", "seed", &forged, "block x program", "x").is_err());
    }
}
