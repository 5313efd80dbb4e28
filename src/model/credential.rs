//! Secrets held outside RBAC: SSH keys, endpoint keys, SAS tokens and client secrets.

use super::ids::{PrincipalId, ResourceId};

/// Who holds a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holder {
    /// A principal.
    Principal(PrincipalId),
    /// Every actor, unauthenticated ones too.
    Anyone,
}

/// What a credential opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialKind {
    /// An SSH key whose public half is installed on computes or VMs.
    SshKey {
        /// Where it is installed.
        installed_on: Vec<ResourceId>,
    },
    /// A copy of an online endpoint's key.
    EndpointKey {
        /// The endpoint.
        endpoint: ResourceId,
    },
    /// A SAS token of a storage account.
    SasToken {
        /// The storage account.
        storage_account: ResourceId,
        /// Grants data-read (`read`, `list`).
        read: bool,
        /// Grants data-write (`write`, `create`, `add`).
        write: bool,
        /// The permissions as written.
        permissions: Vec<String>,
    },
    /// A client secret of a service principal.
    ClientSecret {
        /// The service principal.
        service_principal: PrincipalId,
    },
}

impl CredentialKind {
    /// The kind's name in the model format.
    pub fn as_str(&self) -> &'static str {
        match self {
            CredentialKind::SshKey { .. } => "ssh_key",
            CredentialKind::EndpointKey { .. } => "endpoint_key",
            CredentialKind::SasToken { .. } => "sas_token",
            CredentialKind::ClientSecret { .. } => "client_secret",
        }
    }
}

/// A credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// Name.
    pub name: String,
    /// What it opens.
    pub kind: CredentialKind,
    /// Who holds it.
    pub held_by: Vec<Holder>,
}
