//! `mlaccess graph MODEL [--focus NAME] [--depth N] [--format dot|svg]`.

use std::io::Write;

use super::super::args::{GraphArgs, PictureFormat};
use super::super::exit::Status;
use super::super::graphviz;
use crate::model::lookup;
use crate::picture::{self, neighbourhood::Focus};
use crate::report::Color;

pub fn run(a: &GraphArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let (loaded, _) = match super::load_model(&a.model, color, err)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let m = &loaded.model;
    // A name is a resource first (a workspace's name means the workspace, not its identity).
    let focus = match &a.focus {
        None => Focus::All,
        Some(name) => match (lookup::resource(m, name, &[]), lookup::principal(m, name)) {
            (Ok(r), _) => Focus::Resource(r),
            (_, Ok(p)) => Focus::Principal(p),
            (Err(_), Err(_)) => {
                writeln!(err, "mlaccess: error: no principal or resource is named `{name}`")?;
                let names: Vec<String> = m
                    .principal_ids()
                    .map(|p| m.principal(p).name.clone())
                    .chain(m.resource_ids().map(|r| m.resource_display(r)))
                    .collect();
                if let Some(help) = crate::diag::suggest::did_you_mean(name, names.iter().map(String::as_str)) {
                    writeln!(err, "  help: {help}")?;
                }
                return Ok(Status::Error);
            }
        },
    };
    let g = &crate::check::Graphs::decided(m, a.timeout);
    let paths = picture::neighbourhood::paths(g, focus, a.depth);
    let estate = m.name.clone().unwrap_or_else(|| a.model.model.clone());
    let mut title = match &a.focus {
        None => format!("{estate}: every actor's shortest paths"),
        Some(name) => match focus {
            Focus::Principal(_) => format!("{estate}: what {name} reaches"),
            _ => format!("{estate}: who reaches {name}"),
        },
    };
    title.push_str(&format!(" (depth ≤ {}; {} paths", a.depth, paths.witnesses.len()));
    if paths.deeper > 0 {
        title.push_str(&format!(", {} deeper ones left out", paths.deeper));
    }
    title.push(')');
    if !paths.unknown.is_empty() {
        title.push_str(&format!(
            ". May be incomplete: {}",
            paths.unknown.first().map_or("", String::as_str)
        ));
    }
    let refs: Vec<&crate::answer::Witness> = paths.witnesses.iter().collect();
    let dot = picture::render(g, &title, &refs, false);
    let bytes = match a.format {
        PictureFormat::Dot => dot,
        PictureFormat::Svg => match graphviz::svg(&dot) {
            Ok(svg) => svg,
            Err(message) => {
                writeln!(err, "mlaccess: error: {message}")?;
                return Ok(Status::Error);
            }
        },
    };
    match &a.output {
        None => out.write_all(bytes.as_bytes())?,
        Some(path) => {
            if let Err(e) = std::fs::write(path, bytes) {
                writeln!(err, "mlaccess: error: cannot write `{}`: {e}", path.display())?;
                return Ok(Status::Error);
            }
            writeln!(
                err,
                "mlaccess: wrote {} ({} paths)",
                path.display(),
                paths.witnesses.len()
            )?;
        }
    }
    Ok(if paths.unknown.is_empty() {
        Status::Ok
    } else {
        Status::Unknown
    })
}
