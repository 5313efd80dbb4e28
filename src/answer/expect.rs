//! Whether an answer meets an expectation of a suite (`docs/queries.md`, Suites; semantics §10 "Who is
//! listed"): a group covers itself and its transitive members; `anyone from L` must be listed as such.

use std::collections::BTreeSet;

use super::{Actor, Answer, Verdict};
use crate::model::{Model, lookup};
use crate::query::suite::Expect;
use crate::rbac::groups::transitive_members;

/// The outcome of one expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The expectation holds.
    Holds,
    /// It does not.
    Fails,
    /// The answer is unknown, so it cannot be decided.
    Unknown,
}

impl Outcome {
    /// `holds`, `fails` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Holds => "holds",
            Outcome::Fails => "fails",
            Outcome::Unknown => "unknown",
        }
    }
}

/// The actors a list of names covers, or the first name that means nothing.
pub fn covered(m: &Model, names: &[String]) -> Result<BTreeSet<Actor>, String> {
    let mut out = BTreeSet::new();
    for n in names {
        let lower = n.to_lowercase();
        if let Some(loc) = lower.strip_prefix("anyone from ") {
            let l = m
                .location_named(loc.trim())
                .ok_or_else(|| format!("unknown location in `{n}`"))?;
            out.insert(Actor::Anyone(l));
            continue;
        }
        let p = lookup::principal(m, n).map_err(|e| e.message)?;
        out.insert(Actor::Principal(p));
        for member in transitive_members(m, p) {
            out.insert(Actor::Principal(member));
        }
    }
    Ok(out)
}

/// Decides an expectation against an answer. Names in the expectation must exist in the model.
pub fn evaluate(m: &Model, expect: &Expect, answer: &Answer) -> Result<Outcome, String> {
    if answer.verdict == Verdict::Unknown {
        return Ok(Outcome::Unknown);
    }
    let listed: BTreeSet<Actor> = answer.listed.iter().map(|l| l.actor).collect();
    let holds = match expect {
        Expect::Yes => answer.verdict == Verdict::Yes,
        Expect::No => answer.verdict == Verdict::No,
        Expect::Only(names) => {
            let cover = covered(m, names)?;
            listed.is_subset(&cover)
        }
        Expect::Exactly(names) => covered(m, names)? == listed,
    };
    Ok(if holds { Outcome::Holds } else { Outcome::Fails })
}
