//! `nftables`: an nftables ruleset with interval sets of banned networks, dropped on output and
//! forward. Reloading replaces the `msgpol` table as a whole.

use super::templated::{Family, TemplatedTarget};
use crate::emit::Control;
use crate::ir::Size;

pub const NFTABLES: TemplatedTarget = TemplatedTarget {
    name: "nftables",
    description: "an nftables ruleset dropping traffic to banned channels' networks",
    default_for: &[Size::Medium, Size::Large],
    controls: &[Control::BlockFirewall],
    family: Family::Networks,
    files: &[("nftables", "msgpol.nft")],
    cannot_express: &[],
};
