//! YAML text to a positioned [`Node`] tree, built from the events of `saphyr-parser`.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::{Key, Node, NodeKind};
use crate::diag::{Diagnostic, Pos};

/// Documents deeper than this are rejected rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// Parses the first YAML document of `text`. An empty text is an empty mapping's worth: `Null`.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::default();
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let m = e.marker();
            Diagnostic::error("syntax", format!("invalid YAML: {}", e.info())).with_pos(marker_pos(m.line(), m.col()))
        })?;
        match event {
            Event::StreamEnd => break,
            Event::DocumentEnd if builder.root.is_some() => break,
            Event::DocumentStart(_) if builder.root.is_some() => {
                return Err(
                    Diagnostic::error("syntax", "a model file holds one YAML document; found a second one")
                        .with_pos(span_pos(&span)),
                );
            }
            other => builder.event(other, span)?,
        }
    }
    Ok(builder.root.unwrap_or(Node {
        pos: Pos { line: 1, col: 1 },
        kind: NodeKind::Null,
    }))
}

fn marker_pos(line: usize, col0: usize) -> Pos {
    Pos {
        line: u32::try_from(line).unwrap_or(u32::MAX).max(1),
        col: u32::try_from(col0.saturating_add(1)).unwrap_or(u32::MAX),
    }
}

fn span_pos(span: &Span) -> Pos {
    marker_pos(span.start.line(), span.start.col())
}

enum Frame {
    Seq(Pos, Vec<Node>, usize),
    Map(Pos, Vec<(Key, Node)>, Option<Key>, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, Node>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        let pos = span_pos(&span);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain && tag.is_none();
                let kind = if plain && is_null(&text) {
                    NodeKind::Null
                } else {
                    NodeKind::Scalar {
                        text: match text {
                            Cow::Borrowed(s) => s.to_string(),
                            Cow::Owned(s) => s,
                        },
                        plain,
                    }
                };
                self.value(Node { pos, kind }, anchor)
            }
            Event::SequenceStart(anchor, _) => self.open(Frame::Seq(pos, Vec::new(), anchor)),
            Event::MappingStart(anchor, _) => self.open(Frame::Map(pos, Vec::new(), None, anchor)),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(Diagnostic::error("syntax", "unbalanced YAML collection").with_pos(pos));
                };
                match frame {
                    Frame::Seq(p, items, anchor) => self.value(
                        Node {
                            pos: p,
                            kind: NodeKind::Seq(items),
                        },
                        anchor,
                    ),
                    Frame::Map(p, entries, _, anchor) => self.value(
                        Node {
                            pos: p,
                            kind: NodeKind::Map(entries),
                        },
                        anchor,
                    ),
                }
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(mut node) => {
                    node.pos = pos;
                    self.value(node, 0)
                }
                None => Err(Diagnostic::error("syntax", "alias to an unknown anchor").with_pos(pos)),
            },
            _ => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            let pos = match &frame {
                Frame::Seq(p, ..) | Frame::Map(p, ..) => *p,
            };
            return Err(
                Diagnostic::error("syntax", format!("the document nests deeper than {MAX_DEPTH} levels")).with_pos(pos),
            );
        }
        self.stack.push(frame);
        Ok(())
    }

    fn value(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq(_, items, _)) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map(_, entries, pending, _)) => match pending.take() {
                None => {
                    let text = match &node.kind {
                        NodeKind::Scalar { text, .. } => text.clone(),
                        NodeKind::Null => "null".to_string(),
                        _ => {
                            return Err(Diagnostic::error(
                                "syntax",
                                "mapping keys must be plain names, not lists or mappings",
                            )
                            .with_pos(node.pos));
                        }
                    };
                    if entries.iter().any(|(k, _)| k.text == text) {
                        return Err(Diagnostic::error("duplicate-key", format!("duplicate key `{text}`"))
                            .with_pos(node.pos)
                            .with_help("each key may appear once in a mapping"));
                    }
                    *pending = Some(Key { pos: node.pos, text });
                    Ok(())
                }
                Some(key) => {
                    entries.push((key, node));
                    Ok(())
                }
            },
        }
    }
}

/// YAML 1.2 core schema nulls.
fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}
