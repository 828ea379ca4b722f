//! `firefox`: `policies.json` for Firefox: `WebsiteFilter` blocks and exceptions (WebExtension
//! match patterns) for tiers that `block browser`, and DNS-over-HTTPS off and locked.

use super::browser::{self, List, Written};
use crate::emit::verify::{readers, Reach, Reader};
use crate::emit::{Control, EmitError, Emitted, Target, TargetInfo, pretty_json};
use crate::ir::{Ir, Scope, Size};
use serde_json::json;

pub struct Firefox;

/// Match patterns need a path, and `*.x` as a pattern's host matches x and its subdomains (MDN,
/// "Match patterns"). WebsiteFilter blocks what a Block pattern matches unless an Exceptions
/// pattern matches it too (Firefox's WebsiteFilter.sys.mjs): an exception for x narrows a block
/// of `*.x` to the subdomains of x, but nothing narrows an exception, so one for the subdomains
/// of x alone lets x through as well.
pub(super) fn patterns(name: &str, scope: Scope, list: List) -> Written {
    let exact = format!("*://{name}/*");
    let tree = format!("*://*.{name}/*");
    match (scope, list) {
        (Scope::Tree, _) => Written::own(vec![tree]),
        (Scope::Exact, _) => Written::own(vec![exact]),
        (Scope::Subdomains, List::Block) => Written {
            own: vec![tree],
            other: vec![exact],
            wider: None,
        },
        (Scope::Subdomains, List::Allow) => Written {
            own: vec![tree],
            other: Vec::new(),
            wider: Some("subdomain-only (`*.`) carve-outs also let the name itself through (a match pattern `*.x` covers x, and no block overrides an exception); those names are NOT blocked in Firefox"),
        },
    }
}

// An exception for a name's subdomains alone lets the name through too (the build warns).
const READER: Reader = Reader {
    read: readers::firefox::read,
    leaves_open: &[Reach::AboveCarvedOutSubdomains],
    programs_by: &[],
};

const INFO: TargetInfo = TargetInfo {
    name: "firefox",
    description: "Firefox policies.json: WebsiteFilter for banned channels, DoH off",
    outputs: &["policies.json"],
    default_for: &[Size::Large],
    controls: &[Control::BlockBrowser],
    templates: &[],
    reader: Some(&READER),
    rules_reader: None,
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
