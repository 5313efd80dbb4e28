//! `mlaccess check MODEL SUITE...`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::super::args::{CheckArgs, CheckFormat, Engine};
use super::super::exit::Status;
use super::super::graphviz;
use super::super::input;
use crate::answer::Options;
use crate::answer::expect::Outcome;
use crate::check::{self, Graphs, summary};
use crate::diag::Diagnostics;
use crate::query::suite;
use crate::report::{self, Color};

/// Every suite file named, directories expanded (recursively, sorted).
fn suite_files(args: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for a in args {
        let p = Path::new(a);
        if p.is_dir() {
            collect(p, &mut out).map_err(|e| format!("cannot read `{a}`: {e}"))?;
        } else if p.exists() {
            out.push(p.to_path_buf());
        } else {
            return Err(format!("cannot read `{a}`: no such file or directory"));
        }
    }
    if out.is_empty() {
        return Err("no suite files (*.yaml, *.yml, *.json) in the given directories".into());
    }
    Ok(out)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json") {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads and parses suites (files or directories); on a problem prints it and returns the status.
pub fn load_suites(
    args: &[String],
    color: Color,
    err: &mut dyn Write,
) -> std::io::Result<Result<Vec<crate::query::suite::Expectation>, Status>> {
    let files = match suite_files(args) {
        Ok(f) => f,
        Err(message) => {
            writeln!(err, "mlaccess: error: {message}")?;
            return Ok(Err(Status::Error));
        }
    };
    let mut expectations = Vec::new();
    let mut problems = Diagnostics::new();
    for f in &files {
        let name = f.display().to_string();
        let source = match input::read_source(&name) {
            Ok(s) => s,
            Err(message) => {
                writeln!(err, "mlaccess: error: {message}")?;
                return Ok(Err(Status::Error));
            }
        };
        match suite::load(&name, &source.text) {
            Ok(list) => expectations.extend(list),
            Err(d) => {
                write!(
                    err,
                    "{}",
                    report::diagnostics::render_human(&d, Some(&source.text), color)
                )?;
                problems.extend(d);
            }
        }
    }
    if problems.has_errors() {
        writeln!(
            err,
            "mlaccess: {} problem(s) in the suites; nothing was checked",
            problems.error_count()
        )?;
        return Ok(Err(Status::Error));
    }
    Ok(Ok(expectations))
}

pub fn run(a: &CheckArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let (loaded, _) = match super::load_model(&a.model, color, err)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let baseline = match &a.baseline {
        None => None,
        Some(path) => match super::load_model(&a.model.with_base(path), color, err)? {
            Ok((l, _)) => Some(l.model),
            Err(status) => return Ok(status),
        },
    };
    let expectations = match load_suites(&a.suites, color, err)? {
        Ok(e) => e,
        Err(status) => return Ok(status),
    };
    // Only the graphs the expectations are decided on: with no expectation that needs the
    // network decided, Z3 is not asked at all.
    let needs = check::Needs::of(&expectations);
    let graphs = Graphs::build_for(&loaded.model, a.timeout, needs);
    let old_graphs = baseline.as_ref().map(|m| Graphs::build_for(m, a.timeout, needs));
    let engine = match a.engine {
        Engine::Graph => check::Engine::Graph,
        Engine::Smt => check::Engine::Smt,
        Engine::Both => check::Engine::Both,
    };
    let options = Options {
        timeout_ms: a.timeout,
        ..Options::default()
    };
    let base = baseline.as_ref().zip(old_graphs.as_ref());
    let items = check::run(&loaded.model, &graphs, &expectations, engine, &options, base);
    match a.format {
        CheckFormat::Text => write!(out, "{}", report::check::render_text(&graphs, &items))?,
        CheckFormat::Json => writeln!(out, "{}", pretty(&report::check::render_json(&graphs, &items)))?,
        CheckFormat::Sarif => writeln!(out, "{}", pretty(&report::check::render_sarif(&graphs, &items)))?,
        CheckFormat::Junit => write!(out, "{}", report::check::render_junit(&graphs, &items))?,
        CheckFormat::Html => write!(out, "{}", html(&a.model.model, &graphs, &items))?,
    }
    if let Some(path) = &a.sarif {
        write_file(path, &pretty(&report::check::render_sarif(&graphs, &items)), err)?;
    }
    if let Some(path) = &a.junit {
        write_file(path, &report::check::render_junit(&graphs, &items), err)?;
    }
    if let Some(path) = &a.html {
        write_file(path, &html(&a.model.model, &graphs, &items), err)?;
    }
    let s = summary(&items);
    Ok(if s.errors > 0 {
        Status::Error
    } else if s.fails > 0 {
        Status::No
    } else if s.unknown > 0 {
        Status::Unknown
    } else {
        Status::Ok
    })
}

/// The HTML report, with a picture of the witnesses of every expectation that does not hold.
fn html(model: &str, graphs: &Graphs, items: &[check::Item]) -> String {
    let pictures: Vec<Option<report::html::Picture>> = items
        .iter()
        .map(|i| {
            let check::ItemResult::Decided { outcome, answer, .. } = &i.result else {
                return None;
            };
            let witnesses: Vec<&crate::answer::Witness> = answer.every_witness().collect();
            if *outcome == Outcome::Holds || i.outcome() == Some(Outcome::Holds) || witnesses.is_empty() {
                return None;
            }
            let g = graphs.for_item(&i.result)?;
            let title = format!("{}\n{}", i.expectation.name, i.expectation.query);
            Some(graphviz::svg(&crate::picture::render(g, &title, &witnesses, true)))
        })
        .collect();
    report::html::render(&format!("mlaccess check: {model}"), graphs, items, &pictures)
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn write_file(path: &Path, text: &str, err: &mut dyn Write) -> std::io::Result<()> {
    if let Err(e) = std::fs::write(path, text) {
        writeln!(err, "mlaccess: error: cannot write `{}`: {e}", path.display())?;
    }
    Ok(())
}
