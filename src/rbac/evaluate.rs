//! The evaluation algorithm of `spec/azure-access-semantics.md` §1.8, with §10's decisions on deny
//! assignments:
//!
//! ```text
//! allowed(P, op, R):
//!   G = {P} ∪ transitive_groups(P)
//!   if a deny assignment applicable to R names P (or everyone, or a group P is a direct member of),
//!      P and its groups are not excluded, and op is in its permissions        → DENY
//!   for each role assignment A held by a member of G whose scope covers R:
//!      for each block B of A's role:
//!         op in B.actions − B.not_actions (or data_actions − not_data_actions)
//!         and B's condition and A's condition hold or cannot be evaluated      → ALLOW (evidence)
//!   → DENY
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::condition::{self, Attributes, Condition, Truth, Value};
use super::groups::{self, Membership};
use super::pattern::{Pattern, Trailing};
use super::scope::{self, Coverage};
use crate::model::{AssignmentId, DenyId, DenyPrincipals, Model, PrincipalId};

/// Whether an operation is a control-plane action or a data action; each is matched only against the
/// lists of its own plane (§1.3: control wildcards never grant data actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// Matched against `actions` / `not_actions`.
    Control,
    /// Matched against `data_actions` / `not_data_actions`.
    Data,
}

/// What is known about a request, for ABAC conditions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestAttributes {
    /// The GUID of the role being assigned (for `roleAssignments/write`).
    pub role_definition_id: Option<String>,
}

/// One question: may `principal` perform `operation` on `target`?
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Who asks.
    pub principal: PrincipalId,
    /// The operation, e.g. `Microsoft.Storage/storageAccounts/listKeys/action`.
    pub operation: &'a str,
    /// Control or data plane.
    pub kind: OpKind,
    /// The lower-cased id of the resource or scope the request is made on.
    pub target: &'a str,
    /// Request attributes for conditions.
    pub attributes: RequestAttributes,
}

/// What became of a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionStatus {
    /// No condition.
    None,
    /// Evaluated to true.
    Holds,
    /// Could not be evaluated (an attribute is unknown): assumed to hold and reported.
    NotEvaluated {
        /// The condition text.
        text: String,
        /// The attributes it needs, e.g. `@Request[...:RoleDefinitionId]`.
        needs: Vec<String>,
    },
    /// Evaluated to false: the grant does not apply.
    False {
        /// The condition text.
        text: String,
    },
}

impl ConditionStatus {
    /// No condition, or one that evaluated to true: the grant applies without an assumption.
    pub fn holds_for_sure(&self) -> bool {
        matches!(self, ConditionStatus::None | ConditionStatus::Holds)
    }

    fn and(self, other: ConditionStatus) -> ConditionStatus {
        use ConditionStatus::*;
        match (self, other) {
            (f @ False { .. }, _) | (_, f @ False { .. }) => f,
            (NotEvaluated { text: a, needs: mut na }, NotEvaluated { text: b, needs: nb }) => {
                na.extend(nb);
                NotEvaluated {
                    text: format!("{a} AND {b}"),
                    needs: na,
                }
            }
            (n @ NotEvaluated { .. }, _) | (_, n @ NotEvaluated { .. }) => n,
            (Holds, _) | (_, Holds) => Holds,
            (None, None) => None,
        }
    }
}

/// One way an operation is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The role assignment.
    pub assignment: AssignmentId,
    /// The group chain from the principal to the assignment's holder (empty: held directly).
    pub via: Vec<PrincipalId>,
    /// Index of the role's permission block.
    pub block: usize,
    /// The pattern of the block that matched the operation.
    pub pattern: Arc<str>,
    /// How the assignment's scope covers the target.
    pub coverage: Coverage,
    /// The conditions of the block and the assignment, combined.
    pub condition: ConditionStatus,
}

/// A deny assignment that stops the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenyHit {
    /// The deny assignment.
    pub deny: DenyId,
    /// The pattern that matched.
    pub pattern: String,
    /// How the deny reaches the principal: `everyone`, the principal, or a group it is a direct member of.
    pub via: Option<PrincipalId>,
}

/// The answer to a [`Request`], with everything that contributed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// True when some grant applies and no deny does.
    pub allowed: bool,
    /// Grants whose conditions hold or cannot be evaluated.
    pub grants: Vec<Grant>,
    /// Grants that matched but whose condition evaluated to false.
    pub refused_by_condition: Vec<Grant>,
    /// Deny assignments that stop the request.
    pub denied_by: Vec<DenyHit>,
    /// Blocks that match the operation but take it away again in their `not_actions` (or
    /// `not_data_actions`): NotActions is not a deny, but it explains why a role does not grant.
    pub subtracted: Vec<Subtracted>,
    /// Other things the reader should know (assumptions made on the way).
    pub notes: Vec<String>,
}

/// A permission block whose grant of the operation is removed by its own not-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subtracted {
    /// The role assignment.
    pub assignment: AssignmentId,
    /// The group chain (empty: held directly).
    pub via: Vec<PrincipalId>,
    /// Index of the role's permission block.
    pub block: usize,
    /// The pattern that grants.
    pub pattern: String,
    /// The not-pattern that takes it away.
    pub not_pattern: String,
}

/// An assignment a principal holds, directly or through groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldAssignment {
    /// The assignment.
    pub assignment: AssignmentId,
    /// The group chain (empty: held directly).
    pub via: Vec<PrincipalId>,
}

struct CompiledBlock {
    actions: Vec<Pattern>,
    not_actions: Vec<Pattern>,
    data_actions: Vec<Pattern>,
    not_data_actions: Vec<Pattern>,
    condition: Option<String>,
}

struct CompiledDeny {
    actions: Vec<Pattern>,
    not_actions: Vec<Pattern>,
    data_actions: Vec<Pattern>,
    not_data_actions: Vec<Pattern>,
    /// Per plane, by operation text: the index of the pattern (in `actions` or `data_actions`) by
    /// which the deny denies it, if it does. Memoised: the same operations are asked at every scope.
    hits: Mutex<[HashMap<String, Option<usize>>; 2]>,
}

/// How one permission block treats one operation (a [`Match`] by pattern index, so it can be cached).
#[derive(Debug, Clone, Copy)]
enum BlockHit {
    Granted { block: usize, pattern: usize },
    Subtracted { block: usize, pattern: usize, not: usize },
}

/// The blocks of one role that match an operation, per plane, memoised by operation text.
type HitCache = [rustc_hash::FxHashMap<String, Arc<[BlockHit]>>; 2];

/// An RBAC evaluator over one model. Role patterns are compiled on first use (a model names a few of
/// the 900-odd built-in roles), each role's verdict on an operation is memoised (the same few dozen
/// operations are asked about at every scope), and so are transitive group memberships. The caches sit
/// behind locks so one evaluator can serve parallel questions.
pub struct Rbac<'m> {
    model: &'m Model,
    roles: Vec<OnceLock<Vec<CompiledBlock>>>,
    hits: Vec<RwLock<HitCache>>,
    denies: Vec<CompiledDeny>,
    /// Deny assignments (model order) by their scope without a trailing `/`: a deny can only cover a
    /// target at one of the target's prefixes.
    denies_at: rustc_hash::FxHashMap<String, Vec<usize>>,
    /// Deny assignments at the root or at a management group, which may cover any target.
    denies_anywhere: Vec<usize>,
    conditions: HashMap<String, Option<Condition>>,
    /// Transitive memberships by principal index, computed on first use (lock-free once known: the
    /// graph builder asks from several threads).
    memberships: Vec<OnceLock<Arc<[Membership]>>>,
}

/// A lock that a panic elsewhere cannot poison for good: the caches hold no invariant a half-done
/// insert could break.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// [`lock`] for a cache read far more often than written (a role's verdicts, asked by every thread).
fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// [`read`], to write.
fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn compile(list: &[String], trailing: Trailing) -> Vec<Pattern> {
    list.iter().map(|p| Pattern::new(p, trailing)).collect()
}

/// The grant and subtract lists of a block for one plane.
fn plane_lists(b: &CompiledBlock, kind: OpKind) -> (&[Pattern], &[Pattern]) {
    match kind {
        OpKind::Control => (&b.actions, &b.not_actions),
        OpKind::Data => (&b.data_actions, &b.not_data_actions),
    }
}

/// How a list pair treats an operation: granted by a pattern, or granted and then taken away.
enum Match<'p> {
    None,
    Granted(&'p Pattern),
    Subtracted,
}

/// Matches `op` against `grant` minus `subtract` (one permission block, or one deny).
fn block_match<'p>(grant: &'p [Pattern], subtract: &'p [Pattern], op: &str) -> Match<'p> {
    let Some(hit) = grant.iter().find(|p| p.matches(op)) else {
        return Match::None;
    };
    match subtract.iter().find(|p| p.matches(op)) {
        Some(_) => Match::Subtracted,
        None => Match::Granted(hit),
    }
}

/// The attributes a condition still needs: unknown ones whose value could change the result. An
/// unknown attribute is irrelevant when, with it alone left unknown and every other unknown one taken
/// as absent, the condition is decided anyway (e.g. the `@Resource[...]` branch of a condition that
/// only applies to deletes, for a write).
fn still_needed(c: &Condition, attrs: &Attrs<'_>) -> Vec<String> {
    let unknown: Vec<(String, String)> = c
        .attributes()
        .into_iter()
        .filter(|(source, name)| attrs.attribute(source, name).is_none())
        .collect();
    unknown
        .iter()
        .filter(|(source, name)| {
            let only = Only {
                base: attrs,
                unknown: (source, name),
            };
            c.evaluate(&only) == Truth::Unknown
        })
        .map(|(source, name)| format!("@{source}[{name}]"))
        .collect()
}

/// The request's attributes, with every unknown attribute but one taken as absent.
struct Only<'a> {
    base: &'a Attrs<'a>,
    unknown: (&'a str, &'a str),
}

impl Attributes for Only<'_> {
    fn action(&self) -> Option<&str> {
        self.base.action()
    }

    fn sub_operation(&self) -> Option<&str> {
        self.base.sub_operation()
    }

    fn attribute(&self, source: &str, name: &str) -> Option<Vec<Value>> {
        if source.eq_ignore_ascii_case(self.unknown.0) && name.eq_ignore_ascii_case(self.unknown.1) {
            return None;
        }
        Some(self.base.attribute(source, name).unwrap_or_default())
    }
}

struct Attrs<'a> {
    operation: &'a str,
    request: &'a RequestAttributes,
}

impl Attributes for Attrs<'_> {
    fn action(&self) -> Option<&str> {
        Some(self.operation)
    }

    fn sub_operation(&self) -> Option<&str> {
        None
    }

    fn attribute(&self, source: &str, name: &str) -> Option<Vec<Value>> {
        let (source, name) = (source.to_lowercase(), name.to_lowercase());
        if source == "request" && name == "microsoft.authorization/roleassignments:roledefinitionid" {
            return self
                .request
                .role_definition_id
                .as_ref()
                .map(|g| vec![Value::String(g.clone())]);
        }
        None
    }
}

impl<'m> Rbac<'m> {
    /// Prepares an evaluator for a model.
    pub fn new(model: &'m Model) -> Self {
        let roles = model.roles.iter().map(|_| OnceLock::new()).collect();
        let hits = model.roles.iter().map(|_| RwLock::new(HitCache::default())).collect();
        // For a deny, the reading that grants more is the opposite one: its own lists take away.
        let denies = model
            .denies
            .iter()
            .map(|d| CompiledDeny {
                actions: compile(&d.actions, Trailing::NotBare),
                not_actions: compile(&d.not_actions, Trailing::Bare),
                data_actions: compile(&d.data_actions, Trailing::NotBare),
                not_data_actions: compile(&d.not_data_actions, Trailing::Bare),
                hits: Mutex::default(),
            })
            .collect();
        let mut denies_at: rustc_hash::FxHashMap<String, Vec<usize>> = rustc_hash::FxHashMap::default();
        let mut denies_anywhere = Vec::new();
        for (i, d) in model.denies.iter().enumerate() {
            let key = d.scope.key.trim_end_matches('/');
            if key.is_empty() || d.scope.key.starts_with(scope::MANAGEMENT_GROUP_PREFIX) {
                denies_anywhere.push(i);
            } else {
                denies_at.entry(key.to_string()).or_default().push(i);
            }
        }
        let mut conditions = HashMap::new();
        let texts = model
            .roles
            .iter()
            .flat_map(|r| r.permissions.iter().filter_map(|b| b.condition.clone()))
            .chain(model.assignments.iter().filter_map(|a| a.condition.clone()));
        for text in texts {
            conditions
                .entry(text.clone())
                .or_insert_with(|| condition::parse(&text).ok());
        }
        Rbac {
            model,
            roles,
            hits,
            denies,
            denies_at,
            denies_anywhere,
            conditions,
            memberships: model.principals.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// The compiled blocks of a role (compiled on first use).
    fn blocks(&self, role: usize) -> Option<&[CompiledBlock]> {
        let cell = self.roles.get(role)?;
        let definition = self.model.roles.get(role)?;
        Some(cell.get_or_init(|| {
            definition
                .permissions
                .iter()
                .map(|b| CompiledBlock {
                    actions: compile(&b.actions, Trailing::Bare),
                    not_actions: compile(&b.not_actions, Trailing::NotBare),
                    data_actions: compile(&b.data_actions, Trailing::Bare),
                    not_data_actions: compile(&b.not_data_actions, Trailing::NotBare),
                    condition: b.condition.clone(),
                })
                .collect()
        }))
    }

    /// Whether role number `role` has a block whose patterns grant `operation` (not subtracted by its
    /// `notActions`), whatever the scope, conditions and denies: when no role a principal holds at a
    /// scope does, RBAC refuses the request there.
    pub fn role_grants(&self, role: usize, operation: &str, kind: OpKind) -> bool {
        self.role_hits(role, operation, kind)
            .iter()
            .any(|hit| matches!(hit, BlockHit::Granted { .. }))
    }

    /// The blocks of a role that grant or subtract an operation, memoised.
    fn role_hits(&self, role: usize, operation: &str, kind: OpKind) -> Arc<[BlockHit]> {
        let plane = usize::from(kind == OpKind::Data);
        let Some(cache) = self.hits.get(role) else {
            return Arc::from(Vec::new());
        };
        if let Some(found) = read(cache).get(plane).and_then(|m| m.get(operation)) {
            return Arc::clone(found);
        }
        let mut out = Vec::new();
        for (i, block) in self.blocks(role).unwrap_or_default().iter().enumerate() {
            let (grant, subtract) = plane_lists(block, kind);
            let Some(pattern) = grant.iter().position(|p| p.matches(operation)) else {
                continue;
            };
            out.push(match subtract.iter().position(|p| p.matches(operation)) {
                Some(not) => BlockHit::Subtracted { block: i, pattern, not },
                None => BlockHit::Granted { block: i, pattern },
            });
        }
        let hits: Arc<[BlockHit]> = Arc::from(out);
        if let Some(m) = write(cache).get_mut(plane) {
            m.insert(operation.to_string(), Arc::clone(&hits));
        }
        hits
    }

    /// The principal itself and its groups, transitively (memoised), as [`Rbac::check`] walks them:
    /// the `usize` of a candidate of [`Rbac::check_among`] indexes this list.
    pub fn memberships(&self, principal: PrincipalId) -> Arc<[Membership]> {
        let compute = || Arc::from(groups::memberships(self.model, principal));
        match self.memberships.get(principal.index()) {
            Some(cell) => Arc::clone(cell.get_or_init(compute)),
            None => compute(),
        }
    }

    /// The model this evaluator reads.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// Every assignment a principal holds, directly or through its groups (shortest chains), in
    /// assignment order.
    pub fn held_assignments(&self, principal: PrincipalId) -> Vec<HeldAssignment> {
        let mut out: Vec<HeldAssignment> = self
            .memberships(principal)
            .iter()
            .flat_map(|m| {
                self.model
                    .assignments_of(m.group)
                    .iter()
                    .map(move |&a| HeldAssignment {
                        assignment: a,
                        via: m.chain.clone(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        out.sort_by_key(|h| h.assignment);
        out
    }

    /// Like [`Rbac::check`], for "some data of" a resource: a grant at the resource or above, or at a
    /// scope below it (a blob container), counts. Each such scope is checked on its own, so denies
    /// apply as they would to a request there.
    pub fn check_within(&self, request: &Request<'_>) -> Decision {
        let all = self.all_candidates(request.principal);
        self.check_within_among(request, |_| std::borrow::Cow::Borrowed(&all[..]))
    }

    /// [`Rbac::check_within`] when the caller knows the candidates of each scope (see
    /// [`Rbac::check_among`]): `candidates` gives them for a target id.
    pub fn check_within_among<'c>(
        &self,
        request: &Request<'_>,
        candidates: impl Fn(&str) -> std::borrow::Cow<'c, [(AssignmentId, usize)]>,
    ) -> Decision {
        let model = self.model;
        let mut held: Vec<&str> = self
            .memberships(request.principal)
            .iter()
            .flat_map(|m| model.assignments_of(m.group))
            .map(|&a| model.assignment(a).scope.key.as_str())
            .collect();
        held.sort_unstable();
        held.dedup();
        self.check_within_held(request, &held, candidates)
    }

    /// [`Rbac::check_within_among`] when the caller knows the scopes (lower-cased ids, sorted, each
    /// once) of the assignments that can grant the request below its target: `held` may hold more
    /// scopes; those below the target are found in it by a binary search.
    pub fn check_within_held<'c>(
        &self,
        request: &Request<'_>,
        held: &[&str],
        candidates: impl Fn(&str) -> std::borrow::Cow<'c, [(AssignmentId, usize)]>,
    ) -> Decision {
        let direct = self.check_among(request, &candidates(request.target));
        if direct.allowed {
            return direct;
        }
        // Every id below the target has it as a prefix: they sort together, from the prefix on.
        let prefix = request.target.trim_end_matches('/');
        let from = held.partition_point(|k| *k < prefix);
        let below = held
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|k| k.starts_with(prefix))
            .filter(|k| **k != request.target && scope::is_at_or_below(k, request.target));
        for &key in below {
            let d = self.check_among(
                &Request {
                    target: key,
                    ..request.clone()
                },
                &candidates(key),
            );
            if d.allowed {
                return d;
            }
        }
        direct
    }

    /// Every assignment the principal holds, as candidates in the order [`Rbac::check`] meets them.
    fn all_candidates(&self, principal: PrincipalId) -> Vec<(AssignmentId, usize)> {
        self.memberships(principal)
            .iter()
            .enumerate()
            .flat_map(|(i, m)| self.model.assignments_of(m.group).iter().map(move |&a| (a, i)))
            .collect()
    }

    /// Decides a request, collecting every grant, refused grant and deny that bears on it.
    pub fn check(&self, request: &Request<'_>) -> Decision {
        self.check_among(request, &self.all_candidates(request.principal))
    }

    /// [`Rbac::check`] when the caller already knows which assignments can cover the target: each
    /// candidate is an assignment and the index of the membership (in [`Rbac::memberships`]) it is
    /// held through, in the order `check` would meet them. Leaving out assignments that do not cover
    /// the target changes nothing, since they grant nothing there; the decision is the same.
    pub fn check_among(&self, request: &Request<'_>, candidates: &[(AssignmentId, usize)]) -> Decision {
        self.check_among_at(request, &scope::Target::new(request.target), candidates)
    }

    /// The grants one assignment, held directly, gives a request at `target` (`request.target`), by
    /// block, as [`Rbac::check`] collects them: conditions evaluated, those that evaluate to false
    /// left out, denies not looked at. With no deny that can deny the request, RBAC allows it when
    /// some assignment of the principal's gives a grant here.
    pub fn assignment_grants(
        &self,
        request: &Request<'_>,
        target: &scope::Target<'_>,
        assignment: AssignmentId,
    ) -> Vec<Grant> {
        let mut decision = Decision::default();
        self.collect_grants(request, target, assignment, &[], &mut decision);
        decision.grants
    }

    /// [`Rbac::check_among`] with the target prepared by the caller (`target` is `request.target`).
    pub fn check_among_at(
        &self,
        request: &Request<'_>,
        target: &scope::Target<'_>,
        candidates: &[(AssignmentId, usize)],
    ) -> Decision {
        let memberships = self.memberships(request.principal);
        let mut decision = Decision {
            allowed: false,
            grants: Vec::new(),
            refused_by_condition: Vec::new(),
            denied_by: Vec::new(),
            subtracted: Vec::new(),
            notes: Vec::new(),
        };
        self.collect_denies(request, target, &memberships, &mut decision);
        for &(aid, m) in candidates {
            let Some(m) = memberships.get(m) else { continue };
            self.collect_grants(request, target, aid, &m.chain, &mut decision);
        }
        decision.grants.sort_by_key(|g| (g.assignment, g.block));
        decision.allowed = decision.denied_by.is_empty() && !decision.grants.is_empty();
        decision.notes.sort();
        decision.notes.dedup();
        decision
    }

    fn collect_grants(
        &self,
        request: &Request<'_>,
        target: &scope::Target<'_>,
        aid: AssignmentId,
        via: &[PrincipalId],
        out: &mut Decision,
    ) {
        let assignment = self.model.assignment(aid);
        let coverage = target.covered_by(&assignment.scope.key);
        if coverage == Coverage::No {
            return;
        }
        let role = assignment.role.index();
        let hits = self.role_hits(role, request.operation, request.kind);
        if hits.is_empty() {
            return;
        }
        let Some(blocks) = self.blocks(role) else {
            return;
        };
        for hit in hits.iter() {
            let (i, pattern) = match *hit {
                BlockHit::Subtracted { block, pattern, not } => {
                    let Some(b) = blocks.get(block) else { continue };
                    let (grant, subtract) = plane_lists(b, request.kind);
                    out.subtracted.push(Subtracted {
                        assignment: aid,
                        via: via.to_vec(),
                        block,
                        pattern: grant.get(pattern).map(|p| p.text().to_string()).unwrap_or_default(),
                        not_pattern: subtract.get(not).map(|p| p.text().to_string()).unwrap_or_default(),
                    });
                    continue;
                }
                BlockHit::Granted { block, pattern } => (block, pattern),
            };
            let Some(block) = blocks.get(i) else { continue };
            let Some(pattern) = plane_lists(block, request.kind).0.get(pattern) else {
                continue;
            };
            let status = self
                .condition_status(block.condition.as_deref(), request)
                .and(self.condition_status(assignment.condition.as_deref(), request));
            let grant = Grant {
                assignment: aid,
                via: via.to_vec(),
                block: i,
                pattern: pattern.shared_text(),
                coverage,
                condition: status,
            };
            if coverage == Coverage::AssumedManagementGroup {
                out.notes.push(format!(
                    "assignment `{}` is at management group scope `{}`; the management-group tree is not \
                     modelled, so it is assumed to cover every subscription",
                    assignment.id, assignment.scope.display
                ));
            }
            if matches!(grant.condition, ConditionStatus::False { .. }) {
                out.refused_by_condition.push(grant);
            } else {
                out.grants.push(grant);
            }
        }
    }

    fn condition_status(&self, text: Option<&str>, request: &Request<'_>) -> ConditionStatus {
        let Some(text) = text else {
            return ConditionStatus::None;
        };
        let Some(Some(parsed)) = self.conditions.get(text) else {
            // A condition that does not parse cannot be evaluated; it can only narrow a grant, so the
            // grant is kept and reported.
            return ConditionStatus::NotEvaluated {
                text: text.to_string(),
                needs: vec!["a condition the tool cannot parse".to_string()],
            };
        };
        let attrs = Attrs {
            operation: request.operation,
            request: &request.attributes,
        };
        match parsed.evaluate(&attrs) {
            Truth::True => ConditionStatus::Holds,
            Truth::False => ConditionStatus::False { text: text.to_string() },
            Truth::Unknown => ConditionStatus::NotEvaluated {
                text: text.to_string(),
                needs: still_needed(parsed, &attrs),
            },
        }
    }

    /// Whether deny assignment number `deny` (in model order) denies `operation` where it applies,
    /// whoever asks: its principals, exclusions and scope are not looked at.
    pub fn deny_matches(&self, deny: usize, operation: &str, kind: OpKind) -> bool {
        self.deny_pattern(deny, operation, kind).is_some()
    }

    /// The pattern by which deny assignment number `deny` denies `operation`, if it does.
    fn deny_pattern(&self, deny: usize, operation: &str, kind: OpKind) -> Option<&Pattern> {
        let compiled = self.denies.get(deny)?;
        let (grant, subtract) = match kind {
            OpKind::Control => (&compiled.actions, &compiled.not_actions),
            OpKind::Data => (&compiled.data_actions, &compiled.not_data_actions),
        };
        let plane = usize::from(kind == OpKind::Data);
        let known = lock(&compiled.hits).get(plane).and_then(|m| m.get(operation).copied());
        let index = match known {
            Some(index) => index,
            None => {
                let index = match block_match(grant, subtract, operation) {
                    Match::Granted(pattern) => grant.iter().position(|p| std::ptr::eq(p, pattern)),
                    Match::None | Match::Subtracted => None,
                };
                if let Some(m) = lock(&compiled.hits).get_mut(plane) {
                    m.insert(operation.to_string(), index);
                }
                index
            }
        };
        grant.get(index?)
    }

    fn collect_denies(
        &self,
        request: &Request<'_>,
        target: &scope::Target<'_>,
        memberships: &[Membership],
        out: &mut Decision,
    ) {
        if self.model.denies.is_empty() {
            return;
        }
        // Only the denies at a prefix of the target (or anywhere) can cover it; in model order.
        let mut candidates: Vec<usize> = target
            .prefixes()
            .filter_map(|p| self.denies_at.get(p.trim_end_matches('/')))
            .flatten()
            .chain(&self.denies_anywhere)
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for i in candidates {
            let Some(deny) = self.model.denies.get(i) else { continue };
            let applies_here = if deny.do_not_apply_to_child_scopes {
                deny.scope.key == request.target
            } else {
                match target.covered_by(&deny.scope.key) {
                    Coverage::Yes => true,
                    Coverage::No => false,
                    Coverage::AssumedManagementGroup => {
                        out.notes.push(format!(
                            "deny assignment `{}` is at a management group; the management-group tree is not \
                             modelled, so it is not applied (this can only show more access)",
                            deny.name
                        ));
                        false
                    }
                }
            };
            if !applies_here {
                continue;
            }
            let Some(pattern) = self.deny_pattern(i, request.operation, request.kind) else {
                continue;
            };
            // Excluded when the principal or any group it belongs to is excluded.
            if memberships.iter().any(|m| deny.exclude_principals.contains(&m.group)) {
                continue;
            }
            let via = match &deny.principals {
                DenyPrincipals::Everyone => Some(None),
                DenyPrincipals::Listed(list) => {
                    if let Some(m) = memberships.iter().find(|m| m.is_direct() && list.contains(&m.group)) {
                        Some(Some(m.group))
                    } else {
                        if let Some(m) = memberships.iter().find(|m| list.contains(&m.group)) {
                            out.notes.push(format!(
                                "deny assignment `{}` names group `{}`, of which `{}` is a nested member; it is \
                                 applied to direct members only, though Azure may also apply it to nested members",
                                deny.name,
                                self.model.principal(m.group).name,
                                self.model.principal(request.principal).name
                            ));
                        }
                        None
                    }
                }
            };
            if let Some(via) = via {
                out.denied_by.push(DenyHit {
                    deny: crate::model::DenyId::from_index(i),
                    pattern: pattern.text().to_string(),
                    via,
                });
            }
        }
    }
}

/// Whether a role definition alone (no assignment) grants an operation: the first block and pattern
/// that do. Conditions in the role are not evaluated here; the caller reports them.
pub fn role_allows(role: &crate::model::RoleDefinition, operation: &str, kind: OpKind) -> Option<(usize, String)> {
    for (i, b) in role.permissions.iter().enumerate() {
        let (grant, subtract) = match kind {
            OpKind::Control => (&b.actions, &b.not_actions),
            OpKind::Data => (&b.data_actions, &b.not_data_actions),
        };
        let grant = compile(grant, Trailing::Bare);
        let subtract = compile(subtract, Trailing::NotBare);
        if let Match::Granted(p) = block_match(&grant, &subtract, operation) {
            return Some((i, p.text().to_string()));
        }
    }
    None
}
