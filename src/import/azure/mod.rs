//! `mlaccess import azure DIR`: the JSON an Azure export folder holds (Resource Manager objects from
//! `az rest`/`az graph query`, role assignments, definitions and deny assignments, and Entra users,
//! groups, group members, service principals and app owners) becomes a model. Every file is classified
//! by content, not by name: a list response (`value`), a Resource Graph response (`data`), a plain array
//! (`az ... list`) or a single object.

mod arm;
mod authorization;
mod entra;
mod network;
mod resources;

use std::collections::{BTreeMap, HashMap};

use super::build::{MapBuilder, copy, field, number, seq, str_at, text};
use super::common::Names;
use super::{Imported, Summary};
use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::load::Source;
use crate::source::{self, Node, origin};
pub use arm::ArmId;

/// What one export object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Resource,
    RoleAssignment,
    RoleDefinition,
    DenyAssignment,
    User,
    Group,
    ServicePrincipal,
    Members,
    Owners,
}

/// The objects of an export, by kind.
#[derive(Default)]
struct Buckets {
    items: Vec<(Kind, Node)>,
}

impl Buckets {
    fn of(&self, kind: Kind) -> impl Iterator<Item = &Node> {
        self.items.iter().filter(move |(k, _)| *k == kind).map(|(_, n)| n)
    }
}

fn classify(n: &Node) -> Option<Kind> {
    if let Some(t) = str_at(n, &["@odata.type"]) {
        return match t.to_ascii_lowercase().as_str() {
            "#microsoft.graph.user" => Some(Kind::User),
            "#microsoft.graph.group" => Some(Kind::Group),
            "#microsoft.graph.serviceprincipal" => Some(Kind::ServicePrincipal),
            _ => None,
        };
    }
    if field(n, "groupId").is_some() && field(n, "members").is_some() {
        return Some(Kind::Members);
    }
    if field(n, "appId").is_some() && field(n, "owners").is_some() {
        return Some(Kind::Owners);
    }
    if let Some(t) = str_at(n, &["type"]) {
        return Some(match t.to_ascii_lowercase().as_str() {
            "microsoft.authorization/roleassignments" => Kind::RoleAssignment,
            "microsoft.authorization/roledefinitions" => Kind::RoleDefinition,
            "microsoft.authorization/denyassignments" => Kind::DenyAssignment,
            _ if str_at(n, &["id"]).is_some_and(|id| id.starts_with('/')) => Kind::Resource,
            _ => return None,
        });
    }
    if field(n, "userPrincipalName").is_some() {
        Some(Kind::User)
    } else if field(n, "securityEnabled").is_some() || field(n, "groupTypes").is_some() {
        Some(Kind::Group)
    } else if field(n, "servicePrincipalType").is_some() || field(n, "servicePrincipalNames").is_some() {
        Some(Kind::ServicePrincipal)
    } else {
        None
    }
}

/// The objects a parsed file holds.
fn objects(root: &Node) -> Vec<&Node> {
    if let Some(items) = root.as_seq() {
        return items.iter().collect();
    }
    for list in ["value", "data"] {
        if let Some(items) = field(root, list).and_then(Node::as_seq) {
            return items.iter().collect();
        }
    }
    vec![root]
}

/// Everything the translation of one export needs.
pub(super) struct Cx {
    pub summary: Summary,
    pub diags: Diagnostics,
    /// The names given, and the principals the model will hold.
    pub names: Names,
    /// Model names of resources by id (lower case).
    pub resource_names: HashMap<String, String>,
    /// The first subscription seen.
    pub subscription: Option<String>,
    /// Resource groups met, as (Azure id, model name), in order.
    pub groups: Vec<(String, String)>,
    /// Model names of VNets by id (lower case).
    pub vnet_names: HashMap<String, String>,
    /// Model names of NSGs by id (lower case).
    pub nsg_names: HashMap<String, String>,
    /// Model names of storage accounts by account name (lower case; account names are global).
    pub storage_names: HashMap<String, String>,
    /// Object ids of service principals by app id (lower case).
    pub apps: HashMap<String, String>,
    /// Principals known only by object id (from assignments or access policies).
    pub placeholders: Placeholders,
}

/// Principals the export names only by object id, by kind of list.
#[derive(Default)]
pub struct Placeholders {
    pub users: Vec<Node>,
    pub groups: Vec<Node>,
    pub service_principals: Vec<Node>,
}

impl Cx {
    fn new() -> Cx {
        Cx {
            summary: Summary::default(),
            diags: Diagnostics::new(),
            names: Names::default(),
            resource_names: HashMap::new(),
            subscription: None,
            groups: Vec::new(),
            vnet_names: HashMap::new(),
            nsg_names: HashMap::new(),
            storage_names: HashMap::new(),
            apps: HashMap::new(),
            placeholders: Placeholders::default(),
        }
    }

    /// The model name of a storage account by its account name.
    pub fn storage_by_name(&self, account: &str) -> Option<String> {
        self.storage_names.get(&account.to_lowercase()).cloned()
    }

    /// The reference to the service principal of an app, when the model will hold it.
    pub fn service_principal_by_app(&self, app_id: &str) -> Option<String> {
        self.apps
            .get(&app_id.to_lowercase())
            .and_then(|oid| self.names.principal(oid))
    }

    /// The reference to a principal the export names only by object id (a guest the collector could
    /// not read, an identity of a deleted resource): it is added, named by its object id, of the kind
    /// given (`User`, `Group`, else a service principal), and its missing name is listed. Leaving it out
    /// could hide a path.
    pub fn placeholder(&mut self, object_id: &str, kind: Option<&str>, pos: Pos, why: &str) -> String {
        if let Some(reference) = self.names.principal(object_id) {
            return reference;
        }
        let name = self.names.unique("principal", object_id, "");
        self.names.add_principal(object_id, &name);
        let node = MapBuilder::new(pos)
            .set("name", text(&name, pos))
            .set("id", text(object_id, pos))
            .done();
        let (list, what) = match kind.unwrap_or_default().to_ascii_lowercase().as_str() {
            "user" => (&mut self.placeholders.users, "user"),
            "group" | "foreigngroup" => (&mut self.placeholders.groups, "group"),
            _ => (&mut self.placeholders.service_principals, "service principal"),
        };
        list.push(node);
        self.summary.missing.push(format!(
            "the name of {what} `{object_id}`: {why}, the export of Entra does not hold it"
        ));
        name
    }

    /// A warning at an export position.
    pub fn warn(&mut self, pos: Pos, message: String) {
        self.diags.push(Diagnostic::warning("import", message).with_pos(pos));
    }

    /// Something left out, for the summary.
    pub fn left_out(&mut self, what: String) {
        self.summary.left_out.push(what);
    }

    /// The model name of a resource id, when the export holds the resource.
    pub fn resource_name(&self, id: &str) -> Option<String> {
        self.resource_names.get(&id.to_lowercase()).cloned()
    }
}

/// Imports the export files (in order; their positions are marked with their index).
pub fn import(files: &[Source]) -> Result<Imported, Diagnostics> {
    let mut cx = Cx::new();
    let mut buckets = Buckets::default();
    let mut unreadable = Diagnostics::new();
    for (i, f) in files.iter().enumerate() {
        let mut root = match source::parse(&f.text, f.format) {
            Ok(r) => r,
            Err(d) => {
                unreadable.push(d.in_file(&f.name));
                continue;
            }
        };
        origin::mark(&mut root, i);
        for o in objects(&root) {
            match classify(o) {
                Some(kind) => buckets.items.push((kind, o.clone())),
                None => cx.warn(
                    o.pos,
                    "not an object this importer knows (a resource, role assignment, role or deny assignment \
                     definition, or an Entra user, group or service principal); left out"
                        .into(),
                ),
            }
        }
    }
    if unreadable.has_errors() {
        return Err(unreadable);
    }

    // Names first (anything may refer to anything), then the sections.
    network::register(&mut cx, &buckets);
    resources::register(&mut cx, &buckets);
    authorization::register(&mut cx, &buckets);
    entra::register(&mut cx, &buckets);
    let mut principals = entra::principals(&mut cx, &buckets);
    let mut resources = resources::resources(&mut cx, &buckets);
    let network = network::network(&mut cx, &buckets);
    let auth = authorization::authorization(&mut cx, &buckets);
    let placeholders = std::mem::take(&mut cx.placeholders);
    principals.users.extend(placeholders.users);
    principals.groups.extend(placeholders.groups);
    principals.service_principals.extend(placeholders.service_principals);
    let mut model = MapBuilder::new(Pos::default()).set("version", number(1, Pos::default()));
    if let Some(s) = &cx.subscription {
        model.put("subscription", text(s, Pos::default()));
    }
    let mut section = MapBuilder::new(Pos::default());
    for (key, list) in [
        ("users", principals.users),
        ("groups", principals.groups),
        ("service_principals", principals.service_principals),
        ("managed_identities", std::mem::take(&mut resources.managed_identities)),
    ] {
        if !list.is_empty() {
            section.put(key, seq(list, Pos::default()));
        }
    }
    model.put("principals", section.done());
    model.put("resources", seq(resources.resources, Pos::default()));
    for (key, list) in auth.sections {
        model.put(key, seq(list, Pos::default()));
    }
    if !network.is_empty() {
        model.put("network", network.done());
    }
    cx.summary.missing.extend([
        "who holds which SSH private key, endpoint key, SAS token or client secret (credentials)".into(),
        "the network locations people and pipelines work from (locations, and `locations` of principals)".into(),
        "VPN and ExpressRoute gateways that route locations into VNets".into(),
    ]);
    cx.summary.generic = resources.generic;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    origin::attribute(&mut cx.diags, &names);
    if cx.diags.has_errors() {
        cx.diags.sort();
        return Err(cx.diags);
    }
    Ok(Imported {
        tree: model.done(),
        summary: cx.summary,
        warnings: cx.diags,
    })
}

/// Per-type counts of generic resources, by ARM type.
pub(super) type Generic = BTreeMap<String, usize>;

#[cfg(test)]
mod tests {
    use super::*;

    fn imported(files: &[(&str, &str)]) -> String {
        let sources: Vec<Source> = files.iter().map(|(n, t)| Source::new(*n, *t)).collect();
        match import(&sources) {
            Ok(i) => source::emit::yaml(&i.tree),
            Err(d) => format!("failed: {d:?}"),
        }
    }

    const WORKSPACE: &str = r#"{"id": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/mlws",
        "name": "mlws", "type": "Microsoft.MachineLearningServices/workspaces",
        "identity": {"type": "SystemAssigned", "principalId": "aaaa0000-0000-0000-0000-000000000001"}, "properties": {}}"#;

    #[test]
    fn users_are_named_by_the_unique_local_part_of_their_sign_in_name() {
        let users = r#"[{"id": "u1", "userPrincipalName": "alice@contoso.com"},
                        {"id": "u2", "userPrincipalName": "bob@contoso.com"},
                        {"id": "u3", "userPrincipalName": "bob@fabrikam.com"},
                        {"id": "u4", "userPrincipalName": "vendor_fabrikam.com#EXT#@contoso.onmicrosoft.com"}]"#;
        let yaml = imported(&[("users.json", users)]);
        assert!(yaml.contains("name: alice\n"), "{yaml}");
        assert!(yaml.contains("name: bob@contoso.com\n"), "{yaml}");
        assert!(yaml.contains("name: bob@fabrikam.com\n"), "{yaml}");
        assert!(yaml.contains("name: vendor\n"), "{yaml}");
    }

    #[test]
    fn a_principal_is_referred_to_by_object_id_when_its_name_is_also_a_resource_name() {
        let users = r#"[{"id": "u1", "userPrincipalName": "mlws@contoso.com"},
                        {"id": "u2", "userPrincipalName": "alice@contoso.com"}]"#;
        let groups = r#"[{"id": "g1", "displayName": "team", "securityEnabled": true}]"#;
        let members = r#"{"groupId": "g1", "members": [{"id": "u1"}, {"id": "u2"},
                          {"id": "aaaa0000-0000-0000-0000-000000000001"}]}"#;
        let yaml = imported(&[
            ("users.json", users),
            ("groups.json", groups),
            ("members.json", members),
            ("ws.json", WORKSPACE),
        ]);
        // `mlws` is both a user and the workspace (its identity): neither is referred to by name.
        assert!(
            yaml.contains("members: [u1, alice, aaaa0000-0000-0000-0000-000000000001]"),
            "{yaml}"
        );
    }

    #[test]
    fn an_assignment_to_an_unknown_principal_keeps_it_and_an_unknown_role_grants_everything() {
        let assignments = r#"{"value": [{"id": "/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/a1",
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"principalId": "p-unknown", "principalType": "Group",
              "roleDefinitionId": "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/11111111-2222-3333-4444-555555555555",
              "scope": "subscriptions/s1/resourceGroups/rg"}}]}"#;
        let yaml = imported(&[("ra.json", assignments)]);
        assert!(yaml.contains("groups:\n  - name: p-unknown\n"), "{yaml}");
        assert!(
            yaml.contains("name: \"unknown role 11111111-2222-3333-4444-555555555555\""),
            "{yaml}"
        );
        assert!(yaml.contains("actions: [\"*\"]"), "{yaml}");
        // The scope gains its leading slash, and its resource group is declared.
        assert!(yaml.contains("scope: /subscriptions/s1/resourceGroups/rg\n"), "{yaml}");
        assert!(yaml.contains("type: resource_group"), "{yaml}");
    }
}
