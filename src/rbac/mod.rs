//! Azure RBAC, concrete and explainable (`spec/azure-access-semantics.md` §1 and §10 "Deny
//! assignments"): which assignments let a principal perform an operation at a scope, with the
//! evidence, and which deny assignments stop it.
//!
//! **Architecture invariant:** this module knows the model only; it never looks at the access graph or
//! a solver, so the witness checker can use it to replay steps independently of graph building.

pub mod catalog;
pub mod condition;
pub mod effective;
pub mod evaluate;
pub mod groups;
pub mod operations;
pub mod pattern;
pub mod scope;

pub use evaluate::{
    ConditionStatus, Decision, DenyHit, Grant, HeldAssignment, OpKind, Rbac, Request, RequestAttributes, Subtracted,
};
