//! `mlaccess whatif MODEL --change CHANGE` and `mlaccess diff OLD NEW`.

use std::io::Write;

use super::super::args::{CompareOptions, DiffArgs, Format, ModelArg, WhatifArgs};
use super::super::exit::Status;
use super::super::input;
use super::check::load_suites;
use crate::check::{Graphs, Needs};
use crate::compare::{Difference, Network, compare};
use crate::load::change::load_changed;
use crate::model::Model;
use crate::report::{self, Color};

fn finish(
    title: &str,
    old: Model,
    new: Model,
    options: &CompareOptions,
    color: Color,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<Status> {
    let expectations = if options.suites.is_empty() {
        Vec::new()
    } else {
        match load_suites(&options.suites, color, err)? {
            Ok(e) => e,
            Err(status) => return Ok(status),
        }
    };
    // Every actor's reach is compared with the network decided, or ignored when asked; the suites
    // need what they say.
    let network = if options.ignoring_network {
        Network::Ignored
    } else {
        Network::Decided
    };
    let needs = network.needs().and(Needs::of(&expectations));
    // The suites are resolved against the models as loaded; without suites, each graph is built from
    // its model itself rather than a copy.
    let (kept, (old_graphs, new_graphs)) = if expectations.is_empty() {
        (None, Graphs::build_pair_owned(old, new, options.timeout, needs))
    } else {
        let graphs = Graphs::build_pair(&old, &new, options.timeout, needs);
        (Some((old, new)), graphs)
    };
    let (old, new) = match &kept {
        Some((old, new)) => (old, new),
        None => (old_graphs.prepared(), new_graphs.prepared()),
    };
    let d: Difference = match compare(old, &old_graphs, new, &new_graphs, &expectations, network) {
        Ok(d) => d,
        Err(problem) => {
            writeln!(
                err,
                "mlaccess: internal error: {problem}; nothing is shown. Please report this with the models."
            )?;
            return Ok(Status::Error);
        }
    };
    let Some(new_graph) = network.graph(&new_graphs) else {
        writeln!(
            err,
            "mlaccess: internal error: the graph the comparison needs was not built"
        )?;
        return Ok(Status::Error);
    };
    match options.format {
        Format::Text => write!(
            out,
            "{}",
            report::compare::render_text(title, new_graph, &d, options.witnesses)
        )?,
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report::compare::render_json(new_graph, &d)).unwrap_or_default()
        )?,
    }
    Ok(if !d.gained.is_empty() {
        Status::No
    } else if !d.unknown.is_empty() {
        Status::Unknown
    } else {
        Status::Ok
    })
}

pub fn whatif(a: &WhatifArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let model_sources = match crate::timing::stage("read", || super::read_sources(&a.model, err))? {
        Ok(s) => s,
        Err(status) => return Ok(status),
    };
    let change_source = match input::read_source(&a.change) {
        Ok(c) => c,
        Err(e) => {
            writeln!(err, "mlaccess: error: {e}")?;
            return Ok(Status::Error);
        }
    };
    // The model as it is and as changed are loaded at the same time (each from the sources alone).
    let (loaded, changed) = rayon::join(
        || crate::load::merge::load_many(&model_sources),
        || load_changed(&model_sources, &change_source),
    );
    let loaded = match super::report_loaded(&model_sources, loaded, color, err)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let changed = match changed {
        Ok(l) => l.model,
        Err(d) => {
            let refs: Vec<&crate::load::Source> = model_sources.iter().chain([&change_source]).collect();
            write!(err, "{}", super::render_problems(&d, &refs, color))?;
            writeln!(
                err,
                "mlaccess: the change cannot be applied ({} error(s)); nothing was compared",
                d.error_count()
            )?;
            return Ok(Status::Error);
        }
    };
    let title = format!("what-if: {} applied to {}", a.change, a.model.model);
    finish(&title, loaded.model, changed, &a.options, color, out, err)
}

pub fn diff(a: &DiffArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let model = |path: &str| ModelArg {
        model: path.to_string(),
        overlays: a.overlays.clone(),
    };
    let (old, _) = match super::load_model(&model(&a.old), color, err)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let (new, _) = match super::load_model(&model(&a.new), color, err)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let title = format!("diff: {} → {}", a.old, a.new);
    finish(&title, old.model, new.model, &a.options, color, out, err)
}
