//! Tidy checks of the source tree, in the manner of rust-analyzer's: every source file opens with a `//!`
//! module doc, and the dependency rules of ARCHITECTURE.md hold (what a module must not use).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn all_sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    for (path, text) in all_sources() {
        assert!(text.starts_with("//!"), "{path} does not start with a `//!` module doc");
    }
}

/// (module path prefix, forbidden text, why) — ARCHITECTURE.md's invariants.
const RULES: &[(&str, &str, &str)] = &[
    ("src/model/", "serde", "the model is format-free"),
    ("src/model/", "crate::graph", "the model knows nothing of the graph"),
    ("src/model/", "crate::load", "the model knows nothing of loading"),
    ("src/rbac/", "crate::graph", "rbac reads only the model"),
    ("src/rbac/", "crate::search", "rbac reads only the model"),
    (
        "src/witness/",
        "graph::build",
        "witness replay is independent of graph building",
    ),
    (
        "src/witness/",
        "crate::search",
        "witness replay is independent of search",
    ),
    (
        "src/graph/",
        "crate::search",
        "the graph describes; it does not decide reachability",
    ),
    (
        "src/graph/",
        "crate::answer",
        "the graph describes; it does not decide reachability",
    ),
    ("src/search/", "crate::rbac", "no RBAC question is asked during search"),
    ("src/load/", "crate::graph", "loading builds the model only"),
    (
        "src/query/",
        "crate::graph",
        "the query language only parses and resolves names",
    ),
    ("src/diag/", "crate::", "diag is the bottom layer"),
];

#[test]
fn dependency_rules_hold() {
    for (path, text) in all_sources() {
        for (prefix, forbidden, why) in RULES {
            if path.starts_with(prefix) {
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(!code.contains(forbidden), "{path} uses `{forbidden}`, but {why}");
            }
        }
    }
}

#[test]
fn only_smt_uses_z3() {
    for (path, text) in all_sources() {
        if !path.starts_with("src/smt/") {
            assert!(!text.contains("z3::"), "{path} uses z3; only `smt` may");
        }
    }
}

#[test]
fn only_the_cli_touches_files_and_the_process() {
    for (path, text) in all_sources() {
        if path.starts_with("src/cli/") || path == "src/main.rs" {
            continue;
        }
        for forbidden in ["std::fs::", "std::process::exit", "std::env::var"] {
            assert!(!text.contains(forbidden), "{path} uses `{forbidden}`; only `cli` may");
        }
    }
}
