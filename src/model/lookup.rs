//! Finding things in a loaded model by what a person writes: principals, resources and scopes (the
//! spec's "Names, ids and references" and "Scopes"), with the nearest names when nothing matches.
//! Shared by the loader (assignments, denies) and by the commands (`--at`, query names).

use super::{Model, PrincipalId, ResourceId, ResourceKind, Scope, ScopeKind};
use crate::diag::suggest;

/// Why a look-up failed: a message and, where possible, the nearest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupError {
    /// A stable code (`unknown-scope`, `ambiguous-name`, ...).
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// What to write instead.
    pub help: Option<String>,
}

impl LookupError {
    fn new(code: &'static str, message: String, help: Option<String>) -> Self {
        LookupError { code, message, help }
    }
}

const SCOPE_FORMS: &str = "scopes are `/`, a management group id, `subscription`, `/subscriptions/ID`, `rg:NAME`, a resource name, or a full resource id";

fn ticked(items: &[String]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// A principal by name, object id, or the name or id of a resource with a system-assigned identity.
pub fn principal(model: &Model, text: &str) -> Result<PrincipalId, LookupError> {
    if let Some(p) = model.principal_named(text) {
        return Ok(p);
    }
    let lower = text.trim_end_matches('/').to_lowercase();
    let with_identity: Vec<PrincipalId> = model
        .resources
        .iter()
        .filter(|r| r.name.to_lowercase() == lower || r.key == lower)
        .filter_map(|r| r.system_identity)
        .collect();
    match with_identity.as_slice() {
        [one] => Ok(*one),
        [] => {
            let mut help = suggest::did_you_mean(text, model.principals.iter().map(|p| p.name.as_str()));
            if help.is_none() && !model.resources_named(text).is_empty() {
                help = Some(format!(
                    "resource `{text}` has no system-assigned identity; add `identity: {{system: true}}` to it"
                ));
            }
            Err(LookupError::new(
                "unknown-principal",
                format!("unknown principal `{text}`"),
                help,
            ))
        }
        many => {
            let names: Vec<String> = many.iter().map(|p| model.principal(*p).name.clone()).collect();
            Err(LookupError::new(
                "ambiguous-name",
                format!("`{text}` names the identities of several resources"),
                Some(format!("write one of {}", ticked(&names))),
            ))
        }
    }
}

/// A resource by name, `workspace/child`, or full id, of one of `kinds` (empty: any kind).
pub fn resource(model: &Model, text: &str, kinds: &[ResourceKind]) -> Result<ResourceId, LookupError> {
    let fits = |r: &ResourceId| kinds.is_empty() || kinds.contains(&model.resource(*r).kind);
    // Only a problem names what was expected: a million assignment scopes are looked up here.
    let what = || {
        if kinds.is_empty() {
            "resource".to_string()
        } else {
            kinds.iter().map(|k| k.alias()).collect::<Vec<_>>().join(" or ")
        }
    };
    if text.starts_with('/') {
        return match model.resource_by_id(text) {
            Some(r) if fits(&r) => Ok(r),
            Some(r) => Err(LookupError::new(
                "wrong-kind",
                format!("`{text}` is a {}, not a {}", model.resource(r).kind.alias(), what()),
                None,
            )),
            None => Err(LookupError::new(
                "unknown-resource",
                format!("no resource has the id `{text}`"),
                None,
            )),
        };
    }
    let candidates: Vec<ResourceId> = match text.split_once('/') {
        Some((ws, child)) => model
            .resources_named(child)
            .iter()
            .copied()
            .filter(|r| {
                model
                    .resource(*r)
                    .parent
                    .is_some_and(|p| model.resource(p).name.eq_ignore_ascii_case(ws))
            })
            .collect(),
        None => model.resources_named(text).to_vec(),
    };
    let matching: Vec<ResourceId> = candidates.iter().copied().filter(fits).collect();
    match matching.as_slice() {
        [one] => Ok(*one),
        [] => {
            if let Some(r) = candidates.first() {
                return Err(LookupError::new(
                    "wrong-kind",
                    format!("`{text}` is a {}, not a {}", model.resource(*r).kind.alias(), what()),
                    None,
                ));
            }
            let names: Vec<String> = model
                .resource_ids()
                .filter(|r| fits(r))
                .map(|r| model.resource_display(r))
                .collect();
            Err(LookupError::new(
                "unknown-resource",
                format!("unknown {} `{text}`", what()),
                suggest::did_you_mean(text, names.iter().map(String::as_str)),
            ))
        }
        many => {
            let mut names: Vec<String> = many.iter().map(|r| model.resource_display(*r)).collect();
            names.sort();
            Err(LookupError::new(
                "ambiguous-name",
                format!("`{text}` names several resources"),
                Some(format!("write one of {}", ticked(&names))),
            ))
        }
    }
}

/// The scope of a modelled resource.
pub fn resource_scope(model: &Model, id: ResourceId) -> Scope {
    let r = model.resource(id);
    Scope {
        key: r.key.clone(),
        display: r.id.clone(),
        kind: ScopeKind::Resource(id),
    }
}

/// A scope as the spec's Scopes section defines it. `Ok((scope, Some(warning)))` when the scope is
/// valid but names nothing the model declares.
pub fn scope(model: &Model, text: &str) -> Result<(Scope, Option<String>), LookupError> {
    let t = text.trim();
    let lower = t.trim_end_matches('/').to_lowercase();
    let plain = |key: String, display: String, kind| Ok((Scope { key, display, kind }, None));
    if t == "/" {
        return plain("/".into(), "/".into(), ScopeKind::Root);
    }
    if lower.starts_with(crate::rbac::scope::MANAGEMENT_GROUP_PREFIX) {
        return plain(lower, t.into(), ScopeKind::ManagementGroup);
    }
    if lower == "subscription" {
        let display = format!("/subscriptions/{}", model.subscription);
        return plain(display.to_lowercase(), display, ScopeKind::Subscription);
    }
    if let Some(rest) = lower.strip_prefix("/subscriptions/")
        && !rest.is_empty()
        && !rest.contains('/')
    {
        return plain(lower, t.into(), ScopeKind::Subscription);
    }
    // By the name index: a scan of every resource per scope made loading a million assignments slow.
    let group_named = |name: &str| {
        model
            .resources_named(name)
            .iter()
            .copied()
            .find(|g| model.resource(*g).kind == ResourceKind::ResourceGroup)
    };
    if let Some(name) = t.strip_prefix("rg:") {
        return match group_named(name) {
            Some(g) => Ok((resource_scope(model, g), None)),
            None => {
                let names: Vec<String> = model
                    .resource_ids()
                    .filter(|r| model.resource(*r).kind == ResourceKind::ResourceGroup)
                    .map(|g| model.resource(g).name.clone())
                    .collect();
                Err(LookupError::new(
                    "unknown-scope",
                    format!("unknown resource group `{name}`"),
                    suggest::did_you_mean(name, names.iter().map(String::as_str)),
                ))
            }
        };
    }
    if t.starts_with('/') {
        if let Some(id) = model.resource_by_id(t) {
            return Ok((resource_scope(model, id), None));
        }
        if let Some(above) = model.resource_at_or_above(&lower) {
            return plain(lower, t.into(), ScopeKind::Below(above));
        }
        let parts: Vec<&str> = lower.split('/').collect();
        if parts.len() == 5 && parts.get(3) == Some(&"resourcegroups") {
            let rg = t.split('/').nth(4).unwrap_or("");
            return Err(LookupError::new(
                "unknown-scope",
                format!("scope `{t}` names resource group `{rg}`, which the model does not declare"),
                Some("declare the resource group under `resources`, or give a resource `group` of that name".into()),
            ));
        }
        if lower.starts_with("/subscriptions/") {
            let warning = format!("scope `{t}` names nothing the model declares; it covers no modelled resource");
            return Ok((
                Scope {
                    key: lower,
                    display: t.into(),
                    kind: ScopeKind::Subscription,
                },
                Some(warning),
            ));
        }
        return Err(LookupError::new(
            "invalid-scope",
            format!("`{t}` is not a scope"),
            Some(SCOPE_FORMS.into()),
        ));
    }
    let group = if t.contains('/') { None } else { group_named(t) };
    let found = resource(model, t, &[]);
    let non_group = match &found {
        Ok(r) if model.resource(*r).kind == ResourceKind::ResourceGroup => None,
        Ok(r) => Some(Ok(*r)),
        Err(e) if e.code == "ambiguous-name" => Some(Err(e.clone())),
        Err(_) => None,
    };
    match (group, non_group) {
        (Some(g), None) => Ok((resource_scope(model, g), None)),
        (None, Some(Ok(r))) => Ok((resource_scope(model, r), None)),
        (Some(_), Some(_)) => Err(LookupError::new(
            "ambiguous-scope",
            format!("`{t}` is both a resource group and a resource"),
            Some(format!(
                "write `rg:{t}` for the resource group, or the resource's full id"
            )),
        )),
        (None, Some(Err(e))) => Err(e),
        (None, None) => {
            let names: Vec<String> = model
                .resource_ids()
                .map(|r| model.resource_display(r))
                .chain(["subscription".to_string()])
                .collect();
            let help = suggest::did_you_mean(t, names.iter().map(String::as_str)).unwrap_or_else(|| SCOPE_FORMS.into());
            Err(LookupError::new(
                "unknown-scope",
                format!("unknown scope `{t}`"),
                Some(help),
            ))
        }
    }
}
