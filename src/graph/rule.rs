//! Rules and rule instances. Every rule of `docs/rules.md` has an id, a channel and a one-line meaning;
//! a rule instance is one application of it, with its premises, its conclusion and its evidence.

use super::fact::{Endpoint, Place};
use super::{FactId, RuleIdx};
use crate::channel::Channel;
use crate::model::{AssignmentId, CredentialId, PrincipalId, ResourceId};
use crate::rbac::ConditionStatus;

/// The rules (semantics §3 primitives, the RBAC grant rules, and the small rules that use what a
/// credential gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    /// The token of a principal carries its groups, transitively (§1.1).
    Membership,
    /// An RBAC grant: a role assignment allows a control-plane operation, or a data-plane request (§1).
    Grant,
    /// `roleAssignments/write` at S ⇒ any role at S or below (P01).
    P01,
    /// Storage account keys: list them, or present them (P04).
    P04,
    /// Storage account write: turn Shared Key back on (P05).
    P05,
    /// Key vault write on an access-policy vault: grant oneself an access policy (P07).
    P07,
    /// Datastore secrets through Azure ML's ARM action, or from the workspace's key vault (P08).
    P08,
    /// Workspace keys: the storage key and the registry's admin credentials (P09).
    P09,
    /// `listStorageAccountKeys` on a workspace (P10; unverified).
    P10,
    /// Jobs on a workspace's computes (P12).
    P12,
    /// Create a compute (P13).
    P13,
    /// Deploy code to a new or existing online endpoint (P14).
    P14,
    /// Compute instance applications: Jupyter, terminal (P15; unverified).
    P15,
    /// SSH with a key installed on the node (P16).
    P16,
    /// Write to the workspace's default storage ⇒ code on its computes (P17).
    P17,
    /// Push to the workspace's registry ⇒ code on its computes and endpoints (P18).
    P18,
    /// Run command / extensions on a VM (P19).
    P19,
    /// Attach a user-assigned identity to a resource one runs code on (P20).
    P20,
    /// Federated credential on a user-assigned identity (P21).
    P21,
    /// Owner of an app registration adds a credential (P22).
    P22,
    /// Online endpoint keys and tokens (P26).
    P26,
    /// Approve a private endpoint from a network of one's choice (P27; unverified).
    P27,
    /// Add outbound rules to a managed network (P28; unverified).
    P28,
    /// Rewrite an NSG's rules (P29).
    P29,
    /// Data access through Azure ML (P31; unverified).
    P31,
    /// Code running where an identity is attached gets its token (§2.3).
    Identity,
    /// A key vault access policy held by the principal.
    AccessPolicy,
    /// A SAS token held outside RBAC.
    SasToken,
    /// A client secret held outside RBAC: sign in as the service principal.
    ClientSecret,
    /// An endpoint key held outside RBAC.
    EndpointKey,
    /// Anonymous blob access on a storage account (tagged: container access levels are not modelled).
    PublicBlob,
    /// `use W`: read the workspace through Azure ML.
    Use,
    /// A place: running code somewhere puts the actor there (not a step).
    Place,
    /// A network premise: a packet from a place reaches an endpoint (not a step).
    Network,
    /// A resource the actor runs code on and may change, where P20 attaches identities (not a step).
    Host,
    /// A resource of a type the tool does not model, with an identity, that the actor can change.
    Unmodelled,
}

impl RuleId {
    /// The id as printed (`P08`, `grant`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::Membership => "membership",
            RuleId::Grant => "grant",
            RuleId::P01 => "P01",
            RuleId::P04 => "P04",
            RuleId::P05 => "P05",
            RuleId::P07 => "P07",
            RuleId::P08 => "P08",
            RuleId::P09 => "P09",
            RuleId::P10 => "P10",
            RuleId::P12 => "P12",
            RuleId::P13 => "P13",
            RuleId::P14 => "P14",
            RuleId::P15 => "P15",
            RuleId::P16 => "P16",
            RuleId::P17 => "P17",
            RuleId::P18 => "P18",
            RuleId::P19 => "P19",
            RuleId::P20 => "P20",
            RuleId::P21 => "P21",
            RuleId::P22 => "P22",
            RuleId::P26 => "P26",
            RuleId::P27 => "P27",
            RuleId::P28 => "P28",
            RuleId::P29 => "P29",
            RuleId::P31 => "P31",
            RuleId::Identity => "identity",
            RuleId::AccessPolicy => "access-policy",
            RuleId::SasToken => "sas-token",
            RuleId::ClientSecret => "client-secret",
            RuleId::EndpointKey => "endpoint-key",
            RuleId::PublicBlob => "public-blob",
            RuleId::Use => "use",
            RuleId::Place => "place",
            RuleId::Network => "network",
            RuleId::Host => "host",
            RuleId::Unmodelled => "unmodelled",
        }
    }

    /// A rule by its printed id (case-insensitive).
    pub fn parse(text: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(text))
    }

    /// Every rule.
    pub const ALL: [RuleId; 36] = [
        RuleId::Membership,
        RuleId::Grant,
        RuleId::P01,
        RuleId::P04,
        RuleId::P05,
        RuleId::P07,
        RuleId::P08,
        RuleId::P09,
        RuleId::P10,
        RuleId::P12,
        RuleId::P13,
        RuleId::P14,
        RuleId::P15,
        RuleId::P16,
        RuleId::P17,
        RuleId::P18,
        RuleId::P19,
        RuleId::P20,
        RuleId::P21,
        RuleId::P22,
        RuleId::P26,
        RuleId::P27,
        RuleId::P28,
        RuleId::P29,
        RuleId::P31,
        RuleId::Identity,
        RuleId::AccessPolicy,
        RuleId::SasToken,
        RuleId::ClientSecret,
        RuleId::EndpointKey,
        RuleId::PublicBlob,
        RuleId::Use,
        RuleId::Place,
        RuleId::Network,
        RuleId::Host,
        RuleId::Unmodelled,
    ];

    /// False for rules whose instances are evidence of other steps rather than steps (places, network,
    /// the host of P20).
    pub fn is_step(self) -> bool {
        !matches!(self, RuleId::Place | RuleId::Network | RuleId::Host)
    }
}

/// What supports a rule instance: enough for a person to check it, and for `witness` to replay it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// A group membership.
    Membership {
        /// The member.
        member: PrincipalId,
        /// The group.
        group: PrincipalId,
    },
    /// The actor sends packets from a place (a graph whose network is not decided: see
    /// [`crate::graph::Fact::Online`]).
    Online {
        /// The place.
        place: Place,
    },
    /// A resource the actor runs code on and may change (see [`crate::graph::Fact::Host`]).
    Host {
        /// The resource.
        resource: ResourceId,
    },
    /// P20: the actor attaches a user-assigned identity to the resource of the [`Evidence::Host`]
    /// instance before it, and takes its token there.
    Attach {
        /// The user-assigned identity.
        identity: PrincipalId,
        /// Its resource (`Microsoft.ManagedIdentity/userAssignedIdentities`).
        resource: ResourceId,
    },
    /// An RBAC grant through a role assignment.
    Grant {
        /// The principal whose token makes the request.
        principal: PrincipalId,
        /// The exact operation (shared: the same few dozen operations recur in millions of grants).
        operation: std::sync::Arc<str>,
        /// Data or control plane.
        data: bool,
        /// The scope the operation is performed on (graph scope index).
        scope: u32,
        /// The assignment.
        assignment: AssignmentId,
        /// The group chain to the assignment's holder.
        via: Box<[PrincipalId]>,
        /// The permission block (0-based).
        block: usize,
        /// The pattern that matched (shared, as `operation`).
        pattern: std::sync::Arc<str>,
        /// What became of conditions.
        condition: GrantCondition,
    },
    /// P01: a role the actor assigns to itself.
    Assigned {
        /// Where the actor may assign roles (graph scope index).
        at: u32,
        /// The role it would assign.
        role: String,
        /// The exact operation the role grants.
        operation: String,
        /// The scope the operation is performed on (graph scope index).
        scope: u32,
    },
    /// Any other rule: the resources, credential and principal it is about, and a sentence.
    Fact {
        /// The main resource.
        resource: Option<ResourceId>,
        /// A second resource (the datastore, the storage behind it, ...).
        other: Option<ResourceId>,
        /// The credential used.
        credential: Option<CredentialId>,
        /// The principal involved.
        principal: Option<PrincipalId>,
        /// What happens, in words.
        text: String,
    },
    /// A network premise.
    Network {
        /// From where; none when the network is not decided, where any place of the actor will do
        /// (the place is then the one of the [`Evidence::Online`] step before).
        place: Option<Place>,
        /// To where.
        endpoint: Endpoint,
        /// How it was decided, in words.
        decision: String,
        /// The packet that gets through, when a network model decided. (Boxed, as `path` and
        /// `opened`: a graph holds millions of evidences, few of them network ones, and the largest
        /// variant sets the size of all.)
        packet: Option<Box<crate::network::Packet>>,
        /// The way it took.
        path: Option<Box<crate::network::Path>>,
        /// The rules that let it through.
        rules: Vec<String>,
        /// Network changes the actor made first (P28, P29), under which the packet passes.
        opened: Box<crate::network::overrides::Overrides>,
    },
}

/// What became of a grant's conditions, boxed only when there is one: most grants have none, and a
/// graph holds millions of grants.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GrantCondition(Option<Box<ConditionStatus>>);

impl GrantCondition {
    /// The condition status of a grant.
    pub fn new(status: ConditionStatus) -> Self {
        match status {
            ConditionStatus::None => GrantCondition(None),
            other => GrantCondition(Some(Box::new(other))),
        }
    }

    /// The status (`None` when the grant had no condition).
    pub fn status(&self) -> &ConditionStatus {
        static NONE: ConditionStatus = ConditionStatus::None;
        self.0.as_deref().unwrap_or(&NONE)
    }
}

/// One application of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInstance {
    /// The rule.
    pub rule: RuleId,
    /// What carries the step.
    pub channel: Channel,
    /// What must hold first (a boxed slice: millions of instances, none grows after building).
    pub premises: Box<[FactId]>,
    /// What then holds.
    pub conclusion: FactId,
    /// Why.
    pub evidence: Evidence,
    /// Principals the evidence names (for `excluding`).
    pub names: Box<[PrincipalId]>,
    /// `unverified-step: ...` and similar tags.
    pub tags: Box<[String]>,
}

/// Index helper for building.
pub(crate) fn idx(i: usize) -> RuleIdx {
    RuleIdx(u32::try_from(i).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large estate's graph holds millions of instances: their size is most of its memory.
    #[test]
    fn a_rule_instance_stays_small() {
        assert!(
            std::mem::size_of::<RuleInstance>() <= 144,
            "{}",
            std::mem::size_of::<RuleInstance>()
        );
    }

    #[test]
    fn a_grant_without_a_condition_allocates_nothing() {
        assert_eq!(GrantCondition::new(ConditionStatus::None), GrantCondition::default());
        assert_eq!(GrantCondition::default().status(), &ConditionStatus::None);
        let holds = GrantCondition::new(ConditionStatus::Holds);
        assert_eq!(holds.status(), &ConditionStatus::Holds);
    }
}
