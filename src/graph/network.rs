//! The network premises of the graph. A [`NetworkOracle`] decides, for a place an actor can be and an
//! endpoint a step sends a request to, whether some packet gets through; the graph turns each open pair
//! into a `Network` rule instance `At(place) ⇒ Reach(endpoint)`.

use super::fact::{Endpoint, Place};
use crate::model::Model;

/// The decision for one (place, endpoint) pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetDecision {
    /// Some packet gets through; the text says which and why.
    Open(String),
    /// No packet gets through; the text names the rules that stop it.
    Blocked(String),
}

/// Decides network premises.
pub trait NetworkOracle {
    /// Can a packet from `place` reach `endpoint`?
    fn decide(&self, model: &Model, place: Place, endpoint: Endpoint) -> NetDecision;
    /// True when the decisions come from a model of the network (false: every premise assumed open).
    fn applied(&self) -> bool;
}

/// Every network premise holds: used for `ignoring network`, and until a network model decides.
pub struct AssumedOpen {
    /// Why the premises hold: "ignoring network" or "network reasoning not applied".
    pub reason: &'static str,
}

impl NetworkOracle for AssumedOpen {
    fn decide(&self, _: &Model, _: Place, _: Endpoint) -> NetDecision {
        NetDecision::Open(self.reason.to_string())
    }

    fn applied(&self) -> bool {
        false
    }
}
