//! Building model trees: nodes made by an importer carry the position of the export value they come
//! from, so a problem the loader finds in an imported model points into the export.

use crate::diag::Pos;
use crate::source::{Key, Node, NodeKind};

/// A string scalar.
pub fn text(value: &str, pos: Pos) -> Node {
    Node {
        pos,
        kind: NodeKind::Scalar {
            text: value.to_string(),
            plain: false,
        },
    }
}

/// A boolean scalar.
pub fn boolean(value: bool, pos: Pos) -> Node {
    Node {
        pos,
        kind: NodeKind::Scalar {
            text: value.to_string(),
            plain: true,
        },
    }
}

/// A number scalar.
pub fn number(value: u64, pos: Pos) -> Node {
    Node {
        pos,
        kind: NodeKind::Scalar {
            text: value.to_string(),
            plain: true,
        },
    }
}

/// A sequence.
pub fn seq(items: Vec<Node>, pos: Pos) -> Node {
    Node {
        pos,
        kind: NodeKind::Seq(items),
    }
}

/// A mapping built key by key; absent values are left out.
#[derive(Debug, Clone)]
pub struct MapBuilder {
    pos: Pos,
    entries: Vec<(Key, Node)>,
}

impl MapBuilder {
    /// An empty mapping at `pos`.
    pub fn new(pos: Pos) -> Self {
        MapBuilder {
            pos,
            entries: Vec::new(),
        }
    }

    /// Adds `key: value`.
    pub fn set(mut self, key: &str, value: Node) -> Self {
        self.put(key, value);
        self
    }

    /// Adds `key: value` when there is a value.
    pub fn opt(mut self, key: &str, value: Option<Node>) -> Self {
        if let Some(v) = value {
            self.put(key, v);
        }
        self
    }

    /// Adds `key: value` in place.
    pub fn put(&mut self, key: &str, value: Node) {
        self.entries.push((
            Key {
                pos: value.pos,
                text: key.to_string(),
            },
            value,
        ));
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The mapping.
    pub fn done(self) -> Node {
        Node {
            pos: self.pos,
            kind: NodeKind::Map(self.entries),
        }
    }
}

/// Case-insensitive lookup of a key in a JSON object.
pub fn field<'n>(n: &'n Node, key: &str) -> Option<&'n Node> {
    n.as_map()?
        .iter()
        .find(|(k, _)| k.text.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A string at a path of keys (case-insensitive), e.g. `["properties", "publicNetworkAccess"]`.
pub fn str_at<'n>(n: &'n Node, path: &[&str]) -> Option<&'n str> {
    node_at(n, path)?.as_str()
}

/// The node at a path of keys (case-insensitive); JSON null counts as absent.
pub fn node_at<'n>(n: &'n Node, path: &[&str]) -> Option<&'n Node> {
    let mut cur = n;
    for k in path {
        cur = field(cur, k)?;
    }
    (!cur.is_null()).then_some(cur)
}

/// A string node copied from the input (keeping its position), when present.
pub fn copy(n: &Node, path: &[&str]) -> Option<Node> {
    let v = node_at(n, path)?;
    v.as_str().map(|s| text(s, v.pos))
}

/// A boolean at a path (JSON `true`/`false`, or the strings).
pub fn bool_at(n: &Node, path: &[&str]) -> Option<bool> {
    match str_at(n, path)?.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}
