//! The operations the rules ask RBAC about, and on which kinds of resource (semantics §3, the
//! "Holder of" column). Each becomes `Can(op, scope)` facts (control plane) or, for the operations that
//! are themselves a request to a data plane, a capability directly.

use crate::model::{Resource, ResourceKind};
use crate::rbac::OpKind;

/// An operation the rules use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u16)]
pub enum Op {
    /// `<ARM type>/write` of the resource: `control of R`; also P05, P07, P13, P14, P20.
    Write,
    /// `Microsoft.Authorization/roleAssignments/write`: P01.
    AssignRoles,
    /// `Microsoft.Storage/storageAccounts/listKeys/action`: P04.
    StorageListKeys,
    /// Blob read (data action).
    BlobRead,
    /// Blob write (data action).
    BlobWrite,
    /// `Microsoft.KeyVault/vaults/accessPolicies/write`: P07.
    VaultPolicyWrite,
    /// `Microsoft.KeyVault/vaults/secrets/getSecret/action` (data action).
    GetSecret,
    /// `Microsoft.ContainerRegistry/registries/push/write`: push (a request to the registry).
    RegistryPush,
    /// `Microsoft.ContainerRegistry/registries/listCredentials/action`: admin credentials.
    RegistryListCredentials,
    /// `workspaces/read`: `use W`.
    WorkspaceRead,
    /// `workspaces/datastores/listsecrets/action`: P08.
    DatastoreListSecrets,
    /// `workspaces/datastores/read`: P31.
    DatastoreRead,
    /// `workspaces/datastores/write`: P30, P31.
    DatastoreWrite,
    /// `workspaces/listKeys/action`: P09.
    WorkspaceListKeys,
    /// `workspaces/listStorageAccountKeys/action`: P10.
    WorkspaceListStorageKeys,
    /// `workspaces/jobs/write`: P12.
    JobsWrite,
    /// `workspaces/computes/applicationaccess/action`: P15.
    ComputeApplicationAccess,
    /// `workspaces/onlineEndpoints/deployments/write`: P14.
    DeploymentsWrite,
    /// `workspaces/onlineEndpoints/listkeys/action`: P26.
    EndpointListKeys,
    /// `workspaces/onlineEndpoints/token/action`: P26.
    EndpointToken,
    /// `workspaces/onlineEndpoints/score/action`: P26 with `aad_token`.
    EndpointScore,
    /// `Microsoft.ManagedIdentity/userAssignedIdentities/assign/action`: P20.
    IdentityAssign,
    /// `.../userAssignedIdentities/federatedIdentityCredentials/write`: P21.
    IdentityFederatedCredentialsWrite,
    /// `Microsoft.Compute/virtualMachines/runCommand/action`: P19.
    VmRunCommand,
    /// `Microsoft.Compute/virtualMachines/extensions/write`: P19.
    VmExtensionsWrite,
    /// `workspaces/privateEndpointConnectionsApproval/action`: P27.
    PrivateEndpointApproval,
    /// `workspaces/outboundRules/write`: P28.
    OutboundRulesWrite,
    /// `Microsoft.Network/networkSecurityGroups/securityRules/write`: P29.
    NsgRulesWrite,
}

impl Op {
    /// Every operation, in a fixed order (the index is the `u16` in `Fact::Can`).
    pub const ALL: [Op; 28] = [
        Op::Write,
        Op::AssignRoles,
        Op::StorageListKeys,
        Op::BlobRead,
        Op::BlobWrite,
        Op::VaultPolicyWrite,
        Op::GetSecret,
        Op::RegistryPush,
        Op::RegistryListCredentials,
        Op::WorkspaceRead,
        Op::DatastoreListSecrets,
        Op::DatastoreRead,
        Op::DatastoreWrite,
        Op::WorkspaceListKeys,
        Op::WorkspaceListStorageKeys,
        Op::JobsWrite,
        Op::ComputeApplicationAccess,
        Op::DeploymentsWrite,
        Op::EndpointListKeys,
        Op::EndpointToken,
        Op::EndpointScore,
        Op::IdentityAssign,
        Op::IdentityFederatedCredentialsWrite,
        Op::VmRunCommand,
        Op::VmExtensionsWrite,
        Op::PrivateEndpointApproval,
        Op::OutboundRulesWrite,
        Op::NsgRulesWrite,
    ];

    /// The `u16` used in facts.
    pub fn code(self) -> u16 {
        self as u16
    }

    /// The operation of a code.
    pub fn from_code(code: u16) -> Option<Op> {
        Op::ALL.get(code as usize).copied()
    }

    /// Control plane or data plane, for RBAC matching.
    pub fn kind(self) -> OpKind {
        match self {
            Op::BlobRead | Op::BlobWrite | Op::GetSecret => OpKind::Data,
            _ => OpKind::Control,
        }
    }

    /// The Azure operation string on a resource (`Write` depends on the resource's type).
    pub fn name(self, target: Option<&Resource>) -> String {
        let ml = "Microsoft.MachineLearningServices/workspaces";
        match self {
            Op::Write => match target {
                Some(r) => format!("{}/write", r.arm_type),
                None => "Microsoft.Resources/subscriptions/write".to_string(),
            },
            Op::AssignRoles => "Microsoft.Authorization/roleAssignments/write".into(),
            Op::StorageListKeys => "Microsoft.Storage/storageAccounts/listKeys/action".into(),
            Op::BlobRead => "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read".into(),
            Op::BlobWrite => "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write".into(),
            Op::VaultPolicyWrite => "Microsoft.KeyVault/vaults/accessPolicies/write".into(),
            Op::GetSecret => "Microsoft.KeyVault/vaults/secrets/getSecret/action".into(),
            Op::RegistryPush => "Microsoft.ContainerRegistry/registries/push/write".into(),
            Op::RegistryListCredentials => "Microsoft.ContainerRegistry/registries/listCredentials/action".into(),
            Op::WorkspaceRead => format!("{ml}/read"),
            Op::DatastoreListSecrets => format!("{ml}/datastores/listsecrets/action"),
            Op::DatastoreRead => format!("{ml}/datastores/read"),
            Op::DatastoreWrite => format!("{ml}/datastores/write"),
            Op::WorkspaceListKeys => format!("{ml}/listKeys/action"),
            Op::WorkspaceListStorageKeys => format!("{ml}/listStorageAccountKeys/action"),
            Op::JobsWrite => format!("{ml}/jobs/write"),
            Op::ComputeApplicationAccess => format!("{ml}/computes/applicationaccess/action"),
            Op::DeploymentsWrite => format!("{ml}/onlineEndpoints/deployments/write"),
            Op::EndpointListKeys => format!("{ml}/onlineEndpoints/listkeys/action"),
            Op::EndpointToken => format!("{ml}/onlineEndpoints/token/action"),
            Op::EndpointScore => format!("{ml}/onlineEndpoints/score/action"),
            Op::IdentityAssign => "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action".into(),
            Op::IdentityFederatedCredentialsWrite => {
                "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write".into()
            }
            Op::VmRunCommand => "Microsoft.Compute/virtualMachines/runCommand/action".into(),
            Op::VmExtensionsWrite => "Microsoft.Compute/virtualMachines/extensions/write".into(),
            Op::PrivateEndpointApproval => format!("{ml}/privateEndpointConnectionsApproval/action"),
            Op::OutboundRulesWrite => format!("{ml}/outboundRules/write"),
            Op::NsgRulesWrite => "Microsoft.Network/networkSecurityGroups/securityRules/write".into(),
        }
    }

    /// The operations the rules ask about on a resource of this kind (besides `Write` and
    /// `AssignRoles`, which every scope has).
    pub fn for_kind(kind: ResourceKind) -> &'static [Op] {
        use ResourceKind as K;
        match kind {
            K::StorageAccount => &[Op::StorageListKeys, Op::BlobRead, Op::BlobWrite],
            K::KeyVault => &[Op::VaultPolicyWrite, Op::GetSecret],
            K::ContainerRegistry => &[Op::RegistryPush, Op::RegistryListCredentials],
            K::Workspace => &[
                Op::WorkspaceRead,
                Op::DatastoreListSecrets,
                Op::DatastoreRead,
                Op::DatastoreWrite,
                Op::WorkspaceListKeys,
                Op::WorkspaceListStorageKeys,
                Op::JobsWrite,
                Op::PrivateEndpointApproval,
                Op::OutboundRulesWrite,
            ],
            K::ComputeInstance | K::ComputeCluster => &[Op::ComputeApplicationAccess],
            K::OnlineEndpoint => &[
                Op::DeploymentsWrite,
                Op::EndpointListKeys,
                Op::EndpointToken,
                Op::EndpointScore,
            ],
            K::UserAssignedIdentity => &[Op::IdentityAssign, Op::IdentityFederatedCredentialsWrite],
            K::VirtualMachine => &[Op::VmRunCommand, Op::VmExtensionsWrite],
            K::NetworkSecurityGroup => &[Op::NsgRulesWrite],
            _ => &[],
        }
    }

    /// True for operations that are a request to a data plane (their grant is a capability, not an
    /// authorisation used by another rule).
    pub fn is_capability(self) -> bool {
        matches!(
            self,
            Op::BlobRead | Op::BlobWrite | Op::GetSecret | Op::RegistryPush | Op::EndpointScore
        )
    }
}
