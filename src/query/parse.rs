//! The query parser: words and commas, keywords case-insensitive, every error pointing at the word (by
//! column) with what was expected there.

use super::ast::{Capability, CapabilityKind, Constraint, Name, Query, QueryForm, Who};
use crate::diag::suggest;

/// A query that does not parse: the column of the offending word and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong and what was expected.
    pub message: String,
    /// 1-based column of the offending word (one past the end for "the query ended too early").
    pub col: usize,
    /// How many characters to underline.
    pub len: usize,
    /// A suggestion, when a keyword looks mistyped.
    pub help: Option<String>,
}

impl ParseError {
    /// The query with a caret line under the offending word, for terminals.
    pub fn render(&self, query: &str) -> String {
        let pad = " ".repeat(self.col.saturating_sub(1));
        let carets = "^".repeat(self.len.max(1));
        let mut out = format!("{}\n  {query}\n  {pad}{carets}", self.message);
        if let Some(h) = &self.help {
            out.push_str(&format!("\n  help: {h}"));
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    col: usize,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, c) in text.chars().enumerate() {
        if c.is_whitespace() || c == ',' {
            if !current.is_empty() {
                out.push(Token {
                    text: std::mem::take(&mut current),
                    col: start + 1,
                });
            }
            if c == ',' {
                out.push(Token {
                    text: ",".into(),
                    col: i + 1,
                });
            }
        } else {
            if current.is_empty() {
                start = i;
            }
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(Token {
            text: current,
            col: start + 1,
        });
    }
    out
}

const CAPABILITIES: &[&str] = &[
    "data-read of",
    "data-write of",
    "data of",
    "secrets of",
    "control of",
    "assign on",
    "exec on",
    "act-as",
    "invoke",
    "push to",
    "use",
];
const CONSTRAINTS: &[&str] = &["avoiding", "directly", "from", "excluding", "within", "ignoring"];
/// Channels a step may use (`docs/queries.md`).
pub const CHANNELS: &[&str] = &[
    "membership",
    "arm",
    "data",
    "credential",
    "azureml",
    "identity",
    "ssh",
    "supply-chain",
    "entra",
];

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    end_col: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_is(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.text.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn error_here(&self, expected: &str, options: &[&str]) -> ParseError {
        match self.peek() {
            Some(t) => ParseError {
                message: format!("expected {expected}, found `{}`", t.text),
                col: t.col,
                len: t.text.chars().count(),
                help: suggest::did_you_mean(&t.text, options.iter().copied()),
            },
            None => ParseError {
                message: format!("expected {expected}, but the query ends here"),
                col: self.end_col,
                len: 1,
                help: None,
            },
        }
    }

    fn expect(&mut self, word: &str) -> Result<Token, ParseError> {
        if self.peek_is(word) {
            self.next()
                .ok_or_else(|| self.error_here(&format!("`{word}`"), &[word]))
        } else {
            Err(self.error_here(&format!("`{word}`"), &[word]))
        }
    }

    fn name(&mut self, what: &str) -> Result<Name, ParseError> {
        match self.peek() {
            Some(t) if t.text != "," => {
                let t = self.next().ok_or_else(|| self.error_here(what, &[]))?;
                Ok(Name {
                    text: t.text,
                    col: t.col,
                })
            }
            _ => Err(self.error_here(what, &[])),
        }
    }

    fn name_list(&mut self, what: &str) -> Result<Vec<Name>, ParseError> {
        let mut names = vec![self.name(what)?];
        while self.peek_is(",") {
            self.next();
            names.push(self.name(what)?);
        }
        Ok(names)
    }

    fn who(&mut self) -> Result<Who, ParseError> {
        const FORMS: &[&str] = &["any", "anyone", "members", "NAME"];
        if self.peek_is("any") {
            self.next();
            let what = "`user`, `group`, `service principal`, `identity` or `principal` after `any`";
            let options = ["user", "group", "service", "identity", "principal"];
            let Some(t) = self.peek().cloned() else {
                return Err(self.error_here(what, &options));
            };
            let who = match t.text.to_lowercase().as_str() {
                "user" | "users" => Who::AnyUser,
                "group" | "groups" => Who::AnyGroup,
                "identity" | "identities" => Who::AnyIdentity,
                "principal" | "principals" => Who::AnyPrincipal,
                "service" => {
                    self.next();
                    if self.peek_is("principal") || self.peek_is("principals") {
                        return self
                            .next()
                            .map(|_| Who::AnyServicePrincipal)
                            .ok_or_else(|| self.error_here(what, &options));
                    }
                    return Err(self.error_here("`principal` after `any service`", &["principal"]));
                }
                _ => return Err(self.error_here(what, &options)),
            };
            self.next();
            return Ok(who);
        }
        if self.peek_is("anyone") {
            self.next();
            self.expect("from")?;
            return Ok(Who::AnyoneFrom(self.name("a location name after `anyone from`")?));
        }
        if self.peek_is("members") {
            self.next();
            self.expect("of")?;
            return Ok(Who::MembersOf(self.name("a group name after `members of`")?));
        }
        match self.peek() {
            Some(t) if !is_keyword(&t.text) && t.text != "," => Ok(Who::Principal(self.name("a principal")?)),
            _ => Err(self.error_here(
                "who: a principal name, `members of GROUP`, `any user`, `any group`, `any service principal`, \
                 `any identity`, `any principal` or `anyone from LOCATION`",
                FORMS,
            )),
        }
    }

    fn capability(&mut self) -> Result<Capability, ParseError> {
        let expected = "a capability: `data-read of`, `data-write of`, `data of`, `secrets of`, `control of`, \
                        `assign on`, `exec on`, `act-as`, `invoke`, `push to` or `use`";
        let first_words: Vec<&str> = CAPABILITIES.iter().map(|c| c.split(' ').next().unwrap_or(c)).collect();
        let Some(t) = self.peek().cloned() else {
            return Err(self.error_here(expected, &first_words));
        };
        let (kind, second) = match t.text.to_lowercase().as_str() {
            "data-read" => (CapabilityKind::DataRead, Some("of")),
            "data-write" => (CapabilityKind::DataWrite, Some("of")),
            "data" => (CapabilityKind::Data, Some("of")),
            "secrets" => (CapabilityKind::Secrets, Some("of")),
            "control" => (CapabilityKind::Control, Some("of")),
            "assign" => (CapabilityKind::Assign, Some("on")),
            "exec" => (CapabilityKind::Exec, Some("on")),
            "act-as" => (CapabilityKind::ActAs, None),
            "invoke" => (CapabilityKind::Invoke, None),
            "push" => (CapabilityKind::Push, Some("to")),
            "use" => (CapabilityKind::Use, None),
            _ => return Err(self.error_here(expected, &first_words)),
        };
        self.next();
        if let Some(word) = second {
            self.expect(word)?;
        }
        let object = self.name(&format!("the object of `{}`", kind.keyword()))?;
        Ok(Capability { kind, object })
    }

    fn constraints(&mut self) -> Result<Vec<Constraint>, ParseError> {
        let mut out = Vec::new();
        while let Some(t) = self.peek().cloned() {
            let c = match t.text.to_lowercase().as_str() {
                "avoiding" => {
                    self.next();
                    let names = self.name_list("a channel")?;
                    for n in &names {
                        if !CHANNELS.contains(&n.text.to_lowercase().as_str()) {
                            return Err(ParseError {
                                message: format!(
                                    "unknown channel `{}`; channels are {}",
                                    n.text,
                                    CHANNELS.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                                ),
                                col: n.col,
                                len: n.text.chars().count(),
                                help: suggest::did_you_mean(&n.text, CHANNELS.iter().copied()),
                            });
                        }
                    }
                    Constraint::Avoiding(names)
                }
                "directly" => {
                    self.next();
                    Constraint::Directly
                }
                "from" => {
                    self.next();
                    Constraint::From(self.name("a location name after `from`")?)
                }
                "excluding" => {
                    self.next();
                    Constraint::Excluding(self.name_list("a principal name")?)
                }
                "within" => {
                    self.next();
                    let Some(n) = self.peek().cloned() else {
                        return Err(self.error_here("a number of steps after `within`", &[]));
                    };
                    let Ok(steps) = n.text.parse::<u32>() else {
                        return Err(self.error_here("a number of steps after `within`", &[]));
                    };
                    if steps == 0 {
                        return Err(self.error_here("a number of steps of at least 1", &[]));
                    }
                    self.next();
                    if self.peek_is("steps") || self.peek_is("step") {
                        self.next();
                    } else {
                        return Err(self.error_here("`steps`", &["steps"]));
                    }
                    Constraint::WithinSteps(steps)
                }
                "ignoring" => {
                    self.next();
                    self.expect("network")?;
                    Constraint::IgnoringNetwork
                }
                _ => return Err(self.error_here("a constraint (`avoiding`, `directly`, `from`, `excluding`, `within`, `ignoring network`) or the end of the query", CONSTRAINTS)),
            };
            out.push(c);
        }
        Ok(out)
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word.to_lowercase().as_str(),
        "can" | "who" | "what" | "reach" | "any" | "anyone" | "members"
    )
}

/// Parses one query.
pub fn parse(text: &str) -> Result<Query, ParseError> {
    let tokens = tokenize(text);
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        end_col: text.chars().count() + 1,
    };
    let form = if p.peek_is("who") {
        p.next();
        p.expect("can")?;
        p.expect("reach")?;
        QueryForm::WhoCan(p.capability()?)
    } else if p.peek_is("what") {
        p.next();
        p.expect("can")?;
        let who = p.who()?;
        p.expect("reach")?;
        QueryForm::WhatCan(who)
    } else if p.peek_is("can") {
        p.next();
        let who = p.who()?;
        p.expect("reach")?;
        QueryForm::Can(who, p.capability()?)
    } else {
        return Err(p.error_here(
            "`can`, `who can` or `what can` at the start of a query",
            &["can", "who", "what"],
        ));
    };
    let constraints = p.constraints()?;
    Ok(Query {
        text: text.to_string(),
        form,
        constraints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Query {
        parse(text).unwrap_or_else(|e| panic!("{}", e.render(text)))
    }

    fn err(text: &str) -> String {
        parse(text).map(|q| format!("{q:?}")).unwrap_err().render(text)
    }

    #[test]
    fn every_example_of_the_spec_parses() {
        for q in [
            "can any user reach data of mlstore directly",
            "can any user reach data of mlstore avoiding azureml",
            "who can reach secrets of mlkv",
            "what can alice reach",
            "can anyone from internet reach invoke scoring",
            "can members of ml-team reach act-as mlws within 4 steps",
            "can ci-deployer reach assign on rg:rg-ml excluding break-glass",
            "CAN Any Service Principal REACH push to mlacr ignoring network from corp-vpn",
            "can alice reach exec on mlws/ci-1 avoiding azureml, supply-chain",
        ] {
            ok(q);
        }
    }

    #[test]
    fn structure() {
        let q = ok("can members of ml-team reach act-as mlws within 4 steps excluding a, b");
        assert_eq!(
            q.form,
            QueryForm::Can(
                Who::MembersOf(Name {
                    text: "ml-team".into(),
                    col: 16
                }),
                Capability {
                    kind: CapabilityKind::ActAs,
                    object: Name {
                        text: "mlws".into(),
                        col: 37
                    }
                }
            )
        );
        assert_eq!(
            q.constraints,
            vec![
                Constraint::WithinSteps(4),
                Constraint::Excluding(vec![
                    Name {
                        text: "a".into(),
                        col: 67
                    },
                    Name {
                        text: "b".into(),
                        col: 70
                    }
                ])
            ]
        );
    }

    #[test]
    fn errors_point_at_the_word() {
        assert_eq!(
            err("can alice reach dat of mlstore"),
            "expected a capability: `data-read of`, `data-write of`, `data of`, `secrets of`, `control of`, \
             `assign on`, `exec on`, `act-as`, `invoke`, `push to` or `use`, found `dat`\n  \
             can alice reach dat of mlstore\n                  ^^^\n  help: did you mean one of `data`, `data-read`, `data-write`?"
        );
        assert_eq!(
            err("can alice reach data of"),
            "expected the object of `data of`, but the query ends here\n  can alice reach data of\n                         ^"
        );
        assert!(err("can alice reach data of s avoiding azurml").contains("did you mean `azureml`?"));
        assert!(err("can alice reach data of s within x steps").contains("a number of steps"));
        assert!(err("who reach data of s").contains("expected `can`, found `reach`"));
        assert!(err("").contains("at the start of a query"));
        assert!(err("can any usr reach use w").contains("did you mean `user`?"));
    }
}
