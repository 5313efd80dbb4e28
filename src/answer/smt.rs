//! Deciding a query with the SMT engine (`smt::reach`), and comparing its answer with the graph
//! engine's (`--engine both`): verdicts, listed entries and least depths must agree.

use std::collections::BTreeSet;
use std::time::Instant;

use super::goal::{self, Goal};
use super::{ASSUMPTIONS, Actor, Answer, Listed, Options, Proof, Starts, Verdict, Witness, actors};
use crate::graph::AccessGraph;
use crate::model::LocationId;
use crate::query::resolve::{Actors, ResolvedForm, ResolvedQuery};
use crate::search::Filter;
use crate::smt::reach::{Layers, layers};

fn filter_of(q: &ResolvedQuery) -> Filter {
    Filter {
        avoiding: q.avoiding.clone(),
        excluding: q.excluding.clone(),
        max_depth: q.within,
    }
}

fn hit(
    g: &AccessGraph,
    l: &Layers,
    actor: Actor,
    goal: &Goal,
    directly: bool,
    start: &[crate::graph::FactId],
) -> Option<Witness> {
    if let Some(f) = goal.facts.iter().find(|f| start.contains(f)) {
        return Some(Witness {
            actor,
            goal: *f,
            rules: Vec::new(),
            depth: 0,
        });
    }
    let (depth, rules) = l.reach(g, &goal.facts, directly)?;
    let last = rules.last().and_then(|r| g.rule(*r)).map(|r| r.conclusion)?;
    Some(Witness {
        actor,
        goal: last,
        rules,
        depth,
    })
}

/// Decides a query with Z3.
pub fn run(g: &AccessGraph, q: &ResolvedQuery, options: &Options) -> Answer {
    let started = Instant::now();
    let filter = filter_of(q);
    let mut answer = Answer {
        query: q.text.clone(),
        verdict: Verdict::No,
        witnesses: Vec::new(),
        listed: Vec::new(),
        unknown: Vec::new(),
        proof: Proof::default(),
        assumptions: ASSUMPTIONS.iter().map(|s| s.to_string()).collect(),
        notes: vec!["decided by the SMT engine (Z3)".to_string()],
        network_blocks: Vec::new(),
        dumps: Vec::new(),
        elapsed_ms: 0,
    };
    let starts = Starts::new(g);
    let solve = |actor: Actor, answer: &mut Answer| -> Option<(Layers, Vec<crate::graph::FactId>)> {
        let start = starts.of(actor, q.from);
        let mut script = String::new();
        let result = layers(
            g,
            &start,
            &filter,
            options.timeout_ms,
            options.dump.then_some(&mut script),
        );
        if options.dump {
            answer.dumps.push((format!("reach-{}", actor.label(&g.model)), script));
        }
        match result {
            Ok(l) => {
                answer.proof.actors += 1;
                answer.proof.searches += 1;
                answer.proof.facts += l.facts();
                Some((l, start))
            }
            Err(reason) => {
                answer
                    .unknown
                    .push(format!("the solver gave up for {}: {reason}", actor.label(&g.model)));
                None
            }
        }
    };
    match &q.form {
        ResolvedForm::Can(who, target) => {
            let goal = goal::of(g, target);
            let mut found: Vec<Witness> = Vec::new();
            for actor in actors(g, who, &q.excluding) {
                if let Some((l, start)) = solve(actor, &mut answer)
                    && let Some(w) = hit(g, &l, actor, &goal, q.directly, &start)
                {
                    found.push(w);
                }
            }
            found.sort_by_key(|w| (w.depth, w.actor));
            answer.witnesses = found.into_iter().take(options.paths.max(1)).collect();
        }
        ResolvedForm::WhoCan(target) => {
            let goal = goal::of(g, target);
            let mut list = actors(g, &Actors::AnyOf(None), &q.excluding);
            list.extend((0..g.model.locations.len()).map(|i| Actor::Anyone(LocationId::from_index(i))));
            if let Some(l) = q.from {
                list.retain(|a| !matches!(a, Actor::Anyone(x) if *x != l));
            }
            for actor in list {
                if let Some((l, start)) = solve(actor, &mut answer)
                    && let Some(w) = hit(g, &l, actor, &goal, q.directly, &start)
                {
                    answer.listed.push(Listed {
                        actor,
                        capability: goal.text.clone(),
                        witness: w,
                    });
                }
            }
        }
        ResolvedForm::WhatCan(who) => {
            for actor in actors(g, who, &q.excluding) {
                if let Some((l, start)) = solve(actor, &mut answer) {
                    for goal in goal::all_capabilities(g) {
                        if let Some(w) = hit(g, &l, actor, &goal, q.directly, &start) {
                            answer.listed.push(Listed {
                                actor,
                                capability: goal.text.clone(),
                                witness: w,
                            });
                        }
                    }
                }
            }
        }
    }
    answer.verdict = if !answer.witnesses.is_empty() || !answer.listed.is_empty() {
        Verdict::Yes
    } else if !answer.unknown.is_empty() || !g.undecided.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::No
    };
    answer.elapsed_ms = started.elapsed().as_millis();
    answer
}

/// Checks that two answers to the same query agree: the same verdict (unless either is unknown), the
/// same listed entries, and the same least depth.
pub fn agree(g: &AccessGraph, a: &Answer, b: &Answer) -> Result<(), String> {
    if a.verdict == Verdict::Unknown || b.verdict == Verdict::Unknown {
        return Ok(());
    }
    if a.verdict != b.verdict {
        return Err(format!(
            "graph says {}, SMT says {}",
            a.verdict.as_str(),
            b.verdict.as_str()
        ));
    }
    let set = |x: &Answer| -> BTreeSet<(String, String, u32)> {
        x.listed
            .iter()
            .map(|l| (l.actor.label(&g.model), l.capability.clone(), l.witness.depth))
            .collect()
    };
    let (sa, sb) = (set(a), set(b));
    if sa != sb {
        let only_a: Vec<_> = sa.difference(&sb).collect();
        let only_b: Vec<_> = sb.difference(&sa).collect();
        return Err(format!(
            "listed entries differ: graph only {only_a:?}, SMT only {only_b:?}"
        ));
    }
    let depth = |x: &Answer| x.witnesses.first().map(|w| w.depth);
    if depth(a) != depth(b) {
        return Err(format!("least depth differs: graph {:?}, SMT {:?}", depth(a), depth(b)));
    }
    Ok(())
}
