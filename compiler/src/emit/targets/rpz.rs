//! `rpz`: a DNS response-policy zone (BIND, Knot Resolver, PowerDNS Recursor, Unbound's RPZ
//! module). Every scope is expressible: `x` and `*.x` are separate owner names.

use super::dns_family::DnsTarget;
use crate::syntax::ast::Size;

pub const RPZ: DnsTarget = DnsTarget {
    name: "rpz",
    description: "a response-policy zone for BIND, Knot, PowerDNS: NXDOMAIN for banned names",
    default_for: &[Size::Large],
    files: &[("rpz", "msgpol.rpz.zone")],
    cannot_express: &[],
};
