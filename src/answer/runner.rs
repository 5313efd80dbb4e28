//! Running the searches of one query: where each actor starts, which actors share a search, and the
//! backward cone and early stop that bound each search.
//!
//! Actors are solved by class. Within the backward cone of a goal, two actors whose starting facts
//! inside the cone are the same get the same answer (see [`search::Cone`]). A principal's own identity
//! (`As(P)`) is a starting fact no one else has; but where the cone uses it only through membership
//! steps, what P reaches is what its groups reach one step later, so P's search starts from its
//! groups instead and is shared with every actor that has the same groups and the same other starting
//! facts ([`search::closure_from`]). Each member then gets its own membership step on top of the shared
//! search ([`Closure::for_member`]), so its witness still starts from itself.
//!
//! Searches are bounded where that cannot change the answer: `who can` bounds a class by what its
//! groups reach one membership step away, searching again without where the goal lies deeper after
//! all, and `can any` looks within depth 1, 2 and 4 before any search runs unbounded
//! ([`Runner::each`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Actor, Goal, Proof};
use crate::channel::Channel;
use crate::graph::build::identity_places;
use crate::graph::{AccessGraph, Fact, FactId, Place, RuleIdx};
use crate::model::{CredentialId, Holder, LocationId, PrincipalId, PrincipalKind};
use crate::search::{self, Closure, Filter};

/// The credentials of a model by holder, prepared once for the starting facts of many actors.
pub struct Starts<'g> {
    g: &'g AccessGraph,
    by_holder: FxHashMap<PrincipalId, Vec<CredentialId>>,
    anyone: Vec<CredentialId>,
    /// True when a group holds a credential: only then are an actor's groups looked up.
    groups_hold: bool,
}

impl<'g> Starts<'g> {
    /// The credential holders of `g`'s model.
    pub fn new(g: &'g AccessGraph) -> Starts<'g> {
        let mut by_holder: FxHashMap<PrincipalId, Vec<CredentialId>> = FxHashMap::default();
        let mut anyone = Vec::new();
        for (i, c) in g.model.credentials.iter().enumerate() {
            let id = CredentialId::from_index(i);
            for h in &c.held_by {
                match h {
                    Holder::Anyone => anyone.push(id),
                    Holder::Principal(p) => by_holder.entry(*p).or_default().push(id),
                }
            }
        }
        let groups_hold = by_holder
            .keys()
            .any(|p| g.model.principal(*p).kind == PrincipalKind::Group);
        Starts {
            g,
            by_holder,
            anyone,
            groups_hold,
        }
    }

    /// The starting facts of an actor: its identity, the places it sends from (`from` instead, when
    /// given), and the credentials held by it, by a group it belongs to, or by anyone.
    pub fn of(&self, actor: Actor, from: Option<LocationId>) -> Vec<FactId> {
        let m = &self.g.model;
        let mut facts = Vec::new();
        let mut places: Vec<Place> = Vec::new();
        let mut held: Vec<CredentialId> = self.anyone.clone();
        match actor {
            Actor::Principal(p) => {
                facts.push(Fact::As(p));
                let principal = m.principal(p);
                match principal.kind {
                    PrincipalKind::ManagedIdentity => places.extend(identity_places(m, p)),
                    PrincipalKind::Group => places.extend(m.location_named("internet").map(Place::Location)),
                    _ => places.extend(principal.locations.iter().map(|l| Place::Location(*l))),
                }
                if self.groups_hold {
                    // `memberships` includes the principal itself.
                    for x in crate::rbac::groups::memberships(m, p) {
                        held.extend(self.by_holder.get(&x.group).into_iter().flatten());
                    }
                } else {
                    held.extend(self.by_holder.get(&p).into_iter().flatten());
                }
            }
            Actor::Anyone(l) => places.push(Place::Location(l)),
        }
        held.sort();
        held.dedup();
        facts.extend(held.into_iter().map(Fact::Holds));
        if let Some(l) = from {
            places = vec![Place::Location(l)];
        }
        facts.extend(places.into_iter().map(Fact::At));
        facts.iter().filter_map(|f| self.g.fact_id(f)).collect()
    }
}

/// Where the search of a class of actors starts: its starting facts (depth 0) and the groups its
/// members' membership steps lead to (depth 1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Start {
    facts: Vec<FactId>,
    seeds: Vec<FactId>,
}

/// What a member adds to its class's search: its own identity and its membership instances.
#[derive(Debug, Clone)]
struct Own {
    fact: FactId,
    memberships: Vec<(FactId, RuleIdx)>,
}

impl Own {
    /// The member's closure over its class's search.
    fn closure(&self, shared: Arc<Closure>) -> Closure {
        Closure::for_member(shared, self.fact, &self.memberships)
    }
}

/// An actor's closure from its class's search: the search itself, or the member's layer over it.
fn closure_of(shared: Arc<Closure>, own: Option<&Own>) -> Arc<Closure> {
    match own {
        Some(own) => Arc::new(own.closure(shared)),
        None => shared,
    }
}

/// The actors of a class: each by its position in the list asked about, with what it adds to the
/// class's search.
type Members = Vec<(usize, Option<Own>)>;

/// One class solved: its search's counts (facts, rule instances) and each member's result.
struct Solved<T> {
    counts: (usize, usize),
    /// The least depth the class's search concluded the goal at.
    reached_at: u32,
    results: Vec<(usize, T)>,
    /// Each group among the members that did not reach the goal, when asked to keep them.
    groups: Vec<(FactId, search::GroupClosure)>,
}

/// How deep a class's search looks for the goal.
#[derive(Debug, Clone, Copy)]
enum Bound {
    /// As deep as the goal is.
    None,
    /// Within this depth, where the goal is expected; deeper when it is not found there after all.
    Expected(u32),
    /// Within this depth only: the goal deeper does not matter.
    Only(u32),
}

/// Runs closures, solving each class of equivalent actors once (see the module documentation).
pub(super) struct Runner<'g> {
    g: &'g AccessGraph,
    starts: Starts<'g>,
    filter: Filter,
    from: Option<LocationId>,
    cone: Option<search::Cone>,
    /// The distance from the goal the cone is confined to ([`Runner::focus_near`]): searches in it
    /// are exact only as deep as that.
    near: Option<u32>,
    /// The goal a search may stop at once its least depth is settled, and the channel that does not
    /// count as reaching it (see [`search::Stop`]).
    stop: Option<(Vec<FactId>, Option<Channel>)>,
    cache: HashMap<Vec<FactId>, Arc<Closure>>,
    /// The least depth at which an actor reached the goal so far, when only the shortest way of any
    /// actor is wanted ([`Runner::shortest_of_any`]).
    known: Option<Arc<AtomicU32>>,
    /// Every `Unmodelled` fact of the graph.
    pub(super) unmodelled: Arc<[FactId]>,
    pub(super) proof: Proof,
}

impl<'g> Runner<'g> {
    pub(super) fn new(g: &'g AccessGraph, filter: Filter, from: Option<LocationId>) -> Runner<'g> {
        let unmodelled = g
            .facts
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f, Fact::Unmodelled(_)))
            .map(|(i, _)| FactId::from_index(i))
            .collect();
        Runner {
            g,
            starts: Starts::new(g),
            filter,
            from,
            cone: None,
            near: None,
            stop: None,
            cache: HashMap::new(),
            known: None,
            unmodelled,
            proof: Proof::default(),
        }
    }

    /// Restricts the searches to what can matter for `goal`: its facts, every `Unmodelled` fact
    /// (reaching one makes a `no` an `unknown`, so it must be found exactly as before) and the places
    /// of blocked network premises (for explaining a `no`).
    pub(super) fn focus(&mut self, goal: &Goal) {
        let mut also: Vec<FactId> = self.unmodelled.to_vec();
        // The places of blocked network premises, so a `no` can still say what the network stopped.
        also.extend(
            self.g
                .blocked
                .iter()
                .filter_map(|(place, _, _)| self.g.fact_id(&Fact::At(*place))),
        );
        let cone = search::Cone::towards(self.g, &goal.facts, &also);
        // What was searched before (unconfined) is not part of the proof.
        self.cache.clear();
        self.proof = Proof::default();
        self.proof.cone = Some((cone.fact_count, cone.rule_count));
        self.cone = Some(cone);
        self.near = None;
    }

    /// Restricts the searches to the part of `goal`'s cone within `limit` of it ([`search::Cone::near`])
    /// and to that depth, for a question that keeps only the shortest way of any actor
    /// ([`Runner::shortest_of_any`]): an actor that reaches the goal that shallow is found with the
    /// depth and derivation of an unconfined search, and the others are not searched further. Only a
    /// `yes` may come of it: a `no` needs [`Runner::focus`].
    pub(super) fn focus_near(&mut self, goal: &Goal, limit: u32) {
        self.cache.clear();
        self.proof = Proof::default();
        self.cone = Some(search::Cone::near(self.g, &goal.facts, limit));
        self.near = Some(limit);
    }

    /// The closure of one actor that reaches `goal` within `limit`, searched in the goal's cone
    /// within that limit only ([`search::Cone::near`]): the goal's depth and derivation are those of
    /// an unconfined search. None when the actor does not reach the goal that near; the runner is
    /// then as before. Needs [`Runner::stop_at`] first.
    pub(super) fn closure_near(&mut self, actor: Actor, goal: &Goal, limit: u32) -> Option<Arc<Closure>> {
        self.stop.as_ref()?;
        let kept = self.cone.replace(search::Cone::near(self.g, &goal.facts, limit));
        let (start, own) = self.start_of(actor);
        let c = self.search(&start, limit);
        self.cone = kept;
        if c.reached_at > limit {
            return None;
        }
        self.proof.actors += 1;
        self.count((c.facts_reached, c.rules_fired));
        Some(closure_of(Arc::new(c), own.as_ref()))
    }

    /// Lets each search stop once the least depth of `goal` is settled: what follows only needs the
    /// shortest way there, or, when the goal is not reached, the complete closure (which a search that
    /// never reaches the goal computes anyway).
    pub(super) fn stop_at(&mut self, goal: &Goal, directly: bool) {
        self.stop = Some((goal.facts.clone(), directly.then_some(Channel::AzureMl)));
    }

    /// Lets every later search stop at the least depth any actor reached the goal at, which the
    /// caller records in the returned cell: for a question that keeps only the shortest way of any
    /// actor. Every actor whose way is that short is still found, with the witness an unbounded
    /// search gives it; the searches of the others may stop early, so this is only for a `yes`.
    pub(super) fn shortest_of_any(&mut self) -> Arc<AtomicU32> {
        self.known
            .get_or_insert_with(|| Arc::new(AtomicU32::new(search::UNREACHED)))
            .clone()
    }

    /// Where an actor's search starts, and what the actor adds to it when the search is its class's.
    fn start_of(&self, actor: Actor) -> (Start, Option<Own>) {
        let mut facts = self.starts.of(actor, self.from);
        if let Some(cone) = &self.cone {
            facts.retain(|f| cone.has_fact(*f));
        }
        facts.sort();
        facts.dedup();
        let own = match (actor, &self.cone) {
            (Actor::Principal(p), Some(cone)) => self
                .g
                .fact_id(&Fact::As(p))
                .filter(|f| facts.contains(f) && cone.used_only_by_memberships(*f)),
            _ => None,
        };
        let Some(own) = own else {
            return (
                Start {
                    facts,
                    seeds: Vec::new(),
                },
                None,
            );
        };
        facts.retain(|f| *f != own);
        let memberships: Vec<(FactId, RuleIdx)> = match &self.cone {
            Some(cone) if self.filter.max_depth.is_none_or(|m| m >= 1) => cone
                .memberships_of(own)
                .filter(|(_, r)| self.filter.allows(self.g, *r))
                .collect(),
            _ => Vec::new(),
        };
        let mut seeds: Vec<FactId> = memberships.iter().map(|(group, _)| *group).collect();
        seeds.sort();
        seeds.dedup();
        (Start { facts, seeds }, Some(Own { fact: own, memberships }))
    }

    /// The search from `start`, stopping once the goal is settled (when asked to), and by depth
    /// `bound` at the latest: within it, the goal's depth and derivation are those of an unbounded
    /// search, if the goal lies that deep or less ([`search::Cone::towards`]).
    fn search(&self, start: &Start, bound: u32) -> Closure {
        let stop = self.stop.as_ref().map(|(goals, skip)| search::Stop {
            goals,
            skip: *skip,
            known: self
                .known
                .as_ref()
                .map_or(search::UNREACHED, |k| k.load(Ordering::Relaxed))
                .min(bound),
        });
        search::closure_from(
            self.g,
            &start.facts,
            &start.seeds,
            &self.filter,
            self.cone.as_ref(),
            stop,
        )
    }

    /// The search of a class under `bound`, with the counts of every search made.
    fn search_within(&self, start: &Start, bound: Bound) -> (Closure, (usize, usize)) {
        let depth = match bound {
            Bound::None => search::UNREACHED,
            Bound::Expected(d) | Bound::Only(d) => d,
        };
        let c = self.search(start, depth);
        let mut counts = (c.facts_reached, c.rules_fired);
        if !matches!(bound, Bound::Expected(_)) || c.reached_at <= depth {
            return (c, counts);
        }
        let c = self.search(start, search::UNREACHED);
        counts.0 += c.facts_reached;
        counts.1 += c.rules_fired;
        (c, counts)
    }

    /// The depth a class of actors reaches the goal at, at most, by what the groups one membership
    /// step from its start reach (`group_reach`, by group identity fact).
    fn bound_of(&self, start: &Start, group_reach: &FxHashMap<FactId, u32>) -> Bound {
        let Some(cone) = &self.cone else {
            return Bound::None;
        };
        self.groups_of(cone, start)
            .filter_map(|group| group_reach.get(&group).filter(|d| **d != search::UNREACHED))
            .map(|depth| depth.saturating_add(1))
            .min()
            .map_or(Bound::None, Bound::Expected)
    }

    /// One class solved: its search (under `bound`, see [`Runner::search_within`]) and `visit`
    /// applied to each member.
    fn solve<T>(
        &self,
        actors: &[Actor],
        (start, members): &(Start, Members),
        bound: Bound,
        visit: &(impl Fn(Actor, &Closure) -> T + Sync),
        keep_groups: bool,
    ) -> Solved<T> {
        let (shared, counts) = self.search_within(start, bound);
        let shared = Arc::new(shared);
        let mut groups = Vec::new();
        let results = members
            .iter()
            .filter_map(|(i, own)| {
                let actor = *actors.get(*i)?;
                let closure = closure_of(shared.clone(), own.as_ref());
                let result = visit(actor, &closure);
                if let (Some(group), Some(cone), true) = (self.group_fact(actor), &self.cone, keep_groups)
                    && let Some(kept) = search::GroupClosure::of(self.g, cone, &self.filter, &closure)
                {
                    groups.push((group, kept));
                }
                Some((*i, result))
            })
            .collect();
        // Only the counts are kept (and what proofs over groups need, when asked): a closure per
        // class would grow with the estate.
        Solved {
            counts,
            reached_at: shared.reached_at,
            results,
            groups,
        }
    }

    /// The identity fact of a group actor.
    fn group_fact(&self, actor: Actor) -> Option<FactId> {
        match actor {
            Actor::Principal(p) if self.g.model.principal(p).kind == PrincipalKind::Group => {
                self.g.fact_id(&Fact::As(p))
            }
            _ => None,
        }
    }

    /// The groups one membership step from a class's start: its seeds, and the groups of a
    /// principal identity among its starting facts.
    fn groups_of<'s>(&'s self, cone: &'s search::Cone, start: &'s Start) -> impl Iterator<Item = FactId> + 's {
        let own_groups = start
            .facts
            .iter()
            .filter(|f| matches!(self.g.fact(**f), Some(Fact::As(_))))
            .flat_map(move |f| cone.memberships_of(*f))
            .filter(|(_, r)| self.filter.allows(self.g, *r))
            .map(|(group, _)| group);
        start.seeds.iter().copied().chain(own_groups)
    }

    /// Whether a `no` may be proved over groups: not under a depth bound (which the proof does not
    /// count), nor where the network blocks something (a `no` then says what it stopped, which needs
    /// the actor's own closure).
    fn over_groups(&self) -> bool {
        self.filter.max_depth.is_none() && self.g.blocked.is_empty()
    }

    /// A class solved without a search when its `no` is proved over the kept closures of the groups
    /// one membership step from its start ([`search::unreached_over`]); none when it is not, when a
    /// group kept none, or when no proof may be made ([`Runner::over_groups`]). With `keep`, the class
    /// is one of groups, whose parents those are: each group's own closure is made and kept too
    /// ([`search::group_over_parents`]).
    fn solve_over_groups<T>(
        &self,
        actors: &[Actor],
        (start, members): &(Start, Members),
        closures: &FxHashMap<FactId, search::GroupClosure>,
        visit: &(impl Fn(Actor, &Closure) -> T + Sync),
        keep: bool,
    ) -> Option<Solved<T>> {
        if !self.over_groups() {
            return None;
        }
        let cone = self.cone.as_ref()?;
        let (goals, skip) = self.stop.as_ref()?;
        let groups: Vec<&search::GroupClosure> = self
            .groups_of(cone, start)
            .map(|group| closures.get(&group))
            .collect::<Option<_>>()?;
        let stop = search::Stop {
            goals,
            skip: *skip,
            known: search::UNREACHED,
        };
        let (g, filter, also) = (self.g, &self.filter, &self.unmodelled[..]);
        let (kept, (facts, rules)) = if keep {
            let (kept, cost) = search::group_over_parents(g, cone, filter, &start.facts, &groups, stop, also)?;
            (Some(kept), cost)
        } else {
            (
                None,
                search::unreached_over(g, cone, filter, &start.facts, &groups, stop, also)?,
            )
        };
        let closure = Closure::proved_unreached(facts, rules);
        let mut groups = Vec::new();
        let results = members
            .iter()
            .filter_map(|(i, own)| {
                let actor = *actors.get(*i)?;
                if let (Some(group), Some(kept)) = (self.group_fact(actor), &kept) {
                    // A member's own identity joins the class's closure (its membership steps lead
                    // to the class's seeds, which it holds).
                    let mut mine = kept.clone();
                    if let Some(own) = own {
                        mine.hold(cone, own.fact);
                    }
                    groups.push((group, mine));
                }
                Some((*i, visit(actor, &closure)))
            })
            .collect();
        Some(Solved {
            counts: (facts, rules),
            reached_at: search::UNREACHED,
            results,
            groups,
        })
    }

    fn count(&mut self, (facts, rules): (usize, usize)) {
        self.proof.searches += 1;
        self.proof.facts += facts;
        self.proof.rules += rules;
    }

    /// The closure of one actor (kept for another actor with the same start).
    pub(super) fn closure(&mut self, actor: Actor) -> Arc<Closure> {
        self.proof.actors += 1;
        let (start, own) = self.start_of(actor);
        let key: Vec<FactId> = start.facts.iter().chain(&start.seeds).copied().collect();
        let (shared, searched) = match self.cache.get(&key) {
            Some(c) => (c.clone(), false),
            None => {
                let c = Arc::new(self.search(&start, search::UNREACHED));
                // A start that holds a principal's own identity belongs to that actor alone: no other
                // actor can share its search, and keeping it would hold one closure per user of a
                // large estate. (Seeds are groups, which members share.)
                if !start.facts.iter().any(|f| matches!(self.g.fact(*f), Some(Fact::As(_)))) {
                    self.cache.insert(key, c.clone());
                }
                (c, true)
            }
        };
        let c = closure_of(shared, own.as_ref());
        if searched {
            self.count((c.facts_reached, c.rules_fired));
        }
        c
    }

    /// `visit` applied to each actor with its closure, one search per class of actors, the classes in
    /// parallel; the results in the order of `actors`, whatever the number of threads.
    pub(super) fn each<T: Send>(&mut self, actors: &[Actor], visit: impl Fn(Actor, &Closure) -> T + Sync) -> Vec<T> {
        self.proof.actors += actors.len();
        let mut classes: HashMap<Start, Members> = HashMap::new();
        for (i, actor) in actors.iter().enumerate() {
            let (start, own) = self.start_of(*actor);
            classes.entry(start).or_default().push((i, own));
        }
        let mut classes: Vec<(Start, Members)> = classes.into_iter().collect();
        classes.sort_by_key(|(_, members)| members.first().map_or(0, |m| m.0));
        let solved = match (&self.known, &self.stop, &self.cone) {
            (Some(known), Some(_), Some(_)) => self.shallowest_first(actors, &classes, &visit, known),
            (None, Some(_), Some(_)) => self.groups_first(actors, classes, &visit),
            _ => classes
                .par_iter()
                .map(|class| self.solve(actors, class, Bound::None, &visit, false))
                .collect(),
        };
        let mut slots: Vec<Option<T>> = actors.iter().map(|_| None).collect();
        for Solved { counts, results, .. } in solved {
            self.count(counts);
            for (i, result) in results {
                if let Some(slot) = slots.get_mut(i) {
                    *slot = Some(result);
                }
            }
        }
        slots.into_iter().flatten().collect()
    }

    /// The classes solved when only the shortest way of any actor matters (`can any`): every class
    /// is first searched within depth 1, then 2, then 4, and the first round in which some actor
    /// reaches the goal is the answer (every actor that reaches it that shallow is found, with the
    /// derivation an unbounded search gives, see [`search::Cone::towards`]); a bounded round looks
    /// at little beyond the goal's neighbourhood. Past those, the searches run unbounded, each
    /// stopping at the least depth found so far by any.
    fn shallowest_first<T: Send>(
        &self,
        actors: &[Actor],
        classes: &[(Start, Members)],
        visit: &(impl Fn(Actor, &Closure) -> T + Sync),
        known: &AtomicU32,
    ) -> Vec<Solved<T>> {
        let mut solved = Vec::new();
        for depth in [1, 2, 4] {
            if self.near.is_some_and(|limit| depth > limit) {
                // Deeper than a near cone is exact: what was found (if anything) is the answer.
                return solved;
            }
            solved = classes
                .par_iter()
                .map(|class| self.solve(actors, class, Bound::Only(depth), visit, false))
                .collect();
            if known.load(Ordering::Relaxed) <= depth {
                return solved;
            }
        }
        if self.near.is_some() {
            return solved;
        }
        classes
            .par_iter()
            .map(|class| self.solve(actors, class, Bound::None, visit, false))
            .collect()
    }

    /// The classes solved when every actor's own shortest way is wanted (`who can`): the classes with
    /// a group among their members first; a member of a group reaches the goal one membership step
    /// after the group at the latest, so the other classes' searches are bounded by that depth and
    /// leave alone what cannot lead to the goal within it ([`Runner::search_within`]). A class whose
    /// groups all searched to their fixed point without the goal is first tried without a search
    /// ([`search::unreached_over`]): most actors of a large estate do not reach a given goal, and
    /// their `no` then costs what their own facts add to their groups'. The classes holding groups
    /// are themselves taken parents first, each tried over its parents' closures the same way
    /// ([`search::group_over_parents`]).
    fn groups_first<T: Send>(
        &self,
        actors: &[Actor],
        classes: Vec<(Start, Members)>,
        visit: &(impl Fn(Actor, &Closure) -> T + Sync),
    ) -> Vec<Solved<T>> {
        let (groups, rest): (Vec<_>, Vec<_>) = classes.into_iter().partition(|(_, members)| {
            members
                .iter()
                .any(|(i, _)| actors.get(*i).is_some_and(|a| self.group_fact(*a).is_some()))
        });
        let over_groups = self.over_groups();
        // In the order of the membership graph: a class whose parent groups all kept their closures
        // is first tried over them, parents before children; the others (a parent reached the goal,
        // or a cycle) are searched.
        let mut solved: Vec<Solved<T>> = Vec::new();
        let mut closures: FxHashMap<FactId, search::GroupClosure> = FxHashMap::default();
        let mut group_reach: FxHashMap<FactId, u32> = FxHashMap::default();
        let mut pending: Vec<&(Start, Members)> = groups.iter().collect();
        while !pending.is_empty() {
            let (ready, waiting): (Vec<_>, Vec<_>) = match &self.cone {
                Some(cone) if over_groups => pending
                    .into_iter()
                    .partition(|class| self.groups_of(cone, &class.0).all(|p| closures.contains_key(&p))),
                _ => (Vec::new(), pending),
            };
            let round: Vec<Solved<T>> = if ready.is_empty() {
                pending = Vec::new();
                waiting
                    .par_iter()
                    .map(|class| self.solve(actors, class, Bound::None, visit, over_groups))
                    .collect()
            } else {
                pending = waiting;
                ready
                    .par_iter()
                    .map(|class| {
                        self.solve_over_groups(actors, class, &closures, visit, true)
                            .unwrap_or_else(|| self.solve(actors, class, Bound::None, visit, over_groups))
                    })
                    .collect()
            };
            for mut s in round {
                for (i, _) in &s.results {
                    if let Some(group) = actors.get(*i).and_then(|a| self.group_fact(*a)) {
                        group_reach.insert(group, s.reached_at);
                    }
                }
                closures.extend(std::mem::take(&mut s.groups));
                solved.push(s);
            }
        }
        solved.par_extend(rest.par_iter().map(|class| {
            self.solve_over_groups(actors, class, &closures, visit, false)
                .unwrap_or_else(|| self.solve(actors, class, self.bound_of(&class.0, &group_reach), visit, false))
        }));
        solved
    }
}
