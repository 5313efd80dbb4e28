//! The concrete network evaluator: does this packet, from this origin, on this path, get through? Plain
//! Rust over the model, written to be read against §5 and §10 of the semantics; the Z3 oracle is checked
//! against it (every packet it finds is replayed here, and tests compare the two by enumeration).

use super::{
    AZURE_LOAD_BALANCER, NON_PUBLIC, Origin, Packet, Path, PathKind, Source, all_vnet_space, connected_vnets,
    gateway_locations, service_endpoint_name, source_ranges, subnet_nsg, virtual_network_tag, vnet_of,
};
use crate::graph::Endpoint;
use crate::model::network::{Access, AddressMatch, Cidr, Direction, Nsg, NsgRule, Protocol, ServiceTag};
use crate::model::resource::{DefaultAction, ManagedNetwork, NetworkAcls, PublicAccess};
use crate::model::{Model, Props, ResourceKind, SubnetId};

/// What let a packet through, rule by rule.
pub type Evidence = Vec<String>;

fn within(list: &[Cidr], a: u32) -> bool {
    list.iter().any(|c| c.contains(a))
}

/// True for a public Azure address as §10 defines it: public, outside every VNet and every location
/// (except locations that span everything, like `internet`).
pub fn is_azure_public(m: &Model, a: u32) -> bool {
    !within(&NON_PUBLIC, a)
        && !within(&all_vnet_space(m), a)
        && !m
            .locations
            .iter()
            .filter(|l| !l.ranges.iter().chain(l.egress.iter()).any(|c| c.len == 0))
            .any(|l| within(&l.ranges, a) || within(&l.egress, a))
}

/// True for an address on the public internet side (not private, not in a VNet).
pub fn is_public(m: &Model, a: u32) -> bool {
    !within(&NON_PUBLIC, a) && !within(&all_vnet_space(m), a)
}

/// Does an NSG address match cover the address? Tags the tool cannot resolve match on allow rules and
/// not on deny rules (an over-approximation: it can only let more through). `vnet_tag` is the
/// `VirtualNetwork` tag as seen from the NSG's subnet; `azure` says the address is a public Azure one.
fn address_matches(m: &Model, am: &AddressMatch, a: u32, vnet_tag: &[Cidr], allow: bool, azure: bool) -> bool {
    match am {
        AddressMatch::Any => true,
        AddressMatch::Cidr(c) => c.contains(a),
        AddressMatch::Location(l) => {
            let loc = m.location(*l);
            within(&loc.ranges, a) || within(&loc.egress, a)
        }
        AddressMatch::Tag(ServiceTag::VirtualNetwork) => within(vnet_tag, a),
        AddressMatch::Tag(ServiceTag::Internet) => !within(&all_vnet_space(m), a),
        AddressMatch::Tag(ServiceTag::AzureLoadBalancer) => AZURE_LOAD_BALANCER.contains(a),
        AddressMatch::Tag(ServiceTag::Other(name)) => {
            if azure && name.to_lowercase().starts_with("azuremachinelearning") {
                true
            } else {
                allow
            }
        }
    }
}

fn rule_matches(
    m: &Model,
    r: &NsgRule,
    p: &Packet,
    src: u32,
    vnet_tag: &[Cidr],
    src_azure: bool,
    dst_azure: bool,
) -> bool {
    let allow = r.access == Access::Allow;
    let proto = matches!(r.protocol, Protocol::Any) || r.protocol == p.protocol;
    proto
        && r.source
            .iter()
            .any(|a| address_matches(m, a, src, vnet_tag, allow, src_azure))
        && r.source_ports.iter().any(|x| x.contains(p.src_port))
        && r.destination
            .iter()
            .any(|a| address_matches(m, a, p.dst, vnet_tag, allow, dst_azure))
        && r.destination_ports.iter().any(|x| x.contains(p.dst_port))
}

/// NSG first match by priority (rules are kept sorted by direction and priority). Returns the deciding
/// rule's description on allow, the denying rule's on deny.
#[expect(
    clippy::too_many_arguments,
    reason = "the packet's context is spelled out so the Z3 encoding can mirror it"
)]
pub fn nsg(
    m: &Model,
    nsg: &Nsg,
    dir: Direction,
    p: &Packet,
    src: u32,
    at: SubnetId,
    src_azure: bool,
    dst_azure: bool,
) -> Result<String, String> {
    let vnet_tag = vnet_of(m, at).map(|v| virtual_network_tag(m, v)).unwrap_or_default();
    let d = match dir {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound",
    };
    for r in nsg.rules.iter().filter(|r| r.direction == dir) {
        if rule_matches(m, r, p, src, &vnet_tag, src_azure, dst_azure) {
            let text = format!(
                "NSG {} {d} rule {} (priority {}, {})",
                nsg.name,
                r.name,
                r.priority,
                if r.access == Access::Allow { "allow" } else { "deny" }
            );
            return if r.access == Access::Allow { Ok(text) } else { Err(text) };
        }
    }
    Err(format!("NSG {} {d}: no rule matches", nsg.name))
}

/// Whether a packet from `origin` passes `path`. `Ok` lists what let it through; `Err` names what
/// stopped it.
pub fn pass(m: &Model, origin: Origin, path: &Path, p: &Packet) -> Result<Evidence, String> {
    let mut ev = Vec::new();
    if p.protocol != Protocol::Tcp || p.dst_port != path.port {
        return Err(format!("the request is TCP to port {}", path.port));
    }
    // The packet's source address must be one the origin has on this path.
    let ranges = source_ranges(m, origin, path);
    let src_azure = ranges.is_none();
    match &ranges {
        Some(list) if !within(list, p.src) => return Err("the source address is not one of the origin's".into()),
        None if !is_azure_public(m, p.src) => return Err("the source address is not a public Azure address".into()),
        _ => {}
    }
    // The address the destination sees: after outbound NAT for subnets going to public addresses.
    let public_path = matches!(path.kind, PathKind::Public | PathKind::NodePublic);
    let nat = matches!(origin.source, Source::Subnet(_)) && public_path;
    let seen = if nat {
        match p.nat_src {
            Some(a) if is_azure_public(m, a) => a,
            _ => return Err("traffic from a subnet to a public address leaves with a public Azure address".into()),
        }
    } else {
        p.src
    };
    let seen_azure = src_azure || nat;
    // Outbound NSG of the source subnet.
    if let Source::Subnet(s) = origin.source
        && let Some(n) = subnet_nsg(m, s)
    {
        let dst_azure = public_path && is_azure_public(m, p.dst);
        ev.push(nsg(m, n, Direction::Outbound, p, p.src, s, false, dst_azure)?);
    }
    match path.kind {
        PathKind::Public => {
            if !is_public(m, p.dst) {
                return Err("a public endpoint has a public address".into());
            }
            if let Some(e) = managed_network(m, origin, path)? {
                ev.push(e);
                return Ok(ev);
            }
            ev.push(firewall(m, origin, path, seen, seen_azure)?);
        }
        PathKind::Private(pe_id) => {
            let pe = m.network.private_endpoint(pe_id).ok_or("unknown private endpoint")?;
            let sub = m.network.subnet(pe.subnet).ok_or("unknown subnet")?;
            let dst_ok = match pe.ip {
                Some(ip) => p.dst == ip,
                None => sub.prefix.contains(p.dst),
            };
            if !dst_ok {
                return Err("the destination is not the private endpoint's address".into());
            }
            ev.push(route(m, origin, pe.subnet)?);
            if sub.private_endpoint_network_policies
                && let Some(n) = subnet_nsg(m, pe.subnet)
            {
                ev.push(nsg(m, n, Direction::Inbound, p, p.src, pe.subnet, false, false)?);
            }
            ev.push(format!("private endpoint {} (approved)", pe.name));
        }
        PathKind::NodePrivate(s) => {
            let sub = m.network.subnet(s).ok_or("unknown subnet")?;
            if !sub.prefix.contains(p.dst) {
                return Err("the destination is not an address of the node's subnet".into());
            }
            ev.push(route(m, origin, s)?);
            if let Some(n) = subnet_nsg(m, s) {
                ev.push(nsg(m, n, Direction::Inbound, p, p.src, s, false, false)?);
            }
        }
        PathKind::NodePublic => {
            if !is_public(m, p.dst) {
                return Err("a public address is public".into());
            }
            if let Some(managed) = managed_network(m, origin, path)? {
                ev.push(managed);
            }
            // The node's subnet NSG sees the public source, after the load balancer's NAT to the node.
            let node = path.endpoint.resource();
            let subnet = super::node_subnet(m, node);
            if let Some(s) = subnet
                && let Some(n) = subnet_nsg(m, s)
            {
                let to_node = Packet {
                    dst: m.network.subnet(s).map_or(p.dst, |x| x.prefix.addr),
                    ..*p
                };
                ev.push(nsg(m, n, Direction::Inbound, &to_node, seen, s, seen_azure, false)?);
            }
            ev.push(format!("public IP of {}", m.resource_display(node)));
        }
    }
    Ok(ev)
}

/// Can the origin route into a subnet's VNet?
fn route(m: &Model, origin: Origin, to: SubnetId) -> Result<String, String> {
    let v = vnet_of(m, to).ok_or("unknown VNet")?;
    let vname = m.network.vnets.get(v.index()).map_or("?", |x| x.name.as_str());
    match origin.source {
        Source::Location(l) if gateway_locations(m, v).contains(&l) => {
            Ok(format!("gateway from {} into {vname}", m.location(l).name))
        }
        Source::Subnet(s) if vnet_of(m, s).is_some_and(|u| connected_vnets(m, v).contains(&u)) => Ok(format!(
            "route from {} within or peered with {vname}",
            m.network.subnet_name(s)
        )),
        _ => Err(format!(
            "no route from {} into {vname}",
            super::source_text(m, origin.source)
        )),
    }
}

/// A workspace's managed network: its computes reach the workspace's storage, key vault, registry and
/// the workspace itself through managed private endpoints; with approved-only outbound, nothing else.
fn managed_network(m: &Model, origin: Origin, path: &Path) -> Result<Option<String>, String> {
    let Source::Managed(w, mode) = origin.source else {
        return Ok(None);
    };
    let target = path.endpoint.resource();
    let own = match &m.resource(w).props {
        Props::Workspace(p) => [p.storage_account, p.key_vault, p.container_registry, Some(w)].contains(&Some(target)),
        _ => false,
    };
    if own && path.kind == super::PathKind::Public {
        return Ok(Some(format!(
            "managed private endpoint of the managed network of {}",
            m.resource(w).name
        )));
    }
    if mode == ManagedNetwork::AllowOnlyApprovedOutbound {
        return Err(format!(
            "the managed network of {} allows only approved outbound traffic",
            m.resource(w).name
        ));
    }
    Ok(None)
}

fn acls_pass(
    m: &Model,
    acls: &NetworkAcls,
    origin: Origin,
    path: &Path,
    seen: u32,
    seen_azure: bool,
    what: &str,
) -> Result<String, String> {
    if acls.default_action == DefaultAction::Allow {
        return Ok(format!("firewall of {what}: default action Allow"));
    }
    if !seen_azure && let Some(c) = acls.ip_rules.iter().find(|c| c.contains(seen)) {
        return Ok(format!("firewall of {what}: IP rule {c}"));
    }
    if let Source::Subnet(s) = origin.source
        && acls.virtual_network_rules.contains(&s)
        && let Some(svc) = service_endpoint_name(m, path.endpoint)
        && m.network
            .subnet(s)
            .is_some_and(|x| x.service_endpoints.iter().any(|e| e.eq_ignore_ascii_case(svc)))
    {
        return Ok(format!(
            "firewall of {what}: virtual network rule {}",
            m.network.subnet_name(s)
        ));
    }
    if let Some(r) = origin.resource {
        if acls.resource_access_rules.contains(&r) {
            return Ok(format!(
                "firewall of {what}: resource access rule for {}",
                m.resource_display(r)
            ));
        }
        if acls.bypass_azure_services && m.resource(r).kind == ResourceKind::Workspace {
            return Ok(format!(
                "firewall of {what}: trusted Azure services bypass (Azure ML workspace {})",
                m.resource(r).name
            ));
        }
    }
    Err(format!(
        "firewall of {what}: default action Deny, and no IP rule, virtual network rule or resource rule admits {}",
        if seen_azure {
            "a public Azure address".to_string()
        } else {
            std::net::Ipv4Addr::from(seen).to_string()
        }
    ))
}

fn firewall(m: &Model, origin: Origin, path: &Path, seen: u32, seen_azure: bool) -> Result<String, String> {
    let target = path.endpoint.resource();
    let name = m.resource_display(target);
    let disabled = || Err(format!("public network access of {name} is disabled"));
    match (&m.resource(target).props, path.endpoint) {
        (Props::Storage(s), _) => {
            if s.public_network_access == PublicAccess::Disabled {
                return disabled();
            }
            acls_pass(m, &s.network_acls, origin, path, seen, seen_azure, &name)
        }
        (Props::KeyVault(v), _) => {
            if v.public_network_access == PublicAccess::Disabled {
                return disabled();
            }
            acls_pass(m, &v.network_acls, origin, path, seen, seen_azure, &name)
        }
        (Props::Registry(r), _) => {
            if r.public_network_access == PublicAccess::Disabled {
                return disabled();
            }
            if r.default_action == DefaultAction::Allow {
                return Ok(format!("firewall of {name}: default action Allow"));
            }
            match r.ip_rules.iter().find(|c| !seen_azure && c.contains(seen)) {
                Some(c) => Ok(format!("firewall of {name}: IP rule {c}")),
                None => Err(format!(
                    "firewall of {name}: default action Deny, and no IP rule admits the source"
                )),
            }
        }
        (Props::Workspace(w), _) => {
            if w.public_network_access == PublicAccess::Disabled {
                return disabled();
            }
            workspace_ip_rules(&w.ip_rules, seen, seen_azure, &name)
        }
        (Props::Endpoint(e), Endpoint::Scoring(_)) => {
            if e.public_network_access == PublicAccess::Disabled {
                return disabled();
            }
            let ws = m.resource(target).parent.map(|w| &m.resource(w).props);
            match ws {
                Some(Props::Workspace(w)) => workspace_ip_rules(&w.ip_rules, seen, seen_azure, &name),
                _ => Ok(format!("public network access of {name} is enabled")),
            }
        }
        _ => Err(format!("{name} has no public endpoint the tool models")),
    }
}

fn workspace_ip_rules(rules: &[Cidr], seen: u32, seen_azure: bool, name: &str) -> Result<String, String> {
    if rules.is_empty() {
        return Ok(format!("public network access of {name} is enabled"));
    }
    match rules.iter().find(|c| !seen_azure && c.contains(seen)) {
        Some(c) => Ok(format!("workspace IP rule {c} admits the source")),
        None => Err(format!(
            "public access to {name} is enabled from selected IP addresses only, and none admits the source"
        )),
    }
}
