//! `mlaccess` proves who can reach what in an Azure Machine Learning estate.
//!
//! The pipeline: model text is parsed into a positioned tree (`source`), decoded into the file format's
//! types (`load::dto`), and resolved into an immutable [`model::Model`] (`load`), with every problem
//! collected as a positioned [`diag::Diagnostic`]. `rbac` evaluates Azure RBAC on the model exactly:
//! scope inheritance, wildcard actions, NotActions per block, data actions, deny assignments,
//! transitive groups and ABAC conditions, with the evidence for every answer. `report` renders answers
//! for people and machines; `cli` is the only place that touches files, the terminal and exit codes.
//!
//! See `ARCHITECTURE.md` for the map and the invariants.

pub mod answer;
pub mod channel;
pub mod check;
pub mod cli;
pub mod compare;
pub mod diag;
pub mod export;
pub mod fix;
pub mod r#gen;
pub mod graph;
pub mod import;
pub mod load;
pub mod model;
pub mod network;
pub mod picture;
pub mod query;
pub mod rbac;
pub mod report;
pub mod search;
pub mod smt;
pub mod source;
pub mod timing;
pub mod witness;
