//! JSON text to a positioned [`Node`] tree, with `jsonc-parser` (comments and trailing commas are
//! tolerated, since hand-edited exports often have them).

use jsonc_parser::{CollectOptions, ParseOptions, ast};

use super::{Key, Node, NodeKind};
use crate::diag::{Diagnostic, Pos};

/// Documents deeper than this are rejected rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// Parses one JSON document.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let options = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let lines = LineIndex::new(text);
    let result = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
        Diagnostic::error(
            "syntax",
            format!("invalid JSON: {}", lowercase_first(&e.kind().to_string())),
        )
        .with_pos(lines.pos(e.range().start))
    })?;
    match result.value {
        Some(value) => convert(&value, &lines, 0),
        None => Ok(Node {
            pos: Pos { line: 1, col: 1 },
            kind: NodeKind::Null,
        }),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn convert(value: &ast::Value<'_>, lines: &LineIndex, depth: usize) -> Result<Node, Diagnostic> {
    let pos = lines.pos(value_start(value));
    if depth > MAX_DEPTH {
        return Err(
            Diagnostic::error("syntax", format!("the document nests deeper than {MAX_DEPTH} levels")).with_pos(pos),
        );
    }
    let kind = match value {
        ast::Value::StringLit(s) => NodeKind::Scalar {
            text: s.value.to_string(),
            plain: false,
        },
        ast::Value::NumberLit(n) => NodeKind::Scalar {
            text: n.value.to_string(),
            plain: true,
        },
        ast::Value::BooleanLit(b) => NodeKind::Scalar {
            text: b.value.to_string(),
            plain: true,
        },
        ast::Value::NullKeyword(_) => NodeKind::Null,
        ast::Value::Array(a) => NodeKind::Seq(
            a.elements
                .iter()
                .map(|e| convert(e, lines, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        ast::Value::Object(o) => {
            let mut entries: Vec<(Key, Node)> = Vec::with_capacity(o.properties.len());
            for prop in &o.properties {
                let key_pos = lines.pos(prop.range.start);
                let text = prop.name.clone().into_string();
                if entries.iter().any(|(k, _)| k.text == text) {
                    return Err(Diagnostic::error("duplicate-key", format!("duplicate key `{text}`"))
                        .with_pos(key_pos)
                        .with_help("each key may appear once in an object"));
                }
                entries.push((Key { pos: key_pos, text }, convert(&prop.value, lines, depth + 1)?));
            }
            NodeKind::Map(entries)
        }
    };
    Ok(Node { pos, kind })
}

fn value_start(value: &ast::Value<'_>) -> usize {
    match value {
        ast::Value::StringLit(s) => s.range.start,
        ast::Value::NumberLit(n) => n.range.start,
        ast::Value::BooleanLit(b) => b.range.start,
        ast::Value::NullKeyword(n) => n.range.start,
        ast::Value::Array(a) => a.range.start,
        ast::Value::Object(o) => o.range.start,
    }
}

/// Byte offset to line and column (columns in characters).
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// Whether each line is ASCII: then a column is a byte distance, found without counting characters
    /// (one-line JSON of megabytes would otherwise cost time quadratic in its length).
    ascii: Vec<bool>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii = starts
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let end = starts.get(i + 1).copied().unwrap_or(text.len());
                text.get(s..end).is_some_and(str::is_ascii)
            })
            .collect();
        LineIndex { text, starts, ascii }
    }

    fn pos(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let end = offset.min(self.text.len());
        let col = if self.ascii.get(line - 1).copied().unwrap_or(false) {
            end.saturating_sub(start)
        } else {
            self.text.get(start..end).map_or(0, |s| s.chars().count())
        };
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col + 1).unwrap_or(u32::MAX),
        }
    }
}
