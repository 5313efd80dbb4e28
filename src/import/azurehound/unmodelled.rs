//! What AzureHound collects and the model has no place for: federated identity credentials, Entra
//! directory roles and their assignments, and the other record kinds. They are listed in the summary
//! (`left_out`), with counts, so a review sees what the model does not show.

use std::collections::BTreeMap;

use super::{Cx, Records, authorization, resources};
use crate::import::build::{field, node_at, str_at};
use crate::source::Node;

/// Record kinds the other modules read.
const READ: &[&str] = &[
    "AZUser",
    "AZGroup",
    "AZGroupMember",
    "AZServicePrincipal",
    "AZServicePrincipalOwner",
    "AZApp",
    "AZAppOwner",
    "AZFederatedIdentityCredential",
    "AZRole",
    "AZRoleAssignment",
];

/// Why other known kinds are not modelled.
const NOT_MODELLED: &[(&str, &str)] = &[
    (
        "AZGroupOwner",
        "owners of groups (an owner can add members, itself included)",
    ),
    ("AZDevice", "devices"),
    ("AZDeviceOwner", "owners of devices"),
    ("AZAppMember", "app members"),
    (
        "AZAppRoleAssignment",
        "app role assignments (application permissions such as Microsoft Graph's RoleManagement.ReadWrite.Directory)",
    ),
    ("AZOAuth2PermissionGrant", "delegated permission grants"),
    (
        "AZRoleEligibilityScheduleInstance",
        "eligible (PIM) directory role assignments",
    ),
    ("AZRoleManagementPolicyAssignment", "PIM role management policies"),
    (
        "AZManagementGroup",
        "management groups (the model has no management-group tree: an assignment at one is kept and assumed to \
         cover every subscription)",
    ),
    ("AZManagementGroupDescendant", "the management-group tree"),
    (
        "AZStorageContainer",
        "storage containers (and their public access level)",
    ),
];

/// Federated identity credentials: `{"fics": [{"appId": …, "fic": {"name", "issuer", "subject", …}}], "appId": …}`.
fn federated_credentials(cx: &mut Cx, b: &Records) {
    let mut lines = Vec::new();
    let mut apps = std::collections::BTreeSet::new();
    for r in b.of("AZFederatedIdentityCredential") {
        let record_app = str_at(&r.data, &["appId"]);
        for item in field(&r.data, "fics").and_then(Node::as_seq).unwrap_or_default() {
            let fic = field(item, "fic").unwrap_or(item);
            let app = str_at(item, &["appId"]).or(record_app).unwrap_or("?");
            apps.insert(app.to_lowercase());
            let of = match cx.service_principal_by_app(app) {
                Some(sp) => format!("service principal `{sp}` (app `{app}`)"),
                None => format!("app `{app}`"),
            };
            let name = str_at(fic, &["name"]).unwrap_or("?");
            let issuer = str_at(fic, &["issuer"]).unwrap_or("?");
            let subject = str_at(fic, &["subject"]).unwrap_or("?");
            lines.push(format!(
                "federated identity credential `{name}` of {of}: tokens from `{issuer}` for subject `{subject}` sign \
                 in as the app"
            ));
        }
    }
    if lines.is_empty() {
        return;
    }
    cx.left_out(format!(
        "{} federated identity credential(s) of {} app(s) (AZFederatedIdentityCredential): the model has no place \
         for them. Each lets an external workload (a pipeline, another cloud's identity) sign in as the app without \
         a secret; to model one, an overlay can give a principal standing for that workload a `client_secret` \
         credential of the app's service principal",
        lines.len(),
        apps.len()
    ));
    cx.summary.left_out.extend(lines);
}

/// Entra directory roles (`AZRole`) and their assignments (`AZRoleAssignment`: `{"roleDefinitionId": …,
/// "roleAssignments": [{"principalId": …, "directoryScopeId": "/"}]}`).
fn directory_roles(cx: &mut Cx, b: &Records) {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for r in b.of("AZRole") {
        let Some(name) = str_at(&r.data, &["displayName"]) else {
            continue;
        };
        for key in ["id", "templateId"] {
            if let Some(id) = str_at(&r.data, &[key]) {
                names.insert(id.to_lowercase(), name.to_string());
            }
        }
    }
    let definitions = b.of("AZRole").count();
    let mut holders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut count = 0;
    for r in b.of("AZRoleAssignment") {
        let record_role = str_at(&r.data, &["roleDefinitionId"]);
        for a in field(&r.data, "roleAssignments")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let role = str_at(a, &["roleDefinitionId"]).or(record_role).unwrap_or("?");
            let role_name = names
                .get(&role.to_lowercase())
                .cloned()
                .unwrap_or_else(|| role.to_string());
            let pid = str_at(a, &["principalId"]).unwrap_or("?");
            let who = cx
                .names
                .principal(pid)
                .or_else(|| {
                    node_at(a, &["principal", "displayName"])
                        .and_then(Node::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_else(|| pid.to_string());
            let scope = match str_at(a, &["directoryScopeId"]) {
                None | Some("/") => "tenant-wide".to_string(),
                Some(s) => format!("scope `{s}`"),
            };
            holders.entry(role_name).or_default().push(format!("{who} ({scope})"));
            count += 1;
        }
    }
    if definitions == 0 && count == 0 {
        return;
    }
    cx.left_out(format!(
        "{count} Entra directory role assignment(s) of {} role(s), {definitions} directory role definition(s) \
         (AZRole, AZRoleAssignment): directory roles are not modelled. Some let their holders take over apps and \
         service principals (an Application Administrator can add a secret to any app) or the whole tenant",
        holders.len()
    ));
    for (role, who) in holders {
        cx.left_out(format!("directory role `{role}`: {}", who.join(", ")));
    }
}

/// Lists federated identity credentials, directory roles and every other kind the model has no place
/// for, with counts.
pub fn summarise(cx: &mut Cx, b: &Records) {
    federated_credentials(cx, b);
    directory_roles(cx, b);
    let mut others: BTreeMap<String, usize> = BTreeMap::new();
    for r in &b.items {
        let read = READ.iter().any(|k| k.eq_ignore_ascii_case(&r.kind))
            || resources::handles(&r.kind)
            || authorization::handles(&r.kind);
        if !read {
            *others.entry(r.kind.clone()).or_default() += 1;
        }
    }
    for (kind, n) in others {
        match NOT_MODELLED.iter().find(|(k, _)| k.eq_ignore_ascii_case(&kind)) {
            Some((_, why)) => cx.left_out(format!("{n} `{kind}` record(s): {why}; not modelled")),
            None => cx.left_out(format!("{n} `{kind}` record(s): not a kind this importer reads")),
        }
    }
}
