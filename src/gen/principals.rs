//! Users, groups (a forest of departments, teams and sub-teams), service principals and user-assigned
//! identities; and which groups work in which workspaces.

use serde_json::{Value, json};

use super::{
    BRANCH_OFFICE, BUILD_AGENTS, CONTRACTOR_SITE, CORP_VPN, Gen, HQ_OFFICE, Persona, RG_IDENTITIES, Sp, SpKind,
    numbered, set,
};

/// The deepest nesting of groups (the company is at depth 1).
const MAX_DEPTH: usize = 6;
/// Role assignments held by groups, per user of the estate (the rest go to users and automation).
const GROUP_ASSIGNMENTS_PER_USER: usize = 7;
/// The average number of assignments a group's persona gives it in one workspace, times 10.
const BUNDLE_SIZE_X10: usize = 42;

impl Gen {
    pub(super) fn principals(&mut self) {
        self.users();
        self.groups();
        self.service_principals();
        let identities: Vec<Value> = (0..self.n_ws)
            .map(|i| json!({"name": uami_name(i, self.n_ws), "group": RG_IDENTITIES}))
            .collect();
        self.principals
            .insert("managed_identities".into(), Value::Array(identities));
    }

    fn users(&mut self) {
        let mut rng = self.rng(1);
        let mut out = Vec::with_capacity(self.n_users);
        for i in 0..self.n_users {
            let name = numbered("u", i, self.n_users, 5);
            let locations: &[&str] = if self.admins().contains(&i) {
                &[CORP_VPN]
            } else if i == 2 {
                // The break-glass account acts from anywhere.
                &[]
            } else {
                match rng.weighted(&[40, 25, 15, 10, 5, 5]) {
                    0 => &[CORP_VPN, HQ_OFFICE],
                    1 => &[HQ_OFFICE],
                    2 => &[CORP_VPN],
                    3 => &[BRANCH_OFFICE],
                    4 => &[CONTRACTOR_SITE],
                    _ => &[],
                }
            };
            out.push(if locations.is_empty() {
                json!({"name": name})
            } else {
                json!({"name": name, "locations": locations})
            });
            self.users.push(name);
        }
        self.principals.insert("users".into(), Value::Array(out));
    }

    fn groups(&mut self) {
        let mut rng = self.rng(2);
        let n = self.n_groups;
        self.groups = (0..n).map(|i| numbered("g", i, n, 4)).collect();
        self.members = vec![Vec::new(); n];
        self.group_users = vec![Vec::new(); n];
        self.user_groups = vec![Vec::new(); self.n_users];
        self.depth = vec![1; n];
        let mut parent: Vec<usize> = vec![0; n];
        // g…1 is the company; its children are departments; one chain reaches the deepest level; the
        // rest hang under a random earlier group that is not at the deepest level.
        let departments = (n / 40).clamp(1, 40).min(n.saturating_sub(1));
        for i in 1..n {
            let p = if i <= departments {
                0
            } else if i <= departments + MAX_DEPTH - 2 {
                i - 1
            } else {
                let mut j = 1 + rng.below(i - 1);
                while self.depth.get(j).copied().unwrap_or(1) >= MAX_DEPTH {
                    j = parent.get(j).copied().unwrap_or(0);
                }
                j
            };
            let d = self.depth.get(p).copied().unwrap_or(1) + 1;
            if let Some(slot) = self.depth.get_mut(i) {
                *slot = d;
            }
            if let Some(slot) = parent.get_mut(i) {
                *slot = p;
            }
            let child = self.group(i).to_string();
            if let Some(m) = self.members.get_mut(p) {
                m.push(child);
            }
        }
        // Every user is in 1 to 3 groups below the company.
        for u in 0..self.n_users {
            let k = 1 + rng.weighted(&[50, 35, 15]);
            let chosen: Vec<usize> = if n > 1 {
                rng.distinct(n - 1, k).into_iter().map(|g| g + 1).collect()
            } else {
                vec![0]
            };
            let name = self.user(u).to_string();
            for g in chosen {
                if let Some(m) = self.members.get_mut(g) {
                    m.push(name.clone());
                }
                if let Some(m) = self.group_users.get_mut(g) {
                    m.push(u);
                }
                if let Some(m) = self.user_groups.get_mut(u) {
                    m.push(g);
                }
            }
        }
        // A few membership cycles: two groups that contain each other.
        if n >= 3 {
            let mut made = 0;
            let wanted = (n / 300).max(1);
            let mut tries = 0;
            while made < wanted && tries < wanted * 20 {
                tries += 1;
                let (a, b) = (1 + rng.below(n - 1), 1 + rng.below(n - 1));
                let (an, bn) = (self.group(a).to_string(), self.group(b).to_string());
                let (Some(am), Some(bm)) = (self.members.get(a), self.members.get(b)) else {
                    continue;
                };
                if a == b || am.contains(&bn) || bm.contains(&an) {
                    continue;
                }
                if let Some(m) = self.members.get_mut(a) {
                    m.push(bn);
                }
                if let Some(m) = self.members.get_mut(b) {
                    m.push(an);
                }
                made += 1;
            }
        }
        let out: Vec<Value> = self
            .groups
            .iter()
            .zip(&self.members)
            .map(|(name, members)| json!({"name": name, "members": members}))
            .collect();
        self.principals.insert("groups".into(), Value::Array(out));
    }

    fn service_principals(&mut self) {
        let mut rng = self.rng(3);
        let n = (self.n_users / 100).max(2);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let kind = match i {
                0 => SpKind::Ci,
                1 => SpKind::Pipeline,
                2 => SpKind::Partner,
                3 => SpKind::Vendor,
                4 => SpKind::Legacy,
                _ => match rng.weighted(&[40, 30, 20, 10]) {
                    0 => SpKind::Ci,
                    1 => SpKind::Pipeline,
                    2 => SpKind::Partner,
                    _ => SpKind::Vendor,
                },
            };
            let name = numbered("app-", i, n, 4);
            let owners: Vec<usize> = match kind {
                SpKind::Ci | SpKind::Pipeline if rng.percent(80) => {
                    // Owners are ordinary users, never the admins or break-glass.
                    let k = rng.between(1, 2);
                    let mut owners: Vec<usize> = Vec::new();
                    for _ in 0..k {
                        let u = self.ordinary_user(&mut rng);
                        if !owners.contains(&u) {
                            owners.push(u);
                        }
                    }
                    owners
                }
                _ => Vec::new(),
            };
            let owner_names: Vec<&str> = owners.iter().map(|u| self.user(*u)).collect();
            let mut sp = json!({"name": name});
            if !owner_names.is_empty() {
                set(&mut sp, "owners", json!(owner_names));
            }
            if kind == SpKind::Ci {
                set(&mut sp, "locations", json!([BUILD_AGENTS]));
            }
            out.push(sp);
            self.sps.push(Sp { name, kind, owners });
        }
        self.principals.insert("service_principals".into(), Value::Array(out));
    }

    /// Decides which workspaces each group works in and as what.
    pub(super) fn plan_teams(&mut self) {
        let mut rng = self.rng(4);
        self.teams = vec![Vec::new(); self.n_groups];
        self.ws_teams = vec![Vec::new(); self.n_ws];
        let budget = GROUP_ASSIGNMENTS_PER_USER * self.n_users / self.n_groups;
        let per_group = (budget * 10 / BUNDLE_SIZE_X10).max(1);
        for g in 1..self.n_groups {
            let k = rng
                .between(per_group / 2, per_group + per_group / 2)
                .clamp(1, self.n_ws);
            for w in rng.distinct(self.n_ws, k) {
                let persona = match rng.weighted(&[40, 20, 25, 5, 10]) {
                    0 => Persona::DataScientist,
                    1 => Persona::Engineer,
                    2 => Persona::Analyst,
                    3 => Persona::Admin,
                    _ => Persona::Operator,
                };
                if let Some(t) = self.teams.get_mut(g) {
                    t.push((w, persona));
                }
                if matches!(persona, Persona::DataScientist | Persona::Engineer)
                    && let Some(t) = self.ws_teams.get_mut(w)
                {
                    t.push(g);
                }
            }
        }
    }
}

/// The user-assigned identity of workspace `i`.
pub(super) fn uami_name(i: usize, n_ws: usize) -> String {
    numbered("uami-ml", i, n_ws, 3)
}
