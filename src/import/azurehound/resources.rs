//! Resource Manager objects: the tenant, subscriptions (scopes, not resources), resource groups, key
//! vaults (with their access policies), virtual machines, storage accounts and container registries; the
//! other resources AzureHound collects (function and web apps, logic apps, automation accounts, AKS
//! clusters, VM scale sets) are kept as generic resources, so RBAC on them and their identities count.

use std::collections::{BTreeMap, HashSet};

use super::{ArmId, Cx, Records, copy};
use crate::diag::Pos;
use crate::import::build::{MapBuilder, bool_at, boolean, node_at, seq, str_at, text};
use crate::source::Node;

/// Record kinds of resources: (kind, model alias or `None` for a generic resource, ARM type when the
/// record does not say).
const KINDS: &[(&str, Option<&str>, &str)] = &[
    ("AZKeyVault", Some("key_vault"), "Microsoft.KeyVault/vaults"),
    ("AZVM", Some("virtual_machine"), "Microsoft.Compute/virtualMachines"),
    (
        "AZStorageAccount",
        Some("storage_account"),
        "Microsoft.Storage/storageAccounts",
    ),
    (
        "AZContainerRegistry",
        Some("container_registry"),
        "Microsoft.ContainerRegistry/registries",
    ),
    ("AZFunctionApp", None, "Microsoft.Web/sites"),
    ("AZWebApp", None, "Microsoft.Web/sites"),
    ("AZLogicApp", None, "Microsoft.Logic/workflows"),
    ("AZAutomationAccount", None, "Microsoft.Automation/automationAccounts"),
    ("AZManagedCluster", None, "Microsoft.ContainerService/managedClusters"),
    ("AZVMScaleSet", None, "Microsoft.Compute/virtualMachineScaleSets"),
];

/// True for the record kinds this module reads.
pub fn handles(kind: &str) -> bool {
    [
        "AZTenant",
        "AZSubscription",
        "AZResourceGroup",
        "AZKeyVaultAccessPolicy",
    ]
    .iter()
    .chain(KINDS.iter().map(|(k, _, _)| k))
    .any(|k| k.eq_ignore_ascii_case(kind))
}

/// What the resources section holds.
#[derive(Default)]
pub struct Built {
    pub resources: Vec<Node>,
    pub managed_identities: Vec<Node>,
    pub generic: BTreeMap<String, usize>,
}

/// Registers the tenant, subscriptions, resource groups and resources (with their identities) before
/// anything refers to them.
pub fn register(cx: &mut Cx, b: &Records) {
    let tenants: Vec<&super::Record> = b.of("AZTenant").collect();
    let collected = tenants
        .iter()
        .find(|t| bool_at(&t.data, &["collected"]) == Some(true))
        .or(tenants.first());
    cx.tenant = collected
        .and_then(|t| str_at(&t.data, &["tenantId"]))
        .map(str::to_string);
    if cx.tenant.is_none() {
        cx.tenant = b
            .items
            .iter()
            .find_map(|r| str_at(&r.data, &["tenantId"]))
            .map(str::to_string);
    }

    let mut subscriptions = HashSet::new();
    for s in b.of("AZSubscription") {
        let id = str_at(&s.data, &["subscriptionId"])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| str_at(&s.data, &["id"]).and_then(ArmId::parse).map(|a| a.subscription));
        let Some(id) = id else {
            cx.warn(
                s.pos,
                "`AZSubscription` record without `subscriptionId`; left out".into(),
            );
            continue;
        };
        if subscriptions.insert(id.to_lowercase()) {
            cx.subscription.get_or_insert_with(|| id.clone());
            cx.summary.count("subscriptions");
        }
    }

    for g in b.of("AZResourceGroup") {
        let Some(id) = str_at(&g.data, &["id"]) else {
            cx.warn(g.pos, "`AZResourceGroup` record without `id`; left out".into());
            continue;
        };
        let Some(arm) = ArmId::parse(id) else {
            cx.warn(g.pos, format!("`{id}` is not a resource group id; left out"));
            continue;
        };
        let Some(group) = arm.group.clone() else { continue };
        let key = id.trim_end_matches('/').to_lowercase();
        if cx.resource_names.contains_key(&key) {
            continue;
        }
        cx.subscription.get_or_insert_with(|| arm.subscription.clone());
        let wanted = str_at(&g.data, &["name"]).unwrap_or(&group);
        let short = arm.subscription.split('-').next().unwrap_or_default().to_string();
        let name = cx.names.unique("resource", wanted, &short);
        cx.resource_names.insert(key, name.clone());
        cx.groups.push((id.to_string(), name));
    }

    for (kind, _, _) in KINDS {
        for r in b.of(kind) {
            let Some(id) = str_at(&r.data, &["id"]) else {
                cx.warn(r.pos, format!("`{kind}` record without `id`; left out"));
                continue;
            };
            let Some(arm) = ArmId::parse(id) else {
                cx.warn(
                    r.pos,
                    format!("`{id}` is not a resource id; the `{kind}` record is left out"),
                );
                continue;
            };
            if cx.resource_name(id).is_some() {
                cx.warn(
                    r.pos,
                    format!("resource `{id}` appears more than once in the output; the first copy is kept"),
                );
                continue;
            }
            cx.subscription.get_or_insert_with(|| arm.subscription.clone());
            let qualifier = match &arm.group {
                Some(g) => cx.group_name(&arm.subscription, g),
                None => String::new(),
            };
            let wanted = str_at(&r.data, &["name"]).or(arm.name()).unwrap_or(id);
            let name = cx.names.unique("resource", wanted, &qualifier);
            cx.resource_names
                .insert(id.trim_end_matches('/').to_lowercase(), name.clone());
            if let Some(pid) = node_at(&r.data, &["identity", "principalId"])
                && let Some(oid) = pid.as_str().filter(|s| !s.is_empty())
            {
                if cx.names.knows_principal(oid) {
                    cx.warn(
                        pid.pos,
                        format!(
                            "object id `{oid}` of `{name}`'s identity is another principal's too; it is kept without it"
                        ),
                    );
                } else {
                    cx.names.add_principal(oid, &name);
                }
            }
            for (k, v) in node_at(&r.data, &["identity", "userAssignedIdentities"])
                .and_then(Node::as_map)
                .unwrap_or_default()
            {
                let oid = node_at(v, &["principalId"]).and_then(|p| p.as_str().map(|s| (s, p.pos)));
                if cx.user_assigned(&k.text, oid, k.pos).is_none() {
                    cx.left_out(format!(
                        "user-assigned identity `{}` of `{name}`: not an identity resource id",
                        k.text
                    ));
                }
            }
        }
    }
}

/// The object id at `path`, when it is the one `owner`'s identity was registered with.
fn own_object_id(cx: &Cx, n: &Node, path: &[&str], owner: &str) -> Option<Node> {
    let oid = str_at(n, path)?;
    (cx.names.principal_name(oid) == Some(owner)).then(|| copy(n, path))?
}

/// The `identity` block: system-assigned (with its object id) and user-assigned identities by name.
fn identity(cx: &mut Cx, r: &Node, owner: &str) -> Option<Node> {
    let id = node_at(r, &["identity"])?;
    let kind = str_at(id, &["type"]).unwrap_or_default().to_ascii_lowercase();
    let system = kind.contains("systemassigned") || str_at(id, &["principalId"]).is_some_and(|p| !p.is_empty());
    let mut user = Vec::new();
    for (k, _) in node_at(id, &["userAssignedIdentities"])
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        if let Some(n) = cx.resource_name(&k.text) {
            user.push(text(&n, k.pos));
        }
    }
    let principal_id = own_object_id(cx, id, &["principalId"], owner);
    crate::import::common::identity_block(id.pos, system, principal_id, user)
}

/// A firewall (`networkAcls`: `defaultAction`, `ipRules[].value`, `bypass`), when the record sets one. Its
/// virtual network rules name subnets the output does not hold: they are listed, for an overlay to add.
fn network_acls(cx: &mut Cx, r: &Node, name: &str) -> Option<Node> {
    let acls = node_at(r, &["properties", "networkAcls"])?;
    let action = node_at(acls, &["defaultAction"]).filter(|a| a.as_str().is_some_and(|t| !t.is_empty()))?;
    let pos = acls.pos;
    let ips: Vec<Node> = node_at(acls, &["ipRules"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(crate::import::common::ip_rule)
        .collect();
    for rule in node_at(acls, &["virtualNetworkRules"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        if let Some(subnet) = str_at(rule, &["id"]) {
            cx.left_out(format!(
                "virtual network rule `{subnet}` of `{name}`'s firewall: AzureHound does not collect networks"
            ));
        }
    }
    let mut m = MapBuilder::new(pos).opt("default_action", action.as_str().map(|a| text(a, action.pos)));
    m.put("ip_rules", seq(ips, pos));
    if let Some(bypass) = str_at(acls, &["bypass"]).filter(|b| !b.trim().is_empty()) {
        m.put("bypass", crate::import::common::bypass_list(bypass, pos));
    }
    Some(m.done())
}

/// One access policy being put together: the principal reference and its permissions.
struct Policy {
    principal: String,
    pos: Pos,
    lists: [(&'static str, Vec<Node>); 3],
}

/// Adds an access policy entry (`objectId`, `permissions.{secrets,keys,certificates}`) to `policies`;
/// entries for the same principal are united.
fn add_policy(cx: &mut Cx, policies: &mut Vec<(String, Policy)>, ap: &Node, vault: &str) {
    let Some(oid) = str_at(ap, &["objectId"]) else { return };
    let Some(principal) = cx.names.principal(oid) else {
        cx.left_out(format!(
            "access policy of vault `{vault}` for `{oid}`: principal not in the AzureHound output"
        ));
        return;
    };
    let key = oid.to_lowercase();
    let index = match policies.iter().position(|(k, _)| *k == key) {
        Some(i) => i,
        None => {
            policies.push((
                key,
                Policy {
                    principal,
                    pos: ap.pos,
                    lists: [
                        ("secrets", Vec::new()),
                        ("keys", Vec::new()),
                        ("certificates", Vec::new()),
                    ],
                },
            ));
            policies.len() - 1
        }
    };
    let Some((_, policy)) = policies.get_mut(index) else {
        return;
    };
    for (k, list) in &mut policy.lists {
        for x in node_at(ap, &["permissions", k])
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some(v) = x.as_str() else { continue };
            let v = v.to_ascii_lowercase();
            if !list.iter().any(|n| n.as_str() == Some(v.as_str())) {
                list.push(text(&v, x.pos));
            }
        }
    }
}

/// The `key_vault` properties: the permission model and the access policies, from the vault's
/// `properties.accessPolicies` and the `AZKeyVaultAccessPolicy` records about it.
fn key_vault_props(cx: &mut Cx, b: &Records, r: &Node, id: &str, name: &str) -> MapBuilder {
    let mut m = MapBuilder::new(r.pos);
    if let Some(v) = bool_at(r, &["properties", "enableRbacAuthorization"]) {
        m.put("enable_rbac_authorization", boolean(v, r.pos));
    }
    let mut policies = Vec::new();
    for ap in node_at(r, &["properties", "accessPolicies"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        add_policy(cx, &mut policies, ap, name);
    }
    for rec in b
        .of("AZKeyVaultAccessPolicy")
        .filter(|p| str_at(&p.data, &["keyVaultId"]).is_some_and(|k| k.trim_end_matches('/').eq_ignore_ascii_case(id)))
    {
        add_policy(cx, &mut policies, &rec.data, name);
    }
    let policies: Vec<Node> = policies
        .into_iter()
        .map(|(_, p)| {
            let mut pm = MapBuilder::new(p.pos).set("principal", text(&p.principal, p.pos));
            for (k, list) in p.lists {
                if !list.is_empty() {
                    pm.put(k, seq(list, p.pos));
                }
            }
            pm.done()
        })
        .collect();
    if !policies.is_empty() {
        m.put("access_policies", seq(policies, r.pos));
    }
    m.opt("network_acls", network_acls(cx, r, name))
}

/// Builds the resource groups, resources and user-assigned identities.
pub fn resources(cx: &mut Cx, b: &Records) -> Built {
    let mut out = Built {
        resources: crate::import::common::resource_groups(&cx.groups, &mut cx.summary),
        ..Built::default()
    };
    let mut built = HashSet::new();
    for (kind, alias, default_type) in KINDS {
        for rec in b.of(kind) {
            let r = &rec.data;
            let Some(id) = str_at(r, &["id"]) else { continue };
            let (Some(arm), Some(name)) = (ArmId::parse(id), cx.resource_name(id)) else {
                continue;
            };
            if !built.insert(id.trim_end_matches('/').to_lowercase()) {
                continue;
            }
            let group = arm.group.as_deref().map(|g| cx.group_name(&arm.subscription, g));
            let pos = rec.pos;
            let props = match *kind {
                "AZKeyVault" => Some(key_vault_props(cx, b, r, id, &name)),
                "AZStorageAccount" => {
                    // AzureHound leaves false values out, so only a true one says anything.
                    let public = bool_at(r, &["properties", "allowBlobPublicAccess"]) == Some(true);
                    // Its model writes public network access under the key `availabilitySet`.
                    let access = ["publicNetworkAccess", "availabilitySet"]
                        .iter()
                        .filter_map(|k| node_at(r, &["properties", k]))
                        .find(|v| {
                            v.as_str().is_some_and(|t| {
                                t.eq_ignore_ascii_case("Enabled") || t.eq_ignore_ascii_case("Disabled")
                            })
                        })
                        .and_then(|v| v.as_str().map(|t| text(t, v.pos)));
                    Some(
                        MapBuilder::new(pos)
                            .opt("allow_blob_public_access", public.then(|| boolean(true, pos)))
                            .opt("public_network_access", access)
                            .opt("network_acls", network_acls(cx, r, &name)),
                    )
                }
                _ => None,
            };
            let shown_type = match alias {
                Some(a) => (*a).to_string(),
                None => {
                    let t = str_at(r, &["type"]).unwrap_or(default_type).to_string();
                    *out.generic.entry(t.clone()).or_default() += 1;
                    t
                }
            };
            let identity = identity(cx, r, &name);
            out.resources.push(
                MapBuilder::new(pos)
                    .set("name", text(&name, pos))
                    .set("type", text(&shown_type, pos))
                    .opt("group", group.map(|g| text(&g, pos)))
                    .opt("id", copy(r, &["id"]))
                    .opt("identity", identity)
                    .opt("properties", props.filter(|p| !p.is_empty()).map(MapBuilder::done))
                    .done(),
            );
            cx.summary.count(&shown_type);
        }
    }
    for (_, u) in &cx.user_assigned {
        out.managed_identities.push(
            MapBuilder::new(u.pos)
                .set("name", text(&u.name, u.pos))
                .opt("id", u.object_id.as_ref().map(|(oid, p)| text(oid, *p)))
                .set("group", text(&u.group, u.pos))
                .done(),
        );
        cx.summary.count("managed identities");
    }
    // Access policies of vaults the output does not hold.
    for rec in b.of("AZKeyVaultAccessPolicy") {
        let Some(vault) = str_at(&rec.data, &["keyVaultId"]) else {
            continue;
        };
        if !built.contains(&vault.trim_end_matches('/').to_lowercase()) {
            let who = str_at(&rec.data, &["objectId"]).unwrap_or("?");
            cx.left_out(format!(
                "access policy for `{who}` on vault `{vault}`: the vault is not in the AzureHound output"
            ));
        }
    }
    out
}
