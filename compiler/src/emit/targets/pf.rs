//! `pf`: a pf.conf fragment (OpenBSD, FreeBSD, macOS) with a persistent table of banned
//! networks and a rule blocking traffic to it.

use super::templated::{Family, TemplatedTarget};
use crate::emit::Control;
use crate::ir::Size;

pub const PF: TemplatedTarget = TemplatedTarget {
    name: "pf",
    description: "a pf.conf fragment (BSD, macOS) blocking banned channels' networks",
    default_for: &[Size::Large],
    controls: &[Control::BlockFirewall],
    family: Family::Networks,
    files: &[("pf", "msgpol.pf.conf")],
    cannot_express: &[],
};
