//! The one-line query language of `docs/queries.md`: parsing with positions (`parse`), and resolving
//! the names in a query against a model (`resolve`).
//!
//! ```text
//! can WHO reach WHAT [CONSTRAINT]...
//! who can reach WHAT [CONSTRAINT]...
//! what can WHO reach [CONSTRAINT]...
//! ```

pub mod ast;
pub mod parse;
pub mod resolve;
pub mod suite;

pub use ast::{Capability, CapabilityKind, Constraint, Query, QueryForm, Who};
pub use parse::parse;
pub use resolve::{ResolvedQuery, Target, resolve};
