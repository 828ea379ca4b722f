//! `unbound`: a configuration fragment for the Unbound resolver (`local-zone` rules).

use super::templated::{Family, TemplatedTarget};
use crate::normalize::domain::Scope;
use crate::syntax::ast::Size;

pub const UNBOUND: TemplatedTarget = TemplatedTarget {
    name: "unbound",
    description: "an Unbound resolver fragment: NXDOMAIN for banned domains and the DoH canary",
    default_for: &[Size::Medium, Size::Large],
    family: Family::Names,
    files: &[("unbound", "msgpol.conf")],
    cannot_express: &[(
        Scope::Subdomains,
        "subdomain-only (`*.`) entries cannot be expressed without also blocking the name itself; they are listed as comments",
    )],
};
