//! The model file format (`spec/model-format.md`, version 1) as plain serde types.
//!
//! These mirror the file exactly: names are references not yet resolved, enum-like values are strings
//! not yet checked (so a typo gets a "did you mean" instead of a bare serde error), and defaults are not
//! applied yet. `load::resolve` turns them into the typed `Model`. They are the only serde types of the
//! model; internal types are not `Serialize`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Top-level keys of a model file, in the order the spec lists them.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "version",
    "name",
    "tenant",
    "subscription",
    "locations",
    "principals",
    "resources",
    "role_definitions",
    "role_assignments",
    "deny_assignments",
    "credentials",
    "network",
];

/// Keys of the `principals` section.
pub const PRINCIPAL_KEYS: &[&str] = &["users", "groups", "service_principals", "managed_identities"];

/// Keys of the `network` section.
pub const NETWORK_KEYS: &[&str] = &["vnets", "peerings", "gateways", "nsgs", "private_endpoints"];

/// A whole model file after decoding (elements that failed to decode are left out and reported).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelDto {
    /// Format version; only 1 exists.
    pub version: Option<u32>,
    /// Model name, used in reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tenant id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Default subscription for short names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    /// Named network locations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub locations: BTreeMap<String, LocationDto>,
    /// Principals by kind.
    pub principals: PrincipalsDto,
    /// Resource groups and resources.
    pub resources: Vec<ResourceDto>,
    /// Custom roles.
    pub role_definitions: Vec<RoleDefinitionDto>,
    /// Role assignments.
    pub role_assignments: Vec<RoleAssignmentDto>,
    /// Deny assignments.
    pub deny_assignments: Vec<DenyAssignmentDto>,
    /// Secrets held outside RBAC.
    pub credentials: Vec<CredentialDto>,
    /// VNets, subnets, NSGs, private endpoints, gateways.
    pub network: NetworkDto,
}

/// A location: a list of CIDRs, or the long form with NAT egress addresses.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LocationDto {
    /// `corp: ["10.0.0.0/8"]`
    Ranges(Vec<String>),
    /// `office: {ranges: [...], egress: [...]}`
    Long(LocationLongDto),
}

/// The long form of a location.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct LocationLongDto {
    /// Where the actor is.
    pub ranges: Vec<String>,
    /// The public addresses its traffic has at public endpoints (defaults to `ranges`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress: Option<Vec<String>>,
}

impl<'de> Deserialize<'de> for LocationDto {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = LocationDto;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of CIDRs or a mapping with `ranges` and `egress`")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<LocationDto, A::Error> {
                Vec::<String>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(LocationDto::Ranges)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<LocationDto, A::Error> {
                LocationLongDto::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(LocationDto::Long)
            }
        }
        d.deserialize_any(V)
    }
}

/// The `principals` section.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PrincipalsDto {
    /// Entra users.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserDto>,
    /// Groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupDto>,
    /// Service principals (app registrations).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_principals: Vec<ServicePrincipalDto>,
    /// User-assigned managed identities.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_identities: Vec<ManagedIdentityDto>,
}

/// A user.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct UserDto {
    /// Unique principal name.
    pub name: String,
    /// Entra object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Locations the user acts from (default `[internet]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<String>>,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct GroupDto {
    /// Unique principal name.
    pub name: String,
    /// Entra object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Members: any principal; groups nest and may form cycles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// A service principal.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ServicePrincipalDto {
    /// Unique principal name.
    pub name: String,
    /// Entra object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Owners of the app registration (they can add a credential).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// Locations the service principal acts from (default `[internet]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<String>>,
}

/// A user-assigned managed identity.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ManagedIdentityDto {
    /// Unique principal (and resource) name.
    pub name: String,
    /// Entra object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Resource group of the identity resource.
    pub group: String,
}

/// A resource group or resource. `properties` is decoded later, by type.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ResourceDto {
    /// Unique resource name (child resources: unique within their workspace).
    pub name: String,
    /// ARM type or short alias.
    #[serde(rename = "type")]
    pub kind: String,
    /// Resource group name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Full Azure resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Managed identities of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityDto>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub tags: Option<serde::de::IgnoredAny>,
    /// Type-specific properties as written (decoded from the positioned tree by the loader, by type).
    #[serde(default, rename = "properties", skip_serializing)]
    pub properties_raw: Option<serde::de::IgnoredAny>,
    /// Type-specific properties, decoded by type.
    #[serde(skip_deserializing, rename = "properties", skip_serializing_if = "Option::is_none")]
    pub properties: Option<PropertiesDto>,
}

/// The properties of a resource, by type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PropertiesDto {
    /// Workspace.
    Workspace(WorkspacePropsDto),
    /// Compute instance or cluster.
    Compute(ComputePropsDto),
    /// Online endpoint.
    Endpoint(EndpointPropsDto),
    /// Datastore.
    Datastore(DatastorePropsDto),
    /// Storage account.
    Storage(StoragePropsDto),
    /// Key vault.
    KeyVault(KeyVaultPropsDto),
    /// Container registry.
    Registry(RegistryPropsDto),
    /// Virtual machine.
    Vm(VmPropsDto),
    /// Kept as written for types the tool does not model.
    Other(serde_json::Value),
}

/// The identity block of a resource.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct IdentityDto {
    /// A system-assigned identity named after the resource.
    #[serde(default)]
    pub system: bool,
    /// User-assigned identities attached to the resource.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_assigned: Vec<String>,
    /// The Entra object id of the system-assigned identity (imports carry it, so that role assignments
    /// naming it by object id resolve).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
}

/// `workspace` properties.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct WorkspacePropsDto {
    /// The workspace's default storage account.
    pub storage_account: Option<String>,
    /// The workspace's key vault.
    pub key_vault: Option<String>,
    /// The workspace's container registry.
    pub container_registry: Option<String>,
    /// `Enabled` (default) or `Disabled`.
    pub public_network_access: Option<String>,
    /// Public IP ranges allowed when access is enabled from selected addresses.
    pub ip_rules: Option<Vec<String>>,
    /// `disabled` (default), `allow_internet_outbound` or `allow_only_approved_outbound`.
    pub managed_network: Option<String>,
    /// `accesskey` (default) or `identity`.
    pub system_datastores_auth_mode: Option<String>,
}

/// SSH settings of a compute.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct SshDto {
    /// Whether public SSH access is enabled (default false).
    #[serde(default)]
    pub enabled: bool,
    /// The port both the client and the NSGs see (default 50000).
    pub port: Option<u16>,
}

/// `compute_instance` and `compute_cluster` properties.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ComputePropsDto {
    /// The workspace the compute belongs to.
    pub workspace: Option<String>,
    /// SSH settings.
    pub ssh: Option<SshDto>,
    /// Whether nodes have a public IP (default true).
    pub public_ip: Option<bool>,
    /// `vnet/subnet` the compute is placed in.
    pub subnet: Option<String>,
    /// The user a compute instance is assigned to (instances only; informational).
    pub assigned_user: Option<String>,
}

/// `online_endpoint` properties.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct EndpointPropsDto {
    /// The workspace the endpoint belongs to.
    pub workspace: Option<String>,
    /// `key` (default), `aml_token` or `aad_token`.
    pub auth_mode: Option<String>,
    /// `Enabled` (default) or `Disabled`.
    pub public_network_access: Option<String>,
}

/// `datastore` properties.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct DatastorePropsDto {
    /// The workspace the datastore belongs to.
    pub workspace: Option<String>,
    /// The storage account it points at.
    pub storage_account: Option<String>,
    /// `account_key` (default), `sas`, `service_principal` or `none`.
    pub credentials: Option<String>,
    /// The principal of a `service_principal` datastore.
    pub service_principal: Option<String>,
    /// Permissions of a `sas` datastore (default read and write).
    pub permissions: Option<Vec<String>>,
}

/// Firewall rules of a storage account or key vault.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct NetworkAclsDto {
    /// `Allow` (default) or `Deny`.
    pub default_action: Option<String>,
    /// Public CIDRs allowed.
    pub ip_rules: Option<Vec<String>>,
    /// `vnet/subnet` allowed (with a service endpoint).
    pub virtual_network_rules: Option<Vec<String>>,
    /// `AzureServices`, `Logging`, `Metrics` (default `[AzureServices]`; `[]` means none).
    pub bypass: Option<Vec<String>>,
    /// Resources whose instances are let through.
    pub resource_access_rules: Option<Vec<String>>,
}

/// `storage_account` properties.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct StoragePropsDto {
    /// Shared Key authorisation allowed (default true).
    pub allow_shared_key_access: Option<bool>,
    /// Anonymous blob access allowed (default false).
    pub allow_blob_public_access: Option<bool>,
    /// `Enabled` (default) or `Disabled`.
    pub public_network_access: Option<String>,
    /// Firewall.
    pub network_acls: Option<NetworkAclsDto>,
}

/// One access policy of an access-policy key vault.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct AccessPolicyDto {
    /// The principal the policy is for.
    pub principal: String,
    /// Secret permissions (`get`, `list`, `set`, ...).
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Key permissions.
    #[serde(default)]
    pub keys: Vec<String>,
    /// Certificate permissions.
    #[serde(default)]
    pub certificates: Vec<String>,
}

/// `key_vault` properties.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct KeyVaultPropsDto {
    /// RBAC permission model (default false: access policies).
    pub enable_rbac_authorization: Option<bool>,
    /// Access policies.
    pub access_policies: Option<Vec<AccessPolicyDto>>,
    /// `Enabled` (default) or `Disabled`.
    pub public_network_access: Option<String>,
    /// Firewall.
    pub network_acls: Option<NetworkAclsDto>,
}

/// Firewall of a container registry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct NetworkRuleSetDto {
    /// `Allow` (default) or `Deny`.
    pub default_action: Option<String>,
    /// Public CIDRs allowed.
    pub ip_rules: Option<Vec<String>>,
}

/// `container_registry` properties.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct RegistryPropsDto {
    /// Admin user enabled (default false).
    pub admin_user_enabled: Option<bool>,
    /// `Enabled` (default) or `Disabled`.
    pub public_network_access: Option<String>,
    /// Firewall.
    pub network_rule_set: Option<NetworkRuleSetDto>,
}

/// `virtual_machine` properties.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct VmPropsDto {
    /// `vnet/subnet` of the VM's NIC.
    pub subnet: Option<String>,
    /// Whether the VM has a public IP (default false).
    pub public_ip: Option<bool>,
}

/// Properties of types that have none the tool reads.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct NoPropsDto {}

/// A custom role definition, in Azure's shape.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct RoleDefinitionDto {
    /// Role name (unique among built-in and custom roles).
    pub name: String,
    /// Role GUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Permission blocks.
    pub permissions: Vec<PermissionDto>,
    /// Where the role may be assigned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignable_scopes: Vec<String>,
}

/// One permission block of a role.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct PermissionDto {
    /// Control-plane action patterns granted.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Control-plane patterns subtracted from `actions` of this block.
    #[serde(default)]
    pub not_actions: Vec<String>,
    /// Data-plane action patterns granted.
    #[serde(default)]
    pub data_actions: Vec<String>,
    /// Data-plane patterns subtracted from `data_actions` of this block.
    #[serde(default)]
    pub not_data_actions: Vec<String>,
    /// ABAC condition on the block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// A role assignment.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct RoleAssignmentDto {
    /// Principal name, object id, or resource name (its system identity).
    pub principal: String,
    /// Role name or GUID.
    pub role: String,
    /// Scope (see the spec's Scopes).
    pub scope: String,
    /// Assignment id, echoed in witnesses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// ABAC condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Condition version (`2.0`); informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition_version: Option<String>,
}

/// A deny assignment.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct DenyAssignmentDto {
    /// Optional name, used in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Optional id, used in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Principals denied; `everyone` is the all-principals sentinel.
    pub principals: Vec<String>,
    /// Principals excluded from the deny.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_principals: Vec<String>,
    /// Control-plane patterns denied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Control-plane patterns excluded from the deny.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<String>,
    /// Data-plane patterns denied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_actions: Vec<String>,
    /// Data-plane patterns excluded from the deny.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_data_actions: Vec<String>,
    /// Scope of the deny.
    pub scope: String,
    /// The deny applies to the scope itself only.
    #[serde(default)]
    pub do_not_apply_to_child_scopes: bool,
}

/// A secret held outside RBAC.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct CredentialDto {
    /// Unique credential name.
    pub name: String,
    /// `ssh_key`, `endpoint_key`, `sas_token` or `client_secret`.
    pub kind: String,
    /// Computes or VMs the SSH public key is installed on (`ssh_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_on: Option<Vec<String>>,
    /// The online endpoint (`endpoint_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The storage account (`sas_token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_account: Option<String>,
    /// SAS permissions (`sas_token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// The service principal (`client_secret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principal: Option<String>,
    /// Who holds it; `anyone` means every actor.
    pub held_by: Vec<String>,
}

/// The `network` section.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NetworkDto {
    /// Virtual networks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vnets: Vec<VnetDto>,
    /// Bidirectional peerings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub peerings: Vec<(String, String)>,
    /// Locations routed into VNets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<GatewayDto>,
    /// Network security groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nsgs: Vec<NsgDto>,
    /// Private endpoints.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub private_endpoints: Vec<PrivateEndpointDto>,
}

/// A virtual network.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct VnetDto {
    /// Unique VNet name.
    pub name: String,
    /// Resource group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Address prefixes.
    pub address_space: Vec<String>,
    /// Subnets.
    #[serde(default)]
    pub subnets: Vec<SubnetDto>,
}

/// A subnet.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct SubnetDto {
    /// Name, unique within the VNet.
    pub name: String,
    /// Address prefix.
    pub prefix: String,
    /// NSG on the subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsg: Option<String>,
    /// Service endpoints (e.g. `Microsoft.Storage`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_endpoints: Vec<String>,
    /// Whether the NSG filters private-endpoint traffic (default false).
    #[serde(default)]
    pub private_endpoint_network_policies: bool,
}

/// A gateway from a location into a VNet.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct GatewayDto {
    /// The location routed in.
    pub location: String,
    /// The VNet it reaches.
    pub vnet: String,
}

/// A network security group.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct NsgDto {
    /// Unique NSG name.
    pub name: String,
    /// Resource group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Security rules (Azure's default rules are implied).
    #[serde(default)]
    pub rules: Vec<NsgRuleDto>,
}

/// One NSG security rule.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct NsgRuleDto {
    /// Rule name, unique within the NSG.
    pub name: String,
    /// 100..4096; lower wins.
    pub priority: u32,
    /// `Inbound` or `Outbound`.
    pub direction: String,
    /// `Allow` or `Deny`.
    pub access: String,
    /// `Tcp`, `Udp`, `Icmp` or `*`.
    #[serde(default = "star")]
    pub protocol: String,
    /// CIDRs, location names or service tags.
    #[serde(default = "star_list")]
    pub source: Vec<String>,
    /// Port ranges.
    #[serde(default = "star_list")]
    pub source_ports: Vec<String>,
    /// CIDRs or service tags.
    #[serde(default = "star_list")]
    pub destination: Vec<String>,
    /// Port ranges.
    #[serde(default = "star_list")]
    pub destination_ports: Vec<String>,
}

fn star() -> String {
    "*".to_string()
}

fn star_list() -> Vec<String> {
    vec![star()]
}

/// A private endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PrivateEndpointDto {
    /// Unique private endpoint name.
    pub name: String,
    /// The target resource.
    pub resource: String,
    /// `blob`, `file`, `dfs`, `vault`, `registry`, `amlworkspace`, ...
    pub subresource: String,
    /// `vnet/subnet` of the endpoint's NIC.
    pub subnet: String,
    /// `Approved` (default), `Pending` or `Rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The endpoint's private address (optional; any address of the subnet otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Resource group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}
