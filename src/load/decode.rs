//! Positioned tree to [`ModelDto`]: the top level and every list are walked by hand so that one broken
//! element does not hide the problems of the others; each element is decoded with serde through
//! `source::de`. Resource properties are decoded by the resource's type.

use std::collections::{BTreeMap, HashSet};

use serde::de::DeserializeOwned;

use super::dto::{
    ComputePropsDto, DatastorePropsDto, EndpointPropsDto, KeyVaultPropsDto, LocationDto, ModelDto, NETWORK_KEYS,
    NetworkDto, NoPropsDto, PRINCIPAL_KEYS, PrincipalsDto, PropertiesDto, RegistryPropsDto, ResourceDto,
    StoragePropsDto, TOP_LEVEL_KEYS, VmPropsDto, WorkspacePropsDto,
};
use crate::diag::{Diagnostic, Diagnostics, suggest};
use crate::model::resource::{RESOURCE_TYPES, ResourceKind};
use crate::source::de::{self, PathSeg, Sink};
use crate::source::{Node, NodeKind};

/// The result of decoding: what could be decoded, the names of elements that could not (so the
/// resolver does not also report every reference to them as unknown), and the problems.
#[derive(Debug, Default)]
pub struct Decoded {
    /// The decoded model.
    pub dto: ModelDto,
    /// Names of elements that failed to decode.
    pub broken_names: HashSet<String>,
    /// Problems found.
    pub diagnostics: Diagnostics,
    /// For each list (`resources`, `principals.users`, ...), the position in the file of each decoded
    /// element, since elements that failed to decode are left out of the lists.
    pub origins: BTreeMap<String, Vec<usize>>,
}

/// Decodes a whole model document.
pub fn decode(root: &Node) -> Decoded {
    let mut d = Decoder {
        sink: Sink::default(),
        out: Decoded::default(),
    };
    d.document(root);
    let Decoder { sink, mut out } = d;
    for diag in sink.into_inner() {
        out.diagnostics.push(diag);
    }
    out
}

/// The kind of a resource type as written (alias or ARM type, case-insensitive), or a problem.
pub fn resource_kind(type_text: &str) -> Result<ResourceKind, Diagnostic> {
    let t = type_text.trim();
    let lower = t.to_lowercase();
    if let Some((_, _, kind)) = RESOURCE_TYPES.iter().find(|(alias, _, _)| *alias == lower) {
        return Ok(*kind);
    }
    let arm: Vec<_> = RESOURCE_TYPES
        .iter()
        .filter(|(_, arm, _)| arm.to_lowercase() == lower)
        .collect();
    match arm.as_slice() {
        [one] => return Ok(one.2),
        [_, _, ..] => {
            return Err(Diagnostic::error(
                "ambiguous-type",
                format!("resource type `{t}` is used for both compute instances and compute clusters"),
            )
            .with_help("write `compute_instance` or `compute_cluster`"));
        }
        [] => {}
    }
    if t.contains('/') {
        Ok(ResourceKind::Generic)
    } else {
        let help = suggest::did_you_mean(t, RESOURCE_TYPES.iter().map(|(a, _, _)| *a)).unwrap_or_else(|| {
            "use a short alias such as `workspace` or `storage_account`, or a full ARM type such as \
             `Microsoft.Web/sites`"
                .to_string()
        });
        Err(Diagnostic::error("unknown-type", format!("unknown resource type `{t}`")).with_help(help))
    }
}

struct Decoder {
    sink: Sink,
    out: Decoded,
}

impl Decoder {
    fn error(&mut self, d: Diagnostic) {
        self.out.diagnostics.push(d);
    }

    fn document(&mut self, root: &Node) {
        let Some(entries) = root.as_map() else {
            let found = root.describe();
            self.error(
                Diagnostic::error(
                    "invalid-document",
                    format!("expected a model (a mapping), found {found}"),
                )
                .with_pos(root.pos)
                .with_help("a model starts with `version: 1`; see the model format reference"),
            );
            return;
        };
        self.unknown_keys(entries, "", TOP_LEVEL_KEYS);
        match root.get("version") {
            None => self.error(
                Diagnostic::error("missing-key", "missing required key `version`")
                    .with_pos(root.pos)
                    .with_help("add `version: 1` at the top of the file"),
            ),
            Some(v) => match v.as_str().map(str::parse::<u32>) {
                Some(Ok(1)) => self.out.dto.version = Some(1),
                _ => {
                    let shown = v.as_str().unwrap_or(v.describe()).to_string();
                    self.error(
                        Diagnostic::error("unsupported-version", format!("unsupported model version `{shown}`"))
                            .at("version")
                            .with_pos(v.pos)
                            .with_help("the supported versions are: 1"),
                    );
                }
            },
        }
        self.out.dto.name = self.scalar(root, "name");
        self.out.dto.tenant = self.scalar(root, "tenant");
        self.out.dto.subscription = self.scalar(root, "subscription");
        if let Some(node) = root.get("locations") {
            self.out.dto.locations = self.locations(node);
        }
        if let Some(node) = root.get("principals") {
            self.out.dto.principals = self.principals(node);
        }
        let resources = self.list_nodes(root.get("resources"), "resources");
        let mut origin = Vec::new();
        for (i, node) in resources {
            if let Some(r) = self.resource(node, i) {
                self.out.dto.resources.push(r);
                origin.push(i);
            }
        }
        self.out.origins.insert("resources".to_string(), origin);
        self.out.dto.role_definitions = self.list(root.get("role_definitions"), "role_definitions");
        self.out.dto.role_assignments = self.list(root.get("role_assignments"), "role_assignments");
        self.out.dto.deny_assignments = self.list(root.get("deny_assignments"), "deny_assignments");
        self.out.dto.credentials = self.list(root.get("credentials"), "credentials");
        if let Some(node) = root.get("network") {
            self.out.dto.network = self.network(node);
        }
    }

    fn unknown_keys(&mut self, entries: &[(crate::source::Key, Node)], prefix: &str, known: &[&str]) {
        for (key, _) in entries {
            if !known.contains(&key.text.as_str()) {
                let help = suggest::did_you_mean(&key.text, known.iter().copied())
                    .unwrap_or_else(|| format!("known keys here: {}", backticked(known)));
                let path = if prefix.is_empty() {
                    key.text.clone()
                } else {
                    format!("{prefix}.{}", key.text)
                };
                self.error(
                    Diagnostic::error("unknown-key", format!("unknown key `{}`", key.text))
                        .at(path)
                        .with_pos(key.pos)
                        .with_help(help),
                );
            }
        }
    }

    fn scalar(&mut self, root: &Node, key: &str) -> Option<String> {
        let node = root.get(key)?;
        match &node.kind {
            NodeKind::Null => None,
            NodeKind::Scalar { text, .. } => Some(text.clone()),
            _ => {
                self.error(
                    Diagnostic::error("invalid-value", format!("expected a string, found {}", node.describe()))
                        .at(key)
                        .with_pos(node.pos),
                );
                None
            }
        }
    }

    /// The items of a list, or a problem when the node is not a list. `null` is an empty list.
    fn list_nodes<'n>(&mut self, node: Option<&'n Node>, path: &str) -> Vec<(usize, &'n Node)> {
        let Some(node) = node else { return Vec::new() };
        match &node.kind {
            NodeKind::Null => Vec::new(),
            NodeKind::Seq(items) => items.iter().enumerate().collect(),
            _ => {
                self.error(
                    Diagnostic::error("invalid-value", format!("expected a list, found {}", node.describe()))
                        .at(path)
                        .with_pos(node.pos),
                );
                Vec::new()
            }
        }
    }

    fn list<T: DeserializeOwned>(&mut self, node: Option<&Node>, path: &str) -> Vec<T> {
        let mut out = Vec::new();
        let mut origin = Vec::new();
        for (i, item) in self.list_nodes(node, path) {
            let prefix = format!("{path}[{i}]");
            if let Some(v) = self.element(item, &prefix) {
                out.push(v);
                origin.push(i);
            }
        }
        self.out.origins.insert(path.to_string(), origin);
        out
    }

    fn element<T: DeserializeOwned>(&mut self, node: &Node, path: &str) -> Option<T> {
        let root = PathSeg::Root(path);
        match de::decode::<T>(node, &root, &self.sink) {
            Ok(v) => Some(v),
            Err(e) => {
                if let Some(name) = node.get("name").and_then(Node::as_str) {
                    self.out.broken_names.insert(name.to_lowercase());
                }
                self.error(e.into_diagnostic());
                None
            }
        }
    }

    fn locations(&mut self, node: &Node) -> BTreeMap<String, LocationDto> {
        let mut out = BTreeMap::new();
        if node.is_null() {
            return out;
        }
        let Some(entries) = node.as_map() else {
            self.error(
                Diagnostic::error(
                    "invalid-value",
                    format!(
                        "expected a mapping of location names to CIDR lists, found {}",
                        node.describe()
                    ),
                )
                .at("locations")
                .with_pos(node.pos),
            );
            return out;
        };
        for (key, value) in entries {
            let path = format!("locations.{}", key.text);
            if let Some(loc) = self.element::<LocationDto>(value, &path) {
                out.insert(key.text.clone(), loc);
            }
        }
        out
    }

    fn principals(&mut self, node: &Node) -> PrincipalsDto {
        let mut out = PrincipalsDto::default();
        if node.is_null() {
            return out;
        }
        let Some(entries) = node.as_map() else {
            self.error(
                Diagnostic::error(
                    "invalid-value",
                    format!(
                        "expected a mapping with {}, found {}",
                        backticked(PRINCIPAL_KEYS),
                        node.describe()
                    ),
                )
                .at("principals")
                .with_pos(node.pos),
            );
            return out;
        };
        self.unknown_keys(entries, "principals", PRINCIPAL_KEYS);
        out.users = self.list(node.get("users"), "principals.users");
        out.groups = self.list(node.get("groups"), "principals.groups");
        out.service_principals = self.list(node.get("service_principals"), "principals.service_principals");
        out.managed_identities = self.list(node.get("managed_identities"), "principals.managed_identities");
        out
    }

    fn network(&mut self, node: &Node) -> NetworkDto {
        let mut out = NetworkDto::default();
        if node.is_null() {
            return out;
        }
        let Some(entries) = node.as_map() else {
            self.error(
                Diagnostic::error(
                    "invalid-value",
                    format!(
                        "expected a mapping with {}, found {}",
                        backticked(NETWORK_KEYS),
                        node.describe()
                    ),
                )
                .at("network")
                .with_pos(node.pos),
            );
            return out;
        };
        self.unknown_keys(entries, "network", NETWORK_KEYS);
        out.vnets = self.list(node.get("vnets"), "network.vnets");
        out.peerings = self.list(node.get("peerings"), "network.peerings");
        out.gateways = self.list(node.get("gateways"), "network.gateways");
        out.nsgs = self.list(node.get("nsgs"), "network.nsgs");
        out.private_endpoints = self.list(node.get("private_endpoints"), "network.private_endpoints");
        out
    }

    fn resource(&mut self, node: &Node, i: usize) -> Option<ResourceDto> {
        let path = format!("resources[{i}]");
        let mut r: ResourceDto = self.element(node, &path)?;
        let kind = match resource_kind(&r.kind) {
            Ok(k) => k,
            Err(d) => {
                self.out.broken_names.insert(r.name.to_lowercase());
                self.error(d.at(format!("{path}.type")));
                return None;
            }
        };
        let props_path = format!("{path}.properties");
        let props_node = node.get("properties").filter(|n| !n.is_null());
        let props = match props_node {
            None => Some(empty_props(kind)),
            Some(p) => self.properties(p, kind, &props_path),
        };
        match props {
            Some(p) => {
                r.properties = p;
                Some(r)
            }
            None => {
                self.out.broken_names.insert(r.name.to_lowercase());
                None
            }
        }
    }

    fn properties(&mut self, node: &Node, kind: ResourceKind, path: &str) -> Option<Option<PropertiesDto>> {
        use ResourceKind as K;
        Some(Some(match kind {
            K::Workspace => PropertiesDto::Workspace(self.element::<WorkspacePropsDto>(node, path)?),
            K::ComputeInstance | K::ComputeCluster => {
                PropertiesDto::Compute(self.element::<ComputePropsDto>(node, path)?)
            }
            K::OnlineEndpoint => PropertiesDto::Endpoint(self.element::<EndpointPropsDto>(node, path)?),
            K::Datastore => PropertiesDto::Datastore(self.element::<DatastorePropsDto>(node, path)?),
            K::StorageAccount => PropertiesDto::Storage(self.element::<StoragePropsDto>(node, path)?),
            K::KeyVault => PropertiesDto::KeyVault(self.element::<KeyVaultPropsDto>(node, path)?),
            K::ContainerRegistry => PropertiesDto::Registry(self.element::<RegistryPropsDto>(node, path)?),
            K::VirtualMachine => PropertiesDto::Vm(self.element::<VmPropsDto>(node, path)?),
            K::Generic => PropertiesDto::Other(self.element::<serde_json::Value>(node, path)?),
            K::ResourceGroup
            | K::UserAssignedIdentity
            | K::VirtualNetwork
            | K::NetworkSecurityGroup
            | K::PrivateEndpoint => {
                self.element::<NoPropsDto>(node, path)?;
                return Some(None);
            }
        }))
    }
}

fn empty_props(kind: ResourceKind) -> Option<PropertiesDto> {
    use ResourceKind as K;
    match kind {
        K::Workspace => Some(PropertiesDto::Workspace(WorkspacePropsDto::default())),
        K::ComputeInstance | K::ComputeCluster => Some(PropertiesDto::Compute(ComputePropsDto::default())),
        K::OnlineEndpoint => Some(PropertiesDto::Endpoint(EndpointPropsDto::default())),
        K::Datastore => Some(PropertiesDto::Datastore(DatastorePropsDto::default())),
        K::StorageAccount => Some(PropertiesDto::Storage(StoragePropsDto::default())),
        K::KeyVault => Some(PropertiesDto::KeyVault(KeyVaultPropsDto::default())),
        K::ContainerRegistry => Some(PropertiesDto::Registry(RegistryPropsDto::default())),
        K::VirtualMachine => Some(PropertiesDto::Vm(VmPropsDto::default())),
        _ => None,
    }
}

fn backticked(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}
