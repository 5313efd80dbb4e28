//! Resources and resource groups, with the properties that affect access (`spec/model-format.md`).

use super::ids::{PrincipalId, ResourceId, SubnetId};
use super::network::Cidr;

/// The kinds of resources the tool models; anything else is `Generic`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    /// A resource group.
    ResourceGroup,
    /// An Azure ML workspace.
    Workspace,
    /// An Azure ML compute instance.
    ComputeInstance,
    /// An Azure ML compute cluster (AmlCompute).
    ComputeCluster,
    /// An Azure ML managed online endpoint.
    OnlineEndpoint,
    /// An Azure ML datastore.
    Datastore,
    /// A storage account.
    StorageAccount,
    /// A key vault.
    KeyVault,
    /// A container registry.
    ContainerRegistry,
    /// A virtual machine.
    VirtualMachine,
    /// A user-assigned managed identity.
    UserAssignedIdentity,
    /// A virtual network (declared under `network.vnets`).
    VirtualNetwork,
    /// A network security group (declared under `network.nsgs`).
    NetworkSecurityGroup,
    /// A private endpoint (declared under `network.private_endpoints`).
    PrivateEndpoint,
    /// Any other type: RBAC on it is evaluated, nothing else is inferred.
    Generic,
}

/// Alias, ARM type and kind of every modelled type. Child types nest under their workspace.
pub const RESOURCE_TYPES: &[(&str, &str, ResourceKind)] = &[
    (
        "resource_group",
        "Microsoft.Resources/resourceGroups",
        ResourceKind::ResourceGroup,
    ),
    (
        "workspace",
        "Microsoft.MachineLearningServices/workspaces",
        ResourceKind::Workspace,
    ),
    (
        "compute_instance",
        "Microsoft.MachineLearningServices/workspaces/computes",
        ResourceKind::ComputeInstance,
    ),
    (
        "compute_cluster",
        "Microsoft.MachineLearningServices/workspaces/computes",
        ResourceKind::ComputeCluster,
    ),
    (
        "online_endpoint",
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        ResourceKind::OnlineEndpoint,
    ),
    (
        "datastore",
        "Microsoft.MachineLearningServices/workspaces/datastores",
        ResourceKind::Datastore,
    ),
    (
        "storage_account",
        "Microsoft.Storage/storageAccounts",
        ResourceKind::StorageAccount,
    ),
    ("key_vault", "Microsoft.KeyVault/vaults", ResourceKind::KeyVault),
    (
        "container_registry",
        "Microsoft.ContainerRegistry/registries",
        ResourceKind::ContainerRegistry,
    ),
    (
        "virtual_machine",
        "Microsoft.Compute/virtualMachines",
        ResourceKind::VirtualMachine,
    ),
    (
        "user_assigned_identity",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        ResourceKind::UserAssignedIdentity,
    ),
    (
        "virtual_network",
        "Microsoft.Network/virtualNetworks",
        ResourceKind::VirtualNetwork,
    ),
    (
        "network_security_group",
        "Microsoft.Network/networkSecurityGroups",
        ResourceKind::NetworkSecurityGroup,
    ),
    (
        "private_endpoint",
        "Microsoft.Network/privateEndpoints",
        ResourceKind::PrivateEndpoint,
    ),
];

impl ResourceKind {
    /// The short alias of the kind (`workspace`, `compute_instance`, ...).
    pub fn alias(self) -> &'static str {
        RESOURCE_TYPES
            .iter()
            .find(|(_, _, k)| *k == self)
            .map_or("generic", |(alias, _, _)| alias)
    }

    /// True for kinds whose id nests under a workspace.
    pub fn is_workspace_child(self) -> bool {
        matches!(
            self,
            ResourceKind::ComputeInstance
                | ResourceKind::ComputeCluster
                | ResourceKind::OnlineEndpoint
                | ResourceKind::Datastore
        )
    }

    /// True for computes (instances and clusters).
    pub fn is_compute(self) -> bool {
        matches!(self, ResourceKind::ComputeInstance | ResourceKind::ComputeCluster)
    }
}

/// A resource after loading.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Name (unique among resources, except child resources, which are unique within their workspace).
    pub name: String,
    /// Kind.
    pub kind: ResourceKind,
    /// ARM type as written or implied (original case).
    pub arm_type: String,
    /// Full Azure resource id (original case).
    pub id: String,
    /// The id lower-cased: the key for scope comparisons (ARM ids are case-insensitive).
    pub key: String,
    /// The subscription id, lower-cased.
    pub subscription: String,
    /// The resource group (none for resource groups themselves).
    pub group: Option<ResourceId>,
    /// The workspace of a child resource.
    pub parent: Option<ResourceId>,
    /// The system-assigned identity, if enabled.
    pub system_identity: Option<PrincipalId>,
    /// Attached user-assigned identities.
    pub user_identities: Vec<PrincipalId>,
    /// Type-specific properties.
    pub props: Props,
    /// Created by the loader (implicit resource groups, default datastores, identity resources).
    pub implicit: bool,
    /// A resource that does not exist but could be created (`model::prospective`).
    pub prospective: bool,
}

/// `Enabled` or `Disabled` public network access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicAccess {
    /// The public endpoint is reachable (subject to firewalls).
    Enabled,
    /// Only private endpoints.
    Disabled,
}

/// Default action of a firewall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultAction {
    /// Every network may reach the public endpoint.
    Allow,
    /// Only the listed rules.
    Deny,
}

/// Type-specific properties.
#[derive(Debug, Clone, PartialEq)]
pub enum Props {
    /// Nothing the tool reads (resource groups, identities, network resources).
    None,
    /// Workspace.
    Workspace(WorkspaceProps),
    /// Compute instance or cluster.
    Compute(ComputeProps),
    /// Online endpoint.
    Endpoint(EndpointProps),
    /// Datastore.
    Datastore(DatastoreProps),
    /// Storage account.
    Storage(StorageProps),
    /// Key vault.
    KeyVault(KeyVaultProps),
    /// Container registry.
    Registry(RegistryProps),
    /// Virtual machine.
    Vm(VmProps),
    /// A type the tool does not model: its properties as JSON text, kept for export.
    Generic(Option<String>),
}

/// Managed network isolation of a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ManagedNetwork {
    /// No managed VNet.
    Disabled,
    /// Managed VNet, any outbound.
    AllowInternetOutbound,
    /// Managed VNet, only approved outbound (W's storage, vault, registry).
    AllowOnlyApprovedOutbound,
}

/// Workspace properties.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceProps {
    /// Default storage account.
    pub storage_account: Option<ResourceId>,
    /// Key vault.
    pub key_vault: Option<ResourceId>,
    /// Container registry.
    pub container_registry: Option<ResourceId>,
    /// Public network access.
    pub public_network_access: PublicAccess,
    /// Allowed public ranges ("enabled from selected IP addresses"); empty means all.
    pub ip_rules: Vec<Cidr>,
    /// Managed network mode.
    pub managed_network: ManagedNetwork,
    /// True when the system datastores use identity-based access.
    pub system_datastores_identity: bool,
}

/// Compute properties.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeProps {
    /// The workspace.
    pub workspace: ResourceId,
    /// Public SSH access enabled.
    pub ssh_enabled: bool,
    /// SSH port seen by client and NSGs.
    pub ssh_port: u16,
    /// Nodes have a public IP.
    pub public_ip: bool,
    /// The subnet, if placed in one.
    pub subnet: Option<SubnetId>,
    /// The assigned user of a personal compute instance.
    pub assigned_user: Option<PrincipalId>,
}

/// Authentication mode of an online endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Static keys.
    Key,
    /// Azure ML tokens.
    AmlToken,
    /// Entra tokens (needs `score/action`).
    AadToken,
}

/// Online endpoint properties.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointProps {
    /// The workspace.
    pub workspace: ResourceId,
    /// Authentication mode.
    pub auth_mode: AuthMode,
    /// Public network access.
    pub public_network_access: PublicAccess,
}

/// How a datastore authenticates to its storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatastoreCredentials {
    /// Account key stored in the workspace.
    AccountKey,
    /// SAS token stored in the workspace, with read/write.
    Sas {
        /// Grants data-read.
        read: bool,
        /// Grants data-write.
        write: bool,
    },
    /// Service principal secret stored in the workspace.
    ServicePrincipal(PrincipalId),
    /// Identity-based access: no stored secret.
    None,
}

/// Datastore properties.
#[derive(Debug, Clone, PartialEq)]
pub struct DatastoreProps {
    /// The workspace.
    pub workspace: ResourceId,
    /// The storage account.
    pub storage_account: Option<ResourceId>,
    /// Credentials.
    pub credentials: DatastoreCredentials,
}

/// Firewall of a storage account or key vault.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkAcls {
    /// Default action.
    pub default_action: DefaultAction,
    /// Public CIDRs allowed.
    pub ip_rules: Vec<Cidr>,
    /// Subnets allowed.
    pub virtual_network_rules: Vec<SubnetId>,
    /// Trusted Azure services let through.
    pub bypass_azure_services: bool,
    /// Other bypass entries as written (`Logging`, `Metrics`).
    pub bypass_other: Vec<String>,
    /// Resource instances let through.
    pub resource_access_rules: Vec<ResourceId>,
}

impl Default for NetworkAcls {
    fn default() -> Self {
        NetworkAcls {
            default_action: DefaultAction::Allow,
            ip_rules: Vec::new(),
            virtual_network_rules: Vec::new(),
            bypass_azure_services: true,
            bypass_other: Vec::new(),
            resource_access_rules: Vec::new(),
        }
    }
}

/// Storage account properties.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageProps {
    /// Shared Key allowed.
    pub allow_shared_key_access: bool,
    /// Anonymous blob access allowed.
    pub allow_blob_public_access: bool,
    /// Public network access.
    pub public_network_access: PublicAccess,
    /// Firewall.
    pub network_acls: NetworkAcls,
}

/// Permissions of a key vault access policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPolicy {
    /// The principal.
    pub principal: PrincipalId,
    /// Secret permissions, lower-cased.
    pub secrets: Vec<String>,
    /// Key permissions, lower-cased.
    pub keys: Vec<String>,
    /// Certificate permissions, lower-cased.
    pub certificates: Vec<String>,
}

/// Key vault properties.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyVaultProps {
    /// RBAC permission model (else access policies).
    pub enable_rbac_authorization: bool,
    /// Access policies.
    pub access_policies: Vec<AccessPolicy>,
    /// Public network access.
    pub public_network_access: PublicAccess,
    /// Firewall.
    pub network_acls: NetworkAcls,
}

/// Container registry properties.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryProps {
    /// Admin user enabled.
    pub admin_user_enabled: bool,
    /// Public network access.
    pub public_network_access: PublicAccess,
    /// Default action of the firewall.
    pub default_action: DefaultAction,
    /// Public CIDRs allowed.
    pub ip_rules: Vec<Cidr>,
}

/// Virtual machine properties.
#[derive(Debug, Clone, PartialEq)]
pub struct VmProps {
    /// The subnet of its NIC.
    pub subnet: Option<SubnetId>,
    /// Has a public IP.
    pub public_ip: bool,
}

/// A named network location actors act from.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// Name.
    pub name: String,
    /// Where the actor is.
    pub ranges: Vec<Cidr>,
    /// The public addresses its traffic has at public endpoints.
    pub egress: Vec<Cidr>,
}
