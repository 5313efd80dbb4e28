//! Scope inheritance (`spec/azure-access-semantics.md` §1.2): an assignment at scope A applies to a
//! request on R when A is the root, a management group above R's subscription, or a prefix of R's id on
//! a `/` boundary. Ids are compared lower-cased.

/// Whether a scope covers a target, and on what grounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// The scope does not cover the target.
    No,
    /// The scope is the target or lies above it.
    Yes,
    /// The scope is a management group; the model has no management-group tree, so it is assumed to
    /// cover every subscription (an over-approximation, reported as such).
    AssumedManagementGroup,
}

/// The prefix of management-group scope ids, lower-cased.
pub const MANAGEMENT_GROUP_PREFIX: &str = "/providers/microsoft.management/managementgroups/";

/// Does the scope `scope` (lower-cased) cover the target id `target` (lower-cased)?
pub fn covers(scope: &str, target: &str) -> Coverage {
    if scope == "/" || is_at_or_below(target, scope) {
        Coverage::Yes
    } else if scope.starts_with(MANAGEMENT_GROUP_PREFIX) && target.starts_with("/subscriptions/") {
        Coverage::AssumedManagementGroup
    } else {
        Coverage::No
    }
}

/// True when `id` equals `ancestor` or lies under it on a `/` boundary.
pub fn is_at_or_below(id: &str, ancestor: &str) -> bool {
    let ancestor = ancestor.trim_end_matches('/');
    if ancestor.is_empty() {
        return true;
    }
    match id.strip_prefix(ancestor) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RG: &str = "/subscriptions/s/resourcegroups/rg-ml";
    const WS: &str =
        "/subscriptions/s/resourcegroups/rg-ml/providers/microsoft.machinelearningservices/workspaces/mlws";

    #[test]
    fn inheritance_down_the_tree() {
        assert_eq!(covers("/", WS), Coverage::Yes);
        assert_eq!(covers("/subscriptions/s", WS), Coverage::Yes);
        assert_eq!(covers(RG, WS), Coverage::Yes);
        assert_eq!(covers(WS, WS), Coverage::Yes);
        assert_eq!(covers(WS, &format!("{WS}/computes/ci-1")), Coverage::Yes);
    }

    #[test]
    fn not_up_and_not_sideways() {
        assert_eq!(covers(WS, RG), Coverage::No);
        assert_eq!(covers("/subscriptions/s/resourcegroups/rg-m", WS), Coverage::No);
        assert_eq!(covers("/subscriptions/t", WS), Coverage::No);
    }

    #[test]
    fn management_groups_are_assumed_to_cover_subscriptions() {
        assert_eq!(
            covers("/providers/microsoft.management/managementgroups/corp", WS),
            Coverage::AssumedManagementGroup
        );
    }
}
