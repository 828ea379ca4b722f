//! What the browser-policy targets share: the names of tiers that `block browser` (and their
//! carve-outs) turned into a browser's URL patterns, re-checked, within the browsers' limit of
//! 1,000 entries per list.

use crate::emit::error::{render_failed, too_many_entries};
use crate::emit::templates::is_dns_name;
use crate::emit::{warning, EmitError, EmitWarning};
use crate::ir::{DomainRule, Ir, Scope};

/// Chrome, Edge and Firefox accept at most this many entries in one list.
pub const MAX_ENTRIES: usize = 1000;

pub struct Lists {
    pub block: Vec<String>,
    pub allow: Vec<String>,
    pub warnings: Vec<EmitWarning>,
}

/// `patterns(name, scope)` gives a rule's patterns, or none if the format cannot express it.
pub fn lists(
    ir: &Ir,
    target: &str,
    patterns: fn(&str, Scope) -> Vec<String>,
) -> Result<Lists, EmitError> {
    let mut warnings = Vec::new();
    let mut convert = |rules: &[DomainRule], list: &str| -> Result<Vec<String>, EmitError> {
        let mut out = Vec::new();
        let mut inexpressible = 0;
        for rule in rules {
            if !is_dns_name(&rule.name) {
                return Err(render_failed(
                    target,
                    format!("refusing to write {:?} as a host name", rule.name),
                ));
            }
            let written = patterns(&rule.name, rule.scope);
            if written.is_empty() {
                inexpressible += 1;
            }
            out.extend(written);
        }
        if inexpressible > 0 {
            warnings.push(warning::cannot_express(
                target,
                inexpressible,
                &format!("subdomain-only (`*.`) entries cannot be written to the {list}; they are left out"),
            ));
        }
        if out.len() > MAX_ENTRIES {
            return Err(too_many_entries(target, list, out.len(), MAX_ENTRIES));
        }
        Ok(out)
    };
    let block = convert(&ir.enforcement.browser_block, "block list")?;
    let allow = convert(&ir.enforcement.browser_allow, "allow list")?;
    Ok(Lists {
        block,
        allow,
        warnings,
    })
}
