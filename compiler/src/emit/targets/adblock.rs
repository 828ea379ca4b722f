//! `adblock`: a DNS filter list in adblock syntax for AdGuard Home, AdGuard DNS and Pi-hole
//! (`||x^` is x and its subdomains, `|x^` exactly x, `@@` an exception). In AdGuard's DNS
//! filtering syntax `||` matches the start of the name or of any of its labels, `*` any
//! characters and `^` the end of the name, so `||*.x^` is the subdomains of x alone.
//!
//! AdGuard's list compiler (@adguard/hostlist-compiler, which AdGuard's own DNS lists pass
//! through) drops every rule with `_` in its Validate step; AdGuard Home reads them. The list
//! keeps such rules and the build warns (W308) what a compiled list would lose.

use super::templated::{Family, NameFormat, TemplatedTarget};
use crate::emit::templates::template;
use crate::emit::verify::{readers, Reader};
use crate::emit::{
    warning, Control, EmitError, EmitWarning, Emitted, Sink, Target, TargetInfo, Template,
};
use crate::ir::{DomainRule, Ir, Size};

const TEMPLATE: Template = template!("adblock/msgpol.txt.j2");

const READER: Reader = Reader {
    read: readers::adblock::read,
    leaves_open: &[],
    programs_by: &[],
};

static LIST: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "adblock",
        description: "a DNS filter list for AdGuard Home / Pi-hole (`||domain^` syntax)",
        outputs: &["msgpol.txt"],
        default_for: &[Size::Small, Size::Medium],
        controls: &[Control::BlockDns],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Names(NameFormat {
        tree: &["||{name}^"],
        exact: &["|{name}^"],
        subdomains: &["||*.{name}^"],
        allow_tree: &["@@||{name}^"],
        allow_exact: &["@@|{name}^"],
        allow_subdomains: &["@@||*.{name}^"],
        covered: &[],
        dns_wildcards: false,
    }),
    cannot_express: &[],
};

/// The list, and what AdGuard's list compiler would drop of it.
pub struct Adblock;

impl Target for Adblock {
    fn info(&self) -> &TargetInfo {
        LIST.info()
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut emitted = LIST.emit(ir)?;
        emitted.warnings.extend(dropped_by_hostlist_compiler(ir));
        Ok(emitted)
    }
    fn emit_to(&self, ir: &Ir, sink: &mut dyn Sink) -> Result<Vec<EmitWarning>, EmitError> {
        let mut warnings = LIST.emit_to(ir, sink)?;
        warnings.extend(dropped_by_hostlist_compiler(ir));
        Ok(warnings)
    }
}

/// W308 for the rules with `_`, which hostlist-compiler's Validate drops (its patterns allow
/// letters, digits, `-`, `.`, `*`, `|` and `^`): blocks, whose names a compiled list leaves
/// open, and carve-outs, whose names it leaves blocked.
fn dropped_by_hostlist_compiler(ir: &Ir) -> Vec<EmitWarning> {
    let with_underscore = |rules: &[DomainRule]| rules.iter().filter(|r| r.name.contains('_')).count();
    [
        (
            with_underscore(&ir.enforcement.dns_block),
            "names with `_` are blocked here, but AdGuard's hostlist-compiler drops rules with \
             `_` (Validate): where the list passes through it, these names stay open",
        ),
        (
            with_underscore(&ir.enforcement.dns_allow),
            "names with `_` are carved out here, but AdGuard's hostlist-compiler drops rules with \
             `_` (Validate): where the list passes through it, these names stay blocked",
        ),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, consequence)| warning::cannot_express("adblock", count, consequence))
    .collect()
}
