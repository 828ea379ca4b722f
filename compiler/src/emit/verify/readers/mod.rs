//! The readers, one per format. Each parses what a target wrote the way the program that
//! consumes it does, from the bytes alone; none may use a writer's code or data.

pub mod adblock;
pub mod applocker;
pub mod chrome;
pub mod dnsmasq;
mod domains;
pub mod firefox;
pub mod google_dlp;
pub mod gpo;
pub mod hosts;
pub mod ipset;
pub mod nftables;
pub mod pac;
pub mod pf;
pub mod purview;
pub mod reg;
pub mod rpz;
pub mod santa;
pub mod squid;
pub mod suricata;
pub mod unbound;
pub mod windows_firewall;
mod windows_registry;
pub mod yara;

use super::ranges::Ranges;
use super::{Effect, Reading};
use crate::emit::OutputFile;
use std::net::IpAddr;

/// The bytes of the file a target wrote at `path` (relative to its directory).
pub fn file<'f>(files: &'f [OutputFile], path: &str) -> Result<&'f [u8], String> {
    files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.as_slice())
        .ok_or_else(|| format!("it wrote no `{path}`"))
}

/// The text of the file a target wrote at `path` (relative to its directory).
pub fn text<'f>(files: &'f [OutputFile], path: &str) -> Result<&'f str, String> {
    std::str::from_utf8(file(files, path)?).map_err(|_| format!("`{path}` is not UTF-8 text"))
}

/// `Blocked` if `blocked`, else `Allowed`.
pub fn blocked_if(blocked: bool) -> Effect {
    if blocked {
        Effect::Blocked
    } else {
        Effect::Allowed
    }
}

/// An address range written `address/prefix` (or a bare address, a /32 or /128).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    v6: bool,
    first: u128,
    last: u128,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("`{text}` is not an address"))?;
        let (value, bits, v6) = match address {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32u32, false),
            IpAddr::V6(a) => (u128::from(a), 128u32, true),
        };
        let prefix: u32 = match prefix {
            Some(p) => p
                .parse()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("`{text}` has no valid prefix length"))?,
            None => bits,
        };
        let host = bits - prefix;
        let mask = if host == 128 {
            u128::MAX
        } else {
            (1u128 << host) - 1
        };
        Ok(Cidr {
            v6,
            first: value & !mask,
            last: value | mask,
        })
    }

    /// Its family (IPv6 or not), first and last address, as `Ranges` takes them.
    pub fn bounds(&self) -> (bool, u128, u128) {
        (self.v6, self.first, self.last)
    }
}

/// Files whose effect is to drop traffic to some address ranges.
pub struct DroppedRanges(pub Ranges);

impl DroppedRanges {
    pub fn new(ranges: &[Cidr]) -> Self {
        DroppedRanges(Ranges::new(ranges.iter().map(Cidr::bounds)))
    }
}

impl Reading for DroppedRanges {
    fn address(&self, address: IpAddr) -> Option<Effect> {
        Some(blocked_if(self.0.contains(address)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_cover_their_range_only() {
        let covers = |cidr: Cidr, address: &str| {
            Ranges::new([cidr.bounds()]).contains(address.parse().unwrap())
        };
        let net = Cidr::parse("91.108.4.0/22").unwrap();
        assert!(covers(net, "91.108.4.0"));
        assert!(covers(net, "91.108.7.255"));
        assert!(!covers(net, "91.108.8.0"));
        assert!(!covers(net, "::ffff:91.108.4.1"));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(covers(v6, "2001:db8:ffff::1"));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("10.0.0/8").is_err());
    }
}
