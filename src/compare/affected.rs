//! Which actors a change between two models may affect, so that a comparison searches only those.
//!
//! The facts of the two graphs are matched by what they say (the same principal, credential, location,
//! resource and NSG by name, `super::entities`; the same operation and scope), and rule instances by
//! their premises and conclusion; a fact about an entity of one model alone matches nothing. An actor's
//! closure is the fixed point of the instances that fire from its starting facts. When an actor starts
//! from the same facts in both graphs and fires no instance that only one of them has, its closures in
//! the two are the same: by induction on a derivation, each instance it fires in one graph is matched
//! by one in the other. An actor fires an instance only if it holds every premise, so in particular one
//! chosen premise; and it holds a fact only if it starts from a fact of that fact's backward cone (see
//! [`backward_cone`]). So the actors that may differ are those whose starting facts differ, or that
//! start from a fact of the backward cone of an unmatched instance's chosen premise, in the graph that
//! has the instance.

use std::cmp::Ordering;

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

use super::entities::EntityMap;
use crate::answer::{self, Actor};
use crate::graph::{AccessGraph, FactId, RuleIdx, watching_premise};

/// The labels of the actors whose closures may differ between `old` and `new` (an actor of one model
/// alone among them), or `None` when the two cannot be matched (a scope is written differently in
/// them, or an unmatched instance has no premise and so fires for everyone): every actor must then
/// be compared.
pub fn actors_affected(
    old: &AccessGraph,
    old_actors: &BTreeMap<String, Actor>,
    new: &AccessGraph,
    new_actors: &BTreeMap<String, Actor>,
) -> Option<BTreeSet<String>> {
    let old_to_new = match_facts(old, new)?;
    let (old_seeds, new_seeds) = unmatched_premises(old, new, &old_to_new)?;
    let old_cone = backward_cone(old, &old_seeds)?;
    let new_cone = backward_cone(new, &new_seeds)?;
    let starts = |g: &AccessGraph, actors: &BTreeMap<String, Actor>| -> BTreeMap<String, Vec<FactId>> {
        let every: Vec<Actor> = actors.values().copied().collect();
        actors.keys().cloned().zip(answer::starting_facts(g, &every)).collect()
    };
    let (old_starts, new_starts) = (starts(old, old_actors), starts(new, new_actors));
    let mut affected = BTreeSet::new();
    for label in old_starts.keys().chain(new_starts.keys()) {
        let (Some(before), Some(after)) = (old_starts.get(label), new_starts.get(label)) else {
            affected.insert(label.clone());
            continue;
        };
        let mut mapped: Vec<Option<FactId>> = before.iter().map(|f| old_to_new.of(*f)).collect();
        mapped.sort();
        let same_start = mapped.len() == after.len() && mapped.iter().zip(after).all(|(m, a)| *m == Some(*a));
        if !same_start || before.iter().any(|f| old_cone.has(*f)) || after.iter().any(|f| new_cone.has(*f)) {
            affected.insert(label.clone());
        }
    }
    Some(affected)
}

/// For each fact of one graph, the fact of another that says the same, if there is one.
struct FactMap(Vec<Option<FactId>>);

impl FactMap {
    fn of(&self, f: FactId) -> Option<FactId> {
        self.0.get(f.0 as usize).copied().flatten()
    }

    /// The map the other way, for a graph of `len` facts.
    fn inverse(&self, len: usize) -> FactMap {
        let mut inverse = vec![None; len];
        for (i, to) in self.0.iter().enumerate() {
            if let Some(slot) = to.and_then(|to| inverse.get_mut(to.0 as usize)) {
                *slot = Some(FactId::from_index(i));
            }
        }
        FactMap(inverse)
    }
}

/// A set of facts of one graph.
pub(crate) struct FactSet(Vec<bool>);

impl FactSet {
    pub(crate) fn has(&self, f: FactId) -> bool {
        self.0.get(f.0 as usize).copied().unwrap_or(false)
    }

    /// Adds `f`; false when it was there already.
    fn insert(&mut self, f: FactId) -> bool {
        match self.0.get_mut(f.0 as usize) {
            Some(slot) if !*slot => {
                *slot = true;
                true
            }
            _ => false,
        }
    }
}

/// Maps the facts of `old` to those of `new` that say the same (about the same entities, by name:
/// [`EntityMap`]); `None` when a scope shared by both graphs is written differently in them.
fn match_facts(old: &AccessGraph, new: &AccessGraph) -> Option<FactMap> {
    // Scopes are numbered per graph. A scope's text may come from the assignments that name it, so it
    // must read the same in both.
    if old.scopes.iter().any(|t| {
        new.scope_id(&t.key)
            .and_then(|n| new.scopes.get(n as usize))
            .is_some_and(|n| n.display != t.display)
    }) {
        return None;
    }
    let entities = EntityMap::new(&old.model, &new.model);
    let scope = |s: u32| old.scopes.get(s as usize).and_then(|t| new.scope_id(&t.key));
    Some(FactMap(
        old.facts
            .par_iter()
            .map(|f| entities.fact(*f, scope).and_then(|f| new.fact_id(&f)))
            .collect(),
    ))
}

/// An instance's premises in the ids of the new graph (an old premise with no counterpart as
/// `None`), sorted and without repeats: what two instances with the same conclusion are matched by.
type Key = Vec<Option<FactId>>;

/// The producers of fact `f` of `g`, each with its key, sorted by key.
fn keyed_producers(g: &AccessGraph, f: FactId, to_new: impl Fn(FactId) -> Option<FactId>) -> Vec<(Key, RuleIdx)> {
    let mut keyed: Vec<(Key, RuleIdx)> = g
        .producers
        .get(f.0 as usize)
        .into_iter()
        .flatten()
        .map(|r| {
            let mut key: Key = premises(g, *r).iter().map(|p| to_new(*p)).collect();
            key.sort();
            key.dedup();
            (key, *r)
        })
        .collect();
    keyed.sort();
    keyed
}

/// The instances of two key-sorted producer lists whose key the other list lacks: (after's, before's).
fn unmatched(after: &[(Key, RuleIdx)], before: &[(Key, RuleIdx)]) -> (Vec<RuleIdx>, Vec<RuleIdx>) {
    let (mut a, mut b) = (after.iter().peekable(), before.iter().peekable());
    let (mut only_after, mut only_before) = (Vec::new(), Vec::new());
    loop {
        let order = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.0.cmp(&y.0),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => break,
        };
        match order {
            Ordering::Less => only_after.extend(a.next().map(|x| x.1)),
            Ordering::Greater => only_before.extend(b.next().map(|y| y.1)),
            Ordering::Equal => {
                // Every copy of this key, on both sides, is matched.
                let key = a.peek().map(|x| x.0.clone());
                while a.next_if(|x| Some(&x.0) == key.as_ref()).is_some() {}
                while b.next_if(|y| Some(&y.0) == key.as_ref()).is_some() {}
            }
        }
    }
    (only_after, only_before)
}

/// The chosen premises ([`chosen_premise`]) of the instances only one graph has, in that graph's ids:
/// (old's, new's). Instances are matched by conclusion and premises (the rule and evidence do not
/// change a closure). `None` when such an instance has no premise.
fn unmatched_premises(
    old: &AccessGraph,
    new: &AccessGraph,
    old_to_new: &FactMap,
) -> Option<(Vec<FactId>, Vec<FactId>)> {
    let new_to_old = old_to_new.inverse(new.facts.len());
    let mut only_old: Vec<RuleIdx> = Vec::new();
    let mut only_new: Vec<RuleIdx> = Vec::new();
    // The producers of an old fact with no counterpart.
    for (i, _) in old_to_new.0.iter().enumerate().filter(|(_, to)| to.is_none()) {
        only_old.extend(old.producers.get(i).into_iter().flatten());
    }
    // Fact by fact, on every thread (the cones built from these are sets, so order does not matter).
    let per_fact: Vec<(Vec<RuleIdx>, Vec<RuleIdx>)> = (0..new.facts.len())
        .into_par_iter()
        .map(|i| {
            let f = FactId::from_index(i);
            let after = keyed_producers(new, f, Some);
            let before = match new_to_old.of(f) {
                Some(o) => keyed_producers(old, o, |p| old_to_new.of(p)),
                None => Vec::new(),
            };
            unmatched(&after, &before)
        })
        .collect();
    for (a, b) in per_fact {
        only_new.extend(a);
        only_old.extend(b);
    }
    let chosen = |g: &AccessGraph, rules: &[RuleIdx]| -> Option<Vec<FactId>> {
        rules.iter().map(|r| chosen_premise(g, *r)).collect()
    };
    Some((chosen(old, &only_old)?, chosen(new, &only_new)?))
}

/// The facts from one of which an actor must start to come to hold one of `seeds`: the seeds, and
/// the chosen premise ([`chosen_premise`]) of every instance that concludes a fact of the cone (an
/// actor that holds a fact either started from it or fired one of its producers, and so holds that
/// producer's chosen premise). `None` when an instance without premises concludes a fact of the
/// cone: every actor may hold it.
fn backward_cone(g: &AccessGraph, seeds: &[FactId]) -> Option<FactSet> {
    let mut cone = FactSet(vec![false; g.facts.len()]);
    let mut stack: Vec<FactId> = seeds.iter().copied().filter(|f| cone.insert(*f)).collect();
    while let Some(f) = stack.pop() {
        for r in g.producers.get(f.0 as usize).into_iter().flatten() {
            let p = chosen_premise(g, *r)?;
            if cone.insert(p) {
                stack.push(p);
            }
        }
    }
    Some(cone)
}

/// The facts of `g` from one of which an actor must start to come to hold `goal` ([`backward_cone`]).
pub(crate) fn cone_of(g: &AccessGraph, goal: FactId) -> Option<FactSet> {
    backward_cone(g, &[goal])
}

/// The premises of instance `r` of `g`.
fn premises(g: &AccessGraph, r: RuleIdx) -> &[FactId] {
    g.rule(r).map_or(&[][..], |x| &x.premises[..])
}

/// The premise of instance `r` of `g` that an actor firing it must hold, chosen as the search
/// chooses the one that watches it (the least likely to be held from the start: not a place or an
/// endpoint, where another premise exists). Any one premise would be sound; this one keeps the cones
/// small. `None` for an instance without premises.
fn chosen_premise(g: &AccessGraph, r: RuleIdx) -> Option<FactId> {
    watching_premise(&g.facts, premises(g, r))
}
