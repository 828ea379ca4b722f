//! `adblock`: a DNS filter list in adblock syntax for AdGuard Home, AdGuard DNS and Pi-hole
//! (`||x^` is x and its subdomains, `|x^` exactly x, `@@` an exception). In AdGuard's DNS
//! filtering syntax `||` matches the start of the name or of any of its labels, `*` any
//! characters and `^` the end of the name, so `||*.x^` is the subdomains of x alone.

use super::templated::{Family, NameFormat, TemplatedTarget};
use crate::emit::verify::{readers, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::Size;

const TEMPLATE: Template = template!("adblock/msgpol.txt.j2");

const READER: Reader = Reader {
    read: readers::adblock::read,
    leaves_open: &[],
    programs_by: &[],
};

pub const ADBLOCK: TemplatedTarget = TemplatedTarget {
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
