//! `mlaccess::import::azurehound`: AzureHound output becomes a model that loads. Real samples
//! (tests/fixtures/azurehound, see SOURCES.md there) and a hand-made output in AzureHound's record shapes
//! with everything the importer reads.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use mlaccess::import::Imported;
use mlaccess::import::azurehound::import;
use mlaccess::load::{Loaded, Source};
use mlaccess::model::{IdentityOf, Model, PrincipalKind, Props, ScopeKind};

const DIR: &str = "tests/fixtures/azurehound";
const CONTOSO: &str = "contoso-azurehound.json";
const FICS: &str = "federated-identity-credentials.json";
const AZROLE: &str = "azrole-record-issue80.json";

fn fixture(name: &str) -> Source {
    Source::new(name, std::fs::read_to_string(format!("{DIR}/{name}")).unwrap())
}

/// Imports the files and loads the result as the command line does; both must succeed.
fn imported(sources: &[Source]) -> (Imported, Loaded) {
    let imported = match import(sources) {
        Ok(i) => i,
        Err(d) => panic!(
            "import failed: {:?}",
            d.iter().map(ToString::to_string).collect::<Vec<_>>()
        ),
    };
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    let loaded = match mlaccess::load::merge::load_marked(&imported.tree, &names) {
        Ok(l) => l,
        Err(d) => panic!(
            "the import does not load: {:?}\n{}",
            d.iter().map(ToString::to_string).collect::<Vec<_>>(),
            mlaccess::source::emit::yaml(&imported.tree)
        ),
    };
    (imported, loaded)
}

fn contoso() -> (Imported, Loaded) {
    imported(&[fixture(CONTOSO)])
}

fn principal<'m>(m: &'m Model, name: &str) -> &'m mlaccess::model::Principal {
    m.principal(
        m.principal_named(name)
            .unwrap_or_else(|| panic!("no principal `{name}`")),
    )
}

fn resource<'m>(m: &'m Model, name: &str) -> &'m mlaccess::model::Resource {
    let id = m
        .resources_named(name)
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no resource `{name}`"));
    m.resource(id)
}

/// The scopes of the assignments a principal holds, as resource names where they name one.
fn scopes_of(m: &Model, who: &str) -> Vec<String> {
    let p = m.principal_named(who).unwrap();
    m.assignments
        .iter()
        .filter(|a| a.principal == p)
        .map(|a| match a.scope.kind {
            ScopeKind::Resource(r) => m.resource(r).name.clone(),
            _ => a.scope.key.clone(),
        })
        .collect()
}

#[test]
fn the_hand_made_output_imports_with_every_kind_counted() {
    let (imported, loaded) = contoso();
    let counts = &imported.summary.counts;
    for (kind, n) in [
        ("users", 4),
        ("groups", 2),
        ("service principals", 2),
        ("managed identities", 1),
        ("apps", 2),
        ("subscriptions", 1),
        ("resource groups", 1),
        ("key_vault", 1),
        ("virtual_machine", 1),
        ("storage_account", 1),
        // 10 distinct assignments, listed 22 times across scopes and role-filtered lists.
        ("role assignments", 10),
    ] {
        assert_eq!(counts.get(kind), Some(&n), "{kind}: {counts:?}");
    }
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let m = &loaded.model;
    assert_eq!(m.assignments.len(), 10);
    assert_eq!(m.tenant.as_deref(), Some("3FA85F64-5717-4562-B3FC-2C963F66AFA6"));
    // Members and owners, nested groups included.
    let members: Vec<&str> = principal(m, "ml-team")
        .members
        .iter()
        .map(|p| m.principal(*p).name.as_str())
        .collect();
    assert_eq!(members, ["alice", "bob", "ci-deployer"]);
    assert!(
        principal(m, "ml-admins")
            .members
            .contains(&m.principal_named("ml-team").unwrap())
    );
    // The service principal's own owner and its app's owner.
    let owners: Vec<&str> = principal(m, "ci-deployer")
        .owners
        .iter()
        .map(|p| m.principal(*p).name.as_str())
        .collect();
    assert_eq!(owners, ["bob", "carol"]);
    // A guest is named like the Azure importer names it.
    assert!(m.principal_named("vendor").is_some());
}

#[test]
fn an_assignment_at_key_vault_scope_lands_on_the_vault() {
    let (_, loaded) = contoso();
    let m = &loaded.model;
    // AZKeyVaultRoleAssignment carries the vault id under `virtualMachineId`; the assignment's own scope
    // is the vault.
    assert_eq!(scopes_of(m, "uami-training"), ["kv-ml"]);
    assert_eq!(scopes_of(m, "alice"), ["kv-ml"]);
    assert_eq!(scopes_of(m, "bob"), ["vm-train"]);
    assert_eq!(scopes_of(m, "ml-team"), ["rg-ml"]);
    let kv = resource(m, "kv-ml");
    assert_eq!(kv.group.map(|g| m.resource(g).name.as_str()), Some("rg-ml"));
}

#[test]
fn upper_case_ids_are_matched_to_lower_case_references() {
    let (imported, loaded) = contoso();
    let m = &loaded.model;
    // The vault's own access policy names ci-deployer in lower case; its service principal record says
    // it in upper case, as recent AzureHound writes object ids.
    let Props::KeyVault(kv) = &resource(m, "kv-ml").props else {
        panic!("kv-ml is not a key vault")
    };
    let holders: Vec<&str> = kv
        .access_policies
        .iter()
        .map(|p| m.principal(p.principal).name.as_str())
        .collect();
    assert_eq!(holders, ["ci-deployer", "alice"]);
    assert!(!kv.enable_rbac_authorization);
    // The upper-case scope is the resource the lower-case-keyed model holds.
    let vm = resource(m, "vm-train");
    assert!(vm.id.starts_with("/SUBSCRIPTIONS/"));
    assert_eq!(vm.key, vm.id.to_lowercase());
    // The federated credential's lower-case app id finds the upper-case app id of the service principal.
    let left_out = imported.summary.left_out.join("\n");
    assert!(
        left_out.contains("`github-main` of service principal `ci-deployer`"),
        "{left_out}"
    );
    // The resource group from AZResourceGroup (`rg-ml`) is the one the upper-case ids name (`RG-ML`).
    assert_eq!(
        m.resources
            .iter()
            .filter(|r| r.name.eq_ignore_ascii_case("rg-ml"))
            .count(),
        1
    );
}

#[test]
fn firewalls_are_read_and_their_virtual_network_rules_listed() {
    let (imported, loaded) = contoso();
    let m = &loaded.model;
    let yaml = mlaccess::source::emit::yaml(&imported.tree);
    assert!(
        yaml.contains("network_acls:\n      default_action: Deny\n      ip_rules: [\"203.0.113.0/24\"]\n      bypass: [AzureServices]\n"),
        "{yaml}"
    );
    let Props::KeyVault(kv) = &resource(m, "kv-ml").props else {
        panic!("kv-ml is not a key vault")
    };
    assert!(kv.network_acls.virtual_network_rules.is_empty());
    let left_out = imported.summary.left_out.join("\n");
    assert!(
        left_out.contains("virtualnetworks/vnet-ml/subnets/compute"),
        "{left_out}"
    );
    // AzureHound's storage account model writes public network access under `availabilitySet`.
    assert!(yaml.contains("public_network_access: Disabled"), "{yaml}");
}

#[test]
fn managed_identities_belong_to_their_resources() {
    let (imported, loaded) = contoso();
    let m = &loaded.model;
    let vm = m.resources_named("vm-train")[0];
    let system = principal(m, "vm-train");
    assert_eq!(system.kind, PrincipalKind::ManagedIdentity);
    assert_eq!(system.identity_of, Some(IdentityOf::SystemAssigned(vm)));
    let uami = principal(m, "uami-training");
    assert_eq!(uami.kind, PrincipalKind::ManagedIdentity);
    assert!(matches!(uami.identity_of, Some(IdentityOf::UserAssigned(_))));
    assert!(
        m.resource(vm)
            .user_identities
            .contains(&m.principal_named("uami-training").unwrap())
    );
    // The workspace AzureHound does not collect: its identity stays a service principal, and the summary
    // says why.
    assert_eq!(principal(m, "mlws").kind, PrincipalKind::ServicePrincipal);
    let missing = imported.summary.missing.join("\n");
    assert!(missing.contains("managed identity `mlws`"), "{missing}");
    assert!(missing.contains("workspaces/mlws"), "{missing}");
}

#[test]
fn an_unknown_principal_becomes_a_placeholder_and_an_unknown_role_grants_everything() {
    let (imported, loaded) = contoso();
    let m = &loaded.model;
    let gone = principal(m, "DE1E7ED0-6666-4000-8000-000000000001");
    assert_eq!(gone.kind, PrincipalKind::ServicePrincipal);
    assert_eq!(gone.object_id.as_deref(), Some("de1e7ed0-6666-4000-8000-000000000001"));
    assert_eq!(
        scopes_of(m, "DE1E7ED0-6666-4000-8000-000000000001"),
        ["/subscriptions/a1b2c3d4-0000-4000-8000-000000000001"]
    );
    let role = m
        .roles
        .iter()
        .find(|r| r.guid == "11111111-2222-4333-8444-555555555555")
        .unwrap();
    assert_eq!(role.name, "unknown role 11111111-2222-4333-8444-555555555555");
    assert_eq!(role.permissions[0].actions, ["*"]);
    assert_eq!(role.permissions[0].data_actions, ["*"]);
    let missing = imported.summary.missing.join("\n");
    assert!(missing.contains("DE1E7ED0-6666-4000-8000-000000000001"), "{missing}");
    assert!(missing.contains("11111111-2222-4333-8444-555555555555"), "{missing}");
}

#[test]
fn federated_credentials_and_directory_roles_are_listed_with_counts() {
    let (imported, _) = contoso();
    let left_out = imported.summary.left_out.join("\n");
    assert!(
        left_out.contains("1 federated identity credential(s) of 1 app(s)"),
        "{left_out}"
    );
    assert!(
        left_out.contains("repo:contoso/ml-pipelines:ref:refs/heads/main"),
        "{left_out}"
    );
    assert!(
        left_out.contains("1 Entra directory role assignment(s) of 1 role(s)"),
        "{left_out}"
    );
    assert!(
        left_out.contains("directory role `Application Administrator`: bob (tenant-wide)"),
        "{left_out}"
    );
    assert!(left_out.contains("1 `AZGroupOwner` record(s)"), "{left_out}");
    assert!(left_out.contains("`build-agent-01` (device)"), "{left_out}");
    assert!(left_out.contains("legacy-report-tool"), "{left_out}");

    // The real samples: BloodHound's fixture (7 records, 14 credentials), and one AZRole record on its own.
    let (fics, loaded) = imported_alone(FICS);
    let left_out = fics.summary.left_out.join("\n");
    assert!(
        left_out.contains("14 federated identity credential(s) of 7 app(s)"),
        "{left_out}"
    );
    assert!(
        left_out.contains("`ProdBranch` of app `e9577faa-1c62-48a8-92f7-668164336fc3`"),
        "{left_out}"
    );
    assert!(loaded.model.assignments.is_empty());
    let (role, _) = imported_alone(AZROLE);
    let left_out = role.summary.left_out.join("\n");
    assert!(
        left_out.contains("0 Entra directory role assignment(s) of 0 role(s), 1 directory role definition(s)"),
        "{left_out}"
    );
}

fn imported_alone(name: &str) -> (Imported, Loaded) {
    imported(&[fixture(name)])
}

#[test]
fn the_summary_says_what_azurehound_does_not_collect() {
    let (imported, _) = contoso();
    let missing = imported.summary.missing.join("\n");
    for what in [
        "Azure ML workspaces",
        "computes",
        "online endpoints",
        "datastores",
        "storage accounts' properties",
        "container registries' properties",
        "VNets",
        "NSGs",
        "private endpoints",
        "SSH private key",
        "client secret",
        "import azure",
        "--overlay",
    ] {
        assert!(missing.contains(what), "`{what}` not in:\n{missing}");
    }
}

/// The fixture as AzureHound prints it on standard output: one record per line, no wrapper.
fn as_json_lines(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("{\"kind\""))
        .map(|l| format!("{}\n", l.trim_end_matches(',')))
        .collect()
}

#[test]
fn one_record_per_line_imports_as_the_whole_document() {
    let text = std::fs::read_to_string(format!("{DIR}/{CONTOSO}")).unwrap();
    let lines = as_json_lines(&text);
    assert_eq!(lines.lines().count(), 35);
    let (whole, _) = contoso();
    let (streamed, _) = imported(&[Source::new("stdout.json", lines)]);
    assert_eq!(
        mlaccess::source::emit::yaml(&streamed.tree),
        mlaccess::source::emit::yaml(&whole.tree)
    );
    assert_eq!(streamed.summary, whole.summary);
}

#[test]
fn several_files_import_together() {
    let (imported, loaded) = imported(&[fixture(CONTOSO), fixture(FICS), fixture(AZROLE)]);
    let left_out = imported.summary.left_out.join("\n");
    assert!(
        left_out.contains("15 federated identity credential(s) of 8 app(s)"),
        "{left_out}"
    );
    assert!(left_out.contains("2 directory role definition(s)"), "{left_out}");
    assert_eq!(loaded.model.assignments.len(), 10);
}

#[test]
fn the_import_reads_back_as_yaml() {
    let (imported, _) = contoso();
    let yaml = mlaccess::source::emit::yaml(&imported.tree);
    let loaded = mlaccess::load::load(&Source::new("model.yaml", yaml));
    assert!(loaded.is_ok(), "{:?}", loaded.err());
}

#[test]
fn a_broken_line_is_an_error_naming_the_file_and_line() {
    let text = std::fs::read_to_string(format!("{DIR}/{CONTOSO}")).unwrap();
    let mut lines: Vec<String> = as_json_lines(&text).lines().map(str::to_string).collect();
    lines[2] = "{\"kind\":\"AZUser\",\"data\":{\"id\":\"0D1E2F30\",,}}".into();
    let source = Source::new("broken.json", lines.join("\n"));
    let Err(diags) = import(&[fixture(FICS), source]) else {
        panic!("a broken record was imported")
    };
    let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].starts_with("broken.json:3:"), "{shown:?}");
    assert!(shown[0].contains("error"), "{shown:?}");
}

#[test]
fn a_malformed_record_is_a_warning_naming_the_file_and_line() {
    let text = "{\"data\": [\n\
        {\"kind\": \"AZUser\", \"data\": {\"id\": \"A\", \"userPrincipalName\": \"a@contoso.com\"}},\n\
        {\"kind\": \"AZUser\", \"data\": \"not an object\"},\n\
        {\"data\": {\"id\": \"B\"}},\n\
        {\"kind\": \"AZKeyVault\", \"data\": {\"name\": \"no-id\"}},\n\
        {\"kind\": \"AZSubscriptionRoleAssignment\", \"data\": {\"roleAssignments\": [{\"roleAssignment\": \
          {\"properties\": {\"principalId\": [\"x\"], \"roleDefinitionId\": \"x/acdd72a7-3385-48ef-bd42-f606fba81ae7\", \"scope\": \"/subscriptions/s\"}}}]}}\n\
        ], \"meta\": {\"type\": \"azure\", \"version\": 5, \"count\": 6}}\n";
    let (imported, _) = imported(&[fixture(AZROLE), Source::new("odd.json", text)]);
    let shown: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    let expect = [
        "odd.json:3:",
        "odd.json:4:",
        "odd.json:5:",
        "odd.json:6:",
        "odd.json:7:",
    ];
    for (line, prefix) in shown.iter().zip(expect) {
        assert!(line.starts_with(prefix), "{shown:#?}");
    }
    assert_eq!(shown.len(), expect.len(), "{shown:#?}");
    assert!(shown.iter().any(|s| s.contains("`meta.count` says 6")), "{shown:#?}");
    assert!(
        shown.iter().any(|s| s.contains("without a `data` object")),
        "{shown:#?}"
    );
    assert!(shown.iter().any(|s| s.contains("no `kind`")), "{shown:#?}");
    assert!(
        shown.iter().any(|s| s.contains("`AZKeyVault` record without `id`")),
        "{shown:#?}"
    );
    assert!(shown.iter().any(|s| s.contains("not a string")), "{shown:#?}");
    assert_eq!(imported.summary.counts.get("users"), Some(&1));
}

#[test]
fn a_file_that_is_not_azurehound_output_is_refused() {
    for (text, says) in [
        ("{\"value\": []}", "no `data` list"),
        (
            "{\"data\": [], \"meta\": {\"type\": \"users\", \"version\": 6, \"count\": 0}}",
            "`meta.type` is `users`",
        ),
        ("[1, 2", "invalid JSON"),
    ] {
        let Err(diags) = import(&[Source::new("other.json", text)]) else {
            panic!("`{text}` was imported")
        };
        let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert!(
            shown.iter().any(|s| s.starts_with("other.json:1:") && s.contains(says)),
            "{shown:?}"
        );
    }
}

#[test]
fn the_command_line_imports_azurehound_output_with_a_summary_of_what_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("entra.yaml");
    let output = common::cli()
        .args([
            "import",
            "azurehound",
            "tests/fixtures/azurehound/contoso-azurehound.json",
            "-o",
        ])
        .arg(&model)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["source"], "azurehound");
    let missing = summary["missing"].to_string();
    assert!(missing.contains("Azure ML workspaces"), "{missing}");
    assert!(missing.contains("networks"), "{missing}");
    // The written model loads on its own.
    let validate = common::cli().arg("validate").arg(&model).output().unwrap();
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );
}
