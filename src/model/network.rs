//! Network facts of the model: CIDRs, VNets, subnets, NSGs with Azure's default rules, private
//! endpoints, peerings and gateways (`spec/model-format.md`, Network). The semantics of these facts
//! live in `network`.

use std::fmt;
use std::net::Ipv4Addr;

use super::ids::{LocationId, NsgId, PrivateEndpointId, ResourceId, SubnetId, VnetId};

/// An IPv4 prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    /// The network address (host bits cleared).
    pub addr: u32,
    /// Prefix length, 0..=32.
    pub len: u8,
}

impl Cidr {
    /// Every IPv4 address.
    pub const ANY: Cidr = Cidr { addr: 0, len: 0 };

    /// Parses `a.b.c.d/n` or a single address `a.b.c.d` (a /32). Host bits are cleared, as Azure does.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let text = text.trim();
        let (addr, len) = match text.split_once('/') {
            Some((a, l)) => (
                a,
                l.parse::<u8>()
                    .ok()
                    .filter(|l| *l <= 32)
                    .ok_or_else(|| format!("`{text}` has an invalid prefix length (expected 0 to 32)"))?,
            ),
            None => (text, 32),
        };
        let ip: Ipv4Addr = addr.parse().map_err(|_| {
            if addr.contains(':') {
                format!("`{text}` is an IPv6 prefix; only IPv4 is modelled")
            } else {
                format!("`{text}` is not an IPv4 address or CIDR")
            }
        })?;
        let raw = u32::from(ip);
        Ok(Cidr {
            addr: raw & Self::mask(len),
            len,
        })
    }

    fn mask(len: u8) -> u32 {
        if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) }
    }

    /// The last address of the prefix.
    pub fn last(self) -> u32 {
        self.addr | !Self::mask(self.len)
    }

    /// True when `ip` lies in the prefix.
    pub fn contains(self, ip: u32) -> bool {
        ip & Self::mask(self.len) == self.addr
    }

    /// True when every address of `other` lies in this prefix.
    pub fn covers(self, other: Cidr) -> bool {
        self.len <= other.len && self.contains(other.addr)
    }

    /// True when the two prefixes share an address.
    pub fn overlaps(self, other: Cidr) -> bool {
        self.covers(other) || other.covers(self)
    }

    /// True for RFC 1918 private ranges.
    pub fn is_private(self) -> bool {
        [
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
        ]
        .iter()
        .any(|p| p.covers(self))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.addr), self.len)
    }
}

/// A closed range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    /// First port.
    pub from: u16,
    /// Last port (inclusive).
    pub to: u16,
}

impl PortRange {
    /// Every port.
    pub const ANY: PortRange = PortRange { from: 0, to: 65535 };

    /// Parses `*`, `22` or `50000-50001`.
    pub fn parse(text: &str) -> Result<PortRange, String> {
        let t = text.trim();
        if t == "*" {
            return Ok(PortRange::ANY);
        }
        let bad = || format!("`{text}` is not a port, a port range like `50000-50001`, or `*`");
        let (a, b) = t.split_once('-').unwrap_or((t, t));
        let from: u16 = a.trim().parse().map_err(|_| bad())?;
        let to: u16 = b.trim().parse().map_err(|_| bad())?;
        if from > to {
            return Err(format!("port range `{text}` ends before it starts"));
        }
        Ok(PortRange { from, to })
    }

    /// True when the port is in the range.
    pub fn contains(self, port: u16) -> bool {
        self.from <= port && port <= self.to
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == PortRange::ANY {
            f.write_str("*")
        } else if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// Direction of an NSG rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Traffic into the subnet or NIC.
    Inbound,
    /// Traffic out of it.
    Outbound,
}

/// Decision of an NSG rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// Let the packet through.
    Allow,
    /// Drop it.
    Deny,
}

/// Protocol of an NSG rule or packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP.
    Icmp,
    /// Any protocol (rules only).
    Any,
}

/// Service tags the model understands.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceTag {
    /// Addresses outside every VNet.
    Internet,
    /// The VNet's address space plus peered and gateway-connected spaces.
    VirtualNetwork,
    /// Azure's load balancer probes.
    AzureLoadBalancer,
    /// Any other tag as written (e.g. `AzureMachineLearning`, `Storage.westeurope`).
    Other(String),
}

/// A source or destination of an NSG rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AddressMatch {
    /// `*`: every address.
    Any,
    /// A prefix.
    Cidr(Cidr),
    /// A named location's ranges.
    Location(LocationId),
    /// A service tag.
    Tag(ServiceTag),
}

/// One NSG rule (Azure's defaults included, marked `default`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsgRule {
    /// Name.
    pub name: String,
    /// Priority; lower wins.
    pub priority: u32,
    /// Direction.
    pub direction: Direction,
    /// Decision.
    pub access: Access,
    /// Protocol.
    pub protocol: Protocol,
    /// Sources.
    pub source: Vec<AddressMatch>,
    /// Source ports.
    pub source_ports: Vec<PortRange>,
    /// Destinations.
    pub destination: Vec<AddressMatch>,
    /// Destination ports.
    pub destination_ports: Vec<PortRange>,
    /// One of Azure's implied default rules.
    pub default: bool,
}

/// A network security group; `rules` are sorted by direction then priority.
#[derive(Debug, Clone, PartialEq)]
pub struct Nsg {
    /// Name.
    pub name: String,
    /// The NSG as a resource (for RBAC scopes).
    pub resource: ResourceId,
    /// Rules, user rules and Azure's defaults.
    pub rules: Vec<NsgRule>,
}

/// A virtual network.
#[derive(Debug, Clone, PartialEq)]
pub struct Vnet {
    /// Name.
    pub name: String,
    /// The VNet as a resource.
    pub resource: ResourceId,
    /// Address prefixes.
    pub address_space: Vec<Cidr>,
    /// Subnets.
    pub subnets: Vec<SubnetId>,
}

/// A subnet.
#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    /// Name within its VNet.
    pub name: String,
    /// The VNet.
    pub vnet: VnetId,
    /// Address prefix.
    pub prefix: Cidr,
    /// NSG on the subnet.
    pub nsg: Option<NsgId>,
    /// Service endpoints, as written.
    pub service_endpoints: Vec<String>,
    /// The NSG also filters private-endpoint traffic.
    pub private_endpoint_network_policies: bool,
}

/// Approval state of a private endpoint connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeStatus {
    /// Carries traffic.
    Approved,
    /// Does not carry traffic yet.
    Pending,
    /// Does not carry traffic.
    Rejected,
}

/// A private endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivateEndpoint {
    /// Name.
    pub name: String,
    /// The private endpoint as a resource.
    pub resource: ResourceId,
    /// The target resource.
    pub target: ResourceId,
    /// Sub-resource (`blob`, `vault`, ...), lower-cased.
    pub subresource: String,
    /// The subnet of its NIC.
    pub subnet: SubnetId,
    /// Connection state.
    pub status: PeStatus,
    /// Its private address, if given.
    pub ip: Option<u32>,
}

/// All network facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    /// VNets.
    pub vnets: Vec<Vnet>,
    /// Subnets of all VNets.
    pub subnets: Vec<Subnet>,
    /// Bidirectional peerings.
    pub peerings: Vec<(VnetId, VnetId)>,
    /// Locations routed into VNets.
    pub gateways: Vec<(LocationId, VnetId)>,
    /// NSGs.
    pub nsgs: Vec<Nsg>,
    /// Private endpoints.
    pub private_endpoints: Vec<PrivateEndpoint>,
}

impl Network {
    /// A subnet by id.
    pub fn subnet(&self, id: SubnetId) -> Option<&Subnet> {
        self.subnets.get(id.index())
    }

    /// `vnet/subnet` display name of a subnet.
    pub fn subnet_name(&self, id: SubnetId) -> String {
        match self.subnet(id) {
            Some(s) => format!(
                "{}/{}",
                self.vnets.get(s.vnet.index()).map_or("?", |v| v.name.as_str()),
                s.name
            ),
            None => "?".to_string(),
        }
    }

    /// A private endpoint by id.
    pub fn private_endpoint(&self, id: PrivateEndpointId) -> Option<&PrivateEndpoint> {
        self.private_endpoints.get(id.index())
    }
}

/// Azure's default NSG rules (`spec/azure-access-semantics.md` §5.6), implied in every NSG.
pub fn default_nsg_rules() -> Vec<NsgRule> {
    let rule = |name: &str, priority, direction, access, source: AddressMatch, destination: AddressMatch| NsgRule {
        name: name.to_string(),
        priority,
        direction,
        access,
        protocol: Protocol::Any,
        source: vec![source],
        source_ports: vec![PortRange::ANY],
        destination: vec![destination],
        destination_ports: vec![PortRange::ANY],
        default: true,
    };
    let vnet = || AddressMatch::Tag(ServiceTag::VirtualNetwork);
    vec![
        rule(
            "AllowVNetInBound",
            65000,
            Direction::Inbound,
            Access::Allow,
            vnet(),
            vnet(),
        ),
        rule(
            "AllowAzureLoadBalancerInBound",
            65001,
            Direction::Inbound,
            Access::Allow,
            AddressMatch::Tag(ServiceTag::AzureLoadBalancer),
            AddressMatch::Any,
        ),
        rule(
            "DenyAllInBound",
            65500,
            Direction::Inbound,
            Access::Deny,
            AddressMatch::Any,
            AddressMatch::Any,
        ),
        rule(
            "AllowVnetOutBound",
            65000,
            Direction::Outbound,
            Access::Allow,
            vnet(),
            vnet(),
        ),
        rule(
            "AllowInternetOutBound",
            65001,
            Direction::Outbound,
            Access::Allow,
            AddressMatch::Any,
            AddressMatch::Tag(ServiceTag::Internet),
        ),
        rule(
            "DenyAllOutBound",
            65500,
            Direction::Outbound,
            Access::Deny,
            AddressMatch::Any,
            AddressMatch::Any,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_parse_and_clear_host_bits() {
        assert_eq!(Cidr::parse("10.20.3.4/16").unwrap().to_string(), "10.20.0.0/16");
        assert_eq!(Cidr::parse("203.0.113.9").unwrap().to_string(), "203.0.113.9/32");
        assert_eq!(Cidr::parse("0.0.0.0/0").unwrap(), Cidr::ANY);
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("fe80::/10").unwrap_err().contains("IPv6"));
        assert!(Cidr::parse("corp").is_err());
    }

    #[test]
    fn containment() {
        let a = Cidr::parse("10.0.0.0/8").unwrap();
        let b = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(a.covers(b) && !b.covers(a) && a.overlaps(b));
        assert!(b.is_private());
        assert!(!Cidr::parse("8.8.8.8").unwrap().is_private());
    }

    #[test]
    fn port_ranges() {
        assert_eq!(PortRange::parse("*").unwrap(), PortRange::ANY);
        assert_eq!(
            PortRange::parse("50000-50001").unwrap(),
            PortRange { from: 50000, to: 50001 }
        );
        assert!(PortRange::parse("22-21").is_err());
        assert!(PortRange::parse("ssh").is_err());
    }
}
