//! `ipset`: `ipset restore` input with one hash:net set per address family, for iptables
//! rules (`-m set --match-set msgpol-banned4 dst -j DROP`).

use super::templated::{Family, TemplatedTarget};
use crate::emit::verify::{readers, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::Size;

const TEMPLATE: Template = template!("ipset/msgpol.ipset.j2");

const READER: Reader = Reader {
    read: readers::ipset::read,
    leaves_open: &[],
    programs_by: &[],
};

pub const IPSET: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "ipset",
        description: "ipset restore input: banned channels' networks for iptables rules",
        outputs: &["msgpol.ipset"],
        default_for: &[Size::Large],
        controls: &[Control::BlockFirewall],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Networks,
    cannot_express: &[],
};
