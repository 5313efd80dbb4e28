//! `whatif` and `diff`: change files applied in memory, access gained (with replayed witnesses) and lost,
//! suite flips, exit statuses, positioned errors in change files, and the laws that tie a change to the
//! model written out by hand: applying an added assignment equals editing the model; an added
//! assignment loses nothing and every gain it reports is a `yes` after and a `no` before; removing the
//! assignment again gives the original access back.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use insta_cmd::assert_cmd_snapshot;
use mlaccess::answer::{self, Options, Verdict};
use mlaccess::check::{Graphs, Needs};
use mlaccess::compare::{Difference, Network, compare};
use mlaccess::load::change::load_changed;
use mlaccess::load::{Source, load};
use mlaccess::model::Model;
use mlaccess::query;
use proptest::prelude::*;

const CONTOSO: &str = "models/contoso-ml.yaml";

#[test]
fn a_grant_to_a_team_opens_access() {
    assert_cmd_snapshot!(
        "whatif_contributor",
        common::cli().args([
            "whatif",
            CONTOSO,
            "--change",
            "models/changes/ml-team-contributor.yaml",
            "queries/contoso-ml"
        ])
    );
}

#[test]
fn a_hardening_opens_nothing_and_closes_paths() {
    assert_cmd_snapshot!(
        "whatif_hardening",
        common::cli().args([
            "whatif",
            CONTOSO,
            "--change",
            "models/changes/mlstore-no-shared-key.yaml",
            "queries/contoso-ml"
        ])
    );
}

#[test]
fn every_section_of_a_change_applies() {
    // The documented example: nora's role, key and NSG rule go; she joins security-readers, which (through
    // Reader and Azure ML's datastores) opens data she did not have.
    let out = common::cli()
        .args([
            "whatif",
            CONTOSO,
            "--change",
            "models/changes/offboard-contractor.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = |k: &str| -> Vec<String> {
        d[k].as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{}: {}",
                    c["actor"].as_str().unwrap(),
                    c["capability"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert!(
        list("lost").contains(&"nora: exec on mlws/ci-nora".to_string()),
        "{:?}",
        list("lost")
    );
    assert!(
        list("gained").contains(&"nora: data-read of datalake".to_string()),
        "{:?}",
        list("gained")
    );
    assert!(
        list("gained").iter().all(|g| g.starts_with("nora: ")),
        "{:?}",
        list("gained")
    );
}

#[test]
fn json_output_has_witnesses() {
    assert_cmd_snapshot!(
        "whatif_json",
        common::cli().args([
            "whatif",
            "models/minimal.yaml",
            "--change",
            "tests/fixtures/changes/minimal-bob.yaml",
            "--format",
            "json"
        ])
    );
}

#[test]
fn witnesses_in_text() {
    assert_cmd_snapshot!(
        "whatif_witnesses",
        common::cli().args([
            "whatif",
            "models/minimal.yaml",
            "--change",
            "tests/fixtures/changes/minimal-bob.yaml",
            "--witnesses"
        ])
    );
}

#[test]
fn change_file_mistakes_are_positioned() {
    assert_cmd_snapshot!(
        "whatif_typos",
        common::cli().args(["whatif", CONTOSO, "--change", "tests/fixtures/changes/typos.yaml"])
    );
}

#[test]
fn a_changed_model_that_is_invalid_names_the_change_file() {
    assert_cmd_snapshot!(
        "whatif_dangling",
        common::cli().args(["whatif", CONTOSO, "--change", "tests/fixtures/changes/dangling.yaml"])
    );
}

#[test]
fn a_missing_change_file_is_an_error() {
    let out = common::cli()
        .args(["whatif", CONTOSO, "--change", "no/such/change.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/change.yaml"));
}

#[test]
fn diff_of_a_model_with_itself_is_empty() {
    let out = common::cli().args(["diff", CONTOSO, CONTOSO]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no new access"), "{text}");
    assert!(!text.contains("lost access"), "{text}");
}

#[test]
fn diff_reports_gains_in_the_newer_model() {
    // The hand-edited file equals the change applied; diff and whatif agree.
    let dir = tempfile::tempdir().unwrap();
    let edited = dir.path().join("minimal-with-bob.yaml");
    let text = std::fs::read_to_string("models/minimal.yaml").unwrap().replace(
        "    - name: alice                       # acts from `internet` (the default location)\n",
        "    - name: alice\n    - name: bob\n",
    ) + "  - {principal: bob, role: Storage Account Contributor, scope: mlstore}\n";
    std::fs::write(&edited, text).unwrap();
    let diff = common::cli()
        .args([
            "diff",
            "models/minimal.yaml",
            edited.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let whatif = common::cli()
        .args([
            "whatif",
            "models/minimal.yaml",
            "--change",
            "tests/fixtures/changes/minimal-bob.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(diff.status.code(), Some(1), "{}", String::from_utf8_lossy(&diff.stderr));
    let d: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let w: serde_json::Value = serde_json::from_slice(&whatif.stdout).unwrap();
    assert_eq!(d["gained"], w["gained"]);
    assert!(
        d["gained"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["actor"] == "bob" && g["capability"] == "data-read of mlstore")
    );
}

fn model(text: &str) -> Model {
    match load(&Source::new("generated.yaml", text)) {
        Ok(l) => l.model,
        Err(d) => panic!("generated model did not load:\n{text}\n{d:#?}"),
    }
}

fn changed(text: &str, change: &str) -> Model {
    match load_changed(
        &[Source::new("generated.yaml", text)],
        &Source::new("change.yaml", change),
    ) {
        Ok(l) => l.model,
        Err(d) => panic!("the change did not apply:\n{change}\n{d:#?}"),
    }
}

fn difference(old: &Model, new: &Model) -> Difference {
    compare(
        old,
        &Graphs::build(old, None),
        new,
        &Graphs::build(new, None),
        &[],
        Network::Decided,
    )
    .unwrap()
}

fn labels(changes: &[mlaccess::compare::Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| format!("{}: {}", c.actor, c.capability))
        .collect()
}

fn verdict(m: &Model, q: &str) -> Verdict {
    let graphs = Graphs::build(m, None);
    let resolved = query::resolve(m, &query::parse(q).unwrap()).unwrap();
    answer::run(graphs.network().unwrap(), &resolved, &Options::default()).verdict
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(100, 24)))]

    #[test]
    fn a_change_is_the_model_edited_by_hand(n in common::net(), user in 0..2usize, role in 0..common::ROLES.len()) {
                // Azure holds one assignment per (principal, role, scope); `remove` takes out every match.
        prop_assume!(!n.user_roles.contains(&(user, role)));
        let assignment = format!("{{principal: u{user}, role: {}, scope: st}}", common::ROLES[role]);
        let original_text = common::yaml(&n, "");
        let edited_text = common::yaml(&n, &format!("  - {assignment}\n"));
        let (original, edited) = (model(&original_text), model(&edited_text));
        let applied = changed(&original_text, &format!("add:\n  role_assignments:\n    - {assignment}\n"));

        // Applying the change is the same as editing the file.
        let same = difference(&edited, &applied);
        prop_assert!(same.gained.is_empty() && same.lost.is_empty(), "{:?} {:?}\n{edited_text}", labels(&same.gained), labels(&same.lost));

        // An added assignment loses nothing; each gain is a `yes` after and a `no` before.
        let d = difference(&original, &applied);
        prop_assert!(d.lost.is_empty(), "lost {:?}\n{edited_text}", labels(&d.lost));
        for g in d.gained.iter().filter(|g| g.actor == "u0" || g.actor == "u1") {
            let q = format!("can {} reach {}", g.actor, g.capability);
            prop_assert_eq!(verdict(&applied, &q), Verdict::Yes, "{}\n{}", q, edited_text);
            prop_assert_ne!(verdict(&original, &q), Verdict::Yes, "{}\n{}", q, original_text);
        }

        // Removing it again gives the original access back.
        let removed = changed(&edited_text, &format!("remove:\n  role_assignments:\n    - {assignment}\n"));
        let back = difference(&original, &removed);
        prop_assert!(back.gained.is_empty() && back.lost.is_empty(), "{:?} {:?}\n{edited_text}", labels(&back.gained), labels(&back.lost));
    }
}

#[test]
fn contributor_on_the_resource_group_gives_members_the_storage_data() {
    let out = common::cli()
        .args([
            "whatif",
            CONTOSO,
            "--change",
            "models/changes/auditors-contributor.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gain = d["gained"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["actor"] == "sam" && g["capability"] == "data-write of mlstore")
        .unwrap_or_else(|| panic!("sam gains no data-write of mlstore: {d}"));
    // Through the group's new Contributor assignment.
    let steps = gain["witness"]["steps"].as_array().unwrap();
    assert_eq!(steps[0]["rule"], "membership", "{steps:?}");
    assert!(
        steps
            .iter()
            .any(|s| s["rule"] == "grant" && s["evidence"]["role"] == "Contributor"),
        "{steps:?}"
    );
}

/// When a change leaves the network alone, `whatif` answers the changed model's network questions from
/// the first model's (one oracle): the difference is the one two separate builds give. A change of
/// the network gets an oracle of its own.
#[test]
fn the_network_is_decided_once_when_a_change_leaves_it_alone() {
    let text = std::fs::read_to_string(CONTOSO).unwrap();
    let old = model(&text);
    let change = |path: &str| changed(&text, &std::fs::read_to_string(path).unwrap());
    let grant = change("models/changes/ml-team-contributor.yaml");
    let hardening = change("models/changes/mlstore-no-shared-key.yaml");
    assert!(
        old.same_network(&grant),
        "a new role assignment changes no network fact"
    );
    assert!(
        !old.same_network(&hardening),
        "a storage account's properties are network facts"
    );
    for new in [grant, hardening] {
        let (before, after) = Graphs::build_pair(&old, &new, None, Needs::BOTH);
        let paired = compare(&old, &before, &new, &after, &[], Network::Decided).unwrap();
        let separate = difference(&old, &new);
        assert_eq!(labels(&paired.gained), labels(&separate.gained));
        assert_eq!(labels(&paired.lost), labels(&separate.lost));
        assert_eq!(paired.unknown, separate.unknown);
        assert!(
            !paired.gained.is_empty() || !paired.lost.is_empty(),
            "the change changes access"
        );
    }
}

/// What a comparison of every actor's reach gives (the definition a comparison of the affected actors
/// only must agree with): gains and losses by `actor: capability`, and the reasons either model's
/// reach may be incomplete.
fn every_actors_difference(old: &Model, new: &Model, network: Network) -> (Vec<String>, Vec<String>, Vec<String>) {
    let reach = |m: &Model| {
        let graphs = Graphs::build(m, None);
        let g = network.graph(&graphs).unwrap();
        let actors = answer::every_actor(g);
        let labels: Vec<String> = actors.iter().map(|a| a.label(&g.model)).collect();
        let mut unknown: std::collections::BTreeSet<String> = answer::undecided_network(g).into_iter().collect();
        let mut by_label = std::collections::BTreeMap::new();
        for (label, (caps, u)) in labels.into_iter().zip(answer::capabilities_reached(g, &actors)) {
            unknown.extend(u);
            by_label.insert(label, caps);
        }
        (by_label, unknown)
    };
    let ((before, unknown_before), (after, unknown_after)) = (reach(old), reach(new));
    let empty = std::collections::BTreeSet::new();
    let mut labels: Vec<&String> = before.keys().chain(after.keys()).collect();
    labels.sort();
    labels.dedup();
    let (mut gained, mut lost) = (Vec::new(), Vec::new());
    for label in labels {
        let (b, a) = (before.get(label).unwrap_or(&empty), after.get(label).unwrap_or(&empty));
        gained.extend(a.difference(b).map(|c| format!("{label}: {c}")));
        lost.extend(b.difference(a).map(|c| format!("{label}: {c}")));
    }
    let mut unknown: Vec<String> = unknown_before
        .into_iter()
        .map(|u| format!("before: {u}"))
        .chain(unknown_after.into_iter().map(|u| format!("after: {u}")))
        .collect();
    if network == Network::Ignored && !old.same_network(new) {
        unknown
            .push("the change alters what the network is decided from (locations, resources or network facts), and the comparison ignores the network (--ignoring-network)".into());
    }
    (gained, lost, unknown)
}

/// Every actor of a graph, by the label reports give it.
fn actors_by_label(g: &mlaccess::graph::AccessGraph) -> std::collections::BTreeMap<String, answer::Actor> {
    answer::every_actor(g)
        .into_iter()
        .map(|a| (a.label(&g.model), a))
        .collect()
}

/// The comparison searches only the actors a change may affect; what it reports is what comparing
/// every actor reports, and every actor it leaves alone reaches the same in both models.
fn only_the_affected_are_compared(old: &Model, new: &Model, network: Network) -> Result<usize, String> {
    let (old_graphs, new_graphs) = (Graphs::build(old, None), Graphs::build(new, None));
    let d = compare(old, &old_graphs, new, &new_graphs, &[], network).unwrap();
    let expected = every_actors_difference(old, new, network);
    let got = (labels(&d.gained), labels(&d.lost), d.unknown.clone());
    if got != expected {
        return Err(format!("compared: {got:?}\nevery actor: {expected:?}"));
    }
    let (g_old, g_new) = (network.graph(&old_graphs).unwrap(), network.graph(&new_graphs).unwrap());
    let (old_actors, new_actors) = (actors_by_label(g_old), actors_by_label(g_new));
    let Some(affected) = mlaccess::compare::affected::actors_affected(g_old, &old_actors, g_new, &new_actors) else {
        return Ok(0);
    };
    let mut left_alone = 0;
    for (label, actor) in &new_actors {
        if affected.contains(label) {
            continue;
        }
        let before = answer::capabilities_reached(g_old, &[old_actors[label]]);
        let after = answer::capabilities_reached(g_new, &[*actor]);
        if before != after {
            return Err(format!(
                "{label} is left alone but reaches {before:?} before and {after:?} after"
            ));
        }
        left_alone += 1;
    }
    Ok(left_alone)
}

#[test]
fn the_bundled_changes_compare_only_the_affected_actors() {
    let text = std::fs::read_to_string(CONTOSO).unwrap();
    let old = model(&text);
    let mut left_alone = 0;
    for change in [
        "models/changes/ml-team-contributor.yaml",
        "models/changes/auditors-contributor.yaml",
        "models/changes/mlstore-no-shared-key.yaml",
        "models/changes/offboard-contractor.yaml",
    ] {
        let new = changed(&text, &std::fs::read_to_string(change).unwrap());
        for network in [Network::Decided, Network::Ignored] {
            left_alone += only_the_affected_are_compared(&old, &new, network)
                .unwrap_or_else(|e| panic!("{change} ({network:?}): {e}"));
        }
    }
    assert!(left_alone > 20, "only {left_alone} actors were left alone");
}

/// An actor the change leaves alone may still reach an unmodelled resource with an identity: that is
/// said of both models, as a comparison of every actor says it.
#[test]
fn an_unmodelled_resource_that_an_actor_left_alone_reaches_is_still_unknown() {
    let text = std::fs::read_to_string("tests/fixtures/rules/unmodelled.yaml").unwrap();
    let text = text.split("\n---").next().unwrap();
    let old = model(text);
    let new = changed(
        text,
        "add:\n  role_assignments:\n    - {principal: carol, role: Storage Blob Data Reader, scope: st}\n",
    );
    assert!(only_the_affected_are_compared(&old, &new, Network::Decided).unwrap() > 0);
    let d = difference(&old, &new);
    for side in ["before", "after"] {
        assert!(
            d.unknown.iter().any(|u| u.starts_with(side) && u.contains("`app`")),
            "{:?}",
            d.unknown
        );
    }
    assert_eq!(labels(&d.gained), ["carol: data-read of st"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(64, 16)))]

    #[test]
    fn a_comparison_of_the_affected_actors_is_one_of_every_actor(
        n in common::net(),
        principal in 0..3usize,
        role in 0..common::ROLES.len(),
        scope in 0..3usize,
        kind in 0..4usize,
        ignoring in any::<bool>(),
    ) {
        let network = if ignoring { Network::Ignored } else { Network::Decided };
        let principal = ["u0", "u1", "ci"][principal];
        let scope = ["st", "rg", "ws"][scope];
        let assignment = format!("{{principal: {principal}, role: {}, scope: {scope}}}", common::ROLES[role]);
        // Azure holds one assignment per (principal, role, scope).
        let taken = scope == "st"
            && (n.user_roles.iter().any(|(u, r)| format!("u{u}") == principal && *r == role)
                || (principal == "ci" && n.compute_role == Some(role)));
        let text = common::yaml(&n, "");
        // An assignment added or removed; a new user with a role (ids of what follows it move); the
        // SSH key revoked (the credentials' ids move).
        let change = match kind {
            1 if !n.user_roles.is_empty() => {
                let (user, role) = n.user_roles[0];
                format!("remove:\n  role_assignments:\n    - {{principal: u{user}, role: {}, scope: st}}\n", common::ROLES[role])
            }
            2 => format!(
                "add:\n  principals:\n    users:\n      - {{name: u2, locations: [loc1]}}\n  role_assignments:\n    - {{principal: u2, role: {}, scope: {scope}}}\n",
                common::ROLES[role]
            ),
            3 if n.ssh_key => "remove:\n  credentials:\n    - {name: k}\n".to_string(),
            _ => {
                prop_assume!(!taken);
                format!("add:\n  role_assignments:\n    - {assignment}\n")
            }
        };
        let (old, new) = (model(&text), changed(&text, &change));
        let compared = only_the_affected_are_compared(&old, &new, network);
        prop_assert!(compared.is_ok(), "{:?} ({network:?})\n{change}\n{text}", compared);
    }
}

/// With `--ignoring-network` the comparison says so, finds the gains of a grant as a comparison with
/// the network decided does (the bundled estate's network lets them through), and calls a change of
/// the network incomplete rather than harmless.
#[test]
fn ignoring_the_network_is_said_and_a_network_change_is_not_missed() {
    let run = |change: &str, ignoring: bool| {
        let mut args = vec!["whatif", CONTOSO, "--change", change, "--format", "json"];
        if ignoring {
            args.push("--ignoring-network");
        }
        let out = common::cli().args(args).output().unwrap();
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), d)
    };
    let grant = "models/changes/ml-team-contributor.yaml";
    let ((code, ignored), (_, decided)) = (run(grant, true), run(grant, false));
    assert_eq!(code, Some(1));
    assert_eq!(ignored["network"], "ignored");
    assert_eq!(decided["network"], "decided");
    let gains = |d: &serde_json::Value| -> Vec<String> {
        d["gained"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| format!("{} {}", g["actor"], g["capability"]))
            .collect()
    };
    assert!(!gains(&decided).is_empty());
    for g in gains(&decided) {
        assert!(
            gains(&ignored).contains(&g),
            "{g} is missing when the network is ignored"
        );
    }
    let (code, hardening) = run("models/changes/mlstore-no-shared-key.yaml", true);
    assert_eq!(code, Some(3), "{hardening}");
    assert_eq!(hardening["complete"], false);
    assert!(
        hardening["unknown"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u.as_str().unwrap().contains("alters what the network is decided from")),
        "{hardening}"
    );
}

/// A resource renamed only in case keeps its key, but the text of every capability on it changes:
/// the comparison reports what comparing every actor reports (each of them loses and gains).
#[test]
fn a_name_changed_only_in_case_is_compared_as_every_actor_would_be() {
    let text = std::fs::read_to_string(CONTOSO).unwrap();
    let renamed = text.replace("- name: mlstore ", "- name: MLStore ");
    assert_ne!(text, renamed);
    let (old, new) = (model(&text), model(&renamed));
    only_the_affected_are_compared(&old, &new, Network::Decided).unwrap();
    let d = difference(&old, &new);
    assert!(
        labels(&d.lost).iter().any(|l| l.ends_with("data-read of mlstore")),
        "{:?}",
        labels(&d.lost)
    );
    assert!(
        labels(&d.gained).iter().any(|l| l.ends_with("data-read of MLStore")),
        "{:?}",
        labels(&d.gained)
    );
}

/// A principal added first moves the id of every principal after it: the two graphs are still matched
/// by name, so the comparison searches only the new user (and what it is new to), and reports what
/// comparing every actor reports.
#[test]
fn a_principal_added_first_leaves_the_others_alone() {
    let text = std::fs::read_to_string(CONTOSO).unwrap();
    let added = text.replacen(
        "  users:\n",
        "  users:\n    - {name: aaron, locations: [hq-office]}\n",
        1,
    );
    assert_ne!(text, added);
    let (old, new) = (model(&text), model(&added));
    let left_alone = only_the_affected_are_compared(&old, &new, Network::Decided).unwrap();
    let (g_old, g_new) = (Graphs::build(&old, None), Graphs::build(&new, None));
    let (g_old, g_new) = (g_old.network().unwrap(), g_new.network().unwrap());
    let affected =
        mlaccess::compare::affected::actors_affected(g_old, &actors_by_label(g_old), g_new, &actors_by_label(g_new))
            .unwrap();
    assert_eq!(
        affected.iter().collect::<Vec<_>>(),
        ["aaron"],
        "{left_alone} left alone"
    );
}
