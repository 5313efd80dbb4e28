//! RBAC facts of the model: role definitions, role assignments, deny assignments and scopes
//! (`spec/model-format.md`, Role definitions and assignments). The evaluation of these facts lives in
//! `rbac`.

use super::ids::{PrincipalId, ResourceId, RoleId};

/// A scope as the loader resolved it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// The canonical, lower-cased scope id (`/`, `/subscriptions/...`, ...). A scope covers every id
    /// that equals it or lies under it on a `/` boundary.
    pub key: String,
    /// The scope as it is displayed (original case of the resource id).
    pub display: String,
    /// What the scope names.
    pub kind: ScopeKind,
}

/// What a scope names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    /// The root `/`.
    Root,
    /// A management group (the tree is not modelled).
    ManagementGroup,
    /// A subscription.
    Subscription,
    /// A resource group or resource of the model.
    Resource(ResourceId),
    /// An id below a resource that the model does not list (e.g. a blob container).
    Below(ResourceId),
}

/// A role definition, built-in or custom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDefinition {
    /// `roleName`.
    pub name: String,
    /// The role GUID, lower-cased.
    pub guid: String,
    /// Built-in (from the Azure catalogue) or custom (from the model).
    pub builtin: bool,
    /// Description, if any.
    pub description: Option<String>,
    /// Permission blocks.
    pub permissions: Vec<PermissionBlock>,
    /// Where the role may be assigned, as written.
    pub assignable_scopes: Vec<String>,
}

/// One permission block: NotActions subtract from Actions of the same block only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionBlock {
    /// Control-plane patterns.
    pub actions: Vec<String>,
    /// Subtracted control-plane patterns.
    pub not_actions: Vec<String>,
    /// Data-plane patterns.
    pub data_actions: Vec<String>,
    /// Subtracted data-plane patterns.
    pub not_data_actions: Vec<String>,
    /// ABAC condition on the block.
    pub condition: Option<String>,
}

/// A role assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssignment {
    /// The id given in the model, or one derived from its position (`role_assignments[3]`).
    pub id: String,
    /// Who holds it.
    pub principal: PrincipalId,
    /// The role.
    pub role: RoleId,
    /// Where.
    pub scope: Scope,
    /// ABAC condition on the assignment.
    pub condition: Option<String>,
}

/// Who a deny assignment applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenyPrincipals {
    /// The all-principals sentinel.
    Everyone,
    /// These principals (a group: the group and its direct members).
    Listed(Vec<PrincipalId>),
}

/// A deny assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenyAssignment {
    /// Display name: the given name or id, or its position.
    pub name: String,
    /// Who is denied.
    pub principals: DenyPrincipals,
    /// Who is excluded (a principal, or any group it belongs to, being listed excludes it).
    pub exclude_principals: Vec<PrincipalId>,
    /// Denied control-plane patterns.
    pub actions: Vec<String>,
    /// Control-plane patterns excluded from the deny.
    pub not_actions: Vec<String>,
    /// Denied data-plane patterns.
    pub data_actions: Vec<String>,
    /// Data-plane patterns excluded from the deny.
    pub not_data_actions: Vec<String>,
    /// Where.
    pub scope: Scope,
    /// Applies to the scope only, not below it.
    pub do_not_apply_to_child_scopes: bool,
}
