//! The roles a generated estate uses: real built-in role names (as in `data/azure-builtin-roles.json`)
//! and a handful of custom roles made of real operation names.

use serde_json::{Value, json};

pub const READER: &str = "Reader";
pub const CONTRIBUTOR: &str = "Contributor";
pub const OWNER: &str = "Owner";
pub const USER_ACCESS_ADMIN: &str = "User Access Administrator";
pub const RBAC_ADMIN: &str = "Role Based Access Control Administrator";
pub const DATA_SCIENTIST: &str = "AzureML Data Scientist";
pub const COMPUTE_OPERATOR: &str = "AzureML Compute Operator";
pub const REGISTRY_USER: &str = "AzureML Registry User";
pub const METRICS_WRITER: &str = "AzureML Metrics Writer (preview)";
pub const AI_DEVELOPER: &str = "Azure AI Developer";
pub const CONNECTION_SECRETS_READER: &str = "Azure Machine Learning Workspace Connection Secrets Reader";
pub const BLOB_READER: &str = "Storage Blob Data Reader";
pub const BLOB_CONTRIBUTOR: &str = "Storage Blob Data Contributor";
pub const BLOB_OWNER: &str = "Storage Blob Data Owner";
pub const STORAGE_CONTRIBUTOR: &str = "Storage Account Contributor";
pub const SECRETS_USER: &str = "Key Vault Secrets User";
pub const SECRETS_OFFICER: &str = "Key Vault Secrets Officer";
pub const VAULT_ADMIN: &str = "Key Vault Administrator";
pub const VAULT_READER: &str = "Key Vault Reader";
pub const ACR_PULL: &str = "AcrPull";
pub const ACR_PUSH: &str = "AcrPush";
pub const IDENTITY_OPERATOR: &str = "Managed Identity Operator";
pub const NETWORK_CONTRIBUTOR: &str = "Network Contributor";
pub const MONITORING_READER: &str = "Monitoring Reader";
pub const VM_CONTRIBUTOR: &str = "Virtual Machine Contributor";

/// Every built-in role a generated estate may assign.
pub const BUILTIN_ROLES: &[&str] = &[
    READER,
    CONTRIBUTOR,
    OWNER,
    USER_ACCESS_ADMIN,
    RBAC_ADMIN,
    DATA_SCIENTIST,
    COMPUTE_OPERATOR,
    REGISTRY_USER,
    METRICS_WRITER,
    AI_DEVELOPER,
    CONNECTION_SECRETS_READER,
    BLOB_READER,
    BLOB_CONTRIBUTOR,
    BLOB_OWNER,
    STORAGE_CONTRIBUTOR,
    SECRETS_USER,
    SECRETS_OFFICER,
    VAULT_ADMIN,
    VAULT_READER,
    ACR_PULL,
    ACR_PUSH,
    IDENTITY_OPERATOR,
    NETWORK_CONTRIBUTOR,
    MONITORING_READER,
    VM_CONTRIBUTOR,
];

pub const JOB_SUBMITTER: &str = "ML Job Submitter";
pub const COMPUTE_START_STOP: &str = "ML Compute Start Stop";
pub const ENDPOINT_SCORER: &str = "ML Endpoint Scorer";
pub const STORAGE_KEY_READER: &str = "Storage Key Reader";
pub const SECRET_READER: &str = "Vault Secret Reader";
pub const DATASTORE_READER: &str = "ML Datastore Reader";

/// A custom role: name, GUID, actions, data actions.
struct Custom {
    name: &'static str,
    guid: &'static str,
    description: &'static str,
    actions: &'static [&'static str],
    data_actions: &'static [&'static str],
}

const CUSTOM: &[Custom] = &[
    Custom {
        name: JOB_SUBMITTER,
        description: "Run jobs on existing computes",
        guid: "7d2f5c8e-1a4b-4c6d-9e8f-3b2a1c0d9e7f",
        actions: &[
            "Microsoft.MachineLearningServices/workspaces/read",
            "Microsoft.MachineLearningServices/workspaces/jobs/*",
            "Microsoft.MachineLearningServices/workspaces/experiments/*",
            "Microsoft.MachineLearningServices/workspaces/codes/*",
            "Microsoft.MachineLearningServices/workspaces/environments/read",
            "Microsoft.MachineLearningServices/workspaces/computes/read",
            "Microsoft.MachineLearningServices/workspaces/datastores/read",
        ],
        data_actions: &[],
    },
    Custom {
        name: COMPUTE_START_STOP,
        description: "Start, stop and restart existing computes",
        guid: "2c41b7e0-58d3-4f1a-a6c9-0e7d3b5f9a21",
        actions: &[
            "Microsoft.MachineLearningServices/workspaces/read",
            "Microsoft.MachineLearningServices/workspaces/computes/read",
            "Microsoft.MachineLearningServices/workspaces/computes/start/action",
            "Microsoft.MachineLearningServices/workspaces/computes/stop/action",
            "Microsoft.MachineLearningServices/workspaces/computes/restart/action",
        ],
        data_actions: &[],
    },
    Custom {
        name: ENDPOINT_SCORER,
        description: "Score online endpoints with an Entra token",
        guid: "9b6e2d14-7c3a-4e85-b1f0-5a2c8d7e4f63",
        actions: &[
            "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read",
            "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action",
        ],
        data_actions: &[],
    },
    Custom {
        name: STORAGE_KEY_READER,
        description: "List storage account keys (for legacy tools)",
        guid: "4f8a3c62-d9e1-4b07-8a5d-6c1e2f0b9d48",
        actions: &[
            "Microsoft.Storage/storageAccounts/read",
            "Microsoft.Storage/storageAccounts/listKeys/action",
        ],
        data_actions: &[],
    },
    Custom {
        name: SECRET_READER,
        description: "Read key vault secrets",
        guid: "e13d5a97-2b64-4c8f-9e0a-7f4b1c6d2a85",
        actions: &["Microsoft.KeyVault/vaults/read"],
        data_actions: &[
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
    },
    Custom {
        name: DATASTORE_READER,
        description: "See the datastores of a workspace",
        guid: "b5c90e3f-6a17-4d2b-8f4e-1d9a7c3e5b06",
        actions: &[
            "Microsoft.MachineLearningServices/workspaces/read",
            "Microsoft.MachineLearningServices/workspaces/datastores/read",
        ],
        data_actions: &[],
    },
];

/// The custom role definitions, in the model format.
pub fn custom_roles() -> Vec<Value> {
    CUSTOM
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "id": c.guid,
                "description": c.description,
                "permissions": [{
                    "actions": c.actions,
                    "not_actions": [],
                    "data_actions": c.data_actions,
                    "not_data_actions": [],
                }],
                "assignable_scopes": ["subscription"],
            })
        })
        .collect()
}
