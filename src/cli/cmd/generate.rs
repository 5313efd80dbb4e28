//! `mlaccess gen --size S|M|L [--users N] [--groups G] [--workspaces W] [--seed S] -o MODEL`.

use std::io::Write;

use super::super::args::{GenArgs, GenFormat};
use super::super::exit::Status;
use crate::r#gen::{Params, generate};

pub fn run(a: &GenArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let Some(mut p) = Params::size(&a.size) else {
        writeln!(
            err,
            "mlaccess: error: unknown size `{}`; the sizes are S, M and L",
            a.size
        )?;
        return Ok(Status::Error);
    };
    p.users = a.users.unwrap_or(p.users);
    p.groups = a.groups.unwrap_or(p.groups);
    p.workspaces = a.workspaces.unwrap_or(p.workspaces);
    p.seed = a.seed;
    let model = generate(&p);
    let text = match a.format {
        GenFormat::Json => serde_json::to_string(&model).unwrap_or_default(),
        GenFormat::Yaml => {
            // The YAML emitter writes the positioned tree the loader reads; JSON parses into one.
            let json = serde_json::to_string(&model).unwrap_or_default();
            match crate::source::parse(&json, crate::source::Format::Json) {
                Ok(tree) => crate::source::emit::yaml(&tree),
                Err(_) => {
                    writeln!(err, "mlaccess: internal error: the generated model is not valid JSON")?;
                    return Ok(Status::Error);
                }
            }
        }
    };
    match &a.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, format!("{text}\n")) {
                writeln!(err, "mlaccess: error: cannot write `{}`: {e}", path.display())?;
                return Ok(Status::Error);
            }
            writeln!(
                err,
                "generated {} users, {} groups, {} workspaces (seed {}) into {}",
                p.users,
                p.groups,
                p.workspaces,
                p.seed,
                path.display()
            )?;
        }
        None => writeln!(out, "{text}")?,
    }
    Ok(Status::Ok)
}
