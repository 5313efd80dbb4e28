//! Resource groups, the workspaces with everything around them, the shared data lakes and platform
//! resources, and the network (VNets, NSGs, private endpoints, peerings, gateways).

use serde_json::{Value, json};

use super::principals::uami_name;
use super::rng::Rng;
use super::{
    BRANCH_OFFICE, BUILD_AGENTS_RANGE, CONTRACTOR_SITE, CORP_VPN, Gen, HQ_EGRESS, HQ_OFFICE, HUB_VNET, Lake,
    PLATFORM_REGISTRY, PLATFORM_VAULT, RG_DATA, RG_IDENTITIES, RG_NETWORK, RG_PLATFORM, Ws, numbered, set,
};

/// The SSH port of compute instances (Azure ML's).
const SSH_PORT: u16 = 50000;

/// A resource in the model format.
fn resource(name: &str, kind: &str, group: &str, properties: Value) -> Value {
    json!({"name": name, "type": kind, "group": group, "properties": properties})
}

impl Gen {
    pub(super) fn resources(&mut self) {
        let mut rng = self.rng(5);
        for rg in [RG_NETWORK, RG_IDENTITIES, RG_DATA, RG_PLATFORM] {
            self.resources.push(json!({"name": rg, "type": "resource_group"}));
        }
        for i in 0..self.n_ws {
            let rg = numbered("rg-ml", i, self.n_ws, 3);
            self.resources.push(json!({"name": rg, "type": "resource_group"}));
        }
        self.shared_resources(&mut rng);
        for i in 0..self.n_ws {
            self.workspace(i, &mut rng);
        }
    }

    fn shared_resources(&mut self, rng: &mut Rng) {
        self.resources.push(resource(
            PLATFORM_VAULT,
            "key_vault",
            RG_PLATFORM,
            json!({"enable_rbac_authorization": true, "public_network_access": "Enabled"}),
        ));
        self.resources.push(resource(
            PLATFORM_REGISTRY,
            "container_registry",
            RG_PLATFORM,
            json!({"admin_user_enabled": false, "public_network_access": "Enabled"}),
        ));
        let n_lakes = (self.n_ws / 10).max(2);
        for j in 0..n_lakes {
            let name = numbered("stlake", j, n_lakes, 2);
            let mut props = json!({
                "allow_shared_key_access": rng.percent(70),
                "allow_blob_public_access": false,
                "public_network_access": "Enabled",
            });
            if rng.percent(30) {
                // Firewalled: the head office, the build agents and one workspace's compute subnet.
                let w = rng.below(self.n_ws);
                let subnet = format!("{}/compute", numbered("vnet-ml", w, self.n_ws, 3));
                set(
                    &mut props,
                    "network_acls",
                    json!({
                        "default_action": "Deny",
                        "ip_rules": [HQ_EGRESS, BUILD_AGENTS_RANGE],
                        "virtual_network_rules": [subnet],
                        "bypass": ["AzureServices"],
                    }),
                );
            }
            self.resources.push(resource(&name, "storage_account", RG_DATA, props));
            self.lakes.push(Lake { name });
        }
        self.vnets.push(json!({
            "name": HUB_VNET,
            "group": RG_NETWORK,
            "address_space": ["10.0.0.0/16"],
            "subnets": [{"name": "shared", "prefix": "10.0.1.0/24"}],
        }));
        self.gateways.push(json!({"location": CORP_VPN, "vnet": HUB_VNET}));
    }

    /// Workspace `i` and everything in its resource group.
    fn workspace(&mut self, i: usize, rng: &mut Rng) {
        let n = self.n_ws;
        let num = |prefix: &str| numbered(prefix, i, n, 3);
        let mut ws = Ws {
            name: num("mlw"),
            rg: num("rg-ml"),
            storage: num("stml"),
            vault: num("kvml"),
            registry: num("acrml"),
            uami: uami_name(i, n),
            vnet: num("vnet-ml"),
            nsg: num("nsg-ml"),
            rbac_vault: rng.percent(60),
            ..Ws::default()
        };
        let compute_subnet = format!("{}/compute", ws.vnet);
        let tag = num("ml");

        // The workspace and its dependent resources.
        let ws_public = rng.percent(85);
        let managed_network = ["disabled", "allow_internet_outbound", "allow_only_approved_outbound"]
            .get(rng.weighted(&[60, 25, 15]))
            .copied()
            .unwrap_or("disabled");
        let mut props = json!({
            "storage_account": ws.storage,
            "key_vault": ws.vault,
            "container_registry": ws.registry,
            "public_network_access": if ws_public { "Enabled" } else { "Disabled" },
            "managed_network": managed_network,
            "system_datastores_auth_mode": if rng.percent(70) { "accesskey" } else { "identity" },
        });
        if ws_public && rng.percent(10) {
            set(&mut props, "ip_rules", json!([HQ_EGRESS]));
        }
        let mut w = resource(&ws.name, "workspace", &ws.rg, props);
        set(&mut w, "identity", json!({"system": true}));
        self.resources.push(w);

        let mut storage = json!({
            "allow_shared_key_access": rng.percent(75),
            "allow_blob_public_access": rng.percent(2),
            "public_network_access": "Enabled",
        });
        if rng.percent(35) {
            set(
                &mut storage,
                "network_acls",
                json!({
                    "default_action": "Deny",
                    "ip_rules": [HQ_EGRESS],
                    "virtual_network_rules": [compute_subnet],
                    "bypass": ["AzureServices"],
                }),
            );
        }
        self.resources
            .push(resource(&ws.storage, "storage_account", &ws.rg, storage));

        let vault_access = if rng.percent(30) { "Disabled" } else { "Enabled" };
        let vault = if ws.rbac_vault {
            json!({"enable_rbac_authorization": true, "public_network_access": vault_access})
        } else {
            // Access-policy mode: the workspace identity holds everything but purge (as Azure ML sets
            // it up), and sometimes a data science team reads secrets.
            let mut policies = vec![json!({
                "principal": ws.name,
                "secrets": ["get", "list", "set", "delete", "backup", "restore", "recover"],
                "keys": ["get", "list", "update", "create", "import", "delete", "recover", "backup", "restore",
                         "decrypt", "encrypt", "unwrapKey", "wrapKey", "verify", "sign"],
                "certificates": ["get", "list", "update", "create", "import", "delete", "recover", "backup",
                                 "restore", "managecontacts", "manageissuers", "getissuers", "listissuers",
                                 "setissuers", "deleteissuers"],
            })];
            let team = self.ws_teams.get(i).and_then(|t| rng.pick(t)).copied();
            if let Some(g) = team
                && rng.percent(50)
            {
                policies.push(json!({"principal": self.group(g), "secrets": ["get", "list"]}));
            }
            json!({
                "enable_rbac_authorization": false,
                "access_policies": policies,
                "public_network_access": vault_access,
            })
        };
        self.resources.push(resource(&ws.vault, "key_vault", &ws.rg, vault));
        self.resources.push(resource(
            &ws.registry,
            "container_registry",
            &ws.rg,
            json!({"admin_user_enabled": true, "public_network_access": "Enabled"}),
        ));

        // Computes: a training cluster with the workspace's user-assigned identity, then a mix of
        // instances (one user each) and clusters with a system identity.
        let n_computes = rng.between(2, 4);
        for k in 0..n_computes {
            let instance = k > 0 && rng.percent(60);
            if instance {
                let name = format!("ci-{tag}-{}", k + 1);
                let user = self.instance_user(i, rng);
                let ssh = rng.percent(60);
                let public_ip = rng.percent(25);
                let mut props = json!({
                    "workspace": ws.name,
                    "assigned_user": self.user(user),
                    "ssh": if ssh { json!({"enabled": true, "port": SSH_PORT}) } else { json!({"enabled": false}) },
                    "public_ip": public_ip,
                });
                if !public_ip || rng.percent(70) {
                    set(&mut props, "subnet", json!(compute_subnet));
                }
                let mut c = resource(&name, "compute_instance", &ws.rg, props);
                if rng.percent(20) {
                    set(&mut c, "identity", json!({"system": true}));
                    ws.instances_with_identity.push(name.clone());
                }
                self.resources.push(c);
                if ssh {
                    self.ssh_instances.push((user, name.clone()));
                }
                ws.instances.push((name, user));
            } else {
                let name = format!("cc-{tag}-{}", k + 1);
                let props = json!({
                    "workspace": ws.name,
                    "public_ip": rng.percent(10),
                    "subnet": compute_subnet,
                });
                let mut c = resource(&name, "compute_cluster", &ws.rg, props);
                set(
                    &mut c,
                    "identity",
                    if k == 0 {
                        json!({"user_assigned": [ws.uami]})
                    } else {
                        json!({"system": true})
                    },
                );
                self.resources.push(c);
                ws.clusters.push(name);
            }
        }

        // Online endpoints.
        for k in 0..rng.between(1, 2) {
            let name = format!("ep-{tag}-{}", k + 1);
            let key = rng.percent(55);
            let props = json!({
                "workspace": ws.name,
                "auth_mode": if key { "key" } else { "aad_token" },
                "public_network_access": if rng.percent(85) { "Enabled" } else { "Disabled" },
            });
            let mut e = resource(&name, "online_endpoint", &ws.rg, props);
            set(&mut e, "identity", json!({"system": true}));
            self.resources.push(e);
            ws.endpoints.push((name, key));
        }

        // Datastores beyond the implicit ones: a data lake or the workspace's own storage, with a stored
        // account key or identity-based.
        for k in 0..rng.between(1, 2) {
            let name = format!("ds-{tag}-{}", k + 1);
            let storage = if rng.percent(70) {
                rng.pick(&self.lakes).map_or(ws.storage.clone(), |l| l.name.clone())
            } else {
                ws.storage.clone()
            };
            let props = json!({
                "workspace": ws.name,
                "storage_account": storage,
                "credentials": if rng.percent(50) { "account_key" } else { "none" },
            });
            self.resources.push(resource(&name, "datastore", &ws.rg, props));
        }

        self.workspace_network(i, &ws, rng, ws_public);
        self.ws.push(ws);
    }

    /// A user of a data science or engineering team of workspace `i` (any ordinary user if none).
    fn instance_user(&self, i: usize, rng: &mut Rng) -> usize {
        let team = self.ws_teams.get(i).and_then(|t| rng.pick(t)).copied();
        let user = team
            .and_then(|g| self.group_users.get(g))
            .and_then(|users| rng.pick(users))
            .copied();
        user.unwrap_or_else(|| self.ordinary_user(rng))
    }

    /// The workspace's VNet, NSG and private endpoints.
    fn workspace_network(&mut self, i: usize, ws: &Ws, rng: &mut Rng, ws_public: bool) {
        let base = format!("10.{}.{}", 100 + (i / 256) % 150, i % 256);
        self.vnets.push(json!({
            "name": ws.vnet,
            "group": ws.rg,
            "address_space": [format!("{base}.0/24")],
            "subnets": [
                {
                    "name": "compute",
                    "prefix": format!("{base}.0/25"),
                    "nsg": ws.nsg,
                    "service_endpoints": ["Microsoft.Storage"],
                },
                {
                    "name": "endpoints",
                    "prefix": format!("{base}.128/25"),
                    "private_endpoint_network_policies": false,
                },
            ],
        }));
        let ssh_from = [CORP_VPN, HQ_OFFICE, BRANCH_OFFICE]
            .get(rng.weighted(&[60, 30, 10]))
            .copied()
            .unwrap_or(CORP_VPN);
        let mut rules = vec![json!({
            "name": format!("allow-ssh-from-{ssh_from}"),
            "priority": 100,
            "direction": "Inbound",
            "access": "Allow",
            "protocol": "Tcp",
            "source": [ssh_from],
            "source_ports": ["*"],
            "destination": ["*"],
            "destination_ports": [SSH_PORT.to_string()],
        })];
        if rng.percent(20) {
            rules.push(json!({
                "name": "allow-ssh-from-contractors",
                "priority": 105,
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "Tcp",
                "source": [CONTRACTOR_SITE],
                "source_ports": ["*"],
                "destination": ["*"],
                "destination_ports": [SSH_PORT.to_string()],
            }));
        }
        rules.push(json!({
            "name": "deny-ssh-other",
            "priority": 110,
            "direction": "Inbound",
            "access": "Deny",
            "protocol": "Tcp",
            "source": ["*"],
            "source_ports": ["*"],
            "destination": ["*"],
            "destination_ports": ["22", SSH_PORT.to_string()],
        }));
        rules.push(json!({
            "name": "allow-https-from-vnet",
            "priority": 200,
            "direction": "Inbound",
            "access": "Allow",
            "protocol": "Tcp",
            "source": ["VirtualNetwork"],
            "source_ports": ["*"],
            "destination": ["*"],
            "destination_ports": ["443"],
        }));
        if rng.percent(20) {
            rules.push(json!({
                "name": "deny-internet-outbound",
                "priority": 4000,
                "direction": "Outbound",
                "access": "Deny",
                "protocol": "*",
                "source": ["*"],
                "source_ports": ["*"],
                "destination": ["Internet"],
                "destination_ports": ["*"],
            }));
        }
        self.nsgs.push(json!({"name": ws.nsg, "group": ws.rg, "rules": rules}));

        let endpoints_subnet = format!("{}/endpoints", ws.vnet);
        let mut pe = |name: String, target: &str, sub: &str, status: &str| {
            self.private_endpoints.push(json!({
                "name": name,
                "resource": target,
                "subresource": sub,
                "subnet": endpoints_subnet,
                "status": status,
                "group": ws.rg,
            }));
        };
        let status = if rng.percent(95) { "Approved" } else { "Pending" };
        pe(format!("pe-{}-blob", ws.storage), &ws.storage, "blob", status);
        pe(format!("pe-{}-vault", ws.vault), &ws.vault, "vault", "Approved");
        if !ws_public {
            pe(format!("pe-{}-ws", ws.name), &ws.name, "amlworkspace", "Approved");
        }
        if rng.percent(60) {
            self.gateways.push(json!({"location": CORP_VPN, "vnet": ws.vnet}));
        }
        if rng.percent(30) {
            self.peerings.push(json!([HUB_VNET, ws.vnet]));
        }
    }
}
