//! The targets, one file each. Name-based targets are `DnsTarget` tables over the shared
//! rendering in `dns_family`.

mod adblock;
mod dns_family;
mod dnsmasq;
mod guide_md;
mod hosts;
mod ir_json;
mod pac;
mod rpz;
mod squid;
mod unbound;

use super::Target;

pub use dns_family::DOH_CANARIES;

pub static ALL: &[&dyn Target] = &[
    &ir_json::IrJson,
    &hosts::HOSTS,
    &dnsmasq::DNSMASQ,
    &unbound::UNBOUND,
    &rpz::RPZ,
    &adblock::ADBLOCK,
    &squid::SQUID,
    &pac::PAC,
    &guide_md::GuideMd,
];
