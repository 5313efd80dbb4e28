//! The ids of the facts grants name most, in tables indexed by principal, scope or resource rather
//! than hashed: acting as a principal, a control-plane right or the right to assign roles at a scope,
//! a data capability and its endpoint. At size L the builder looks up some twelve million of them,
//! one thread adds every grant, and a hash look-up each was that thread's largest cost.

use super::super::FactId;
use super::super::fact::{Endpoint, Fact};
use super::super::ops::Op;

/// Facts per scope: a control-plane right per operation, then the right to assign roles.
const PER_SCOPE: usize = Op::ALL.len() + 1;
/// Facts per resource: five data capabilities, then four endpoints.
const PER_RESOURCE: usize = 9;

/// Fact ids by principal, scope and resource (`None`: not made yet).
pub(super) struct DenseFacts {
    ids: Vec<Option<FactId>>,
    principals: usize,
    scopes: usize,
    resources: usize,
}

impl DenseFacts {
    pub(super) fn new(principals: usize, scopes: usize, resources: usize) -> Self {
        let len = principals
            .saturating_add(scopes.saturating_mul(PER_SCOPE))
            .saturating_add(resources.saturating_mul(PER_RESOURCE));
        DenseFacts {
            ids: vec![None; len],
            principals,
            scopes,
            resources,
        }
    }

    /// Where a fact's id is kept, if it is one of the tables' facts.
    fn slot(&self, f: &Fact) -> Option<usize> {
        let at_scope = |s: u32, i: usize| {
            let s = s as usize;
            (s < self.scopes).then(|| self.principals + s * PER_SCOPE + i)
        };
        let of_resource = |r: crate::model::ResourceId, i: usize| {
            let r = r.index();
            (r < self.resources).then(|| self.principals + self.scopes * PER_SCOPE + r * PER_RESOURCE + i)
        };
        match *f {
            Fact::As(p) => (p.index() < self.principals).then(|| p.index()),
            Fact::Can(op, s) if usize::from(op) < Op::ALL.len() => at_scope(s, usize::from(op)),
            Fact::Assign(s) => at_scope(s, Op::ALL.len()),
            Fact::DataRead(r) => of_resource(r, 0),
            Fact::DataWrite(r) => of_resource(r, 1),
            Fact::Secrets(r) => of_resource(r, 2),
            Fact::Invoke(r) => of_resource(r, 3),
            Fact::Push(r) => of_resource(r, 4),
            Fact::Reach(Endpoint::Blob(r)) => of_resource(r, 5),
            Fact::Reach(Endpoint::Vault(r)) => of_resource(r, 6),
            Fact::Reach(Endpoint::Registry(r)) => of_resource(r, 7),
            Fact::Reach(Endpoint::Scoring(r)) => of_resource(r, 8),
            _ => None,
        }
    }

    /// The fact's id, if it is one of the tables' facts and has been made.
    pub(super) fn get(&self, f: &Fact) -> Option<FactId> {
        self.ids.get(self.slot(f)?).copied().flatten()
    }

    /// Keeps the id of a fact just made (nothing for facts outside the tables).
    pub(super) fn set(&mut self, f: &Fact, id: FactId) {
        if let Some(i) = self.slot(f)
            && let Some(slot) = self.ids.get_mut(i)
        {
            *slot = Some(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PrincipalId, ResourceId};

    /// Every fact the tables hold, for 3 principals, 2 scopes and 2 resources, and some just outside.
    fn tabled() -> Vec<Fact> {
        let mut facts: Vec<Fact> = (0..3).map(|i| Fact::As(PrincipalId::from_index(i))).collect();
        for s in 0..2 {
            facts.extend(Op::ALL.iter().map(|op| Fact::Can(op.code(), s)));
            facts.push(Fact::Assign(s));
        }
        for r in (0..2).map(ResourceId::from_index) {
            facts.extend([
                Fact::DataRead(r),
                Fact::DataWrite(r),
                Fact::Secrets(r),
                Fact::Invoke(r),
                Fact::Push(r),
                Fact::Reach(Endpoint::Blob(r)),
                Fact::Reach(Endpoint::Vault(r)),
                Fact::Reach(Endpoint::Registry(r)),
                Fact::Reach(Endpoint::Scoring(r)),
            ]);
        }
        facts
    }

    #[test]
    fn each_fact_has_its_own_slot_and_others_have_none() {
        let mut dense = DenseFacts::new(3, 2, 2);
        let facts = tabled();
        for (i, f) in facts.iter().enumerate() {
            assert_eq!(dense.get(f), None, "{f:?} before it is made");
            dense.set(f, FactId(u32::try_from(i).unwrap()));
        }
        for (i, f) in facts.iter().enumerate() {
            assert_eq!(dense.get(f), Some(FactId(u32::try_from(i).unwrap())), "{f:?}");
        }
        let outside = [
            Fact::As(PrincipalId::from_index(3)),
            Fact::Can(0, 2),
            Fact::Assign(2),
            Fact::DataRead(ResourceId::from_index(2)),
            Fact::Reach(Endpoint::Workspace(ResourceId::from_index(0))),
            Fact::Online,
        ];
        for f in outside {
            dense.set(&f, FactId(999));
            assert_eq!(dense.get(&f), None, "{f:?} is not in the tables");
        }
    }
}
