//! The Z3 network oracle against brute-force enumeration: on generated estates whose rules use only a
//! fixed pool of address blocks and ports, every class of packet the rules can tell apart is
//! enumerated and run through the concrete evaluator; the oracle must find a packet exactly when one
//! passes, and every packet it finds must pass; the solver the oracle keeps for all its questions must
//! decide each as a new solver does; a packet the probe tries first must pass, and only where one does.
//! Also: a solver that runs out of time makes an answer unknown, never no.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use mlaccess::graph::{Endpoint, Place};
use mlaccess::load::{Source, load};
use mlaccess::model::network::{Cidr, Protocol};
use mlaccess::model::{Model, lookup, prospective};
use mlaccess::network::probe::probe;
use mlaccess::network::{self, Packet, eval, origins, paths};
use mlaccess::smt::netenc::{NetSolver, Outcome, solve};
use proptest::prelude::*;

fn model(text: &str) -> Model {
    match load(&Source::new("generated.yaml", text)) {
        Ok(l) => prospective::augment(&l.model),
        Err(d) => panic!("generated model did not load:\n{text}\n{d:#?}"),
    }
}

fn addresses(c: &str) -> Vec<u32> {
    let c = Cidr::parse(c).unwrap();
    (c.addr..=c.last()).collect()
}

/// One address of every class the pool tells apart: every address of every small block, the load
/// balancer, and public addresses that no rule names.
fn universe() -> Vec<u32> {
    let mut out = Vec::new();
    for b in [
        "10.0.0.0/29",
        "10.0.0.8/29",
        "10.1.0.0/30",
        "10.2.0.0/30",
        "198.51.100.0/30",
        "198.51.100.4/30",
    ] {
        out.extend(addresses(b));
    }
    out.extend([
        u32::from(std::net::Ipv4Addr::new(168, 63, 129, 16)),
        u32::from(std::net::Ipv4Addr::new(203, 0, 113, 7)),
        u32::from(std::net::Ipv4Addr::new(1, 1, 1, 1)),
        u32::from(std::net::Ipv4Addr::new(10, 0, 0, 200)),
    ]);
    out
}

fn brute_force(m: &Model, origin: network::Origin, path: &network::Path) -> Option<Packet> {
    let all = universe();
    let publics = [
        u32::from(std::net::Ipv4Addr::new(203, 0, 113, 7)),
        u32::from(std::net::Ipv4Addr::new(1, 1, 1, 1)),
    ];
    for &src in &all {
        for &dst in &all {
            for nat in [None, Some(publics[0]), Some(publics[1])] {
                for sport in [21u16, 25, 50000, 1500, 443] {
                    let p = Packet {
                        src,
                        dst,
                        src_port: sport,
                        dst_port: path.port,
                        protocol: Protocol::Tcp,
                        nat_src: nat,
                    };
                    if eval::pass(m, origin, path, &p).is_ok() {
                        return Some(p);
                    }
                }
            }
        }
    }
    None
}

static OPEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static BLOCKED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PROBED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[test]
fn oracle_agrees_with_enumeration() {
    agree();
    // Both outcomes must have occurred, or the comparison proves little.
    let (open, blocked) = (
        OPEN.load(std::sync::atomic::Ordering::SeqCst),
        BLOCKED.load(std::sync::atomic::Ordering::SeqCst),
    );
    assert!(
        open > 20 && blocked > 20,
        "too few of each outcome: {open} open, {blocked} blocked"
    );
    let probed = PROBED.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        probed > 10,
        "the probe found a packet for only {probed} of {open} open questions"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    fn agree(n in common::net()) {
        let text = common::yaml(&n, "");
        let m = model(&text);
        let st = lookup::resource(&m, "st", &[]).unwrap();
        let ci = lookup::resource(&m, "ci", &[]).unwrap();
        let ws = lookup::resource(&m, "ws", &[]).unwrap();
        let mut places: Vec<Place> = (0..m.locations.len()).map(|i| Place::Location(mlaccess::model::LocationId::from_index(i))).collect();
        places.extend([Place::Resource(ci), Place::Resource(ws)]);
        // The oracle's solver, kept across questions: it must decide as a new solver does.
        let shared = NetSolver::new(None);
        for place in places {
            for endpoint in [Endpoint::Blob(st), Endpoint::Ssh(ci)] {
                for origin in origins(&m, place) {
                    for path in paths(&m, endpoint) {
                        let z3 = solve(&m, origin, &path, None, None);
                        let kept = shared.solve(&m, origin, &path, None);
                        match &kept {
                            Outcome::Packet(p) => {
                                prop_assert!(matches!(z3, Outcome::Packet(_)), "the kept solver found {p}, a new one {z3:?}\n{text}");
                                let replay = eval::pass(&m, origin, &path, p);
                                prop_assert!(replay.is_ok(), "the kept solver's packet {p} fails the concrete evaluator: {replay:?}\n{text}");
                            }
                            // An unsatisfiable core is one of several: only the verdict must agree.
                            Outcome::Blocked(_) => prop_assert!(matches!(z3, Outcome::Blocked(_)), "the kept solver says blocked, a new one {z3:?}\n{text}"),
                            Outcome::Unknown(r) => prop_assert!(false, "the kept solver gave up without a timeout: {r}"),
                        }
                        let brute = brute_force(&m, origin, &path);
                        // A probed packet passes, and only where some packet does.
                        if let Some(p) = probe(&m, origin, &path) {
                            PROBED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            let replay = eval::pass(&m, origin, &path, &p);
                            prop_assert!(replay.is_ok(), "the probed packet {p} fails the concrete evaluator: {replay:?}\n{text}");
                            prop_assert!(brute.is_some() && matches!(z3, Outcome::Packet(_)), "probed {p} where Z3 says {z3:?}\n{text}");
                        }
                        match (&z3, brute) {
                            (Outcome::Packet(p), _) => {
                                OPEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                let replay = eval::pass(&m, origin, &path, p);
                                prop_assert!(replay.is_ok(), "Z3's packet {p} fails the concrete evaluator: {replay:?}\n{text}");
                            }
                            (Outcome::Blocked(labels), Some(p)) => {
                                prop_assert!(false, "Z3 says blocked ({labels:?}) but {p} passes {}\n{text}", network::path_text(&m, &path));
                            }
                            (Outcome::Blocked(_), None) => {
                                BLOCKED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            }
                            (Outcome::Unknown(r), _) => prop_assert!(false, "Z3 gave up without a timeout: {r}"),
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn a_solver_out_of_time_is_unknown_never_no() {
    let text = std::fs::read_to_string("models/contoso-ml.yaml").unwrap();
    let m = load(&Source::new("contoso.yaml", text)).unwrap().model;
    let q = mlaccess::query::resolve(
        &m,
        &mlaccess::query::parse("can nora reach data-read of mlstore avoiding ssh").unwrap(),
    )
    .unwrap();
    let options = mlaccess::answer::Options {
        paths: 1,
        timeout_ms: Some(1),
        dump: false,
    };
    // A solver with no time at all decides nothing it has to search for: nora's `no` needs one such
    // question. Without the SMT-LIB kept, the questions a probe or a false part answers are still
    // decided; with it (`--dump-smt`), every question goes to the solver.
    for dump in [false, true] {
        let g = mlaccess::graph::build::build(&m, &mlaccess::smt::oracle::Z3Oracle::new(Some(0), dump));
        for a in [
            mlaccess::answer::run(&g, &q, &options),
            mlaccess::answer::smt::run(&g, &q, &options),
        ] {
            assert_ne!(
                a.verdict,
                mlaccess::answer::Verdict::No,
                "a timed-out question answered no"
            );
            assert_eq!(a.verdict, mlaccess::answer::Verdict::Unknown, "{:?}", a.unknown);
            assert!(!a.unknown.is_empty());
        }
    }
}

/// Network questions on a changed network are asked of a copy of the network facts alone
/// (`Model::network_view`): it must decide every (place, endpoint) pair as the whole model does.
#[test]
fn the_network_view_decides_as_the_whole_model() {
    use mlaccess::graph::network::NetworkOracle;
    for path in ["models/contoso-ml.yaml", "tests/fixtures/models/cross-group-host.yaml"] {
        let text = std::fs::read_to_string(path).unwrap();
        let m = prospective::augment(&load(&Source::new(path, text)).unwrap().model);
        let view = m.network_view();
        assert!(view.principals.is_empty() && view.assignments.is_empty());
        let mut places: Vec<Place> = (0..m.locations.len())
            .map(|i| Place::Location(mlaccess::model::LocationId::from_index(i)))
            .collect();
        places.extend(m.resource_ids().map(Place::Resource));
        let endpoints: Vec<Endpoint> = m
            .resource_ids()
            .flat_map(|r| {
                [
                    Endpoint::Blob(r),
                    Endpoint::Vault(r),
                    Endpoint::Registry(r),
                    Endpoint::Workspace(r),
                    Endpoint::Scoring(r),
                    Endpoint::Ssh(r),
                ]
            })
            .filter(|e| !paths(&m, *e).is_empty())
            .collect();
        let (whole, part) = (
            mlaccess::smt::oracle::Z3Oracle::new(None, false),
            mlaccess::smt::oracle::Z3Oracle::new(None, false),
        );
        let mut open = 0;
        for &place in &places {
            for &endpoint in &endpoints {
                let decision = whole.decide(&m, place, endpoint);
                open += usize::from(matches!(decision, mlaccess::graph::network::NetDecision::Open { .. }));
                assert_eq!(
                    decision,
                    part.decide(&view, place, endpoint),
                    "{path}: {place:?} → {endpoint:?}"
                );
            }
        }
        assert!(open > 0, "{path}: no pair is open");
    }
}

/// `Internet` in an NSG rule is Azure's service tag (every address outside every VNet), not the
/// implicit `internet` location (every address): a rule that denies Internet outbound leaves traffic
/// to a private endpoint inside the VNet alone, and one that denies VirtualNetwork outbound stops it.
#[test]
fn internet_in_an_nsg_rule_is_the_service_tag() {
    use mlaccess::model::network::{AddressMatch, ServiceTag};
    let path = "tests/fixtures/models/nsg-tags.yaml";
    let m = load(&Source::new(path, std::fs::read_to_string(path).unwrap()))
        .unwrap()
        .model;
    let destinations: Vec<&AddressMatch> = m
        .network
        .nsgs
        .iter()
        .flat_map(|n| &n.rules)
        .filter(|r| !r.default)
        .flat_map(|r| &r.destination)
        .collect();
    assert_eq!(
        destinations,
        [
            &AddressMatch::Tag(ServiceTag::Internet),
            &AddressMatch::Tag(ServiceTag::VirtualNetwork)
        ]
    );
    let g = mlaccess::graph::build::build(&m, &mlaccess::smt::oracle::Z3Oracle::new(None, false));
    for (question, expected) in [
        ("can uami-open reach data-read of lake", mlaccess::answer::Verdict::Yes),
        ("can uami-locked reach data-read of lake", mlaccess::answer::Verdict::No),
    ] {
        let q = mlaccess::query::resolve(&m, &mlaccess::query::parse(question).unwrap()).unwrap();
        let a = mlaccess::answer::run(&g, &q, &mlaccess::answer::Options::default());
        assert_eq!(a.verdict, expected, "{question}");
        for w in &a.witnesses {
            mlaccess::witness::replay(&m, &g, w).unwrap();
        }
    }
}
