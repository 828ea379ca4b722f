//! `windows-firewall`: a PowerShell script that (re)creates outbound Windows Defender Firewall
//! block rules for banned channels' networks.

use super::templated::{Family, TemplatedTarget};
use crate::syntax::ast::Size;

pub const WINDOWS_FIREWALL: TemplatedTarget = TemplatedTarget {
    name: "windows-firewall",
    description: "a PowerShell script creating Windows Firewall rules for banned networks",
    default_for: &[Size::Large],
    family: Family::Networks,
    files: &[("windows-firewall", "msgpol-firewall.ps1")],
    cannot_express: &[],
};
