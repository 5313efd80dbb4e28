//! The network oracle of the graph: for a place and an endpoint, a concrete packet (`network::probe`)
//! or Z3 looks for a packet on every way to the endpoint; the first packet found is replayed by the
//! concrete evaluator and becomes the evidence. Decisions are cached per (place, endpoint).

use rustc_hash::FxHashMap;
use std::cell::RefCell;

use super::netenc::{self, NetSolver, Outcome};
use crate::graph::network::{NetDecision, NetworkOracle};
use crate::graph::{Endpoint, Place};
use crate::model::Model;
use crate::network::{self, Origin, Packet, Path, eval, origins, paths};

/// Z3 decides network premises.
#[derive(Default)]
pub struct Z3Oracle {
    /// Per-question solver timeout.
    pub timeout_ms: Option<u64>,
    /// Collect the SMT-LIB of every question (for `--dump-smt`).
    pub dump: bool,
    cache: RefCell<FxHashMap<(Place, Endpoint), NetDecision>>,
    /// Solver outcomes by origin class and path (`network::origin_class`): places in the same subnet
    /// share their questions.
    attempts: RefCell<FxHashMap<(Origin, Path), Outcome>>,
    /// The ways to each endpoint (`network::paths`), the same for every place asking.
    paths: RefCell<FxHashMap<Endpoint, Vec<Path>>>,
    dumps: RefCell<Vec<(String, String)>>,
    /// One solver for every question, made at the first.
    solver: RefCell<Option<NetSolver>>,
    /// How many (origin class, path) questions a concrete packet answered without the solver.
    probed: std::cell::Cell<usize>,
    /// How many a part that admits no packet answered without the solver.
    refuted: std::cell::Cell<usize>,
}

impl Z3Oracle {
    /// An oracle with a timeout per solver call.
    pub fn new(timeout_ms: Option<u64>, dump: bool) -> Self {
        Z3Oracle {
            timeout_ms,
            dump,
            ..Z3Oracle::default()
        }
    }

    /// The SMT-LIB scripts asked so far, with a name for each.
    pub fn dumps(&self) -> Vec<(String, String)> {
        self.dumps.borrow().clone()
    }

    /// How many distinct (origin class, path) questions were decided, by a concrete packet or the
    /// solver.
    pub fn solved(&self) -> usize {
        self.attempts.borrow().len()
    }

    /// How many of those a concrete packet answered without the solver.
    pub fn probed(&self) -> usize {
        self.probed.get()
    }

    /// How many of those a part that admits no packet answered without the solver.
    pub fn refuted(&self) -> usize {
        self.refuted.get()
    }

    /// How many distinct (place, endpoint) questions were decided.
    pub fn questions(&self) -> usize {
        self.cache.borrow().len()
    }
}

impl NetworkOracle for Z3Oracle {
    fn decide(&self, m: &Model, place: Place, endpoint: Endpoint) -> NetDecision {
        self.with_decision(m, place, endpoint, NetDecision::clone)
    }

    fn blocked(&self, m: &Model, place: Place, endpoint: Endpoint) -> bool {
        self.with_decision(m, place, endpoint, |d| matches!(d, NetDecision::Blocked(_)))
    }

    fn applied(&self) -> bool {
        true
    }

    fn fresh(&self) -> Box<dyn NetworkOracle> {
        Box::new(Z3Oracle::new(self.timeout_ms, false))
    }

    fn effort(&self) -> Option<String> {
        Some(format!(
            "{} (place, endpoint) questions, {} (origin class, path) questions ({} answered by a concrete packet, {} by a part that admits none)",
            self.questions(),
            self.solved(),
            self.probed(),
            self.refuted()
        ))
    }
}

/// What one (origin, path) question came to: a packet replayed concretely from that origin, or why
/// not.
enum Attempt {
    Open(Packet, Vec<String>),
    ReplayFailed(Packet, String),
    Blocked(Vec<String>),
    Unknown(String),
}

impl Z3Oracle {
    /// Reads the decision of a (place, endpoint) pair, deciding it first when it is not cached.
    fn with_decision<T>(&self, m: &Model, place: Place, endpoint: Endpoint, read: impl FnOnce(&NetDecision) -> T) -> T {
        if let Some(d) = self.cache.borrow().get(&(place, endpoint)) {
            return read(d);
        }
        let decision = self.decide_uncached(m, place, endpoint);
        let out = read(&decision);
        self.cache.borrow_mut().insert((place, endpoint), decision);
        out
    }

    /// Asks the solver for a packet from the origin's class on the path (memoised per class), and
    /// replays the packet from this very origin.
    fn attempt(&self, m: &Model, origin: Origin, path: &Path) -> Attempt {
        let class = network::origin_class(m, origin, path);
        let cached = self.attempts.borrow().get(&(class, *path)).cloned();
        let outcome = match cached {
            Some(outcome) => outcome,
            // A packet the concrete evaluator lets through answers the question without the solver;
            // with `--dump-smt` every question goes to the solver, so that each has its script.
            None if !self.dump
                && let Some(packet) = network::probe::probe(m, class, path) =>
            {
                let outcome = Outcome::Packet(packet);
                self.attempts.borrow_mut().insert((class, *path), outcome.clone());
                self.probed.set(self.probed.get() + 1);
                outcome
            }
            // A part of the question that admits no packet at all answers it without a solver.
            None if !self.dump
                && let Some(outcome) = netenc::refute(m, class, path) =>
            {
                self.attempts.borrow_mut().insert((class, *path), outcome.clone());
                self.refuted.set(self.refuted.get() + 1);
                outcome
            }
            None => {
                let mut script = String::new();
                let outcome = self
                    .solver
                    .borrow_mut()
                    .get_or_insert_with(|| NetSolver::new(self.timeout_ms))
                    .solve(m, class, path, self.dump.then_some(&mut script));
                if self.dump {
                    let name = format!(
                        "{}--{}",
                        network::source_text(m, class.source),
                        network::path_text(m, path)
                    );
                    self.dumps.borrow_mut().push((name, script));
                }
                // A timeout may not recur with more time to spare; only decided questions are shared.
                if !matches!(outcome, Outcome::Unknown(_)) {
                    self.attempts.borrow_mut().insert((class, *path), outcome.clone());
                }
                outcome
            }
        };
        match outcome {
            Outcome::Packet(p) => match eval::pass(m, origin, path, &p) {
                Ok(evidence) => Attempt::Open(p, evidence),
                Err(e) => Attempt::ReplayFailed(p, e),
            },
            Outcome::Blocked(labels) => Attempt::Blocked(labels),
            Outcome::Unknown(reason) => Attempt::Unknown(reason),
        }
    }

    fn decide_uncached(&self, m: &Model, place: Place, endpoint: Endpoint) -> NetDecision {
        let mut blocked = Vec::new();
        let mut unknown = None;
        let ways = self
            .paths
            .borrow_mut()
            .entry(endpoint)
            .or_insert_with(|| paths(m, endpoint))
            .clone();
        if ways.is_empty() {
            return NetDecision::Blocked(format!(
                "{} has no network path at all (no public IP and no subnet)",
                m.resource_display(endpoint.resource())
            ));
        }
        for origin in origins(m, place) {
            for path in &ways {
                let outcome = self.attempt(m, origin, path);
                match outcome {
                    Attempt::Open(p, evidence) => {
                        return NetDecision::Open {
                            text: format!("{} via {}", p, network::path_text(m, path)),
                            packet: Some(p),
                            path: Some(*path),
                            evidence,
                        };
                    }
                    Attempt::ReplayFailed(p, e) => {
                        return NetDecision::Unknown(format!(
                            "internal error: the solver's packet {p} fails the concrete replay ({e})"
                        ));
                    }
                    Attempt::Blocked(labels) => {
                        blocked.push(format!(
                            "{}: no packet passes {}",
                            network::path_text(m, path),
                            labels.join(" and ")
                        ));
                    }
                    Attempt::Unknown(reason) => {
                        unknown = Some(format!("solver gave up on {}: {reason}", network::path_text(m, path)))
                    }
                }
            }
        }
        match unknown {
            Some(u) => NetDecision::Unknown(u),
            None => NetDecision::Blocked(blocked.join("; ")),
        }
    }
}
