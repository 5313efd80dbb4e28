//! Custom role definitions, role assignments and deny assignments, in Azure's REST shape (`properties.*`)
//! or the CLI's flattened one (`az role assignment list`: the same fields at the top level).
//!
//! A principal an assignment names but the export does not hold (a guest, an identity of a deleted
//! resource, a directory the collector could not read) is kept as a principal named by its object id,
//! of the kind the assignment says (`principalType`): leaving it out would hide a path.

use crate::import::common::{guid_of, unknown_role};
use std::collections::HashSet;

use super::{Buckets, Cx, Kind, copy};
use crate::import::build::{MapBuilder, boolean, field, node_at, seq, str_at, text};
use crate::source::Node;

/// The all-principals sentinel of deny assignments.
const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";

/// A field of an authorization object, under `properties` (REST) or at the top level (CLI).
fn prop<'n>(n: &'n Node, key: &str) -> Option<&'n Node> {
    node_at(n, &["properties", key]).or_else(|| node_at(n, &[key]))
}

fn prop_str<'n>(n: &'n Node, key: &str) -> Option<&'n str> {
    prop(n, key)?.as_str()
}

fn strings(n: Option<&Node>) -> Vec<Node> {
    n.and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|x| x.as_str().map(|s| text(s, x.pos)))
        .collect()
}

/// Declares the resource groups that assignment scopes name, so a scope on a group the resource export
/// does not show (an empty group, a group of another subscription) still loads.
pub fn register(cx: &mut Cx, b: &Buckets) {
    for a in b.of(Kind::RoleAssignment).chain(b.of(Kind::DenyAssignment)) {
        let Some(scope) = prop_str(a, "scope") else { continue };
        let Some(arm) = super::ArmId::parse(scope) else {
            continue;
        };
        if let Some(g) = &arm.group {
            super::resources::group_name(cx, &arm.subscription, g);
        }
    }
}

/// What the authorization sections hold.
pub struct Authorization {
    pub sections: Vec<(&'static str, Vec<Node>)>,
}

fn role_definitions(cx: &mut Cx, b: &Buckets) -> Vec<Node> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for d in b.of(Kind::RoleDefinition) {
        let Some(id) = str_at(d, &["id"]).or_else(|| str_at(d, &["name"])) else {
            continue;
        };
        let guid = guid_of(id);
        if !seen.insert(guid.to_lowercase()) {
            continue;
        }
        let builtin = prop_str(d, "type").is_some_and(|t| t.eq_ignore_ascii_case("BuiltInRole"));
        if builtin && crate::rbac::catalog::builtin().find(guid).is_some() {
            continue;
        }
        let Some(name) = prop(d, "roleName").and_then(|n| n.as_str().map(|s| text(s, n.pos))) else {
            cx.warn(d.pos, "role definition without `roleName`; left out".into());
            continue;
        };
        let pos = d.pos;
        let mut blocks = Vec::new();
        for p in prop(d, "permissions").and_then(Node::as_seq).unwrap_or_default() {
            blocks.push(
                MapBuilder::new(p.pos)
                    .set("actions", seq(strings(field(p, "actions")), p.pos))
                    .set("not_actions", seq(strings(field(p, "notActions")), p.pos))
                    .set("data_actions", seq(strings(field(p, "dataActions")), p.pos))
                    .set("not_data_actions", seq(strings(field(p, "notDataActions")), p.pos))
                    .opt("condition", copy(p, &["condition"]))
                    .done(),
            );
        }
        let scopes = strings(prop(d, "assignableScopes"));
        out.push(
            MapBuilder::new(pos)
                .set("name", name)
                .set("id", text(guid, pos))
                .opt(
                    "description",
                    prop(d, "description").and_then(|n| n.as_str().map(|s| text(s, n.pos))),
                )
                .set("permissions", seq(blocks, pos))
                .opt("assignable_scopes", (!scopes.is_empty()).then(|| seq(scopes, pos)))
                .done(),
        );
        cx.summary.count("custom roles");
    }
    out
}

fn role_assignments(cx: &mut Cx, b: &Buckets, definitions: &mut Vec<Node>) -> Vec<Node> {
    let mut known: HashSet<String> = definitions
        .iter()
        .filter_map(|d| str_at(d, &["id"]))
        .map(str::to_lowercase)
        .collect();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for a in b.of(Kind::RoleAssignment) {
        let pos = a.pos;
        let id = str_at(a, &["id"]).unwrap_or_default();
        // Listings at several scopes repeat the assignments inherited from above.
        if !id.is_empty() && !seen.insert(id.to_lowercase()) {
            continue;
        }
        let (Some(principal), Some(role), Some(scope)) =
            (prop(a, "principalId"), prop(a, "roleDefinitionId"), prop(a, "scope"))
        else {
            cx.warn(
                pos,
                "role assignment without principalId, roleDefinitionId or scope; left out".into(),
            );
            continue;
        };
        let (Some(pid), Some(rid), Some(scope_text)) = (principal.as_str(), role.as_str(), scope.as_str()) else {
            continue;
        };
        let reference = match cx.names.principal(pid) {
            Some(r) => r,
            None => cx.placeholder(
                pid,
                prop_str(a, "principalType"),
                principal.pos,
                "role assignments name it",
            ),
        };
        let guid = guid_of(rid);
        if crate::rbac::catalog::builtin().find(guid).is_none() && known.insert(guid.to_lowercase()) {
            definitions.push(unknown_role(
                guid,
                role.pos,
                "export custom role definitions to narrow it",
            ));
            cx.summary.missing.push(format!(
                "role definition `{guid}`: assignments use it, the export does not define it; assumed to grant everything"
            ));
        }
        let scope_text = if scope_text.starts_with('/') {
            scope_text.to_string()
        } else {
            format!("/{scope_text}")
        };
        out.push(
            MapBuilder::new(pos)
                .set("principal", text(&reference, principal.pos))
                .set("role", text(guid, role.pos))
                .set("scope", text(&scope_text, scope.pos))
                .opt("id", (!id.is_empty()).then(|| text(id, pos)))
                .opt(
                    "condition",
                    prop(a, "condition").and_then(|n| n.as_str().map(|s| text(s, n.pos))),
                )
                .opt(
                    "condition_version",
                    prop(a, "conditionVersion").and_then(|n| n.as_str().map(|s| text(s, n.pos))),
                )
                .done(),
        );
        cx.summary.count("role assignments");
    }
    out
}

/// Principal references of a deny assignment's list; `everyone` for the sentinel.
fn deny_principals(cx: &mut Cx, list: Option<&Node>, of: &str) -> Vec<Node> {
    let mut out = Vec::new();
    for p in list.and_then(Node::as_seq).unwrap_or_default() {
        let Some(id) = field(p, "id") else { continue };
        let Some(s) = id.as_str() else { continue };
        if s == EVERYONE {
            out.push(text("everyone", id.pos));
        } else if let Some(r) = cx.names.principal(s) {
            out.push(text(&r, id.pos));
        } else {
            // A principal the model does not hold can take no step, so a deny about it changes nothing.
            cx.left_out(format!("principal `{s}` of deny assignment {of}: not in the export"));
        }
    }
    out
}

fn deny_assignments(cx: &mut Cx, b: &Buckets) -> Vec<Node> {
    let mut out = Vec::new();
    for d in b.of(Kind::DenyAssignment) {
        let pos = d.pos;
        let name = prop_str(d, "denyAssignmentName")
            .or_else(|| str_at(d, &["name"]))
            .unwrap_or("deny assignment")
            .to_string();
        let Some(scope) = prop(d, "scope") else {
            cx.warn(pos, format!("deny assignment `{name}` has no scope; left out"));
            continue;
        };
        let principals = deny_principals(cx, prop(d, "principals"), &format!("`{name}`"));
        if principals.is_empty() {
            cx.left_out(format!(
                "deny assignment `{name}`: none of its principals is in the export"
            ));
            continue;
        }
        let excluded = deny_principals(cx, prop(d, "excludePrincipals"), &format!("`{name}` (exclusions)"));
        let child = prop(d, "doNotApplyToChildScopes")
            .and_then(Node::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        // The model's deny assignment holds one permission block; Azure's may hold several, each
        // denying on its own, so each becomes one deny assignment.
        let blocks = prop(d, "permissions").and_then(Node::as_seq).unwrap_or_default();
        for (i, p) in blocks.iter().enumerate() {
            let block_name = if blocks.len() > 1 {
                format!("{name}#{}", i + 1)
            } else {
                name.clone()
            };
            out.push(
                MapBuilder::new(p.pos)
                    .set("name", text(&block_name, pos))
                    .opt("id", copy(d, &["id"]))
                    .set("principals", seq(principals.clone(), pos))
                    .opt(
                        "exclude_principals",
                        (!excluded.is_empty()).then(|| seq(excluded.clone(), pos)),
                    )
                    .set("actions", seq(strings(field(p, "actions")), p.pos))
                    .set("not_actions", seq(strings(field(p, "notActions")), p.pos))
                    .set("data_actions", seq(strings(field(p, "dataActions")), p.pos))
                    .set("not_data_actions", seq(strings(field(p, "notDataActions")), p.pos))
                    .set(
                        "scope",
                        scope.as_str().map_or_else(|| scope.clone(), |s| text(s, scope.pos)),
                    )
                    .set("do_not_apply_to_child_scopes", boolean(child, pos))
                    .done(),
            );
            cx.summary.count("deny assignments");
        }
    }
    out
}

/// Builds role definitions, role assignments and deny assignments.
pub fn authorization(cx: &mut Cx, b: &Buckets) -> Authorization {
    let mut definitions = role_definitions(cx, b);
    let assignments = role_assignments(cx, b, &mut definitions);
    let denies = deny_assignments(cx, b);
    let sections = [
        ("role_definitions", definitions),
        ("role_assignments", assignments),
        ("deny_assignments", denies),
    ]
    .into_iter()
    .filter(|(_, list)| !list.is_empty())
    .collect();
    Authorization { sections }
}
