//! Rule documentation for `--explain`: what each rule of a witness means and where it comes from.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::answer::Answer;
use crate::graph::{AccessGraph, RuleId};

/// One line of meaning and the source of a rule (`docs/rules.md` has the full text).
pub fn doc(rule: RuleId) -> (&'static str, &'static str) {
    match rule {
        RuleId::Membership => (
            "a principal's token carries its groups, transitively",
            "semantics §1.1 (DOC)",
        ),
        RuleId::Grant => (
            "a role assignment allows an operation (Actions − NotActions per block, data actions apart, denies, conditions)",
            "semantics §1 (DOC/DERIVED)",
        ),
        RuleId::P01 => (
            "roleAssignments/write at S lets the holder assign any role (to itself) at S or below",
            "semantics §3 P01 (DOC)",
        ),
        RuleId::P04 => (
            "storage listKeys returns the account keys; a key reads and writes all data by Shared Key",
            "semantics §3 P04 (DOC)",
        ),
        RuleId::P05 => (
            "storage write can turn Shared Key access back on",
            "semantics §3 P05 (DOC)",
        ),
        RuleId::P07 => (
            "write on an access-policy key vault lets the holder grant itself secret access",
            "semantics §3 P07 (DOC)",
        ),
        RuleId::P08 => (
            "datastore listsecrets (or the workspace key vault) returns the datastore's stored secret",
            "semantics §3 P08 (DATA/DOC), §10",
        ),
        RuleId::P09 => (
            "workspace listKeys returns the storage key and the registry's admin credentials",
            "semantics §3 P09 (DATA)",
        ),
        RuleId::P10 => (
            "workspace listStorageAccountKeys returns the storage key (unverified)",
            "semantics §3 P10, §10 (UNCERTAIN)",
        ),
        RuleId::P12 => (
            "jobs/write runs code on every compute of the workspace",
            "semantics §3 P12 (DOC), §10",
        ),
        RuleId::P13 => (
            "computes/write creates a compute with the creator's SSH key",
            "semantics §3 P13 (DOC), §9",
        ),
        RuleId::P14 => (
            "endpoint and deployment writes run the caller's code as the endpoint's identity",
            "semantics §3 P14 (DOC/DERIVED), §9",
        ),
        RuleId::P15 => (
            "compute application access opens Jupyter or a terminal on an instance (unverified for non-assigned users)",
            "semantics §3 P15 (UNCERTAIN)",
        ),
        RuleId::P16 => (
            "an SSH key installed on a node gives a shell there",
            "semantics §3 P16 (DOC)",
        ),
        RuleId::P17 => (
            "write to the workspace's default storage tampers with code its computes run",
            "semantics §3 P17 (DOC), §10",
        ),
        RuleId::P18 => (
            "push to the workspace's registry replaces images its computes and endpoints run",
            "semantics §3 P18 (DOC/DERIVED), §10",
        ),
        RuleId::P19 => (
            "run command or extensions on a VM run code as root",
            "semantics §3 P19 (DOC)",
        ),
        RuleId::P20 => (
            "assign/action on a user-assigned identity plus write on a resource one runs code on attaches it",
            "semantics §2.4, §3 P20 (DOC/DERIVED)",
        ),
        RuleId::P21 => (
            "a federated credential on a user-assigned identity lets an issuer one controls sign in as it",
            "semantics §2.5, §3 P21 (DERIVED)",
        ),
        RuleId::P22 => (
            "an owner of an app registration adds a credential and signs in as the service principal",
            "semantics §2.6, §3 P22 (DOC)",
        ),
        RuleId::P26 => (
            "endpoint listkeys or token returns what the scoring URI accepts",
            "semantics §3 P26 (DOC)",
        ),
        RuleId::P27 => (
            "private endpoint approval on a workspace reaches it and its endpoints privately (unverified)",
            "semantics §3 P27, §10 (DERIVED)",
        ),
        RuleId::P28 => (
            "outbound rules on a managed network open it to the internet (unverified)",
            "semantics §3 P28, §10 (DERIVED)",
        ),
        RuleId::P29 => (
            "security rule writes on an NSG open it",
            "semantics §3 P29, §10 (DERIVED)",
        ),
        RuleId::P31 => (
            "Azure ML reads or writes a datastore's storage for the caller (unverified action)",
            "semantics §10 P31 (UNCERTAIN)",
        ),
        RuleId::Identity => (
            "code running on a resource gets the tokens of its identities",
            "semantics §2.3 (DOC/DERIVED)",
        ),
        RuleId::AccessPolicy => (
            "an access policy with secrets:get reads an access-policy vault's secrets",
            "semantics §5.4 (DOC)",
        ),
        RuleId::SasToken => (
            "a SAS token reads (read, list) or writes (write, create, add) blobs",
            "model format, credentials (DOC)",
        ),
        RuleId::ClientSecret => (
            "a client secret signs in as its service principal",
            "semantics §2.6 (DOC)",
        ),
        RuleId::EndpointKey => (
            "an endpoint key calls a key-authenticated scoring URI",
            "semantics §3 P26 (DOC)",
        ),
        RuleId::PublicBlob => (
            "anonymous blob access reads public containers (access levels not modelled)",
            "semantics §10 (DOC, tagged)",
        ),
        RuleId::Use => (
            "workspaces/read plus a network path to the workspace is using it through Azure ML",
            "semantics §10 (DECIDED)",
        ),
        RuleId::Place => (
            "running code on a resource lets the actor send packets from there",
            "semantics §9 (DESIGN)",
        ),
        RuleId::Network => (
            "a packet from a place of the actor reaches the endpoint",
            "semantics §5, §10",
        ),
        RuleId::Host => (
            "running code on a resource one may change makes it a host to attach identities to (P20)",
            "semantics §2.4, §3 P20 (DESIGN)",
        ),
        RuleId::Unmodelled => (
            "write on an unmodelled resource with an identity may run code as it (unknown)",
            "semantics §10 (DECIDED)",
        ),
    }
}

/// The documentation of every rule the answer's witnesses use.
pub fn explain_used(g: &AccessGraph, a: &Answer) -> String {
    let used: BTreeSet<RuleId> = a
        .every_witness()
        .flat_map(|w| w.rules.iter())
        .filter_map(|r| g.rule(*r).map(|x| x.rule))
        .collect();
    let mut out = String::from("\nrules used:\n");
    for r in used {
        let (meaning, source) = doc(r);
        let _ = writeln!(out, "  {:<14} {meaning} [{source}]", r.as_str());
    }
    out
}
