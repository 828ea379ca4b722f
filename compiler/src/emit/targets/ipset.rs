//! `ipset`: `ipset restore` input with one hash:net set per address family, for iptables
//! rules (`-m set --match-set msgpol-banned4 dst -j DROP`).

use super::templated::{Family, TemplatedTarget};
use crate::emit::Control;
use crate::ir::Size;

pub const IPSET: TemplatedTarget = TemplatedTarget {
    name: "ipset",
    description: "ipset restore input: banned channels' networks for iptables rules",
    default_for: &[Size::Large],
    controls: &[Control::BlockFirewall],
    family: Family::Networks,
    files: &[("ipset", "msgpol.ipset")],
    cannot_express: &[],
};
