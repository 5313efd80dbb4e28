//! Role assignments (identities as Azure grants them, hot spots, team bundles, personal grants,
//! automation), deny assignments and credentials held outside RBAC.

use std::collections::BTreeMap;

use serde_json::json;

use super::rng::Rng;
use super::roles::{
    ACR_PULL, ACR_PUSH, AI_DEVELOPER, BLOB_CONTRIBUTOR, BLOB_OWNER, BLOB_READER, COMPUTE_OPERATOR, COMPUTE_START_STOP,
    CONNECTION_SECRETS_READER, CONTRIBUTOR, DATA_SCIENTIST, DATASTORE_READER, ENDPOINT_SCORER, IDENTITY_OPERATOR,
    JOB_SUBMITTER, METRICS_WRITER, MONITORING_READER, NETWORK_CONTRIBUTOR, OWNER, RBAC_ADMIN, READER, REGISTRY_USER,
    SECRET_READER, SECRETS_OFFICER, SECRETS_USER, STORAGE_CONTRIBUTOR, STORAGE_KEY_READER, USER_ACCESS_ADMIN,
    VAULT_ADMIN, VAULT_READER, VM_CONTRIBUTOR,
};
use super::{Gen, PLATFORM_REGISTRY, PLATFORM_VAULT, Persona, RG_DATA, RG_NETWORK, RG_PLATFORM, SpKind, Ws};

/// The largest number of assignments a user holds directly (uniform from 0).
const MAX_PERSONAL: usize = 6;

/// A `rg:` scope.
fn rg(name: &str) -> String {
    format!("rg:{name}")
}

/// Role assignments to add, deduplicated per principal (Azure holds one per principal, role and scope).
#[derive(Default)]
struct Bundle {
    items: Vec<(&'static str, String)>,
}

impl Bundle {
    fn add(&mut self, role: &'static str, scope: impl Into<String>) {
        let scope = scope.into();
        if !self.items.iter().any(|(r, s)| *r == role && *s == scope) {
            self.items.push((role, scope));
        }
    }
}

impl Gen {
    pub(super) fn role_assignments(&mut self) {
        let mut rng = self.rng(6);
        self.identity_grants();
        self.hot_spots(&mut rng);
        self.team_grants(&mut rng);
        self.personal_grants(&mut rng);
        self.automation_grants(&mut rng);
    }

    fn grant(&mut self, principal: &str, bundle: Bundle) {
        for (role, scope) in bundle.items {
            self.assign(principal, role, &scope);
        }
    }

    /// What Azure grants the workspace, endpoint and compute identities, and the grants of the
    /// user-assigned identities.
    fn identity_grants(&mut self) {
        let mut rng = self.rng(7);
        let workspaces = std::mem::take(&mut self.ws);
        for ws in &workspaces {
            self.assign(&ws.name, CONTRIBUTOR, &rg(&ws.rg));
            self.assign(&ws.name, BLOB_CONTRIBUTOR, &ws.storage);
            self.assign(&ws.name, CONTRIBUTOR, &ws.registry);
            if ws.rbac_vault {
                self.assign(&ws.name, VAULT_ADMIN, &ws.vault);
            }
            for (e, _) in &ws.endpoints {
                self.assign(e, ACR_PULL, &ws.registry);
                self.assign(e, BLOB_READER, &ws.storage);
                self.assign(e, METRICS_WRITER, &ws.name);
            }
            for c in ws.clusters.iter().skip(1) {
                self.assign(c, BLOB_READER, &ws.storage);
                self.assign(c, ACR_PULL, &ws.registry);
            }
            self.assign(&ws.uami, BLOB_READER, &ws.storage);
            self.assign(&ws.uami, ACR_PULL, &ws.registry);
            if let Some(lake) = rng.pick(&self.lakes) {
                let lake = lake.name.clone();
                self.assign(&ws.uami, BLOB_READER, &lake);
            }
            for c in &ws.instances_with_identity {
                self.assign(c, BLOB_READER, &ws.storage);
            }
        }
        self.ws = workspaces;
    }

    /// Broad assignments: subscription Owners, the break-glass account, IAM admins, Reader on the
    /// subscription for the whole company, and a few others at the subscription and shared groups.
    fn hot_spots(&mut self, rng: &mut Rng) {
        for a in self.admins() {
            let name = self.user(a).to_string();
            self.assign(&name, OWNER, "subscription");
        }
        let bg = self.break_glass().to_string();
        self.assign(&bg, OWNER, "subscription");
        let company = self.group(0).to_string();
        self.assign(&company, READER, "subscription");
        if self.n_groups >= 2 {
            // The last group is the identity team.
            let iam = self.group(self.n_groups - 1).to_string();
            self.assign(&iam, USER_ACCESS_ADMIN, "subscription");
        }
        if let Some(security) = self.groups.get(1).cloned() {
            self.assign(&security, MONITORING_READER, "subscription");
            self.assign(&security, VAULT_READER, "subscription");
        }
        if let Some(network) = self.groups.get(2).cloned() {
            self.assign(&network, NETWORK_CONTRIBUTOR, &rg(RG_NETWORK));
        }
        if let Some(platform) = self.groups.get(3).cloned() {
            self.assign(&platform, SECRETS_OFFICER, PLATFORM_VAULT);
            self.assign(&platform, CONTRIBUTOR, &rg(RG_PLATFORM));
            self.assign(&platform, ACR_PUSH, PLATFORM_REGISTRY);
        }
        // Team leads manage their team's access to a workspace's resource group.
        for w in 0..self.ws.len() {
            if !rng.percent(30) {
                continue;
            }
            let lead = self.instance_lead(w, rng);
            let (Some(lead), Some(ws_rg)) = (lead, self.ws.get(w).map(|x| rg(&x.rg))) else {
                continue;
            };
            let name = self.user(lead).to_string();
            self.assign(&name, RBAC_ADMIN, &ws_rg);
        }
    }

    /// An ordinary user of a team of workspace `w`.
    fn instance_lead(&self, w: usize, rng: &mut Rng) -> Option<usize> {
        let g = *self.ws_teams.get(w).and_then(|t| rng.pick(t))?;
        self.group_users
            .get(g)
            .and_then(|u| rng.pick(u))
            .copied()
            .filter(|u| *u >= 3)
    }

    /// Each group's bundle in each workspace it works in, and the departments' data grants.
    fn team_grants(&mut self, rng: &mut Rng) {
        let lakes: Vec<String> = self.lakes.iter().map(|l| l.name.clone()).collect();
        for g in 0..self.n_groups {
            let mut b = Bundle::default();
            let teams = self.teams.get(g).cloned().unwrap_or_default();
            for (w, persona) in teams {
                let Some(ws) = self.ws.get(w) else { continue };
                persona_bundle(&mut b, ws, persona, rng);
            }
            if self.depth.get(g) == Some(&2) {
                b.add(READER, rg(RG_DATA));
                if let Some(lake) = rng.pick(&lakes) {
                    b.add(if rng.percent(30) { BLOB_OWNER } else { BLOB_READER }, lake.clone());
                }
            }
            let name = self.group(g).to_string();
            self.grant(&name, b);
        }
    }

    /// A few assignments held directly by each user, mostly in the workspaces their teams work in.
    fn personal_grants(&mut self, rng: &mut Rng) {
        let lakes: Vec<String> = self.lakes.iter().map(|l| l.name.clone()).collect();
        for u in 3..self.n_users {
            let mut home: Vec<usize> = Vec::new();
            for g in self.user_groups.get(u).into_iter().flatten() {
                for (w, _) in self.teams.get(*g).into_iter().flatten() {
                    if !home.contains(w) {
                        home.push(*w);
                    }
                }
            }
            let mut b = Bundle::default();
            for _ in 0..rng.below(MAX_PERSONAL + 1) {
                let w = if home.is_empty() || rng.percent(15) {
                    rng.below(self.n_ws)
                } else {
                    home.get(rng.below(home.len())).copied().unwrap_or(0)
                };
                let Some(ws) = self.ws.get(w) else { continue };
                match rng.weighted(&[20, 15, 15, 10, 8, 8, 5, 7, 5, 4, 3]) {
                    0 => b.add(BLOB_READER, ws.storage.clone()),
                    1 => {
                        if let Some(lake) = rng.pick(&lakes) {
                            b.add(BLOB_READER, lake.clone());
                        }
                    }
                    2 => b.add(DATA_SCIENTIST, ws.name.clone()),
                    3 => b.add(READER, rg(&ws.rg)),
                    4 => b.add(
                        if ws.rbac_vault { SECRETS_USER } else { VAULT_READER },
                        ws.vault.clone(),
                    ),
                    5 => {
                        if let Some((c, _)) = rng.pick(&ws.instances) {
                            b.add(COMPUTE_OPERATOR, c.clone());
                        } else if let Some(c) = rng.pick(&ws.clusters) {
                            b.add(COMPUTE_OPERATOR, c.clone());
                        }
                    }
                    6 => b.add(AI_DEVELOPER, ws.name.clone()),
                    7 => b.add(BLOB_CONTRIBUTOR, ws.storage.clone()),
                    8 => b.add(ACR_PULL, ws.registry.clone()),
                    9 => {
                        if let Some((e, _)) = rng.pick(&ws.endpoints) {
                            b.add(ENDPOINT_SCORER, e.clone());
                        }
                    }
                    _ => b.add(CONNECTION_SECRETS_READER, ws.name.clone()),
                }
            }
            let name = self.user(u).to_string();
            self.grant(&name, b);
        }
    }

    /// Service principals' grants.
    fn automation_grants(&mut self, rng: &mut Rng) {
        let sps = self.sps.clone();
        let lakes: Vec<String> = self.lakes.iter().map(|l| l.name.clone()).collect();
        for sp in &sps {
            let mut b = Bundle::default();
            let w = rng.below(self.n_ws);
            let Some(ws) = self.ws.get(w) else { continue };
            match sp.kind {
                SpKind::Legacy => b.add(CONTRIBUTOR, "subscription"),
                SpKind::Ci => {
                    b.add(CONTRIBUTOR, rg(&ws.rg));
                    b.add(ACR_PUSH, ws.registry.clone());
                    b.add(REGISTRY_USER, rg(RG_PLATFORM));
                    if let Some(other) = self.ws.get(rng.below(self.n_ws)) {
                        b.add(DATA_SCIENTIST, other.name.clone());
                    }
                }
                SpKind::Pipeline => {
                    if let Some(lake) = rng.pick(&lakes) {
                        b.add(BLOB_CONTRIBUTOR, lake.clone());
                    }
                    b.add(DATA_SCIENTIST, ws.name.clone());
                    b.add(JOB_SUBMITTER, ws.name.clone());
                    b.add(SECRET_READER, PLATFORM_VAULT);
                }
                SpKind::Partner => {
                    if let Some((e, _)) = ws.endpoints.iter().find(|(_, key)| !key) {
                        b.add(ENDPOINT_SCORER, e.clone());
                    }
                }
                SpKind::Vendor => {}
            }
            self.grant(&sp.name, b);
        }
    }

    /// Nobody but break-glass lists the keys of some workspace storage accounts; nobody but
    /// break-glass and the first pipeline deletes blobs in the first data lake.
    pub(super) fn deny_assignments(&mut self) {
        let mut rng = self.rng(8);
        let bg = self.break_glass().to_string();
        let n = (self.n_ws / 20).max(1);
        let mut chosen = rng.distinct(self.n_ws, n);
        chosen.sort_unstable();
        for w in chosen {
            let Some(ws) = self.ws.get(w) else { continue };
            self.deny_assignments.push(json!({
                "name": format!("deny-listkeys-{}", ws.storage),
                "principals": ["everyone"],
                "exclude_principals": [bg],
                "actions": ["Microsoft.Storage/storageAccounts/listKeys/action"],
                "not_actions": [],
                "data_actions": [],
                "not_data_actions": [],
                "scope": ws.storage,
                "do_not_apply_to_child_scopes": false,
            }));
        }
        if let Some(lake) = self.lakes.first() {
            let mut exclude = vec![bg];
            if let Some(sp) = self.sps.iter().find(|s| s.kind == SpKind::Pipeline) {
                exclude.push(sp.name.clone());
            }
            self.deny_assignments.push(json!({
                "name": format!("deny-delete-{}", lake.name),
                "principals": ["everyone"],
                "exclude_principals": exclude,
                "actions": [],
                "not_actions": [],
                "data_actions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete"],
                "not_data_actions": [],
                "scope": lake.name,
                "do_not_apply_to_child_scopes": false,
            }));
        }
    }

    /// SSH keys of instance users, client secrets, SAS tokens and endpoint keys.
    pub(super) fn credentials(&mut self) {
        let mut rng = self.rng(9);
        let mut keys: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (u, c) in &self.ssh_instances {
            keys.entry(*u).or_default().push(c.clone());
        }
        for (u, installed) in keys {
            let user = self.user(u).to_string();
            self.credentials.push(json!({
                "name": format!("ssh-{user}"),
                "kind": "ssh_key",
                "installed_on": installed,
                "held_by": [user],
            }));
        }
        let partners: Vec<String> = self
            .sps
            .iter()
            .filter(|s| matches!(s.kind, SpKind::Partner | SpKind::Vendor))
            .map(|s| s.name.clone())
            .collect();
        // Client secrets: a copy kept by an owner or another user who set up the pipeline.
        let sps = self.sps.clone();
        for sp in sps.iter().filter(|s| matches!(s.kind, SpKind::Ci | SpKind::Pipeline)) {
            if !rng.percent(40) {
                continue;
            }
            let holder = match rng.pick(&sp.owners) {
                Some(u) if rng.percent(50) => self.user(*u).to_string(),
                _ => self.user(self.ordinary_user(&mut rng)).to_string(),
            };
            self.credentials.push(json!({
                "name": format!("secret-{}", sp.name),
                "kind": "client_secret",
                "service_principal": sp.name,
                "held_by": [holder],
            }));
        }
        // SAS tokens for vendors on the lakes, and a few on workspace storage held by users.
        let lakes: Vec<String> = self.lakes.iter().map(|l| l.name.clone()).collect();
        for lake in &lakes {
            if !rng.percent(50) {
                continue;
            }
            let holder = match rng.pick(&partners) {
                Some(p) => p.clone(),
                None => self.user(self.ordinary_user(&mut rng)).to_string(),
            };
            let permissions = if rng.percent(20) {
                json!(["read", "write", "list"])
            } else {
                json!(["read", "list"])
            };
            self.credentials.push(json!({
                "name": format!("sas-{lake}"),
                "kind": "sas_token",
                "storage_account": lake,
                "permissions": permissions,
                "held_by": [holder],
            }));
        }
        let storages: Vec<String> = self.ws.iter().map(|w| w.storage.clone()).collect();
        for s in &storages {
            if !rng.percent(5) {
                continue;
            }
            let holder = self.user(self.ordinary_user(&mut rng)).to_string();
            self.credentials.push(json!({
                "name": format!("sas-{s}"),
                "kind": "sas_token",
                "storage_account": s,
                "permissions": ["read", "list"],
                "held_by": [holder],
            }));
        }
        // Copies of endpoint keys handed to partner applications (or a user).
        let endpoints: Vec<String> = self
            .ws
            .iter()
            .flat_map(|w| w.endpoints.iter().filter(|(_, key)| *key).map(|(e, _)| e.clone()))
            .collect();
        for e in &endpoints {
            if !rng.percent(40) {
                continue;
            }
            let holder = match rng.pick(&partners) {
                Some(p) if rng.percent(80) => p.clone(),
                _ => self.user(self.ordinary_user(&mut rng)).to_string(),
            };
            self.credentials.push(json!({
                "name": format!("key-{e}"),
                "kind": "endpoint_key",
                "endpoint": e,
                "held_by": [holder],
            }));
        }
    }
}

/// The assignments a persona gives a group in a workspace.
fn persona_bundle(b: &mut Bundle, ws: &Ws, persona: Persona, rng: &mut Rng) {
    match persona {
        Persona::DataScientist => {
            b.add(DATA_SCIENTIST, ws.name.clone());
            b.add(BLOB_READER, ws.storage.clone());
            if ws.rbac_vault {
                b.add(SECRETS_USER, ws.vault.clone());
            }
            b.add(ACR_PULL, ws.registry.clone());
            b.add(READER, rg(&ws.rg));
        }
        Persona::Engineer => {
            b.add(DATA_SCIENTIST, ws.name.clone());
            b.add(COMPUTE_OPERATOR, ws.name.clone());
            b.add(BLOB_CONTRIBUTOR, ws.storage.clone());
            b.add(ACR_PUSH, ws.registry.clone());
            b.add(IDENTITY_OPERATOR, ws.uami.clone());
            b.add(READER, rg(&ws.rg));
            if rng.percent(50) {
                b.add(JOB_SUBMITTER, ws.name.clone());
            }
            if rng.percent(30) {
                b.add(REGISTRY_USER, rg(RG_PLATFORM));
            }
        }
        Persona::Analyst => {
            b.add(READER, ws.name.clone());
            b.add(BLOB_READER, ws.storage.clone());
            if rng.percent(50) {
                b.add(DATASTORE_READER, ws.name.clone());
            }
            if rng.percent(20) {
                b.add(CONNECTION_SECRETS_READER, ws.name.clone());
            }
        }
        Persona::Admin => {
            b.add(if rng.percent(30) { OWNER } else { CONTRIBUTOR }, rg(&ws.rg));
            if ws.rbac_vault {
                b.add(VAULT_ADMIN, ws.vault.clone());
            }
            if rng.percent(30) {
                b.add(STORAGE_CONTRIBUTOR, ws.storage.clone());
            }
            if rng.percent(20) {
                b.add(STORAGE_KEY_READER, ws.storage.clone());
            }
            if rng.percent(20) {
                b.add(VM_CONTRIBUTOR, rg(&ws.rg));
            }
        }
        Persona::Operator => {
            b.add(COMPUTE_START_STOP, ws.name.clone());
            if let Some(c) = rng.pick(&ws.clusters) {
                b.add(COMPUTE_OPERATOR, c.clone());
            }
            if let Some((e, _)) = rng.pick(&ws.endpoints) {
                b.add(READER, e.clone());
            }
        }
    }
}
