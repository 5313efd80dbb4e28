//! Entra users, groups (with their direct members), apps and service principals (with the owners of the
//! service principal and of its app). Managed identities' service principals become the identity of the
//! resource they belong to when the output holds it, a user-assigned identity when their
//! `alternativeNames` name one, and otherwise stay service principals (with a note).

use crate::import::common::{is_managed_identity, local_part, short};
use std::collections::{HashMap, HashSet};

use super::{Cx, Records, copy};
use crate::import::build::{MapBuilder, field, node_at, seq, str_at, text};
use crate::source::Node;

/// The principals section's lists.
#[derive(Default)]
pub struct Principals {
    pub users: Vec<Node>,
    pub groups: Vec<Node>,
    pub service_principals: Vec<Node>,
}

/// The resource ids among a managed identity's `alternativeNames` (`isExplicit=True`, then the id of the
/// user-assigned identity or of the resource whose system-assigned identity it is).
fn alternative_ids(n: &Node) -> Vec<&str> {
    node_at(n, &["alternativeNames"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .filter(|s| s.to_ascii_lowercase().starts_with("/subscriptions/"))
        .collect()
}

fn is_user_assigned_id(id: &str) -> bool {
    id.to_ascii_lowercase()
        .contains("/providers/microsoft.managedidentity/userassignedidentities/")
}

/// The list a directory object's `@odata.type` puts it in.
fn kind_of(object: &Node) -> Option<&'static str> {
    let t = str_at(object, &["@odata.type"])?.to_ascii_lowercase();
    match t.trim_start_matches("#microsoft.graph.") {
        "user" => Some("users"),
        "group" => Some("groups"),
        "serviceprincipal" => Some("service_principals"),
        _ => None,
    }
}

/// The directory objects of a members or owners record: `{"members": [{"member": {…}, "groupId": …}]}`
/// (or the objects themselves in the list).
fn objects<'n>(data: &'n Node, list: &str, item: &str) -> Vec<&'n Node> {
    field(data, list)
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|x| field(x, item).filter(|o| o.as_map().is_some()).unwrap_or(x))
        .collect()
}

/// Names the users, groups and service principals the model will hold, before anything refers to them.
pub fn register(cx: &mut Cx, b: &Records) {
    // Kinds of principals that only assignments may name, from member and owner lists.
    for (kind, list, item) in [
        ("AZGroupMember", "members", "member"),
        ("AZGroupOwner", "owners", "owner"),
        ("AZServicePrincipalOwner", "owners", "owner"),
        ("AZAppOwner", "owners", "owner"),
    ] {
        for r in b.of(kind) {
            for o in objects(&r.data, list, item) {
                if let (Some(id), Some(k)) = (str_at(o, &["id"]), kind_of(o)) {
                    cx.kind_hints.insert(id.to_lowercase(), k);
                }
            }
        }
    }

    let mut locals: HashMap<String, usize> = HashMap::new();
    for u in b.of("AZUser") {
        if let Some(upn) = str_at(&u.data, &["userPrincipalName"]) {
            *locals.entry(local_part(upn).to_lowercase()).or_default() += 1;
        }
    }
    for u in b.of("AZUser") {
        let n = &u.data;
        let Some(id) = str_at(n, &["id"]) else {
            cx.warn(u.pos, "`AZUser` record without `id`; left out".into());
            continue;
        };
        if cx.names.knows_principal(id) {
            continue;
        }
        let wanted = match str_at(n, &["userPrincipalName"]) {
            Some(upn) if locals.get(&local_part(upn).to_lowercase()) == Some(&1) => local_part(upn),
            Some(upn) => upn,
            None => str_at(n, &["displayName"]).unwrap_or(id),
        };
        let name = cx.names.unique("principal", wanted, short(id));
        cx.names.add_principal(id, &name);
    }
    for g in b.of("AZGroup") {
        let Some(id) = str_at(&g.data, &["id"]) else {
            cx.warn(g.pos, "`AZGroup` record without `id`; left out".into());
            continue;
        };
        if cx.names.knows_principal(id) {
            continue;
        }
        let name = cx
            .names
            .unique("principal", str_at(&g.data, &["displayName"]).unwrap_or(id), short(id));
        cx.names.add_principal(id, &name);
    }
    for sp in b.of("AZServicePrincipal") {
        let n = &sp.data;
        let Some(id) = str_at(n, &["id"]) else {
            cx.warn(sp.pos, "`AZServicePrincipal` record without `id`; left out".into());
            continue;
        };
        if cx.names.knows_principal(id) {
            // A resource's identity, or a user-assigned identity a resource names: already registered.
            continue;
        }
        if is_managed_identity(n) {
            let ids = alternative_ids(n);
            if let Some(uami) = ids.iter().find(|i| is_user_assigned_id(i)) {
                let pos = node_at(n, &["id"]).map_or(sp.pos, |x| x.pos);
                if cx.user_assigned(uami, Some((id, pos)), sp.pos).is_some() {
                    continue;
                }
            }
            let resource = ids.first().copied().unwrap_or("its resource");
            let shown = str_at(n, &["displayName"]).unwrap_or(id);
            cx.missing(format!(
                "the resource of managed identity `{shown}` (`{resource}`): AzureHound does not collect it, so the \
                 identity is kept as a service principal (its role assignments count; what the resource runs as it is \
                 not modelled)"
            ));
        }
        let name = cx.names.unique(
            "principal",
            str_at(n, &["displayName"]).unwrap_or(id),
            short(str_at(n, &["appId"]).unwrap_or(id)),
        );
        cx.names.add_principal(id, &name);
        cx.service_principals.insert(id.to_lowercase());
        if let Some(app) = str_at(n, &["appId"]) {
            cx.apps.insert(app.to_lowercase(), id.to_string());
        }
    }
}

/// References to the principals among `objects` that the model holds; the others are listed.
fn known(cx: &mut Cx, objects: &[&Node], what: &str, of: &str, out: &mut Vec<Node>, seen: &mut HashSet<String>) {
    for o in objects {
        let Some(idn) = field(o, "id") else { continue };
        let Some(id) = idn.as_str() else { continue };
        match cx.names.principal(id) {
            Some(reference) => {
                if seen.insert(reference.to_lowercase()) {
                    out.push(text(&reference, idn.pos));
                }
            }
            None => {
                let name = str_at(o, &["userPrincipalName"])
                    .or_else(|| str_at(o, &["displayName"]))
                    .unwrap_or(id);
                let kind = str_at(o, &["@odata.type"])
                    .map(|t| t.trim_start_matches("#microsoft.graph.").to_string())
                    .unwrap_or_else(|| "object".into());
                cx.left_out(format!(
                    "{what} `{name}` ({kind}) of {of}: not in the AzureHound output"
                ));
            }
        }
    }
}

/// Builds the users, groups and service principals.
pub fn principals(cx: &mut Cx, b: &Records) -> Principals {
    let mut out = Principals::default();
    let mut done = HashSet::new();
    for u in b.of("AZUser") {
        let Some(id) = str_at(&u.data, &["id"]) else { continue };
        if !done.insert(id.to_lowercase()) {
            continue;
        }
        out.users.push(
            MapBuilder::new(u.pos)
                .set("name", text(&cx.names.name_of(id), u.pos))
                .opt("id", copy(&u.data, &["id"]))
                .done(),
        );
        cx.summary.count("users");
    }
    for g in b.of("AZGroup") {
        let Some(id) = str_at(&g.data, &["id"]) else { continue };
        if !done.insert(id.to_lowercase()) {
            continue;
        }
        let name = cx.names.name_of(id);
        let mut members = Vec::new();
        let mut seen = HashSet::new();
        for m in b
            .of("AZGroupMember")
            .filter(|m| str_at(&m.data, &["groupId"]).is_some_and(|x| x.eq_ignore_ascii_case(id)))
        {
            let list = objects(&m.data, "members", "member");
            known(cx, &list, "member", &format!("group `{name}`"), &mut members, &mut seen);
        }
        out.groups.push(
            MapBuilder::new(g.pos)
                .set("name", text(&name, g.pos))
                .opt("id", copy(&g.data, &["id"]))
                .opt("members", (!members.is_empty()).then(|| seq(members, g.pos)))
                .done(),
        );
        cx.summary.count("groups");
    }
    for sp in b.of("AZServicePrincipal") {
        let Some(id) = str_at(&sp.data, &["id"]) else { continue };
        if !cx.service_principals.contains(&id.to_lowercase()) || !done.insert(id.to_lowercase()) {
            continue;
        }
        let name = cx.names.name_of(id);
        let app = str_at(&sp.data, &["appId"]);
        let mut owners = Vec::new();
        let mut seen = HashSet::new();
        // Owners of the service principal, and of the app registration behind it: both can add a
        // credential and sign in as it.
        for o in b
            .of("AZServicePrincipalOwner")
            .filter(|o| str_at(&o.data, &["servicePrincipalId"]).is_some_and(|x| x.eq_ignore_ascii_case(id)))
        {
            let list = objects(&o.data, "owners", "owner");
            known(
                cx,
                &list,
                "owner",
                &format!("service principal `{name}`"),
                &mut owners,
                &mut seen,
            );
        }
        if let Some(app) = app {
            for o in b
                .of("AZAppOwner")
                .filter(|o| str_at(&o.data, &["appId"]).is_some_and(|x| x.eq_ignore_ascii_case(app)))
            {
                let list = objects(&o.data, "owners", "owner");
                known(cx, &list, "owner", &format!("app `{name}`"), &mut owners, &mut seen);
            }
        }
        out.service_principals.push(
            MapBuilder::new(sp.pos)
                .set("name", text(&name, sp.pos))
                .opt("id", copy(&sp.data, &["id"]))
                .opt("owners", (!owners.is_empty()).then(|| seq(owners, sp.pos)))
                .done(),
        );
        cx.summary.count("service principals");
    }
    let mut apps = HashSet::new();
    for a in b.of("AZApp") {
        let Some(app) = str_at(&a.data, &["appId"]) else {
            continue;
        };
        if !apps.insert(app.to_lowercase()) {
            continue;
        }
        cx.summary.count("apps");
        if cx.service_principal_by_app(app).is_none() {
            let shown = str_at(&a.data, &["displayName"]).unwrap_or(app);
            cx.left_out(format!(
                "app registration `{shown}` (app id `{app}`): its service principal is not in the AzureHound output, \
                 so nothing in the model can hold its roles or owners"
            ));
        }
    }
    out
}
