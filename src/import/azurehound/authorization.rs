//! Azure RBAC role assignments, from every per-scope record AzureHound writes: the full lists
//! (`AZSubscriptionRoleAssignment`, `AZResourceGroupRoleAssignment`, `AZKeyVaultRoleAssignment`,
//! `AZVMRoleAssignment`, `AZManagementGroupRoleAssignment`: `{"roleAssignments": [{"roleAssignment": {…}}]}`;
//! `AZStorageAccountRoleAssignment` and the other resources': `{"assignees": [{"assignee": {…}}]}`) and
//! the lists filtered by role (`AZKeyVaultOwner`, `AZVMAdminLogin`, `AZSubscriptionUserAccessAdmin`, …).
//! Each list at a scope repeats the assignments inherited from above, and the filtered lists repeat the
//! full ones: an assignment is kept once, by its id.
//!
//! As in the Azure importer (the shared rules are in `import::common`): a
//! principal an assignment names but the output does not hold is kept, named by its object id, and a
//! role no catalogue defines is kept as `unknown role GUID`, assumed to grant everything. AzureHound's
//! assignments carry no principal type; the member and owner lists give it where they name the
//! principal, otherwise it is kept as a service principal.

use crate::import::common::{guid_of, unknown_role};
use std::collections::HashSet;

use super::{ArmId, Cx, Records};
use crate::import::build::{MapBuilder, node_at, str_at, text};
use crate::source::Node;

/// Entra kinds whose names look like Azure RBAC ones.
const ENTRA: &[&str] = &[
    "AZRoleAssignment",
    "AZAppRoleAssignment",
    "AZGroupOwner",
    "AZAppOwner",
    "AZServicePrincipalOwner",
    "AZDeviceOwner",
];

/// True for the record kinds that hold Azure RBAC role assignments.
pub fn handles(kind: &str) -> bool {
    if ENTRA.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
        return false;
    }
    let k = kind.to_ascii_lowercase();
    k.starts_with("az")
        && [
            "roleassignment",
            "owner",
            "useraccessadmin",
            "contributor",
            "adminlogin",
        ]
        .iter()
        .any(|end| k.ends_with(end))
}

fn is_assignment(n: &Node) -> bool {
    node_at(n, &["properties", "roleDefinitionId"]).is_some() && node_at(n, &["properties", "principalId"]).is_some()
}

/// The first string field of `n` that is an id (`keyVaultId`, `virtualMachineId`, `objectId`, …): the
/// scope the list was read at.
fn listed_at(n: &Node) -> Option<&Node> {
    n.as_map()?
        .iter()
        .map(|(_, v)| v)
        .find(|v| v.as_str().is_some_and(|s| s.starts_with('/')))
}

/// One assignment of a record: the REST object and the scope its list was read at.
struct Found<'n> {
    assignment: &'n Node,
    listed_at: Option<&'n Node>,
}

/// The assignments of one record: every object with `properties.roleDefinitionId` in a list of `data`,
/// directly or one level down (`{"roleAssignment": {…}}`, `{"owner": {…}}`, `{"assignee": {…}}`).
fn found(data: &Node) -> Vec<Found<'_>> {
    let mut out = Vec::new();
    for (_, v) in data.as_map().unwrap_or_default() {
        for item in v.as_seq().unwrap_or_default() {
            let at = listed_at(item).or_else(|| listed_at(data));
            if is_assignment(item) {
                out.push(Found {
                    assignment: item,
                    listed_at: at,
                });
                continue;
            }
            for (_, inner) in item.as_map().unwrap_or_default() {
                if is_assignment(inner) {
                    out.push(Found {
                        assignment: inner,
                        listed_at: at,
                    });
                }
            }
        }
    }
    out
}

/// Every assignment of every RBAC record.
fn all(b: &Records) -> Vec<Found<'_>> {
    b.items
        .iter()
        .filter(|r| handles(&r.kind))
        .flat_map(|r| found(&r.data))
        .collect()
}

/// The scope of an assignment: its own, or the one its list was read at.
fn scope_of<'n>(f: &Found<'n>) -> Option<&'n Node> {
    node_at(f.assignment, &["properties", "scope"])
        .filter(|s| s.as_str().is_some_and(|t| !t.is_empty()))
        .or(f.listed_at)
}

/// Declares the resource groups that scopes name and keeps the principals that assignments name but the
/// output does not hold, before the principals are built (a group may have such a principal as member).
pub fn register(cx: &mut Cx, b: &Records) {
    for f in all(b) {
        if let Some(scope) = scope_of(&f).and_then(Node::as_str)
            && let Some(arm) = ArmId::parse(scope)
            && let Some(g) = &arm.group
        {
            cx.group_name(&arm.subscription, g);
        }
        let Some(pid) = node_at(f.assignment, &["properties", "principalId"]) else {
            continue;
        };
        let Some(oid) = pid.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        if cx.names.knows_principal(oid) {
            continue;
        }
        let name = cx.names.unique("principal", oid, "");
        cx.names.add_principal(oid, &name);
        let key = cx
            .kind_hints
            .get(&oid.to_lowercase())
            .copied()
            .unwrap_or("service_principals");
        let what = match key {
            "users" => "user",
            "groups" => "group",
            _ => "service principal",
        };
        let node = MapBuilder::new(pid.pos)
            .set("name", text(&name, pid.pos))
            .set("id", text(oid, pid.pos))
            .done();
        cx.placeholders.push((key, node));
        cx.missing(format!(
            "the name of {what} `{oid}`: role assignments name it, the AzureHound output does not hold it{}",
            if key == "service_principals" {
                " (kept as a service principal: AzureHound's assignments do not say what kind of principal it is)"
            } else {
                ""
            }
        ));
    }
}

/// Scopes whose full assignment lists AzureHound writes only with its own subcommands: `azurehound list`
/// (`cmd/list-azure-rm.go`) writes for them just the lists filtered by role.
const FILTERED: &[(&str, &str, &[&str])] = &[
    (
        "management group",
        "AZManagementGroupRoleAssignment",
        &[
            "AZManagementGroupOwner",
            "AZManagementGroupContributor",
            "AZManagementGroupUserAccessAdmin",
        ],
    ),
    (
        "subscription",
        "AZSubscriptionRoleAssignment",
        &[
            "AZSubscriptionOwner",
            "AZSubscriptionContributor",
            "AZSubscriptionUserAccessAdmin",
        ],
    ),
    (
        "resource group",
        "AZResourceGroupRoleAssignment",
        &[
            "AZResourceGroupOwner",
            "AZResourceGroupContributor",
            "AZResourceGroupUserAccessAdmin",
        ],
    ),
    (
        "key vault",
        "AZKeyVaultRoleAssignment",
        &[
            "AZKeyVaultOwner",
            "AZKeyVaultContributor",
            "AZKeyVaultKVContributor",
            "AZKeyVaultUserAccessAdmin",
        ],
    ),
    (
        "virtual machine",
        "AZVMRoleAssignment",
        &[
            "AZVMOwner",
            "AZVMContributor",
            "AZVMVMContributor",
            "AZVMAvereContributor",
            "AZVMAdminLogin",
            "AZVMUserAccessAdmin",
        ],
    ),
];

/// Says which scopes the output holds only role-filtered lists for: assignments of the other roles there
/// (AzureML Data Scientist, Storage Blob Data Contributor, Key Vault Secrets User, …) are not in it.
fn filtered_only(cx: &mut Cx, b: &Records) {
    let scopes: Vec<&str> = FILTERED
        .iter()
        .filter(|(_, full, filtered)| b.of(full).next().is_none() && filtered.iter().any(|k| b.of(k).next().is_some()))
        .map(|(scope, _, _)| *scope)
        .collect();
    if scopes.is_empty() {
        return;
    }
    cx.missing(format!(
        "role assignments at {} scope of roles other than Owner, Contributor and User Access Administrator (and a few \
         key vault and VM roles): the output holds only AzureHound's lists filtered by role there (`azurehound list` \
         writes no others); its `list … role-assignments` subcommands (e.g. `azurehound list \
         key-vault-role-assignments`) write them all, and an `import azure` export holds them",
        scopes.join(", ")
    ));
}

/// Builds the role definitions (unknown roles only) and role assignments.
pub fn authorization(cx: &mut Cx, b: &Records) -> Vec<(&'static str, Vec<Node>)> {
    let mut definitions = Vec::new();
    let mut known_roles = HashSet::new();
    let mut assignments = Vec::new();
    let mut seen = HashSet::new();
    for f in all(b) {
        let a = f.assignment;
        let pos = a.pos;
        let (Some(principal), Some(role), Some(scope)) = (
            node_at(a, &["properties", "principalId"]),
            node_at(a, &["properties", "roleDefinitionId"]),
            scope_of(&f),
        ) else {
            cx.warn(
                pos,
                "role assignment without principalId, roleDefinitionId or scope; left out".into(),
            );
            continue;
        };
        let (Some(pid), Some(rid), Some(scope_text)) = (principal.as_str(), role.as_str(), scope.as_str()) else {
            cx.warn(
                pos,
                "role assignment whose principalId, roleDefinitionId or scope is not a string; left out".into(),
            );
            continue;
        };
        let guid = guid_of(rid);
        let scope_text = if scope_text.starts_with('/') {
            scope_text.to_string()
        } else {
            format!("/{scope_text}")
        };
        let id = str_at(a, &["id"]).unwrap_or_default();
        let key = if id.is_empty() {
            format!("{pid}|{guid}|{scope_text}").to_lowercase()
        } else {
            id.to_lowercase()
        };
        if !seen.insert(key) {
            continue;
        }
        let Some(reference) = cx.names.principal(pid) else {
            // Registration keeps every principal an assignment names; an empty id is all that is left.
            cx.warn(principal.pos, "role assignment without a principal id; left out".into());
            continue;
        };
        if crate::rbac::catalog::builtin().find(guid).is_none() && known_roles.insert(guid.to_lowercase()) {
            definitions.push(unknown_role(
                guid,
                role.pos,
                "AzureHound does not collect custom role definitions: an `import azure` export or an overlay narrows it",
            ));
            cx.missing(format!(
                "role definition `{guid}`: assignments use it, AzureHound does not collect role definitions; assumed \
                 to grant everything"
            ));
        }
        assignments.push(
            MapBuilder::new(pos)
                .set("principal", text(&reference, principal.pos))
                .set("role", text(guid, role.pos))
                .set("scope", text(&scope_text, scope.pos))
                .opt("id", (!id.is_empty()).then(|| text(id, pos)))
                .done(),
        );
        cx.summary.count("role assignments");
    }
    filtered_only(cx, b);
    [("role_definitions", definitions), ("role_assignments", assignments)]
        .into_iter()
        .filter(|(_, list)| !list.is_empty())
        .collect()
}
