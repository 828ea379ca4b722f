//! `windows-firewall`: a PowerShell script that (re)creates outbound Windows Defender Firewall
//! block rules for banned channels' networks, and for the programs (`windows-path`) of
//! channels banned on endpoints.

use super::templated::{Family, TemplatedTarget};
use crate::emit::templates::template;
use crate::emit::verify::{readers, Identifier, Reach, Reader};
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::Size;

const TEMPLATE: Template = template!("windows-firewall/msgpol-firewall.ps1.j2");

// The firewall matches programs by full path, expanded as the firewall service: not a path in
// a user's profile.
const READER: Reader = Reader {
    read: readers::windows_firewall::read,
    leaves_open: &[Reach::InUserProfile],
    programs_by: &[Identifier::WindowsPath],
};

pub const WINDOWS_FIREWALL: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "windows-firewall",
        description: "a PowerShell script creating Windows Firewall rules for banned networks",
        outputs: &["msgpol-firewall.ps1"],
        default_for: &[Size::Large],
        controls: &[Control::BlockFirewall, Control::BlockEndpoint],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Networks,
    cannot_express: &[],
};
