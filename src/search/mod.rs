//! The graph engine: forward chaining over the AND/OR graph from one actor's starting facts, to the
//! least fixed point, breadth-first so that every fact gets its least depth (semantics §10, "Steps and
//! shortest": least depth, then fewest steps, then rule id). Linear in the part of the graph touched.
//!
//! **Architecture invariant:** no network or RBAC question is asked here; everything was decided when
//! the graph was built. A fact not reached after the fixed point is not reachable under the filter.

use std::collections::VecDeque;

use crate::channel::Channel;
use crate::graph::{AccessGraph, FactId, RuleIdx};
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

/// The least fixed point for one actor: each fact's depth, step count and the rule instance that
/// derived it first (none for starting facts).
#[derive(Debug, Clone)]
pub struct Closure {
    /// Depth of each fact (`UNREACHED` when not derived).
    pub depth: Vec<u32>,
    /// Steps of the derivation recorded for each fact (shared premises counted once per use).
    pub steps: Vec<u32>,
    /// The rule instance that derived each fact.
    pub via: Vec<Option<RuleIdx>>,
    /// How many facts were derived.
    pub facts_reached: usize,
    /// How many rule instances fired.
    pub rules_fired: usize,
}

impl Closure {
    /// True when the fact was derived.
    pub fn holds(&self, f: FactId) -> bool {
        self.depth.get(f.0 as usize).is_some_and(|d| *d != UNREACHED)
    }

    /// The depth of a fact.
    pub fn depth_of(&self, f: FactId) -> u32 {
        self.depth.get(f.0 as usize).copied().unwrap_or(UNREACHED)
    }

    /// The step count of a fact.
    pub fn steps_of(&self, f: FactId) -> u32 {
        self.steps.get(f.0 as usize).copied().unwrap_or(UNREACHED)
    }

    /// When every premise of a rule instance holds: the depth and steps its conclusion would get.
    pub fn fires(&self, g: &AccessGraph, r: RuleIdx) -> Option<(u32, u32)> {
        let rule = g.rule(r)?;
        let mut depth = 0;
        let mut steps: u32 = 0;
        for p in &rule.premises {
            if !self.holds(*p) {
                return None;
            }
            depth = depth.max(self.depth_of(*p));
            steps = steps.saturating_add(self.steps_of(*p));
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
#[derive(Debug, Clone)]
pub struct Cone {
    facts: Vec<bool>,
    rules: Vec<bool>,
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
            fact_count: 0,
            rule_count: 0,
        };
        let mut todo: Vec<FactId> = Vec::new();
        for &f in goals {
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
                for &p in g.rule(r).map_or(&[][..], |x| x.premises.as_slice()) {
                    if cone.add_fact(p) {
                        todo.push(p);
                    }
                }
            }
        }
        cone
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
    closure_within(g, start, filter, None)
}

/// [`closure`], restricted to a backward cone when one is given: only the cone's rule instances fire,
/// so the work is proportional to the part of the graph that can matter for the cone's goals.
pub fn closure_within(g: &AccessGraph, start: &[FactId], filter: &Filter, cone: Option<&Cone>) -> Closure {
    let n = g.fact_count();
    let mut c = Closure {
        depth: vec![UNREACHED; n],
        steps: vec![UNREACHED; n],
        via: vec![None; n],
        facts_reached: 0,
        rules_fired: 0,
    };
    let mut remaining: Vec<u32> = g.premise_counts().to_vec();
    let mut done = vec![false; n];
    let mut queue: VecDeque<FactId> = VecDeque::new();
    let mut start: Vec<FactId> = start.to_vec();
    start.sort();
    start.dedup();
    for f in start {
        if let (Some(d), Some(s)) = (c.depth.get_mut(f.0 as usize), c.steps.get_mut(f.0 as usize)) {
            *d = 0;
            *s = 0;
            queue.push_back(f);
        }
    }
    // Rules without premises would fire for everyone; the builder makes none, but be exact anyway.
    while let Some(f) = queue.pop_front() {
        let fi = f.0 as usize;
        if done.get(fi).copied().unwrap_or(true) {
            continue;
        }
        if let Some(d) = done.get_mut(fi) {
            *d = true;
        }
        c.facts_reached += 1;
        let Some(consumers) = g.consumers.get(fi) else { continue };
        for &r in consumers {
            if cone.is_some_and(|k| !k.has_rule(r)) {
                continue;
            }
            let Some(left) = remaining.get_mut(r.0 as usize) else {
                continue;
            };
            *left = left.saturating_sub(1);
            if *left != 0 || !filter.allows(g, r) {
                continue;
            }
            let Some((depth, steps)) = c.fires(g, r) else { continue };
            if filter.max_depth.is_some_and(|m| depth > m) {
                continue;
            }
            c.rules_fired += 1;
            let Some(rule) = g.rule(r) else { continue };
            let ci = rule.conclusion.0 as usize;
            if done.get(ci).copied().unwrap_or(true) {
                continue;
            }
            let (old_d, old_s) = (c.depth_of(rule.conclusion), c.steps_of(rule.conclusion));
            let better = depth < old_d || (depth == old_d && steps < old_s);
            if better {
                if let Some(x) = c.depth.get_mut(ci) {
                    *x = depth;
                }
                if let Some(x) = c.steps.get_mut(ci) {
                    *x = steps;
                }
                if let Some(x) = c.via.get_mut(ci) {
                    *x = Some(r);
                }
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
    let Some(Some(r)) = c.via.get(f.0 as usize) else { return };
    let Some(rule) = g.rule(*r) else { return };
    // Premises in a deterministic order: shallower first, then by id.
    let mut premises = rule.premises.clone();
    premises.sort_by_key(|p| (c.depth_of(*p), p.0));
    for p in premises {
        collect(g, c, p, out, seen);
    }
    out.push(*r);
}
