//! Reading AzureHound files into records. AzureHound writes `{"data": [records…], "meta": {"type": "azure",
//! "version": 5, "count": N}}` with one record per line (`sinks/file.go`), and one record per line without
//! the wrapper on standard output; a single record (`{"kind": …, "data": …}`) is read too.

use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::import::build::{field, str_at};
use crate::load::Source;
use crate::source::{self, Node, NodeKind, origin};

/// One AzureHound record.
#[derive(Debug, Clone)]
pub struct Record {
    /// `AZUser`, `AZKeyVaultRoleAssignment`, ...
    pub kind: String,
    /// The record's `data` object.
    pub data: Node,
    /// Where the record starts.
    pub pos: Pos,
}

/// The records of one file (positions marked with the file's index) and warnings about records left
/// out; or the errors that make the file unreadable.
pub fn read(f: &Source, index: usize) -> Result<(Vec<Record>, Diagnostics), Diagnostics> {
    let mut warnings = Diagnostics::new();
    let mut out = Vec::new();
    match source::parse(&f.text, f.format) {
        Ok(mut root) => {
            origin::mark(&mut root, index);
            document(&root, &f.name, &mut out, &mut warnings)?;
        }
        Err(whole) => {
            let mut errors = Diagnostics::new();
            if !lines(f, index, &mut out, &mut warnings, &mut errors) {
                errors = Diagnostics::new();
                let early = whole.message.contains("unterminated") || whole.message.contains("end of file");
                let help = early.then(|| {
                    "the file ends before its records do: was the collection stopped before it finished?".to_string()
                });
                errors.push(whole.with_optional_help(help).in_file(&f.name));
            }
            if errors.has_errors() {
                return Err(errors);
            }
        }
    }
    Ok((out, warnings))
}

/// The records of a whole document.
fn document(root: &Node, file: &str, out: &mut Vec<Record>, warnings: &mut Diagnostics) -> Result<(), Diagnostics> {
    let not_azurehound = |pos: Pos, what: &str| {
        let mut d = Diagnostics::new();
        let (real, _) = origin::unmark(pos);
        d.push(
            Diagnostic::error("import", format!("not AzureHound output: {what}"))
                .with_pos(real)
                .in_file(file)
                .with_help("AzureHound writes `{\"data\": [{\"kind\": \"AZUser\", \"data\": {…}}, …], \"meta\": {\"type\": \"azure\", …}}`"),
        );
        d
    };
    if let Some(items) = root.as_seq() {
        for item in items {
            record(item, out, warnings);
        }
        return Ok(());
    }
    if root.as_map().is_none() {
        return Err(not_azurehound(root.pos, "the document is not a JSON object"));
    }
    if field(root, "kind").is_some() {
        record(root, out, warnings);
        return Ok(());
    }
    if let Some(kind) = str_at(root, &["meta", "type"])
        && !kind.eq_ignore_ascii_case("azure")
    {
        let pos = field(root, "meta").map_or(root.pos, |m| m.pos);
        return Err(not_azurehound(
            pos,
            &format!("`meta.type` is `{kind}` (SharpHound's output is not read here), not `azure`"),
        ));
    }
    let Some(items) = field(root, "data").and_then(Node::as_seq) else {
        return Err(not_azurehound(root.pos, "no `data` list of records"));
    };
    for item in items {
        record(item, out, warnings);
    }
    if let Some(count) = field(root, "meta").and_then(|m| field(m, "count"))
        && let Some(n) = count.as_str().and_then(|c| c.parse::<usize>().ok())
        && n != items.len()
    {
        warnings.push(
            Diagnostic::warning(
                "import",
                format!(
                    "`meta.count` says {n} records but the file holds {}; the collection may be incomplete",
                    items.len()
                ),
            )
            .with_pos(count.pos),
        );
    }
    Ok(())
}

/// One record per line (AzureHound's standard output). Returns false when the text does not look like
/// that (its first line is not a record), so the whole-document error stands.
fn lines(
    f: &Source,
    index: usize,
    out: &mut Vec<Record>,
    warnings: &mut Diagnostics,
    errors: &mut Diagnostics,
) -> bool {
    let mut first = true;
    for (n, line) in f.text.lines().enumerate() {
        let body = line.trim_end();
        let body = body.strip_suffix(',').unwrap_or(body);
        if body.trim().is_empty() {
            continue;
        }
        let offset = u32::try_from(n).unwrap_or(u32::MAX);
        match source::parse(body, f.format) {
            Ok(mut node) => {
                if first && field(&node, "kind").is_none() {
                    return false;
                }
                first = false;
                shift(&mut node, offset);
                origin::mark(&mut node, index);
                record(&node, out, warnings);
            }
            Err(d) => {
                if first {
                    return false;
                }
                let pos = d.pos.map(|p| Pos {
                    line: p.line.saturating_add(offset),
                    col: p.col,
                });
                let mut d = d.in_file(&f.name);
                d.pos = pos;
                d.message = format!("record on line {}: {}", n + 1, d.message);
                errors.push(d);
            }
        }
    }
    !first
}

/// Moves every position of a tree down by `lines` lines.
fn shift(n: &mut Node, lines: u32) {
    n.pos.line = n.pos.line.saturating_add(lines);
    match &mut n.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|x| shift(x, lines)),
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                k.pos.line = k.pos.line.saturating_add(lines);
                shift(v, lines);
            }
        }
        NodeKind::Null | NodeKind::Scalar { .. } => {}
    }
}

/// Reads one record, or warns that it is left out.
fn record(n: &Node, out: &mut Vec<Record>, warnings: &mut Diagnostics) {
    let Some(kind) = str_at(n, &["kind"]) else {
        warnings.push(Diagnostic::warning("import", "not an AzureHound record (no `kind`); left out").with_pos(n.pos));
        return;
    };
    let Some(data) = field(n, "data").filter(|d| d.as_map().is_some()) else {
        warnings.push(
            Diagnostic::warning("import", format!("`{kind}` record without a `data` object; left out")).with_pos(n.pos),
        );
        return;
    };
    out.push(Record {
        kind: kind.to_string(),
        data: data.clone(),
        pos: n.pos,
    });
}
