//! Which file a node came from, when a tree is put together from several files (a model and a change,
//! merged model files, the exports an importer reads). Diagnostics carry one file name and a line, so a
//! node of the `n`-th file has its line numbers moved up by `n * FILE_LINES` while it sits in the merged
//! tree; `attribute` moves every diagnostic back to its own file and line.

use super::{Node, NodeKind};
use crate::diag::{Diagnostics, Pos};

/// Lines reserved for each file (files longer than this keep their lines modulo nothing: they are
/// attributed to the next file, which no real model or export reaches).
pub const FILE_LINES: u32 = 1 << 22;

fn shift(pos: &mut Pos, file: usize) {
    let offset = u32::try_from(file).unwrap_or(u32::MAX).saturating_mul(FILE_LINES);
    pos.line = pos.line.saturating_add(offset);
}

/// Marks every node and key of a tree as coming from file number `file` (0 leaves it unchanged).
pub fn mark(n: &mut Node, file: usize) {
    if file == 0 {
        return;
    }
    shift(&mut n.pos, file);
    match &mut n.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|x| mark(x, file)),
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                shift(&mut k.pos, file);
                mark(v, file);
            }
        }
        NodeKind::Null | NodeKind::Scalar { .. } => {}
    }
}

/// The real position, and the number of the file it is in.
pub fn unmark(pos: Pos) -> (Pos, usize) {
    let file = pos.line / FILE_LINES;
    (
        Pos {
            line: pos.line % FILE_LINES,
            col: pos.col,
        },
        usize::try_from(file).unwrap_or(0),
    )
}

/// Names the file each diagnostic's position is in (`files[n]` for file number `n`) and restores its
/// line. Diagnostics without a position name `files[0]`.
pub fn attribute(diags: &mut Diagnostics, files: &[&str]) {
    for d in diags.iter_mut() {
        let file = match d.pos {
            Some(pos) => {
                let (real, file) = unmark(pos);
                d.pos = Some(real);
                file
            }
            None => 0,
        };
        if let Some(name) = files.get(file).or(files.first()) {
            d.file = (*name).to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{attribute, mark, unmark};
    use crate::diag::{Diagnostic, Diagnostics, Pos};
    use crate::source::{Format, parse};

    #[test]
    fn positions_round_trip_through_marking() {
        let mut n = parse("a:\n  b: [1, 2]\n", Format::Yaml).unwrap();
        mark(&mut n, 3);
        let inner = n.get("a").and_then(|a| a.get("b")).map(|b| b.pos);
        let (pos, file) = unmark(inner.unwrap());
        assert_eq!((pos.line, pos.col, file), (2, 6, 3));

        let mut d = Diagnostics::new();
        d.push(Diagnostic::error("x", "m").with_pos(inner.unwrap()));
        d.push(Diagnostic::error("y", "n"));
        attribute(&mut d, &["model.yaml", "a", "b", "export.json"]);
        let files: Vec<(&str, Option<Pos>)> = d.iter().map(|x| (x.file.as_str(), x.pos)).collect();
        assert_eq!(
            files,
            [("export.json", Some(Pos { line: 2, col: 6 })), ("model.yaml", None)]
        );
    }
}
