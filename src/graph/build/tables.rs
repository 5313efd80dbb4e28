//! The scopes of the graph (every resource, subscription, the root and every assignment scope) and what
//! is asked about at each, worked out once before any rule is built and only read afterwards.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashMap;

use super::super::TargetScope;
use super::super::ops::Op;
use crate::model::{Model, ResourceId};
use crate::rbac::scope;

/// The scope tables of one graph.
#[derive(Clone, Default)]
pub(super) struct ScopeTables {
    pub(super) scopes: Vec<TargetScope>,
    /// Scope indices by lower-cased key.
    pub(super) scope_index: FxHashMap<String, u32>,
    /// Scope indices by an id prefix they lie at or below.
    pub(super) below: FxHashMap<String, Vec<u32>>,
    /// Scope indices of scopes inside a subscription (what a management-group assignment is assumed to
    /// cover).
    pub(super) in_subscriptions: Vec<u32>,
    /// For each scope, where a covering scope's id may end (`scope::cuts`), worked out once.
    pub(super) scope_cuts: Vec<Vec<usize>>,
    /// For each scope, the operations RBAC is asked about there, with their names (ids into
    /// `op_names`), worked out once.
    pub(super) scope_ops: Vec<Vec<(Op, u32)>>,
    /// Operation names, each once.
    pub(super) op_names: Vec<Arc<str>>,
    /// For each role assignment (model order), the index of its scope.
    pub(super) assignment_scopes: Vec<u32>,
    /// Where an assignment made at each scope is a candidate, worked out on first use (many
    /// assignments share a scope), shared by the threads that decide grants.
    pub(super) reach_at: Vec<OnceLock<AssignmentReach>>,
}

/// Where a role assignment is a candidate of RBAC questions: the scopes it covers, and the resources
/// with data requests above its scope when it is made below one (a blob container, a vault's
/// secret), which "some data of" the resource asks about although the assignment does not cover the
/// resource itself.
#[derive(Clone, Debug, Default)]
pub(super) struct AssignmentReach {
    pub(super) covered: Vec<u32>,
    pub(super) above: Vec<u32>,
}

impl ScopeTables {
    /// Every resource, every subscription that holds one, the root, and the scopes of assignments.
    pub(super) fn new(m: &Model) -> Self {
        let mut t = ScopeTables::default();
        t.add_scope("/", "/", None);
        let mut subs = BTreeSet::new();
        for r in m.resource_ids() {
            subs.insert(m.resource(r).subscription.clone());
        }
        subs.insert(m.subscription.clone());
        for s in subs {
            let key = format!("/subscriptions/{s}");
            t.add_scope(&key, &key, None);
        }
        for r in m.resource_ids() {
            let res = m.resource(r);
            t.add_scope(&res.key, &res.id, Some(r));
        }
        for a in &m.assignments {
            let scope = t.add_scope(&a.scope.key, &a.scope.display, None);
            t.assignment_scopes.push(scope);
        }
        // Which scopes lie at or below each id prefix, so the scopes an assignment covers are one
        // look-up rather than a comparison with every scope.
        for (i, s) in t.scopes.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let cuts = scope::cuts(&s.key);
            for prefix in scope::Target::prepared(&s.key, &cuts).prefixes() {
                t.below.entry(prefix.to_string()).or_default().push(i);
            }
            if s.key.starts_with("/subscriptions/") {
                t.in_subscriptions.push(i);
            }
            t.scope_cuts.push(cuts);
        }
        // The operations asked about at each scope, and their names, once: every holder covering a
        // scope asks about the same ones.
        let mut name_ids: FxHashMap<String, u32> = FxHashMap::default();
        for s in &t.scopes {
            let mut ops = vec![Op::AssignRoles];
            if let Some(r) = s.resource {
                ops.push(Op::Write);
                ops.extend_from_slice(Op::for_kind(m.resource(r).kind));
            }
            let named = ops
                .into_iter()
                .map(|op| {
                    let name = op.name(s.resource.map(|r| m.resource(r)));
                    let next = u32::try_from(t.op_names.len()).unwrap_or(u32::MAX);
                    let id = *name_ids.entry(name.clone()).or_insert(next);
                    if id == next {
                        t.op_names.push(name.into());
                    }
                    (op, id)
                })
                .collect();
            t.scope_ops.push(named);
        }
        t.reach_at = t.scopes.iter().map(|_| OnceLock::new()).collect();
        t
    }

    fn add_scope(&mut self, key: &str, display: &str, resource: Option<ResourceId>) -> u32 {
        if let Some(i) = self.scope_index.get(key) {
            return *i;
        }
        let i = u32::try_from(self.scopes.len()).unwrap_or(u32::MAX);
        self.scopes.push(TargetScope {
            key: key.to_string(),
            display: display.to_string(),
            resource,
        });
        self.scope_index.insert(key.to_string(), i);
        i
    }

    /// The operations asked about at a scope, with their name ids.
    pub(super) fn ops_at(&self, scope: u32) -> &[(Op, u32)] {
        self.scope_ops.get(scope as usize).map_or(&[], Vec::as_slice)
    }

    /// An operation name by id.
    pub(super) fn op_name(&self, name: u32) -> &str {
        self.op_names.get(name as usize).map_or("", |n| n.as_ref())
    }

    /// The scopes a role or deny assignment at `key` covers, in order: those at or below it, and for a
    /// management group every scope in a subscription (the tree is not modelled).
    pub(super) fn covered_by(&self, key: &str) -> Vec<u32> {
        let ancestor = key.trim_end_matches('/');
        let mut covered: Vec<u32> = if ancestor.is_empty() {
            (0..u32::try_from(self.scopes.len()).unwrap_or(u32::MAX)).collect()
        } else {
            self.below.get(ancestor).cloned().unwrap_or_default()
        };
        if key.starts_with(scope::MANAGEMENT_GROUP_PREFIX) {
            covered.extend(self.in_subscriptions.iter().copied());
            covered.sort_unstable();
            covered.dedup();
        }
        covered
    }
}
