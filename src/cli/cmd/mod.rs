//! One module per command. Each reads its inputs, calls the library, renders, and returns a status.

mod check;
mod compare;
mod fix;

mod graph;

mod permissions;
mod query;
mod validate;

use std::io::{IsTerminal, Write};

use super::args::{Cli, ColorChoice, Command};
use super::exit::Status;
use super::input;
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{self, Loaded};
use crate::report::{self, Color};

/// Runs the command.
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let color = color(cli.color);
    match &cli.command {
        Command::Validate(a) => validate::run(a, color, out, err),
        Command::Permissions(a) => permissions::run(a, color, out, err),
        Command::Query(a) => query::run(a, color, out, err),
        Command::Check(a) => check::run(a, color, out, err),
        Command::Whatif(a) => compare::whatif(a, color, out, err),
        Command::Diff(a) => compare::diff(a, color, out, err),
        Command::Graph(a) => graph::run(a, color, out, err),
        Command::Fix(a) => fix::run(a, color, out, err),
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

/// Reads and loads a model; on failure prints every problem to `err` and returns the status to exit
/// with.
fn load_model(path: &str, color: Color, err: &mut dyn Write) -> std::io::Result<Result<(Loaded, String), Status>> {
    let source = match input::read_source(path) {
        Ok(s) => s,
        Err(message) => {
            writeln!(err, "mlaccess: error: {message}")?;
            return Ok(Err(Status::Error));
        }
    };
    match load::load(&source) {
        Ok(loaded) => {
            if !loaded.warnings.is_empty() {
                write!(
                    err,
                    "{}",
                    report::diagnostics::render_human(&loaded.warnings, Some(&source.text), color)
                )?;
            }
            Ok(Ok((loaded, source.name)))
        }
        Err(diags) => {
            write!(
                err,
                "{}",
                report::diagnostics::render_human(&diags, Some(&source.text), color)
            )?;
            writeln!(err, "{}", summary(&diags, &source.name))?;
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
