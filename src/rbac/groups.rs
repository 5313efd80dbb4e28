//! Transitive group membership (`spec/azure-access-semantics.md` §1.1): a principal gets the
//! assignments of every group it reaches through the member-of closure. Cycles are allowed in input and
//! never loop.

use std::collections::{HashSet, VecDeque};

use crate::model::{Model, PrincipalId};

/// A group a principal belongs to, with the shortest chain of memberships that leads there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The group (or the principal itself, with an empty chain).
    pub group: PrincipalId,
    /// The groups passed through, from the principal's direct group to `group` (inclusive); empty for
    /// the principal itself.
    pub chain: Vec<PrincipalId>,
}

impl Membership {
    /// True for a direct membership (or the principal itself).
    pub fn is_direct(&self) -> bool {
        self.chain.len() <= 1
    }
}

/// The principal itself and every group it belongs to, transitively, breadth-first (so each chain is
/// a shortest one), in a deterministic order.
pub fn memberships(model: &Model, principal: PrincipalId) -> Vec<Membership> {
    let mut out = vec![Membership {
        group: principal,
        chain: Vec::new(),
    }];
    let mut seen: HashSet<PrincipalId> = HashSet::from([principal]);
    let mut queue: VecDeque<usize> = VecDeque::from([0]);
    while let Some(i) = queue.pop_front() {
        let Some(current) = out.get(i).cloned() else { continue };
        let mut groups = model.groups_of(current.group).to_vec();
        groups.sort();
        for g in groups {
            if seen.insert(g) {
                let mut chain = current.chain.clone();
                chain.push(g);
                out.push(Membership { group: g, chain });
                queue.push_back(out.len() - 1);
            }
        }
    }
    out
}

/// Every transitive member of a group (the group itself excluded), sorted.
pub fn transitive_members(model: &Model, group: PrincipalId) -> Vec<PrincipalId> {
    let mut seen: HashSet<PrincipalId> = HashSet::from([group]);
    let mut queue = VecDeque::from([group]);
    let mut out = Vec::new();
    while let Some(g) = queue.pop_front() {
        for &m in &model.principal(g).members {
            if seen.insert(m) {
                out.push(m);
                queue.push_back(m);
            }
        }
    }
    out.sort();
    out
}
