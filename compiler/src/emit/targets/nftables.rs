//! `nftables`: an nftables ruleset with interval sets of banned networks, dropped on output and
//! forward. Reloading replaces the `msgpol` table as a whole.

use super::templated::{Family, TemplatedTarget};
use crate::emit::verify::{readers, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::Size;

const TEMPLATE: Template = template!("nftables/msgpol.nft.j2");

const READER: Reader = Reader {
    read: readers::nftables::read,
    leaves_open: &[],
    programs_by: &[],
};

pub const NFTABLES: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "nftables",
        description: "an nftables ruleset dropping traffic to banned channels' networks",
        outputs: &["msgpol.nft"],
        default_for: &[Size::Medium, Size::Large],
        controls: &[Control::BlockFirewall],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Networks,
    cannot_express: &[],
};
