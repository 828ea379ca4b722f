//! `dnsmasq`: a dnsmasq configuration file (`address=/x/` answers NXDOMAIN for x and its
//! subdomains, `/*.x/` for the subdomains only; exact names are sunk with `host-record`).

use super::templated::{Family, NameFormat, TemplatedTarget};
use crate::emit::verify::{readers, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::Size;

const TEMPLATE: Template = template!("dnsmasq/msgpol.conf.j2");

const READER: Reader = Reader {
    read: readers::dnsmasq::read,
    leaves_open: &[],
    programs_by: &[],
};

pub const DNSMASQ: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "dnsmasq",
        description: "a dnsmasq configuration (also Pi-hole's dnsmasq.d): NXDOMAIN for banned domains",
        outputs: &["msgpol.conf"],
        default_for: &[Size::Small, Size::Medium, Size::Large],
        controls: &[Control::BlockDns],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Names(NameFormat {
        tree: &["address=/{name}/"],
        exact: &["host-record={name},0.0.0.0,::"],
        subdomains: &["address=/*.{name}/"],
        allow_tree: &["server=/{name}/#"],
        // `server=/x/#` forwards x's whole subtree; the longer pattern `*.x` takes its
        // subdomains back (dnsmasq(8): "more specific domains take precedence").
        allow_exact: &["server=/{name}/#", "address=/*.{name}/"],
        allow_subdomains: &["server=/*.{name}/#"],
        covered: &[],
        dns_wildcards: false,
    }),
    cannot_express: &[],
};
