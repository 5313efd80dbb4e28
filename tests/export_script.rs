//! The Azure export script, `scripts/export-azure.sh`, run against a stand-in for the Azure CLI
//! (`tests/fixtures/fake-az/az`) that answers from recorded payloads, logs every call and fails on
//! any call it does not know: the script must write every listing as valid JSON, follow Resource
//! Graph's `skip_token` and ARM's `nextLink`, and only ever read.

#![cfg(unix)]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The subscription of the recorded payloads.
const SUB: &str = "00000000-1111-2222-3333-444444444444";
/// The workspace of the recorded payloads, as the script names its files.
const WORKSPACE: &str = "00000000-1111-2222-3333-444444444444-workspace-1234-testworkspace";
/// The skip token of the first Resource Graph page (`graph-resources-1.json`).
const SKIP_TOKEN: &str = "eyAibm8iOiAibHVjayIsICJidXQiOiAibmljZSIsICJ0cnkiOiAiISIgfQ==";
const GROUP_ENGINEERS: &str = "3f1c2d4e-0a5b-4c6d-8e7f-9a0b1c2d3e4f";
const GROUP_LEADS: &str = "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d";
/// The app registration that has a service principal in the tenant.
const APP_WITH_SP: &str = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
/// The app registration without a service principal: its owners are not fetched.
const APP_WITHOUT_SP: &str = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    repo().join("scripts/export-azure.sh")
}

fn fake_az() -> PathBuf {
    repo().join("tests/fixtures/fake-az/az")
}

/// `name` on PATH, if it is there.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// bash, or a note on stderr and `None` when the machine has none (the script cannot run then).
fn bash() -> Option<PathBuf> {
    let found = on_path("bash");
    if found.is_none() {
        eprintln!("note: bash is not on PATH; the export script is not tested");
    }
    found
}

/// A sandbox: a folder holding `bin/az` (which runs the fake from the fixtures, so that it finds its
/// payloads) and the invocation log, plus the PATH that puts that `az` first.
struct Sandbox {
    dir: tempfile::TempDir,
    bash: PathBuf,
}

impl Sandbox {
    fn new(bash: PathBuf) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let az = bin.join("az");
        std::fs::write(
            &az,
            format!(
                "#!{}\nexec {} {} \"$@\"\n",
                bash.display(),
                bash.display(),
                fake_az().display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
        Sandbox { dir, bash }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn log(&self) -> PathBuf {
        self.path("az.log")
    }

    /// Runs the export script with `args`, the fake `az` first on PATH.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let system_path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.path("bin")];
        paths.extend(std::env::split_paths(&system_path));
        let mut cmd = Command::new(&self.bash);
        cmd.arg(script())
            .args(args)
            .current_dir(self.dir.path())
            .env("PATH", std::env::join_paths(paths).unwrap())
            .env("FAKE_AZ_LOG", self.log())
            .env("TMPDIR", self.dir.path())
            .env_remove("FAKE_AZ_LOGGED_OUT");
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.output().unwrap()
    }

    /// The logged `az` invocations, each as its list of arguments.
    fn calls(&self) -> Vec<Vec<String>> {
        match std::fs::read_to_string(self.log()) {
            Ok(text) => text
                .lines()
                .map(|line| line.split('\t').map(str::to_owned).collect())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn show(output: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

/// The `id`s of the rows or items of a written listing (`data` of Resource Graph, `value` of ARM).
fn ids(listing: &serde_json::Value, key: &str) -> Vec<String> {
    listing[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` array in {listing}"))
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn exports_every_listing_following_pages() {
    let Some(bash) = bash() else { return };
    let sandbox = Sandbox::new(bash);
    let out = sandbox.path("out");
    let output = sandbox.run(&["-o", out.to_str().unwrap(), SUB], &[]);
    assert!(output.status.success(), "{}", show(&output));

    let expected = [
        "resources-0001.json".to_owned(),
        "resources-0002.json".to_owned(),
        "resource-containers-0001.json".to_owned(),
        "other-resources-0001.json".to_owned(),
        format!("role-assignments-{SUB}-0001.json"),
        format!("role-assignments-{SUB}-0002.json"),
        format!("role-definitions-{SUB}-0001.json"),
        format!("deny-assignments-{SUB}-0001.json"),
        format!("ml-datastores-{WORKSPACE}-0001.json"),
        format!("ml-datastores-{WORKSPACE}-0002.json"),
        format!("ml-computes-{WORKSPACE}-0001.json"),
        format!("ml-online-endpoints-{WORKSPACE}-0001.json"),
        "users.json".to_owned(),
        "groups.json".to_owned(),
        "service-principals.json".to_owned(),
        format!("group-members-{GROUP_ENGINEERS}.json"),
        format!("group-members-{GROUP_LEADS}.json"),
        format!("app-owners-{APP_WITH_SP}.json"),
    ];
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut wanted = expected.to_vec();
    wanted.sort();
    assert_eq!(written, wanted, "the files written\n{}", show(&output));
    for name in &written {
        read_json(&out.join(name));
    }

    // What the script writes is what the importer reads.
    let model = sandbox.path("model.yaml");
    let import = Command::new(env!("CARGO_BIN_EXE_mlaccess"))
        .args(["import", "azure"])
        .arg(&out)
        .arg("-o")
        .arg(&model)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", show(&import));
    let text = std::fs::read_to_string(&model).unwrap();
    assert!(text.contains("type: workspace"), "{text}");

    // Resource Graph paging: the second page was asked for with the first page's skip_token, and written.
    let calls = sandbox.calls();
    assert!(
        calls
            .iter()
            .any(|c| c[..2] == ["graph", "query"] && c.windows(2).any(|w| w == ["--skip-token", SKIP_TOKEN])),
        "no Resource Graph call with the skip token: {calls:?}"
    );
    let second = read_json(&out.join("resources-0002.json"));
    assert!(
        ids(&second, "data")
            .iter()
            .any(|id| id.ends_with("/Microsoft.ContainerRegistry/registries/myRegistry")),
        "resources-0002.json is not the second page: {second}"
    );
    // ARM paging: the nextLink of the first page was followed, for role assignments and datastores.
    let rest_urls: Vec<&str> = calls
        .iter()
        .filter(|c| c[0] == "rest")
        .map(|c| c[c.iter().position(|a| a == "--url").unwrap() + 1].as_str())
        .collect();
    for (first, name) in [
        (
            format!("role-assignments-{SUB}-0001.json"),
            format!("role-assignments-{SUB}-0002.json"),
        ),
        (
            format!("ml-datastores-{WORKSPACE}-0001.json"),
            format!("ml-datastores-{WORKSPACE}-0002.json"),
        ),
    ] {
        let next = read_json(&out.join(&first))["nextLink"].as_str().unwrap().to_owned();
        assert!(
            rest_urls.contains(&next.as_str()),
            "{next} was not fetched: {rest_urls:?}"
        );
        let page = read_json(&out.join(&name));
        assert_eq!(ids(&page, "value").len(), 1, "{name}: {page}");
        assert!(page.get("nextLink").is_none(), "{name} is the last page: {page}");
    }
    let assignments = read_json(&out.join(format!("role-assignments-{SUB}-0002.json")));
    assert_eq!(
        assignments["value"][0]["type"], "Microsoft.Authorization/roleAssignments",
        "role assignments are in the REST shape: {assignments}"
    );
    assert!(assignments["value"][0]["properties"]["principalId"].is_string());

    // The wrapped Entra listings.
    let members = read_json(&out.join(format!("group-members-{GROUP_ENGINEERS}.json")));
    assert_eq!(members["groupId"], GROUP_ENGINEERS);
    let member_ids = ids(&members, "members");
    assert!(
        member_ids.contains(&GROUP_LEADS.to_owned()),
        "nesting is kept: {members}"
    );
    let owners = read_json(&out.join(format!("app-owners-{APP_WITH_SP}.json")));
    assert_eq!(owners["appId"], APP_WITH_SP);
    assert_eq!(ids(&owners, "owners").len(), 1, "{owners}");
    assert!(
        !calls.iter().any(|c| c.iter().any(|a| a == APP_WITHOUT_SP)),
        "owners of an app without a service principal were fetched: {calls:?}"
    );

    // Only reads.
    assert!(!calls.is_empty());
    for call in &calls {
        if call[0] == "rest" {
            assert_eq!(call[1..3], ["--method", "get"], "az rest that is not a GET: {call:?}");
        }
        let subcommand = call.iter().take_while(|a| !a.starts_with('-'));
        for word in subcommand {
            assert!(
                ![
                    "create", "delete", "update", "set", "add", "remove", "reset", "assign", "patch", "put", "post",
                ]
                .contains(&word.as_str()),
                "az call that writes: {call:?}"
            );
        }
    }

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("exporting role assignments of {SUB}...")),
        "{stderr}"
    );
    assert!(stdout.contains("wrote 18 files to"), "{stdout}");
    assert!(
        stdout.contains(&format!("mlaccess import azure {} -o model.yaml", out.display())),
        "{stdout}"
    );
}

#[test]
fn defaults_to_the_current_subscription() {
    let Some(bash) = bash() else { return };
    let sandbox = Sandbox::new(bash);
    let output = sandbox.run(&[], &[]);
    assert!(output.status.success(), "{}", show(&output));
    let out = sandbox.path("azure-export");
    assert!(out.join(format!("role-assignments-{SUB}-0001.json")).is_file());
    assert!(
        sandbox
            .calls()
            .iter()
            .any(|c| c.join(" ") == "account show --query id -o tsv")
    );
}

#[test]
fn help_says_it_only_reads_and_what_it_needs() {
    let Some(bash) = bash() else { return };
    let sandbox = Sandbox::new(bash);
    for flag in ["--help", "-h"] {
        let output = sandbox.run(&[flag], &[]);
        assert!(output.status.success(), "{}", show(&output));
        let help = String::from_utf8_lossy(&output.stdout);
        for needle in [
            "Usage: scripts/export-azure.sh [-o DIR]",
            "only reads",
            "Reader",
            "User.Read.All",
            "Group.Read.All",
            "Application.Read.All",
            "mlaccess import azure DIR -o model.yaml",
        ] {
            assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
        }
    }
    assert!(sandbox.calls().is_empty(), "--help called az");
}

#[test]
fn refuses_a_non_empty_folder_without_force() {
    let Some(bash) = bash() else { return };
    let sandbox = Sandbox::new(bash);
    let out = sandbox.path("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me\n").unwrap();
    let output = sandbox.run(&["-o", out.to_str().unwrap(), SUB], &[]);
    assert!(!output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not empty"),
        "{}",
        show(&output)
    );
    assert!(sandbox.calls().is_empty(), "az was called: {:?}", sandbox.calls());

    let output = sandbox.run(&["--force", "-o", out.to_str().unwrap(), SUB], &[]);
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "keep me\n");
    assert!(out.join("users.json").is_file());
}

#[test]
fn fails_clearly_when_not_signed_in() {
    let Some(bash) = bash() else { return };
    let sandbox = Sandbox::new(bash);
    let out = sandbox.path("out");
    let output = sandbox.run(&["-o", out.to_str().unwrap()], &[("FAKE_AZ_LOGGED_OUT", "1")]);
    assert!(!output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("az login"),
        "{}",
        show(&output)
    );
    assert!(!out.exists(), "the output folder was created");
}

#[test]
fn fails_clearly_without_az() {
    let Some(bash) = bash() else { return };
    let sandbox = Sandbox::new(bash.clone());
    let empty = sandbox.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = Command::new(&bash)
        .arg(script())
        .arg(SUB)
        .current_dir(sandbox.dir.path())
        .env("PATH", &empty)
        .output()
        .unwrap();
    assert!(!output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("az) is not installed"),
        "{}",
        show(&output)
    );
}

#[test]
fn rejects_an_argument_that_is_not_a_subscription_id() {
    let Some(bash) = bash() else { return };
    let sandbox = Sandbox::new(bash);
    let output = sandbox.run(&["-o", "out", "My Subscription"], &[]);
    assert!(!output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not a subscription id"),
        "{}",
        show(&output)
    );
}

/// The fake itself: a call it does not know, or one that writes, fails (so drift in the script fails
/// the tests above instead of passing unnoticed).
#[test]
fn the_fake_az_fails_on_unknown_calls() {
    let Some(bash) = bash() else { return };
    let sandbox = Sandbox::new(bash.clone());
    for args in [
        &["ad", "user", "list", "--all", "-o", "json"][..],
        &["role", "assignment", "list", "--all"],
        &[
            "rest",
            "--method",
            "put",
            "--url",
            "https://management.azure.com/subscriptions",
            "-o",
            "json",
        ],
    ] {
        let output = Command::new(&bash)
            .arg(fake_az())
            .args(args)
            .env("FAKE_AZ_LOG", sandbox.log())
            .output()
            .unwrap();
        assert!(!output.status.success(), "az {args:?} should fail: {}", show(&output));
    }
}

#[test]
fn passes_shellcheck() {
    let Some(shellcheck) = on_path("shellcheck") else {
        eprintln!("note: shellcheck is not on PATH; skipped (CI installs it and runs it directly)");
        return;
    };
    for file in [script(), fake_az()] {
        let output = Command::new(&shellcheck).arg(&file).output().unwrap();
        assert!(
            output.status.success(),
            "shellcheck {}: {}",
            file.display(),
            show(&output)
        );
    }
}
