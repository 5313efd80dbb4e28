//! One benchmark per stage of answering a question about an estate: load, RBAC evaluation, graph
//! build (network assumed open, and decided by Z3), the network oracle cached and uncached, each query
//! form, a 100-expectation suite, and the what-if of one added role assignment.
//!
//! The estate is generated in memory by `mlaccess gen`'s generator. `MLACCESS_BENCH_SIZE` picks it:
//! `XS` (the default: 300 users, 30 groups, 3 workspaces), `S`, `M` or `L`. Every benchmark checks its
//! answer once, outside the timed part, against facts read off the model directly, so a broken engine
//! cannot look fast.
//!
//! ```sh
//! cargo bench --bench stages                              # XS
//! MLACCESS_BENCH_SIZE=S cargo bench --bench stages -- query  # only the query benchmarks, size S
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmarks fail by panicking"
)]

use std::collections::BTreeSet;
use std::sync::LazyLock;

use divan::Bencher;
use mlaccess::answer::expect::Outcome;
use mlaccess::answer::{self, Actor, Answer, Verdict};
use mlaccess::check::{self, Engine, Graphs};
use mlaccess::r#gen::{self as generator, Params};
use mlaccess::graph::build::build;
use mlaccess::graph::network::{AssumedOpen, NetworkOracle};
use mlaccess::graph::{AccessGraph, Endpoint, Place};
use mlaccess::load::{Source, load};
use mlaccess::model::{Model, ResourceKind};
use mlaccess::query::{self, suite};
use mlaccess::rbac::{OpKind, Rbac, Request, RequestAttributes};
use mlaccess::smt::oracle::Z3Oracle;

fn main() {
    divan::main();
}

const OPEN: AssumedOpen = AssumedOpen {
    reason: "ignoring network",
};

/// The estate and what is built from it once.
struct Fixture {
    text: String,
    model: Model,
    open: AccessGraph,
    network: AccessGraph,
    /// The first storage account of a workspace.
    storage: String,
    /// Principals holding Owner, User Access Administrator or RBAC Administrator directly at the
    /// subscription: each of them may assign roles there, whatever the engine says.
    subscription_admins: BTreeSet<String>,
}

fn params() -> Params {
    let size = std::env::var("MLACCESS_BENCH_SIZE").unwrap_or_else(|_| "XS".into());
    if size.eq_ignore_ascii_case("XS") {
        return Params {
            users: 300,
            groups: 30,
            workspaces: 3,
            seed: 1,
        };
    }
    Params::size(&size).unwrap_or_else(|| panic!("MLACCESS_BENCH_SIZE={size}: expected XS, S, M or L"))
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let text = serde_json::to_string(&generator::generate(&params())).unwrap();
    let model = load(&Source::new("estate.json", text.clone()))
        .unwrap_or_else(|_| panic!("the generated estate does not load"))
        .model;
    let open = build(&model, &OPEN);
    let network = build(&model, &Z3Oracle::new(None, false));
    let storage = model
        .resource_ids()
        .map(|r| model.resource(r))
        .find(|r| r.kind == ResourceKind::StorageAccount && r.name.starts_with("stml"))
        .expect("a workspace storage account")
        .name
        .clone();
    let subscription = format!("/subscriptions/{}", model.subscription).to_lowercase();
    let subscription_admins = model
        .assignments
        .iter()
        .filter(|a| a.scope.key == subscription)
        .filter(|a| {
            let role = &model.roles[a.role.index()].name;
            [
                "Owner",
                "User Access Administrator",
                "Role Based Access Control Administrator",
            ]
            .contains(&role.as_str())
                && a.condition.is_none()
        })
        .map(|a| model.principal(a.principal).name.clone())
        .collect();
    Fixture {
        text,
        model,
        open,
        network,
        storage,
        subscription_admins,
    }
});

fn ask(g: &AccessGraph, text: &str) -> Answer {
    let parsed = query::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    let resolved = query::resolve(&g.model, &parsed).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    answer::run(g, &resolved, &answer::Options::default())
}

fn listed_names(g: &AccessGraph, a: &Answer) -> BTreeSet<String> {
    a.listed
        .iter()
        .filter_map(|l| match l.actor {
            Actor::Principal(p) => Some(g.model.principal(p).name.clone()),
            Actor::Anyone(_) => None,
        })
        .collect()
}

fn first_admin(f: &Fixture) -> &str {
    f.subscription_admins.iter().next().expect("a subscription admin")
}

#[divan::bench(sample_count = 10)]
fn load_and_validate(bencher: Bencher) {
    let f = &*FIXTURE;
    bencher.bench(|| {
        let loaded = load(&Source::new("estate.json", f.text.clone()));
        assert!(loaded.is_ok());
        loaded
    });
}

#[divan::bench]
fn rbac_check(bencher: Bencher) {
    let f = &*FIXTURE;
    let m = &f.model;
    let admin = m
        .principal_ids()
        .find(|p| m.principal(*p).name == first_admin(f))
        .unwrap();
    let target = format!("/subscriptions/{}", m.subscription).to_lowercase();
    let request = Request {
        principal: admin,
        operation: "Microsoft.Authorization/roleAssignments/write",
        kind: OpKind::Control,
        target: &target,
        attributes: RequestAttributes::default(),
    };
    let rbac = Rbac::new(m);
    assert!(
        rbac.check(&request).allowed,
        "a subscription Owner may assign roles there"
    );
    bencher.bench(|| rbac.check(&request));
}

#[divan::bench(sample_count = 5)]
fn graph_build_network_open(bencher: Bencher) {
    let f = &*FIXTURE;
    bencher.bench(|| build(&f.model, &OPEN));
}

#[divan::bench(sample_count = 2, sample_size = 1)]
fn graph_build_network_decided(bencher: Bencher) {
    let f = &*FIXTURE;
    assert_eq!(f.network.rule_count() > 0, f.open.rule_count() > 0);
    bencher.bench(|| build(&f.model, &Z3Oracle::new(None, false)));
}

/// Up to 50 (place, endpoint) questions of the estate.
fn network_questions(f: &Fixture) -> Vec<(Place, Endpoint)> {
    let places: Vec<Place> = f
        .network
        .facts
        .iter()
        .filter_map(|x| match x {
            mlaccess::graph::Fact::At(p) => Some(*p),
            _ => None,
        })
        .collect();
    let endpoints: Vec<Endpoint> = f
        .network
        .facts
        .iter()
        .filter_map(|x| match x {
            mlaccess::graph::Fact::Reach(e) => Some(*e),
            _ => None,
        })
        .collect();
    places
        .iter()
        .flat_map(|p| endpoints.iter().map(move |e| (*p, *e)))
        .take(50)
        .collect()
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn network_oracle_uncached(bencher: Bencher) {
    let f = &*FIXTURE;
    let questions = network_questions(f);
    assert!(!questions.is_empty());
    bencher.bench(|| {
        let oracle = Z3Oracle::new(None, false);
        for (place, endpoint) in &questions {
            oracle.decide(&f.network.model, *place, *endpoint);
        }
        oracle.questions()
    });
}

#[divan::bench]
fn network_oracle_cached(bencher: Bencher) {
    let f = &*FIXTURE;
    let questions = network_questions(f);
    let oracle = Z3Oracle::new(None, false);
    for (place, endpoint) in &questions {
        oracle.decide(&f.network.model, *place, *endpoint);
    }
    assert_eq!(oracle.questions(), questions.len());
    // The oracle's caches are not shared between threads: benchmarked on this one.
    bencher.bench_local(|| {
        for (place, endpoint) in &questions {
            oracle.decide(&f.network.model, *place, *endpoint);
        }
    });
}

#[divan::bench]
fn query_can(bencher: Bencher) {
    let f = &*FIXTURE;
    let q = format!("can {} reach assign on subscription", first_admin(f));
    let a = ask(&f.network, &q);
    assert_eq!(a.verdict, Verdict::Yes, "{q}");
    mlaccess::witness::replay_all(&f.model, &f.network, &a.witnesses).unwrap();
    bencher.bench(|| ask(&f.network, &q));
}

#[divan::bench(sample_count = 20)]
fn query_who_can(bencher: Bencher) {
    let f = &*FIXTURE;
    let q = "who can reach assign on subscription";
    let a = ask(&f.network, q);
    let listed = listed_names(&f.network, &a);
    let missing: Vec<_> = f.subscription_admins.difference(&listed).collect();
    assert!(missing.is_empty(), "{q}: subscription admins missing: {missing:?}");
    bencher.bench(|| ask(&f.network, q));
}

#[divan::bench(sample_count = 20)]
fn query_who_can_reach_data(bencher: Bencher) {
    let f = &*FIXTURE;
    let q = format!("who can reach data of {} ignoring network", f.storage);
    let a = ask(&f.open, &q);
    // Whoever may assign roles at the subscription may give itself a data role (P01).
    let listed = listed_names(&f.open, &a);
    let missing: Vec<_> = f.subscription_admins.difference(&listed).collect();
    assert!(missing.is_empty(), "{q}: subscription admins missing: {missing:?}");
    bencher.bench(|| ask(&f.open, &q));
}

#[divan::bench(sample_count = 20)]
fn query_any_user_directly(bencher: Bencher) {
    let f = &*FIXTURE;
    let q = format!("can any user reach data of {} directly ignoring network", f.storage);
    let a = ask(&f.open, &q);
    assert_eq!(a.verdict, Verdict::Yes, "{q}");
    mlaccess::witness::replay_all(&f.model, &f.open, &a.witnesses).unwrap();
    bencher.bench(|| ask(&f.open, &q));
}

#[divan::bench(sample_count = 5)]
fn query_what_can(bencher: Bencher) {
    let f = &*FIXTURE;
    let q = format!("what can {} reach", first_admin(f));
    let a = ask(&f.network, &q);
    assert!(a.listed.iter().any(|l| l.capability.starts_with("assign on")), "{q}");
    bencher.bench(|| ask(&f.network, &q));
}

/// A suite of 100 expectations, one per user (named after it): that it cannot assign roles at the
/// subscription. The subscription admins among them must fail it.
fn suite_of_100(f: &Fixture) -> (Vec<suite::Expectation>, BTreeSet<String>) {
    let users: Vec<String> = f
        .model
        .principal_ids()
        .filter(|p| f.model.principal(*p).kind == mlaccess::model::PrincipalKind::User)
        .take(100)
        .map(|p| f.model.principal(p).name.clone())
        .collect();
    let mut text = String::new();
    for name in &users {
        text.push_str(&format!(
            "- name: {name}\n  query: can {name} reach assign on subscription\n  expect: no\n"
        ));
    }
    let expectations = suite::load("suite.yaml", &text).unwrap_or_else(|_| panic!("the suite does not load"));
    let admins = users
        .into_iter()
        .filter(|u| f.subscription_admins.contains(u))
        .collect();
    (expectations, admins)
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn check_suite_of_100(bencher: Bencher) {
    let f = &*FIXTURE;
    let (expectations, admins) = suite_of_100(f);
    assert!(!admins.is_empty());
    let graphs = Graphs::build(&f.model, None);
    let run = || {
        check::run(
            &f.model,
            &graphs,
            &expectations,
            Engine::Graph,
            &answer::Options::default(),
            None,
        )
    };
    let items = run();
    assert_eq!(items.len(), 100);
    let failing: BTreeSet<String> = items
        .iter()
        .filter(|i| i.outcome() == Some(Outcome::Fails))
        .map(|i| i.expectation.name.clone())
        .collect();
    let missed: Vec<_> = admins.difference(&failing).collect();
    assert!(
        missed.is_empty(),
        "subscription admins that pass `cannot assign`: {missed:?}"
    );
    // Every failure agrees with the query engine asked on its own.
    for name in &failing {
        let q = format!("can {name} reach assign on subscription");
        assert_eq!(ask(&f.network, &q).verdict, Verdict::Yes, "{q}");
    }
    bencher.bench(run);
}

#[divan::bench(sample_count = 2, sample_size = 1)]
fn whatif_one_assignment(bencher: Bencher) {
    let f = &*FIXTURE;
    let user = f
        .model
        .principal_ids()
        .map(|p| f.model.principal(p))
        .find(|p| p.kind == mlaccess::model::PrincipalKind::User && !f.subscription_admins.contains(&p.name))
        .unwrap()
        .name
        .clone();
    let change =
        format!("add:\n  role_assignments:\n    - principal: {user}\n      role: Owner\n      scope: subscription\n");
    let source = Source::new("estate.json", f.text.clone());
    let run = || {
        let new = mlaccess::load::change::load_changed(
            std::slice::from_ref(&source),
            &Source::new("change.yaml", change.clone()),
        )
        .unwrap_or_else(|_| panic!("the change does not load"))
        .model;
        // As `whatif` builds them: the network questions of the second model answered from the
        // first's when the change leaves the network alone.
        let (old_graphs, new_graphs) = Graphs::build_pair(&f.model, &new, None, mlaccess::check::Needs::BOTH);
        mlaccess::compare::compare(
            &f.model,
            &old_graphs,
            &new,
            &new_graphs,
            &[],
            mlaccess::compare::Network::Decided,
        )
        .unwrap()
    };
    let d = run();
    assert!(
        d.gained
            .iter()
            .any(|c| c.actor == user && c.capability.starts_with("assign on")),
        "{user} gains the right to assign roles"
    );
    bencher.bench(run);
}
