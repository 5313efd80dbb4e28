//! Pictures: `query --format dot|svg` and `graph`. The DOT is checked without Graphviz (every edge
//! joins declared nodes, the witness's steps are the highlighted edges, in order, with the legend) and,
//! where Graphviz is installed (CI installs it), rendered by `dot`; the SVG is parsed as XML. A missing
//! `dot` is an error that says how to install it.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use regex::Regex;

const CONTOSO: &str = "models/contoso-ml.yaml";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = common::cli().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// True when Graphviz's `dot` can check pictures; CI must have it.
fn graphviz() -> bool {
    let present = Command::new("dot").arg("-V").output().is_ok();
    assert!(present || std::env::var_os("CI").is_none(), "CI must have Graphviz");
    present
}

/// Node ids declared, and edges as (from, to, attributes).
fn parse(dot: &str) -> (BTreeSet<String>, Vec<(String, String, String)>) {
    let node = Regex::new(r#"(?m)^\s*([A-Za-z_][A-Za-z0-9_]*) \[(.*)\];$"#).unwrap();
    let edge = Regex::new(r#"(?m)^\s*([A-Za-z_][A-Za-z0-9_]*) -> ([A-Za-z_][A-Za-z0-9_]*)(?: \[(.*)\])?;$"#).unwrap();
    let nodes = node.captures_iter(dot).map(|c| c[1].to_string()).collect();
    let edges = edge
        .captures_iter(dot)
        .map(|c| {
            (
                c[1].to_string(),
                c[2].to_string(),
                c.get(3).map_or("", |m| m.as_str()).to_string(),
            )
        })
        .collect();
    (nodes, edges)
}

fn assert_well_formed(dot: &str) {
    assert!(dot.starts_with("digraph {"), "{dot}");
    assert_eq!(
        dot.matches('{').count(),
        dot.matches('}').count(),
        "unbalanced braces:\n{dot}"
    );
    let (nodes, edges) = parse(dot);
    assert!(!edges.is_empty(), "{dot}");
    for (from, to, _) in &edges {
        assert!(
            nodes.contains(from) || from == "legend_anchor",
            "edge from undeclared `{from}`:\n{dot}"
        );
        assert!(nodes.contains(to), "edge to undeclared `{to}`:\n{dot}");
    }
    if graphviz() {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "dot rejects the picture: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "dot warns: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_witness_is_drawn_with_its_steps_in_order_and_highlighted() {
    let (code, dot, err) = run(&[
        "query",
        CONTOSO,
        "can members of data-scientists reach data of mlstore directly",
        "--format",
        "dot",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_well_formed(&dot);
    let (_, edges) = parse(&dot);
    let labels: Vec<String> = edges
        .iter()
        .filter(|(_, _, a)| a.contains(r#"penwidth="2.6""#))
        .filter_map(|(_, _, a)| {
            Regex::new(r#"label="(\d+)\. "#)
                .unwrap()
                .captures(a)
                .map(|c| c[1].to_string())
        })
        .collect();
    let mut sorted = labels.clone();
    sorted.sort_by_key(|x| x.parse::<u32>().unwrap());
    assert_eq!(sorted, ["1", "2", "3", "4"], "the text answer has four steps:\n{dot}");
    // The rules of the text answer, in order: membership, grant, P08, P04.
    for (n, rule) in [("1", "membership"), ("2", "grant"), ("3", "P08"), ("4", "P04")] {
        assert!(
            dot.contains(&format!(r#"label="{n}. {rule}"#)),
            "step {n} is not {rule}:\n{dot}"
        );
    }
    assert!(dot.contains(r#"label="legend""#), "{dot}");
    assert!(
        dot.contains(r##"fillcolor="#ffd966""##),
        "the goal is not marked:\n{dot}"
    );
}

#[test]
fn a_no_draws_no_path() {
    let (code, dot, _) = run(&[
        "query",
        "models/minimal.yaml",
        "can alice reach control of mlws",
        "--format",
        "dot",
    ]);
    assert_eq!(code, 1);
    assert!(dot.contains("no: no path exists"), "{dot}");
    assert!(!dot.contains("->"), "{dot}");
}

#[test]
fn svg_is_xml() {
    if !graphviz() {
        eprintln!("Graphviz is not installed; the SVG is not checked here");
        return;
    }
    let (code, svg, err) = run(&[
        "query",
        "models/minimal.yaml",
        "can alice reach data of mlstore directly",
        "--format",
        "svg",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut reader = quick_xml::Reader::from_str(&svg);
    let mut root = None;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if root.is_none() => {
                root = Some(e.name().as_ref().to_string());
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("svg"));
    // Graphviz writes `-` as a character reference.
    let text = svg.replace("&#45;", "-");
    assert!(
        text.contains("data-read of mlstore") || text.contains("data-write of mlstore"),
        "{svg}"
    );
}

#[test]
fn without_graphviz_svg_says_how_to_install_it() {
    let out = common::cli()
        .env("MLACCESS_DOT", "/nonexistent/dot")
        .args([
            "query",
            "models/minimal.yaml",
            "can alice reach data of mlstore",
            "--format",
            "svg",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("apt-get install graphviz") && err.contains("--format dot"),
        "{err}"
    );
}

#[test]
fn graph_around_a_principal_and_a_resource() {
    let (code, dot, err) = run(&["graph", CONTOSO, "--focus", "alice", "--depth", "4"]);
    assert_eq!(code, 0, "{err}");
    assert_well_formed(&dot);
    assert!(dot.contains(r#"label="alice""#), "{dot}");
    assert!(dot.contains("data-read of mlstore"), "{dot}");

    let (code, dot, err) = run(&["graph", CONTOSO, "--focus", "mlkv"]);
    assert_eq!(code, 0, "{err}");
    assert_well_formed(&dot);
    // Every capability drawn is about mlkv: the goals are inside its box or are mlkv's.
    assert!(dot.contains(r#"label="mlkv (key_vault)""#), "{dot}");
    assert!(dot.contains("secrets of mlkv"), "{dot}");
}

#[test]
fn graph_depth_leaves_out_longer_paths() {
    let (_, shallow, _) = run(&["graph", "models/minimal.yaml", "--depth", "1"]);
    let (_, deep, _) = run(&["graph", "models/minimal.yaml", "--depth", "10"]);
    assert!(shallow.contains("deeper ones left out"), "{shallow}");
    assert!(parse(&shallow).1.len() < parse(&deep).1.len());
}

#[test]
fn graph_of_an_unknown_name_is_an_error() {
    let (code, _, err) = run(&["graph", CONTOSO, "--focus", "alcie"]);
    assert_eq!(code, 2);
    assert!(err.contains("alcie") && err.contains("alice"), "{err}");
}

#[test]
fn graph_writes_a_file_with_o() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.dot");
    let (code, out, err) = run(&["graph", "models/minimal.yaml", "-o", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert_well_formed(&std::fs::read_to_string(&path).unwrap());
}
