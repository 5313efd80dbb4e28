//! Goals: the facts that satisfy a capability of the query language (`docs/queries.md`, WHAT; semantics
//! §10 "Capabilities").

use crate::graph::ops::Op;
use crate::graph::{AccessGraph, Fact, FactId};
use crate::model::{IdentityOf, PrincipalKind, ResourceKind};
use crate::query::ast::CapabilityKind;
use crate::query::resolve::{Object, Target};
use crate::rbac::scope::{self, Coverage};

/// A goal: reaching any of these facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    /// The facts, any of which satisfies the goal.
    pub facts: Vec<FactId>,
    /// The capability as text.
    pub text: String,
}

fn ids(g: &AccessGraph, facts: &[Fact]) -> Vec<FactId> {
    facts.iter().filter_map(|f| g.fact_id(f)).collect()
}

/// The goal of a query's target.
pub fn of(g: &AccessGraph, t: &Target) -> Goal {
    let text = format!("{} {}", t.kind.keyword(), t.written);
    let facts = match (&t.object, t.kind) {
        (Object::Resource(r), CapabilityKind::DataRead) => ids(g, &[Fact::DataRead(*r)]),
        (Object::Resource(r), CapabilityKind::DataWrite) => ids(g, &[Fact::DataWrite(*r)]),
        (Object::Resource(r), CapabilityKind::Data) => ids(g, &[Fact::DataRead(*r), Fact::DataWrite(*r)]),
        (Object::Resource(r), CapabilityKind::Secrets) => ids(g, &[Fact::Secrets(*r)]),
        (Object::Resource(r), CapabilityKind::Exec) => ids(g, &[Fact::Exec(*r)]),
        (Object::Resource(r), CapabilityKind::Invoke) => ids(g, &[Fact::Invoke(*r)]),
        (Object::Resource(r), CapabilityKind::Push) => ids(g, &[Fact::Push(*r)]),
        (Object::Resource(r), CapabilityKind::Use) => ids(g, &[Fact::Use(*r)]),
        (Object::Resource(r), CapabilityKind::Control) => {
            // `<type>/write` on R, or P01 at a scope covering R (P01 instances conclude the same fact).
            let key = &g.model.resource(*r).key;
            g.scope_id(key)
                .map(|s| ids(g, &[Fact::Can(Op::Write.code(), s)]))
                .unwrap_or_default()
        }
        (Object::Principal(p), CapabilityKind::ActAs) => ids(g, &[Fact::As(*p)]),
        (Object::Scope(s), CapabilityKind::Assign) => {
            // Assignments at any scope covering the asked one allow assigning there.
            g.scopes
                .iter()
                .enumerate()
                .filter(|(_, x)| scope::covers(&x.key, &s.key) != Coverage::No)
                .filter_map(|(i, _)| g.fact_id(&Fact::Assign(u32::try_from(i).unwrap_or(u32::MAX))))
                .collect()
        }
        _ => Vec::new(),
    };
    Goal { facts, text }
}

/// Every capability of the model's real (not prospective) resources and principals, for `what can`.
pub fn all_capabilities(g: &AccessGraph) -> Vec<Goal> {
    let m = &g.model;
    let mut out = Vec::new();
    let mut push = |facts: Vec<Fact>, text: String| {
        let facts = ids(g, &facts);
        if !facts.is_empty() {
            out.push(Goal { facts, text });
        }
    };
    for r in m.resource_ids() {
        let res = m.resource(r);
        if res.prospective {
            continue;
        }
        let name = m.resource_display(r);
        match res.kind {
            ResourceKind::StorageAccount => {
                push(vec![Fact::DataRead(r)], format!("data-read of {name}"));
                push(vec![Fact::DataWrite(r)], format!("data-write of {name}"));
            }
            ResourceKind::KeyVault => push(vec![Fact::Secrets(r)], format!("secrets of {name}")),
            ResourceKind::OnlineEndpoint => {
                push(vec![Fact::Invoke(r)], format!("invoke {name}"));
                push(vec![Fact::Exec(r)], format!("exec on {name}"));
            }
            ResourceKind::ComputeInstance | ResourceKind::ComputeCluster | ResourceKind::VirtualMachine => {
                push(vec![Fact::Exec(r)], format!("exec on {name}"))
            }
            ResourceKind::ContainerRegistry => push(vec![Fact::Push(r)], format!("push to {name}")),
            ResourceKind::Workspace => push(vec![Fact::Use(r)], format!("use {name}")),
            _ => {}
        }
        if let Some(s) = g.scope_id(&res.key) {
            push(vec![Fact::Can(Op::Write.code(), s)], format!("control of {name}"));
            push(vec![Fact::Assign(s)], format!("assign on {name}"));
        }
    }
    for (i, s) in g.scopes.iter().enumerate() {
        if s.resource.is_none() {
            push(
                vec![Fact::Assign(u32::try_from(i).unwrap_or(u32::MAX))],
                format!("assign on {}", s.display),
            );
        }
    }
    for p in m.principal_ids() {
        let principal = m.principal(p);
        let prospective =
            matches!(principal.identity_of, Some(IdentityOf::SystemAssigned(r)) if m.resource(r).prospective);
        if matches!(
            principal.kind,
            PrincipalKind::ManagedIdentity | PrincipalKind::ServicePrincipal
        ) && !prospective
        {
            push(vec![Fact::As(p)], format!("act-as {}", principal.name));
        }
    }
    out
}
