//! The built-in role catalogue: the real Azure role definitions (928 roles, `data/azure-builtin-roles.json`,
//! from `easimon/azure-builtin-roles`, MIT; see `data/SOURCES.md`), embedded in the binary.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{PermissionBlock, RoleDefinition};

const ROLES_JSON: &str = include_str!("../../data/azure-builtin-roles.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRole {
    role_name: String,
    name: String,
    description: Option<String>,
    #[serde(default)]
    permissions: Vec<RawBlock>,
    #[serde(default)]
    assignable_scopes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBlock {
    #[serde(default)]
    actions: Vec<String>,
    #[serde(default)]
    not_actions: Vec<String>,
    #[serde(default)]
    data_actions: Vec<String>,
    #[serde(default)]
    not_data_actions: Vec<String>,
    condition: Option<String>,
}

/// The catalogue with look-ups by name and GUID (both case-insensitive).
pub struct Catalog {
    roles: Vec<RoleDefinition>,
    by_name: HashMap<String, usize>,
    by_guid: HashMap<String, usize>,
}

impl Catalog {
    /// Every built-in role, sorted by name.
    pub fn roles(&self) -> &[RoleDefinition] {
        &self.roles
    }

    /// A built-in role by `roleName` or GUID.
    pub fn find(&self, name_or_guid: &str) -> Option<&RoleDefinition> {
        let key = name_or_guid.trim().to_lowercase();
        let key = key
            .rsplit_once("/roledefinitions/")
            .map_or(key.as_str(), |(_, guid)| guid);
        self.by_name
            .get(key)
            .or_else(|| self.by_guid.get(key))
            .and_then(|&i| self.roles.get(i))
    }

    /// Every role name, for suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().map(|r| r.name.as_str())
    }
}

/// The catalogue, parsed on first use.
pub fn builtin() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // INVARIANT (catalogue-valid): the embedded file is checked by `tests::the_catalogue_loads`; an
        // unreadable file would yield an empty catalogue and every role name would be reported unknown.
        let raw: Vec<RawRole> = serde_json::from_str(ROLES_JSON).unwrap_or_default();
        let roles: Vec<RoleDefinition> = raw
            .into_iter()
            .map(|r| RoleDefinition {
                name: r.role_name,
                guid: r.name.to_lowercase(),
                builtin: true,
                description: r.description,
                permissions: r
                    .permissions
                    .into_iter()
                    .map(|b| PermissionBlock {
                        actions: b.actions,
                        not_actions: b.not_actions,
                        data_actions: b.data_actions,
                        not_data_actions: b.not_data_actions,
                        condition: b.condition.filter(|c| !c.trim().is_empty()),
                    })
                    .collect(),
                assignable_scopes: r.assignable_scopes,
            })
            .collect();
        let by_name = roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.to_lowercase(), i))
            .collect();
        let by_guid = roles.iter().enumerate().map(|(i, r)| (r.guid.clone(), i)).collect();
        Catalog {
            roles,
            by_name,
            by_guid,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_loads() {
        let c = builtin();
        assert_eq!(c.roles().len(), 928);
        let ds = c.find("AzureML Data Scientist").unwrap();
        assert_eq!(ds.guid, "f6c7c914-8db3-469d-8ca1-694a8f32e121");
        assert_eq!(
            c.find("F6C7C914-8DB3-469D-8CA1-694A8F32E121").unwrap().name,
            "AzureML Data Scientist"
        );
        assert_eq!(
            c.find("/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7")
                .unwrap()
                .name,
            "Reader"
        );
        assert_eq!(c.find("reader").unwrap().name, "Reader");
    }

    #[test]
    fn the_catalogue_has_what_the_spec_counts() {
        let c = builtin();
        let multi = c.roles().iter().filter(|r| r.permissions.len() > 1).count();
        let conditioned = c
            .roles()
            .iter()
            .filter(|r| r.permissions.iter().any(|b| b.condition.is_some()))
            .count();
        assert_eq!((multi, conditioned), (16, 29));
    }
}
