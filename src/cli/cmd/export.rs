//! `mlaccess export MODEL --format yaml|json|bloodhound`.

use std::io::Write;

use super::super::args::{ExportArgs, ExportFormat};
use super::super::exit::Status;
use crate::load;
use crate::report::Color;
use crate::source::emit;

pub fn run(a: &ExportArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    if let Some(o) = &a.output
        && let Some(clash) = std::iter::once(&a.model.model)
            .chain(&a.model.overlays)
            .find(|p| super::super::input::same_file(std::path::Path::new(p), o))
    {
        writeln!(
            err,
            "mlaccess: error: `-o {}` is one of the inputs ({clash}); inputs are never overwritten",
            o.display()
        )?;
        return Ok(Status::Error);
    }
    // The model must load before anything is written, whatever the form.
    let (loaded, _) = match super::load_model(&a.model, color, err)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let text = match a.format {
        ExportFormat::Yaml | ExportFormat::Json => {
            let sources = match super::read_sources(&a.model, err)? {
                Ok(s) => s,
                Err(status) => return Ok(status),
            };
            let tree = match load::merge::merge_sources(&sources) {
                Ok(t) => t,
                Err(d) => {
                    writeln!(
                        err,
                        "mlaccess: error: {} problems merging the model files",
                        d.error_count()
                    )?;
                    return Ok(Status::Error);
                }
            };
            if a.format == ExportFormat::Yaml {
                emit::yaml(&tree)
            } else {
                format!(
                    "{}\n",
                    serde_json::to_string_pretty(&emit::json(&tree)).unwrap_or_default()
                )
            }
        }
        ExportFormat::Bloodhound => {
            let g = crate::check::Graphs::decided(&loaded.model, a.timeout);
            let doc = crate::export::bloodhound::opengraph(&g);
            format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())
        }
    };
    match &a.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                writeln!(err, "mlaccess: error: cannot write `{}`: {e}", path.display())?;
                return Ok(Status::Error);
            }
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(Status::Ok)
}
