//! What the browser-policy targets share: the names of tiers that `block browser` (and their
//! carve-outs) turned into a browser's URL patterns, re-checked, within the browsers' limit of
//! 1,000 entries per list.

use crate::emit::encode::is_dns_name;
use crate::emit::error::{render_failed, too_many_entries};
use crate::emit::{warning, EmitError, EmitWarning};
use crate::ir::{Ir, Scope};

/// Chrome, Edge and Firefox accept at most this many entries in one list.
pub const MAX_ENTRIES: usize = 1000;

/// The two lists of a browser policy.
#[derive(Clone, Copy)]
pub enum List {
    Block,
    /// Carve-outs: exceptions to the block list.
    Allow,
}

/// How a browser's format writes one rule of a list.
pub struct Written {
    /// Patterns in the rule's own list.
    pub own: Vec<String>,
    /// Patterns in the other list, where the format needs them to narrow its own ones to the
    /// rule's scope.
    pub other: Vec<String>,
    /// What the patterns reach beyond the rule, if they do (said in a build warning).
    pub wider: Option<&'static str>,
}

impl Written {
    /// Patterns in the rule's own list only, reaching exactly the rule's names.
    pub fn own(own: Vec<String>) -> Self {
        Written {
            own,
            other: Vec::new(),
            wider: None,
        }
    }
}

pub struct Lists {
    pub block: Vec<String>,
    pub allow: Vec<String>,
    pub warnings: Vec<EmitWarning>,
}

/// The block and allow lists of `write`'s format: each list its own rules' patterns first, then
/// those that narrow the other list's rules.
pub fn lists(
    ir: &Ir,
    target: &str,
    write: fn(&str, Scope, List) -> Written,
) -> Result<Lists, EmitError> {
    let (mut block, mut allow) = (Vec::new(), Vec::new());
    let (mut block_narrowing, mut allow_narrowing) = (Vec::new(), Vec::new());
    let mut wider: Vec<(&str, usize)> = Vec::new();
    let sets = [
        (List::Block, &ir.enforcement.browser_block),
        (List::Allow, &ir.enforcement.browser_allow),
    ];
    for (list, rules) in sets {
        for rule in rules {
            if !is_dns_name(&rule.name) {
                return Err(render_failed(
                    target,
                    format!("refusing to write {:?} as a host name", rule.name),
                ));
            }
            let written = write(&rule.name, rule.scope, list);
            let (own, other) = match list {
                List::Block => (&mut block, &mut allow_narrowing),
                List::Allow => (&mut allow, &mut block_narrowing),
            };
            own.extend(written.own);
            other.extend(written.other);
            if let Some(consequence) = written.wider {
                match wider.iter_mut().find(|(c, _)| *c == consequence) {
                    Some((_, count)) => *count += 1,
                    None => wider.push((consequence, 1)),
                }
            }
        }
    }
    block.extend(block_narrowing);
    allow.extend(allow_narrowing);
    for (entries, list) in [(&block, "block list"), (&allow, "allow list")] {
        if entries.len() > MAX_ENTRIES {
            return Err(too_many_entries(target, list, entries.len(), MAX_ENTRIES));
        }
    }
    let warnings = wider
        .into_iter()
        .map(|(consequence, count)| warning::cannot_express(target, count, consequence))
        .collect();
    Ok(Lists {
        block,
        allow,
        warnings,
    })
}
