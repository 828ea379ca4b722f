//! Address ranges, sorted and merged where they overlap or touch: an address is looked up
//! among them, not tried against each (a policy of thousands of networks is probed at
//! thousands of addresses, by the oracle and by every reader of firewall rules). Not
//! `normalize::network::merge`: the enforcement sets the writers read are merged there, and
//! what verifies them must not share it (nor may `emit` use the stages before the IR); and
//! merged ranges need not be networks (three adjacent /24s make one range).

use std::net::IpAddr;

/// An address as a number, and whether it is IPv6.
fn family_value(address: IpAddr) -> (u128, bool) {
    match address {
        IpAddr::V4(a) => (u128::from(u32::from(a)), false),
        IpAddr::V6(a) => (u128::from(a), true),
    }
}

/// A range of one family: whether it is IPv6, its first and last address.
type Range = (bool, u128, u128);

pub struct Ranges(Vec<Range>);

impl Ranges {
    pub fn new(ranges: impl IntoIterator<Item = Range>) -> Self {
        let mut ranges: Vec<Range> = ranges.into_iter().collect();
        ranges.sort_unstable();
        let mut merged: Vec<Range> = Vec::with_capacity(ranges.len());
        for (v6, first, last) in ranges {
            match merged.last_mut() {
                // Overlapping or touching (`first` is at least 1 when it touches).
                Some(prev) if prev.0 == v6 && (first <= prev.2 || first - 1 == prev.2) => {
                    prev.2 = prev.2.max(last);
                }
                _ => merged.push((v6, first, last)),
            }
        }
        Ranges(merged)
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let (value, v6) = family_value(address);
        let after = self
            .0
            .partition_point(|&(f, first, _)| (f, first) <= (v6, value));
        after
            .checked_sub(1)
            .is_some_and(|at| self.0[at].0 == v6 && value <= self.0[at].2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_ranges_answer_as_their_parts() {
        let v4 = |a: u32, b: u32| (false, u128::from(a), u128::from(b));
        let parts = [
            v4(100, 199),
            v4(200, 299),
            v4(150, 160),
            v4(400, 499),
            (true, 0, u128::MAX),
        ];
        let ranges = Ranges::new(parts);
        assert_eq!(ranges.0.len(), 3);
        let addresses = [0u32, 99, 100, 299, 300, 399, 400, 499, 500, u32::MAX];
        let v6 = ["::", "::1", "ffff::1"];
        let all = addresses
            .iter()
            .map(|&a| IpAddr::from(std::net::Ipv4Addr::from(a)))
            .chain(v6.iter().map(|a| a.parse().unwrap()));
        for address in all {
            let (value, family) = family_value(address);
            let any = parts
                .iter()
                .any(|&(f, first, last)| f == family && first <= value && value <= last);
            assert_eq!(ranges.contains(address), any, "{address}");
        }
    }
}
