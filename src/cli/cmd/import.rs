//! `mlaccess import azure DIR... [--overlay FILE]... [-o MODEL]`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::super::args::{Format, ImportArgs, ImportInputs, ImportSource};
use super::super::exit::Status;
use super::super::input;
use super::render_problems;
use crate::diag::Diagnostics;
use crate::import::{Imported, Summary};
use crate::load::{self, Source};
use crate::report::{self, Color};
use crate::source::emit;

pub fn run(a: &ImportArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    match &a.source {
        ImportSource::Azure(i) => import(i, "azure", crate::import::azure::import, color, out, err),
        ImportSource::AzureHound(i) => import(i, "azurehound", crate::import::azurehound::import, color, out, err),
    }
}

/// Every `*.json` under the inputs (folders recursively, in name order), or the files given.
fn export_files(inputs: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for i in inputs {
        let path = Path::new(i);
        if path.is_dir() {
            let before = files.len();
            walk(path, &mut files).map_err(|e| format!("cannot read the folder `{i}`: {e}"))?;
            if files.len() == before {
                return Err(format!("the folder `{i}` holds no `*.json` file"));
            }
        } else if path.exists() {
            files.push(path.to_path_buf());
        } else {
            return Err(format!("cannot read `{i}`: no such file or folder"));
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, files)?;
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")) {
            files.push(p);
        }
    }
    Ok(())
}

fn progress(len: usize, what: &str) -> indicatif::ProgressBar {
    // Hidden when standard error is not a terminal (CI logs, pipes).
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(len as u64), indicatif::ProgressDrawTarget::stderr_with_hz(10));
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} files") {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

type Importer = fn(&[Source]) -> Result<Imported, Diagnostics>;

fn import(
    a: &ImportInputs,
    kind: &str,
    importer: Importer,
    color: Color,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<Status> {
    if a.format == Format::Json && a.output.is_none() {
        writeln!(
            err,
            "mlaccess: error: `--format json` prints the summary on standard output, so the model needs `-o FILE`"
        )?;
        return Ok(Status::Error);
    }
    let paths = match export_files(&a.inputs) {
        Ok(p) => p,
        Err(message) => {
            writeln!(err, "mlaccess: error: {message}")?;
            return Ok(Status::Error);
        }
    };
    if let Some(o) = &a.output
        && let Some(clash) = paths
            .iter()
            .map(PathBuf::as_path)
            .chain(a.overlays.iter().map(Path::new))
            .find(|p| input::same_file(p, o))
    {
        writeln!(
            err,
            "mlaccess: error: `-o {}` is one of the inputs ({}); inputs are never overwritten",
            o.display(),
            clash.display()
        )?;
        return Ok(Status::Error);
    }
    let bar = progress(paths.len(), "reading");
    let mut sources = Vec::new();
    for p in &paths {
        match input::read_source(&p.to_string_lossy()) {
            Ok(mut s) => {
                s.format = crate::source::Format::Json;
                sources.push(s);
            }
            Err(message) => {
                bar.finish_and_clear();
                writeln!(err, "mlaccess: error: {message}")?;
                return Ok(Status::Error);
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let mut overlays = Vec::new();
    for p in &a.overlays {
        match input::read_source(p) {
            Ok(s) => overlays.push(s),
            Err(message) => {
                writeln!(err, "mlaccess: error: {message}")?;
                return Ok(Status::Error);
            }
        }
    }
    let all: Vec<&Source> = sources.iter().chain(&overlays).collect();
    let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();

    let imported = match importer(&sources) {
        Ok(i) => i,
        Err(diags) => return failed(&diags, &all, "the export", color, err),
    };
    // The import alone must load: its problems point into the export files.
    let export_names = names.get(..sources.len()).unwrap_or(&names);
    if let Err(diags) = load::merge::load_marked(&imported.tree, export_names) {
        return failed(
            &in_export_terms(&diags, &sources),
            &all,
            "the imported model",
            color,
            err,
        );
    }
    let tree = if overlays.is_empty() {
        imported.tree.clone()
    } else {
        match load::merge::merge_onto(Some(imported.tree.clone()), &names, &overlays) {
            Ok(t) => t,
            Err(diags) => return failed(&diags, &all, "the overlays", color, err),
        }
    };
    let loaded = match load::merge::load_marked(&tree, &names) {
        Ok(l) => l,
        Err(diags) => {
            let diags = in_export_terms(&diags, &sources);
            return failed(&diags, &all, "the import with its overlays", color, err);
        }
    };

    let text = format!(
        "# Imported by `mlaccess import {kind}` from {} export file{}{}.\n{}",
        sources.len(),
        if sources.len() == 1 { "" } else { "s" },
        if overlays.is_empty() {
            String::new()
        } else {
            format!(", with {} merged over it", a.overlays.join(", "))
        },
        emit::yaml(&tree)
    );
    // The written model must read back as the same model; anything else is a defect, never a model.
    let name = a
        .output
        .as_ref()
        .map_or_else(|| "<stdout>".to_string(), |o| o.display().to_string());
    let written = Source::new(format!("{name}.yaml"), text.clone());
    if let Err(diags) = load::load(&written) {
        writeln!(
            err,
            "mlaccess: internal error: the model written does not read back ({} problems); please report this",
            diags.error_count()
        )?;
        write!(err, "{}", render_problems(&diags, &[&written], color))?;
        return Ok(Status::Error);
    }

    match &a.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                writeln!(err, "mlaccess: error: cannot write `{}`: {e}", path.display())?;
                return Ok(Status::Error);
            }
        }
        None => out.write_all(text.as_bytes())?,
    }
    let mut warnings = imported.warnings.clone();
    warnings.extend(in_export_terms(&loaded.warnings, &sources));
    match a.format {
        Format::Json => {
            let doc = json!({
                "schema": "mlaccess/import/v1",
                "source": kind,
                "files": sources.len(),
                "overlays": a.overlays,
                "output": name,
                "counts": imported.summary.counts,
                "generic": imported.summary.generic,
                "left_out": imported.summary.left_out,
                "missing": imported.summary.missing,
                "diagnostics": report::diagnostics::to_json_values(&warnings),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
        }
        Format::Text => {
            if !warnings.is_empty() {
                write!(err, "{}", render_problems(&warnings, &all, color))?;
            }
            write!(err, "{}", summary_text(&imported.summary, sources.len(), &name))?;
        }
    }
    Ok(Status::Ok)
}

/// Says where, in the export's own terms, each problem found in the imported model is: the export's
/// JSON path becomes the diagnostic's path, and the model field it became is named in the message.
fn in_export_terms(diags: &Diagnostics, exports: &[Source]) -> Diagnostics {
    let mut out = diags.clone();
    let mut trees: Vec<Option<crate::source::Node>> = vec![None; exports.len()];
    for d in out.iter_mut() {
        let (Some(pos), Some(i)) = (d.pos, exports.iter().position(|s| s.name == d.file)) else {
            continue;
        };
        let (Some(slot), Some(source)) = (trees.get_mut(i), exports.get(i)) else {
            continue;
        };
        if slot.is_none() {
            *slot = crate::source::parse(&source.text, source.format).ok();
        }
        if let Some(path) = slot.as_ref().and_then(|t| crate::source::locate::path_at(t, pos)) {
            if !d.path.is_empty() {
                d.message.push_str(&format!(" (model field `{}`)", d.path));
            }
            d.path = path;
        }
    }
    out
}

fn failed(
    diags: &Diagnostics,
    all: &[&Source],
    what: &str,
    color: Color,
    err: &mut dyn Write,
) -> std::io::Result<Status> {
    write!(err, "{}", render_problems(diags, all, color))?;
    writeln!(
        err,
        "mlaccess: {} in {what}; no model was written",
        match diags.error_count() {
            1 => "1 error".to_string(),
            n => format!("{n} errors"),
        }
    )?;
    Ok(Status::Error)
}

/// At most this many items of a list are shown; the JSON summary has them all.
const SHOWN: usize = 12;

fn summary_text(s: &Summary, files: usize, output: &str) -> String {
    let mut t = format!("imported {files} export file(s) into {output}:\n");
    for (kind, n) in &s.counts {
        t.push_str(&format!("  {n:>5} {kind}\n"));
    }
    if !s.generic.is_empty() {
        t.push_str("kept as generic resources (RBAC on them counts; nothing else is inferred):\n");
        for (kind, n) in &s.generic {
            t.push_str(&format!("  {n:>5} {kind}\n"));
        }
    }
    for (title, list) in [
        ("left out (not in the export)", &s.left_out),
        (
            "not in any export (add it with --overlay FILE; see docs/import.md)",
            &s.missing,
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        t.push_str(&format!("{title}:\n"));
        for item in list.iter().take(SHOWN) {
            t.push_str(&format!("  - {item}\n"));
        }
        if list.len() > SHOWN {
            t.push_str(&format!(
                "  … and {} more (`--format json` lists them all)\n",
                list.len() - SHOWN
            ));
        }
    }
    t
}
