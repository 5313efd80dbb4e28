//! Seeded synthetic estates for benchmarks at tenant scale.
//!
//! [`generate`] builds a model in the model format (`docs/model-format.md`, version 1) with the shape of a
//! real Azure ML tenant: users in nested departments and teams, service principals and user-assigned
//! identities, one resource group per workspace with the workspace, its storage account, key vault,
//! container registry, computes, online endpoints, datastores, a VNet with an NSG and private endpoints;
//! role assignments at every scope level (mostly to groups) with real built-in role names, a few custom
//! roles, deny assignments and credentials held outside RBAC. The output depends only on [`Params`]:
//! the same parameters give the same bytes on every run and every machine (a SplitMix64 stream, no
//! hashing order, no clock).
//!
//! Names: users `u00001…`, groups `g0001…` (`g0001` is the whole company, its children are
//! departments), service principals `app-0001…`, identities `uami-ml001…`; per workspace `NNN`:
//! `rg-mlNNN`, `mlwNNN`, `stmlNNN`, `kvmlNNN`, `acrmlNNN`, computes `ci-mlNNN-K` (instances) and
//! `cc-mlNNN-K` (clusters), endpoints `ep-mlNNN-K`, datastores `ds-mlNNN-K`, `vnet-mlNNN`, `nsg-mlNNN`.
//! Shared: `rg-data` (data lakes `stlakeNN`), `rg-network` (`vnet-hub`), `rg-identities`, `rg-platform`
//! (`kvplatform`, `acrplatform`). `u…01` and `u…02` are subscription Owners, `u…03` is the break-glass
//! account that the deny assignments exclude.

mod access;
mod principals;
mod resources;
pub mod rng;
pub mod roles;

use serde_json::{Map, Value, json};

pub use roles::BUILTIN_ROLES;

use rng::Rng;

/// The size and seed of a generated estate. At least 3 users, 1 group and 1 workspace are generated
/// whatever the parameters say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Number of users.
    pub users: usize,
    /// Number of groups.
    pub groups: usize,
    /// Number of workspaces (each with its resource group and resources).
    pub workspaces: usize,
    /// The seed: the same parameters give the same model.
    pub seed: u64,
}

impl Params {
    /// A named size, seed 1: `S` (1 000 users, 100 groups, 10 workspaces), `M` (10 000 users, 1 000
    /// groups, 100 workspaces, about 100 000 role assignments) or `L` (100 000 users, 10 000 groups,
    /// 1 000 workspaces, about 1 000 000 role assignments). Case-insensitive.
    pub fn size(name: &str) -> Option<Params> {
        let (users, groups, workspaces) = match name.trim().to_ascii_uppercase().as_str() {
            "S" => (1_000, 100, 10),
            "M" => (10_000, 1_000, 100),
            "L" => (100_000, 10_000, 1_000),
            _ => return None,
        };
        Some(Params {
            users,
            groups,
            workspaces,
            seed: 1,
        })
    }
}

/// The subscription every generated resource lives in.
pub const SUBSCRIPTION: &str = "6a1f3c2e-9b4d-4e7a-8c15-2d0b7f9e4a63";
/// The tenant of the generated estate.
pub const TENANT: &str = "c4e8a2d1-5f3b-4a96-b7e0-1d9c6f2a8b45";

/// Network locations principals act from.
const CORP_VPN: &str = "corp-vpn";
const HQ_OFFICE: &str = "hq-office";
const BRANCH_OFFICE: &str = "branch-office";
const BUILD_AGENTS: &str = "build-agents";
const CONTRACTOR_SITE: &str = "contractor-site";
/// The public (NAT) addresses of the head office, allowed by some storage firewalls.
const HQ_EGRESS: &str = "198.51.100.32/29";
const BUILD_AGENTS_RANGE: &str = "203.0.113.16/28";

/// Shared resource groups.
const RG_NETWORK: &str = "rg-network";
const RG_IDENTITIES: &str = "rg-identities";
const RG_DATA: &str = "rg-data";
const RG_PLATFORM: &str = "rg-platform";
const PLATFORM_VAULT: &str = "kvplatform";
const PLATFORM_REGISTRY: &str = "acrplatform";
const HUB_VNET: &str = "vnet-hub";

/// Generates an estate: a model in the model format, version 1.
pub fn generate(p: &Params) -> Value {
    let mut g = Gen::new(p);
    g.principals();
    g.plan_teams();
    g.resources();
    g.role_assignments();
    g.deny_assignments();
    g.credentials();
    g.into_json()
}

/// What a group does in a workspace it works in; decides its bundle of role assignments there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persona {
    DataScientist,
    Engineer,
    Analyst,
    Admin,
    Operator,
}

/// What a service principal is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpKind {
    /// Deploys to a workspace's resource group from CI.
    Ci,
    /// Moves data between the lakes and the workspaces.
    Pipeline,
    /// A partner's application that scores endpoints.
    Partner,
    /// An external vendor that receives SAS tokens.
    Vendor,
    /// Azure ML's legacy support app: Contributor on the subscription (semantics 2.2).
    Legacy,
}

#[derive(Debug, Clone)]
struct Sp {
    name: String,
    kind: SpKind,
    owners: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Lake {
    name: String,
}

/// One workspace and the names of everything around it.
#[derive(Debug, Clone, Default)]
struct Ws {
    name: String,
    rg: String,
    storage: String,
    vault: String,
    registry: String,
    uami: String,
    vnet: String,
    nsg: String,
    rbac_vault: bool,
    /// Compute instances with their assigned users.
    instances: Vec<(String, usize)>,
    /// Compute instances with a system-assigned identity.
    instances_with_identity: Vec<String>,
    clusters: Vec<String>,
    /// Online endpoints; `true` for key authentication.
    endpoints: Vec<(String, bool)>,
}

/// The generator's state: the names drawn so far and the model's lists.
struct Gen {
    seed: u64,
    n_users: usize,
    n_groups: usize,
    n_ws: usize,
    users: Vec<String>,
    groups: Vec<String>,
    /// Direct members of each group (names: child groups, users, cycles).
    members: Vec<Vec<String>>,
    /// Direct user members of each group.
    group_users: Vec<Vec<usize>>,
    /// Groups each user is directly in.
    user_groups: Vec<Vec<usize>>,
    /// Nesting depth of each group (the company is 1).
    depth: Vec<usize>,
    sps: Vec<Sp>,
    lakes: Vec<Lake>,
    ws: Vec<Ws>,
    /// The workspaces each group works in, with its persona there.
    teams: Vec<Vec<(usize, Persona)>>,
    /// The groups that do data science or engineering in each workspace.
    ws_teams: Vec<Vec<usize>>,
    /// Compute instances with SSH enabled, with their assigned users.
    ssh_instances: Vec<(usize, String)>,
    principals: Map<String, Value>,
    resources: Vec<Value>,
    role_assignments: Vec<Value>,
    deny_assignments: Vec<Value>,
    credentials: Vec<Value>,
    vnets: Vec<Value>,
    nsgs: Vec<Value>,
    private_endpoints: Vec<Value>,
    peerings: Vec<Value>,
    gateways: Vec<Value>,
}

impl Gen {
    fn new(p: &Params) -> Gen {
        Gen {
            seed: p.seed,
            n_users: p.users.max(3),
            n_groups: p.groups.max(1),
            n_ws: p.workspaces.max(1),
            users: Vec::new(),
            groups: Vec::new(),
            members: Vec::new(),
            group_users: Vec::new(),
            user_groups: Vec::new(),
            depth: Vec::new(),
            sps: Vec::new(),
            lakes: Vec::new(),
            ws: Vec::new(),
            teams: Vec::new(),
            ws_teams: Vec::new(),
            ssh_instances: Vec::new(),
            principals: Map::new(),
            resources: Vec::new(),
            role_assignments: Vec::new(),
            deny_assignments: Vec::new(),
            credentials: Vec::new(),
            vnets: Vec::new(),
            nsgs: Vec::new(),
            private_endpoints: Vec::new(),
            peerings: Vec::new(),
            gateways: Vec::new(),
        }
    }

    /// A random stream for one section of the estate.
    fn rng(&self, section: u64) -> Rng {
        Rng::new(self.seed, section)
    }

    fn user(&self, i: usize) -> &str {
        self.users.get(i).map_or("", String::as_str)
    }

    fn group(&self, i: usize) -> &str {
        self.groups.get(i).map_or("", String::as_str)
    }

    /// The admins (subscription Owners) and the break-glass account.
    fn admins(&self) -> [usize; 2] {
        [0, 1]
    }

    /// A random user who is neither an admin nor break-glass (when there are any).
    fn ordinary_user(&self, rng: &mut Rng) -> usize {
        if self.n_users > 3 {
            3 + rng.below(self.n_users - 3)
        } else {
            rng.below(self.n_users)
        }
    }

    fn break_glass(&self) -> &str {
        self.user(2)
    }

    /// Adds a role assignment.
    fn assign(&mut self, principal: &str, role: &str, scope: &str) {
        self.role_assignments.push(json!({
            "principal": principal,
            "role": role,
            "scope": scope,
        }));
    }

    fn into_json(self) -> Value {
        let mut network = Map::new();
        network.insert("vnets".into(), Value::Array(self.vnets));
        network.insert("nsgs".into(), Value::Array(self.nsgs));
        network.insert("private_endpoints".into(), Value::Array(self.private_endpoints));
        network.insert("peerings".into(), Value::Array(self.peerings));
        network.insert("gateways".into(), Value::Array(self.gateways));
        let mut m = Map::new();
        m.insert("version".into(), json!(1));
        m.insert(
            "name".into(),
            json!(format!(
                "synthetic-{}u-{}g-{}w-seed{}",
                self.n_users, self.n_groups, self.n_ws, self.seed
            )),
        );
        m.insert("tenant".into(), json!(TENANT));
        m.insert("subscription".into(), json!(SUBSCRIPTION));
        m.insert("locations".into(), locations());
        m.insert("principals".into(), Value::Object(self.principals));
        m.insert("resources".into(), Value::Array(self.resources));
        m.insert("role_definitions".into(), Value::Array(roles::custom_roles()));
        m.insert("role_assignments".into(), Value::Array(self.role_assignments));
        m.insert("deny_assignments".into(), Value::Array(self.deny_assignments));
        m.insert("credentials".into(), Value::Array(self.credentials));
        m.insert("network".into(), Value::Object(network));
        Value::Object(m)
    }
}

fn locations() -> Value {
    json!({
        CORP_VPN: ["10.20.0.0/16"],
        HQ_OFFICE: {"ranges": ["10.30.0.0/16"], "egress": [HQ_EGRESS]},
        BRANCH_OFFICE: {"ranges": ["10.40.0.0/16"], "egress": ["198.51.100.64/29"]},
        BUILD_AGENTS: [BUILD_AGENTS_RANGE],
        CONTRACTOR_SITE: ["192.0.2.64/28"],
    })
}

/// `prefix` followed by `i + 1` padded to at least `min` digits, or to the digits of `count`.
fn numbered(prefix: &str, i: usize, count: usize, min: usize) -> String {
    let width = count.to_string().len().max(min);
    format!("{prefix}{:0width$}", i + 1)
}

/// Sets a field of a JSON object (nothing when `v` is not an object).
fn set(v: &mut Value, key: &str, value: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_string(), value);
    }
}
