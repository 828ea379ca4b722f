//! The targets, one module each, and the one place they are registered: `targets!` below.
//! Each module declares its `TargetInfo`; most are `TemplatedTarget` tables over the shared
//! contexts in `templated`.

// Code the targets share.
mod browser;
mod dlp;
pub(crate) mod endpoint;
mod guide;
mod ids;
mod retention;
mod templated;
mod windows_policy;

use super::Target;

pub use templated::DOH_CANARIES;

/// Declares each target's module and lists its target value in `ALL`, in `msgpol targets`
/// order: adding a target is one line here.
macro_rules! targets {
    ($($module:ident :: $target:ident),* $(,)?) => {
        $(mod $module;)*
        pub static ALL: &[&dyn Target] = &[$(&$module::$target),*];
    };
}

targets! {
    ir_json::IrJson,
    hosts::HOSTS,
    dnsmasq::DNSMASQ,
    unbound::UNBOUND,
    rpz::RPZ,
    adblock::Adblock,
    squid::SQUID,
    pac::PAC,
    nftables::NFTABLES,
    ipset::IPSET,
    pf::PF,
    windows_firewall::WINDOWS_FIREWALL,
    suricata::Suricata,
    chrome::Chrome,
    firefox::Firefox,
    gpo::Gpo,
    reg::Reg,
    applocker::AppLocker,
    santa::Santa,
    conditional_access::ConditionalAccess,
    teams::Teams,
    mattermost::Mattermost,
    yara::Yara,
    google_dlp::GoogleDlp,
    purview::Purview,
    guide_md::GUIDE_MD,
    guide_html::GUIDE_HTML,
    briefing::BRIEFING,
}
