//! Resource Manager resources: resource groups, Azure ML workspaces and their computes, online
//! endpoints and datastores, storage accounts, key vaults, registries, virtual machines and
//! user-assigned identities; any other type is kept as a generic resource (RBAC on it still counts).

use crate::import::common::ip_rule;
use std::collections::HashSet;

use super::{ArmId, Buckets, Cx, Generic, Kind, copy};
use crate::diag::Pos;
use crate::import::build::{MapBuilder, bool_at, node_at, number, seq, str_at, text};
use crate::source::Node;

/// Types translated elsewhere (`network`).
const NETWORK: &[&str] = &[
    "microsoft.network/virtualnetworks",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/privateendpoints",
];

/// What the resources section holds.
#[derive(Default)]
pub struct Built {
    pub resources: Vec<Node>,
    pub managed_identities: Vec<Node>,
    pub generic: Generic,
}

fn arm_type(n: &Node) -> String {
    str_at(n, &["type"]).unwrap_or_default().to_ascii_lowercase()
}

/// Resource groups: `az group list` says `Microsoft.Resources/resourceGroups`, Resource Graph
/// `microsoft.resources/subscriptions/resourcegroups`.
fn is_group_type(t: &str) -> bool {
    t == "microsoft.resources/resourcegroups"
        || t == "microsoft.resources/subscriptions/resourcegroups"
        // Subscriptions (Resource Graph's ResourceContainers) are scopes, not resources.
        || t == "microsoft.resources/subscriptions"
}

fn is_child(t: &str) -> bool {
    t.starts_with("microsoft.machinelearningservices/workspaces/")
}

/// Names every resource and resource group, and registers the identities' object ids, before
/// anything refers to them.
pub fn register(cx: &mut Cx, b: &Buckets) {
    for r in b.of(Kind::Resource) {
        let t = arm_type(r);
        let Some(id) = str_at(r, &["id"]) else { continue };
        let Some(arm) = ArmId::parse(id) else { continue };
        if cx.resource_names.contains_key(&id.to_lowercase()) {
            cx.warn(
                r.pos,
                format!("resource `{id}` appears more than once in the export; the first copy is kept"),
            );
            continue;
        }
        cx.subscription.get_or_insert_with(|| arm.subscription.clone());
        if let Some(g) = &arm.group {
            group_name(cx, &arm.subscription, g);
        }
        if is_group_type(&t) || NETWORK.contains(&t.as_str()) {
            continue;
        }
        let name = str_at(r, &["name"]).or(arm.name()).unwrap_or(id);
        let model_name = if is_child(&t) {
            let ws = arm.name_of("workspaces").unwrap_or_default();
            cx.names.unique_child(ws, name)
        } else {
            let qualifier = arm.group.clone().unwrap_or_default();
            if t == "microsoft.managedidentity/userassignedidentities" {
                // One thing, a resource and a principal: its name is free in both namespaces.
                cx.names.unique_in(&["resource", "principal"], name, &qualifier)
            } else {
                cx.names.unique("resource", name, &qualifier)
            }
        };
        cx.resource_names.insert(id.to_lowercase(), model_name.clone());
        if t == "microsoft.storage/storageaccounts" {
            cx.storage_names.insert(name.to_lowercase(), model_name.clone());
        }
        let pid = if t == "microsoft.managedidentity/userassignedidentities" {
            node_at(r, &["properties", "principalId"])
        } else {
            node_at(r, &["identity", "principalId"])
        };
        if let Some(pid) = pid
            && let Some(oid) = pid.as_str()
        {
            if cx.names.knows_principal(oid) {
                cx.warn(
                    pid.pos,
                    format!("object id `{oid}` of `{model_name}`'s identity is another principal's too; it is kept without it"),
                );
            } else {
                cx.names.add_principal(oid, &model_name);
            }
        }
    }
}

/// The model name of a resource group (unique across subscriptions).
pub fn group_name(cx: &mut Cx, subscription: &str, group: &str) -> String {
    let key = format!("/subscriptions/{subscription}/resourcegroups/{group}").to_lowercase();
    if let Some(n) = cx.resource_names.get(&key) {
        return n.clone();
    }
    let n = cx
        .names
        .unique("resource", group, crate::import::common::short(subscription));
    cx.resource_names.insert(key, n.clone());
    cx.groups.push((
        format!("/subscriptions/{subscription}/resourceGroups/{group}"),
        n.clone(),
    ));
    n
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
    let system = kind.contains("systemassigned");
    let mut user = Vec::new();
    for (k, _) in node_at(id, &["userAssignedIdentities"])
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        match cx.resource_name(&k.text) {
            Some(n) => user.push(text(&n, k.pos)),
            None => cx.left_out(format!("user-assigned identity `{}`: not in the export", k.text)),
        }
    }
    let principal_id = own_object_id(cx, id, &["principalId"], owner);
    crate::import::common::identity_block(id.pos, system, principal_id, user)
}

/// A reference to another resource of the export by id, or `None` (noted) when the export lacks it.
fn reference(cx: &mut Cx, r: &Node, path: &[&str], what: &str, of: &str) -> Option<Node> {
    let v = node_at(r, path)?;
    let id = v.as_str()?;
    match cx.resource_name(id) {
        Some(n) => Some(text(&n, v.pos)),
        None => {
            cx.left_out(format!("{what} of {of} (`{id}`): not in the export"));
            None
        }
    }
}

/// `vnet/subnet` for a subnet id.
pub fn subnet_ref(cx: &Cx, id: &str) -> Option<String> {
    let arm = ArmId::parse(id)?;
    let subnet = arm.name_of("subnets")?;
    let vnet_id = ArmId::parent_id(id)?;
    let vnet = cx.vnet_names.get(&vnet_id.to_lowercase())?;
    Some(format!("{vnet}/{subnet}"))
}

fn enabled(value: Option<&str>) -> Option<bool> {
    value.map(|v| !v.eq_ignore_ascii_case("disabled"))
}

fn acls(cx: &mut Cx, n: &Node, pos: Pos) -> Option<Node> {
    let mut m = MapBuilder::new(pos).opt("default_action", copy(n, &["defaultAction"]));
    let ips: Vec<Node> = node_at(n, &["ipRules"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(ip_rule)
        .collect();
    m.put("ip_rules", seq(ips, pos));
    let mut vnet_rules = Vec::new();
    for r in node_at(n, &["virtualNetworkRules"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(id) = str_at(r, &["id"]) else { continue };
        match subnet_ref(cx, id) {
            Some(s) => vnet_rules.push(text(&s, r.pos)),
            None => cx.left_out(format!("virtual network rule `{id}`: its VNet is not in the export")),
        }
    }
    m.put("virtual_network_rules", seq(vnet_rules, pos));
    if let Some(bypass) = str_at(n, &["bypass"]) {
        m.put("bypass", crate::import::common::bypass_list(bypass, pos));
    }
    Some(m.done())
}

fn workspace_props(cx: &mut Cx, r: &Node, name: &str) -> MapBuilder {
    let p = node_at(r, &["properties"]);
    let mut m = MapBuilder::new(r.pos);
    for (key, path) in [
        ("storage_account", "storageAccount"),
        ("key_vault", "keyVault"),
        ("container_registry", "containerRegistry"),
    ] {
        if let Some(p) = p {
            m = m.opt(key, reference(cx, p, &[path], key, &format!("workspace `{name}`")));
        }
    }
    if let Some(p) = p {
        m = m.opt("public_network_access", copy(p, &["publicNetworkAccess"]));
        let isolation =
            str_at(p, &["managedNetwork", "isolationMode"]).map(|v| match v.to_ascii_lowercase().as_str() {
                "allowinternetoutbound" => "allow_internet_outbound",
                "allowonlyapprovedoutbound" => "allow_only_approved_outbound",
                _ => "disabled",
            });
        m = m.opt("managed_network", isolation.map(|v| text(v, p.pos)));
        let auth = str_at(p, &["systemDatastoresAuthMode"]).map(|v| {
            if v.eq_ignore_ascii_case("identity") {
                "identity"
            } else {
                "accesskey"
            }
        });
        m = m.opt("system_datastores_auth_mode", auth.map(|v| text(v, p.pos)));
    }
    m
}

fn compute_props(cx: &mut Cx, r: &Node, ws: &str) -> (String, MapBuilder) {
    let pos = r.pos;
    let kind = str_at(r, &["properties", "computeType"])
        .unwrap_or_default()
        .to_ascii_lowercase();
    let inner = node_at(r, &["properties", "properties"]);
    let mut m = MapBuilder::new(pos).set("workspace", text(ws, pos));
    let alias = match kind.as_str() {
        "computeinstance" => "compute_instance",
        "amlcompute" => "compute_cluster",
        _ => {
            return (
                str_at(r, &["type"]).unwrap_or_default().to_string(),
                MapBuilder::new(pos),
            );
        }
    };
    if let Some(inner) = inner {
        // SSH: a compute instance says so in sshSettings; a cluster's remote login port is open unless
        // disabled (NotSpecified leaves it to whether an SSH key was set, which the export does not show).
        let (ssh, port) = if alias == "compute_instance" {
            (
                enabled(str_at(inner, &["sshSettings", "sshPublicAccess"])).unwrap_or(false),
                node_at(inner, &["sshSettings", "sshPort"])
                    .and_then(Node::as_str)
                    .and_then(|p| p.parse::<u64>().ok()),
            )
        } else {
            (
                enabled(str_at(inner, &["remoteLoginPortPublicAccess"])).unwrap_or(true),
                None,
            )
        };
        let mut s = MapBuilder::new(pos).set("enabled", crate::import::build::boolean(ssh, pos));
        if ssh {
            s.put("port", number(port.unwrap_or(50000), pos));
        }
        m.put("ssh", s.done());
        if let Some(public) = bool_at(inner, &["enableNodePublicIp"]) {
            m.put("public_ip", crate::import::build::boolean(public, pos));
        }
        if let Some(id) = str_at(inner, &["subnet", "id"]) {
            match subnet_ref(cx, id) {
                Some(s) => m.put("subnet", text(&s, pos)),
                None => cx.left_out(format!(
                    "subnet `{id}` of compute in `{ws}`: its VNet is not in the export"
                )),
            }
        }
        if let Some(user) = node_at(inner, &["personalComputeInstanceSettings", "assignedUser", "objectId"])
            && let Some(u) = user.as_str().and_then(|u| cx.names.principal(u))
        {
            m.put("assigned_user", text(&u, user.pos));
        }
    }
    (alias.to_string(), m)
}

fn datastore_props(cx: &mut Cx, r: &Node, ws: &str, name: &str) -> Option<MapBuilder> {
    let p = node_at(r, &["properties"])?;
    let pos = r.pos;
    let kind = str_at(p, &["datastoreType"]).unwrap_or_default().to_ascii_lowercase();
    if !matches!(kind.as_str(), "azureblob" | "azurefile" | "azuredatalakegen2") {
        cx.left_out(format!(
            "datastore `{ws}/{name}` of type `{kind}`: not a storage account datastore"
        ));
        return None;
    }
    let account = str_at(p, &["accountName"])?;
    let Some(storage) = cx.storage_by_name(account) else {
        cx.left_out(format!(
            "datastore `{ws}/{name}`: its storage account `{account}` is not in the export"
        ));
        return None;
    };
    let mut m = MapBuilder::new(pos)
        .set("workspace", text(ws, pos))
        .set("storage_account", text(&storage, pos));
    let creds = str_at(p, &["credentials", "credentialsType"])
        .unwrap_or("None")
        .to_ascii_lowercase();
    let value = match creds.as_str() {
        "accountkey" => "account_key",
        "sas" => "sas",
        "serviceprincipal" => {
            let client = str_at(p, &["credentials", "clientId"]).unwrap_or_default();
            match cx.service_principal_by_app(client) {
                Some(sp) => {
                    m.put("service_principal", text(&sp, pos));
                    "service_principal"
                }
                None => {
                    cx.left_out(format!(
                        "datastore `{ws}/{name}`: its service principal (app `{client}`) is not in the export; kept as identity-based"
                    ));
                    "none"
                }
            }
        }
        _ => "none",
    };
    m.put("credentials", text(value, pos));
    Some(m)
}

/// Builds every resource.
pub fn resources(cx: &mut Cx, b: &Buckets) -> Built {
    let mut out = Built {
        resources: crate::import::common::resource_groups(&cx.groups, &mut cx.summary),
        ..Built::default()
    };
    let mut built = HashSet::new();
    for r in b.of(Kind::Resource) {
        let t = arm_type(r);
        if is_group_type(&t) || NETWORK.contains(&t.as_str()) {
            continue;
        }
        let Some(id) = str_at(r, &["id"]) else { continue };
        if !built.insert(id.to_lowercase()) {
            continue;
        }
        if is_child(&t) && ArmId::parent_id(id).and_then(|w| cx.resource_name(&w)).is_none() {
            cx.left_out(format!("`{id}`: its workspace is not in the export"));
            continue;
        }
        let (Some(arm), Some(name)) = (ArmId::parse(id), cx.resource_name(id)) else {
            continue;
        };
        let group = arm.group.as_deref().map(|g| group_name(cx, &arm.subscription, g));
        let pos = r.pos;
        let idn = copy(r, &["id"]);
        if t == "microsoft.managedidentity/userassignedidentities" {
            out.managed_identities.push(
                MapBuilder::new(pos)
                    .set("name", text(&name, pos))
                    .opt("id", own_object_id(cx, r, &["properties", "principalId"], &name))
                    .opt("group", group.map(|g| text(&g, pos)))
                    .done(),
            );
            cx.summary.count("managed identities");
            continue;
        }
        let ws = arm.name_of("workspaces").and_then(|w| {
            let ws_id = ArmId::parent_id(id)?;
            cx.resource_name(&ws_id).or(Some(w.to_string()))
        });
        let (alias, props) = match t.as_str() {
            "microsoft.machinelearningservices/workspaces" => {
                ("workspace".to_string(), Some(workspace_props(cx, r, &name)))
            }
            "microsoft.machinelearningservices/workspaces/computes" => {
                let (a, m) = compute_props(cx, r, ws.as_deref().unwrap_or_default());
                (a, Some(m))
            }
            "microsoft.machinelearningservices/workspaces/onlineendpoints" => {
                let mode = str_at(r, &["properties", "authMode"]).map(|m| match m.to_ascii_lowercase().as_str() {
                    "amltoken" => "aml_token",
                    "aadtoken" => "aad_token",
                    _ => "key",
                });
                let m = MapBuilder::new(pos)
                    .set("workspace", text(ws.as_deref().unwrap_or_default(), pos))
                    .opt("auth_mode", mode.map(|v| text(v, pos)))
                    .opt("public_network_access", copy(r, &["properties", "publicNetworkAccess"]));
                ("online_endpoint".to_string(), Some(m))
            }
            "microsoft.machinelearningservices/workspaces/datastores" => {
                match datastore_props(cx, r, ws.as_deref().unwrap_or_default(), &name) {
                    Some(m) => ("datastore".to_string(), Some(m)),
                    None => continue,
                }
            }
            "microsoft.storage/storageaccounts" => {
                let p = node_at(r, &["properties"]);
                let mut m = MapBuilder::new(pos);
                if let Some(p) = p {
                    if let Some(v) = bool_at(p, &["allowSharedKeyAccess"]) {
                        m.put("allow_shared_key_access", crate::import::build::boolean(v, pos));
                    }
                    // Absent means allowed on accounts created before the 2023 default changed.
                    let public = bool_at(p, &["allowBlobPublicAccess"]).unwrap_or(true);
                    m.put("allow_blob_public_access", crate::import::build::boolean(public, pos));
                    m = m.opt("public_network_access", copy(p, &["publicNetworkAccess"]));
                    if let Some(a) = node_at(p, &["networkAcls"]) {
                        m = m.opt("network_acls", acls(cx, a, a.pos));
                    }
                }
                ("storage_account".to_string(), Some(m))
            }
            "microsoft.keyvault/vaults" => {
                let mut m = MapBuilder::new(pos);
                if let Some(p) = node_at(r, &["properties"]) {
                    if let Some(v) = bool_at(p, &["enableRbacAuthorization"]) {
                        m.put("enable_rbac_authorization", crate::import::build::boolean(v, pos));
                    }
                    let mut policies = Vec::new();
                    for ap in node_at(p, &["accessPolicies"])
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                    {
                        let Some(oid) = str_at(ap, &["objectId"]) else { continue };
                        // An access policy does not say what kind of principal it names; one the export
                        // lacks is kept as a user, so that `any user` questions include it.
                        let principal = cx.placeholder(
                            oid,
                            Some("User"),
                            ap.pos,
                            &format!(
                                "an access policy of vault `{name}` names it (its kind is unknown; kept as a user)"
                            ),
                        );
                        let mut pm = MapBuilder::new(ap.pos).set("principal", text(&principal, ap.pos));
                        for k in ["secrets", "keys", "certificates"] {
                            let list: Vec<Node> = node_at(ap, &["permissions", k])
                                .and_then(Node::as_seq)
                                .unwrap_or_default()
                                .iter()
                                .filter_map(|x| x.as_str().map(|s| text(&s.to_ascii_lowercase(), x.pos)))
                                .collect();
                            if !list.is_empty() {
                                pm.put(k, seq(list, ap.pos));
                            }
                        }
                        policies.push(pm.done());
                    }
                    if !policies.is_empty() {
                        m.put("access_policies", seq(policies, pos));
                    }
                    m = m.opt("public_network_access", copy(p, &["publicNetworkAccess"]));
                    if let Some(a) = node_at(p, &["networkAcls"]) {
                        m = m.opt("network_acls", acls(cx, a, a.pos));
                    }
                }
                ("key_vault".to_string(), Some(m))
            }
            "microsoft.containerregistry/registries" => {
                let mut m = MapBuilder::new(pos);
                if let Some(p) = node_at(r, &["properties"]) {
                    if let Some(v) = bool_at(p, &["adminUserEnabled"]) {
                        m.put("admin_user_enabled", crate::import::build::boolean(v, pos));
                    }
                    m = m.opt("public_network_access", copy(p, &["publicNetworkAccess"]));
                    if let Some(a) = node_at(p, &["networkRuleSet"]) {
                        let ips: Vec<Node> = node_at(a, &["ipRules"])
                            .and_then(Node::as_seq)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(ip_rule)
                            .collect();
                        m.put(
                            "network_rule_set",
                            MapBuilder::new(a.pos)
                                .opt("default_action", copy(a, &["defaultAction"]))
                                .set("ip_rules", seq(ips, a.pos))
                                .done(),
                        );
                    }
                }
                ("container_registry".to_string(), Some(m))
            }
            "microsoft.compute/virtualmachines" => ("virtual_machine".to_string(), None),
            _ => {
                let shown = str_at(r, &["type"]).unwrap_or_default().to_string();
                *out.generic.entry(shown.clone()).or_default() += 1;
                (shown, None)
            }
        };
        let props = props.filter(|p| !p.is_empty()).map(MapBuilder::done);
        let identity = identity(cx, r, &name);
        out.resources.push(
            MapBuilder::new(pos)
                .set("name", text(&name, pos))
                .set("type", text(&alias, pos))
                .opt(
                    "group",
                    if is_child(&t) {
                        None
                    } else {
                        group.map(|g| text(&g, pos))
                    },
                )
                .opt("id", if is_child(&t) { None } else { idn })
                .opt("identity", identity)
                .opt("properties", props)
                .done(),
        );
        cx.summary.count(&alias);
    }
    out
}
