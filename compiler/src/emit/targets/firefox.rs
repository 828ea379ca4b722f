//! `firefox`: `policies.json` for Firefox: `WebsiteFilter` blocks and exceptions (WebExtension
//! match patterns) for tiers that `block browser`, and DNS-over-HTTPS off and locked.

use super::browser;
use crate::emit::{Control, EmitError, Emitted, Target, TargetInfo, pretty_json};
use crate::ir::{Ir, Scope, Size};
use serde_json::json;

pub struct Firefox;

/// Match patterns need a path; `*.x` in a pattern host matches the subdomains of x only, so
/// a name with its subdomains takes two patterns.
pub(super) fn patterns(name: &str, scope: Scope) -> Vec<String> {
    let exact = format!("*://{name}/*");
    let below = format!("*://*.{name}/*");
    match scope {
        Scope::Tree => vec![exact, below],
        Scope::Exact => vec![exact],
        Scope::Subdomains => vec![below],
    }
}

const INFO: TargetInfo = TargetInfo {
    name: "firefox",
    description: "Firefox policies.json: WebsiteFilter for banned channels, DoH off",
    outputs: &["policies.json"],
    default_for: &[Size::Large],
    controls: &[Control::BlockBrowser],
    templates: &[],
    reader: None,
};

impl Target for Firefox {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let lists = browser::lists(ir, self.name(), patterns)?;
        let policy = json!({
            "policies": {
                "WebsiteFilter": { "Block": lists.block, "Exceptions": lists.allow },
                "DNSOverHTTPS": { "Enabled": false, "Locked": true },
            }
        });
        Ok(Emitted::single(
            "policies.json",
            pretty_json(&policy),
            lists.warnings,
        ))
    }
}
