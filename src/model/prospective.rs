//! What can be created counts (semantics §9, "What can be created counts"; §10 "Prospective resources").
//!
//! An actor allowed to create a resource can use what the new resource would have. For every workspace
//! the model gets one *prospective* compute and one *prospective* online endpoint, each with a fresh
//! system-assigned identity. The new endpoint's identity holds the roles Azure grants automatically
//! (§2.2, §10): AcrPull on the workspace's registry, Storage Blob Data Reader on its storage account,
//! AzureML Metrics Writer (preview) and Azure Machine Learning Workspace Connection Secrets Reader on the
//! workspace. The new compute's identity holds nothing. Who may create them is decided by the rules
//! (P13, P14), not here: prospective resources exist for everyone, only creators reach them.

use super::access::{RoleAssignment, Scope, ScopeKind};
use super::resource::{AuthMode, ComputeProps, EndpointProps, PublicAccess};
use super::{IdentityOf, Model, Principal, PrincipalId, PrincipalKind, Props, Resource, ResourceId, ResourceKind};
use crate::rbac::catalog;

/// The name of the prospective compute of every workspace.
pub const NEW_COMPUTE: &str = "<new compute>";
/// The name of the prospective online endpoint of every workspace.
pub const NEW_ENDPOINT: &str = "<new endpoint>";

/// Roles Azure grants a new online endpoint's system identity, and where.
const ENDPOINT_AUTO_GRANTS: &[(&str, AutoScope)] = &[
    ("AcrPull", AutoScope::Registry),
    ("Storage Blob Data Reader", AutoScope::Storage),
    ("AzureML Metrics Writer (preview)", AutoScope::Workspace),
    (
        "Azure Machine Learning Workspace Connection Secrets Reader",
        AutoScope::Workspace,
    ),
];

#[derive(Clone, Copy)]
enum AutoScope {
    Registry,
    Storage,
    Workspace,
}

/// The model with the prospective resources of every workspace added. The input is not changed.
pub fn augment(model: &Model) -> Model {
    augment_owned(model.clone())
}

/// [`augment`] for a caller that has no further use for the model as loaded: the resources are added
/// to it rather than to a copy (at size L a copy is half a second and several hundred MiB).
pub fn augment_owned(model: Model) -> Model {
    let mut m = model;
    let workspaces: Vec<ResourceId> = m
        .resource_ids()
        .filter(|r| m.resource(*r).kind == ResourceKind::Workspace)
        .collect();
    for ws in workspaces {
        let (storage, registry) = match &m.resource(ws).props {
            Props::Workspace(p) => (p.storage_account, p.container_registry),
            _ => (None, None),
        };
        let compute = add_child(&mut m, ws, NEW_COMPUTE, ResourceKind::ComputeInstance, "computes");
        if let Some(r) = m.resources.get_mut(compute.index()) {
            r.props = Props::Compute(ComputeProps {
                workspace: ws,
                ssh_enabled: true,
                ssh_port: 50000,
                public_ip: true,
                subnet: None,
                assigned_user: None,
            });
        }
        let endpoint = add_child(
            &mut m,
            ws,
            NEW_ENDPOINT,
            ResourceKind::OnlineEndpoint,
            "onlineEndpoints",
        );
        if let Some(r) = m.resources.get_mut(endpoint.index()) {
            r.props = Props::Endpoint(EndpointProps {
                workspace: ws,
                auth_mode: AuthMode::Key,
                public_network_access: PublicAccess::Enabled,
            });
        }
        let Some(identity) = m.resource(endpoint).system_identity else {
            continue;
        };
        for (role_name, at) in ENDPOINT_AUTO_GRANTS {
            let target = match at {
                AutoScope::Registry => registry,
                AutoScope::Storage => storage,
                AutoScope::Workspace => Some(ws),
            };
            let (Some(target), Some(role)) = (target, role_id(&mut m, role_name)) else {
                continue;
            };
            let r = m.resource(target);
            let scope = Scope {
                key: r.key.clone(),
                display: r.id.clone(),
                kind: ScopeKind::Resource(target),
            };
            let id = format!(
                "auto-grant: {role_name} for the new endpoint in {}",
                m.resource(ws).name
            );
            m.assignments.push(RoleAssignment {
                id,
                principal: identity,
                role,
                scope,
                condition: None,
            });
        }
    }
    m.finish();
    m
}

fn role_id(m: &mut Model, name: &str) -> Option<super::RoleId> {
    if let Some(id) = m.role_named(name) {
        return Some(id);
    }
    // The index is rebuilt once at the end of `augment`.
    Some(m.builtin_role_id(catalog::builtin().find(name)?))
}

fn add_child(m: &mut Model, ws: ResourceId, name: &str, kind: ResourceKind, collection: &str) -> ResourceId {
    let w = m.resource(ws);
    let id_text = format!("{}/{collection}/{name}", w.id);
    let (subscription, group) = (w.subscription.clone(), w.group);
    let rid = ResourceId::from_index(m.resources.len());
    let display = format!("{}/{name}", w.name);
    let pid = PrincipalId::from_index(m.principals.len());
    m.principals.push(Principal {
        name: display,
        kind: PrincipalKind::ManagedIdentity,
        object_id: None,
        locations: Vec::new(),
        members: Vec::new(),
        owners: Vec::new(),
        identity_of: Some(IdentityOf::SystemAssigned(rid)),
    });
    m.resources.push(Resource {
        name: name.to_string(),
        kind,
        arm_type: format!("Microsoft.MachineLearningServices/workspaces/{collection}"),
        key: id_text.to_lowercase(),
        id: id_text,
        subscription,
        group,
        parent: Some(ws),
        system_identity: Some(pid),
        user_identities: Vec::new(),
        props: Props::None,
        implicit: true,
        prospective: true,
    });
    rid
}
