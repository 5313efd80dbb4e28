//! The access graph (DESIGN "AccessGraph"; semantics §9): an AND/OR graph whose fact nodes are what an
//! actor can have (identities to act as, group memberships, credentials, authorisations, capabilities,
//! network places and reach) and whose rule-instance nodes are one application of one rule of the
//! semantics, with all its premises, its channel and its evidence.
//!
//! The graph is actor-independent: the same rules hold for every actor, and an actor is a set of
//! starting facts. `search` decides reachability over it; `graph` only describes.
//!
//! **Architecture invariant:** no reachability is decided here and no solver is used. Network premises
//! are rule instances like any other, created from the decisions of a [`network::NetworkOracle`].

pub mod build;
pub mod fact;
pub mod instances;
pub mod network;
pub mod ops;
pub mod rule;
pub mod text;

use petgraph::graph::{DiGraph, NodeIndex};

pub use fact::{Endpoint, Fact, Place};
pub use instances::Instances;
pub use rule::{Evidence, GrantCondition, RuleId, RuleInstance};

use crate::model::{Model, ResourceId};

/// Index of a fact node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FactId(pub u32);

impl FactId {
    /// The id of the `i`-th fact of a graph's table.
    pub fn from_index(i: usize) -> FactId {
        FactId(u32::try_from(i).unwrap_or(u32::MAX))
    }
}

/// Index of a rule instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleIdx(pub u32);

/// A node of the AND/OR graph.
#[derive(Debug, Clone)]
pub enum Node {
    /// An OR node: holds when any rule instance concluding it holds.
    Fact(FactId),
    /// An AND node: holds when all its premises hold.
    Rule(RuleIdx),
}

/// A scope a capability can be about: every resource, every subscription that resources live in, and
/// the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetScope {
    /// Lower-cased scope id.
    pub key: String,
    /// The scope as displayed.
    pub display: String,
    /// The resource, when the scope is one.
    pub resource: Option<ResourceId>,
}

/// The premise of a rule instance that watches it (`AccessGraph::watchers`): the one an actor is least
/// likely to hold from the start, so that a search looks at the instance only when that premise holds.
/// Places and the endpoints they reach are what every actor starts near; the first premise of the
/// least likely kind is chosen.
pub fn watching_premise(facts: &[Fact], premises: &[FactId]) -> Option<FactId> {
    premises
        .iter()
        .min_by_key(|p| match facts.get(p.0 as usize) {
            Some(Fact::Reach(_)) => 2,
            Some(Fact::At(_)) => 1,
            _ => 0,
        })
        .copied()
}

/// The access graph of one model.
pub struct AccessGraph {
    /// The model the graph was built from, with prospective resources added (`model::prospective`);
    /// shared (never changed) with whoever prepared it, e.g. to replay witnesses without a copy.
    pub model: std::sync::Arc<Model>,
    /// Fact table.
    pub facts: Vec<Fact>,
    /// Rule-instance table.
    pub rules: Instances,
    /// For each fact, the rule instances it watches: each rule instance is watched by one of its
    /// premises (a search looks at a rule when that premise holds, and waits on its other premises
    /// only then), chosen so that the facts every actor starts with (places, and the network
    /// endpoints they reach) watch as few rules as possible. The network instances of an endpoint
    /// derived on demand (`on_demand`) are watched by none of their premises.
    pub watchers: Vec<Vec<RuleIdx>>,
    /// For each fact, the rule instances that conclude it.
    pub producers: Vec<Vec<RuleIdx>>,
    /// For each fact, whether it is a network endpoint derived on demand: no rule watches it and only
    /// network instances conclude it, so a search pulls it through `producers` when a rule needs it.
    pub on_demand: Vec<bool>,
    /// For each fact, whether every rule instance that concludes it is a step (true as well when none
    /// does): such a fact is one step from each of its producers' premises.
    pub only_steps_produce: Vec<bool>,
    /// Scopes that `Assign` and `Can` facts are about.
    pub scopes: Vec<TargetScope>,
    /// Whether network premises were decided by a network model (false: all assumed open).
    pub network_applied: bool,
    /// (place, endpoint) pairs no packet connects, with the rules that block them.
    pub blocked: Vec<(Place, Endpoint, String)>,
    /// (place, endpoint) pairs the oracle could not decide, with why.
    pub undecided: Vec<(Place, Endpoint, String)>,
    fact_index: rustc_hash::FxHashMap<Fact, FactId>,
    scope_index: rustc_hash::FxHashMap<String, u32>,
}

impl AccessGraph {
    /// The id of a fact, if the graph has it.
    pub fn fact_id(&self, fact: &Fact) -> Option<FactId> {
        self.fact_index.get(fact).copied()
    }

    /// A fact by id.
    pub fn fact(&self, id: FactId) -> Option<&Fact> {
        self.facts.get(id.0 as usize)
    }

    /// A rule instance by index.
    pub fn rule(&self, idx: RuleIdx) -> Option<&RuleInstance> {
        self.rules.get(idx.0 as usize)
    }

    /// The fact that watches rule instance `r` ([`AccessGraph::watchers`]): its
    /// [`watching_premise`], or none for a network instance of an endpoint derived on demand.
    pub fn watcher_of(&self, r: RuleIdx) -> Option<FactId> {
        let rule = self.rule(r)?;
        let on_demand =
            rule.rule == RuleId::Network && self.on_demand.get(rule.conclusion.0 as usize).copied().unwrap_or(false);
        if on_demand {
            return None;
        }
        watching_premise(&self.facts, &rule.premises)
    }

    /// The index of a scope, if the graph has it.
    pub fn scope_id(&self, key: &str) -> Option<u32> {
        self.scope_index.get(key).copied()
    }

    /// A scope by index.
    pub fn scope(&self, id: u32) -> Option<&TargetScope> {
        self.scopes.get(id as usize)
    }

    /// The AND/OR graph as a petgraph `DiGraph`, made on demand (the engines use `watchers` and
    /// `producers`; a graph of millions of instances is not copied unless asked): fact nodes first, in
    /// fact order (`NodeIndex` i is `FactId` i), then one node per rule instance, in rule order; edges
    /// go premise → rule → conclusion.
    pub fn petgraph(&self) -> DiGraph<Node, ()> {
        let mut graph = DiGraph::with_capacity(self.facts.len() + self.rules.len(), 0);
        for i in 0..self.facts.len() {
            graph.add_node(Node::Fact(FactId::from_index(i)));
        }
        for (i, r) in self.rules.iter().enumerate() {
            let node = graph.add_node(Node::Rule(rule::idx(i)));
            for p in &r.premises {
                graph.add_edge(NodeIndex::new(p.0 as usize), node, ());
            }
            graph.add_edge(node, NodeIndex::new(r.conclusion.0 as usize), ());
        }
        graph
    }

    /// Number of fact nodes.
    pub fn fact_count(&self) -> usize {
        self.facts.len()
    }

    /// Number of rule-instance nodes.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }
}
