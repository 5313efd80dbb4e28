//! `mlaccess check`: suites against models, every output format and exit status, the baseline, and the
//! validity of the SARIF and JUnit documents (structure GitHub code scanning and CI report readers need;
//! the JUnit XML parsed back).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use insta_cmd::assert_cmd_snapshot;

const MODEL: &str = "models/contoso-ml.yaml";
const FAILING: &str = "tests/fixtures/suites/violated.yaml";

fn snapshot(name: &str, args: &[&str]) {
    let mut cmd = common::cli();
    cmd.arg("check").args(args);
    insta::with_settings!({filters => vec![(r"in \d+ ms", "in [ms] ms")]}, {
        assert_cmd_snapshot!(name, cmd);
    });
}

#[test]
fn bundled_suites_hold() {
    snapshot("check_bundled", &[MODEL, "queries/contoso-ml"]);
}

#[test]
fn a_violated_expectation_fails_with_its_witness() {
    snapshot("check_violated", &[MODEL, FAILING]);
}

#[test]
fn json_output() {
    snapshot("check_json", &[MODEL, FAILING, "--format", "json"]);
}

#[test]
fn unknown_is_exit_3() {
    snapshot(
        "check_unknown",
        &[
            "tests/fixtures/models/unknown.yaml",
            "tests/fixtures/suites/unknown.yaml",
        ],
    );
}

#[test]
fn suite_errors_are_positioned_and_exit_2() {
    snapshot("check_suite_error", &[MODEL, "tests/fixtures/suites/broken.yaml"]);
}

#[test]
fn a_bad_query_in_a_suite_is_an_error() {
    snapshot("check_bad_query", &[MODEL, "tests/fixtures/suites/bad-query.yaml"]);
}

#[test]
fn baseline_fails_only_on_new_access() {
    // The same model as its own baseline: nothing is new, so the violated expectation does not count.
    snapshot("check_baseline_same", &[MODEL, FAILING, "--baseline", MODEL]);
    // Against a baseline without nora's SSH key, her route to mlstore is new access.
    snapshot(
        "check_baseline_new",
        &[
            MODEL,
            "tests/fixtures/suites/nora.yaml",
            "--baseline",
            "tests/fixtures/models/contoso-without-nora-key.yaml",
        ],
    );
}

#[test]
fn sarif_is_what_code_scanning_reads() {
    let out = common::cli()
        .args(["check", MODEL, FAILING, "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "mlaccess");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "one violated expectation");
    let r = &results[0];
    assert_eq!(r["level"], "error");
    let rule_id = r["ruleId"].as_str().unwrap();
    let index = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], rule_id, "ruleIndex points at the rule");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], FAILING);
    assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("reaches data-read of mlstore")
    );
    for rule in rules {
        assert!(rule["id"].is_string() && rule["shortDescription"]["text"].is_string());
    }
}

#[test]
fn junit_parses_and_counts() {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let out = common::cli()
        .args(["check", MODEL, FAILING, "--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut reader = Reader::from_str(&text);
    let (mut cases, mut failures, mut suites) = (0, 0, 0);
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => match e.name().0 {
                "testcase" => cases += 1,
                "failure" => failures += 1,
                "testsuite" => suites += 1,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((suites, cases, failures), (1, 2, 1));
    assert!(text.contains("tests=\"2\" failures=\"1\""));
}

#[test]
fn sarif_and_junit_files_alongside_text() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("out.xml");
    let out = common::cli()
        .args([
            "check",
            MODEL,
            FAILING,
            "--sarif",
            sarif.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout).unwrap().contains("FAIL"));
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
    assert_eq!(s["version"], "2.1.0");
    assert!(std::fs::read_to_string(junit).unwrap().starts_with("<?xml"));
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let run = |threads: &str| {
        common::cli()
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", MODEL, "queries/contoso-ml", "--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run("1"), run("4"));
}

#[test]
fn html_report_has_a_picture_per_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    let out = common::cli()
        .args(["check", MODEL, FAILING, "--html", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"),
        "{html}"
    );
    assert!(
        !html.contains("<script") && !html.contains("src=\"http"),
        "not self-contained"
    );
    let failing = html.matches("<section id=").count();
    assert!(failing >= 1, "{html}");
    assert!(html.contains("class=\"fails\""), "{html}");
    if std::process::Command::new("dot").arg("-V").output().is_ok() {
        assert_eq!(
            html.matches("<svg").count(),
            failing,
            "one picture per failing expectation with a path"
        );
    } else {
        assert!(html.contains("No picture: Graphviz"), "{html}");
    }
}

#[test]
fn junit_is_valid_against_its_schema() {
    // xmllint (libxml2-utils) validates against docs/schemas/junit.xsd; CI installs it.
    if std::process::Command::new("xmllint").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must have xmllint (libxml2-utils)");
        eprintln!("xmllint is not installed; JUnit XML is not validated here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (n, (model, suite)) in [
        (MODEL, FAILING),
        (MODEL, "queries/contoso-ml"),
        (
            "tests/fixtures/models/unknown.yaml",
            "tests/fixtures/suites/unknown.yaml",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let out = common::cli()
            .args(["check", model, suite, "--format", "junit"])
            .output()
            .unwrap();
        let file = dir.path().join(format!("junit{n}.xml"));
        std::fs::write(&file, &out.stdout).unwrap();
        let lint = std::process::Command::new("xmllint")
            .args(["--noout", "--schema", "docs/schemas/junit.xsd"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            lint.status.success(),
            "{suite}: {}\n{}",
            String::from_utf8_lossy(&lint.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// A suite that only asks `ignoring network` needs only the graph that ignores it (Z3 is not asked),
/// and a query whose graph was not built is an error, never a `no`.
#[test]
fn only_the_graphs_a_suite_needs_are_built() {
    use mlaccess::check::{self, Engine, Graphs, ItemResult, Needs};
    let text = std::fs::read_to_string(MODEL).unwrap();
    let model = mlaccess::load::load(&mlaccess::load::Source::new(MODEL, text))
        .unwrap()
        .model;
    let suite = |queries: &[&str]| {
        let text: String = queries
            .iter()
            .enumerate()
            .map(|(n, q)| format!("- name: e{n}\n  query: {q}\n  expect: no\n"))
            .collect();
        mlaccess::query::suite::load("suite.yaml", &text).unwrap()
    };
    let open_only = suite(&["can members of data-scientists reach data of mlstore ignoring network"]);
    let decided = suite(&["can members of data-scientists reach data of mlstore directly"]);
    let not_a_query = suite(&["who is there"]);
    let needs = |e| Needs::of(e);
    assert_eq!(
        needs(&open_only),
        Needs {
            network: false,
            open: true
        }
    );
    assert_eq!(
        needs(&decided),
        Needs {
            network: true,
            open: false
        }
    );
    assert_eq!(
        needs(&not_a_query),
        Needs {
            network: false,
            open: false
        }
    );
    let mut both = open_only.clone();
    both.extend(decided.clone());
    assert_eq!(needs(&both), Needs::BOTH);

    let graphs = Graphs::build_for(&model, None, needs(&open_only));
    assert!(graphs.network().is_none());
    let run = |e| {
        check::run(
            &model,
            &graphs,
            e,
            Engine::Graph,
            &mlaccess::answer::Options::default(),
            None,
        )
    };
    let items = run(&open_only);
    assert!(matches!(
        items[0].result,
        ItemResult::Decided {
            ignoring_network: true,
            ..
        }
    ));
    let items = run(&decided);
    match &items[0].result {
        ItemResult::Error(d) => assert!(d.message.contains("was not built"), "{}", d.message),
        ItemResult::Decided { .. } => panic!("decided on a graph that was not built"),
    }
}
