//! Graph entities in words: facts, places, endpoints and steps, for reports and explanations.

use super::ops::Op;
use super::{AccessGraph, Endpoint, Evidence, Fact, Place, RuleIdx};
use crate::model::{Model, ResourceId};

/// Where a packet leaves from when the network is not decided and any place of the actor will do.
pub const ANY_PLACE: &str = "any of its places";

/// A fact in words.
pub fn fact_text(g: &AccessGraph, f: &Fact) -> String {
    let m = &g.model;
    let r = |id| m.resource_display(id);
    let scope = |s: u32| {
        g.scope(s)
            .map_or("?".to_string(), |x| x.resource.map_or(x.display.clone(), r))
    };
    match *f {
        Fact::As(p) if m.principal(p).kind == crate::model::PrincipalKind::Group => {
            format!("member of {}", m.principal(p).name)
        }
        Fact::As(p) => format!("act-as {}", m.principal(p).name),
        Fact::Holds(c) => format!(
            "holds credential {}",
            m.credentials.get(c.index()).map_or("?", |c| c.name.as_str())
        ),
        Fact::At(p) => format!("at {}", place_text(m, p)),
        Fact::Online => format!("sends packets from {ANY_PLACE}"),
        Fact::Host => "runs code on a resource it may change".to_string(),
        Fact::Reach(e) => format!("reach {}", endpoint_text(m, e)),
        Fact::Can(op, s) if op == Op::Write.code() => format!("control of {}", scope(s)),
        Fact::Can(op, s) => format!(
            "may {} on {}",
            Op::from_code(op).map_or("?".to_string(), |o| o
                .name(g.scope(s).and_then(|x| x.resource).map(|x| m.resource(x)))),
            scope(s)
        ),
        Fact::Assign(s) => format!("assign on {}", scope(s)),
        Fact::AssignSome(s, _) => format!("assign some roles on {}", scope(s)),
        Fact::Key(s) => format!("holds the account key of {}", r(s)),
        Fact::SharedKeyOn(s) => format!("Shared Key of {} turned on", r(s)),
        Fact::DatastoreSecret(d) => format!("holds the secret of datastore {}", r(d)),
        Fact::AcrAdmin(x) => format!("holds the admin credentials of {}", r(x)),
        Fact::VaultPolicy(v) => format!("has an access policy on {}", r(v)),
        Fact::EndpointSecret(e) => format!("holds a key or token of {}", r(e)),
        Fact::Created(x) => format!("created {}", r(x)),
        Fact::Exec(x) => format!("exec on {}", r(x)),
        Fact::NsgOpen(n) => format!(
            "opened NSG {}",
            m.network.nsgs.get(n.index()).map_or("?", |x| x.name.as_str())
        ),
        Fact::EgressOpen(w) => format!("opened the managed network of {} to the internet", r(w)),
        Fact::DataRead(s) => format!("data-read of {}", r(s)),
        Fact::DataWrite(s) => format!("data-write of {}", r(s)),
        Fact::Secrets(v) => format!("secrets of {}", r(v)),
        Fact::Invoke(e) => format!("invoke {}", r(e)),
        Fact::Push(x) => format!("push to {}", r(x)),
        Fact::Use(w) => format!("use {}", r(w)),
        Fact::Unmodelled(x) => format!("change {} (unmodelled)", r(x)),
    }
}

pub fn place_text(m: &Model, p: Place) -> String {
    match p {
        Place::Location(l) => format!("location {}", m.location(l).name),
        Place::Resource(r) => m.resource_display(r),
    }
}

pub fn endpoint_text(m: &Model, e: Endpoint) -> String {
    format!("the {} of {}", e.service(), m.resource_display(e.resource()))
}

/// A step in one line, for explanations.
pub fn summary(g: &AccessGraph, r: RuleIdx) -> String {
    step_text(g, r)
}

/// A step in words.
pub fn step_text(g: &AccessGraph, r: RuleIdx) -> String {
    step_text_on(g, r, None)
}

/// A step in words, naming the resource of the P20 host instance the step relies on, when known (see
/// [`Evidence::Attach`]).
pub fn step_text_on(g: &AccessGraph, r: RuleIdx, host: Option<ResourceId>) -> String {
    let m = &g.model;
    let Some(rule) = g.rule(r) else { return String::new() };
    let scope = |s: u32| {
        g.scope(s).map_or("?".to_string(), |x| {
            x.resource.map_or(x.display.clone(), |id| m.resource_display(id))
        })
    };
    match &rule.evidence {
        Evidence::Membership { member, group } => {
            format!(
                "`{}` is a member of `{}`",
                m.principal(*member).name,
                m.principal(*group).name
            )
        }
        Evidence::Grant {
            principal,
            operation,
            data,
            scope: s,
            ..
        } => {
            let conclusion = g.fact(rule.conclusion).map(|f| fact_text(g, f)).unwrap_or_default();
            // A grant held by a group is used by its members.
            let who = match m.principal(*principal).kind {
                crate::model::PrincipalKind::Group => format!("a member of `{}`", m.principal(*principal).name),
                _ => format!("`{}`", m.principal(*principal).name),
            };
            if *data
                || matches!(
                    g.fact(rule.conclusion),
                    Some(Fact::Push(_) | Fact::Invoke(_) | Fact::Secrets(_) | Fact::DataRead(_) | Fact::DataWrite(_))
                )
            {
                format!("as {who}, gets {conclusion} (`{operation}`)")
            } else {
                format!("{who} may perform `{operation}` on `{}`", scope(*s))
            }
        }
        Evidence::Assigned {
            at,
            role,
            operation,
            scope: s,
        } => format!(
            "assigns itself `{role}` at `{}`, and so may perform `{operation}` on `{}`",
            scope(*at),
            scope(*s)
        ),
        Evidence::Fact { text, .. } => text.clone(),
        Evidence::Online { place } => format!("sends packets from {}", place_text(m, *place)),
        Evidence::Host { resource } => format!("runs code on `{}`, which it may change", m.resource_display(*resource)),
        Evidence::Attach { identity, .. } => format!(
            "attaches `{}` to {}, where it runs code",
            m.principal(*identity).name,
            host.map_or_else(
                || "a resource it may change".to_string(),
                |h| format!("`{}`", m.resource_display(h))
            )
        ),
        Evidence::Network {
            place,
            endpoint,
            decision,
            ..
        } => {
            format!(
                "from {} to {}: {decision}",
                place.map_or_else(|| ANY_PLACE.to_string(), |p| place_text(m, p)),
                endpoint_text(m, *endpoint)
            )
        }
    }
}
