//! Per-rule fixtures: one file `tests/fixtures/rules/<RULE>.yaml` for every rule id of the access graph
//! (`mlaccess::graph::RuleId`, except `place` and `network`, which are evidence rather than steps).
//!
//! Each fixture holds two YAML documents separated by a line `---`: a minimal model (model format
//! version 1), then a list of cases:
//!
//! ```yaml
//! - query: can alice reach data of st directly
//!   expect: yes                # yes | no | unknown
//!   uses: [P08, P04]           # rule ids that must all appear in the first witness (optional)
//!   not_uses: [P26]            # rule ids that must not appear in it (optional)
//!   listed: [alice, bob]       # `who can`: the exact actor labels; `what can`: the exact capabilities
//!   says: ["condition not evaluated"]   # text the rendered answer must contain (tags, notes)
//!   why: the sentence of the semantics the case checks
//!   network: closed            # optional: every network premise fails (default: all assumed open);
//!                              # `model` decides them with the Z3 oracle over the fixture's network
//!   known_issue: "..."         # the library disagrees with the spec: reported loudly, not failed
//! ```
//!
//! For every case the runner loads the model, parses and resolves the query, builds the graph with the
//! network assumed open (network reasoning is a later feature; no case depends on a real network
//! decision), runs it, replays every witness independently (`mlaccess::witness::replay`), and
//! checks the verdict and the rules used (`uses` is checked against the first witness of a `can` query,
//! or against the first listed entry of a `who can`/`what can` query). It then snapshots the text
//! rendering of every answer of the file (`rules__rule_<RULE>.snap`), so a reviewer sees each rule's
//! step with its evidence.
//!
//! `network: closed` replaces the open network by one where no packet gets anywhere. It isolates the
//! rules that conclude network reachability themselves (P27, private endpoint approval), which an open
//! network always makes redundant; it is a stub, not network reasoning.
//!
//! A case marked `known_issue` is still run. When its expectation fails, the failure is printed to the
//! terminal (not captured by the test harness) and the test passes; when it unexpectedly holds, the test
//! fails so the marker gets removed.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use mlaccess::answer::{self, Answer, Options};
use mlaccess::graph::network::{AssumedOpen, NetDecision, NetworkOracle};
use mlaccess::graph::{AccessGraph, Endpoint, Place, RuleId};
use mlaccess::load::{Source, load};
use mlaccess::model::Model;
use mlaccess::query::resolve::ResolvedForm;
use mlaccess::query::{parse, resolve};
use mlaccess::report::answer::render_text;
use mlaccess::source::{self, Format, Node};

/// The keys a case may have.
const CASE_KEYS: &[&str] = &[
    "query",
    "expect",
    "uses",
    "not_uses",
    "listed",
    "says",
    "why",
    "network",
    "known_issue",
];

/// One expectation of a fixture.
#[derive(Debug)]
struct Case {
    /// 1-based position in the file's list.
    n: usize,
    /// The line of the case in the fixture file.
    line: u32,
    query: String,
    expect: String,
    uses: Vec<String>,
    not_uses: Vec<String>,
    listed: Option<Vec<String>>,
    /// Text the rendered answer must contain.
    says: Vec<String>,
    /// `network: closed`: no network premise holds.
    closed: bool,
    /// `network: model`: network premises decided by the Z3 oracle over the fixture's network.
    modelled: bool,
    known_issue: Option<String>,
}

/// A fixture file split into its model and its cases.
struct Fixture {
    /// The file name, for messages.
    name: String,
    model: Model,
    cases: Vec<Case>,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// The rule ids that are steps, hence need a fixture.
fn step_rules() -> Vec<RuleId> {
    RuleId::ALL.into_iter().filter(|r| r.is_step()).collect()
}

/// The stems of every `*.yaml` in the fixture folder, sorted.
fn fixture_stems() -> Vec<String> {
    let dir = fixtures_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut stems: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    stems.sort();
    stems
}

fn strings(node: &Node, file: &str, what: &str) -> Vec<String> {
    let items = node
        .as_seq()
        .unwrap_or_else(|| panic!("{file}:{}: `{what}` must be a list", node.pos));
    items
        .iter()
        .map(|i| {
            i.as_str()
                .unwrap_or_else(|| panic!("{file}:{}: `{what}` items must be strings", i.pos))
                .to_string()
        })
        .collect()
}

/// Reads `tests/fixtures/rules/<stem>.yaml`: the model, loaded, and the cases, checked for shape.
fn read_fixture(stem: &str) -> Fixture {
    let name = format!("tests/fixtures/rules/{stem}.yaml");
    let path = fixtures_dir().join(format!("{stem}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
    let lines: Vec<&str> = text.lines().collect();
    let separator = lines
        .iter()
        .position(|l| l.trim_end() == "---")
        .unwrap_or_else(|| panic!("{name}: no `---` line between the model and the cases"));
    let model_text = lines[..separator].join("\n");
    // Keep the cases on their own lines so that positions are those of the file.
    let cases_text = format!("{}{}", "\n".repeat(separator + 1), lines[separator + 1..].join("\n"));

    let loaded = load(&Source::new(name.clone(), model_text)).unwrap_or_else(|diags| {
        let all: Vec<String> = diags.iter().map(ToString::to_string).collect();
        panic!("{name}: the model does not load:\n{}", all.join("\n"))
    });
    for w in loaded.warnings.iter() {
        // Warnings are legitimate in minimal models (e.g. a workspace without storage); show them.
        println!("{name}: model warning: {w}");
    }

    let root = source::parse(&cases_text, Format::Yaml)
        .unwrap_or_else(|d| panic!("{name}: the cases are not valid YAML: {d}"));
    let items = root
        .as_seq()
        .unwrap_or_else(|| panic!("{name}:{}: the second document must be a list of cases", root.pos));
    assert!(!items.is_empty(), "{name}: no cases");
    let mut cases = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{name}:{} (case {})", item.pos, i + 1);
        let map = item
            .as_map()
            .unwrap_or_else(|| panic!("{at}: a case must be a mapping"));
        for (k, _) in map {
            assert!(
                CASE_KEYS.contains(&k.text.as_str()),
                "{at}: unknown key `{}` (known: {})",
                k.text,
                CASE_KEYS.join(", ")
            );
        }
        let text = |key: &str| item.get(key).and_then(Node::as_str).map(str::to_string);
        let query = text("query").unwrap_or_else(|| panic!("{at}: `query` is missing"));
        let expect = text("expect").unwrap_or_else(|| panic!("{at}: `expect` is missing"));
        assert!(
            ["yes", "no", "unknown"].contains(&expect.as_str()),
            "{at}: `expect` must be yes, no or unknown, not `{expect}`"
        );
        assert!(
            text("why").is_some(),
            "{at}: `why` is missing (say which sentence of the spec the case checks)"
        );
        let rule_list = |key: &str| {
            let list = item.get(key).map(|n| strings(n, &name, key)).unwrap_or_default();
            for r in &list {
                assert!(
                    RuleId::parse(r).is_some(),
                    "{at}: `{key}` names `{r}`, which is no rule id"
                );
            }
            list
        };
        let uses = rule_list("uses");
        let not_uses = rule_list("not_uses");
        assert!(
            uses.is_empty() || expect == "yes",
            "{at}: `uses` needs `expect: yes` (only a yes has a witness)"
        );
        cases.push(Case {
            n: i + 1,
            line: item.pos.line,
            query,
            expect,
            uses,
            not_uses,
            listed: item.get("listed").map(|n| strings(n, &name, "listed")),
            says: item.get("says").map(|n| strings(n, &name, "says")).unwrap_or_default(),
            closed: text("network").as_deref() == Some("closed"),
            modelled: match text("network").as_deref() {
                None | Some("open") | Some("closed") => false,
                Some("model") => true,
                Some(other) => panic!("{at}: `network` must be open, closed or model, not `{other}`"),
            },
            known_issue: text("known_issue"),
        });
    }
    Fixture {
        name,
        model: loaded.model,
        cases,
    }
}

/// A network where no packet gets anywhere (`network: closed`).
struct Closed;

impl NetworkOracle for Closed {
    fn decide(&self, _: &Model, _: Place, _: Endpoint) -> NetDecision {
        NetDecision::Blocked("closed by the test fixture (network: closed)".into())
    }

    fn applied(&self) -> bool {
        true
    }

    fn fresh(&self) -> Box<dyn NetworkOracle> {
        Box::new(Closed)
    }
}

/// The rule ids of a witness, in order.
fn rule_ids(g: &AccessGraph, rules: &[mlaccess::graph::RuleIdx]) -> Vec<&'static str> {
    rules
        .iter()
        .map(|r| {
            g.rule(*r)
                .expect("a witness names a rule instance of its graph")
                .rule
                .as_str()
        })
        .collect()
}

/// Runs one case: the answer, its graph, and every way it disagrees with the case (empty when it holds).
fn run_case(fx: &Fixture, case: &Case) -> (AccessGraph, Answer, Vec<String>) {
    let at = format!("{}:{} (case {}, `{}`)", fx.name, case.line, case.n, case.query);
    let parsed =
        parse(&case.query).unwrap_or_else(|e| panic!("{at}: the query does not parse:\n{}", e.render(&case.query)));
    let resolved = resolve(&fx.model, &parsed)
        .unwrap_or_else(|e| panic!("{at}: the query does not resolve:\n{}", e.render(&case.query)));
    let graph = if case.closed {
        mlaccess::graph::build::build(&fx.model, &Closed)
    } else if case.modelled {
        mlaccess::graph::build::build(&fx.model, &mlaccess::smt::oracle::Z3Oracle::new(None, false))
    } else {
        mlaccess::graph::build::build(&fx.model, &AssumedOpen { reason: "assumed open" })
    };
    let answer = answer::run(
        &graph,
        &resolved,
        &Options {
            paths: 1,
            ..Options::default()
        },
    );

    let mut problems = Vec::new();
    // Every witness must replay against the model: one that does not is a bug in the graph or the replay.
    let witnesses = answer.witnesses.iter().chain(answer.listed.iter().map(|l| &l.witness));
    for (i, w) in witnesses.enumerate() {
        if let Err(e) = mlaccess::witness::replay(&fx.model, &graph, w) {
            problems.push(format!(
                "witness {} does not replay: {e} (its rules: {:?})",
                i + 1,
                rule_ids(&graph, &w.rules)
            ));
        }
    }
    let verdict = answer.verdict.as_str();
    if verdict != case.expect {
        problems.push(format!("expected `{}`, the answer is `{verdict}`", case.expect));
    }
    let listing = matches!(resolved.form, ResolvedForm::WhoCan(_) | ResolvedForm::WhatCan(_));
    let first = if listing {
        answer.listed.first().map(|l| &l.witness)
    } else {
        answer.witnesses.first()
    };
    if !case.uses.is_empty() || !case.not_uses.is_empty() {
        match first {
            None if !case.uses.is_empty() => {
                problems.push(format!("expected a witness using {:?}, there is none", case.uses))
            }
            None => {}
            Some(w) => {
                let used = rule_ids(&graph, &w.rules);
                let missing: Vec<&String> = case
                    .uses
                    .iter()
                    .filter(|u| !used.iter().any(|r| r.eq_ignore_ascii_case(u)))
                    .collect();
                if !missing.is_empty() {
                    problems.push(format!("the first witness does not use {missing:?}; it uses {used:?}"));
                }
                let unwanted: Vec<&String> = case
                    .not_uses
                    .iter()
                    .filter(|u| used.iter().any(|r| r.eq_ignore_ascii_case(u)))
                    .collect();
                if !unwanted.is_empty() {
                    problems.push(format!(
                        "the first witness uses {unwanted:?}, which it must not; it uses {used:?}"
                    ));
                }
            }
        }
    }
    if let Some(expected) = &case.listed {
        assert!(listing, "{at}: `listed` is for `who can` and `what can` queries");
        let actual: BTreeSet<String> = match resolved.form {
            ResolvedForm::WhatCan(_) => answer.listed.iter().map(|l| l.capability.clone()).collect(),
            _ => answer.listed.iter().map(|l| l.actor.label(&graph.model)).collect(),
        };
        let expected: BTreeSet<String> = expected.iter().cloned().collect();
        if actual != expected {
            problems.push(format!(
                "listed {:?}, expected exactly {:?} (missing {:?}, extra {:?})",
                actual,
                expected,
                expected.difference(&actual).collect::<Vec<_>>(),
                actual.difference(&expected).collect::<Vec<_>>()
            ));
        }
    }
    if !case.says.is_empty() {
        let text = render_text(&graph, &answer);
        for s in &case.says {
            if !text.contains(s.as_str()) {
                problems.push(format!("the answer does not say {s:?}"));
            }
        }
    }
    (graph, answer, problems)
}

/// Writes to the terminal even when the test harness captures output (known issues must be seen).
fn loud(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Runs every case of one fixture, fails with every broken case listed, and snapshots the answers.
fn check_fixture(stem: &str) {
    let fx = read_fixture(stem);
    let mut failures = Vec::new();
    let mut known = Vec::new();
    let mut snapshot = String::new();
    for case in &fx.cases {
        let (graph, answer, problems) = run_case(&fx, case);
        let at = format!("{}:{} case {} `{}`", fx.name, case.line, case.n, case.query);
        match (&case.known_issue, problems.is_empty()) {
            (None, true) => {}
            (None, false) => failures.push(format!(
                "{at}\n    {}\n{}",
                problems.join("\n    "),
                indent(&render_text(&graph, &answer))
            )),
            (Some(issue), false) => known.push(format!(
                "{at}\n    known issue: {issue}\n    actual: {}",
                problems.join("; ")
            )),
            (Some(issue), true) => failures.push(format!(
                "{at}\n    is marked `known_issue` ({issue}) but now holds: remove the marker"
            )),
        }
        let marker = if case.known_issue.is_some() {
            " (known issue: expectation not met)"
        } else {
            ""
        };
        let network = if case.closed {
            ", network closed"
        } else if case.modelled {
            ", network modelled"
        } else {
            ""
        };
        let _ = writeln!(snapshot, "# case {}: expect {}{network}{marker}", case.n, case.expect);
        snapshot.push_str(&render_text(&graph, &answer));
        snapshot.push('\n');
    }
    if !known.is_empty() {
        let mut banner = String::from(
            "\n!!!!!!!!!! KNOWN ISSUES (assertions skipped; the library disagrees with the spec) !!!!!!!!!!\n",
        );
        for k in &known {
            let _ = writeln!(banner, "!! {k}");
        }
        banner.push_str(
            "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
        );
        loud(&banner);
    }
    assert!(
        failures.is_empty(),
        "{} case(s) of {} fail:\n\n{}",
        failures.len(),
        fx.name,
        failures.join("\n\n")
    );
    // The time taken is the one thing that changes from run to run.
    insta::with_settings!({filters => vec![(r"in \d+ ms", "in [ms] ms")]}, {
        insta::assert_snapshot!(format!("rule_{stem}"), snapshot);
    });
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("      | {l}\n")).collect()
}

/// One test per fixture, named after its rule, so a failure names the rule.
macro_rules! rule_fixtures {
    ($($test:ident => $stem:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                check_fixture($stem);
            }
        )*

        /// The fixtures the tests above run.
        const FIXTURES: &[&str] = &[$($stem),*];
    };
}

rule_fixtures! {
    membership => "membership",
    grant => "grant",
    p01 => "P01",
    p04 => "P04",
    p05 => "P05",
    p07 => "P07",
    p08 => "P08",
    p09 => "P09",
    p10 => "P10",
    p12 => "P12",
    p13 => "P13",
    p14 => "P14",
    p15 => "P15",
    p16 => "P16",
    p17 => "P17",
    p18 => "P18",
    p19 => "P19",
    p20 => "P20",
    p21 => "P21",
    p22 => "P22",
    p26 => "P26",
    p27 => "P27",
    p28 => "P28",
    p29 => "P29",
    p31 => "P31",
    identity => "identity",
    access_policy => "access-policy",
    sas_token => "sas-token",
    client_secret => "client-secret",
    endpoint_key => "endpoint-key",
    public_blob => "public-blob",
    use_ => "use",
    unmodelled => "unmodelled",
}

#[test]
fn every_rule_has_a_fixture() {
    let stems = fixture_stems();
    let missing: Vec<&str> = step_rules()
        .into_iter()
        .map(RuleId::as_str)
        .filter(|r| !stems.iter().any(|s| s == r))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a fixture in tests/fixtures/rules/: {missing:?} (write `<RULE>.yaml` and add it to `rule_fixtures!`)"
    );
    let untested: Vec<&str> = step_rules()
        .into_iter()
        .map(RuleId::as_str)
        .filter(|r| !FIXTURES.contains(r))
        .collect();
    assert!(
        untested.is_empty(),
        "rules whose fixture no test runs: {untested:?} (add them to `rule_fixtures!`)"
    );
}

#[test]
fn every_fixture_is_a_rule_and_is_run() {
    for stem in fixture_stems() {
        assert!(
            step_rules().iter().any(|r| r.as_str() == stem),
            "tests/fixtures/rules/{stem}.yaml is named after no rule id (rule ids: {:?})",
            step_rules().iter().map(|r| r.as_str()).collect::<Vec<_>>()
        );
        assert!(
            FIXTURES.contains(&stem.as_str()),
            "tests/fixtures/rules/{stem}.yaml is not in `rule_fixtures!`"
        );
    }
}

/// Lists every `known_issue` of every fixture in one place, loudly, whatever the other tests do.
#[test]
fn known_issues_are_listed() {
    let mut out = String::new();
    for stem in fixture_stems() {
        let fx = read_fixture(&stem);
        for case in fx.cases.iter().filter(|c| c.known_issue.is_some()) {
            let _ = writeln!(
                out,
                "!! {}:{} case {} `{}` (expect {}): {}",
                fx.name,
                case.line,
                case.n,
                case.query,
                case.expect,
                case.known_issue.as_deref().unwrap_or_default()
            );
        }
    }
    if !out.is_empty() {
        loud(&format!(
            "\n!!!!!!!!!! rules fixtures: known issues !!!!!!!!!!\n{out}!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        ));
    }
}
