//! Concrete packets tried before the solver. Most network questions of an estate are answered by an
//! obvious packet (a host address of the origin's range, to a host address of the endpoint, on the
//! path's port, from an ephemeral port), and the concrete evaluator checks one in microseconds where a
//! solver call costs about a millisecond. A probe only ever says "this packet passes", checked by
//! [`eval::pass`]; when no candidate passes, the solver is asked as before, and it alone can prove
//! that no packet passes.

use super::{NON_PUBLIC, Origin, Packet, Path, PathKind, Source, eval, source_ranges};
use crate::model::network::{AddressMatch, Cidr, Protocol};
use crate::model::{Model, Props, SubnetId};

/// Public addresses of Azure's own ranges, tried in turn wherever a public Azure address is needed
/// (a source outside every modelled network, the address after outbound NAT, a public endpoint).
const AZURE_PUBLIC: [u32; 4] = [
    u32::from_be_bytes([20, 60, 0, 4]),
    u32::from_be_bytes([52, 239, 0, 4]),
    u32::from_be_bytes([40, 112, 0, 4]),
    u32::from_be_bytes([13, 64, 0, 4]),
];

/// Public addresses tried first from a range that holds them: one of the internet's (TEST-NET-3, an
/// address for examples), then Azure's.
const PUBLIC: [u32; 5] = [
    u32::from_be_bytes([203, 0, 113, 4]),
    AZURE_PUBLIC[0],
    AZURE_PUBLIC[1],
    AZURE_PUBLIC[2],
    AZURE_PUBLIC[3],
];

/// At most this many source addresses are tried for one question.
const MAX_SOURCES: usize = 12;

/// The first packet among a few obvious ones that passes `path` from `origin`, if any.
pub fn probe(m: &Model, origin: Origin, path: &Path) -> Option<Packet> {
    let sources = sources(m, origin, path);
    let destinations = destinations(m, path);
    let public_path = matches!(path.kind, PathKind::Public | PathKind::NodePublic);
    let nat = matches!(origin.source, Source::Subnet(_)) && public_path;
    for &dst in &destinations {
        let nats: Vec<Option<u32>> = if nat {
            azure_public(m).filter(|a| *a != dst).map(Some).collect()
        } else {
            vec![None]
        };
        for &src in sources.iter().filter(|s| **s != dst) {
            for &nat_src in &nats {
                let packet = Packet {
                    src,
                    dst,
                    src_port: 49152,
                    dst_port: path.port,
                    protocol: Protocol::Tcp,
                    nat_src,
                };
                if eval::pass(m, origin, path, &packet).is_ok() {
                    return Some(packet);
                }
            }
        }
    }
    None
}

/// Azure's public addresses that the model leaves public (none of them inside a VNet or a location).
fn azure_public(m: &Model) -> impl Iterator<Item = u32> + '_ {
    AZURE_PUBLIC.into_iter().filter(|a| eval::is_azure_public(m, *a))
}

/// A host address of a prefix: the fourth of a larger block (Azure reserves the first four of a
/// subnet), the first of a /30, the prefix itself for a /31 or /32.
fn host(c: Cidr, offset: u32) -> u32 {
    match c.len {
        0..=29 => c.addr.wrapping_add(4 + offset),
        30 => c.addr.wrapping_add(1 + offset.min(1)),
        _ => c.addr,
    }
}

/// Source addresses: a host of each of the origin's ranges, and of each part of a range that a rule
/// on the path names (an NSG rule's source prefix, an IP rule of the target's firewall), so that a
/// rule admitting only part of a range is met.
fn sources(m: &Model, origin: Origin, path: &Path) -> Vec<u32> {
    let Some(ranges) = source_ranges(m, origin, path) else {
        return azure_public(m).collect();
    };
    let hints = named_prefixes(m, origin, path);
    let mut out = Vec::new();
    for range in &ranges {
        // A range that spans public and private space (the `internet` location's 0.0.0.0/0) sends
        // from a public address.
        if !NON_PUBLIC.iter().any(|c| c.covers(*range)) {
            out.extend(PUBLIC.iter().copied().filter(|a| range.contains(*a)));
        }
        out.push(host(*range, 0));
        for hint in hints.iter().filter(|h| h.overlaps(*range)) {
            let narrower = if hint.len >= range.len { *hint } else { *range };
            out.push(host(narrower, 0));
        }
    }
    let mut unique: Vec<u32> = Vec::with_capacity(MAX_SOURCES);
    for a in out {
        if unique.len() < MAX_SOURCES && !unique.contains(&a) {
            unique.push(a);
        }
    }
    unique
}

/// The prefixes that rules on the path name as sources (an NSG rule's prefix or location, a firewall's
/// IP rule).
fn named_prefixes(m: &Model, origin: Origin, path: &Path) -> Vec<Cidr> {
    let mut out = Vec::new();
    let mut from_nsg = |s: SubnetId| {
        for rule in super::subnet_nsg(m, s).into_iter().flat_map(|n| &n.rules) {
            for a in &rule.source {
                match a {
                    AddressMatch::Cidr(c) => out.push(*c),
                    AddressMatch::Location(l) => {
                        let location = m.location(*l);
                        out.extend(location.ranges.iter().chain(&location.egress));
                    }
                    AddressMatch::Any | AddressMatch::Tag(_) => {}
                }
            }
        }
    };
    if let Source::Subnet(s) = origin.source {
        from_nsg(s);
    }
    match path.kind {
        PathKind::Private(pe) => {
            if let Some(x) = m.network.private_endpoint(pe) {
                from_nsg(x.subnet);
            }
        }
        PathKind::NodePrivate(s) => from_nsg(s),
        PathKind::NodePublic => {
            if let Some(s) = super::node_subnet(m, path.endpoint.resource()) {
                from_nsg(s);
            }
        }
        PathKind::Public => {}
    }
    let target = path.endpoint.resource();
    let firewall: &[Cidr] = match &m.resource(target).props {
        Props::Storage(s) => &s.network_acls.ip_rules,
        Props::KeyVault(v) => &v.network_acls.ip_rules,
        Props::Registry(r) => &r.ip_rules,
        Props::Workspace(w) => &w.ip_rules,
        Props::Endpoint(_) => match m.resource(target).parent.map(|w| &m.resource(w).props) {
            Some(Props::Workspace(w)) => &w.ip_rules,
            _ => &[],
        },
        _ => &[],
    };
    out.extend_from_slice(firewall);
    out
}

/// Destination addresses: the private endpoint's address, a host of the node's subnet, or a public
/// Azure address for a public endpoint.
fn destinations(m: &Model, path: &Path) -> Vec<u32> {
    match path.kind {
        PathKind::Public | PathKind::NodePublic => azure_public(m).take(1).collect(),
        PathKind::Private(pe) => match m.network.private_endpoint(pe) {
            Some(x) => match x.ip {
                Some(ip) => vec![ip],
                None => m
                    .network
                    .subnet(x.subnet)
                    .map(|s| host(s.prefix, 1))
                    .into_iter()
                    .collect(),
            },
            None => Vec::new(),
        },
        PathKind::NodePrivate(s) => m.network.subnet(s).map(|x| host(x.prefix, 1)).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        Cidr::parse(text).unwrap_or(Cidr::ANY)
    }

    #[test]
    fn hosts_avoid_the_addresses_azure_reserves() {
        assert_eq!(host(cidr("10.0.1.0/24"), 0), u32::from_be_bytes([10, 0, 1, 4]));
        assert_eq!(host(cidr("10.0.1.0/24"), 1), u32::from_be_bytes([10, 0, 1, 5]));
        assert_eq!(host(cidr("10.0.1.8/30"), 0), u32::from_be_bytes([10, 0, 1, 9]));
        assert_eq!(host(cidr("10.0.1.8/30"), 1), u32::from_be_bytes([10, 0, 1, 10]));
        assert_eq!(host(cidr("203.0.113.7/32"), 0), u32::from_be_bytes([203, 0, 113, 7]));
        for c in ["10.0.0.0/8", "10.0.1.8/30", "10.0.1.8/31", "1.2.3.4/32", "0.0.0.0/0"] {
            assert!(cidr(c).contains(host(cidr(c), 0)), "{c}");
        }
    }

    #[test]
    fn the_azure_addresses_tried_are_public() {
        for a in AZURE_PUBLIC {
            assert!(!super::super::NON_PUBLIC.iter().any(|c| c.contains(a)));
        }
    }
}
