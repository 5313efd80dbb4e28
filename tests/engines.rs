//! The two engines on generated estates with networks: the graph engine and the SMT engine agree on
//! every query (verdict, listed entries, least depth), every witness of either replays against the
//! model, and the metamorphic laws hold: an added role assignment never removes a path; an added deny
//! assignment, a higher-priority NSG deny or a closed firewall never adds one. On failure the model is
//! printed as YAML and the graph as DOT. 300 cases in CI, 100 locally; `PROPTEST_CASES` sets the number.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use std::collections::BTreeSet;

use mlaccess::answer::{self, Answer, Options, Verdict};
use mlaccess::graph::AccessGraph;
use mlaccess::graph::build::build;
use mlaccess::load::{Source, load};
use mlaccess::model::Model;
use mlaccess::query;
use mlaccess::smt::oracle::Z3Oracle;
use proptest::prelude::*;

const QUERIES: &[&str] = &[
    "can u0 reach data-read of st",
    "can u1 reach data-read of st",
    "can u1 reach exec on ws/ci",
    "can u0 reach data-write of st directly",
    "who can reach data-read of st",
    "can any user reach data of st avoiding azureml",
];

fn model(text: &str) -> Model {
    match load(&Source::new("generated.yaml", text)) {
        Ok(l) => l.model,
        Err(d) => panic!("generated model did not load:\n{text}\n{d:#?}"),
    }
}

/// The graph as DOT, for failure reports.
fn dot(g: &AccessGraph) -> String {
    let mut out = String::from("digraph access {\n");
    for (i, r) in g.rules.iter().enumerate() {
        for p in &r.premises {
            out.push_str(&format!("  f{} -> r{i};\n", p.0));
        }
        out.push_str(&format!(
            "  r{i} [shape=box, label=\"{}\"];\n  r{i} -> f{};\n",
            r.rule.as_str(),
            r.conclusion.0
        ));
    }
    for (i, f) in g.facts.iter().enumerate() {
        out.push_str(&format!(
            "  f{i} [label=\"{}\"];\n",
            mlaccess::graph::text::fact_text(g, f).replace('"', "'")
        ));
    }
    out.push_str("}\n");
    out
}

fn entries(a: &Answer, g: &AccessGraph) -> BTreeSet<String> {
    a.listed
        .iter()
        .map(|l| format!("{}: {}", l.actor.label(&g.model), l.capability))
        .collect()
}

/// Runs every query with both engines, checks agreement and replays every witness.
fn answers(text: &str) -> Vec<(Verdict, BTreeSet<String>)> {
    let m = model(text);
    let g = build(&m, &Z3Oracle::new(None, false));
    let mut out = Vec::new();
    for q in QUERIES {
        let resolved = query::resolve(&m, &query::parse(q).unwrap()).unwrap();
        let a = answer::run(&g, &resolved, &Options::default());
        let s = answer::smt::run(&g, &resolved, &Options::default());
        if let Err(d) = answer::smt::agree(&g, &a, &s) {
            panic!(
                "engines disagree on `{q}`: {d}\n--- model ---\n{text}\n--- graph ---\n{}",
                dot(&g)
            );
        }
        for w in a
            .witnesses
            .iter()
            .chain(a.listed.iter().map(|l| &l.witness))
            .chain(s.witnesses.iter())
            .chain(s.listed.iter().map(|l| &l.witness))
        {
            if let Err(p) = mlaccess::witness::replay(&m, &g, w) {
                panic!(
                    "a witness for `{q}` fails replay: {p}\n--- model ---\n{text}\n--- graph ---\n{}",
                    dot(&g)
                );
            }
        }
        out.push((a.verdict, entries(&a, &g)));
    }
    out
}

#[derive(Debug, Clone)]
enum Change {
    AddAllow(usize, usize),
    AddDeny,
    NsgDenyAll,
    CloseFirewall,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0..2usize, 0..common::ROLES.len()).prop_map(|(u, r)| Change::AddAllow(u, r)),
        Just(Change::AddDeny),
        Just(Change::NsgDenyAll),
        Just(Change::CloseFirewall),
    ]
}

fn apply(n: &common::Net, c: &Change) -> String {
    let mut n = n.clone();
    match c {
        Change::AddAllow(u, r) => common::yaml(
            &n,
            &format!("  - {{principal: u{u}, role: {}, scope: st}}\n", common::ROLES[*r]),
        ),
        Change::AddDeny => {
            let mut text = common::yaml(&n, "");
            text.push_str("deny_assignments:\n  - {principals: [everyone], data_actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'], scope: st}\n");
            text
        }
        Change::NsgDenyAll => {
            let deny = common::Rule {
                priority: 100,
                inbound: true,
                allow: false,
                source: 0,
                destination: 0,
                ports: 0,
            };
            for nsg in [&mut n.nsg_a, &mut n.nsg_b] {
                let mut rules = nsg.clone().unwrap_or_default();
                rules.insert(0, deny.clone());
                *nsg = Some(rules);
            }
            common::yaml(&n, "")
        }
        Change::CloseFirewall => {
            n.public_access = false;
            common::yaml(&n, "")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(300, 100)))]

    #[test]
    fn engines_agree_witnesses_replay_and_laws_hold(n in common::net(), c in change()) {
        let before = answers(&common::yaml(&n, ""));
        let text = apply(&n, &c);
        let after = answers(&text);
        let adds = matches!(c, Change::AddAllow(..));
        for (i, ((vb, lb), (va, la))) in before.iter().zip(after.iter()).enumerate() {
            if *vb == Verdict::Unknown || *va == Verdict::Unknown {
                continue;
            }
            let q = QUERIES[i];
            if adds {
                prop_assert!(!(*vb == Verdict::Yes && *va == Verdict::No), "{c:?} removed a path for `{q}`\n{text}");
                prop_assert!(lb.is_subset(la), "{c:?} removed entries for `{q}`: {:?}\n{text}", lb.difference(la).collect::<Vec<_>>());
            } else {
                prop_assert!(!(*vb == Verdict::No && *va == Verdict::Yes), "{c:?} added a path for `{q}`\n{text}");
                prop_assert!(la.is_subset(lb), "{c:?} added entries for `{q}`: {:?}\n{text}", la.difference(lb).collect::<Vec<_>>());
            }
        }
    }
}
