//! `windows-firewall`: a PowerShell script that (re)creates outbound Windows Defender Firewall
//! block rules for banned channels' networks, and for the programs (`windows-path`) of
//! channels banned on endpoints.

use super::templated::{Family, TemplatedTarget};
use crate::emit::Control;
use crate::ir::Size;

pub const WINDOWS_FIREWALL: TemplatedTarget = TemplatedTarget {
    name: "windows-firewall",
    description: "a PowerShell script creating Windows Firewall rules for banned networks",
    default_for: &[Size::Large],
    controls: &[Control::BlockFirewall, Control::BlockEndpoint],
    family: Family::Networks,
    files: &[("windows-firewall", "msgpol-firewall.ps1")],
    cannot_express: &[],
};
