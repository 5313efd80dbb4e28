//! Rules every importer shares, so that an estate imported from any collector is named and read alike.

use crate::diag::Pos;
use crate::source::Node;

use super::build::{MapBuilder, node_at, seq, str_at, text};

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
