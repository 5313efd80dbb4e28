//! `check` results for people (text), machines (JSON, `mlaccess/check/v1`), GitHub code scanning (SARIF
//! 2.1.0) and CI test reports (JUnit XML). Items are rendered in suite order.

use std::fmt::Write as _;

use quick_xml::escape::escape;
use serde_json::{Value, json};

use super::answer as single;
use crate::answer::expect::Outcome;
use crate::check::{Graphs, Item, ItemResult, Summary, summary};
use crate::query::suite::Expect;

pub(crate) fn expect_text(e: &Expect) -> String {
    match e {
        Expect::Yes => "yes".into(),
        Expect::No => "no".into(),
        Expect::Only(v) => format!("only [{}]", v.join(", ")),
        Expect::Exactly(v) => format!("exactly [{}]", v.join(", ")),
    }
}

fn mark(i: &Item) -> &'static str {
    match i.outcome() {
        Some(Outcome::Holds) => "ok  ",
        Some(Outcome::Fails) => "FAIL",
        Some(Outcome::Unknown) => "??  ",
        None => "ERR ",
    }
}

pub(crate) fn summary_line(s: Summary) -> String {
    format!(
        "{} expectation{}: {} hold, {} fail, {} unknown, {} error{}",
        s.holds + s.fails + s.unknown + s.errors,
        if s.holds + s.fails + s.unknown + s.errors == 1 {
            ""
        } else {
            "s"
        },
        s.holds,
        s.fails,
        s.unknown,
        s.errors,
        if s.errors == 1 { "" } else { "s" }
    )
}

/// For people: one line per expectation, and the answer of every one that does not hold.
pub fn render_text(graphs: &Graphs, items: &[Item]) -> String {
    let mut out = String::new();
    let mut file = "";
    for i in items {
        let e = &i.expectation;
        if e.file != file {
            file = &e.file;
            let _ = writeln!(out, "{file}");
        }
        let _ = writeln!(out, "  {} {} (line {}): {}", mark(i), e.name, e.pos.line, e.query);
        match &i.result {
            ItemResult::Decided {
                baseline: Some(note), ..
            } => {
                let _ = writeln!(out, "       fails, but {note}");
            }
            ItemResult::Decided { outcome, answer, .. } if *outcome != Outcome::Holds => {
                let _ = writeln!(
                    out,
                    "       expected {}; the answer is {}",
                    expect_text(&e.expect),
                    answer.verdict.as_str()
                );
                if let Some(why) = &e.why {
                    let _ = writeln!(out, "       why this must hold: {why}");
                }
                for line in decided_text(graphs, i, answer).lines() {
                    if line.starts_with("assumed absent") || line.starts_with("  - ") || line.starts_with("decided in")
                    {
                        continue;
                    }
                    let _ = writeln!(out, "       | {line}");
                }
            }
            ItemResult::Error(d) => {
                let _ = writeln!(out, "       error: {}", d.message);
            }
            _ => {}
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(summary(items)));
    out
}

/// A suite file as a SARIF artifact URI: relative paths as given (code scanning resolves them against
/// the repository root), absolute ones as `file://` URIs.
fn artifact_uri(file: &str) -> String {
    let path = file.replace('\\', "/").replace(' ', "%20");
    if path.starts_with('/') {
        format!("file://{path}")
    } else if path.get(1..3) == Some(":/") {
        format!("file:///{path}")
    } else {
        path
    }
}

/// For machines (`docs/json-output.md`, `mlaccess/check/v1`).
pub fn render_json(graphs: &Graphs, items: &[Item]) -> Value {
    let s = summary(items);
    json!({
        "schema": "mlaccess/check/v1",
        "summary": {"holds": s.holds, "fails": s.fails, "unknown": s.unknown, "errors": s.errors},
        "results": items.iter().map(|i| {
            let e = &i.expectation;
            let (outcome, answer, baseline, error) = match &i.result {
                ItemResult::Decided { answer, baseline, .. } => {
                    let mut a = graphs.for_item(&i.result).map_or(Value::Null, |g| single::render_json(g, answer));
                    if let Some(o) = a.as_object_mut() {
                        o.remove("elapsed_ms");
                    }
                    (i.outcome().map(Outcome::as_str), a, baseline.clone(), None)
                }
                ItemResult::Error(d) => (None, Value::Null, None, Some(d.message.clone())),
            };
            json!({
                "file": e.file, "line": e.pos.line, "name": e.name, "query": e.query,
                "expect": expect_text(&e.expect), "why": e.why,
                "outcome": outcome.unwrap_or("error"), "baseline": baseline, "error": error, "answer": answer,
            })
        }).collect::<Vec<_>>(),
    })
}

/// The text of a decided item's answer, on the graph it was decided on.
pub(crate) fn decided_text(graphs: &Graphs, i: &Item, answer: &crate::answer::Answer) -> String {
    graphs
        .for_item(&i.result)
        .map(|g| single::render_text(g, answer))
        .unwrap_or_default()
}

fn failure_message(graphs: &Graphs, i: &Item) -> String {
    let e = &i.expectation;
    match &i.result {
        ItemResult::Decided { answer, .. } => {
            let mut text = format!(
                "Expectation `{}` does not hold: `{}` should be {}, but is {}.",
                e.name,
                e.query,
                expect_text(&e.expect),
                answer.verdict.as_str()
            );
            if let Some(why) = &e.why {
                text.push_str(&format!(" Why it must hold: {why}"));
            }
            let witness = decided_text(graphs, i, answer);
            let kept: Vec<&str> = witness
                .lines()
                .filter(|l| !(l.starts_with("assumed absent") || l.starts_with("  - ") || l.starts_with("decided in")))
                .collect();
            text.push('\n');
            text.push_str(&kept.join("\n"));
            text
        }
        ItemResult::Error(d) => d.message.clone(),
    }
}

/// SARIF 2.1.0, one result per expectation that fails (error), is unknown (warning) or could not be
/// decided (error), located at the expectation in its suite file.
pub fn render_sarif(graphs: &Graphs, items: &[Item]) -> Value {
    let mut rules: Vec<&Item> = items.iter().collect();
    rules.sort_by(|a, b| {
        a.expectation
            .name
            .cmp(&b.expectation.name)
            .then(a.expectation.file.cmp(&b.expectation.file))
    });
    rules.dedup_by(|a, b| a.expectation.name == b.expectation.name);
    let rule_index = |name: &str| rules.iter().position(|r| r.expectation.name == name).unwrap_or(0);
    let results: Vec<Value> = items
        .iter()
        .filter(|i| i.outcome() != Some(Outcome::Holds))
        .map(|i| {
            let e = &i.expectation;
            let level = if i.outcome() == Some(Outcome::Unknown) {
                "warning"
            } else {
                "error"
            };
            json!({
                "ruleId": e.name,
                "ruleIndex": rule_index(&e.name),
                "level": level,
                "message": {"text": failure_message(graphs, i)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(&e.file)},
                    "region": {"startLine": e.pos.line, "startColumn": e.pos.col},
                }}],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlaccess",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://learn.microsoft.com/azure/machine-learning/how-to-assign-roles",
                "rules": rules.iter().map(|r| {
                    let e = &r.expectation;
                    json!({
                        "id": e.name,
                        "shortDescription": {"text": format!("{} (expect {})", e.query, expect_text(&e.expect))},
                        "fullDescription": {"text": e.why.clone().unwrap_or_else(|| e.query.clone())},
                        "defaultConfiguration": {"level": "error"},
                    })
                }).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

/// JUnit XML: one test suite per suite file, one test case per expectation.
pub fn render_junit(graphs: &Graphs, items: &[Item]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let s = summary(items);
    let _ = writeln!(
        out,
        "<testsuites name=\"mlaccess check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        items.len(),
        s.fails,
        s.errors,
        s.unknown
    );
    let mut files: Vec<&str> = items.iter().map(|i| i.expectation.file.as_str()).collect();
    files.dedup();
    for file in files {
        let group: Vec<&Item> = items.iter().filter(|i| i.expectation.file == file).collect();
        let sum = summary(&group.iter().map(|i| (*i).clone()).collect::<Vec<_>>());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            escape(file),
            group.len(),
            sum.fails,
            sum.errors,
            sum.unknown
        );
        for i in group {
            let e = &i.expectation;
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                escape(e.name.as_str()),
                escape(file),
                escape(file),
                e.pos.line
            );
            match i.outcome() {
                Some(Outcome::Holds) => out.push_str("/>\n"),
                Some(Outcome::Fails) => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n    </testcase>",
                        escape(format!("{} should be {}", e.query, expect_text(&e.expect)).as_str()),
                        escape(failure_message(graphs, i).as_str())
                    );
                }
                Some(Outcome::Unknown) => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        escape(format!("the answer to `{}` is unknown", e.query).as_str())
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        ">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>",
                        escape("the expectation could not be decided"),
                        escape(failure_message(graphs, i).as_str())
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
