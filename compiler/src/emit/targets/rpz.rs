//! `rpz`: a DNS response-policy zone (BIND, Knot Resolver, PowerDNS Recursor, Unbound's RPZ
//! module). Every scope is expressible: `x` and `*.x` are separate owner names.

use super::templated::{Family, NameFormat, TemplatedTarget};
use crate::emit::Control;
use crate::ir::Size;

pub const RPZ: TemplatedTarget = TemplatedTarget {
    name: "rpz",
    description: "a response-policy zone for BIND, Knot, PowerDNS: NXDOMAIN for banned names",
    default_for: &[Size::Large],
    controls: &[Control::BlockDns],
    family: Family::Names(NameFormat {
        tree: &["{name} CNAME .", "*.{name} CNAME ."],
        exact: &["{name} CNAME ."],
        subdomains: &["*.{name} CNAME ."],
        allow_tree: &["{name} CNAME rpz-passthru.", "*.{name} CNAME rpz-passthru."],
        allow_exact: &["{name} CNAME rpz-passthru."],
        allow_subdomains: &["*.{name} CNAME rpz-passthru."],
    }),
    files: &[("rpz", "msgpol.rpz.zone")],
    cannot_express: &[],
};
