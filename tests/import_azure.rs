//! `mlaccess import azure`: real payloads (tests/fixtures/azure-export/rest-examples, see SOURCES.md
//! there) and a whole export of the bundled estate (contoso/, made by make-contoso.py from
//! models/contoso-ml.yaml) that must answer every question as the hand-written model does.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use std::path::{Path, PathBuf};

use common::cli;
use serde_json::Value;

const CONTOSO: &str = "tests/fixtures/azure-export/contoso";
const OVERLAY: &str = "tests/fixtures/azure-export/contoso-overlay.yaml";
const EXAMPLES: &str = "tests/fixtures/azure-export/rest-examples";

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Imports, returning the written model's text and the JSON summary.
fn import(inputs: &[&str], overlays: &[&str], out: &Path) -> (String, Value) {
    let mut cmd = cli();
    cmd.args(["import", "azure"]).args(inputs);
    for o in overlays {
        cmd.args(["--overlay", o]);
    }
    let output = cmd.arg("-o").arg(out).args(["--format", "json"]).output().unwrap();
    assert!(
        output.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    (std::fs::read_to_string(out).unwrap(), summary)
}

fn check_outcomes(model: &Path, suite: &str) -> Vec<(String, String)> {
    let output = cli()
        .args(["check"])
        .arg(model)
        .args([suite, "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["query"].as_str().unwrap().to_string(),
                r["answer"]["verdict"].as_str().unwrap_or("error").to_string(),
            )
        })
        .collect()
}

fn reach(model: &Path, who: &str) -> Vec<String> {
    let output = cli()
        .arg("query")
        .arg(model)
        .args([&format!("what can {who} reach"), "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut items: Vec<String> = doc["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["capability"].as_str().unwrap().to_string())
        .collect();
    items.sort();
    items
}

#[test]
fn the_contoso_export_answers_as_the_hand_written_model() {
    let dir = temp();
    let model = dir.path().join("contoso.yaml");
    let (_, summary) = import(&[CONTOSO], &[OVERLAY], &model);
    assert_eq!(summary["counts"]["users"], 11);
    assert_eq!(summary["counts"]["role assignments"], 27);
    assert_eq!(summary["left_out"].as_array().unwrap().len(), 0, "{summary}");
    let hand = PathBuf::from("models/contoso-ml.yaml");
    for suite in ["access-control", "data", "endpoints"] {
        let suite = format!("queries/contoso-ml/{suite}.yaml");
        let imported = check_outcomes(&model, &suite);
        assert!(!imported.is_empty());
        assert_eq!(imported, check_outcomes(&hand, &suite), "{suite}");
    }
    for who in ["dave", "nora", "vendor", "partner-app"] {
        let imported = reach(&model, who);
        assert!(!imported.is_empty(), "{who} reaches nothing in the import");
        assert_eq!(imported, reach(&hand, who), "what {who} reaches");
    }
}

#[test]
fn the_imported_model_reads_back_as_itself() {
    let dir = temp();
    let model = dir.path().join("contoso.yaml");
    let (text, _) = import(&[CONTOSO], &[OVERLAY], &model);
    let again = cli().arg("export").arg(&model).output().unwrap();
    assert!(again.status.success());
    let exported = String::from_utf8(again.stdout).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(exported, body);
}

#[test]
fn the_contoso_import_snapshot() {
    let dir = temp();
    let model = dir.path().join("contoso.yaml");
    let (text, _) = import(&[CONTOSO], &[], &model);
    insta::assert_snapshot!("contoso_import", text);
}

#[test]
fn real_payloads_import_with_their_quirks() {
    let dir = temp();
    let model = dir.path().join("examples.yaml");
    let (text, summary) = import(&[EXAMPLES], &[], &model);
    // keyvault-create-with-network-acls.json quotes an IP rule: `'10.91.4.0/24'`.
    assert!(
        text.contains("\"10.91.4.0/24\"") || text.contains(" 10.91.4.0/24"),
        "{text}"
    );
    assert!(!text.contains("'10.91.4.0/24'"));
    // role-assignments-list-for-scope.json: a role no catalogue or export defines is kept, assumed to
    // grant everything, and said so.
    assert!(text.contains("unknown role 0b5fe924-9a61-425c-96af-cfe6e287ca2d"));
    let missing = summary["missing"].to_string();
    assert!(missing.contains("0b5fe924-9a61-425c-96af-cfe6e287ca2d"), "{missing}");
    // Principals only assignments name are kept (a path through them is a path).
    assert!(missing.contains("ce2ce14e-85d7-4629-bdbc-454d0519d987"), "{missing}");
    // user-assigned-identity-get.json spells `resourcegroups` in lower case.
    assert!(text.contains("identityName"));
    // Two payloads hold the same vault; one copy is kept, with a warning.
    let diags = summary["diagnostics"].to_string();
    assert!(diags.contains("appears more than once"), "{diags}");
    let mut summary = summary;
    summary["output"] = Value::from("[output]");
    insta::assert_json_snapshot!("rest_examples_summary", summary);
}

#[test]
fn a_broken_export_file_is_named_with_its_position_and_nothing_is_written() {
    let dir = temp();
    let export = dir.path().join("export");
    std::fs::create_dir(&export).unwrap();
    std::fs::copy(
        format!("{EXAMPLES}/storage-account-get.json"),
        export.join("storage.json"),
    )
    .unwrap();
    std::fs::write(export.join("broken.json"), "{\"value\": [\n  {\"id\": 1,,}\n]}\n").unwrap();
    let out = dir.path().join("model.yaml");
    let output = cli()
        .args(["import", "azure"])
        .arg(&export)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.json:2:"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = temp();
    let file = dir.path().join("storage.json");
    std::fs::copy(format!("{EXAMPLES}/storage-account-get.json"), &file).unwrap();
    let before = std::fs::read(&file).unwrap();
    let output = cli()
        .args(["import", "azure"])
        .arg(&file)
        .arg("-o")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("never overwritten"));
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn an_overlay_conflict_names_both_files() {
    let dir = temp();
    let overlay = dir.path().join("conflict.yaml");
    // The export says mlstore allows Shared Key; an overlay saying otherwise is a conflict, not a
    // silent override.
    std::fs::write(
        &overlay,
        "version: 1\nresources:\n  - name: mlstore\n    type: storage_account\n    properties:\n      allow_shared_key_access: false\n",
    )
    .unwrap();
    let output = cli()
        .args(["import", "azure", CONTOSO, "--overlay"])
        .arg(&overlay)
        .arg("-o")
        .arg(dir.path().join("m.yaml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("conflict.yaml"), "{stderr}");
    assert!(stderr.contains("resources-0001.json"), "{stderr}");
}

#[test]
fn a_bad_value_in_an_export_is_named_by_its_file_line_and_json_path() {
    let dir = temp();
    let file = dir.path().join("vault.json");
    let text = std::fs::read_to_string(format!("{EXAMPLES}/keyvault-create-with-network-acls.json"))
        .unwrap()
        .replace("'10.91.4.0/24'", "10.91.4.0/99");
    std::fs::write(&file, text).unwrap();
    let output = cli()
        .args(["import", "azure"])
        .arg(&file)
        .arg("-o")
        .arg(dir.path().join("m.yaml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("vault.json:29:20"), "{stderr}");
    assert!(stderr.contains("`properties.networkAcls.ipRules[1].value`"), "{stderr}");
    assert!(stderr.contains("10.91.4.0/99"), "{stderr}");
}
