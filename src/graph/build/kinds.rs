//! Grants where no deny assignment may deny, worked out once per kind of role assignment (its role,
//! scope and condition) and shared by every holder of one: at size L a million assignments are some
//! thirty thousand kinds. RBAC allows such a request when one of the holder's assignments grants it,
//! and what one assignment grants depends on its kind alone (conditions never depend on who asks), so
//! a holder's grants are the union of its assignments', with the evidence RBAC's decision gives: the
//! first assignment (model order) that grants, by its first block that does.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::decide::{Decided, Decider, RoleGrants};
use crate::model::{AssignmentId, PrincipalId};
use crate::rbac::scope;
use crate::rbac::{Grant, OpKind, Request, RequestAttributes};

/// What each kind of assignment grants, and the kind of each assignment.
pub(super) struct AssignmentKinds {
    /// The kind of each assignment, by assignment index.
    kind_of: Vec<u32>,
    kinds: Vec<KindGrants>,
}

/// What one assignment of a kind grants where no deny may deny.
#[derive(Default)]
struct KindGrants {
    /// Sorted by scope, then by the operation's position among the scope's operations.
    grants: Vec<KindGrant>,
    /// The scopes where the assignment is a candidate and a deny may deny some operation asked
    /// there: grants there are decided per principal.
    deniable_at: Vec<u32>,
}

/// One operation at one scope that an assignment of a kind grants.
struct KindGrant {
    scope: u32,
    /// The operation's position in the scope's operations ([`Decider::ops_at`]).
    position: usize,
    /// `None`: granted at the scope, which the assignment covers. `Some(rank)`: "some data of" a
    /// resource granted at the assignment's scope below it (a blob container), whose id is the
    /// `rank`th in id order. RBAC looks below only when nothing grants at the resource itself,
    /// and then takes the first scope below, in id order, where something grants.
    below: Option<u32>,
    /// The grant of the first block that grants (assignment and group chain are the holder's).
    first: Grant,
    /// Whether some block grants without a condition, or with one that holds.
    unconditional: bool,
}

impl AssignmentKinds {
    /// Sorts the model's assignments into kinds and works out, on rayon's threads, what an
    /// assignment of each kind grants at every scope it is a candidate of, except the (scope,
    /// operation) pairs of `deniable`.
    pub(super) fn new(d: &Decider<'_>, deniable: &FxHashSet<(u32, u32)>, role_grants: &RoleGrants) -> Self {
        let m = d.m;
        let mut index: FxHashMap<(usize, u32, Option<&str>), u32> = FxHashMap::default();
        let mut kind_of = Vec::with_capacity(m.assignments.len());
        let mut representatives: Vec<AssignmentId> = Vec::new();
        for (i, a) in m.assignments.iter().enumerate() {
            let next = u32::try_from(representatives.len()).unwrap_or(u32::MAX);
            let kind = match d.t.assignment_scopes.get(i) {
                Some(&scope) => *index
                    .entry((a.role.index(), scope, a.condition.as_deref()))
                    .or_insert(next),
                None => next,
            };
            if kind == next {
                representatives.push(AssignmentId::from_index(i));
            }
            kind_of.push(kind);
        }
        let ranks = id_ranks(d);
        let kinds = representatives
            .into_par_iter()
            .map(|a| kind_grants(d, a, deniable, role_grants, &ranks))
            .collect();
        AssignmentKinds { kind_of, kinds }
    }

    fn of(&self, a: AssignmentId) -> Option<&KindGrants> {
        self.kinds.get(*self.kind_of.get(a.index())? as usize)
    }

    /// What a holder's own assignments grant where no deny may deny (per scope, per operation, in
    /// that order), and the scopes where one may (decided per principal afterwards).
    pub(super) fn holder_grants(&self, d: &Decider<'_>, holder: PrincipalId) -> Vec<Decided> {
        let mut out = Vec::new();
        let mut picks: Vec<(&KindGrant, AssignmentId)> = Vec::new();
        for &a in d.m.assignments_of(holder) {
            let Some(kind) = self.of(a) else { continue };
            out.extend(kind.deniable_at.iter().map(|&s| Decided::PerPrincipal(s)));
            picks.extend(kind.grants.iter().map(|g| (g, a)));
        }
        // Per operation, a grant at the scope before one below it, the first scope below in id
        // order, then the first assignment: the grant RBAC's decision names first.
        picks.sort_unstable_by_key(|(g, a)| (g.scope, g.position, g.below, *a));
        for same in picks.chunk_by(|(x, _), (y, _)| x.scope == y.scope && x.position == y.position) {
            let Some(&(best, assignment)) = same.first() else {
                continue;
            };
            let Some(&(op, name)) = d.t.ops_at(best.scope).get(best.position) else {
                continue;
            };
            // Read only for a right to assign roles, which is never granted from below.
            let unconditional = same.iter().any(|(g, _)| g.unconditional);
            let grant = Grant {
                assignment,
                ..best.first.clone()
            };
            out.extend(
                d.step(holder, op, name, best.scope, &grant, unconditional, &[])
                    .map(Decided::Grant),
            );
        }
        out
    }
}

/// For each scope, the rank of its id among the scopes' ids in order (how RBAC orders the scopes
/// below a target).
fn id_ranks(d: &Decider<'_>) -> Vec<u32> {
    let mut order: Vec<usize> = (0..d.t.scopes.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        let key = |i: usize| d.t.scopes.get(i).map_or("", |s| s.key.as_str());
        key(a).cmp(key(b))
    });
    let mut ranks = vec![0; order.len()];
    for (rank, i) in order.into_iter().enumerate() {
        if let Some(slot) = ranks.get_mut(i) {
            *slot = u32::try_from(rank).unwrap_or(u32::MAX);
        }
    }
    ranks
}

/// What assignment `a` grants, held directly, where no deny may deny.
fn kind_grants(
    d: &Decider<'_>,
    a: AssignmentId,
    deniable: &FxHashSet<(u32, u32)>,
    role_grants: &RoleGrants,
    ranks: &[u32],
) -> KindGrants {
    let assignment = d.m.assignment(a);
    let role = assignment.role.index();
    let own_scope = d.t.assignment_scopes.get(a.index()).copied();
    let reach = d.assignment_reach(a);
    let grants_at = |op_name: &str, kind: OpKind, target: u32| -> Vec<Grant> {
        let (Some(s), Some(cuts)) = (d.t.scopes.get(target as usize), d.t.scope_cuts.get(target as usize)) else {
            return Vec::new();
        };
        let request = Request {
            principal: assignment.principal,
            operation: op_name,
            kind,
            target: &s.key,
            attributes: RequestAttributes::default(),
        };
        d.rbac
            .assignment_grants(&request, &scope::Target::prepared(&s.key, cuts), a)
    };
    let mut out = KindGrants::default();
    let mut scopes: Vec<(u32, bool)> = reach.covered.iter().map(|&s| (s, false)).collect();
    scopes.extend(
        reach
            .above
            .iter()
            .filter(|&&s| Some(s) != own_scope)
            .map(|&s| (s, true)),
    );
    scopes.sort_unstable();
    for (scope, above) in scopes {
        for (position, &(op, name)) in d.t.ops_at(scope).iter().enumerate() {
            if deniable.contains(&(scope, name)) {
                out.deniable_at.push(scope);
                continue;
            }
            let kind = op.kind();
            if (above && kind != OpKind::Data) || !role_grants.granted(d, role, name, kind) {
                continue;
            }
            let (target, below) = match (above, own_scope) {
                (false, _) => (scope, None),
                (true, Some(own)) => (own, ranks.get(own as usize).copied()),
                (true, None) => continue,
            };
            let grants = grants_at(d.t.op_name(name), kind, target);
            let Some(first) = grants.first() else { continue };
            out.grants.push(KindGrant {
                scope,
                position,
                below,
                first: first.clone(),
                unconditional: grants.iter().any(|g| g.condition.holds_for_sure()),
            });
        }
    }
    out.deniable_at.dedup();
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::graph::build::tables::ScopeTables;
    use crate::load::{Source, load};
    use crate::model::{Model, prospective};
    use crate::rbac::Rbac;

    /// Every holder's grants, joined from its assignments' kinds, as against RBAC's decision per
    /// request: the same grant instances in the same order, and the same scopes left to the
    /// per-principal pass.
    fn assert_kinds_decide_as_rbac(name: &str, model: &Model) -> usize {
        let m = prospective::augment(model);
        let rbac = Rbac::new(&m);
        let t = ScopeTables::new(&m);
        let d = Decider {
            m: &m,
            rbac: &rbac,
            t: &t,
        };
        let deniable = d.deniable();
        let role_grants = RoleGrants::new(m.roles.len(), t.op_names.len());
        let kinds = AssignmentKinds::new(&d, &deniable, &role_grants);
        let split = |decided: Vec<Decided>| {
            let mut grants = Vec::new();
            let mut per_principal = BTreeSet::new();
            for item in decided {
                match item {
                    Decided::Grant(step) => grants.push(format!("{step:?}")),
                    Decided::PerPrincipal(scope) => {
                        per_principal.insert(scope);
                    }
                }
            }
            (grants, per_principal)
        };
        let mut compared = 0;
        for holder in m.principal_ids() {
            let joined = split(kinds.holder_grants(&d, holder));
            let decided = split(d.holder_grants_by_rbac(holder, &deniable, &role_grants));
            assert_eq!(
                joined,
                decided,
                "{name}: the grants of `{}` differ",
                m.principal(holder).name
            );
            compared += joined.0.len();
        }
        compared
    }

    /// The bundled and fixture models (built in, so the test reads no file).
    const FIXTURES: &[(&str, &str)] = &[
        (
            "models/contoso-ml.yaml",
            include_str!("../../../models/contoso-ml.yaml"),
        ),
        ("models/minimal.yaml", include_str!("../../../models/minimal.yaml")),
        (
            "tests/fixtures/models/assignment-kinds.yaml",
            include_str!("../../../tests/fixtures/models/assignment-kinds.yaml"),
        ),
        (
            "tests/fixtures/models/contoso-without-nora-key.yaml",
            include_str!("../../../tests/fixtures/models/contoso-without-nora-key.yaml"),
        ),
        (
            "tests/fixtures/models/cross-group-host.yaml",
            include_str!("../../../tests/fixtures/models/cross-group-host.yaml"),
        ),
        (
            "tests/fixtures/models/minimal.json",
            include_str!("../../../tests/fixtures/models/minimal.json"),
        ),
        (
            "tests/fixtures/models/unknown.yaml",
            include_str!("../../../tests/fixtures/models/unknown.yaml"),
        ),
        (
            "tests/fixtures/rules/P01.yaml",
            include_str!("../../../tests/fixtures/rules/P01.yaml"),
        ),
        (
            "tests/fixtures/rules/P04.yaml",
            include_str!("../../../tests/fixtures/rules/P04.yaml"),
        ),
        (
            "tests/fixtures/rules/P05.yaml",
            include_str!("../../../tests/fixtures/rules/P05.yaml"),
        ),
        (
            "tests/fixtures/rules/P07.yaml",
            include_str!("../../../tests/fixtures/rules/P07.yaml"),
        ),
        (
            "tests/fixtures/rules/P08.yaml",
            include_str!("../../../tests/fixtures/rules/P08.yaml"),
        ),
        (
            "tests/fixtures/rules/P09.yaml",
            include_str!("../../../tests/fixtures/rules/P09.yaml"),
        ),
        (
            "tests/fixtures/rules/P10.yaml",
            include_str!("../../../tests/fixtures/rules/P10.yaml"),
        ),
        (
            "tests/fixtures/rules/P12.yaml",
            include_str!("../../../tests/fixtures/rules/P12.yaml"),
        ),
        (
            "tests/fixtures/rules/P13.yaml",
            include_str!("../../../tests/fixtures/rules/P13.yaml"),
        ),
        (
            "tests/fixtures/rules/P14.yaml",
            include_str!("../../../tests/fixtures/rules/P14.yaml"),
        ),
        (
            "tests/fixtures/rules/P15.yaml",
            include_str!("../../../tests/fixtures/rules/P15.yaml"),
        ),
        (
            "tests/fixtures/rules/P16.yaml",
            include_str!("../../../tests/fixtures/rules/P16.yaml"),
        ),
        (
            "tests/fixtures/rules/P17.yaml",
            include_str!("../../../tests/fixtures/rules/P17.yaml"),
        ),
        (
            "tests/fixtures/rules/P18.yaml",
            include_str!("../../../tests/fixtures/rules/P18.yaml"),
        ),
        (
            "tests/fixtures/rules/P19.yaml",
            include_str!("../../../tests/fixtures/rules/P19.yaml"),
        ),
        (
            "tests/fixtures/rules/P20.yaml",
            include_str!("../../../tests/fixtures/rules/P20.yaml"),
        ),
        (
            "tests/fixtures/rules/P21.yaml",
            include_str!("../../../tests/fixtures/rules/P21.yaml"),
        ),
        (
            "tests/fixtures/rules/P22.yaml",
            include_str!("../../../tests/fixtures/rules/P22.yaml"),
        ),
        (
            "tests/fixtures/rules/P26.yaml",
            include_str!("../../../tests/fixtures/rules/P26.yaml"),
        ),
        (
            "tests/fixtures/rules/P27.yaml",
            include_str!("../../../tests/fixtures/rules/P27.yaml"),
        ),
        (
            "tests/fixtures/rules/P28.yaml",
            include_str!("../../../tests/fixtures/rules/P28.yaml"),
        ),
        (
            "tests/fixtures/rules/P29.yaml",
            include_str!("../../../tests/fixtures/rules/P29.yaml"),
        ),
        (
            "tests/fixtures/rules/P31.yaml",
            include_str!("../../../tests/fixtures/rules/P31.yaml"),
        ),
        (
            "tests/fixtures/rules/access-policy.yaml",
            include_str!("../../../tests/fixtures/rules/access-policy.yaml"),
        ),
        (
            "tests/fixtures/rules/client-secret.yaml",
            include_str!("../../../tests/fixtures/rules/client-secret.yaml"),
        ),
        (
            "tests/fixtures/rules/endpoint-key.yaml",
            include_str!("../../../tests/fixtures/rules/endpoint-key.yaml"),
        ),
        (
            "tests/fixtures/rules/grant.yaml",
            include_str!("../../../tests/fixtures/rules/grant.yaml"),
        ),
        (
            "tests/fixtures/rules/identity.yaml",
            include_str!("../../../tests/fixtures/rules/identity.yaml"),
        ),
        (
            "tests/fixtures/rules/membership.yaml",
            include_str!("../../../tests/fixtures/rules/membership.yaml"),
        ),
        (
            "tests/fixtures/rules/public-blob.yaml",
            include_str!("../../../tests/fixtures/rules/public-blob.yaml"),
        ),
        (
            "tests/fixtures/rules/sas-token.yaml",
            include_str!("../../../tests/fixtures/rules/sas-token.yaml"),
        ),
        (
            "tests/fixtures/rules/unmodelled.yaml",
            include_str!("../../../tests/fixtures/rules/unmodelled.yaml"),
        ),
        (
            "tests/fixtures/rules/use.yaml",
            include_str!("../../../tests/fixtures/rules/use.yaml"),
        ),
    ];

    fn fixture(name: &str, text: &str) -> Option<Model> {
        // A rule fixture holds its cases after a line `---`.
        let model_text = match text.lines().position(|l| l.trim_end() == "---") {
            Some(at) => text.lines().take(at).collect::<Vec<_>>().join("\n"),
            None => text.to_string(),
        };
        load(&Source::new(name, model_text)).ok().map(|l| l.model)
    }

    #[test]
    fn joined_kinds_grant_what_rbac_decides_on_every_fixture() {
        let mut models = 0;
        let mut grants = 0;
        for (name, text) in FIXTURES {
            let Some(model) = fixture(name, text) else { continue };
            grants += assert_kinds_decide_as_rbac(name, &model);
            models += 1;
        }
        assert!(models >= 35, "only {models} fixture models loaded");
        assert!(grants >= 500, "only {grants} grants compared");
    }

    #[test]
    fn the_holders_of_assignment_kinds_each_get_what_rbac_decides() {
        let name = "tests/fixtures/models/assignment-kinds.yaml";
        let (_, text) = FIXTURES
            .iter()
            .find(|(n, _)| *n == name)
            .expect("the fixture is built in");
        let model = fixture(name, text).expect("the fixture loads");
        let grants = assert_kinds_decide_as_rbac(name, &model);
        assert!(grants >= 20, "only {grants} grants compared");
    }

    #[test]
    fn joined_kinds_grant_what_rbac_decides_on_a_generated_estate() {
        let text = serde_json::to_string(&crate::r#gen::generate(&crate::r#gen::Params::size("S").unwrap())).unwrap();
        let model = load(&Source::new("estate.json", text)).unwrap().model;
        assert!(!model.denies.is_empty(), "the estate has deny assignments");
        let grants = assert_kinds_decide_as_rbac("size S", &model);
        assert!(grants >= 10_000, "only {grants} grants compared");
    }
}
