//! `rpz`: a DNS response-policy zone (BIND, Knot Resolver, PowerDNS Recursor, Unbound's RPZ
//! module). Every scope is expressible: `x` and `*.x` are separate owner names. Its wildcards
//! are DNS wildcards, so a carve-out's owner names would hide the banned names around them
//! from the wildcard above; those names are written again (`NameFormat::dns_wildcards`).

use super::templated::{Family, NameFormat, TemplatedTarget};
use crate::emit::verify::{readers, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::Size;

const TEMPLATE: Template = template!("rpz/msgpol.rpz.zone.j2");

const READER: Reader = Reader {
    read: readers::rpz::read,
    leaves_open: &[],
    programs_by: &[],
};

pub const RPZ: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "rpz",
        description: "a response-policy zone for BIND, Knot, PowerDNS: NXDOMAIN for banned names",
        outputs: &["msgpol.rpz.zone"],
        default_for: &[Size::Large],
        controls: &[Control::BlockDns],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Names(NameFormat {
        tree: &["{name} CNAME .", "*.{name} CNAME ."],
        exact: &["{name} CNAME ."],
        subdomains: &["*.{name} CNAME ."],
        allow_tree: &["{name} CNAME rpz-passthru.", "*.{name} CNAME rpz-passthru."],
        allow_exact: &["{name} CNAME rpz-passthru."],
        allow_subdomains: &["*.{name} CNAME rpz-passthru."],
        covered: &[],
        dns_wildcards: true,
    }),
    cannot_express: &[],
};
