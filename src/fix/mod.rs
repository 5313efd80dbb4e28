//! `fix`: the cheapest set of removals (role assignments, group memberships, credentials) that makes
//! failing expectations hold without breaking the ones that hold, written as a change file.
//!
//! The search is an implicit hitting set: every witness of a failing expectation must lose one of the
//! removable things it uses (a "hit" set); Z3's optimizer (`smt::hitting`) picks the cheapest choice that
//! hits every witness found so far and avoids every choice known to break a holding expectation (a
//! "block" set); the choice is applied to the model as a change file and checked again, which either
//! proves it or yields a new witness or a new broken expectation. Removing grants never adds access, so
//! every hit set is needed by any fix, and every superset of a breaking choice breaks too: the first
//! choice that checks out is a cheapest fix.
//!
//! Weights prefer removing people's access: a role assignment held by a service principal or managed
//! identity (automation, Azure's own grants to workspaces and computes) costs 4, anything else 1.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::answer::Options;
use crate::answer::expect::{Outcome, covered};
use crate::check::{self, Engine, Graphs, Item, ItemResult, Needs};
use crate::graph::AccessGraph;
use crate::graph::rule::Evidence;
use crate::load::change::load_changed;
use crate::load::{Loaded, Source};
use crate::model::{Model, PrincipalKind};
use crate::query::suite::{Expect, Expectation};
use crate::smt::hitting::{self, Problem, Solution};
use crate::smt::oracle::Z3Oracle;
use crate::source::Node;

/// Something `fix` may remove, named so that it means the same in every variant of the model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Candidate {
    /// A role assignment: principal, role and canonical scope.
    Assignment {
        /// The principal's name.
        principal: String,
        /// The role's name.
        role: String,
        /// The canonical scope (`/subscriptions/...`).
        scope: String,
    },
    /// A direct group membership.
    Membership {
        /// The member's name.
        member: String,
        /// The group's name.
        group: String,
    },
    /// A credential (rotated or revoked, so no copy of it works).
    Credential(String),
}

impl Candidate {
    /// The candidate in words.
    pub fn text(&self, m: &Model) -> String {
        match self {
            Candidate::Assignment { principal, role, scope } => {
                let shown = m
                    .assignments
                    .iter()
                    .find(|a| a.scope.key == *scope)
                    .map_or(scope.clone(), |a| a.scope.display.clone());
                format!("the role assignment of {role} to {principal} at {shown}")
            }
            Candidate::Membership { member, group } => format!("{member}'s membership of {group}"),
            Candidate::Credential(name) => format!("the credential {name} (rotate or revoke it)"),
        }
    }
}

/// The result of `fix`.
#[derive(Debug, Clone, Default)]
pub struct Fix {
    /// What to remove, with the expectations each one's removal helps.
    pub removals: Vec<(Candidate, Vec<String>)>,
    /// The removals as a change file (YAML) that `whatif` accepts.
    pub change: String,
    /// Failing expectations the fix makes hold.
    pub fixed: Vec<String>,
    /// Failing expectations removals cannot fix, with the reason.
    pub unfixable: Vec<(String, String)>,
    /// Expectations whose outcome is unknown, before or after; they were not considered.
    pub unknown: Vec<String>,
    /// Rounds of propose-and-check.
    pub rounds: usize,
}

/// Why `fix` stopped without an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixError {
    /// The solver gave up.
    Unknown(String),
    /// A change could not be applied (an internal error: fix writes the change itself).
    Change(String),
}

/// The removable things a witness relies on.
fn candidates_of(g: &AccessGraph, w: &crate::answer::Witness) -> Vec<Candidate> {
    let m = &g.model;
    let mut out = Vec::new();
    for r in &w.rules {
        let Some(rule) = g.rule(*r) else { continue };
        match &rule.evidence {
            Evidence::Grant { assignment, .. } => {
                let a = m.assignment(*assignment);
                if is_declared(&a.id) {
                    out.push(Candidate::Assignment {
                        principal: m.principal(a.principal).name.clone(),
                        role: m.role(a.role).name.clone(),
                        scope: a.scope.key.clone(),
                    });
                }
            }
            Evidence::Membership { member, group } => out.push(Candidate::Membership {
                member: m.principal(*member).name.clone(),
                group: m.principal(*group).name.clone(),
            }),
            Evidence::Fact {
                credential: Some(c), ..
            } => {
                if let Some(cred) = m.credentials.get(c.index()) {
                    out.push(Candidate::Credential(cred.name.clone()));
                }
            }
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

/// True for assignments written in the model (by position or with an id), not the grants Azure would
/// give a resource an actor creates (`model::prospective`).
fn is_declared(id: &str) -> bool {
    !id.is_empty() && !id.starts_with("auto-grant:")
}

fn weight(m: &Model, c: &Candidate) -> u32 {
    match c {
        Candidate::Assignment { principal, .. } => {
            let automated = m.principal_ids().any(|p| {
                let x = m.principal(p);
                x.name == *principal
                    && matches!(x.kind, PrincipalKind::ServicePrincipal | PrincipalKind::ManagedIdentity)
            });
            if automated { 4 } else { 1 }
        }
        _ => 1,
    }
}

/// YAML for a string (a JSON string is a YAML flow scalar).
fn scalar(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// The change file that removes `chosen` from the model whose (merged) tree is `tree`, assignments
/// named as written there.
pub fn change_file(tree: &Node, original: &Model, chosen: &[Candidate]) -> String {
    let written = |i: usize, key: &str| -> Option<String> {
        tree.get("role_assignments")?
            .as_seq()?
            .get(i)?
            .get(key)?
            .as_str()
            .map(str::to_string)
    };
    let mut assignments = Vec::new();
    let mut members: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut credentials = Vec::new();
    for c in chosen {
        match c {
            Candidate::Assignment { principal, role, scope } => {
                for a in original.assignments.iter().filter(|a| {
                    a.scope.key == *scope
                        && original.principal(a.principal).name == *principal
                        && original.role(a.role).name == *role
                }) {
                    let index =
                        a.id.strip_prefix("role_assignments[")
                            .and_then(|x| x.strip_suffix(']'))
                            .and_then(|x| x.parse::<usize>().ok());
                    let by_position = index.and_then(|i| {
                        Some(format!(
                            "{{principal: {}, role: {}, scope: {}}}",
                            scalar(&written(i, "principal")?),
                            scalar(&written(i, "role")?),
                            scalar(&written(i, "scope")?)
                        ))
                    });
                    assignments.push(by_position.unwrap_or_else(|| format!("{{id: {}}}", scalar(&a.id))));
                }
            }
            Candidate::Membership { member, group } => members.entry(group).or_default().push(member),
            Candidate::Credential(name) => credentials.push(format!("{{name: {}}}", scalar(name))),
        }
    }
    assignments.sort();
    assignments.dedup();
    let mut out = String::from("remove:\n");
    if !assignments.is_empty() {
        out.push_str("  role_assignments:\n");
        for a in &assignments {
            let _ = writeln!(out, "    - {a}");
        }
    }
    if !members.is_empty() {
        out.push_str("  principals:\n    groups:\n");
        for (group, list) in &members {
            let list: Vec<String> = list.iter().map(|m| scalar(m)).collect();
            let _ = writeln!(
                out,
                "      - {{name: {}, members: [{}]}}",
                scalar(group),
                list.join(", ")
            );
        }
    }
    if !credentials.is_empty() {
        out.push_str("  credentials:\n");
        for c in &credentials {
            let _ = writeln!(out, "    - {c}");
        }
    }
    if chosen.is_empty() {
        out = "remove: {}\n".to_string();
    }
    out
}

fn outcome(i: &Item) -> Option<Outcome> {
    i.outcome()
}

/// The witnesses that make a failing expectation fail and that removals can cut, or why it cannot
/// be fixed by removals.
fn offending(m: &Model, i: &Item) -> Result<Vec<crate::answer::Witness>, String> {
    let ItemResult::Decided { answer, .. } = &i.result else {
        return Err("it could not be decided".into());
    };
    let all = answer.every_witness();
    match &i.expectation.expect {
        Expect::Yes => Err("it expects a path, and removing access cannot create one".into()),
        Expect::No => Ok(all.cloned().collect()),
        Expect::Only(names) | Expect::Exactly(names) => {
            let cover = covered(m, names)?;
            if let Expect::Exactly(_) = i.expectation.expect {
                let reached: std::collections::BTreeSet<_> = answer.listed.iter().map(|l| l.actor).collect();
                if !cover.is_subset(&reached) {
                    return Err("a listed actor lacks the access, and removing access cannot give it".into());
                }
            }
            Ok(all.filter(|w| !cover.contains(&w.actor)).cloned().collect())
        }
    }
}

struct Round {
    model: Model,
    items: Vec<Item>,
    graphs: Graphs,
}

/// Applies a change and checks the expectations. The network oracle is shared between rounds: fix
/// only removes assignments, memberships and credentials, which no network decision reads.
fn check_with(
    sources: &[Source],
    tree: &Node,
    original: &Model,
    chosen: &[Candidate],
    expectations: &[Expectation],
    oracle: &Z3Oracle,
) -> Result<Round, FixError> {
    let model = if chosen.is_empty() {
        original.clone()
    } else {
        let change = Source::new("fix.yaml", change_file(tree, original, chosen));
        match load_changed(sources, &change) {
            Ok(Loaded { model, .. }) => model,
            Err(d) => {
                let first = d.iter().next().map_or(String::new(), |x| x.message.clone());
                return Err(FixError::Change(format!("the fix's change does not apply: {first}")));
            }
        }
    };
    let graphs = Graphs::build_with(&model, oracle, Needs::of(expectations));
    let items = check::run(&model, &graphs, expectations, Engine::Graph, &Options::default(), None);
    Ok(Round { model, items, graphs })
}

/// The state of the search.
#[derive(Default)]
struct Search {
    /// Candidates by index (the solver's variables).
    names: Vec<Candidate>,
    problem: Problem,
    /// The expectation (index) each hit set comes from.
    owners: Vec<usize>,
}

impl Search {
    fn index(&mut self, original: &Model, c: Candidate) -> usize {
        match self.names.iter().position(|x| *x == c) {
            Some(i) => i,
            None => {
                self.problem.weights.push(weight(original, &c));
                self.names.push(c);
                self.names.len() - 1
            }
        }
    }

    fn picked(&self, chosen: &[usize]) -> Vec<Candidate> {
        chosen.iter().filter_map(|i| self.names.get(*i).cloned()).collect()
    }

    /// Forgets the hit sets of an expectation that cannot be fixed.
    fn drop_owner(&mut self, owner: usize) {
        let keep: Vec<bool> = self.owners.iter().map(|o| *o != owner).collect();
        let mut flags = keep.iter();
        self.problem.hit.retain(|_| flags.next().copied().unwrap_or(true));
        self.owners.retain(|o| *o != owner);
    }
}

/// Finds a cheapest fix for the failing expectations among `expectations` on the model of `sources`
/// (merged in order).
pub fn fix(
    sources: &[Source],
    original: &Model,
    expectations: &[Expectation],
    timeout_ms: Option<u64>,
) -> Result<Fix, FixError> {
    let tree = crate::load::merge::merge_sources(sources)
        .map_err(|d| FixError::Change(d.iter().next().map_or(String::new(), |x| x.message.clone())))?;
    let oracle = Z3Oracle::new(timeout_ms, false);
    let mut round = check_with(sources, &tree, original, &[], expectations, &oracle)?;
    let mut result = Fix::default();
    // Which expectations must come to hold, and which must keep holding.
    let mut targets = Vec::new();
    let mut keepers = Vec::new();
    for (n, i) in round.items.iter().enumerate() {
        match outcome(i) {
            Some(Outcome::Fails) => match offending(&round.model, i) {
                Ok(_) => targets.push(n),
                Err(why) => result.unfixable.push((i.expectation.name.clone(), why)),
            },
            Some(Outcome::Holds) if matches!(i.expectation.expect, Expect::Yes | Expect::Exactly(_)) => keepers.push(n),
            Some(Outcome::Unknown) | None => result.unknown.push(i.expectation.name.clone()),
            Some(Outcome::Holds) => {}
        }
    }
    let mut search = Search::default();
    let mut chosen: Vec<usize> = Vec::new();
    // Expectations that held and broke under some choice: what makes a failing one unfixable.
    let mut blockers: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    loop {
        result.rounds += 1;
        let mut settled = true;
        for &t in &targets.clone() {
            let Some(item) = round.items.get(t) else { continue };
            match outcome(item) {
                Some(Outcome::Holds) => continue,
                Some(Outcome::Fails) => {}
                Some(Outcome::Unknown) | None => {
                    // Undecided after a removal: nothing to learn from it; leave it to the user.
                    result.unknown.push(item.expectation.name.clone());
                    search.drop_owner(t);
                    targets.retain(|x| *x != t);
                    continue;
                }
            }
            let Some(g) = round.graphs.for_item(&item.result) else {
                // A failing expectation was decided on its graph; never left undecided silently.
                result.unknown.push(item.expectation.name.clone());
                search.drop_owner(t);
                targets.retain(|x| *x != t);
                continue;
            };
            settled = false;
            for w in offending(&round.model, item).unwrap_or_default() {
                let hit: Vec<usize> = candidates_of(g, &w)
                    .into_iter()
                    .map(|c| search.index(original, c))
                    .collect();
                if hit.is_empty() {
                    result.unfixable.push((
                        item.expectation.name.clone(),
                        format!(
                            "{} reaches it on a path with no role assignment, membership or credential of the model",
                            w.actor.label(&round.model)
                        ),
                    ));
                    search.drop_owner(t);
                    targets.retain(|x| *x != t);
                    break;
                }
                search.problem.hit.push(hit);
                search.owners.push(t);
            }
        }
        let broken: Vec<String> = keepers
            .iter()
            .filter_map(|&k| round.items.get(k))
            .filter(|i| outcome(i) != Some(Outcome::Holds))
            .map(|i| i.expectation.name.clone())
            .collect();
        if !broken.is_empty() {
            blockers.extend(broken);
            settled = false;
            search.problem.block.push(chosen.clone());
        }
        if settled {
            break;
        }
        if result.rounds > 100 {
            return Err(FixError::Unknown("no fix was settled after 100 rounds".into()));
        }
        chosen = match hitting::solve(&search.problem, timeout_ms) {
            Solution::Chosen(c) => c,
            Solution::Impossible => {
                // Whatever cuts the remaining paths breaks an expectation that holds.
                for &t in &targets {
                    if let Some(i) = round.items.get(t) {
                        let names: Vec<&str> = blockers.iter().map(String::as_str).collect();
                        result.unfixable.push((
                            i.expectation.name.clone(),
                            format!(
                                "every removal that cuts its paths breaks an expectation that holds ({})",
                                names.join(", ")
                            ),
                        ));
                    }
                }
                targets.clear();
                search = Search::default();
                Vec::new()
            }
            Solution::Unknown(why) => return Err(FixError::Unknown(why)),
        };
        round = check_with(sources, &tree, original, &search.picked(&chosen), expectations, &oracle)?;
    }
    let picked = search.picked(&chosen);
    result.change = change_file(&tree, original, &picked);
    for (i, c) in chosen.iter().zip(picked) {
        let mut why: Vec<String> = search
            .owners
            .iter()
            .zip(&search.problem.hit)
            .filter(|(_, h)| h.contains(i))
            .filter_map(|(o, _)| round.items.get(*o).map(|x| x.expectation.name.clone()))
            .collect();
        why.sort();
        why.dedup();
        result.removals.push((c, why));
    }
    result.fixed = targets
        .iter()
        .filter_map(|t| round.items.get(*t))
        .map(|i| i.expectation.name.clone())
        .collect();
    result.unfixable.sort();
    result.unfixable.dedup();
    result.unknown.sort();
    result.unknown.dedup();
    Ok(result)
}
