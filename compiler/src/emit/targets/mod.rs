//! The targets, one file each. Most are `TemplatedTarget` tables over the shared contexts in
//! `templated`.

mod adblock;
mod browser;
mod chrome;
mod dlp;
mod dnsmasq;
mod firefox;
mod google_dlp;
mod guide_md;
mod hosts;
mod ipset;
mod ir_json;
mod nftables;
mod pac;
mod pf;
mod purview;
mod rpz;
mod squid;
mod suricata;
mod templated;
mod unbound;
mod windows_firewall;
mod yara;

use super::Target;

pub use templated::DOH_CANARIES;

pub static ALL: &[&dyn Target] = &[
    &ir_json::IrJson,
    &hosts::HOSTS,
    &dnsmasq::DNSMASQ,
    &unbound::UNBOUND,
    &rpz::RPZ,
    &adblock::ADBLOCK,
    &squid::SQUID,
    &pac::PAC,
    &nftables::NFTABLES,
    &ipset::IPSET,
    &pf::PF,
    &windows_firewall::WINDOWS_FIREWALL,
    &suricata::Suricata,
    &chrome::Chrome,
    &firefox::Firefox,
    &yara::Yara,
    &google_dlp::GoogleDlp,
    &purview::Purview,
    &guide_md::GuideMd,
];
