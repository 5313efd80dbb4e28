//! Reading the user's inputs: a path, or `-` for standard input. Files are only ever read.

use std::io::Read;

use crate::load::Source;
use crate::source::Format;

/// Reads a model (or other document) from a path or `-`. Standard input is read as YAML, which also
/// accepts JSON.
pub fn read_source(path: &str) -> Result<Source, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(Source {
            name: "<stdin>".to_string(),
            text,
            format: Format::Yaml,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("cannot read `{path}`: no such file"),
        std::io::ErrorKind::IsADirectory => format!("cannot read `{path}`: it is a directory, not a model file"),
        _ => format!("cannot read `{path}`: {e}"),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "cannot read `{path}`: it is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(Source::new(path, text))
}

/// True when two paths name the same existing file (an output must never overwrite an input).
pub fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
