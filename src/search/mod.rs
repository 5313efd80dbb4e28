//! The graph engine: forward chaining over the AND/OR graph from one actor's starting facts, to the
//! least fixed point, breadth-first so that every fact gets its least depth (semantics §10, "Steps and
//! shortest": least depth, then fewest steps, then rule id). Linear in the part of the graph touched.
//!
//! **Architecture invariant:** no network or RBAC question is asked here; everything was decided when
//! the graph was built. A fact not reached after the fixed point is not reachable under the filter.

use std::collections::VecDeque;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::channel::Channel;
use crate::graph::{AccessGraph, FactId, RuleId, RuleIdx};
use crate::model::PrincipalId;

/// Which rule instances a search may use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// No step may use these channels.
    pub avoiding: Vec<Channel>,
    /// No step may name these principals.
    pub excluding: Vec<PrincipalId>,
    /// Facts deeper than this are not derived.
    pub max_depth: Option<u32>,
}

impl Filter {
    /// True when the rule instance may be used.
    pub fn allows(&self, g: &AccessGraph, r: RuleIdx) -> bool {
        let Some(rule) = g.rule(r) else { return false };
        if rule.rule.is_step() && self.avoiding.contains(&rule.channel) {
            return false;
        }
        !rule.names.iter().any(|p| self.excluding.contains(p))
    }
}

/// Not reached.
pub const UNREACHED: u32 = u32::MAX;

/// What a search recorded about one fact it derived.
#[derive(Debug, Clone, Copy)]
struct Mark {
    depth: u32,
    steps: u32,
    via: Option<RuleIdx>,
}

/// The least fixed point for one actor: each derived fact's depth, step count and the rule instance
/// that derived it first (none for starting facts). Only the facts the search touched are stored, so
/// a search costs what it touches, not the size of the graph.
///
/// A member's closure may be a thin layer over the search its class shared ([`Closure::for_member`]):
/// its own marks first, then the shared ones.
#[derive(Debug, Clone, Default)]
pub struct Closure {
    marks: FxHashMap<FactId, Mark>,
    base: Option<Arc<Closure>>,
    /// How many facts were derived.
    pub facts_reached: usize,
    /// How many rule instances fired.
    pub rules_fired: usize,
    /// False when the search stopped once its goal was settled ([`Stop`]): facts deeper than the
    /// goal may be missing.
    pub complete: bool,
}

impl Closure {
    /// The closure of one member of a class of actors, from the search the class shared
    /// ([`closure_from`] with the class's seeds): the member's own identity `own` as its starting fact,
    /// and each seed derived from it by the member's membership instance, as the member's own search
    /// would have derived it.
    pub fn for_member(shared: Arc<Closure>, own: FactId, memberships: &[(FactId, RuleIdx)]) -> Closure {
        let mut marks = FxHashMap::default();
        marks.insert(
            own,
            Mark {
                depth: 0,
                steps: 0,
                via: None,
            },
        );
        let mut rules_fired = shared.rules_fired;
        for &(group, r) in memberships {
            // Only where the shared search took the fact as a seed; a fact it derived as soon and
            // as briefly some other way keeps that derivation.
            if shared
                .marks
                .get(&group)
                .is_some_and(|m| m.via.is_none() && m.depth == 1)
            {
                rules_fired += 1;
                marks.insert(
                    group,
                    Mark {
                        depth: 1,
                        steps: 1,
                        via: Some(r),
                    },
                );
            }
        }
        Closure {
            marks,
            // With the member's identity and its membership steps, as its own search counts them.
            facts_reached: shared.facts_reached + 1,
            rules_fired,
            complete: shared.complete,
            base: Some(shared),
        }
    }

    fn mark(&self, f: FactId) -> Option<&Mark> {
        self.marks
            .get(&f)
            .or_else(|| self.base.as_ref().and_then(|b| b.marks.get(&f)))
    }

    /// True when the fact was derived.
    pub fn holds(&self, f: FactId) -> bool {
        self.mark(f).is_some()
    }

    /// The depth of a fact.
    pub fn depth_of(&self, f: FactId) -> u32 {
        self.mark(f).map_or(UNREACHED, |m| m.depth)
    }

    /// The step count of a fact.
    pub fn steps_of(&self, f: FactId) -> u32 {
        self.mark(f).map_or(UNREACHED, |m| m.steps)
    }

    /// The rule instance that derived a fact (none for a starting fact or a fact not derived).
    pub fn via_of(&self, f: FactId) -> Option<RuleIdx> {
        self.mark(f).and_then(|m| m.via)
    }

    /// True when the fact is one of the starting facts.
    pub fn is_start(&self, f: FactId) -> bool {
        self.mark(f).is_some_and(|m| m.depth == 0 && m.via.is_none())
    }

    /// Every derived fact, in no particular order.
    pub fn derived(&self) -> impl Iterator<Item = FactId> + '_ {
        let shared = self
            .base
            .iter()
            .flat_map(|b| b.marks.keys())
            .filter(|f| !self.marks.contains_key(f));
        self.marks.keys().chain(shared).copied()
    }

    /// Fires `r` when the filter allows it and its premises hold: the depth and steps of its
    /// conclusion, within the filter's depth bound.
    fn fire(&mut self, g: &AccessGraph, filter: &Filter, r: RuleIdx) -> Option<(u32, u32)> {
        if !filter.allows(g, r) {
            return None;
        }
        let (depth, steps) = self.fires(g, r)?;
        if filter.max_depth.is_some_and(|m| depth > m) {
            return None;
        }
        self.rules_fired += 1;
        Some((depth, steps))
    }

    /// Records that `r` derives `f` at (`depth`, `steps`) when that is shorter than what is recorded
    /// (least depth, then fewest steps); true when it was.
    fn improve(&mut self, f: FactId, depth: u32, steps: u32, r: RuleIdx) -> bool {
        let better = self
            .marks
            .get(&f)
            .is_none_or(|old| depth < old.depth || (depth == old.depth && steps < old.steps));
        if better {
            self.marks.insert(
                f,
                Mark {
                    depth,
                    steps,
                    via: Some(r),
                },
            );
        }
        better
    }

    /// When every premise of a rule instance holds: the depth and steps its conclusion would get.
    pub fn fires(&self, g: &AccessGraph, r: RuleIdx) -> Option<(u32, u32)> {
        let rule = g.rule(r)?;
        let mut depth = 0;
        let mut steps: u32 = 0;
        for p in &rule.premises {
            let m = self.mark(*p)?;
            depth = depth.max(m.depth);
            steps = steps.saturating_add(m.steps);
        }
        let step = u32::from(rule.rule.is_step());
        Some((depth + step, steps.saturating_add(step)))
    }
}

/// The backward cone of a set of goal facts: every fact and rule instance that can take part in
/// deriving one of them (the goals, every producer of a fact of the cone, and all its premises).
///
/// Forward chaining restricted to the cone derives exactly the cone facts that an unrestricted search
/// derives, with the same depths and the same recorded derivations: a rule outside the cone concludes
/// no fact inside it, and no fact outside it is a premise of a rule inside it. Two actors whose
/// starting facts agree inside the cone therefore get the same answer about the goals; that is what
/// makes actor equivalence classes sound.
///
/// The cone also records how its facts are used, for actor classes by membership: which facts only
/// membership instances of the cone take as a premise (and are no goal), and those instances by
/// member.
#[derive(Debug, Clone)]
pub struct Cone {
    facts: Vec<bool>,
    rules: Vec<bool>,
    /// Facts a goal, or a premise of a cone instance other than a membership.
    used_beyond_membership: Vec<bool>,
    /// The cone's membership instances as (member, group, instance), by member.
    memberships: Vec<(FactId, FactId, RuleIdx)>,
    /// Number of facts in the cone.
    pub fact_count: usize,
    /// Number of rule instances in the cone.
    pub rule_count: usize,
}

impl Cone {
    /// The cone of `goals`.
    pub fn towards(g: &AccessGraph, goals: &[FactId]) -> Cone {
        let mut cone = Cone {
            facts: vec![false; g.fact_count()],
            rules: vec![false; g.rule_count()],
            used_beyond_membership: vec![false; g.fact_count()],
            memberships: Vec::new(),
            fact_count: 0,
            rule_count: 0,
        };
        let mut todo: Vec<FactId> = Vec::new();
        for &f in goals {
            cone.use_beyond_membership(f);
            if cone.add_fact(f) {
                todo.push(f);
            }
        }
        while let Some(f) = todo.pop() {
            for &r in g.producers.get(f.0 as usize).map_or(&[][..], Vec::as_slice) {
                let Some(slot) = cone.rules.get_mut(r.0 as usize) else {
                    continue;
                };
                if *slot {
                    continue;
                }
                *slot = true;
                cone.rule_count += 1;
                let Some(rule) = g.rule(r) else { continue };
                for &p in &rule.premises {
                    if rule.rule == RuleId::Membership {
                        cone.memberships.push((p, rule.conclusion, r));
                    } else {
                        cone.use_beyond_membership(p);
                    }
                    if cone.add_fact(p) {
                        todo.push(p);
                    }
                }
            }
        }
        cone.memberships.sort_unstable();
        cone
    }

    fn use_beyond_membership(&mut self, f: FactId) {
        if let Some(slot) = self.used_beyond_membership.get_mut(f.0 as usize) {
            *slot = true;
        }
    }

    /// True when `f` is in the cone, is no goal, and only membership instances take it as a premise
    /// there: an actor starting from it reaches the rest of the cone only through its groups.
    pub fn used_only_by_memberships(&self, f: FactId) -> bool {
        self.has_fact(f) && !self.used_beyond_membership.get(f.0 as usize).copied().unwrap_or(true)
    }

    /// The cone's membership instances whose member is `f`, as (group, instance), in instance order
    /// per group.
    pub fn memberships_of(&self, f: FactId) -> impl Iterator<Item = (FactId, RuleIdx)> + '_ {
        let from = self.memberships.partition_point(|(m, _, _)| *m < f);
        let to = self.memberships.partition_point(|(m, _, _)| *m <= f);
        self.memberships
            .get(from..to)
            .unwrap_or(&[])
            .iter()
            .map(|(_, group, r)| (*group, *r))
    }

    fn add_fact(&mut self, f: FactId) -> bool {
        match self.facts.get_mut(f.0 as usize) {
            Some(slot) if !*slot => {
                *slot = true;
                self.fact_count += 1;
                true
            }
            _ => false,
        }
    }

    /// True when the fact is in the cone.
    pub fn has_fact(&self, f: FactId) -> bool {
        self.facts.get(f.0 as usize).copied().unwrap_or(false)
    }

    /// True when the rule instance is in the cone.
    pub fn has_rule(&self, r: RuleIdx) -> bool {
        self.rules.get(r.0 as usize).copied().unwrap_or(false)
    }
}

/// Forward chaining from `start` over the rule instances the filter allows.
pub fn closure(g: &AccessGraph, start: &[FactId], filter: &Filter) -> Closure {
    closure_within(g, start, filter, None, None)
}

/// When a search may stop early: once one of `goals` is concluded by a rule instance whose channel is
/// not `skip` (so the goal's least depth `d` is known), every fact of depth `d` or less has its final
/// depth and derivation, and the facts beyond do not matter for the shortest way to the goal.
#[derive(Debug, Clone, Copy)]
pub struct Stop<'a> {
    /// The goal facts.
    pub goals: &'a [FactId],
    /// A channel whose rule instances do not count as reaching a goal (`directly` skips `azureml`).
    pub skip: Option<Channel>,
    /// A depth the goal is known to be reached at by another actor ([`UNREACHED`] if none): when only
    /// the shortest way of any actor matters (`can any user`), a search may stop there as if it had
    /// reached the goal itself, since a deeper way of its own cannot be the shortest.
    pub known: u32,
}

/// [`closure`], restricted to a backward cone when one is given: only the cone's rule instances fire,
/// so the work is proportional to the part of the graph that can matter for the cone's goals.
///
/// With `stop`, the search ends as soon as the least depth of the goal is settled (see [`Stop`]); the
/// closure is then not complete ([`Closure::complete`]), but exact up to that depth. Breadth-first
/// order makes this exact: facts leave the queue by non-decreasing depth, and a fact's depth and
/// derivation are final when it leaves.
pub fn closure_within(
    g: &AccessGraph,
    start: &[FactId],
    filter: &Filter,
    cone: Option<&Cone>,
    stop: Option<Stop<'_>>,
) -> Closure {
    closure_from(g, start, &[], filter, cone, stop)
}

/// [`closure_within`] for a class of actors that reach the cone only through their groups: the
/// search starts from the facts they share (`start`, depth 0) and from the groups their membership
/// steps lead to (`seeds`, depth 1 and one step, as a member's own search derives them). The seeds
/// carry no derivation here; [`Closure::for_member`] gives each member its own.
pub fn closure_from(
    g: &AccessGraph,
    start: &[FactId],
    seeds: &[FactId],
    filter: &Filter,
    cone: Option<&Cone>,
    stop: Option<Stop<'_>>,
) -> Closure {
    let mut c = Closure {
        complete: true,
        ..Closure::default()
    };
    let mut goal_depth = stop.map_or(UNREACHED, |s| s.known);
    // A goal concluded only by steps at depth `d` has premises of depth below `d`: the search may
    // stop before the facts of depth `d` leave the queue. A goal that a non-step instance concludes
    // (a place, a network endpoint) needs them.
    let settled_before = stop.is_some_and(|s| {
        s.goals.iter().all(|f| {
            g.producers
                .get(f.0 as usize)
                .is_none_or(|rs| rs.iter().all(|r| g.rule(*r).is_none_or(|x| x.rule.is_step())))
        })
    });
    let mut pending = Pending {
        g,
        filter,
        cone,
        waiting: FxHashMap::default(),
        pulled: FxHashSet::default(),
    };
    let mut done: FxHashSet<FactId> = FxHashSet::default();
    let mut queue: VecDeque<FactId> = VecDeque::new();
    let mut start: Vec<FactId> = start.to_vec();
    start.sort();
    start.dedup();
    for f in start {
        if stop.is_some_and(|s| s.goals.contains(&f)) {
            goal_depth = 0;
        }
        if (f.0 as usize) < g.fact_count() {
            c.marks.insert(
                f,
                Mark {
                    depth: 0,
                    steps: 0,
                    via: None,
                },
            );
            queue.push_back(f);
        }
    }
    // After every starting fact, so that the queue stays ordered by depth.
    let mut seeds: Vec<FactId> = seeds.to_vec();
    seeds.sort();
    seeds.dedup();
    if filter.max_depth.is_none_or(|m| m >= 1) {
        for f in seeds {
            if (f.0 as usize) >= g.fact_count() || c.marks.contains_key(&f) {
                continue;
            }
            if stop.is_some_and(|s| s.goals.contains(&f) && s.skip != Some(Channel::Membership)) {
                goal_depth = goal_depth.min(1);
            }
            c.marks.insert(
                f,
                Mark {
                    depth: 1,
                    steps: 1,
                    via: None,
                },
            );
            queue.push_back(f);
        }
    }
    // Rules without premises would fire for everyone; the builder makes none, but be exact anyway.
    while let Some(f) = queue.pop_front() {
        let depth = c.depth_of(f);
        if depth > goal_depth || (settled_before && depth == goal_depth && goal_depth > 0) {
            c.complete = false;
            break;
        }
        if !done.insert(f) {
            continue;
        }
        c.facts_reached += 1;
        // The rule instances whose last premise this is, in index order (so ties are broken as the
        // rule table orders them).
        let watched = g.watchers.get(f.0 as usize).map_or(&[][..], Vec::as_slice);
        let mut ready: Vec<RuleIdx> = pending.waiting.remove(&f).unwrap_or_default();
        for &r in watched {
            if cone.is_some_and(|k| !k.has_rule(r)) {
                continue;
            }
            // Every premise must have left the queue (its depth is final); wait on one that has not.
            if !pending.waits(&mut c, &done, &mut queue, r) {
                ready.push(r);
            }
        }
        ready.sort_unstable();
        for r in ready {
            let Some(rule) = g.rule(r) else { continue };
            if pending.waits(&mut c, &done, &mut queue, r) {
                continue;
            }
            let Some((depth, steps)) = c.fire(g, filter, r) else {
                continue;
            };
            if let Some(stop) = stop
                && stop.goals.contains(&rule.conclusion)
                && stop.skip.is_none_or(|skip| rule.channel != skip)
            {
                goal_depth = goal_depth.min(depth);
            }
            if done.contains(&rule.conclusion) {
                continue;
            }
            if c.improve(rule.conclusion, depth, steps, r) {
                if rule.rule.is_step() {
                    queue.push_back(rule.conclusion);
                } else {
                    queue.push_front(rule.conclusion);
                }
            }
        }
    }
    c
}

/// What a search keeps while it runs, for pulling network endpoints on demand.
///
/// A network instance whose endpoint no rule instance watches is watched by nothing either
/// (`AccessGraph::watchers`): an actor online would otherwise fire one instance per endpoint of the
/// estate before its first step. Such an endpoint is derived when a rule instance needs it instead:
/// its producers whose premises have left the queue fire then (their conclusion's depth depends only
/// on those premises, so it is the depth eager firing gives, and no deeper than the fact being
/// processed, so the queue stays ordered when it goes to the front), and the others wait on their
/// missing premise like any rule instance.
struct Pending<'a> {
    g: &'a AccessGraph,
    filter: &'a Filter,
    cone: Option<&'a Cone>,
    /// Rule instances waiting for a premise that has not left the queue yet, by that premise.
    waiting: FxHashMap<FactId, Vec<RuleIdx>>,
    /// Endpoints pulled so far.
    pulled: FxHashSet<FactId>,
}

impl Pending<'_> {
    /// True when `r` has a premise that has not left the queue (`done`): `r` then waits on the first
    /// such premise, after every endpoint it needs was pulled.
    fn waits(&mut self, c: &mut Closure, done: &FxHashSet<FactId>, queue: &mut VecDeque<FactId>, r: RuleIdx) -> bool {
        let Some(rule) = self.g.rule(r) else { return false };
        let mut first = None;
        for &p in &rule.premises {
            if !done.contains(&p) {
                self.pull(c, done, queue, p);
                first = first.or(Some(p));
            }
        }
        match first {
            Some(p) => {
                self.waiting.entry(p).or_default().push(r);
                true
            }
            None => false,
        }
    }

    /// Derives the endpoint `f` from its network instances, once per search, if it is derived on
    /// demand (`AccessGraph::on_demand`).
    fn pull(&mut self, c: &mut Closure, done: &FxHashSet<FactId>, queue: &mut VecDeque<FactId>, f: FactId) {
        let g = self.g;
        if !g.on_demand.get(f.0 as usize).copied().unwrap_or(false) || !self.pulled.insert(f) {
            return;
        }
        let mut derived = false;
        for &r in g.producers.get(f.0 as usize).map_or(&[][..], Vec::as_slice) {
            if self.cone.is_some_and(|k| !k.has_rule(r)) {
                continue;
            }
            let Some(rule) = g.rule(r) else { continue };
            if let Some(missing) = rule.premises.iter().find(|p| !done.contains(p)) {
                self.waiting.entry(*missing).or_default().push(r);
                continue;
            }
            if let Some((depth, steps)) = c.fire(g, self.filter, r) {
                derived |= c.improve(f, depth, steps, r);
            }
        }
        if derived {
            queue.push_front(f);
        }
    }
}

/// The rule instances of the derivation of `f` recorded in the closure, each once, premises before
/// the steps that use them.
pub fn derivation(g: &AccessGraph, c: &Closure, f: FactId) -> Vec<RuleIdx> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    collect(g, c, f, &mut out, &mut seen);
    out
}

fn collect(
    g: &AccessGraph,
    c: &Closure,
    f: FactId,
    out: &mut Vec<RuleIdx>,
    seen: &mut std::collections::HashSet<FactId>,
) {
    if !seen.insert(f) {
        return;
    }
    let Some(r) = c.via_of(f) else { return };
    let Some(rule) = g.rule(r) else { return };
    // Premises in a deterministic order: shallower first, then by id.
    let mut premises = rule.premises.clone();
    premises.sort_by_key(|p| (c.depth_of(*p), p.0));
    for p in premises {
        collect(g, c, p, out, seen);
    }
    out.push(r);
}
