//! How things look: a node shape per kind of fact, an edge style per channel, and the legend's entries.

use crate::channel::Channel;
use crate::graph::Fact;
use crate::model::{Model, PrincipalKind};

/// What a node of a picture stands for; each kind has its own shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    /// A user (or anyone at a location), where a path starts.
    User,
    /// A group.
    Group,
    /// A service principal or managed identity: an identity whose token can be taken.
    Identity,
    /// A place packets come from.
    Location,
    /// A network endpoint a packet reaches.
    Endpoint,
    /// A key, secret or token held.
    Credential,
    /// A control-plane permission or a change made with one.
    Permission,
    /// Running code somewhere.
    Foothold,
    /// What queries ask about: data, secrets, invoke, push, use.
    Capability,
    /// A resource the tool does not model.
    Unmodelled,
}

impl NodeKind {
    /// Every kind, in legend order.
    pub const ALL: [NodeKind; 10] = [
        NodeKind::User,
        NodeKind::Group,
        NodeKind::Identity,
        NodeKind::Location,
        NodeKind::Endpoint,
        NodeKind::Credential,
        NodeKind::Permission,
        NodeKind::Foothold,
        NodeKind::Capability,
        NodeKind::Unmodelled,
    ];

    /// The kind of a fact's node.
    pub fn of(m: &Model, f: &Fact) -> NodeKind {
        match *f {
            Fact::As(p) => NodeKind::of_principal(m.principal(p).kind),
            Fact::At(_) | Fact::Online => NodeKind::Location,
            Fact::Reach(_) => NodeKind::Endpoint,
            Fact::Holds(_) | Fact::Key(_) | Fact::DatastoreSecret(_) | Fact::AcrAdmin(_) | Fact::EndpointSecret(_) => {
                NodeKind::Credential
            }
            Fact::Can(..)
            | Fact::Assign(_)
            | Fact::AssignSome(..)
            | Fact::SharedKeyOn(_)
            | Fact::VaultPolicy(_)
            | Fact::Created(_)
            | Fact::NsgOpen(_)
            | Fact::EgressOpen(_) => NodeKind::Permission,
            Fact::Exec(_) | Fact::Host => NodeKind::Foothold,
            Fact::DataRead(_)
            | Fact::DataWrite(_)
            | Fact::Secrets(_)
            | Fact::Invoke(_)
            | Fact::Push(_)
            | Fact::Use(_) => NodeKind::Capability,
            Fact::Unmodelled(_) => NodeKind::Unmodelled,
        }
    }

    /// The kind of a principal's node.
    pub fn of_principal(kind: PrincipalKind) -> NodeKind {
        match kind {
            PrincipalKind::User => NodeKind::User,
            PrincipalKind::Group => NodeKind::Group,
            PrincipalKind::ServicePrincipal | PrincipalKind::ManagedIdentity => NodeKind::Identity,
        }
    }

    /// Graphviz attributes: shape, style, fill colour.
    pub fn look(self) -> (&'static str, &'static str, &'static str) {
        match self {
            NodeKind::User => ("ellipse", "filled", "#cfe2f3"),
            NodeKind::Group => ("folder", "filled", "#d9ead3"),
            NodeKind::Identity => ("hexagon", "filled", "#fce5cd"),
            NodeKind::Location => ("house", "filled", "#eeeeee"),
            NodeKind::Endpoint => ("parallelogram", "filled", "#f3f3f3"),
            NodeKind::Credential => ("note", "filled", "#fff2cc"),
            NodeKind::Permission => ("box", "rounded,filled", "#ffffff"),
            NodeKind::Foothold => ("box3d", "filled", "#ead1dc"),
            NodeKind::Capability => ("doubleoctagon", "filled", "#f4cccc"),
            NodeKind::Unmodelled => ("box", "dashed,filled", "#ffffff"),
        }
    }

    /// The legend's words.
    pub fn legend(self) -> &'static str {
        match self {
            NodeKind::User => "user (where a path starts)",
            NodeKind::Group => "group membership",
            NodeKind::Identity => "identity: service principal or managed identity",
            NodeKind::Location => "network location",
            NodeKind::Endpoint => "endpoint a packet reaches",
            NodeKind::Credential => "key, secret or token held",
            NodeKind::Permission => "control-plane permission",
            NodeKind::Foothold => "code running on a resource",
            NodeKind::Capability => "capability (data, secrets, invoke, push, use)",
            NodeKind::Unmodelled => "unmodelled resource (answer unknown)",
        }
    }
}

/// Graphviz attributes of an edge of a channel: colour and style.
pub fn channel_look(channel: Option<Channel>) -> (&'static str, &'static str) {
    match channel {
        None => ("#999999", "dotted"),
        Some(Channel::Membership) => ("#6aa84f", "dashed"),
        Some(Channel::Arm) => ("#000000", "solid"),
        Some(Channel::Data) => ("#1155cc", "solid"),
        Some(Channel::Credential) => ("#cc0000", "dashed"),
        Some(Channel::AzureMl) => ("#674ea7", "bold"),
        Some(Channel::Identity) => ("#e69138", "dashed"),
        Some(Channel::Ssh) => ("#990000", "bold"),
        Some(Channel::SupplyChain) => ("#7f6000", "dotted"),
        Some(Channel::Entra) => ("#0b5394", "dashed"),
    }
}

/// Fill colour of the goal of a highlighted path.
pub const GOAL_FILL: &str = "#ffd966";
/// Pen width of the highlighted path's edges and of everything else.
pub const WIDTH_HIGHLIGHT: &str = "2.6";
/// Pen width of edges off the highlighted path.
pub const WIDTH_NORMAL: &str = "1.0";
