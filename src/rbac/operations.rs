//! Azure resource provider operations (`data/provider-operations/*.json`, from
//! `easimon/azure-builtin-roles`, MIT): whether an operation is a data action, its description, and the
//! concrete operations a wildcard covers. Used to classify and explain, never to decide access: new
//! operations appear all the time and `*` covers them too (§1.4).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::pattern::{Pattern, Trailing};

const FILES: &[(&str, &str)] = &[
    (
        "Microsoft.Authorization",
        include_str!("../../data/provider-operations/Microsoft.Authorization.json"),
    ),
    (
        "Microsoft.CognitiveServices",
        include_str!("../../data/provider-operations/Microsoft.CognitiveServices.json"),
    ),
    (
        "Microsoft.Compute",
        include_str!("../../data/provider-operations/Microsoft.Compute.json"),
    ),
    (
        "Microsoft.ContainerRegistry",
        include_str!("../../data/provider-operations/Microsoft.ContainerRegistry.json"),
    ),
    (
        "Microsoft.ContainerService",
        include_str!("../../data/provider-operations/Microsoft.ContainerService.json"),
    ),
    (
        "Microsoft.KeyVault",
        include_str!("../../data/provider-operations/Microsoft.KeyVault.json"),
    ),
    (
        "Microsoft.MachineLearningServices",
        include_str!("../../data/provider-operations/Microsoft.MachineLearningServices.json"),
    ),
    (
        "Microsoft.ManagedIdentity",
        include_str!("../../data/provider-operations/Microsoft.ManagedIdentity.json"),
    ),
    (
        "Microsoft.Network",
        include_str!("../../data/provider-operations/Microsoft.Network.json"),
    ),
    (
        "Microsoft.Resources",
        include_str!("../../data/provider-operations/Microsoft.Resources.json"),
    ),
    (
        "Microsoft.Storage",
        include_str!("../../data/provider-operations/Microsoft.Storage.json"),
    ),
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProvider {
    #[serde(default)]
    operations: Vec<RawOperation>,
    #[serde(default)]
    resource_types: Vec<RawResourceType>,
}

#[derive(Deserialize)]
struct RawResourceType {
    #[serde(default)]
    operations: Vec<RawOperation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOperation {
    name: String,
    #[serde(default)]
    is_data_action: bool,
    description: Option<String>,
}

/// One provider operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Operation name, e.g. `Microsoft.Storage/storageAccounts/listKeys/action`.
    pub name: String,
    /// True for data-plane operations.
    pub is_data_action: bool,
    /// Azure's description, when it has one.
    pub description: Option<String>,
}

/// The operations of the embedded providers.
pub struct Operations {
    all: Vec<Operation>,
    by_name: HashMap<String, usize>,
}

impl Operations {
    /// An operation by name (case-insensitive).
    pub fn find(&self, name: &str) -> Option<&Operation> {
        self.by_name.get(&name.to_lowercase()).and_then(|&i| self.all.get(i))
    }

    /// True when the operation's provider is one of the embedded ones, so "not found" means "not an
    /// operation Azure lists" rather than "not known here".
    pub fn covers_provider(&self, name: &str) -> bool {
        let provider = name.split('/').next().unwrap_or("").to_lowercase();
        FILES.iter().any(|(p, _)| p.to_lowercase() == provider)
    }

    /// Every known operation the pattern matches, of the given plane, sorted by name.
    pub fn expand(&self, pattern: &str, data: bool) -> Vec<&Operation> {
        let p = Pattern::new(pattern, Trailing::Bare);
        let mut out: Vec<&Operation> = self
            .all
            .iter()
            .filter(|o| o.is_data_action == data && p.matches(&o.name))
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Every known operation.
    pub fn all(&self) -> &[Operation] {
        &self.all
    }

    /// Every operation name, for suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.all.iter().map(|o| o.name.as_str())
    }
}

/// The embedded operations, parsed on first use.
pub fn catalog() -> &'static Operations {
    static OPS: OnceLock<Operations> = OnceLock::new();
    OPS.get_or_init(|| {
        let mut all: Vec<Operation> = Vec::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for (_, text) in FILES {
            // INVARIANT (catalogue-valid): the embedded files are checked by a test.
            let Ok(provider) = serde_json::from_str::<RawProvider>(text) else {
                continue;
            };
            let ops = provider
                .operations
                .into_iter()
                .chain(provider.resource_types.into_iter().flat_map(|t| t.operations));
            for op in ops {
                let key = op.name.to_lowercase();
                if by_name.contains_key(&key) {
                    continue;
                }
                by_name.insert(key, all.len());
                all.push(Operation {
                    name: op.name,
                    is_data_action: op.is_data_action,
                    description: op.description.filter(|d| !d.trim().is_empty()),
                });
            }
        }
        Operations { all, by_name }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_loads() {
        for (name, text) in FILES {
            assert!(serde_json::from_str::<RawProvider>(text).is_ok(), "{name}");
        }
        assert!(catalog().all().len() > 3000);
    }

    #[test]
    fn classifies_data_actions() {
        let ops = catalog();
        assert!(
            ops.find("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read")
                .unwrap()
                .is_data_action
        );
        assert!(
            !ops.find("microsoft.storage/storageaccounts/listkeys/action")
                .unwrap()
                .is_data_action
        );
        assert!(
            ops.find("Microsoft.KeyVault/vaults/secrets/getSecret/action")
                .unwrap()
                .is_data_action
        );
    }

    #[test]
    fn expands_wildcards_to_concrete_operations() {
        let ops = catalog();
        let names: Vec<_> = ops
            .expand(
                "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
                false,
            )
            .into_iter()
            .map(|o| o.name.clone())
            .collect();
        assert!(names.contains(&"Microsoft.ManagedIdentity/userAssignedIdentities/assign/action".to_string()));
    }
}
