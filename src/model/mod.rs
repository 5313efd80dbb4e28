//! The typed, immutable Model of `spec/model-format.md`: who exists, what exists, who holds which role
//! where, which secrets are held outside RBAC, and the network.
//!
//! **Architecture invariant:** the model is format-free and solver-free. It knows nothing of YAML,
//! JSON, serde, z3 or petgraph; `load` builds it, everything else reads it. After
//! [`Model::finish`] it is never mutated: a what-if builds a new model.

pub mod access;
pub mod credential;
pub mod ids;
pub mod lookup;
pub mod network;
pub mod principal;
pub mod prospective;
pub mod resource;

pub use access::{DenyAssignment, DenyPrincipals, PermissionBlock, RoleAssignment, RoleDefinition, Scope, ScopeKind};
pub use credential::{Credential, CredentialKind, Holder};
pub use ids::{
    AssignmentId, CredentialId, DenyId, LocationId, NsgId, PrincipalId, PrivateEndpointId, ResourceId, RoleId,
    SubnetId, VnetId,
};
pub use network::{Cidr, Network};
pub use principal::{IdentityOf, Principal, PrincipalKind};
pub use resource::{Location, Props, Resource, ResourceKind};

/// The placeholder subscription used when a model names none.
pub const PLACEHOLDER_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// A loaded model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Model name, used in reports.
    pub name: Option<String>,
    /// Tenant id.
    pub tenant: Option<String>,
    /// The default subscription id, lower-cased.
    pub subscription: String,
    /// Locations (`internet` always exists).
    pub locations: Vec<Location>,
    /// Principals.
    pub principals: Vec<Principal>,
    /// Resources, resource groups included.
    pub resources: Vec<Resource>,
    /// Role definitions the model uses: custom roles and every built-in role it names.
    pub roles: Vec<RoleDefinition>,
    /// Role assignments.
    pub assignments: Vec<RoleAssignment>,
    /// Deny assignments.
    pub denies: Vec<DenyAssignment>,
    /// Credentials held outside RBAC.
    pub credentials: Vec<Credential>,
    /// Network facts.
    pub network: Network,
    index: Index,
}

#[derive(Debug, Clone, Default)]
struct Index {
    principal_by_name: rustc_hash::FxHashMap<String, PrincipalId>,
    principal_by_object_id: rustc_hash::FxHashMap<String, PrincipalId>,
    resources_by_name: rustc_hash::FxHashMap<String, Vec<ResourceId>>,
    resource_by_key: rustc_hash::FxHashMap<String, ResourceId>,
    role_by_name: rustc_hash::FxHashMap<String, RoleId>,
    role_by_guid: rustc_hash::FxHashMap<String, RoleId>,
    location_by_name: rustc_hash::FxHashMap<String, LocationId>,
    groups_of: Vec<Vec<PrincipalId>>,
    assignments_of: Vec<Vec<AssignmentId>>,
}

impl Model {
    /// Whether two models agree on everything the network is decided from (the subscription,
    /// locations, resources and network facts): then a network question has the same answer in
    /// both, whatever their principals, roles, assignments and credentials.
    pub fn same_network(&self, other: &Model) -> bool {
        self.subscription == other.subscription
            && self.locations == other.locations
            && self.resources == other.resources
            && self.network == other.network
    }

    /// A copy of what the network is decided from (what [`Model::same_network`] compares: the
    /// subscription, locations, resources and network facts), without the principals, roles,
    /// assignments, denies, credentials and look-up indexes. Network questions on a changed network
    /// (P28, P29) are asked of such a copy: on a large estate it is a small part of the model.
    pub fn network_view(&self) -> Model {
        Model {
            name: self.name.clone(),
            tenant: self.tenant.clone(),
            subscription: self.subscription.clone(),
            locations: self.locations.clone(),
            resources: self.resources.clone(),
            network: self.network.clone(),
            ..Model::default()
        }
    }

    /// Builds the look-up indexes. Called once by the loader after the tables are complete.
    pub fn finish(&mut self) {
        let mut index = Index::default();
        for (i, p) in self.principals.iter().enumerate() {
            let id = PrincipalId::from_index(i);
            index.principal_by_name.insert(p.name.to_lowercase(), id);
            if let Some(oid) = &p.object_id {
                index.principal_by_object_id.insert(oid.to_lowercase(), id);
            }
        }
        for (i, r) in self.resources.iter().enumerate() {
            let id = ResourceId::from_index(i);
            index
                .resources_by_name
                .entry(r.name.to_lowercase())
                .or_default()
                .push(id);
            index.resource_by_key.insert(r.key.clone(), id);
        }
        for (i, r) in self.roles.iter().enumerate() {
            let id = RoleId::from_index(i);
            index.role_by_name.insert(r.name.to_lowercase(), id);
            index.role_by_guid.insert(r.guid.to_lowercase(), id);
        }
        for (i, l) in self.locations.iter().enumerate() {
            index
                .location_by_name
                .insert(l.name.to_lowercase(), LocationId::from_index(i));
        }
        index.groups_of = vec![Vec::new(); self.principals.len()];
        for (g, p) in self.principals.iter().enumerate() {
            for m in &p.members {
                if let Some(list) = index.groups_of.get_mut(m.index()) {
                    list.push(PrincipalId::from_index(g));
                }
            }
        }
        index.assignments_of = vec![Vec::new(); self.principals.len()];
        for (i, a) in self.assignments.iter().enumerate() {
            if let Some(list) = index.assignments_of.get_mut(a.principal.index()) {
                list.push(AssignmentId::from_index(i));
            }
        }
        self.index = index;
    }

    /// A principal by id.
    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT (ids-valid): ids are only made for entries of these tables"
    )]
    pub fn principal(&self, id: PrincipalId) -> &Principal {
        &self.principals[id.index()]
    }

    /// A resource by id.
    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT (ids-valid): ids are only made for entries of these tables"
    )]
    pub fn resource(&self, id: ResourceId) -> &Resource {
        &self.resources[id.index()]
    }

    /// A role by id.
    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT (ids-valid): ids are only made for entries of these tables"
    )]
    pub fn role(&self, id: RoleId) -> &RoleDefinition {
        &self.roles[id.index()]
    }

    /// An assignment by id.
    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT (ids-valid): ids are only made for entries of these tables"
    )]
    pub fn assignment(&self, id: AssignmentId) -> &RoleAssignment {
        &self.assignments[id.index()]
    }

    /// A deny assignment by id.
    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT (ids-valid): ids are only made for entries of these tables"
    )]
    pub fn deny(&self, id: DenyId) -> &DenyAssignment {
        &self.denies[id.index()]
    }

    /// A location by id.
    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT (ids-valid): ids are only made for entries of these tables"
    )]
    pub fn location(&self, id: LocationId) -> &Location {
        &self.locations[id.index()]
    }

    /// All principal ids.
    pub fn principal_ids(&self) -> impl Iterator<Item = PrincipalId> + '_ {
        (0..self.principals.len()).map(PrincipalId::from_index)
    }

    /// All resource ids.
    pub fn resource_ids(&self) -> impl Iterator<Item = ResourceId> + '_ {
        (0..self.resources.len()).map(ResourceId::from_index)
    }

    /// A principal by name (case-insensitive) or Entra object id.
    pub fn principal_named(&self, name: &str) -> Option<PrincipalId> {
        let key = name.to_lowercase();
        self.index
            .principal_by_name
            .get(&key)
            .or_else(|| self.index.principal_by_object_id.get(&key))
            .copied()
    }

    /// Resources with this name (several only for child resources of different workspaces).
    pub fn resources_named(&self, name: &str) -> &[ResourceId] {
        self.index
            .resources_by_name
            .get(&name.to_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    /// A resource by its full id (case-insensitive).
    pub fn resource_by_id(&self, id: &str) -> Option<ResourceId> {
        self.index
            .resource_by_key
            .get(id.trim_end_matches('/').to_lowercase().as_str())
            .copied()
    }

    /// The id of a built-in role in the role table, added on first use (a model holds only the
    /// built-in roles it names). Found by a scan, not the index, which the caller rebuilds once done.
    pub fn builtin_role_id(&mut self, role: &RoleDefinition) -> RoleId {
        if let Some(pos) = self.roles.iter().position(|r| r.builtin && r.guid == role.guid) {
            return RoleId::from_index(pos);
        }
        let id = RoleId::from_index(self.roles.len());
        self.roles.push(role.clone());
        id
    }

    /// A role by name (case-insensitive) or GUID.
    pub fn role_named(&self, name: &str) -> Option<RoleId> {
        let key = name.to_lowercase();
        self.index
            .role_by_name
            .get(&key)
            .or_else(|| self.index.role_by_guid.get(&key))
            .copied()
    }

    /// A location by name (case-insensitive).
    pub fn location_named(&self, name: &str) -> Option<LocationId> {
        self.index.location_by_name.get(&name.to_lowercase()).copied()
    }

    /// The groups a principal is a direct member of.
    pub fn groups_of(&self, p: PrincipalId) -> &[PrincipalId] {
        self.index.groups_of.get(p.index()).map_or(&[], Vec::as_slice)
    }

    /// The role assignments held directly by a principal (not through groups).
    pub fn assignments_of(&self, p: PrincipalId) -> &[AssignmentId] {
        self.index.assignments_of.get(p.index()).map_or(&[], Vec::as_slice)
    }

    /// Display name of a resource: child resources are qualified by their workspace (`mlws/ci-1`).
    pub fn resource_display(&self, id: ResourceId) -> String {
        let r = self.resource(id);
        match r.parent {
            Some(parent) => format!("{}/{}", self.resource(parent).name, r.name),
            None => r.name.clone(),
        }
    }

    /// The principal of the model's managed identity named after a resource, if any.
    pub fn system_identity_of(&self, r: ResourceId) -> Option<PrincipalId> {
        self.resource(r).system_identity
    }

    /// The resource a scope id denotes, or the nearest modelled resource above it.
    pub fn resource_at_or_above(&self, key: &str) -> Option<ResourceId> {
        let mut k = key.trim_end_matches('/');
        loop {
            if let Some(id) = self.index.resource_by_key.get(k) {
                return Some(*id);
            }
            let cut = k.rfind('/')?;
            k = k.get(..cut)?;
        }
    }
}
