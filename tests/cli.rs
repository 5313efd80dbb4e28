//! Command-line snapshots: exit status, standard output and standard error of every command and
//! output format, on the bundled models and on broken input.

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

#[test]
fn validate_a_valid_model() {
    assert_cmd_snapshot!(common::cli().args(["validate", MODEL]));
}

#[test]
fn validate_reports_every_problem() {
    assert_cmd_snapshot!(common::cli().args(["validate", "tests/fixtures/invalid/ten-mistakes.yaml"]));
}

#[test]
fn validate_json() {
    assert_cmd_snapshot!(common::cli().args([
        "validate",
        "--format",
        "json",
        "tests/fixtures/invalid/ten-mistakes.yaml"
    ]));
}

#[test]
fn validate_json_valid() {
    assert_cmd_snapshot!(common::cli().args(["validate", "--format", "json", "models/minimal.yaml"]));
}

#[test]
fn validate_reads_standard_input() {
    let text = std::fs::read_to_string("tests/fixtures/models/minimal.json").unwrap();
    assert_cmd_snapshot!(common::cli().args(["validate", "-"]).pass_stdin(text));
}

#[test]
fn validate_a_missing_file() {
    assert_cmd_snapshot!(common::cli().args(["validate", "no/such/model.yaml"]));
}

#[test]
fn validate_a_directory() {
    assert_cmd_snapshot!(common::cli().args(["validate", "models"]));
}

#[test]
fn permissions_allowed_with_evidence() {
    assert_cmd_snapshot!(common::cli().args([
        "permissions",
        MODEL,
        "alice",
        "--at",
        "mlws",
        "--action",
        "Microsoft.MachineLearningServices/workspaces/datastores/listsecrets/action",
    ]));
}

#[test]
fn permissions_not_allowed_explains_not_actions() {
    assert_cmd_snapshot!(common::cli().args([
        "permissions",
        MODEL,
        "alice",
        "--at",
        "mlws",
        "--action",
        "Microsoft.MachineLearningServices/workspaces/computes/write",
    ]));
}

#[test]
fn permissions_json() {
    assert_cmd_snapshot!(common::cli().args([
        "permissions",
        MODEL,
        "erin",
        "--at",
        "rg:rg-ml-prod",
        "--action",
        "Microsoft.Authorization/roleAssignments/write",
        "--format",
        "json",
    ]));
}

#[test]
fn permissions_everywhere() {
    assert_cmd_snapshot!(common::cli().args(["permissions", MODEL, "dave"]));
}

#[test]
fn permissions_unknown_principal_suggests() {
    assert_cmd_snapshot!(common::cli().args(["permissions", MODEL, "alcie"]));
}

#[test]
fn permissions_unknown_scope_suggests() {
    assert_cmd_snapshot!(common::cli().args(["permissions", MODEL, "alice", "--at", "mlwz"]));
}

#[test]
fn permissions_action_needs_a_scope() {
    assert_cmd_snapshot!(common::cli().args(["permissions", MODEL, "alice", "--action", "x/read"]));
}

#[test]
fn help_teaches() {
    assert_cmd_snapshot!(common::cli().args(["permissions", "--help"]));
}

#[test]
fn model_files_are_never_modified() {
    let before = std::fs::read(MODEL).unwrap();
    let modified = std::fs::metadata(MODEL).unwrap().modified().unwrap();
    let status = common::cli()
        .args(["permissions", MODEL, "alice", "--at", "mlws", "--expand"])
        .output()
        .unwrap();
    assert!(status.status.success());
    assert_eq!(std::fs::read(MODEL).unwrap(), before);
    assert_eq!(std::fs::metadata(MODEL).unwrap().modified().unwrap(), modified);
}

#[test]
fn broken_pipe_is_not_an_error() {
    use std::process::Stdio;
    let mut child = common::cli()
        .args(["permissions", MODEL, "carol", "--at", "mlws", "--expand"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

/// Stages that run on other threads (`whatif` loads the model as it is and as changed at once) write
/// their timings while the main thread waits for them: standard error must not be held by it.
#[test]
fn timings_of_stages_on_other_threads_do_not_hang() {
    let mut child = common::cli()
        .args([
            "--timings",
            "whatif",
            MODEL,
            "--change",
            "models/changes/ml-team-contributor.yaml",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            panic!("`whatif --timings` did not finish in two minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(1));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(stderr.matches("timing: resolve: ").count(), 2, "{stderr}");
}

#[test]
fn timings_go_to_standard_error_and_change_no_answer() {
    let question = [
        "query",
        MODEL,
        "can members of data-scientists reach data of mlstore directly",
        "--format",
        "text",
    ];
    let plain = common::cli().args(question).output().unwrap();
    let timed = common::cli().args(question).arg("--timings").output().unwrap();
    assert_eq!(plain.status.code(), Some(0));
    assert_eq!(timed.status.code(), plain.status.code());
    let elapsed = without_elapsed(&String::from_utf8(plain.stdout).unwrap());
    assert_eq!(without_elapsed(&String::from_utf8(timed.stdout).unwrap()), elapsed);
    assert!(plain.stderr.is_empty(), "{}", String::from_utf8_lossy(&plain.stderr));
    let stderr = String::from_utf8(timed.stderr).unwrap();
    for stage in [
        "timing: parse: ",
        "timing: resolve: ",
        "timing: build: grants: ",
        "timing: answer: ",
        "timing: replay: ",
    ] {
        assert!(stderr.contains(stage), "no `{stage}` in:\n{stderr}");
    }
    // Every line is a stage's time, or a note of how much work a stage had (`timing: NAME: TEXT`).
    assert!(stderr.lines().all(|l| l.starts_with("timing: ")), "{stderr}");
    assert!(
        stderr
            .lines()
            .filter(|l| l.starts_with("timing: parse: ") || l.starts_with("timing: answer: "))
            .all(|l| l.ends_with(" s")),
        "{stderr}"
    );
    // The environment switches them on as the flag does, and off.
    let by_env = common::cli()
        .args(question)
        .env("MLACCESS_TIMINGS", "1")
        .output()
        .unwrap();
    assert_eq!(
        by_env.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&by_env.stderr)
    );
    assert!(String::from_utf8(by_env.stderr).unwrap().contains("timing: answer: "));
    let off = common::cli()
        .args(question)
        .env("MLACCESS_TIMINGS", "0")
        .output()
        .unwrap();
    assert_eq!(off.status.code(), Some(0), "{}", String::from_utf8_lossy(&off.stderr));
    assert!(off.stderr.is_empty(), "{}", String::from_utf8_lossy(&off.stderr));
}

/// The answer without its time (`in N ms`), which differs between two runs.
fn without_elapsed(text: &str) -> String {
    text.lines()
        .map(|l| match l.find(" in ") {
            Some(at) if l.ends_with(" ms") || l.ends_with(" ms)") => l[..at].to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn query_snapshot(name: &str, args: &[&str]) {
    let mut cmd = common::cli();
    cmd.arg("query").args(args);
    insta::with_settings!({filters => vec![(r"in \d+ ms", "in [ms] ms"), (r#""elapsed_ms": \d+"#, r#""elapsed_ms": [ms]"#)]}, {
        assert_cmd_snapshot!(name, cmd);
    });
}

#[test]
fn query_can_yes_with_witness() {
    query_snapshot(
        "query_can_yes",
        &[MODEL, "can members of data-scientists reach data of mlstore directly"],
    );
}

#[test]
fn query_can_no_with_proof() {
    query_snapshot(
        "query_can_no",
        &[MODEL, "can bob reach data-read of mlstoredev avoiding azureml"],
    );
}

#[test]
fn query_new_endpoint_identity_path() {
    query_snapshot("query_p14", &[MODEL, "can bob reach data-read of mlstoredev directly"]);
}

#[test]
fn query_who_can() {
    query_snapshot("query_who_can", &[MODEL, "who can reach assign on rg:rg-ml-prod"]);
}

#[test]
fn query_what_can() {
    query_snapshot("query_what_can", &["models/minimal.yaml", "what can alice reach"]);
}

#[test]
fn query_json() {
    query_snapshot(
        "query_json",
        &[MODEL, "can vendor reach data-read of datalake", "--format", "json"],
    );
}

#[test]
fn query_several_paths_and_explain() {
    query_snapshot(
        "query_paths",
        &[
            MODEL,
            "can any user reach data of mlstore directly",
            "--paths",
            "3",
            "--explain",
        ],
    );
}

#[test]
fn query_unknown() {
    query_snapshot(
        "query_unknown",
        &["tests/fixtures/models/unknown.yaml", "can alice reach data-read of st"],
    );
}

#[test]
fn query_parse_error_points_at_the_word() {
    query_snapshot("query_parse_error", &[MODEL, "can alice reach dta of mlstore"]);
}

#[test]
fn query_unknown_name_suggests() {
    query_snapshot("query_unknown_name", &[MODEL, "can alcie reach data of mlstore"]);
}

#[test]
fn query_wrong_kind_of_object() {
    query_snapshot("query_wrong_kind", &[MODEL, "can alice reach data of mlkv"]);
}

#[test]
fn query_act_as_a_user_is_an_error() {
    query_snapshot("query_act_as_user", &[MODEL, "can alice reach act-as bob"]);
}

#[test]
fn query_constraints_from_excluding_ignoring_network() {
    query_snapshot(
        "query_constraints",
        &[
            MODEL,
            "can any user reach assign on rg:rg-ml-prod from internet excluding erin, break-glass ignoring network within 2 steps",
        ],
    );
}
