//! Resolving a parsed query against a model: every name to an id, every capability's object checked for
//! the kind of thing the capability is about, with the nearest names when a name is unknown.

use super::ast::{Capability, CapabilityKind, Constraint, Name, Query, QueryForm, Who};
use super::parse::ParseError;
use crate::channel::Channel;
use crate::model::{LocationId, Model, PrincipalId, PrincipalKind, ResourceId, ResourceKind, Scope, lookup};

/// The actors a query starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actors {
    /// One principal.
    Principal(PrincipalId),
    /// Every transitive member of a group (not the group itself).
    MembersOf(PrincipalId),
    /// Every principal of a kind (`any user`, ...); `None` is `any principal`.
    AnyOf(Option<PrincipalKind>),
    /// An unauthenticated actor at a location.
    AnyoneFrom(LocationId),
}

/// What a capability is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// A resource.
    Resource(ResourceId),
    /// A principal (`act-as`).
    Principal(PrincipalId),
    /// A scope (`assign on`).
    Scope(Scope),
}

/// A capability with its object resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// What.
    pub kind: CapabilityKind,
    /// On what.
    pub object: Object,
    /// How the object was written.
    pub written: String,
}

/// The form of a resolved query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvedForm {
    /// `can WHO reach WHAT`.
    Can(Actors, Target),
    /// `who can reach WHAT`.
    WhoCan(Target),
    /// `what can WHO reach`.
    WhatCan(Actors),
}

/// A query ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedQuery {
    /// The text as given.
    pub text: String,
    /// The form.
    pub form: ResolvedForm,
    /// Channels no step may use.
    pub avoiding: Vec<Channel>,
    /// The last step must not be `azureml`.
    pub directly: bool,
    /// Actors start here only.
    pub from: Option<LocationId>,
    /// Principals that are not actors and may not be named by any step.
    pub excluding: Vec<PrincipalId>,
    /// Depth bound.
    pub within: Option<u32>,
    /// Every network premise holds.
    pub ignoring_network: bool,
}

fn error(name: &Name, message: String, help: Option<String>) -> ParseError {
    ParseError {
        message,
        col: name.col,
        len: name.text.chars().count(),
        help,
    }
}

fn from_lookup(name: &Name, e: lookup::LookupError) -> ParseError {
    error(name, e.message, e.help)
}

fn principal(model: &Model, name: &Name) -> Result<PrincipalId, ParseError> {
    lookup::principal(model, &name.text).map_err(|e| from_lookup(name, e))
}

fn location(model: &Model, name: &Name) -> Result<LocationId, ParseError> {
    model.location_named(&name.text).ok_or_else(|| {
        let names: Vec<&str> = model.locations.iter().map(|l| l.name.as_str()).collect();
        error(
            name,
            format!("unknown location `{}`", name.text),
            crate::diag::suggest::did_you_mean(&name.text, names.iter().copied()).or_else(|| {
                Some(format!(
                    "locations: {}",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ))
            }),
        )
    })
}

fn actors(model: &Model, who: &Who) -> Result<Actors, ParseError> {
    Ok(match who {
        Who::Principal(n) => Actors::Principal(principal(model, n)?),
        Who::MembersOf(n) => {
            let g = principal(model, n)?;
            if model.principal(g).kind != PrincipalKind::Group {
                return Err(error(
                    n,
                    format!("`{}` is a {}, not a group", n.text, model.principal(g).kind.as_str()),
                    Some(format!("write `can {} reach ...` for one principal", n.text)),
                ));
            }
            Actors::MembersOf(g)
        }
        Who::AnyUser => Actors::AnyOf(Some(PrincipalKind::User)),
        Who::AnyGroup => Actors::AnyOf(Some(PrincipalKind::Group)),
        Who::AnyServicePrincipal => Actors::AnyOf(Some(PrincipalKind::ServicePrincipal)),
        Who::AnyIdentity => Actors::AnyOf(Some(PrincipalKind::ManagedIdentity)),
        Who::AnyPrincipal => Actors::AnyOf(None),
        Who::AnyoneFrom(n) => Actors::AnyoneFrom(location(model, n)?),
    })
}

fn resource_of(
    model: &Model,
    name: &Name,
    kinds: &[ResourceKind],
    capability: CapabilityKind,
) -> Result<ResourceId, ParseError> {
    match lookup::resource(model, &name.text, kinds) {
        Ok(r) => Ok(r),
        Err(e) if e.code == "wrong-kind" => {
            let wanted = kinds.iter().map(|k| k.alias()).collect::<Vec<_>>().join(" or ");
            Err(error(
                name,
                format!(
                    "`{} {}` is not a capability: {}",
                    capability.keyword(),
                    name.text,
                    e.message
                ),
                Some(format!("`{}` applies to a {wanted}", capability.keyword())),
            ))
        }
        Err(e) => Err(from_lookup(name, e)),
    }
}

fn target(model: &Model, c: &Capability) -> Result<Target, ParseError> {
    use CapabilityKind as K;
    let n = &c.object;
    let object = match c.kind {
        K::DataRead | K::DataWrite | K::Data => {
            Object::Resource(resource_of(model, n, &[ResourceKind::StorageAccount], c.kind)?)
        }
        K::Secrets => Object::Resource(resource_of(model, n, &[ResourceKind::KeyVault], c.kind)?),
        K::Invoke => Object::Resource(resource_of(model, n, &[ResourceKind::OnlineEndpoint], c.kind)?),
        K::Push => Object::Resource(resource_of(model, n, &[ResourceKind::ContainerRegistry], c.kind)?),
        K::Use => Object::Resource(resource_of(model, n, &[ResourceKind::Workspace], c.kind)?),
        K::Exec => Object::Resource(resource_of(
            model,
            n,
            &[
                ResourceKind::ComputeInstance,
                ResourceKind::ComputeCluster,
                ResourceKind::VirtualMachine,
                ResourceKind::OnlineEndpoint,
            ],
            c.kind,
        )?),
        K::Control => Object::Resource(lookup::resource(model, &n.text, &[]).map_err(|e| from_lookup(n, e))?),
        K::Assign => {
            let (scope, _) = lookup::scope(model, &n.text).map_err(|e| from_lookup(n, e))?;
            Object::Scope(scope)
        }
        K::ActAs => {
            let p = principal(model, n)?;
            match model.principal(p).kind {
                PrincipalKind::ManagedIdentity | PrincipalKind::ServicePrincipal => Object::Principal(p),
                kind => {
                    return Err(error(
                        n,
                        format!(
                            "`act-as` is defined for managed identities and service principals; `{}` is a {}",
                            n.text,
                            kind.as_str()
                        ),
                        Some("ask what the principal can reach instead: `what can NAME reach`".to_string()),
                    ));
                }
            }
        }
    };
    Ok(Target {
        kind: c.kind,
        object,
        written: c.object.text.clone(),
    })
}

impl ResolvedQuery {
    /// A query of this form without constraints.
    pub fn unconstrained(text: String, form: ResolvedForm) -> ResolvedQuery {
        ResolvedQuery {
            text,
            form,
            avoiding: Vec::new(),
            directly: false,
            from: None,
            excluding: Vec::new(),
            within: None,
            ignoring_network: false,
        }
    }
}

/// Resolves a parsed query against a model.
pub fn resolve(model: &Model, q: &Query) -> Result<ResolvedQuery, ParseError> {
    let form = match &q.form {
        QueryForm::Can(who, c) => ResolvedForm::Can(actors(model, who)?, target(model, c)?),
        QueryForm::WhoCan(c) => ResolvedForm::WhoCan(target(model, c)?),
        QueryForm::WhatCan(who) => ResolvedForm::WhatCan(actors(model, who)?),
    };
    let mut r = ResolvedQuery::unconstrained(q.text.clone(), form);
    for c in &q.constraints {
        match c {
            Constraint::Avoiding(names) => {
                for n in names {
                    let ch = Channel::parse(&n.text)
                        .ok_or_else(|| error(n, format!("unknown channel `{}`", n.text), None))?;
                    if !r.avoiding.contains(&ch) {
                        r.avoiding.push(ch);
                    }
                }
            }
            Constraint::Directly => r.directly = true,
            Constraint::From(n) => r.from = Some(location(model, n)?),
            Constraint::Excluding(names) => {
                for n in names {
                    let p = principal(model, n)?;
                    if !r.excluding.contains(&p) {
                        r.excluding.push(p);
                    }
                }
            }
            Constraint::WithinSteps(n) => r.within = Some(*n),
            Constraint::IgnoringNetwork => r.ignoring_network = true,
        }
    }
    r.avoiding.sort();
    r.excluding.sort();
    Ok(r)
}
