//! `pac`: a proxy auto-config file that sends banned names to a dead proxy and everything else
//! DIRECT. Lookups are hash-table walks over the host's labels, so every scope is exact.

use super::templated::{Family, NameFormat, TemplatedTarget};
use crate::emit::Control;
use crate::ir::Size;

pub const PAC: TemplatedTarget = TemplatedTarget {
    name: "pac",
    description: "a proxy auto-config file (browsers): banned names go to a dead proxy",
    default_for: &[Size::Large],
    controls: &[Control::BlockDns],
    family: Family::Names(NameFormat {
        tree: &["  \"{name}\","],
        exact: &["  \"{name}\","],
        subdomains: &["  \"{name}\","],
        allow_tree: &["  \"{name}\","],
        allow_exact: &["  \"{name}\","],
        allow_subdomains: &["  \"{name}\","],
    }),
    files: &[("pac", "msgpol.pac")],
    cannot_express: &[],
};
