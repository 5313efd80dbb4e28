//! `mlaccess import azurehound FILE...`: the output of AzureHound (SpecterOps' collector for BloodHound)
//! becomes a model. A file is `{"data": [{"kind": "AZ…", "data": {…}}, …], "meta": {"type": "azure", …}}`,
//! one record per line (AzureHound's standard output), or a single record.
//!
//! AzureHound collects Entra users, groups (with members), apps and service principals (with owners),
//! key vaults (with access policies), virtual machines, a few other Resource Manager resources, and the
//! role assignments on them. It collects no Azure ML resource, no network and no custom role definition;
//! the summary says so, and an overlay (`--overlay`) completes the model. Names follow the Azure
//! importer's rules (`docs/import.md`), so an overlay written for one fits the other.

mod authorization;
mod entra;
mod records;
mod resources;
mod unmodelled;

use std::collections::{HashMap, HashSet};

use super::build::{MapBuilder, copy, number, seq, text};
use super::{Imported, Summary};
use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::import::azure::ArmId;
use crate::import::common::{Names, short};
use crate::load::Source;
use crate::source::{Node, origin};
use records::Record;

/// The records of all files, in order.
#[derive(Default)]
struct Records {
    items: Vec<Record>,
}

impl Records {
    /// The records of one kind (`AZUser`), compared case-insensitively.
    fn of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Record> {
        self.items.iter().filter(move |r| r.kind.eq_ignore_ascii_case(kind))
    }
}

/// A user-assigned identity met in a resource's `identity` block or as a managed identity's service
/// principal.
struct UserAssigned {
    /// Model name (unique among principals and resources).
    name: String,
    /// The identity's Entra object id, when some record gives it.
    object_id: Option<(String, Pos)>,
    /// Model name of its resource group.
    group: String,
    pos: Pos,
}

/// Everything the translation needs.
struct Cx {
    summary: Summary,
    diags: Diagnostics,
    /// The names given, and the principals the model will hold.
    names: Names,
    /// Model names of resources and resource groups by id (lower case).
    resource_names: HashMap<String, String>,
    /// The tenant, from `AZTenant` or any record's `tenantId`.
    tenant: Option<String>,
    /// The first subscription met.
    subscription: Option<String>,
    /// Resource groups met, as (Azure id, model name), in order.
    groups: Vec<(String, String)>,
    /// User-assigned identities by resource id (lower case), in the order met.
    user_assigned: Vec<(String, UserAssigned)>,
    /// Object ids of service principals by app id (lower case).
    apps: HashMap<String, String>,
    /// Object ids (lower case) of the records kept as service principals.
    service_principals: HashSet<String>,
    /// The list (`users`, `groups`, `service_principals`) that member and owner lists put object ids
    /// (lower case) in, by their `@odata.type`: the kind of principals only assignments name.
    kind_hints: HashMap<String, &'static str>,
    /// Principals known only from role assignments (list key, node).
    placeholders: Vec<(&'static str, Node)>,
}

impl Cx {
    fn new() -> Cx {
        Cx {
            summary: Summary::default(),
            diags: Diagnostics::new(),
            names: Names::default(),
            resource_names: HashMap::new(),
            tenant: None,
            subscription: None,
            groups: Vec::new(),
            user_assigned: Vec::new(),
            apps: HashMap::new(),
            service_principals: HashSet::new(),
            kind_hints: HashMap::new(),
            placeholders: Vec::new(),
        }
    }

    /// The model name of a resource (or resource group) id, when the model will hold it.
    fn resource_name(&self, id: &str) -> Option<String> {
        self.resource_names
            .get(&id.trim_end_matches('/').to_lowercase())
            .cloned()
    }

    /// The model name of a resource group, declaring it when it is new (unique across subscriptions).
    fn group_name(&mut self, subscription: &str, group: &str) -> String {
        let key = format!("/subscriptions/{subscription}/resourcegroups/{group}").to_lowercase();
        if let Some(n) = self.resource_names.get(&key) {
            return n.clone();
        }
        // Groups and resources share one set of names, as in the Azure importer.
        let n = self.names.unique("resource", group, short(subscription));
        self.resource_names.insert(key, n.clone());
        self.groups.push((
            format!("/subscriptions/{subscription}/resourceGroups/{group}"),
            n.clone(),
        ));
        n
    }

    /// Registers a user-assigned identity by its resource id; returns its model name.
    fn user_assigned(&mut self, id: &str, object_id: Option<(&str, Pos)>, pos: Pos) -> Option<String> {
        let key = id.trim_end_matches('/').to_lowercase();
        let arm = ArmId::parse(id)?;
        let group = arm.group.clone()?;
        let index = match self.user_assigned.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let group = self.group_name(&arm.subscription, &group);
                let wanted = arm.name().unwrap_or(id).to_string();
                // One thing, a resource and a principal: its name is free in both namespaces.
                let name = self.names.unique_in(&["principal", "resource"], &wanted, &group);
                self.resource_names.insert(key.clone(), name.clone());
                self.user_assigned.push((
                    key.clone(),
                    UserAssigned {
                        name,
                        object_id: None,
                        group,
                        pos,
                    },
                ));
                self.user_assigned.len() - 1
            }
        };
        let (name, has_object_id) = {
            let (_, entry) = self.user_assigned.get(index)?;
            (entry.name.clone(), entry.object_id.is_some())
        };
        let Some((oid, oid_pos)) = object_id.filter(|(o, _)| !o.is_empty()) else {
            return Some(name);
        };
        if has_object_id {
            return Some(name);
        }
        if self.names.knows_principal(oid) {
            self.warn(
                oid_pos,
                format!("object id `{oid}` of identity `{name}` is another principal's too; it is kept without it"),
            );
        } else {
            self.names.add_principal(oid, &name);
            if let Some((_, entry)) = self.user_assigned.get_mut(index) {
                entry.object_id = Some((oid.to_string(), oid_pos));
            }
        }
        Some(name)
    }

    /// The reference to the service principal of an app, when the model holds it.
    fn service_principal_by_app(&self, app_id: &str) -> Option<String> {
        self.apps
            .get(&app_id.to_lowercase())
            .and_then(|oid| self.names.principal(oid))
    }

    /// A warning at a position in the input.
    fn warn(&mut self, pos: Pos, message: String) {
        self.diags.push(Diagnostic::warning("import", message).with_pos(pos));
    }

    /// Something left out, for the summary.
    fn left_out(&mut self, what: String) {
        self.summary.left_out.push(what);
    }

    /// Something the input cannot tell, for the summary.
    fn missing(&mut self, what: String) {
        self.summary.missing.push(what);
    }
}

/// What AzureHound never collects, whatever it is run with.
const NOT_COLLECTED: &[&str] = &[
    "Azure ML workspaces, their computes, online endpoints and datastores: AzureHound does not collect them; \
     run `mlaccess import azure` on an export of the estate, or write them in an overlay (`--overlay FILE`)",
    "storage accounts' properties (shared key and public blob access), container registries' properties and key \
     vaults' public network access: AzureHound's records leave out false values and hold no public network access \
     for vaults, so only `allowBlobPublicAccess: true` is read and the model's defaults apply otherwise; an \
     `import azure` export or an overlay (`--overlay FILE`) completes them",
    "networks: VNets, subnets, NSGs, private endpoints, VPN and ExpressRoute gateways and the subnets of virtual \
     machines: AzureHound does not collect them (firewalls of key vaults and storage accounts are read, without \
     their virtual network rules); write them in an overlay (`--overlay FILE`)",
    "custom role definitions and deny assignments: AzureHound does not collect them; a role no catalogue \
     defines is kept as `unknown role GUID`, assumed to grant everything",
    "conditions (ABAC) of role assignments: AzureHound's records do not carry them, so every assignment is read \
     as unconditional",
    "who holds which SSH private key, endpoint key, SAS token or client secret (credentials), and the network \
     locations people and pipelines work from: no collector sees them; write them in an overlay (`--overlay FILE`)",
];

/// Imports AzureHound output files (in order; their positions are marked with their index).
pub fn import(files: &[Source]) -> Result<Imported, Diagnostics> {
    let mut cx = Cx::new();
    let mut all = Records::default();
    let mut unreadable = Diagnostics::new();
    for (i, f) in files.iter().enumerate() {
        match records::read(f, i) {
            Ok((items, warnings)) => {
                all.items.extend(items);
                cx.diags.extend(warnings);
            }
            Err(d) => unreadable.extend(d),
        }
    }
    if unreadable.has_errors() {
        unreadable.sort();
        return Err(unreadable);
    }

    // Names first (anything may refer to anything), then the sections.
    resources::register(&mut cx, &all);
    entra::register(&mut cx, &all);
    authorization::register(&mut cx, &all);
    let mut principals = entra::principals(&mut cx, &all);
    let built = resources::resources(&mut cx, &all);
    let auth = authorization::authorization(&mut cx, &all);
    for (key, node) in std::mem::take(&mut cx.placeholders) {
        match key {
            "users" => principals.users.push(node),
            "groups" => principals.groups.push(node),
            _ => principals.service_principals.push(node),
        }
    }
    unmodelled::summarise(&mut cx, &all);

    let mut model = MapBuilder::new(Pos::default()).set("version", number(1, Pos::default()));
    if let Some(t) = &cx.tenant {
        model.put("tenant", text(t, Pos::default()));
    }
    if let Some(s) = &cx.subscription {
        model.put("subscription", text(s, Pos::default()));
    }
    let mut section = MapBuilder::new(Pos::default());
    for (key, list) in [
        ("users", principals.users),
        ("groups", principals.groups),
        ("service_principals", principals.service_principals),
        ("managed_identities", built.managed_identities),
    ] {
        if !list.is_empty() {
            section.put(key, seq(list, Pos::default()));
        }
    }
    model.put("principals", section.done());
    model.put("resources", seq(built.resources, Pos::default()));
    for (key, list) in auth {
        model.put(key, seq(list, Pos::default()));
    }
    cx.summary
        .missing
        .extend(NOT_COLLECTED.iter().map(|s| (*s).to_string()));
    cx.summary.generic = built.generic;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    origin::attribute(&mut cx.diags, &names);
    if cx.diags.has_errors() {
        cx.diags.sort();
        return Err(cx.diags);
    }
    cx.diags.sort();
    Ok(Imported {
        tree: model.done(),
        summary: cx.summary,
        warnings: cx.diags,
    })
}

#[cfg(test)]
mod tests;
