//! `mlaccess query MODEL 'QUERY'`.

use std::io::Write;

use super::super::args::{Engine, QueryArgs, QueryFormat};
use super::super::exit::Status;
use super::super::graphviz;
use crate::answer::{self, Verdict};
use crate::graph::build::build_prepared;
use crate::graph::network::{AssumedOpen, NetworkOracle};
use crate::query;
use crate::report::Color;
use crate::report::answer::{render_json, render_text};
use crate::smt::oracle::Z3Oracle;
use crate::witness;

/// Runs `mlaccess query`; called once per process (large values are not freed at the end).
pub fn run(a: &QueryArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let parsed = match query::parse(&a.query) {
        Ok(q) => q,
        Err(e) => {
            writeln!(err, "mlaccess: error: invalid query: {}", e.render(&a.query))?;
            return Ok(Status::Error);
        }
    };
    let (loaded, _) = match super::load_model(&a.model, color, err)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let resolved = match query::resolve(&loaded.model, &parsed) {
        Ok(q) => q,
        Err(e) => {
            writeln!(err, "mlaccess: error: {}", e.render(&a.query))?;
            return Ok(Status::Error);
        }
    };
    let z3 = Z3Oracle::new(a.timeout, a.dump_smt.is_some());
    let open = AssumedOpen {
        reason: "ignoring network",
    };
    let oracle: &dyn NetworkOracle = if resolved.ignoring_network { &open } else { &z3 };
    // The model with its prospective resources, made once: the graph is built from it, and the
    // witnesses are replayed against it. It is made from the loaded model itself, not a copy: the
    // query is resolved, and prospective resources only add to a model, so what the query names
    // keeps its id.
    let prepared = std::sync::Arc::new(crate::timing::stage("build: prospective resources", || {
        witness::prepare_owned(loaded.model)
    }));
    let graph = build_prepared(std::sync::Arc::clone(&prepared), oracle);
    if let Some(dir) = &a.dump_smt {
        write_dumps(dir, "network", &z3.dumps(), err)?;
    }
    let options = answer::Options {
        paths: a.paths,
        timeout_ms: a.timeout,
        dump: a.dump_smt.is_some(),
    };
    let started = std::time::Instant::now();
    let answer = match a.engine {
        Engine::Graph => answer::run(&graph, &resolved, &options),
        Engine::Smt => {
            let s = answer::smt::run(&graph, &resolved, &options);
            if let Some(dir) = &a.dump_smt {
                write_dumps(dir, "reach", &s.dumps, err)?;
            }
            s
        }
        Engine::Both => {
            let g = answer::run(&graph, &resolved, &options);
            let s = answer::smt::run(&graph, &resolved, &options);
            if let Some(dir) = &a.dump_smt {
                write_dumps(dir, "reach", &s.dumps, err)?;
            }
            if let Err(disagreement) = answer::smt::agree(&graph, &g, &s) {
                return internal_error(err, &format!("the graph and SMT engines disagree ({disagreement})"));
            }
            g
        }
    };
    crate::timing::report("answer", started);
    // Every witness is replayed against the model before it is shown.
    let replayed = crate::timing::stage("replay", || {
        witness::replay_all_prepared(&prepared, &graph, answer.every_witness())
    });
    if let Err(problem) = replayed {
        return internal_error(err, &format!("a witness failed its independent replay ({problem})"));
    }
    match a.format {
        QueryFormat::Text => {
            write!(out, "{}", render_text(&graph, &answer))?;
            if a.explain {
                write!(out, "{}", crate::report::rules::explain_used(&graph, &answer))?;
            }
        }
        QueryFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&render_json(&graph, &answer)).unwrap_or_default()
        )?,
        QueryFormat::Dot => write!(out, "{}", picture(&graph, &answer))?,
        QueryFormat::Svg => match graphviz::svg(&picture(&graph, &answer)) {
            Ok(svg) => write!(out, "{svg}")?,
            Err(message) => {
                writeln!(err, "mlaccess: error: {message}")?;
                return Ok(Status::Error);
            }
        },
    }
    let status = match answer.verdict {
        Verdict::Yes => Status::Ok,
        Verdict::No => Status::No,
        Verdict::Unknown => Status::Unknown,
    };
    // The process ends once the command returns: freeing a large estate's graph and models allocation
    // by allocation would take seconds (about 2 s at size L) and give nothing back to anyone.
    std::mem::forget(graph);
    std::mem::forget(prepared);
    Ok(status)
}

/// Refuses to show an answer the tool itself found wrong: says what went wrong and asks for a report.
fn internal_error(err: &mut dyn Write, what: &str) -> std::io::Result<Status> {
    writeln!(
        err,
        "mlaccess: internal error: {what}; the answer is not shown. Please report this with the model and the query."
    )?;
    Ok(Status::Error)
}

/// The witnesses of an answer as DOT, the first highlighted, under the query and its verdict.
fn picture(g: &crate::graph::AccessGraph, a: &answer::Answer) -> String {
    let witnesses: Vec<&answer::Witness> = a.every_witness().collect();
    let verdict = match a.verdict {
        Verdict::Yes if witnesses.len() > 1 => format!("yes: {} paths, the shortest in bold", witnesses.len()),
        Verdict::Yes => "yes".to_string(),
        Verdict::No => "no: no path exists".to_string(),
        Verdict::Unknown => format!("unknown: {}", a.unknown.first().map_or("", String::as_str)),
    };
    crate::picture::render(g, &format!("{}\n{verdict}", a.query), &witnesses, true)
}

fn write_dumps(
    dir: &std::path::Path,
    prefix: &str,
    dumps: &[(String, String)],
    err: &mut dyn Write,
) -> std::io::Result<()> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        writeln!(err, "mlaccess: warning: cannot create `{}`: {e}", dir.display())?;
        return Ok(());
    }
    for (i, (name, script)) in dumps.iter().enumerate() {
        let file = dir.join(format!("{prefix}-{i:04}.smt2"));
        let text = format!("; {name}\n{script}");
        if let Err(e) = std::fs::write(&file, text) {
            writeln!(err, "mlaccess: warning: cannot write `{}`: {e}", file.display())?;
        }
    }
    Ok(())
}
