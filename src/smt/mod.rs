//! Everything that uses Z3: the network oracle (`netenc`: one packet question as bit-vector
//! constraints), and the whole-query engine (`reach`: the rule instances as Horn clauses for Z3's
//! fixedpoint engine).
//!
//! **Architecture invariant:** the only module that uses `z3`. Z3 objects never leave it: callers get
//! plain Rust answers (packets, labels, verdicts).

pub mod hitting;
pub mod netenc;
pub mod oracle;
pub mod reach;
