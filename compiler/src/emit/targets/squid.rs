//! `squid`: a dstdomain ACL file (`.x` is x and its subdomains, `x` exactly x) and the
//! configuration snippet that denies it, with carve-outs for approved names.

use super::templated::{Family, NameFormat, Rules, TemplatedTarget};
use crate::emit::Control;
use crate::ir::{Scope, Size};

pub const SQUID: TemplatedTarget = TemplatedTarget {
    name: "squid",
    description: "a Squid proxy ACL file and the snippet that denies it",
    default_for: &[Size::Large],
    controls: &[Control::BlockDns],
    family: Family::Names(NameFormat {
        tree: &[".{name}"],
        exact: &["{name}"],
        subdomains: &["#   *.{name}"],
        allow_tree: &[".{name}"],
        allow_exact: &["{name}"],
        allow_subdomains: &["#   not expressible: *.{name}"],
    }),
    files: &[("squid-acl", "msgpol-banned.txt"), ("squid-allow", "msgpol-allowed.txt"), ("squid-conf", "msgpol.conf")],
    cannot_express: &[
        (Rules::Blocked, Scope::Subdomains, "subdomain-only (`*.`) entries cannot be written as a dstdomain entry without the name itself; they are listed as comments and NOT blocked"),
        (Rules::CarvedOut, Scope::Subdomains, "subdomain-only (`*.`) carve-outs cannot be written as dstdomain entries; those names stay blocked"),
    ],
};
