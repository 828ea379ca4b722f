//! `chrome`: a managed-policy JSON file for Chrome, Chromium and Edge (Linux and macOS):
//! `URLBlocklist`/`URLAllowlist` for tiers that `block browser`, and DNS-over-HTTPS off so the
//! browser keeps using the organisation's resolver.

use super::browser;
use crate::emit::{Control, EmitError, Emitted, Target, TargetInfo, pretty_json};
use crate::ir::{Ir, Scope, Size};

pub struct Chrome;

/// Chrome's URL filter format: `x` matches x and its subdomains, `.x` exactly x; nothing
/// matches the subdomains of x without x.
pub(super) fn patterns(name: &str, scope: Scope) -> Vec<String> {
    match scope {
        Scope::Tree => vec![name.to_string()],
        Scope::Exact => vec![format!(".{name}")],
        Scope::Subdomains => Vec::new(),
    }
}

const INFO: TargetInfo = TargetInfo {
    name: "chrome",
    description: "managed policy for Chrome, Chromium and Edge: URLBlocklist, URLAllowlist, DoH off",
    outputs: &["msgpol.json"],
    default_for: &[Size::Large],
    controls: &[Control::BlockBrowser],
    templates: &[],
    reader: None,
};

impl Target for Chrome {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let lists = browser::lists(ir, self.name(), patterns)?;
        let mut policy = serde_json::Map::new();
        policy.insert("URLBlocklist".into(), lists.block.into());
        if !lists.allow.is_empty() {
            policy.insert("URLAllowlist".into(), lists.allow.into());
        }
        policy.insert("DnsOverHttpsMode".into(), "off".into());
        Ok(Emitted::single(
            "msgpol.json",
            pretty_json(&policy),
            lists.warnings,
        ))
    }
}
