//! Every JSON document the tool writes is valid against the schema in `docs/schemas/`
//! (`mlaccess-output.schema.json` for query, check, whatif, diff and fix; the part of SARIF 2.1.0 that
//! GitHub code scanning reads for `check --format sarif`), on answers of every verdict and shape.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use serde_json::Value;

const CONTOSO: &str = "models/contoso-ml.yaml";

fn validator(file: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{file} is not a valid schema: {e}"))
}

fn output(args: &[&str]) -> Value {
    let out = common::cli().args(args).output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?} wrote no JSON: {e}"))
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n{}",
        errors.join("\n")
    );
}

#[test]
fn answers_match_the_schema() {
    let v = validator("docs/schemas/mlaccess-output.schema.json");
    for q in [
        "can nora reach data-read of mlstore",
        "can nora reach data-read of mlstore avoiding ssh",
        "who can reach secrets of mlkv",
        "what can vendor reach",
        "can anyone from internet reach invoke scoring",
        "can alice reach data of mlstore ignoring network",
    ] {
        let doc = output(&["query", CONTOSO, q, "--format", "json"]);
        assert_valid(&v, &doc, q);
    }
    let doc = output(&[
        "query",
        CONTOSO,
        "can alice reach data of mlstore",
        "--format",
        "json",
        "--engine",
        "smt",
    ]);
    assert_valid(&v, &doc, "an SMT answer");
}

#[test]
fn check_compare_and_fix_match_the_schema() {
    let v = validator("docs/schemas/mlaccess-output.schema.json");
    let docs = [
        output(&["check", CONTOSO, "queries/contoso-ml", "--format", "json"]),
        output(&[
            "check",
            CONTOSO,
            "tests/fixtures/suites/violated.yaml",
            "--format",
            "json",
        ]),
        output(&[
            "whatif",
            CONTOSO,
            "--change",
            "models/changes/offboard-contractor.yaml",
            "queries/contoso-ml",
            "--format",
            "json",
        ]),
        output(&["diff", "models/minimal.yaml", CONTOSO, "--format", "json"]),
        output(&[
            "fix",
            CONTOSO,
            "tests/fixtures/suites/contractor.yaml",
            "queries/contoso-ml/access-control.yaml",
            "--format",
            "json",
        ]),
    ];
    for doc in &docs {
        assert_valid(&v, doc, doc["schema"].as_str().unwrap_or("a document"));
    }
}

#[test]
fn sarif_matches_what_code_scanning_reads() {
    let v = validator("docs/schemas/sarif-code-scanning.schema.json");
    let absolute = std::fs::canonicalize("tests/fixtures/suites/violated.yaml").unwrap();
    let absolute = absolute.to_str().unwrap();
    for suite in ["tests/fixtures/suites/violated.yaml", "queries/contoso-ml", absolute] {
        let doc = output(&["check", CONTOSO, suite, "--format", "sarif"]);
        assert_valid(&v, &doc, suite);
    }
    let doc = output(&["check", CONTOSO, absolute, "--format", "sarif"]);
    let uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone();
    assert_eq!(uri, Value::from(format!("file://{absolute}")));
}

#[test]
fn the_schemas_reject_drift() {
    // The schemas are strict enough to catch a renamed or extra member.
    let v = validator("docs/schemas/mlaccess-output.schema.json");
    let mut doc = output(&[
        "query",
        "models/minimal.yaml",
        "can alice reach data of mlstore",
        "--format",
        "json",
    ]);
    doc["verdict_typo"] = Value::from("yes");
    assert!(!v.is_valid(&doc));
    let sarif = validator("docs/schemas/sarif-code-scanning.schema.json");
    let mut doc = output(&[
        "check",
        CONTOSO,
        "tests/fixtures/suites/violated.yaml",
        "--format",
        "sarif",
    ]);
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0);
    assert!(!sarif.is_valid(&doc));
}

#[test]
fn the_import_summary_matches_the_schema() {
    let v = validator("docs/schemas/mlaccess-output.schema.json");
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("imported.yaml");
    for export in [
        "tests/fixtures/azure-export/contoso",
        "tests/fixtures/azure-export/rest-examples",
    ] {
        let doc = output(&[
            "import",
            "azure",
            export,
            "-o",
            model.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_valid(&v, &doc, export);
    }
}
