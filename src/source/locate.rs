//! The path of the value at a position (`value[3].properties.networkAcls.ipRules[1].value`): a problem
//! found in a model built from an export names the place in the export file in the export's own terms.

use super::{Node, NodeKind};
use crate::diag::Pos;

/// The path of the innermost value (or key) at `pos`; `None` when nothing starts there.
pub fn path_at(root: &Node, pos: Pos) -> Option<String> {
    let mut path = String::new();
    find(root, pos, &mut path).then_some(path)
}

fn find(n: &Node, pos: Pos, path: &mut String) -> bool {
    let here = path.len();
    match &n.kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&k.text);
                if k.pos == pos || find(v, pos, path) {
                    return true;
                }
                path.truncate(here);
            }
        }
        NodeKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                if find(item, pos, path) {
                    return true;
                }
                path.truncate(here);
            }
        }
        NodeKind::Null | NodeKind::Scalar { .. } => {}
    }
    n.pos == pos
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Format, parse};

    #[test]
    fn finds_the_innermost_value() {
        let text = "{\"value\": [\n  {\"id\": \"a\"},\n  {\"ipRules\": [{\"value\": \"'10.0.0.0/8'\"}]}\n]}\n";
        let root = parse(text, Format::Json).unwrap_or_else(|_| Node {
            pos: Pos::default(),
            kind: NodeKind::Null,
        });
        assert_eq!(
            path_at(&root, Pos { line: 3, col: 26 }).as_deref(),
            Some("value[1].ipRules[0].value")
        );
        assert_eq!(path_at(&root, Pos { line: 2, col: 3 }).as_deref(), Some("value[0]"));
        assert_eq!(path_at(&root, Pos { line: 9, col: 1 }), None);
    }
}
