//! Several model files merged in order (`--overlay`): named things merge field by field, lists unite,
//! a disagreement is an error naming both files, and every problem names the file and line it is in.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use mlaccess::load::merge::load_many;
use mlaccess::load::{Source, load};

const MINIMAL: &str = "models/minimal.yaml";
const PEOPLE: &str = "tests/fixtures/overlays/people.yaml";

fn source(path: &str) -> Source {
    Source::new(path, std::fs::read_to_string(path).unwrap())
}

#[test]
fn an_overlay_adds_and_merges() {
    let base = load(&source(MINIMAL)).unwrap().model;
    let merged = load_many(&[source(MINIMAL), source(PEOPLE)]).unwrap().model;
    assert_eq!(merged.principals.len(), base.principals.len() + 1, "bob is added");
    assert_eq!(merged.assignments.len(), base.assignments.len() + 1);
    let alice = merged
        .principal_ids()
        .find(|p| merged.principal(*p).name == "alice")
        .unwrap();
    let office = merged.location_named("office").unwrap();
    assert_eq!(
        merged.principal(alice).locations,
        vec![office],
        "alice's locations come from the overlay"
    );
}

#[test]
fn the_cli_merges_overlays_in_every_command() {
    let out = common::cli()
        .args([
            "query",
            MINIMAL,
            "--overlay",
            PEOPLE,
            "can bob reach data of mlstore directly",
        ])
        .output()
        .unwrap();
    // Reader on the resource group: data only through Azure ML (P31), not directly.
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let out = common::cli()
        .args(["validate", MINIMAL, "--overlay", PEOPLE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = common::cli()
        .args([
            "query",
            MINIMAL,
            "--overlay",
            PEOPLE,
            "can alice reach data of mlstore",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = v.to_string();
    assert!(
        text.contains("location office"),
        "alice acts from the overlay's location: {text}"
    );
}

#[test]
fn a_conflict_names_both_files() {
    let out = common::cli()
        .args([
            "validate",
            MINIMAL,
            "--overlay",
            "tests/fixtures/overlays/conflict.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tests/fixtures/overlays/conflict.yaml:8:"), "{err}");
    assert!(
        err.contains("`otherstore`") && err.contains("`mlstore` in models/minimal.yaml:"),
        "{err}"
    );
}

#[test]
fn a_problem_of_the_merged_model_names_its_file() {
    let out = common::cli()
        .args([
            "validate",
            MINIMAL,
            "--overlay",
            "tests/fixtures/overlays/dangling.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tests/fixtures/overlays/dangling.yaml:4:"), "{err}");
    assert!(err.contains("unknown principal `carol`"), "{err}");
}
