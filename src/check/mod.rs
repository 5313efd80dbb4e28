//! `check`: every expectation of some suites decided on a model (`docs/queries.md`, Suites), in
//! parallel, with results in suite order whatever the thread count. With a baseline model, an
//! expectation fails only when its failure involves access the baseline did not have.

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::answer::expect::{Outcome, evaluate};
use crate::answer::{self, Answer, Options, Verdict};
use crate::diag::Diagnostic;
use crate::graph::AccessGraph;
use crate::graph::build::{build, build_prepared};
use crate::graph::network::{AssumedOpen, NetworkOracle};
use crate::model::Model;
use crate::query::suite::{Expect, Expectation};
use crate::query::{self, ResolvedQuery};
use crate::smt::oracle::Z3Oracle;
use crate::{timing, witness};

/// Which engine decides the expectations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The graph engine.
    Graph,
    /// The SMT engine.
    Smt,
    /// Both; a disagreement is an internal error.
    Both,
}

/// Which graphs of a model a run needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// The graph with the network decided by Z3.
    pub network: bool,
    /// The graph with every network premise assumed to hold.
    pub open: bool,
}

impl Needs {
    /// Both graphs.
    pub const BOTH: Needs = Needs {
        network: true,
        open: true,
    };

    /// The graphs the expectations' queries are decided on: the one ignoring the network for a query
    /// that says `ignoring network`, the other for every other query. A query that does not parse
    /// needs neither (it is reported as an error, not decided).
    pub fn of(expectations: &[Expectation]) -> Needs {
        let mut needs = Needs {
            network: false,
            open: false,
        };
        for e in expectations {
            if let Ok(q) = query::parse(&e.query) {
                if q.constraints.contains(&query::ast::Constraint::IgnoringNetwork) {
                    needs.open = true;
                } else {
                    needs.network = true;
                }
            }
        }
        needs
    }

    /// These and `other`.
    pub fn and(self, other: Needs) -> Needs {
        Needs {
            network: self.network || other.network,
            open: self.open || other.open,
        }
    }
}

/// The graphs of one model: with the network decided, and ignoring it. Either may be left unbuilt
/// when nothing needs it (the decided one asks Z3 about every place and endpoint, which at tenant
/// scale is most of the cost); a query whose graph was not built is an error, never a `no`.
pub struct Graphs {
    network: Option<AccessGraph>,
    open: Option<AccessGraph>,
    /// The model with its prospective resources, made once: both graphs are built from it and every
    /// witness is replayed against it.
    prepared: Arc<Model>,
}

/// A model with its prospective resources, shared by its graphs (`witness::prepare`).
fn prepare(m: &Model) -> Arc<Model> {
    Arc::new(timing::stage("build: prospective resources", || witness::prepare(m)))
}

fn prepare_owned(m: Model) -> Arc<Model> {
    Arc::new(timing::stage("build: prospective resources", || {
        witness::prepare_owned(m)
    }))
}

impl Graphs {
    /// Builds both graphs of a model.
    pub fn build(m: &Model, timeout_ms: Option<u64>) -> Graphs {
        Graphs::build_for(m, timeout_ms, Needs::BOTH)
    }

    /// Builds the graphs of a model that `needs` names.
    pub fn build_for(m: &Model, timeout_ms: Option<u64>, needs: Needs) -> Graphs {
        Graphs::build_with(m, &Z3Oracle::new(timeout_ms, false), needs)
    }

    /// Builds the graphs that `needs` names of a model before and after a change. Where the change
    /// leaves the network alone ([`Model::same_network`] of the models with their prospective
    /// resources), the second model's network questions are answered from the first's (one oracle,
    /// its cache shared): a change of roles, assignments or memberships then costs no solver call.
    pub fn build_pair(old: &Model, new: &Model, timeout_ms: Option<u64>, needs: Needs) -> (Graphs, Graphs) {
        Graphs::build_pair_prepared(prepare(old), || prepare(new), timeout_ms, needs)
    }

    /// [`Graphs::build_pair`] of models the caller no longer needs as loaded: each graph's prepared
    /// model is made from the model itself rather than a copy (at size L a copy is about a second and
    /// most of a GiB).
    pub fn build_pair_owned(old: Model, new: Model, timeout_ms: Option<u64>, needs: Needs) -> (Graphs, Graphs) {
        Graphs::build_pair_prepared(prepare_owned(old), || prepare_owned(new), timeout_ms, needs)
    }

    /// [`Graphs::build_pair`] of a prepared model and one to prepare once the first graphs are built.
    fn build_pair_prepared(
        old: Arc<Model>,
        new: impl FnOnce() -> Arc<Model>,
        timeout_ms: Option<u64>,
        needs: Needs,
    ) -> (Graphs, Graphs) {
        let oracle = Z3Oracle::new(timeout_ms, false);
        let before = Graphs::build_prepared_with(old, &oracle, needs);
        let after_prepared = new();
        let after = if before.prepared.same_network(&after_prepared) {
            Graphs::build_prepared_with(after_prepared, &oracle, needs)
        } else {
            Graphs::build_prepared_with(after_prepared, &Z3Oracle::new(timeout_ms, false), needs)
        };
        (before, after)
    }

    /// Builds the graphs of a model that `needs` names, the network decided by `oracle` (which a
    /// caller building many graphs shares between them).
    pub fn build_with(m: &Model, oracle: &dyn NetworkOracle, needs: Needs) -> Graphs {
        Graphs::build_prepared_with(prepare(m), oracle, needs)
    }

    /// [`Graphs::build_with`] of a model whose prospective resources are added.
    fn build_prepared_with(prepared: Arc<Model>, oracle: &dyn NetworkOracle, needs: Needs) -> Graphs {
        let open = AssumedOpen {
            reason: "ignoring network",
        };
        Graphs {
            network: needs.network.then(|| build_prepared(Arc::clone(&prepared), oracle)),
            open: needs.open.then(|| build_prepared(Arc::clone(&prepared), &open)),
            prepared,
        }
    }

    /// The model the graphs were built from, with its prospective resources: what witnesses are
    /// replayed against.
    pub fn prepared(&self) -> &Model {
        &self.prepared
    }

    /// The graph of a model with the network decided (by Z3), alone.
    pub fn decided(m: &Model, timeout_ms: Option<u64>) -> AccessGraph {
        build(m, &Z3Oracle::new(timeout_ms, false))
    }

    /// The graph with the network decided, when built.
    pub fn network(&self) -> Option<&AccessGraph> {
        self.network.as_ref()
    }

    /// The graph with every network premise assumed to hold, when built.
    pub fn ignoring_network(&self) -> Option<&AccessGraph> {
        self.open.as_ref()
    }

    /// The graph an expectation was decided on (none for one that was not decided).
    pub fn for_item(&self, r: &ItemResult) -> Option<&AccessGraph> {
        match r {
            ItemResult::Decided {
                ignoring_network: true, ..
            } => self.open.as_ref(),
            ItemResult::Decided { .. } => self.network.as_ref(),
            ItemResult::Error(_) => None,
        }
    }

    /// The graph a query is decided on, when built.
    pub fn for_query(&self, q: &ResolvedQuery) -> Option<&AccessGraph> {
        if q.ignoring_network {
            self.open.as_ref()
        } else {
            self.network.as_ref()
        }
    }
}

/// What became of one expectation.
#[derive(Debug, Clone)]
pub enum ItemResult {
    /// Decided.
    Decided {
        /// Holds, fails or unknown.
        outcome: Outcome,
        /// The answer to its query.
        answer: Box<Answer>,
        /// Whether the answer was decided on the graph that ignores the network.
        ignoring_network: bool,
        /// With a baseline: why a failure does not count (it is not new access).
        baseline: Option<String>,
    },
    /// The expectation could not be decided: a query that does not parse or resolve, or an internal
    /// error (a witness that fails its replay, engines that disagree).
    Error(Box<Diagnostic>),
}

/// One expectation and its result.
#[derive(Debug, Clone)]
pub struct Item {
    /// The expectation.
    pub expectation: Expectation,
    /// Its result.
    pub result: ItemResult,
}

impl Item {
    /// The outcome that counts (errors count as errors, not as outcomes).
    pub fn outcome(&self) -> Option<Outcome> {
        match &self.result {
            ItemResult::Decided {
                outcome,
                baseline: Some(_),
                ..
            } if *outcome == Outcome::Fails => Some(Outcome::Holds),
            ItemResult::Decided { outcome, .. } => Some(*outcome),
            ItemResult::Error(_) => None,
        }
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Expectations that hold.
    pub holds: usize,
    /// Expectations that fail.
    pub fails: usize,
    /// Expectations whose answer is unknown.
    pub unknown: usize,
    /// Expectations that could not be decided.
    pub errors: usize,
}

/// Counts the items.
pub fn summary(items: &[Item]) -> Summary {
    let mut s = Summary::default();
    for i in items {
        match i.outcome() {
            Some(Outcome::Holds) => s.holds += 1,
            Some(Outcome::Fails) => s.fails += 1,
            Some(Outcome::Unknown) => s.unknown += 1,
            None => s.errors += 1,
        }
    }
    s
}

fn error_at(e: &Expectation, code: &'static str, message: String) -> ItemResult {
    ItemResult::Error(Box::new(
        Diagnostic::error(code, message)
            .with_pos(e.pos)
            .at(format!("{}.query", e.name))
            .in_file(e.file.clone()),
    ))
}

fn decide(
    m: &Model,
    graphs: &Graphs,
    e: &Expectation,
    engine: Engine,
    options: &Options,
) -> Result<(ResolvedQuery, Answer), ItemResult> {
    let parsed = query::parse(&e.query).map_err(|p| {
        error_at(
            e,
            "invalid-query",
            format!("invalid query in `{}`: {}", e.name, p.render(&e.query)),
        )
    })?;
    let resolved = query::resolve(m, &parsed)
        .map_err(|p| error_at(e, "invalid-query", format!("in `{}`: {}", e.name, p.render(&e.query))))?;
    let g = graphs.for_query(&resolved).ok_or_else(|| {
        error_at(
            e,
            "internal",
            format!("internal error: the graph `{}` is decided on was not built", e.name),
        )
    })?;
    let answer = match engine {
        Engine::Graph => answer::run(g, &resolved, options),
        Engine::Smt => answer::smt::run(g, &resolved, options),
        Engine::Both => {
            let a = answer::run(g, &resolved, options);
            let s = answer::smt::run(g, &resolved, options);
            answer::smt::agree(g, &a, &s).map_err(|d| {
                error_at(
                    e,
                    "internal",
                    format!("internal error: the engines disagree on `{}`: {d}", e.name),
                )
            })?;
            a
        }
    };
    witness::replay_all_prepared(graphs.prepared(), g, answer.every_witness()).map_err(|p| {
        error_at(
            e,
            "internal",
            format!("internal error: a witness of `{}` fails its replay: {p}", e.name),
        )
    })?;
    Ok((resolved, answer))
}

/// What an answer grants, for comparing with a baseline: the actors that reach, with what.
fn reached(m: &Model, a: &Answer) -> BTreeSet<String> {
    a.witnesses
        .iter()
        .map(|w| w.actor.label(m))
        .chain(
            a.listed
                .iter()
                .map(|l| format!("{}: {}", l.actor.label(m), l.capability)),
        )
        .collect()
}

/// Decides one expectation.
fn check_one(
    m: &Model,
    graphs: &Graphs,
    e: &Expectation,
    engine: Engine,
    options: &Options,
    baseline: Option<(&Model, &Graphs)>,
) -> ItemResult {
    let (resolved, answer) = match decide(m, graphs, e, engine, options) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let outcome = match evaluate(m, &e.expect, &answer) {
        Ok(o) => o,
        Err(problem) => return error_at(e, "invalid-expect", format!("in `{}`: {problem}", e.name)),
    };
    let mut note = None;
    if outcome == Outcome::Fails
        && let Some((old_model, old_graphs)) = baseline
    {
        note = match (&e.expect, decide(old_model, old_graphs, e, engine, options)) {
            // Lost access is not new access.
            (Expect::Yes, _) => {
                Some("the expected access is missing, but --baseline only gates new access".to_string())
            }
            (_, Ok((_, old))) if old.verdict != Verdict::Unknown => {
                let new = reached(m, &answer);
                let before = reached(old_model, &old);
                new.is_subset(&before)
                    .then(|| "the baseline already had this access: not new".to_string())
            }
            _ => None,
        };
    }
    ItemResult::Decided {
        outcome,
        answer: Box::new(answer),
        ignoring_network: resolved.ignoring_network,
        baseline: note,
    }
}

/// Decides every expectation, in parallel; the items come back in the order of `expectations`.
pub fn run(
    m: &Model,
    graphs: &Graphs,
    expectations: &[Expectation],
    engine: Engine,
    options: &Options,
    baseline: Option<(&Model, &Graphs)>,
) -> Vec<Item> {
    expectations
        .par_iter()
        .map(|e| Item {
            expectation: e.clone(),
            result: check_one(m, graphs, e, engine, options, baseline),
        })
        .collect()
}
