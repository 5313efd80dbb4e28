//! `mlaccess query MODEL 'QUERY'`.

use std::io::Write;

use super::super::args::{Format, QueryArgs};
use super::super::exit::Status;
use crate::answer::{self, Verdict};
use crate::graph::build::build;
use crate::graph::network::AssumedOpen;
use crate::query;
use crate::report::Color;
use crate::report::answer::{render_json, render_text};
use crate::witness;

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
    let reason = if resolved.ignoring_network {
        "ignoring network"
    } else {
        "assumed open: network reasoning not applied"
    };
    let graph = build(&loaded.model, &AssumedOpen { reason });
    let answer = answer::run(&graph, &resolved, &answer::Options { paths: a.paths });
    // Every witness is replayed against the model before it is shown.
    for w in answer.witnesses.iter().chain(answer.listed.iter().map(|l| &l.witness)) {
        if let Err(problem) = witness::replay(&loaded.model, &graph, w) {
            writeln!(
                err,
                "mlaccess: internal error: a witness failed its independent replay ({problem}); the answer is not shown. \
                 Please report this with the model and the query."
            )?;
            return Ok(Status::Error);
        }
    }
    match a.format {
        Format::Text => {
            write!(out, "{}", render_text(&graph, &answer))?;
            if a.explain {
                write!(out, "{}", crate::report::rules::explain_used(&graph, &answer))?;
            }
        }
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&render_json(&graph, &answer)).unwrap_or_default()
        )?,
    }
    Ok(match answer.verdict {
        Verdict::Yes => Status::Ok,
        Verdict::No => Status::No,
        Verdict::Unknown => Status::Unknown,
    })
}
