//! The RBAC side of grants: which assignments can cover each scope, and what RBAC decides there. It
//! only reads (the model, RBAC's evaluator and the scope tables), so principals are decided on other
//! threads while the builder adds the grants already decided, in model order.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::super::fact::{Endpoint, Fact};
use super::super::ops::Op;
use super::super::rule::{Evidence, GrantCondition};
use super::tables::{AssignmentReach, ScopeTables};
use crate::channel::Channel;
use crate::model::resource::AuthMode;
use crate::model::{AssignmentId, Model, PrincipalId, Props, ResourceId};
use crate::rbac::scope::{self, Coverage};
use crate::rbac::{ConditionStatus, Decision, Grant, OpKind, Rbac, Request, RequestAttributes};

/// Where the assignments that bear on some scopes are candidates, and which of them each holder has
/// (in the order [`Model::assignments_of`] lists them): what the per-principal decisions read.
#[derive(Default)]
pub(super) struct ReachTable {
    /// By assignment scope (graph scope index): where an assignment made there is a candidate among
    /// the wanted scopes; scopes whose assignments bear on none are left out.
    by_scope: FxHashMap<u32, AssignmentReach>,
    /// By holder, its assignments made at a scope of `by_scope`, with that scope.
    by_holder: FxHashMap<PrincipalId, Vec<(AssignmentId, u32)>>,
}

impl ReachTable {
    /// The table of the assignments (model order) that are candidates at one of the scopes `wanted`
    /// marks, with where each is one, limited to those.
    pub(super) fn new(d: &Decider<'_>, wanted: &[bool]) -> Self {
        let is_wanted = |s: &u32| wanted.get(*s as usize).copied().unwrap_or(false);
        let mut scopes: Vec<u32> = d.t.assignment_scopes.clone();
        scopes.sort_unstable();
        scopes.dedup();
        let by_scope: FxHashMap<u32, AssignmentReach> = scopes
            .into_par_iter()
            .filter_map(|s| {
                let all = d.scope_reach(s);
                let r = AssignmentReach {
                    covered: all.covered.iter().copied().filter(is_wanted).collect(),
                    above: all.above.iter().copied().filter(is_wanted).collect(),
                };
                (!r.covered.is_empty() || !r.above.is_empty()).then_some((s, r))
            })
            .collect();
        let mut by_holder: FxHashMap<PrincipalId, Vec<(AssignmentId, u32)>> = FxHashMap::default();
        for (i, &s) in d.t.assignment_scopes.iter().enumerate() {
            if by_scope.contains_key(&s) {
                let a = AssignmentId::from_index(i);
                by_holder.entry(d.m.assignment(a).principal).or_default().push((a, s));
            }
        }
        ReachTable { by_scope, by_holder }
    }

    /// The assignments of `holder` in the table, with where each is a candidate.
    fn held_by(&self, holder: PrincipalId) -> impl Iterator<Item = (AssignmentId, &AssignmentReach)> {
        self.by_holder
            .get(&holder)
            .into_iter()
            .flatten()
            .filter_map(|(a, s)| self.by_scope.get(s).map(|r| (*a, r)))
    }
}

/// The assignments that can cover each scope, by scope: (assignment, position of the group it comes
/// through in the principal's memberships).
type Covering = BTreeMap<u32, Vec<(AssignmentId, usize)>>;

/// One outcome of deciding a principal's requests, in the order the builder adds them.
#[derive(Debug)]
pub(super) enum Decided {
    /// RBAC allows a request: the grant instance to add.
    Grant(GrantStep),
    /// A deny assignment may deny a request at this scope: grants there are decided per principal.
    PerPrincipal(u32),
}

/// A grant instance prepared where it was decided, so the builder only adds it.
#[derive(Debug)]
pub(super) struct GrantStep {
    pub(super) channel: Channel,
    pub(super) premises: Vec<Fact>,
    pub(super) conclusion: GrantConclusion,
    pub(super) evidence: Evidence,
    pub(super) names: Vec<PrincipalId>,
    pub(super) tags: Vec<String>,
}

/// What a grant concludes.
#[derive(Debug)]
pub(super) enum GrantConclusion {
    /// Known where it was decided.
    Fact(Fact),
    /// A right to assign roles at the scope that only conditional grants give: unrestricted (`Assign`)
    /// if the conditions allow every role, else `AssignSome`. A grant whose condition is absent or
    /// holds without knowing the role holds for every role (three-valued logic is monotone), so the
    /// roles are only checked one by one when every grant is conditional.
    AssignIfEveryRole(u32),
}

/// For the operations that are requests to a data plane: the capability and the endpoint.
pub(super) fn capability_of(m: &Model, op: Op, r: ResourceId) -> Option<(Fact, Endpoint)> {
    match (op, &m.resource(r).props) {
        (Op::BlobRead, _) => Some((Fact::DataRead(r), Endpoint::Blob(r))),
        (Op::BlobWrite, _) => Some((Fact::DataWrite(r), Endpoint::Blob(r))),
        (Op::GetSecret, Props::KeyVault(v)) if v.enable_rbac_authorization => {
            Some((Fact::Secrets(r), Endpoint::Vault(r)))
        }
        (Op::RegistryPush, _) => Some((Fact::Push(r), Endpoint::Registry(r))),
        (Op::EndpointScore, Props::Endpoint(e)) if e.auth_mode == AuthMode::AadToken => {
            Some((Fact::Invoke(r), Endpoint::Scoring(r)))
        }
        _ => None,
    }
}

/// Whether a role (by index) has a block granting an operation (by name id and plane), whatever the
/// scope: worked out on first use, shared by the threads.
pub(super) struct RoleGrants {
    names: usize,
    known: Vec<OnceLock<bool>>,
}

impl RoleGrants {
    pub(super) fn new(roles: usize, names: usize) -> Self {
        RoleGrants {
            names,
            known: (0..roles.saturating_mul(names).saturating_mul(2))
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    pub(super) fn granted(&self, d: &Decider<'_>, role: usize, name: u32, kind: OpKind) -> bool {
        let ask = || d.rbac.role_grants(role, d.op_name(name), kind);
        let at = role
            .saturating_mul(self.names)
            .saturating_add(name as usize)
            .saturating_mul(2)
            .saturating_add(usize::from(kind == OpKind::Data));
        match self.known.get(at) {
            Some(cell) => *cell.get_or_init(ask),
            None => ask(),
        }
    }

    /// Whether RBAC may allow the request: some candidate's role grants it. A control-plane request
    /// is allowed only through a candidate at its scope; a data request also through one at a scope
    /// below it, so any candidate of the principal's counts. Without one, RBAC's answer is no, and
    /// asking costs.
    fn may_allow(&self, d: &Decider<'_>, op: Op, name: u32, scope: u32, covering: &Covering, roles: &[usize]) -> bool {
        match op.kind() {
            OpKind::Control => covering.get(&scope).is_some_and(|candidates| {
                candidates
                    .iter()
                    .any(|&(a, _)| self.granted(d, d.m.assignment(a).role.index(), name, OpKind::Control))
            }),
            kind => roles.iter().any(|&role| self.granted(d, role, name, kind)),
        }
    }
}

/// The roles (by index) of every candidate of a covering, each once.
fn candidate_roles(m: &Model, covering: &Covering) -> Vec<usize> {
    let mut roles: Vec<usize> = covering
        .values()
        .flatten()
        .map(|&(a, _)| m.assignment(a).role.index())
        .collect();
    roles.sort_unstable();
    roles.dedup();
    roles
}

/// What deciding grants reads: the model, RBAC's evaluator and the scope tables. `Sync`, unlike the
/// builder (which holds the network oracle).
pub(super) struct Decider<'b> {
    pub(super) m: &'b Model,
    pub(super) rbac: &'b Rbac<'b>,
    pub(super) t: &'b ScopeTables,
}

impl<'b> Decider<'b> {
    fn ops_at(&self, scope: u32) -> &'b [(Op, u32)] {
        self.t.ops_at(scope)
    }

    fn op_name(&self, name: u32) -> &'b str {
        self.t.op_name(name)
    }

    /// Where assignment `a` is a candidate of an RBAC question (see [`AssignmentReach`]), worked out
    /// once per scope.
    pub(super) fn assignment_reach(&self, a: AssignmentId) -> Cow<'b, AssignmentReach> {
        match self.t.assignment_scopes.get(a.index()) {
            Some(&scope) => self.scope_reach(scope),
            None => Cow::Owned(self.reach_of_scope(&self.m.assignment(a).scope.key)),
        }
    }

    /// Where an assignment made at scope `scope` (a graph scope index) is a candidate.
    fn scope_reach(&self, scope: u32) -> Cow<'b, AssignmentReach> {
        let key = || self.t.scopes.get(scope as usize).map_or("", |s| s.key.as_str());
        match self.t.reach_at.get(scope as usize) {
            Some(cell) => Cow::Borrowed(cell.get_or_init(|| self.reach_of_scope(key()))),
            None => Cow::Owned(self.reach_of_scope(key())),
        }
    }

    fn reach_of_scope(&self, key: &str) -> AssignmentReach {
        let above = scope::Target::new(key)
            .prefixes()
            .filter_map(|prefix| self.t.scope_index.get(prefix).copied())
            .filter(|&s| self.ops_at(s).iter().any(|(op, _)| op.kind() == OpKind::Data))
            .collect();
        AssignmentReach {
            covered: self.t.covered_by(key),
            above,
        }
    }

    /// The assignments of a principal that can cover each scope (as candidates of
    /// [`Rbac::check_among`], in the order [`Rbac::check`] meets them): the scopes an RBAC question is
    /// worth asking about.
    ///
    /// Only the principal's own assignments (not its groups'), with where each is a candidate worked
    /// out here.
    #[cfg(test)]
    fn own_covering(&self, p: PrincipalId) -> Covering {
        let mut out = Covering::new();
        for &a in self.m.assignments_of(p) {
            add_candidate(&mut out, a, 0, &self.assignment_reach(a));
        }
        out
    }

    /// Every assignment of the principal and its groups that `reach` holds, with where each is a
    /// candidate from that table; the others are left out.
    fn reach_covering(&self, p: PrincipalId, reach: &ReachTable) -> Covering {
        let mut out = Covering::new();
        for (i, member) in self.rbac.memberships(p).iter().enumerate() {
            for (a, found) in reach.held_by(member.group) {
                add_candidate(&mut out, a, i, found);
            }
        }
        out
    }

    /// The deny assignments (model order) that may bear on a request at each scope: those whose scope
    /// covers it, and, since "some data of" a resource is also asked at the scopes below it, those at
    /// a scope below it. Management-group denies count everywhere in a subscription.
    fn deny_touched(&self) -> HashMap<u32, Vec<usize>> {
        let mut out: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, deny) in self.m.denies.iter().enumerate() {
            let key = deny.scope.key.as_str();
            let mut touched = self.t.covered_by(key);
            touched.extend(
                scope::Target::new(key)
                    .prefixes()
                    .filter_map(|prefix| self.t.scope_index.get(prefix).copied()),
            );
            touched.sort_unstable();
            touched.dedup();
            for s in touched {
                out.entry(s).or_default().push(i);
            }
        }
        out
    }

    /// The (scope, operation name) pairs where a deny assignment may deny the operation to someone,
    /// from the denies that may bear on each scope ([`Decider::deny_touched`]).
    pub(super) fn deniable(&self) -> FxHashSet<(u32, u32)> {
        let mut out = FxHashSet::default();
        for (scope, denies) in self.deny_touched() {
            for &(op, name) in self.ops_at(scope) {
                if denies
                    .iter()
                    .any(|&d| self.rbac.deny_matches(d, self.op_name(name), op.kind()))
                {
                    out.insert((scope, name));
                }
            }
        }
        out
    }

    /// What a holder's own assignments grant where no deny assignment may deny, as RBAC decides it
    /// for the holder one request at a time: the reference that
    /// [`super::kinds::AssignmentKinds::holder_grants`] is compared with.
    #[cfg(test)]
    pub(super) fn holder_grants_by_rbac(
        &self,
        holder: PrincipalId,
        deniable: &FxHashSet<(u32, u32)>,
        role_grants: &RoleGrants,
    ) -> Vec<Decided> {
        let m = self.m;
        let own = self.own_covering(holder);
        let mut held: Vec<&str> = m
            .assignments_of(holder)
            .iter()
            .map(|&a| m.assignment(a).scope.key.as_str())
            .collect();
        held.sort_unstable();
        held.dedup();
        let roles = candidate_roles(m, &own);
        let mut out = Vec::new();
        for &scope in own.keys() {
            for &(op, name) in self.ops_at(scope) {
                if deniable.contains(&(scope, name)) {
                    out.push(Decided::PerPrincipal(scope));
                    continue;
                }
                if !role_grants.may_allow(self, op, name, scope, &own, &roles) {
                    continue;
                }
                let decision = self.decide_among(holder, op, name, scope, &own, &held);
                out.extend(self.grant_step(holder, op, name, scope, &decision).map(Decided::Grant));
            }
        }
        out
    }

    /// What RBAC decides for principal `p` itself at the scopes of `per_principal` where a deny
    /// assignment may deny, with every assignment it holds (`reach` gives where each is a candidate).
    pub(super) fn principal_grants(
        &self,
        p: PrincipalId,
        reach: &ReachTable,
        per_principal: &BTreeSet<u32>,
        deniable: &FxHashSet<(u32, u32)>,
        role_grants: &RoleGrants,
    ) -> Vec<Decided> {
        let covering = self.reach_covering(p, reach);
        if !covering.keys().any(|s| per_principal.contains(s)) {
            return Vec::new();
        }
        // The scopes of the candidates (only they can grant below a data target), once for every
        // decision of this principal.
        let mut held: Vec<&str> = covering
            .values()
            .flatten()
            .map(|&(a, _)| self.m.assignment(a).scope.key.as_str())
            .collect();
        held.sort_unstable();
        held.dedup();
        let roles = candidate_roles(self.m, &covering);
        let mut out = Vec::new();
        for &scope in covering.keys().filter(|s| per_principal.contains(s)) {
            for &(op, name) in self.ops_at(scope) {
                if !deniable.contains(&(scope, name))
                    || !role_grants.may_allow(self, op, name, scope, &covering, &roles)
                {
                    continue;
                }
                let decision = self.decide_among(p, op, name, scope, &covering, &held);
                out.extend(self.grant_step(p, op, name, scope, &decision).map(Decided::Grant));
            }
        }
        out
    }

    /// The grant instance of an RBAC decision for `p`, if it allows and the request is one the graph
    /// has a step for.
    fn grant_step(&self, p: PrincipalId, op: Op, name: u32, scope: u32, decision: &Decision) -> Option<GrantStep> {
        if !decision.allowed {
            return None;
        }
        // The grant with the shortest group chain, then the first assignment, is the evidence.
        let best = decision
            .grants
            .iter()
            .min_by_key(|g| (g.via.len(), g.assignment, g.block))?;
        // Only a right to assign roles reads it.
        let unconditional = op == Op::AssignRoles && decision.grants.iter().any(|g| g.condition.holds_for_sure());
        self.step(p, op, name, scope, best, unconditional, &decision.notes)
    }

    /// The grant instance of an allowed request for `p`: `best` is the grant cited, `unconditional`
    /// whether some grant of the decision holds without condition (or with one that holds), `notes`
    /// the decision's notes.
    #[expect(
        clippy::too_many_arguments,
        reason = "the request's parts and the decision's, each named"
    )]
    pub(super) fn step(
        &self,
        p: PrincipalId,
        op: Op,
        name: u32,
        scope: u32,
        best: &Grant,
        unconditional: bool,
        notes: &[String],
    ) -> Option<GrantStep> {
        let resource = self.t.scopes.get(scope as usize).and_then(|s| s.resource);
        let capability = resource.and_then(|r| capability_of(self.m, op, r));
        // A grant decided for one principal through a group starts from both: the principal's token,
        // and the membership steps that show it carries the group.
        let mut premises = vec![Fact::As(p)];
        premises.extend(best.via.last().map(|g| Fact::As(*g)));
        let (channel, conclusion) = match (op, capability) {
            (Op::AssignRoles, _) => {
                let conclusion = if unconditional {
                    GrantConclusion::Fact(Fact::Assign(scope))
                } else {
                    GrantConclusion::AssignIfEveryRole(scope)
                };
                (Channel::Arm, conclusion)
            }
            (_, Some((conclusion, endpoint))) => {
                premises.push(Fact::Reach(endpoint));
                (Channel::Data, GrantConclusion::Fact(conclusion))
            }
            (op, None) if op.is_capability() => return None,
            (op, None) => (Channel::Arm, GrantConclusion::Fact(Fact::Can(op.code(), scope))),
        };
        let mut names = vec![p];
        names.extend(best.via.iter().copied());
        let mut tags = Vec::new();
        if let ConditionStatus::NotEvaluated { needs, .. } = &best.condition {
            let needs = if needs.is_empty() {
                "attributes the model does not have".to_string()
            } else {
                needs.join(", ")
            };
            tags.push(format!("condition not evaluated (needs {needs}); assumed to hold"));
        }
        for note in notes.iter().filter(|n| n.contains("nested member")) {
            tags.push(note.clone());
        }
        if best.coverage == Coverage::AssumedManagementGroup {
            tags.push(
                "management-group tree not modelled: the assignment is assumed to cover this subscription".into(),
            );
        }
        let evidence = Evidence::Grant {
            principal: p,
            operation: self
                .t
                .op_names
                .get(name as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from("")),
            data: op.kind() == OpKind::Data,
            scope,
            assignment: best.assignment,
            via: best.via.as_slice().into(),
            block: best.block,
            pattern: Arc::clone(&best.pattern),
            condition: GrantCondition::new(best.condition.clone()),
        };
        Some(GrantStep {
            channel,
            premises,
            conclusion,
            evidence,
            names,
            tags,
        })
    }

    /// [`Rbac::check`]'s decision with the covering assignments known: the same decision, without
    /// scanning every assignment the principal holds. A grant below a data target can only come from
    /// `held`, the scopes of the candidates (sorted, each once).
    fn decide_among(
        &self,
        p: PrincipalId,
        op: Op,
        name: u32,
        scope: u32,
        covering: &Covering,
        held: &[&str],
    ) -> Decision {
        let (Some(s), Some(cuts)) = (self.t.scopes.get(scope as usize), self.t.scope_cuts.get(scope as usize)) else {
            return Decision::default();
        };
        let request = Request {
            principal: p,
            operation: self.op_name(name),
            kind: op.kind(),
            target: &s.key,
            attributes: RequestAttributes::default(),
        };
        if op.kind() != OpKind::Data {
            let target = scope::Target::prepared(&s.key, cuts);
            let candidates = covering.get(&scope).map_or(&[][..], Vec::as_slice);
            return self.rbac.check_among_at(&request, &target, candidates);
        }
        // A grant at a scope below (a blob container) counts too; every assignment scope is a scope of
        // the graph, so its candidates are known.
        let candidates = |key: &str| {
            let found = self.t.scope_index.get(key).and_then(|i| covering.get(i));
            std::borrow::Cow::Borrowed(found.map_or(&[][..], Vec::as_slice))
        };
        self.rbac.check_within_held(&request, held, candidates)
    }
}

/// Adds assignment `a` (reached through membership `membership`) as a candidate where `found` says.
fn add_candidate(out: &mut Covering, a: AssignmentId, membership: usize, found: &AssignmentReach) {
    for &s in &found.covered {
        out.entry(s).or_default().push((a, membership));
    }
    for &s in &found.above {
        out.entry(s).or_default();
    }
}
