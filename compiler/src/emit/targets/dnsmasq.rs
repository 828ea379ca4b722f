//! `dnsmasq`: a dnsmasq configuration file (`address=/x/` answers NXDOMAIN for x and its
//! subdomains, `/*.x/` for the subdomains only; exact names are sunk with `host-record`).

use super::templated::{Family, NameFormat, Rules, TemplatedTarget};
use crate::emit::Control;
use crate::ir::{Scope, Size};

pub const DNSMASQ: TemplatedTarget = TemplatedTarget {
    name: "dnsmasq",
    description: "a dnsmasq configuration (also Pi-hole's dnsmasq.d): NXDOMAIN for banned domains",
    default_for: &[Size::Small, Size::Medium, Size::Large],
    controls: &[Control::BlockDns],
    family: Family::Names(NameFormat {
        tree: &["address=/{name}/"],
        exact: &["host-record={name},0.0.0.0,::"],
        subdomains: &["address=/*.{name}/"],
        allow_tree: &["server=/{name}/#"],
        allow_exact: &["server=/{name}/#"],
        allow_subdomains: &["server=/*.{name}/#"],
    }),
    files: &[("dnsmasq", "msgpol.conf")],
    cannot_express: &[(
        Rules::CarvedOut,
        Scope::Exact,
        "carve-outs of a single name also let its subdomains resolve (`server=/x/#` covers the subtree)",
    )],
};
