//! Property tests of the graph engine on generated models: every witness replays against the model,
//! adding a role assignment never removes a capability (reachability is monotone in grants), and the
//! undecided network's shortcut (places and endpoints joined through one `Online` fact) reaches what
//! one network instance per (place, endpoint) reaches. Also: the petgraph view holds every fact, rule
//! instance and premise/conclusion edge.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::collections::BTreeSet;

use mlaccess::answer::{self, Options};
use mlaccess::graph::build::build;
use mlaccess::graph::network::{AssumedOpen, NetDecision, NetworkOracle};
use mlaccess::graph::{Endpoint, Place};
use mlaccess::load::{Source, load};
use mlaccess::model::{Model, PrincipalKind};
use mlaccess::query;
use mlaccess::search;
use proptest::prelude::*;

/// Real built-in roles that matter to the rules.
const ROLES: &[&str] = &[
    "Owner",
    "Contributor",
    "Reader",
    "User Access Administrator",
    "Role Based Access Control Administrator",
    "AzureML Data Scientist",
    "AzureML Compute Operator",
    "Azure AI Developer",
    "Storage Blob Data Reader",
    "Storage Blob Data Contributor",
    "Storage Account Contributor",
    "Key Vault Secrets User",
    "Key Vault Contributor",
    "AcrPush",
    "Managed Identity Operator",
    "Virtual Machine Contributor",
];

const SCOPES: &[&str] = &[
    "subscription",
    "rg:rg",
    "ws",
    "st",
    "kv",
    "acr",
    "uami",
    "ws/ci",
    "ws/ep",
    "vm",
];
const PRINCIPALS: &[&str] = &["u0", "u1", "u2", "g0", "g1", "sp", "uami", "ws", "ws/cc"];

#[derive(Debug, Clone)]
struct Spec {
    members: Vec<(usize, usize)>,
    assignments: Vec<(usize, usize, usize)>,
    shared_key: bool,
    rbac_vault: bool,
    admin_user: bool,
    identity_datastores: bool,
    ssh: bool,
    key_holder: Option<usize>,
    secret_holder: Option<usize>,
    owner: Option<usize>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::collection::vec((0..3usize, 0..2usize), 0..4),
        proptest::collection::vec((0..PRINCIPALS.len(), 0..ROLES.len(), 0..SCOPES.len()), 0..6),
        any::<(bool, bool, bool, bool, bool)>(),
        proptest::option::of(0..3usize),
        proptest::option::of(0..3usize),
        proptest::option::of(0..3usize),
    )
        .prop_map(
            |(
                members,
                assignments,
                (shared_key, rbac_vault, admin_user, identity_datastores, ssh),
                key_holder,
                secret_holder,
                owner,
            )| Spec {
                members,
                assignments,
                shared_key,
                rbac_vault,
                admin_user,
                identity_datastores,
                ssh,
                key_holder,
                secret_holder,
                owner,
            },
        )
}

fn yaml(s: &Spec, extra: Option<(usize, usize, usize)>) -> String {
    let mut groups = [Vec::new(), Vec::new()];
    for (u, g) in &s.members {
        groups[*g].push(format!("u{u}"));
    }
    // A nested group and a cycle, always.
    groups[0].push("g1".into());
    groups[1].push("g0".into());
    let mut out = format!(
        "version: 1
principals:
  users: [{{name: u0}}, {{name: u1}}, {{name: u2}}]
  groups:
    - {{name: g0, members: [{}]}}
    - {{name: g1, members: [{}]}}
  service_principals:
    - {{name: sp{}}}
  managed_identities:
    - {{name: uami, group: rg}}
resources:
  - {{name: ws, type: workspace, group: rg, identity: {{system: true}},
     properties: {{storage_account: st, key_vault: kv, container_registry: acr,
                  system_datastores_auth_mode: {}}}}}
  - {{name: st, type: storage_account, group: rg, properties: {{allow_shared_key_access: {}}}}}
  - {{name: kv, type: key_vault, group: rg, properties: {{enable_rbac_authorization: {}}}}}
  - {{name: acr, type: container_registry, group: rg, properties: {{admin_user_enabled: {}}}}}
  - {{name: ci, type: compute_instance, group: rg, identity: {{system: true}},
     properties: {{workspace: ws, ssh: {{enabled: {}}}}}}}
  - {{name: cc, type: compute_cluster, group: rg, identity: {{system: true, user_assigned: [uami]}}, properties: {{workspace: ws}}}}
  - {{name: ep, type: online_endpoint, group: rg, identity: {{system: true}}, properties: {{workspace: ws}}}}
  - {{name: vm, type: virtual_machine, group: rg, identity: {{user_assigned: [uami]}}}}
  - {{name: lake, type: datastore, group: rg, properties: {{workspace: ws, storage_account: st, credentials: account_key}}}}
role_assignments:
",
        groups[0].join(", "),
        groups[1].join(", "),
        s.owner.map(|o| format!(", owners: [u{o}]")).unwrap_or_default(),
        if s.identity_datastores { "identity" } else { "accesskey" },
        s.shared_key,
        s.rbac_vault,
        s.admin_user,
        s.ssh,
    );
    let mut all = s.assignments.clone();
    all.extend(extra);
    out.push_str("  - {principal: ws, role: Storage Blob Data Contributor, scope: st}\n");
    for (p, r, sc) in all {
        out.push_str(&format!(
            "  - {{principal: {}, role: {}, scope: {}}}\n",
            PRINCIPALS[p], ROLES[r], SCOPES[sc]
        ));
    }
    out.push_str("credentials:\n");
    if let Some(h) = s.key_holder {
        out.push_str(&format!(
            "  - {{name: k, kind: ssh_key, installed_on: [ci], held_by: [u{h}]}}\n"
        ));
    }
    if let Some(h) = s.secret_holder {
        out.push_str(&format!(
            "  - {{name: s, kind: client_secret, service_principal: sp, held_by: [u{h}]}}\n"
        ));
    }
    if s.key_holder.is_none() && s.secret_holder.is_none() {
        out.push_str("  []\n");
    }
    out.replace("credentials:\n  []\n", "credentials: []\n")
}

fn model(text: &str) -> Model {
    match load(&Source::new("generated.yaml", text)) {
        Ok(l) => l.model,
        Err(d) => panic!("generated model did not load:\n{text}\n{d:#?}"),
    }
}

/// Opens every (place, endpoint) pair on its own: the graph gets one network instance per pair, as
/// it would from a network model that lets everything through.
struct OpenEachPair;

impl NetworkOracle for OpenEachPair {
    fn decide(&self, _: &Model, _: Place, _: Endpoint) -> NetDecision {
        NetDecision::Open {
            text: "assumed open".into(),
            packet: None,
            path: None,
            evidence: Vec::new(),
        }
    }

    fn applied(&self) -> bool {
        false
    }

    fn fresh(&self) -> Box<dyn NetworkOracle> {
        Box::new(OpenEachPair)
    }
}

/// Every capability each user reaches, as text, with every witness replayed.
fn reach(m: &Model) -> BTreeSet<String> {
    reach_with(m, &AssumedOpen { reason: "assumed open" }, false)
}

/// [`reach`], with the network premises decided by `oracle`, and with each capability's depth when
/// `depths` is set.
fn reach_with(m: &Model, oracle: &dyn NetworkOracle, depths: bool) -> BTreeSet<String> {
    let g = build(m, oracle);
    let mut out = BTreeSet::new();
    for user in ["u0", "u1", "u2"] {
        let text = format!("what can {user} reach");
        let q = query::resolve(m, &query::parse(&text).unwrap()).unwrap();
        let a = answer::run(&g, &q, &Options::default());
        for l in &a.listed {
            if let Err(p) = mlaccess::witness::replay(m, &g, &l.witness) {
                panic!(
                    "witness of `{user}` for `{}` fails replay: {p}\n{}",
                    l.capability,
                    mlaccess::report::answer::render_text(&g, &a)
                );
            }
            let depth = if depths {
                format!(" (depth {})", l.witness.depth)
            } else {
                String::new()
            };
            out.insert(format!("{user}: {}{depth}", l.capability));
        }
    }
    out
}

/// Checks that `who can` and `can any principal … directly`, whose searches are shared between the
/// actors of a class (backward cone, groups as seeds, early stop), list the same actors at the same
/// depths as each principal's own unconfined search (`what can P reach`), and that their witnesses
/// replay.
fn shared_searches_agree_with_own_searches(m: &Model) -> Result<(), String> {
    let g = build(m, &AssumedOpen { reason: "assumed open" });
    let run = |text: &str| {
        let q = query::resolve(m, &query::parse(text).unwrap()).unwrap();
        answer::run(&g, &q, &Options::default())
    };
    let mut own: BTreeSet<(answer::Actor, String, u32)> = BTreeSet::new();
    for p in &m.principals {
        for l in &run(&format!("what can {} reach", p.name)).listed {
            own.insert((l.actor, l.capability.clone(), l.witness.depth));
        }
    }
    let capabilities: BTreeSet<String> = own.iter().map(|(_, c, _)| c.clone()).collect();
    let mut shared = BTreeSet::new();
    for c in &capabilities {
        let a = run(&format!("who can reach {c}"));
        for l in &a.listed {
            mlaccess::witness::replay(m, &g, &l.witness)
                .map_err(|e| format!("who can reach {c}: witness of {:?} fails replay: {e}", l.actor))?;
            // `who can` lists a principal that is the goal itself at depth 0, where `what can` gives
            // the way back to itself, if any: such entries are not compared.
            if l.witness.depth == 0 {
                own.retain(|(a, x, _)| (a, x) != (&l.actor, c));
            } else if matches!(l.actor, answer::Actor::Principal(_)) {
                shared.insert((l.actor, c.clone(), l.witness.depth));
            }
        }
        // `can any user` shares its searches the same way; its shortest witness has the least depth
        // any user has.
        let any = run(&format!("can any user reach {c}"));
        let least = own
            .iter()
            .filter(|(a, x, _)| {
                x == c && matches!(a, answer::Actor::Principal(p) if m.principal(*p).kind == PrincipalKind::User)
            })
            .map(|(_, _, d)| *d)
            .min();
        if any.witnesses.first().map(|w| w.depth) != least {
            return Err(format!(
                "can any user reach {c}: {:?}, own searches {least:?}",
                any.verdict
            ));
        }
    }
    if own != shared {
        let only_own: Vec<_> = own.difference(&shared).collect();
        let only_shared: Vec<_> = shared.difference(&own).collect();
        return Err(format!(
            "own searches only: {only_own:?}\nshared searches only: {only_shared:?}"
        ));
    }
    Ok(())
}

/// Checks that a search bounded by a depth at or beyond the goal's (what `who can` gives a member of
/// a group that reaches the goal) finds the goal at the same depth by the same derivation as an
/// unbounded search, and that one bounded below the goal's depth does not find it (which is what
/// makes the caller search again without the bound).
fn bounded_searches_find_what_unbounded_ones_find(m: &Model) -> Result<(), String> {
    let g = build(m, &AssumedOpen { reason: "assumed open" });
    let starts = answer::Starts::new(&g);
    let filter = search::Filter::default();
    for goal in answer::goal::all_capabilities(&g) {
        let cone = search::Cone::towards(&g, &goal.facts, &[]);
        let bounded = |start: &[mlaccess::graph::FactId], known: u32| {
            let stop = search::Stop {
                goals: &goal.facts,
                skip: None,
                known,
            };
            search::closure_within(&g, start, &filter, Some(&cone), Some(stop))
        };
        let derivations = |c: &search::Closure| -> Vec<_> {
            goal.facts
                .iter()
                .filter(|f| c.depth_of(**f) == c.reached_at)
                .map(|f| (*f, c.steps_of(*f), search::derivation(&g, c, *f)))
                .collect()
        };
        for i in 0..m.principals.len() {
            let actor = answer::Actor::Principal(mlaccess::model::PrincipalId::from_index(i));
            let start = starts.of(actor, None);
            let unbounded = bounded(&start, search::UNREACHED);
            let depth = unbounded.reached_at;
            if depth == search::UNREACHED {
                continue;
            }
            for bound in [depth, depth + 1, depth + 3] {
                let c = bounded(&start, bound);
                if c.reached_at != depth || derivations(&c) != derivations(&unbounded) {
                    return Err(format!(
                        "{}, {}: bound {bound} gives depth {} by {:?}, unbounded {depth} by {:?}",
                        m.principals[i].name,
                        goal.text,
                        c.reached_at,
                        derivations(&c),
                        derivations(&unbounded)
                    ));
                }
            }
            if depth > 0 && bounded(&start, depth - 1).reached_at != search::UNREACHED {
                return Err(format!(
                    "{}, {}: found within {} though its depth is {depth}",
                    m.principals[i].name,
                    goal.text,
                    depth - 1
                ));
            }
        }
    }
    Ok(())
}

/// Checks that a search confined to the part of a goal's cone within `limit` of it
/// (`search::Cone::near`, what `can` for one actor tries first) finds the goal at the depth and by the
/// derivation of an unconfined search where that depth is within the limit, and does not find it
/// where it is deeper; and that each `can P reach C` finds C at the depth `what can P reach` lists it
/// at, with a witness that replays (and says `no` where C is not listed), and that the capabilities
/// `answer::capabilities_reached` gives are those `what can P reach` lists. Returns how many goals
/// were found near.
fn near_cones_find_what_unconfined_searches_find(m: &Model) -> Result<usize, String> {
    let g = build(m, &AssumedOpen { reason: "assumed open" });
    let starts = answer::Starts::new(&g);
    let filter = search::Filter::default();
    let mut found_near = 0;
    let capabilities = answer::goal::all_capabilities(&g);
    for goal in &capabilities {
        let stop = |known| search::Stop {
            goals: &goal.facts,
            skip: None,
            known,
        };
        let derivations = |c: &search::Closure| -> Vec<_> {
            goal.facts
                .iter()
                .filter(|f| c.depth_of(**f) == c.reached_at)
                .map(|f| (*f, c.steps_of(*f), search::derivation(&g, c, *f)))
                .collect()
        };
        let cones: Vec<(u32, search::Cone)> = [0, 1, 2, 3, 5]
            .into_iter()
            .map(|limit| (limit, search::Cone::near(&g, &goal.facts, limit)))
            .collect();
        for i in 0..m.principals.len() {
            let actor = answer::Actor::Principal(mlaccess::model::PrincipalId::from_index(i));
            let start = starts.of(actor, None);
            let unconfined = search::closure_within(&g, &start, &filter, None, Some(stop(search::UNREACHED)));
            for (limit, cone) in &cones {
                let near = search::closure_within(&g, &start, &filter, Some(cone), Some(stop(*limit)));
                let expected = if unconfined.reached_at <= *limit {
                    found_near += 1;
                    unconfined.reached_at
                } else {
                    search::UNREACHED
                };
                if near.reached_at != expected
                    || (expected != search::UNREACHED && derivations(&near) != derivations(&unconfined))
                {
                    return Err(format!(
                        "{}, {}: within {limit} of the goal: depth {} by {:?}; unconfined: depth {} by {:?}",
                        m.principals[i].name,
                        goal.text,
                        near.reached_at,
                        derivations(&near),
                        unconfined.reached_at,
                        derivations(&unconfined)
                    ));
                }
            }
        }
    }
    let run = |text: &str| {
        let q = query::resolve(m, &query::parse(text).unwrap()).unwrap();
        answer::run(&g, &q, &Options::default())
    };
    let principals: Vec<answer::Actor> = (0..m.principals.len())
        .map(|i| answer::Actor::Principal(mlaccess::model::PrincipalId::from_index(i)))
        .collect();
    let reached_by_principal = answer::capabilities_reached(&g, &principals);
    for (i, p) in m.principals.iter().enumerate() {
        let listed = run(&format!("what can {} reach", p.name)).listed;
        // What a comparison of two models reads instead: the same capabilities, without witnesses.
        let (reached, _) = &reached_by_principal[i];
        let listed_caps: BTreeSet<String> = listed.iter().map(|l| l.capability.clone()).collect();
        if *reached != listed_caps {
            return Err(format!(
                "{}: capabilities reached {reached:?}, `what can` lists {listed_caps:?}",
                p.name
            ));
        }
        for goal in &capabilities {
            let text = format!("can {} reach {}", p.name, goal.text);
            let can = run(&text);
            let expected = listed.iter().find(|l| l.capability == goal.text).map(|l| &l.witness);
            let got = can.witnesses.first();
            let same = match (expected, got) {
                // An actor that starts with the goal (acting as itself) has it at depth 0, where
                // `what can` gives the way back to it, if any.
                (_, Some(w)) if w.depth == 0 => true,
                // Where several producers conclude the goal as soon, `can` and `what can` may show
                // different ones; the depth is the same, and the witness must replay.
                (Some(e), Some(w)) => {
                    mlaccess::witness::replay(m, &g, w).map_err(|e| format!("{text}: witness fails replay: {e}"))?;
                    e.depth == w.depth
                }
                (None, None) => can.verdict == answer::Verdict::No,
                _ => false,
            };
            if !same {
                return Err(format!(
                    "{text}: {:?} {got:?}; `what can` lists {expected:?}",
                    can.verdict
                ));
            }
        }
    }
    Ok(found_near)
}

/// Checks that every `no` proved over an actor's groups' closures (`search::unreached_over`, what
/// `who can` gives most actors of a large estate instead of a search) is a `no` of the actor's own
/// search: the goal not concluded by a channel that counts, no unmodelled fact derived. Each goal is
/// asked as it is and `directly`. Returns how many were proved.
fn proofs_over_groups_hold(m: &Model) -> Result<usize, String> {
    use mlaccess::graph::{Fact, FactId};
    let g = build(m, &AssumedOpen { reason: "assumed open" });
    let starts = answer::Starts::new(&g);
    let filter = search::Filter::default();
    let unmodelled: Vec<FactId> = (0..g.fact_count())
        .map(|i| FactId(i as u32))
        .filter(|f| matches!(g.fact(*f), Some(Fact::Unmodelled(_))))
        .collect();
    let principals: Vec<mlaccess::model::PrincipalId> = (0..m.principals.len())
        .map(mlaccess::model::PrincipalId::from_index)
        .collect();
    let mut proved = 0;
    for goal in answer::goal::all_capabilities(&g) {
        let cone = search::Cone::towards(&g, &goal.facts, &unmodelled);
        for skip in [None, Some(mlaccess::channel::Channel::AzureMl)] {
            let stop = search::Stop {
                goals: &goal.facts,
                skip,
                known: search::UNREACHED,
            };
            let start_of = |p: mlaccess::model::PrincipalId| -> Vec<FactId> {
                let mut start = starts.of(answer::Actor::Principal(p), None);
                start.retain(|f| cone.has_fact(*f));
                start
            };
            let search_of = |start: &[FactId]| search::closure_within(&g, start, &filter, Some(&cone), Some(stop));
            let mut closures = std::collections::HashMap::new();
            for &p in principals
                .iter()
                .filter(|p| m.principal(**p).kind == PrincipalKind::Group)
            {
                let c = search_of(&start_of(p));
                if let (Some(f), Some(x)) = (
                    g.fact_id(&Fact::As(p)),
                    search::GroupClosure::of(&g, &cone, &filter, &c),
                ) {
                    closures.insert(f, x);
                }
            }
            // The kept closures of the groups one membership step from `p`, if all kept one.
            let kept_groups_of = |p: mlaccess::model::PrincipalId| {
                g.fact_id(&Fact::As(p))
                    .into_iter()
                    .flat_map(|f| cone.memberships_of(f))
                    .map(|(group, _)| closures.get(&group))
                    .collect::<Option<Vec<_>>>()
            };
            // A group's closure made over its parents' holds what its search derives.
            for &p in principals
                .iter()
                .filter(|p| m.principal(**p).kind == PrincipalKind::Group)
            {
                let Some(own) = g.fact_id(&Fact::As(p)).and_then(|f| closures.get(&f)) else {
                    continue;
                };
                let Some(parents) = kept_groups_of(p) else {
                    continue;
                };
                let Some((made, _)) =
                    search::group_over_parents(&g, &cone, &filter, &start_of(p), &parents, stop, &unmodelled)
                else {
                    continue;
                };
                proved += 1;
                // (An endpoint derived on demand is in a closure only once something pulled it.)
                let differs = (0..g.fact_count())
                    .map(|i| FactId(i as u32))
                    .find(|f| !g.on_demand[f.0 as usize] && made.holds(&cone, *f) != own.holds(&cone, *f));
                if let Some(f) = differs {
                    return Err(format!(
                        "{} ({}): made over its parents, its closure {} {:?}; its search's does not",
                        m.principal(p).name,
                        goal.text,
                        if made.holds(&cone, f) { "holds" } else { "lacks" },
                        g.fact(f)
                    ));
                }
            }
            for &p in &principals {
                let start = start_of(p);
                let Some(groups) = kept_groups_of(p) else {
                    continue;
                };
                if search::unreached_over(&g, &cone, &filter, &start, &groups, stop, &unmodelled).is_none() {
                    continue;
                }
                proved += 1;
                let own = search_of(&start);
                if own.reached_at != search::UNREACHED || unmodelled.iter().any(|f| own.holds(*f)) {
                    return Err(format!(
                        "{} ({}{}): proved not to reach over its groups, but its search reaches {} at depth {}",
                        m.principal(p).name,
                        goal.text,
                        if skip.is_some() { ", directly" } else { "" },
                        if own.reached_at == search::UNREACHED {
                            "an unmodelled fact"
                        } else {
                            "the goal"
                        },
                        own.reached_at
                    ));
                }
            }
        }
    }
    Ok(proved)
}

/// An actor that reaches the goal only by combining what two of its groups give, or what a group
/// gives and its own assignment, is listed by `who can`: no proof over its groups says otherwise.
#[test]
fn who_can_lists_actors_that_combine_their_groups() {
    let m = model(&std::fs::read_to_string("tests/fixtures/models/cross-group-host.yaml").unwrap());
    let g = build(&m, &AssumedOpen { reason: "assumed open" });
    for text in [
        "who can reach data of st ignoring network",
        "who can reach data of st directly ignoring network",
    ] {
        let q = query::resolve(&m, &query::parse(text).unwrap()).unwrap();
        let listed: Vec<String> = answer::run(&g, &q, &Options::default())
            .listed
            .iter()
            .map(|l| l.actor.label(&m))
            .collect();
        assert_eq!(listed, ["u1", "u2"], "{text}");
    }
}

/// The sum of `check` over the bundled model, a fixture whose users combine their groups, and a
/// generated estate (60 users, 12 groups, 2 workspaces, seed 3).
fn on_bundled_and_generated(check: fn(&Model) -> Result<usize, String>) -> usize {
    [
        std::fs::read_to_string("tests/fixtures/models/cross-group-host.yaml").unwrap(),
        std::fs::read_to_string("models/contoso-ml.yaml").unwrap(),
        serde_json::to_string(&mlaccess::r#gen::generate(&mlaccess::r#gen::Params {
            users: 60,
            groups: 12,
            workspaces: 2,
            seed: 3,
        }))
        .unwrap(),
    ]
    .iter()
    .map(|text| check(&model(text)).unwrap())
    .sum()
}

#[test]
fn near_cones_agree_on_the_bundled_and_a_generated_estate() {
    // Goals were found near, so the check checked something.
    let found = on_bundled_and_generated(near_cones_find_what_unconfined_searches_find);
    assert!(found > 0, "no goal was found near");
}

#[test]
fn proofs_over_groups_hold_on_the_bundled_and_a_generated_estate() {
    // Proofs were made, so the check checked something.
    let proved = on_bundled_and_generated(proofs_over_groups_hold);
    assert!(proved > 0, "no `no` was proved over groups");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn proofs_over_groups_are_noes_of_the_actors_own_searches(s in spec()) {
        let text = yaml(&s, None);
        if let Err(e) = proofs_over_groups_hold(&model(&text)) {
            prop_assert!(false, "{e}\n{text}");
        }
    }

    #[test]
    fn bounded_searches_agree_with_unbounded_ones(s in spec()) {
        let text = yaml(&s, None);
        if let Err(e) = bounded_searches_find_what_unbounded_ones_find(&model(&text)) {
            prop_assert!(false, "{e}\n{text}");
        }
    }

    #[test]
    fn near_cones_agree_with_unconfined_searches(s in spec()) {
        let text = yaml(&s, None);
        if let Err(e) = near_cones_find_what_unconfined_searches_find(&model(&text)) {
            prop_assert!(false, "{e}\n{text}");
        }
    }

    #[test]
    fn shared_searches_list_what_each_principal_reaches(s in spec()) {
        let text = yaml(&s, None);
        if let Err(e) = shared_searches_agree_with_own_searches(&model(&text)) {
            prop_assert!(false, "{e}\n{text}");
        }
    }

    #[test]
    fn witnesses_replay_and_grants_are_monotone(s in spec(), extra in (0..PRINCIPALS.len(), 0..ROLES.len(), 0..SCOPES.len())) {
        let before = reach(&model(&yaml(&s, None)));
        let after = reach(&model(&yaml(&s, Some(extra))));
        let lost: Vec<_> = before.difference(&after).collect();
        prop_assert!(lost.is_empty(), "adding {:?} removed {lost:?}\n{}", extra, yaml(&s, Some(extra)));
    }

    #[test]
    fn the_online_shortcut_reaches_what_each_pair_reaches(s in spec()) {
        let m = model(&yaml(&s, None));
        let shortcut = reach_with(&m, &AssumedOpen { reason: "assumed open" }, true);
        let pairs = reach_with(&m, &OpenEachPair, true);
        prop_assert_eq!(shortcut, pairs, "{}", yaml(&s, None));
    }
}

#[test]
fn every_rule_is_documented() {
    let doc = std::fs::read_to_string("docs/rules.md").unwrap();
    for r in mlaccess::graph::RuleId::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", r.as_str())),
            "docs/rules.md has no row for rule `{}`",
            r.as_str()
        );
    }
}

#[test]
fn the_petgraph_view_has_every_fact_rule_and_edge() {
    use mlaccess::graph::{FactId, Node, RuleIdx};
    use petgraph::visit::EdgeRef;
    let text = std::fs::read_to_string("tests/fixtures/rules/P20.yaml").unwrap();
    let m = model(text.split("\n---\n").next().unwrap());
    let g = build(&m, &AssumedOpen { reason: "assumed open" });
    let view = g.petgraph();
    assert_eq!(view.node_count(), g.fact_count() + g.rule_count());
    let premises: usize = g.rules.iter().map(|r| r.premises.len()).sum();
    assert_eq!(view.edge_count(), premises + g.rule_count());
    // Node i is fact i; every edge joins a fact and a rule, as the rule's premise or conclusion.
    for (i, _) in g.facts.iter().enumerate() {
        assert!(matches!(view[petgraph::graph::NodeIndex::new(i)], Node::Fact(FactId(f)) if f as usize == i));
    }
    for e in view.edge_references() {
        match (&view[e.source()], &view[e.target()]) {
            (Node::Fact(f), Node::Rule(RuleIdx(r))) => assert!(g.rules[*r as usize].premises.contains(f)),
            (Node::Rule(RuleIdx(r)), Node::Fact(f)) => assert_eq!(g.rules[*r as usize].conclusion, *f),
            other => panic!("an edge between {other:?}"),
        }
    }
}
