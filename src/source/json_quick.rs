//! JSON text to a [`Node`] tree without positions, with `serde_json`: several times faster than the
//! positioned parse on exports of tens of megabytes, for loading a model that turns out to have no
//! problem. Positions are only needed to point at a problem, so the loader re-reads the text with
//! [`super::json::parse`] whenever anything is reported (see `load::load`).
//!
//! The tree is the one the positioned parser gives, but for positions, or there is none: the quick
//! parse declines (returns `None`) on anything whose text it cannot keep exactly (a negative, a
//! fraction, an exponent, an integer beyond 64 bits), on a duplicate key, on comments or trailing
//! commas (which `serde_json` rejects), and on any syntax error.

use std::fmt;

use serde::Deserializer as _;
use serde::de::{self, MapAccess, SeqAccess, Visitor};

use super::{Key, Node, NodeKind};
use crate::diag::Pos;

/// The tree of a JSON document, or `None` where only the positioned parser may answer.
pub fn parse(text: &str) -> Option<Node> {
    let mut de = serde_json::Deserializer::from_str(text);
    let node = (&mut de).deserialize_any(NodeVisitor).ok()?;
    de.end().ok()?;
    Some(node)
}

/// Builds a node from whatever `serde_json` reads; an error means "let the positioned parser decide".
struct NodeVisitor;

/// A node without a position.
fn node(kind: NodeKind) -> Node {
    Node {
        pos: Pos::default(),
        kind,
    }
}

fn scalar(text: String, plain: bool) -> Node {
    node(NodeKind::Scalar { text, plain })
}

/// A node read by [`NodeVisitor`] (a type of its own, so that `Node` itself does not look like it
/// deserializes any JSON).
struct Quick(Node);

impl<'de> de::Deserialize<'de> for Quick {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Quick, D::Error> {
        deserializer.deserialize_any(NodeVisitor).map(Quick)
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(scalar(v.to_string(), true))
    }

    // A JSON integer without a sign has one spelling (no leading zeros, no `+`), so its text is
    // exactly what `u64` prints.
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(scalar(v.to_string(), true))
    }

    // `-0` cannot be told from `0` here, nor (below) `1.0` from `1` or `1e3` from `1000`: the
    // positioned parser keeps the text as written.
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
        Err(E::custom("a negative number: left to the positioned parser"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
        Err(E::custom("a fraction or exponent: left to the positioned parser"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(scalar(v.to_string(), false))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(scalar(v, false))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(node(NodeKind::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Quick(item)) = seq.next_element::<Quick>()? {
            items.push(item);
        }
        // `serde_json` gives no length ahead, and the spare room of a grown list would outlive it.
        items.shrink_to_fit();
        Ok(node(NodeKind::Seq(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        while let Some(text) = map.next_key::<String>()? {
            if entries.iter().any(|(k, _)| k.text == text) {
                return Err(de::Error::custom("a duplicate key: left to the positioned parser"));
            }
            let Quick(value) = map.next_value::<Quick>()?;
            entries.push((
                Key {
                    pos: Pos::default(),
                    text,
                },
                value,
            ));
        }
        entries.shrink_to_fit();
        Ok(node(NodeKind::Map(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree with every position set to the default, to compare with the quick one.
    fn unpositioned(mut n: Node) -> Node {
        n.pos = Pos::default();
        n.kind = match n.kind {
            NodeKind::Seq(items) => NodeKind::Seq(items.into_iter().map(unpositioned).collect()),
            NodeKind::Map(entries) => NodeKind::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                pos: Pos::default(),
                                text: k.text,
                            },
                            unpositioned(v),
                        )
                    })
                    .collect(),
            ),
            other => other,
        };
        n
    }

    #[test]
    fn gives_the_positioned_tree_without_positions() {
        let text = r#"{"a": [1, "x", true, null, {"b": "\u00e9\n", "c": []}], "d": {}, "e": 18446744073709551615}"#;
        let quick = parse(text);
        let positioned = super::super::json::parse(text).ok().map(unpositioned);
        assert!(quick.is_some());
        assert_eq!(quick, positioned);
    }

    #[test]
    fn declines_what_it_cannot_keep_exactly() {
        for text in [
            r#"{"a": -1}"#,
            r#"{"a": -0}"#,
            r#"{"a": 1.0}"#,
            r#"{"a": 1e3}"#,
            r#"{"a": 18446744073709551616}"#,
            r#"{"a": 1, "a": 2}"#,
            "{\"a\": 1 // note\n}",
            r#"{"a": [1,],}"#,
            r#"{"a": }"#,
            r#"{"a": 1} trailing"#,
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
