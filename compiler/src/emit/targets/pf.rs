//! `pf`: a pf.conf fragment (OpenBSD, FreeBSD, macOS) with a persistent table of banned
//! networks and a rule blocking traffic to it.

use super::templated::{Family, TemplatedTarget};
use crate::emit::verify::{readers, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::Size;

const TEMPLATE: Template = template!("pf/msgpol.pf.conf.j2");

const READER: Reader = Reader {
    read: readers::pf::read,
    leaves_open: &[],
    programs_by: &[],
};

pub const PF: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "pf",
        description: "a pf.conf fragment (BSD, macOS) blocking banned channels' networks",
        outputs: &["msgpol.pf.conf"],
        default_for: &[Size::Large],
        controls: &[Control::BlockFirewall],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Networks,
    cannot_express: &[],
};
