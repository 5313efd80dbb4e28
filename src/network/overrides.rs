//! What an actor may change in the network: NSGs whose rules it may rewrite (P29) and managed networks
//! whose outbound rules it may extend (P28). A network question asked "after the change" is asked on a
//! copy of the network facts with the NSGs open (an allow-all rule above every other, both directions) and the
//! managed networks allowing internet outbound.

use super::{Source, paths, position};
use crate::graph::{Endpoint, Place};
use crate::model::network::{Access, AddressMatch, Direction, NsgRule, PortRange, Protocol};
use crate::model::resource::ManagedNetwork;
use crate::model::{Model, NsgId, Props, ResourceId};

/// Network changes an actor has made.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Overrides {
    /// NSGs opened (P29).
    pub open_nsgs: Vec<NsgId>,
    /// Workspaces whose managed network allows internet outbound (P28).
    pub open_egress: Vec<ResourceId>,
}

impl Overrides {
    /// No change.
    pub fn is_empty(&self) -> bool {
        self.open_nsgs.is_empty() && self.open_egress.is_empty()
    }

    /// In words.
    pub fn text(&self, m: &Model) -> String {
        let mut parts: Vec<String> = self
            .open_nsgs
            .iter()
            .filter_map(|n| m.network.nsgs.get(n.index()))
            .map(|n| format!("NSG {} opened", n.name))
            .collect();
        parts.extend(
            self.open_egress
                .iter()
                .map(|w| format!("managed network of {} opened to the internet", m.resource(*w).name)),
        );
        parts.join(", ")
    }
}

fn allow_all(direction: Direction) -> NsgRule {
    NsgRule {
        name: "opened-by-the-actor".to_string(),
        priority: 100,
        direction,
        access: Access::Allow,
        protocol: Protocol::Any,
        source: vec![AddressMatch::Any],
        source_ports: vec![PortRange::ANY],
        destination: vec![AddressMatch::Any],
        destination_ports: vec![PortRange::ANY],
        default: false,
    }
}

/// A copy of what the network is decided from ([`Model::network_view`]), with the changes made.
pub fn apply(m: &Model, ov: &Overrides) -> Model {
    let mut out = m.network_view();
    for n in &ov.open_nsgs {
        if let Some(nsg) = out.network.nsgs.get_mut(n.index()) {
            nsg.rules.retain(|r| r.default);
            nsg.rules.push(allow_all(Direction::Inbound));
            nsg.rules.push(allow_all(Direction::Outbound));
            nsg.rules.sort_by_key(|r| (r.direction, r.priority));
        }
    }
    for w in &ov.open_egress {
        if let Some(r) = out.resources.get_mut(w.index())
            && let Props::Workspace(p) = &mut r.props
            && p.managed_network == ManagedNetwork::AllowOnlyApprovedOutbound
        {
            p.managed_network = ManagedNetwork::AllowInternetOutbound;
        }
    }
    out
}

/// The NSGs on the ways from a place to an endpoint, and the managed network the place is in, if any.
pub fn involved(m: &Model, place: Place, endpoint: Endpoint) -> (Vec<NsgId>, Option<ResourceId>) {
    let mut nsgs = Vec::new();
    let mut managed = None;
    let nsg_of = |s: crate::model::SubnetId| m.network.subnet(s).and_then(|x| x.nsg);
    if let Place::Resource(r) = place {
        match position(m, r) {
            Source::Subnet(s) => nsgs.extend(nsg_of(s)),
            Source::Managed(w, ManagedNetwork::AllowOnlyApprovedOutbound) => managed = Some(w),
            _ => {}
        }
    }
    for p in paths(m, endpoint) {
        match p.kind {
            super::PathKind::Private(pe) => {
                if let Some(x) = m.network.private_endpoint(pe)
                    && m.network
                        .subnet(x.subnet)
                        .is_some_and(|s| s.private_endpoint_network_policies)
                {
                    nsgs.extend(nsg_of(x.subnet));
                }
            }
            super::PathKind::NodePrivate(s) => nsgs.extend(nsg_of(s)),
            super::PathKind::NodePublic => {
                let node = endpoint.resource();
                let subnet = match &m.resource(node).props {
                    Props::Compute(c) => c.subnet,
                    Props::Vm(v) => v.subnet,
                    _ => None,
                };
                nsgs.extend(subnet.and_then(nsg_of));
            }
            super::PathKind::Public => {}
        }
    }
    nsgs.sort();
    nsgs.dedup();
    (nsgs, managed)
}
