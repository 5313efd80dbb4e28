//! The loader against the model format (`docs/model-format.md`): every bundled model loads, a model with
//! ten different mistakes gets ten positioned diagnostics, YAML and JSON load to the same model, and the
//! implicit things the format promises exist after loading.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use mlaccess::diag::Diagnostics;
use mlaccess::load::{Source, load};
use mlaccess::model::resource::DatastoreCredentials;
use mlaccess::model::{IdentityOf, Model, PrincipalKind, Props, ResourceKind, lookup};

fn load_text(name: &str, text: &str) -> Result<Model, Diagnostics> {
    load(&Source::new(name, text)).map(|l| l.model)
}

fn model(text: &str) -> Model {
    match load_text("test.yaml", text) {
        Ok(m) => m,
        Err(d) => panic!(
            "model did not load:\n{}",
            d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
        ),
    }
}

fn errors(text: &str) -> Vec<String> {
    match load_text("test.yaml", text) {
        Ok(_) => panic!("model loaded, but errors were expected"),
        Err(d) => d.iter().map(|d| d.to_string()).collect(),
    }
}

#[test]
fn every_bundled_model_loads_without_warnings() {
    let mut seen = 0;
    for entry in std::fs::read_dir("models").unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "yaml" && ext != "json" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let loaded = load(&Source::new(path.display().to_string(), text))
            .unwrap_or_else(|d| panic!("{} did not load: {d:#?}", path.display()));
        assert!(loaded.warnings.is_empty(), "{}: {:#?}", path.display(), loaded.warnings);
        seen += 1;
    }
    assert!(seen >= 2, "expected the bundled models under models/");
}

#[test]
fn ten_mistakes_give_ten_positioned_diagnostics() {
    let text = std::fs::read_to_string("tests/fixtures/invalid/ten-mistakes.yaml").unwrap();
    let diags = load_text("ten-mistakes.yaml", &text).unwrap_err();
    let got: Vec<(u32, &str, &str)> = diags
        .iter()
        .map(|d| {
            (
                d.pos.expect("every diagnostic has a position").line,
                d.code,
                d.path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (7, "unknown-location", "principals.users[0].locations[0]"),
            (9, "unknown-key", "principals.users[1].emial"),
            (12, "unknown-principal", "principals.groups[0].members[1]"),
            (14, "invalid-cidr", "locations.corp-vpn[0]"),
            (19, "unknown-type", "resources[1].type"),
            (25, "invalid-value", "resources[2].properties.allow_shared_key_access"),
            (30, "invalid-value", "resources[3].properties.public_network_access"),
            (33, "unknown-role", "role_assignments[0].role"),
            (37, "unknown-scope", "role_assignments[1].scope"),
            (41, "invalid-key", "credentials[0].endpoint"),
        ]
    );
    // Every diagnostic says what was expected or what the nearest name is.
    let role = diags.iter().find(|d| d.code == "unknown-role").unwrap();
    assert_eq!(role.help.as_deref(), Some("did you mean `AzureML Data Scientist`?"));
    assert!(diags.iter().all(|d| d.file == "ten-mistakes.yaml"));
}

#[test]
fn yaml_and_json_load_to_the_same_model() {
    let yaml = model(&std::fs::read_to_string("models/minimal.yaml").unwrap());
    let json = load_text(
        "minimal.json",
        &std::fs::read_to_string("tests/fixtures/models/minimal.json").unwrap(),
    )
    .unwrap();
    assert_eq!(format!("{:?}", yaml.principals), format!("{:?}", json.principals));
    assert_eq!(format!("{:?}", yaml.resources), format!("{:?}", json.resources));
    assert_eq!(format!("{:?}", yaml.assignments), format!("{:?}", json.assignments));
}

const BASE: &str = r#"
version: 1
subscription: 11111111-2222-3333-4444-555555555555
principals:
  users: [{name: alice}]
resources:
  - {name: mlws, type: workspace, group: rg-ml, identity: {system: true},
     properties: {storage_account: mlstore, key_vault: mlkv, container_registry: mlacr}}
  - {name: mlws-id, type: workspace, group: rg-ml,
     properties: {storage_account: mlstore, system_datastores_auth_mode: identity}}
  - {name: mlstore, type: storage_account, group: rg-ml}
  - {name: mlkv, type: key_vault, group: rg-ml}
  - {name: mlacr, type: container_registry, group: rg-ml}
  - {name: cpu, type: compute_cluster, group: rg-ml, identity: {system: true}, properties: {workspace: mlws}}
"#;

#[test]
fn implicit_resource_groups_identities_locations_and_datastores_exist() {
    let m = model(BASE);
    // The resource group nobody declared.
    let rg = lookup::resource(&m, "rg-ml", &[ResourceKind::ResourceGroup]).unwrap();
    assert!(m.resource(rg).implicit);
    assert_eq!(
        m.resource(rg).id,
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ml"
    );
    // System-assigned identities, named after the resource (qualified for a workspace's child).
    let ws = lookup::resource(&m, "mlws", &[]).unwrap();
    let ws_identity = m.resource(ws).system_identity.unwrap();
    assert_eq!(m.principal(ws_identity).kind, PrincipalKind::ManagedIdentity);
    assert_eq!(
        m.principal(ws_identity).identity_of,
        Some(IdentityOf::SystemAssigned(ws))
    );
    assert_eq!(lookup::principal(&m, "mlws").unwrap(), ws_identity);
    let cpu = lookup::principal(&m, "cpu").unwrap();
    assert_eq!(m.principal(cpu).name, "mlws/cpu");
    // The internet location, and users act from it by default.
    let internet = m.location_named("internet").unwrap();
    let alice = lookup::principal(&m, "alice").unwrap();
    assert_eq!(m.principal(alice).locations, vec![internet]);
    // Default datastores: account key, or identity-based when the workspace says so.
    for (ws, expected) in [
        ("mlws", DatastoreCredentials::AccountKey),
        ("mlws-id", DatastoreCredentials::None),
    ] {
        for name in ["workspaceblobstore", "workspacefilestore"] {
            let ds = lookup::resource(&m, &format!("{ws}/{name}"), &[ResourceKind::Datastore]).unwrap();
            let Props::Datastore(p) = &m.resource(ds).props else {
                panic!("datastore props")
            };
            assert_eq!(p.credentials, expected, "{ws}/{name}");
            assert_eq!(p.storage_account, lookup::resource(&m, "mlstore", &[]).ok());
            assert!(
                m.resource(ds)
                    .key
                    .ends_with(&format!("/workspaces/{ws}/datastores/{name}"))
            );
        }
    }
    // A bare name shared by two workspaces' datastores is ambiguous.
    assert_eq!(
        lookup::resource(&m, "workspaceblobstore", &[]).unwrap_err().code,
        "ambiguous-name"
    );
}

#[test]
fn child_resources_nest_under_their_workspace() {
    let m = model(BASE);
    let cpu = lookup::resource(&m, "cpu", &[]).unwrap();
    assert_eq!(
        m.resource(cpu).id,
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-ml/providers/\
         Microsoft.MachineLearningServices/workspaces/mlws/computes/cpu"
    );
}

#[test]
fn azure_default_nsg_rules_are_implied() {
    let m = model(
        r#"
version: 1
network:
  nsgs:
    - name: nsg
      group: rg-net
      rules:
        - {name: ssh, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, destination_ports: ["22"]}
"#,
    );
    let names: Vec<_> = m.network.nsgs[0]
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.priority))
        .collect();
    assert_eq!(
        names,
        vec![
            ("ssh", 100),
            ("AllowVNetInBound", 65000),
            ("AllowAzureLoadBalancerInBound", 65001),
            ("DenyAllInBound", 65500),
            ("AllowVnetOutBound", 65000),
            ("AllowInternetOutBound", 65001),
            ("DenyAllOutBound", 65500),
        ]
    );
}

#[test]
fn unknown_keys_are_reported_with_the_nearest_key_everywhere() {
    let errs = errors(
        r#"
version: 1
principls: {}
resources:
  - {name: s, type: storage_account, group: g, properties: {allow_shared_key_acess: false}}
network: {vnet: []}
"#,
    );
    assert_eq!(errs.len(), 3, "{errs:#?}");
    assert!(errs[0].contains("unknown key `principls`") && errs[0].contains("did you mean `principals`?"));
    assert!(errs[1].contains("unknown key `allow_shared_key_acess`") && errs[1].contains("`allow_shared_key_access`"));
    assert!(errs[2].contains("unknown key `vnet`") && errs[2].contains("`vnets`"));
}

#[test]
fn properties_of_unmodelled_types_are_kept_and_ignored() {
    let m = model(
        r#"
version: 1
resources:
  - {name: app, type: Microsoft.Web/sites, group: rg, properties: {anything: [1, 2], goes: {here: true}}}
"#,
    );
    let app = lookup::resource(&m, "app", &[]).unwrap();
    assert_eq!(m.resource(app).kind, ResourceKind::Generic);
    assert!(m.resource(app).key.ends_with("/providers/microsoft.web/sites/app"));
}

#[test]
fn version_is_required_and_checked() {
    assert!(errors("name: x\n")[0].contains("missing required key `version`"));
    let e = errors("version: 2\n");
    assert!(e[0].contains("unsupported model version `2`") && e[0].contains("supported versions are: 1"));
}

#[test]
fn references_are_resolved_by_name_object_id_or_full_id() {
    let m = model(
        r#"
version: 1
principals:
  users: [{name: alice, id: 0D1E0000-0000-0000-0000-000000000001}]
  groups: [{name: team, members: [0d1e0000-0000-0000-0000-000000000001]}]
resources:
  - {name: st, type: storage_account, group: rg}
role_assignments:
  - principal: team
    role: 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1
    scope: /subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/RG/providers/microsoft.storage/storageaccounts/ST
"#,
    );
    let team = lookup::principal(&m, "team").unwrap();
    let alice = lookup::principal(&m, "alice").unwrap();
    assert_eq!(m.principal(team).members, vec![alice]);
    let a = &m.assignments[0];
    assert_eq!(m.role(a.role).name, "Storage Blob Data Reader");
    assert_eq!(a.scope.key, m.resource(lookup::resource(&m, "st", &[]).unwrap()).key);
}

#[test]
fn ambiguous_and_reserved_names_are_errors() {
    let e = errors(
        r#"
version: 1
principals:
  users: [{name: everyone}, {name: bob}, {name: BOB}]
"#,
    );
    assert!(e.iter().any(|e| e.contains("`everyone` is a reserved name")), "{e:#?}");
    assert!(
        e.iter().any(|e| e.contains("principal `BOB` is already declared")),
        "{e:#?}"
    );
}

/// Assignment ids are unique, ignoring case: given ids among themselves, and against the names of
/// assignments without an id (their positions, `role_assignments[N]`).
#[test]
fn assignment_ids_are_unique() {
    let model_with = |assignments: &str| {
        format!(
            "version: 1\nprincipals:\n  users: [{{name: bob}}]\nresources:\n  - {{name: rg, type: resource_group}}\nrole_assignments:\n{assignments}"
        )
    };
    for (assignments, twice) in [
        (
            "  - {id: a1, principal: bob, role: Reader, scope: rg:rg}\n  - {id: A1, principal: bob, role: Owner, scope: rg:rg}\n",
            "A1",
        ),
        (
            "  - {principal: bob, role: Reader, scope: rg:rg}\n  - {id: 'Role_Assignments[0]', principal: bob, role: Owner, scope: rg:rg}\n",
            "Role_Assignments[0]",
        ),
        (
            "  - {id: 'role_assignments[1]', principal: bob, role: Reader, scope: rg:rg}\n  - {principal: bob, role: Owner, scope: rg:rg}\n",
            "role_assignments[1]",
        ),
    ] {
        let e = errors(&model_with(assignments));
        let expected = format!("assignment id `{twice}` is used twice");
        assert!(e.iter().any(|e| e.contains(&expected)), "{e:#?}");
    }
    let m = model(&model_with(
        "  - {principal: bob, role: Reader, scope: rg:rg}\n  - {principal: bob, role: Owner, scope: rg:rg}\n  - {id: x, principal: bob, role: Owner, scope: rg:rg}\n",
    ));
    let ids: Vec<&str> = m.assignments.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["role_assignments[0]", "role_assignments[1]", "x"]);
}

#[test]
fn syntax_errors_are_positioned() {
    let e = load_text("bad.yaml", "version: 1\nprincipals: [\n").unwrap_err();
    let d = e.iter().next().unwrap();
    assert_eq!(d.code, "syntax");
    assert!(d.pos.is_some());
    let e = load_text("bad.json", "{\"version\": 1,, }").unwrap_err();
    let d = e.iter().next().unwrap();
    assert_eq!((d.code, d.pos.map(|p| p.line)), ("syntax", Some(1)));
}

/// A JSON model is first read without positions (much faster on large exports); any problem found
/// in it, an error or a warning, is still reported where it is written.
#[test]
fn problems_in_json_are_positioned() {
    let good = std::fs::read_to_string("tests/fixtures/models/minimal.json").unwrap();
    // An unknown role on line 52, and an unknown key on line 3.
    let bad = good
        .replace("\"AzureML Data Scientist\"", "\"AzureML Data Scientst\"")
        .replace("\"name\": \"minimal\"", "\"nmae\": \"minimal\"");
    let diags = load_text("bad.json", &bad).unwrap_err();
    let got: Vec<(String, &str, &str)> = diags
        .iter()
        .map(|d| {
            (
                d.pos.map(|p| p.to_string()).unwrap_or_default(),
                d.code,
                d.path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("3:3".to_string(), "unknown-key", "nmae"),
            ("52:15".to_string(), "unknown-role", "role_assignments[0].role"),
        ]
    );
    // A warning alone: the model loads, and the warning says where.
    let warned = good.replace("\"scope\": \"mlws\"", "\"scope\": \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other/providers/Microsoft.Web/sites/app\"");
    let loaded = load(&Source::new("warned.json", warned)).unwrap();
    let w: Vec<(String, &str)> = loaded
        .warnings
        .iter()
        .map(|d| (d.pos.map(|p| p.to_string()).unwrap_or_default(), d.code))
        .collect();
    assert_eq!(w, vec![("53:16".to_string(), "unmodelled-scope")]);
    // Numbers the quick reader declines (a fraction) still load, by the positioned reader.
    let fraction = good.replace("\"version\": 1", "\"version\": 1.0");
    let e = load_text("fraction.json", &fraction).unwrap_err();
    assert_eq!(e.iter().next().map(|d| d.code), Some("unsupported-version"));
}
