//! Building the access graph from a model: every rule of `docs/rules.md` instantiated over the model's
//! principals, resources and credentials (semantics §3, §9, §10).

mod decide;
mod dense;
mod kinds;
mod tables;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::fact::{Endpoint, Fact, Place};
use super::network::{NetDecision, NetworkOracle};
use super::ops::Op;
use super::rule::{Evidence, RuleId, RuleInstance, idx};
use super::{AccessGraph, FactId, Instances};
use crate::channel::Channel;
use crate::model::resource::{AuthMode, DatastoreCredentials};
use crate::model::{
    CredentialKind, Holder, IdentityOf, Model, PrincipalId, PrincipalKind, Props, ResourceId, ResourceKind, prospective,
};
use crate::network::overrides::{self, Overrides};
use crate::rbac::evaluate::role_allows;
use crate::rbac::scope::{self, Coverage};
use crate::rbac::{Decision, OpKind, Rbac, Request, RequestAttributes, catalog};
use crate::timing;
use decide::{Decided, Decider, GrantConclusion, GrantStep, ReachTable, RoleGrants, capability_of};
use dense::DenseFacts;
use kinds::AssignmentKinds;
use tables::ScopeTables;

/// Builds the access graph of a model. Network premises are decided by `oracle`.
pub fn build(model: &Model, oracle: &dyn NetworkOracle) -> AccessGraph {
    let m = timing::stage("build: prospective resources", || prospective::augment(model));
    build_prepared(Arc::new(m), oracle)
}

/// Builds the access graph of a model whose prospective resources are already added
/// ([`prospective::augment`]); the graph keeps the model, shared rather than copied.
pub fn build_prepared(m: Arc<Model>, oracle: &dyn NetworkOracle) -> AccessGraph {
    let t = timing::stage("build: scope tables", || ScopeTables::new(&m));
    let dense = DenseFacts::new(m.principals.len(), t.scopes.len(), m.resources.len());
    let mut b = Builder {
        m: &m,
        oracle,
        rbac: Arc::new(Rbac::new(&m)),
        t: Arc::new(t),
        facts: Vec::new(),
        fact_index: FxHashMap::default(),
        dense,
        rules: Instances::new(),
        blocked: Vec::new(),
        undecided: Vec::new(),
        assignable: HashMap::new(),
        role_for_cache: HashMap::new(),
        children: FxHashMap::default(),
    };
    for r in m.resource_ids() {
        if let Some(parent) = m.resource(r).parent {
            b.children.entry(parent).or_default().push(r);
        }
    }
    timing::stage("build: memberships", || b.memberships());
    timing::stage("build: grants", || b.grants());
    timing::stage("build: p01", || b.p01());
    timing::stage("build: storage rules", || b.storage_rules());
    timing::stage("build: vault rules", || b.vault_rules());
    timing::stage("build: registry rules", || b.registry_rules());
    timing::stage("build: workspace rules", || b.workspace_rules());
    timing::stage("build: code rules", || b.code_rules());
    timing::stage("build: identity rules", || b.identity_rules());
    timing::stage("build: credential rules", || b.credential_rules());
    timing::stage("build: network change rules", || b.network_change_rules());
    timing::stage("build: network rules", || b.network_rules());
    let mut graph = timing::stage("build: indexes", || b.finish(oracle.applied()));
    graph.model = m;
    graph
}

/// A question `role_for` answers: an operation, its plane, and the roles (GUIDs) it may choose from.
type RoleQuestion = (String, OpKind, Option<Vec<String>>);

struct Builder<'m> {
    m: &'m Model,
    oracle: &'m dyn NetworkOracle,
    /// Shared with the threads that decide grants.
    rbac: Arc<Rbac<'m>>,
    facts: Vec<Fact>,
    fact_index: FxHashMap<Fact, FactId>,
    /// The ids of the facts grants name most, found without hashing (see [`DenseFacts`]).
    dense: DenseFacts,
    rules: Instances,
    /// The scopes and what is asked at each; shared with the threads that decide grants.
    t: Arc<ScopeTables>,
    blocked: Vec<(Place, Endpoint, String)>,
    undecided: Vec<(Place, Endpoint, String)>,
    assignable: HashMap<(PrincipalId, u32), Vec<String>>,
    role_for_cache: HashMap<RoleQuestion, Option<String>>,
    /// The resources whose parent is each resource, in model order.
    children: FxHashMap<ResourceId, Vec<ResourceId>>,
}

fn fact_text(resource: Option<ResourceId>, other: Option<ResourceId>, text: String) -> Evidence {
    Evidence::Fact {
        resource,
        other,
        credential: None,
        principal: None,
        text,
    }
}

impl<'m> Builder<'m> {
    fn fact(&mut self, f: Fact) -> FactId {
        if let Some(id) = self.dense.get(&f) {
            return id;
        }
        if let Some(id) = self.fact_index.get(&f) {
            return *id;
        }
        let id = FactId::from_index(self.facts.len());
        self.facts.push(f);
        self.fact_index.insert(f, id);
        self.dense.set(&f, id);
        id
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call per rule instance reads best with every part named"
    )]
    fn rule(
        &mut self,
        rule: RuleId,
        channel: Channel,
        premises: &[Fact],
        conclusion: Fact,
        evidence: Evidence,
        names: Vec<PrincipalId>,
        tags: Vec<String>,
    ) {
        let premises: Box<[FactId]> = premises.iter().map(|f| self.fact(*f)).collect();
        let conclusion = self.fact(conclusion);
        self.rules.push(RuleInstance {
            rule,
            channel,
            premises,
            conclusion,
            evidence,
            names: names.into_boxed_slice(),
            tags: tags.into_boxed_slice(),
        });
    }

    fn scope_of(&self, r: ResourceId) -> u32 {
        self.t
            .scope_index
            .get(&self.m.resource(r).key)
            .copied()
            .unwrap_or(u32::MAX)
    }

    /// The read-only part of the builder that decides grants (see [`decide`]).
    fn decider(&self) -> Decider<'_> {
        Decider {
            m: self.m,
            rbac: &self.rbac,
            t: &self.t,
        }
    }

    /// A token carries the groups of its principal, transitively: one step per direct membership, from
    /// "acts as the member" to "is a member of the group" (`As` of a group), shared by every principal
    /// whose token carries the member.
    fn memberships(&mut self) {
        let m = self.m;
        for member in m.principal_ids() {
            let mut groups = m.groups_of(member).to_vec();
            groups.sort();
            groups.dedup();
            for g in groups {
                if g == member {
                    continue;
                }
                self.rule(
                    RuleId::Membership,
                    Channel::Membership,
                    &[Fact::As(member)],
                    Fact::As(g),
                    Evidence::Membership { member, group: g },
                    vec![member, g],
                    Vec::new(),
                );
            }
        }
    }

    /// Grants per holder: RBAC allows a request when one assignment of the principal or of one of its
    /// groups grants it and no deny assignment denies it. Where no deny assignment can deny an
    /// operation at a scope, the grant depends on the holder of the assignment alone, so it is one rule
    /// instance from `As(holder)`, shared by every member (the membership steps lead there). Where a
    /// deny can, it depends on who asks (denies name principals and exclude some), so each principal's
    /// grant there is decided on its own, as [`Rbac::check`] decides it.
    fn grants(&mut self) {
        let m = self.m;
        let deniable = self.decider().deniable();
        let role_grants = RoleGrants::new(m.roles.len(), self.t.op_names.len());
        let kinds = timing::stage("build: grants: each kind of assignment's", || {
            AssignmentKinds::new(&self.decider(), &deniable, &role_grants)
        });
        let everyone: Vec<PrincipalId> = m.principal_ids().collect();
        let per_principal = timing::stage("build: grants: each holder's own", || {
            self.grant_each(&everyone, |d, holder| kinds.holder_grants(d, holder))
        });
        drop(kinds);
        let started = std::time::Instant::now();
        if per_principal.is_empty() {
            return;
        }
        // "Some data of" a scope is also asked at the scopes below it, so their candidates are needed.
        let mut wanted = vec![false; self.t.scopes.len()];
        let mut want = |s: u32| {
            if let Some(w) = wanted.get_mut(s as usize) {
                *w = true;
            }
        };
        for &s in &per_principal {
            want(s);
            if let Some(x) = self.t.scopes.get(s as usize)
                && let Some(below) = self.t.below.get(x.key.trim_end_matches('/'))
            {
                below.iter().copied().for_each(&mut want);
            }
        }
        // Where each assignment matters there, worked out once per assignment scope rather than for
        // every principal.
        let reach = ReachTable::new(&self.decider(), &wanted);
        self.grant_each(&everyone, |d, p| {
            d.principal_grants(p, &reach, &per_principal, &deniable, &role_grants)
        });
        timing::report("build: grants: where a deny may deny", started);
    }

    /// Adds the grants `decide` finds for each of `principals`, in that order, and returns the scopes
    /// it left to per-principal decisions. Batches of principals are decided on other threads while
    /// this one adds the grants of the batches before; grants are added in order, so the graph is the
    /// same with any number of threads.
    fn grant_each(
        &mut self,
        principals: &[PrincipalId],
        decide: impl Fn(&Decider<'_>, PrincipalId) -> Vec<Decided> + Sync,
    ) -> BTreeSet<u32> {
        // Small enough that the decisions waiting to be added (a subscription Owner's cover every
        // scope) stay few.
        const PRINCIPALS_PER_BATCH: usize = 256;
        let (rbac, t) = (Arc::clone(&self.rbac), Arc::clone(&self.t));
        let d = Decider {
            m: self.m,
            rbac: &rbac,
            t: &t,
        };
        // The deciding threads are a pool of their own, as large as the pool the build runs in: this
        // thread waits for their batches, and if it were a worker of the pool that decides (a build
        // run inside a parallel job), a pool of one would wait for itself.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(|i| format!("grants-{i}"))
            .build()
            .ok();
        let decide_batch = |batch: &[PrincipalId]| -> Vec<Vec<Decided>> {
            match &pool {
                Some(pool) => pool.install(|| batch.par_iter().map(|&p| decide(&d, p)).collect()),
                None => batch.iter().map(|&p| decide(&d, p)).collect(),
            }
        };
        let mut per_principal = BTreeSet::new();
        std::thread::scope(|threads| {
            let (send, decided) = std::sync::mpsc::sync_channel::<Vec<Vec<Decided>>>(1);
            threads.spawn(|| {
                let send = send;
                for batch in principals.chunks(PRINCIPALS_PER_BATCH) {
                    if send.send(decide_batch(batch)).is_err() {
                        break;
                    }
                }
            });
            for (batch, decided) in principals.chunks(PRINCIPALS_PER_BATCH).zip(decided) {
                for (&p, list) in batch.iter().zip(decided) {
                    for item in list {
                        match item {
                            Decided::Grant(step) => self.add_grant(p, step),
                            Decided::PerPrincipal(scope) => {
                                per_principal.insert(scope);
                            }
                        }
                    }
                }
            }
        });
        per_principal
    }

    fn decide(&self, p: PrincipalId, op: Op, scope: u32, role_definition_id: Option<String>) -> Decision {
        let Some(s) = self.t.scopes.get(scope as usize) else {
            return Decision::default();
        };
        let target = s.resource.map(|r| self.m.resource(r));
        let name = op.name(target);
        let request = Request {
            principal: p,
            operation: &name,
            kind: op.kind(),
            target: &s.key,
            attributes: RequestAttributes { role_definition_id },
        };
        if op.kind() == OpKind::Data {
            self.rbac.check_within(&request)
        } else {
            self.rbac.check(&request)
        }
    }

    /// Adds a grant prepared by [`Decider::grant_step`]; a right to assign roles that only conditional
    /// grants give is checked here, role by role, with the builder's memo.
    fn add_grant(&mut self, p: PrincipalId, step: GrantStep) {
        let conclusion = match step.conclusion {
            GrantConclusion::Fact(f) => f,
            GrantConclusion::AssignIfEveryRole(scope) => {
                if self.assignable_roles(p, scope).len() == self.all_role_guids().len() {
                    Fact::Assign(scope)
                } else {
                    Fact::AssignSome(scope, p.0)
                }
            }
        };
        self.rule(
            RuleId::Grant,
            step.channel,
            &step.premises,
            conclusion,
            step.evidence,
            step.names,
            step.tags,
        );
    }

    fn all_role_guids(&self) -> Vec<String> {
        let mut guids: Vec<String> = catalog::builtin().roles().iter().map(|r| r.guid.clone()).collect();
        guids.extend(self.m.roles.iter().filter(|r| !r.builtin).map(|r| r.guid.clone()));
        guids
    }

    /// The roles `p` may assign at the scope (conditions evaluated per role; unevaluable ones allow),
    /// memoised: P01 asks again for every scope below.
    fn assignable_roles(&mut self, p: PrincipalId, scope: u32) -> Vec<String> {
        if let Some(found) = self.assignable.get(&(p, scope)) {
            return found.clone();
        }
        let roles: Vec<String> = self
            .all_role_guids()
            .into_iter()
            .filter(|g| self.decide(p, Op::AssignRoles, scope, Some(g.clone())).allowed)
            .collect();
        self.assignable.insert((p, scope), roles.clone());
        roles
    }

    /// P01: whoever may create role assignments at S may give itself any role at S or below.
    fn p01(&mut self) {
        let assign_facts: Vec<Fact> = self
            .facts
            .iter()
            .filter(|f| matches!(f, Fact::Assign(_) | Fact::AssignSome(..)))
            .copied()
            .collect();
        for f in assign_facts {
            let (at, limited_to) = match f {
                Fact::Assign(at) => (at, None),
                Fact::AssignSome(at, p) => {
                    let roles = self.assignable_roles(PrincipalId(p), at);
                    (at, Some(roles))
                }
                _ => continue,
            };
            let Some(at_key) = self.t.scopes.get(at as usize).map(|s| s.key.clone()) else {
                continue;
            };
            // The resources at or below the scope (the scope index answers as `scope::covers`).
            let below: Vec<(u32, ResourceId)> = self
                .t
                .covered_by(&at_key)
                .into_iter()
                .filter_map(|i| Some((i, self.t.scopes.get(i as usize)?.resource?)))
                .collect();
            for (scope, r) in below {
                for i in 0..self.t.ops_at(scope).len() {
                    let Some(&(op, name)) = self.t.ops_at(scope).get(i) else {
                        continue;
                    };
                    if op == Op::AssignRoles {
                        continue;
                    }
                    let operation = self.t.op_name(name).to_string();
                    let Some(role) = self.role_for(&operation, op.kind(), limited_to.as_deref()) else {
                        continue;
                    };
                    let evidence = Evidence::Assigned {
                        at,
                        role: role.clone(),
                        operation,
                        scope,
                    };
                    let tags = if limited_to.is_some() {
                        vec![format!("P01 limited by a condition to some roles; uses `{role}`")]
                    } else {
                        Vec::new()
                    };
                    match capability_of(self.m, op, r) {
                        Some((conclusion, endpoint)) => {
                            self.rule(
                                RuleId::P01,
                                Channel::Data,
                                &[f, Fact::Reach(endpoint)],
                                conclusion,
                                evidence,
                                Vec::new(),
                                tags,
                            );
                        }
                        None if op.is_capability() => {}
                        None => {
                            self.rule(
                                RuleId::P01,
                                Channel::Arm,
                                &[f],
                                Fact::Can(op.code(), scope),
                                evidence,
                                Vec::new(),
                                tags,
                            );
                        }
                    }
                }
            }
        }
    }

    /// A role that grants the operation: Owner for control-plane operations, else the first built-in
    /// role (by name) that does; limited to `roles` (GUIDs) when given. Memoised per question: every
    /// scope below an assignable one asks the same few.
    fn role_for(&mut self, operation: &str, kind: OpKind, roles: Option<&[String]>) -> Option<String> {
        let key = (operation.to_string(), kind, roles.map(<[String]>::to_vec));
        if let Some(found) = self.role_for_cache.get(&key) {
            return found.clone();
        }
        let allowed = |guid: &str| roles.is_none_or(|rs| rs.iter().any(|r| r == guid));
        let cat = catalog::builtin();
        let preferred = ["Owner", "Storage Blob Data Owner", "Key Vault Secrets Officer"];
        let found = preferred
            .iter()
            .filter_map(|name| cat.find(name))
            .find(|r| allowed(&r.guid) && role_allows(r, operation, kind).is_some())
            .or_else(|| {
                cat.roles()
                    .iter()
                    .chain(self.m.roles.iter().filter(|r| !r.builtin))
                    .find(|r| allowed(&r.guid) && role_allows(r, operation, kind).is_some())
            })
            .map(|r| r.name.clone());
        self.role_for_cache.insert(key, found.clone());
        found
    }

    fn can(&self, op: Op, r: ResourceId) -> Fact {
        Fact::Can(op.code(), self.scope_of(r))
    }

    fn resources_of(&self, kind: ResourceKind) -> Vec<ResourceId> {
        self.m
            .resource_ids()
            .filter(|r| self.m.resource(*r).kind == kind)
            .collect()
    }

    fn storage_rules(&mut self) {
        for s in self.resources_of(ResourceKind::StorageAccount) {
            let Props::Storage(props) = &self.m.resource(s).props else {
                continue;
            };
            let (shared_key, public_blob) = (props.allow_shared_key_access, props.allow_blob_public_access);
            let name = self.m.resource(s).name.clone();
            // P04: list the account keys (arm), then present one (credential).
            self.rule(
                RuleId::P04,
                Channel::Arm,
                &[self.can(Op::StorageListKeys, s)],
                Fact::Key(s),
                fact_text(Some(s), None, format!("lists the account keys of `{name}`")),
                Vec::new(),
                Vec::new(),
            );
            // P05: storage write turns Shared Key back on.
            let key_premises = if shared_key {
                vec![Fact::Key(s), Fact::Reach(Endpoint::Blob(s))]
            } else {
                self.rule(
                    RuleId::P05,
                    Channel::Arm,
                    &[self.can(Op::Write, s)],
                    Fact::SharedKeyOn(s),
                    fact_text(Some(s), None, format!("turns Shared Key access of `{name}` back on")),
                    Vec::new(),
                    Vec::new(),
                );
                vec![Fact::Key(s), Fact::SharedKeyOn(s), Fact::Reach(Endpoint::Blob(s))]
            };
            for (conclusion, verb) in [(Fact::DataRead(s), "reads"), (Fact::DataWrite(s), "writes")] {
                self.rule(
                    RuleId::P04,
                    Channel::Credential,
                    &key_premises,
                    conclusion,
                    fact_text(
                        Some(s),
                        None,
                        format!("{verb} blobs of `{name}` with the account key (Shared Key)"),
                    ),
                    Vec::new(),
                    Vec::new(),
                );
            }
            if public_blob {
                self.rule(
                    RuleId::PublicBlob,
                    Channel::Data,
                    &[Fact::Reach(Endpoint::Blob(s))],
                    Fact::DataRead(s),
                    fact_text(Some(s), None, format!("reads public blobs of `{name}` anonymously")),
                    Vec::new(),
                    vec!["unverified-step: container access levels are not modelled".into()],
                );
            }
        }
    }

    fn vault_rules(&mut self) {
        for v in self.resources_of(ResourceKind::KeyVault) {
            let Props::KeyVault(props) = &self.m.resource(v).props else {
                continue;
            };
            if props.enable_rbac_authorization {
                continue;
            }
            let policies = props.access_policies.clone();
            let name = self.m.resource(v).name.clone();
            for op in [Op::Write, Op::VaultPolicyWrite] {
                self.rule(
                    RuleId::P07,
                    Channel::Arm,
                    &[self.can(op, v)],
                    Fact::VaultPolicy(v),
                    fact_text(Some(v), None, format!("adds an access policy for itself to `{name}`")),
                    Vec::new(),
                    Vec::new(),
                );
            }
            self.rule(
                RuleId::P07,
                Channel::Data,
                &[Fact::VaultPolicy(v), Fact::Reach(Endpoint::Vault(v))],
                Fact::Secrets(v),
                fact_text(
                    Some(v),
                    None,
                    format!("reads the secrets of `{name}` under its new access policy"),
                ),
                Vec::new(),
                Vec::new(),
            );
            for policy in policies {
                if !policy.secrets.iter().any(|s| s == "get") {
                    continue;
                }
                // A policy for a group applies to its members (their tokens carry the group: `As` of it).
                self.rule(
                    RuleId::AccessPolicy,
                    Channel::Data,
                    &[Fact::As(policy.principal), Fact::Reach(Endpoint::Vault(v))],
                    Fact::Secrets(v),
                    Evidence::Fact {
                        resource: Some(v),
                        other: None,
                        credential: None,
                        principal: Some(policy.principal),
                        text: format!(
                            "reads the secrets of `{name}` under the access policy of `{}`",
                            self.m.principal(policy.principal).name
                        ),
                    },
                    vec![policy.principal],
                    Vec::new(),
                );
            }
        }
    }

    fn registry_rules(&mut self) {
        for r in self.resources_of(ResourceKind::ContainerRegistry) {
            let Props::Registry(props) = &self.m.resource(r).props else {
                continue;
            };
            if !props.admin_user_enabled {
                continue;
            }
            let name = self.m.resource(r).name.clone();
            self.rule(
                RuleId::P18,
                Channel::Arm,
                &[self.can(Op::RegistryListCredentials, r)],
                Fact::AcrAdmin(r),
                fact_text(Some(r), None, format!("lists the admin credentials of `{name}`")),
                Vec::new(),
                Vec::new(),
            );
            self.rule(
                RuleId::P18,
                Channel::Credential,
                &[Fact::AcrAdmin(r), Fact::Reach(Endpoint::Registry(r))],
                Fact::Push(r),
                fact_text(Some(r), None, format!("pushes images to `{name}` as its admin user")),
                Vec::new(),
                Vec::new(),
            );
        }
    }

    fn children(&self, ws: ResourceId, kinds: &[ResourceKind]) -> Vec<ResourceId> {
        self.children
            .get(&ws)
            .into_iter()
            .flatten()
            .copied()
            .filter(|r| kinds.contains(&self.m.resource(*r).kind))
            .collect()
    }

    fn workspace_rules(&mut self) {
        for w in self.resources_of(ResourceKind::Workspace) {
            let Props::Workspace(props) = self.m.resource(w).props.clone() else {
                continue;
            };
            let wname = self.m.resource(w).name.clone();
            let reach_w = Fact::Reach(Endpoint::Workspace(w));
            let computes = self.children(w, &[ResourceKind::ComputeInstance, ResourceKind::ComputeCluster]);
            let endpoints = self.children(w, &[ResourceKind::OnlineEndpoint]);
            let datastores = self.children(w, &[ResourceKind::Datastore]);
            self.datastore_rules(w, &datastores, props.key_vault);
            // P09: workspace keys.
            if let Some(s) = props.storage_account {
                self.rule(
                    RuleId::P09,
                    Channel::Arm,
                    &[self.can(Op::WorkspaceListKeys, w)],
                    Fact::Key(s),
                    fact_text(
                        Some(w),
                        Some(s),
                        format!(
                            "lists the keys of `{wname}`: the storage key of `{}`",
                            self.m.resource(s).name
                        ),
                    ),
                    Vec::new(),
                    Vec::new(),
                );
                self.rule(
                    RuleId::P10,
                    Channel::Arm,
                    &[self.can(Op::WorkspaceListStorageKeys, w)],
                    Fact::Key(s),
                    fact_text(
                        Some(w),
                        Some(s),
                        format!(
                            "lists the storage account keys of `{wname}`: the key of `{}`",
                            self.m.resource(s).name
                        ),
                    ),
                    Vec::new(),
                    vec!["unverified-step: what listStorageAccountKeys returns is not documented (P10)".into()],
                );
                // P17: write to the default storage tampers with code that runs on the computes.
                for &c in &computes {
                    if self.m.resource(c).prospective {
                        continue;
                    }
                    self.rule(
                        RuleId::P17,
                        Channel::SupplyChain,
                        &[Fact::DataWrite(s)],
                        Fact::Exec(c),
                        fact_text(
                            Some(c),
                            Some(s),
                            format!(
                                "tampers with code in `{}` that runs on `{}`",
                                self.m.resource(s).name,
                                self.m.resource_display(c)
                            ),
                        ),
                        Vec::new(),
                        Vec::new(),
                    );
                }
            }
            if let Some(reg) = props.container_registry
                && let Props::Registry(rp) = &self.m.resource(reg).props
                && rp.admin_user_enabled
            {
                self.rule(
                    RuleId::P09,
                    Channel::Arm,
                    &[self.can(Op::WorkspaceListKeys, w)],
                    Fact::AcrAdmin(reg),
                    fact_text(
                        Some(w),
                        Some(reg),
                        format!(
                            "lists the keys of `{wname}`: the admin credentials of `{}`",
                            self.m.resource(reg).name
                        ),
                    ),
                    Vec::new(),
                    Vec::new(),
                );
            }
            // P18: push to the workspace's registry.
            if let Some(reg) = props.container_registry {
                for &c in computes.iter().chain(endpoints.iter()) {
                    if self.m.resource(c).prospective {
                        continue;
                    }
                    self.rule(
                        RuleId::P18,
                        Channel::SupplyChain,
                        &[Fact::Push(reg)],
                        Fact::Exec(c),
                        fact_text(
                            Some(c),
                            Some(reg),
                            format!(
                                "replaces an image in `{}` that `{}` runs",
                                self.m.resource(reg).name,
                                self.m.resource_display(c)
                            ),
                        ),
                        Vec::new(),
                        Vec::new(),
                    );
                }
            }
            // P12, P13, P15, P16 on the computes.
            for &c in &computes {
                let res = self.m.resource(c);
                let display = self.m.resource_display(c);
                let kind = res.kind;
                if res.prospective {
                    self.rule(
                        RuleId::P13,
                        Channel::Arm,
                        &[self.can(Op::Write, c)],
                        Fact::Created(c),
                        fact_text(
                            Some(c),
                            Some(w),
                            format!("creates a compute instance in `{wname}` with its own SSH key"),
                        ),
                        Vec::new(),
                        Vec::new(),
                    );
                    self.rule(
                        RuleId::P16,
                        Channel::Ssh,
                        &[Fact::Created(c), Fact::Reach(Endpoint::Ssh(c))],
                        Fact::Exec(c),
                        fact_text(
                            Some(c),
                            None,
                            format!("logs in to the new compute in `{wname}` with its own SSH key"),
                        ),
                        Vec::new(),
                        Vec::new(),
                    );
                    self.rule(
                        RuleId::P12,
                        Channel::AzureMl,
                        &[Fact::Created(c), self.can(Op::JobsWrite, w), reach_w],
                        Fact::Exec(c),
                        fact_text(
                            Some(c),
                            Some(w),
                            format!("submits a job to the new compute in `{wname}`"),
                        ),
                        Vec::new(),
                        Vec::new(),
                    );
                    self.rule(
                        RuleId::P15,
                        Channel::AzureMl,
                        &[Fact::Created(c), self.can(Op::ComputeApplicationAccess, c), reach_w],
                        Fact::Exec(c),
                        fact_text(
                            Some(c),
                            Some(w),
                            format!("opens a terminal on the new compute in `{wname}`"),
                        ),
                        Vec::new(),
                        Vec::new(),
                    );
                    continue;
                }
                self.rule(
                    RuleId::P12,
                    Channel::AzureMl,
                    &[self.can(Op::JobsWrite, w), reach_w],
                    Fact::Exec(c),
                    fact_text(Some(c), Some(w), format!("submits a job that runs on `{display}`")),
                    Vec::new(),
                    Vec::new(),
                );
                if kind == ResourceKind::ComputeInstance {
                    self.rule(
                        RuleId::P15,
                        Channel::AzureMl,
                        &[self.can(Op::ComputeApplicationAccess, c), reach_w],
                        Fact::Exec(c),
                        fact_text(Some(c), Some(w), format!("opens Jupyter or a terminal on `{display}`")),
                        Vec::new(),
                        vec!["unverified-step: whether a non-assigned user can open a personal instance's applications is not documented (P15)".into()],
                    );
                }
            }
            // P14: deploy code to a new endpoint, or to an existing one.
            for &e in &endpoints {
                let res = self.m.resource(e);
                let display = self.m.resource_display(e);
                if res.prospective {
                    self.rule(
                        RuleId::P14,
                        Channel::AzureMl,
                        &[self.can(Op::Write, e), self.can(Op::DeploymentsWrite, e), reach_w],
                        Fact::Exec(e),
                        fact_text(
                            Some(e),
                            Some(w),
                            format!("creates an online endpoint in `{wname}` and deploys its own code to it"),
                        ),
                        Vec::new(),
                        Vec::new(),
                    );
                    continue;
                }
                self.rule(
                    RuleId::P14,
                    Channel::AzureMl,
                    &[self.can(Op::DeploymentsWrite, e), reach_w],
                    Fact::Exec(e),
                    fact_text(Some(e), Some(w), format!("deploys its own code to `{display}`")),
                    Vec::new(),
                    Vec::new(),
                );
                let auth = match &res.props {
                    Props::Endpoint(p) => p.auth_mode,
                    _ => continue,
                };
                let op = match auth {
                    AuthMode::Key => Some((Op::EndpointListKeys, "lists the keys of")),
                    AuthMode::AmlToken => Some((Op::EndpointToken, "gets an Azure ML token for")),
                    AuthMode::AadToken => None,
                };
                if let Some((op, verb)) = op {
                    self.rule(
                        RuleId::P26,
                        Channel::Arm,
                        &[self.can(op, e)],
                        Fact::EndpointSecret(e),
                        fact_text(Some(e), None, format!("{verb} `{display}`")),
                        Vec::new(),
                        Vec::new(),
                    );
                    self.rule(
                        RuleId::P26,
                        Channel::Credential,
                        &[Fact::EndpointSecret(e), Fact::Reach(Endpoint::Scoring(e))],
                        Fact::Invoke(e),
                        fact_text(Some(e), None, format!("calls the scoring URI of `{display}` with it")),
                        Vec::new(),
                        Vec::new(),
                    );
                }
            }
            // P27: approving a private endpoint from a network of one's choice reaches W and its
            // endpoints privately, from wherever the actor is.
            let tag =
                "unverified-step: service-side checks on private endpoint approval are not known (P27)".to_string();
            for target in std::iter::once(Endpoint::Workspace(w)).chain(
                endpoints
                    .iter()
                    .filter(|e| !self.m.resource(**e).prospective)
                    .map(|e| Endpoint::Scoring(*e)),
            ) {
                self.rule(
                    RuleId::P27,
                    Channel::AzureMl,
                    &[self.can(Op::PrivateEndpointApproval, w)],
                    Fact::Reach(target),
                    fact_text(
                        Some(w),
                        Some(target.resource()),
                        format!(
                            "approves a private endpoint of its own to `{wname}` and reaches {} through it",
                            self.m.resource_display(target.resource())
                        ),
                    ),
                    Vec::new(),
                    vec![tag.clone()],
                );
            }
            // use W.
            self.rule(
                RuleId::Use,
                Channel::AzureMl,
                &[self.can(Op::WorkspaceRead, w), reach_w],
                Fact::Use(w),
                fact_text(Some(w), None, format!("uses `{wname}` through Azure ML")),
                Vec::new(),
                Vec::new(),
            );
            self.p31(w, &datastores);
        }
    }

    /// P08: datastore secrets through `listsecrets`, or from the workspace's key vault.
    fn datastore_rules(&mut self, w: ResourceId, datastores: &[ResourceId], vault: Option<ResourceId>) {
        for &d in datastores {
            let Props::Datastore(p) = self.m.resource(d).props.clone() else {
                continue;
            };
            let Some(s) = p.storage_account else { continue };
            let display = self.m.resource_display(d);
            let sname = self.m.resource(s).name.clone();
            let (secret, what) = match p.credentials {
                DatastoreCredentials::None => continue,
                DatastoreCredentials::AccountKey => (Fact::Key(s), format!("the account key of `{sname}`")),
                DatastoreCredentials::Sas { .. } => (Fact::DatastoreSecret(d), format!("a SAS token for `{sname}`")),
                DatastoreCredentials::ServicePrincipal(sp) => (
                    Fact::DatastoreSecret(d),
                    format!("the client secret of `{}`", self.m.principal(sp).name),
                ),
            };
            self.rule(
                RuleId::P08,
                Channel::Arm,
                &[self.can(Op::DatastoreListSecrets, w)],
                secret,
                fact_text(
                    Some(d),
                    Some(s),
                    format!("lists the secrets of datastore `{display}`: {what}"),
                ),
                Vec::new(),
                Vec::new(),
            );
            if let Some(v) = vault {
                self.rule(
                    RuleId::P08,
                    Channel::Data,
                    &[Fact::Secrets(v)],
                    secret,
                    fact_text(
                        Some(d),
                        Some(v),
                        format!(
                            "reads the secret of datastore `{display}` from `{}`: {what}",
                            self.m.resource(v).name
                        ),
                    ),
                    Vec::new(),
                    Vec::new(),
                );
            }
            match p.credentials {
                DatastoreCredentials::Sas { read, write } => {
                    let shared_key =
                        matches!(&self.m.resource(s).props, Props::Storage(sp) if sp.allow_shared_key_access);
                    let mut premises = vec![Fact::DatastoreSecret(d), Fact::Reach(Endpoint::Blob(s))];
                    if !shared_key {
                        premises.push(Fact::SharedKeyOn(s));
                    }
                    for (ok, conclusion, verb) in [
                        (read, Fact::DataRead(s), "reads"),
                        (write, Fact::DataWrite(s), "writes"),
                    ] {
                        if ok {
                            self.rule(
                                RuleId::P08,
                                Channel::Credential,
                                &premises,
                                conclusion,
                                fact_text(
                                    Some(d),
                                    Some(s),
                                    format!("{verb} blobs of `{sname}` with the SAS token of `{display}`"),
                                ),
                                Vec::new(),
                                Vec::new(),
                            );
                        }
                    }
                }
                DatastoreCredentials::ServicePrincipal(sp) => {
                    self.rule(
                        RuleId::P08,
                        Channel::Credential,
                        &[Fact::DatastoreSecret(d)],
                        Fact::As(sp),
                        Evidence::Fact {
                            resource: Some(d),
                            other: None,
                            credential: None,
                            principal: Some(sp),
                            text: format!(
                                "signs in as `{}` with the secret of `{display}`",
                                self.m.principal(sp).name
                            ),
                        },
                        vec![sp],
                        Vec::new(),
                    );
                }
                _ => {}
            }
        }
    }

    /// P31: Azure ML reads (and writes) data for the caller through the workspace's datastores.
    fn p31(&mut self, w: ResourceId, datastores: &[ResourceId]) {
        let wname = self.m.resource(w).name.clone();
        let reach_w = Fact::Reach(Endpoint::Workspace(w));
        let tag =
            "unverified-step: the exact action Azure ML checks for data access is not documented (P31)".to_string();
        let identity = self.m.resource(w).system_identity;
        for &d in datastores {
            let Props::Datastore(p) = self.m.resource(d).props.clone() else {
                continue;
            };
            let Some(s) = p.storage_account else { continue };
            let shared_key = matches!(&self.m.resource(s).props, Props::Storage(sp) if sp.allow_shared_key_access);
            let (read, write) = match p.credentials {
                DatastoreCredentials::AccountKey => (shared_key, shared_key),
                DatastoreCredentials::Sas { read, write } => (read && shared_key, write && shared_key),
                DatastoreCredentials::ServicePrincipal(sp) => {
                    (self.can_blob(sp, Op::BlobRead, s), self.can_blob(sp, Op::BlobWrite, s))
                }
                DatastoreCredentials::None => (
                    identity.is_some_and(|i| self.can_blob(i, Op::BlobRead, s)),
                    identity.is_some_and(|i| self.can_blob(i, Op::BlobWrite, s)),
                ),
            };
            let display = self.m.resource_display(d);
            let sname = self.m.resource(s).name.clone();
            if !(read || write) {
                continue;
            }
            // Azure ML itself must reach the storage, with the workspace's identity (trusted services).
            let Some(hop) = self.service_hop(w, s) else { continue };
            let mut tags = vec![tag.clone()];
            tags.extend(hop);
            if read {
                self.rule(
                    RuleId::P31,
                    Channel::AzureMl,
                    &[self.can(Op::DatastoreRead, w), reach_w],
                    Fact::DataRead(s),
                    fact_text(
                        Some(d),
                        Some(s),
                        format!("has Azure ML read `{sname}` through datastore `{display}`"),
                    ),
                    Vec::new(),
                    tags.clone(),
                );
            }
            if write {
                self.rule(
                    RuleId::P31,
                    Channel::AzureMl,
                    &[self.can(Op::DatastoreRead, w), self.can(Op::DatastoreWrite, w), reach_w],
                    Fact::DataWrite(s),
                    fact_text(
                        Some(d),
                        Some(s),
                        format!("has Azure ML write `{sname}` through datastore `{display}`"),
                    ),
                    Vec::new(),
                    tags.clone(),
                );
            }
        }
        // P30 with P31: a new identity-based datastore on any account the workspace's identity can read.
        let Some(i) = identity else { return };
        // RBAC can only allow a data request on an account through an assignment at, above or below
        // it: accounts without one are not asked about (a workspace identity holds a few assignments;
        // an estate has thousands of accounts).
        let m = self.m;
        let held: Vec<&str> = self
            .rbac
            .memberships(i)
            .iter()
            .flat_map(|member| m.assignments_of(member.group))
            .map(|&a| m.assignment(a).scope.key.as_str())
            .collect();
        for s in self.resources_of(ResourceKind::StorageAccount) {
            let key = &self.m.resource(s).key;
            if !held
                .iter()
                .any(|h| scope::covers(h, key) != Coverage::No || scope::is_at_or_below(h, key))
            {
                continue;
            }
            let sname = self.m.resource(s).name.clone();
            if !self.can_blob(i, Op::BlobRead, s) && !self.can_blob(i, Op::BlobWrite, s) {
                continue;
            }
            let Some(hop) = self.service_hop(w, s) else { continue };
            for (op, conclusion, verb) in [
                (Op::BlobRead, Fact::DataRead(s), "read"),
                (Op::BlobWrite, Fact::DataWrite(s), "write"),
            ] {
                if self.can_blob(i, op, s) {
                    self.rule(
                        RuleId::P31,
                        Channel::AzureMl,
                        &[self.can(Op::DatastoreRead, w), self.can(Op::DatastoreWrite, w), reach_w],
                        conclusion,
                        fact_text(Some(w), Some(s), format!("adds a datastore for `{sname}` to `{wname}` (P30) and has Azure ML {verb} it with the workspace identity")),
                        Vec::new(),
                        hop.iter()
                            .cloned()
                            .chain([tag.clone(), "unverified-step: P30 re-pointing datastores is derived, not documented".into()])
                            .collect(),
                    );
                }
            }
        }
    }

    /// The network hop Azure ML makes to a storage account with the workspace's identity: open (the
    /// evidence, as tags) or not (recorded as blocked or undecided).
    fn service_hop(&mut self, w: ResourceId, s: ResourceId) -> Option<Vec<String>> {
        let place = Place::Resource(w);
        let endpoint = Endpoint::Blob(s);
        match self.oracle.decide(self.m, place, endpoint) {
            NetDecision::Open { text, evidence, .. } => Some(if self.oracle.applied() {
                vec![format!(
                    "Azure ML reaches `{}`: {text}; {}",
                    self.m.resource(s).name,
                    evidence.join(", ")
                )]
            } else {
                Vec::new()
            }),
            NetDecision::Blocked(reason) => {
                self.blocked.push((place, endpoint, reason));
                None
            }
            NetDecision::Unknown(reason) => {
                self.undecided.push((place, endpoint, reason));
                None
            }
        }
    }

    fn can_blob(&self, p: PrincipalId, op: Op, s: ResourceId) -> bool {
        let scope = self.scope_of(s);
        self.decide(p, op, scope, None).allowed
    }

    /// Running code on a resource: its identities, P16, P19, P20, and the place it puts the actor.
    fn code_rules(&mut self) {
        let uais: Vec<PrincipalId> = self
            .m
            .principal_ids()
            .filter(|p| matches!(self.m.principal(*p).identity_of, Some(IdentityOf::UserAssigned(_))))
            .collect();
        for r in self.m.resource_ids() {
            let res = self.m.resource(r);
            let kind = res.kind;
            let runs_code = matches!(
                kind,
                ResourceKind::ComputeInstance
                    | ResourceKind::ComputeCluster
                    | ResourceKind::OnlineEndpoint
                    | ResourceKind::VirtualMachine
            );
            if kind == ResourceKind::Generic && (res.system_identity.is_some() || !res.user_identities.is_empty()) {
                self.rule(
                    RuleId::Unmodelled,
                    Channel::Arm,
                    &[self.can(Op::Write, r)],
                    Fact::Unmodelled(r),
                    fact_text(
                        Some(r),
                        None,
                        format!(
                            "can change `{}`, a `{}` with an identity; whether that runs code is not modelled",
                            res.name, res.arm_type
                        ),
                    ),
                    Vec::new(),
                    Vec::new(),
                );
            }
            if !runs_code {
                continue;
            }
            let display = self.m.resource_display(r);
            let identities: Vec<PrincipalId> = res
                .system_identity
                .into_iter()
                .chain(res.user_identities.iter().copied())
                .collect();
            for i in identities {
                self.rule(
                    RuleId::Identity,
                    Channel::Identity,
                    &[Fact::Exec(r)],
                    Fact::As(i),
                    Evidence::Fact {
                        resource: Some(r),
                        other: None,
                        credential: None,
                        principal: Some(i),
                        text: format!(
                            "takes the token of `{}` from code running on `{display}`",
                            self.m.principal(i).name
                        ),
                    },
                    vec![i],
                    Vec::new(),
                );
            }
            self.rule(
                RuleId::Place,
                Channel::Identity,
                &[Fact::Exec(r)],
                Fact::At(Place::Resource(r)),
                fact_text(Some(r), None, format!("sends packets from `{display}`")),
                Vec::new(),
                Vec::new(),
            );
            if kind == ResourceKind::VirtualMachine {
                for op in [Op::VmRunCommand, Op::VmExtensionsWrite] {
                    self.rule(
                        RuleId::P19,
                        Channel::Arm,
                        &[self.can(op, r)],
                        Fact::Exec(r),
                        fact_text(Some(r), None, format!("runs a command on `{display}`")),
                        Vec::new(),
                        Vec::new(),
                    );
                }
            }
            // A resource one runs code on and may change: a host to attach identities to (P20).
            self.rule(
                RuleId::Host,
                Channel::Arm,
                &[Fact::Exec(r), self.can(Op::Write, r)],
                Fact::Host,
                Evidence::Host { resource: r },
                Vec::new(),
                Vec::new(),
            );
        }
        // P20 from any host: one instance per identity, not per (host, identity).
        for u in uais {
            let Some(IdentityOf::UserAssigned(ur)) = self.m.principal(u).identity_of else {
                continue;
            };
            self.rule(
                RuleId::P20,
                Channel::Arm,
                &[Fact::Host, self.can(Op::IdentityAssign, ur)],
                Fact::As(u),
                Evidence::Attach {
                    identity: u,
                    resource: ur,
                },
                vec![u],
                vec!["assumes the resource provider enforces assign/action (P20)".into()],
            );
        }
    }

    fn identity_rules(&mut self) {
        for p in self.m.principal_ids() {
            let principal = self.m.principal(p);
            if let Some(IdentityOf::UserAssigned(r)) = principal.identity_of {
                self.rule(
                    RuleId::P21,
                    Channel::Entra,
                    &[self.can(Op::IdentityFederatedCredentialsWrite, r)],
                    Fact::As(p),
                    Evidence::Fact {
                        resource: Some(r),
                        other: None,
                        credential: None,
                        principal: Some(p),
                        text: format!("adds a federated credential to `{}` and signs in as it", principal.name),
                    },
                    vec![p],
                    Vec::new(),
                );
            }
            if principal.kind == PrincipalKind::ServicePrincipal {
                for &owner in &principal.owners {
                    self.rule(
                        RuleId::P22,
                        Channel::Entra,
                        &[Fact::As(owner)],
                        Fact::As(p),
                        Evidence::Fact {
                            resource: None,
                            other: None,
                            credential: None,
                            principal: Some(p),
                            text: format!(
                                "as `{}`, an owner of `{}`, adds a credential and signs in as it",
                                self.m.principal(owner).name,
                                principal.name
                            ),
                        },
                        vec![owner, p],
                        Vec::new(),
                    );
                }
            }
        }
    }

    fn credential_rules(&mut self) {
        for (i, c) in self.m.credentials.iter().enumerate() {
            let cid = crate::model::CredentialId::from_index(i);
            let holds = Fact::Holds(cid);
            let holders: Vec<PrincipalId> = c
                .held_by
                .iter()
                .filter_map(|h| match h {
                    Holder::Principal(p) => Some(*p),
                    Holder::Anyone => None,
                })
                .collect();
            let ev = |resource: Option<ResourceId>, principal: Option<PrincipalId>, text: String| Evidence::Fact {
                resource,
                other: None,
                credential: Some(cid),
                principal,
                text,
            };
            match &c.kind {
                CredentialKind::SshKey { installed_on } => {
                    for &r in installed_on {
                        let res = self.m.resource(r);
                        let enabled = match &res.props {
                            Props::Compute(p) => p.ssh_enabled,
                            _ => res.kind == ResourceKind::VirtualMachine,
                        };
                        if !enabled {
                            continue;
                        }
                        let text = format!(
                            "logs in to `{}` over SSH with key `{}`",
                            self.m.resource_display(r),
                            c.name
                        );
                        self.rule(
                            RuleId::P16,
                            Channel::Ssh,
                            &[holds, Fact::Reach(Endpoint::Ssh(r))],
                            Fact::Exec(r),
                            ev(Some(r), None, text),
                            holders.clone(),
                            Vec::new(),
                        );
                    }
                }
                CredentialKind::EndpointKey { endpoint } => {
                    let key_auth =
                        matches!(&self.m.resource(*endpoint).props, Props::Endpoint(p) if p.auth_mode == AuthMode::Key);
                    if key_auth {
                        let text = format!(
                            "calls the scoring URI of `{}` with key `{}`",
                            self.m.resource_display(*endpoint),
                            c.name
                        );
                        self.rule(
                            RuleId::EndpointKey,
                            Channel::Credential,
                            &[holds, Fact::Reach(Endpoint::Scoring(*endpoint))],
                            Fact::Invoke(*endpoint),
                            ev(Some(*endpoint), None, text),
                            holders.clone(),
                            Vec::new(),
                        );
                    }
                }
                CredentialKind::SasToken {
                    storage_account,
                    read,
                    write,
                    ..
                } => {
                    let s = *storage_account;
                    let shared_key =
                        matches!(&self.m.resource(s).props, Props::Storage(sp) if sp.allow_shared_key_access);
                    let tags = if shared_key {
                        Vec::new()
                    } else {
                        vec!["unverified-step: Shared Key is off; only a user delegation SAS still works, assumed to be one".into()]
                    };
                    for (ok, conclusion, verb) in [
                        (*read, Fact::DataRead(s), "reads"),
                        (*write, Fact::DataWrite(s), "writes"),
                    ] {
                        if ok {
                            let text = format!(
                                "{verb} blobs of `{}` with SAS token `{}`",
                                self.m.resource(s).name,
                                c.name
                            );
                            self.rule(
                                RuleId::SasToken,
                                Channel::Credential,
                                &[holds, Fact::Reach(Endpoint::Blob(s))],
                                conclusion,
                                ev(Some(s), None, text),
                                holders.clone(),
                                tags.clone(),
                            );
                        }
                    }
                }
                CredentialKind::ClientSecret { service_principal } => {
                    let text = format!(
                        "signs in as `{}` with client secret `{}`",
                        self.m.principal(*service_principal).name,
                        c.name
                    );
                    let mut names = holders.clone();
                    names.push(*service_principal);
                    self.rule(
                        RuleId::ClientSecret,
                        Channel::Credential,
                        &[holds],
                        Fact::As(*service_principal),
                        ev(None, Some(*service_principal), text),
                        names,
                        Vec::new(),
                    );
                }
            }
        }
    }

    /// Network premises: every place an actor can be, to every endpoint a step can target.
    fn network_rules(&mut self) {
        let oracle = self.oracle;
        let endpoints: Vec<Endpoint> = self
            .facts
            .iter()
            .filter_map(|f| match f {
                Fact::Reach(e) => Some(*e),
                _ => None,
            })
            .collect();
        let mut places: Vec<Place> = (0..self.m.locations.len())
            .map(|i| Place::Location(crate::model::LocationId::from_index(i)))
            .collect();
        places.extend(self.facts.iter().filter_map(|f| match f {
            Fact::At(p) => Some(*p),
            _ => None,
        }));
        // Managed identities act from where their resources run.
        for p in self.m.principal_ids() {
            places.extend(identity_places(self.m, p));
        }
        places.sort();
        places.dedup();
        if let Some(reason) = oracle.open_everywhere() {
            self.open_network(&places, &endpoints, &reason);
            return;
        }
        timing::note(
            "build: network rules",
            &format!("{} places × {} endpoints", places.len(), endpoints.len()),
        );
        // The blocked pairs first, by the network change that might open them (P28, P29); each
        // change is then decided on its own copy of the network, one at a time, so that a large
        // estate never holds more than one changed copy.
        let mut to_change: BTreeMap<Overrides, Vec<(Place, Endpoint)>> = BTreeMap::new();
        for &place in &places {
            for &endpoint in &endpoints {
                if oracle.blocked(self.m, place, endpoint) {
                    for ov in change_sets(self.m, place, endpoint) {
                        to_change.entry(ov).or_default().push((place, endpoint));
                    }
                }
            }
        }
        let changes = to_change.len();
        let mut opened = self.after_changes(to_change);
        for &place in &places {
            for &endpoint in &endpoints {
                match oracle.decide(self.m, place, endpoint) {
                    NetDecision::Open {
                        text,
                        packet,
                        path,
                        evidence,
                    } => self.rule(
                        RuleId::Network,
                        Channel::Data,
                        &[Fact::At(place)],
                        Fact::Reach(endpoint),
                        Evidence::Network {
                            place: Some(place),
                            endpoint,
                            decision: text,
                            packet: packet.map(Box::new),
                            path: path.map(Box::new),
                            rules: evidence,
                            opened: Box::default(),
                        },
                        Vec::new(),
                        Vec::new(),
                    ),
                    NetDecision::Blocked(reason) => {
                        self.blocked.push((place, endpoint, reason));
                        for ov in change_sets(self.m, place, endpoint) {
                            if let Some(decision) = opened.remove(&(ov.clone(), place, endpoint)) {
                                self.opened_rule(place, endpoint, &ov, decision);
                            }
                        }
                    }
                    NetDecision::Unknown(reason) => self.undecided.push((place, endpoint, reason)),
                }
            }
        }
        if let Some(effort) = oracle.effort() {
            timing::note(
                "build: network rules",
                &format!("{effort} so far; {changes} networks with NSGs or egress opened asked as well"),
            );
        }
    }

    /// The network when nothing is decided: every place reaches every endpoint, so each place leads to
    /// `Online` and `Online` to each endpoint (places + endpoints instances, not places × endpoints).
    fn open_network(&mut self, places: &[Place], endpoints: &[Endpoint], reason: &str) {
        for &place in places {
            self.rule(
                RuleId::Place,
                Channel::Data,
                &[Fact::At(place)],
                Fact::Online,
                Evidence::Online { place },
                Vec::new(),
                Vec::new(),
            );
        }
        for &endpoint in endpoints {
            self.rule(
                RuleId::Network,
                Channel::Data,
                &[Fact::Online],
                Fact::Reach(endpoint),
                Evidence::Network {
                    place: None,
                    endpoint,
                    decision: reason.to_string(),
                    packet: None,
                    path: None,
                    rules: Vec::new(),
                    opened: Box::default(),
                },
                Vec::new(),
                Vec::new(),
            );
        }
    }

    /// P28, P29: a blocked network premise may open once the actor changes an NSG on the way or the
    /// managed network it is in. Each change is decided on a copy of the network with the change
    /// made, by an oracle of its own, for the pairs it might open; the copy is dropped before the next.
    fn after_changes(
        &self,
        to_change: BTreeMap<Overrides, Vec<(Place, Endpoint)>>,
    ) -> HashMap<(Overrides, Place, Endpoint), NetDecision> {
        let mut opened = HashMap::new();
        for (ov, pairs) in to_change {
            let model = overrides::apply(self.m, &ov);
            let oracle = self.oracle.fresh();
            for (place, endpoint) in pairs {
                let decision = oracle.decide(&model, place, endpoint);
                if matches!(decision, NetDecision::Open { .. }) {
                    opened.insert((ov.clone(), place, endpoint), decision);
                }
            }
        }
        opened
    }

    /// The network instance of a pair that a change opens: the change is a premise.
    fn opened_rule(&mut self, place: Place, endpoint: Endpoint, ov: &Overrides, decision: NetDecision) {
        let NetDecision::Open {
            text,
            packet,
            path,
            evidence,
        } = decision
        else {
            return;
        };
        let mut premises = vec![Fact::At(place)];
        premises.extend(ov.open_nsgs.iter().map(|n| Fact::NsgOpen(*n)));
        premises.extend(ov.open_egress.iter().map(|w| Fact::EgressOpen(*w)));
        let decision = format!("after {}: {text}", ov.text(self.m));
        self.rule(
            RuleId::Network,
            Channel::Data,
            &premises,
            Fact::Reach(endpoint),
            Evidence::Network {
                place: Some(place),
                endpoint,
                decision,
                packet: packet.map(Box::new),
                path: path.map(Box::new),
                rules: evidence,
                opened: Box::new(ov.clone()),
            },
            Vec::new(),
            Vec::new(),
        );
    }

    /// P28 and P29: the steps that change the network.
    fn network_change_rules(&mut self) {
        for (i, nsg) in self.m.network.nsgs.clone().iter().enumerate() {
            let n = crate::model::NsgId::from_index(i);
            if nsg.resource.index() >= self.m.resources.len() {
                continue;
            }
            for op in [Op::NsgRulesWrite, Op::Write] {
                self.rule(
                    RuleId::P29,
                    Channel::Arm,
                    &[self.can(op, nsg.resource)],
                    Fact::NsgOpen(n),
                    fact_text(
                        Some(nsg.resource),
                        None,
                        format!("rewrites the rules of NSG `{}` to let its traffic through", nsg.name),
                    ),
                    Vec::new(),
                    Vec::new(),
                );
            }
        }
        for w in self.resources_of(ResourceKind::Workspace) {
            if matches!(&self.m.resource(w).props, Props::Workspace(p) if p.managed_network == crate::model::resource::ManagedNetwork::AllowOnlyApprovedOutbound)
            {
                self.rule(
                    RuleId::P28,
                    Channel::Arm,
                    &[self.can(Op::OutboundRulesWrite, w)],
                    Fact::EgressOpen(w),
                    fact_text(
                        Some(w),
                        None,
                        format!(
                            "adds outbound rules to the managed network of `{}`",
                            self.m.resource(w).name
                        ),
                    ),
                    Vec::new(),
                    vec!["unverified-step: service-side checks on outbound rule writes are not known (P28)".into()],
                );
            }
        }
    }

    fn finish(self, network_applied: bool) -> AccessGraph {
        // No thread shares the tables any more, so this takes them without a copy.
        let ScopeTables {
            scopes, scope_index, ..
        } = Arc::unwrap_or_clone(self.t);
        // Two passes over the instance table, one per core: which instances each fact watches, and
        // which conclude it.
        let (mut watchers, (producers, only_steps_produce)) = rayon::join(
            || {
                let mut watchers = vec![Vec::new(); self.facts.len()];
                for (i, r) in self.rules.iter().enumerate() {
                    // Each rule instance is watched by the premise an actor is least likely to hold
                    // from the start: a search then looks at a rule only when that premise holds
                    // (see `search`).
                    let watched = super::watching_premise(&self.facts, &r.premises);
                    if let Some(list) = watched.and_then(|p| watchers.get_mut(p.0 as usize)) {
                        list.push(idx(i));
                    }
                }
                watchers
            },
            || {
                let mut producers = vec![Vec::new(); self.facts.len()];
                let mut only_steps_produce = vec![true; self.facts.len()];
                for (i, r) in self.rules.iter().enumerate() {
                    if let Some(list) = producers.get_mut(r.conclusion.0 as usize) {
                        list.push(idx(i));
                    }
                    if !r.rule.is_step()
                        && let Some(only) = only_steps_produce.get_mut(r.conclusion.0 as usize)
                    {
                        *only = false;
                    }
                }
                (producers, only_steps_produce)
            },
        );
        // An endpoint that no rule watches and only network instances conclude is derived on demand:
        // its network instances are not watched either, and a search pulls the endpoint when a rule
        // needs it (see `search`), so an actor online pays for the endpoints it uses rather than one
        // instance per endpoint of the estate. (Network premises are places and changes, never
        // endpoints, so this leaves every endpoint's watchers as they were.)
        let network = |r: &super::RuleIdx| self.rules.get(r.0 as usize).is_some_and(|x| x.rule == RuleId::Network);
        let on_demand: Vec<bool> = self
            .facts
            .iter()
            .zip(watchers.iter().zip(&producers))
            .map(|(f, (watching, concluding))| {
                matches!(f, Fact::Reach(_)) && watching.is_empty() && concluding.iter().all(network)
            })
            .collect();
        // The instances to stop watching are those endpoints' producers, each in the list of the
        // premise that watches it (only those lists are read again).
        let mut unwatched: Vec<(FactId, super::RuleIdx)> = on_demand
            .iter()
            .zip(&producers)
            .filter(|(on, _)| **on)
            .flat_map(|(_, concluding)| concluding.iter())
            .filter_map(|r| {
                let rule = self.rules.get(r.0 as usize)?;
                Some((super::watching_premise(&self.facts, &rule.premises)?, *r))
            })
            .collect();
        unwatched.sort_unstable();
        for group in unwatched.chunk_by(|a, b| a.0 == b.0) {
            let Some((watcher, _)) = group.first() else { continue };
            if let Some(list) = watchers.get_mut(watcher.0 as usize) {
                list.retain(|r| group.binary_search_by_key(r, |(_, x)| *x).is_err());
            }
        }
        AccessGraph {
            // `build_prepared` puts the shared model in once the builder, which borrows it, is done.
            model: Arc::default(),
            facts: self.facts,
            rules: self.rules,
            watchers,
            producers,
            on_demand,
            only_steps_produce,
            scopes,
            network_applied,
            blocked: self.blocked,
            undecided: self.undecided,
            fact_index: self.fact_index,
            scope_index,
        }
    }
}

/// The network changes that might open a blocked pair, in the order their instances are added: each
/// NSG on the way alone, then all of them, then the managed network the place is in, alone and with
/// the NSGs.
fn change_sets(m: &Model, place: Place, endpoint: Endpoint) -> Vec<Overrides> {
    let (nsgs, managed) = overrides::involved(m, place, endpoint);
    let mut sets: Vec<Overrides> = nsgs
        .iter()
        .map(|n| Overrides {
            open_nsgs: vec![*n],
            open_egress: Vec::new(),
        })
        .collect();
    if nsgs.len() > 1 {
        sets.push(Overrides {
            open_nsgs: nsgs.clone(),
            open_egress: Vec::new(),
        });
    }
    if let Some(w) = managed {
        sets.push(Overrides {
            open_nsgs: Vec::new(),
            open_egress: vec![w],
        });
        if !nsgs.is_empty() {
            sets.push(Overrides {
                open_nsgs: nsgs,
                open_egress: vec![w],
            });
        }
    }
    sets
}

/// Where a managed identity acts from: the resources it belongs to or is attached to.
pub fn identity_places(m: &Model, p: PrincipalId) -> Vec<Place> {
    match m.principal(p).identity_of {
        Some(IdentityOf::SystemAssigned(r)) => vec![Place::Resource(r)],
        Some(IdentityOf::UserAssigned(_)) => m
            .resource_ids()
            .filter(|r| m.resource(*r).user_identities.contains(&p))
            .map(Place::Resource)
            .collect(),
        None => Vec::new(),
    }
}
