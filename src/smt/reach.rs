//! The whole query as a second, independent encoding for Z3 (`--engine smt`, `--engine both`).
//!
//! Encoding: layered reachability with definitions. For every fact `f` and layer `k`, a Boolean
//! `h[k][f]` is *defined* (not constrained) as: `f` held at layer `k-1`, or some allowed step rule
//! concluding `f` has all its premises at layer `k-1`; then closed under the rules that are not steps
//! (places and network premises), which keep the layer. Layer 0 is the actor's starting facts closed the
//! same way. Because every variable is defined, one `check` per layer computes the layer exactly, and:
//! - the goal is reached at the least `k` where an allowed rule concluding it fires from layer `k-1`
//!   (`directly` excludes `azureml` conclusions), so depths agree with the graph engine's;
//! - `no` is proved when layer `k+1` equals layer `k` (the least fixed point) without the goal, or at
//!   `within N` steps;
//! - a witness is read back from the model: for each fact, a rule whose premises held one layer earlier.
//!
//! A solver timeout makes the outcome unknown, never no.

use std::collections::HashMap;

use z3::ast::Bool;
use z3::{Params, SatResult, Solver};

use crate::graph::{AccessGraph, FactId, RuleIdx};
use crate::search::Filter;

/// The layers Z3 computed for one actor: `values[k][f]` says fact `f` holds at depth `k` or less.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layers {
    /// One vector of truth values per layer, up to the fixed point or the depth bound.
    pub values: Vec<Vec<bool>>,
    /// The depth bound (`within N`), if any.
    pub limit: Option<u32>,
    allowed: Vec<bool>,
}

impl Layers {
    /// Facts true in the last layer.
    pub fn facts(&self) -> usize {
        self.values.last().map_or(0, |l| l.iter().filter(|x| **x).count())
    }

    /// Where the goal is reached: the least depth and a derivation (premises first), if it is.
    pub fn reach(&self, g: &AccessGraph, goal: &[FactId], directly: bool) -> Option<(u32, Vec<RuleIdx>)> {
        for (k, layer) in self.values.iter().enumerate() {
            let k = u32::try_from(k).unwrap_or(u32::MAX);
            if self.limit.is_some_and(|l| k >= l) {
                break;
            }
            if let Some(r) = goal_rule(g, goal, directly, &self.allowed, layer) {
                return Some((k + 1, witness(g, &self.values, r, &self.allowed)));
            }
        }
        None
    }
}

/// Computes the layers of an actor with Z3, to the least fixed point (or `within N`).
pub fn layers(
    g: &AccessGraph,
    start: &[FactId],
    filter: &Filter,
    timeout_ms: Option<u64>,
    mut dump: Option<&mut String>,
) -> Result<Layers, String> {
    let solver = Solver::new();
    if let Some(ms) = timeout_ms {
        let mut p = Params::new();
        p.set_u32("timeout", u32::try_from(ms).unwrap_or(u32::MAX));
        solver.set_params(&p);
    }
    let n = g.fact_count();
    let allowed: Vec<bool> = (0..g.rules.len())
        .map(|i| filter.allows(g, RuleIdx(u32::try_from(i).unwrap_or(u32::MAX))))
        .collect();
    let steps: Vec<RuleIdx> = rule_ids(g, &allowed, true);
    let free: Vec<RuleIdx> = rule_ids(g, &allowed, false);
    let rounds = nonstep_depth(g, &free);
    let mut base: Vec<Bool> = (0..n)
        .map(|i| Bool::from_bool(start.contains(&FactId(u32::try_from(i).unwrap_or(0)))))
        .collect();
    base = close(g, &free, base, rounds);
    let mut current = define(&solver, 0, base);
    let mut values: Vec<Vec<bool>> = Vec::new();
    let mut k: u32 = 0;
    let started = std::time::Instant::now();
    loop {
        let result = solver.check();
        // Z3 checks its timer only now and then; a run that overran its budget is unknown all the same.
        if let Some(ms) = timeout_ms
            && started.elapsed().as_millis() >= u128::from(ms)
        {
            return Err(format!("timeout ({ms} ms)"));
        }
        match result {
            SatResult::Sat => {}
            SatResult::Unknown => {
                return Err(solver
                    .get_reason_unknown()
                    .unwrap_or_else(|| "the solver gave up".into()));
            }
            SatResult::Unsat => return Err("the layer definitions are inconsistent".into()),
        }
        let model = solver.get_model().ok_or("the solver gave no model")?;
        let now: Vec<bool> = current
            .iter()
            .map(|b| model.eval(b, true).and_then(|v| v.as_bool()).unwrap_or(false))
            .collect();
        let fixed = values.last() == Some(&now);
        values.push(now);
        if fixed || filter.max_depth.is_some_and(|m| k >= m) || k as usize > n + 1 {
            if let Some(d) = dump.as_deref_mut() {
                d.push_str(&solver.to_smt2());
            }
            return Ok(Layers {
                values,
                limit: filter.max_depth,
                allowed,
            });
        }
        let prev = current.clone();
        let mut next: Vec<Bool> = prev.clone();
        for &r in &steps {
            let Some(rule) = g.rule(r) else { continue };
            let fire = Bool::and(
                &rule
                    .premises
                    .iter()
                    .filter_map(|p| prev.get(p.0 as usize).cloned())
                    .collect::<Vec<_>>(),
            );
            if let Some(slot) = next.get_mut(rule.conclusion.0 as usize) {
                *slot = Bool::or(&[slot.clone(), fire]);
            }
        }
        let next = close(g, &free, next, rounds);
        k += 1;
        current = define(&solver, k, next);
    }
}

fn rule_ids(g: &AccessGraph, allowed: &[bool], step: bool) -> Vec<RuleIdx> {
    g.rules
        .iter()
        .enumerate()
        .filter(|(i, r)| allowed.get(*i).copied().unwrap_or(false) && r.rule.is_step() == step)
        .map(|(i, _)| RuleIdx(u32::try_from(i).unwrap_or(u32::MAX)))
        .collect()
}

/// The longest chain of rules that are not steps (places, network): that many closure rounds suffice.
fn nonstep_depth(g: &AccessGraph, free: &[RuleIdx]) -> usize {
    let mut depth: HashMap<FactId, usize> = HashMap::new();
    let mut changed = true;
    let mut rounds = 0;
    while changed && rounds <= free.len() {
        changed = false;
        rounds += 1;
        for r in free {
            let Some(rule) = g.rule(*r) else { continue };
            let d = rule
                .premises
                .iter()
                .map(|p| depth.get(p).copied().unwrap_or(0))
                .max()
                .unwrap_or(0)
                + 1;
            if depth.get(&rule.conclusion).copied().unwrap_or(0) < d {
                depth.insert(rule.conclusion, d);
                changed = true;
            }
        }
    }
    depth.values().copied().max().unwrap_or(0)
}

fn close(g: &AccessGraph, free: &[RuleIdx], mut layer: Vec<Bool>, rounds: usize) -> Vec<Bool> {
    for _ in 0..rounds {
        let prev = layer.clone();
        for &r in free {
            let Some(rule) = g.rule(r) else { continue };
            let fire = Bool::and(
                &rule
                    .premises
                    .iter()
                    .filter_map(|p| prev.get(p.0 as usize).cloned())
                    .collect::<Vec<_>>(),
            );
            if let Some(slot) = layer.get_mut(rule.conclusion.0 as usize) {
                *slot = Bool::or(&[slot.clone(), fire]);
            }
        }
    }
    layer
}

/// Names every fact of a layer with a defined constant, so terms stay small.
fn define(solver: &Solver, k: u32, layer: Vec<Bool>) -> Vec<Bool> {
    layer
        .into_iter()
        .enumerate()
        .map(|(i, def)| {
            let v = Bool::new_const(format!("h_{k}_{i}"));
            solver.assert(v.eq(&def));
            v
        })
        .collect()
}

fn fires(g: &AccessGraph, r: RuleIdx, layer: &[bool]) -> bool {
    g.rule(r).is_some_and(|rule| {
        rule.premises
            .iter()
            .all(|p| layer.get(p.0 as usize).copied().unwrap_or(false))
    })
}

/// An allowed rule concluding a goal fact whose premises all hold in `layer`, in a fixed order.
fn goal_rule(g: &AccessGraph, goal: &[FactId], directly: bool, allowed: &[bool], layer: &[bool]) -> Option<RuleIdx> {
    let mut candidates: Vec<RuleIdx> = goal
        .iter()
        .flat_map(|f| g.producers.get(f.0 as usize).cloned().unwrap_or_default())
        .filter(|r| allowed.get(r.0 as usize).copied().unwrap_or(false))
        .filter(|r| {
            !directly
                || g.rule(*r)
                    .is_some_and(|x| x.channel != crate::channel::Channel::AzureMl)
        })
        .filter(|r| fires(g, *r, layer))
        .collect();
    candidates.sort_by_key(|r| (g.rule(*r).map_or("", |x| x.rule.as_str()), r.0));
    candidates.first().copied()
}

/// Reads a derivation back from the layers: each fact through a rule whose premises held one layer
/// earlier (or, for rules that are not steps, in the same layer).
fn witness(g: &AccessGraph, layers: &[Vec<bool>], last: RuleIdx, allowed: &[bool]) -> Vec<RuleIdx> {
    let first = |f: FactId| {
        layers
            .iter()
            .position(|l| l.get(f.0 as usize).copied().unwrap_or(false))
    };
    let mut out = Vec::new();
    let mut done: std::collections::HashSet<FactId> = std::collections::HashSet::new();
    let mut stack: Vec<(RuleIdx, bool)> = vec![(last, false)];
    while let Some((r, expanded)) = stack.pop() {
        let Some(rule) = g.rule(r) else { continue };
        if expanded {
            if !out.contains(&r) {
                out.push(r);
            }
            continue;
        }
        stack.push((r, true));
        let mut premises = rule.premises.clone();
        premises.sort();
        for p in premises.into_iter().rev() {
            if !done.insert(p) {
                continue;
            }
            let Some(k) = first(p) else { continue };
            let Some(layer) = layers.get(k) else { continue };
            // Starting facts have no producer that fires before them.
            let producers = g.producers.get(p.0 as usize).cloned().unwrap_or_default();
            let mut by: Vec<RuleIdx> = producers
                .into_iter()
                .filter(|x| allowed.get(x.0 as usize).copied().unwrap_or(false))
                .filter(|x| {
                    let step = g.rule(*x).is_some_and(|y| y.rule.is_step());
                    match (step, k) {
                        (true, 0) => false,
                        (true, k) => layers.get(k - 1).is_some_and(|l| fires(g, *x, l)),
                        (false, _) => fires(g, *x, layer) && !g.rule(*x).is_some_and(|y| y.premises.contains(&p)),
                    }
                })
                .collect();
            by.sort_by_key(|x| (g.rule(*x).map_or("", |y| y.rule.as_str()), x.0));
            if let Some(x) = by.first() {
                stack.push((*x, false));
            }
        }
    }
    out
}
