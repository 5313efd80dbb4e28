//! A serde `Deserializer` over a positioned [`Node`], so the format's types can be plain
//! `#[derive(Deserialize)]` structs while every problem still names its line, column and field path.
//!
//! Two things differ from a generic serde format on purpose:
//! - unknown keys of a struct do not stop decoding: each one is recorded (with the nearest known key)
//!   and skipped, so a file with several typos gets all of them reported at once;
//! - a scalar is accepted where a string is wanted whatever it looks like (`id: 0123` stays `0123`),
//!   because hand-written YAML should not change meaning with quoting.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::{Key, Node, NodeKind};
use crate::diag::{Diagnostic, Pos, suggest};

/// The path from the document root to a node, as a chain on the stack (no allocation per node).
#[derive(Clone, Copy)]
pub enum PathSeg<'a> {
    /// The root of the document, or of the part being decoded, with the textual prefix of its path.
    Root(&'a str),
    /// A mapping key below a parent.
    Key(&'a PathSeg<'a>, &'a str),
    /// A sequence index below a parent.
    Index(&'a PathSeg<'a>, usize),
}

impl PathSeg<'_> {
    /// The path as text, e.g. `resources[2].properties.ssh`.
    pub fn render(&self) -> String {
        match self {
            PathSeg::Root(prefix) => (*prefix).to_string(),
            PathSeg::Key(parent, key) => {
                let p = parent.render();
                if p.is_empty() {
                    (*key).to_string()
                } else {
                    format!("{p}.{key}")
                }
            }
            PathSeg::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// A decoding problem, with the position and path where it happened once known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// What went wrong.
    pub message: String,
    /// Where, when known.
    pub pos: Option<Pos>,
    /// The field path, when known.
    pub path: Option<String>,
}

impl DeError {
    fn at(message: String, node: &Node, path: &PathSeg<'_>) -> Self {
        DeError {
            message,
            pos: Some(node.pos),
            path: Some(path.render()),
        }
    }

    /// Fills in the position and path if the error does not have them yet (errors raised by derived
    /// code, such as a missing field, are created without context).
    fn or_at(mut self, node: &Node, path: &PathSeg<'_>) -> Self {
        if self.pos.is_none() {
            self.pos = Some(node.pos);
        }
        if self.path.is_none() {
            self.path = Some(path.render());
        }
        self
    }

    /// Converts to a diagnostic.
    pub fn into_diagnostic(self) -> Diagnostic {
        let mut d = Diagnostic::error("invalid-value", self.message).at(self.path.unwrap_or_default());
        d.pos = self.pos;
        d
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            pos: None,
            path: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Self::custom(format!("missing required key `{field}`"))
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::custom(format!("expected {exp}, found {}", describe_unexpected(&unexp)))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let help = suggest::did_you_mean(variant, expected.iter().copied())
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        Self::custom(format!(
            "unknown value `{variant}`, expected one of {}{help}",
            list(expected)
        ))
    }
}

fn describe_unexpected(u: &de::Unexpected<'_>) -> String {
    match u {
        de::Unexpected::Bool(b) => format!("the boolean `{b}`"),
        de::Unexpected::Unsigned(n) => format!("the number `{n}`"),
        de::Unexpected::Signed(n) => format!("the number `{n}`"),
        de::Unexpected::Float(n) => format!("the number `{n}`"),
        de::Unexpected::Str(s) => format!("the string `{s}`"),
        de::Unexpected::Unit => "nothing (null)".to_string(),
        de::Unexpected::Seq => "a list".to_string(),
        de::Unexpected::Map => "a mapping".to_string(),
        other => other.to_string(),
    }
}

fn list(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// Where unknown-key problems are collected while decoding goes on.
pub type Sink = RefCell<Vec<Diagnostic>>;

/// Deserializes `node` as a `T`. Unknown keys are pushed to `sink`; the first shape error is returned.
pub fn decode<T: de::DeserializeOwned>(node: &Node, path: &PathSeg<'_>, sink: &Sink) -> Result<T, DeError> {
    T::deserialize(NodeDe { node, path, sink })
}

/// The deserializer for one node.
pub struct NodeDe<'a> {
    node: &'a Node,
    path: &'a PathSeg<'a>,
    sink: &'a Sink,
}

impl NodeDe<'_> {
    fn mismatch(&self, expected: &str) -> DeError {
        let found = match &self.node.kind {
            NodeKind::Scalar { text, .. } => format!("{} `{}`", self.node.describe(), shorten(text)),
            _ => self.node.describe().to_string(),
        };
        DeError::at(format!("expected {expected}, found {found}"), self.node, self.path)
    }

    fn scalar(&self) -> Option<(&str, bool)> {
        match &self.node.kind {
            NodeKind::Scalar { text, plain } => Some((text.as_str(), *plain)),
            _ => None,
        }
    }

    fn parse_number<T: std::str::FromStr>(&self, expected: &str) -> Result<T, DeError> {
        match self.scalar() {
            Some((text, true)) => text.parse::<T>().map_err(|_| self.mismatch(expected)),
            _ => Err(self.mismatch(expected)),
        }
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text.to_string()
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

macro_rules! deserialize_number {
    ($method:ident, $ty:ty, $visit:ident, $expected:literal) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let n: $ty = self.parse_number($expected)?;
            visitor
                .$visit(n)
                .map_err(|e: DeError| e.or_at(self.node, self.path))
        }
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let (node, path) = (self.node, self.path);
        let result = match &node.kind {
            NodeKind::Null => visitor.visit_unit(),
            NodeKind::Scalar { text, plain: true } => {
                if let Some(b) = parse_bool(text) {
                    visitor.visit_bool(b)
                } else if let Ok(n) = text.parse::<u64>() {
                    visitor.visit_u64(n)
                } else if let Ok(n) = text.parse::<i64>() {
                    visitor.visit_i64(n)
                } else if let Ok(n) = text.parse::<f64>() {
                    visitor.visit_f64(n)
                } else {
                    visitor.visit_str(text)
                }
            }
            NodeKind::Scalar { text, plain: false } => visitor.visit_str(text),
            NodeKind::Seq(items) => visitor.visit_seq(Seq::new(items, path, self.sink)),
            NodeKind::Map(entries) => visitor.visit_map(Map::new(entries, None, path, self.sink)),
        };
        result.map_err(|e: DeError| e.or_at(node, path))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar() {
            Some((text, true)) => match parse_bool(text) {
                Some(b) => visitor
                    .visit_bool(b)
                    .map_err(|e: DeError| e.or_at(self.node, self.path)),
                None => Err(self.mismatch("a boolean (`true` or `false`)")),
            },
            _ => Err(self.mismatch("a boolean (`true` or `false`)")),
        }
    }

    deserialize_number!(deserialize_i8, i8, visit_i8, "a small integer");
    deserialize_number!(deserialize_i16, i16, visit_i16, "an integer");
    deserialize_number!(deserialize_i32, i32, visit_i32, "an integer");
    deserialize_number!(deserialize_i64, i64, visit_i64, "an integer");
    deserialize_number!(deserialize_u8, u8, visit_u8, "an integer from 0 to 255");
    deserialize_number!(deserialize_u16, u16, visit_u16, "an integer from 0 to 65535");
    deserialize_number!(deserialize_u32, u32, visit_u32, "a non-negative integer");
    deserialize_number!(deserialize_u64, u64, visit_u64, "a non-negative integer");
    deserialize_number!(deserialize_f32, f32, visit_f32, "a number");
    deserialize_number!(deserialize_f64, f64, visit_f64, "a number");

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar() {
            Some((text, _)) => visitor
                .visit_str(text)
                .map_err(|e: DeError| e.or_at(self.node, self.path)),
            None => Err(self.mismatch("a string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_none()
        } else {
            let (node, path) = (self.node, self.path);
            visitor.visit_some(self).map_err(|e: DeError| e.or_at(node, path))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_unit()
        } else {
            Err(self.mismatch("nothing (null)"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        let (node, path) = (self.node, self.path);
        visitor
            .visit_newtype_struct(self)
            .map_err(|e: DeError| e.or_at(node, path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Seq(items) => visitor
                .visit_seq(Seq::new(items, self.path, self.sink))
                .map_err(|e: DeError| e.or_at(self.node, self.path)),
            _ => Err(self.mismatch("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Map(entries) => visitor
                .visit_map(Map::new(entries, None, self.path, self.sink))
                .map_err(|e: DeError| e.or_at(self.node, self.path)),
            _ => Err(self.mismatch("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let NodeKind::Map(entries) = &self.node.kind else {
            return Err(self.mismatch(&format!("a mapping with the keys {}", list(fields))));
        };
        for (key, _) in entries.iter() {
            if !fields.contains(&key.text.as_str()) {
                let seg = PathSeg::Key(self.path, &key.text);
                let help = suggest::did_you_mean(&key.text, fields.iter().copied())
                    .unwrap_or_else(|| format!("known keys here: {}", list(fields)));
                self.sink.borrow_mut().push(
                    Diagnostic::error("unknown-key", format!("unknown key `{}`", key.text))
                        .at(seg.render())
                        .with_pos(key.pos)
                        .with_help(help),
                );
            }
        }
        visitor
            .visit_map(Map::new(entries, Some(fields), self.path, self.sink))
            .map_err(|e: DeError| e.or_at(self.node, self.path))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.scalar() {
            Some((text, _)) => visitor
                .visit_enum(text.into_deserializer())
                .map_err(|e: DeError| e.or_at(self.node, self.path)),
            None => Err(self.mismatch("a name")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct Seq<'a> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
    path: &'a PathSeg<'a>,
    sink: &'a Sink,
}

impl<'a> Seq<'a> {
    fn new(items: &'a [Node], path: &'a PathSeg<'a>, sink: &'a Sink) -> Self {
        Seq {
            items: items.iter(),
            index: 0,
            path,
            sink,
        }
    }
}

impl<'de> SeqAccess<'de> for Seq<'_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        let seg = PathSeg::Index(self.path, self.index);
        self.index += 1;
        seed.deserialize(NodeDe {
            node,
            path: &seg,
            sink: self.sink,
        })
        .map(Some)
        .map_err(|e: DeError| e.or_at(node, &seg))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'a> {
    entries: std::slice::Iter<'a, (Key, Node)>,
    only: Option<&'static [&'static str]>,
    current: Option<&'a (Key, Node)>,
    path: &'a PathSeg<'a>,
    sink: &'a Sink,
}

impl<'a> Map<'a> {
    fn new(
        entries: &'a [(Key, Node)],
        only: Option<&'static [&'static str]>,
        path: &'a PathSeg<'a>,
        sink: &'a Sink,
    ) -> Self {
        Map {
            entries: entries.iter(),
            only,
            current: None,
            path,
            sink,
        }
    }
}

impl<'de> MapAccess<'de> for Map<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        for entry in self.entries.by_ref() {
            // Unknown keys of structs were reported already; skip them so decoding goes on.
            if self.only.is_some_and(|fields| !fields.contains(&entry.0.text.as_str())) {
                continue;
            }
            self.current = Some(entry);
            let key: de::value::StrDeserializer<'_, DeError> = entry.0.text.as_str().into_deserializer();
            return seed.deserialize(key).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((key, node)) = self.current.take() else {
            return Err(de::Error::custom("a mapping value was asked for before its key"));
        };
        let seg = PathSeg::Key(self.path, &key.text);
        seed.deserialize(NodeDe {
            node,
            path: &seg,
            sink: self.sink,
        })
        .map_err(|e: DeError| e.or_at(node, &seg))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Format, parse};
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Person {
        name: String,
        id: Option<String>,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default)]
        admin: bool,
    }

    fn run<T: de::DeserializeOwned>(yaml: &str) -> (Result<T, DeError>, Vec<Diagnostic>) {
        let node = parse(yaml, Format::Yaml).unwrap();
        let sink = Sink::default();
        let root = PathSeg::Root("people[0]");
        let result = decode::<T>(&node, &root, &sink);
        (result, sink.into_inner())
    }

    #[test]
    fn plain_numbers_are_strings_where_strings_are_wanted() {
        let (p, _) = run::<Person>("name: alice\nid: 0123\n");
        assert_eq!(p.unwrap().id.as_deref(), Some("0123"));
    }

    #[test]
    fn unknown_keys_are_all_reported_and_decoding_goes_on() {
        let (p, unknown) = run::<Person>("name: alice\nnmae: x\ntagz: []\n");
        assert_eq!(p.unwrap().name, "alice");
        let messages: Vec<_> = unknown
            .iter()
            .map(|d| (d.message.clone(), d.path.clone(), d.pos))
            .collect();
        assert_eq!(
            messages,
            vec![
                (
                    "unknown key `nmae`".to_string(),
                    "people[0].nmae".to_string(),
                    Some(Pos { line: 2, col: 1 })
                ),
                (
                    "unknown key `tagz`".to_string(),
                    "people[0].tagz".to_string(),
                    Some(Pos { line: 3, col: 1 })
                ),
            ]
        );
        assert_eq!(unknown[0].help.as_deref(), Some("did you mean `name`?"));
    }

    #[test]
    fn type_errors_name_the_field_and_position() {
        let (p, _) = run::<Person>("name: alice\nadmin: yes\n");
        let e = p.unwrap_err();
        assert_eq!(
            e.message,
            "expected a boolean (`true` or `false`), found a string `yes`"
        );
        assert_eq!(e.path.as_deref(), Some("people[0].admin"));
        assert_eq!(e.pos, Some(Pos { line: 2, col: 8 }));
    }

    #[test]
    fn missing_fields_point_at_the_mapping() {
        let (p, _) = run::<Person>("\n  id: x\n");
        let e = p.unwrap_err();
        assert_eq!(e.message, "missing required key `name`");
        assert_eq!(e.path.as_deref(), Some("people[0]"));
        assert_eq!(e.pos, Some(Pos { line: 2, col: 3 }));
    }

    #[test]
    fn list_items_have_indexed_paths() {
        let (p, _) = run::<Person>("name: a\ntags: [x, [y]]\n");
        let e = p.unwrap_err();
        assert_eq!(e.path.as_deref(), Some("people[0].tags[1]"));
        assert_eq!(e.message, "expected a string, found a list");
    }
}
