//! One module per command. Each reads its inputs, calls the library, renders, and returns a status.

mod check;
mod compare;
mod export;
mod fix;
mod generate;

mod graph;
mod import;

mod permissions;
mod query;
mod validate;

use std::io::{IsTerminal, Write};

use super::args::{Cli, ColorChoice, Command, ModelArg};
use super::exit::Status;
use super::input;
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{self, Loaded};
use crate::report::{self, Color};

/// Runs the command.
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let color = color(cli.color);
    if cli.timings {
        crate::timing::enable();
    }
    match &cli.command {
        Command::Validate(a) => validate::run(a, color, out, err),
        Command::Permissions(a) => permissions::run(a, color, out, err),
        Command::Query(a) => query::run(a, color, out, err),
        Command::Check(a) => check::run(a, color, out, err),
        Command::Whatif(a) => compare::whatif(a, color, out, err),
        Command::Diff(a) => compare::diff(a, color, out, err),
        Command::Graph(a) => graph::run(a, color, out, err),
        Command::Fix(a) => fix::run(a, color, out, err),
        Command::Import(a) => import::run(a, color, out, err),
        Command::Export(a) => export::run(a, color, out, err),
        Command::Gen(a) => generate::run(a, out, err),
    }
}

fn color(choice: ColorChoice) -> Color {
    match choice {
        ColorChoice::Always => Color::Always,
        ColorChoice::Never => Color::Never,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            if !no_color && std::io::stderr().is_terminal() {
                Color::Always
            } else {
                Color::Never
            }
        }
    }
}

/// Renders problems, each with the text of the file it is in.
fn render_problems(diags: &Diagnostics, sources: &[&load::Source], color: Color) -> String {
    let mut out = String::new();
    for d in diags.iter() {
        let text = sources.iter().find(|s| s.name == d.file).map(|s| s.text.as_str());
        out.push_str(&report::diagnostics::render_human(
            &Diagnostics::from(d.clone()),
            text,
            color,
        ));
    }
    out
}

/// Reads a model file and its overlays.
fn read_sources(m: &ModelArg, err: &mut dyn Write) -> std::io::Result<Result<Vec<load::Source>, Status>> {
    let mut sources = Vec::new();
    for path in std::iter::once(&m.model).chain(&m.overlays) {
        match input::read_source(path) {
            Ok(s) => sources.push(s),
            Err(message) => {
                writeln!(err, "mlaccess: error: {message}")?;
                return Ok(Err(Status::Error));
            }
        }
    }
    Ok(Ok(sources))
}

/// Reads and loads a model (with its overlays merged over it); on failure prints every problem to
/// `err` and returns the status to exit with.
fn load_model(m: &ModelArg, color: Color, err: &mut dyn Write) -> std::io::Result<Result<(Loaded, String), Status>> {
    let sources = match crate::timing::stage("read", || read_sources(m, err))? {
        Ok(s) => s,
        Err(status) => return Ok(Err(status)),
    };
    let name = sources.first().map(|s| s.name.clone()).unwrap_or_default();
    let loaded = load::merge::load_many(&sources);
    Ok(report_loaded(&sources, loaded, color, err)?.map(|loaded| (loaded, name)))
}

/// Reports what loading `sources` gave (its warnings, or every problem and a summary) and returns the
/// model, or the status to exit with.
fn report_loaded(
    sources: &[load::Source],
    loaded: Result<Loaded, Diagnostics>,
    color: Color,
    err: &mut dyn Write,
) -> std::io::Result<Result<Loaded, Status>> {
    let refs: Vec<&load::Source> = sources.iter().collect();
    let name = sources.first().map(|s| s.name.clone()).unwrap_or_default();
    match loaded {
        Ok(loaded) => {
            if !loaded.warnings.is_empty() {
                write!(err, "{}", render_problems(&loaded.warnings, &refs, color))?;
            }
            Ok(Ok(loaded))
        }
        Err(diags) => {
            write!(err, "{}", render_problems(&diags, &refs, color))?;
            writeln!(err, "{}", summary(&diags, &name))?;
            Ok(Err(Status::Error))
        }
    }
}

fn summary(diags: &Diagnostics, name: &str) -> String {
    let (e, w) = (diags.error_count(), diags.warning_count());
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if w > 0 {
        format!(
            "{name}: {} and {}; the model was not loaded",
            plural(e, "error"),
            plural(w, "warning")
        )
    } else {
        format!("{name}: {}; the model was not loaded", plural(e, "error"))
    }
}

/// Prints one problem with a name the user gave on the command line.
fn usage_error(err: &mut dyn Write, d: &Diagnostic) -> std::io::Result<Status> {
    write!(err, "mlaccess: error: {}", d.message)?;
    if let Some(help) = &d.help {
        write!(err, "\n  help: {help}")?;
    }
    writeln!(err)?;
    Ok(Status::Error)
}
