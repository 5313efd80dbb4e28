//! Source documents: YAML and JSON text parsed into one positioned tree ([`Node`]).
//!
//! Every node keeps its line and column so that any problem found later, by the decoder or by the
//! resolver, can point at the exact place in the user's file. YAML follows the 1.2 core schema for
//! plain scalars; the original text of a scalar is kept, so `id: 0123` stays the string `0123` when a
//! string is expected.

pub mod de;
pub mod emit;
mod json;
mod json_quick;
pub mod locate;
pub mod origin;
mod yaml;

use crate::diag::{Diagnostic, Pos};

/// The format of a source document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML 1.2 (which also accepts most JSON).
    Yaml,
    /// JSON (comments and trailing commas tolerated).
    Json,
}

impl Format {
    /// The format a file name implies: `.json` is JSON, anything else (and `-`, stdin) is YAML.
    pub fn from_path(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// One node of a parsed document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What the node is.
    pub kind: NodeKind,
}

/// The shape of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `null`, `~`, or an empty value.
    Null,
    /// A scalar with its original text; `plain` is false for quoted or block scalars (always strings).
    Scalar {
        /// The scalar's text, unescaped.
        text: String,
        /// True for unquoted YAML scalars and JSON numbers and booleans.
        plain: bool,
    },
    /// A sequence (array).
    Seq(Vec<Node>),
    /// A mapping (object) in document order; keys are scalars.
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Where the key is.
    pub pos: Pos,
    /// The key's text.
    pub text: String,
}

impl Node {
    /// A short description of the node's shape for error messages ("a mapping", "a list", ...).
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Null => "nothing (null)",
            NodeKind::Scalar { plain: true, text } => describe_plain(text),
            NodeKind::Scalar { plain: false, .. } => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// The entries if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value of a key in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.text == key).map(|(_, v)| v)
    }

    /// The text if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// The position of the node at a field path such as `resources[2].properties.workspace`, or of the
    /// deepest node on the way there when the path does not exist in full. Keys point at the key, so
    /// an unknown key is reported where it is written.
    pub fn pos_at_path(&self, path: &str) -> Pos {
        let mut node = self;
        let mut pos = self.pos;
        for segment in path_segments(path) {
            match segment {
                Segment::Key(name) => {
                    let Some(entries) = node.as_map() else { break };
                    let Some((k, v)) = entries.iter().find(|(k, _)| k.text == name) else {
                        break;
                    };
                    pos = if v.is_null() { k.pos } else { v.pos };
                    node = v;
                }
                Segment::Index(i) => {
                    let Some(item) = node.as_seq().and_then(|items| items.get(i)) else {
                        break;
                    };
                    pos = item.pos;
                    node = item;
                }
            }
        }
        pos
    }

    /// The position of the key (not the value) at the end of a path, when it exists.
    pub fn key_pos_at_path(&self, path: &str) -> Option<Pos> {
        let (parent, last) = match path.rfind('.') {
            Some(dot) => (path.get(..dot)?, path.get(dot + 1..)?),
            None => ("", path),
        };
        let parent_node = self.node_at_path(parent)?;
        parent_node
            .as_map()?
            .iter()
            .find(|(k, _)| k.text == last)
            .map(|(k, _)| k.pos)
    }

    /// The node at a field path, if it exists.
    pub fn node_at_path(&self, path: &str) -> Option<&Node> {
        let mut node = self;
        for segment in path_segments(path) {
            node = match segment {
                Segment::Key(name) => node.get(name)?,
                Segment::Index(i) => node.as_seq()?.get(i)?,
            };
        }
        Some(node)
    }
}

fn describe_plain(text: &str) -> &'static str {
    match text {
        "true" | "false" | "True" | "False" | "TRUE" | "FALSE" => "a boolean",
        _ if text.parse::<i64>().is_ok() => "an integer",
        _ if text.parse::<f64>().is_ok() => "a number",
        _ => "a string",
    }
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// Splits `a.b[3].c` into segments. Keys with dots cannot be addressed, which the format never needs.
fn path_segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, rest) = match part.find('[') {
            Some(i) => (part.get(..i).unwrap_or(""), part.get(i..).unwrap_or("")),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Segment::Key(name));
        }
        for index in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = index.trim_end_matches(']').parse::<usize>() {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

/// Parses a document into a positioned tree. A syntax error is one diagnostic with its position.
pub fn parse(text: &str, format: Format) -> Result<Node, Diagnostic> {
    match format {
        Format::Yaml => yaml::parse(text),
        Format::Json => json::parse(text),
    }
}

/// Parses a document into a tree without positions where that is much faster (JSON), or `None`
/// where only [`parse`] may answer: YAML, and any JSON the quick parser declines (see `json_quick`).
/// A caller that finds a problem in the tree parses again with [`parse`] to say where it is.
pub fn parse_unpositioned(text: &str, format: Format) -> Option<Node> {
    match format {
        Format::Yaml => None,
        Format::Json => json_quick::parse(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_give_the_same_tree_shape() {
        let y = parse("a: [1, 'x']\nb: {c: null}\n", Format::Yaml).unwrap();
        let j = parse("{\"a\": [1, \"x\"], \"b\": {\"c\": null}}", Format::Json).unwrap();
        assert_eq!(strip(&y), strip(&j));
    }

    fn strip(n: &Node) -> String {
        match &n.kind {
            NodeKind::Null => "null".into(),
            NodeKind::Scalar { text, plain } => format!("{text}{}", if *plain { "" } else { "'" }),
            NodeKind::Seq(items) => format!("[{}]", items.iter().map(strip).collect::<Vec<_>>().join(",")),
            NodeKind::Map(e) => format!(
                "{{{}}}",
                e.iter()
                    .map(|(k, v)| format!("{}:{}", k.text, strip(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }

    #[test]
    fn positions_point_at_values_and_keys() {
        let doc = parse("top:\n  - name: alice\n    role: Readr\n", Format::Yaml).unwrap();
        assert_eq!(doc.pos_at_path("top[0].role"), Pos { line: 3, col: 11 });
        assert_eq!(doc.key_pos_at_path("top[0].role"), Some(Pos { line: 3, col: 5 }));
        // A path that goes too deep stops at the deepest node that exists.
        assert_eq!(doc.pos_at_path("top[0].nothing.deeper"), Pos { line: 2, col: 5 });
    }

    #[test]
    fn json_positions_are_one_based() {
        let doc = parse("{\n  \"a\": [true,\n    7]\n}", Format::Json).unwrap();
        assert_eq!(doc.pos_at_path("a[1]"), Pos { line: 3, col: 5 });
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: [1, 2\nb: 3\n", Format::Yaml).unwrap_err();
        assert!(err.pos.is_some(), "{err:?}");
        let err = parse("{\"a\": }", Format::Json).unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(1));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse("a: 1\na: 2\n", Format::Yaml).unwrap_err();
        assert!(err.message.contains("duplicate key `a`"), "{err:?}");
        assert_eq!(err.pos, Some(Pos { line: 2, col: 1 }));
    }
}
