//! What the `gpo` and `reg` targets' files leave in the machine's registry, and what the
//! programs that read policies there make of it: Chrome and Edge, Firefox, and the Windows
//! Firewall. Each file format fills a `Registry`; the consumers are read from it the same way.
//!
//! - Chrome and Edge read a list policy (`…\URLBlocklist`) from its key's values whose names
//!   are numbers, "non-numerical keys are ignored" (Chromium's registry_dict.cc), and match
//!   them as `chrome` does.
//! - Firefox reads a key as a list when its first value is named `1`, and then takes all its
//!   values in order (WindowsGPOParser.sys.mjs, `registryToObject`); otherwise as an object,
//!   which `WebsiteFilter`'s schema refuses. Its lists are matched as `firefox` does.
//! - The Windows Firewall reads one rule per value of `…\WindowsFirewall\FirewallRules`, a
//!   rule string `v2.30|Field=value|…|` ([MS-GPFAS] 2.2.2.19): `Action`, `Active`, `Dir`,
//!   remote addresses `RA4`/`RA6` (any number), the program `App`, and `Name`, `Desc`,
//!   `EmbedCtxt`, which change nothing. A rule with any other field is not one this reader
//!   judges.

use super::chrome::UrlFilters;
use super::firefox::WebsiteFilter;
use super::windows_firewall::FirewallRules;
use super::Cidr;
use crate::emit::verify::{Consumer, Question};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::BTreeMap;

/// A registry value, as far as the policies read here care.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// REG_SZ or REG_EXPAND_SZ.
    Text(String),
    Other,
}

/// Keys and their values, as applying the files leaves them: key paths and value names
/// without regard to case, each key's values in the order they were first set.
#[derive(Default)]
pub struct Registry {
    keys: BTreeMap<String, Values>,
}

/// One key's values in order, and where each is by its name in ASCII lowercase (a key of
/// thousands of firewall rules is not searched for each one set).
#[derive(Default)]
struct Values {
    list: Vec<(String, Value)>,
    by_name: FxHashMap<String, usize>,
}

impl Values {
    fn set(&mut self, name: &str, value: Value, only_new: bool) {
        let at = self.list.len();
        match self.by_name.entry(name.to_ascii_lowercase()) {
            Entry::Occupied(_) if only_new => {}
            Entry::Occupied(found) => self.list[*found.get()].1 = value,
            Entry::Vacant(new) => {
                new.insert(at);
                self.list.push((name.to_string(), value));
            }
        }
    }

    fn delete(&mut self, name: &str) {
        if self.by_name.remove(&name.to_ascii_lowercase()).is_some() {
            self.list.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            self.by_name = (self.list.iter().enumerate())
                .map(|(at, (n, _))| (n.to_ascii_lowercase(), at))
                .collect();
        }
    }
}

impl Registry {
    fn key(&mut self, key: &str) -> &mut Values {
        self.keys.entry(key.to_lowercase()).or_default()
    }

    /// The key exists, with the values it has.
    pub fn create(&mut self, key: &str) {
        self.key(key);
    }

    /// Sets a value; `only_new`: unless the key already has one of that name.
    pub fn set(&mut self, key: &str, name: &str, value: Value, only_new: bool) {
        self.key(key).set(name, value, only_new);
    }

    pub fn delete_value(&mut self, key: &str, name: &str) {
        self.key(key).delete(name);
    }

    pub fn delete_values(&mut self, key: &str) {
        *self.key(key) = Values::default();
    }

    /// Deletes the key and every key under it.
    pub fn delete_key(&mut self, key: &str) {
        let key = key.to_lowercase();
        let below = format!("{key}\\");
        self.keys.retain(|k, _| *k != key && !k.starts_with(&below));
    }

    fn values(&self, key: &str) -> &[(String, Value)] {
        self.keys
            .get(&key.to_lowercase())
            .map_or(&[], |values| values.list.as_slice())
    }

    /// The text values of `key`, in order, for a list policy: `counts` says which values
    /// (by name) are entries.
    fn texts(
        &self,
        key: &str,
        counts: impl Fn(&str) -> bool,
    ) -> Result<Vec<Cow<'static, str>>, String> {
        self.values(key)
            .iter()
            .filter(|(name, _)| counts(name))
            .map(|(name, value)| match value {
                Value::Text(text) => Ok(Cow::Owned(text.clone())),
                Value::Other => Err(format!("`{key}\\{name}` is not a string")),
            })
            .collect()
    }
}

const CHROME: &str = r"Software\Policies\Google\Chrome";
const EDGE: &str = r"Software\Policies\Microsoft\Edge";
const FIREFOX: &str = r"Software\Policies\Mozilla\Firefox\WebsiteFilter";
const FIREWALL_RULES: &str = r"Software\Policies\Microsoft\WindowsFirewall\FirewallRules";

/// A Chromium browser's URL lists under `base`.
fn chromium(registry: &Registry, base: &str) -> Result<UrlFilters<'static>, String> {
    let numbered = |name: &str| !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit());
    let mut filters = UrlFilters::default();
    for (list, allow) in [("URLBlocklist", false), ("URLAllowlist", true)] {
        filters.add_list(registry.texts(&format!(r"{base}\{list}"), numbered)?, allow)?;
    }
    Ok(filters)
}

/// Firefox's list under `key`, or an error if Firefox would not read it as one.
fn firefox_list(registry: &Registry, key: &str) -> Result<Vec<Cow<'static, str>>, String> {
    let values = registry.values(key);
    if values.first().is_some_and(|(name, _)| name != "1") {
        return Err(format!(
            "Firefox does not read `{key}` as a list: its first value is not named 1"
        ));
    }
    registry.texts(key, |_| true)
}

/// The firewall rules of the policy key, as the firewall applies them.
fn firewall(registry: &Registry) -> Result<FirewallRules, String> {
    let mut rules = FirewallRules::default();
    for (id, value) in registry.values(FIREWALL_RULES) {
        let Value::Text(rule) = value else {
            return Err(format!("the firewall rule `{id}` is not a string"));
        };
        rule_string(&mut rules, rule).map_err(|why| format!("the firewall rule `{id}`: {why}"))?;
    }
    Ok(rules)
}

/// One rule string, `v2.30|Action=Block|Active=TRUE|Dir=Out|RA4=…|App=…|`.
fn rule_string(rules: &mut FirewallRules, rule: &str) -> Result<(), String> {
    let mut fields = rule.split('|');
    let version = fields.next().unwrap_or_default();
    if !version.starts_with('v') || !rule.ends_with('|') {
        return Err(format!("`{rule}` is not a rule string"));
    }
    let (mut block, mut active, mut outbound) = (false, false, false);
    let mut ranges = Vec::new();
    let mut program = None;
    for field in fields.filter(|f| !f.is_empty()) {
        let (key, value) = field
            .split_once('=')
            .ok_or_else(|| format!("`{field}` is not `Field=value`"))?;
        match key {
            "Action" => block = value == "Block",
            "Active" => active = value == "TRUE",
            "Dir" => outbound = value == "Out",
            "RA4" | "RA6" => ranges.push(Cidr::parse(value)?),
            "App" => program = Some(value),
            "Name" | "Desc" | "EmbedCtxt" => {}
            other => {
                return Err(format!(
                    "`{other}` is a condition this reader does not judge"
                ))
            }
        }
    }
    if block && active && outbound {
        rules.block(ranges, program);
    }
    Ok(())
}

/// The programs that read what `registry` holds: Chrome, Edge, Firefox and the firewall.
pub fn consumers(registry: &Registry) -> Result<Vec<Consumer<'static>>, String> {
    let firefox = WebsiteFilter::new(
        firefox_list(registry, &format!(r"{FIREFOX}\Block"))?,
        firefox_list(registry, &format!(r"{FIREFOX}\Exceptions"))?,
    )?;
    Ok(vec![
        Consumer {
            name: Some("Chrome"),
            questions: &[Question::Browser],
            reading: Box::new(chromium(registry, CHROME)?),
        },
        Consumer {
            name: Some("Edge"),
            questions: &[Question::Browser],
            reading: Box::new(chromium(registry, EDGE)?),
        },
        Consumer {
            name: Some("Firefox"),
            questions: &[Question::Browser],
            reading: Box::new(firefox),
        },
        Consumer {
            name: Some("the Windows Firewall"),
            questions: &[Question::Firewall, Question::Endpoint],
            reading: Box::new(firewall(registry)?),
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::verify::{Effect, Reading};

    fn text(value: &str) -> Value {
        Value::Text(value.to_string())
    }

    #[test]
    fn keys_and_names_ignore_case_and_deleting_a_key_deletes_those_below() {
        let mut r = Registry::default();
        r.set(r"A\B", "1", text("x"), false);
        r.set(r"a\b", "1", text("y"), true);
        assert_eq!(r.values(r"A\b"), [("1".to_string(), text("x"))]);
        r.set(r"a\b\c", "V", text("z"), false);
        r.delete_key(r"A\B");
        assert!(r.values(r"a\b\c").is_empty() && r.values(r"a\b").is_empty());
    }

    #[test]
    fn chromium_reads_numbered_values_only() {
        let mut r = Registry::default();
        let list = format!(r"{CHROME}\URLBlocklist");
        r.set(&list, "1", text("blocked.test"), false);
        r.set(&list, "note", text("ignored.test"), false);
        let filters = chromium(&r, CHROME).unwrap();
        assert_eq!(filters.name("blocked.test", false), Some(Effect::Blocked));
        assert_eq!(filters.name("ignored.test", false), Some(Effect::Allowed));
    }

    #[test]
    fn firefox_reads_a_list_only_from_a_key_whose_first_value_is_1() {
        let mut r = Registry::default();
        let block = format!(r"{FIREFOX}\Block");
        r.set(&block, "2", text("*://x.test/*"), false);
        r.set(&block, "1", text("*://y.test/*"), false);
        assert!(firefox_list(&r, &block).is_err());
        r.delete_values(&block);
        assert!(firefox_list(&r, &block).unwrap().is_empty());
    }

    #[test]
    fn only_enabled_outbound_block_rules_block() {
        let mut rules = FirewallRules::default();
        for rule in [
            "v2.30|Action=Block|Active=TRUE|Dir=Out|RA4=10.0.0.0/8|Name=x|",
            "v2.30|Action=Block|Active=FALSE|Dir=Out|RA4=11.0.0.0/8|",
            "v2.30|Action=Block|Active=TRUE|Dir=In|RA4=12.0.0.0/8|",
            "v2.30|Action=Allow|Active=TRUE|Dir=Out|RA4=13.0.0.0/8|",
        ] {
            rule_string(&mut rules, rule).unwrap();
        }
        let effect = |a: &str| rules.address(a.parse().unwrap()).unwrap();
        assert_eq!(effect("10.0.0.1"), Effect::Blocked);
        for open in ["11.0.0.1", "12.0.0.1", "13.0.0.1"] {
            assert_eq!(effect(open), Effect::Allowed, "{open}");
        }
        assert!(rule_string(&mut rules, "v2.30|Action=Block|RPort=443|").is_err());
        assert!(rule_string(&mut rules, "Action=Block|").is_err());
    }
}
