//! Rules every importer shares, so that an estate imported from any collector is named and read alike.

use std::collections::{HashMap, HashSet};

use crate::diag::Pos;
use crate::source::Node;

use super::build::{MapBuilder, node_at, seq, str_at, text};

/// The names an import gives: unique per kind of name, and the model name of every principal by object
/// id. A principal is referred to by its name only while no other thing carries that name.
#[derive(Debug, Default)]
pub struct Names {
    /// Model names of the principals the model will hold, by object id (lower case).
    principals: HashMap<String, String>,
    /// Names taken, per kind of name (`resource`, `principal`, `vnet`, `child`, ...), lower case.
    taken: HashMap<&'static str, HashSet<String>>,
    /// How many things carry each name (lower case).
    uses: HashMap<String, usize>,
}

impl Names {
    /// A name free among all `kinds`: `name`, or `name~qualifier` when it is taken (then
    /// `name~qualifier~2`, ...; `name~2`, ... without a qualifier).
    pub fn unique_in(&mut self, kinds: &[&'static str], name: &str, qualifier: &str) -> String {
        let free = |names: &Names, candidate: &str| {
            let key = candidate.to_lowercase();
            kinds
                .iter()
                .all(|k| names.taken.get(k).is_none_or(|t| !t.contains(&key)))
        };
        let mut candidate = name.to_string();
        let mut n = 1;
        while !free(self, &candidate) {
            n += 1;
            candidate = match (qualifier.is_empty(), n) {
                (true, _) => format!("{name}~{n}"),
                (false, 2) => format!("{name}~{qualifier}"),
                (false, _) => format!("{name}~{qualifier}~{}", n - 1),
            };
        }
        for k in kinds {
            self.taken.entry(k).or_default().insert(candidate.to_lowercase());
        }
        *self.uses.entry(candidate.to_lowercase()).or_default() += 1;
        candidate
    }

    /// A name free among one kind.
    pub fn unique(&mut self, kind: &'static str, name: &str, qualifier: &str) -> String {
        self.unique_in(&[kind], name, qualifier)
    }

    /// A name for a child of a parent (a workspace's computes, endpoints and datastores are named per
    /// workspace): `name`, or `name~2`, ... when the parent has one of that name.
    pub fn unique_child(&mut self, parent: &str, name: &str) -> String {
        let taken = self.taken.entry("child").or_default();
        let mut candidate = name.to_string();
        let mut n = 2;
        while taken.contains(&format!("{parent}/{candidate}").to_lowercase()) {
            candidate = format!("{name}~{n}");
            n += 1;
        }
        taken.insert(format!("{parent}/{candidate}").to_lowercase());
        *self.uses.entry(candidate.to_lowercase()).or_default() += 1;
        candidate
    }

    /// Registers a principal: its object id and model name.
    pub fn add_principal(&mut self, object_id: &str, name: &str) {
        self.principals.insert(object_id.to_lowercase(), name.to_string());
    }

    /// True when the model will hold a principal with this object id.
    pub fn knows_principal(&self, object_id: &str) -> bool {
        self.principals.contains_key(&object_id.to_lowercase())
    }

    /// The model name given to a principal at registration.
    pub fn principal_name(&self, object_id: &str) -> Option<&str> {
        self.principals.get(&object_id.to_lowercase()).map(String::as_str)
    }

    /// The model name of a principal, or its object id when none was given.
    pub fn name_of(&self, object_id: &str) -> String {
        self.principal_name(object_id).unwrap_or(object_id).to_string()
    }

    /// The principal reference for an object id, when the model will hold it: its model name, or the
    /// object id when the name is also another thing's (a user and a resource both called `mlws`).
    pub fn principal(&self, object_id: &str) -> Option<String> {
        let name = self.principal_name(object_id)?;
        Some(if self.uses.get(&name.to_lowercase()).is_none_or(|n| *n <= 1) {
            name.to_string()
        } else {
            object_id.to_string()
        })
    }
}

/// The bypass list of a firewall (`"AzureServices, Logging"`; `None` means none).
pub fn bypass_list(bypass: &str, pos: Pos) -> Node {
    let list = bypass
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("None"))
        .map(|s| text(s, pos))
        .collect();
    seq(list, pos)
}

/// The last segment of an id (`/subscriptions/…/roleDefinitions/GUID` → GUID).
pub fn guid_of(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

/// The first block of a GUID, to tell same-named things apart.
pub fn short(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}

/// `alice` of `alice@contoso.com`; `vendor` of a guest's `vendor_fabrikam.com#EXT#@contoso.onmicrosoft.com`
/// (the guest's own address, `vendor@fabrikam.com`, with `@` turned into the last `_`).
pub fn local_part(upn: &str) -> &str {
    let local = upn.split('@').next().filter(|l| !l.is_empty()).unwrap_or(upn);
    match local.strip_suffix("#EXT#").and_then(|home| home.rsplit_once('_')) {
        Some((guest, _)) if !guest.is_empty() => guest,
        _ => local,
    }
}

/// A service principal that stands for a managed identity.
pub fn is_managed_identity(n: &Node) -> bool {
    str_at(n, &["servicePrincipalType"]).is_some_and(|t| t.eq_ignore_ascii_case("ManagedIdentity"))
}

/// An IP rule's address or range. Real payloads sometimes quote it (`'10.91.4.0/24'`, quotes included);
/// the quotes are not part of the range.
pub fn ip_rule(r: &Node) -> Option<Node> {
    let v = node_at(r, &["value"]).or_else(|| node_at(r, &["ipAddressOrRange"]))?;
    v.as_str().map(|s| text(s.trim().trim_matches('\'').trim(), v.pos))
}

/// A role definition the import does not hold, assumed to grant every action and data action: an
/// assignment of it may grant anything, and leaving it out could hide a path. `how_to_narrow` says
/// what would define it.
pub fn unknown_role(guid: &str, pos: Pos, how_to_narrow: &str) -> Node {
    let all = || seq(vec![text("*", pos)], pos);
    let block = MapBuilder::new(pos)
        .set("actions", all())
        .set("not_actions", seq(Vec::new(), pos))
        .set("data_actions", all())
        .set("not_data_actions", seq(Vec::new(), pos))
        .done();
    MapBuilder::new(pos)
        .set("name", text(&format!("unknown role {guid}"), pos))
        .set("id", text(guid, pos))
        .set(
            "description",
            text(
                &format!("not in the import; assumed to grant every action and data action ({how_to_narrow})"),
                pos,
            ),
        )
        .set("permissions", seq(vec![block], pos))
        .done()
}

/// A resource's `identity` block: system-assigned (with its object id when known) and user-assigned
/// identities by name; `None` when it has neither.
pub fn identity_block(pos: Pos, system: bool, principal_id: Option<Node>, user: Vec<Node>) -> Option<Node> {
    if !system && user.is_empty() {
        return None;
    }
    Some(
        MapBuilder::new(pos)
            .opt("system", system.then(|| super::build::boolean(true, pos)))
            .opt("principal_id", if system { principal_id } else { None })
            .opt("user_assigned", (!user.is_empty()).then(|| seq(user, pos)))
            .done(),
    )
}

/// The resource groups met, as `resource_group` resources.
pub fn resource_groups(groups: &[(String, String)], summary: &mut super::Summary) -> Vec<Node> {
    let pos = Pos::default();
    groups
        .iter()
        .map(|(id, name)| {
            summary.count("resource groups");
            MapBuilder::new(pos)
                .set("name", text(name, pos))
                .set("type", text("resource_group", pos))
                .set("id", text(id, pos))
                .done()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_and_references() {
        let mut n = Names::default();
        assert_eq!(n.unique("resource", "rg", "sub1"), "rg");
        assert_eq!(n.unique("resource", "RG", "sub2"), "RG~sub2");
        assert_eq!(n.unique("resource", "rg", "sub2"), "rg~sub2~2");
        assert_eq!(n.unique("principal", "oid", ""), "oid");
        assert_eq!(n.unique("principal", "oid", ""), "oid~2");
        assert_eq!(n.unique_child("ws", "c"), "c");
        assert_eq!(n.unique_child("ws", "c"), "c~2");
        assert_eq!(n.unique_child("other", "c"), "c");
        let alice = n.unique("principal", "alice", "");
        n.add_principal("A1", &alice);
        assert_eq!(n.principal("a1").as_deref(), Some("alice"));
        // `rg` is also a resource group's name: the user called so is referred to by object id.
        let rg = n.unique("principal", "rg", "");
        n.add_principal("u2", &rg);
        assert_eq!(n.principal("U2").as_deref(), Some("U2"));
        assert_eq!(n.principal("nobody"), None);
    }

    #[test]
    fn names_and_ids() {
        assert_eq!(local_part("alice@contoso.com"), "alice");
        assert_eq!(local_part("vendor_fabrikam.com#EXT#@contoso.onmicrosoft.com"), "vendor");
        assert_eq!(local_part("odd#EXT#@x"), "odd#EXT#");
        assert_eq!(short("3f7c9a12-6b4e"), "3f7c9a12");
        assert_eq!(
            guid_of("/providers/Microsoft.Authorization/roleDefinitions/abc/"),
            "abc"
        );
    }
}
