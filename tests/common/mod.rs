//! Helpers shared by the integration tests: the binary with a clean environment, the number of
//! property-test cases, and the generators of the property tests: small but complete estates with a network (a VNet with
//! two tiny subnets, NSGs with prioritised rules over a fixed pool of address blocks and ports, a
//! storage firewall, a private endpoint, a compute, locations with gateways), so that every address and
//! port class the rules can tell apart is small enough to enumerate.

#![allow(dead_code, reason = "each test binary uses part of the shared helpers")]

use std::process::Command;

use proptest::prelude::*;

/// The `mlaccess` binary, without colour or format settings from the environment.
pub fn cli() -> Command {
    let mut cmd = Command::new(insta_cmd::get_cargo_bin("mlaccess"));
    cmd.env("NO_COLOR", "1")
        .env_remove("MLACCESS_FORMAT")
        .env_remove("MLACCESS_COLOR")
        .env_remove("MLACCESS_TIMINGS");
    cmd
}

/// Property-test cases: `in_ci` when `CI` is set, `locally` otherwise; `PROPTEST_CASES` overrides both.
pub fn cases(in_ci: u32, locally: u32) -> u32 {
    let default = if std::env::var_os("CI").is_some() {
        in_ci
    } else {
        locally
    };
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Address blocks rules are drawn from (the enumeration covers each of them completely).
pub const BLOCKS: &[&str] = &[
    "*",
    "10.0.0.0/29",
    "10.0.0.8/29",
    "loc1",
    "loc2",
    "198.51.100.0/30",
    "VirtualNetwork",
    "Internet",
    "AzureLoadBalancer",
];
/// Port ranges rules are drawn from.
pub const PORTS: &[&str] = &["*", "22", "20-30", "443", "1000-2000"];
/// Roles the generated assignments use.
pub const ROLES: &[&str] = &[
    "Storage Blob Data Reader",
    "Storage Blob Data Contributor",
    "Reader",
    "Contributor",
    "AzureML Data Scientist",
    "Owner",
];

/// An NSG rule of a generated model.
#[derive(Debug, Clone)]
pub struct Rule {
    pub priority: u32,
    pub inbound: bool,
    pub allow: bool,
    pub source: usize,
    pub destination: usize,
    pub ports: usize,
}

/// A generated estate.
#[derive(Debug, Clone)]
pub struct Net {
    pub nsg_a: Option<Vec<Rule>>,
    pub nsg_b: Option<Vec<Rule>>,
    pub pe_policies: bool,
    pub gateway: bool,
    pub peering_free: bool,
    pub default_deny: bool,
    pub public_access: bool,
    pub ip_rules: (bool, bool),
    pub vnet_rule: bool,
    pub service_endpoint: bool,
    pub pe: Option<bool>,
    pub compute_subnet: Option<bool>,
    pub public_ip: bool,
    pub ssh_key: bool,
    pub compute_role: Option<usize>,
    pub user_roles: Vec<(usize, usize)>,
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        101u32..120,
        any::<bool>(),
        any::<bool>(),
        0..BLOCKS.len(),
        0..BLOCKS.len(),
        0..PORTS.len(),
    )
        .prop_map(|(priority, inbound, allow, source, destination, ports)| Rule {
            priority,
            inbound,
            allow,
            source,
            destination,
            ports,
        })
}

fn rules() -> impl Strategy<Value = Option<Vec<Rule>>> {
    proptest::option::of(proptest::collection::vec(rule(), 0..4))
}

/// The strategy of generated estates.
pub fn net() -> impl Strategy<Value = Net> {
    (
        (rules(), rules(), any::<bool>(), any::<bool>(), any::<bool>()),
        (
            any::<bool>(),
            any::<bool>(),
            any::<(bool, bool)>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            proptest::option::of(0..ROLES.len()),
            proptest::collection::vec((0..2usize, 0..ROLES.len()), 0..3),
        ),
    )
        .prop_map(
            |(
                (nsg_a, nsg_b, pe_policies, gateway, peering_free),
                (default_deny, public_access, ip_rules, vnet_rule, service_endpoint),
                (pe, compute_subnet, public_ip, ssh_key),
                (compute_role, user_roles),
            )| Net {
                nsg_a,
                nsg_b,
                pe_policies,
                gateway,
                peering_free,
                default_deny,
                public_access,
                ip_rules,
                vnet_rule,
                service_endpoint,
                pe,
                compute_subnet,
                public_ip,
                ssh_key,
                compute_role,
                user_roles,
            },
        )
}

fn dedup_priorities(rules: &[Rule]) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    for r in rules {
        if !out.iter().any(|o| o.priority == r.priority && o.inbound == r.inbound) {
            out.push(r.clone());
        }
    }
    out
}

fn nsg_yaml(name: &str, rules: &[Rule]) -> String {
    let mut out = format!("    - name: {name}\n      group: rg\n      rules:\n");
    if rules.is_empty() {
        out = format!("    - name: {name}\n      group: rg\n      rules: []\n");
    }
    for (i, r) in dedup_priorities(rules).iter().enumerate() {
        out.push_str(&format!(
            "        - {{name: r{i}, priority: {}, direction: {}, access: {}, protocol: Tcp, source: ['{}'], destination: ['{}'], destination_ports: ['{}']}}\n",
            r.priority,
            if r.inbound { "Inbound" } else { "Outbound" },
            if r.allow { "Allow" } else { "Deny" },
            BLOCKS[r.source],
            BLOCKS[r.destination],
            PORTS[r.ports],
        ));
    }
    out
}

/// The estate as a model file. `extra` is appended to `role_assignments`.
pub fn yaml(n: &Net, extra: &str) -> String {
    let mut ip_rules = Vec::new();
    if n.ip_rules.0 {
        ip_rules.push("198.51.100.0/30");
    }
    if n.ip_rules.1 {
        ip_rules.push("198.51.100.4/30");
    }
    let compute_subnet = match n.compute_subnet {
        Some(true) => "subnet: v/a, ",
        Some(false) => "subnet: v/b, ",
        None => "",
    };
    let mut out = format!(
        "version: 1
locations:
  loc1: {{ranges: [10.1.0.0/30], egress: [198.51.100.0/30]}}
  loc2: {{ranges: [10.2.0.0/30], egress: [198.51.100.4/30]}}
principals:
  users: [{{name: u0, locations: [loc1]}}, {{name: u1, locations: [loc2]}}]
resources:
  - {{name: st, type: storage_account, group: rg, properties: {{public_network_access: {}, network_acls: {{default_action: {}, ip_rules: [{}], virtual_network_rules: [{}]}}}}}}
  - {{name: ws, type: workspace, group: rg, identity: {{system: true}}, properties: {{storage_account: st}}}}
  - {{name: ci, type: compute_instance, group: rg, identity: {{system: true}}, properties: {{workspace: ws, {}public_ip: {}, ssh: {{enabled: true, port: 22}}}}}}
role_assignments:
  - {{principal: ws, role: Storage Blob Data Contributor, scope: st}}
",
        if n.public_access { "Enabled" } else { "Disabled" },
        if n.default_deny { "Deny" } else { "Allow" },
        ip_rules.join(", "),
        if n.vnet_rule { "v/a" } else { "" },
        compute_subnet,
        n.public_ip,
    );
    if let Some(r) = n.compute_role {
        out.push_str(&format!("  - {{principal: ci, role: {}, scope: st}}\n", ROLES[r]));
    }
    for (u, r) in &n.user_roles {
        out.push_str(&format!("  - {{principal: u{u}, role: {}, scope: st}}\n", ROLES[*r]));
    }
    out.push_str(extra);
    if n.ssh_key {
        out.push_str("credentials:\n  - {name: k, kind: ssh_key, installed_on: [ci], held_by: [u1]}\n");
    }
    out.push_str(
        "network:\n  vnets:\n    - name: v\n      group: rg\n      address_space: [10.0.0.0/24]\n      subnets:\n",
    );
    out.push_str(&format!(
        "        - {{name: a, prefix: 10.0.0.0/29{}{}}}\n",
        if n.nsg_a.is_some() { ", nsg: na" } else { "" },
        if n.service_endpoint {
            ", service_endpoints: [Microsoft.Storage]"
        } else {
            ""
        },
    ));
    out.push_str(&format!(
        "        - {{name: b, prefix: 10.0.0.8/29{}, private_endpoint_network_policies: {}}}\n",
        if n.nsg_b.is_some() { ", nsg: nb" } else { "" },
        n.pe_policies,
    ));
    if n.gateway {
        out.push_str("  gateways:\n    - {location: loc1, vnet: v}\n");
    }
    let mut nsgs = String::new();
    if let Some(r) = &n.nsg_a {
        nsgs.push_str(&nsg_yaml("na", r));
    }
    if let Some(r) = &n.nsg_b {
        nsgs.push_str(&nsg_yaml("nb", r));
    }
    if !nsgs.is_empty() {
        out.push_str("  nsgs:\n");
        out.push_str(&nsgs);
    }
    if let Some(approved) = n.pe {
        out.push_str(&format!(
            "  private_endpoints:\n    - {{name: pe, resource: st, subresource: blob, subnet: v/b, status: {}, group: rg}}\n",
            if approved { "Approved" } else { "Pending" }
        ));
    }
    let _ = n.peering_free;
    out
}
