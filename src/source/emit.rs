//! Writes a `Node` tree as block-style YAML that `source::parse` reads back to the same tree (the
//! imported models): strings are double-quoted unless they are plainly safe, and plain scalars of the
//! input (numbers, booleans) stay plain.

use super::{Node, NodeKind};

const RESERVED: &[&str] = &["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"];

/// True for text that YAML reads back as the same string without quotes.
fn plain_safe(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@'))
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str())
}

/// True for a plain scalar that YAML reads as a number or a boolean.
fn typed(text: &str) -> bool {
    matches!(text, "true" | "false") || text.parse::<i64>().is_ok() || text.parse::<f64>().is_ok_and(f64::is_finite)
}

fn scalar(text: &str, plain: bool) -> String {
    if (plain && typed(text)) || plain_safe(text) {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
    }
}

fn key(text: &str) -> String {
    if plain_safe(text) {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
    }
}

/// A node that fits on the line after `key:` or `- `.
fn inline(n: &Node) -> Option<String> {
    match &n.kind {
        NodeKind::Null => Some("null".into()),
        NodeKind::Scalar { text, plain } => Some(scalar(text, *plain)),
        NodeKind::Seq(items) if items.is_empty() => Some("[]".into()),
        NodeKind::Map(entries) if entries.is_empty() => Some("{}".into()),
        NodeKind::Seq(items) if items.iter().all(|i| matches!(i.kind, NodeKind::Scalar { .. })) => {
            let parts: Vec<String> = items.iter().filter_map(inline).collect();
            let line = format!("[{}]", parts.join(", "));
            (line.len() <= 100).then_some(line)
        }
        _ => None,
    }
}

fn write(out: &mut String, n: &Node, indent: usize) {
    let pad = " ".repeat(indent);
    match &n.kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                match inline(v) {
                    Some(text) => out.push_str(&format!("{pad}{}: {text}\n", key(&k.text))),
                    None => {
                        out.push_str(&format!("{pad}{}:\n", key(&k.text)));
                        let child = if matches!(v.kind, NodeKind::Seq(_)) {
                            indent
                        } else {
                            indent + 2
                        };
                        write(out, v, child);
                    }
                }
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                match inline(item) {
                    Some(text) => out.push_str(&format!("{pad}- {text}\n")),
                    None => {
                        let mut inner = String::new();
                        write(&mut inner, item, indent + 2);
                        // The first line of the item goes after the dash.
                        let body = inner.get(indent + 2..).unwrap_or_default();
                        out.push_str(&format!("{pad}- {body}"));
                    }
                }
            }
        }
        _ => {
            if let Some(text) = inline(n) {
                out.push_str(&format!("{pad}{text}\n"));
            }
        }
    }
}

/// The tree as JSON: plain scalars that read as numbers or booleans stay typed, everything else is a
/// string.
pub fn json(n: &Node) -> serde_json::Value {
    use serde_json::Value;
    match &n.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Scalar { text, plain } => {
            if *plain {
                if let Ok(b) = text.parse::<bool>() {
                    return Value::Bool(b);
                }
                if let Ok(i) = text.parse::<i64>() {
                    return Value::from(i);
                }
                if let Some(f) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                    return Value::Number(f);
                }
            }
            Value::String(text.clone())
        }
        NodeKind::Seq(items) => Value::Array(items.iter().map(json).collect()),
        NodeKind::Map(entries) => Value::Object(entries.iter().map(|(k, v)| (k.text.clone(), json(v))).collect()),
    }
}

/// The tree as YAML.
pub fn yaml(n: &Node) -> String {
    match inline(n) {
        Some(text) if !matches!(n.kind, NodeKind::Map(_)) || text == "{}" => format!("{text}\n"),
        _ => {
            let mut out = String::new();
            write(&mut out, n, 0);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::yaml;
    use crate::source::{Format, Node, NodeKind, parse};

    fn same(a: &Node, b: &Node) -> bool {
        match (&a.kind, &b.kind) {
            (NodeKind::Null, NodeKind::Null) => true,
            (NodeKind::Scalar { text: x, .. }, NodeKind::Scalar { text: y, .. }) => x == y,
            (NodeKind::Seq(x), NodeKind::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
            (NodeKind::Map(x), NodeKind::Map(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|((k, v), (l, w))| k.text == l.text && same(v, w))
            }
            _ => false,
        }
    }

    #[test]
    fn round_trips() {
        for text in [
            include_str!("../../models/contoso-ml.yaml"),
            include_str!("../../models/minimal.yaml"),
            "a: {}\nb: []\nc: ~\nd: '0012'\ne: 'true'\nf: true\ng: 1.5\nh: [1, x, 'y z']\ni: \"quote \\\" and \\\\ slash\"\nj:\n  - - nested\n    - seq\n  - {k: v}\n",
        ] {
            let tree = parse(text, Format::Yaml).unwrap();
            let written = yaml(&tree);
            let back = parse(&written, Format::Yaml).unwrap_or_else(|e| panic!("{e:?}\n{written}"));
            assert!(same(&tree, &back), "round trip changed the tree:\n{written}");
        }
    }
}
