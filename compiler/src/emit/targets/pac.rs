//! `pac`: a proxy auto-config file that sends banned names to a dead proxy and everything else
//! DIRECT. Lookups are hash-table walks over the host's labels, so every scope is exact.

use super::templated::{Family, TemplatedTarget};
use crate::syntax::ast::Size;

pub const PAC: TemplatedTarget = TemplatedTarget {
    name: "pac",
    description: "a proxy auto-config file (browsers): banned names go to a dead proxy",
    default_for: &[Size::Large],
    family: Family::Names,
    files: &[("pac", "msgpol.pac")],
    cannot_express: &[],
};
