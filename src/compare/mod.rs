//! Comparing two models (`whatif`, `diff`): for every actor, the capabilities gained and lost, each gain
//! with its witness in the new model, and for suites, the expectations whose outcome changes.

use std::collections::{BTreeMap, BTreeSet};

use crate::answer::expect::Outcome;
use crate::answer::{self, Actor, Listed, Options};
use crate::check::{self, Graphs, Item, Needs};
use crate::graph::{AccessGraph, Fact, FactId};
use crate::model::Model;
use crate::query::resolve::{Actors, ResolvedForm, ResolvedQuery};
use crate::query::suite::Expectation;
use crate::timing;

pub mod affected;
mod entities;

/// A capability an actor gained or lost.
#[derive(Debug, Clone)]
pub struct Change {
    /// The actor, as labelled in reports (`alice`, `ml-team (as group)`, `anyone from internet`).
    pub actor: String,
    /// The capability (`data-read of mlstore`).
    pub capability: String,
    /// For a gain: its witness in the new model.
    pub witness: Option<Listed>,
}

/// An expectation whose outcome changed.
#[derive(Debug, Clone)]
pub struct Flip {
    /// The expectation.
    pub expectation: Expectation,
    /// Before.
    pub before: String,
    /// After.
    pub after: String,
}

/// Which graph of each model the actors' reach is compared on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Network {
    /// The network decided (by Z3): what each actor reaches as packets really flow.
    #[default]
    Decided,
    /// The network ignored (every place reaches every endpoint): what the change gives through
    /// identities, roles, keys and credentials alone. A change of the network itself is not seen, so
    /// such a change makes the comparison incomplete.
    Ignored,
}

impl Network {
    /// The graph of a model that the comparison reads, when built.
    pub fn graph(self, graphs: &Graphs) -> Option<&AccessGraph> {
        match self {
            Network::Decided => graphs.network(),
            Network::Ignored => graphs.ignoring_network(),
        }
    }

    /// The graphs of each model the comparison needs built.
    pub fn needs(self) -> Needs {
        Needs {
            network: self == Network::Decided,
            open: self == Network::Ignored,
        }
    }
}

/// The difference between two models.
#[derive(Debug, Clone, Default)]
pub struct Difference {
    /// The graphs compared.
    pub network: Network,
    /// New access.
    pub gained: Vec<Change>,
    /// Lost access.
    pub lost: Vec<Change>,
    /// Suite expectations whose outcome changed.
    pub flips: Vec<Flip>,
    /// How many suite expectations were compared.
    pub compared: usize,
    /// Why the comparison may be incomplete (undecided network premises, unmodelled resources), from
    /// either model. With any of these, "no new access" is not proved.
    pub unknown: Vec<String>,
}

/// Every actor of a model, keyed by label (users, service principals, managed identities, groups, and
/// anyone at each location).
fn actors(g: &crate::graph::AccessGraph) -> BTreeMap<String, Actor> {
    answer::every_actor(g)
        .into_iter()
        .map(|a| (a.label(&g.model), a))
        .collect()
}

/// What each actor reaches (capabilities by text, by actor label), and why that may be incomplete.
type Reach = (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>);

/// What the actors of `g` labelled in `compared` (every one, when `None`) reach, without witnesses
/// (see [`answer::capabilities_reached`]).
fn reach(g: &AccessGraph, actors: &BTreeMap<String, Actor>, compared: Option<&BTreeSet<String>>) -> Reach {
    let (labels, every): (Vec<String>, Vec<Actor>) = actors
        .iter()
        .filter(|(label, _)| compared.is_none_or(|c| c.contains(*label)))
        .map(|(label, actor)| (label.clone(), *actor))
        .unzip();
    let mut unknown = BTreeSet::new();
    let mut all = BTreeMap::new();
    for (label, (caps, u)) in labels.into_iter().zip(answer::capabilities_reached(g, &every)) {
        all.insert(label, caps);
        unknown.extend(u);
    }
    // Every list of what an actor reaches rests on the network's decisions.
    unknown.extend(answer::undecided_network(g));
    (all, unknown)
}

/// Why the closures of the actors not compared (the same in both models) may be incomplete: the
/// unmodelled facts of `g` they reach, less those already `known`. For each such fact, only the actors
/// that start from its backward cone are searched, a few at a time, until one reaches it.
fn unknown_of_unaffected(
    g: &AccessGraph,
    actors: &BTreeMap<String, Actor>,
    affected: &BTreeSet<String>,
    known: &BTreeSet<String>,
) -> BTreeSet<String> {
    let unaffected: Vec<Actor> = actors
        .iter()
        .filter(|(label, _)| !affected.contains(*label))
        .map(|(_, a)| *a)
        .collect();
    let mut found = BTreeSet::new();
    let mut starts: Option<Vec<Vec<FactId>>> = None;
    // An actor searched for one unmodelled fact gave every reason it has; it is not searched again.
    let mut searched = vec![false; unaffected.len()];
    for (i, fact) in g.facts.iter().enumerate() {
        let Fact::Unmodelled(r) = fact else { continue };
        let reason = answer::unmodelled_reason(g, *r);
        if known.contains(&reason) || found.contains(&reason) {
            continue;
        }
        let cone = affected::cone_of(g, FactId::from_index(i));
        let starts = starts.get_or_insert_with(|| answer::starting_facts(g, &unaffected));
        let candidates: Vec<usize> = (0..unaffected.len())
            .filter(|i| !searched.get(*i).copied().unwrap_or(true))
            .filter(|i| {
                let start = starts.get(*i).map_or(&[][..], |s| &s[..]);
                cone.as_ref().is_none_or(|cone| start.iter().any(|f| cone.has(*f)))
            })
            .collect();
        for few in candidates.chunks(16) {
            let actors: Vec<Actor> = few.iter().filter_map(|i| unaffected.get(*i).copied()).collect();
            for (_, u) in answer::capabilities_reached(g, &actors) {
                found.extend(u);
            }
            for i in few {
                if let Some(s) = searched.get_mut(*i) {
                    *s = true;
                }
            }
            if found.contains(&reason) {
                break;
            }
        }
    }
    found
}

/// What `what can ACTOR reach` lists in `g`, with witnesses, by capability.
fn witnesses(g: &AccessGraph, label: &str, actor: Actor) -> BTreeMap<String, Listed> {
    let who = match actor {
        Actor::Principal(p) => Actors::Principal(p),
        Actor::Anyone(l) => Actors::AnyoneFrom(l),
    };
    let q = ResolvedQuery::unconstrained(format!("what can {label} reach"), ResolvedForm::WhatCan(who));
    answer::run(g, &q, &Options::default())
        .listed
        .into_iter()
        .map(|l| (l.capability.clone(), l))
        .collect()
}

/// Compares two models: capabilities gained and lost by every actor, and suite flips. Every witness of a
/// gain is replayed against the new model first; a witness that fails its replay is an internal error
/// (returned as text), never shown.
pub fn compare(
    old: &Model,
    old_graphs: &Graphs,
    new: &Model,
    new_graphs: &Graphs,
    suites: &[Expectation],
    network: Network,
) -> Result<Difference, String> {
    let (old_graph, new_graph) = (network.graph(old_graphs), network.graph(new_graphs));
    let unbuilt = format!("the graph the comparison needs ({network:?} network) was not built");
    let (old_graph, new_graph) = (old_graph.ok_or(&unbuilt)?, new_graph.ok_or(&unbuilt)?);
    let (old_actors, new_actors) = (actors(old_graph), actors(new_graph));
    // Only the actors the change may affect are searched; the others reach the same in both.
    let affected = timing::stage("compare: the actors the change may affect", || {
        affected::actors_affected(old_graph, &old_actors, new_graph, &new_actors)
    });
    let every = old_actors
        .keys()
        .chain(new_actors.keys())
        .collect::<BTreeSet<_>>()
        .len();
    match &affected {
        Some(a) => timing::note("compare", &format!("{} of {every} actors may be affected", a.len())),
        None => timing::note(
            "compare",
            &format!("the models cannot be matched; all {every} actors compared"),
        ),
    }
    let (before, mut unknown_before) = timing::stage("compare: what they reach before", || {
        reach(old_graph, &old_actors, affected.as_ref())
    });
    let (after, mut unknown_after) = timing::stage("compare: what they reach after", || {
        reach(new_graph, &new_actors, affected.as_ref())
    });
    if let Some(affected) = &affected {
        let known: BTreeSet<String> = unknown_before.intersection(&unknown_after).cloned().collect();
        let same = timing::stage("compare: the unmodelled resources the others reach", || {
            unknown_of_unaffected(new_graph, &new_actors, affected, &known)
        });
        unknown_before.extend(same.iter().cloned());
        unknown_after.extend(same);
    }
    let mut d = Difference {
        unknown: unknown_before
            .into_iter()
            .map(|u| format!("before: {u}"))
            .chain(unknown_after.into_iter().map(|u| format!("after: {u}")))
            .collect(),
        network,
        ..Difference::default()
    };
    if network == Network::Ignored && !old.same_network(new) {
        d.unknown.push(format!(
            "the change alters what the network is decided from (locations, resources or network facts), {}",
            "and the comparison ignores the network (--ignoring-network)"
        ));
    }
    let labels: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let replayer = crate::witness::Replayer::new(new_graphs.prepared());
    let empty = BTreeSet::new();
    for label in labels {
        let b = before.get(label).unwrap_or(&empty);
        let a = after.get(label).unwrap_or(&empty);
        let gained: Vec<&String> = a.difference(b).collect();
        // Witnesses only for what the actor gained, from its own `what can` in the new model.
        let listed = match (gained.is_empty(), new_actors.get(label)) {
            (false, Some(actor)) => witnesses(new_graph, label, *actor),
            _ => BTreeMap::new(),
        };
        for cap in gained {
            let listed = listed
                .get(cap)
                .ok_or_else(|| format!("`what can {label} reach` does not list `{cap}`, which its search reaches"))?;
            replayer
                .replay(new_graph, &listed.witness)
                .map_err(|p| format!("the witness of `{label}: {cap}` fails its replay: {p}"))?;
            d.gained.push(Change {
                actor: label.clone(),
                capability: cap.clone(),
                witness: Some(listed.clone()),
            });
        }
        for cap in b {
            if !a.contains(cap) {
                d.lost.push(Change {
                    actor: label.clone(),
                    capability: cap.clone(),
                    witness: None,
                });
            }
        }
    }
    d.compared = suites.len();
    if !suites.is_empty() {
        let old_items = check::run(old, old_graphs, suites, check::Engine::Graph, &Options::default(), None);
        let new_items = check::run(new, new_graphs, suites, check::Engine::Graph, &Options::default(), None);
        for (o, n) in old_items.iter().zip(new_items.iter()) {
            let (x, y) = (outcome(o), outcome(n));
            if x != y {
                d.flips.push(Flip {
                    expectation: n.expectation.clone(),
                    before: x,
                    after: y,
                });
            }
        }
    }
    Ok(d)
}

fn outcome(i: &Item) -> String {
    match i.outcome() {
        Some(Outcome::Holds) => "holds".into(),
        Some(Outcome::Fails) => "fails".into(),
        Some(Outcome::Unknown) => "unknown".into(),
        None => "error".into(),
    }
}
