//! Principals: users, groups, service principals and managed identities.

use super::ids::{LocationId, PrincipalId, ResourceId};

/// The kind of a principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    /// An Entra user.
    User,
    /// A group; its members get its role assignments.
    Group,
    /// A service principal of an app registration.
    ServicePrincipal,
    /// A managed identity (system- or user-assigned).
    ManagedIdentity,
}

impl PrincipalKind {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::ServicePrincipal => "service principal",
            PrincipalKind::ManagedIdentity => "managed identity",
        }
    }
}

/// Which resource a managed identity belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityOf {
    /// A user-assigned identity; the resource is the identity resource itself.
    UserAssigned(ResourceId),
    /// The system-assigned identity of a resource.
    SystemAssigned(ResourceId),
}

/// A principal after loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: PrincipalKind,
    /// Entra object id, lower-cased.
    pub object_id: Option<String>,
    /// Where the principal acts from (users and service principals; default `internet`).
    pub locations: Vec<LocationId>,
    /// Direct members (groups only).
    pub members: Vec<PrincipalId>,
    /// Owners of the app registration (service principals only).
    pub owners: Vec<PrincipalId>,
    /// The resource a managed identity belongs to.
    pub identity_of: Option<IdentityOf>,
}
