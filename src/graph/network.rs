//! The network premises of the graph. A [`NetworkOracle`] decides, for a place an actor can be and an
//! endpoint a step sends a request to, whether some packet gets through; the graph turns each open pair
//! into a `Network` rule instance `At(place) ⇒ Reach(endpoint)`, and remembers the pairs that are blocked
//! (for explaining a `no`) or undecided (which make a `no` an `unknown`).

use super::fact::{Endpoint, Place};
use crate::model::Model;
use crate::network::{Packet, Path};

/// The decision for one (place, endpoint) pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetDecision {
    /// Some packet gets through.
    Open {
        /// The decision in words.
        text: String,
        /// The packet, when a network model decided.
        packet: Option<Packet>,
        /// The way it took.
        path: Option<Path>,
        /// The rules that let it through.
        evidence: Vec<String>,
    },
    /// No packet gets through; the text names the rules that stop it.
    Blocked(String),
    /// Not decided (a solver timeout, or an internal check that failed); the reason.
    Unknown(String),
}

/// Decides network premises.
pub trait NetworkOracle {
    /// Can a packet from `place` reach `endpoint`?
    fn decide(&self, model: &Model, place: Place, endpoint: Endpoint) -> NetDecision;
    /// Whether no packet from `place` reaches `endpoint` ([`NetworkOracle::decide`] is `Blocked`),
    /// for an oracle that can say so without a copy of the decision.
    fn blocked(&self, model: &Model, place: Place, endpoint: Endpoint) -> bool {
        matches!(self.decide(model, place, endpoint), NetDecision::Blocked(_))
    }
    /// True when the decisions come from a model of the network (false: every premise assumed open).
    fn applied(&self) -> bool;
    /// When every place reaches every endpoint, unconditionally and for the same reason (nothing is
    /// decided): that reason. The graph then joins places and endpoints through
    /// [`crate::graph::Fact::Online`].
    fn open_everywhere(&self) -> Option<String> {
        None
    }
    /// An oracle with the same settings and an empty cache, for questions on a changed model (P28, P29).
    fn fresh(&self) -> Box<dyn NetworkOracle>;
    /// What the oracle did so far, in words (for `--timings`), when it counts anything.
    fn effort(&self) -> Option<String> {
        None
    }
}

/// Every network premise holds: used for `ignoring network`.
pub struct AssumedOpen {
    /// Why the premises hold, e.g. "ignoring network".
    pub reason: &'static str,
}

impl NetworkOracle for AssumedOpen {
    fn decide(&self, _: &Model, _: Place, _: Endpoint) -> NetDecision {
        NetDecision::Open {
            text: self.reason.to_string(),
            packet: None,
            path: None,
            evidence: Vec::new(),
        }
    }

    fn applied(&self) -> bool {
        false
    }

    fn open_everywhere(&self) -> Option<String> {
        Some(self.reason.to_string())
    }

    fn fresh(&self) -> Box<dyn NetworkOracle> {
        Box::new(AssumedOpen { reason: self.reason })
    }
}
