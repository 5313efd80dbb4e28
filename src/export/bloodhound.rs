//! The access graph as a BloodHound OpenGraph data payload, for loading into the BloodHound UI
//! (BloodHound CE and Enterprise, "OpenGraph" ingest of generic graph data).
//!
//! # Format
//!
//! The payload is `{"metadata": {"source_kind": "MLAccess"}, "graph": {"nodes": [...], "edges": [...]}}`
//! as documented by SpecterOps:
//!
//! - <https://bloodhound.specterops.io/opengraph/developer/schema> (payload structure),
//!   `.../opengraph/developer/nodes`, `.../opengraph/developer/edges` and
//!   `.../opengraph/developer/metadata` (the source of these pages is the `SpecterOps/bloodhound-docs`
//!   repository, `docs/opengraph/developer/*.mdx`);
//! - the JSON schemas BloodHound validates uploads with: `SpecterOps/BloodHound`,
//!   `cmd/api/src/services/upload/jsonschema/{node,edge,metadata}.json`, and the ones of SpecterOps'
//!   payload validator, `SpecterOps/chow`, `pkg/validator/jsonschema/opengraph.json` (the whole payload,
//!   which the documentation's `assets/opengraph/schema.json` points to) with
//!   `pkg/payload/jsonschema/{node,edge}.json`. They are combined into one self-contained file in
//!   `docs/schemas/opengraph.schema.json`; `docs/schemas/OPENGRAPH-SOURCE.md` says how.
//!
//! What BloodHound enforces, and this module keeps to: node `id`s are strings, unique in the payload;
//! `kinds` is an array of one to three strings whose first element is the primary kind (it picks the
//! icon); an edge `kind` matches `^[A-Za-z0-9_]+$`; property names are lower case (`[a-z0-9_-]`);
//! property values are strings, numbers, booleans or homogeneous arrays of them, never objects or
//! null; `objectid` is reserved (BloodHound sets it from `id`) and never appears among the properties,
//! so a principal's Entra object id is the property `entra_object_id`. `metadata.source_kind` is the
//! only metadata field; BloodHound appends it to every node's kinds, which is why nodes carry two
//! kinds of their own. Edges name their endpoints with `match_by: "id"`, and every endpoint is a node
//! of the same payload. BloodHound upper-cases the `name` property on ingest.
//!
//! # Nodes
//!
//! | what | `id` | kinds |
//! | --- | --- | --- |
//! | a principal | `mla:principal:<name>` | `MLAUser`, `MLAGroup`, `MLAServicePrincipal` or `MLAManagedIdentity`; `MLAPrincipal` |
//! | a resource (resource groups, prospective resources too) | `mla:resource:<Azure id, lower case>` | `MLAWorkspace`, `MLAStorageAccount`, ... (one per modelled type, `MLAGenericResource` for the rest); `MLAResource` |
//! | a fact of the access graph that is not "act as a principal" | `mla:fact:<fact>:<what it is about>` | by category (below); `MLAFact` |
//!
//! Fact categories: `MLACredential` (a
//! credential, an account key, a datastore secret, registry admin credentials, an endpoint key),
//! `MLAPlace` (where the actor sends packets from), `MLAReach` (a network endpoint a packet reaches),
//! `MLAPermission` (an authorised control-plane operation; assigning roles), `MLAChange` (a change the
//! actor made: Shared Key turned on, an access policy, an opened NSG or managed network, a created
//! resource), `MLAExec` (code running on a resource), `MLACapability` (`data-read`, `data-write`,
//! `secrets`, `invoke`, `push to`, `use`) and `MLAUnmodelled`.
//!
//! Ids are made of the names and Azure ids of the model, never of table positions, so they are stable
//! across runs and across edits of unrelated parts of a model: a principal by its name (unique in a
//! model), a resource by its lower-cased Azure id (ARM ids are case-insensitive), a fact by its own word
//! and the lower-cased Azure ids, operation names and principal, credential or location names it is
//! about, e.g. `mla:fact:data-read:/subscriptions/.../storageaccounts/mlstore`. The fact "act as P" is
//! the principal's node itself. Should two facts ever make the same id, the later one gets `#<n>`
//! appended, so ids stay unique. Every node has a `name`: the principal's or resource's name, or the
//! fact in words (`graph::text::fact_text`).
//!
//! # Edges
//!
//! - `MLAMemberOf`: a direct group membership of the model, member → group.
//! - One edge per premise of every rule instance of the access graph, premise → conclusion, whose kind
//!   is `MLA_` and the rule id with every character other than a letter or digit replaced by `_`
//!   (`MLA_grant`, `MLA_membership`, `MLA_P08`, `MLA_access_policy`, ...). Properties: `rule` (the rule
//!   id), `channel`, `evidence` (the step in one line, `graph::text::summary`), `premises` (how many
//!   premises the instance has), `rule_instance` (the instance's index in the graph), and, when they
//!   apply, `role` (the role of the grant), `credential` (the credential presented) and `tags`.
//! - `MLAActsFrom` and `MLAHoldsCredential`: what an actor starts with (`answer::Starts`), from
//!   the principal's node to the places it acts from and the credentials it holds; for "anyone from a
//!   location", from that location's place node to the credentials everyone holds.
//! - `MLAAbout`: from a fact to the resource it is about (`data-read of mlstore` → `mlstore`), so that
//!   a search for paths to a resource finds them. Resource nodes have no other outgoing edges.
//!
//! The access graph is an AND/OR graph: a fact holds when any rule instance concluding it holds, and a
//! rule instance applies when all its premises hold. BloodHound has no AND nodes, so rule instances
//! are not nodes: an instance with several premises becomes several edges into its conclusion, all
//! with the same `rule_instance` and `premises` > 1. Every way the graph derives a fact shows as
//! paths into it, but a path alone proves nothing: where an edge has `premises` > 1, its siblings with
//! the same `rule_instance` must hold too. `mlaccess query` decides reachability; the export is for
//! exploring. BloodHound treats generic (schema-less) edge kinds as non-traversable for its
//! pathfinding; Cypher queries see every edge. BloodHound also keeps one relationship per start, kind
//! and end (its ingest merges them): where several rule instances share a premise and a conclusion,
//! the payload has an edge for each and BloodHound keeps one.
//!
//! Output is deterministic for a given graph: nodes are sorted by id, edges by start, kind, end and
//! rule instance. The evidence of a network step names the packet the network oracle found.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::answer::{self, Actor};
use crate::graph::ops::Op;
use crate::graph::rule::Evidence;
use crate::graph::text::{fact_text, summary};
use crate::graph::{AccessGraph, Endpoint, Fact, Place, RuleIdx};
use crate::model::{IdentityOf, Model, PrincipalId, PrincipalKind, ResourceId, ResourceKind};

/// The `metadata.source_kind` of the payload (BloodHound appends it to every node's kinds).
pub const SOURCE_KIND: &str = "MLAccess";

/// Kind of direct group-membership edges.
pub const MEMBER_OF: &str = "MLAMemberOf";
/// Kind of edges from an actor to a place it acts from.
pub const ACTS_FROM: &str = "MLAActsFrom";
/// Kind of edges from an actor to a credential it holds.
pub const HOLDS_CREDENTIAL: &str = "MLAHoldsCredential";
/// Kind of edges from a fact to the resource it is about.
pub const ABOUT: &str = "MLAAbout";

/// A node before it is written.
struct NodeOut {
    kinds: [&'static str; 2],
    properties: Map<String, Value>,
}

/// An edge before it is written; ordered by start, kind, end and rule instance.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct EdgeKey {
    start: String,
    kind: String,
    end: String,
    instance: Option<u32>,
}

/// The access graph as an OpenGraph data payload (see the module documentation).
pub fn opengraph(graph: &AccessGraph) -> Value {
    let m = &graph.model;
    let mut nodes: BTreeMap<String, NodeOut> = BTreeMap::new();

    for p in m.principal_ids() {
        nodes.insert(principal_id(m, p), principal_node(m, p));
    }
    for r in m.resource_ids() {
        nodes.insert(resource_id(m, r), resource_node(m, r));
    }
    let fact_ids = fact_ids(graph);
    for (i, fact) in graph.facts.iter().enumerate() {
        if let (Some(id), false) = (fact_ids.get(i), matches!(fact, Fact::As(_))) {
            nodes.entry(id.clone()).or_insert_with(|| fact_node(graph, fact));
        }
    }

    let mut edges: BTreeMap<EdgeKey, Map<String, Value>> = BTreeMap::new();
    let mut add = |start: &str, kind: &str, end: &str, instance: Option<u32>, properties: Map<String, Value>| {
        edges.insert(
            EdgeKey {
                start: start.to_string(),
                kind: kind.to_string(),
                end: end.to_string(),
                instance,
            },
            properties,
        );
    };

    for p in m.principal_ids() {
        for g in m.groups_of(p) {
            let mut props = Map::new();
            props.insert("channel".into(), json!("membership"));
            props.insert(
                "evidence".into(),
                json!(format!(
                    "`{}` is a member of `{}`",
                    m.principal(p).name,
                    m.principal(*g).name
                )),
            );
            add(&principal_id(m, p), MEMBER_OF, &principal_id(m, *g), None, props);
        }
    }

    for (i, rule) in graph.rules.iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let Some(end) = fact_ids.get(rule.conclusion.0 as usize) else {
            continue;
        };
        let props = rule_properties(graph, RuleIdx(index));
        let kind = rule_kind(rule.rule.as_str());
        for premise in &rule.premises {
            if let Some(start) = fact_ids.get(premise.0 as usize) {
                add(start, &kind, end, Some(index), props.clone());
            }
        }
    }

    let starts = answer::Starts::new(graph);
    for actor in answer::every_actor(graph) {
        let (from, who) = match actor {
            Actor::Principal(p) => (principal_id(m, p), m.principal(p).name.clone()),
            Actor::Anyone(l) => match graph.fact_id(&Fact::At(Place::Location(l))) {
                Some(f) => match fact_ids.get(f.0 as usize) {
                    Some(id) => (id.clone(), format!("anyone from {}", m.location(l).name)),
                    None => continue,
                },
                None => continue,
            },
        };
        for f in starts.of(actor, None) {
            let (Some(fact), Some(to)) = (graph.fact(f), fact_ids.get(f.0 as usize)) else {
                continue;
            };
            if *to == from {
                continue;
            }
            let kind = match fact {
                Fact::At(_) => ACTS_FROM,
                Fact::Holds(_) => HOLDS_CREDENTIAL,
                _ => continue,
            };
            let mut props = Map::new();
            props.insert(
                "evidence".into(),
                json!(format!("{who} starts with: {}", fact_text(graph, fact))),
            );
            add(&from, kind, to, None, props);
        }
    }

    for (i, fact) in graph.facts.iter().enumerate() {
        let (Some(from), Some(r)) = (fact_ids.get(i), about(graph, fact)) else {
            continue;
        };
        if matches!(fact, Fact::As(_)) {
            continue;
        }
        let mut props = Map::new();
        props.insert(
            "evidence".into(),
            json!(format!("{} is about {}", fact_text(graph, fact), m.resource_display(r))),
        );
        add(from, ABOUT, &resource_id(m, r), None, props);
    }

    let nodes: Vec<Value> = nodes
        .into_iter()
        .map(|(id, n)| json!({"id": id, "kinds": n.kinds, "properties": n.properties}))
        .collect();
    let edges: Vec<Value> = edges
        .into_iter()
        .map(|(k, properties)| {
            json!({
                "kind": k.kind,
                "start": {"value": k.start, "match_by": "id"},
                "end": {"value": k.end, "match_by": "id"},
                "properties": properties,
            })
        })
        .collect();
    json!({
        "metadata": {"source_kind": SOURCE_KIND},
        "graph": {"nodes": nodes, "edges": edges},
    })
}

/// The edge kind of a rule: `MLA_` and the rule id, every character but letters and digits as `_`.
pub fn rule_kind(rule: &str) -> String {
    let mut kind = String::from("MLA_");
    kind.extend(rule.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }));
    kind
}

fn principal_id(m: &Model, p: PrincipalId) -> String {
    format!("mla:principal:{}", m.principal(p).name)
}

fn resource_id(m: &Model, r: ResourceId) -> String {
    format!("mla:resource:{}", m.resource(r).key)
}

fn principal_node(m: &Model, p: PrincipalId) -> NodeOut {
    let principal = m.principal(p);
    let kind = match principal.kind {
        PrincipalKind::User => "MLAUser",
        PrincipalKind::Group => "MLAGroup",
        PrincipalKind::ServicePrincipal => "MLAServicePrincipal",
        PrincipalKind::ManagedIdentity => "MLAManagedIdentity",
    };
    let mut props = Map::new();
    props.insert("name".into(), json!(principal.name));
    props.insert("principal_kind".into(), json!(principal.kind.as_str()));
    if let Some(oid) = &principal.object_id {
        props.insert("entra_object_id".into(), json!(oid));
    }
    if let Some(of) = principal.identity_of {
        let (r, how) = match of {
            IdentityOf::UserAssigned(r) => (r, "user-assigned"),
            IdentityOf::SystemAssigned(r) => (r, "system-assigned"),
        };
        props.insert("identity_of".into(), json!(m.resource(r).id));
        props.insert("identity_type".into(), json!(how));
        props.insert("prospective".into(), json!(m.resource(r).prospective));
    }
    NodeOut {
        kinds: [kind, "MLAPrincipal"],
        properties: props,
    }
}

fn resource_node(m: &Model, r: ResourceId) -> NodeOut {
    let resource = m.resource(r);
    let kind = match resource.kind {
        ResourceKind::ResourceGroup => "MLAResourceGroup",
        ResourceKind::Workspace => "MLAWorkspace",
        ResourceKind::ComputeInstance => "MLAComputeInstance",
        ResourceKind::ComputeCluster => "MLAComputeCluster",
        ResourceKind::OnlineEndpoint => "MLAOnlineEndpoint",
        ResourceKind::Datastore => "MLADatastore",
        ResourceKind::StorageAccount => "MLAStorageAccount",
        ResourceKind::KeyVault => "MLAKeyVault",
        ResourceKind::ContainerRegistry => "MLAContainerRegistry",
        ResourceKind::VirtualMachine => "MLAVirtualMachine",
        ResourceKind::UserAssignedIdentity => "MLAUserAssignedIdentity",
        ResourceKind::VirtualNetwork => "MLAVirtualNetwork",
        ResourceKind::NetworkSecurityGroup => "MLANetworkSecurityGroup",
        ResourceKind::PrivateEndpoint => "MLAPrivateEndpoint",
        ResourceKind::Generic => "MLAGenericResource",
    };
    let mut props = Map::new();
    props.insert("name".into(), json!(m.resource_display(r)));
    props.insert("azure_id".into(), json!(resource.id));
    props.insert("type".into(), json!(resource.arm_type));
    props.insert("resource_kind".into(), json!(resource.kind.alias()));
    props.insert("prospective".into(), json!(resource.prospective));
    props.insert("implicit".into(), json!(resource.implicit));
    NodeOut {
        kinds: [kind, "MLAResource"],
        properties: props,
    }
}

fn fact_node(g: &AccessGraph, fact: &Fact) -> NodeOut {
    let mut props = Map::new();
    props.insert("name".into(), json!(fact_text(g, fact)));
    props.insert("fact".into(), json!(fact_word(fact)));
    if let Some(r) = about(g, fact) {
        props.insert("resource".into(), json!(g.model.resource(r).id));
    }
    NodeOut {
        kinds: [fact_category(fact), "MLAFact"],
        properties: props,
    }
}

/// The resource a fact is about, if any.
fn about(g: &AccessGraph, fact: &Fact) -> Option<ResourceId> {
    match *fact {
        Fact::At(Place::Resource(r)) => Some(r),
        Fact::NsgOpen(n) => g.model.network.nsgs.get(n.index()).map(|x| x.resource),
        _ => crate::picture::fact_resource(g, fact),
    }
}

/// The primary kind of a fact node.
fn fact_category(fact: &Fact) -> &'static str {
    match fact {
        Fact::As(_) => "MLAPrincipal",
        Fact::Holds(_) | Fact::Key(_) | Fact::DatastoreSecret(_) | Fact::AcrAdmin(_) | Fact::EndpointSecret(_) => {
            "MLACredential"
        }
        Fact::At(_) | Fact::Online => "MLAPlace",
        Fact::Reach(_) => "MLAReach",
        Fact::Can(..) | Fact::Assign(_) | Fact::AssignSome(..) => "MLAPermission",
        Fact::SharedKeyOn(_) | Fact::VaultPolicy(_) | Fact::NsgOpen(_) | Fact::EgressOpen(_) | Fact::Created(_) => {
            "MLAChange"
        }
        Fact::Exec(_) | Fact::Host => "MLAExec",
        Fact::DataRead(_) | Fact::DataWrite(_) | Fact::Secrets(_) | Fact::Invoke(_) | Fact::Push(_) | Fact::Use(_) => {
            "MLACapability"
        }
        Fact::Unmodelled(_) => "MLAUnmodelled",
    }
}

/// The word of a fact, as in its id and its `fact` property.
fn fact_word(fact: &Fact) -> &'static str {
    match fact {
        Fact::As(_) => "act-as",
        Fact::Holds(_) => "holds",
        Fact::At(_) => "at",
        Fact::Online => "online",
        Fact::Host => "host",
        Fact::Reach(_) => "reach",
        Fact::Can(..) => "can",
        Fact::Assign(_) => "assign",
        Fact::AssignSome(..) => "assign-some",
        Fact::Key(_) => "key",
        Fact::SharedKeyOn(_) => "shared-key-on",
        Fact::DatastoreSecret(_) => "datastore-secret",
        Fact::AcrAdmin(_) => "acr-admin",
        Fact::VaultPolicy(_) => "vault-policy",
        Fact::EndpointSecret(_) => "endpoint-secret",
        Fact::Created(_) => "created",
        Fact::Exec(_) => "exec",
        Fact::NsgOpen(_) => "nsg-open",
        Fact::EgressOpen(_) => "egress-open",
        Fact::DataRead(_) => "data-read",
        Fact::DataWrite(_) => "data-write",
        Fact::Secrets(_) => "secrets",
        Fact::Invoke(_) => "invoke",
        Fact::Push(_) => "push",
        Fact::Use(_) => "use",
        Fact::Unmodelled(_) => "unmodelled",
    }
}

fn endpoint_word(e: Endpoint) -> &'static str {
    match e {
        Endpoint::Blob(_) => "blob",
        Endpoint::Vault(_) => "vault",
        Endpoint::Registry(_) => "registry",
        Endpoint::Workspace(_) => "workspace",
        Endpoint::Scoring(_) => "scoring",
        Endpoint::Ssh(_) => "ssh",
    }
}

/// The stable id of a fact, before uniqueness is checked: its word and the names and lower-cased
/// Azure ids it is about.
fn fact_id(g: &AccessGraph, fact: &Fact) -> String {
    let m = &g.model;
    let name = |p: PrincipalId| m.principals.get(p.index()).map_or("?", |x| x.name.as_str());
    let key = |r: ResourceId| m.resources.get(r.index()).map_or("?", |x| x.key.as_str());
    let scope = |s: u32| g.scope(s).map_or("?", |x| x.key.as_str());
    let about: Vec<String> = match *fact {
        Fact::As(p) => return principal_id(m, p),
        Fact::Holds(c) => vec![m.credentials.get(c.index()).map_or("?", |x| x.name.as_str()).into()],
        Fact::At(Place::Location(l)) => vec!["location".into(), m.location(l).name.clone()],
        Fact::At(Place::Resource(r)) => vec!["resource".into(), key(r).into()],
        Fact::Online | Fact::Host => Vec::new(),
        Fact::Reach(e) => vec![endpoint_word(e).into(), key(e.resource()).into()],
        Fact::Can(op, s) => {
            let target = g.scope(s).and_then(|x| x.resource).map(|r| m.resource(r));
            let op = Op::from_code(op).map_or(format!("op{op}"), |o| o.name(target).to_lowercase());
            vec![op, scope(s).into()]
        }
        Fact::Assign(s) => vec![scope(s).into()],
        Fact::AssignSome(s, p) => vec![scope(s).into(), name(PrincipalId(p)).into()],
        Fact::NsgOpen(n) => vec![m.network.nsgs.get(n.index()).map_or("?", |x| key(x.resource)).into()],
        _ => vec![fact.single_resource().map_or("?", key).into()],
    };
    format!("mla:fact:{}:{}", fact_word(fact), about.join(":"))
}

/// The node id of every fact, by fact index; unique among facts that are not the same node.
fn fact_ids(g: &AccessGraph) -> Vec<String> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(g.facts.len());
    for (i, fact) in g.facts.iter().enumerate() {
        let mut id = fact_id(g, fact);
        if !matches!(fact, Fact::As(_)) {
            if taken.contains(&id) {
                id = format!("{id}#{i}");
            }
            taken.insert(id.clone());
        }
        out.push(id);
    }
    out
}

/// The properties every edge of one rule instance carries.
fn rule_properties(g: &AccessGraph, idx: RuleIdx) -> Map<String, Value> {
    let mut props = Map::new();
    let Some(rule) = g.rule(idx) else {
        return props;
    };
    let m = &g.model;
    props.insert("rule".into(), json!(rule.rule.as_str()));
    props.insert("channel".into(), json!(rule.channel.as_str()));
    props.insert("evidence".into(), json!(summary(g, idx)));
    props.insert("premises".into(), json!(rule.premises.len()));
    props.insert("rule_instance".into(), json!(idx.0));
    match &rule.evidence {
        Evidence::Grant { assignment, .. } => {
            props.insert("role".into(), json!(m.role(m.assignment(*assignment).role).name));
        }
        Evidence::Fact {
            credential: Some(c), ..
        } => {
            if let Some(c) = m.credentials.get(c.index()) {
                props.insert("credential".into(), json!(c.name));
            }
        }
        _ => {}
    }
    if !rule.tags.is_empty() {
        props.insert("tags".into(), json!(rule.tags));
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::build::build;
    use crate::graph::network::AssumedOpen;
    use crate::load::{Source, load};

    fn graph(text: &str) -> AccessGraph {
        let loaded = load(&Source::new("t.yaml", text)).unwrap_or_else(|d| panic!("{d:?}"));
        build(&loaded.model, &AssumedOpen { reason: "test" })
    }

    const MODEL: &str = "version: 1
principals:
  users:
    - name: ann
      id: 0D1E2F30-4A5B-4C6D-8E9F-A0B1C2D3E4F5
  groups:
    - name: readers
      members: [ann]
resources:
  - {name: rg, type: resource_group}
  - {name: st, type: storage_account, group: rg}
role_assignments:
  - {principal: readers, role: Storage Blob Data Reader, scope: st}
";

    #[test]
    fn rule_kinds_are_safe() {
        for r in crate::graph::RuleId::ALL {
            let k = rule_kind(r.as_str());
            assert!(k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{k}");
        }
        assert_eq!(rule_kind("access-policy"), "MLA_access_policy");
        assert_eq!(rule_kind("P08"), "MLA_P08");
    }

    #[test]
    fn a_group_grant_is_a_path_of_edges() {
        let g = graph(MODEL);
        let out = opengraph(&g);
        let edges = out["graph"]["edges"].as_array().cloned().unwrap_or_default();
        let has = |start: &str, kind: &str, end: &str| {
            edges
                .iter()
                .any(|e| e["start"]["value"] == start && e["kind"] == kind && e["end"]["value"] == end)
        };
        assert!(has("mla:principal:ann", MEMBER_OF, "mla:principal:readers"));
        // Membership is a rule instance too: from the member's node to the group's.
        assert!(has("mla:principal:ann", "MLA_membership", "mla:principal:readers"));
        let st = g
            .model
            .resources
            .iter()
            .find(|r| r.name == "st")
            .map(|r| r.key.clone())
            .unwrap_or_default();
        let read = format!("mla:fact:data-read:{st}");
        assert!(has("mla:principal:readers", "MLA_grant", &read), "{edges:#?}");
        assert!(has(&read, ABOUT, &format!("mla:resource:{st}")));
        // A grant of a data capability needs the blob service too: two edges of one instance.
        let grant = edges
            .iter()
            .find(|e| e["kind"] == "MLA_grant" && e["end"]["value"] == read.as_str())
            .cloned()
            .unwrap_or_default();
        let instance = grant["properties"]["rule_instance"].clone();
        let siblings = edges
            .iter()
            .filter(|e| e["properties"]["rule_instance"] == instance && e["kind"] == "MLA_grant")
            .count();
        assert_eq!(Some(siblings as u64), grant["properties"]["premises"].as_u64());
        let rule = &g.rules[usize::try_from(instance.as_u64().unwrap()).unwrap()];
        assert_eq!(rule.premises.len(), siblings);
        assert_eq!(fact_ids(&g)[rule.conclusion.0 as usize], read);
    }

    #[test]
    fn node_ids_are_unique_and_sorted() {
        let out = opengraph(&graph(MODEL));
        let ids: Vec<&str> = out["graph"]["nodes"]
            .as_array()
            .map(|n| n.iter().filter_map(|x| x["id"].as_str()).collect())
            .unwrap_or_default();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert_eq!(out["metadata"]["source_kind"], SOURCE_KIND);
        // The object id is a property, never `objectid` (BloodHound reserves it).
        let ann = out["graph"]["nodes"]
            .as_array()
            .and_then(|n| n.iter().find(|x| x["id"] == "mla:principal:ann"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            ann["properties"]["entra_object_id"],
            "0d1e2f30-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
        );
        assert!(ann["properties"].get("objectid").is_none());
        assert_eq!(ann["kinds"], json!(["MLAUser", "MLAPrincipal"]));
    }
}
