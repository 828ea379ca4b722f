//! `chrome`: a managed-policy JSON file for Chrome, Chromium and Edge (Linux and macOS):
//! `URLBlocklist`/`URLAllowlist` for tiers that `block browser`, and DNS-over-HTTPS off so the
//! browser keeps using the organisation's resolver.

use super::browser::{self, List, Written};
use crate::emit::verify::{readers, Reader};
use crate::emit::{Control, EmitError, Emitted, Target, TargetInfo, pretty_json};
use crate::ir::{Ir, Scope, Size};

pub struct Chrome;

/// Chrome's URL filter format (chromium.org, "URL Blocklist filter format"): `x` matches x and
/// its subdomains, `.x` exactly x. No filter matches the subdomains of x without x, but a
/// filter of an exact host takes precedence over every filter that matches subdomains,
/// whichever list holds it (Chromium's `FilterTakesPrecedence`, components/url_matcher): the
/// subdomains of x alone are `x` in the rule's own list and `.x` in the other.
pub(super) fn patterns(name: &str, scope: Scope, _list: List) -> Written {
    match scope {
        Scope::Tree => Written::own(vec![name.to_string()]),
        Scope::Exact => Written::own(vec![format!(".{name}")]),
        Scope::Subdomains => Written {
            own: vec![name.to_string()],
            other: vec![format!(".{name}")],
            wider: None,
        },
    }
}

const READER: Reader = Reader {
    read: readers::chrome::read,
    leaves_open: &[],
    programs_by: &[],
};

const INFO: TargetInfo = TargetInfo {
    name: "chrome",
    description: "managed policy for Chrome, Chromium and Edge: URLBlocklist, URLAllowlist, DoH off",
    outputs: &["msgpol.json"],
    default_for: &[Size::Large],
    controls: &[Control::BlockBrowser],
    templates: &[],
    reader: Some(&READER),
    rules_reader: None,
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
