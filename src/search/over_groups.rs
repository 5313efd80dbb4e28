//! An actor's `no` proved over its groups' searches, without a search of its own.
//!
//! A group's search inside the goal's cone that runs to its fixed point without concluding the goal
//! is complete there: every cone instance it looked at either fired or still waits on a premise the
//! group does not derive. An actor derives no more than the least fixed point over its own starting
//! facts and the union of its groups' closures (a member derives its groups' identities, and from
//! each no more than the group's own search did). That fixed point needs only the instances the
//! actor's new facts take part in and those its groups' searches left waiting
//! ([`GroupClosure::waiting`]): every other instance a fact of the union watches fired in a group's
//! search, and its conclusion is in the union already.
//!
//! When that fixed point concludes no goal by an instance whose channel counts, and holds none of
//! the facts that would make a `no` an `unknown`, the actor does not reach the goal. Otherwise nothing
//! is concluded and the actor gets its own search. No depth is computed: the proof is only of a `no`.

use std::collections::VecDeque;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{Closure, Cone, Filter, Stop, UNREACHED};
use crate::graph::{AccessGraph, FactId, RuleIdx};

/// A group's closure that did not conclude the goal, with the instances it left waiting.
#[derive(Debug, Clone)]
pub struct GroupClosure {
    /// The facts the closure holds, one bit per cone fact (by position): a few kilobytes per group
    /// where the closure itself holds a mark per fact.
    holds: Vec<u64>,
    /// The cone instances a fact of the closure watches, allowed by the filter, with a premise the
    /// closure does not hold: by the first such premise.
    waiting: FxHashMap<FactId, Vec<RuleIdx>>,
}

impl GroupClosure {
    /// The group's closure, when its search ran to its fixed point inside `cone` looking for a goal
    /// and concluded none.
    pub fn of(g: &AccessGraph, cone: &Cone, filter: &Filter, closure: &Closure) -> Option<GroupClosure> {
        if !closure.complete || !closure.sought_goal || closure.reached_at != UNREACHED {
            return None;
        }
        let mut kept = GroupClosure {
            holds: vec![0u64; cone.fact_count.div_ceil(64)],
            waiting: FxHashMap::default(),
        };
        let facts: Vec<FactId> = closure.derived().collect();
        for &f in &facts {
            kept.hold(cone, f);
        }
        // Premises looked up in the bits rather than in the closure's marks.
        for &f in &facts {
            for &r in cone.watchers_of(f).0 {
                let Some(rule) = g.rule(r) else { continue };
                if !filter.allows(g, r) {
                    continue;
                }
                if let Some(missing) = rule.premises.iter().find(|p| !kept.holds(cone, **p)) {
                    kept.waiting.entry(*missing).or_default().push(r);
                }
            }
        }
        kept.sort_waiting();
        Some(kept)
    }

    /// Records that the closure holds `f` (a group's own identity, where its class's search left it
    /// out).
    pub fn hold(&mut self, cone: &Cone, f: FactId) {
        if let Some(word) = cone
            .position(f)
            .and_then(|i| self.holds.get_mut(i / 64).map(|w| (w, i)))
        {
            *word.0 |= 1 << (word.1 % 64);
        }
    }

    fn sort_waiting(&mut self) {
        for rs in self.waiting.values_mut() {
            rs.sort_unstable();
            rs.dedup();
        }
    }

    /// Whether the closure holds `f`.
    pub fn holds(&self, cone: &Cone, f: FactId) -> bool {
        cone.position(f)
            .is_some_and(|i| self.holds.get(i / 64).is_some_and(|word| word >> (i % 64) & 1 == 1))
    }

    /// How many instances the group's search left waiting.
    pub fn waiting(&self) -> usize {
        self.waiting.values().map(Vec::len).sum()
    }
}

/// What proving a `no` cost: facts derived and rule instances fired beyond the groups' closures.
pub type Cost = (usize, usize);

/// Proves that an actor starting from `start`, whose membership steps lead to `groups` (and through
/// them to every group their closures hold), concludes no goal of `stop` by a channel that counts and
/// derives no fact of `also`. `None` when that is not proved: the goal or a fact of `also` is in the
/// fixed point, or the proof needs what it does not handle (a depth bound).
pub fn unreached_over(
    g: &AccessGraph,
    cone: &Cone,
    filter: &Filter,
    start: &[FactId],
    groups: &[&GroupClosure],
    stop: Stop<'_>,
    also: &[FactId],
) -> Option<Cost> {
    let fixed = fixed_point(g, cone, filter, start, groups, stop, also)?;
    Some((fixed.new.len(), fixed.rules_fired))
}

/// [`unreached_over`] for a group whose parents are `parents`: when it proves the group's `no`, also
/// the group's closure, which is exactly the fixed point (the group derives its parents' identities
/// from its own, and starts where they do, so it derives all they do).
pub fn group_over_parents(
    g: &AccessGraph,
    cone: &Cone,
    filter: &Filter,
    start: &[FactId],
    parents: &[&GroupClosure],
    stop: Stop<'_>,
    also: &[FactId],
) -> Option<(GroupClosure, Cost)> {
    let fixed = fixed_point(g, cone, filter, start, parents, stop, also)?;
    let mut kept = GroupClosure {
        holds: vec![0u64; cone.fact_count.div_ceil(64)],
        waiting: FxHashMap::default(),
    };
    for parent in parents {
        for (word, bits) in kept.holds.iter_mut().zip(&parent.holds) {
            *word |= bits;
        }
    }
    for &f in &fixed.new {
        kept.hold(cone, f);
    }
    // What is still waiting: the parents' instances with a premise the group lacks too, and those
    // the new facts watch.
    let watched = fixed
        .new
        .iter()
        .flat_map(|f| cone.watchers_of(*f).0.iter().copied())
        .filter(|r| filter.allows(g, *r));
    let candidates: Vec<RuleIdx> = parents
        .iter()
        .flat_map(|p| p.waiting.values().flatten().copied())
        .chain(watched)
        .collect();
    for r in candidates {
        let Some(rule) = g.rule(r) else { continue };
        if let Some(missing) = rule.premises.iter().find(|p| !kept.holds(cone, **p)) {
            kept.waiting.entry(*missing).or_default().push(r);
        }
    }
    kept.sort_waiting();
    let cost = (fixed.new.len(), fixed.rules_fired);
    Some((kept, cost))
}

/// The least fixed point over `start` and the union of `groups`' closures (see the module
/// documentation); `None` when it concludes a goal by a channel that counts, holds a fact of `also`,
/// or is asked under a depth bound.
fn fixed_point<'a>(
    g: &'a AccessGraph,
    cone: &'a Cone,
    filter: &'a Filter,
    start: &[FactId],
    groups: &'a [&'a GroupClosure],
    stop: Stop<'_>,
    also: &[FactId],
) -> Option<Fixed<'a>> {
    if filter.max_depth.is_some() || start.iter().any(|f| stop.goals.contains(f)) {
        return None;
    }
    let mut fixed = Fixed {
        g,
        cone,
        filter,
        pulled: FxHashSet::default(),
        groups,
        new: FxHashSet::default(),
        waiting: FxHashMap::default(),
        queue: VecDeque::new(),
        rules_fired: 0,
    };
    for &f in start {
        if cone.has_fact(f) {
            fixed.add(f);
        }
    }
    // The instances a group left waiting on a fact another group holds; those waiting on a fact
    // derived here are looked at when it is (an endpoint derived on demand, once pulled).
    let mut ready: Vec<RuleIdx> = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        for (missing, rs) in &group.waiting {
            let elsewhere = groups
                .iter()
                .enumerate()
                .any(|(j, other)| j != i && other.holds(cone, *missing));
            if elsewhere {
                ready.extend(rs);
            } else {
                // An endpoint derived on demand is derived once an instance needs it: here, the
                // group's, which the actor's own places may let it reach.
                fixed.pull(*missing, stop)?;
            }
        }
    }
    for r in ready {
        if !fixed.waits(r, stop)? {
            fixed.fire(r, stop)?;
        }
    }
    while let Some(f) = fixed.queue.pop_front() {
        let mut ready: Vec<RuleIdx> = fixed.waiting.remove(&f).unwrap_or_default();
        for group in groups {
            ready.extend(group.waiting.get(&f).into_iter().flatten());
        }
        ready.extend(cone.watchers_of(f).0.iter().copied().filter(|r| filter.allows(g, *r)));
        for r in ready {
            if !fixed.waits(r, stop)? {
                fixed.fire(r, stop)?;
            }
        }
    }
    if also.iter().any(|f| fixed.holds(*f)) {
        return None;
    }
    Some(fixed)
}

/// The fixed point under way: the facts derived beyond the groups' closures, and the instances
/// waiting on one of their premises.
struct Fixed<'a> {
    g: &'a AccessGraph,
    cone: &'a Cone,
    filter: &'a Filter,
    pulled: FxHashSet<FactId>,
    groups: &'a [&'a GroupClosure],
    new: FxHashSet<FactId>,
    waiting: FxHashMap<FactId, Vec<RuleIdx>>,
    queue: VecDeque<FactId>,
    rules_fired: usize,
}

impl Fixed<'_> {
    fn holds(&self, f: FactId) -> bool {
        self.new.contains(&f) || self.groups.iter().any(|x| x.holds(self.cone, f))
    }

    fn add(&mut self, f: FactId) {
        if !self.holds(f) && self.new.insert(f) {
            self.queue.push_back(f);
        }
    }

    /// Whether `r` waits on a premise not held yet (it is then queued on it), after every endpoint
    /// derived on demand among its premises was pulled.
    fn waits(&mut self, r: RuleIdx, stop: Stop<'_>) -> Option<bool> {
        let rule = self.g.rule(r)?;
        for &p in &rule.premises {
            if !self.holds(p) {
                self.pull(p, stop)?;
            }
        }
        let Some(missing) = rule.premises.iter().copied().find(|p| !self.holds(*p)) else {
            return Some(false);
        };
        self.waiting.entry(missing).or_default().push(r);
        Some(true)
    }

    /// Derives the endpoint `f` from its network instances, once, if it is derived on demand (as a
    /// search does, `AccessGraph::on_demand`): those whose premises hold fire, the others wait.
    fn pull(&mut self, f: FactId, stop: Stop<'_>) -> Option<()> {
        let g = self.g;
        if !g.on_demand.get(f.0 as usize).copied().unwrap_or(false) || !self.pulled.insert(f) {
            return Some(());
        }
        for &r in g.producers.get(f.0 as usize).map_or(&[][..], Vec::as_slice) {
            if !self.cone.has_rule(r) || !self.filter.allows(g, r) {
                continue;
            }
            let rule = g.rule(r)?;
            match rule.premises.iter().copied().find(|p| !self.holds(*p)) {
                Some(missing) => self.waiting.entry(missing).or_default().push(r),
                None => self.fire(r, stop)?,
            }
        }
        Some(())
    }

    /// Fires `r`, whose premises hold; `None` when it concludes a goal by a channel that counts.
    fn fire(&mut self, r: RuleIdx, stop: Stop<'_>) -> Option<()> {
        let rule = self.g.rule(r)?;
        if stop.goals.contains(&rule.conclusion) && stop.skip.is_none_or(|skip| rule.channel != skip) {
            return None;
        }
        self.rules_fired += 1;
        self.add(rule.conclusion);
        Some(())
    }
}
