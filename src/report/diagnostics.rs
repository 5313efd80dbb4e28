//! Diagnostics for people (with the offending line and a caret, by `annotate-snippets`) and for
//! machines (a JSON document with a stable shape).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use super::Color;
use crate::diag::{Diagnostic, Diagnostics, Pos, Severity};

/// Renders diagnostics for a person. `source` is the text of the file they are in, when available, so
/// the offending line can be shown.
pub fn render_human(diags: &Diagnostics, source: Option<&str>, color: Color) -> String {
    let renderer = match color {
        Color::Always => Renderer::styled(),
        Color::Never => Renderer::plain(),
    };
    let mut out = String::new();
    for d in diags.iter() {
        out.push_str(&render_one(d, source, &renderer));
        out.push('\n');
    }
    out
}

fn render_one(d: &Diagnostic, source: Option<&str>, renderer: &Renderer) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let mut title_text = d.message.clone();
    if !d.path.is_empty() {
        title_text.push_str(&format!(" (at `{}`)", d.path));
    }
    let title = level.clone().primary_title(title_text.as_str());
    let location = match d.pos {
        Some(pos) => format!("{}:{}:{}", d.file, pos.line, pos.col),
        None => d.file.clone(),
    };
    let span = match (source, d.pos) {
        (Some(text), Some(pos)) => span_at(text, pos),
        _ => None,
    };
    let mut group = match (source, span) {
        (Some(text), Some(range)) => title.element(
            Snippet::source(text)
                .path(d.file.as_str())
                .fold(true)
                .annotation(AnnotationKind::Primary.span(range)),
        ),
        _ => title.element(Level::NOTE.message(format!("in {location}"))),
    };
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    let report: [Group<'_>; 1] = [group];
    renderer.render(&report)
}

/// The byte range of the token starting at a position: up to the end of the word, quoted string or
/// line.
fn span_at(text: &str, pos: Pos) -> Option<std::ops::Range<usize>> {
    let line_start = if pos.line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(pos.line as usize - 2)
            .map(|(i, _)| i + 1)?
    };
    let line = text.get(line_start..)?.split('\n').next()?;
    let col_byte = line
        .char_indices()
        .nth(pos.col.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    let rest = line.get(col_byte..)?;
    let len = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest.get(1..).and_then(|r| r.find(q)).map_or(rest.len(), |end| end + 2),
        _ => rest
            .find(|c: char| c.is_whitespace() || c == ',' || c == ']' || c == '}')
            .unwrap_or(rest.len()),
    };
    let start = line_start + col_byte;
    Some(start..start + len.max(1).min(rest.len().max(1)))
}

/// One diagnostic in JSON.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    path: &'a str,
    help: Option<&'a str>,
}

/// Diagnostics as JSON objects (the shape documented in `docs/json-output.md`).
pub fn to_json_values(diags: &Diagnostics) -> Vec<serde_json::Value> {
    diags
        .iter()
        .map(|d| {
            serde_json::to_value(JsonDiagnostic {
                severity: d.severity.as_str(),
                code: d.code,
                message: &d.message,
                file: &d.file,
                line: d.pos.map(|p| p.line),
                column: d.pos.map(|p| p.col),
                path: &d.path,
                help: d.help.as_deref(),
            })
            .unwrap_or(serde_json::Value::Null)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_the_token() {
        let text = "a: 1\nrole: Readr\nname: \"x y\"\n";
        assert_eq!(span_at(text, Pos { line: 2, col: 7 }), Some(11..16));
        assert_eq!(text.get(11..16), Some("Readr"));
        assert_eq!(
            text.get(span_at(text, Pos { line: 3, col: 7 }).unwrap()),
            Some("\"x y\"")
        );
    }

    #[test]
    fn human_output_shows_the_line_and_the_help() {
        let text = "role: Readr\n";
        let d = Diagnostic::error("unknown-role", "unknown role `Readr`")
            .at("role")
            .with_pos(Pos { line: 1, col: 7 })
            .with_help("did you mean `Reader`?")
            .in_file("m.yaml");
        let out = render_human(&Diagnostics::from(d), Some(text), Color::Never);
        assert!(out.contains("error: unknown role `Readr` (at `role`)"), "{out}");
        assert!(out.contains("m.yaml:1:7"), "{out}");
        assert!(out.contains("^^^^^"), "{out}");
        assert!(out.contains("help: did you mean `Reader`?"), "{out}");
    }
}
