//! Independent replay of witnesses (DESIGN "Witness check"): every step of a derivation is checked
//! against the model with the concrete RBAC evaluator, and every premise must be a starting fact of the
//! actor or the conclusion of an earlier step. A witness that fails is a bug, never an answer.
//!
//! **Architecture invariant:** this module uses the model, `rbac` and the *types* of the graph (facts,
//! rules, evidence) only. It never calls graph building or search, so a bug there cannot confirm
//! itself.

use std::collections::HashSet;

use crate::answer::{Actor, Witness};
use crate::graph::ops::Op;
use crate::graph::{AccessGraph, Endpoint, Evidence, Fact, Place, RuleId};
use crate::model::resource::{AuthMode, DatastoreCredentials};
use crate::model::{
    CredentialKind, Holder, IdentityOf, Model, PrincipalId, PrincipalKind, Props, ResourceId, ResourceKind, prospective,
};
use crate::network;
use crate::rbac::evaluate::role_allows;
use crate::rbac::scope::{self, Coverage};
use crate::rbac::{OpKind, Rbac, Request, RequestAttributes, catalog};

/// Replays a witness. `model` is the model as loaded; the graph supplies the witness's rule instances
/// and fact table, nothing else.
pub fn replay(model: &Model, g: &AccessGraph, w: &Witness) -> Result<(), String> {
    replay_all(model, g, [w])
}

/// Replays several witnesses of one model, preparing the model (its prospective resources) once: the
/// first failure is returned.
pub fn replay_all<'w>(
    model: &Model,
    g: &AccessGraph,
    witnesses: impl IntoIterator<Item = &'w Witness>,
) -> Result<(), String> {
    let mut witnesses = witnesses.into_iter().peekable();
    if witnesses.peek().is_none() {
        return Ok(());
    }
    let m = prepare(model);
    replay_all_prepared(&m, g, witnesses)
}

/// [`replay_all`] against a model the caller prepared with [`prepare`] (once for many answers, or
/// shared with the graph it built: the builder only reads it).
pub fn replay_all_prepared<'w>(
    prepared: &Model,
    g: &AccessGraph,
    witnesses: impl IntoIterator<Item = &'w Witness>,
) -> Result<(), String> {
    let replayer = Replayer::new(prepared);
    witnesses.into_iter().try_for_each(|w| replayer.replay(g, w))
}

/// The model as witnesses are replayed against: the model as loaded, with its prospective resources
/// added (for [`Replayer::new`]).
pub fn prepare(model: &Model) -> Model {
    prospective::augment(model)
}

/// [`prepare`] for a model the caller no longer needs as loaded: made from it rather than a copy.
pub fn prepare_owned(model: Model) -> Model {
    prospective::augment_owned(model)
}

/// Replays witnesses one at a time against a prepared model, with one RBAC evaluator for all of them.
pub struct Replayer<'m> {
    m: &'m Model,
    rbac: Rbac<'m>,
}

impl<'m> Replayer<'m> {
    /// A replayer over a model made by [`prepare`].
    pub fn new(prepared: &'m Model) -> Self {
        Replayer {
            m: prepared,
            rbac: Rbac::new(prepared),
        }
    }

    /// Replays one witness, as [`replay`].
    pub fn replay(&self, g: &AccessGraph, w: &Witness) -> Result<(), String> {
        replay_one(self.m, &self.rbac, g, w)
    }
}

fn replay_one(m: &Model, rbac: &Rbac<'_>, g: &AccessGraph, w: &Witness) -> Result<(), String> {
    let mut known: HashSet<Fact> = start(m, w.actor);
    let mut last = None;
    for (i, &r) in w.rules.iter().enumerate() {
        let rule = g
            .rule(r)
            .ok_or_else(|| format!("step {} names no rule instance", i + 1))?;
        let conclusion = *g.fact(rule.conclusion).ok_or("a conclusion is missing")?;
        for p in &rule.premises {
            let f = g.fact(*p).ok_or("a premise is missing")?;
            // Places of managed identities and `from` locations are starting facts the replay accepts
            // when the step before established them or the actor may be there.
            if !known.contains(f) && !matches!(f, Fact::At(Place::Location(_))) {
                return Err(format!(
                    "step {} ({}) uses a premise no earlier step established: {f:?}",
                    i + 1,
                    rule.rule.as_str()
                ));
            }
        }
        check_step(
            m,
            rbac,
            g,
            rule.rule,
            &rule.evidence,
            &conclusion,
            &rule
                .premises
                .iter()
                .filter_map(|p| g.fact(*p).copied())
                .collect::<Vec<_>>(),
        )
        .map_err(|e| format!("step {} ({}): {e}", i + 1, rule.rule.as_str()))?;
        known.insert(conclusion);
        last = Some(rule.conclusion);
    }
    match last {
        Some(f) if f == w.goal => Ok(()),
        // A witness without steps: the goal is one of the actor's starting facts (`act-as` oneself).
        None if g.fact(w.goal).is_some_and(|f| known.contains(f)) && w.depth == 0 => Ok(()),
        _ => Err("the witness does not end in its goal".into()),
    }
}

fn start(m: &Model, actor: Actor) -> HashSet<Fact> {
    let mut s = HashSet::new();
    match actor {
        Actor::Principal(p) => {
            s.insert(Fact::As(p));
            let groups: Vec<PrincipalId> = crate::rbac::groups::memberships(m, p)
                .into_iter()
                .map(|x| x.group)
                .collect();
            for (i, c) in m.credentials.iter().enumerate() {
                let held = c.held_by.iter().any(|h| match h {
                    Holder::Anyone => true,
                    Holder::Principal(x) => groups.contains(x),
                });
                if held {
                    s.insert(Fact::Holds(crate::model::CredentialId::from_index(i)));
                }
            }
            match m.principal(p).identity_of {
                Some(IdentityOf::SystemAssigned(r)) => {
                    s.insert(Fact::At(Place::Resource(r)));
                }
                Some(IdentityOf::UserAssigned(_)) => {
                    for r in m.resource_ids() {
                        if m.resource(r).user_identities.contains(&p) {
                            s.insert(Fact::At(Place::Resource(r)));
                        }
                    }
                }
                None => {}
            }
        }
        Actor::Anyone(_) => {
            for (i, c) in m.credentials.iter().enumerate() {
                if c.held_by.contains(&Holder::Anyone) {
                    s.insert(Fact::Holds(crate::model::CredentialId::from_index(i)));
                }
            }
        }
    }
    s
}

fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

fn storage_props(m: &Model, s: ResourceId) -> Option<&crate::model::resource::StorageProps> {
    match &m.resource(s).props {
        Props::Storage(p) => Some(p),
        _ => None,
    }
}

fn workspace_of(m: &Model, r: ResourceId) -> Option<ResourceId> {
    m.resource(r).parent
}

fn ws_props(m: &Model, w: ResourceId) -> Option<&crate::model::resource::WorkspaceProps> {
    match &m.resource(w).props {
        Props::Workspace(p) => Some(p),
        _ => None,
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one arm per rule, each a short check; splitting would scatter them"
)]
fn check_step(
    m: &Model,
    rbac: &Rbac<'_>,
    g: &AccessGraph,
    rule: RuleId,
    ev: &Evidence,
    conclusion: &Fact,
    premises: &[Fact],
) -> Result<(), String> {
    match (rule, ev) {
        (RuleId::Membership, Evidence::Membership { member, group }) => {
            ensure(m.principal(*group).members.contains(member), || {
                "the member is not in the group".into()
            })?;
            ensure(
                m.principal(*group).kind == PrincipalKind::Group && *conclusion == Fact::As(*group),
                || "wrong conclusion".into(),
            )
        }
        (
            RuleId::Grant,
            Evidence::Grant {
                principal,
                operation,
                data,
                scope: s,
                assignment,
                via,
                block,
                pattern,
                ..
            },
        ) => {
            let key = &g.scope(*s).ok_or("unknown scope")?.key;
            let kind = if *data { OpKind::Data } else { OpKind::Control };
            let req = Request {
                principal: *principal,
                operation,
                kind,
                target: key,
                attributes: RequestAttributes::default(),
            };
            let d = if *data {
                rbac.check_within(&req)
            } else {
                rbac.check(&req)
            };
            ensure(d.allowed, || format!("RBAC does not allow `{operation}`"))?;
            ensure(
                d.grants.iter().any(|x| {
                    x.assignment == *assignment && x.block == *block && *x.pattern == **pattern && x.via.as_slice() == &**via
                }),
                || "the cited assignment, block and pattern do not grant it".into(),
            )?;
            // The principal's token, and the group the assignment is held through (whose membership
            // steps come before).
            let holds = premises.contains(&Fact::As(*principal))
                && via.last().is_none_or(|gr| premises.contains(&Fact::As(*gr)));
            ensure(holds, || {
                "the step does not start from the principal holding the grant".into()
            })
        }
        (
            RuleId::P01,
            Evidence::Assigned {
                at,
                role,
                operation,
                scope: s,
            },
        ) => {
            let at_key = &g.scope(*at).ok_or("unknown scope")?.key;
            let key = &g.scope(*s).ok_or("unknown scope")?.key;
            ensure(scope::covers(at_key, key) != Coverage::No, || {
                "the scope is not below where roles are assigned".into()
            })?;
            ensure(
                premises
                    .iter()
                    .any(|p| matches!(p, Fact::Assign(x) | Fact::AssignSome(x, _) if x == at)),
                || "no assign right".into(),
            )?;
            let r = catalog::builtin()
                .find(role)
                .or_else(|| m.role_named(role).map(|id| m.role(id)))
                .ok_or("unknown role")?;
            let kind = if matches!(conclusion, Fact::DataRead(_) | Fact::DataWrite(_) | Fact::Secrets(_)) {
                OpKind::Data
            } else {
                OpKind::Control
            };
            ensure(role_allows(r, operation, kind).is_some(), || {
                format!("role `{role}` does not grant `{operation}`")
            })
        }
        (
            _,
            Evidence::Network {
                place,
                endpoint,
                packet,
                path,
                opened,
                ..
            },
        ) => {
            ensure(rule == RuleId::Network && *conclusion == Fact::Reach(*endpoint), || "wrong network conclusion".into())?;
            // Without a decided network, packets leave from any place of the actor (`Online`).
            let leaves = match place {
                Some(p) => premises.contains(&Fact::At(*p)),
                None => !g.network_applied && premises.contains(&Fact::Online),
            };
            ensure(leaves, || "the packet does not leave from a place of the actor".into())?;
            // Network changes the actor made first must be established earlier.
            let changes_done = opened.open_nsgs.iter().all(|n| premises.contains(&Fact::NsgOpen(*n)))
                && opened.open_egress.iter().all(|w| premises.contains(&Fact::EgressOpen(*w)));
            ensure(changes_done, || "the packet relies on a network change the actor did not make".into())?;
            // A packet found by the network model is replayed by the concrete evaluator.
            match (packet, path) {
                (Some(p), Some(way)) => {
                    ensure(way.endpoint == *endpoint, || "the packet goes elsewhere".into())?;
                    let changed;
                    let net_model = if opened.is_empty() {
                        m
                    } else {
                        changed = network::overrides::apply(m, opened);
                        &changed
                    };
                    let place = place.ok_or("a packet without a place")?;
                    let ok = network::origins(net_model, place)
                        .into_iter()
                        .any(|o| network::eval::pass(net_model, o, way, p).is_ok());
                    ensure(ok, || format!("the packet {p} does not pass {}", network::path_text(m, way)))
                }
                _ => ensure(!g.network_applied, || "a network premise without a packet".into()),
            }
        }
        (RuleId::Place, Evidence::Online { place }) => ensure(
            !g.network_applied && *conclusion == Fact::Online && premises.contains(&Fact::At(*place)),
            || "packets leave from a place the actor is not at".into(),
        ),
        (RuleId::Host, Evidence::Host { resource }) => {
            let write = can_fact(g, m, Op::Write, *resource);
            ensure(
                *conclusion == Fact::Host
                    && premises.contains(&Fact::Exec(*resource))
                    && write.is_some_and(|w| premises.contains(&w)),
                || "the actor does not both run code on the resource and may change it".into(),
            )
        }
        (RuleId::P20, Evidence::Attach { identity, resource }) => {
            let assign = can_fact(g, m, Op::IdentityAssign, *resource);
            ensure(
                m.principal(*identity).identity_of == Some(IdentityOf::UserAssigned(*resource)),
                || "not the user-assigned identity of the resource".into(),
            )?;
            ensure(*conclusion == Fact::As(*identity), || "wrong conclusion".into())?;
            ensure(
                premises.contains(&Fact::Host) && assign.is_some_and(|a| premises.contains(&a)),
                || "no host to attach it to, or no assign right on the identity".into(),
            )
        }
        (RuleId::ClientSecret | RuleId::P22, Evidence::Fact { .. }) => Ok(()),
        (
            _,
            Evidence::Fact {
                resource,
                other,
                credential,
                principal,
                ..
            },
        ) => {
            let res = resource.ok_or("no resource")?;
            let cap = |op: Op, r: ResourceId| can_fact(g, m, op, r);
            let has = |f: Option<Fact>| f.is_some_and(|f| premises.contains(&f));
            match rule {
                RuleId::P04 => {
                    ensure(m.resource(res).kind == ResourceKind::StorageAccount, || {
                        "not a storage account".into()
                    })?;
                    match conclusion {
                        Fact::Key(s) => ensure(*s == res && has(cap(Op::StorageListKeys, res)), || {
                            "no listKeys right".into()
                        }),
                        Fact::DataRead(s) | Fact::DataWrite(s) => {
                            let on = storage_props(m, *s).is_some_and(|p| p.allow_shared_key_access)
                                || premises.contains(&Fact::SharedKeyOn(*s));
                            ensure(premises.contains(&Fact::Key(*s)) && on, || {
                                "no key, or Shared Key is off".into()
                            })
                        }
                        _ => Err("wrong conclusion".into()),
                    }
                }
                RuleId::P05 => ensure(
                    *conclusion == Fact::SharedKeyOn(res) && has(cap(Op::Write, res)),
                    || "no write right".into(),
                ),
                RuleId::P07 => {
                    let ap_vault = matches!(&m.resource(res).props, Props::KeyVault(p) if !p.enable_rbac_authorization);
                    ensure(ap_vault, || "not an access-policy vault".into())
                }
                RuleId::AccessPolicy => {
                    let p = principal.ok_or("no principal")?;
                    let ok = matches!(&m.resource(res).props, Props::KeyVault(v) if !v.enable_rbac_authorization
                        && v.access_policies.iter().any(|a| a.principal == p && a.secrets.iter().any(|s| s == "get")));
                    let holds = premises.contains(&Fact::As(p));
                    ensure(ok && holds, || "no such access policy".into())
                }
                RuleId::P08 => {
                    let d = res;
                    let Props::Datastore(dp) = &m.resource(d).props else {
                        return Err("not a datastore".into());
                    };
                    ensure(dp.credentials != DatastoreCredentials::None, || {
                        "an identity-based datastore has no secret".into()
                    })?;
                    if let Some(v) = other.filter(|o| m.resource(*o).kind == ResourceKind::KeyVault) {
                        let w = workspace_of(m, d).ok_or("no workspace")?;
                        ensure(
                            ws_props(m, w).and_then(|p| p.key_vault) == Some(v) && premises.contains(&Fact::Secrets(v)),
                            || "not the workspace's vault".into(),
                        )
                    } else {
                        Ok(())
                    }
                }
                RuleId::P09 | RuleId::P10 => {
                    let w = res;
                    let p = ws_props(m, w).ok_or("not a workspace")?;
                    let op = if rule == RuleId::P09 {
                        Op::WorkspaceListKeys
                    } else {
                        Op::WorkspaceListStorageKeys
                    };
                    let target_ok = match conclusion {
                        Fact::Key(s) => p.storage_account == Some(*s),
                        Fact::AcrAdmin(r) => p.container_registry == Some(*r),
                        _ => false,
                    };
                    ensure(target_ok && has(cap(op, w)), || {
                        "not the workspace's storage or registry".into()
                    })
                }
                RuleId::P12 | RuleId::P13 | RuleId::P14 | RuleId::P15 => {
                    let c = res;
                    let w = workspace_of(m, c).ok_or("not in a workspace")?;
                    ensure(other.is_none_or(|o| o == w), || "wrong workspace".into())?;
                    if matches!(rule, RuleId::P12 | RuleId::P14 | RuleId::P15) {
                        ensure(premises.contains(&Fact::Reach(Endpoint::Workspace(w))), || {
                            "no network path to the workspace".into()
                        })?;
                    }
                    let kinds: &[ResourceKind] = match rule {
                        RuleId::P14 => &[ResourceKind::OnlineEndpoint],
                        RuleId::P15 => &[ResourceKind::ComputeInstance],
                        _ => &[ResourceKind::ComputeInstance, ResourceKind::ComputeCluster],
                    };
                    ensure(kinds.contains(&m.resource(c).kind), || "wrong kind of resource".into())
                }
                RuleId::P16 => {
                    let r = res;
                    if premises.contains(&Fact::Created(r)) {
                        return ensure(m.resource(r).prospective, || "not a created compute".into());
                    }
                    let cid = credential.ok_or("no credential")?;
                    let cred = m.credentials.get(cid.index()).ok_or("unknown credential")?;
                    let installed =
                        matches!(&cred.kind, CredentialKind::SshKey { installed_on } if installed_on.contains(&r));
                    let enabled = match &m.resource(r).props {
                        Props::Compute(p) => p.ssh_enabled,
                        _ => m.resource(r).kind == ResourceKind::VirtualMachine,
                    };
                    ensure(installed && enabled && premises.contains(&Fact::Holds(cid)), || {
                        "the key is not installed, not held, or SSH is off".into()
                    })
                }
                RuleId::P17 => {
                    let w = workspace_of(m, res).ok_or("not in a workspace")?;
                    let s = ws_props(m, w).and_then(|p| p.storage_account);
                    ensure(
                        s.is_some() && s == *other && premises.contains(&Fact::DataWrite(s.unwrap_or(res))),
                        || "not the workspace's storage".into(),
                    )
                }
                RuleId::P18 => match conclusion {
                    Fact::Exec(c) => {
                        let w = workspace_of(m, *c).ok_or("not in a workspace")?;
                        let reg = ws_props(m, w).and_then(|p| p.container_registry);
                        ensure(reg.is_some() && reg == *other, || "not the workspace's registry".into())
                    }
                    Fact::AcrAdmin(r) | Fact::Push(r) => ensure(
                        matches!(&m.resource(*r).props, Props::Registry(p) if p.admin_user_enabled),
                        || "the admin user is disabled".into(),
                    ),
                    _ => Err("wrong conclusion".into()),
                },
                RuleId::P19 => ensure(m.resource(res).kind == ResourceKind::VirtualMachine, || {
                    "not a VM".into()
                }),
                RuleId::Identity => {
                    let p = principal.ok_or("no principal")?;
                    ensure(*conclusion == Fact::As(p), || "wrong conclusion".into())?;
                    let r = m.resource(res);
                    ensure(r.system_identity == Some(p) || r.user_identities.contains(&p), || {
                        "not an identity of the resource".into()
                    })
                }
                RuleId::P21 => {
                    let p = principal.ok_or("no principal")?;
                    ensure(
                        m.principal(p).identity_of == Some(IdentityOf::UserAssigned(res)),
                        || "not the identity".into(),
                    )
                }
                RuleId::SasToken | RuleId::EndpointKey => {
                    let cid = credential.ok_or("no credential")?;
                    let cred = m.credentials.get(cid.index()).ok_or("unknown credential")?;
                    let ok = match (&cred.kind, conclusion) {
                        (
                            CredentialKind::SasToken {
                                storage_account, read, ..
                            },
                            Fact::DataRead(s),
                        ) => storage_account == s && *read,
                        (
                            CredentialKind::SasToken {
                                storage_account, write, ..
                            },
                            Fact::DataWrite(s),
                        ) => storage_account == s && *write,
                        (CredentialKind::EndpointKey { endpoint }, Fact::Invoke(e)) => {
                            endpoint == e
                                && matches!(&m.resource(*e).props, Props::Endpoint(p) if p.auth_mode == AuthMode::Key)
                        }
                        _ => false,
                    };
                    ensure(ok && premises.contains(&Fact::Holds(cid)), || {
                        "the credential does not give this".into()
                    })
                }
                RuleId::PublicBlob => ensure(
                    storage_props(m, res).is_some_and(|p| p.allow_blob_public_access),
                    || "anonymous access is off".into(),
                ),
                                RuleId::P28 => ensure(
                    *conclusion == Fact::EgressOpen(res) && has(cap(Op::OutboundRulesWrite, res)),
                    || "no outbound rule write right on the workspace".into(),
                ),
                RuleId::P29 => ensure(
                    matches!(conclusion, Fact::NsgOpen(n) if m.network.nsgs.get(n.index()).is_some_and(|x| x.resource == res))
                        && (has(cap(Op::NsgRulesWrite, res)) || has(cap(Op::Write, res))),
                    || "no rule write right on the NSG".into(),
                ),
                RuleId::P27 => ensure(
                    m.resource(res).kind == ResourceKind::Workspace && has(cap(Op::PrivateEndpointApproval, res)),
                    || "no approval right on the workspace".into(),
                ),
                RuleId::P26 => ensure(m.resource(res).kind == ResourceKind::OnlineEndpoint, || {
                    "not an endpoint".into()
                }),
                RuleId::P31 => {
                    let w = workspace_of(m, res)
                        .or_else(|| (m.resource(res).kind == ResourceKind::Workspace).then_some(res))
                        .ok_or("no workspace")?;
                    ensure(
                        premises.contains(&Fact::Reach(Endpoint::Workspace(w))) && has(cap(Op::DatastoreRead, w)),
                        || "no datastore read right or network path".into(),
                    )
                }
                RuleId::Use => ensure(has(cap(Op::WorkspaceRead, res)), || "no read right".into()),
                RuleId::Place => ensure(premises.contains(&Fact::Exec(res)), || "no code on the resource".into()),
                RuleId::Unmodelled => ensure(m.resource(res).kind == ResourceKind::Generic, || {
                    "a modelled resource".into()
                }),
                _ => Err("evidence does not fit the rule".into()),
            }
        }
        _ => Err("evidence does not fit the rule".into()),
    }
    .and_then(|()| check_identity_rules(m, rule, ev, premises))
}

/// The fact "may perform `op` on `r`", if the graph has the resource's scope.
fn can_fact(g: &AccessGraph, m: &Model, op: Op, r: ResourceId) -> Option<Fact> {
    g.scope_id(&m.resource(r).key).map(|s| Fact::Can(op.code(), s))
}

/// Checks that need no resource: client secrets and app owners.
fn check_identity_rules(m: &Model, rule: RuleId, ev: &Evidence, premises: &[Fact]) -> Result<(), String> {
    let Evidence::Fact {
        credential, principal, ..
    } = ev
    else {
        return Ok(());
    };
    match rule {
        RuleId::ClientSecret => {
            let cid = credential.ok_or("no credential")?;
            let p = principal.ok_or("no principal")?;
            let cred = m.credentials.get(cid.index()).ok_or("unknown credential")?;
            ensure(
                matches!(cred.kind, CredentialKind::ClientSecret { service_principal } if service_principal == p)
                    && premises.contains(&Fact::Holds(cid)),
                || "not a secret of that service principal".into(),
            )
        }
        RuleId::P22 => {
            let p = principal.ok_or("no principal")?;
            let owners: Vec<PrincipalId> = m.principal(p).owners.clone();
            ensure(
                m.principal(p).kind == PrincipalKind::ServicePrincipal
                    && premises.iter().any(|f| matches!(f, Fact::As(o) if owners.contains(o))),
                || "the actor is not an owner".into(),
            )
        }
        _ => Ok(()),
    }
}
