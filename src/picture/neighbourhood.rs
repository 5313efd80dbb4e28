//! The paths a `graph` picture shows: around a principal, everything it reaches; around a resource,
//! everyone who reaches a capability on it; with no focus, every actor's reach. Each as the shortest
//! witness per (actor, capability), up to a depth.

use crate::answer::{self, Actor, Options, Witness};
use crate::graph::AccessGraph;
use crate::model::{PrincipalId, ResourceId};
use crate::query::resolve::{Actors, ResolvedForm, ResolvedQuery};

/// What a picture is centred on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// Everyone.
    All,
    /// A principal: what it reaches.
    Principal(PrincipalId),
    /// A resource: who reaches it.
    Resource(ResourceId),
}

/// The witnesses to draw, and what stayed undecided (so the picture's title can say it may be
/// incomplete).
#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// Shortest witnesses, at most `depth` deep.
    pub witnesses: Vec<Witness>,
    /// Witnesses left out for being deeper than asked.
    pub deeper: usize,
    /// Why the picture may miss paths.
    pub unknown: Vec<String>,
}

/// The witnesses around a focus, at most `depth` deep.
pub fn paths(g: &AccessGraph, focus: Focus, depth: u32) -> Paths {
    let mut out = Paths::default();
    let mut answers = Vec::new();
    match focus {
        Focus::Principal(p) => {
            let q = ResolvedQuery::unconstrained(String::new(), ResolvedForm::WhatCan(Actors::Principal(p)));
            answers.push(answer::run(g, &q, &Options::default()));
        }
        Focus::All | Focus::Resource(_) => {
            let actors = answer::every_actor(g);
            for actor in actors {
                let who = match actor {
                    Actor::Principal(p) => Actors::Principal(p),
                    Actor::Anyone(l) => Actors::AnyoneFrom(l),
                };
                let q = ResolvedQuery::unconstrained(String::new(), ResolvedForm::WhatCan(who));
                answers.push(answer::run(g, &q, &Options::default()));
            }
        }
    }
    for a in answers {
        out.unknown.extend(a.unknown);
        for l in a.listed {
            if let Focus::Resource(r) = focus {
                let about = g.fact(l.witness.goal).and_then(|f| super::fact_resource(g, f));
                if about != Some(r) {
                    continue;
                }
            }
            if l.witness.depth <= depth {
                out.witnesses.push(l.witness);
            } else {
                out.deeper += 1;
            }
        }
    }
    out.unknown.sort();
    out.unknown.dedup();
    out
}
