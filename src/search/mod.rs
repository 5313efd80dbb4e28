//! The graph engine: forward chaining over the AND/OR graph from one actor's starting facts, to the
//! least fixed point, breadth-first so that every fact gets its least depth (semantics §10, "Steps and
//! shortest": least depth, then fewest steps, then rule id). Linear in the part of the graph touched.
//!
//! **Architecture invariant:** no network or RBAC question is asked here; everything was decided when
//! the graph was built. A fact not reached after the fixed point is not reachable under the filter.

use std::collections::VecDeque;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use store::{ConeStore, HashStore, Store};

use crate::channel::Channel;
use crate::graph::{AccessGraph, FactId, RuleId, RuleIdx};
use crate::model::PrincipalId;

mod over_groups;
mod store;

pub use over_groups::{GroupClosure, group_over_parents, unreached_over};

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

impl Mark {
    /// A starting fact's.
    const START: Mark = Mark {
        depth: 0,
        steps: 0,
        via: None,
    };
}

/// The least fixed point for one actor: each derived fact's depth, step count and the rule instance
/// that derived it first (none for starting facts). Only the facts the search touched are stored, so
/// a search costs what it touches, not the size of the graph.
///
/// A member's closure may be a thin layer over the search its class shared ([`Closure::for_member`]):
/// its own marks first, then the shared ones.
#[derive(Debug, Clone)]
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
    /// The least depth at which the search concluded one of its [`Stop`] goals (by an instance whose
    /// channel counts), [`UNREACHED`] if it concluded none or had no goals.
    pub reached_at: u32,
    /// True when the search had goals to stop at: it then concluded a goal exactly when
    /// `reached_at` is not [`UNREACHED`].
    pub sought_goal: bool,
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
            reached_at: shared.reached_at,
            sought_goal: shared.sought_goal,
            base: Some(shared),
        }
    }

    /// The closure of an actor proved not to reach its goal, nor any fact that would make its `no`
    /// an `unknown`, without a search of its own ([`unreached_over`]). It holds no fact: it answers
    /// only that the goal was sought and not concluded.
    pub fn proved_unreached(facts_reached: usize, rules_fired: usize) -> Closure {
        Closure {
            marks: FxHashMap::default(),
            base: None,
            facts_reached,
            rules_fired,
            complete: true,
            reached_at: UNREACHED,
            sought_goal: true,
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

    /// When every premise of a rule instance holds: the depth and steps its conclusion would get.
    pub fn fires(&self, g: &AccessGraph, r: RuleIdx) -> Option<(u32, u32)> {
        conclusion_of(g, r, |p| self.mark(p).copied())
    }
}

/// When every premise of `r` has a mark: the depth and steps its conclusion would get.
fn conclusion_of(g: &AccessGraph, r: RuleIdx, mark: impl Fn(FactId) -> Option<Mark>) -> Option<(u32, u32)> {
    let rule = g.rule(r)?;
    let mut depth = 0;
    let mut steps: u32 = 0;
    for p in &rule.premises {
        let m = mark(*p)?;
        depth = depth.max(m.depth);
        steps = steps.saturating_add(m.steps);
    }
    let step = u32::from(rule.rule.is_step());
    Some((depth + step, steps.saturating_add(step)))
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
    /// Each fact's position among the cone's facts (`u32::MAX` outside the cone), which numbers the
    /// arrays of a cone search.
    index: Vec<u32>,
    /// The cone's facts by position.
    members: Vec<FactId>,
    rules: Vec<bool>,
    /// The cone's instances in the order they joined it (taken when the cone is complete).
    joined: Vec<RuleIdx>,
    /// The cone's part of each cone fact's watchers (`AccessGraph::watchers`), by position: those of
    /// the fact at position `i` are `watched[watched_from[i]..watched_from[i + 1]]`. A search visits
    /// only these, where a group's watchers in the whole graph can be thousands of grants.
    watched_from: Vec<u32>,
    watched: Vec<RuleIdx>,
    /// For each entry of `watched`: its step and its conclusion's distance to the
    /// goals, so that a search skips an instance that cannot help reach them in time.
    watched_reach: Vec<u32>,
    /// Facts a goal, or a premise of a cone instance other than a membership.
    used_beyond_membership: Vec<bool>,
    /// The cone's membership instances as (member, group, instance), by member.
    memberships: Vec<(FactId, FactId, RuleIdx)>,
    /// The goals [`Cone::towards`] measured the distances to, sorted.
    measured: Vec<FactId>,
    /// Each cone fact's least number of steps to one of the measured goals, by position
    /// ([`UNREACHED`] when it leads to none of them).
    to_goal: Vec<u32>,
    /// True when only steps conclude the measured goals.
    measured_by_steps: bool,
    /// Number of facts in the cone.
    pub fact_count: usize,
    /// Number of rule instances in the cone.
    pub rule_count: usize,
}

impl Cone {
    /// The cone of `goals` and `also`, measured towards `goals`: each cone fact's distance to them is
    /// the least number of steps from it to one of them over the cone's rule instances, as if every
    /// other premise held. No derivation can use `f` to conclude a goal at a depth below
    /// `depth(f) + distance(f)`, so a search that knows the goal's depth needs no fact beyond that
    /// ([`Search::run`]). The facts that lead only to `also` (every `Unmodelled` fact, the places of
    /// blocked network premises: what explains a `no`) lead to no goal.
    pub fn towards(g: &AccessGraph, goals: &[FactId], also: &[FactId]) -> Cone {
        Cone::within(g, goals, also, UNREACHED)
    }

    /// The part of [`Cone::towards`] within `limit` of the goals (`also` is taken whole): every fact
    /// at most `limit` steps from a goal, with its distance, and the instances that conclude such a
    /// fact in time (their step and their conclusion's distance within `limit`). A search measured
    /// by this cone and bounded by `limit` (`Stop::known`) finds a goal the actor reaches at depth
    /// `limit` or less at the depth and by the derivation an unconfined search finds it: a fact of
    /// that derivation, at depth `d` and distance `e`, has `d + e <= limit`, and so have the premises
    /// of the instance that derives it, so all of them are in the cone and none is too far. Near a
    /// goal the cone is small even where the whole cone is most of a large estate.
    pub fn near(g: &AccessGraph, goals: &[FactId], limit: u32) -> Cone {
        Cone::within(g, goals, &[], limit)
    }

    fn within(g: &AccessGraph, goals: &[FactId], also: &[FactId], limit: u32) -> Cone {
        let mut cone = Cone {
            index: vec![u32::MAX; g.fact_count()],
            members: Vec::new(),
            rules: vec![false; g.rule_count()],
            joined: Vec::new(),
            watched_from: Vec::new(),
            watched: Vec::new(),
            watched_reach: Vec::new(),
            measured: Vec::new(),
            to_goal: Vec::new(),
            measured_by_steps: false,
            used_beyond_membership: vec![false; g.fact_count()],
            memberships: Vec::new(),
            fact_count: 0,
            rule_count: 0,
        };
        // Backwards from the goals, breadth-first with steps of weight 1 and other instances of
        // weight 0, so that a fact leaves the queue first at its distance; its producers join the
        // cone then, once.
        let mut queue: VecDeque<(FactId, u32)> = VecDeque::new();
        for &f in goals {
            cone.use_beyond_membership(f);
            cone.reach(f, 0, &mut queue);
        }
        while let Some((f, distance)) = queue.pop_front() {
            if cone.distance(f) != Some(distance) {
                continue;
            }
            // A fact at the limit can only be concluded in time by an instance that is no step.
            if distance >= limit && g.only_steps_produce.get(f.0 as usize).copied().unwrap_or(true) {
                continue;
            }
            for &r in g.producers.get(f.0 as usize).map_or(&[][..], Vec::as_slice) {
                let step = g.rule(r).map_or(0, |rule| u32::from(rule.rule.is_step()));
                if distance.saturating_add(step) > limit {
                    continue;
                }
                let Some(rule) = cone.join(g, r) else { continue };
                for &p in &rule.premises {
                    cone.reach(p, distance + step, &mut queue);
                }
            }
        }
        // Then what leads only to the other targets, at no distance.
        let mut todo: Vec<FactId> = Vec::new();
        for &f in also {
            cone.use_beyond_membership(f);
            if cone.add_fact(f, UNREACHED) {
                todo.push(f);
            }
        }
        while let Some(f) = todo.pop() {
            for &r in g.producers.get(f.0 as usize).map_or(&[][..], Vec::as_slice) {
                let Some(rule) = cone.join(g, r) else { continue };
                for &p in &rule.premises {
                    if cone.add_fact(p, UNREACHED) {
                        todo.push(p);
                    }
                }
            }
        }
        cone.memberships.sort_unstable();
        cone.index_watchers(g);
        let mut measured = goals.to_vec();
        measured.sort_unstable();
        measured.dedup();
        cone.measured_by_steps = only_steps_conclude(g, &measured);
        cone.measured = measured;
        cone
    }

    /// Lists the cone's instances under the cone fact that watches each (`AccessGraph::watchers`), in
    /// index order, with how far each takes that fact towards the goals. Made from the cone's own
    /// instances, not from its facts' watchers: a group's watchers in the whole graph can be thousands
    /// of grants, of which a cone near the goal holds a few.
    fn index_watchers(&mut self, g: &AccessGraph) {
        let joined = std::mem::take(&mut self.joined);
        if joined.len().saturating_mul(16) > g.rule_count() {
            // Much of the graph: its facts' watchers are mostly the cone's own.
            self.index_watchers_by_fact(g);
        } else {
            self.index_watchers_of(g, joined);
        }
    }

    /// [`Cone::index_watchers`] from the cone's instances, `joined`.
    fn index_watchers_of(&mut self, g: &AccessGraph, mut joined: Vec<RuleIdx>) {
        joined.sort_unstable();
        let mut watching: Vec<(usize, RuleIdx)> = joined
            .into_iter()
            .filter_map(|r| Some((self.position(g.watcher_of(r)?)?, r)))
            .collect();
        // Stable: each fact's instances stay in index order.
        watching.sort_by_key(|(at, _)| *at);
        self.watched_from = (0..=self.members.len())
            .map(|i| u32::try_from(watching.partition_point(|(at, _)| *at < i)).unwrap_or(u32::MAX))
            .collect();
        self.watched = watching.into_iter().map(|(_, r)| r).collect();
        self.watched_reach = self.watched.iter().map(|r| self.reach_of(g, *r)).collect();
    }

    /// How far instance `r` takes its watching fact towards the goals at best: its step, and its
    /// conclusion's distance.
    fn reach_of(&self, g: &AccessGraph, r: RuleIdx) -> u32 {
        g.rule(r).map_or(0, |rule| {
            self.distance(rule.conclusion)
                .unwrap_or(UNREACHED)
                .saturating_add(u32::from(rule.rule.is_step()))
        })
    }

    /// [`Cone::index_watchers`] from each cone fact's watchers in the whole graph.
    fn index_watchers_by_fact(&mut self, g: &AccessGraph) {
        self.watched_from.reserve(self.members.len() + 1);
        for &f in &self.members {
            self.watched_from
                .push(u32::try_from(self.watched.len()).unwrap_or(u32::MAX));
            for &r in g.watchers.get(f.0 as usize).map_or(&[][..], Vec::as_slice) {
                if !self.has_rule(r) {
                    continue;
                }
                self.watched.push(r);
                self.watched_reach.push(self.reach_of(g, r));
            }
        }
        self.watched_from
            .push(u32::try_from(self.watched.len()).unwrap_or(u32::MAX));
    }

    /// Puts `r` in the cone, with what it tells about memberships; none when it already was.
    fn join<'g>(&mut self, g: &'g AccessGraph, r: RuleIdx) -> Option<&'g crate::graph::RuleInstance> {
        let slot = self.rules.get_mut(r.0 as usize)?;
        if *slot {
            return None;
        }
        *slot = true;
        self.rule_count += 1;
        self.joined.push(r);
        let rule = g.rule(r)?;
        for &p in &rule.premises {
            if rule.rule == RuleId::Membership {
                self.memberships.push((p, rule.conclusion, r));
            } else {
                self.use_beyond_membership(p);
            }
        }
        Some(rule)
    }

    /// Records that `f` is `distance` from the goals, when that is nearer than known, and queues it.
    fn reach(&mut self, f: FactId, distance: u32, queue: &mut VecDeque<(FactId, u32)>) {
        if !self.add_fact(f, distance) {
            match self.position(f).and_then(|i| self.to_goal.get_mut(i)) {
                Some(known) if distance < *known => *known = distance,
                _ => return,
            }
        }
        // Instances that are not steps keep the distance: ahead of the others.
        match queue.front() {
            Some((_, d)) if distance <= *d => queue.push_front((f, distance)),
            _ => queue.push_back((f, distance)),
        }
    }

    /// The distance of a cone fact to the goals.
    fn distance(&self, f: FactId) -> Option<u32> {
        self.position(f).and_then(|i| self.to_goal.get(i)).copied()
    }

    /// Whether only steps conclude `goals` (sorted), when they are the goals measured.
    fn steps_only(&self, goals: &[FactId]) -> Option<bool> {
        (!self.measured.is_empty() && self.measured == goals).then_some(self.measured_by_steps)
    }

    fn position(&self, f: FactId) -> Option<usize> {
        self.index
            .get(f.0 as usize)
            .filter(|i| **i != u32::MAX)
            .map(|i| *i as usize)
    }

    /// The cone's rule instances among the watchers of `f`, in index order, with how far each takes
    /// `f` towards the measured goals at best (its step, and its conclusion's distance; none when
    /// nothing was measured); none when `f` is outside the cone.
    fn watchers_of(&self, f: FactId) -> (&[RuleIdx], &[u32]) {
        let Some(&i) = self.index.get(f.0 as usize) else {
            return (&[], &[]);
        };
        let (Some(&from), Some(&to)) = (self.watched_from.get(i as usize), self.watched_from.get(i as usize + 1))
        else {
            return (&[], &[]);
        };
        let range = from as usize..to as usize;
        (
            self.watched.get(range.clone()).unwrap_or(&[]),
            self.watched_reach.get(range).unwrap_or(&[]),
        )
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

    /// Adds `f` to the cone at `distance`; false when it was there.
    fn add_fact(&mut self, f: FactId, distance: u32) -> bool {
        match self.index.get_mut(f.0 as usize) {
            Some(slot) if *slot == u32::MAX => {
                *slot = u32::try_from(self.fact_count).unwrap_or(u32::MAX);
                self.members.push(f);
                self.to_goal.push(distance);
                self.fact_count += 1;
                true
            }
            _ => false,
        }
    }

    /// True when the fact is in the cone.
    pub fn has_fact(&self, f: FactId) -> bool {
        self.index.get(f.0 as usize).is_some_and(|i| *i != u32::MAX)
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
    if let Some(k) = cone {
        let searched = ConeStore::with(&k.index, k.fact_count, |store| {
            Search::new(g, filter, cone, store).run(start, seeds, stop)
        });
        if let Some(c) = searched {
            return c;
        }
    }
    Search::new(g, filter, cone, &mut HashStore::default()).run(start, seeds, stop)
}

/// True when every rule instance that concludes one of `goals` is a step.
fn only_steps_conclude(g: &AccessGraph, goals: &[FactId]) -> bool {
    goals
        .iter()
        .all(|f| g.only_steps_produce.get(f.0 as usize).copied().unwrap_or(true))
}

/// One search under way: its store, its queue (facts by non-decreasing depth) and its counts.
struct Search<'a, S: Store> {
    g: &'a AccessGraph,
    filter: &'a Filter,
    cone: Option<&'a Cone>,
    store: &'a mut S,
    queue: VecDeque<FactId>,
    facts_reached: usize,
    rules_fired: usize,
}

impl<'a, S: Store> Search<'a, S> {
    fn new(g: &'a AccessGraph, filter: &'a Filter, cone: Option<&'a Cone>, store: &'a mut S) -> Search<'a, S> {
        Search {
            g,
            filter,
            cone,
            store,
            queue: VecDeque::new(),
            facts_reached: 0,
            rules_fired: 0,
        }
    }

    /// The closure from `start` and `seeds` (see [`closure_from`]).
    fn run(mut self, start: &[FactId], seeds: &[FactId], stop: Option<Stop<'_>>) -> Closure {
        let g = self.g;
        let mut complete = true;
        let mut goal_depth = stop.map_or(UNREACHED, |s| s.known);
        // The least depth this search itself concluded a goal at.
        let mut reached_at = UNREACHED;
        let goals: Option<Vec<FactId>> = stop.map(|s| {
            let mut goals = s.goals.to_vec();
            goals.sort_unstable();
            goals.dedup();
            goals
        });
        // A goal concluded only by steps at depth `d` has premises of depth below `d`: the search may
        // stop before the facts of depth `d` leave the queue. A goal that a non-step instance
        // concludes (a place, a network endpoint) needs them.
        let settled_before = stop.is_some_and(|s| {
            self.cone
                .zip(goals.as_deref())
                .and_then(|(k, goals)| k.steps_only(goals))
                .unwrap_or_else(|| only_steps_conclude(g, s.goals))
        });
        // Once the goal's depth is known, a fact too far from it to take part in a way there that
        // short is left alone (see [`Cone::towards`]): it cannot change the goal's depth or
        // derivation, nor those of the facts that derivation uses. It is neither recorded nor
        // explored.
        // The cone, when it was measured towards this search's goals (looked up once, not per fact).
        let measured_cone = self
            .cone
            .zip(goals.as_deref())
            .and_then(|(k, goals)| k.steps_only(goals).map(|_| k));
        let measured = measured_cone.is_some();
        let too_far = |f: FactId, depth: u32, goal_depth: u32| {
            goal_depth != UNREACHED
                && measured_cone.is_some_and(|k| depth.saturating_add(k.distance(f).unwrap_or(UNREACHED)) > goal_depth)
        };
        let mut start: Vec<FactId> = start.to_vec();
        start.sort();
        start.dedup();
        for f in start {
            if stop.is_some_and(|s| s.goals.contains(&f)) {
                goal_depth = 0;
                reached_at = 0;
            }
            if (f.0 as usize) < g.fact_count() {
                self.store.set_mark(f, Mark::START);
                self.queue.push_back(f);
            }
        }
        // After every starting fact, so that the queue stays ordered by depth.
        let mut seeds: Vec<FactId> = seeds.to_vec();
        seeds.sort();
        seeds.dedup();
        if self.filter.max_depth.is_none_or(|m| m >= 1) {
            for f in seeds {
                if (f.0 as usize) >= g.fact_count() || self.store.mark(f).is_some() {
                    continue;
                }
                if stop.is_some_and(|s| s.goals.contains(&f) && s.skip != Some(Channel::Membership)) {
                    goal_depth = goal_depth.min(1);
                    reached_at = reached_at.min(1);
                }
                self.store.set_mark(
                    f,
                    Mark {
                        depth: 1,
                        steps: 1,
                        via: None,
                    },
                );
                self.queue.push_back(f);
            }
        }
        // Rules without premises would fire for everyone; the builder makes none, but be exact anyway.
        let mut waited: Vec<RuleIdx> = Vec::new();
        let mut ready: Vec<(RuleIdx, bool)> = Vec::new();
        while let Some(f) = self.queue.pop_front() {
            let depth = self.store.mark(f).map_or(UNREACHED, |m| m.depth);
            if depth > goal_depth || (settled_before && depth == goal_depth && goal_depth > 0) {
                complete = false;
                break;
            }
            if too_far(f, depth, goal_depth) {
                complete = false;
                continue;
            }
            if !self.store.finish(f) {
                continue;
            }
            self.facts_reached += 1;
            // The rule instances whose last premise this is, in index order (so ties are broken as
            // the rule table orders them).
            let (watched, reach) = match self.cone {
                Some(k) => k.watchers_of(f),
                None => (g.watchers.get(f.0 as usize).map_or(&[][..], Vec::as_slice), &[][..]),
            };
            // Each with whether its premises are known to have left the queue; those that waited on
            // `f` may still miss another.
            waited.clear();
            self.store.take_waiting(f, &mut waited);
            ready.clear();
            ready.extend(waited.iter().map(|r| (*r, false)));
            for (j, &r) in watched.iter().enumerate() {
                // An instance whose conclusion would be too far from the goal (see `too_far`) is
                // not even looked at.
                if measured
                    && goal_depth != UNREACHED
                    && reach.get(j).is_some_and(|to| depth.saturating_add(*to) > goal_depth)
                {
                    complete = false;
                    continue;
                }
                // Every premise must have left the queue (its depth is final); wait on one that has
                // not.
                if !self.waits(r) {
                    ready.push((r, true));
                }
            }
            ready.sort_unstable_by_key(|(r, _)| *r);
            for &(r, checked) in &ready {
                let Some(rule) = g.rule(r) else { continue };
                // No fact leaves the queue while `f`'s instances fire, so a checked one stays ready.
                if !checked && self.waits(r) {
                    continue;
                }
                let Some((depth, steps)) = self.fire(r) else {
                    continue;
                };
                if let Some(stop) = stop
                    && stop.goals.contains(&rule.conclusion)
                    && stop.skip.is_none_or(|skip| rule.channel != skip)
                {
                    goal_depth = goal_depth.min(depth);
                    reached_at = reached_at.min(depth);
                }
                if self.store.is_done(rule.conclusion) {
                    continue;
                }
                if too_far(rule.conclusion, depth, goal_depth) {
                    complete = false;
                    continue;
                }
                if self.improve(rule.conclusion, depth, steps, r) {
                    if rule.rule.is_step() {
                        self.queue.push_back(rule.conclusion);
                    } else {
                        self.queue.push_front(rule.conclusion);
                    }
                }
            }
        }
        Closure {
            marks: self.store.take_marks(),
            base: None,
            facts_reached: self.facts_reached,
            rules_fired: self.rules_fired,
            complete,
            reached_at,
            sought_goal: stop.is_some(),
        }
    }

    /// Fires `r` when the filter allows it and its premises hold: the depth and steps of its
    /// conclusion, within the filter's depth bound.
    fn fire(&mut self, r: RuleIdx) -> Option<(u32, u32)> {
        if !self.filter.allows(self.g, r) {
            return None;
        }
        let store = &*self.store;
        let (depth, steps) = conclusion_of(self.g, r, |p| store.mark(p))?;
        if self.filter.max_depth.is_some_and(|m| depth > m) {
            return None;
        }
        self.rules_fired += 1;
        Some((depth, steps))
    }

    /// Records that `r` derives `f` at (`depth`, `steps`) when that is shorter than what is recorded
    /// (least depth, then fewest steps); true when it was.
    fn improve(&mut self, f: FactId, depth: u32, steps: u32, r: RuleIdx) -> bool {
        let better = self
            .store
            .mark(f)
            .is_none_or(|old| depth < old.depth || (depth == old.depth && steps < old.steps));
        if better {
            self.store.set_mark(
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

    /// True when `r` has a premise that has not left the queue: `r` then waits on the first such
    /// premise, after every endpoint it needs was pulled.
    fn waits(&mut self, r: RuleIdx) -> bool {
        let Some(rule) = self.g.rule(r) else { return false };
        let mut first = None;
        for &p in &rule.premises {
            if !self.store.is_done(p) {
                self.pull(p);
                first = first.or(Some(p));
            }
        }
        match first {
            Some(p) => {
                self.store.wait(p, r);
                true
            }
            None => false,
        }
    }

    /// Derives the endpoint `f` from its network instances, once per search, if it is derived on
    /// demand (`AccessGraph::on_demand`).
    ///
    /// A network instance whose endpoint no rule instance watches is watched by nothing either
    /// (`AccessGraph::watchers`): an actor online would otherwise fire one instance per endpoint of
    /// the estate before its first step. Such an endpoint is derived when a rule instance needs it
    /// instead: its producers whose premises have left the queue fire then (their conclusion's depth
    /// depends only on those premises, so it is the depth eager firing gives, and no deeper than the
    /// fact being processed, so the queue stays ordered when it goes to the front), and the others
    /// wait on their missing premise like any rule instance.
    fn pull(&mut self, f: FactId) {
        let g = self.g;
        if !g.on_demand.get(f.0 as usize).copied().unwrap_or(false) || !self.store.pull_once(f) {
            return;
        }
        let mut derived = false;
        for &r in g.producers.get(f.0 as usize).map_or(&[][..], Vec::as_slice) {
            if self.cone.is_some_and(|k| !k.has_rule(r)) {
                continue;
            }
            let Some(rule) = g.rule(r) else { continue };
            if let Some(missing) = rule.premises.iter().find(|p| !self.store.is_done(**p)) {
                self.store.wait(*missing, r);
                continue;
            }
            if let Some((depth, steps)) = self.fire(r) {
                derived |= self.improve(f, depth, steps, r);
            }
        }
        if derived {
            self.queue.push_front(f);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::network::AssumedOpen;

    /// The two ways of listing a cone's watchers, from its instances and from its facts, give the same
    /// lists, for cones near each goal of the bundled model and for whole cones.
    #[test]
    fn both_ways_of_listing_a_cones_watchers_agree() {
        let source = crate::load::Source::new("models/contoso-ml.yaml", include_str!("../../models/contoso-ml.yaml"));
        let Ok(loaded) = crate::load::load(&source) else {
            panic!("the bundled model loads");
        };
        let g = crate::graph::build::build(&loaded.model, &AssumedOpen { reason: "assumed open" });
        let mut compared = 0;
        for goal in crate::answer::goal::all_capabilities(&g) {
            for limit in [0, 1, 2, 4, UNREACHED] {
                let cone = Cone::within(&g, &goal.facts, &[], limit);
                let instances: Vec<RuleIdx> = (0..g.rule_count())
                    .filter(|i| cone.rules.get(*i).copied().unwrap_or(false))
                    .map(|i| RuleIdx(u32::try_from(i).unwrap_or(u32::MAX)))
                    .collect();
                let unlisted = Cone {
                    watched_from: Vec::new(),
                    watched: Vec::new(),
                    watched_reach: Vec::new(),
                    ..cone.clone()
                };
                let mut by_fact = unlisted.clone();
                by_fact.index_watchers_by_fact(&g);
                let mut by_instance = unlisted;
                by_instance.index_watchers_of(&g, instances);
                assert_eq!(
                    by_fact.watched_from, by_instance.watched_from,
                    "{} within {limit}",
                    goal.text
                );
                assert_eq!(by_fact.watched, by_instance.watched, "{} within {limit}", goal.text);
                assert_eq!(
                    by_fact.watched_reach, by_instance.watched_reach,
                    "{} within {limit}",
                    goal.text
                );
                compared += by_fact.watched.len();
            }
        }
        assert!(compared > 1000, "only {compared} watchers compared");
    }
}
