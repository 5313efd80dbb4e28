//! `fix`: the proposed change makes the failing expectations hold without breaking the others (checked
//! with `whatif`), conflicting expectations are reported with the ones in the way, and on generated
//! estates the fix works and is minimal: leaving out any one removal brings the path back.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use mlaccess::answer::{self, Options, Verdict};
use mlaccess::check::Graphs;
use mlaccess::fix::{Candidate, fix};
use mlaccess::load::change::load_changed;
use mlaccess::load::{Source, load};
use mlaccess::query;
use mlaccess::query::suite;
use proptest::prelude::*;

const CONTOSO: &str = "models/contoso-ml.yaml";
const CONTRACTOR: &str = "tests/fixtures/suites/contractor.yaml";

#[test]
fn the_fix_is_confirmed_by_whatif() {
    let dir = tempfile::tempdir().unwrap();
    let change = dir.path().join("fix.yaml");
    let suites = [
        CONTRACTOR,
        "queries/contoso-ml/access-control.yaml",
        "queries/contoso-ml/endpoints.yaml",
    ];
    let out = common::cli()
        .args(["fix", CONTOSO])
        .args(suites)
        .args(["-o", change.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&change).unwrap();
    assert!(text.contains("nora-laptop"), "{text}");

    let whatif = common::cli()
        .args([
            "whatif",
            CONTOSO,
            "--change",
            change.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(suites)
        .output()
        .unwrap();
    assert_eq!(whatif.status.code(), Some(0), "a fix opens no access");
    let d: serde_json::Value = serde_json::from_slice(&whatif.stdout).unwrap();
    let flips = d["flips"].as_array().unwrap();
    assert_eq!(flips.len(), 1, "{flips:?}");
    assert_eq!(flips[0]["name"], "contractor-has-no-prod-data");
    assert_eq!(flips[0]["before"], "fails");
    assert_eq!(flips[0]["after"], "holds");
}

#[test]
fn conflicting_expectations_are_named() {
    let out = common::cli()
        .args(["fix", CONTOSO, CONTRACTOR, "queries/contoso-ml/data.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Not fixed by removals: contractor-has-no-prod-data")
            && text.contains("contractor-reaches-data-through-her-instance"),
        "{text}"
    );
}

#[test]
fn nothing_to_fix_is_an_empty_change() {
    let out = common::cli()
        .args(["fix", CONTOSO, "queries/contoso-ml/endpoints.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("remove: {}"));
}

#[test]
fn a_path_without_grants_cannot_be_fixed() {
    // Anonymous blob access needs no assignment, membership or credential: only a property change
    // (allow_blob_public_access: false) closes it, which is not a removal.
    let text = std::fs::read_to_string("models/minimal.yaml")
        .unwrap()
        .replace(
            "  - name: mlstore\n    type: storage_account\n    group: rg-ml\n",
            "  - name: mlstore\n    type: storage_account\n    group: rg-ml\n    properties: {allow_blob_public_access: true}\n",
        );
    assert!(text.contains("allow_blob_public_access: true"));
    let dir = tempfile::tempdir().unwrap();
    let (model, suite) = (dir.path().join("m.yaml"), dir.path().join("s.yaml"));
    std::fs::write(&model, text).unwrap();
    std::fs::write(
        &suite,
        "- {name: no-anonymous-data, query: 'can anyone from internet reach data-read of mlstore', expect: no}\n",
    )
    .unwrap();
    let out = common::cli()
        .args([
            "fix",
            model.to_str().unwrap(),
            suite.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["unfixable"][0]["name"], "no-anonymous-data", "{v}");
    assert!(
        v["unfixable"][0]["why"]
            .as_str()
            .unwrap()
            .contains("no role assignment, membership or credential"),
        "{v}"
    );
    assert_eq!(v["change"], "remove: {}\n");
}

fn no_path(model_text: &str, change: Option<&str>, q: &str) -> bool {
    let source = Source::new("generated.yaml", model_text);
    let m = match change {
        None => load(&source).unwrap().model,
        Some(c) => {
            load_changed(std::slice::from_ref(&source), &Source::new("fix.yaml", c))
                .unwrap()
                .model
        }
    };
    let graphs = Graphs::build(&m, None);
    let resolved = query::resolve(&m, &query::parse(q).unwrap()).unwrap();
    answer::run(graphs.network().unwrap(), &resolved, &Options::default()).verdict == Verdict::No
}

/// The change file `fix` writes, without one of its removals.
fn without(source: &Source, m: &mlaccess::model::Model, removals: &[Candidate], skip: usize) -> String {
    let rest: Vec<Candidate> = removals
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != skip)
        .map(|(_, c)| c.clone())
        .collect();
    let tree = mlaccess::load::merge::merge_sources(std::slice::from_ref(source)).unwrap();
    mlaccess::fix::change_file(&tree, m, &rest)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(48, 12)))]

    #[test]
    fn fixes_work_and_are_minimal(n in common::net(), who in 0..2usize) {
        let text = common::yaml(&n, "");
        let q = format!("can u{who} reach data-read of st");
        prop_assume!(!no_path(&text, None, &q));
        let source = Source::new("generated.yaml", &text);
        let m = load(&source).unwrap().model;
        let expectations = suite::load("s.yaml", &format!("- {{name: target, query: '{q}', expect: no}}\n")).unwrap();
        let f = fix(std::slice::from_ref(&source), &m, &expectations, None).unwrap();
        if f.fixed.is_empty() {
            // Unfixable only when a path needs no removable thing: anyone-held credentials aside, a
            // user's path always starts with a grant or a held key, so this must not happen.
            prop_assert!(false, "no fix for `{q}`: {:?}\n{text}", f.unfixable);
        }
        prop_assert!(no_path(&text, Some(&f.change), &q), "the fix does not work:\n{}\n{text}", f.change);
        let removals: Vec<Candidate> = f.removals.iter().map(|(c, _)| c.clone()).collect();
        for i in 0..removals.len() {
            let smaller = without(&source, &m, &removals, i);
            prop_assert!(!no_path(&text, Some(&smaller), &q), "not minimal: {:?} is not needed\n{}\n{text}", removals[i], f.change);
        }
    }
}
