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

/// The lengths at which a scope that is a prefix of `id` covers it: before each `/`, and the whole id
/// (what [`Target`] holds).
pub fn cuts(id: &str) -> Vec<usize> {
    let mut cuts: Vec<usize> = id.match_indices('/').map(|(i, _)| i).filter(|i| *i > 0).collect();
    cuts.push(id.len());
    cuts.dedup();
    cuts
}

/// A target id prepared for many coverage questions: the lengths at which a scope that is a prefix of
/// it covers it (before each `/`, and the whole id). [`Target::covered_by`] then costs one length
/// lookup and at most one comparison, instead of a prefix comparison per scope; it answers exactly as
/// [`covers`].
#[derive(Debug, Clone)]
pub struct Target<'a> {
    id: &'a str,
    cuts: std::borrow::Cow<'a, [usize]>,
}

impl<'a> Target<'a> {
    /// Prepares a lower-cased target id.
    pub fn new(id: &'a str) -> Self {
        Target {
            id,
            cuts: std::borrow::Cow::Owned(cuts(id)),
        }
    }

    /// A target whose cuts were worked out before (by [`cuts`] of the same id): for callers that ask
    /// about the same ids many times.
    pub fn prepared(id: &'a str, cuts: &'a [usize]) -> Self {
        Target {
            id,
            cuts: std::borrow::Cow::Borrowed(cuts),
        }
    }

    /// The prefixes of the id at which a covering scope can end, shortest first (the id last).
    pub fn prefixes(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.cuts.iter().filter_map(|&i| self.id.get(..i))
    }

    /// Does the scope (lower-cased) cover this target? The same answer as `covers(scope, id)`.
    pub fn covered_by(&self, scope: &str) -> Coverage {
        let ancestor = scope.trim_end_matches('/');
        if scope == "/" || ancestor.is_empty() {
            return Coverage::Yes;
        }
        if self.cuts.binary_search(&ancestor.len()).is_ok() && self.id.get(..ancestor.len()) == Some(ancestor) {
            Coverage::Yes
        } else if scope.starts_with(MANAGEMENT_GROUP_PREFIX) && self.id.starts_with("/subscriptions/") {
            Coverage::AssumedManagementGroup
        } else {
            Coverage::No
        }
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

    #[test]
    fn prepared_targets_answer_as_covers() {
        let ids = [
            "/",
            "/subscriptions/s",
            "/subscriptions/s/",
            "/subscriptions/s/resourcegroups/rg-ml",
            "/subscriptions/s/resourcegroups/rg-ml-prod",
            RG,
            WS,
            "/subscriptions/s/resourcegroups/rg-ml/providers/microsoft.storage/storageaccounts/st/blobservices/default",
            "/providers/microsoft.management/managementgroups/mg",
            "/subscriptions/t",
            "",
            "//",
        ];
        for target in ids {
            let cut = cuts(target);
            for prepared in [Target::new(target), Target::prepared(target, &cut)] {
                for scope in ids {
                    assert_eq!(
                        prepared.covered_by(scope),
                        covers(scope, target),
                        "{scope} over {target}"
                    );
                }
            }
        }
    }
}
