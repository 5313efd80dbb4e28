//! The synthetic estate generator: generated models load, have the requested shape, are the same bytes
//! for a seed, use only real role names and real operations, and contain real access paths.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use std::time::Instant;

use mlaccess::answer::{self, Options, Verdict};
use mlaccess::r#gen::{BUILTIN_ROLES, Params, generate};
use mlaccess::graph::build::build;
use mlaccess::load::{Source, load};
use mlaccess::model::access::ScopeKind;
use mlaccess::model::principal::PrincipalKind;
use mlaccess::model::resource::ResourceKind;
use mlaccess::model::{Model, lookup};
use mlaccess::query;
use mlaccess::rbac::{catalog, operations};
use mlaccess::smt::oracle::Z3Oracle;
use serde_json::Value;

/// Loads a generated model, printing its warnings; panics with the errors.
fn load_text(text: &str) -> Model {
    match load(&Source::new("gen.json", text)) {
        Ok(l) => {
            let warnings: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
            eprintln!("{} warning(s)", warnings.len());
            for w in warnings.iter().take(20) {
                eprintln!("{w}");
            }
            l.model
        }
        Err(d) => {
            let errors: Vec<String> = d.into_iter().take(30).map(|e| e.to_string()).collect();
            panic!("the generated model did not load:\n{}", errors.join("\n"))
        }
    }
}

/// Size S, generated and loaded once for the tests that need it.
fn size_s() -> &'static (Value, Model) {
    static S: OnceLock<(Value, Model)> = OnceLock::new();
    S.get_or_init(|| {
        let t = Instant::now();
        let v = generate(&Params::size("S").unwrap());
        let text = serde_json::to_string(&v).unwrap();
        eprintln!("generated S in {:?} ({} bytes)", t.elapsed(), text.len());
        let t = Instant::now();
        let m = load_text(&text);
        eprintln!("loaded S in {:?}", t.elapsed());
        (v, m)
    })
}

fn count_principals(m: &Model, kind: PrincipalKind) -> usize {
    m.principals.iter().filter(|p| p.kind == kind).count()
}

fn count_resources(m: &Model, kind: ResourceKind) -> usize {
    m.resources.iter().filter(|r| r.kind == kind).count()
}

#[test]
fn size_s_loads_with_the_expected_shape() {
    let (v, m) = size_s();
    assert_eq!(count_principals(m, PrincipalKind::User), 1_000);
    assert_eq!(count_principals(m, PrincipalKind::Group), 100);
    assert_eq!(count_principals(m, PrincipalKind::ServicePrincipal), 10);
    assert_eq!(count_resources(m, ResourceKind::Workspace), 10);
    assert_eq!(count_resources(m, ResourceKind::StorageAccount), 12);
    assert_eq!(count_resources(m, ResourceKind::KeyVault), 11);
    assert_eq!(count_resources(m, ResourceKind::ResourceGroup), 14);
    let computes = count_resources(m, ResourceKind::ComputeInstance) + count_resources(m, ResourceKind::ComputeCluster);
    assert!((20..=40).contains(&computes), "{computes} computes");
    let endpoints = count_resources(m, ResourceKind::OnlineEndpoint);
    assert!((10..=20).contains(&endpoints), "{endpoints} endpoints");
    // About ten assignments per user.
    let n = m.assignments.len();
    assert!((5_000..=12_000).contains(&n), "{n} role assignments");
    assert_eq!(v["role_assignments"].as_array().unwrap().len(), n);
    assert!(!m.denies.is_empty());
    assert!(m.roles.iter().filter(|r| !r.builtin).count() >= 5);
    let kinds: BTreeSet<String> = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap().to_string())
        .collect();
    for k in ["ssh_key", "client_secret", "sas_token", "endpoint_key"] {
        assert!(kinds.contains(k), "no credential of kind {k}: {kinds:?}");
    }
    // Every user is in 1 to 3 groups.
    let mut groups_of: BTreeMap<&str, usize> = BTreeMap::new();
    for g in v["principals"]["groups"].as_array().unwrap() {
        for member in g["members"].as_array().unwrap() {
            let member = member.as_str().unwrap();
            if member.starts_with('u') {
                *groups_of.entry(member).or_default() += 1;
            }
        }
    }
    assert_eq!(groups_of.len(), 1_000);
    assert!(groups_of.values().all(|n| (1..=3).contains(n)));
}

#[test]
fn assignments_cover_every_scope_level() {
    let (_, m) = size_s();
    let mut levels: BTreeMap<&str, usize> = BTreeMap::new();
    let mut holders: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &m.assignments {
        let level = match &a.scope.kind {
            ScopeKind::Subscription => "subscription",
            ScopeKind::Resource(r) => match m.resource(*r).kind {
                ResourceKind::ResourceGroup => "resource group",
                k if k.is_workspace_child() => "child",
                _ => "resource",
            },
            _ => "other",
        };
        *levels.entry(level).or_default() += 1;
        let holder = match m.principal(a.principal).kind {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::ServicePrincipal => "service principal",
            PrincipalKind::ManagedIdentity => "identity",
        };
        *holders.entry(holder).or_default() += 1;
    }
    eprintln!("scopes: {levels:?}\nholders: {holders:?}");
    for level in ["subscription", "resource group", "resource", "child"] {
        assert!(
            levels.get(level).copied().unwrap_or(0) > 0,
            "no assignment at {level} scope"
        );
    }
    // Mostly to groups, some to users, service principals and identities.
    let group = holders["group"];
    assert!(group > holders["user"], "{holders:?}");
    for h in ["user", "service principal", "identity"] {
        assert!(holders.get(h).copied().unwrap_or(0) > 0, "no assignment to a {h}");
    }
}

#[test]
fn groups_nest_six_deep_and_have_cycles() {
    let (v, _) = size_s();
    let groups = v["principals"]["groups"].as_array().unwrap();
    let children: BTreeMap<&str, Vec<&str>> = groups
        .iter()
        .map(|g| {
            let members = g["members"].as_array().unwrap();
            let sub = members
                .iter()
                .filter_map(Value::as_str)
                .filter(|m| m.starts_with('g'))
                .collect();
            (g["name"].as_str().unwrap(), sub)
        })
        .collect();
    // Longest simple chain of nesting from the company group.
    fn longest<'a>(g: &'a str, children: &BTreeMap<&'a str, Vec<&'a str>>, path: &mut Vec<&'a str>) -> usize {
        path.push(g);
        let mut best = 0;
        for c in &children[g] {
            if !path.contains(c) {
                best = best.max(longest(c, children, path));
            }
        }
        path.pop();
        best + 1
    }
    assert!(longest("g0001", &children, &mut Vec::new()) >= 6);
    let cycles = children
        .iter()
        .filter(|(g, subs)| subs.iter().any(|s| children[s].contains(g)))
        .count();
    assert!(cycles >= 2, "no membership cycle");
}

#[test]
fn tiny_sizes_load() {
    for p in [
        Params {
            users: 40,
            groups: 8,
            workspaces: 2,
            seed: 7,
        },
        Params {
            users: 0,
            groups: 0,
            workspaces: 0,
            seed: 3,
        },
    ] {
        let text = serde_json::to_string(&generate(&p)).unwrap();
        let m = load_text(&text);
        assert_eq!(count_principals(&m, PrincipalKind::User), p.users.max(3));
        assert_eq!(count_principals(&m, PrincipalKind::Group), p.groups.max(1));
        assert_eq!(count_resources(&m, ResourceKind::Workspace), p.workspaces.max(1));
        assert!(m.assignments.len() >= 20, "{} assignments", m.assignments.len());
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let p = Params::size("S").unwrap();
    let a = serde_json::to_vec(&generate(&p)).unwrap();
    let b = serde_json::to_vec(&generate(&p)).unwrap();
    assert!(a == b, "two generations with seed 1 differ");
    let c = serde_json::to_vec(&generate(&Params { seed: 2, ..p })).unwrap();
    assert!(a != c, "seeds 1 and 2 give the same estate");
    assert_eq!(Params::size("m").unwrap().users, 10_000);
    assert_eq!(Params::size("L").unwrap().workspaces, 1_000);
    assert!(Params::size("XL").is_none());
}

#[test]
fn roles_are_real() {
    let builtin = catalog::builtin();
    for name in BUILTIN_ROLES {
        let role = builtin
            .find(name)
            .unwrap_or_else(|| panic!("`{name}` is not a built-in role"));
        assert_eq!(&role.name, name, "the catalogue spells it differently");
    }
    let v = generate(&Params::size("S").unwrap());
    let custom: BTreeMap<&str, &Value> = v["role_definitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r))
        .collect();
    let used: BTreeSet<&str> = v["role_assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    for role in &used {
        assert!(
            custom.contains_key(role) || builtin.find(role).is_some_and(|r| r.name == *role),
            "`{role}` is neither a built-in role nor a custom role of the model"
        );
    }
    assert!(used.len() >= 25, "only {} roles used: {used:?}", used.len());
    // Custom roles are made of real operations.
    let ops = operations::catalog();
    for (name, r) in &custom {
        assert!(
            builtin.find(name).is_none(),
            "custom role `{name}` shadows a built-in role"
        );
        for block in r["permissions"].as_array().unwrap() {
            for (field, data) in [("actions", false), ("data_actions", true)] {
                for pattern in block[field].as_array().unwrap() {
                    let pattern = pattern.as_str().unwrap();
                    assert!(
                        !ops.expand(pattern, data).is_empty(),
                        "`{pattern}` of `{name}` matches no operation"
                    );
                }
            }
        }
    }
}

#[test]
fn names_are_unique_per_kind() {
    let (v, _) = size_s();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let principals = ["users", "groups", "service_principals", "managed_identities"]
        .iter()
        .flat_map(|k| v["principals"][k].as_array().unwrap());
    for p in principals {
        assert!(seen.insert(p["name"].as_str().unwrap().to_string()), "{p}");
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for r in v["resources"].as_array().unwrap() {
        assert!(seen.insert(r["name"].as_str().unwrap().to_string()), "{r}");
    }
    let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    for a in v["role_assignments"].as_array().unwrap() {
        let key = (
            a["principal"].to_string(),
            a["role"].to_string(),
            a["scope"].to_string(),
        );
        assert!(seen.insert(key), "assignment given twice: {a}");
    }
}

#[test]
fn the_estate_has_real_paths() {
    // The graph of size S takes minutes to build in a debug build: a smaller estate of the same shape.
    let p = Params {
        users: 100,
        groups: 10,
        workspaces: 2,
        seed: 1,
    };
    let v = generate(&p);
    let m = &load_text(&serde_json::to_string(&v).unwrap());
    let t = Instant::now();
    let g = build(m, &Z3Oracle::new(None, false));
    eprintln!("built the graph in {:?}", t.elapsed());
    let run = |q: &str| {
        let t = Instant::now();
        let resolved = query::resolve(m, &query::parse(q).unwrap()).unwrap();
        let a = answer::run(&g, &resolved, &Options::default());
        eprintln!("`{q}`: {:?} in {:?}", a.verdict, t.elapsed());
        a.verdict
    };
    // A subscription Owner reaches everything.
    assert_eq!(run("can u00001 reach data of stml001"), Verdict::Yes);
    // Some ordinary user reaches the data of a workspace's storage outside Azure ML.
    let storage = (1..=p.workspaces).map(|i| format!("stml{i:03}")).find(|s| {
        run(&format!(
            "can any user reach data of {s} directly excluding u00001, u00002, u00003"
        )) == Verdict::Yes
    });
    assert!(
        storage.is_some(),
        "no ordinary user reaches any workspace storage directly"
    );
    // A user who holds an SSH key to an instance can run code there.
    let ssh = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "ssh_key")
        .unwrap();
    let user = ssh["held_by"][0].as_str().unwrap();
    let instance = ssh["installed_on"][0].as_str().unwrap();
    assert!(lookup::resource(m, instance, &[]).is_ok());
    assert_ne!(run(&format!("can {user} reach exec on {instance}")), Verdict::No);
}

/// Not a test: generates M and L in a release build, writes them to /tmp and reports time and size.
/// `cargo test --release --test gen -- --ignored --nocapture`
#[test]
#[ignore = "measurement: writes /tmp/gen-M.json and /tmp/gen-L.json"]
fn measure_m_and_l() {
    for size in ["S", "M", "L"] {
        let p = Params::size(size).unwrap();
        let t = Instant::now();
        let v = generate(&p);
        let generated = t.elapsed();
        let text = serde_json::to_string(&v).unwrap();
        let serialised = t.elapsed() - generated;
        let count = |k: &str| v[k].as_array().map_or(0, Vec::len);
        let principals: BTreeMap<&str, usize> = ["users", "groups", "service_principals", "managed_identities"]
            .iter()
            .map(|k| (*k, v["principals"][k].as_array().map_or(0, Vec::len)))
            .collect();
        let memberships: usize = v["principals"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["members"].as_array().unwrap().len())
            .sum();
        let mut types: BTreeMap<String, usize> = BTreeMap::new();
        for r in v["resources"].as_array().unwrap() {
            *types.entry(r["type"].as_str().unwrap().to_string()).or_default() += 1;
        }
        let path = format!("/tmp/gen-{size}.json");
        std::fs::write(&path, &text).unwrap();
        println!(
            "{size}: generate {generated:?}, serialise {serialised:?}, {} bytes → {path}\n  principals {principals:?}, \
             memberships {memberships}\n  resources {} {types:?}\n  role assignments {}, custom roles {}, deny \
             assignments {}, credentials {}",
            text.len(),
            count("resources"),
            count("role_assignments"),
            count("role_definitions"),
            count("deny_assignments"),
            count("credentials"),
        );
    }
}

#[test]
fn the_command_line_writes_a_model_that_loads_and_refuses_unknown_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.json");
    let out = common::cli()
        .args([
            "gen",
            "--users",
            "40",
            "--groups",
            "5",
            "--workspaces",
            "1",
            "--seed",
            "3",
            "-o",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let validate = common::cli().arg("validate").arg(&file).output().unwrap();
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );
    let again = common::cli()
        .args([
            "gen",
            "--users",
            "40",
            "--groups",
            "5",
            "--workspaces",
            "1",
            "--seed",
            "3",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(again.stdout).unwrap(),
        std::fs::read_to_string(&file).unwrap()
    );
    let bad = common::cli().args(["gen", "--size", "XL"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("the sizes are S, M and L"));
}
