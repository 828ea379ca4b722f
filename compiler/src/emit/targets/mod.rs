//! The targets, one file each. Most are `TemplatedTarget` tables over the shared contexts in
//! `templated`.

mod adblock;
mod applocker;
mod browser;
mod chrome;
mod conditional_access;
mod dlp;
mod dnsmasq;
pub(crate) mod endpoint;
mod firefox;
mod google_dlp;
mod gpo;
mod guide;
mod hosts;
mod ids;
mod ipset;
mod ir_json;
mod nftables;
mod pac;
mod pf;
mod purview;
mod reg;
mod rpz;
mod santa;
mod squid;
mod suricata;
mod teams;
mod templated;
mod unbound;
mod windows_firewall;
mod windows_policy;
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
    &gpo::Gpo,
    &reg::Reg,
    &applocker::AppLocker,
    &santa::Santa,
    &conditional_access::ConditionalAccess,
    &teams::Teams,
    &yara::Yara,
    &google_dlp::GoogleDlp,
    &purview::Purview,
    &guide::GUIDE_MD,
    &guide::GUIDE_HTML,
    &guide::BRIEFING,
];
