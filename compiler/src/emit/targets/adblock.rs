//! `adblock`: a DNS filter list in adblock syntax for AdGuard Home, AdGuard DNS and Pi-hole
//! (`||x^` is x and its subdomains, `|x^` exactly x, `@@` an exception).

use super::templated::{Family, NameFormat, Rules, TemplatedTarget};
use crate::emit::verify::{readers, Question, Reach, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::{Scope, Size};

const TEMPLATE: Template = template!("adblock/msgpol.txt.j2");

// A filter rule cannot block the subdomains of a name without the name.
const READER: Reader = Reader {
    question: Question::Dns,
    read: readers::adblock::read,
    leaves_open: &[Reach::UnderSubdomainsOnly],
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
    },
    family: Family::Names(NameFormat {
        tree: &["||{name}^"],
        exact: &["|{name}^"],
        subdomains: &["!   *.{name}"],
        allow_tree: &["@@||{name}^"],
        allow_exact: &["@@|{name}^"],
        allow_subdomains: &["!   exception not expressible: *.{name}"],
        covered: &[],
        dns_wildcards: false,
    }),
    cannot_express: &[
        (Rules::Blocked, Scope::Subdomains, "subdomain-only (`*.`) entries have no portable adblock form; they are listed as comments and NOT blocked"),
        (Rules::CarvedOut, Scope::Subdomains, "subdomain-only (`*.`) carve-outs have no portable adblock form; those names stay blocked"),
    ],
};
