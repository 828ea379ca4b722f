//! `pac`: a proxy auto-config file that sends banned names to a dead proxy and everything else
//! DIRECT. Lookups are hash-table walks over the host's labels, so every scope is exact.

use super::templated::{Family, NameFormat, TemplatedTarget};
use crate::emit::verify::{readers, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::Size;

const TEMPLATE: Template = template!("pac/msgpol.pac.j2");

const READER: Reader = Reader {
    read: readers::pac::read,
    leaves_open: &[],
    programs_by: &[],
};

pub const PAC: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "pac",
        description: "a proxy auto-config file (browsers): banned names go to a dead proxy",
        outputs: &["msgpol.pac"],
        default_for: &[Size::Large],
        controls: &[Control::BlockDns],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Names(NameFormat {
        tree: &["  \"{name}\","],
        exact: &["  \"{name}\","],
        subdomains: &["  \"{name}\","],
        allow_tree: &["  \"{name}\","],
        allow_exact: &["  \"{name}\","],
        allow_subdomains: &["  \"{name}\","],
        covered: &[],
        dns_wildcards: false,
    }),
    cannot_express: &[],
};
