//! Virtual networks (with their subnets and peerings), network security groups (with their rules) and
//! private endpoints (with their connections' approval state).

use super::{ArmId, Buckets, Cx, Kind, copy};
use crate::diag::Pos;
use crate::import::build::{MapBuilder, field, node_at, number, seq, str_at, text};
use crate::source::Node;

const VNET: &str = "microsoft.network/virtualnetworks";
const NSG: &str = "microsoft.network/networksecuritygroups";
const PRIVATE_ENDPOINT: &str = "microsoft.network/privateendpoints";

fn of_type<'b>(b: &'b Buckets, t: &'static str) -> impl Iterator<Item = &'b Node> {
    b.of(Kind::Resource)
        .filter(move |r| str_at(r, &["type"]).is_some_and(|x| x.eq_ignore_ascii_case(t)))
}

/// Names VNets and NSGs before resources refer to their subnets.
pub fn register(cx: &mut Cx, b: &Buckets) {
    for (t, kind) in [(VNET, "vnet"), (NSG, "nsg")] {
        for r in of_type(b, t) {
            let Some(id) = str_at(r, &["id"]) else { continue };
            let arm = ArmId::parse(id);
            let name = str_at(r, &["name"])
                .or_else(|| arm.as_ref().and_then(ArmId::name))
                .unwrap_or(id)
                .to_string();
            let qualifier = arm.and_then(|a| a.group).unwrap_or_default();
            if kind == "vnet" && node_at(r, &["properties", "addressSpace"]).is_none() {
                // A listing that projected the properties away (`project id, name, type`) says
                // nothing of the VNet; its subnets stay unknown to whatever names them.
                cx.warn(
                    r.pos,
                    format!(
                        "VNet `{name}` has no address space in the export (were its properties exported?); left out of the network"
                    ),
                );
                cx.left_out(format!("VNet `{name}`: no address space in the export"));
                continue;
            }
            let model_name = cx.names.unique(kind, &name, &qualifier);
            let names = if kind == "vnet" {
                &mut cx.vnet_names
            } else {
                &mut cx.nsg_names
            };
            names.insert(id.to_lowercase(), model_name);
        }
    }
}

/// What the network section holds.
#[derive(Default)]
pub struct Network {
    vnets: Vec<Node>,
    peerings: Vec<Node>,
    nsgs: Vec<Node>,
    private_endpoints: Vec<Node>,
}

impl Network {
    /// True when the export held no network.
    pub fn is_empty(&self) -> bool {
        self.vnets.is_empty() && self.nsgs.is_empty() && self.private_endpoints.is_empty()
    }

    /// The `network:` mapping.
    pub fn done(self) -> Node {
        let pos = Pos::default();
        let mut m = MapBuilder::new(pos);
        for (key, list) in [
            ("vnets", self.vnets),
            ("peerings", self.peerings),
            ("nsgs", self.nsgs),
            ("private_endpoints", self.private_endpoints),
        ] {
            if !list.is_empty() {
                m.put(key, seq(list, pos));
            }
        }
        m.done()
    }
}

/// Strings of a field that Azure gives either as one string (`sourceAddressPrefix`) or a list
/// (`sourceAddressPrefixes`).
fn one_or_many(p: &Node, one: &str, many: &str) -> Vec<Node> {
    let mut out: Vec<Node> = node_at(p, &[many])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|x| x.as_str().map(|s| text(s, x.pos)))
        .collect();
    if out.is_empty()
        && let Some(v) = copy(p, &[one])
    {
        out.push(v);
    }
    out
}

fn group_of(cx: &mut Cx, id: &str) -> Option<String> {
    let arm = ArmId::parse(id)?;
    let g = arm.group.as_deref()?;
    Some(super::resources::group_name(cx, &arm.subscription, g))
}

fn vnet(cx: &mut Cx, r: &Node, out: &mut Network) {
    let Some(id) = str_at(r, &["id"]) else { return };
    let Some(name) = cx.vnet_names.get(&id.to_lowercase()).cloned() else {
        return;
    };
    let pos = r.pos;
    let p = node_at(r, &["properties"]);
    let space = p
        .and_then(|p| node_at(p, &["addressSpace"]))
        .map(|a| one_or_many(a, "addressPrefix", "addressPrefixes"))
        .unwrap_or_default();

    let mut subnets = Vec::new();
    for s in p
        .and_then(|p| node_at(p, &["subnets"]))
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(sname) = str_at(s, &["name"]) else { continue };
        let sp = node_at(s, &["properties"]);
        let prefixes = sp
            .map(|sp| one_or_many(sp, "addressPrefix", "addressPrefixes"))
            .unwrap_or_default();
        let Some(prefix) = prefixes.into_iter().next() else {
            cx.warn(
                s.pos,
                format!("subnet `{name}/{sname}` has no address prefix; left out"),
            );
            continue;
        };
        let mut m = MapBuilder::new(s.pos)
            .set("name", text(sname, s.pos))
            .set("prefix", prefix);
        if let Some(sp) = sp {
            if let Some(nsg_id) = str_at(sp, &["networkSecurityGroup", "id"]) {
                match cx.nsg_names.get(&nsg_id.to_lowercase()) {
                    Some(n) => m.put("nsg", text(n, s.pos)),
                    None => cx.left_out(format!(
                        "NSG `{nsg_id}` of subnet `{name}/{sname}`: not in the export (the subnet is modelled without it, i.e. more open)"
                    )),
                }
            }
            let endpoints: Vec<Node> = node_at(sp, &["serviceEndpoints"])
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| copy(e, &["service"]))
                .collect();
            if !endpoints.is_empty() {
                m.put("service_endpoints", seq(endpoints, s.pos));
            }
            // Azure's `privateEndpointNetworkPolicies`: Enabled (or NetworkSecurityGroupEnabled) makes the
            // subnet's NSG filter private-endpoint traffic.
            if let Some(policies) = str_at(sp, &["privateEndpointNetworkPolicies"]) {
                let on = policies.eq_ignore_ascii_case("Enabled")
                    || policies.eq_ignore_ascii_case("NetworkSecurityGroupEnabled");
                m.put(
                    "private_endpoint_network_policies",
                    crate::import::build::boolean(on, s.pos),
                );
            }
        }
        subnets.push(m.done());
    }
    for peering in p
        .and_then(|p| node_at(p, &["virtualNetworkPeerings"]))
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let state = str_at(peering, &["properties", "peeringState"]).unwrap_or("Connected");
        if !state.eq_ignore_ascii_case("Connected") {
            continue;
        }
        let Some(remote) = str_at(peering, &["properties", "remoteVirtualNetwork", "id"]) else {
            continue;
        };
        match cx.vnet_names.get(&remote.to_lowercase()) {
            // Each side lists the peering; keep it once.
            Some(other) if name.to_lowercase() < other.to_lowercase() => {
                out.peerings.push(seq(
                    vec![text(&name, peering.pos), text(other, peering.pos)],
                    peering.pos,
                ));
            }
            Some(_) => {}
            None => cx.left_out(format!(
                "peering of VNet `{name}` with `{remote}`: the remote VNet is not in the export"
            )),
        }
    }
    out.vnets.push(
        MapBuilder::new(pos)
            .set("name", text(&name, pos))
            .opt("group", group_of(cx, id).map(|g| text(&g, pos)))
            .set("address_space", seq(space, pos))
            .set("subnets", seq(subnets, pos))
            .done(),
    );
    cx.summary.count("vnets");
}

fn nsg(cx: &mut Cx, r: &Node, out: &mut Network) {
    let Some(id) = str_at(r, &["id"]) else { return };
    let Some(name) = cx.nsg_names.get(&id.to_lowercase()).cloned() else {
        return;
    };
    let pos = r.pos;
    let mut rules = Vec::new();
    // Azure's default rules (65000..65500) are implied by the model; only the custom ones are listed.
    for rule in node_at(r, &["properties", "securityRules"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(p) = node_at(rule, &["properties"]) else {
            continue;
        };
        let rpos = rule.pos;
        let priority = node_at(p, &["priority"])
            .and_then(Node::as_str)
            .and_then(|s| s.parse::<u64>().ok());
        let Some(priority) = priority else {
            cx.warn(rpos, format!("a rule of NSG `{name}` has no priority; left out"));
            continue;
        };
        let list = |one: &str, many: &str| {
            let v = one_or_many(p, one, many);
            if v.is_empty() { vec![text("*", rpos)] } else { v }
        };
        rules.push(
            MapBuilder::new(rpos)
                .set("name", text(str_at(rule, &["name"]).unwrap_or("rule"), rpos))
                .set("priority", number(priority, rpos))
                .opt("direction", copy(p, &["direction"]))
                .opt("access", copy(p, &["access"]))
                .opt("protocol", copy(p, &["protocol"]))
                .set(
                    "source",
                    seq(list("sourceAddressPrefix", "sourceAddressPrefixes"), rpos),
                )
                .set("source_ports", seq(list("sourcePortRange", "sourcePortRanges"), rpos))
                .set(
                    "destination",
                    seq(list("destinationAddressPrefix", "destinationAddressPrefixes"), rpos),
                )
                .set(
                    "destination_ports",
                    seq(list("destinationPortRange", "destinationPortRanges"), rpos),
                )
                .done(),
        );
        if field(p, "sourceApplicationSecurityGroups").is_some()
            || field(p, "destinationApplicationSecurityGroups").is_some()
        {
            cx.warn(
                rpos,
                format!(
                    "rule of NSG `{name}` uses application security groups, which the model does not hold; \
                     the rule is kept with its address prefixes only"
                ),
            );
        }
    }
    out.nsgs.push(
        MapBuilder::new(pos)
            .set("name", text(&name, pos))
            .opt("group", group_of(cx, id).map(|g| text(&g, pos)))
            .set("rules", seq(rules, pos))
            .done(),
    );
    cx.summary.count("nsgs");
}

fn private_endpoint(cx: &mut Cx, r: &Node, out: &mut Network) {
    let Some(id) = str_at(r, &["id"]) else { return };
    let name = str_at(r, &["name"]).unwrap_or(id);
    let pos = r.pos;
    let Some(p) = node_at(r, &["properties"]) else { return };
    let Some(subnet_id) = str_at(p, &["subnet", "id"]) else {
        cx.warn(pos, format!("private endpoint `{name}` names no subnet; left out"));
        return;
    };
    let Some(subnet) = super::resources::subnet_ref(cx, subnet_id) else {
        cx.left_out(format!(
            "private endpoint `{name}`: its subnet's VNet `{subnet_id}` is not in the export"
        ));
        return;
    };
    let ip = node_at(p, &["customDnsConfigs"])
        .and_then(Node::as_seq)
        .and_then(|c| c.first())
        .and_then(|c| node_at(c, &["ipAddresses"]))
        .and_then(Node::as_seq)
        .and_then(|ips| ips.first())
        .and_then(|ip| ip.as_str().map(|s| text(s, ip.pos)));
    let connections = ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"]
        .iter()
        .flat_map(|k| node_at(p, &[k]).and_then(Node::as_seq).unwrap_or_default());
    for (i, c) in connections.enumerate() {
        let Some(cp) = node_at(c, &["properties"]) else {
            continue;
        };
        let Some(target) = str_at(cp, &["privateLinkServiceId"]) else {
            continue;
        };
        let Some(resource) = cx.resource_name(target) else {
            cx.left_out(format!(
                "private endpoint `{name}` to `{target}`: the target is not in the export"
            ));
            continue;
        };
        let groups: Vec<&str> = node_at(cp, &["groupIds"])
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let status = copy(cp, &["privateLinkServiceConnectionState", "status"]);
        for (j, g) in groups.iter().enumerate() {
            let pe_name = if i == 0 && j == 0 {
                name.to_string()
            } else {
                format!("{name}/{g}")
            };
            out.private_endpoints.push(
                MapBuilder::new(c.pos)
                    .set("name", text(&pe_name, c.pos))
                    .set("resource", text(&resource, c.pos))
                    .set("subresource", text(&g.to_ascii_lowercase(), c.pos))
                    .set("subnet", text(&subnet, pos))
                    .opt("status", status.clone())
                    .opt("ip", ip.clone())
                    .done(),
            );
            cx.summary.count("private endpoints");
        }
    }
}

/// Builds the network section.
pub fn network(cx: &mut Cx, b: &Buckets) -> Network {
    let mut out = Network::default();
    for r in of_type(b, VNET) {
        vnet(cx, r, &mut out);
    }
    for r in of_type(b, NSG) {
        nsg(cx, r, &mut out);
    }
    for r in of_type(b, PRIVATE_ENDPOINT) {
        private_endpoint(cx, r, &mut out);
    }
    out
}
