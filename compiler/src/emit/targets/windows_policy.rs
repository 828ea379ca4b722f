//! The Windows policy settings msgpol manages, built once from the IR as registry records
//! (`preg::Record`, `**delvals.` directives included) and rendered by two targets: `gpo`
//! (binary Registry.pol) and `reg` (a regedit file). Every list key is cleared with
//! `**delvals.` before its values, so a rebuilt policy never leaves stale entries behind.

use super::endpoint::{self, Missing};
use super::ids;
use super::{browser, chrome, firefox};
use crate::emit::error::render_failed;
use crate::emit::preg::{Record, RegValue, DELETE_ALL_VALUES};
use crate::emit::EmitError;
use crate::ir::Ir;
use crate::syntax::ast::Enforcement;

const CHROME: &str = r"Software\Policies\Google\Chrome";
const EDGE: &str = r"Software\Policies\Microsoft\Edge";
const FIREFOX: &str = r"Software\Policies\Mozilla\Firefox";
const FIREWALL_RULES: &str = r"Software\Policies\Microsoft\WindowsFirewall\FirewallRules";

pub struct Settings {
    /// Machine (HKLM) settings, in the order they are applied.
    pub records: Vec<Record>,
    pub warnings: Vec<String>,
}

fn set(key: &str, name: &str, value: RegValue) -> Record {
    Record {
        key: key.to_string(),
        name: name.to_string(),
        value,
    }
}

/// A list policy: the key cleared, then values `1`, `2`, … in order.
fn list(records: &mut Vec<Record>, key: &str, entries: &[String]) {
    records.push(set(key, DELETE_ALL_VALUES, RegValue::Sz(" ".into())));
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
/// and one per `windows-path` of a channel of a tier that `block endpoint`, in the rule-string
/// grammar of [MS-GPFAS] 2.2.2.19 (`v2.30|Field=value|…|`).
fn firewall_rules(
    ir: &Ir,
    target: &str,
    records: &mut Vec<Record>,
    warnings: &mut Vec<String>,
) -> Result<(), EmitError> {
    records.push(set(
        FIREWALL_RULES,
        DELETE_ALL_VALUES,
        RegValue::Sz(" ".into()),
    ));
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
        let addresses: Vec<String> = networks
            .iter()
            .map(|n| format!("{}={n}", if n.v6 { "RA6" } else { "RA4" }))
            .collect();
        if let Some(bad) = [&channel.name, &tier.name]
            .into_iter()
            .find(|v| !is_rule_field(v))
        {
            return Err(render_failed(
                target,
                format!("refusing to write {bad:?} into a firewall rule"),
            ));
        }
        let rule = format!(
            "v2.30|Action=Block|Active=TRUE|Dir=Out|{}|Name=msgpol: block {name}|Desc=msgpol: {name} is banned by tier {tier}|EmbedCtxt=msgpol|",
            addresses.join("|"),
            name = channel.name,
            tier = tier.name,
        );
        let id = format!(
            "{{{}}}",
            ids::guid(&format!("msgpol firewall {}", channel.name))
        );
        records.push(set(FIREWALL_RULES, &id, RegValue::Sz(rule)));
    }
    without_networks.report(target, warnings);
    // Programs: the firewall matches a full path, so only `windows-path` can make a rule.
    let mut without_path = Missing::new(
        "`windows-path`",
        "no firewall rule blocks their programs (the firewall needs a full path; `applocker` blocks them by name)",
    );
    for channel in endpoint::blocked_by(ir, Enforcement::Endpoint) {
        let e = &channel.endpoints;
        if e.windows_path.is_empty() && !e.windows_exe.is_empty() {
            without_path.add(channel);
        }
        for path in &e.windows_path {
            if !is_rule_field(path) {
                return Err(render_failed(
                    target,
                    format!("refusing to write {path:?} into a firewall rule"),
                ));
            }
            let rule = format!(
                "v2.30|Action=Block|Active=TRUE|Dir=Out|App={path}|Name=msgpol: block {name} program|Desc=msgpol: {name} is banned on endpoints|EmbedCtxt=msgpol|",
                name = channel.name,
            );
            let id = format!(
                "{{{}}}",
                ids::guid(&format!("msgpol firewall {} {path}", channel.name))
            );
            records.push(set(FIREWALL_RULES, &id, RegValue::Sz(rule)));
        }
    }
    without_path.report(target, warnings);
    Ok(())
}

/// A firewall rule field value cannot hold the field separator `|` or control characters.
fn is_rule_field(value: &str) -> bool {
    !value.contains('|') && !value.chars().any(char::is_control)
}
