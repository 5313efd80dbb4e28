//! Suites: YAML files of named expectations that must hold (`docs/queries.md`, Suites).
//!
//! ```yaml
//! - name: no-direct-storage-access
//!   query: can any user reach data of mlstore directly
//!   expect: no
//!   why: Users work with data through Azure ML only.
//! - name: only-admins-assign
//!   query: who can reach assign on rg:rg-ml
//!   expect: {only: [ml-admins]}
//! ```

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::source::de::{PathSeg, Sink, decode};
use crate::source::{self, Format, Node};

/// What an expectation expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A path exists.
    Yes,
    /// No path exists.
    No,
    /// Every listed principal is covered by these names.
    Only(Vec<String>),
    /// The listed principals are exactly those these names cover.
    Exactly(Vec<String>),
}

/// One named expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// Its name (unique in the suite).
    pub name: String,
    /// The query.
    pub query: String,
    /// What must hold.
    pub expect: Expect,
    /// Why it must hold (shown when it fails).
    pub why: Option<String>,
    /// The suite file.
    pub file: String,
    /// Where the expectation starts in the file.
    pub pos: Pos,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ExpectDto {
    Word(String),
    Set(ExpectSetDto),
}

#[derive(Deserialize)]
struct ExpectSetDto {
    only: Option<Vec<String>>,
    exactly: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ExpectationDto {
    name: String,
    query: String,
    expect: serde::de::IgnoredAny,
    why: Option<String>,
}

/// Parses a suite. Every problem is reported, positioned.
pub fn load(file: &str, text: &str) -> Result<Vec<Expectation>, Diagnostics> {
    let root = source::parse(text, Format::from_path(file)).map_err(|d| Diagnostics::from(d.in_file(file)))?;
    let mut diags = Diagnostics::new();
    let mut out = Vec::new();
    let items: &[Node] = match root.as_seq() {
        Some(items) => items,
        None if root.is_null() => &[],
        None => {
            diags.push(
                Diagnostic::error(
                    "invalid-suite",
                    format!("expected a list of expectations, found {}", root.describe()),
                )
                .with_pos(root.pos)
                .in_file(file)
                .with_help("a suite is a YAML list of `{name, query, expect, why}`"),
            );
            return Err(diags);
        }
    };
    let sink = Sink::default();
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("[{i}]");
        let seg = PathSeg::Root(&prefix);
        let dto: ExpectationDto = match decode(item, &seg, &sink) {
            Ok(d) => d,
            Err(e) => {
                diags.push(e.into_diagnostic().in_file(file));
                continue;
            }
        };
        let expect_node = item.get("expect");
        let expect = match expect_node.map(|n| decode::<ExpectDto>(n, &PathSeg::Key(&seg, "expect"), &sink)) {
            Some(Ok(ExpectDto::Word(w))) if w.eq_ignore_ascii_case("yes") => Some(Expect::Yes),
            Some(Ok(ExpectDto::Word(w))) if w.eq_ignore_ascii_case("no") => Some(Expect::No),
            Some(Ok(ExpectDto::Set(ExpectSetDto {
                only: Some(o),
                exactly: None,
            }))) => Some(Expect::Only(o)),
            Some(Ok(ExpectDto::Set(ExpectSetDto {
                only: None,
                exactly: Some(e),
            }))) => Some(Expect::Exactly(e)),
            _ => None,
        };
        let Some(expect) = expect else {
            let pos = expect_node.map_or(item.pos, |n| n.pos);
            diags.push(
                Diagnostic::error(
                    "invalid-expect",
                    "`expect` must be `yes`, `no`, `{only: [...]}` or `{exactly: [...]}`",
                )
                .at(format!("{prefix}.expect"))
                .with_pos(pos)
                .in_file(file),
            );
            continue;
        };
        if out.iter().any(|e: &Expectation| e.name == dto.name) {
            diags.push(
                Diagnostic::error(
                    "duplicate-name",
                    format!("expectation `{}` is declared twice", dto.name),
                )
                .at(format!("{prefix}.name"))
                .with_pos(item.get("name").map_or(item.pos, |n| n.pos))
                .in_file(file),
            );
            continue;
        }
        let _ = dto.expect;
        out.push(Expectation {
            name: dto.name,
            query: dto.query,
            expect,
            why: dto.why,
            file: file.to_string(),
            pos: item.pos,
        });
    }
    for d in sink.into_inner() {
        diags.push(d.in_file(file));
    }
    if diags.has_errors() { Err(diags) } else { Ok(out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let s = load(
            "s.yaml",
            "- {name: a, query: 'can x reach use w', expect: no, why: because}\n\
             - {name: b, query: 'who can reach use w', expect: {only: [g]}}\n\
             - {name: c, query: 'who can reach use w', expect: {exactly: [g, h]}}\n\
             - {name: d, query: 'can x reach use w', expect: yes}\n",
        )
        .unwrap();
        assert_eq!(
            s.iter().map(|e| e.expect.clone()).collect::<Vec<_>>(),
            vec![
                Expect::No,
                Expect::Only(vec!["g".into()]),
                Expect::Exactly(vec!["g".into(), "h".into()]),
                Expect::Yes
            ]
        );
        assert_eq!(s[0].why.as_deref(), Some("because"));
    }

    #[test]
    fn problems_are_positioned() {
        let e = load(
            "s.yaml",
            "- {name: a, query: q, expect: maybe}\n- {name: a, qeury: q, expect: no}\n",
        )
        .unwrap_err();
        let msgs: Vec<String> = e
            .iter()
            .map(|d| format!("{}:{}", d.pos.map_or(0, |p| p.line), d.message))
            .collect();
        assert!(msgs.iter().any(|m| m.starts_with("1:`expect` must be")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("2:unknown key `qeury`")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.starts_with("2:missing required key `query`")),
            "{msgs:?}"
        );
    }
}
