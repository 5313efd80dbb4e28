//! Facts: what an actor can have. Every fact is relative to one actor (reachability is per actor).

use crate::model::{CredentialId, LocationId, PrincipalId, ResourceId};

/// Where an actor can send packets from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    /// A named location (its own, or `from L`).
    Location(LocationId),
    /// Where a resource's code runs (after `exec on` it, or as its managed identity).
    Resource(ResourceId),
}

/// A network endpoint a step sends a request to (semantics §10: the data planes and their ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// Blob service of a storage account, TCP 443.
    Blob(ResourceId),
    /// A key vault, TCP 443.
    Vault(ResourceId),
    /// A container registry, TCP 443.
    Registry(ResourceId),
    /// An Azure ML workspace, TCP 443 (every `azureml` step and `use`).
    Workspace(ResourceId),
    /// An online endpoint's scoring URI, TCP 443.
    Scoring(ResourceId),
    /// SSH to a compute or VM, at its SSH port.
    Ssh(ResourceId),
}

impl Endpoint {
    /// The resource behind the endpoint.
    pub fn resource(self) -> ResourceId {
        match self {
            Endpoint::Blob(r)
            | Endpoint::Vault(r)
            | Endpoint::Registry(r)
            | Endpoint::Workspace(r)
            | Endpoint::Scoring(r)
            | Endpoint::Ssh(r) => r,
        }
    }

    /// A word for the service.
    pub fn service(self) -> &'static str {
        match self {
            Endpoint::Blob(_) => "blob service",
            Endpoint::Vault(_) => "key vault",
            Endpoint::Registry(_) => "registry",
            Endpoint::Workspace(_) => "workspace",
            Endpoint::Scoring(_) => "scoring URI",
            Endpoint::Ssh(_) => "SSH port",
        }
    }
}

/// A fact about one actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fact {
    /// The actor can act as this principal (holds its token), or, for a group, holds a token that
    /// carries the group (is a member of it, directly or through nested groups).
    As(PrincipalId),
    /// The actor holds a credential of the model.
    Holds(CredentialId),
    /// The actor can send packets from this place.
    At(Place),
    /// A packet from one of the actor's places reaches this endpoint.
    Reach(Endpoint),
    /// The actor sends packets from some place. Only in a graph whose network is not decided (every
    /// place reaches every endpoint), where it stands between the places and the endpoints so that
    /// the graph holds places + endpoints network instances rather than places × endpoints.
    Online,
    /// The actor runs code on a resource it may also change: a resource to attach a user-assigned
    /// identity to (P20). It stands between those resources and the identities, so that the graph
    /// holds resources + identities P20 instances rather than resources × identities.
    Host,
    /// The actor is authorised to perform a control-plane operation (an index into `graph::ops`) on a
    /// scope (an index into the graph's scopes).
    Can(u16, u32),
    /// The actor can create role assignments of any role at a scope.
    Assign(u32),
    /// The actor can create role assignments at a scope for some roles only (a condition limits them);
    /// the second field is the principal whose grant it is (the roles are evaluated for it).
    AssignSome(u32, u32),
    /// The actor holds a storage account key.
    Key(ResourceId),
    /// The actor turned Shared Key access of a storage account back on (P05).
    SharedKeyOn(ResourceId),
    /// The actor holds the stored secret (SAS or client secret) of a datastore.
    DatastoreSecret(ResourceId),
    /// The actor holds a registry's admin credentials.
    AcrAdmin(ResourceId),
    /// The actor gave itself an access policy on an access-policy key vault.
    VaultPolicy(ResourceId),
    /// The actor holds a key or token that authenticates to an online endpoint.
    EndpointSecret(ResourceId),
    /// The actor created this prospective resource.
    Created(ResourceId),
    /// The actor runs code on a compute, VM or endpoint deployment.
    Exec(ResourceId),
    /// The actor rewrote an NSG's rules (P29).
    NsgOpen(crate::model::NsgId),
    /// The actor added outbound rules to a workspace's managed network (P28).
    EgressOpen(ResourceId),
    /// Capability `data-read of S`.
    DataRead(ResourceId),
    /// Capability `data-write of S`.
    DataWrite(ResourceId),
    /// Capability `secrets of V`.
    Secrets(ResourceId),
    /// Capability `invoke E`.
    Invoke(ResourceId),
    /// Capability `push to R`.
    Push(ResourceId),
    /// Capability `use W`.
    Use(ResourceId),
    /// The actor can change a resource the tool does not model and that has an identity; what that
    /// allows is not known (it makes an answer unknown, never no).
    Unmodelled(ResourceId),
}

impl Fact {
    /// The one resource a fact is about, for the facts that name exactly one (keys, secrets, data,
    /// capabilities); `None` for the others.
    pub fn single_resource(&self) -> Option<ResourceId> {
        match *self {
            Fact::Key(r)
            | Fact::SharedKeyOn(r)
            | Fact::DatastoreSecret(r)
            | Fact::AcrAdmin(r)
            | Fact::VaultPolicy(r)
            | Fact::EndpointSecret(r)
            | Fact::Created(r)
            | Fact::Exec(r)
            | Fact::EgressOpen(r)
            | Fact::DataRead(r)
            | Fact::DataWrite(r)
            | Fact::Secrets(r)
            | Fact::Invoke(r)
            | Fact::Push(r)
            | Fact::Use(r)
            | Fact::Unmodelled(r) => Some(r),
            _ => None,
        }
    }
}
