//! Entra users, groups (with their direct members), and service principals (with their apps' owners).
//! Managed identities' service principals are left to the resources that own them.

use super::{Buckets, Cx, Kind, copy};
use crate::import::build::{MapBuilder, field, seq, str_at, text};
use crate::import::common::{is_managed_identity, local_part, short};
use crate::source::Node;

/// The principals section's lists.
#[derive(Default)]
pub struct Principals {
    pub users: Vec<Node>,
    pub groups: Vec<Node>,
    pub service_principals: Vec<Node>,
}

/// Names the users, groups and service principals the model will hold, before anything refers to them.
pub fn register(cx: &mut Cx, b: &Buckets) {
    // Users are named by the local part of their sign-in name (`alice` for alice@contoso.com) when
    // no other user of the export shares it, else by the whole name.
    let mut locals: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for u in b.of(Kind::User) {
        if let Some(upn) = str_at(u, &["userPrincipalName"]) {
            *locals.entry(local_part(upn).to_lowercase()).or_default() += 1;
        }
    }
    for kind in [Kind::User, Kind::Group, Kind::ServicePrincipal] {
        for n in b.of(kind) {
            if kind == Kind::ServicePrincipal && is_managed_identity(n) {
                continue;
            }
            let Some(id) = str_at(n, &["id"]) else { continue };
            if cx.names.knows_principal(id) {
                continue;
            }
            let (wanted, qualifier) = match kind {
                Kind::User => (
                    match str_at(n, &["userPrincipalName"]) {
                        Some(upn) if locals.get(&local_part(upn).to_lowercase()) == Some(&1) => local_part(upn),
                        Some(upn) => upn,
                        None => str_at(n, &["displayName"]).unwrap_or(id),
                    },
                    short(id),
                ),
                Kind::ServicePrincipal => (
                    str_at(n, &["displayName"]).unwrap_or(id),
                    short(str_at(n, &["appId"]).unwrap_or(id)),
                ),
                _ => (str_at(n, &["displayName"]).unwrap_or(id), short(id)),
            };
            let name = cx.names.unique("principal", wanted, qualifier);
            cx.names.add_principal(id, &name);
            if let Some(app) = str_at(n, &["appId"]) {
                cx.apps.insert(app.to_lowercase(), id.to_string());
            }
        }
    }
}

/// References to the principals of `list` (a members or owners array) that the model holds.
fn known_ids(cx: &mut Cx, list: Option<&Node>, what: &str, of: &str) -> Vec<Node> {
    let mut out = Vec::new();
    for m in list.and_then(Node::as_seq).unwrap_or_default() {
        let Some(id) = field(m, "id") else { continue };
        let Some(s) = id.as_str() else { continue };
        match cx.names.principal(s) {
            Some(reference) => out.push(text(&reference, id.pos)),
            None => {
                let name = str_at(m, &["displayName"]).unwrap_or(s);
                cx.left_out(format!("{what} `{name}` of {of}: not in the export"));
            }
        }
    }
    out
}

/// Builds the users, groups and service principals.
pub fn principals(cx: &mut Cx, b: &Buckets) -> Principals {
    let mut out = Principals::default();
    let mut done = std::collections::HashSet::new();
    for u in b.of(Kind::User) {
        let Some(id) = str_at(u, &["id"]) else { continue };
        if !done.insert(id.to_lowercase()) {
            continue;
        }
        let name = cx.names.name_of(id);
        out.users.push(
            MapBuilder::new(u.pos)
                .set("name", text(&name, u.pos))
                .opt("id", copy(u, &["id"]))
                .done(),
        );
        cx.summary.count("users");
    }
    for g in b.of(Kind::Group) {
        let Some(id) = str_at(g, &["id"]) else { continue };
        if !done.insert(id.to_lowercase()) {
            continue;
        }
        let name = cx.names.name_of(id);
        let mut members = Vec::new();
        for m in b
            .of(Kind::Members)
            .filter(|m| str_at(m, &["groupId"]).is_some_and(|x| x.eq_ignore_ascii_case(id)))
        {
            members.extend(known_ids(cx, field(m, "members"), "member", &format!("group `{name}`")));
        }
        out.groups.push(
            MapBuilder::new(g.pos)
                .set("name", text(&name, g.pos))
                .opt("id", copy(g, &["id"]))
                .opt("members", (!members.is_empty()).then(|| seq(members, g.pos)))
                .done(),
        );
        cx.summary.count("groups");
    }
    for sp in b.of(Kind::ServicePrincipal) {
        if is_managed_identity(sp) {
            continue;
        }
        let Some(id) = str_at(sp, &["id"]) else { continue };
        if !done.insert(id.to_lowercase()) {
            continue;
        }
        let app = str_at(sp, &["appId"]).unwrap_or(id);
        let name = cx.names.name_of(id);
        let mut owners = Vec::new();
        for o in b
            .of(Kind::Owners)
            .filter(|o| str_at(o, &["appId"]).is_some_and(|x| x.eq_ignore_ascii_case(app)))
        {
            owners.extend(known_ids(cx, field(o, "owners"), "owner", &format!("app `{name}`")));
        }
        out.service_principals.push(
            MapBuilder::new(sp.pos)
                .set("name", text(&name, sp.pos))
                .opt("id", copy(sp, &["id"]))
                .opt("owners", (!owners.is_empty()).then(|| seq(owners, sp.pos)))
                .done(),
        );
        cx.summary.count("service principals");
    }
    out
}
