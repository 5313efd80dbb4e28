//! Unit tests of the AzureHound importer: record shapes, naming, placeholders and what is left out.

use super::*;
use crate::source::emit;

fn run(files: &[(&str, &str)]) -> Result<Imported, Diagnostics> {
    let sources: Vec<Source> = files.iter().map(|(n, t)| Source::new(*n, *t)).collect();
    import(&sources)
}

fn yaml(files: &[(&str, &str)]) -> String {
    match run(files) {
        Ok(i) => emit::yaml(&i.tree),
        Err(d) => format!("failed: {d:?}"),
    }
}

fn wrapped(records: &[&str]) -> String {
    format!(
        "{{\"data\": [\n{}\n], \"meta\": {{\"type\": \"azure\", \"version\": 5, \"count\": {}}}}}",
        records.join(",\n"),
        records.len()
    )
}

const SUB: &str = "/SUBSCRIPTIONS/S1";
const KV: &str = "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV";

fn assignment(id: &str, principal: &str, role: &str, scope: &str) -> String {
    format!(
        r#"{{"id": "{id}", "properties": {{"principalId": "{principal}", "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/{role}", "scope": "{scope}"}}}}"#
    )
}

#[test]
fn the_kinds_of_rbac_records_are_told_from_entra_ones() {
    for kind in [
        "AZKeyVaultRoleAssignment",
        "AZKeyVaultOwner",
        "AZKeyVaultKVContributor",
        "AZVMAdminLogin",
        "AZSubscriptionUserAccessAdmin",
        "AZStorageAccountRoleAssignment",
        "AZManagementGroupRoleAssignment",
    ] {
        assert!(authorization::handles(kind), "{kind}");
    }
    for kind in [
        "AZRoleAssignment",
        "AZAppRoleAssignment",
        "AZGroupOwner",
        "AZAppOwner",
        "AZUser",
    ] {
        assert!(!authorization::handles(kind), "{kind}");
    }
}

#[test]
fn one_record_per_line_a_wrapped_list_and_a_single_record_read_alike() {
    let user = r#"{"kind": "AZUser", "data": {"id": "U1", "userPrincipalName": "alice@contoso.com"}}"#;
    let group = r#"{"kind": "AZGroup", "data": {"id": "G1", "displayName": "team"}}"#;
    let lines = format!("{user}\n{group}\n");
    let whole = wrapped(&[user, group]);
    assert_eq!(yaml(&[("a.json", &lines)]), yaml(&[("b.json", &whole)]));
    let one = yaml(&[("c.json", user)]);
    assert!(one.contains("name: alice\n"), "{one}");
}

#[test]
fn inherited_assignments_are_kept_once_at_their_own_scope() {
    let at_sub = assignment("a1", "U1", "acdd72a7-3385-48ef-bd42-f606fba81ae7", SUB);
    let at_kv = assignment("a2", "U1", "4633458b-17de-408a-b874-0445c86b69e6", KV);
    let sub = format!(
        r#"{{"kind": "AZSubscriptionRoleAssignment", "data": {{"roleAssignments": [{{"roleAssignment": {at_sub}, "subscriptionId": "{SUB}"}}], "subscriptionId": "{SUB}"}}}}"#
    );
    let kv = format!(
        r#"{{"kind": "AZKeyVaultRoleAssignment", "data": {{"roleAssignments": [{{"roleAssignment": {at_sub}, "virtualMachineId": "{KV}"}}, {{"roleAssignment": {at_kv}, "virtualMachineId": "{KV}"}}], "virtualMachineId": "{KV}"}}}}"#
    );
    let owner = format!(
        r#"{{"kind": "AZKeyVaultOwner", "data": {{"owners": [{{"owner": {at_kv}, "keyVaultId": "{KV}"}}], "keyVaultId": "{KV}"}}}}"#
    );
    let user = r#"{"kind": "AZUser", "data": {"id": "U1", "userPrincipalName": "alice@contoso.com"}}"#;
    let Ok(i) = run(&[("x.json", &wrapped(&[user, &sub, &kv, &owner]))]) else {
        panic!("import failed")
    };
    assert_eq!(i.summary.counts.get("role assignments"), Some(&2));
    let y = emit::yaml(&i.tree);
    assert!(y.contains(&format!("scope: {SUB}\n")), "{y}");
    assert!(y.contains(&format!("scope: {KV}\n")), "{y}");
    // The scope of the vault declares its resource group.
    assert!(y.contains("- name: RG\n  type: resource_group\n"), "{y}");
}

#[test]
fn an_assignment_without_a_scope_takes_the_scope_it_was_listed_at() {
    let a = r#"{"id": "a3", "properties": {"principalId": "U1", "roleDefinitionId": "x/acdd72a7-3385-48ef-bd42-f606fba81ae7"}}"#;
    let kv = format!(
        r#"{{"kind": "AZKeyVaultRoleAssignment", "data": {{"roleAssignments": [{{"roleAssignment": {a}, "virtualMachineId": "{KV}"}}], "virtualMachineId": "{KV}"}}}}"#
    );
    let y = yaml(&[("x.json", &wrapped(&[&kv]))]);
    assert!(y.contains(&format!("scope: {KV}\n")), "{y}");
    // The principal is unknown: kept, named by its object id.
    assert!(y.contains("service_principals:\n  - name: U1\n    id: U1\n"), "{y}");
}

#[test]
fn access_policies_of_the_vault_and_of_their_own_records_are_united() {
    let vault = format!(
        r#"{{"kind": "AZKeyVault", "data": {{"id": "{KV}", "name": "kv", "properties": {{"enableRbacAuthorization": false,
            "accessPolicies": [{{"objectId": "u1", "permissions": {{"secrets": ["Get"], "keys": [], "certificates": []}}}}]}}}}}}"#
    );
    let policy = format!(
        r#"{{"kind": "AZKeyVaultAccessPolicy", "data": {{"objectId": "U1", "permissions": {{"secrets": ["get", "List"]}}, "keyVaultId": "{KV}"}}}}"#
    );
    let stray = r#"{"kind": "AZKeyVaultAccessPolicy", "data": {"objectId": "U1", "permissions": {"secrets": ["get"]}, "keyVaultId": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/other"}}"#;
    let user = r#"{"kind": "AZUser", "data": {"id": "U1", "userPrincipalName": "alice@contoso.com"}}"#;
    let Ok(i) = run(&[("x.json", &wrapped(&[user, &vault, &policy, stray]))]) else {
        panic!("import failed")
    };
    let y = emit::yaml(&i.tree);
    assert!(
        y.contains("access_policies:\n    - principal: alice\n      secrets: [get, list]\n"),
        "{y}"
    );
    assert!(
        i.summary.left_out.iter().any(|l| l.contains("vaults/other")),
        "{:?}",
        i.summary
    );
}

#[test]
fn a_principal_named_like_a_resource_is_referred_to_by_object_id() {
    let user = r#"{"kind": "AZUser", "data": {"id": "U1", "userPrincipalName": "kv@contoso.com"}}"#;
    let group = r#"{"kind": "AZGroup", "data": {"id": "G1", "displayName": "team"}}"#;
    let members = r##"{"kind": "AZGroupMember", "data": {"members": [{"member": {"@odata.type": "#microsoft.graph.user", "id": "u1"}, "groupId": "G1"}], "groupId": "G1"}}"##;
    let vault = format!(r#"{{"kind": "AZKeyVault", "data": {{"id": "{KV}", "name": "kv"}}}}"#);
    let y = yaml(&[("x.json", &wrapped(&[user, group, members, &vault]))]);
    assert!(y.contains("members: [u1]"), "{y}");
}

#[test]
fn a_managed_identity_without_its_resource_stays_a_service_principal_and_a_uami_is_an_identity() {
    let ws = r#"{"kind": "AZServicePrincipal", "data": {"id": "P1", "displayName": "mlws", "servicePrincipalType": "ManagedIdentity",
        "alternativeNames": ["isExplicit=False", "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/mlws"]}}"#;
    let uami = r#"{"kind": "AZServicePrincipal", "data": {"id": "P2", "displayName": "id1", "servicePrincipalType": "ManagedIdentity",
        "alternativeNames": ["isExplicit=True", "/subscriptions/s1/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"]}}"#;
    let Ok(i) = run(&[("x.json", &wrapped(&[ws, uami]))]) else {
        panic!("import failed")
    };
    let y = emit::yaml(&i.tree);
    assert!(y.contains("service_principals:\n  - name: mlws\n"), "{y}");
    assert!(
        y.contains("managed_identities:\n  - name: id1\n    id: P2\n    group: rg\n"),
        "{y}"
    );
    assert!(i.summary.missing.iter().any(|m| m.contains("workspaces/mlws")));
}

#[test]
fn sharphound_output_is_refused_and_an_interrupted_file_is_explained() {
    let Err(d) = run(&[(
        "users.json",
        r#"{"data": [], "meta": {"type": "users", "version": 6, "count": 0}}"#,
    )]) else {
        panic!("imported")
    };
    assert!(d.iter().any(|x| x.message.contains("`meta.type` is `users`")), "{d:?}");
    let Err(d) = run(&[(
        "cut.json",
        "{\n\t\"data\": [\n\t\t{\"kind\":\"AZUser\",\"data\":{\"id\":\"x\"}},\n",
    )]) else {
        panic!("imported")
    };
    assert!(
        d.iter()
            .any(|x| x.help.as_deref().is_some_and(|h| h.contains("stopped"))),
        "{d:?}"
    );
}

#[test]
fn same_named_things_are_told_apart_as_the_azure_importer_does() {
    let users = [
        r#"{"kind": "AZUser", "data": {"id": "aaaa-1", "userPrincipalName": "x@contoso.com", "displayName": "dup"}}"#,
        r#"{"kind": "AZUser", "data": {"id": "bbbb-2", "userPrincipalName": "x@fabrikam.com"}}"#,
        r#"{"kind": "AZGroup", "data": {"id": "cccc-3", "displayName": "team"}}"#,
        r#"{"kind": "AZGroup", "data": {"id": "dddd-4", "displayName": "team"}}"#,
        r#"{"kind": "AZGroup", "data": {"id": "cccc-5", "displayName": "team"}}"#,
        r#"{"kind": "AZGroup", "data": {"id": "cccc-6", "displayName": "team"}}"#,
    ];
    let y = yaml(&[("x.json", &wrapped(&users))]);
    for name in [
        "x@contoso.com",
        "x@fabrikam.com",
        "team",
        "team~dddd",
        "team~cccc",
        "team~cccc~2",
    ] {
        let plain = format!("- name: {name}\n");
        let quoted = format!("- name: \"{name}\"\n");
        assert!(y.contains(&plain) || y.contains(&quoted), "{name}: {y}");
    }
}

#[test]
fn role_filtered_lists_alone_are_said_to_miss_the_other_roles() {
    let owner = assignment("a1", "U1", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", SUB);
    let filtered = format!(
        r#"{{"kind": "AZSubscriptionOwner", "data": {{"owners": [{{"owner": {owner}, "subscriptionId": "{SUB}"}}], "subscriptionId": "{SUB}"}}}}"#
    );
    let Ok(i) = run(&[("x.json", &wrapped(&[&filtered]))]) else {
        panic!("import failed")
    };
    assert_eq!(i.summary.counts.get("role assignments"), Some(&1));
    let missing = i.summary.missing.join("\n");
    assert!(
        missing.contains("role assignments at subscription scope of roles other than Owner"),
        "{missing}"
    );
    // With the full list, nothing is said.
    let full = format!(
        r#"{{"kind": "AZSubscriptionRoleAssignment", "data": {{"roleAssignments": [{{"roleAssignment": {owner}, "subscriptionId": "{SUB}"}}], "subscriptionId": "{SUB}"}}}}"#
    );
    let Ok(i) = run(&[("x.json", &wrapped(&[&filtered, &full]))]) else {
        panic!("import failed")
    };
    assert!(!i.summary.missing.iter().any(|m| m.contains("roles other than Owner")));
}
