//! Effective permissions of a principal at a scope: every assignment that applies there (directly or
//! through groups, at the scope or inherited from above), the assignments it holds below the scope, and
//! the deny assignments that apply there. This is the data of Azure's "Check access" page.

use super::evaluate::{HeldAssignment, Rbac};
use super::groups::{self, Membership};
use super::scope::{self, Coverage};
use crate::model::{DenyId, DenyPrincipals, PrincipalId, Scope};

/// An assignment with how it relates to the scope asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The assignment and the group chain it is held through.
    pub held: HeldAssignment,
    /// How its scope covers the scope asked about (`No` for assignments below it).
    pub coverage: Coverage,
}

/// What a principal holds at a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    /// The principal.
    pub principal: PrincipalId,
    /// The scope asked about; `None` lists every assignment held anywhere.
    pub scope: Option<Scope>,
    /// The principal and its groups, with chains.
    pub memberships: Vec<Membership>,
    /// Assignments that apply at the scope.
    pub applicable: Vec<Placed>,
    /// Assignments held strictly below the scope (they do not apply at the scope itself).
    pub below: Vec<Placed>,
    /// Deny assignments that apply to the principal at the scope.
    pub denies: Vec<DenyId>,
}

/// Gathers the effective permissions of `principal` at `scope` (or everywhere).
pub fn effective(rbac: &Rbac<'_>, principal: PrincipalId, at: Option<&Scope>) -> Effective {
    let model = rbac.model();
    let memberships = groups::memberships(model, principal);
    let mut applicable = Vec::new();
    let mut below = Vec::new();
    for held in rbac.held_assignments(principal) {
        let a = model.assignment(held.assignment);
        match at {
            None => applicable.push(Placed {
                held,
                coverage: Coverage::Yes,
            }),
            Some(s) => match scope::covers(&a.scope.key, &s.key) {
                Coverage::No if scope::is_at_or_below(&a.scope.key, &s.key) => below.push(Placed {
                    held,
                    coverage: Coverage::No,
                }),
                Coverage::No => {}
                c => applicable.push(Placed { held, coverage: c }),
            },
        }
    }
    let member_groups: Vec<PrincipalId> = memberships.iter().map(|m| m.group).collect();
    let denies = model
        .denies
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            let here = match at {
                None => true,
                Some(s) if d.do_not_apply_to_child_scopes => d.scope.key == s.key,
                Some(s) => scope::covers(&d.scope.key, &s.key) == Coverage::Yes,
            };
            let excluded = member_groups.iter().any(|g| d.exclude_principals.contains(g));
            let names = match &d.principals {
                DenyPrincipals::Everyone => true,
                DenyPrincipals::Listed(list) => memberships.iter().any(|m| m.is_direct() && list.contains(&m.group)),
            };
            here && names && !excluded
        })
        .map(|(i, _)| DenyId::from_index(i))
        .collect();
    Effective {
        principal,
        scope: at.cloned(),
        memberships,
        applicable,
        below,
        denies,
    }
}
