//! The BloodHound OpenGraph export of the bundled contoso model: valid against the OpenGraph payload
//! schema (`docs/schemas/opengraph.schema.json`), within the rules BloodHound enforces on ingest, with
//! the memberships and privilege paths the model is known for, and the same bytes on every run.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};

use mlaccess::export::bloodhound::opengraph;
use mlaccess::graph::AccessGraph;
use mlaccess::graph::build::build;
use mlaccess::graph::network::AssumedOpen;
use mlaccess::load::{Source, load};
use mlaccess::smt::oracle::Z3Oracle;
use serde_json::Value;

const CONTOSO: &str = "models/contoso-ml.yaml";
const SUB: &str = "/subscriptions/3f7c9a12-6b4e-4d8a-9c21-5e0b7d4a8f36";

/// The contoso access graph, built as `mlaccess query` builds it (network decided by Z3).
fn contoso() -> AccessGraph {
    let text = std::fs::read_to_string(CONTOSO).unwrap();
    let loaded = load(&Source::new(CONTOSO, text)).unwrap_or_else(|d| panic!("{CONTOSO} does not load: {d:?}"));
    build(&loaded.model, &Z3Oracle::new(None, false))
}

fn nodes(doc: &Value) -> &Vec<Value> {
    doc["graph"]["nodes"].as_array().unwrap()
}

fn edges(doc: &Value) -> &Vec<Value> {
    doc["graph"]["edges"].as_array().unwrap()
}

fn has_edge(doc: &Value, start: &str, kind: &str, end: &str) -> bool {
    edges(doc)
        .iter()
        .any(|e| e["start"]["value"] == start && e["kind"] == kind && e["end"]["value"] == end)
}

fn rg(group: &str) -> String {
    format!("{SUB}/resourcegroups/{group}")
}

fn ml(workspace: &str) -> String {
    format!(
        "{}/providers/microsoft.machinelearningservices/workspaces/{workspace}",
        rg("rg-ml-prod")
    )
}

fn storage(account: &str) -> String {
    format!(
        "{}/providers/microsoft.storage/storageaccounts/{account}",
        rg("rg-ml-prod")
    )
}

#[test]
fn validates_against_the_opengraph_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/schemas/opengraph.schema.json").unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("not a valid schema: {e}"));
    let doc = opengraph(&contoso());
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .take(20)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the export does not match the schema:\n{}",
        errors.join("\n")
    );

    // The schema is not vacuous: a null property, an object property, a bad edge kind and `objectid`
    // are each rejected.
    let mut broken = doc.clone();
    broken["graph"]["nodes"][0]["properties"]["x"] = Value::Null;
    assert!(!validator.is_valid(&broken));
    let mut broken = doc.clone();
    broken["graph"]["edges"][0]["properties"]["x"] = serde_json::json!({"a": 1});
    assert!(!validator.is_valid(&broken));
    let mut broken = doc.clone();
    broken["graph"]["edges"][0]["kind"] = "MLA_access-policy".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = doc;
    broken["graph"]["nodes"][0]["properties"]["objectid"] = "x".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn keeps_the_rules_bloodhound_enforces() {
    let g = contoso();
    let doc = opengraph(&g);
    assert_eq!(doc["metadata"]["source_kind"], "MLAccess");
    let ids: Vec<&str> = nodes(&doc).iter().map(|n| n["id"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "node ids are not unique");
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "nodes are not sorted by id");

    for n in nodes(&doc) {
        let kinds = n["kinds"].as_array().unwrap();
        // BloodHound appends the source kind: at most three kinds in all.
        assert!(
            !kinds.is_empty() && kinds.len() <= 2 && kinds.iter().all(Value::is_string),
            "{n}"
        );
        assert!(n["properties"]["name"].as_str().is_some_and(|s| !s.is_empty()), "{n}");
        assert_properties(&n["properties"], &n.to_string());
    }

    let kind = regex::Regex::new("^[A-Za-z0-9_]+$").unwrap();
    let mut keys = Vec::new();
    for e in edges(&doc) {
        let k = e["kind"].as_str().unwrap();
        assert!(kind.is_match(k), "edge kind {k}");
        for end in ["start", "end"] {
            assert_eq!(e[end]["match_by"], "id", "{e}");
            let v = e[end]["value"].as_str().unwrap();
            assert!(unique.contains(v), "edge {end} {v} is not a node");
        }
        assert_properties(&e["properties"], &e.to_string());
        keys.push((
            e["start"]["value"].as_str().unwrap(),
            k,
            e["end"]["value"].as_str().unwrap(),
            e["properties"]["rule_instance"].as_u64(),
        ));
    }
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(keys, sorted, "edges are not sorted, or repeat");

    // Every rule instance is there, one edge per distinct premise, all saying how many premises it has.
    let mut per_instance: BTreeMap<u64, usize> = BTreeMap::new();
    for e in edges(&doc) {
        if let Some(i) = e["properties"]["rule_instance"].as_u64() {
            *per_instance.entry(i).or_default() += 1;
            let rule = &g.rules[usize::try_from(i).unwrap()];
            assert_eq!(
                e["properties"]["premises"].as_u64(),
                Some(rule.premises.len() as u64),
                "{e}"
            );
            assert_eq!(e["properties"]["rule"], rule.rule.as_str(), "{e}");
            assert_eq!(
                e["kind"].as_str().unwrap(),
                format!("MLA_{}", rule.rule.as_str().replace('-', "_"))
            );
        }
    }
    for (i, rule) in g.rules.iter().enumerate() {
        let distinct: BTreeSet<_> = rule.premises.iter().collect();
        assert_eq!(
            per_instance.get(&(i as u64)).copied().unwrap_or(0),
            distinct.len(),
            "rule instance {i} ({})",
            rule.rule.as_str()
        );
    }
}

/// Property names lower case, values primitives or homogeneous arrays of primitives, no `objectid`.
fn assert_properties(props: &Value, what: &str) {
    let map = props
        .as_object()
        .unwrap_or_else(|| panic!("properties are not an object: {what}"));
    for (k, v) in map {
        assert!(
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'),
            "property name {k}: {what}"
        );
        assert_ne!(k, "objectid", "objectid is reserved: {what}");
        match v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            Value::Array(items) => {
                let types: BTreeSet<&str> = items
                    .iter()
                    .map(|x| match x {
                        Value::String(_) => "string",
                        Value::Number(_) => "number",
                        Value::Bool(_) => "bool",
                        _ => panic!("{k} holds a non-primitive: {what}"),
                    })
                    .collect();
                assert!(types.len() <= 1, "{k} is not homogeneous: {what}");
            }
            Value::Null | Value::Object(_) => panic!("{k} is null or an object: {what}"),
        }
    }
}

#[test]
fn memberships_are_edges() {
    let doc = opengraph(&contoso());
    assert!(has_edge(
        &doc,
        "mla:principal:alice",
        "MLAMemberOf",
        "mla:principal:data-scientists"
    ));
    // Nested: ml-oncall is a member of ml-admins.
    assert!(has_edge(
        &doc,
        "mla:principal:ml-oncall",
        "MLAMemberOf",
        "mla:principal:ml-admins"
    ));
    let frank = nodes(&doc).iter().find(|n| n["id"] == "mla:principal:frank").unwrap();
    assert_eq!(frank["kinds"][0], "MLAUser");
    assert_eq!(frank["properties"]["principal_kind"], "user");
    let group = nodes(&doc)
        .iter()
        .find(|n| n["id"] == "mla:principal:ml-admins")
        .unwrap();
    assert_eq!(group["kinds"], serde_json::json!(["MLAGroup", "MLAPrincipal"]));
}

#[test]
fn privilege_paths_are_edges() {
    let doc = opengraph(&contoso());
    // `can alice reach data-read of mlstore`: alice is a member of data-scientists, whose AzureML Data
    // Scientist role on mlws allows datastore reads (grant), and Azure ML reads mlstore for her (P31).
    let member = "mla:principal:data-scientists";
    let datastore_read = format!(
        "mla:fact:can:microsoft.machinelearningservices/workspaces/datastores/read:{}",
        ml("mlws")
    );
    let data_read = format!("mla:fact:data-read:{}", storage("mlstore"));
    assert!(has_edge(&doc, "mla:principal:alice", "MLA_membership", member));
    assert!(has_edge(&doc, member, "MLA_grant", &datastore_read));
    assert!(has_edge(&doc, &datastore_read, "MLA_P31", &data_read));
    assert!(has_edge(
        &doc,
        &data_read,
        "MLAAbout",
        &format!("mla:resource:{}", storage("mlstore"))
    ));
    let grant = edges(&doc)
        .iter()
        .find(|e| e["start"]["value"] == member && e["end"]["value"] == datastore_read.as_str())
        .unwrap();
    assert_eq!(grant["properties"]["channel"], "arm");
    assert_eq!(grant["properties"]["role"], "AzureML Data Scientist");
    assert!(
        grant["properties"]["evidence"]
            .as_str()
            .unwrap()
            .contains("Microsoft.MachineLearningServices/workspaces/datastores/read"),
        "{grant}"
    );
    // P31 needs the workspace reachable as well: its edges share one rule instance.
    let p31: Vec<&Value> = edges(&doc)
        .iter()
        .filter(|e| e["kind"] == "MLA_P31" && e["end"]["value"] == data_read.as_str())
        .collect();
    let instance = p31
        .iter()
        .find(|e| e["start"]["value"] == datastore_read.as_str())
        .unwrap()["properties"]["rule_instance"]
        .clone();
    let siblings: Vec<&&Value> = p31
        .iter()
        .filter(|e| e["properties"]["rule_instance"] == instance)
        .collect();
    assert!(siblings.len() > 1, "{siblings:#?}");
    assert!(
        siblings.iter().any(|e| e["start"]["value"]
            .as_str()
            .unwrap()
            .starts_with("mla:fact:reach:workspace:")),
        "{siblings:#?}"
    );
    // alice starts at her locations: the network premises hang off them.
    assert!(has_edge(
        &doc,
        "mla:principal:alice",
        "MLAActsFrom",
        "mla:fact:at:location:corp-vpn"
    ));

    // dave holds a copy of ci-deployer's client secret and signs in as it.
    let secret = edges(&doc)
        .iter()
        .find(|e| e["kind"] == "MLA_client_secret" && e["end"]["value"] == "mla:principal:ci-deployer")
        .unwrap();
    let holds = secret["start"]["value"].as_str().unwrap();
    assert!(holds.starts_with("mla:fact:holds:"), "{secret}");
    assert!(has_edge(&doc, "mla:principal:dave", "MLAHoldsCredential", holds));
}

#[test]
fn the_same_bytes_on_every_run() {
    // One graph, exported twice.
    let g = contoso();
    let a = serde_json::to_string_pretty(&opengraph(&g)).unwrap();
    let b = serde_json::to_string_pretty(&opengraph(&g)).unwrap();
    assert!(a == b, "two exports of one graph differ");
    let doc: Value = serde_json::from_str(&a).unwrap();
    println!(
        "{CONTOSO}: {} nodes, {} edges, {} bytes",
        nodes(&doc).len(),
        edges(&doc).len(),
        a.len()
    );

    // The whole pipeline, twice, with a deterministic network oracle: the same bytes.
    let open = || {
        let text = std::fs::read_to_string(CONTOSO).unwrap();
        let loaded = load(&Source::new(CONTOSO, text)).unwrap();
        let g = build(&loaded.model, &AssumedOpen { reason: "assumed open" });
        serde_json::to_string_pretty(&opengraph(&g)).unwrap()
    };
    assert!(open() == open(), "two exports of the same model differ");

    // With Z3 deciding the network, a second graph built in the same process may carry another
    // witness packet in the network steps' evidence and in the Azure ML hop of P31 (its tags name the
    // packet); everything else is the same.
    let mut again = opengraph(&contoso());
    let mut first = doc;
    for d in [&mut first, &mut again] {
        for e in d["graph"]["edges"].as_array_mut().unwrap() {
            if e["properties"]["rule"] == "network" {
                e["properties"]["evidence"] = Value::Null;
            }
            if e["kind"] == "MLA_P31" {
                e["properties"]["tags"] = Value::Null;
            }
        }
    }
    assert!(
        first == again,
        "two Z3-built exports differ beyond the network witnesses"
    );
}
