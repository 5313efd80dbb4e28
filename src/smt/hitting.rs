//! Smallest hitting sets with Z3's optimizer (MaxSMT), for `fix`: choose the fewest candidates
//! (weighted) such that every "hit" set has a chosen member and no "block" set is wholly chosen.

use z3::ast::Bool;
use z3::{Optimize, Params, SatResult};

/// The problem: candidates `0..weights.len()`, each with a positive weight.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// The cost of choosing each candidate.
    pub weights: Vec<u32>,
    /// Sets of which at least one member must be chosen.
    pub hit: Vec<Vec<usize>>,
    /// Sets that must not be chosen in full.
    pub block: Vec<Vec<usize>>,
}

/// The outcome of a solve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Solution {
    /// A cheapest choice, sorted.
    Chosen(Vec<usize>),
    /// No choice satisfies the constraints.
    Impossible,
    /// The solver gave up (timeout), with its reason.
    Unknown(String),
}

/// Solves a hitting-set problem to optimality.
pub fn solve(p: &Problem, timeout_ms: Option<u64>) -> Solution {
    let opt = Optimize::new();
    if let Some(ms) = timeout_ms {
        let mut params = Params::new();
        params.set_u32("timeout", u32::try_from(ms).unwrap_or(u32::MAX));
        opt.set_params(&params);
    }
    let chosen: Vec<Bool> = (0..p.weights.len())
        .map(|i| Bool::new_const(format!("remove_{i}")))
        .collect();
    let pick = |i: &usize| chosen.get(*i).cloned();
    for set in &p.hit {
        let members: Vec<Bool> = set.iter().filter_map(pick).collect();
        opt.assert(Bool::or(&members));
    }
    for set in &p.block {
        let members: Vec<Bool> = set.iter().filter_map(pick).collect();
        opt.assert(Bool::and(&members).not());
    }
    for (c, w) in chosen.iter().zip(&p.weights) {
        opt.assert_soft(&c.not(), u64::from(*w), None);
    }
    match opt.check(&[]) {
        SatResult::Sat => {
            let Some(model) = opt.get_model() else {
                return Solution::Unknown("the optimizer gave no model".into());
            };
            let picked = chosen
                .iter()
                .enumerate()
                .filter(|(_, c)| model.eval(*c, true).and_then(|v| v.as_bool()).unwrap_or(false))
                .map(|(i, _)| i)
                .collect();
            Solution::Chosen(picked)
        }
        SatResult::Unsat => Solution::Impossible,
        SatResult::Unknown => Solution::Unknown(opt.get_reason_unknown().unwrap_or_else(|| "unknown".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::{Problem, Solution, solve};

    #[test]
    fn cheapest_hitting_set() {
        // {0,1}, {1,2}, {2,3}: {1,2} or {0,2}... the cheapest with unit weights has two members.
        let p = Problem {
            weights: vec![1, 1, 1, 1],
            hit: vec![vec![0, 1], vec![1, 2], vec![2, 3]],
            block: Vec::new(),
        };
        let Solution::Chosen(c) = solve(&p, None) else {
            panic!("no solution")
        };
        assert_eq!(c.len(), 2);
        assert!(p.hit.iter().all(|h| h.iter().any(|x| c.contains(x))));
    }

    #[test]
    fn weights_and_blocks_steer_the_choice() {
        let p = Problem {
            weights: vec![5, 1, 1],
            hit: vec![vec![0, 1], vec![0, 2]],
            block: vec![vec![1, 2]],
        };
        assert_eq!(solve(&p, None), Solution::Chosen(vec![0]));
    }

    #[test]
    fn an_empty_hit_set_is_impossible() {
        let p = Problem {
            weights: vec![1],
            hit: vec![vec![]],
            block: Vec::new(),
        };
        assert_eq!(solve(&p, None), Solution::Impossible);
    }
}
