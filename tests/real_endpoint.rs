//! The endpoint targets checked by real programs: every `gpo` Registry.pol is parsed by Samba's
//! reader (`ndrdump`, Debian `samba-testsuite`, installed by .ci/run) and its entries compared
//! with what the policy asked for; the `reg` file says the same as the Registry.pol; every
//! AppLocker policy matches tests/schemas/applocker.xsd (`xmllint`, Debian `libxml2-utils`)
//! and denies exactly what the policy asked for, beside the default allow rules; every Santa
//! profile loads in Python's strict `plistlib` with the rules the policy asked for. The readers
//! that verify every build read these files as Samba and plistlib do: they answer every probe
//! as the lists, rules and static rules those programs found. The Conditional Access JSON and
//! the Teams script, which have no consumer here, are checked for their shape, their quoting,
//! and for stating only what the policy asks.

mod common;

use msgpol::diagnostics::Code;
use msgpol::emit::verify::{
    readers, Consumer, Effect, Identifier, NameIndex, Oracle, Question, Reading,
};
use msgpol::emit::OutputFile;
use msgpol::ir::Enforcement;
use msgpol::ir::Ir;
use msgpol::ir::Scope;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn policies() -> Vec<PathBuf> {
    let mut list = common::examples();
    list.push(common::root().join("tests/fixtures/ok/browser.msgpol"));
    list.push(common::root().join("tests/fixtures/ok/carve-out-scopes.msgpol"));
    list.push(common::root().join("tests/fixtures/ok/endpoint.msgpol"));
    list.push(nested_networks());
    list
}

/// Two blocked channels, one's networks inside the other's.
fn nested_networks() -> PathBuf {
    common::root().join("tests/fixtures/endpoint/nested-networks.msgpol")
}

/// Channels of tiers that `block endpoint`, in tier order.
fn endpoint_blocked(ir: &Ir) -> Vec<&msgpol::ir::ChannelInfo> {
    common::channels(ir, |t| t.block.contains(&Enforcement::Endpoint))
}

#[derive(Debug, PartialEq)]
struct Entry {
    key: String,
    name: String,
    /// `sz:…` or `dword:N`.
    data: String,
}

impl Entry {
    /// The data of a string value.
    fn sz(&self) -> String {
        self.data.strip_prefix("sz:").unwrap().to_string()
    }
}

/// The text between the first and the last `'` of an ndrdump field line.
fn quoted(line: &str) -> String {
    let start = line.find('\'').unwrap() + 1;
    let end = line.rfind('\'').unwrap();
    line[start..end].to_string()
}

/// Samba's reading of a Registry.pol: its entries, in file order.
fn ndrdump(path: &std::path::Path) -> Vec<Entry> {
    let text = common::ndrdump(path);
    let count: usize = text
        .lines()
        .find(|l| l.trim_start().starts_with("num_entries"))
        .and_then(|l| l.rsplit('(').next())
        .and_then(|n| n.trim_end_matches(')').parse().ok())
        .unwrap();
    let mut entries = Vec::new();
    let (mut key, mut name) = (String::new(), String::new());
    for line in text.lines().map(str::trim_start) {
        let field = line.split(':').next().unwrap_or("").trim();
        match field {
            "keyname" => key = quoted(line),
            "valuename" => name = quoted(line),
            "string" => entries.push(Entry {
                key: key.clone(),
                name: name.clone(),
                data: format!("sz:{}", quoted(line)),
            }),
            "value" => {
                let n = line.rsplit('(').next().unwrap().trim_end_matches(')');
                entries.push(Entry {
                    key: key.clone(),
                    name: name.clone(),
                    data: format!("dword:{n}"),
                })
            }
            _ => {}
        }
    }
    assert_eq!(entries.len(), count, "every entry read");
    entries
}

/// The values of a key, in order, after checking that `**delvals.` clears it first.
fn values<'e>(entries: &'e [Entry], key: &str) -> Vec<&'e Entry> {
    let of_key: Vec<&Entry> = entries.iter().filter(|e| e.key == key).collect();
    assert_eq!(
        of_key.first().map(|e| e.name.as_str()),
        Some("**delvals."),
        "{key}"
    );
    of_key[1..].to_vec()
}

/// The strings of a list key, in order, after checking that its values are numbered from 1.
fn list(entries: &[Entry], key: &str) -> Vec<String> {
    let values = values(entries, key);
    for (i, e) in values.iter().enumerate() {
        assert_eq!(e.name, (i + 1).to_string(), "{key}: values numbered from 1");
    }
    values.into_iter().map(Entry::sz).collect()
}

/// Chrome's lists (block, allow), written out again here from Chromium's URL-filter format: `x`
/// is x and its subdomains, `.x` exactly x and wins over `x` whichever list each is in, so the
/// subdomains of x alone are `x` in the rule's own list and `.x` in the other.
fn chrome(
    block: &[msgpol::ir::DomainRule],
    allow: &[msgpol::ir::DomainRule],
) -> (Vec<String>, Vec<String>) {
    let own = |rules: &[msgpol::ir::DomainRule]| -> Vec<String> {
        rules
            .iter()
            .map(|r| match r.scope {
                Scope::Exact => format!(".{}", r.name),
                Scope::Tree | Scope::Subdomains => r.name.to_string(),
            })
            .collect()
    };
    let other = |rules: &[msgpol::ir::DomainRule]| -> Vec<String> {
        rules
            .iter()
            .filter(|r| r.scope == Scope::Subdomains)
            .map(|r| format!(".{}", r.name))
            .collect()
    };
    (
        [own(block), other(allow)].concat(),
        [own(allow), other(block)].concat(),
    )
}

/// Firefox's lists (Block, Exceptions), written out again here from the match-pattern grammar
/// (`*.x` is x and its subdomains) and WebsiteFilter (an exception wins over every block, so
/// one for x narrows a blocked `*.x` to its subdomains).
fn firefox(
    block: &[msgpol::ir::DomainRule],
    allow: &[msgpol::ir::DomainRule],
) -> (Vec<String>, Vec<String>) {
    let patterns = |rules: &[msgpol::ir::DomainRule]| -> Vec<String> {
        rules
            .iter()
            .map(|r| match r.scope {
                Scope::Exact => format!("*://{}/*", r.name),
                Scope::Tree | Scope::Subdomains => format!("*://*.{}/*", r.name),
            })
            .collect()
    };
    let narrowing = block
        .iter()
        .filter(|r| r.scope == Scope::Subdomains)
        .map(|r| format!("*://{}/*", r.name));
    (
        patterns(block),
        patterns(allow).into_iter().chain(narrowing).collect(),
    )
}

/// A firewall rule string's fields, after checking the grammar `v<ver>|(<KEY>=<VALUE>|)+`.
fn rule_fields(rule: &str) -> Vec<(String, String)> {
    let body = rule.strip_prefix("v2.30|").expect("a version first");
    let body = body.strip_suffix('|').expect("ends with |");
    body.split('|')
        .map(|field| {
            let (k, v) = field.split_once('=').expect("KEY=VALUE");
            assert!(
                !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()),
                "{rule}"
            );
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn check_against_policy(ir: &Ir, entries: &[Entry]) {
    let e = &ir.enforcement;
    for base in [
        r"Software\Policies\Google\Chrome",
        r"Software\Policies\Microsoft\Edge",
    ] {
        let (block, allow) = chrome(&e.browser_block, &e.browser_allow);
        assert_eq!(list(entries, &format!(r"{base}\URLBlocklist")), block);
        assert_eq!(list(entries, &format!(r"{base}\URLAllowlist")), allow);
        assert!(entries.contains(&Entry {
            key: base.into(),
            name: "DnsOverHttpsMode".into(),
            data: "sz:off".into()
        }));
    }
    let ff = r"Software\Policies\Mozilla\Firefox";
    let (block, exceptions) = firefox(&e.browser_block, &e.browser_allow);
    assert_eq!(list(entries, &format!(r"{ff}\WebsiteFilter\Block")), block);
    assert_eq!(
        list(entries, &format!(r"{ff}\WebsiteFilter\Exceptions")),
        exceptions
    );
    // Firewall: one rule per channel, naming exactly that channel's networks.
    let expected: BTreeMap<String, Vec<String>> =
        common::channels(ir, |t| t.block.contains(&Enforcement::Firewall))
            .into_iter()
            .filter(|c| !c.endpoints.networks.is_empty())
            .map(|c| {
                let networks = c.endpoints.networks.iter().map(|n| n.to_string());
                (c.name.clone(), networks.collect())
            })
            .collect();
    let found = firewall_rules(entries);
    assert_eq!(found.networks_of, expected);
    let expected_programs: Vec<(String, String)> = endpoint_blocked(ir)
        .iter()
        .flat_map(|c| {
            c.endpoints
                .windows_path
                .iter()
                .map(|p| (c.name.clone(), p.clone()))
        })
        .collect();
    assert_eq!(found.programs, expected_programs);
}

/// The firewall rules of a Registry.pol.
struct FirewallRules {
    /// Each channel's networks.
    networks_of: BTreeMap<String, Vec<String>>,
    /// (channel, program path), in order.
    programs: Vec<(String, String)>,
}

fn firewall_rules(entries: &[Entry]) -> FirewallRules {
    let mut networks_of = BTreeMap::new();
    let mut programs = Vec::new();
    let key = r"Software\Policies\Microsoft\WindowsFirewall\FirewallRules";
    // The key is shared with other GPOs' rules: msgpol never clears it.
    assert!(
        !entries
            .iter()
            .any(|e| e.key == key && e.name.starts_with("**")),
        "no directive on the shared firewall key"
    );
    for rule in entries.iter().filter(|e| e.key == key).map(Entry::sz) {
        let fields = rule_fields(&rule);
        let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
        assert_eq!(get("Action"), Some("Block"));
        assert_eq!(get("Dir"), Some("Out"));
        let name = get("Name").unwrap().strip_prefix("msgpol: block ").unwrap();
        if let Some(app) = get("App") {
            let channel = name.strip_suffix(" program").unwrap();
            programs.push((channel.to_string(), app.to_string()));
            continue;
        }
        let networks = fields
            .iter()
            .filter(|(k, _)| k == "RA4" || k == "RA6")
            .map(|(_, v)| v.clone())
            .collect();
        assert!(networks_of.insert(name.to_string(), networks).is_none());
    }
    FirewallRules {
        networks_of,
        programs,
    }
}

/// The entries a .reg file sets, as the Registry.pol would hold them (a key deletion stands
/// for `**delvals.`).
fn reg_entries(bytes: &[u8]) -> Vec<Entry> {
    let units: Vec<u16> = bytes
        .strip_prefix(&[0xff, 0xfe])
        .expect("a UTF-16LE byte-order mark")
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    let mut lines = text.split("\r\n");
    assert_eq!(lines.next(), Some("Windows Registry Editor Version 5.00"));
    let hive = "HKEY_LOCAL_MACHINE\\";
    let mut entries = Vec::new();
    let mut key = String::new();
    for line in lines.filter(|l| !l.is_empty()) {
        if let Some(deleted) = line.strip_prefix("[-") {
            let k = deleted
                .strip_suffix(']')
                .unwrap()
                .strip_prefix(hive)
                .unwrap();
            entries.push(Entry {
                key: k.into(),
                name: "**delvals.".into(),
                data: "sz: ".into(),
            });
        } else if let Some(k) = line.strip_prefix('[') {
            key = k
                .strip_suffix(']')
                .unwrap()
                .strip_prefix(hive)
                .unwrap()
                .into();
        } else {
            let (name, data) = line.split_once("\"=").unwrap();
            let data = match data.strip_prefix("dword:") {
                Some(hex) => format!("dword:{}", u32::from_str_radix(hex, 16).unwrap()),
                None => format!(
                    "sz:{}",
                    data.trim_matches('"')
                        .replace("\\\"", "\"")
                        .replace("\\\\", "\\")
                ),
            };
            entries.push(Entry {
                key: key.clone(),
                name: name.trim_start_matches('"').into(),
                data,
            });
        }
    }
    entries
}

/// Every answer `reading` gives to the policy's probes: browser names, addresses, programs.
fn answers(reading: &dyn Reading, oracle: &Oracle) -> Vec<Option<Effect>> {
    let names = oracle.name_probes(Question::Browser);
    let mut out: Vec<Option<Effect>> = names.flat_map(|(n, _)| reading.name_and_child(n)).collect();
    out.extend(oracle.address_probes().map(|a| reading.address(a)));
    let programs = oracle.program_probes(Question::Endpoint);
    out.extend(programs.map(|(p, _)| reading.program(p)));
    out
}

/// The reading of the consumer called `name`.
fn consumer<'c>(consumers: &'c [Consumer], name: &str) -> &'c dyn Reading {
    let found = consumers.iter().find(|c| c.name == Some(name));
    found
        .unwrap_or_else(|| panic!("no {name}"))
        .reading
        .as_ref()
}

/// The answers of the only consumer of a file of the format `read` reads, at `path`.
fn answers_of(
    read: msgpol::emit::verify::Read,
    path: &str,
    contents: Vec<u8>,
    oracle: &Oracle,
) -> Vec<Option<Effect>> {
    let files = [OutputFile {
        path: path.into(),
        contents,
    }];
    let consumers = read(&files, oracle.names()).unwrap();
    answers(consumers[0].reading.as_ref(), oracle)
}

/// The gpo reader reads a Registry.pol as Samba does: its Chrome, Edge, Firefox and firewall
/// answer every probe as the lists and rules Samba found there do, written as the chrome,
/// firefox and windows-firewall formats and read by their readers (which tests/real_browser.rs
/// checks against the browsers).
fn check_reader_against_samba(ir: &Ir, entries: &[Entry], files: &[OutputFile]) {
    let oracle = Oracle::new(ir);
    let gpo = readers::gpo::read(files, NameIndex::empty()).unwrap();
    for (name, base) in [
        ("Chrome", r"Software\Policies\Google\Chrome"),
        ("Edge", r"Software\Policies\Microsoft\Edge"),
    ] {
        let json = serde_json::json!({
            "URLBlocklist": list(entries, &format!(r"{base}\URLBlocklist")),
            "URLAllowlist": list(entries, &format!(r"{base}\URLAllowlist")),
        });
        let samba = answers_of(
            readers::chrome::read,
            "msgpol.json",
            json.to_string().into_bytes(),
            &oracle,
        );
        assert_eq!(answers(consumer(&gpo, name), &oracle), samba, "{name}");
    }
    let ff = r"Software\Policies\Mozilla\Firefox\WebsiteFilter";
    let json = serde_json::json!({"policies": {"WebsiteFilter": {
        "Block": list(entries, &format!(r"{ff}\Block")),
        "Exceptions": list(entries, &format!(r"{ff}\Exceptions")),
    }}});
    let samba = answers_of(
        readers::firefox::read,
        "policies.json",
        json.to_string().into_bytes(),
        &oracle,
    );
    assert_eq!(
        answers(consumer(&gpo, "Firefox"), &oracle),
        samba,
        "Firefox"
    );
    let quote = |v: &str| format!("'{}'", v.replace('\'', "''"));
    let mut script = String::new();
    let key = r"Software\Policies\Microsoft\WindowsFirewall\FirewallRules";
    for rule in entries.iter().filter(|e| e.key == key).map(Entry::sz) {
        let fields = rule_fields(&rule);
        let ranges: Vec<String> = fields
            .iter()
            .filter(|(k, _)| k == "RA4" || k == "RA6")
            .map(|(_, v)| quote(v))
            .collect();
        script.push_str("New-NetFirewallRule -Direction Outbound -Action Block");
        if !ranges.is_empty() {
            script.push_str(&format!(" -RemoteAddress @({})", ranges.join(", ")));
        }
        if let Some((_, app)) = fields.iter().find(|(k, _)| k == "App") {
            script.push_str(&format!(" -Program {}", quote(app)));
        }
        script.push('\n');
    }
    let samba = answers_of(
        readers::windows_firewall::read,
        "msgpol-firewall.ps1",
        script.into_bytes(),
        &oracle,
    );
    assert_eq!(
        answers(consumer(&gpo, "the Windows Firewall"), &oracle),
        samba,
        "firewall"
    );
}

#[test]
fn samba_reads_every_registry_pol_as_the_policy_asked() {
    if !common::require_tool("ndrdump") {
        return;
    }
    for policy in policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, paths) = common::emit_target(&policy, "gpo", dir.path());
        let pol = paths.iter().find(|p| p.ends_with("Registry.pol")).unwrap();
        let entries = ndrdump(pol);
        check_against_policy(&ir, &entries);
        let files = msgpol::emit::find_target("gpo")
            .unwrap()
            .emit(&ir)
            .unwrap()
            .files;
        check_reader_against_samba(&ir, &entries, &files);

        let reg_dir = tempfile::tempdir().unwrap();
        let (_, reg) = common::emit_target(&policy, "reg", reg_dir.path());
        let from_reg = reg_entries(&std::fs::read(&reg[0]).unwrap());
        assert_eq!(from_reg, entries, "{policy:?}: reg and gpo say the same");
        // And the reg reader reads the same there.
        let oracle = Oracle::new(&ir);
        let reg_files = msgpol::emit::find_target("reg")
            .unwrap()
            .emit(&ir)
            .unwrap()
            .files;
        let (gpo, reg) = (
            readers::gpo::read(&files, NameIndex::empty()).unwrap(),
            readers::reg::read(&reg_files, NameIndex::empty()).unwrap(),
        );
        for (g, r) in gpo.iter().zip(&reg) {
            assert_eq!(g.name, r.name);
            assert_eq!(
                answers(g.reading.as_ref(), &oracle),
                answers(r.reading.as_ref(), &oracle)
            );
        }
    }
}

/// A registry as deploying a file leaves it: (key, value name) → data.
type Registry = BTreeMap<(String, String), String>;

/// Apply Registry.pol entries as the Group Policy registry extension does: `**delvals.`
/// deletes every value of its key, `**del.NAME` one value, anything else sets a value.
fn apply_pol(registry: &mut Registry, entries: &[Entry]) {
    for e in entries {
        if e.name == "**delvals." {
            registry.retain(|(key, _), _| *key != e.key);
        } else if let Some(name) = e.name.strip_prefix("**del.") {
            registry.remove(&(e.key.clone(), name.to_string()));
        } else {
            registry.insert((e.key.clone(), e.name.clone()), e.data.clone());
        }
    }
}

/// Apply a .reg file as regedit does: `[-KEY]` deletes the key with all its values and
/// subkeys, `"NAME"=-` deletes one value, `"NAME"=data` sets one.
fn apply_reg(registry: &mut Registry, bytes: &[u8]) {
    let units: Vec<u16> = bytes[2..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    let hive = "HKEY_LOCAL_MACHINE\\";
    let mut key = String::new();
    for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
        if let Some(deleted) = line.strip_prefix("[-") {
            let deleted = deleted
                .strip_suffix(']')
                .unwrap()
                .strip_prefix(hive)
                .unwrap();
            let below = format!("{deleted}\\");
            registry.retain(|(k, _), _| k != deleted && !k.starts_with(&below));
        } else if let Some(k) = line.strip_prefix('[') {
            key = k
                .strip_suffix(']')
                .unwrap()
                .strip_prefix(hive)
                .unwrap()
                .into();
        } else {
            let (name, data) = line.split_once("\"=").unwrap();
            let id = (key.clone(), name.trim_start_matches('"').to_string());
            if data == "-" {
                registry.remove(&id);
            } else {
                registry.insert(id, data.to_string());
            }
        }
    }
}

/// Deploying the `gpo` or `reg` output onto a machine that already holds another team's
/// firewall rules (another GPO's, under the same shared key) and another product's policies
/// keeps them: msgpol replaces only the values it writes and the list keys it owns.
#[test]
fn deploying_gpo_or_reg_keeps_settings_msgpol_does_not_own() {
    if !common::require_tool("ndrdump") {
        return;
    }
    let firewall = r"Software\Policies\Microsoft\WindowsFirewall\FirewallRules";
    let others: Vec<((String, String), String)> = vec![
        (
            (
                firewall.into(),
                "{11111111-2222-3333-4444-555555555555}".into(),
            ),
            "sz:v2.30|Action=Block|Active=TRUE|Dir=In|LPort=23|Name=telnet in|".into(),
        ),
        (
            (
                r"Software\Policies\Microsoft\WindowsFirewall\DomainProfile".into(),
                "EnableFirewall".into(),
            ),
            "dword:1".into(),
        ),
        (
            (
                r"Software\Policies\Google\Chrome".into(),
                "HomepageLocation".into(),
            ),
            "sz:https://intranet.example".into(),
        ),
    ];
    for policy in policies() {
        let dir = tempfile::tempdir().unwrap();
        let (_, paths) = common::emit_target(&policy, "gpo", dir.path());
        let pol = paths.iter().find(|p| p.ends_with("Registry.pol")).unwrap();
        let mut by_gpo: Registry = others.iter().cloned().collect();
        apply_pol(&mut by_gpo, &ndrdump(pol));
        let (_, reg) = common::emit_target(&policy, "reg", dir.path());
        let mut by_reg: Registry = others.iter().cloned().collect();
        apply_reg(&mut by_reg, &std::fs::read(&reg[0]).unwrap());
        for (id, data) in &others {
            assert_eq!(
                by_gpo.get(id),
                Some(data),
                "{policy:?}: the gpo removed {id:?}"
            );
            assert!(
                by_reg.contains_key(id),
                "{policy:?}: the .reg file removed {id:?}"
            );
        }
    }
}

/// The firewall merges the networks of all blocked channels; a channel's rule must still name
/// its own networks, or it would block the rest of the wider network for that channel.
#[test]
fn a_network_inside_another_channels_keeps_its_own_rule() {
    if !common::require_tool("ndrdump") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, paths) = common::emit_target(&nested_networks(), "gpo", dir.path());
    let pol = paths.iter().find(|p| p.ends_with("Registry.pol")).unwrap();
    let networks_of = firewall_rules(&ndrdump(pol)).networks_of;
    assert_eq!(networks_of["inner"], ["10.1.0.0/16", "2001:db8:1::/48"]);
    assert_eq!(networks_of["outer"], ["10.0.0.0/8", "2001:db8::/32"]);
}

#[test]
fn gpt_ini_version_follows_the_content() {
    let read = |policy: &str| {
        let dir = tempfile::tempdir().unwrap();
        let (_, paths) = common::emit_target(&common::root().join(policy), "gpo", dir.path());
        std::fs::read_to_string(&paths[0]).unwrap()
    };
    let large = read("examples/large-enterprise.msgpol");
    assert!(large.starts_with("[General]\r\nVersion="), "{large}");
    assert_eq!(large, read("examples/large-enterprise.msgpol"));
    assert_ne!(large, read("tests/fixtures/ok/browser.msgpol"));
}

/// Every rule of an AppLocker policy as Python's XML parser reads it:
/// (collection, mode, action, sid, condition value).
fn applocker_rules(path: &std::path::Path) -> Vec<(String, String, String, String, String)> {
    let script = r#"
import json, sys, xml.etree.ElementTree as ET
out = []
for c in ET.parse(sys.argv[1]).getroot():
    for rule in c:
        cond = rule.find("Conditions")[0]
        value = cond.get("Path") or "publisher:%s|%s|%s" % (cond.get("PublisherName"), cond.get("ProductName"), cond.get("BinaryName"))
        out.append([c.get("Type"), c.get("EnforcementMode"), rule.get("Action"), rule.get("UserOrGroupSid"), value])
print(json.dumps(out))
"#;
    let (ok, text) = common::run(Command::new("python3").args(["-c", script]).arg(path));
    assert!(ok, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// The deny rules the policy asks for, written out again from the target's documentation.
fn expected_denies(channels: &[&msgpol::ir::ChannelInfo]) -> Vec<String> {
    let mut out = Vec::new();
    for c in channels {
        let e = &c.endpoints;
        if e.windows_publisher.is_empty() {
            out.extend(e.windows_exe.iter().map(|x| format!(r"*\{x}")));
        } else {
            out.extend(
                e.windows_publisher
                    .iter()
                    .map(|p| format!("publisher:{p}|*|*")),
            );
        }
        for family in &e.windows_store {
            let name = family.rsplit_once('_').unwrap().0;
            out.push(format!("publisher:*|{name}|*"));
        }
    }
    out.sort();
    out
}

#[test]
fn applocker_policies_match_the_schema_and_the_policy() {
    if !common::require_tool("xmllint") || !common::require_tool("python3") {
        return;
    }
    let schema = common::root().join("tests/schemas/applocker.xsd");
    for policy in policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, paths) = common::emit_target(&policy, "applocker", dir.path());
        for path in &paths {
            let (ok, text) = common::run(
                Command::new("xmllint")
                    .args(["--noout", "--schema"])
                    .arg(&schema)
                    .arg(path),
            );
            assert!(ok, "{path:?} does not match the schema:\n{text}");
        }
        let blocked = endpoint_blocked(&ir);
        let monitored = common::channels(&ir, |t| t.monitor);
        let mut files = vec![("msgpol.xml", "Enabled", blocked)];
        if !monitored.is_empty() {
            files.push(("msgpol-audit.xml", "AuditOnly", monitored));
        }
        assert_eq!(paths.len(), files.len());
        for (file, mode, channels) in files {
            let rules = applocker_rules(&dir.path().join(file));
            let mut denies: Vec<String> = rules
                .iter()
                .filter(|r| r.2 == "Deny")
                .map(|r| r.4.clone())
                .collect();
            denies.sort();
            assert_eq!(denies, expected_denies(&channels), "{policy:?} {file}");
            for collection in ["Exe", "Appx"] {
                let of: Vec<_> = rules.iter().filter(|r| r.0 == collection).collect();
                if of.is_empty() {
                    continue;
                }
                assert!(
                    of.iter().all(|r| r.1 == mode),
                    "{file}: {collection} in {mode}"
                );
                // The default allow rules: never a deny-only collection.
                let allows = |sid: &str, value: &str| {
                    of.iter()
                        .any(|r| r.2 == "Allow" && r.3 == sid && r.4 == value)
                };
                if collection == "Exe" {
                    assert!(allows("S-1-1-0", r"%PROGRAMFILES%\*"));
                    assert!(allows("S-1-1-0", r"%WINDIR%\*"));
                    assert!(allows("S-1-5-32-544", "*"));
                } else {
                    assert!(allows("S-1-1-0", "publisher:*|*|*"));
                }
            }
        }
    }
}

/// Python's strict plistlib reading of a profile: (payload types, all PayloadUUIDs, each
/// payload's rules as `TYPE:identifier:policy`).
fn plist(path: &std::path::Path) -> serde_json::Value {
    let script = r#"
import json, plistlib, sys
with open(sys.argv[1], "rb") as f:
    p = plistlib.load(f, fmt=plistlib.FMT_XML)
payloads = p["PayloadContent"]
print(json.dumps({
    "type": p["PayloadType"],
    "uuids": [p["PayloadUUID"]] + [x["PayloadUUID"] for x in payloads],
    "domains": [x["PayloadType"] for x in payloads],
    "rules": [["%s:%s:%s" % (r["rule_type"], r["identifier"], r["policy"]) for r in x["StaticRules"]] for x in payloads],
}))
"#;
    let (ok, text) = common::run(Command::new("python3").args(["-c", script]).arg(path));
    assert!(ok, "plistlib refused {path:?}:\n{text}");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn santa_profiles_load_in_plistlib_with_the_rules_the_policy_asked_for() {
    if !common::require_tool("python3") {
        return;
    }
    for policy in policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, paths) = common::emit_target(&policy, "santa", dir.path());
        let read = plist(&paths[0]);
        assert_eq!(read["type"], "Configuration");
        assert_eq!(
            read["domains"],
            serde_json::json!(["com.northpolesec.santa", "com.google.santa"])
        );
        let uuids: Vec<&str> = read["uuids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap())
            .collect();
        let distinct: std::collections::BTreeSet<_> = uuids.iter().collect();
        assert_eq!(distinct.len(), uuids.len(), "PayloadUUIDs are distinct");
        assert!(uuids
            .iter()
            .all(|u| u.len() == 36 && u.split('-').count() == 5));

        let mut expected = Vec::new();
        for c in endpoint_blocked(&ir) {
            let e = &c.endpoints;
            if e.macos_signing_id.is_empty() {
                expected.extend(e.macos_team.iter().map(|t| format!("TEAMID:{t}:BLOCKLIST")));
            } else {
                expected.extend(
                    e.macos_signing_id
                        .iter()
                        .map(|s| format!("SIGNINGID:{s}:BLOCKLIST")),
                );
            }
        }
        for rules in read["rules"].as_array().unwrap() {
            assert_eq!(rules, &serde_json::json!(expected), "{policy:?}");
        }
        // The santa reader reads, for each Santa, the rules plistlib found: a program is
        // blocked when a BLOCKLIST rule names its team or its signing id.
        let files = msgpol::emit::find_target("santa")
            .unwrap()
            .emit(&ir)
            .unwrap()
            .files;
        let santas = readers::santa::read(&files, NameIndex::empty()).unwrap();
        let oracle = Oracle::new(&ir);
        for (domain, rules) in read["domains"]
            .as_array()
            .unwrap()
            .iter()
            .zip(read["rules"].as_array().unwrap())
        {
            let rules: Vec<&str> = rules
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            let santa = consumer(&santas, domain.as_str().unwrap());
            for (program, _) in oracle.program_probes(Question::Endpoint) {
                let macos = matches!(
                    program.kind,
                    Identifier::MacosTeam | Identifier::MacosSigningId | Identifier::MacosBundle
                );
                let named = program
                    .teams
                    .iter()
                    .map(|t| format!("TEAMID:{t}:BLOCKLIST"))
                    .chain(
                        program
                            .signing_ids
                            .iter()
                            .map(|s| format!("SIGNINGID:{s}:BLOCKLIST")),
                    )
                    .any(|rule| rules.contains(&rule.as_str()));
                let expected = if macos && named {
                    Effect::Blocked
                } else {
                    Effect::Allowed
                };
                assert_eq!(
                    santa.program(program),
                    Some(expected),
                    "{domain} {}",
                    program.identifier
                );
            }
        }
        // Never a team id an allowed channel shares.
        let allowed_teams: Vec<&String> =
            common::channels(&ir, |t| t.kind != msgpol::ir::TierKind::Banned)
                .into_iter()
                .flat_map(|c| &c.endpoints.macos_team)
                .collect();
        for team in allowed_teams {
            assert!(
                !expected.contains(&format!("TEAMID:{team}:BLOCKLIST")),
                "{team}"
            );
        }
    }
}

/// The policy text with XML's markup characters, written into a temporary directory by
/// `target`: the IR of tests/fixtures/ok/endpoint.msgpol (whose labels and publisher already
/// hold them) with such an organisation and title too.
fn emit_with_markup(target: &str, dir: &std::path::Path) -> (Ir, Vec<PathBuf>) {
    let mut ir = common::ir(&common::root().join("tests/fixtures/ok/endpoint.msgpol"));
    ir.policy.organisation = r#"R&D <Ltd> "North" 'South' ]]>"#.into();
    ir.policy.title = "A&B's <policy> -- \"draft\"".into();
    let paths = common::write_target(&ir, target, dir);
    (ir, paths)
}

/// Labels and publishers reach AppLocker's XML reader as the policy wrote them.
#[test]
fn applocker_rules_carry_labels_with_markup_as_written() {
    if !common::require_tool("python3") || !common::require_tool("xmllint") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (ir, paths) = emit_with_markup("applocker", dir.path());
    let script = r#"
import json, sys, xml.etree.ElementTree as ET
print(json.dumps([[r.get("Action"), r.get("Name"), r.get("Description")]
                  for c in ET.parse(sys.argv[1]).getroot() for r in c]))
"#;
    for path in &paths {
        let (ok, text) = common::run(
            Command::new("xmllint")
                .args(["--noout", "--schema"])
                .arg(common::root().join("tests/schemas/applocker.xsd"))
                .arg(path),
        );
        assert!(ok, "{path:?} does not match the schema:\n{text}");
    }
    let (ok, text) = common::run(Command::new("python3").args(["-c", script]).arg(&paths[0]));
    assert!(ok, "{text}");
    let rules: Vec<[String; 3]> = serde_json::from_str(&text).unwrap();
    let chatty = ir.channel("chatty").unwrap();
    assert!(chatty.label.contains(['<', '&', '"']), "{}", chatty.label);
    let publisher = &chatty.endpoints.windows_publisher[0];
    assert!(publisher.contains(['&', '\'']), "{publisher}");
    assert!(rules.contains(&[
        "Deny".to_string(),
        format!("msgpol: {} ({publisher})", chatty.label),
        "blocked by msgpol: channel chatty".to_string(),
    ]));
}

/// Labels, the organisation and the title reach Python's plistlib as the policy wrote them;
/// the block dialog's message, which Santa shows as HTML, holds them as HTML text (no tag, no
/// link can come from a label).
#[test]
fn santa_profiles_carry_policy_text_with_markup_as_written() {
    if !common::require_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (ir, paths) = emit_with_markup("santa", dir.path());
    let script = r#"
import html, json, plistlib, sys
with open(sys.argv[1], "rb") as f:
    p = plistlib.load(f, fmt=plistlib.FMT_XML)
messages = [r["custom_msg"] for x in p["PayloadContent"] for r in x["StaticRules"]]
print(json.dumps({
    "organisation": p["PayloadOrganization"],
    "name": p["PayloadDisplayName"],
    "messages": [html.unescape(m) for m in messages],
    "tags": [m for m in messages if "<" in m or ">" in m],
}))
"#;
    let (ok, text) = common::run(Command::new("python3").args(["-c", script]).arg(&paths[0]));
    assert!(ok, "plistlib refused the profile:\n{text}");
    let read: serde_json::Value = serde_json::from_str(&text).unwrap();
    let org = &ir.policy.organisation;
    assert_eq!(read["organisation"], *org);
    assert_eq!(
        read["name"],
        format!("{}: banned programs", ir.policy.title)
    );
    let chatty = &ir.channel("chatty").unwrap().label;
    assert!(read["messages"]
        .as_array()
        .unwrap()
        .contains(&format!("{chatty} is banned by {org}.").into()));
    assert_eq!(
        read["tags"],
        serde_json::json!([]),
        "markup in a block message"
    );
}

/// Conditional Access (no tenant here): the file matches tests/schemas/conditional-access.schema.json
/// (PyPI jsonschema, installed by .ci/run), one policy per allowed tier whose
/// `requires` names mfa or managed-device and which has Entra apps, the grant controls exactly
/// what the tier requires, and report-only state.
#[test]
fn conditional_access_policies_state_only_what_the_tiers_require() {
    use msgpol::ir::Requirement;
    for policy in policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, paths) = common::emit_target(&policy, "conditional-access", dir.path());
        if common::require_python_module("jsonschema", "jsonschema") {
            let script = "import json, sys, jsonschema\nschema = json.load(open(sys.argv[1]))\njsonschema.Draft202012Validator.check_schema(schema)\njsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft202012Validator)";
            let (ok, text) = common::run(
                Command::new("python3")
                    .args(["-c", script])
                    .arg(common::root().join("tests/schemas/conditional-access.schema.json"))
                    .arg(&paths[0]),
            );
            assert!(ok, "{policy:?} does not match the schema:\n{text}");
        }
        let written: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(&paths[0]).unwrap()).unwrap();
        let mut expected = Vec::new();
        for tier in ir
            .tiers
            .iter()
            .filter(|t| t.kind != msgpol::ir::TierKind::Banned)
        {
            let mut controls: Vec<&str> = Vec::new();
            if tier.requires.contains(&Requirement::Mfa) {
                controls.push("mfa");
            }
            if tier.requires.contains(&Requirement::ManagedDevice) {
                controls.push("compliantDevice");
            }
            let apps: std::collections::BTreeSet<&str> = tier
                .channels
                .iter()
                .flat_map(|c| &ir.channel(&c.value).unwrap().endpoints.entra_app)
                .map(String::as_str)
                .collect();
            if !controls.is_empty() && !apps.is_empty() {
                controls.sort();
                expected.push((tier.name.clone(), apps, controls));
            }
        }
        assert_eq!(written.len(), expected.len(), "{policy:?}");
        for (p, (tier, apps, controls)) in written.iter().zip(&expected) {
            let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                ["conditions", "displayName", "grantControls", "state"],
                "only these top-level fields"
            );
            assert_eq!(p["state"], "enabledForReportingButNotEnforced");
            assert!(p["displayName"]
                .as_str()
                .unwrap()
                .ends_with(&format!("({tier})")));
            assert_eq!(
                p["conditions"]["users"]["includeUsers"],
                serde_json::json!(["All"])
            );
            assert_eq!(
                p["conditions"]["clientAppTypes"],
                serde_json::json!(["all"])
            );
            let got: std::collections::BTreeSet<&str> = p["conditions"]["applications"]
                ["includeApplications"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            assert_eq!(&got, apps);
            assert_eq!(p["grantControls"]["operator"], "AND");
            let mut got: Vec<&str> = p["grantControls"]["builtInControls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            got.sort();
            assert_eq!(&got, controls);
        }
    }
}

/// The Teams script (no PowerShell here): every line is a comment, the fixed preamble, a
/// `Write-Host` with one single-quoted literal (quotes doubled, so a label cannot end it), or
/// the command of a setting a `harden` block of a Teams channel asks for, each once.
#[test]
fn teams_script_runs_only_what_harden_asks_and_quotes_labels() {
    let commands = [
        ("consumer-accounts", "Set-CsTenantFederationConfiguration -AllowTeamsConsumer $false -AllowTeamsConsumerInbound $false"),
        ("third-party-storage", "Set-CsTeamsClientConfiguration -Identity Global -AllowDropBox $false -AllowBox $false -AllowGoogleDrive $false -AllowShareFile $false -AllowEgnyte $false"),
        ("email-into-channel", "Set-CsTeamsClientConfiguration -Identity Global -AllowEmailIntoChannel $false"),
    ];
    for policy in policies() {
        let dir = tempfile::tempdir().unwrap();
        let (ir, paths) = common::emit_target(&policy, "teams", dir.path());
        let bytes = std::fs::read(&paths[0]).unwrap();
        // Windows PowerShell 5.1 reads a script without a byte-order mark as ANSI.
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "{policy:?}");
        let script = common::output_text(&bytes);
        let mut asked: Vec<String> = Vec::new();
        for h in &ir.hardening {
            let c = ir.channel(&h.channel).unwrap();
            if c.name == "teams" || c.inherits.iter().any(|p| p == "teams") {
                for s in &h.disable {
                    let s = serde_json::to_value(s)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string();
                    if !asked.contains(&s) {
                        asked.push(s);
                    }
                }
            }
        }
        let mut ran = Vec::new();
        for line in script.lines() {
            if line.is_empty() || line.starts_with('#') || line == "$ErrorActionPreference = 'Stop'"
            {
                continue;
            }
            if let Some(literal) = line.strip_prefix("Write-Host ") {
                let inner = literal
                    .strip_prefix('\'')
                    .and_then(|l| l.strip_suffix('\''))
                    .expect("one single-quoted literal");
                assert!(
                    !inner.replace("''", "").contains('\''),
                    "an undoubled quote would end the literal: {line}"
                );
                continue;
            }
            let (setting, _) = commands
                .iter()
                .find(|(_, cmd)| *cmd == line)
                .unwrap_or_else(|| panic!("unexpected line in the Teams script: {line}"));
            ran.push(setting.to_string());
        }
        assert_eq!(ran, asked, "{policy:?}");
    }
}

/// A channel lacking what a target needs is reported by that target, naming the channel and
/// the missing field; it is never dropped silently.
#[test]
fn missing_identifiers_are_reported_naming_channel_and_field() {
    let ir = common::ir(&common::root().join("tests/fixtures/ok/endpoint.msgpol"));
    let warnings = |target: &str| {
        msgpol::emit::find_target(target)
            .unwrap()
            .emit(&ir)
            .unwrap()
            .warnings
    };
    // One warning per target and missing field, naming every channel that lacks it.
    let has = |target: &str, channel: &str, field: &str| {
        warnings(target).iter().any(|w| {
            let (named, rest) = w.message().split_once(" no ").unwrap();
            w.code() == Code::W309
                && named.starts_with(&format!("`{target}`: channel"))
                && named.contains(&format!("`{channel}`"))
                && rest.contains(field)
        })
    };
    assert!(has(
        "applocker",
        "bare",
        "`windows-exe`, `windows-publisher` or `windows-store`"
    ));
    assert!(!has("applocker", "chatty", "`windows-exe`"));
    assert!(has("santa", "bare", "`macos-team` or `macos-signing-id`"));
    assert!(has("santa", "plain", "`macos-bundle` alone"));
    assert!(!has("santa", "oldchat", "`macos-team`"));
    for target in ["gpo", "reg"] {
        assert!(has(target, "bare", "`networks`"));
        assert!(has(target, "plain", "`windows-path`"));
        assert!(!has(target, "chatty", "`networks`"));
    }
    // The script writes program rules too, so it warns like gpo and reg.
    assert!(has("windows-firewall", "plain", "`windows-path`"));
    assert!(!has("windows-firewall", "chatty", "`windows-path`"));
    assert!(has("conditional-access", "suite", "`entra-app`"));
    assert!(warnings("teams")
        .iter()
        .any(|w| w.code() == Code::W311 && w.message().contains("`harden suite`")));
}

/// The build notes say endpoint rules stop a channel that gets around DNS only when the
/// channel has a program identifier for them to block; a channel nothing stops is a warning.
#[test]
fn dns_bypass_notes_claim_endpoint_rules_only_for_channels_with_identifiers() {
    let ir = common::ir(&common::root().join("tests/fixtures/endpoint/dns-bypass.msgpol"));
    let (notes, warnings) = msgpol::emit::dns_bypass(&ir);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("`tracked`") && notes[0].contains("endpoint rules block the app itself")
    );
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].code(), Code::W312);
    assert!(warnings[0].message().contains("`sneaky`"));
}
