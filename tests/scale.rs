//! Size S end to end, through the command line: `gen --size S`, `validate`, the query forms (with the
//! network decided and ignored) and `check`, each answer checked against facts read off the generated
//! JSON itself; `whatif` on a smaller generated estate. The parallel paths (`check`, `whatif`) must
//! print the same bytes with one thread and with four.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use common::cli;
use serde_json::Value;

/// The generated estate, written once for all tests of this file.
fn estate() -> &'static (tempfile::TempDir, PathBuf, Value) {
    static ESTATE: OnceLock<(tempfile::TempDir, PathBuf, Value)> = OnceLock::new();
    ESTATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("estate-s.json");
        let out = cli().args(["gen", "--size", "S", "-o"]).arg(&path).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        (dir, path, json)
    })
}

fn run(args: &[&str], model: &Path) -> Output {
    let mut cmd = cli();
    cmd.arg(args[0]).arg(model).args(&args[1..]);
    cmd.output().unwrap()
}

/// Principals the generated file assigns Owner or User Access Administrator at the subscription,
/// without a condition: each may assign roles there, whatever the engine says.
fn subscription_admins(json: &Value) -> BTreeSet<String> {
    json["role_assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["scope"] == "subscription" && a.get("condition").is_none())
        .filter(|a| a["role"] == "Owner" || a["role"] == "User Access Administrator")
        .map(|a| a["principal"].as_str().unwrap().to_string())
        .collect()
}

/// Principals that are users in the generated file.
fn users(json: &Value) -> BTreeSet<String> {
    json["principals"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

fn listed(answer: &Value) -> BTreeSet<String> {
    answer["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["actor"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_estate_has_size_s_and_validates() {
    let (_, path, json) = estate();
    assert_eq!(users(json).len(), 1000);
    assert!(json["role_assignments"].as_array().unwrap().len() > 5000);
    let out = run(&["validate"], path);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn who_can_assign_at_the_subscription_lists_every_admin() {
    let (_, path, json) = estate();
    let admins = subscription_admins(json);
    assert!(admins.len() >= 3, "{admins:?}");
    let out = run(
        &[
            "query",
            "who can reach assign on subscription ignoring network",
            "--format",
            "json",
        ],
        path,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names = listed(&answer);
    let missing: Vec<_> = admins.difference(&names).collect();
    assert!(missing.is_empty(), "admins missing from `who can`: {missing:?}");
    // Not everyone: the company's Reader assignment gives no right to assign.
    assert!(names.len() < users(json).len(), "{} listed", names.len());
}

#[test]
fn any_user_reaches_workspace_data_directly_and_the_path_replays() {
    let (_, path, json) = estate();
    let out = run(
        &[
            "query",
            "can any user reach data of stml001 directly ignoring network",
            "--format",
            "json",
        ],
        path,
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let actor = answer["witnesses"][0]["actor"]["name"].as_str().unwrap().to_string();
    assert!(users(json).contains(&actor), "{actor} is not a user");
    let steps = answer["witnesses"][0]["steps"].as_array().unwrap();
    assert!(
        steps.iter().all(|s| s["channel"] != "azureml"),
        "a `directly` path uses no Azure ML step"
    );
}

#[test]
fn with_the_network_decided_an_owner_may_assign_roles() {
    let (_, path, json) = estate();
    let admin = subscription_admins(json)
        .into_iter()
        .find(|a| users(json).contains(a))
        .unwrap();
    let out = run(&["query", &format!("can {admin} reach assign on subscription")], path);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

fn suite(dir: &Path, json: &Value) -> PathBuf {
    let admin = subscription_admins(json)
        .into_iter()
        .find(|a| users(json).contains(a))
        .unwrap();
    let file = dir.join("suite.yaml");
    let text = format!(
        "- name: admin-may-assign\n  query: can {admin} reach assign on subscription ignoring network\n  expect: yes\n\
         - name: admin-may-not-assign\n  query: can {admin} reach assign on subscription ignoring network\n  expect: no\n\
         - name: data-readers\n  query: who can reach data of stml002 ignoring network\n  expect:\n    only: [{admin}]\n\
         - name: vault-readers\n  query: who can reach secrets of kvml001 ignoring network\n  expect:\n    only: [{admin}]\n"
    );
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn shared_searches_give_the_same_answer_with_one_thread_and_four() {
    let (_, path, _) = estate();
    let with = |threads: &str, query: &str| {
        let out = cli()
            .env("RAYON_NUM_THREADS", threads)
            .arg("query")
            .arg(path)
            .arg(query)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{query}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut answer: Value = serde_json::from_slice(&out.stdout).unwrap();
        // The only field that may differ: how long it took.
        answer.as_object_mut().unwrap().remove("elapsed_ms");
        answer
    };
    // The classes of actors are searched in parallel, and `can any user` lets a shallow way found by
    // one thread cut the searches of the others short.
    for query in [
        "who can reach data of stml001 ignoring network",
        "can any user reach data of stml001 directly ignoring network",
        "can any user reach act-as uami-ml002 ignoring network",
    ] {
        let one = with("1", query);
        assert_eq!(
            one,
            with("4", query),
            "{query}: the answer differs between 1 and 4 threads"
        );
        assert_eq!(one["verdict"], "yes", "{query}");
    }
}

#[test]
fn check_gives_the_same_bytes_with_one_thread_and_four() {
    let (dir, path, json) = estate();
    let suite = suite(dir.path(), json);
    let with = |threads: &str| {
        cli()
            .env("RAYON_NUM_THREADS", threads)
            .arg("check")
            .arg(path)
            .arg(&suite)
            .args(["--format", "json"])
            .output()
            .unwrap()
    };
    let one = with("1");
    let four = with("4");
    assert_eq!(one.status.code(), Some(1), "{}", String::from_utf8_lossy(&one.stderr));
    assert_eq!(one.stdout, four.stdout, "check output differs between 1 and 4 threads");
    let report: Value = serde_json::from_slice(&one.stdout).unwrap();
    let outcome = |name: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .map(|e| e["outcome"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(outcome("admin-may-assign"), "holds");
    assert_eq!(outcome("admin-may-not-assign"), "fails");
}

#[test]
fn whatif_of_one_owner_assignment_reports_new_access_the_same_with_any_thread_count() {
    // A smaller estate than S: `whatif` builds both models' graphs with the network decided and
    // computes every actor's reach in both, which takes minutes at S in a debug build.
    let dir = tempfile::tempdir().unwrap();
    let path = &dir.path().join("estate.json");
    let out = cli()
        .args(["gen", "--users", "200", "--groups", "20", "--workspaces", "2", "-o"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: &Value = &serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let admins = subscription_admins(json);
    let plain = users(json).into_iter().find(|u| !admins.contains(u)).unwrap();
    let change = dir.path().join("owner.yaml");
    std::fs::write(
        &change,
        format!("add:\n  role_assignments:\n    - principal: {plain}\n      role: Owner\n      scope: subscription\n"),
    )
    .unwrap();
    let with = |threads: &str| {
        cli()
            .env("RAYON_NUM_THREADS", threads)
            .arg("whatif")
            .arg(path)
            .arg("--change")
            .arg(&change)
            .args(["--format", "json"])
            .output()
            .unwrap()
    };
    let one = with("1");
    assert_eq!(one.status.code(), Some(1), "{}", String::from_utf8_lossy(&one.stderr));
    let four = with("4");
    assert_eq!(one.stdout, four.stdout, "whatif output differs between 1 and 4 threads");
    let report: Value = serde_json::from_slice(&one.stdout).unwrap();
    let gained = report["gained"].as_array().unwrap();
    assert!(
        gained
            .iter()
            .any(|g| g["actor"] == plain.as_str() && g["capability"].as_str().unwrap().starts_with("assign on")),
        "{plain} gains the right to assign roles: {gained:?}"
    );
}
