//! IPv4 and IPv6 networks: parsed strictly (no host bits set), then merged so that no network
//! in a list contains or touches another.

use serde::Serialize;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Network {
    /// The address as a 128-bit number (IPv4 in the low 32 bits).
    pub base: u128,
    pub prefix: u8,
    pub v6: bool,
}

impl Network {
    fn bits(&self) -> u8 {
        if self.v6 {
            128
        } else {
            32
        }
    }
    fn size_mask(&self) -> u128 {
        // Number of host addresses minus one.
        let host_bits = self.bits() - self.prefix;
        if host_bits == 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        }
    }
    pub fn last(&self) -> u128 {
        self.base | self.size_mask()
    }
    pub fn contains(&self, other: &Network) -> bool {
        self.v6 == other.v6
            && self.prefix <= other.prefix
            && other.base & !self.size_mask() == self.base
    }

    /// Every network that holds this one, from `/0` to the prefix just shorter than its own.
    pub fn supernets(&self) -> impl Iterator<Item = Network> + '_ {
        (0..self.prefix).map(|prefix| {
            let mut wider = Network { prefix, ..*self };
            wider.base &= !wider.size_mask();
            wider
        })
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.v6 {
            write!(f, "{}/{}", Ipv6Addr::from(self.base), self.prefix)
        } else {
            write!(f, "{}/{}", Ipv4Addr::from(self.base as u32), self.prefix)
        }
    }
}

impl schemars::JsonSchema for Network {
    fn schema_name() -> String {
        "Network".to_string()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some(
                    "An IPv4 or IPv6 network in CIDR notation, e.g. `149.154.160.0/20`".into(),
                ),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

impl Serialize for Network {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum NetworkError {
    Address,
    Prefix,
    HostBits(Network),
}

impl NetworkError {
    pub fn explain(&self) -> String {
        match self {
            NetworkError::Address => "not an IPv4 or IPv6 address".into(),
            NetworkError::Prefix => "the prefix length after `/` is not a number within the address size (32 for IPv4, 128 for IPv6)".into(),
            NetworkError::HostBits(n) => format!("bits are set after the prefix; did you mean `{n}`?"),
        }
    }
}

pub fn parse(input: &str) -> Result<Network, NetworkError> {
    let (address, prefix) = match input.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (input, None),
    };
    let ip: IpAddr = address.parse().map_err(|_| NetworkError::Address)?;
    let (base, v6, bits) = match ip {
        IpAddr::V4(a) => (u32::from(a) as u128, false, 32u8),
        IpAddr::V6(a) => (u128::from(a), true, 128u8),
    };
    let prefix = match prefix {
        None => bits,
        Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => p
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= bits)
            .ok_or(NetworkError::Prefix)?,
        Some(_) => return Err(NetworkError::Prefix),
    };
    let network = Network { base, prefix, v6 };
    let masked = Network {
        base: base & !network.size_mask(),
        ..network
    };
    if masked.base != base {
        return Err(NetworkError::HostBits(masked));
    }
    Ok(network)
}

/// Merge networks: drop those inside another, join adjacent halves into their parent.
/// The result is sorted, IPv4 first.
pub fn merge(mut networks: Vec<Network>) -> Vec<Network> {
    networks.sort_by_key(|n| (n.v6, n.base, n.prefix));
    networks.dedup();
    let mut out: Vec<Network> = Vec::with_capacity(networks.len());
    for n in networks {
        if out.last().is_some_and(|last| last.contains(&n)) {
            continue;
        }
        out.push(n);
        // Join siblings as long as the last two are the two halves of one network.
        while out.len() >= 2 {
            let b = out[out.len() - 1];
            let a = out[out.len() - 2];
            if a.v6 == b.v6
                && a.prefix == b.prefix
                && a.prefix > 0
                && a.last().wrapping_add(1) == b.base
            {
                let parent = Network {
                    base: a.base,
                    prefix: a.prefix - 1,
                    v6: a.v6,
                };
                if parent.base & !parent.size_mask() == parent.base {
                    out.truncate(out.len() - 2);
                    out.push(parent);
                    continue;
                }
            }
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<Network> {
        list.iter().map(|s| parse(s).unwrap()).collect()
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            parse("149.154.160.0/20").unwrap().to_string(),
            "149.154.160.0/20"
        );
        assert_eq!(
            parse("2603:1063::/38").unwrap().to_string(),
            "2603:1063::/38"
        );
        assert_eq!(parse("10.0.0.1").unwrap().to_string(), "10.0.0.1/32");
        assert!(matches!(
            parse("149.154.160.1/20"),
            Err(NetworkError::HostBits(_))
        ));
        assert_eq!(parse("300.1.1.1/8"), Err(NetworkError::Address));
        assert_eq!(parse("1.1.1.0/33"), Err(NetworkError::Prefix));
        assert_eq!(parse("1.1.1.0/"), Err(NetworkError::Prefix));
    }

    #[test]
    fn merges_contained_and_adjacent() {
        let merged = merge(nets(&[
            "10.0.1.0/24",
            "10.0.0.0/24",
            "10.0.0.128/25",
            "2001:db8::/33",
            "2001:db8:8000::/33",
        ]));
        let text: Vec<String> = merged.iter().map(|n| n.to_string()).collect();
        assert_eq!(text, vec!["10.0.0.0/23", "2001:db8::/32"]);
        // Adjacent but not halves of one parent: kept apart.
        let merged = merge(nets(&["10.0.1.0/24", "10.0.2.0/24"]));
        assert_eq!(merged.len(), 2);
    }
}
