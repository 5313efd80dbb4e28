//! [`ModelDto`] to [`Model`]: names resolved to ids, scopes made canonical, CIDRs parsed, built-in roles
//! expanded, defaults applied, implicit things created (resource groups, system-assigned identities,
//! the `internet` location, the workspaces' default datastores, Azure's default NSG rules). Every
//! problem is collected with its field path; the loader turns paths into positions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::{self, Display};

use rustc_hash::{FxHashMap, FxHashSet};

use super::dto::{
    AccessPolicyDto, ComputePropsDto, CredentialDto, DatastorePropsDto, DenyAssignmentDto, EndpointPropsDto,
    KeyVaultPropsDto, LocationDto, ModelDto, NetworkAclsDto, NsgRuleDto, PropertiesDto, RegistryPropsDto, ResourceDto,
    RoleAssignmentDto, RoleDefinitionDto, StoragePropsDto, VmPropsDto, WorkspacePropsDto,
};
use crate::diag::{Diagnostic, Diagnostics, suggest};
use crate::model::lookup;
use crate::model::network::{
    Access, AddressMatch, Direction, Nsg, NsgRule, PeStatus, PortRange, PrivateEndpoint, Protocol, ServiceTag, Subnet,
    Vnet, default_nsg_rules,
};
use crate::model::resource::{
    AccessPolicy, AuthMode, ComputeProps, DatastoreCredentials, DatastoreProps, DefaultAction, EndpointProps,
    KeyVaultProps, ManagedNetwork, NetworkAcls, PublicAccess, RESOURCE_TYPES, RegistryProps, StorageProps, VmProps,
    WorkspaceProps,
};
use crate::model::{
    Cidr, Credential, CredentialKind, DenyAssignment, DenyPrincipals, Holder, IdentityOf, Location, LocationId, Model,
    NsgId, PLACEHOLDER_SUBSCRIPTION, PermissionBlock, Principal, PrincipalId, PrincipalKind, Props, Resource,
    ResourceId, ResourceKind, RoleAssignment, RoleDefinition, RoleId, Scope, SubnetId, VnetId,
};
use crate::rbac::{catalog, condition, operations};

/// Names that cannot be declared: they are sentinels in references.
pub const RESERVED_NAMES: &[&str] = &["everyone", "anyone"];

/// Resolves a decoded model. `broken` holds the names of elements that failed to decode, so references
/// to them are not reported a second time.
pub fn resolve(
    dto: &ModelDto,
    broken: &HashSet<String>,
    origins: &BTreeMap<String, Vec<usize>>,
) -> (Model, Diagnostics) {
    let mut r = Resolver {
        dto,
        broken,
        origins,
        model: Model::default(),
        diags: Diagnostics::new(),
        principal_names: FxHashMap::default(),
        top_resources: HashMap::new(),
        groups_by_name: HashMap::new(),
        children: HashMap::new(),
        children_named: HashMap::new(),
        subnet_names: HashMap::new(),
        nsg_names: HashMap::new(),
        vnet_names: HashMap::new(),
        custom_roles: FxHashMap::default(),
        assignment_ids: FxHashSet::default(),
        roles_by_text: FxHashMap::default(),
        scopes_by_text: FxHashMap::default(),
        indexed: (usize::MAX, 0, 0),
        identity_index: ((usize::MAX, 0), FxHashMap::default()),
    };
    r.run();
    r.model.finish();
    (r.model, r.diags)
}

struct Resolver<'d> {
    dto: &'d ModelDto,
    broken: &'d HashSet<String>,
    origins: &'d BTreeMap<String, Vec<usize>>,
    model: Model,
    diags: Diagnostics,
    /// Lower-cased principal names (and object ids) to ids.
    principal_names: FxHashMap<String, PrincipalId>,
    /// Lower-cased names of resources that are not resource groups or workspace children.
    top_resources: HashMap<String, ResourceId>,
    /// Lower-cased resource group names.
    groups_by_name: HashMap<String, ResourceId>,
    /// (workspace, lower-cased child name) to the children of that name (a compute and a datastore may
    /// share one).
    children: HashMap<(ResourceId, String), Vec<ResourceId>>,
    /// Lower-cased child names to the children of that name in any workspace (the same children
    /// as `children`), to find a declared child without a scan of every child.
    children_named: HashMap<String, Vec<ResourceId>>,
    subnet_names: HashMap<String, SubnetId>,
    nsg_names: HashMap<String, NsgId>,
    vnet_names: HashMap<String, VnetId>,
    custom_roles: FxHashMap<String, RoleId>,
    /// Assignment ids taken (lower case), to find duplicates without a scan per assignment.
    assignment_ids: FxHashSet<String>,
    /// Role references as written to the role they name, once found: a million assignments name a
    /// few hundred roles.
    roles_by_text: FxHashMap<String, RoleId>,
    /// Scopes as written to the scope they name, once found without a warning, for the index of
    /// `indexed` (cleared when it is rebuilt): assignments name each scope many times.
    scopes_by_text: FxHashMap<String, Scope>,
    /// The sizes of the tables a scope lookup reads (principals, resources, locations) the model's
    /// index was last built for: rebuilt only when one grew (rebuilding per assignment made loading
    /// quadratic; roles, which assignments add as they are resolved, are not among them).
    indexed: (usize, usize, usize),
    /// Resource names and ids to their system-assigned identities, with the (resources, principals)
    /// table sizes it was built for.
    identity_index: ((usize, usize), FxHashMap<String, Vec<PrincipalId>>),
}

/// The path of a list element (`role_assignments[12]`), formatted only when a problem is reported:
/// a million assignments would otherwise format a handful of paths each.
#[derive(Clone, Copy)]
struct Element<'s> {
    section: &'s str,
    index: usize,
}

impl Display for Element<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.section, self.index)
    }
}

/// A field of a list element (`role_assignments[12].scope`), formatted only when shown.
struct Field<'s>(Element<'s>, &'s str);

impl Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

fn err(code: &'static str, path: impl Display, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, message).at(path.to_string())
}

fn ticked<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A choice among fixed words, case-insensitive; `_` and `-` are the same.
fn choice<'a>(value: &str, options: &[&'a str]) -> Result<&'a str, String> {
    let norm = |s: &str| s.to_lowercase().replace('-', "_");
    let v = norm(value);
    options.iter().find(|o| norm(o) == v).copied().ok_or_else(|| {
        match suggest::did_you_mean(value, options.iter().copied()) {
            Some(h) => format!("expected one of {}; {h}", ticked(options.iter().copied())),
            None => format!("expected one of {}", ticked(options.iter().copied())),
        }
    })
}

impl<'d> Resolver<'d> {
    /// The path of the `i`-th decoded element of a list, as it is numbered in the file.
    fn at(&self, section: &str, i: usize) -> String {
        self.element(section, i).to_string()
    }

    /// [`Self::at`], formatted only when shown.
    fn element<'s>(&self, section: &'s str, i: usize) -> Element<'s> {
        let index = self.origins.get(section).and_then(|o| o.get(i)).copied().unwrap_or(i);
        Element { section, index }
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn run(&mut self) {
        let dto = self.dto;
        self.model.name = dto.name.clone();
        self.model.tenant = dto.tenant.clone();
        self.model.subscription = match &dto.subscription {
            Some(s) if s.trim().is_empty() || s.contains('/') => {
                self.push(
                    err(
                        "invalid-value",
                        "subscription",
                        format!("`{s}` is not a subscription id"),
                    )
                    .with_help("give the subscription's GUID, e.g. `00000000-0000-0000-0000-000000000001`"),
                );
                PLACEHOLDER_SUBSCRIPTION.to_string()
            }
            Some(s) => s.trim().to_lowercase(),
            None => PLACEHOLDER_SUBSCRIPTION.to_string(),
        };
        self.locations();
        self.resource_groups();
        self.top_level_resources();
        self.managed_identity_principals();
        self.child_resources();
        self.principals();
        self.system_identities();
        self.network();
        self.resource_properties();
        self.implicit_datastores();
        self.custom_roles();
        self.assignments();
        self.denies();
        self.credentials();
        self.principal_references();
    }

    // ----- locations -----------------------------------------------------------------------------

    fn locations(&mut self) {
        let mut locations: BTreeMap<String, Location> = BTreeMap::new();
        locations.insert(
            "internet".to_string(),
            Location {
                name: "internet".to_string(),
                ranges: vec![Cidr::ANY],
                egress: vec![Cidr::ANY],
            },
        );
        for (name, loc) in &self.dto.locations {
            let path = format!("locations.{name}");
            let (ranges_text, egress_text, ranges_path) = match loc {
                LocationDto::Ranges(r) => (r.clone(), None, path.clone()),
                LocationDto::Long(l) => (l.ranges.clone(), l.egress.clone(), format!("{path}.ranges")),
            };
            let ranges = self.cidrs(&ranges_text, &ranges_path);
            let egress = match egress_text {
                Some(e) => self.cidrs(&e, &format!("{path}.egress")),
                None => ranges.clone(),
            };
            if ranges_text.is_empty() {
                self.push(err(
                    "invalid-value",
                    path.clone(),
                    format!("location `{name}` has no address ranges"),
                ));
            }
            let key = name.to_lowercase();
            if locations.contains_key(&key) && key != "internet" {
                self.push(err(
                    "duplicate-name",
                    path,
                    format!("location `{name}` is declared twice"),
                ));
                continue;
            }
            locations.insert(
                key,
                Location {
                    name: name.clone(),
                    ranges,
                    egress,
                },
            );
        }
        self.model.locations = locations.into_values().collect();
        self.model.finish();
    }

    fn cidrs(&mut self, texts: &[String], path: &str) -> Vec<Cidr> {
        let mut out = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            match Cidr::parse(t) {
                Ok(c) => out.push(c),
                Err(e) => self.push(err("invalid-cidr", format!("{path}[{i}]"), e)),
            }
        }
        out
    }

    fn location_ref(&mut self, name: &str, path: &str) -> Option<LocationId> {
        if let Some(id) = self.model.location_named(name) {
            return Some(id);
        }
        let names: Vec<String> = self.model.locations.iter().map(|l| l.name.clone()).collect();
        let help = suggest::did_you_mean(name, names.iter().map(String::as_str))
            .unwrap_or_else(|| format!("declared locations: {}", ticked(names.iter().map(String::as_str))));
        self.push(err("unknown-location", path, format!("unknown location `{name}`")).with_help(help));
        None
    }

    // ----- resources -----------------------------------------------------------------------------

    fn add_resource(&mut self, resource: Resource) -> ResourceId {
        let id = ResourceId::from_index(self.model.resources.len());
        self.model.resources.push(resource);
        id
    }

    fn rg_id_text(subscription: &str, name: &str) -> String {
        format!("/subscriptions/{subscription}/resourceGroups/{name}")
    }

    fn declare_group(&mut self, name: &str, explicit_id: Option<&str>, implicit: bool) -> ResourceId {
        let key = name.to_lowercase();
        if let Some(&id) = self.groups_by_name.get(&key) {
            return id;
        }
        let id_text = explicit_id
            .map(|s| s.trim_end_matches('/').to_string())
            .unwrap_or_else(|| Self::rg_id_text(&self.model.subscription, name));
        let subscription = subscription_of(&id_text).unwrap_or_else(|| self.model.subscription.clone());
        let rid = self.add_resource(Resource {
            name: name.to_string(),
            kind: ResourceKind::ResourceGroup,
            arm_type: "Microsoft.Resources/resourceGroups".to_string(),
            key: id_text.to_lowercase(),
            id: id_text,
            subscription,
            group: None,
            parent: None,
            system_identity: None,
            user_identities: Vec::new(),
            props: Props::None,
            implicit,
            prospective: false,
        });
        self.groups_by_name.insert(key, rid);
        rid
    }

    fn resource_groups(&mut self) {
        let dto = self.dto;
        for (i, r) in dto.resources.iter().enumerate() {
            if decode_kind(&r.kind) != Some(ResourceKind::ResourceGroup) {
                continue;
            }
            let path = self.at("resources", i);
            if self.groups_by_name.contains_key(&r.name.to_lowercase()) {
                self.push(err(
                    "duplicate-name",
                    format!("{path}.name"),
                    format!("resource group `{}` is declared twice", r.name),
                ));
                continue;
            }
            if r.identity.is_some() {
                self.push(err(
                    "invalid-value",
                    format!("{path}.identity"),
                    "a resource group has no identity",
                ));
            }
            if r.group.is_some() {
                self.push(
                    err(
                        "invalid-value",
                        format!("{path}.group"),
                        "a resource group is not in a resource group",
                    )
                    .with_help("remove `group`"),
                );
            }
            self.check_name(&r.name, &format!("{path}.name"));
            self.declare_group(&r.name, r.id.as_deref(), false);
        }
    }

    fn check_name(&mut self, name: &str, path: &str) {
        if name.trim().is_empty() {
            self.push(err("invalid-name", path, "names cannot be empty"));
        } else if RESERVED_NAMES.contains(&name.to_lowercase().as_str()) {
            self.push(
                err("reserved-name", path, format!("`{name}` is a reserved name"))
                    .with_help("`everyone` and `anyone` stand for all principals and all actors; choose another name"),
            );
        }
    }

    /// The resource group of a resource: from `group`, or from its full id, created implicitly when no
    /// one declares it.
    fn group_for(&mut self, group: Option<&str>, id: Option<&str>, path: &str, required: bool) -> Option<ResourceId> {
        let from_id = id.and_then(group_of_id);
        // Same-named groups of two subscriptions get distinct names (an import calls the second
        // `rg~sub`); such a group matches a resource whose id lies under the group's own id.
        let declared_as = |g: &str| {
            let rid = *self.groups_by_name.get(&g.to_lowercase())?;
            let prefix = id.and_then(rg_prefix_of_id)?.to_lowercase();
            (self.model.resource(rid).key == prefix).then_some(rid)
        };
        if let Some(rid) = group.and_then(declared_as) {
            return Some(rid);
        }
        match (group, from_id) {
            (Some(g), Some(fid)) if !g.eq_ignore_ascii_case(&fid) => {
                self.push(err(
                    "inconsistent",
                    format!("{path}.group"),
                    format!("`group` says `{g}` but the id names resource group `{fid}`"),
                ));
                None
            }
            (Some(g), _) => {
                let g = g.strip_prefix("rg:").unwrap_or(g);
                Some(self.declare_group(g, None, true))
            }
            (None, Some(fid)) => {
                let rg_id = id.and_then(rg_prefix_of_id);
                Some(self.declare_group(&fid, rg_id.as_deref(), true))
            }
            (None, None) => {
                if required {
                    self.push(
                        err("missing-key", path, "missing required key `group`")
                            .with_help("name the resource group the resource is in, e.g. `group: rg-ml`"),
                    );
                }
                None
            }
        }
    }

    fn top_level_resources(&mut self) {
        let dto = self.dto;
        for (i, r) in dto.resources.iter().enumerate() {
            let Some(kind) = decode_kind(&r.kind) else { continue };
            if kind == ResourceKind::ResourceGroup || kind.is_workspace_child() {
                continue;
            }
            let path = self.at("resources", i);
            self.check_name(&r.name, &format!("{path}.name"));
            let key = r.name.to_lowercase();
            if self.top_resources.contains_key(&key) {
                self.push(err(
                    "duplicate-name",
                    format!("{path}.name"),
                    format!("resource `{}` is declared twice", r.name),
                ));
                continue;
            }
            let Some(group) = self.group_for(r.group.as_deref(), r.id.as_deref(), &path, true) else {
                continue;
            };
            let arm_type = arm_type_for(kind, &r.kind);
            let id_text = match &r.id {
                Some(id) => id.trim_end_matches('/').to_string(),
                None => format!("{}/providers/{arm_type}/{}", self.model.resource(group).id, r.name),
            };
            if !id_text.to_lowercase().starts_with("/subscriptions/") {
                self.push(
                    err(
                        "invalid-id",
                        format!("{path}.id"),
                        format!("`{id_text}` is not an Azure resource id"),
                    )
                    .with_help(
                        "a resource id looks like `/subscriptions/<id>/resourceGroups/<group>/providers/<type>/<name>`",
                    ),
                );
            }
            let props = match &r.properties {
                Some(PropertiesDto::Other(v)) => Props::Generic(Some(v.to_string())),
                _ if kind == ResourceKind::Generic => Props::Generic(None),
                _ => Props::None,
            };
            let rid = self.add_resource(Resource {
                name: r.name.clone(),
                kind,
                arm_type,
                key: id_text.to_lowercase(),
                subscription: subscription_of(&id_text).unwrap_or_else(|| self.model.subscription.clone()),
                id: id_text,
                group: Some(group),
                parent: None,
                system_identity: None,
                user_identities: Vec::new(),
                props,
                implicit: false,
                prospective: false,
            });
            self.top_resources.insert(key, rid);
        }
    }

    fn managed_identity_principals(&mut self) {
        // User-assigned identities are both principals and resources. Those declared under
        // `principals.managed_identities` get their resource here; those declared as resources of type
        // `user_assigned_identity` already have one.
        let dto = self.dto;
        for (i, mi) in dto.principals.managed_identities.iter().enumerate() {
            let path = self.at("principals.managed_identities", i);
            let key = mi.name.to_lowercase();
            if self.top_resources.contains_key(&key) {
                let existing = self.top_resources.get(&key).copied();
                if existing.map(|r| self.model.resource(r).kind) == Some(ResourceKind::UserAssignedIdentity) {
                    self.push(
                        err(
                            "duplicate-name",
                            format!("{path}.name"),
                            format!(
                                "user-assigned identity `{}` is declared both here and under `resources`",
                                mi.name
                            ),
                        )
                        .with_help("declare it once"),
                    );
                } else {
                    self.push(
                        err(
                            "duplicate-name",
                            format!("{path}.name"),
                            format!("`{}` is already the name of a resource", mi.name),
                        )
                        .with_help("a user-assigned identity is also a resource; give it a name of its own"),
                    );
                }
                continue;
            }
            let Some(group) = self.group_for(Some(&mi.group), None, &path, true) else {
                continue;
            };
            let id_text = format!(
                "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}",
                self.model.resource(group).id,
                mi.name
            );
            let subscription = self.model.resource(group).subscription.clone();
            let rid = self.add_resource(Resource {
                name: mi.name.clone(),
                kind: ResourceKind::UserAssignedIdentity,
                arm_type: "Microsoft.ManagedIdentity/userAssignedIdentities".to_string(),
                key: id_text.to_lowercase(),
                id: id_text,
                subscription,
                group: Some(group),
                parent: None,
                system_identity: None,
                user_identities: Vec::new(),
                props: Props::None,
                implicit: true,
                prospective: false,
            });
            self.top_resources.insert(key, rid);
        }
    }

    fn top_resource_ref(&mut self, name: &str, path: &str, kinds: &[ResourceKind], what: &str) -> Option<ResourceId> {
        let found = self
            .top_resources
            .get(&name.to_lowercase())
            .copied()
            .or_else(|| self.model_resource_by_id(name));
        match found {
            Some(id) if kinds.is_empty() || kinds.contains(&self.model.resource(id).kind) => Some(id),
            Some(id) => {
                let actual = self.model.resource(id).kind.alias();
                self.push(err(
                    "wrong-kind",
                    path,
                    format!("`{name}` is a {actual}, but {what} must be a {}", kinds_text(kinds)),
                ));
                None
            }
            None => {
                if !self.broken.contains(&name.to_lowercase()) {
                    let candidates: Vec<String> = self
                        .model
                        .resources
                        .iter()
                        .filter(|r| kinds.is_empty() || kinds.contains(&r.kind))
                        .map(|r| r.name.clone())
                        .collect();
                    let help = suggest::did_you_mean(name, candidates.iter().map(String::as_str));
                    self.push(
                        err(
                            "unknown-resource",
                            path,
                            format!("unknown {} `{name}`", kinds_text(kinds)),
                        )
                        .with_optional_help(help),
                    );
                }
                None
            }
        }
    }

    fn model_resource_by_id(&self, text: &str) -> Option<ResourceId> {
        if !text.starts_with('/') {
            return None;
        }
        let key = text.trim_end_matches('/').to_lowercase();
        self.model
            .resources
            .iter()
            .position(|r| r.key == key)
            .map(ResourceId::from_index)
    }

    fn child_resources(&mut self) {
        let dto = self.dto;
        for (i, r) in dto.resources.iter().enumerate() {
            let Some(kind) = decode_kind(&r.kind) else { continue };
            if !kind.is_workspace_child() {
                continue;
            }
            let path = self.at("resources", i);
            self.check_name(&r.name, &format!("{path}.name"));
            let ws_name = match &r.properties {
                Some(PropertiesDto::Compute(p)) => p.workspace.clone(),
                Some(PropertiesDto::Endpoint(p)) => p.workspace.clone(),
                Some(PropertiesDto::Datastore(p)) => p.workspace.clone(),
                _ => None,
            };
            let Some(ws_name) = ws_name else {
                self.push(
                    err(
                        "missing-key",
                        format!("{path}.properties"),
                        "missing required key `workspace`",
                    )
                    .with_help(format!(
                        "a {} belongs to a workspace: add `properties: {{workspace: NAME}}`",
                        kind.alias()
                    )),
                );
                continue;
            };
            let Some(ws) = self.top_resource_ref(
                &ws_name,
                &format!("{path}.properties.workspace"),
                &[ResourceKind::Workspace],
                "`workspace`",
            ) else {
                continue;
            };
            let ws_group = self.model.resource(ws).group;
            if let Some(g) = &r.group {
                let given = self.groups_by_name.get(&g.to_lowercase()).copied();
                if given != ws_group {
                    self.push(
                        err(
                            "inconsistent",
                            format!("{path}.group"),
                            format!(
                                "`{}` is in workspace `{ws_name}`, whose resource group is not `{g}`",
                                r.name
                            ),
                        )
                        .with_help(
                            "a workspace's computes, endpoints and datastores are in the workspace's resource group",
                        ),
                    );
                }
            }
            let key = (ws, r.name.to_lowercase());
            let same_collection = self.children.get(&key).is_some_and(|ids| {
                ids.iter()
                    .any(|c| collection(self.model.resource(*c).kind) == collection(kind))
            });
            if same_collection {
                self.push(err(
                    "duplicate-name",
                    format!("{path}.name"),
                    format!(
                        "workspace `{ws_name}` already has a {} named `{}`",
                        collection(kind),
                        r.name
                    ),
                ));
                continue;
            }
            let ws_res = self.model.resource(ws);
            let id_text = match &r.id {
                Some(id) => id.trim_end_matches('/').to_string(),
                None => format!("{}/{}/{}", ws_res.id, collection(kind), r.name),
            };
            let subscription = ws_res.subscription.clone();
            let rid = self.add_resource(Resource {
                name: r.name.clone(),
                kind,
                arm_type: arm_type_for(kind, &r.kind),
                key: id_text.to_lowercase(),
                id: id_text,
                subscription,
                group: ws_group,
                parent: Some(ws),
                system_identity: None,
                user_identities: Vec::new(),
                props: Props::None,
                implicit: false,
                prospective: false,
            });
            self.add_child(key, rid);
        }
    }

    fn add_child(&mut self, key: (ResourceId, String), rid: ResourceId) {
        self.children_named.entry(key.1.clone()).or_default().push(rid);
        self.children.entry(key).or_default().push(rid);
    }

    /// Any resource by name, `workspace/child`, or full id, of one of `kinds` (empty: any kind).
    fn resource_ref(&mut self, name: &str, path: &str, kinds: &[ResourceKind], what: &str) -> Option<ResourceId> {
        if let Some((ws, child)) = name.split_once('/').filter(|_| !name.starts_with('/')) {
            let ws_id = self.top_resources.get(&ws.to_lowercase()).copied();
            let found: Vec<ResourceId> = ws_id
                .and_then(|w| self.children.get(&(w, child.to_lowercase())))
                .map(|ids| {
                    ids.iter()
                        .copied()
                        .filter(|c| kinds.is_empty() || kinds.contains(&self.model.resource(*c).kind))
                        .collect()
                })
                .unwrap_or_default();
            if let [one] = found.as_slice() {
                return Some(*one);
            }
            if !self.broken.contains(&child.to_lowercase()) {
                self.push(err(
                    "unknown-resource",
                    path,
                    format!("unknown {} `{name}`", kinds_text(kinds)),
                ));
            }
            return None;
        }
        let lower = name.to_lowercase();
        let child_matches: Vec<ResourceId> = self
            .children_named
            .get(&lower)
            .into_iter()
            .flatten()
            .copied()
            .filter(|c| kinds.is_empty() || kinds.contains(&self.model.resource(*c).kind))
            .collect();
        let top = self
            .top_resources
            .get(&lower)
            .copied()
            .or_else(|| self.model_resource_by_id(name));
        match (top, child_matches.as_slice()) {
            (Some(_), []) | (None, []) => self.top_resource_ref(name, path, kinds, what),
            (None, [one]) => Some(*one),
            _ => {
                let mut candidates: Vec<String> =
                    child_matches.iter().map(|c| self.model.resource_display(*c)).collect();
                if let Some(t) = top {
                    candidates.push(self.model.resource(t).name.clone());
                }
                candidates.sort();
                self.push(
                    err("ambiguous-name", path, format!("`{name}` names several resources")).with_help(format!(
                        "write one of {}",
                        ticked(candidates.iter().map(String::as_str))
                    )),
                );
                None
            }
        }
    }

    // ----- principals ----------------------------------------------------------------------------

    fn add_principal(&mut self, principal: Principal, path: &str) -> Option<PrincipalId> {
        let key = principal.name.to_lowercase();
        if let Some(existing) = self.principal_names.get(&key) {
            let what = self.model.principal(*existing).kind.as_str();
            self.push(
                err(
                    "duplicate-name",
                    format!("{path}.name"),
                    format!("principal `{}` is already declared (as a {what})", principal.name),
                )
                .with_help("principal names are unique across users, groups, service principals and identities"),
            );
            return None;
        }
        let id = PrincipalId::from_index(self.model.principals.len());
        if let Some(oid) = &principal.object_id {
            let oid_key = oid.to_lowercase();
            match self.principal_names.entry(oid_key) {
                std::collections::hash_map::Entry::Occupied(_) => self.push(err(
                    "duplicate-id",
                    format!("{path}.id"),
                    format!("object id `{oid}` is used twice"),
                )),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(id);
                }
            }
        }
        self.principal_names.insert(key, id);
        self.model.principals.push(principal);
        Some(id)
    }

    fn principal(name: &str, kind: PrincipalKind, object_id: Option<&String>) -> Principal {
        Principal {
            name: name.to_string(),
            kind,
            object_id: object_id.map(|s| s.to_lowercase()),
            locations: Vec::new(),
            members: Vec::new(),
            owners: Vec::new(),
            identity_of: None,
        }
    }

    fn principals(&mut self) {
        let dto = self.dto;
        for (i, u) in dto.principals.users.iter().enumerate() {
            let path = self.at("principals.users", i);
            self.check_name(&u.name, &format!("{path}.name"));
            self.add_principal(Self::principal(&u.name, PrincipalKind::User, u.id.as_ref()), &path);
        }
        for (i, g) in dto.principals.groups.iter().enumerate() {
            let path = self.at("principals.groups", i);
            self.check_name(&g.name, &format!("{path}.name"));
            self.add_principal(Self::principal(&g.name, PrincipalKind::Group, g.id.as_ref()), &path);
        }
        for (i, s) in dto.principals.service_principals.iter().enumerate() {
            let path = self.at("principals.service_principals", i);
            self.check_name(&s.name, &format!("{path}.name"));
            self.add_principal(
                Self::principal(&s.name, PrincipalKind::ServicePrincipal, s.id.as_ref()),
                &path,
            );
        }
        let uai_resources: Vec<ResourceId> = self
            .model
            .resource_ids()
            .filter(|r| self.model.resource(*r).kind == ResourceKind::UserAssignedIdentity)
            .collect();
        for rid in uai_resources {
            let name = self.model.resource(rid).name.clone();
            let object_id = dto
                .principals
                .managed_identities
                .iter()
                .find(|m| m.name.eq_ignore_ascii_case(&name))
                .and_then(|m| m.id.clone());
            let path = match dto
                .principals
                .managed_identities
                .iter()
                .position(|m| m.name.eq_ignore_ascii_case(&name))
            {
                Some(i) => self.at("principals.managed_identities", i),
                None => self.resource_path(&name),
            };
            let mut p = Self::principal(&name, PrincipalKind::ManagedIdentity, object_id.as_ref());
            p.identity_of = Some(IdentityOf::UserAssigned(rid));
            self.add_principal(p, &path);
        }
    }

    fn resource_path(&self, name: &str) -> String {
        self.dto
            .resources
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(name))
            .map_or_else(|| "resources".to_string(), |i| self.at("resources", i))
    }

    /// The resource declared by `resources[i]`, found by its name (and workspace, for children).
    fn declared_resource(&self, r: &ResourceDto) -> Option<ResourceId> {
        let kind = decode_kind(&r.kind)?;
        let lower = r.name.to_lowercase();
        match kind {
            ResourceKind::ResourceGroup => self.groups_by_name.get(&lower).copied(),
            k if k.is_workspace_child() => self
                .children_named
                .get(&lower)
                .into_iter()
                .flatten()
                .copied()
                .find(|c| {
                    let res = self.model.resource(*c);
                    res.kind == k
                        && !res.implicit
                        && res.parent.is_some_and(|p| {
                            let ws = &self.model.resource(p).name;
                            child_workspace(r).is_some_and(|w| w.eq_ignore_ascii_case(ws))
                        })
                }),
            _ => self.top_resources.get(&lower).copied(),
        }
    }

    fn system_identities(&mut self) {
        let dto = self.dto;
        for (i, r) in dto.resources.iter().enumerate() {
            let Some(identity) = &r.identity else { continue };
            let Some(rid) = self.declared_resource(r) else { continue };
            let path = format!("{}.identity", self.at("resources", i));
            if identity.system {
                let display = self.model.resource_display(rid);
                let mut p = Self::principal(&display, PrincipalKind::ManagedIdentity, identity.principal_id.as_ref());
                p.identity_of = Some(IdentityOf::SystemAssigned(rid));
                if let Some(pid) = self.add_principal(p, &path)
                    && let Some(res) = self.model.resources.get_mut(rid.index())
                {
                    res.system_identity = Some(pid);
                }
            }
            let mut attached = Vec::new();
            for (j, name) in identity.user_assigned.iter().enumerate() {
                let upath = format!("{path}.user_assigned[{j}]");
                if let Some(pid) = self.principal_ref(name, &upath) {
                    let p = self.model.principal(pid);
                    if matches!(p.identity_of, Some(IdentityOf::UserAssigned(_))) {
                        attached.push(pid);
                    } else {
                        self.push(err(
                            "wrong-kind",
                            upath,
                            format!("`{name}` is a {}, not a user-assigned identity", p.kind.as_str()),
                        ));
                    }
                }
            }
            if let Some(res) = self.model.resources.get_mut(rid.index()) {
                res.user_identities = attached;
            }
        }
    }

    /// The system-assigned identities of the resources with this lower-cased name or id, in resource
    /// order, from an index rebuilt only when the resource table changed.
    fn identities_named(&mut self, lower: &str) -> Vec<PrincipalId> {
        let sizes = (self.model.resources.len(), self.model.principals.len());
        if self.identity_index.0 != sizes {
            let mut index: FxHashMap<String, Vec<PrincipalId>> = FxHashMap::default();
            for r in &self.model.resources {
                let Some(p) = r.system_identity else { continue };
                let name = r.name.to_lowercase();
                if name != r.key {
                    index.entry(r.key.clone()).or_default().push(p);
                }
                index.entry(name).or_default().push(p);
            }
            self.identity_index = (sizes, index);
        }
        self.identity_index.1.get(lower).cloned().unwrap_or_default()
    }

    /// A principal by name, object id, or the name of a resource with a system identity.
    fn principal_ref(&mut self, name: &str, path: &dyn Display) -> Option<PrincipalId> {
        let lower = name.to_lowercase();
        if let Some(&p) = self.principal_names.get(&lower) {
            return Some(p);
        }
        // A resource name in a principal position means its system-assigned identity.
        let with_identity = self.identities_named(&lower);
        if let [one] = with_identity.as_slice() {
            return Some(*one);
        }
        if with_identity.len() > 1 {
            let names: Vec<String> = with_identity
                .iter()
                .map(|p| self.model.principal(*p).name.clone())
                .collect();
            self.push(
                err(
                    "ambiguous-name",
                    path,
                    format!("`{name}` names the identities of several resources"),
                )
                .with_help(format!("write one of {}", ticked(names.iter().map(String::as_str)))),
            );
            return None;
        }
        if RESERVED_NAMES.contains(&lower.as_str()) {
            self.push(
                err("reserved-name", path, format!("`{name}` cannot be used here"))
                    .with_help("`everyone` is only for deny assignments and `anyone` only for `held_by`"),
            );
            return None;
        }
        if self.broken.contains(&lower) {
            return None;
        }
        let mut help = suggest::did_you_mean(name, self.model.principals.iter().map(|p| p.name.as_str()));
        if help.is_none() && self.model.resources.iter().any(|r| r.name.to_lowercase() == lower) {
            help = Some(format!(
                "resource `{name}` has no system-assigned identity; add `identity: {{system: true}}` to it"
            ));
        }
        self.push(err("unknown-principal", path, format!("unknown principal `{name}`")).with_optional_help(help));
        None
    }

    fn principal_references(&mut self) {
        let dto = self.dto;
        for (i, g) in dto.principals.groups.iter().enumerate() {
            let Some(gid) = self.principal_names.get(&g.name.to_lowercase()).copied() else {
                continue;
            };
            let mut members = Vec::new();
            for (j, m) in g.members.iter().enumerate() {
                if let Some(pid) = self.principal_ref(m, &format!("{}.members[{j}]", self.at("principals.groups", i)))
                    && !members.contains(&pid)
                {
                    members.push(pid);
                }
            }
            if let Some(p) = self.model.principals.get_mut(gid.index()) {
                p.members = members;
            }
        }
        for (i, s) in dto.principals.service_principals.iter().enumerate() {
            let Some(sid) = self.principal_names.get(&s.name.to_lowercase()).copied() else {
                continue;
            };
            let mut owners = Vec::new();
            for (j, o) in s.owners.iter().enumerate() {
                if let Some(pid) = self.principal_ref(
                    o,
                    &format!("{}.owners[{j}]", self.at("principals.service_principals", i)),
                ) {
                    owners.push(pid);
                }
            }
            let locations =
                self.principal_locations(s.locations.as_deref(), &self.at("principals.service_principals", i));
            if let Some(p) = self.model.principals.get_mut(sid.index()) {
                p.owners = owners;
                p.locations = locations;
            }
        }
        for (i, u) in dto.principals.users.iter().enumerate() {
            let Some(uid) = self.principal_names.get(&u.name.to_lowercase()).copied() else {
                continue;
            };
            let locations = self.principal_locations(u.locations.as_deref(), &self.at("principals.users", i));
            if let Some(p) = self.model.principals.get_mut(uid.index()) {
                p.locations = locations;
            }
        }
    }

    fn principal_locations(&mut self, names: Option<&[String]>, path: &str) -> Vec<LocationId> {
        match names {
            None => self.model.location_named("internet").into_iter().collect(),
            Some(list) => {
                if list.is_empty() {
                    self.push(
                        err("invalid-value", format!("{path}.locations"), "`locations` is empty")
                            .with_help("leave it out to mean `[internet]`"),
                    );
                }
                list.iter()
                    .enumerate()
                    .filter_map(|(j, n)| self.location_ref(n, &format!("{path}.locations[{j}]")))
                    .collect()
            }
        }
    }

    // ----- network -------------------------------------------------------------------------------

    fn network(&mut self) {
        let dto = self.dto;
        // NSGs first: subnets refer to them.
        for (i, nsg) in dto.network.nsgs.iter().enumerate() {
            let path = self.at("network.nsgs", i);
            self.check_name(&nsg.name, &format!("{path}.name"));
            if self.nsg_names.contains_key(&nsg.name.to_lowercase()) {
                self.push(err(
                    "duplicate-name",
                    format!("{path}.name"),
                    format!("NSG `{}` is declared twice", nsg.name),
                ));
                continue;
            }
            let group_name = nsg.group.clone().or_else(|| nsg_group_from_vnets(dto, &nsg.name));
            let rid = self.network_resource(
                &nsg.name,
                group_name.as_deref(),
                ResourceKind::NetworkSecurityGroup,
                &path,
            );
            let mut rules = Vec::new();
            for (j, rule) in nsg.rules.iter().enumerate() {
                if let Some(r) = self.nsg_rule(rule, &format!("{path}.rules[{j}]")) {
                    if let Some(other) = rules
                        .iter()
                        .find(|o: &&NsgRule| o.priority == r.priority && o.direction == r.direction)
                    {
                        self.push(
                            err(
                                "duplicate-priority",
                                format!("{path}.rules[{j}].priority"),
                                format!(
                                    "rules `{}` and `{}` have the same priority and direction",
                                    other.name, r.name
                                ),
                            )
                            .with_help("Azure requires a distinct priority per direction"),
                        );
                        continue;
                    }
                    if rules.iter().any(|o: &NsgRule| o.name.eq_ignore_ascii_case(&r.name)) {
                        self.push(err(
                            "duplicate-name",
                            format!("{path}.rules[{j}].name"),
                            format!("rule `{}` is declared twice", r.name),
                        ));
                        continue;
                    }
                    rules.push(r);
                }
            }
            rules.extend(default_nsg_rules());
            rules.sort_by_key(|r| (r.direction, r.priority));
            let id = NsgId::from_index(self.model.network.nsgs.len());
            self.model.network.nsgs.push(Nsg {
                name: nsg.name.clone(),
                resource: rid.unwrap_or(ResourceId(u32::MAX)),
                rules,
            });
            self.nsg_names.insert(nsg.name.to_lowercase(), id);
        }
        for (i, v) in dto.network.vnets.iter().enumerate() {
            let path = self.at("network.vnets", i);
            self.check_name(&v.name, &format!("{path}.name"));
            if self.vnet_names.contains_key(&v.name.to_lowercase()) {
                self.push(err(
                    "duplicate-name",
                    format!("{path}.name"),
                    format!("VNet `{}` is declared twice", v.name),
                ));
                continue;
            }
            let rid = self.network_resource(&v.name, v.group.as_deref(), ResourceKind::VirtualNetwork, &path);
            let address_space = self.cidrs(&v.address_space, &format!("{path}.address_space"));
            if v.address_space.is_empty() {
                self.push(err(
                    "invalid-value",
                    format!("{path}.address_space"),
                    "a VNet needs at least one address prefix",
                ));
            }
            let vid = VnetId::from_index(self.model.network.vnets.len());
            let mut subnets = Vec::new();
            for (j, s) in v.subnets.iter().enumerate() {
                let spath = format!("{path}.subnets[{j}]");
                let Ok(prefix) = Cidr::parse(&s.prefix) else {
                    self.push(err(
                        "invalid-cidr",
                        format!("{spath}.prefix"),
                        format!("`{}` is not an IPv4 CIDR", s.prefix),
                    ));
                    continue;
                };
                if !address_space.is_empty() && !address_space.iter().any(|a| a.covers(prefix)) {
                    self.push(err(
                        "invalid-cidr",
                        format!("{spath}.prefix"),
                        format!("subnet prefix `{prefix}` is outside the VNet's address space"),
                    ));
                }
                let nsg = match &s.nsg {
                    Some(n) => match self.nsg_names.get(&n.to_lowercase()) {
                        Some(id) => Some(*id),
                        None => {
                            let names: Vec<&str> = dto.network.nsgs.iter().map(|n| n.name.as_str()).collect();
                            self.push(
                                err("unknown-nsg", format!("{spath}.nsg"), format!("unknown NSG `{n}`"))
                                    .with_optional_help(suggest::did_you_mean(n, names)),
                            );
                            None
                        }
                    },
                    None => None,
                };
                let key = format!("{}/{}", v.name, s.name).to_lowercase();
                if self.subnet_names.contains_key(&key) {
                    self.push(err(
                        "duplicate-name",
                        format!("{spath}.name"),
                        format!("subnet `{}` is declared twice", s.name),
                    ));
                    continue;
                }
                let sid = SubnetId::from_index(self.model.network.subnets.len());
                self.model.network.subnets.push(Subnet {
                    name: s.name.clone(),
                    vnet: vid,
                    prefix,
                    nsg,
                    service_endpoints: s.service_endpoints.clone(),
                    private_endpoint_network_policies: s.private_endpoint_network_policies,
                });
                self.subnet_names.insert(key, sid);
                subnets.push(sid);
            }
            self.model.network.vnets.push(Vnet {
                name: v.name.clone(),
                resource: rid.unwrap_or(ResourceId(u32::MAX)),
                address_space,
                subnets,
            });
            self.vnet_names.insert(v.name.to_lowercase(), vid);
        }
        for (i, (a, b)) in dto.network.peerings.iter().enumerate() {
            let path = self.at("network.peerings", i);
            let va = self.vnet_ref(a, &format!("{path}[0]"));
            let vb = self.vnet_ref(b, &format!("{path}[1]"));
            if let (Some(va), Some(vb)) = (va, vb) {
                self.model.network.peerings.push((va, vb));
            }
        }
        for (i, g) in dto.network.gateways.iter().enumerate() {
            let path = self.at("network.gateways", i);
            let l = self.location_ref(&g.location, &format!("{path}.location"));
            let v = self.vnet_ref(&g.vnet, &format!("{path}.vnet"));
            if let (Some(l), Some(v)) = (l, v) {
                self.model.network.gateways.push((l, v));
            }
        }
    }

    fn private_endpoints(&mut self) {
        let dto = self.dto;
        for (i, pe) in dto.network.private_endpoints.iter().enumerate() {
            let path = self.at("network.private_endpoints", i);
            self.check_name(&pe.name, &format!("{path}.name"));
            let target = self.resource_ref(&pe.resource, &format!("{path}.resource"), &[], "`resource`");
            let subnet = self.subnet_ref(&pe.subnet, &format!("{path}.subnet"));
            let status = match pe
                .status
                .as_deref()
                .map(|s| choice(s, &["Approved", "Pending", "Rejected"]))
            {
                None | Some(Ok("Approved")) => PeStatus::Approved,
                Some(Ok("Pending")) => PeStatus::Pending,
                Some(Ok(_)) => PeStatus::Rejected,
                Some(Err(e)) => {
                    self.push(err("invalid-value", format!("{path}.status"), e));
                    PeStatus::Rejected
                }
            };
            let subresource = pe.subresource.to_lowercase();
            if !KNOWN_SUBRESOURCES.contains(&subresource.as_str()) {
                self.push(
                    Diagnostic::warning(
                        "unknown-subresource",
                        format!("sub-resource `{}` carries no traffic the tool models", pe.subresource),
                    )
                    .at(format!("{path}.subresource"))
                    .with_optional_help(suggest::did_you_mean(
                        &pe.subresource,
                        KNOWN_SUBRESOURCES.iter().copied(),
                    )),
                );
            }
            let ip = match &pe.ip {
                Some(text) => match text.parse::<std::net::Ipv4Addr>() {
                    Ok(a) => {
                        let a = u32::from(a);
                        if let Some(s) = subnet.and_then(|s| self.model.network.subnet(s))
                            && !s.prefix.contains(a)
                        {
                            self.push(err(
                                "invalid-value",
                                format!("{path}.ip"),
                                format!("`{text}` is not in the subnet's prefix `{}`", s.prefix),
                            ));
                        }
                        Some(a)
                    }
                    Err(_) => {
                        self.push(err(
                            "invalid-value",
                            format!("{path}.ip"),
                            format!("`{text}` is not an IPv4 address"),
                        ));
                        None
                    }
                },
                None => None,
            };
            let group = pe.group.clone().or_else(|| {
                subnet
                    .and_then(|s| self.model.network.subnet(s))
                    .and_then(|s| self.model.network.vnets.get(s.vnet.index()))
                    .and_then(|v| self.model.resources.get(v.resource.index()))
                    .and_then(|r| r.group)
                    .map(|g| self.model.resource(g).name.clone())
            });
            let rid = self.network_resource(&pe.name, group.as_deref(), ResourceKind::PrivateEndpoint, &path);
            if let (Some(target), Some(subnet), Some(rid)) = (target, subnet, rid) {
                self.model.network.private_endpoints.push(PrivateEndpoint {
                    name: pe.name.clone(),
                    resource: rid,
                    target,
                    subresource,
                    subnet,
                    status,
                    ip,
                });
            }
        }
    }

    fn network_resource(
        &mut self,
        name: &str,
        group: Option<&str>,
        kind: ResourceKind,
        path: &str,
    ) -> Option<ResourceId> {
        let key = name.to_lowercase();
        if self.top_resources.contains_key(&key) {
            self.push(err(
                "duplicate-name",
                format!("{path}.name"),
                format!("`{name}` is already the name of a resource"),
            ));
            return None;
        }
        let group = match group {
            Some(g) => self.declare_group(g.strip_prefix("rg:").unwrap_or(g), None, true),
            None => {
                self.push(
                    err("missing-key", path, "missing required key `group`")
                        .with_help("name the resource group the network resource is in"),
                );
                return None;
            }
        };
        let arm_type = arm_type_for(kind, "");
        let id_text = format!("{}/providers/{arm_type}/{name}", self.model.resource(group).id);
        let subscription = self.model.resource(group).subscription.clone();
        let rid = self.add_resource(Resource {
            name: name.to_string(),
            kind,
            arm_type,
            key: id_text.to_lowercase(),
            id: id_text,
            subscription,
            group: Some(group),
            parent: None,
            system_identity: None,
            user_identities: Vec::new(),
            props: Props::None,
            implicit: false,
            prospective: false,
        });
        self.top_resources.insert(key, rid);
        Some(rid)
    }

    fn vnet_ref(&mut self, name: &str, path: &str) -> Option<VnetId> {
        if let Some(v) = self.vnet_names.get(&name.to_lowercase()) {
            return Some(*v);
        }
        let names: Vec<String> = self.model.network.vnets.iter().map(|v| v.name.clone()).collect();
        self.push(
            err("unknown-vnet", path, format!("unknown VNet `{name}`"))
                .with_optional_help(suggest::did_you_mean(name, names.iter().map(String::as_str))),
        );
        None
    }

    fn subnet_ref(&mut self, name: &str, path: &str) -> Option<SubnetId> {
        if let Some(s) = self.subnet_names.get(&name.to_lowercase()) {
            return Some(*s);
        }
        let names: Vec<String> = (0..self.model.network.subnets.len())
            .map(|i| self.model.network.subnet_name(SubnetId::from_index(i)))
            .collect();
        let help = if name.contains('/') {
            suggest::did_you_mean(name, names.iter().map(String::as_str))
        } else {
            Some("write a subnet as `vnet/subnet`".to_string())
        };
        self.push(err("unknown-subnet", path, format!("unknown subnet `{name}`")).with_optional_help(help));
        None
    }

    fn nsg_rule(&mut self, rule: &NsgRuleDto, path: &str) -> Option<NsgRule> {
        let mut ok = true;
        if !(100..=4096).contains(&rule.priority) {
            self.push(err(
                "invalid-value",
                format!("{path}.priority"),
                format!("priority `{}` is outside 100..4096", rule.priority),
            ));
            ok = false;
        }
        let direction = match choice(&rule.direction, &["Inbound", "Outbound"]) {
            Ok("Inbound") => Direction::Inbound,
            Ok(_) => Direction::Outbound,
            Err(e) => {
                self.push(err("invalid-value", format!("{path}.direction"), e));
                ok = false;
                Direction::Inbound
            }
        };
        let access = match choice(&rule.access, &["Allow", "Deny"]) {
            Ok("Allow") => Access::Allow,
            Ok(_) => Access::Deny,
            Err(e) => {
                self.push(err("invalid-value", format!("{path}.access"), e));
                ok = false;
                Access::Deny
            }
        };
        let protocol = match choice(&rule.protocol, &["Tcp", "Udp", "Icmp", "*", "Any"]) {
            Ok("Tcp") => Protocol::Tcp,
            Ok("Udp") => Protocol::Udp,
            Ok("Icmp") => Protocol::Icmp,
            Ok(_) => Protocol::Any,
            Err(e) => {
                self.push(err("invalid-value", format!("{path}.protocol"), e));
                ok = false;
                Protocol::Any
            }
        };
        let source = self.address_matches(&rule.source, &format!("{path}.source"));
        let destination = self.address_matches(&rule.destination, &format!("{path}.destination"));
        let source_ports = self.ports(&rule.source_ports, &format!("{path}.source_ports"));
        let destination_ports = self.ports(&rule.destination_ports, &format!("{path}.destination_ports"));
        if !ok || source.is_none() || destination.is_none() || source_ports.is_none() || destination_ports.is_none() {
            return None;
        }
        Some(NsgRule {
            name: rule.name.clone(),
            priority: rule.priority,
            direction,
            access,
            protocol,
            source: source.unwrap_or_default(),
            source_ports: source_ports.unwrap_or_default(),
            destination: destination.unwrap_or_default(),
            destination_ports: destination_ports.unwrap_or_default(),
            default: false,
        })
    }

    fn ports(&mut self, texts: &[String], path: &str) -> Option<Vec<PortRange>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (i, t) in texts.iter().enumerate() {
            for part in t.split(',') {
                match PortRange::parse(part) {
                    Ok(p) => out.push(p),
                    Err(e) => {
                        self.push(err("invalid-port", format!("{path}[{i}]"), e));
                        ok = false;
                    }
                }
            }
        }
        if texts.is_empty() {
            self.push(err("invalid-value", path, "the list is empty").with_help("write `[\"*\"]` for any port"));
            ok = false;
        }
        ok.then_some(out)
    }

    fn address_matches(&mut self, texts: &[String], path: &str) -> Option<Vec<AddressMatch>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (i, t) in texts.iter().enumerate() {
            let t = t.trim();
            let ipath = format!("{path}[{i}]");
            let m = if t == "*" || t.eq_ignore_ascii_case("any") {
                AddressMatch::Any
            } else if t.starts_with(|c: char| c.is_ascii_digit()) {
                match Cidr::parse(t) {
                    Ok(c) => AddressMatch::Cidr(c),
                    Err(e) => {
                        self.push(err("invalid-cidr", ipath, e));
                        ok = false;
                        continue;
                    }
                }
            } else if let Some(tag) = service_tag(t).filter(|tag| !matches!(tag, ServiceTag::Other(_))) {
                // Azure's own tags before location names: `Internet` is the tag (every address
                // outside every VNet), not the implicit `internet` location (every address).
                AddressMatch::Tag(tag)
            } else if let Some(l) = self.model.location_named(t) {
                AddressMatch::Location(l)
            } else {
                match service_tag(t) {
                    Some(tag) => AddressMatch::Tag(tag),
                    None => {
                        let names: Vec<String> = self.model.locations.iter().map(|l| l.name.clone()).collect();
                        if let Some(help) = suggest::did_you_mean(t, names.iter().map(String::as_str)) {
                            self.push(
                                err(
                                    "unknown-location",
                                    ipath,
                                    format!("`{t}` is neither a location nor a known service tag"),
                                )
                                .with_help(help),
                            );
                            ok = false;
                            continue;
                        }
                        self.push(Diagnostic::warning("unknown-service-tag", format!("service tag `{t}` is not one the tool knows; it is treated as a set of public Azure addresses"))
                            .at(ipath));
                        AddressMatch::Tag(ServiceTag::Other(t.to_string()))
                    }
                }
            };
            out.push(m);
        }
        if texts.is_empty() {
            self.push(err("invalid-value", path, "the list is empty").with_help("write `[\"*\"]` for any address"));
            ok = false;
        }
        ok.then_some(out)
    }

    // ----- resource properties -------------------------------------------------------------------

    fn resource_properties(&mut self) {
        self.private_endpoints();
        let dto = self.dto;
        for (i, r) in dto.resources.iter().enumerate() {
            let Some(rid) = self.declared_resource(r) else { continue };
            let path = format!("{}.properties", self.at("resources", i));
            let props = match &r.properties {
                Some(PropertiesDto::Workspace(p)) => self.workspace_props(p, &path).map(Props::Workspace),
                Some(PropertiesDto::Compute(p)) => self.compute_props(p, rid, &path).map(Props::Compute),
                Some(PropertiesDto::Endpoint(p)) => self.endpoint_props(p, rid, &path).map(Props::Endpoint),
                Some(PropertiesDto::Datastore(p)) => self.datastore_props(p, rid, &path).map(Props::Datastore),
                Some(PropertiesDto::Storage(p)) => Some(Props::Storage(self.storage_props(p, &path))),
                Some(PropertiesDto::KeyVault(p)) => Some(Props::KeyVault(self.key_vault_props(p, &path))),
                Some(PropertiesDto::Registry(p)) => Some(Props::Registry(self.registry_props(p, &path))),
                Some(PropertiesDto::Vm(p)) => Some(Props::Vm(self.vm_props(p, &path))),
                Some(PropertiesDto::Other(_)) | None => None,
            };
            if let Some(props) = props
                && let Some(res) = self.model.resources.get_mut(rid.index())
            {
                res.props = props;
            }
        }
    }

    fn public_access(&mut self, value: Option<&String>, path: &str) -> PublicAccess {
        match value.map(|v| choice(v, &["Enabled", "Disabled"])) {
            None | Some(Ok("Enabled")) => PublicAccess::Enabled,
            Some(Ok(_)) => PublicAccess::Disabled,
            Some(Err(e)) => {
                self.push(err("invalid-value", path, e));
                PublicAccess::Enabled
            }
        }
    }

    fn workspace_props(&mut self, p: &WorkspacePropsDto, path: &str) -> Option<WorkspaceProps> {
        let storage_account = p.storage_account.as_ref().and_then(|n| {
            self.top_resource_ref(
                n,
                &format!("{path}.storage_account"),
                &[ResourceKind::StorageAccount],
                "`storage_account`",
            )
        });
        let key_vault = p.key_vault.as_ref().and_then(|n| {
            self.top_resource_ref(
                n,
                &format!("{path}.key_vault"),
                &[ResourceKind::KeyVault],
                "`key_vault`",
            )
        });
        let container_registry = p.container_registry.as_ref().and_then(|n| {
            self.top_resource_ref(
                n,
                &format!("{path}.container_registry"),
                &[ResourceKind::ContainerRegistry],
                "`container_registry`",
            )
        });
        let public_network_access = self.public_access(
            p.public_network_access.as_ref(),
            &format!("{path}.public_network_access"),
        );
        let ip_rules = self.cidrs(p.ip_rules.as_deref().unwrap_or_default(), &format!("{path}.ip_rules"));
        let managed_network = match p.managed_network.as_deref().map(|v| {
            choice(
                v,
                &["disabled", "allow_internet_outbound", "allow_only_approved_outbound"],
            )
        }) {
            None | Some(Ok("disabled")) => ManagedNetwork::Disabled,
            Some(Ok("allow_internet_outbound")) => ManagedNetwork::AllowInternetOutbound,
            Some(Ok(_)) => ManagedNetwork::AllowOnlyApprovedOutbound,
            Some(Err(e)) => {
                self.push(err("invalid-value", format!("{path}.managed_network"), e));
                ManagedNetwork::Disabled
            }
        };
        let system_datastores_identity = match p
            .system_datastores_auth_mode
            .as_deref()
            .map(|v| choice(v, &["accesskey", "identity"]))
        {
            None | Some(Ok("accesskey")) => false,
            Some(Ok(_)) => true,
            Some(Err(e)) => {
                self.push(err("invalid-value", format!("{path}.system_datastores_auth_mode"), e));
                false
            }
        };
        Some(WorkspaceProps {
            storage_account,
            key_vault,
            container_registry,
            public_network_access,
            ip_rules,
            managed_network,
            system_datastores_identity,
        })
    }

    fn compute_props(&mut self, p: &ComputePropsDto, rid: ResourceId, path: &str) -> Option<ComputeProps> {
        let workspace = self.model.resource(rid).parent?;
        let kind = self.model.resource(rid).kind;
        let (ssh_enabled, ssh_port) = match &p.ssh {
            Some(s) => (s.enabled, s.port.unwrap_or(50000)),
            None => (false, 50000),
        };
        let subnet = p
            .subnet
            .as_ref()
            .and_then(|s| self.subnet_ref(s, &format!("{path}.subnet")));
        let assigned_user = match &p.assigned_user {
            Some(u) if kind == ResourceKind::ComputeCluster => {
                self.push(err(
                    "invalid-value",
                    format!("{path}.assigned_user"),
                    format!("`assigned_user` applies to compute instances only, not to `{u}`'s cluster"),
                ));
                None
            }
            Some(u) => self.principal_ref(u, &format!("{path}.assigned_user")),
            None => None,
        };
        Some(ComputeProps {
            workspace,
            ssh_enabled,
            ssh_port,
            public_ip: p.public_ip.unwrap_or(true),
            subnet,
            assigned_user,
        })
    }

    fn endpoint_props(&mut self, p: &EndpointPropsDto, rid: ResourceId, path: &str) -> Option<EndpointProps> {
        let workspace = self.model.resource(rid).parent?;
        let auth_mode = match p
            .auth_mode
            .as_deref()
            .map(|v| choice(v, &["key", "aml_token", "aad_token"]))
        {
            None | Some(Ok("key")) => AuthMode::Key,
            Some(Ok("aml_token")) => AuthMode::AmlToken,
            Some(Ok(_)) => AuthMode::AadToken,
            Some(Err(e)) => {
                self.push(err("invalid-value", format!("{path}.auth_mode"), e));
                AuthMode::Key
            }
        };
        let public_network_access = self.public_access(
            p.public_network_access.as_ref(),
            &format!("{path}.public_network_access"),
        );
        Some(EndpointProps {
            workspace,
            auth_mode,
            public_network_access,
        })
    }

    fn datastore_props(&mut self, p: &DatastorePropsDto, rid: ResourceId, path: &str) -> Option<DatastoreProps> {
        let workspace = self.model.resource(rid).parent?;
        let storage_account = match &p.storage_account {
            Some(n) => self.top_resource_ref(
                n,
                &format!("{path}.storage_account"),
                &[ResourceKind::StorageAccount],
                "`storage_account`",
            ),
            None => {
                self.push(
                    err(
                        "missing-key",
                        path.to_string(),
                        "missing required key `storage_account`",
                    )
                    .with_help("name the storage account the datastore points at"),
                );
                None
            }
        };
        let kind = match p
            .credentials
            .as_deref()
            .map(|v| choice(v, &["account_key", "sas", "service_principal", "none"]))
        {
            None => "account_key",
            Some(Ok(k)) => k,
            Some(Err(e)) => {
                self.push(err("invalid-value", format!("{path}.credentials"), e));
                "account_key"
            }
        };
        if p.service_principal.is_some() && kind != "service_principal" {
            self.push(err(
                "invalid-value",
                format!("{path}.service_principal"),
                "`service_principal` applies only with `credentials: service_principal`",
            ));
        }
        if p.permissions.is_some() && kind != "sas" {
            self.push(err(
                "invalid-value",
                format!("{path}.permissions"),
                "`permissions` applies only with `credentials: sas`",
            ));
        }
        let credentials = match kind {
            "sas" => {
                let (read, write) = match &p.permissions {
                    Some(perms) => self.sas_permissions(perms, &format!("{path}.permissions")),
                    None => (true, true),
                };
                DatastoreCredentials::Sas { read, write }
            }
            "service_principal" => match &p.service_principal {
                Some(sp) => match self.principal_ref(sp, &format!("{path}.service_principal")) {
                    Some(pid) => DatastoreCredentials::ServicePrincipal(pid),
                    None => return None,
                },
                None => {
                    self.push(
                        err(
                            "missing-key",
                            path.to_string(),
                            "missing required key `service_principal`",
                        )
                        .with_help("a `service_principal` datastore names the principal whose secret it stores"),
                    );
                    return None;
                }
            },
            "none" => DatastoreCredentials::None,
            _ => DatastoreCredentials::AccountKey,
        };
        Some(DatastoreProps {
            workspace,
            storage_account,
            credentials,
        })
    }

    /// Read and write rights of SAS permissions: `read`/`list` read, `write`/`create`/`add` write.
    fn sas_permissions(&mut self, perms: &[String], path: &str) -> (bool, bool) {
        let (mut read, mut write) = (false, false);
        for (i, p) in perms.iter().enumerate() {
            match choice(p, SAS_PERMISSIONS) {
                Ok("read" | "list") => read = true,
                Ok("write" | "create" | "add") => write = true,
                Ok(_) => {}
                Err(e) => self.push(err("invalid-value", format!("{path}[{i}]"), e)),
            }
        }
        (read, write)
    }

    fn network_acls(&mut self, acls: Option<&NetworkAclsDto>, path: &str) -> NetworkAcls {
        let Some(a) = acls else { return NetworkAcls::default() };
        let default_action = match a.default_action.as_deref().map(|v| choice(v, &["Allow", "Deny"])) {
            None | Some(Ok("Allow")) => DefaultAction::Allow,
            Some(Ok(_)) => DefaultAction::Deny,
            Some(Err(e)) => {
                self.push(err("invalid-value", format!("{path}.default_action"), e));
                DefaultAction::Allow
            }
        };
        let ip_rules = self.cidrs(a.ip_rules.as_deref().unwrap_or_default(), &format!("{path}.ip_rules"));
        let virtual_network_rules = a
            .virtual_network_rules
            .as_deref()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| self.subnet_ref(s, &format!("{path}.virtual_network_rules[{i}]")))
            .collect();
        let (bypass_azure_services, bypass_other) = match &a.bypass {
            None => (true, Vec::new()),
            Some(list) => {
                let mut azure = false;
                let mut other = Vec::new();
                for (i, b) in list.iter().enumerate() {
                    match choice(b, &["AzureServices", "Logging", "Metrics", "None"]) {
                        Ok("AzureServices") => azure = true,
                        Ok("None") => {}
                        Ok(x) => other.push(x.to_string()),
                        Err(e) => self.push(err("invalid-value", format!("{path}.bypass[{i}]"), e)),
                    }
                }
                (azure, other)
            }
        };
        let resource_access_rules = a
            .resource_access_rules
            .as_deref()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                self.resource_ref(
                    n,
                    &format!("{path}.resource_access_rules[{i}]"),
                    &[],
                    "a resource access rule",
                )
            })
            .collect();
        NetworkAcls {
            default_action,
            ip_rules,
            virtual_network_rules,
            bypass_azure_services,
            bypass_other,
            resource_access_rules,
        }
    }

    fn storage_props(&mut self, p: &StoragePropsDto, path: &str) -> StorageProps {
        StorageProps {
            allow_shared_key_access: p.allow_shared_key_access.unwrap_or(true),
            allow_blob_public_access: p.allow_blob_public_access.unwrap_or(false),
            public_network_access: self.public_access(
                p.public_network_access.as_ref(),
                &format!("{path}.public_network_access"),
            ),
            network_acls: self.network_acls(p.network_acls.as_ref(), &format!("{path}.network_acls")),
        }
    }

    fn key_vault_props(&mut self, p: &KeyVaultPropsDto, path: &str) -> KeyVaultProps {
        let rbac = p.enable_rbac_authorization.unwrap_or(false);
        let mut access_policies = Vec::new();
        for (i, ap) in p.access_policies.as_deref().unwrap_or_default().iter().enumerate() {
            if let Some(policy) = self.access_policy(ap, &format!("{path}.access_policies[{i}]")) {
                access_policies.push(policy);
            }
        }
        if rbac && !access_policies.is_empty() {
            self.push(
                Diagnostic::warning(
                    "ignored-access-policies",
                    "access policies have no effect on a vault with `enable_rbac_authorization: true`",
                )
                .at(format!("{path}.access_policies")),
            );
        }
        KeyVaultProps {
            enable_rbac_authorization: rbac,
            access_policies,
            public_network_access: self.public_access(
                p.public_network_access.as_ref(),
                &format!("{path}.public_network_access"),
            ),
            network_acls: self.network_acls(p.network_acls.as_ref(), &format!("{path}.network_acls")),
        }
    }

    fn access_policy(&mut self, ap: &AccessPolicyDto, path: &str) -> Option<AccessPolicy> {
        let principal = self.principal_ref(&ap.principal, &format!("{path}.principal"))?;
        let mut check = |list: &[String], known: &[&str], field: &str| -> Vec<String> {
            let mut out = Vec::new();
            for (i, v) in list.iter().enumerate() {
                match choice(v, known) {
                    Ok("all") => out.extend(known.iter().filter(|k| **k != "all").map(|k| k.to_string())),
                    Ok(k) => out.push(k.to_string()),
                    Err(e) => self.diags.push(err("invalid-value", format!("{path}.{field}[{i}]"), e)),
                }
            }
            out.sort();
            out.dedup();
            out
        };
        let secrets = check(&ap.secrets, SECRET_PERMISSIONS, "secrets");
        let keys = check(&ap.keys, KEY_PERMISSIONS, "keys");
        let certificates = check(&ap.certificates, CERTIFICATE_PERMISSIONS, "certificates");
        Some(AccessPolicy {
            principal,
            secrets,
            keys,
            certificates,
        })
    }

    fn registry_props(&mut self, p: &RegistryPropsDto, path: &str) -> RegistryProps {
        let (default_action, ip_rules) = match &p.network_rule_set {
            Some(rs) => {
                let action = match rs.default_action.as_deref().map(|v| choice(v, &["Allow", "Deny"])) {
                    None | Some(Ok("Allow")) => DefaultAction::Allow,
                    Some(Ok(_)) => DefaultAction::Deny,
                    Some(Err(e)) => {
                        self.push(err(
                            "invalid-value",
                            format!("{path}.network_rule_set.default_action"),
                            e,
                        ));
                        DefaultAction::Allow
                    }
                };
                (
                    action,
                    self.cidrs(
                        rs.ip_rules.as_deref().unwrap_or_default(),
                        &format!("{path}.network_rule_set.ip_rules"),
                    ),
                )
            }
            None => (DefaultAction::Allow, Vec::new()),
        };
        RegistryProps {
            admin_user_enabled: p.admin_user_enabled.unwrap_or(false),
            public_network_access: self.public_access(
                p.public_network_access.as_ref(),
                &format!("{path}.public_network_access"),
            ),
            default_action,
            ip_rules,
        }
    }

    fn vm_props(&mut self, p: &VmPropsDto, path: &str) -> VmProps {
        VmProps {
            subnet: p
                .subnet
                .as_ref()
                .and_then(|s| self.subnet_ref(s, &format!("{path}.subnet"))),
            public_ip: p.public_ip.unwrap_or(false),
        }
    }

    /// Azure creates `workspaceblobstore` and `workspacefilestore` with every workspace.
    fn implicit_datastores(&mut self) {
        let workspaces: Vec<ResourceId> = self
            .model
            .resource_ids()
            .filter(|r| self.model.resource(*r).kind == ResourceKind::Workspace)
            .collect();
        for ws in workspaces {
            let Props::Workspace(props) = &self.model.resource(ws).props else {
                continue;
            };
            let (storage, identity) = (props.storage_account, props.system_datastores_identity);
            let Some(storage) = storage else {
                let name = self.model.resource(ws).name.clone();
                self.push(
                    Diagnostic::warning(
                        "no-storage",
                        format!(
                            "workspace `{name}` names no `storage_account`; its default datastores are not modelled"
                        ),
                    )
                    .at(self.resource_path(&name)),
                );
                continue;
            };
            for name in ["workspaceblobstore", "workspacefilestore"] {
                let key = (ws, name.to_string());
                let declared = self.children.get(&key).is_some_and(|ids| {
                    ids.iter()
                        .any(|c| self.model.resource(*c).kind == ResourceKind::Datastore)
                });
                if declared {
                    continue;
                }
                let ws_res = self.model.resource(ws);
                let id_text = format!("{}/datastores/{name}", ws_res.id);
                let (subscription, group) = (ws_res.subscription.clone(), ws_res.group);
                let rid = self.add_resource(Resource {
                    name: name.to_string(),
                    kind: ResourceKind::Datastore,
                    arm_type: "Microsoft.MachineLearningServices/workspaces/datastores".to_string(),
                    key: id_text.to_lowercase(),
                    id: id_text,
                    subscription,
                    group,
                    parent: Some(ws),
                    system_identity: None,
                    user_identities: Vec::new(),
                    props: Props::Datastore(DatastoreProps {
                        workspace: ws,
                        storage_account: Some(storage),
                        credentials: if identity {
                            DatastoreCredentials::None
                        } else {
                            DatastoreCredentials::AccountKey
                        },
                    }),
                    implicit: true,
                    prospective: false,
                });
                self.add_child(key, rid);
            }
        }
    }

    // ----- roles and assignments -----------------------------------------------------------------

    fn custom_roles(&mut self) {
        let dto = self.dto;
        for (i, rd) in dto.role_definitions.iter().enumerate() {
            let path = self.at("role_definitions", i);
            self.custom_role(rd, &path);
        }
    }

    fn custom_role(&mut self, rd: &RoleDefinitionDto, path: &str) {
        if let Some(b) = catalog::builtin().find(&rd.name) {
            self.push(
                err(
                    "duplicate-name",
                    format!("{path}.name"),
                    format!("`{}` is the name of a built-in role", b.name),
                )
                .with_help("give the custom role a name of its own"),
            );
            return;
        }
        if self.custom_roles.contains_key(&rd.name.to_lowercase()) {
            self.push(err(
                "duplicate-name",
                format!("{path}.name"),
                format!("role `{}` is defined twice", rd.name),
            ));
            return;
        }
        if rd.permissions.is_empty() {
            self.push(err(
                "invalid-value",
                format!("{path}.permissions"),
                "a role needs at least one permission block",
            ));
        }
        let ops = operations::catalog();
        let mut blocks = Vec::new();
        for (j, b) in rd.permissions.iter().enumerate() {
            let bpath = format!("{path}.permissions[{j}]");
            for (field, list, data) in [
                ("actions", &b.actions, false),
                ("not_actions", &b.not_actions, false),
                ("data_actions", &b.data_actions, true),
                ("not_data_actions", &b.not_data_actions, true),
            ] {
                for (k, pattern) in list.iter().enumerate() {
                    let ppath = format!("{bpath}.{field}[{k}]");
                    if pattern.trim().is_empty() || pattern.chars().any(char::is_whitespace) {
                        self.push(err(
                            "invalid-pattern",
                            ppath,
                            format!("`{pattern}` is not an operation pattern"),
                        ));
                        continue;
                    }
                    if !pattern.contains('*')
                        && let Some(op) = ops.find(pattern)
                        && op.is_data_action != data
                    {
                        let (is, belongs) = if op.is_data_action {
                            ("a data action", "data_actions")
                        } else {
                            ("a control-plane action", "actions")
                        };
                        self.push(
                            Diagnostic::warning(
                                "wrong-plane",
                                format!("`{pattern}` is {is}; in `{field}` it has no effect"),
                            )
                            .at(ppath)
                            .with_help(format!("move it to `{belongs}`")),
                        );
                    }
                }
            }
            if let Some(c) = &b.condition {
                self.check_condition(c, &format!("{bpath}.condition"));
            }
            blocks.push(PermissionBlock {
                actions: b.actions.clone(),
                not_actions: b.not_actions.clone(),
                data_actions: b.data_actions.clone(),
                not_data_actions: b.not_data_actions.clone(),
                condition: b.condition.clone(),
            });
        }
        for (j, s) in rd.assignable_scopes.iter().enumerate() {
            self.scope_ref(s, &format!("{path}.assignable_scopes[{j}]"));
        }
        let guid = match &rd.id {
            Some(g) if is_guid(g) => g.to_lowercase(),
            Some(g) => {
                self.push(err(
                    "invalid-value",
                    format!("{path}.id"),
                    format!("`{g}` is not a GUID"),
                ));
                format!("custom:{}", rd.name.to_lowercase())
            }
            None => format!("custom:{}", rd.name.to_lowercase()),
        };
        let id = RoleId::from_index(self.model.roles.len());
        self.model.roles.push(RoleDefinition {
            name: rd.name.clone(),
            guid: guid.clone(),
            builtin: false,
            description: rd.description.clone(),
            permissions: blocks,
            assignable_scopes: rd.assignable_scopes.clone(),
        });
        self.custom_roles.insert(rd.name.to_lowercase(), id);
        self.custom_roles.insert(guid, id);
    }

    fn check_condition(&mut self, text: &str, path: &dyn Display) {
        if let Err(e) = condition::parse(text) {
            self.push(
                err("invalid-condition", path, format!("invalid condition: {e}"))
                    .with_help("see https://learn.microsoft.com/azure/role-based-access-control/conditions-format"),
            );
        }
    }

    fn role_ref(&mut self, name: &str, path: &dyn Display) -> Option<RoleId> {
        if let Some(&id) = self.roles_by_text.get(name) {
            return Some(id);
        }
        let key = name.trim().to_lowercase();
        // Custom roles are all known before the first reference (`custom_roles` runs first), so a
        // name found once names the same role every time.
        if let Some(&id) = self.custom_roles.get(&key) {
            self.roles_by_text.insert(name.to_string(), id);
            return Some(id);
        }
        if let Some(b) = catalog::builtin().find(name) {
            let id = self.model.builtin_role_id(b);
            self.roles_by_text.insert(name.to_string(), id);
            return Some(id);
        }
        if self.broken.contains(&key) {
            return None;
        }
        let custom: Vec<String> = self.dto.role_definitions.iter().map(|r| r.name.clone()).collect();
        let names = catalog::builtin().names().chain(custom.iter().map(String::as_str));
        let help = suggest::did_you_mean(name, names).unwrap_or_else(|| {
            "use a built-in role name (e.g. `Reader`) or GUID, or define a custom role under `role_definitions`"
                .to_string()
        });
        self.push(err("unknown-role", path, format!("unknown role `{name}`")).with_help(help));
        None
    }

    /// Resolves a scope (see the spec's Scopes) to its canonical form.
    fn scope_ref(&mut self, text: &str, path: &dyn Display) -> Option<Scope> {
        let m = &self.model;
        let sizes = (m.principals.len(), m.resources.len(), m.locations.len());
        if sizes != self.indexed {
            self.model.finish();
            self.indexed = sizes;
            self.scopes_by_text.clear();
        }
        if let Some(scope) = self.scopes_by_text.get(text) {
            return Some(scope.clone());
        }
        match lookup::scope(&self.model, text) {
            Ok((scope, warning)) => {
                match warning {
                    Some(w) => self.push(Diagnostic::warning("unmodelled-scope", w).at(path.to_string())),
                    None => {
                        self.scopes_by_text.insert(text.to_string(), scope.clone());
                    }
                }
                Some(scope)
            }
            Err(e) => {
                if !self.broken.contains(&text.trim().to_lowercase()) {
                    self.push(err(e.code, path, e.message).with_optional_help(e.help));
                }
                None
            }
        }
    }

    fn assignments(&mut self) {
        let dto = self.dto;
        self.assignment_ids.reserve(dto.role_assignments.len());
        self.model.assignments.reserve(dto.role_assignments.len());
        for (i, a) in dto.role_assignments.iter().enumerate() {
            let path = self.element("role_assignments", i);
            self.assignment(a, path);
        }
    }

    fn assignment(&mut self, a: &RoleAssignmentDto, path: Element<'_>) {
        let principal = self.principal_ref(&a.principal, &Field(path, "principal"));
        let role = self.role_ref(&a.role, &Field(path, "role"));
        let scope = self.scope_ref(&a.scope, &Field(path, "scope"));
        if let Some(c) = &a.condition {
            self.check_condition(c, &Field(path, "condition"));
        }
        let (Some(principal), Some(role), Some(scope)) = (principal, role, scope) else {
            return;
        };
        let id = a.id.clone().unwrap_or_else(|| path.to_string());
        if !self.assignment_ids.insert(id.to_lowercase()) {
            self.push(err(
                "duplicate-id",
                Field(path, "id").to_string(),
                format!("assignment id `{id}` is used twice"),
            ));
            return;
        }
        self.model.assignments.push(RoleAssignment {
            id,
            principal,
            role,
            scope,
            condition: a.condition.clone().filter(|c| !c.trim().is_empty()),
        });
    }

    fn denies(&mut self) {
        let dto = self.dto;
        for (i, d) in dto.deny_assignments.iter().enumerate() {
            let path = self.at("deny_assignments", i);
            self.deny(d, i, &path);
        }
    }

    fn deny(&mut self, d: &DenyAssignmentDto, i: usize, path: &str) {
        let mut everyone = false;
        let mut listed = Vec::new();
        for (j, p) in d.principals.iter().enumerate() {
            if p.eq_ignore_ascii_case("everyone") || p == crate::model::PLACEHOLDER_SUBSCRIPTION {
                everyone = true;
            } else if let Some(pid) = self.principal_ref(p, &format!("{path}.principals[{j}]")) {
                listed.push(pid);
            }
        }
        if d.principals.is_empty() {
            self.push(
                err(
                    "invalid-value",
                    format!("{path}.principals"),
                    "a deny assignment names at least one principal",
                )
                .with_help("write `[everyone]` for all principals"),
            );
        }
        let exclude: Vec<PrincipalId> = d
            .exclude_principals
            .iter()
            .enumerate()
            .filter_map(|(j, p)| self.principal_ref(p, &format!("{path}.exclude_principals[{j}]")))
            .collect();
        let scope = self.scope_ref(&d.scope, &format!("{path}.scope"));
        if d.actions.is_empty() && d.data_actions.is_empty() {
            self.push(Diagnostic::warning("empty-deny", "the deny assignment denies no action").at(path.to_string()));
        }
        let Some(scope) = scope else { return };
        self.model.denies.push(DenyAssignment {
            name: d
                .name
                .clone()
                .or_else(|| d.id.clone())
                .unwrap_or_else(|| self.at("deny_assignments", i)),
            principals: if everyone {
                DenyPrincipals::Everyone
            } else {
                DenyPrincipals::Listed(listed)
            },
            exclude_principals: exclude,
            actions: d.actions.clone(),
            not_actions: d.not_actions.clone(),
            data_actions: d.data_actions.clone(),
            not_data_actions: d.not_data_actions.clone(),
            scope,
            do_not_apply_to_child_scopes: d.do_not_apply_to_child_scopes,
        });
    }

    // ----- credentials ---------------------------------------------------------------------------

    fn credentials(&mut self) {
        let dto = self.dto;
        let mut seen = HashSet::new();
        for (i, c) in dto.credentials.iter().enumerate() {
            let path = self.at("credentials", i);
            self.check_name(&c.name, &format!("{path}.name"));
            if !seen.insert(c.name.to_lowercase()) {
                self.push(err(
                    "duplicate-name",
                    format!("{path}.name"),
                    format!("credential `{}` is declared twice", c.name),
                ));
                continue;
            }
            if let Some(cred) = self.credential(c, &path) {
                self.model.credentials.push(cred);
            }
        }
    }

    fn credential(&mut self, c: &CredentialDto, path: &str) -> Option<Credential> {
        let kind = match choice(&c.kind, &["ssh_key", "endpoint_key", "sas_token", "client_secret"]) {
            Ok(k) => k,
            Err(e) => {
                self.push(err("invalid-value", format!("{path}.kind"), e));
                return None;
            }
        };
        let fields: [(&str, bool); 5] = [
            ("installed_on", c.installed_on.is_some()),
            ("endpoint", c.endpoint.is_some()),
            ("storage_account", c.storage_account.is_some()),
            ("permissions", c.permissions.is_some()),
            ("service_principal", c.service_principal.is_some()),
        ];
        let allowed: &[&str] = match kind {
            "ssh_key" => &["installed_on"],
            "endpoint_key" => &["endpoint"],
            "sas_token" => &["storage_account", "permissions"],
            _ => &["service_principal"],
        };
        for (field, present) in fields {
            if present && !allowed.contains(&field) {
                self.push(
                    err(
                        "invalid-key",
                        format!("{path}.{field}"),
                        format!("`{field}` does not apply to a credential of kind `{kind}`"),
                    )
                    .with_help(format!(
                        "a `{kind}` credential takes {}",
                        ticked(allowed.iter().copied())
                    )),
                );
            }
        }
        let missing = |me: &mut Self, field: &str| {
            me.push(err(
                "missing-key",
                path.to_string(),
                format!("missing required key `{field}` for a credential of kind `{kind}`"),
            ));
        };
        let cred_kind = match kind {
            "ssh_key" => {
                let Some(list) = &c.installed_on else {
                    missing(self, "installed_on");
                    return None;
                };
                let installed_on = list
                    .iter()
                    .enumerate()
                    .filter_map(|(j, n)| {
                        self.resource_ref(
                            n,
                            &format!("{path}.installed_on[{j}]"),
                            &[
                                ResourceKind::ComputeInstance,
                                ResourceKind::ComputeCluster,
                                ResourceKind::VirtualMachine,
                            ],
                            "an SSH key's target",
                        )
                    })
                    .collect();
                CredentialKind::SshKey { installed_on }
            }
            "endpoint_key" => {
                let Some(e) = &c.endpoint else {
                    missing(self, "endpoint");
                    return None;
                };
                CredentialKind::EndpointKey {
                    endpoint: self.resource_ref(
                        e,
                        &format!("{path}.endpoint"),
                        &[ResourceKind::OnlineEndpoint],
                        "`endpoint`",
                    )?,
                }
            }
            "sas_token" => {
                let Some(s) = &c.storage_account else {
                    missing(self, "storage_account");
                    return None;
                };
                let storage_account = self.top_resource_ref(
                    s,
                    &format!("{path}.storage_account"),
                    &[ResourceKind::StorageAccount],
                    "`storage_account`",
                )?;
                let permissions = c.permissions.clone().unwrap_or_else(|| vec!["read".to_string()]);
                let (read, write) = self.sas_permissions(&permissions, &format!("{path}.permissions"));
                CredentialKind::SasToken {
                    storage_account,
                    read,
                    write,
                    permissions,
                }
            }
            _ => {
                let Some(sp) = &c.service_principal else {
                    missing(self, "service_principal");
                    return None;
                };
                let pid = self.principal_ref(sp, &format!("{path}.service_principal"))?;
                if self.model.principal(pid).kind != PrincipalKind::ServicePrincipal {
                    self.push(err(
                        "wrong-kind",
                        format!("{path}.service_principal"),
                        format!(
                            "`{sp}` is a {}, not a service principal",
                            self.model.principal(pid).kind.as_str()
                        ),
                    ));
                    return None;
                }
                CredentialKind::ClientSecret { service_principal: pid }
            }
        };
        let mut held_by = Vec::new();
        for (j, h) in c.held_by.iter().enumerate() {
            if h.eq_ignore_ascii_case("anyone") {
                held_by.push(Holder::Anyone);
            } else if let Some(pid) = self.principal_ref(h, &format!("{path}.held_by[{j}]")) {
                held_by.push(Holder::Principal(pid));
            }
        }
        if c.held_by.is_empty() {
            self.push(
                Diagnostic::warning(
                    "unheld-credential",
                    format!("credential `{}` is held by nobody", c.name),
                )
                .at(format!("{path}.held_by")),
            );
        }
        Some(Credential {
            name: c.name.clone(),
            kind: cred_kind,
            held_by,
        })
    }
}

const SAS_PERMISSIONS: &[&str] = &[
    "read",
    "list",
    "write",
    "create",
    "add",
    "delete",
    "update",
    "process",
    "tag",
    "filter",
    "move",
    "execute",
    "immutable",
    "permanent",
];
const SECRET_PERMISSIONS: &[&str] = &[
    "get", "list", "set", "delete", "backup", "restore", "recover", "purge", "all",
];
const KEY_PERMISSIONS: &[&str] = &[
    "get",
    "list",
    "update",
    "create",
    "import",
    "delete",
    "recover",
    "backup",
    "restore",
    "decrypt",
    "encrypt",
    "unwrapkey",
    "wrapkey",
    "verify",
    "sign",
    "purge",
    "release",
    "rotate",
    "getrotationpolicy",
    "setrotationpolicy",
    "all",
];
const CERTIFICATE_PERMISSIONS: &[&str] = &[
    "get",
    "list",
    "update",
    "create",
    "import",
    "delete",
    "recover",
    "backup",
    "restore",
    "managecontacts",
    "manageissuers",
    "getissuers",
    "listissuers",
    "setissuers",
    "deleteissuers",
    "purge",
    "all",
];
const KNOWN_SUBRESOURCES: &[&str] = &[
    "blob",
    "blob_secondary",
    "file",
    "dfs",
    "queue",
    "table",
    "web",
    "vault",
    "registry",
    "amlworkspace",
];

/// The kind of a resource type as written, if it is valid (the decoder reported invalid ones).
fn decode_kind(type_text: &str) -> Option<ResourceKind> {
    super::decode::resource_kind(type_text).ok()
}

/// The ARM type to use in ids: as written when it is an ARM type, else the alias's.
fn arm_type_for(kind: ResourceKind, written: &str) -> String {
    if written.contains('/') {
        return written.to_string();
    }
    RESOURCE_TYPES
        .iter()
        .find(|(_, _, k)| *k == kind)
        .map_or_else(|| written.to_string(), |(_, arm, _)| (*arm).to_string())
}

/// The collection segment of a workspace child's id.
fn collection(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::OnlineEndpoint => "onlineEndpoints",
        ResourceKind::Datastore => "datastores",
        _ => "computes",
    }
}

fn child_workspace(r: &ResourceDto) -> Option<&str> {
    match &r.properties {
        Some(PropertiesDto::Compute(p)) => p.workspace.as_deref(),
        Some(PropertiesDto::Endpoint(p)) => p.workspace.as_deref(),
        Some(PropertiesDto::Datastore(p)) => p.workspace.as_deref(),
        _ => None,
    }
}

fn kinds_text(kinds: &[ResourceKind]) -> String {
    match kinds {
        [] => "resource".to_string(),
        _ => kinds.iter().map(|k| k.alias()).collect::<Vec<_>>().join(" or "),
    }
}

/// The subscription id in a resource id, lower-cased.
fn subscription_of(id: &str) -> Option<String> {
    let lower = id.to_lowercase();
    let rest = lower.strip_prefix("/subscriptions/")?;
    Some(rest.split('/').next().unwrap_or(rest).to_string())
}

/// The resource group name in a resource id (original case).
fn group_of_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    let i = parts.iter().position(|p| p.eq_ignore_ascii_case("resourcegroups"))?;
    parts.get(i + 1).map(|s| (*s).to_string()).filter(|s| !s.is_empty())
}

/// `/subscriptions/S/resourceGroups/G` of a resource id.
fn rg_prefix_of_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    let i = parts.iter().position(|p| p.eq_ignore_ascii_case("resourcegroups"))?;
    let end = (i + 2).min(parts.len());
    (i + 1 < parts.len())
        .then(|| parts.get(..end).map(|p| p.join("/")))
        .flatten()
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The group of an NSG without `group`: that of the first VNet with a subnet using it.
fn nsg_group_from_vnets(dto: &ModelDto, nsg: &str) -> Option<String> {
    dto.network
        .vnets
        .iter()
        .find(|v| {
            v.subnets
                .iter()
                .any(|s| s.nsg.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(nsg)))
        })
        .and_then(|v| v.group.clone())
}

/// A service tag the tool knows, or a plausible Azure tag (regional tags such as `Storage.westeurope`).
fn service_tag(t: &str) -> Option<ServiceTag> {
    match t.to_lowercase().as_str() {
        "internet" => Some(ServiceTag::Internet),
        "virtualnetwork" => Some(ServiceTag::VirtualNetwork),
        "azureloadbalancer" => Some(ServiceTag::AzureLoadBalancer),
        lower => {
            let base = lower.split('.').next().unwrap_or(lower);
            KNOWN_TAGS
                .iter()
                .any(|k| k.to_lowercase() == base)
                .then(|| ServiceTag::Other(t.to_string()))
        }
    }
}

const KNOWN_TAGS: &[&str] = &[
    "AzureMachineLearning",
    "Storage",
    "AzureCloud",
    "AzureActiveDirectory",
    "AzureMonitor",
    "AzureContainerRegistry",
    "AzureKeyVault",
    "BatchNodeManagement",
    "AzureFrontDoor",
    "GatewayManager",
    "AzureResourceManager",
    "Sql",
    "AzureTrafficManager",
    "AppService",
    "AzureBackup",
    "EventHub",
    "ServiceBus",
    "MicrosoftContainerRegistry",
    "AzureDatabricks",
    "DataFactory",
    "AzureCognitiveSearch",
    "CognitiveServicesManagement",
    "AzurePlatformDNS",
    "AzurePlatformIMDS",
    "AzurePlatformLKM",
    "AzureOpenDatasets",
    "AzureArcInfrastructure",
    "ApiManagement",
    "AzureConnectors",
    "AzureDevOps",
    "Dynamics365ForMarketingEmail",
    "PowerPlatformInfra",
    "AzureUpdateDelivery",
];
