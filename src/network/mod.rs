//! Network semantics (`docs/azure-access-semantics.md` §5 and §10 "Network places"): where an actor's
//! packets come from ([`Source`]), the ways a request can reach an endpoint ([`Path`]), and
//! [`eval::pass`], the concrete evaluator that says whether one packet gets through and which rules
//! let it. The Z3 oracle (`smt::netenc`) answers the same question for *some* packet; every packet it
//! finds is replayed here.

pub mod eval;
pub mod overrides;
pub mod probe;

use std::fmt;
use std::net::Ipv4Addr;

use crate::graph::{Endpoint, Place};
use crate::model::network::{Cidr, Nsg, PeStatus, Protocol};
use crate::model::resource::ManagedNetwork;
use crate::model::{LocationId, Model, PrivateEndpointId, Props, ResourceId, ResourceKind, SubnetId, VnetId};

/// Where a packet leaves from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A named location: its `ranges` inside private networks (through a gateway), its `egress`
    /// addresses at public endpoints.
    Location(LocationId),
    /// A node in a subnet.
    Subnet(SubnetId),
    /// A public Azure address outside every modelled network (computes without a subnet, endpoints,
    /// what could be created). Matches the service tags `Internet` and `AzureMachineLearning`, and no
    /// IP rule of a storage account or key vault (same-region traffic).
    Azure,
    /// Inside a workspace's managed network.
    Managed(ResourceId, ManagedNetwork),
}

/// A source, with the resource whose code sends the packet (for resource access rules and the trusted
/// services bypass of firewalls).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// Where the packet leaves from.
    pub source: Source,
    /// The resource sending it, when it is code running on a resource.
    pub resource: Option<ResourceId>,
}

/// How a request can reach an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathKind {
    /// The service's public endpoint, through its firewall.
    Public,
    /// An approved private endpoint in a subnet.
    Private(PrivateEndpointId),
    /// A node's private address in its subnet.
    NodePrivate(SubnetId),
    /// A node's public address.
    NodePublic,
}

/// One way to an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// How.
    pub kind: PathKind,
    /// The destination port (443 for data planes, the SSH port for nodes).
    pub port: u16,
}

/// A concrete packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Packet {
    /// Source address.
    pub src: u32,
    /// Destination address.
    pub dst: u32,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Protocol (always TCP for the requests the rules make).
    pub protocol: Protocol,
    /// The source address as the destination sees it, when it differs (traffic from a subnet to a public
    /// address leaves through Azure's outbound NAT with a public Azure address).
    pub nat_src: Option<u32>,
}

impl fmt::Display for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tcp {}:{} → {}:{}",
            Ipv4Addr::from(self.src),
            self.src_port,
            Ipv4Addr::from(self.dst),
            self.dst_port
        )?;
        if let Some(n) = self.nat_src {
            write!(f, " (seen from {} after outbound NAT)", Ipv4Addr::from(n))?;
        }
        Ok(())
    }
}

/// The address of Azure's load balancer probes (`AzureLoadBalancer`).
pub const AZURE_LOAD_BALANCER: Cidr = Cidr {
    addr: 0xA83F_8110,
    len: 32,
};

/// RFC 1918 and other non-public ranges a public address is never in.
pub const NON_PUBLIC: [Cidr; 6] = [
    Cidr {
        addr: 0x0A00_0000,
        len: 8,
    },
    Cidr {
        addr: 0xAC10_0000,
        len: 12,
    },
    Cidr {
        addr: 0xC0A8_0000,
        len: 16,
    },
    Cidr {
        addr: 0x7F00_0000,
        len: 8,
    },
    Cidr {
        addr: 0x0000_0000,
        len: 8,
    },
    Cidr {
        addr: 0xE000_0000,
        len: 3,
    },
];

/// The places of the graph as packet origins.
pub fn origins(m: &Model, place: Place) -> Vec<Origin> {
    match place {
        Place::Location(l) => vec![Origin {
            source: Source::Location(l),
            resource: None,
        }],
        Place::Resource(r) => vec![Origin {
            source: position(m, r),
            resource: Some(r),
        }],
    }
}

/// The origin as far as a path can tell it apart: the sending resource matters only when it is a
/// workspace (the trusted-services bypass) or named by a resource access rule of the target's firewall;
/// otherwise it is dropped, so every origin of the same class gets the same question and the same
/// answer (both evaluators read the resource only in those two cases).
pub fn origin_class(m: &Model, origin: Origin, path: &Path) -> Origin {
    let target = &m.resource(path.endpoint.resource()).props;
    let access_rules: &[ResourceId] = match target {
        Props::Storage(s) => &s.network_acls.resource_access_rules,
        Props::KeyVault(v) => &v.network_acls.resource_access_rules,
        _ => &[],
    };
    let matters = |r: &ResourceId| m.resource(*r).kind == ResourceKind::Workspace || access_rules.contains(r);
    Origin {
        source: origin.source,
        resource: origin.resource.filter(matters),
    }
}

/// Where a resource's code runs (semantics §10, "Network places").
pub fn position(m: &Model, r: ResourceId) -> Source {
    let res = m.resource(r);
    let managed = res.parent.and_then(|w| match &m.resource(w).props {
        Props::Workspace(p) if p.managed_network != ManagedNetwork::Disabled => Some((w, p.managed_network)),
        _ => None,
    });
    match &res.props {
        Props::Compute(c) => match (managed, c.subnet) {
            (Some((w, mode)), _) => Source::Managed(w, mode),
            (None, Some(s)) => Source::Subnet(s),
            (None, None) => Source::Azure,
        },
        Props::Vm(v) => v.subnet.map_or(Source::Azure, Source::Subnet),
        Props::Endpoint(_) => match managed {
            Some((w, mode)) => Source::Managed(w, mode),
            None => Source::Azure,
        },
        _ => Source::Azure,
    }
}

/// The subnet a node's SSH port is in, for its public address's inbound NSG: a compute's that runs
/// in its subnet (not in a managed network), or a VM's.
pub fn node_subnet(m: &Model, node: ResourceId) -> Option<SubnetId> {
    match &m.resource(node).props {
        Props::Compute(c) if matches!(position(m, node), Source::Subnet(_)) => c.subnet,
        Props::Vm(v) => v.subnet,
        _ => None,
    }
}

/// The NSG of a subnet, if it has one.
pub fn subnet_nsg(m: &Model, s: SubnetId) -> Option<&Nsg> {
    m.network
        .subnet(s)
        .and_then(|x| x.nsg)
        .and_then(|n| m.network.nsgs.get(n.index()))
}

/// The sub-resources of private endpoints that carry an endpoint's traffic (semantics §10).
fn carries(endpoint: Endpoint, subresource: &str) -> bool {
    match endpoint {
        Endpoint::Blob(_) => matches!(subresource, "blob" | "blob_secondary" | "dfs"),
        Endpoint::Vault(_) => subresource == "vault",
        Endpoint::Registry(_) => subresource == "registry",
        Endpoint::Workspace(_) | Endpoint::Scoring(_) => subresource == "amlworkspace",
        Endpoint::Ssh(_) => false,
    }
}

/// Every way to an endpoint.
pub fn paths(m: &Model, endpoint: Endpoint) -> Vec<Path> {
    let r = endpoint.resource();
    let mut out = Vec::new();
    match endpoint {
        Endpoint::Ssh(_) => {
            let (subnet, public_ip, port) = match &m.resource(r).props {
                Props::Compute(c) => (
                    if matches!(position(m, r), Source::Subnet(_)) {
                        c.subnet
                    } else {
                        None
                    },
                    c.public_ip,
                    c.ssh_port,
                ),
                Props::Vm(v) => (v.subnet, v.public_ip, 22),
                _ => (None, false, 22),
            };
            if let Some(s) = subnet {
                out.push(Path {
                    endpoint,
                    kind: PathKind::NodePrivate(s),
                    port,
                });
            }
            if public_ip {
                out.push(Path {
                    endpoint,
                    kind: PathKind::NodePublic,
                    port,
                });
            }
        }
        _ => {
            out.push(Path {
                endpoint,
                kind: PathKind::Public,
                port: 443,
            });
            // Scoring goes through the workspace's private endpoints.
            let target = match endpoint {
                Endpoint::Scoring(e) => m.resource(e).parent.unwrap_or(e),
                _ => r,
            };
            for (i, pe) in m.network.private_endpoints.iter().enumerate() {
                if pe.target == target && pe.status == PeStatus::Approved && carries(endpoint, &pe.subresource) {
                    out.push(Path {
                        endpoint,
                        kind: PathKind::Private(PrivateEndpointId::from_index(i)),
                        port: 443,
                    });
                }
            }
        }
    }
    out
}

/// The VNet a subnet belongs to.
pub fn vnet_of(m: &Model, s: SubnetId) -> Option<VnetId> {
    m.network.subnet(s).map(|x| x.vnet)
}

/// VNets that exchange traffic with `v` directly: itself and its peers (peering is not transitive).
pub fn connected_vnets(m: &Model, v: VnetId) -> Vec<VnetId> {
    let mut out = vec![v];
    for (a, b) in &m.network.peerings {
        if *a == v {
            out.push(*b);
        }
        if *b == v {
            out.push(*a);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Locations routed into a VNet: by a gateway into it, or into a VNet peered with it (gateway transit,
/// assumed enabled: an over-approximation).
pub fn gateway_locations(m: &Model, v: VnetId) -> Vec<LocationId> {
    let near = connected_vnets(m, v);
    let mut out: Vec<LocationId> = m
        .network
        .gateways
        .iter()
        .filter(|(_, gv)| near.contains(gv))
        .map(|(l, _)| *l)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The addresses of the `VirtualNetwork` service tag as seen from a VNet: its address space, its peers'
/// and the ranges of locations routed in.
pub fn virtual_network_tag(m: &Model, v: VnetId) -> Vec<Cidr> {
    let mut out = Vec::new();
    for x in connected_vnets(m, v) {
        if let Some(vn) = m.network.vnets.get(x.index()) {
            out.extend(vn.address_space.iter().copied());
        }
    }
    for l in gateway_locations(m, v) {
        out.extend(m.location(l).ranges.iter().copied());
    }
    out
}

/// Every VNet address space of the model (the complement is the `Internet` tag).
pub fn all_vnet_space(m: &Model) -> Vec<Cidr> {
    m.network
        .vnets
        .iter()
        .flat_map(|v| v.address_space.iter().copied())
        .collect()
}

/// The address ranges an origin's packets can have on a path: private-side for private paths,
/// public-side for public ones. `None` means "a public Azure address" (see [`Source::Azure`]).
pub fn source_ranges(m: &Model, origin: Origin, path: &Path) -> Option<Vec<Cidr>> {
    let public = matches!(path.kind, PathKind::Public | PathKind::NodePublic);
    match origin.source {
        Source::Location(l) => {
            let loc = m.location(l);
            Some(if public { loc.egress.clone() } else { loc.ranges.clone() })
        }
        Source::Subnet(s) => m.network.subnet(s).map(|x| vec![x.prefix]),
        Source::Azure | Source::Managed(..) => None,
    }
}

/// The kind of service behind an endpoint's public side, for service endpoints and service tags.
pub fn service_endpoint_name(m: &Model, endpoint: Endpoint) -> Option<&'static str> {
    match m.resource(endpoint.resource()).kind {
        ResourceKind::StorageAccount => Some("Microsoft.Storage"),
        ResourceKind::KeyVault => Some("Microsoft.KeyVault"),
        ResourceKind::ContainerRegistry => Some("Microsoft.ContainerRegistry"),
        _ => None,
    }
}

/// A source in words.
pub fn source_text(m: &Model, s: Source) -> String {
    match s {
        Source::Location(l) => format!("location {}", m.location(l).name),
        Source::Subnet(x) => format!("subnet {}", m.network.subnet_name(x)),
        Source::Azure => "a public Azure address".to_string(),
        Source::Managed(w, _) => format!("the managed network of {}", m.resource(w).name),
    }
}

/// A path in words.
pub fn path_text(m: &Model, p: &Path) -> String {
    let name = m.resource_display(p.endpoint.resource());
    match p.kind {
        PathKind::Public => format!("the public endpoint of {name} ({})", p.endpoint.service()),
        PathKind::Private(pe) => format!(
            "private endpoint {} of {name} in {}",
            m.network.private_endpoint(pe).map_or("?", |x| x.name.as_str()),
            m.network
                .private_endpoint(pe)
                .map_or("?".to_string(), |x| m.network.subnet_name(x.subnet))
        ),
        PathKind::NodePrivate(s) => format!("the SSH port {} of {name} in {}", p.port, m.network.subnet_name(s)),
        PathKind::NodePublic => format!("the SSH port {} of {name} at its public address", p.port),
    }
}
