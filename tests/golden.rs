//! Golden runs: every suite under `queries/<model>/` against `models/<model>.yaml`. Every expectation
//! must hold, and the answers are snapshotted (JSON) so a change in any witness shows in review.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use mlaccess::answer::expect::{Outcome, evaluate};
use mlaccess::answer::{self, Options};
use mlaccess::graph::build::build;
use mlaccess::load::{Source, load};
use mlaccess::query::{self, suite};
use mlaccess::smt::oracle::Z3Oracle;

#[test]
fn every_suite_holds_on_its_model() {
    let mut checked = 0;
    let mut dirs: Vec<_> = std::fs::read_dir("queries")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let stem = dir.file_name().unwrap().to_string_lossy().to_string();
        let model_path = format!("models/{stem}.yaml");
        let model = load(&Source::new(&model_path, std::fs::read_to_string(&model_path).unwrap()))
            .unwrap_or_else(|d| panic!("{model_path}: {d:?}"))
            .model;
        let graph = build(&model, &Z3Oracle::new(None, false));
        let open = build(
            &model,
            &mlaccess::graph::network::AssumedOpen {
                reason: "ignoring network",
            },
        );
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(&file).unwrap();
            let expectations = suite::load(&name, &text).unwrap_or_else(|d| panic!("{name}: {d:?}"));
            let mut report = Vec::new();
            for e in &expectations {
                let parsed =
                    query::parse(&e.query).unwrap_or_else(|err| panic!("{name} {}: {}", e.name, err.render(&e.query)));
                let resolved = query::resolve(&model, &parsed)
                    .unwrap_or_else(|err| panic!("{name} {}: {}", e.name, err.render(&e.query)));
                let g = if resolved.ignoring_network { &open } else { &graph };
                let a = answer::run(g, &resolved, &Options::default());
                // The SMT engine must agree with the graph engine on every expectation.
                let s = answer::smt::run(g, &resolved, &Options::default());
                answer::smt::agree(g, &a, &s).unwrap_or_else(|d| panic!("{name} {}: engines disagree: {d}", e.name));
                for w in a.witnesses.iter().chain(a.listed.iter().map(|l| &l.witness)) {
                    mlaccess::witness::replay(&model, g, w)
                        .unwrap_or_else(|p| panic!("{name} {}: replay: {p}", e.name));
                }
                let outcome = evaluate(&model, &e.expect, &a).unwrap_or_else(|p| panic!("{name} {}: {p}", e.name));
                assert_eq!(
                    outcome,
                    Outcome::Holds,
                    "{name}: expectation `{}` does not hold:\n{}",
                    e.name,
                    mlaccess::report::answer::render_text(g, &a)
                );
                let mut json = mlaccess::report::answer::render_json(g, &a);
                json.as_object_mut().unwrap().remove("elapsed_ms");
                report.push(serde_json::json!({"name": e.name, "outcome": outcome.as_str(), "answer": json}));
                checked += 1;
            }
            let snapshot = format!("golden_{stem}_{}", file.file_stem().unwrap().to_string_lossy());
            insta::assert_json_snapshot!(snapshot, report);
        }
    }
    assert!(checked >= 10, "expected the bundled suites under queries/");
}
