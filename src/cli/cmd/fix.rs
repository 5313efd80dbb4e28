//! `mlaccess fix MODEL SUITE...`.

use std::fmt::Write as _;
use std::io::Write;

use serde_json::json;

use super::super::args::{FixArgs, Format};
use super::super::exit::Status;
use super::check::load_suites;
use crate::fix::{Fix, FixError, fix};
use crate::model::Model;
use crate::report::Color;

/// The change file with a header that says what it does and how to check it.
fn annotated(a: &FixArgs, m: &Model, f: &Fix) -> String {
    let mut out = format!(
        "# mlaccess fix for {}: {} removal{} ({} round{} of propose and check).\n",
        a.model.model,
        f.removals.len(),
        if f.removals.len() == 1 { "" } else { "s" },
        f.rounds,
        if f.rounds == 1 { "" } else { "s" }
    );
    for (c, why) in &f.removals {
        let _ = writeln!(out, "#   - {} (for {})", c.text(m), why.join(", "));
    }
    if !f.fixed.is_empty() {
        let _ = writeln!(out, "# After it, these hold: {}.", f.fixed.join(", "));
    }
    for (name, why) in &f.unfixable {
        let _ = writeln!(out, "# Not fixed by removals: {name}: {why}.");
    }
    if !f.unknown.is_empty() {
        let _ = writeln!(out, "# Undecided, not considered: {}.", f.unknown.join(", "));
    }
    let _ = writeln!(
        out,
        "# Check it: mlaccess whatif {}{} --change THIS_FILE {}",
        a.model.model,
        a.model
            .overlays
            .iter()
            .map(|o| format!(" --overlay {o}"))
            .collect::<String>(),
        a.suites.join(" ")
    );
    out.push_str(&f.change);
    out
}

pub fn run(a: &FixArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let (loaded, _) = match super::load_model(&a.model, color, err)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let sources = match super::read_sources(&a.model, err)? {
        Ok(s) => s,
        Err(status) => return Ok(status),
    };
    let expectations = match load_suites(&a.suites, color, err)? {
        Ok(e) => e,
        Err(status) => return Ok(status),
    };
    let f = match fix(&sources, &loaded.model, &expectations, a.timeout) {
        Ok(f) => f,
        Err(FixError::Unknown(why)) => {
            writeln!(err, "mlaccess: no fix was found: the solver gave up ({why})")?;
            return Ok(Status::Unknown);
        }
        Err(FixError::Change(why)) => {
            writeln!(
                err,
                "mlaccess: internal error: {why}. Please report this with the model."
            )?;
            return Ok(Status::Error);
        }
    };
    let text = match a.format {
        Format::Text => annotated(a, &loaded.model, &f),
        Format::Json => {
            let v = json!({
                "schema": "mlaccess/fix/v1",
                "removals": f.removals.iter().map(|(c, why)| json!({
                    "removal": c.text(&loaded.model), "for": why,
                })).collect::<Vec<_>>(),
                "change": f.change,
                "fixed": f.fixed,
                "unfixable": f.unfixable.iter().map(|(n, w)| json!({"name": n, "why": w})).collect::<Vec<_>>(),
                "unknown": f.unknown,
                "rounds": f.rounds,
            });
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
    };
    match &a.output {
        None => out.write_all(text.as_bytes())?,
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                writeln!(err, "mlaccess: error: cannot write `{}`: {e}", path.display())?;
                return Ok(Status::Error);
            }
        }
    }
    writeln!(
        err,
        "mlaccess: {} removal{} fix {} expectation{}; {} cannot be fixed by removals",
        f.removals.len(),
        if f.removals.len() == 1 { "" } else { "s" },
        f.fixed.len(),
        if f.fixed.len() == 1 { "" } else { "s" },
        f.unfixable.len()
    )?;
    Ok(if !f.unfixable.is_empty() {
        Status::No
    } else if !f.unknown.is_empty() {
        Status::Unknown
    } else {
        Status::Ok
    })
}
