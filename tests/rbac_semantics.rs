//! Integration tests of Azure RBAC evaluation as `mlaccess::rbac` implements it, written against the
//! contract rather than the code: `spec/azure-access-semantics.md` §1 ("Azure RBAC evaluation",
//! 1.1 principals and groups, 1.2 scopes and inheritance, 1.3 role definitions, 1.4 pattern matching,
//! 1.5 effective permissions, 1.6 deny assignments, 1.7 conditions, 1.8 the evaluation algorithm,
//! 1.9 assignable scopes, 1.10 classic administrators and elevated access), the "Deny assignments"
//! paragraph of §10 (which wins where it differs from §1.6), the rule of `spec/model-format.md` that
//! built-in roles are known by name or GUID, the table of §6.3 (effective actions of built-in roles,
//! copied to `tests/fixtures/rbac/section-6.3-effective-actions.md`), and the RBAC decisions of
//! `docs/decisions.md` (management groups, nested groups in denies, trailing `/*`, conditions).
//!
//! Each test is named after the statement it checks (`s1_4_3_...` is §1.4 item 3; `s10_...` is §10)
//! and builds the smallest model that shows it, inline as YAML.

// Everything here is test code (helpers included), which is what clippy's `allow-*-in-tests` keys on.
#![cfg(test)]

use std::sync::mpsc;
use std::time::Duration;

use mlaccess::load::{Loaded, Source, load};
use mlaccess::model::{DenyPrincipals, Model, PrincipalId, PrincipalKind, lookup};
use mlaccess::rbac::groups::memberships;
use mlaccess::rbac::pattern::{Trailing, matches};
use mlaccess::rbac::scope::Coverage;
use mlaccess::rbac::{ConditionStatus, Decision, Grant, OpKind, Rbac, Request, RequestAttributes};

// ----- helpers ---------------------------------------------------------------------------------------

/// The default subscription of every model below.
const SUB: &str = "00000000-0000-0000-0000-000000000000";

/// The id of storage account `mlstore` (as Azure writes it).
const MLSTORE_ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/mlstore";

/// A management group scope.
const MG: &str = "/providers/Microsoft.Management/managementGroups/corp";

/// A subscription the models do not declare anything in.
const OTHER_SUB: &str = "/subscriptions/11111111-1111-1111-1111-111111111111";

// Role GUIDs (`spec/azure-access-semantics.md` §6.2).
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const KEY_VAULT_SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";
const STORAGE_BLOB_DATA_READER: &str = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const ACR_PULL: &str = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const MANAGED_IDENTITY_OPERATOR: &str = "f1a07417-d97a-45cb-824c-7a7467783830";
const AZURE_SPHERE_OWNER: &str = "5a382001-fe36-41ff-bba4-8bf06bd54da9";

// Operations used throughout.
const LIST_STORAGE_KEYS: &str = "Microsoft.Storage/storageAccounts/listKeys/action";
const STORAGE_READ: &str = "Microsoft.Storage/storageAccounts/read";
const STORAGE_WRITE: &str = "Microsoft.Storage/storageAccounts/write";
const BLOB_READ: &str = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
const BLOB_WRITE: &str = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write";
const ROLE_ASSIGNMENT_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";
const ROLE_ASSIGNMENT_DELETE: &str = "Microsoft.Authorization/roleAssignments/delete";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const WS_JOBS_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/jobs/write";
const WS_COMPUTE_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/computes/write";
const WS_LIST_KEYS: &str = "Microsoft.MachineLearningServices/workspaces/listKeys/action";
const WS_DATASTORE_SECRETS: &str = "Microsoft.MachineLearningServices/workspaces/datastores/listsecrets/action";
const UAI_ASSIGN: &str = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action";

/// The condition of an assignment that limits blob reads to container `raw`: an attribute the model
/// never knows (it has no containers), so it cannot be evaluated for blob reads.
const CONTAINER_CONDITION: &str = "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'raw'))";

/// A delegation condition (§1.7 item 3): role assignments may be written for AcrPull only.
const ONLY_ACR_PULL: &str = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{7f951dda-4ed3-4680-a7ca-43fe172d538d}))";

/// The resources most tests share; a test adds `principals`, `role_definitions`, `role_assignments`
/// and `deny_assignments` after it.
const ESTATE: &str = "
version: 1
resources:
  - {name: rg-ml, type: resource_group}
  - {name: rg-ml-prod, type: resource_group}
  - {name: mlws, type: workspace, group: rg-ml, properties: {storage_account: mlstore, key_vault: mlkv}}
  - {name: mlstore, type: storage_account, group: rg-ml}
  - {name: mlstore2, type: storage_account, group: rg-ml}
  - {name: prodstore, type: storage_account, group: rg-ml-prod}
  - {name: mlkv, type: key_vault, group: rg-ml, properties: {enable_rbac_authorization: true}}
  - {name: uami, type: user_assigned_identity, group: rg-ml}
  - {name: uami-prod, type: user_assigned_identity, group: rg-ml-prod}
  - {name: ci-1, type: compute_instance, group: rg-ml, identity: {system: true}, properties: {workspace: mlws}}
";

/// Removes the indentation common to every non-blank line, so YAML can be indented with the code.
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn try_load(yaml: &str) -> Result<Loaded, String> {
    load(&Source::new("test.yaml", dedent(yaml))).map_err(|d| {
        d.iter()
            .map(|x| format!("{x} [{}] {}", x.code, x.path))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn loaded(yaml: &str) -> Loaded {
    match try_load(yaml) {
        Ok(l) => l,
        Err(e) => panic!("the model does not load:\n{e}\n--- model ---\n{}", dedent(yaml)),
    }
}

/// Loads a complete model.
fn model(yaml: &str) -> Model {
    loaded(yaml).model
}

/// Loads [`ESTATE`] plus the given sections.
fn estate(rest: &str) -> Model {
    model(&format!("{}{}", dedent(ESTATE), dedent(rest)))
}

/// The canonical (lower-cased) key of a scope as a person writes it.
fn key(m: &Model, at: &str) -> String {
    match lookup::scope(m, at) {
        Ok((scope, _)) => scope.key,
        Err(e) => panic!("scope `{at}`: {e:?}"),
    }
}

fn pid(m: &Model, who: &str) -> PrincipalId {
    match lookup::principal(m, who) {
        Ok(p) => p,
        Err(e) => panic!("principal `{who}`: {e:?}"),
    }
}

fn ask(m: &Model, who: &str, op: &str, kind: OpKind, at: &str, assigning: Option<&str>) -> Decision {
    let target = key(m, at);
    Rbac::new(m).check(&Request {
        principal: pid(m, who),
        operation: op,
        kind,
        target: &target,
        attributes: RequestAttributes {
            role_definition_id: assigning.map(str::to_string),
        },
    })
}

/// A control-plane request.
fn check(m: &Model, who: &str, op: &str, at: &str) -> Decision {
    ask(m, who, op, OpKind::Control, at, None)
}

/// A data-plane request.
fn check_data(m: &Model, who: &str, op: &str, at: &str) -> Decision {
    ask(m, who, op, OpKind::Data, at, None)
}

/// `roleAssignments/write` at `at`, assigning the role with GUID `role` (when known).
fn check_assigning(m: &Model, who: &str, at: &str, role: Option<&str>) -> Decision {
    ask(m, who, ROLE_ASSIGNMENT_WRITE, OpKind::Control, at, role)
}

/// The only grant of a decision.
fn sole(d: &Decision) -> &Grant {
    assert_eq!(d.grants.len(), 1, "expected exactly one grant: {d:#?}");
    &d.grants[0]
}

/// The id of a grant's assignment (`id:` in the model, or `role_assignments[N]`).
fn aid<'m>(m: &'m Model, g: &Grant) -> &'m str {
    &m.assignment(g.assignment).id
}

/// The names of a group chain.
fn chain(m: &Model, via: &[PrincipalId]) -> Vec<String> {
    via.iter().map(|p| m.principal(*p).name.clone()).collect()
}

/// The role name behind a grant.
fn role_of<'m>(m: &'m Model, g: &Grant) -> &'m str {
    &m.role(m.assignment(g.assignment).role).name
}

fn assert_allowed(d: &Decision, what: &str) {
    assert!(d.allowed, "{what} should be allowed: {d:#?}");
}

fn assert_refused(d: &Decision, what: &str) {
    assert!(!d.allowed, "{what} should not be allowed: {d:#?}");
}

fn needs_mention(status: &ConditionStatus, attribute: &str) -> bool {
    match status {
        ConditionStatus::NotEvaluated { needs, .. } => needs
            .iter()
            .any(|n| n.to_lowercase().contains(&attribute.to_lowercase())),
        _ => false,
    }
}

// ----- §1.1 Principals and groups --------------------------------------------------------------------

#[test]
fn s1_1_a_user_can_hold_a_role_assignment_directly() {
    let m = estate(
        "
        principals:
          users: [{name: alice}, {name: bob}]
        role_assignments:
          - {principal: alice, role: AzureML Data Scientist, scope: mlws}
        ",
    );
    let d = check(&m, "alice", WS_READ, "mlws");
    assert_allowed(&d, "alice reading the workspace");
    let g = sole(&d);
    assert!(g.via.is_empty(), "held directly: {g:?}");
    assert_eq!(aid(&m, g), "role_assignments[0]");
    assert_eq!(&*g.pattern, "Microsoft.MachineLearningServices/workspaces/*/read");
    assert_eq!(g.block, 0);
    assert_eq!(g.coverage, Coverage::Yes);
    assert_eq!(g.condition, ConditionStatus::None);
    assert_refused(&check(&m, "bob", WS_READ, "mlws"), "bob (no assignment)");
}

#[test]
fn s1_1_service_principals_and_managed_identities_can_hold_role_assignments() {
    let m = estate(
        "
        principals:
          service_principals: [{name: ci-deployer}]
        role_assignments:
          - {principal: ci-deployer, role: Reader, scope: rg:rg-ml}
          - {principal: uami, role: Storage Account Contributor, scope: mlstore}
          - {principal: mlws/ci-1, role: Storage Blob Data Reader, scope: mlstore}
        ",
    );
    assert_eq!(
        m.principal(pid(&m, "ci-deployer")).kind,
        PrincipalKind::ServicePrincipal
    );
    assert_eq!(m.principal(pid(&m, "uami")).kind, PrincipalKind::ManagedIdentity);
    assert_eq!(m.principal(pid(&m, "mlws/ci-1")).kind, PrincipalKind::ManagedIdentity);

    let d = check(&m, "ci-deployer", STORAGE_READ, "mlstore");
    assert_eq!(aid(&m, sole(&d)), "role_assignments[0]");
    let d = check(&m, "uami", LIST_STORAGE_KEYS, "mlstore");
    assert_eq!(aid(&m, sole(&d)), "role_assignments[1]");
    let d = check_data(&m, "mlws/ci-1", BLOB_READ, "mlstore");
    assert_allowed(&d, "the compute's system identity reading blobs");
    assert_eq!(aid(&m, sole(&d)), "role_assignments[2]");
}

#[test]
fn s1_1_group_membership_is_transitive() {
    let m = estate(
        "
        principals:
          users: [{name: alice}, {name: bob}]
          groups:
            - {name: inner, members: [alice]}
            - {name: outer, members: [inner]}
        role_assignments:
          - {principal: outer, role: AzureML Data Scientist, scope: mlws}
        ",
    );
    let d = check(&m, "alice", WS_JOBS_WRITE, "mlws");
    assert_allowed(&d, "alice through inner → outer");
    assert_eq!(chain(&m, &sole(&d).via), ["inner", "outer"]);
    let d = check(&m, "inner", WS_JOBS_WRITE, "mlws");
    assert_eq!(
        chain(&m, &sole(&d).via),
        ["outer"],
        "a nested group gets its parent's roles"
    );
    assert_refused(&check(&m, "bob", WS_JOBS_WRITE, "mlws"), "bob (in no group)");
}

#[test]
fn s1_1_group_cycles_do_not_loop_and_the_membership_chain_is_reported() {
    // a ∈ b, b ∈ c, c ∈ a: a cycle of three groups; alice is in a; c holds the role.
    const CYCLE: &str = "
        version: 1
        principals:
          users: [{name: alice}]
          groups:
            - {name: a, members: [alice, c]}
            - {name: b, members: [a]}
            - {name: c, members: [b]}
        resources:
          - {name: rg-ml, type: resource_group}
          - {name: mlws, type: workspace, group: rg-ml}
        role_assignments:
          - {principal: c, role: AzureML Data Scientist, scope: mlws}
        ";
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let m = model(CYCLE);
        let d = check(&m, "alice", WS_JOBS_WRITE, "mlws");
        let grant_chain = d.grants.first().map(|g| chain(&m, &g.via));
        let of_alice: Vec<(String, Vec<String>)> = memberships(&m, pid(&m, "alice"))
            .into_iter()
            .map(|ms| (m.principal(ms.group).name.clone(), chain(&m, &ms.chain)))
            .collect();
        let of_a: Vec<String> = memberships(&m, pid(&m, "a"))
            .into_iter()
            .map(|ms| m.principal(ms.group).name.clone())
            .collect();
        let _ = tx.send((d.allowed, d.grants.len(), grant_chain, of_alice, of_a));
    });
    let (allowed, grants, grant_chain, of_alice, of_a) = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("evaluation with a group cycle did not finish (or panicked)");
    assert!(allowed, "alice reaches c through the cycle");
    assert_eq!(grants, 1);
    assert_eq!(grant_chain, Some(vec!["a".to_string(), "b".into(), "c".into()]));
    let expect = |g: &str, c: &[&str]| (g.to_string(), c.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(
        of_alice,
        [
            expect("alice", &[]),
            expect("a", &["a"]),
            expect("b", &["a", "b"]),
            expect("c", &["a", "b", "c"])
        ],
        "every group once, with its shortest chain"
    );
    let mut sorted = of_a.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        of_a.len(),
        "a group reached through a cycle is listed once: {of_a:?}"
    );
    assert_eq!(sorted, ["a", "b", "c"]);
}

#[test]
fn s1_1_effective_assignments_are_the_principals_own_and_those_of_every_group_it_reaches() {
    let m = estate(
        "
        principals:
          users: [{name: alice}]
          groups: [{name: team, members: [alice]}]
        role_assignments:
          - {principal: alice, role: Reader, scope: mlws, id: alice-reader}
          - {principal: team, role: AzureML Data Scientist, scope: mlws, id: team-ds}
        ",
    );
    let d = check(&m, "alice", WS_READ, "mlws");
    assert_allowed(&d, "workspace read");
    let got: Vec<(&str, Vec<String>)> = d.grants.iter().map(|g| (aid(&m, g), chain(&m, &g.via))).collect();
    assert_eq!(got, [("alice-reader", vec![]), ("team-ds", vec!["team".to_string()])]);
    let d = check(&m, "alice", WS_JOBS_WRITE, "mlws");
    assert_eq!(aid(&m, sole(&d)), "team-ds");
}

#[test]
fn s1_1_a_managed_identity_in_a_group_gets_the_groups_roles() {
    let m = estate(
        "
        principals:
          groups: [{name: automation, members: [uami, mlws/ci-1]}]
        role_assignments:
          - {principal: automation, role: Storage Blob Data Contributor, scope: mlstore}
        ",
    );
    for who in ["uami", "mlws/ci-1"] {
        let d = check_data(&m, who, BLOB_WRITE, "mlstore");
        assert_allowed(&d, who);
        assert_eq!(chain(&m, &sole(&d).via), ["automation"]);
    }
}

#[test]
fn s1_1_a_principal_is_referenced_by_name_or_object_id_in_assignments_and_denies() {
    let m = estate(
        "
        principals: {users: [{name: alice, id: 0d1e0000-0000-4000-8000-000000000001}]}
        role_assignments: [{principal: 0d1e0000-0000-4000-8000-000000000001, role: Owner, scope: mlws}]
        deny_assignments: [{principals: [0D1E0000-0000-4000-8000-000000000001], actions: ['*/delete'], scope: mlws}]
        ",
    );
    assert_eq!(m.assignments[0].principal, pid(&m, "alice"));
    let d = check(&m, "alice", WS_READ, "mlws");
    assert_allowed(&d, "an assignment made to alice's object id");
    assert!(sole(&d).via.is_empty());
    let d = check(
        &m,
        "alice",
        "Microsoft.MachineLearningServices/workspaces/delete",
        "mlws",
    );
    assert_refused(&d, "a deny naming alice's object id in upper case");
    assert_eq!(d.denied_by[0].via, Some(pid(&m, "alice")));
}

// ----- §1.2 Scopes and inheritance ---------------------------------------------------------------

#[test]
fn s1_2_assignment_at_root_applies_to_everything() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Reader, scope: /}]
        ",
    );
    for at in [
        "/",
        "subscription",
        "rg:rg-ml",
        "rg:rg-ml-prod",
        "prodstore",
        "mlws",
        "mlws/ci-1",
    ] {
        let d = check(&m, "alice", STORAGE_READ, at);
        assert_allowed(&d, at);
        assert_eq!(sole(&d).coverage, Coverage::Yes, "at {at}");
    }
}

#[test]
fn s1_2_assignment_at_management_group_is_assumed_to_cover_every_subscription() {
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_assignments: [{{principal: alice, role: Reader, scope: {MG}, id: mg-reader}}]
        "
    ));
    for at in ["mlws/ci-1", "prodstore", "subscription", OTHER_SUB] {
        let d = check(&m, "alice", STORAGE_READ, at);
        assert_allowed(&d, at);
        let g = sole(&d);
        assert_eq!(g.coverage, Coverage::AssumedManagementGroup, "at {at}");
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("mg-reader") && n.to_lowercase().contains("management group")),
            "the answer must say the management-group coverage is assumed: {:?}",
            d.notes
        );
    }
}

#[test]
fn s1_2_assignment_at_subscription_applies_to_everything_in_it_and_not_to_another_subscription() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Reader, scope: subscription}]
        ",
    );
    for at in [
        "subscription",
        "rg:rg-ml",
        "rg:rg-ml-prod",
        "mlstore",
        "prodstore",
        "mlws/ci-1",
    ] {
        let d = check(&m, "alice", STORAGE_READ, at);
        assert_eq!(sole(&d).coverage, Coverage::Yes, "at {at}");
    }
    let d = check(&m, "alice", STORAGE_READ, OTHER_SUB);
    assert_refused(&d, "a request in another subscription");
    assert!(d.grants.is_empty());
    assert_refused(
        &check(&m, "alice", STORAGE_READ, "/"),
        "the root is above the subscription",
    );
}

#[test]
fn s1_2_assignment_at_resource_group_applies_to_resources_in_it() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Storage Account Contributor, scope: rg:rg-ml}]
        ",
    );
    for at in ["rg:rg-ml", "mlstore", "mlstore2"] {
        let d = check(&m, "alice", LIST_STORAGE_KEYS, at);
        assert_allowed(&d, at);
        assert_eq!(&*sole(&d).pattern, "Microsoft.Storage/storageAccounts/*");
    }
    // rg-ml is a prefix of rg-ml-prod, but not on a `/` boundary.
    assert_refused(
        &check(&m, "alice", LIST_STORAGE_KEYS, "prodstore"),
        "a resource of rg-ml-prod",
    );
    assert_refused(&check(&m, "alice", LIST_STORAGE_KEYS, "rg:rg-ml-prod"), "rg-ml-prod");
    assert_refused(
        &check(&m, "alice", LIST_STORAGE_KEYS, "subscription"),
        "the subscription above",
    );
}

#[test]
fn s1_2_resource_group_scope_may_be_written_as_its_plain_name() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Reader, scope: rg-ml-prod}]
        ",
    );
    assert_eq!(m.assignments[0].scope.key, key(&m, "rg:rg-ml-prod"));
    assert_allowed(&check(&m, "alice", STORAGE_READ, "prodstore"), "in rg-ml-prod");
    assert_refused(&check(&m, "alice", STORAGE_READ, "mlstore"), "in rg-ml");
}

#[test]
fn s1_2_subscription_scope_covers_only_its_own_subscription() {
    let m = model(
        "
        version: 1
        principals: {users: [{name: alice}, {name: bob}]}
        resources:
          - {name: rg-ml, type: resource_group}
          - {name: mlstore, type: storage_account, group: rg-ml}
          - name: far
            type: storage_account
            group: rg-far
            id: /subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-far/providers/Microsoft.Storage/storageAccounts/far
        role_assignments:
          - {principal: alice, role: Reader, scope: subscription}
          - {principal: bob, role: Reader, scope: /subscriptions/11111111-1111-1111-1111-111111111111}
        ",
    );
    assert_allowed(
        &check(&m, "alice", STORAGE_READ, "mlstore"),
        "alice in the default subscription",
    );
    assert_refused(
        &check(&m, "alice", STORAGE_READ, "far"),
        "alice in the other subscription",
    );
    assert_allowed(&check(&m, "bob", STORAGE_READ, "far"), "bob in the other subscription");
    assert_refused(
        &check(&m, "bob", STORAGE_READ, "mlstore"),
        "bob in the default subscription",
    );
}

#[test]
fn s1_2_assignment_at_resource_applies_to_it_and_not_above_or_beside_it() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Storage Account Contributor, scope: mlstore}]
        ",
    );
    assert_allowed(&check(&m, "alice", LIST_STORAGE_KEYS, "mlstore"), "at the resource");
    // `.../storageAccounts/mlstore` is a prefix of `.../storageAccounts/mlstore2`, not on a boundary.
    assert_refused(&check(&m, "alice", LIST_STORAGE_KEYS, "mlstore2"), "mlstore2");
    assert_refused(
        &check(&m, "alice", LIST_STORAGE_KEYS, "rg:rg-ml"),
        "the resource group above",
    );
}

#[test]
fn s1_2_assignment_at_workspace_applies_to_its_child_resources() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: AzureML Data Scientist, scope: mlws}]
        ",
    );
    let compute = m.resource(lookup::resource(&m, "mlws/ci-1", &[]).unwrap());
    let ws = m.resource(lookup::resource(&m, "mlws", &[]).unwrap());
    assert_eq!(compute.key, format!("{}/computes/ci-1", ws.key));
    let d = check(
        &m,
        "alice",
        "Microsoft.MachineLearningServices/workspaces/computes/start/action",
        "mlws/ci-1",
    );
    assert_allowed(&d, "starting the compute");
    assert_eq!(sole(&d).coverage, Coverage::Yes);
    // The implicit datastore is a child of the workspace too.
    let d = check(
        &m,
        "alice",
        "Microsoft.MachineLearningServices/workspaces/datastores/read",
        "mlws/workspaceblobstore",
    );
    assert_allowed(&d, "reading the implicit datastore");
}

#[test]
fn s1_2_assignment_at_a_child_resource_does_not_apply_to_its_parent() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: AzureML Compute Operator, scope: mlws/ci-1}]
        ",
    );
    let d = check(&m, "alice", WS_COMPUTE_WRITE, "mlws/ci-1");
    assert_allowed(&d, "at the compute");
    assert_eq!(
        &*sole(&d).pattern,
        "Microsoft.MachineLearningServices/workspaces/computes/*"
    );
    assert_refused(&check(&m, "alice", WS_COMPUTE_WRITE, "mlws"), "at the workspace above");
}

#[test]
fn s1_2_assignment_at_blob_container_applies_to_the_container_not_to_the_storage_account() {
    let container = format!("{MLSTORE_ID}/blobServices/default/containers/raw");
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_assignments:
          - {{principal: alice, role: Storage Blob Data Reader, scope: '{container}'}}
        "
    ));
    let d = check_data(&m, "alice", BLOB_READ, &container);
    assert_allowed(&d, "blob read in the container");
    let g = sole(&d);
    assert_eq!(&*g.pattern, BLOB_READ);
    assert_eq!(g.coverage, Coverage::Yes);
    assert_eq!(m.assignment(g.assignment).scope.key, container.to_lowercase());
    let d = check_data(&m, "alice", BLOB_READ, "mlstore");
    assert_refused(&d, "blob read on the whole storage account");
    assert!(d.grants.is_empty());
    for other in ["other", "raw2"] {
        let at = format!("{MLSTORE_ID}/blobServices/default/containers/{other}");
        assert_refused(&check_data(&m, "alice", BLOB_READ, &at), &at);
    }
}

#[test]
fn s1_2_ids_compare_case_insensitively() {
    let shouting =
        format!("/SUBSCRIPTIONS/{SUB}/resourcegroups/RG-ML/PROVIDERS/microsoft.storage/STORAGEACCOUNTS/MLStore");
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}, {{name: bob}}]}}
        role_assignments:
          - {{principal: alice, role: Storage Account Contributor, scope: '{shouting}'}}
          - {{principal: bob, role: Reader, scope: rg:RG-ML}}
        "
    ));
    let store = m.resource(lookup::resource(&m, "mlstore", &[]).unwrap());
    assert_eq!(
        store.key,
        MLSTORE_ID.to_lowercase(),
        "resource keys are lower-cased ids"
    );
    assert_eq!(
        key(&m, &shouting),
        store.key,
        "a scope written in any case names the same resource"
    );
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_allowed(&d, "assignment scope written in another case");
    assert_eq!(m.assignment(sole(&d).assignment).scope.key, store.key);
    assert_allowed(
        &check(&m, "bob", STORAGE_READ, &MLSTORE_ID.to_uppercase()),
        "bob at an upper-cased id",
    );
}

#[test]
fn s1_2_role_assignment_id_is_echoed_in_the_grant() {
    let full = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlws/providers/Microsoft.Authorization/roleAssignments/3f2a6b1c-1111-4222-8333-944455556666"
    );
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_assignments:
          - {{principal: alice, role: Reader, scope: rg:rg-ml-prod}}
          - {{principal: alice, role: AzureML Data Scientist, scope: mlws, id: '{full}'}}
        "
    ));
    let d = check(&m, "alice", WS_JOBS_WRITE, "mlws");
    let g = sole(&d);
    assert_eq!(aid(&m, g), full);
    // The scope is the prefix of the extension resource's id.
    let scope = &m.assignment(g.assignment).scope.key;
    assert!(
        full.to_lowercase()
            .starts_with(&format!("{scope}/providers/microsoft.authorization/roleassignments/"))
    );
    let d = check(&m, "alice", STORAGE_READ, "prodstore");
    assert_eq!(
        aid(&m, sole(&d)),
        "role_assignments[0]",
        "without `id:` the position is the id"
    );
}

// ----- §1.3 Role definition anatomy --------------------------------------------------------------

#[test]
fn s1_3_builtin_roles_are_known_by_name_or_guid() {
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}, {{name: bob}}, {{name: carol}}]}}
        role_assignments:
          - {{principal: alice, role: Managed Identity Operator, scope: uami}}
          - {{principal: bob, role: {MANAGED_IDENTITY_OPERATOR}, scope: uami}}
          - {{principal: carol, role: {upper}, scope: uami}}
        ",
        upper = MANAGED_IDENTITY_OPERATOR.to_uppercase()
    ));
    let roles: Vec<_> = m.assignments.iter().map(|a| a.role).collect();
    assert_eq!(roles[0], roles[1], "name and GUID name the same role");
    assert_eq!(roles[0], roles[2], "GUIDs compare case-insensitively");
    let role = m.role(roles[0]);
    assert_eq!(role.name, "Managed Identity Operator");
    assert_eq!(role.guid, MANAGED_IDENTITY_OPERATOR);
    assert!(role.builtin);
    assert_eq!(
        m.roles.iter().filter(|r| r.guid == MANAGED_IDENTITY_OPERATOR).count(),
        1
    );
    for who in ["alice", "bob", "carol"] {
        assert_allowed(&check(&m, who, UAI_ASSIGN, "uami"), who);
    }
}

#[test]
fn s1_3_builtin_role_names_are_case_insensitive() {
    // docs/decisions.md: names are case-insensitive, as Azure's are.
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: azureml data scientist, scope: mlws}]
        ",
    );
    assert_eq!(m.role(m.assignments[0].role).name, "AzureML Data Scientist");
    assert_allowed(&check(&m, "alice", WS_JOBS_WRITE, "mlws"), "jobs/write");
}

#[test]
fn s1_3_builtin_role_with_several_permission_blocks_grants_from_each_block() {
    // Defender CSPM Storage Scanner Operator has three blocks: plain actions, role-assignment writes
    // limited by a condition, role-assignment deletes limited by a condition.
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Defender CSPM Storage Scanner Operator, scope: mlstore}]
        ",
    );
    assert_eq!(m.role(m.assignments[0].role).permissions.len(), 3);

    let d = check(&m, "alice", STORAGE_WRITE, "mlstore");
    let g = sole(&d);
    assert_eq!((g.block, g.pattern.as_ref()), (0, STORAGE_WRITE));
    assert_eq!(g.condition, ConditionStatus::None);

    let d = check_assigning(&m, "alice", "mlstore", Some(STORAGE_BLOB_DATA_READER));
    assert_allowed(&d, "assigning Storage Blob Data Reader");
    let g = sole(&d);
    assert_eq!((g.block, g.pattern.as_ref()), (1, ROLE_ASSIGNMENT_WRITE));
    assert_eq!(g.condition, ConditionStatus::Holds);

    let d = check_assigning(&m, "alice", "mlstore", Some(OWNER));
    assert_refused(&d, "assigning Owner");
    assert_eq!(d.refused_by_condition.len(), 1, "{d:#?}");
    assert_eq!(d.refused_by_condition[0].block, 1);

    let d = check(&m, "alice", ROLE_ASSIGNMENT_DELETE, "mlstore");
    assert_allowed(&d, "deleting an assignment (condition not evaluable)");
    let g = sole(&d);
    assert_eq!(g.block, 2);
    assert!(
        needs_mention(&g.condition, "roleAssignments:RoleDefinitionId"),
        "{:?}",
        g.condition
    );
}

#[test]
fn s1_3_catalogue_has_16_multi_block_roles_and_29_conditioned_roles_whose_conditions_parse() {
    let roles = mlaccess::rbac::catalog::builtin().roles();
    assert_eq!(roles.len(), 928);
    assert_eq!(roles.iter().filter(|r| r.permissions.len() > 1).count(), 16);
    assert_eq!(
        roles
            .iter()
            .filter(|r| r.permissions.iter().any(|b| b.condition.is_some()))
            .count(),
        29
    );
    let conditions: Vec<&str> = roles
        .iter()
        .flat_map(|r| r.permissions.iter().filter_map(|b| b.condition.as_deref()))
        .collect();
    assert_eq!(conditions.len(), 31);
    for c in conditions {
        assert!(
            mlaccess::rbac::condition::parse(c).is_ok(),
            "built-in condition does not parse: {c}"
        );
    }
}

#[test]
fn s1_3_data_action_listed_under_actions_grants_no_data_access() {
    let l = loaded(&format!(
        "{}{}",
        dedent(ESTATE),
        dedent(&format!(
            "
            principals: {{users: [{{name: alice}}]}}
            role_definitions:
              - name: Misfiled Reader
                permissions: [{{actions: ['{BLOB_READ}']}}]
                assignable_scopes: [subscription]
            role_assignments: [{{principal: alice, role: Misfiled Reader, scope: mlstore}}]
            "
        ))
    ));
    assert!(
        l.warnings
            .iter()
            .any(|w| w.path.contains("role_definitions[0]") && w.message.contains(BLOB_READ)),
        "a data action under `actions` is reported: {:?}",
        l.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>()
    );
    let d = check_data(&l.model, "alice", BLOB_READ, "mlstore");
    assert_refused(&d, "the misfiled data action");
    assert!(d.grants.is_empty());
}

#[test]
fn s1_3_control_plane_wildcards_never_grant_data_actions() {
    let m = estate(
        "
        principals: {users: [{name: alice}, {name: bob}]}
        role_assignments:
          - {principal: alice, role: Owner, scope: mlstore}
          - {principal: bob, role: Storage Blob Data Reader, scope: mlstore}
        ",
    );
    let d = check_data(&m, "alice", BLOB_READ, "mlstore");
    assert_refused(&d, "Owner reading blobs by RBAC");
    assert!(d.grants.is_empty() && d.subtracted.is_empty(), "{d:#?}");
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_eq!(&*sole(&d).pattern, "*", "but Owner can list the keys");

    let d = check_data(&m, "bob", BLOB_READ, "mlstore");
    assert_allowed(&d, "Storage Blob Data Reader reading blobs");
    let g = sole(&d);
    assert_eq!((g.block, g.pattern.as_ref()), (0, BLOB_READ));
    assert_refused(
        &check(&m, "bob", LIST_STORAGE_KEYS, "mlstore"),
        "Storage Blob Data Reader listing keys",
    );
    assert_refused(
        &check_data(&m, "bob", BLOB_WRITE, "mlstore"),
        "Storage Blob Data Reader writing blobs",
    );
}

#[test]
fn s1_3_data_action_wildcards_never_grant_control_actions() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Key Vault Administrator, scope: mlkv}]
        ",
    );
    let d = check_data(
        &m,
        "alice",
        "Microsoft.KeyVault/vaults/secrets/getSecret/action",
        "mlkv",
    );
    assert_eq!(&*sole(&d).pattern, "Microsoft.KeyVault/vaults/*");
    assert_refused(
        &check(&m, "alice", "Microsoft.KeyVault/vaults/write", "mlkv"),
        "control-plane vault write through a data-action wildcard",
    );
}

// ----- §1.4 Matching an operation against a pattern ------------------------------------------------

#[test]
fn s1_4_1_matching_is_case_insensitive() {
    for trailing in [Trailing::Bare, Trailing::NotBare] {
        assert!(matches(
            "Microsoft.Authorization/*/Write",
            "microsoft.authorization/roleassignments/write",
            trailing
        ));
        assert!(matches("*/read", "MICROSOFT.STORAGE/STORAGEACCOUNTS/READ", trailing));
    }
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Contributor, scope: mlws}]
        ",
    );
    let d = check(&m, "alice", "microsoft.authorization/ROLEASSIGNMENTS/write", "mlws");
    assert_refused(&d, "Contributor writing role assignments (lower-cased op)");
    assert!(
        d.subtracted
            .iter()
            .any(|s| s.not_pattern == "Microsoft.Authorization/*/Write"),
        "{d:#?}"
    );
    let d = check(
        &m,
        "alice",
        "MICROSOFT.MACHINELEARNINGSERVICES/WORKSPACES/WRITE",
        "mlws",
    );
    assert_eq!(&*sole(&d).pattern, "*");
}

#[test]
fn s1_4_1_contributor_cannot_write_role_assignments_but_can_list_storage_keys() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Contributor, scope: rg:rg-ml}]
        ",
    );
    let d = check(&m, "alice", ROLE_ASSIGNMENT_WRITE, "mlstore");
    assert_refused(&d, "Contributor: roleAssignments/write");
    assert!(d.grants.is_empty());
    assert_eq!(d.subtracted.len(), 1, "{d:#?}");
    assert_eq!(d.subtracted[0].pattern, "*");
    assert_eq!(d.subtracted[0].not_pattern, "Microsoft.Authorization/*/Write");
    assert_refused(
        &check(&m, "alice", ROLE_ASSIGNMENT_DELETE, "mlstore"),
        "roleAssignments/delete",
    );
    assert_refused(
        &check(&m, "alice", "Microsoft.Authorization/roleDefinitions/write", "mlstore"),
        "roleDefinitions/write",
    );
    let d = check(&m, "alice", "Microsoft.Authorization/elevateAccess/action", "mlstore");
    assert_refused(&d, "elevateAccess");
    assert_eq!(
        d.subtracted[0].not_pattern,
        "Microsoft.Authorization/elevateAccess/Action"
    );

    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_allowed(&d, "Contributor: listKeys");
    let g = sole(&d);
    assert_eq!((g.block, g.pattern.as_ref()), (0, "*"));
    assert!(d.subtracted.is_empty());
    // Reading role assignments is not excluded.
    assert_allowed(
        &check(&m, "alice", "Microsoft.Authorization/roleAssignments/read", "mlstore"),
        "roleAssignments/read",
    );
}

#[test]
fn s1_4_2_star_matches_any_sequence_including_slashes() {
    assert!(matches("*/read", "Microsoft.A/b/c/d/read", Trailing::NotBare));
    assert!(!matches(
        "*/read",
        "Microsoft.Storage/storageAccounts/write",
        Trailing::Bare
    ));
    assert!(matches("*", "Microsoft.Anything/at/all/action", Trailing::NotBare));
    let m = estate(
        "
        principals: {users: [{name: alice}, {name: bob}]}
        role_assignments:
          - {principal: alice, role: AzureML Data Scientist, scope: mlws}
          - {principal: bob, role: Virtual Machine Contributor, scope: rg:rg-ml}
        ",
    );
    let d = check(
        &m,
        "alice",
        "Microsoft.MachineLearningServices/workspaces/datasets/registered/preview/read",
        "mlws",
    );
    assert_eq!(
        &*sole(&d).pattern,
        "Microsoft.MachineLearningServices/workspaces/*/read"
    );
    let d = check(
        &m,
        "bob",
        "Microsoft.Compute/virtualMachines/extensions/write",
        "rg:rg-ml",
    );
    assert_eq!(
        &*sole(&d).pattern,
        "Microsoft.Compute/virtualMachines/*",
        "a trailing wildcard covers child resource types"
    );
}

#[test]
fn s1_4_3_slash_star_slash_may_be_empty() {
    for trailing in [Trailing::Bare, Trailing::NotBare] {
        assert!(matches("X/*/Y", "X/Y", trailing));
        assert!(matches("X/*/Y", "x/y", trailing));
        assert!(matches("X/*/Y", "X/a/Y", trailing));
        assert!(matches("X/*/Y", "X/a/b/c/Y", trailing));
        assert!(!matches("X/*/Y", "XY", trailing), "the slashes remain");
        assert!(
            !matches("X/*/Y", "X/Z", trailing),
            "the empty segment does not swallow a name"
        );
        assert!(!matches("X/*/Y", "X/Y/Z", trailing), "anchored at the end");
        assert!(matches(
            "Microsoft.MachineLearningServices/workspaces/*/read",
            WS_READ,
            trailing
        ));
    }
}

#[test]
fn s1_4_3_managed_identity_operator_can_assign_a_user_assigned_identity_in_its_scope() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Managed Identity Operator, scope: uami}]
        ",
    );
    let d = check(&m, "alice", UAI_ASSIGN, "uami");
    assert_allowed(&d, "Managed Identity Operator: userAssignedIdentities/assign/action");
    let g = sole(&d);
    assert_eq!(
        &*g.pattern,
        "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action"
    );
    assert_eq!(g.block, 0);
    assert_eq!(g.coverage, Coverage::Yes);
    assert_allowed(
        &check(
            &m,
            "alice",
            "Microsoft.ManagedIdentity/userAssignedIdentities/read",
            "uami",
        ),
        "reading the identity (`userAssignedIdentities/*/read`)",
    );
    assert_refused(
        &check(&m, "alice", UAI_ASSIGN, "uami-prod"),
        "an identity outside the scope",
    );
    assert_refused(
        &check(
            &m,
            "alice",
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
            "uami",
        ),
        "writing a federated credential",
    );
}

#[test]
fn s1_4_3_data_scientist_cannot_write_computes_or_list_workspace_keys() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: AzureML Data Scientist, scope: mlws}]
        ",
    );
    let d = check(&m, "alice", WS_COMPUTE_WRITE, "mlws");
    assert_refused(&d, "Data Scientist: computes/write");
    assert!(d.grants.is_empty());
    assert_eq!(d.subtracted.len(), 1, "{d:#?}");
    assert_eq!(
        d.subtracted[0].pattern,
        "Microsoft.MachineLearningServices/workspaces/*/write"
    );
    assert_eq!(
        d.subtracted[0].not_pattern,
        "Microsoft.MachineLearningServices/workspaces/computes/*/write"
    );

    let d = check(&m, "alice", WS_LIST_KEYS, "mlws");
    assert_refused(&d, "Data Scientist: workspaces/listKeys/action");
    assert_eq!(d.subtracted.len(), 1, "{d:#?}");
    assert_eq!(d.subtracted[0].not_pattern, WS_LIST_KEYS);

    for op in [
        "Microsoft.MachineLearningServices/workspaces/computes/delete",
        "Microsoft.MachineLearningServices/workspaces/write",
        "Microsoft.MachineLearningServices/workspaces/delete",
        "Microsoft.MachineLearningServices/workspaces/computes/listKeys/action",
    ] {
        assert_refused(&check(&m, "alice", op, "mlws"), op);
    }

    for (op, pattern) in [
        (
            WS_DATASTORE_SECRETS,
            "Microsoft.MachineLearningServices/workspaces/*/action",
        ),
        (WS_JOBS_WRITE, "Microsoft.MachineLearningServices/workspaces/*/write"),
        (WS_READ, "Microsoft.MachineLearningServices/workspaces/*/read"),
    ] {
        let d = check(&m, "alice", op, "mlws");
        assert_allowed(&d, op);
        assert_eq!(&*sole(&d).pattern, pattern, "{op}");
    }
}

#[test]
fn s1_4_3_not_actions_slash_star_delete_removes_the_workspace_delete() {
    // The AML docs' example custom role: `workspaces/*/delete` in NotActions, "It can't delete the
    // workspace".
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_definitions:
          - name: Data Scientist Custom
            permissions:
              - actions: ['*']
                not_actions:
                  - Microsoft.MachineLearningServices/workspaces/*/delete
                  - Microsoft.MachineLearningServices/workspaces/write
                  - Microsoft.Authorization/*/write
            assignable_scopes: [subscription]
        role_assignments: [{principal: alice, role: Data Scientist Custom, scope: mlws}]
        ",
    );
    let d = check(
        &m,
        "alice",
        "Microsoft.MachineLearningServices/workspaces/delete",
        "mlws",
    );
    assert_refused(&d, "deleting the workspace");
    assert_eq!(
        d.subtracted[0].not_pattern,
        "Microsoft.MachineLearningServices/workspaces/*/delete"
    );
    assert_refused(
        &check(
            &m,
            "alice",
            "Microsoft.MachineLearningServices/workspaces/computes/delete",
            "mlws",
        ),
        "deleting a compute",
    );
    assert_allowed(&check(&m, "alice", WS_COMPUTE_WRITE, "mlws"), "creating a compute");
}

#[test]
fn s1_4_4_trailing_star_in_actions_matches_the_bare_prefix() {
    assert!(matches(
        "Microsoft.Storage/storageAccounts/*",
        "Microsoft.Storage/storageAccounts",
        Trailing::Bare
    ));
    assert!(!matches(
        "Microsoft.Storage/storageAccounts/*",
        "Microsoft.Storage/storageAccounts",
        Trailing::NotBare
    ));
    assert!(matches(
        "Microsoft.Storage/storageAccounts/*",
        STORAGE_READ,
        Trailing::NotBare
    ));
    assert!(!matches(
        "Microsoft.Storage/storageAccounts/*",
        "Microsoft.Storage/storageAccountsX",
        Trailing::Bare
    ));
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_definitions:
          - name: Storage Star
            permissions: [{actions: ['Microsoft.Storage/storageAccounts/*']}]
            assignable_scopes: [subscription]
        role_assignments: [{principal: alice, role: Storage Star, scope: mlstore}]
        ",
    );
    let d = check(&m, "alice", "Microsoft.Storage/storageAccounts", "mlstore");
    assert_allowed(&d, "bare prefix under `actions`");
    assert_eq!(&*sole(&d).pattern, "Microsoft.Storage/storageAccounts/*");
}

#[test]
fn s1_4_4_trailing_star_in_not_actions_does_not_remove_the_bare_prefix() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_definitions:
          - name: All But Storage
            permissions: [{actions: ['*'], not_actions: ['Microsoft.Storage/storageAccounts/*']}]
            assignable_scopes: [subscription]
        role_assignments: [{principal: alice, role: All But Storage, scope: mlstore}]
        ",
    );
    let d = check(&m, "alice", "Microsoft.Storage/storageAccounts", "mlstore");
    assert_allowed(&d, "bare prefix is not taken away by `not_actions`");
    assert_eq!(&*sole(&d).pattern, "*");
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "listKeys is taken away");
    assert_eq!(d.subtracted[0].not_pattern, "Microsoft.Storage/storageAccounts/*");
}

#[test]
fn s1_4_4_trailing_star_in_data_lists() {
    let m = estate(
        "
        principals: {users: [{name: alice}, {name: bob}]}
        role_definitions:
          - name: Blob Star
            permissions:
              - data_actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*']
            assignable_scopes: [subscription]
          - name: Data But Blobs
            permissions:
              - data_actions: ['*']
                not_data_actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*']
            assignable_scopes: [subscription]
        role_assignments:
          - {principal: alice, role: Blob Star, scope: mlstore}
          - {principal: bob, role: Data But Blobs, scope: mlstore}
        ",
    );
    let bare = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";
    assert_allowed(
        &check_data(&m, "alice", bare, "mlstore"),
        "bare prefix under `data_actions`",
    );
    assert_allowed(
        &check_data(&m, "alice", BLOB_WRITE, "mlstore"),
        "blob write under `data_actions`",
    );
    assert_allowed(
        &check_data(&m, "bob", bare, "mlstore"),
        "bare prefix not taken away by `not_data_actions`",
    );
    let d = check_data(&m, "bob", BLOB_READ, "mlstore");
    assert_refused(&d, "blob read taken away by `not_data_actions`");
    assert_eq!(d.subtracted.len(), 1);
}

#[test]
fn s1_4_5_any_number_of_wildcards_is_accepted() {
    assert!(matches(
        "Microsoft.CostManagement/*/query/*",
        "Microsoft.CostManagement/exports/query/read",
        Trailing::NotBare
    ));
    assert!(matches("*/*/*", "a/b/c", Trailing::NotBare));
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_definitions:
          - name: Two Stars
            permissions: [{actions: ['Microsoft.MachineLearningServices/*/jobs/*']}]
            assignable_scopes: [subscription]
        role_assignments: [{principal: alice, role: Two Stars, scope: mlws}]
        ",
    );
    let d = check(&m, "alice", WS_JOBS_WRITE, "mlws");
    assert_allowed(&d, "jobs/write through a two-wildcard pattern");
    assert_eq!(&*sole(&d).pattern, "Microsoft.MachineLearningServices/*/jobs/*");
    assert_refused(&check(&m, "alice", WS_READ, "mlws"), "workspaces/read");
}

#[test]
fn s1_4_6_role_patterns_are_not_matched_segment_by_segment_like_abac() {
    // ABAC ActionMatches would make one `*` exactly one segment.
    assert!(matches(
        "Microsoft.Compute/virtualMachines/*",
        "Microsoft.Compute/virtualMachines/extensions/write",
        Trailing::NotBare
    ));
    assert!(matches(
        "Microsoft.MachineLearningServices/workspaces/*/action",
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/getLogs/action",
        Trailing::NotBare
    ));
    // A pattern without wildcards matches exactly that operation, anchored at both ends.
    assert!(!matches(
        "Microsoft.Storage/storageAccounts",
        STORAGE_READ,
        Trailing::Bare
    ));
    assert!(!matches(
        STORAGE_READ,
        "Microsoft.Storage/storageAccounts/read/extra",
        Trailing::Bare
    ));
    assert!(!matches(
        STORAGE_READ,
        "xMicrosoft.Storage/storageAccounts/read",
        Trailing::Bare
    ));
    // Dots and other regex characters are literals.
    assert!(!matches(
        "Microsoft.Storage/read",
        "MicrosoftXStorage/read",
        Trailing::Bare
    ));
    assert!(matches("a+b/(c)?", "a+b/(c)?", Trailing::Bare));
    assert!(!matches("a+b/(c)?", "aab/c", Trailing::Bare));
}

// ----- §1.5 Effective permissions ----------------------------------------------------------------

#[test]
fn s1_5_not_actions_subtract_only_within_their_own_block() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_definitions:
          - name: Two Blocks
            permissions:
              - actions: ['Microsoft.Storage/*']
                not_actions: ['Microsoft.Storage/storageAccounts/listKeys/action']
              - actions: ['Microsoft.Storage/storageAccounts/listKeys/action']
            assignable_scopes: [subscription]
        role_assignments: [{principal: alice, role: Two Blocks, scope: mlstore}]
        ",
    );
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_allowed(&d, "listKeys granted by the second block");
    let g = sole(&d);
    assert_eq!((g.block, g.pattern.as_ref()), (1, LIST_STORAGE_KEYS));
    assert_eq!(d.subtracted.len(), 1);
    assert_eq!(d.subtracted[0].block, 0);
    assert_eq!(d.subtracted[0].pattern, "Microsoft.Storage/*");
    let d = check(&m, "alice", STORAGE_WRITE, "mlstore");
    assert_eq!(sole(&d).block, 0);
}

#[test]
fn s1_5_not_actions_is_not_a_deny_another_assignment_restores_the_action() {
    let m = estate(
        "
        principals:
          users: [{name: alice}]
          groups: [{name: ops, members: [alice]}]
        role_assignments:
          - {principal: alice, role: AzureML Data Scientist, scope: mlws, id: ds}
          - {principal: ops, role: AzureML Compute Operator, scope: mlws, id: compute-op}
          - {principal: alice, role: Contributor, scope: rg:rg-ml, id: contrib}
        ",
    );
    let d = check(&m, "alice", WS_COMPUTE_WRITE, "mlws");
    assert_allowed(&d, "computes/write restored by other assignments");
    let got: Vec<&str> = d.grants.iter().map(|g| aid(&m, g)).collect();
    assert_eq!(got, ["compute-op", "contrib"]);
    assert_eq!(chain(&m, &d.grants[0].via), ["ops"]);
    assert_eq!(
        &*d.grants[0].pattern,
        "Microsoft.MachineLearningServices/workspaces/computes/*"
    );
    assert!(
        d.subtracted.iter().any(|s| m.assignment(s.assignment).id == "ds"),
        "the Data Scientist subtraction is still explained: {d:#?}"
    );
    let d = check(&m, "alice", WS_LIST_KEYS, "mlws");
    assert_allowed(&d, "workspace listKeys restored by Contributor");
    assert_eq!(aid(&m, sole(&d)), "contrib");
}

#[test]
fn s1_5_effective_permissions_are_the_union_over_assignments() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments:
          - {principal: alice, role: Reader, scope: rg:rg-ml}
          - {principal: alice, role: Storage Blob Data Reader, scope: mlstore}
        ",
    );
    assert_eq!(
        role_of(&m, sole(&check(&m, "alice", STORAGE_READ, "mlstore"))),
        "Reader"
    );
    assert_eq!(
        role_of(&m, sole(&check_data(&m, "alice", BLOB_READ, "mlstore"))),
        "Storage Blob Data Reader"
    );
    let d = check(
        &m,
        "alice",
        "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        "mlstore",
    );
    assert_eq!(role_of(&m, sole(&d)), "Storage Blob Data Reader");
    assert_refused(
        &check(&m, "alice", LIST_STORAGE_KEYS, "mlstore"),
        "listKeys (neither role)",
    );
    assert_refused(&check_data(&m, "alice", BLOB_READ, "mlstore2"), "blob read elsewhere");
}

#[test]
fn s1_5_block_with_a_condition_grants_only_when_the_condition_holds() {
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_definitions:
          - name: Pull Delegator
            permissions:
              - actions: ['*/read']
              - actions: ['{ROLE_ASSIGNMENT_WRITE}']
                condition: \"{ONLY_ACR_PULL}\"
            assignable_scopes: [subscription]
        role_assignments: [{{principal: alice, role: Pull Delegator, scope: rg:rg-ml}}]
        "
    ));
    let d = check_assigning(&m, "alice", "mlstore", Some(ACR_PULL));
    assert_allowed(&d, "assigning AcrPull");
    let g = sole(&d);
    assert_eq!((g.block, g.condition.clone()), (1, ConditionStatus::Holds));

    let d = check_assigning(&m, "alice", "mlstore", Some(OWNER));
    assert_refused(&d, "assigning Owner");
    assert!(d.grants.is_empty());
    assert_eq!(d.refused_by_condition.len(), 1);
    assert_eq!(d.refused_by_condition[0].block, 1);
    assert!(matches!(&d.refused_by_condition[0].condition, ConditionStatus::False { text } if text == ONLY_ACR_PULL));
    let d = check(&m, "alice", STORAGE_READ, "mlstore");
    assert_eq!(sole(&d).block, 0, "the unconditioned block is unaffected");
}

// ----- §1.6 and §10 Deny assignments ---------------------------------------------------------------

#[test]
fn s1_6_deny_blocks_even_when_a_role_assignment_allows() {
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}, {{name: bob}}]}}
        role_assignments:
          - {{principal: alice, role: Owner, scope: subscription}}
          - {{principal: bob, role: Owner, scope: subscription}}
        deny_assignments:
          - {{name: no-keys, principals: [alice], actions: ['{LIST_STORAGE_KEYS}'], scope: mlstore}}
        "
    ));
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "alice listing keys under a deny");
    assert_eq!(d.grants.len(), 1, "the Owner grant is still reported: {d:#?}");
    assert_eq!(d.denied_by.len(), 1);
    let hit = &d.denied_by[0];
    assert_eq!(m.deny(hit.deny).name, "no-keys");
    assert_eq!(hit.pattern, LIST_STORAGE_KEYS);
    assert_eq!(hit.via, Some(pid(&m, "alice")));
    assert_allowed(&check(&m, "alice", LIST_STORAGE_KEYS, "mlstore2"), "another account");
    assert_allowed(&check(&m, "alice", STORAGE_WRITE, "mlstore"), "another action");
    assert_allowed(
        &check(&m, "bob", LIST_STORAGE_KEYS, "mlstore"),
        "a principal the deny does not name",
    );
}

#[test]
fn s1_6_deny_to_everyone_applies_to_every_principal() {
    let m = estate(&format!(
        "
        principals:
          users: [{{name: alice}}]
          service_principals: [{{name: ci-deployer}}]
          groups: [{{name: team, members: [alice]}}]
        role_assignments:
          - {{principal: team, role: Owner, scope: subscription}}
          - {{principal: ci-deployer, role: Owner, scope: subscription}}
          - {{principal: uami, role: Owner, scope: subscription}}
        deny_assignments:
          - {{principals: [everyone], actions: ['{LIST_STORAGE_KEYS}'], scope: mlstore}}
        "
    ));
    assert_eq!(m.denies[0].principals, DenyPrincipals::Everyone);
    for who in ["alice", "team", "ci-deployer", "uami"] {
        let d = check(&m, who, LIST_STORAGE_KEYS, "mlstore");
        assert_refused(&d, who);
        assert_eq!(d.denied_by.len(), 1);
        assert_eq!(d.denied_by[0].via, None, "denied as everyone");
        assert_eq!(m.deny(d.denied_by[0].deny).name, "deny_assignments[0]");
    }
}

#[test]
fn s1_6_system_defined_principal_id_means_everyone() {
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_assignments: [{{principal: alice, role: Owner, scope: subscription}}]
        deny_assignments:
          - {{principals: ['{SUB}'], actions: ['{LIST_STORAGE_KEYS}'], scope: mlstore}}
        "
    ));
    assert_eq!(m.denies[0].principals, DenyPrincipals::Everyone);
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "alice under the System-Defined principal");
    assert_eq!(d.denied_by[0].via, None);
}

#[test]
fn s1_6_exclude_principals_are_not_denied() {
    let m = estate(
        "
        principals: {users: [{name: alice}, {name: bob}]}
        role_assignments:
          - {principal: alice, role: Owner, scope: subscription}
          - {principal: bob, role: Owner, scope: subscription}
        deny_assignments:
          - {principals: [everyone], exclude_principals: [alice], actions: ['*'], scope: mlstore}
        ",
    );
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_allowed(&d, "excluded alice");
    assert!(d.denied_by.is_empty());
    let d = check(&m, "bob", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "bob");
    assert_eq!(d.denied_by[0].pattern, "*");
}

#[test]
fn s10_exclude_principals_through_a_group_the_principal_belongs_to() {
    // §10: P is excluded if P or any group P belongs to is in `exclude_principals` (transitively, per
    // docs/decisions.md).
    let m = estate(&format!(
        "
        principals:
          users: [{{name: alice}}, {{name: bob}}, {{name: carol}}]
          groups:
            - {{name: break-glass, members: [carol, oncall]}}
            - {{name: oncall, members: [alice]}}
        role_assignments:
          - {{principal: alice, role: Owner, scope: subscription}}
          - {{principal: bob, role: Owner, scope: subscription}}
          - {{principal: carol, role: Owner, scope: subscription}}
        deny_assignments:
          - {{principals: [everyone], exclude_principals: [break-glass], actions: ['{LIST_STORAGE_KEYS}'], scope: mlstore}}
        "
    ));
    assert_allowed(
        &check(&m, "carol", LIST_STORAGE_KEYS, "mlstore"),
        "carol, a direct member of the excluded group",
    );
    assert_allowed(
        &check(&m, "alice", LIST_STORAGE_KEYS, "mlstore"),
        "alice, a nested member of the excluded group",
    );
    let d = check(&m, "bob", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "bob, in no excluded group");
    assert_eq!(d.denied_by[0].via, None);
}

#[test]
fn s1_6_exclusion_wins_over_a_group_the_deny_names() {
    let m = estate(&format!(
        "
        principals:
          users: [{{name: alice}}, {{name: bob}}]
          groups: [{{name: team, members: [alice, bob]}}]
        role_assignments: [{{principal: team, role: Owner, scope: subscription}}]
        deny_assignments:
          - {{principals: [team], exclude_principals: [alice], actions: ['{LIST_STORAGE_KEYS}'], scope: mlstore}}
        "
    ));
    assert_allowed(&check(&m, "alice", LIST_STORAGE_KEYS, "mlstore"), "alice, excluded");
    let d = check(&m, "bob", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "bob");
    assert_eq!(d.denied_by[0].via, Some(pid(&m, "team")));
}

#[test]
fn s10_everyone_is_a_reserved_name() {
    let err = try_load(
        "
        version: 1
        principals: {users: [{name: everyone}]}
        ",
    )
    .map(|_| ())
    .expect_err("a principal named `everyone` must be rejected");
    assert!(err.contains("principals.users[0].name"), "{err}");
    let err = try_load(
        "
        version: 1
        principals: {users: [{name: alice}]}
        resources: [{name: rg-ml, type: resource_group}]
        role_assignments: [{principal: everyone, role: Reader, scope: rg:rg-ml}]
        ",
    )
    .map(|_| ())
    .expect_err("`everyone` holds no role assignment");
    assert!(err.contains("role_assignments[0].principal"), "{err}");
}

#[test]
fn s1_6_deny_not_actions_are_excluded_from_the_deny() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Owner, scope: subscription}]
        deny_assignments:
          - principals: [everyone]
            actions: ['Microsoft.Storage/storageAccounts/*']
            not_actions: ['Microsoft.Storage/storageAccounts/read']
            scope: mlstore
        ",
    );
    let d = check(&m, "alice", STORAGE_READ, "mlstore");
    assert_allowed(&d, "read, excluded from the deny");
    assert!(d.denied_by.is_empty());
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "listKeys");
    assert_eq!(d.denied_by[0].pattern, "Microsoft.Storage/storageAccounts/*");
}

#[test]
fn s1_6_deny_data_actions_are_separate_from_actions() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments:
          - {principal: alice, role: Storage Blob Data Contributor, scope: mlstore}
        deny_assignments:
          - name: no-blob-writes
            principals: [everyone]
            data_actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*']
            not_data_actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read']
            scope: mlstore
          - {name: no-control, principals: [everyone], actions: ['*'], scope: mlstore2}
        ",
    );
    let d = check_data(&m, "alice", BLOB_WRITE, "mlstore");
    assert_refused(&d, "blob write");
    assert_eq!(m.deny(d.denied_by[0].deny).name, "no-blob-writes");
    assert_allowed(
        &check_data(&m, "alice", BLOB_READ, "mlstore"),
        "blob read (not_data_actions)",
    );
    assert_allowed(
        &check(
            &m,
            "alice",
            "Microsoft.Storage/storageAccounts/blobServices/containers/write",
            "mlstore",
        ),
        "a control action under a data-only deny",
    );

    // A control-plane `*` in a deny does not deny data actions.
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Storage Blob Data Contributor, scope: mlstore}]
        deny_assignments: [{principals: [everyone], actions: ['*'], scope: mlstore}]
        ",
    );
    assert_allowed(
        &check_data(&m, "alice", BLOB_READ, "mlstore"),
        "data action under a control-only deny",
    );
    assert_refused(
        &check(
            &m,
            "alice",
            "Microsoft.Storage/storageAccounts/blobServices/containers/read",
            "mlstore",
        ),
        "control action under a control `*` deny",
    );
}

#[test]
fn s1_6_deny_on_group_applies_to_direct_members_only() {
    let m = estate(&format!(
        "
        principals:
          users: [{{name: alice}}, {{name: carol}}]
          groups:
            - {{name: team, members: [alice, sub-team]}}
            - {{name: sub-team, members: [carol]}}
        role_assignments:
          - {{principal: alice, role: Owner, scope: subscription}}
          - {{principal: carol, role: Owner, scope: subscription}}
          - {{principal: team, role: Owner, scope: subscription}}
        deny_assignments:
          - {{name: team-no-keys, principals: [team], actions: ['{LIST_STORAGE_KEYS}'], scope: mlstore}}
        "
    ));
    let team = pid(&m, "team");
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "alice, a direct member");
    assert_eq!(d.denied_by[0].via, Some(team));
    let d = check(&m, "team", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "the group itself");
    assert_eq!(d.denied_by[0].via, Some(team));
    let d = check(&m, "sub-team", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "sub-team, a direct member (a group)");

    let d = check(&m, "carol", LIST_STORAGE_KEYS, "mlstore");
    assert_allowed(&d, "carol, a nested member");
    assert!(d.denied_by.is_empty());
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("team-no-keys") && n.contains("team") && n.to_lowercase().contains("nested")),
        "the answer says the deny may cover nested members: {:?}",
        d.notes
    );
}

#[test]
fn s1_6_deny_do_not_apply_to_child_scopes_limits_it_to_its_own_scope() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Owner, scope: subscription}]
        deny_assignments:
          - {name: rg-only, principals: [everyone], actions: ['*/write'], scope: rg:rg-ml, do_not_apply_to_child_scopes: true}
          - {name: rg-and-below, principals: [everyone], actions: ['*/write'], scope: rg:rg-ml-prod}
        ",
    );
    let d = check(
        &m,
        "alice",
        "Microsoft.Resources/subscriptions/resourceGroups/write",
        "rg:rg-ml",
    );
    assert_refused(&d, "at the deny's own scope");
    assert_eq!(m.deny(d.denied_by[0].deny).name, "rg-only");
    assert_allowed(
        &check(&m, "alice", STORAGE_WRITE, "mlstore"),
        "below a do-not-apply-to-children deny",
    );
    assert_allowed(&check(&m, "alice", WS_COMPUTE_WRITE, "mlws/ci-1"), "two levels below");
    // By default (false) a deny applies below its scope.
    let d = check(&m, "alice", STORAGE_WRITE, "prodstore");
    assert_refused(&d, "below an ordinary deny");
    assert_eq!(m.deny(d.denied_by[0].deny).name, "rg-and-below");
}

#[test]
fn s1_6_deny_applies_at_and_below_its_scope_only() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Owner, scope: subscription}]
        deny_assignments:
          - {principals: [everyone], actions: ['*'], scope: mlws}
        ",
    );
    assert_refused(&check(&m, "alice", WS_COMPUTE_WRITE, "mlws"), "at the workspace");
    assert_refused(&check(&m, "alice", WS_COMPUTE_WRITE, "mlws/ci-1"), "at its compute");
    assert_allowed(
        &check(&m, "alice", STORAGE_WRITE, "rg:rg-ml"),
        "the resource group above",
    );
    assert_allowed(&check(&m, "alice", STORAGE_WRITE, "mlstore"), "a sibling resource");
}

#[test]
fn s1_6_deny_at_root_applies_everywhere() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Owner, scope: /}]
        deny_assignments: [{principals: [alice], actions: ['Microsoft.Authorization/*'], scope: /}]
        ",
    );
    for at in ["subscription", "mlstore", "mlws/ci-1"] {
        let d = check(&m, "alice", ROLE_ASSIGNMENT_WRITE, at);
        assert_refused(&d, at);
        assert_eq!(d.denied_by[0].pattern, "Microsoft.Authorization/*");
    }
}

#[test]
fn s1_6_deny_matching_is_case_insensitive() {
    let shouting = MLSTORE_ID.to_uppercase();
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_assignments: [{{principal: alice, role: Owner, scope: subscription}}]
        deny_assignments:
          - {{principals: [ALICE], actions: ['MICROSOFT.STORAGE/storageaccounts/LISTKEYS/*'], scope: '{shouting}'}}
        "
    ));
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_refused(&d, "deny written in other cases");
    assert_eq!(d.denied_by[0].pattern, "MICROSOFT.STORAGE/storageaccounts/LISTKEYS/*");
}

#[test]
fn s10_deny_at_management_group_is_not_applied() {
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_assignments: [{{principal: alice, role: Owner, scope: subscription}}]
        deny_assignments:
          - {{name: corp-guard, principals: [everyone], actions: ['*'], scope: {MG}}}
        "
    ));
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    assert_allowed(&d, "a deny at a management group is not applied");
    assert!(d.denied_by.is_empty());
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("corp-guard") && n.to_lowercase().contains("management group")),
        "the answer says so: {:?}",
        d.notes
    );
}

#[test]
fn s10_deny_trailing_star_does_not_match_bare_prefix() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Owner, scope: subscription}]
        deny_assignments:
          - {principals: [everyone], actions: ['Microsoft.Storage/storageAccounts/*'], scope: mlstore}
        ",
    );
    let d = check(&m, "alice", "Microsoft.Storage/storageAccounts", "mlstore");
    assert_allowed(&d, "the bare prefix of a deny's trailing `/*`");
    assert!(d.denied_by.is_empty());
    assert_refused(
        &check(&m, "alice", STORAGE_READ, "mlstore"),
        "an action under the prefix",
    );

    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_definitions:
          - name: Blob Star
            permissions: [{data_actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*']}]
            assignable_scopes: [subscription]
        role_assignments: [{principal: alice, role: Blob Star, scope: mlstore}]
        deny_assignments:
          - {principals: [everyone], data_actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'], scope: mlstore}
        ",
    );
    let bare = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";
    let d = check_data(&m, "alice", bare, "mlstore");
    assert_allowed(&d, "the bare prefix of a deny's trailing `/*` (data)");
    assert_refused(
        &check_data(&m, "alice", BLOB_READ, "mlstore"),
        "blob read under the deny",
    );
}

#[test]
fn s10_deny_not_lists_trailing_star_match_the_bare_prefix() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_definitions:
          - name: Everything
            permissions: [{actions: ['*'], data_actions: ['*']}]
            assignable_scopes: [subscription]
        role_assignments: [{principal: alice, role: Everything, scope: subscription}]
        deny_assignments:
          - principals: [everyone]
            actions: ['*']
            not_actions: ['Microsoft.Storage/storageAccounts/*']
            data_actions: ['*']
            not_data_actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*']
            scope: mlstore
        ",
    );
    assert_allowed(
        &check(&m, "alice", "Microsoft.Storage/storageAccounts", "mlstore"),
        "bare prefix excluded from the deny by `not_actions`",
    );
    assert_allowed(
        &check(&m, "alice", STORAGE_READ, "mlstore"),
        "an action excluded by `not_actions`",
    );
    assert_refused(
        &check(&m, "alice", "Microsoft.KeyVault/vaults/read", "mlstore"),
        "an action not excluded",
    );
    assert_allowed(
        &check_data(
            &m,
            "alice",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs",
            "mlstore",
        ),
        "bare prefix excluded from the deny by `not_data_actions`",
    );
    assert_refused(
        &check_data(
            &m,
            "alice",
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "mlstore",
        ),
        "a data action not excluded",
    );
}

// ----- §1.7 Conditions ------------------------------------------------------------------------------

fn kv_data_access_admin() -> Model {
    estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Key Vault Data Access Administrator, scope: mlkv, id: kv-daa}]
        ",
    )
}

#[test]
fn s1_7_key_vault_data_access_administrator_may_assign_key_vault_secrets_user() {
    let m = kv_data_access_admin();
    let d = check_assigning(&m, "alice", "mlkv", Some(KEY_VAULT_SECRETS_USER));
    assert_allowed(&d, "assigning Key Vault Secrets User");
    let g = sole(&d);
    assert_eq!(aid(&m, g), "kv-daa");
    assert_eq!((g.block, g.pattern.as_ref()), (0, ROLE_ASSIGNMENT_WRITE));
    assert_eq!(g.condition, ConditionStatus::Holds);
    assert!(d.refused_by_condition.is_empty());
    // GUIDs compare case-insensitively.
    let d = check_assigning(&m, "alice", "mlkv", Some(&KEY_VAULT_SECRETS_USER.to_uppercase()));
    assert_eq!(sole(&d).condition, ConditionStatus::Holds);
}

#[test]
fn s1_7_key_vault_data_access_administrator_may_not_assign_owner() {
    let m = kv_data_access_admin();
    let d = check_assigning(&m, "alice", "mlkv", Some(OWNER));
    assert_refused(&d, "assigning Owner");
    assert!(d.grants.is_empty());
    assert_eq!(d.refused_by_condition.len(), 1, "{d:#?}");
    let g = &d.refused_by_condition[0];
    assert_eq!(aid(&m, g), "kv-daa");
    assert_eq!(&*g.pattern, ROLE_ASSIGNMENT_WRITE);
    match &g.condition {
        ConditionStatus::False { text } => assert!(text.contains(KEY_VAULT_SECRETS_USER), "{text}"),
        other => panic!("expected a false condition, got {other:?}"),
    }
}

#[test]
fn s1_7_key_vault_data_access_administrator_without_the_assigned_role_is_not_evaluated() {
    let m = kv_data_access_admin();
    let d = check_assigning(&m, "alice", "mlkv", None);
    assert_allowed(&d, "assigning an unknown role (assumed to hold)");
    let g = sole(&d);
    match &g.condition {
        ConditionStatus::NotEvaluated { text, needs } => {
            assert!(text.contains("GuidEquals"), "{text}");
            assert!(
                needs.iter().any(|n| n
                    .to_lowercase()
                    .contains("request[microsoft.authorization/roleassignments:roledefinitionid]")),
                "the request attribute is reported as needed: {needs:?}"
            );
        }
        other => panic!("expected NotEvaluated, got {other:?}"),
    }
}

#[test]
fn s1_7_condition_only_constrains_the_actions_it_names() {
    // `(!(ActionMatches{write}) OR …) AND (!(ActionMatches{delete}) OR …)` is true for any other action,
    // whatever the unknown attributes are.
    let m = kv_data_access_admin();
    let d = check(&m, "alice", "Microsoft.KeyVault/vaults/read", "mlkv");
    assert_allowed(&d, "vault read");
    let g = sole(&d);
    assert_eq!(&*g.pattern, "Microsoft.KeyVault/vaults/*/read");
    assert_eq!(g.condition, ConditionStatus::Holds);
    // A delete needs the existing assignment's role, which the request does not know.
    let d = check(&m, "alice", ROLE_ASSIGNMENT_DELETE, "mlkv");
    assert_allowed(&d, "deleting an assignment");
    assert!(needs_mention(
        &sole(&d).condition,
        "Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId]"
    ));
}

#[test]
fn s1_7_guid_comparison_ignores_dashes_in_builtin_conditions() {
    // Azure Sphere Owner writes its GUIDs without dashes.
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Azure Sphere Owner, scope: mlws}]
        ",
    );
    let d = check_assigning(&m, "alice", "mlws", Some(AZURE_SPHERE_OWNER));
    assert_allowed(&d, "assigning Azure Sphere Owner");
    let g = sole(&d);
    assert_eq!((g.block, g.condition.clone()), (1, ConditionStatus::Holds));
    let d = check_assigning(&m, "alice", "mlws", Some(OWNER));
    assert_refused(&d, "assigning Owner");
    assert_eq!(d.refused_by_condition[0].block, 1);
}

#[test]
fn s1_7_a_condition_false_on_known_attributes_is_false_whatever_the_unknown_ones() {
    // Azure Resilience Management Goals Administrator: `@Resource[HasObotoken] boolequals true && (role
    // in {…})`. The model never knows HasObotoken; the role being assigned is known.
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Azure Resilience Management Goals Administrator, scope: mlws}]
        ",
    );
    let reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    let d = check_assigning(&m, "alice", "mlws", Some(reader));
    assert_allowed(&d, "assigning Reader (listed; HasObotoken unknown)");
    let g = sole(&d);
    assert_eq!(g.block, 0);
    assert!(needs_mention(&g.condition, "HasObotoken"), "{:?}", g.condition);
    let d = check_assigning(&m, "alice", "mlws", Some(OWNER));
    assert_refused(&d, "assigning Owner (not listed)");
    assert!(matches!(
        d.refused_by_condition[0].condition,
        ConditionStatus::False { .. }
    ));
}

#[test]
fn s1_7_not_evaluated_reports_only_the_attributes_still_needed() {
    // docs/decisions.md: a condition that needs an unknown attribute is assumed to hold and reported as
    // "not evaluated" with the attributes it needs.
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments:
          - {principal: alice, role: Azure Resilience Management Goals Administrator, scope: mlws}
          - {principal: alice, role: Key Vault Data Access Administrator, scope: mlkv}
        ",
    );
    // The role being assigned is given, so only HasObotoken is missing.
    let d = check_assigning(&m, "alice", "mlws", Some("acdd72a7-3385-48ef-bd42-f606fba81ae7"));
    match &sole(&d).condition {
        ConditionStatus::NotEvaluated { needs, .. } => {
            assert_eq!(
                needs,
                &["@Resource[HasObotoken]".to_string()],
                "a known attribute is reported as needed"
            )
        }
        other => panic!("expected NotEvaluated, got {other:?}"),
    }
    // A write never needs the role of an existing assignment (`@Resource[...]`, the delete branch).
    let d = check_assigning(&m, "alice", "mlkv", None);
    match &sole(&d).condition {
        ConditionStatus::NotEvaluated { needs, .. } => assert_eq!(
            needs,
            &["@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]".to_string()],
            "only the attribute of the write branch is needed"
        ),
        other => panic!("expected NotEvaluated, got {other:?}"),
    }
}

#[test]
fn s1_7_assignment_condition_on_a_container_name_is_not_evaluated_and_assumed_to_hold() {
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_assignments:
          - principal: alice
            role: Storage Blob Data Contributor
            scope: mlstore
            condition: \"{CONTAINER_CONDITION}\"
        "
    ));
    let d = check_data(&m, "alice", BLOB_READ, "mlstore");
    assert_allowed(&d, "blob read under a container condition");
    match &sole(&d).condition {
        ConditionStatus::NotEvaluated { text, needs } => {
            assert_eq!(text, CONTAINER_CONDITION);
            assert!(
                needs.iter().any(|n| n.to_lowercase().contains("containers:name")),
                "{needs:?}"
            );
        }
        other => panic!("expected NotEvaluated, got {other:?}"),
    }
    // The condition only constrains blob reads: a blob write is decided without the container.
    let d = check_data(&m, "alice", BLOB_WRITE, "mlstore");
    assert_eq!(sole(&d).condition, ConditionStatus::Holds);
}

#[test]
fn s1_7_a_false_condition_removes_only_that_grant() {
    // §1.7: a condition filters down the permissions of its assignment; it cannot deny beyond it.
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_assignments:
          - principal: alice
            role: Role Based Access Control Administrator
            scope: mlws
            id: rbac-admin
            condition: \"{ONLY_ACR_PULL}\"
          - {{principal: alice, role: User Access Administrator, scope: rg:rg-ml, id: uaa}}
        "
    ));
    let d = check_assigning(&m, "alice", "mlws", Some(OWNER));
    assert_allowed(&d, "assigning Owner through User Access Administrator");
    assert_eq!(aid(&m, sole(&d)), "uaa");
    assert_eq!(d.refused_by_condition.len(), 1);
    assert_eq!(aid(&m, &d.refused_by_condition[0]), "rbac-admin");

    let d = check_assigning(&m, "alice", "mlws", Some(ACR_PULL));
    let got: Vec<(&str, ConditionStatus)> = d.grants.iter().map(|g| (aid(&m, g), g.condition.clone())).collect();
    assert_eq!(
        got,
        [("rbac-admin", ConditionStatus::Holds), ("uaa", ConditionStatus::None)]
    );
}

#[test]
fn s1_7_condition_on_an_assignment_that_delegates_role_assignment() {
    // §1.7 item 3: the same condition language on an assignment of Role Based Access Control
    // Administrator.
    let m = estate(&format!(
        "
        principals: {{users: [{{name: alice}}]}}
        role_assignments:
          - principal: alice
            role: Role Based Access Control Administrator
            scope: rg:rg-ml
            condition: \"{ONLY_ACR_PULL}\"
        "
    ));
    let d = check_assigning(&m, "alice", "mlstore", Some(ACR_PULL));
    assert_eq!(sole(&d).condition, ConditionStatus::Holds);
    let d = check_assigning(&m, "alice", "mlstore", Some(OWNER));
    assert_refused(&d, "assigning Owner");
    assert!(matches!(
        d.refused_by_condition[0].condition,
        ConditionStatus::False { .. }
    ));
    let d = check_assigning(&m, "alice", "mlstore", None);
    assert_allowed(&d, "assigning an unknown role");
    assert!(needs_mention(&sole(&d).condition, "RoleDefinitionId"));
    // The other actions of the role are untouched by the condition.
    let d = check(&m, "alice", STORAGE_READ, "mlstore");
    assert_eq!(sole(&d).condition, ConditionStatus::Holds);
}

#[test]
fn s1_7_a_condition_that_does_not_parse_is_a_model_error() {
    // docs/decisions.md: a condition that does not parse is an error in a model.
    let yaml = format!(
        "{}{}",
        dedent(ESTATE),
        dedent(
            "
            principals: {users: [{name: alice}]}
            role_assignments:
              - {principal: alice, role: Reader, scope: mlws, condition: '((@Request[x] StringEquals'}
            "
        )
    );
    let err = try_load(&yaml)
        .map(|_| ())
        .expect_err("an unparsable condition must be rejected");
    assert!(err.contains("role_assignments[0].condition"), "{err}");
}

// ----- §1.8 The evaluation algorithm ----------------------------------------------------------------

#[test]
fn s1_8_without_an_applicable_grant_the_request_is_not_allowed() {
    let m = estate(
        "
        principals: {users: [{name: alice}, {name: bob}]}
        role_assignments: [{principal: alice, role: Reader, scope: mlws}]
        ",
    );
    let d = check(
        &m,
        "alice",
        "Microsoft.MachineLearningServices/workspaces/write",
        "mlws",
    );
    assert_refused(&d, "write with Reader");
    assert!(d.grants.is_empty() && d.denied_by.is_empty() && d.refused_by_condition.is_empty());
    let d = check(&m, "bob", WS_READ, "mlws");
    assert_refused(&d, "a principal with no assignment");
    assert!(d.grants.is_empty());
}

#[test]
fn s1_8_the_grant_is_the_witness_assignment_block_pattern_and_group_chain() {
    let m = estate(
        "
        principals:
          users: [{name: alice}]
          groups:
            - {name: data-scientists, members: [alice]}
            - {name: ml-all, members: [data-scientists]}
        role_assignments:
          - {principal: ml-all, role: AzureML Data Scientist, scope: rg:rg-ml, id: ds-on-rg}
        ",
    );
    let d = check(&m, "alice", WS_DATASTORE_SECRETS, "mlws");
    assert_allowed(&d, "datastore secrets");
    let g = sole(&d);
    assert_eq!(aid(&m, g), "ds-on-rg");
    assert_eq!(role_of(&m, g), "AzureML Data Scientist");
    assert_eq!(chain(&m, &g.via), ["data-scientists", "ml-all"]);
    assert_eq!(g.block, 0);
    assert_eq!(&*g.pattern, "Microsoft.MachineLearningServices/workspaces/*/action");
    assert_eq!(g.coverage, Coverage::Yes);
    assert_eq!(g.condition, ConditionStatus::None);
    assert!(d.denied_by.is_empty() && d.subtracted.is_empty());
}

#[test]
fn s1_8_every_applicable_grant_is_reported_and_a_deny_still_wins() {
    let m = estate(&format!(
        "
        principals:
          users: [{{name: alice}}]
          groups: [{{name: team, members: [alice]}}]
        role_assignments:
          - {{principal: alice, role: Owner, scope: subscription, id: a-owner}}
          - {{principal: team, role: Storage Account Contributor, scope: rg:rg-ml, id: b-sac}}
          - {{principal: alice, role: Contributor, scope: mlstore, id: c-contrib}}
        deny_assignments:
          - {{principals: [team], actions: ['{LIST_STORAGE_KEYS}'], scope: rg:rg-ml}}
        "
    ));
    let d = check(&m, "alice", LIST_STORAGE_KEYS, "mlstore");
    let got: Vec<&str> = d.grants.iter().map(|g| aid(&m, g)).collect();
    assert_eq!(got, ["a-owner", "b-sac", "c-contrib"]);
    assert_refused(&d, "the deny on team (alice is a direct member)");
    assert_eq!(d.denied_by[0].via, Some(pid(&m, "team")));
    let d = check(&m, "alice", STORAGE_WRITE, "mlstore");
    assert_allowed(&d, "storage write (not denied)");
    assert_eq!(d.grants.len(), 3);
}

// ----- §1.9 Custom roles and assignableScopes ---------------------------------------------------------

#[test]
fn s1_9_builtin_roles_are_assignable_at_root() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments:
          - {principal: alice, role: Owner, scope: mlws}
          - {principal: alice, role: Storage Blob Data Reader, scope: mlstore}
        ",
    );
    for a in &m.assignments {
        assert_eq!(m.role(a.role).assignable_scopes, ["/"], "{}", m.role(a.role).name);
    }
}

#[test]
fn s1_9_access_is_decided_by_the_assignment_not_by_assignable_scopes() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_definitions:
          - name: Prod Job Submitter
            permissions: [{actions: ['Microsoft.MachineLearningServices/workspaces/jobs/*']}]
            assignable_scopes: [rg:rg-ml-prod]
        role_assignments: [{principal: alice, role: Prod Job Submitter, scope: mlws}]
        ",
    );
    let d = check(&m, "alice", WS_JOBS_WRITE, "mlws");
    assert_allowed(&d, "an assignment outside the role's assignable scopes");
    assert_eq!(
        &*sole(&d).pattern,
        "Microsoft.MachineLearningServices/workspaces/jobs/*"
    );
}

// ----- §1.10 Classic administrators and elevated access --------------------------------------------

#[test]
fn s1_10_owner_at_subscription_reaches_everything_in_it() {
    // Classic administrators are modelled as Owner at subscription scope.
    let container = format!("{MLSTORE_ID}/blobServices/default/containers/raw");
    let m = estate(
        "
        principals: {users: [{name: classic-admin}]}
        role_assignments: [{principal: classic-admin, role: Owner, scope: subscription}]
        ",
    );
    for at in ["subscription", "rg:rg-ml-prod", "mlkv", "mlws/ci-1", container.as_str()] {
        let d = check(&m, "classic-admin", ROLE_ASSIGNMENT_WRITE, at);
        assert_allowed(&d, at);
        assert_eq!(&*sole(&d).pattern, "*");
    }
}

#[test]
fn s1_10_user_access_administrator_at_root_can_assign_any_role_anywhere() {
    // What elevateAccess/action gives a Global Administrator.
    let m = estate(
        "
        principals: {users: [{name: global-admin}]}
        role_assignments: [{principal: global-admin, role: User Access Administrator, scope: /}]
        ",
    );
    for at in ["/", "subscription", OTHER_SUB, "prodstore", "mlws/ci-1"] {
        let d = check_assigning(&m, "global-admin", at, Some(OWNER));
        assert_allowed(&d, at);
        let g = sole(&d);
        assert_eq!(&*g.pattern, "Microsoft.Authorization/*");
        assert_eq!(g.coverage, Coverage::Yes);
    }
    assert_refused(&check(&m, "global-admin", LIST_STORAGE_KEYS, "mlstore"), "listKeys");
    assert_allowed(&check(&m, "global-admin", STORAGE_READ, "mlstore"), "`*/read`");
}

// ----- §6.3 cross-checks: the effective actions of built-in roles ----------------------------------

/// The rows of both §6.3 tables: (role, action, expected), from the fixture copy of the spec.
fn section_6_3_rows() -> Vec<(String, String, bool)> {
    let text = include_str!("fixtures/rbac/section-6.3-effective-actions.md");
    let mut out = Vec::new();
    let mut header: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<String> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        if cells.first().is_some_and(|c| c == "action") {
            header = cells;
            continue;
        }
        if cells.iter().all(|c| c.chars().all(|ch| ch == '-')) {
            continue;
        }
        let action = cells[0].trim_matches('`').to_string();
        for (role, cell) in header.iter().zip(&cells).skip(1) {
            assert!(cell == "Y" || cell == "-", "unexpected cell `{cell}` in {line}");
            out.push((role.clone(), action.clone(), cell == "Y"));
        }
    }
    out
}

#[test]
fn s6_3_effective_actions_of_builtin_roles_match_the_computed_table() {
    let rows = section_6_3_rows();
    let mut roles: Vec<&str> = rows.iter().map(|(r, _, _)| r.as_str()).collect();
    roles.sort_unstable();
    roles.dedup();
    assert_eq!(roles.len(), 17, "{roles:?}");
    assert!(rows.len() > 600, "both tables were read: {}", rows.len());
    let mut yaml = String::from("principals:\n  users:\n");
    for i in 0..roles.len() {
        yaml.push_str(&format!("    - {{name: u{i}}}\n"));
    }
    yaml.push_str("role_assignments:\n");
    for (i, role) in roles.iter().enumerate() {
        yaml.push_str(&format!("  - {{principal: u{i}, role: '{role}', scope: rg:rg-ml}}\n"));
    }
    let m = estate(&yaml);
    let data = [
        BLOB_READ,
        BLOB_WRITE,
        "Microsoft.KeyVault/vaults/secrets/getSecret/action",
    ];
    let rbac = Rbac::new(&m);
    let target = key(&m, "rg:rg-ml");
    let mut wrong = Vec::new();
    for (role, action, expected) in &rows {
        let i = roles.iter().position(|r| r == role).unwrap();
        let kind = if data.contains(&action.as_str()) {
            OpKind::Data
        } else {
            OpKind::Control
        };
        let d = rbac.check(&Request {
            principal: pid(&m, &format!("u{i}")),
            operation: action,
            kind,
            target: &target,
            attributes: RequestAttributes::default(),
        });
        if d.allowed != *expected {
            wrong.push(format!(
                "{role} / {action}: table says {expected}, decision {}",
                d.allowed
            ));
        }
    }
    assert!(wrong.is_empty(), "{} disagreements:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn s6_3_reader_matches_notebook_keys_secrets_metadata_and_registry_pull() {
    let m = estate(
        "
        principals: {users: [{name: alice}]}
        role_assignments: [{principal: alice, role: Reader, scope: rg:rg-ml}]
        ",
    );
    for op in [
        "Microsoft.MachineLearningServices/workspaces/listNotebookKeys/read",
        "Microsoft.MachineLearningServices/workspaces/listNotebookAccessToken/read",
        "Microsoft.MachineLearningServices/workspaces/metadata/secrets/read",
        "Microsoft.ContainerRegistry/registries/pull/read",
        "Microsoft.Resources/deployments/read",
    ] {
        let d = check(&m, "alice", op, "mlws");
        assert_allowed(&d, op);
        assert_eq!(&*sole(&d).pattern, "*/read");
    }
    for op in [
        WS_DATASTORE_SECRETS,
        "Microsoft.MachineLearningServices/workspaces/connections/listsecrets/action",
    ] {
        assert_refused(&check(&m, "alice", op, "mlws"), op);
    }
}

#[test]
fn s6_3_data_scientist_and_ai_developer_differ_on_computes() {
    let m = estate(
        "
        principals: {users: [{name: ds}, {name: dev}]}
        role_assignments:
          - {principal: ds, role: AzureML Data Scientist, scope: mlws}
          - {principal: dev, role: Azure AI Developer, scope: mlws}
        ",
    );
    for op in [
        WS_COMPUTE_WRITE,
        "Microsoft.MachineLearningServices/workspaces/computes/listKeys/action",
    ] {
        assert_refused(&check(&m, "ds", op, "mlws"), op);
        let d = check(&m, "dev", op, "mlws");
        assert_allowed(&d, op);
        assert!(
            d.grants[0]
                .pattern
                .starts_with("Microsoft.MachineLearningServices/workspaces/*/")
        );
    }
    let d = check(
        &m,
        "ds",
        "Microsoft.MachineLearningServices/workspaces/computes/applicationaccess/action",
        "mlws",
    );
    assert_eq!(
        &*sole(&d).pattern,
        "Microsoft.MachineLearningServices/workspaces/*/action"
    );
}
