//! Deciding a resolved query with the graph engine: which actors start where, which facts are the
//! goal, the verdict, and the shortest witnesses (semantics §9, §10 "Verdicts", "Who is listed").
//!
//! **Architecture invariant (sound or silent):** `No` is produced only when the fixed point is complete
//! with every premise decided, no unmodelled step could have led further, and the network was decided
//! or explicitly ignored; otherwise the answer is `Unknown` with the reason, or `Yes`.

pub mod expect;
pub mod goal;
mod runner;
pub mod smt;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use crate::channel::Channel;
use crate::graph::{AccessGraph, Fact, FactId, RuleIdx};
use crate::model::{LocationId, Model, PrincipalId, PrincipalKind};
use crate::query::ast::CapabilityKind;
use crate::query::resolve::{Actors, ResolvedForm, ResolvedQuery, Target};
use crate::search::{self, Closure, Filter};
use runner::Runner;

pub use goal::Goal;
pub use runner::Starts;

/// The verdict of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A path exists (exit 0).
    Yes,
    /// No path exists: proved (exit 1).
    No,
    /// The tool cannot decide (exit 3).
    Unknown,
}

impl Verdict {
    /// `yes`, `no` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Yes => "yes",
            Verdict::No => "no",
            Verdict::Unknown => "unknown",
        }
    }
}

/// An actor: a principal acting as itself, or an unauthenticated actor at a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Actor {
    /// A principal (a group means "a member of it, through it").
    Principal(PrincipalId),
    /// `anyone from L`.
    Anyone(LocationId),
}

impl Actor {
    /// How the actor is named in reports.
    pub fn label(self, m: &Model) -> String {
        match self {
            Actor::Principal(p) => {
                let principal = m.principal(p);
                match principal.kind {
                    PrincipalKind::Group => format!("{} (as group)", principal.name),
                    _ => principal.name.clone(),
                }
            }
            Actor::Anyone(l) => format!("anyone from {}", m.location(l).name),
        }
    }
}

/// A witness: the rule instances of one derivation, premises first, ending in the goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// Who.
    pub actor: Actor,
    /// The goal fact reached.
    pub goal: FactId,
    /// The steps (and the network instances they rely on), in order.
    pub rules: Vec<RuleIdx>,
    /// The derivation's depth.
    pub depth: u32,
}

/// One entry of a `who can` or `what can` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The actor.
    pub actor: Actor,
    /// The capability reached, as text (`data-read of mlstore`).
    pub capability: String,
    /// Its shortest witness.
    pub witness: Witness,
}

/// What a `no` proved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proof {
    /// Actors considered.
    pub actors: usize,
    /// Fixed points computed: one per class of equivalent actors (the same starting facts within the
    /// cone, or the same groups where the cone uses an actor's identity only through them).
    pub searches: usize,
    /// Facts derived, summed over the searches (a class of actors shares one; network endpoints no
    /// rule needed are not derived).
    pub facts: usize,
    /// Rule instances fired, summed over the searches.
    pub rules: usize,
    /// The backward cone the searches were confined to (facts, rule instances): what can lead to the
    /// goal at all. `None` when every search covered the whole graph (`what can`).
    pub cone: Option<(usize, usize)>,
}

/// The answer to a query.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The query as given.
    pub query: String,
    /// The verdict.
    pub verdict: Verdict,
    /// For `can`: witnesses, shortest first.
    pub witnesses: Vec<Witness>,
    /// For `who can` and `what can`: every entry with its shortest witness.
    pub listed: Vec<Listed>,
    /// Why the answer is unknown.
    pub unknown: Vec<String>,
    /// What was exhausted.
    pub proof: Proof,
    /// What the model format cannot hold, assumed absent.
    pub assumptions: Vec<String>,
    /// Other things the reader should know.
    pub notes: Vec<String>,
    /// For a `no` that depends on the network: which steps no packet can make, and the rules that stop
    /// them.
    pub network_blocks: Vec<String>,
    /// SMT-LIB scripts of the whole-query encoding, when asked for (`--dump-smt`, SMT engine).
    pub dumps: Vec<(String, String)>,
    /// Milliseconds taken.
    pub elapsed_ms: u128,
}

impl Answer {
    /// Every witness of the answer: those of a `can`, then those of the listed entries.
    pub fn every_witness(&self) -> impl Iterator<Item = &Witness> {
        self.witnesses.iter().chain(self.listed.iter().map(|l| &l.witness))
    }
}

/// How near its goal a single actor's `can` looks first ([`Runner::closure_near`]): the goal's
/// producers and their premises' producers. Further out, the cone of a goal most actors reach holds
/// much of a large estate.
const NEAR_LIMIT: u32 = 2;

/// What the model format cannot hold; every answer lists these (semantics §10, "Verdicts").
pub const ASSUMPTIONS: &[&str] = &[
    "deployment history with secrets in plain parameters (P23) is assumed absent",
    "workspace connections and their secrets (P24) are assumed absent",
    "environments with secrets (P25) are assumed absent",
    "group owners and Entra directory roles (e.g. Application Administrator, Global Administrator) are assumed absent",
    "existing federated credentials on user-assigned identities are assumed absent",
    "attached Kubernetes computes (P11) and serverless jobs are not modelled",
    "the management-group tree is not modelled",
];

/// Options of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// How many witnesses to keep for `can` (at least 1).
    pub paths: usize,
    /// Timeout of each solver call (SMT engine).
    pub timeout_ms: Option<u64>,
    /// Keep the SMT-LIB of the whole-query encoding (`--dump-smt`).
    pub dump: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            paths: 1,
            timeout_ms: None,
            dump: false,
        }
    }
}

/// The starting facts of an actor (for many actors, prepare [`Starts`] once).
pub fn start_facts(g: &AccessGraph, actor: Actor, from: Option<LocationId>) -> Vec<FactId> {
    Starts::new(g).of(actor, from)
}

/// Every principal (but identities of prospective resources) and anyone at every location.
pub fn every_actor(g: &AccessGraph) -> Vec<Actor> {
    let mut out = actors(g, &Actors::AnyOf(None), &[]);
    out.extend((0..g.model.locations.len()).map(|i| Actor::Anyone(LocationId::from_index(i))));
    out
}

/// Each actor's starting facts (sorted, without repeats): where every search of it begins.
pub fn starting_facts(g: &AccessGraph, actors: &[Actor]) -> Vec<Vec<FactId>> {
    let starts = runner::Starts::new(g);
    actors
        .iter()
        .map(|a| {
            let mut facts = starts.of(*a, None);
            facts.sort();
            facts.dedup();
            facts
        })
        .collect()
}

/// The actors a `who` denotes, without `excluding` and without identities of prospective resources.
pub fn actors(g: &AccessGraph, who: &Actors, excluding: &[PrincipalId]) -> Vec<Actor> {
    let m = &g.model;
    let real = |p: &PrincipalId| {
        !excluding.contains(p)
            && !matches!(m.principal(*p).identity_of, Some(crate::model::IdentityOf::SystemAssigned(r)) if m.resource(r).prospective)
    };
    let mut out: Vec<Actor> = match who {
        Actors::Principal(p) => vec![Actor::Principal(*p)],
        Actors::MembersOf(g_) => crate::rbac::groups::transitive_members(m, *g_)
            .into_iter()
            .filter(real)
            .map(Actor::Principal)
            .collect(),
        Actors::AnyOf(kind) => m
            .principal_ids()
            .filter(|p| kind.is_none_or(|k| m.principal(*p).kind == k))
            .filter(real)
            .map(Actor::Principal)
            .collect(),
        Actors::AnyoneFrom(l) => vec![Actor::Anyone(*l)],
    };
    out.retain(|a| match a {
        Actor::Principal(p) => !excluding.contains(p),
        Actor::Anyone(_) => true,
    });
    out
}

fn filter_of(q: &ResolvedQuery) -> Filter {
    Filter {
        avoiding: q.avoiding.clone(),
        excluding: q.excluding.clone(),
        max_depth: q.within,
    }
}

/// True when a goal fact is one of the actor's starting facts (`act-as` oneself): reached at depth 0.
fn starts_at_goal(c: &Closure, goal: &Goal) -> Option<FactId> {
    goal.facts.iter().copied().find(|f| c.is_start(*f))
}

/// The best ways a closure reaches a goal: final rule instances, shortest first.
fn reach_goal(g: &AccessGraph, c: &Closure, goal: &Goal, directly: bool, filter: &Filter) -> Vec<(u32, u32, RuleIdx)> {
    let mut finals = Vec::new();
    for f in &goal.facts {
        let Some(producers) = g.producers.get(f.0 as usize) else {
            continue;
        };
        for &r in producers {
            let Some(rule) = g.rule(r) else { continue };
            if directly && rule.channel == Channel::AzureMl {
                continue;
            }
            if !filter.allows(g, r) {
                continue;
            }
            if let Some((depth, steps)) = c.fires(g, r)
                && filter.max_depth.is_none_or(|m| depth <= m)
            {
                finals.push((depth, steps, r));
            }
        }
    }
    finals.sort_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| rule_order(g, a.2).cmp(&rule_order(g, b.2)))
    });
    finals
}

fn rule_order(g: &AccessGraph, r: RuleIdx) -> (&'static str, u32) {
    (g.rule(r).map_or("", |x| x.rule.as_str()), r.0)
}

fn witness(g: &AccessGraph, c: &Closure, actor: Actor, final_rule: RuleIdx, depth: u32) -> Witness {
    let Some(rule) = g.rule(final_rule) else {
        return Witness {
            actor,
            goal: FactId(0),
            rules: Vec::new(),
            depth,
        };
    };
    let mut rules = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut premises = rule.premises.clone();
    premises.sort_by_key(|p| (c.depth_of(*p), p.0));
    for p in premises {
        for r in search::derivation(g, c, p) {
            if seen.insert(r) {
                rules.push(r);
            }
        }
    }
    rules.push(final_rule);
    Witness {
        actor,
        goal: rule.conclusion,
        rules,
        depth,
    }
}

/// The steps towards a goal that need the network, found once per goal: every step rule instance of
/// the goal's backward cone (over steps) that needs a blocked endpoint, and the blocked network
/// premises by endpoint. Which of them stopped a given actor is then a look at that actor's closure.
struct NetworkFrontier {
    steps: Vec<RuleIdx>,
    blocked: HashMap<crate::graph::Endpoint, Vec<usize>>,
}

impl NetworkFrontier {
    fn of(g: &AccessGraph, goal: &Goal) -> NetworkFrontier {
        let mut cone: std::collections::HashSet<FactId> = goal.facts.iter().copied().collect();
        let mut todo: Vec<FactId> = goal.facts.clone();
        let mut steps = Vec::new();
        while let Some(f) = todo.pop() {
            for &r in g.producers.get(f.0 as usize).map_or(&[][..], Vec::as_slice) {
                let Some(rule) = g.rule(r) else { continue };
                if !rule.rule.is_step() {
                    continue;
                }
                steps.push(r);
                for p in &rule.premises {
                    if cone.insert(*p) {
                        todo.push(*p);
                    }
                }
            }
        }
        let mut blocked: HashMap<crate::graph::Endpoint, Vec<usize>> = HashMap::new();
        for (i, (_, endpoint, _)) in g.blocked.iter().enumerate() {
            blocked.entry(*endpoint).or_default().push(i);
        }
        // Only a step that needs a blocked endpoint can be stopped by the network.
        steps.retain(|r| {
            g.rule(*r).is_some_and(|rule| {
                rule.premises
                    .iter()
                    .any(|p| matches!(g.fact(*p), Some(Fact::Reach(e)) if blocked.contains_key(e)))
            })
        });
        NetworkFrontier { steps, blocked }
    }

    /// For an actor that does not reach the goal: the steps towards it whose other premises hold but
    /// whose network premise does not, with the rules that stop every packet from the actor's places.
    fn blocks(&self, g: &AccessGraph, c: &Closure, actor: Actor) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.steps {
            let premises = g.rule(*r).map_or(&[][..], |rule| &*rule.premises);
            let mut missing_net = Vec::new();
            let mut others_hold = true;
            for p in premises {
                match g.fact(*p) {
                    Some(Fact::Reach(e)) if !c.holds(*p) => missing_net.push(*e),
                    _ if !c.holds(*p) => others_hold = false,
                    _ => {}
                }
            }
            if !others_hold {
                continue;
            }
            for e in missing_net {
                for &i in self.blocked.get(&e).map_or(&[][..], Vec::as_slice) {
                    let Some((place, _, reason)) = g.blocked.get(i) else {
                        continue;
                    };
                    if g.fact_id(&Fact::At(*place)).is_some_and(|f| c.holds(f)) {
                        let step = crate::graph::text::summary(g, *r);
                        out.push(format!(
                            "{}: `{step}` needs the network: {reason}",
                            actor.label(&g.model)
                        ));
                    }
                }
            }
            if out.len() >= 20 {
                break;
            }
        }
        out.truncate(20);
        out
    }
}

/// Facts that, if reached, mean something unmodelled happened on the way (`facts`: every
/// `Unmodelled` fact of the graph).
fn unmodelled(g: &AccessGraph, c: &Closure, facts: &[FactId]) -> Vec<String> {
    let mut out = Vec::new();
    // A search stops early only once it reached its goal; should one ever stop without, what it did
    // not explore cannot back a `no`.
    if !c.complete {
        out.push("internal error: a search stopped before its fixed point without reaching the goal".into());
    }
    for f in facts.iter().filter(|f| c.holds(**f)) {
        if let Some(Fact::Unmodelled(r)) = g.fact(*f) {
            out.push(unmodelled_reason(g, *r));
        }
    }
    out
}

/// Why a closure that holds `Unmodelled(r)` may be incomplete.
pub fn unmodelled_reason(g: &AccessGraph, r: crate::model::ResourceId) -> String {
    let res = g.model.resource(r);
    format!(
        "the actor can change `{}` ({}), which has an identity; whether that runs code as the identity is not modelled",
        res.name, res.arm_type
    )
}

/// What one actor contributed to an answer.
#[derive(Default)]
struct Outcome {
    /// Ways to the goal (depth, steps, witness), shortest first.
    found: Vec<(u32, u32, Witness)>,
    /// Why a `no` for this actor is not proved.
    unknown: Vec<String>,
    /// What the network stopped on this actor's way.
    blocks: Vec<String>,
}

/// What a query needs to judge one actor's closure.
struct Judge<'a> {
    g: &'a AccessGraph,
    goal: &'a Goal,
    directly: bool,
    filter: &'a Filter,
    /// Witnesses kept per actor.
    paths: usize,
    unmodelled: Arc<[FactId]>,
    frontier: OnceLock<NetworkFrontier>,
    /// Where the least depth any actor reached the goal at is recorded, when only the shortest way
    /// of any actor is wanted (`Runner::shortest_of_any`).
    known: Option<Arc<AtomicU32>>,
}

impl<'a> Judge<'a> {
    /// A judge of `goal` for query `q`, keeping `paths` witnesses per actor.
    fn new(
        g: &'a AccessGraph,
        goal: &'a Goal,
        q: &ResolvedQuery,
        filter: &'a Filter,
        paths: usize,
        unmodelled: Arc<[FactId]>,
    ) -> Judge<'a> {
        Judge {
            g,
            goal,
            directly: q.directly,
            filter,
            paths,
            unmodelled,
            frontier: OnceLock::new(),
            known: None,
        }
    }

    /// The shortest ways the actor reaches the goal, or why it does not.
    fn outcome(&self, actor: Actor, c: &Closure) -> Outcome {
        let g = self.g;
        let mut o = Outcome::default();
        if let Some(f) = starts_at_goal(c, self.goal) {
            let witness = Witness {
                actor,
                goal: f,
                rules: Vec::new(),
                depth: 0,
            };
            o.found.push((0, 0, witness));
        } else if !c.sought_goal || c.reached_at != search::UNREACHED {
            // (A search that stopped at the goal and never concluded it leaves nothing to find:
            // the goal's producers can be thousands, and the actors many.)
            for (depth, steps, r) in reach_goal(g, c, self.goal, self.directly, self.filter)
                .into_iter()
                .take(self.paths.max(1))
            {
                o.found.push((depth, steps, witness(g, c, actor, r, depth)));
            }
        }
        if let (Some(known), Some(depth)) = (&self.known, o.found.iter().map(|x| x.0).min()) {
            known.fetch_min(depth, Ordering::Relaxed);
        }
        if o.found.is_empty() {
            o.unknown = unmodelled(g, c, &self.unmodelled);
            if g.blocked.is_empty() {
                // Nothing the network blocks: nothing to explain.
                return o;
            }
            let frontier = self.frontier.get_or_init(|| NetworkFrontier::of(g, self.goal));
            o.blocks = frontier.blocks(g, c, actor);
        }
        o
    }
}

/// Decides a query on a graph.
pub fn run(g: &AccessGraph, q: &ResolvedQuery, options: &Options) -> Answer {
    let started = Instant::now();
    let filter = filter_of(q);
    let mut runner = Runner::new(g, filter.clone(), q.from);
    let mut answer = Answer {
        query: q.text.clone(),
        verdict: Verdict::No,
        witnesses: Vec::new(),
        listed: Vec::new(),
        unknown: Vec::new(),
        proof: Proof::default(),
        assumptions: ASSUMPTIONS.iter().map(|s| s.to_string()).collect(),
        notes: Vec::new(),
        network_blocks: Vec::new(),
        dumps: Vec::new(),
        elapsed_ms: 0,
    };
    if !g.network_applied && !q.ignoring_network {
        answer.notes.push(
            "network reasoning was not applied: every network premise was assumed to hold, so a `no` does not depend on the network".into(),
        );
    }
    match &q.form {
        ResolvedForm::Can(who, target) => {
            let goal = goal::of(g, target);
            let actors_list = actors(g, who, &q.excluding);
            // One path per actor needs only the shortest; more need the whole closure.
            if options.paths <= 1 {
                runner.stop_at(&goal, q.directly);
            }
            let judge = Judge::new(g, &goal, q, &filter, options.paths, runner.unmodelled.clone());
            let outcomes = match actors_list.as_slice() {
                [actor] if options.paths <= 1 => {
                    // A single actor's own search decides, without the goal's whole cone (most of a
                    // large estate for a goal most actors reach): first near the goal, where most
                    // ways in end and the cone is small, then unconfined. A `no` is that search
                    // run to its fixed point.
                    let c = runner
                        .closure_near(*actor, &goal, NEAR_LIMIT)
                        .unwrap_or_else(|| runner.closure(*actor));
                    vec![judge.outcome(*actor, &c)]
                }
                _ if options.paths <= 1 => {
                    // Only the shortest way of any actor is printed: once one actor is known to
                    // reach the goal at depth d, the other searches need not look past d. Most
                    // questions are settled near the goal, in a cone a fraction of the whole.
                    let judge = Judge {
                        known: Some(runner.shortest_of_any()),
                        ..judge
                    };
                    runner.focus_near(&goal, NEAR_LIMIT);
                    let near = runner.each(&actors_list, |actor, c| judge.outcome(actor, c));
                    if near.iter().any(|o| !o.found.is_empty()) {
                        near
                    } else {
                        runner.focus(&goal);
                        runner.each(&actors_list, |actor, c| judge.outcome(actor, c))
                    }
                }
                _ => {
                    runner.focus(&goal);
                    runner.each(&actors_list, |actor, c| judge.outcome(actor, c))
                }
            };
            let mut found: Vec<(u32, u32, Witness)> = Vec::new();
            for o in outcomes {
                found.extend(o.found);
                answer.unknown.extend(o.unknown);
                answer.network_blocks.extend(o.blocks);
            }
            // What the network stopped explains a `no`; a path makes it moot.
            if !found.is_empty() {
                answer.network_blocks.clear();
            }
            // Shortest first; with several actors, one path per actor before a second path of any.
            found.sort_by_key(|a| (a.0, a.1, a.2.actor, a.2.rules.len()));
            let mut seen_actors = std::collections::HashSet::new();
            let (first, rest): (Vec<_>, Vec<_>) = found.into_iter().partition(|x| seen_actors.insert(x.2.actor));
            let found: Vec<_> = first.into_iter().chain(rest).collect();
            answer.witnesses = found
                .into_iter()
                .take(options.paths.max(1))
                .map(|(_, _, w)| w)
                .collect();
        }
        ResolvedForm::WhoCan(target) => {
            let goal = goal::of(g, target);
            runner.focus(&goal);
            runner.stop_at(&goal, q.directly);
            let who = Actors::AnyOf(None);
            let mut actors_list = actors(g, &who, &q.excluding);
            actors_list.extend(
                g.model
                    .locations
                    .iter()
                    .enumerate()
                    .map(|(i, _)| Actor::Anyone(LocationId::from_index(i))),
            );
            if let Some(l) = q.from {
                actors_list.retain(|a| !matches!(a, Actor::Anyone(x) if *x != l));
            }
            let judge = Judge::new(g, &goal, q, &filter, 1, runner.unmodelled.clone());
            let outcomes = runner.each(&actors_list, |actor, c| judge.outcome(actor, c));
            for (actor, o) in actors_list.iter().zip(outcomes) {
                if let Some((_, _, witness)) = o.found.into_iter().next() {
                    answer.listed.push(Listed {
                        actor: *actor,
                        capability: goal.text.clone(),
                        witness,
                    });
                }
                answer.unknown.extend(o.unknown);
                answer.network_blocks.extend(o.blocks);
            }
        }
        ResolvedForm::WhatCan(who) => {
            let capabilities = goal::all_capabilities(g);
            for actor in actors(g, who, &q.excluding) {
                let c = runner.closure(actor);
                for goal in &capabilities {
                    if !may_fire(&c, goal) {
                        continue;
                    }
                    if let Some((depth, _, r)) = reach_goal(g, &c, goal, q.directly, &filter).into_iter().next() {
                        answer.listed.push(Listed {
                            actor,
                            capability: goal.text.clone(),
                            witness: witness(g, &c, actor, r, depth),
                        });
                    }
                }
                answer.unknown.extend(unmodelled(g, &c, &runner.unmodelled));
            }
        }
    }
    answer.unknown.sort();
    answer.unknown.dedup();
    answer.network_blocks.sort();
    answer.network_blocks.dedup();
    let reached = !answer.witnesses.is_empty() || !answer.listed.is_empty();
    // A `can` with a path is decided whatever else is undecided; a list (`who can`, `what can`) is
    // complete only when every network premise was decided.
    let is_list = !matches!(q.form, ResolvedForm::Can(..));
    if (!reached || is_list) && !q.ignoring_network {
        answer.unknown.extend(undecided_network(g));
    }
    if reached && !is_list {
        // A path decides a `can`; what stayed undecided elsewhere does not matter.
        answer.unknown.clear();
    }
    answer.verdict = if reached {
        Verdict::Yes
    } else if !answer.unknown.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::No
    };
    answer.proof = runner.proof;
    answer.elapsed_ms = started.elapsed().as_millis();
    answer
}

/// Why an answer that rests on the network may be incomplete: the network premises of `g` that could
/// not be decided (the first five).
pub fn undecided_network(g: &AccessGraph) -> Vec<String> {
    let mut out = Vec::new();
    if g.undecided.len() > 5 {
        out.push(format!(
            "{} network premises could not be decided; the first five follow",
            g.undecided.len()
        ));
    }
    for (place, endpoint, reason) in g.undecided.iter().take(5) {
        out.push(format!(
            "the network premise from {} to {} could not be decided: {reason}",
            crate::graph::text::place_text(&g.model, *place),
            crate::graph::text::endpoint_text(&g.model, *endpoint)
        ));
    }
    out
}

/// False when no producer of `goal` can fire in `c`: a complete closure holds every conclusion of an
/// instance that fires in it, so a goal none of whose facts it holds has none. Most goals, for most
/// actors, and far cheaper to rule out than to look at every producer.
fn may_fire(c: &Closure, goal: &Goal) -> bool {
    !c.complete || goal.facts.iter().any(|f| c.holds(*f))
}

/// For each actor, the capabilities `what can ACTOR reach` lists (by text), without their witnesses,
/// and why its closure may be incomplete (its unmodelled facts; the network's undecided premises are
/// [`undecided_network`]). A witness per capability is most of the cost of `what can`; a comparison
/// of two models needs witnesses only for what an actor gains. The actors are searched in parallel,
/// the results in their order.
pub fn capabilities_reached(g: &AccessGraph, actors: &[Actor]) -> Vec<(BTreeSet<String>, Vec<String>)> {
    let capabilities = goal::all_capabilities(g);
    let filter = Filter::default();
    let mut runner = Runner::new(g, filter.clone(), None);
    let unmodelled_facts = runner.unmodelled.clone();
    runner.each(actors, |_, c| {
        let reached = capabilities
            .iter()
            .filter(|goal| {
                // A goal derived in the search has a producer that fires (the one that derived it);
                // one held only from the start may have none, as `what can` sees it.
                goal.facts.iter().any(|f| c.via_of(*f).is_some())
                    || may_fire(c, goal) && !reach_goal(g, c, goal, false, &filter).is_empty()
            })
            .map(|goal| goal.text.clone())
            .collect();
        (reached, unmodelled(g, c, &unmodelled_facts))
    })
}

/// The capability a target denotes, as text.
pub fn target_text(t: &Target) -> String {
    format!("{} {}", t.kind.keyword(), t.written)
}

/// True for capability kinds whose object is a storage account.
pub fn is_data(kind: CapabilityKind) -> bool {
    matches!(
        kind,
        CapabilityKind::Data | CapabilityKind::DataRead | CapabilityKind::DataWrite
    )
}
