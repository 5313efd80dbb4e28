//! Azure RBAC conditions (Azure attribute-based access control, "ABAC"): parsing and
//! three-valued evaluation of the `condition` strings (condition version 2.0) that Azure role
//! assignments, and a few built-in role definitions, carry to narrow what they grant.
//!
//! The language is described in "Azure role assignment condition format and syntax",
//! <https://learn.microsoft.com/azure/role-based-access-control/conditions-format>. Where that page
//! is silent, this module follows Microsoft's Rust engine regorus (`src/languages/azure_rbac`),
//! whose evaluation vectors the tests run.
//!
//! Evaluation uses Kleene's three-valued logic ([`Truth`]) because an offline analysis rarely knows
//! every attribute a condition asks about: `False AND Unknown` is `False`, `True OR Unknown` is
//! `True`, `NOT Unknown` is `Unknown`. Nothing is guessed. An attribute the caller does not know, a
//! value of the wrong type, an unsupported function, a `null` literal or a bare identifier all make
//! the comparison that uses them `Unknown`.
//!
//! Choices made where Azure's documentation leaves room:
//!
//! - `AND` binds tighter than `OR`. Azure asks authors to parenthesise mixed chains; regorus accepts
//!   them with this precedence, and so does this module.
//! - `ActionMatches` in a condition matches segment by segment, split on `/`, where a `*` segment
//!   matches exactly one segment, as regorus does. This is deliberately not the wildcard matching of
//!   role definition `actions` (see `pattern.rs`). Segments compare ASCII case-insensitively because
//!   Azure operation names are case-insensitive everywhere else. `SubOperationMatches` is an exact,
//!   case-insensitive comparison.
//! - Attribute values are lists. A comparison without a quantifier holds when some left value
//!   satisfies the operator against some right value, so `@Principal[x] StringEquals {'a', 'b'}`
//!   means "x is one of a, b". Its negated form (`StringNotEquals` and so on) is the negation of that
//!   whole statement, so comparing an attribute that is known to be absent gives `False` for the
//!   positive operator and `True` for the negated one.
//! - With a quantifier (`ForAnyOfAnyValues:` and its three siblings) the negation applies to each
//!   pair of values, as the documentation's cross-product definitions say. "Any" over no values is
//!   `False` and "all" over no values is `True`. A bare quantifier without an operator (a regorus
//!   extension) compares values for exact equality.
//! - `GuidEquals` compares GUIDs as numbers, so case, dashes and braces do not matter: built-in roles
//!   write GUIDs both with and without dashes.
//! - `StringLike` supports `*` (any run of characters) and `?` (one character); a backslash escapes
//!   either. `StringMatches` (a regorus extension) supports a documented subset of regular expression
//!   syntax, searched anywhere in the value; anything outside the subset is `Unknown`.
//! - `DateTime*` operators take RFC 3339 timestamps, `TimeOfDay*` take `HH:MM` or `HH:MM:SS`,
//!   `Numeric*` compare as floating point numbers and accept numeric strings, `Bool*` accept
//!   `true`/`false` strings.

use std::fmt;
use std::net::IpAddr;

/// A parsed condition, ready to be evaluated any number of times.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    text: String,
    root: Node,
}

/// Why a condition could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    /// What is wrong: lowercase, without a trailing period, names in backticks.
    pub message: String,
    /// Where the problem is, in characters (not bytes) from the start of the condition text.
    pub offset: usize,
}

impl ConditionError {
    fn new(message: impl Into<String>, offset: usize) -> ConditionError {
        ConditionError {
            message: message.into(),
            offset,
        }
    }
}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.message, self.offset)
    }
}

impl std::error::Error for ConditionError {}

/// Parses a condition string.
///
/// Every keyword, operator, function and attribute source is case-insensitive. The error carries
/// the character offset of the first problem found.
pub fn parse(text: &str) -> Result<Condition, ConditionError> {
    let chars: Vec<char> = text.chars().collect();
    let tokens = lex(&chars)?;
    if tokens.is_empty() {
        return Err(ConditionError::new("the condition is empty", 0));
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
        end: chars.len(),
    };
    let root = parser.parse_or()?;
    if parser.peek().is_some() {
        return Err(ConditionError::new(
            format!(
                "expected `AND`, `OR` or the end of the condition but found {}",
                parser.describe_current()
            ),
            parser.offset(),
        ));
    }
    Ok(Condition {
        text: text.to_owned(),
        root,
    })
}

/// Three-valued result: conditions may reference attributes the caller does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// The condition certainly holds.
    True,
    /// The condition certainly does not hold.
    False,
    /// The condition depends on something that is not known.
    Unknown,
}

impl Truth {
    /// Kleene conjunction: `False` wins over `Unknown`, which wins over `True`.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            (Truth::True, Truth::True) => Truth::True,
        }
    }

    /// Kleene disjunction: `True` wins over `Unknown`, which wins over `False`.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            (Truth::False, Truth::False) => Truth::False,
        }
    }
}

impl std::ops::Not for Truth {
    type Output = Truth;

    /// Kleene negation: `Unknown` stays `Unknown`.
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

impl From<bool> for Truth {
    fn from(value: bool) -> Truth {
        if value { Truth::True } else { Truth::False }
    }
}

/// What is known about the request being authorised.
pub trait Attributes {
    /// The action being authorised (for `ActionMatches`); `None` if not known.
    fn action(&self) -> Option<&str>;
    /// The sub-operation (for `SubOperationMatches`); `None` if not known.
    fn sub_operation(&self) -> Option<&str>;
    /// Values of an attribute, e.g. source `"Request"`, name
    /// `"Microsoft.Authorization/roleAssignments:RoleDefinitionId"`.
    ///
    /// The source is one of `Request`, `Resource`, `Principal`, `Environment` or `Context`, spelled
    /// that way whatever the condition wrote; the name is the text between the brackets, trimmed.
    /// Return `None` when the attribute is unknown (the condition part then evaluates to `Unknown`),
    /// `Some(vec![])` when it is known to be absent or empty.
    fn attribute(&self, source: &str, name: &str) -> Option<Vec<Value>>;
}

/// One attribute or literal value. GUIDs, timestamps, times of day and IP addresses are strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    String(String),
    /// A number.
    Number(f64),
    /// A Boolean.
    Bool(bool),
}

impl Condition {
    /// Evaluates the condition against what is known about a request.
    pub fn evaluate(&self, attrs: &dyn Attributes) -> Truth {
        eval_node(&self.root, attrs)
    }

    /// Every attribute the condition references, as (source, name), in order of first appearance
    /// and without duplicates, for reports such as "condition not evaluated: needs @Request[...]".
    ///
    /// The action and sub-operation that `ActionMatches` and `SubOperationMatches` use are not
    /// attributes and are not listed.
    pub fn attributes(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        collect_node(&self.root, &mut out);
        out
    }

    /// The condition exactly as it was parsed.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

// ---------------------------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------------------------

/// A Boolean expression.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// Conjunction; chains are kept flat so that long conditions do not nest deeply.
    And(Vec<Node>),
    /// Disjunction, flat for the same reason.
    Or(Vec<Node>),
    Not(Box<Node>),
    /// `Exists x` or, negated, `NotExists x`.
    Exists {
        negated: bool,
        operand: Operand,
    },
    Compare(Box<Comparison>),
    /// A value used as a Boolean, such as `ActionMatches{'...'}` or `true`.
    Operand(Operand),
}

#[derive(Debug, Clone, PartialEq)]
struct Comparison {
    left: Operand,
    quantifier: Option<Quantifier>,
    operator: Operator,
    right: Operand,
}

/// Something that evaluates to a list of values.
#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Literal(Value),
    /// The `null` literal, which has no defined meaning in Azure's documentation.
    Null,
    /// `{a, b}` or `[a, b]`.
    List(Vec<Operand>),
    Attribute {
        source: Source,
        name: String,
    },
    Call {
        function: Function,
        args: Vec<Operand>,
    },
    /// A bare word such as regorus' `operationName`, which Azure does not define.
    Identifier(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Request,
    Resource,
    Principal,
    Environment,
    /// Accepted because regorus parses it; Azure's documentation does not list it.
    Context,
}

impl Source {
    fn from_name(name: &str) -> Option<Source> {
        match name.to_ascii_lowercase().as_str() {
            "request" => Some(Source::Request),
            "resource" => Some(Source::Resource),
            "principal" => Some(Source::Principal),
            "environment" => Some(Source::Environment),
            "context" => Some(Source::Context),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Source::Request => "Request",
            Source::Resource => "Resource",
            Source::Principal => "Principal",
            Source::Environment => "Environment",
            Source::Context => "Context",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Function {
    ActionMatches,
    SubOperationMatches,
    ToLower,
    ToUpper,
    Trim,
    NormalizeList,
    NormalizeSet,
    AddDays,
    ToTime,
    /// An unknown function; it parses so that one new function does not hide a whole condition,
    /// and it evaluates to `Unknown`.
    Other(String),
}

impl Function {
    fn from_name(name: &str) -> Function {
        match name.to_ascii_lowercase().as_str() {
            "actionmatches" => Function::ActionMatches,
            "suboperationmatches" => Function::SubOperationMatches,
            "tolower" => Function::ToLower,
            "toupper" => Function::ToUpper,
            "trim" => Function::Trim,
            "normalizelist" => Function::NormalizeList,
            "normalizeset" => Function::NormalizeSet,
            "adddays" => Function::AddDays,
            "totime" => Function::ToTime,
            _ => Function::Other(name.to_owned()),
        }
    }

    /// The smallest and largest number of arguments, or `None` for an unknown function.
    fn arity(&self) -> Option<(usize, usize)> {
        match self {
            Function::ActionMatches | Function::SubOperationMatches => Some((1, 2)),
            Function::AddDays => Some((2, 2)),
            Function::ToLower
            | Function::ToUpper
            | Function::Trim
            | Function::NormalizeList
            | Function::NormalizeSet
            | Function::ToTime => Some((1, 1)),
            Function::Other(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quantifier {
    AnyOfAny,
    AllOfAny,
    AnyOfAll,
    AllOfAll,
}

impl Quantifier {
    fn from_name(name: &str) -> Option<Quantifier> {
        match name.to_ascii_lowercase().as_str() {
            "foranyofanyvalues" => Some(Quantifier::AnyOfAny),
            "forallofanyvalues" => Some(Quantifier::AllOfAny),
            "foranyofallvalues" => Some(Quantifier::AnyOfAll),
            "forallofallvalues" => Some(Quantifier::AllOfAll),
            _ => None,
        }
    }

    /// True when every left-hand value must qualify.
    fn all_left(self) -> bool {
        matches!(self, Quantifier::AllOfAny | Quantifier::AllOfAll)
    }

    /// True when a left-hand value must satisfy the operator against every right-hand value.
    fn all_right(self) -> bool {
        matches!(self, Quantifier::AnyOfAll | Quantifier::AllOfAll)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Cmp::Eq => ordering == Equal,
            Cmp::Lt => ordering == Less,
            Cmp::Le => ordering != Greater,
            Cmp::Gt => ordering == Greater,
            Cmp::Ge => ordering != Less,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrOp {
    Equals,
    StartsWith,
    EndsWith,
    Contains,
    Like,
    Matches,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    String(StrOp),
    Numeric(Cmp),
    NumericInRange,
    Bool,
    DateTime(Cmp),
    TimeOfDay(Cmp),
    TimeOfDayInRange,
    Guid,
    IpMatch,
    IpInRange,
    ListContains,
    ActionMatches,
    SubOperationMatches,
    /// Exact equality of values, used by a quantifier written without an operator.
    ValueEquals,
}

impl OpKind {
    /// Range operators take the whole right-hand list as one range rather than as alternatives.
    fn is_range(self) -> bool {
        matches!(
            self,
            OpKind::NumericInRange | OpKind::TimeOfDayInRange | OpKind::IpInRange
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    kind: OpKind,
    negated: bool,
    ignore_case: bool,
}

impl Operator {
    fn plain(kind: OpKind) -> Operator {
        Operator {
            kind,
            negated: false,
            ignore_case: false,
        }
    }

    /// Reads an operator name such as `StringNotEqualsIgnoreCase`, case-insensitively.
    fn from_name(name: &str) -> Option<Operator> {
        const FAMILIES: [&str; 8] = [
            "string",
            "numeric",
            "bool",
            "datetime",
            "timeofday",
            "guid",
            "ip",
            "list",
        ];
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "actionmatches" => return Some(Operator::plain(OpKind::ActionMatches)),
            "suboperationmatches" => return Some(Operator::plain(OpKind::SubOperationMatches)),
            _ => {}
        }
        let (family, rest) = FAMILIES
            .iter()
            .find_map(|family| lower.strip_prefix(family).map(|rest| (*family, rest)))?;
        let (negated, rest) = match rest.strip_prefix("not") {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let (ignore_case, rest) = match (family, rest.strip_suffix("ignorecase")) {
            ("string", Some(rest)) => (true, rest),
            _ => (false, rest),
        };
        let kind = match (family, rest) {
            ("string", "equals") => OpKind::String(StrOp::Equals),
            ("string", "startswith") => OpKind::String(StrOp::StartsWith),
            ("string", "endswith") => OpKind::String(StrOp::EndsWith),
            ("string", "contains") => OpKind::String(StrOp::Contains),
            ("string", "like") => OpKind::String(StrOp::Like),
            ("string", "matches") => OpKind::String(StrOp::Matches),
            ("numeric", "inrange") => OpKind::NumericInRange,
            ("numeric", rest) => OpKind::Numeric(cmp_from_name(rest)?),
            ("bool", "equals") => OpKind::Bool,
            ("datetime", rest) => OpKind::DateTime(cmp_from_name(rest)?),
            ("timeofday", "inrange") => OpKind::TimeOfDayInRange,
            ("timeofday", rest) => OpKind::TimeOfDay(cmp_from_name(rest)?),
            ("guid", "equals") => OpKind::Guid,
            ("ip", "match") => OpKind::IpMatch,
            ("ip", "inrange") => OpKind::IpInRange,
            ("list", "contains") => OpKind::ListContains,
            _ => return None,
        };
        Some(Operator {
            kind,
            negated,
            ignore_case,
        })
    }
}

fn cmp_from_name(name: &str) -> Option<Cmp> {
    match name {
        "equals" => Some(Cmp::Eq),
        "lessthan" => Some(Cmp::Lt),
        "lessthanequals" => Some(Cmp::Le),
        "greaterthan" => Some(Cmp::Gt),
        "greaterthanequals" => Some(Cmp::Ge),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    AndAnd,
    OrOr,
    Bang,
    Str(String),
    /// A run of letters, digits, `_`, `.`, `-` and `:`: keywords, operators, functions, numbers and
    /// unquoted GUIDs.
    Word(String),
    /// `@Source[name]`, read as one token because the name may contain any character but `]`.
    Attr(Source, String),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    /// Character offset of the token's first character.
    offset: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ':')
}

fn lex(chars: &[char]) -> Result<Vec<Token>, ConditionError> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '{' => Some(Tok::LBrace),
            '}' => Some(Tok::RBrace),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            '!' => Some(Tok::Bang),
            _ => None,
        };
        if let Some(tok) = single {
            tokens.push(Token { tok, offset: start });
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '&' | '|' => {
                if chars.get(i + 1) != Some(&c) {
                    let word = if c == '&' { "AND" } else { "OR" };
                    return Err(ConditionError::new(
                        format!("unexpected character `{c}`; write `{c}{c}` or `{word}`"),
                        start,
                    ));
                }
                let tok = if c == '&' { Tok::AndAnd } else { Tok::OrOr };
                tokens.push(Token { tok, offset: start });
                i += 2;
            }
            '\'' | '"' => {
                let (text, next) = lex_string(chars, start, c)?;
                tokens.push(Token {
                    tok: Tok::Str(text),
                    offset: start,
                });
                i = next;
            }
            '@' => {
                let (source, name, next) = lex_attribute(chars, start)?;
                tokens.push(Token {
                    tok: Tok::Attr(source, name),
                    offset: start,
                });
                i = next;
            }
            c if is_word_char(c) => {
                let mut word = String::new();
                while let Some(&c) = chars.get(i).filter(|c| is_word_char(**c)) {
                    word.push(c);
                    i += 1;
                }
                tokens.push(Token {
                    tok: Tok::Word(word),
                    offset: start,
                });
            }
            _ => {
                return Err(ConditionError::new(format!("unexpected character `{c}`"), start));
            }
        }
    }
    Ok(tokens)
}

/// Reads a quoted string starting at `start`. A backslash before the quote character escapes it;
/// other backslashes are kept, because `StringLike` gives `\*` and `\?` their own meaning.
fn lex_string(chars: &[char], start: usize, quote: char) -> Result<(String, usize), ConditionError> {
    let unterminated = || ConditionError::new(format!("unterminated string; expected a closing `{quote}`"), start);
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(unterminated()),
            Some(&c) if c == quote => return Ok((text, i + 1)),
            Some('\\') => match chars.get(i + 1) {
                Some(&next) if next == quote => {
                    text.push(next);
                    i += 2;
                }
                Some(&next) => {
                    text.push('\\');
                    text.push(next);
                    i += 2;
                }
                None => return Err(unterminated()),
            },
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
}

/// Reads `@Source[name]` starting at the `@`.
fn lex_attribute(chars: &[char], start: usize) -> Result<(Source, String, usize), ConditionError> {
    let mut i = start + 1;
    let mut source_name = String::new();
    while let Some(&c) = chars.get(i).filter(|c| c.is_ascii_alphabetic()) {
        source_name.push(c);
        i += 1;
    }
    if source_name.is_empty() {
        return Err(ConditionError::new(
            "expected an attribute source such as `@Request[...]` after `@`",
            start,
        ));
    }
    let source = Source::from_name(&source_name).ok_or_else(|| {
        ConditionError::new(
            format!(
                "unknown attribute source `@{source_name}`; expected `@Request`, `@Resource`, \
                 `@Principal` or `@Environment`"
            ),
            start,
        )
    })?;
    if chars.get(i) != Some(&'[') {
        return Err(ConditionError::new(format!("expected `[` after `@{source_name}`"), i));
    }
    i += 1;
    let name_start = i;
    let mut name = String::new();
    loop {
        match chars.get(i) {
            None => {
                return Err(ConditionError::new(
                    format!("unterminated attribute reference; expected `]` to close `@{source_name}[`"),
                    start,
                ));
            }
            Some(']') => break,
            Some(&c) => {
                name.push(c);
                i += 1;
            }
        }
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(ConditionError::new("the attribute name is empty", name_start));
    }
    Ok((source, name.to_owned(), i + 1))
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::LParen => "`(`".to_owned(),
        Tok::RParen => "`)`".to_owned(),
        Tok::LBrace => "`{`".to_owned(),
        Tok::RBrace => "`}`".to_owned(),
        Tok::LBracket => "`[`".to_owned(),
        Tok::RBracket => "`]`".to_owned(),
        Tok::Comma => "`,`".to_owned(),
        Tok::AndAnd => "`&&`".to_owned(),
        Tok::OrOr => "`||`".to_owned(),
        Tok::Bang => "`!`".to_owned(),
        Tok::Str(text) => format!("the string `'{text}'`"),
        Tok::Word(word) => format!("`{word}`"),
        Tok::Attr(source, name) => format!("`@{}[{name}]`", source.name()),
    }
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// How deeply parentheses, negations, lists and calls may nest. The parser and the evaluator recurse
/// on nesting, so an absurd condition must be refused rather than overflow the stack.
const MAX_DEPTH: usize = 100;

fn is_keyword(word: &str, keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword)
}

fn is_and(tok: &Tok) -> bool {
    match tok {
        Tok::AndAnd => true,
        Tok::Word(word) => is_keyword(word, "and"),
        _ => false,
    }
}

fn is_or(tok: &Tok) -> bool {
    match tok {
        Tok::OrOr => true,
        Tok::Word(word) => is_keyword(word, "or"),
        _ => false,
    }
}

/// True for a word that can only be an operator, possibly with a quantifier prefix.
fn is_operator_word(word: &str) -> bool {
    if let Some((quantifier, _)) = word.split_once(':') {
        return Quantifier::from_name(quantifier).is_some();
    }
    Quantifier::from_name(word).is_some() || Operator::from_name(word).is_some()
}

/// Unquoted GUIDs appear in built-in role conditions, with and without dashes.
fn is_guid_word(word: &str) -> bool {
    parse_guid(word).is_some()
}

fn parse_number_word(word: &str) -> Option<f64> {
    let first = word.chars().next()?;
    if !(first.is_ascii_digit() || first == '-' || first == '.') {
        return None;
    }
    word.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn collapse(mut items: Vec<Node>, make: fn(Vec<Node>) -> Node) -> Node {
    if items.len() == 1
        && let Some(only) = items.pop()
    {
        return only;
    }
    make(items)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    /// The length of the condition in characters, the offset reported for "end of condition".
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.offset)
    }

    fn bump(&mut self) {
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
    }

    fn describe_current(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the condition".to_owned(), describe)
    }

    fn enter(&mut self) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ConditionError::new(
                format!("the condition nests more than {MAX_DEPTH} levels deep"),
                self.offset(),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn parse_or(&mut self) -> Result<Node, ConditionError> {
        let mut items = vec![self.parse_and()?];
        while self.peek().is_some_and(is_or) {
            self.bump();
            items.push(self.parse_and()?);
        }
        Ok(collapse(items, Node::Or))
    }

    fn parse_and(&mut self) -> Result<Node, ConditionError> {
        let mut items = vec![self.parse_unary()?];
        while self.peek().is_some_and(is_and) {
            self.bump();
            items.push(self.parse_unary()?);
        }
        Ok(collapse(items, Node::And))
    }

    fn parse_unary(&mut self) -> Result<Node, ConditionError> {
        self.enter()?;
        let node = match self.peek() {
            Some(Tok::Bang) => {
                self.bump();
                Node::Not(Box::new(self.parse_unary()?))
            }
            Some(Tok::Word(word)) if is_keyword(word, "not") => {
                self.bump();
                Node::Not(Box::new(self.parse_unary()?))
            }
            Some(Tok::Word(word)) if is_keyword(word, "exists") || is_keyword(word, "notexists") => {
                let negated = is_keyword(word, "notexists");
                let keyword = word.clone();
                self.bump();
                if !self.can_start_operand() {
                    return Err(ConditionError::new(
                        format!("`{keyword}` needs an attribute but found {}", self.describe_current()),
                        self.offset(),
                    ));
                }
                Node::Exists {
                    negated,
                    operand: self.parse_operand()?,
                }
            }
            _ => self.parse_comparison()?,
        };
        self.leave();
        Ok(node)
    }

    fn parse_comparison(&mut self) -> Result<Node, ConditionError> {
        if self.peek() == Some(&Tok::LParen) {
            let open = self.offset();
            self.bump();
            let inner = self.parse_or()?;
            if self.peek() != Some(&Tok::RParen) {
                return Err(ConditionError::new(
                    format!(
                        "expected `)` to close the `(` at character {open} but found {}",
                        self.describe_current()
                    ),
                    self.offset(),
                ));
            }
            self.bump();
            return Ok(inner);
        }
        let left = self.parse_operand()?;
        let word = match self.peek() {
            Some(Tok::Word(word)) if !is_keyword(word, "and") && !is_keyword(word, "or") => word.clone(),
            _ => return Ok(Node::Operand(left)),
        };
        let word_offset = self.offset();
        self.bump();
        let (quantifier, operator, name) = self.parse_operator(&word, word_offset)?;
        if !self.can_start_operand() {
            return Err(ConditionError::new(
                format!("operator `{name}` is missing its right operand"),
                self.offset(),
            ));
        }
        let right = self.parse_operand()?;
        Ok(Node::Compare(Box::new(Comparison {
            left,
            quantifier,
            operator,
            right,
        })))
    }

    /// Reads an operator, with or without a quantifier, from `word` (already consumed). Returns the
    /// operator's name as written, for messages.
    fn parse_operator(
        &mut self,
        word: &str,
        offset: usize,
    ) -> Result<(Option<Quantifier>, Operator, String), ConditionError> {
        let (quantifier, name, name_offset) = if let Some((prefix, rest)) = word.split_once(':') {
            let quantifier = Quantifier::from_name(prefix).ok_or_else(|| {
                ConditionError::new(
                    format!(
                        "unknown quantifier `{prefix}`; expected `ForAnyOfAnyValues`, \
                         `ForAllOfAnyValues`, `ForAnyOfAllValues` or `ForAllOfAllValues`"
                    ),
                    offset,
                )
            })?;
            if rest.is_empty() {
                // A space after the colon, as in `ForAnyOfAnyValues: StringEquals`.
                match self.peek() {
                    Some(Tok::Word(next)) => {
                        let next = next.clone();
                        let next_offset = self.offset();
                        self.bump();
                        (Some(quantifier), next, next_offset)
                    }
                    _ => {
                        return Err(ConditionError::new(
                            format!(
                                "expected an operator after `{word}` but found {}",
                                self.describe_current()
                            ),
                            self.offset(),
                        ));
                    }
                }
            } else {
                let rest_offset = offset + prefix.chars().count() + 1;
                (Some(quantifier), rest.to_owned(), rest_offset)
            }
        } else if let Some(quantifier) = Quantifier::from_name(word) {
            // regorus accepts a quantifier on its own and compares the values for equality.
            return Ok((Some(quantifier), Operator::plain(OpKind::ValueEquals), word.to_owned()));
        } else {
            (None, word.to_owned(), offset)
        };
        let operator = Operator::from_name(&name)
            .ok_or_else(|| ConditionError::new(format!("unknown operator `{name}`"), name_offset))?;
        if quantifier.is_some() && operator.kind == OpKind::ListContains {
            return Err(ConditionError::new(
                format!("`{name}` cannot be combined with a quantifier"),
                name_offset,
            ));
        }
        Ok((quantifier, operator, name))
    }

    fn can_start_operand(&self) -> bool {
        match self.peek() {
            Some(Tok::Str(_) | Tok::Attr(..) | Tok::LBrace | Tok::LBracket) => true,
            Some(Tok::Word(word)) => !["and", "or", "not", "exists", "notexists"]
                .iter()
                .any(|keyword| is_keyword(word, keyword)),
            _ => false,
        }
    }

    fn parse_operand(&mut self) -> Result<Operand, ConditionError> {
        self.enter()?;
        let offset = self.offset();
        let operand = match self.peek().cloned() {
            None => {
                return Err(ConditionError::new(
                    "expected an expression but reached the end of the condition",
                    offset,
                ));
            }
            Some(Tok::Str(text)) => {
                self.bump();
                Operand::Literal(Value::String(text))
            }
            Some(Tok::Attr(source, name)) => {
                self.bump();
                Operand::Attribute { source, name }
            }
            Some(Tok::LBrace) => self.parse_list(Tok::RBrace, '}')?,
            Some(Tok::LBracket) => self.parse_list(Tok::RBracket, ']')?,
            Some(Tok::Word(word)) => {
                self.bump();
                self.parse_word_operand(word, offset)?
            }
            Some(other) => {
                return Err(ConditionError::new(
                    format!("expected an expression but found {}", describe(&other)),
                    offset,
                ));
            }
        };
        self.leave();
        Ok(operand)
    }

    /// Interprets a word (already consumed) in operand position.
    fn parse_word_operand(&mut self, word: String, offset: usize) -> Result<Operand, ConditionError> {
        match word.to_ascii_lowercase().as_str() {
            "true" => return Ok(Operand::Literal(Value::Bool(true))),
            "false" => return Ok(Operand::Literal(Value::Bool(false))),
            "null" => return Ok(Operand::Null),
            "and" | "or" | "not" | "exists" | "notexists" => {
                return Err(ConditionError::new(
                    format!("expected an expression but found `{word}`"),
                    offset,
                ));
            }
            _ => {}
        }
        let function = Function::from_name(&word);
        let call_follows = matches!(self.peek(), Some(Tok::LParen | Tok::LBrace));
        // `ActionMatches` is both a function and an operator; followed by `(` or `{` it is a call.
        if call_follows && (!matches!(function, Function::Other(_)) || !is_operator_word(&word)) {
            return self.parse_call(function, &word, offset);
        }
        if is_operator_word(&word) {
            return Err(ConditionError::new(
                format!("operator `{word}` is missing its left operand"),
                offset,
            ));
        }
        if is_guid_word(&word) {
            return Ok(Operand::Literal(Value::String(word)));
        }
        if let Some(number) = parse_number_word(&word) {
            return Ok(Operand::Literal(Value::Number(number)));
        }
        Ok(Operand::Identifier(word))
    }

    /// Reads the arguments of a call: `name(a, b)`, or `name{...}`, which passes one list.
    fn parse_call(&mut self, function: Function, name: &str, offset: usize) -> Result<Operand, ConditionError> {
        let mut args = Vec::new();
        if self.peek() == Some(&Tok::LBrace) {
            args.push(self.parse_list(Tok::RBrace, '}')?);
        } else {
            let open = self.offset();
            self.bump();
            if self.peek() == Some(&Tok::RParen) {
                self.bump();
            } else {
                loop {
                    args.push(self.parse_operand()?);
                    match self.peek() {
                        Some(Tok::Comma) => self.bump(),
                        Some(Tok::RParen) => {
                            self.bump();
                            break;
                        }
                        _ => {
                            return Err(ConditionError::new(
                                format!(
                                    "expected `,` or `)` in the arguments of `{name}` opened at \
                                     character {open} but found {}",
                                    self.describe_current()
                                ),
                                self.offset(),
                            ));
                        }
                    }
                }
            }
        }
        if let Some((min, max)) = function.arity()
            && (args.len() < min || args.len() > max)
        {
            let expected = if min == max {
                format!("{min}")
            } else {
                format!("{min} or {max}")
            };
            return Err(ConditionError::new(
                format!(
                    "`{name}` takes {expected} argument{} but was given {}",
                    if max == 1 { "" } else { "s" },
                    args.len()
                ),
                offset,
            ));
        }
        Ok(Operand::Call { function, args })
    }

    /// Reads `{a, b}` or `[a, b]`; the opening token is current.
    fn parse_list(&mut self, close: Tok, close_char: char) -> Result<Operand, ConditionError> {
        let open = self.offset();
        self.bump();
        let mut items = Vec::new();
        if self.peek() == Some(&close) {
            self.bump();
            return Ok(Operand::List(items));
        }
        loop {
            items.push(self.parse_operand()?);
            match self.peek() {
                Some(Tok::Comma) => self.bump(),
                Some(tok) if *tok == close => {
                    self.bump();
                    break;
                }
                _ => {
                    return Err(ConditionError::new(
                        format!(
                            "expected `,` or `{close_char}` in the list opened at character {open} \
                             but found {}",
                            self.describe_current()
                        ),
                        self.offset(),
                    ));
                }
            }
        }
        Ok(Operand::List(items))
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

fn all_of(items: impl Iterator<Item = Truth>) -> Truth {
    let mut acc = Truth::True;
    for item in items {
        acc = acc.and(item);
        if acc == Truth::False {
            return acc;
        }
    }
    acc
}

fn any_of(items: impl Iterator<Item = Truth>) -> Truth {
    let mut acc = Truth::False;
    for item in items {
        acc = acc.or(item);
        if acc == Truth::True {
            return acc;
        }
    }
    acc
}

fn negate_if(negated: bool, truth: Truth) -> Truth {
    if negated { !truth } else { truth }
}

fn known(result: Option<bool>) -> Truth {
    result.map_or(Truth::Unknown, Truth::from)
}

fn eval_node(node: &Node, attrs: &dyn Attributes) -> Truth {
    match node {
        Node::And(items) => all_of(items.iter().map(|n| eval_node(n, attrs))),
        Node::Or(items) => any_of(items.iter().map(|n| eval_node(n, attrs))),
        Node::Not(inner) => !eval_node(inner, attrs),
        Node::Exists { negated, operand } => {
            let exists = eval_operand(operand, attrs).map(|values| !values.is_empty());
            negate_if(*negated, known(exists))
        }
        Node::Compare(comparison) => eval_comparison(comparison, attrs),
        Node::Operand(operand) => match eval_operand(operand, attrs).as_deref() {
            Some([Value::Bool(value)]) => Truth::from(*value),
            _ => Truth::Unknown,
        },
    }
}

/// The values of an operand, or `None` when they are not known.
fn eval_operand(operand: &Operand, attrs: &dyn Attributes) -> Option<Vec<Value>> {
    match operand {
        Operand::Literal(value) => Some(vec![value.clone()]),
        Operand::Null | Operand::Identifier(_) => None,
        Operand::List(items) => {
            let mut values = Vec::new();
            for item in items {
                values.extend(eval_operand(item, attrs)?);
            }
            Some(values)
        }
        Operand::Attribute { source, name } => attrs.attribute(source.name(), name),
        Operand::Call { function, args } => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(eval_operand(arg, attrs)?);
            }
            eval_call(function, &values, attrs)
        }
    }
}

fn map_strings(values: &[Value], f: impl Fn(&str) -> String) -> Option<Vec<Value>> {
    values
        .iter()
        .map(|value| match value {
            Value::String(text) => Some(Value::String(f(text))),
            _ => None,
        })
        .collect()
}

fn truth_value(truth: Truth) -> Option<Vec<Value>> {
    match truth {
        Truth::True => Some(vec![Value::Bool(true)]),
        Truth::False => Some(vec![Value::Bool(false)]),
        Truth::Unknown => None,
    }
}

fn eval_call(function: &Function, args: &[Vec<Value>], attrs: &dyn Attributes) -> Option<Vec<Value>> {
    match function {
        Function::ToLower => map_strings(args.first()?, str::to_lowercase),
        Function::ToUpper => map_strings(args.first()?, str::to_uppercase),
        Function::Trim => map_strings(args.first()?, |s| s.trim().to_owned()),
        Function::NormalizeList => args.first().cloned(),
        Function::NormalizeSet => {
            let mut set: Vec<Value> = Vec::new();
            for value in args.first()? {
                if !set.contains(value) {
                    set.push(value.clone());
                }
            }
            Some(set)
        }
        Function::ToTime => {
            let values = args.first()?;
            let valid = values
                .iter()
                .all(|v| as_string(v).and_then(|s| parse_time_of_day(&s)).is_some());
            valid.then(|| values.clone())
        }
        Function::AddDays => {
            let [dates, days] = args else { return None };
            let ([date], [days]) = (dates.as_slice(), days.as_slice()) else {
                return None;
            };
            let (seconds, nanos) = parse_datetime(&as_string(date)?)?;
            let days = as_number(days)?;
            // Whole days only, as in regorus, and within a range that keeps the year printable.
            if days.fract() != 0.0 || days.abs() > 4_000_000.0 {
                return None;
            }
            // The cast is exact: the value is a whole number of at most four million.
            let days = days as i64;
            let shifted = seconds.checked_add(days.checked_mul(86_400)?)?;
            Some(vec![Value::String(format_datetime(shifted, nanos)?)])
        }
        Function::ActionMatches => {
            let (actions, patterns) = match args {
                [patterns] => (vec![Value::String(attrs.action()?.to_owned())], patterns),
                [actions, patterns] => (actions.clone(), patterns),
                _ => return None,
            };
            let op = Operator::plain(OpKind::ActionMatches);
            truth_value(any_of(
                actions
                    .iter()
                    .flat_map(|a| patterns.iter().map(move |p| compare_pair(op, a, p))),
            ))
        }
        Function::SubOperationMatches => {
            let (subs, patterns) = match args {
                [patterns] => (vec![Value::String(attrs.sub_operation()?.to_owned())], patterns),
                [subs, patterns] => (subs.clone(), patterns),
                _ => return None,
            };
            let op = Operator::plain(OpKind::SubOperationMatches);
            truth_value(any_of(
                subs.iter()
                    .flat_map(|s| patterns.iter().map(move |p| compare_pair(op, s, p))),
            ))
        }
        Function::Other(_) => None,
    }
}

fn eval_comparison(comparison: &Comparison, attrs: &dyn Attributes) -> Truth {
    let (Some(left), Some(right)) = (
        eval_operand(&comparison.left, attrs),
        eval_operand(&comparison.right, attrs),
    ) else {
        return Truth::Unknown;
    };
    let op = comparison.operator;
    if op.kind == OpKind::ListContains {
        // The left side is the list and the right side the element or elements it must contain.
        let contains = right.iter().all(|item| left.contains(item));
        return negate_if(op.negated, Truth::from(contains));
    }
    match comparison.quantifier {
        None => {
            let positive = any_of(left.iter().map(|l| compare_one(op, l, &right)));
            negate_if(op.negated, positive)
        }
        Some(quantifier) => {
            let per_left = |l: &Value| {
                if op.kind.is_range() {
                    return negate_if(op.negated, in_range(op, l, &right));
                }
                let pairs = right.iter().map(|r| negate_if(op.negated, compare_pair(op, l, r)));
                if quantifier.all_right() {
                    all_of(pairs)
                } else {
                    any_of(pairs)
                }
            };
            let lefts = left.iter().map(per_left);
            if quantifier.all_left() {
                all_of(lefts)
            } else {
                any_of(lefts)
            }
        }
    }
}

/// Whether one left-hand value satisfies the (positive) operator against the right-hand side.
fn compare_one(op: Operator, left: &Value, right: &[Value]) -> Truth {
    if op.kind.is_range() {
        in_range(op, left, right)
    } else {
        any_of(right.iter().map(|r| compare_pair(op, left, r)))
    }
}

/// Whether a pair of values satisfies the positive form of the operator.
fn compare_pair(op: Operator, left: &Value, right: &Value) -> Truth {
    known(compare_pair_known(op, left, right))
}

/// [`compare_pair`], with `None` for values of the wrong type or operators that do not compare pairs.
fn compare_pair_known(op: Operator, left: &Value, right: &Value) -> Option<bool> {
    match op.kind {
        OpKind::String(str_op) => compare_strings(str_op, op.ignore_case, left, right),
        OpKind::Numeric(cmp) => {
            let ordering = as_number(left)?.partial_cmp(&as_number(right)?)?;
            Some(cmp.holds(ordering))
        }
        OpKind::Bool => Some(as_bool(left)? == as_bool(right)?),
        OpKind::DateTime(cmp) => {
            let l = parse_datetime(&as_string(left)?)?;
            let r = parse_datetime(&as_string(right)?)?;
            Some(cmp.holds(l.cmp(&r)))
        }
        OpKind::TimeOfDay(cmp) => {
            let l = parse_time_of_day(&as_string(left)?)?;
            let r = parse_time_of_day(&as_string(right)?)?;
            Some(cmp.holds(l.cmp(&r)))
        }
        OpKind::Guid => Some(parse_guid(&as_string(left)?)? == parse_guid(&as_string(right)?)?),
        OpKind::IpMatch => ip_in_cidr(parse_ip(&as_string(left)?)?, &as_string(right)?),
        OpKind::ActionMatches => Some(action_matches(&as_string(left)?, &as_string(right)?)),
        OpKind::SubOperationMatches => Some(as_string(left)?.eq_ignore_ascii_case(&as_string(right)?)),
        OpKind::ValueEquals => Some(left == right),
        OpKind::NumericInRange | OpKind::TimeOfDayInRange | OpKind::IpInRange | OpKind::ListContains => None,
    }
}

fn compare_strings(op: StrOp, ignore_case: bool, left: &Value, right: &Value) -> Option<bool> {
    let (value, operand) = (as_string(left)?, as_string(right)?);
    if op == StrOp::Matches {
        // The pattern is not lowercased: that would turn `\D` into `\d`.
        return regex_is_match(&operand, &value, ignore_case);
    }
    let (value, operand) = if ignore_case {
        (value.to_lowercase(), operand.to_lowercase())
    } else {
        (value, operand)
    };
    Some(match op {
        StrOp::Equals => value == operand,
        StrOp::StartsWith => value.starts_with(&operand),
        StrOp::EndsWith => value.ends_with(&operand),
        StrOp::Contains => value.contains(&operand),
        StrOp::Like => like_match(&operand, &value),
        StrOp::Matches => return None,
    })
}

/// Whether a value lies in the range the right-hand list gives: two values are inclusive bounds;
/// for `TimeOfDayInRange` one value means equality and for `IpInRange` one value is a CIDR block,
/// as in regorus.
fn in_range(op: Operator, left: &Value, range: &[Value]) -> Truth {
    known(in_range_known(op, left, range))
}

fn in_range_known(op: Operator, left: &Value, range: &[Value]) -> Option<bool> {
    match (op.kind, range) {
        (OpKind::NumericInRange, [low, high]) => {
            let value = as_number(left)?;
            Some(as_number(low)? <= value && value <= as_number(high)?)
        }
        (OpKind::TimeOfDayInRange, [low, high]) => {
            let value = parse_time_of_day(&as_string(left)?)?;
            let low = parse_time_of_day(&as_string(low)?)?;
            let high = parse_time_of_day(&as_string(high)?)?;
            Some(low <= value && value <= high)
        }
        (OpKind::TimeOfDayInRange, [single]) => {
            Some(parse_time_of_day(&as_string(left)?)? == parse_time_of_day(&as_string(single)?)?)
        }
        (OpKind::IpInRange, [low, high]) => {
            let ip = parse_ip(&as_string(left)?)?;
            let low = parse_ip(&as_string(low)?)?;
            let high = parse_ip(&as_string(high)?)?;
            Some(match (ip, low, high) {
                (IpAddr::V4(ip), IpAddr::V4(low), IpAddr::V4(high)) => low <= ip && ip <= high,
                (IpAddr::V6(ip), IpAddr::V6(low), IpAddr::V6(high)) => low <= ip && ip <= high,
                // An address of the other family is not in the range.
                _ => false,
            })
        }
        (OpKind::IpInRange, [cidr]) => ip_in_cidr(parse_ip(&as_string(left)?)?, &as_string(cidr)?),
        _ => None,
    }
}

fn as_string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        // Display prints whole numbers without a fraction, as regorus does.
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(_) => None,
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => Some(*number).filter(|n| n.is_finite()),
        Value::String(text) => text.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        Value::Bool(_) => None,
    }
}

fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Some(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn collect_node(node: &Node, out: &mut Vec<(String, String)>) {
    match node {
        Node::And(items) | Node::Or(items) => items.iter().for_each(|n| collect_node(n, out)),
        Node::Not(inner) => collect_node(inner, out),
        Node::Exists { operand, .. } | Node::Operand(operand) => collect_operand(operand, out),
        Node::Compare(comparison) => {
            collect_operand(&comparison.left, out);
            collect_operand(&comparison.right, out);
        }
    }
}

fn collect_operand(operand: &Operand, out: &mut Vec<(String, String)>) {
    match operand {
        Operand::Attribute { source, name } => {
            let entry = (source.name().to_owned(), name.clone());
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        Operand::List(items) | Operand::Call { args: items, .. } => {
            items.iter().for_each(|item| collect_operand(item, out));
        }
        Operand::Literal(_) | Operand::Null | Operand::Identifier(_) => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Value matching helpers
// ---------------------------------------------------------------------------------------------

/// `ActionMatches` for conditions, following regorus: the action and the pattern are split on `/`,
/// must have the same number of segments, and a `*` segment matches any one segment. Unlike regorus,
/// segments compare ASCII case-insensitively, because Azure operation names are case-insensitive.
fn action_matches(action: &str, pattern: &str) -> bool {
    let mut actions = action.split('/');
    let mut patterns = pattern.split('/');
    loop {
        match (actions.next(), patterns.next()) {
            (None, None) => return true,
            (Some(a), Some(p)) => {
                if p != "*" && !a.eq_ignore_ascii_case(p) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LikeTok {
    Many,
    One,
    Char(char),
}

/// `StringLike`: `*` matches any run of characters and `?` exactly one; `\*`, `\?` and `\\` stand
/// for the character itself. The greedy scan with one backtrack point is linear in practice and
/// never exponential.
fn like_match(pattern: &str, value: &str) -> bool {
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => toks.push(LikeTok::Many),
            '?' => toks.push(LikeTok::One),
            '\\' => match chars.next() {
                Some(next @ ('*' | '?' | '\\')) => toks.push(LikeTok::Char(next)),
                Some(next) => {
                    toks.push(LikeTok::Char('\\'));
                    toks.push(LikeTok::Char(next));
                }
                None => toks.push(LikeTok::Char('\\')),
            },
            c => toks.push(LikeTok::Char(c)),
        }
    }
    let text: Vec<char> = value.chars().collect();
    let (mut t, mut p) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match (toks.get(p), text.get(t)) {
            (Some(LikeTok::Many), _) => {
                backtrack = Some((p, t));
                p += 1;
            }
            (Some(LikeTok::One), Some(_)) => {
                p += 1;
                t += 1;
            }
            (Some(LikeTok::Char(c)), Some(x)) if c == x => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, start)) => {
                    backtrack = Some((star, start + 1));
                    p = star + 1;
                    t = start + 1;
                }
                None => return false,
            },
        }
    }
    toks.get(p..)
        .is_some_and(|rest| rest.iter().all(|tok| *tok == LikeTok::Many))
}

/// Parses a GUID with or without dashes (8-4-4-4-12 groups) and optional braces.
fn parse_guid(text: &str) -> Option<u128> {
    let text = text.trim();
    let text = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(text);
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if lengths != [8, 4, 4, 4, 12] && lengths != [32] {
        return None;
    }
    if !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit())) {
        return None;
    }
    u128::from_str_radix(&groups.concat(), 16).ok()
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    text.trim().parse().ok()
}

/// Whether an address is in a CIDR block; a block without a prefix length is a single address.
fn ip_in_cidr(ip: IpAddr, cidr: &str) -> Option<bool> {
    let (network, prefix) = match cidr.trim().split_once('/') {
        Some((address, prefix)) => (parse_ip(address)?, Some(prefix.trim().parse::<u32>().ok()?)),
        None => (parse_ip(cidr)?, None),
    };
    Some(match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => {
            let prefix = prefix.unwrap_or(32);
            if prefix > 32 {
                return None;
            }
            // Shifting out the host bits; a zero prefix shifts by the full width, which
            // `checked_shr` refuses, and every address is then in the block.
            (ip.to_bits() ^ network.to_bits()).checked_shr(32 - prefix).unwrap_or(0) == 0
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) => {
            let prefix = prefix.unwrap_or(128);
            if prefix > 128 {
                return None;
            }
            (ip.to_bits() ^ network.to_bits())
                .checked_shr(128 - prefix)
                .unwrap_or(0)
                == 0
        }
        // An address of the other family is not in the block.
        _ => false,
    })
}

/// Parses `HH:MM` or `HH:MM:SS` into seconds since midnight, as regorus does.
fn parse_time_of_day(text: &str) -> Option<u32> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut numbers = Vec::with_capacity(3);
    for part in &parts {
        if part.is_empty() || part.len() > 2 || !part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        numbers.push(part.parse::<u32>().ok()?);
    }
    let (hours, minutes, seconds) = match numbers.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(hours * 3600 + minutes * 60 + seconds)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.bump()? == byte).then_some(())
    }

    fn digits(&mut self, count: usize) -> Option<u32> {
        let mut value = 0;
        for _ in 0..count {
            let byte = self.bump().filter(u8::is_ascii_digit)?;
            value = value * 10 + u32::from(byte - b'0');
        }
        Some(value)
    }
}

/// Parses an RFC 3339 timestamp such as `2023-05-01T12:00:00.5+02:00` into seconds since the Unix
/// epoch and nanoseconds, so that different offsets for the same instant compare equal.
fn parse_datetime(text: &str) -> Option<(i64, u32)> {
    let mut cur = Cursor {
        bytes: text.trim().as_bytes(),
        pos: 0,
    };
    let year = cur.digits(4)?;
    cur.expect(b'-')?;
    let month = cur.digits(2)?;
    cur.expect(b'-')?;
    let day = cur.digits(2)?;
    if !matches!(cur.bump()?, b'T' | b't' | b' ') {
        return None;
    }
    let hour = cur.digits(2)?;
    cur.expect(b':')?;
    let minute = cur.digits(2)?;
    cur.expect(b':')?;
    let second = cur.digits(2)?;
    let mut nanos = 0;
    if cur.peek() == Some(b'.') {
        cur.pos += 1;
        let mut count = 0;
        while let Some(digit) = cur.peek().filter(u8::is_ascii_digit) {
            // Digits beyond nanoseconds are dropped, as they cannot change any comparison Azure makes.
            if count < 9 {
                nanos = nanos * 10 + u32::from(digit - b'0');
            }
            count += 1;
            cur.pos += 1;
        }
        if count == 0 {
            return None;
        }
        for _ in count..9 {
            nanos *= 10;
        }
    }
    let offset = match cur.bump()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let hours = cur.digits(2)?;
            cur.expect(b':')?;
            let minutes = cur.digits(2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    if cur.peek().is_some() {
        return None;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let local = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some((local - offset, nanos))
}

/// Formats seconds since the Unix epoch as an RFC 3339 timestamp in UTC, or `None` outside the
/// years 0 to 9999.
fn format_datetime(seconds: i64, nanos: u32) -> Option<String> {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days)?;
    if !(0..=9999).contains(&year) {
        return None;
    }
    let (hour, minute, second) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text.push('Z');
    Some(text)
}

fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> Option<(i64, u32, u32)> {
    let days = days.checked_add(719_468)?;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era.checked_mul(400)? + i64::from(month <= 2);
    Some((year, u32::try_from(month).ok()?, u32::try_from(day).ok()?))
}

// ---------------------------------------------------------------------------------------------
// Regular expressions for `StringMatches`
// ---------------------------------------------------------------------------------------------
//
// `StringMatches` is a regorus extension that Azure's documentation does not list. The crate may
// not depend on a regex library here, so this is a small engine for the common subset: literals,
// `.`, classes such as `[^a-z0-9_]`, the escapes `\d \w \s \D \W \S \b \B \n \t \r`, anchors `^`
// and `$`, groups `( )` and `(?: )`, alternation `|`, and the quantifiers `* + ? {n} {n,} {n,m}`
// (lazy forms too, which cannot change whether a match exists). Anything else, such as look-around
// or back-references, makes the comparison `Unknown`. Matching is a Thompson-style simulation, so
// its time is linear in the value for a given pattern and it cannot recurse deeply.

#[derive(Debug, Clone, PartialEq)]
enum ReNode {
    Char(char),
    AnyChar,
    Class(ReClass),
    Start,
    End,
    WordBoundary(bool),
    Concat(Vec<ReNode>),
    Alternation(Vec<ReNode>),
    Repeat {
        inner: Box<ReNode>,
        min: u32,
        max: Option<u32>,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct ReClass {
    negated: bool,
    items: Vec<ClassItem>,
}

/// A member of a character class; the Boolean of the named classes is false for the complement
/// (`\D`, `\W`, `\S`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

const RE_MAX_DEPTH: usize = 50;
const RE_MAX_REPEAT: u32 = 1000;
const RE_MAX_PROGRAM: usize = 20_000;

struct ReParser<'a> {
    chars: &'a [char],
    pos: usize,
    depth: usize,
}

impl ReParser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn parse_alternation(&mut self) -> Option<ReNode> {
        self.depth += 1;
        if self.depth > RE_MAX_DEPTH {
            return None;
        }
        let mut branches = vec![self.parse_concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            branches.push(self.parse_concat()?);
        }
        self.depth -= 1;
        if branches.len() == 1 {
            return branches.pop();
        }
        Some(ReNode::Alternation(branches))
    }

    fn parse_concat(&mut self) -> Option<ReNode> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.parse_atom()?;
            items.push(self.parse_quantifier(atom)?);
        }
        Some(ReNode::Concat(items))
    }

    fn parse_atom(&mut self) -> Option<ReNode> {
        let c = self.peek()?;
        self.pos += 1;
        Some(match c {
            '.' => ReNode::AnyChar,
            '^' => ReNode::Start,
            '$' => ReNode::End,
            '(' => {
                if self.peek() == Some('?') {
                    // Only non-capturing groups; look-around, named groups and flags are unsupported.
                    if self.peek_at(1) != Some(':') {
                        return None;
                    }
                    self.pos += 2;
                }
                let inner = self.parse_alternation()?;
                if self.peek() != Some(')') {
                    return None;
                }
                self.pos += 1;
                inner
            }
            '[' => self.parse_class()?,
            '\\' => self.parse_escape()?,
            '*' | '+' | '?' | ')' => return None,
            other => ReNode::Char(other),
        })
    }

    fn parse_escape(&mut self) -> Option<ReNode> {
        let c = self.peek()?;
        self.pos += 1;
        let class = |item| {
            ReNode::Class(ReClass {
                negated: false,
                items: vec![item],
            })
        };
        Some(match c {
            'd' => class(ClassItem::Digit(true)),
            'D' => class(ClassItem::Digit(false)),
            'w' => class(ClassItem::Word(true)),
            'W' => class(ClassItem::Word(false)),
            's' => class(ClassItem::Space(true)),
            'S' => class(ClassItem::Space(false)),
            'b' => ReNode::WordBoundary(true),
            'B' => ReNode::WordBoundary(false),
            'n' => ReNode::Char('\n'),
            't' => ReNode::Char('\t'),
            'r' => ReNode::Char('\r'),
            // Other letters and digits are back-references or escapes this engine does not know.
            c if c.is_ascii_alphanumeric() => return None,
            c => ReNode::Char(c),
        })
    }

    fn parse_class_escape(&mut self) -> Option<ClassItem> {
        let c = self.peek()?;
        self.pos += 1;
        Some(match c {
            'd' => ClassItem::Digit(true),
            'D' => ClassItem::Digit(false),
            'w' => ClassItem::Word(true),
            'W' => ClassItem::Word(false),
            's' => ClassItem::Space(true),
            'S' => ClassItem::Space(false),
            'n' => ClassItem::Range('\n', '\n'),
            't' => ClassItem::Range('\t', '\t'),
            'r' => ClassItem::Range('\r', '\r'),
            c if c.is_ascii_alphanumeric() => return None,
            c => ClassItem::Range(c, c),
        })
    }

    /// Parses a class after its `[`.
    fn parse_class(&mut self) -> Option<ReNode> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek()?;
            self.pos += 1;
            // A `]` right after the opening bracket is a literal, as in most engines.
            if c == ']' && !first {
                break;
            }
            first = false;
            let item = if c == '\\' {
                self.parse_class_escape()?
            } else {
                ClassItem::Range(c, c)
            };
            let range_follows = self.peek() == Some('-') && self.peek_at(1).is_some_and(|next| next != ']');
            match item {
                ClassItem::Range(low, _) if range_follows => {
                    self.pos += 1;
                    let high = self.peek()?;
                    self.pos += 1;
                    let high = if high == '\\' {
                        match self.parse_class_escape()? {
                            ClassItem::Range(high, _) => high,
                            _ => return None,
                        }
                    } else {
                        high
                    };
                    if high < low {
                        return None;
                    }
                    items.push(ClassItem::Range(low, high));
                }
                item => items.push(item),
            }
        }
        Some(ReNode::Class(ReClass { negated, items }))
    }

    /// Applies at most one quantifier to an atom; stacked quantifiers such as `a**` are refused so
    /// that nesting stays bounded by the group depth.
    fn parse_quantifier(&mut self, atom: ReNode) -> Option<ReNode> {
        let (min, max) = match self.peek() {
            Some('*') => {
                self.pos += 1;
                (0, None)
            }
            Some('+') => {
                self.pos += 1;
                (1, None)
            }
            Some('?') => {
                self.pos += 1;
                (0, Some(1))
            }
            Some('{') => match self.parse_braces() {
                Some(bounds) => bounds,
                None => return Some(atom),
            },
            _ => return Some(atom),
        };
        if self.peek() == Some('?') {
            self.pos += 1;
        }
        if matches!(self.peek(), Some('*' | '+' | '?')) {
            return None;
        }
        if max.is_some_and(|max| max < min) || min > RE_MAX_REPEAT || max.is_some_and(|max| max > RE_MAX_REPEAT) {
            return None;
        }
        Some(ReNode::Repeat {
            inner: Box::new(atom),
            min,
            max,
        })
    }

    /// Reads `{n}`, `{n,}` or `{n,m}`; anything else leaves the `{` to be read as a literal.
    fn parse_braces(&mut self) -> Option<(u32, Option<u32>)> {
        let mut i = self.pos + 1;
        let read_number = |i: &mut usize| {
            let mut text = String::new();
            while let Some(c) = self.chars.get(*i).filter(|c| c.is_ascii_digit()) {
                text.push(*c);
                *i += 1;
            }
            text.parse::<u32>().ok()
        };
        let min = read_number(&mut i)?;
        let max = match self.chars.get(i) {
            Some('}') => Some(min),
            Some(',') => {
                i += 1;
                if self.chars.get(i) == Some(&'}') {
                    None
                } else {
                    let max = read_number(&mut i)?;
                    if self.chars.get(i) != Some(&'}') {
                        return None;
                    }
                    Some(max)
                }
            }
            _ => return None,
        };
        self.pos = i + 1;
        Some((min, max))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Inst {
    Char(char),
    AnyChar,
    Class(ReClass),
    Start,
    End,
    WordBoundary(bool),
    Split(usize, usize),
    Jump(usize),
    Match,
}

fn re_compile(node: &ReNode, prog: &mut Vec<Inst>) -> Option<()> {
    if prog.len() > RE_MAX_PROGRAM {
        return None;
    }
    match node {
        ReNode::Char(c) => prog.push(Inst::Char(*c)),
        ReNode::AnyChar => prog.push(Inst::AnyChar),
        ReNode::Class(class) => prog.push(Inst::Class(class.clone())),
        ReNode::Start => prog.push(Inst::Start),
        ReNode::End => prog.push(Inst::End),
        ReNode::WordBoundary(b) => prog.push(Inst::WordBoundary(*b)),
        ReNode::Concat(items) => {
            for item in items {
                re_compile(item, prog)?;
            }
        }
        ReNode::Alternation(branches) => {
            let mut jumps = Vec::new();
            let mut rest = branches.as_slice();
            while let Some((branch, tail)) = rest.split_first() {
                if tail.is_empty() {
                    re_compile(branch, prog)?;
                } else {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    re_compile(branch, prog)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jump(0));
                    let next = prog.len();
                    if let Some(Inst::Split(_, target)) = prog.get_mut(split) {
                        *target = next;
                    }
                }
                rest = tail;
            }
            let end = prog.len();
            for jump in jumps {
                if let Some(Inst::Jump(target)) = prog.get_mut(jump) {
                    *target = end;
                }
            }
        }
        ReNode::Repeat { inner, min, max } => {
            for _ in 0..*min {
                re_compile(inner, prog)?;
            }
            let mut splits = Vec::new();
            match max {
                None => {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    re_compile(inner, prog)?;
                    prog.push(Inst::Jump(split));
                    splits.push(split);
                }
                Some(max) => {
                    for _ in *min..*max {
                        let split = prog.len();
                        prog.push(Inst::Split(split + 1, 0));
                        re_compile(inner, prog)?;
                        splits.push(split);
                    }
                }
            }
            let end = prog.len();
            for split in splits {
                if let Some(Inst::Split(_, target)) = prog.get_mut(split) {
                    *target = end;
                }
            }
        }
    }
    (prog.len() <= RE_MAX_PROGRAM).then_some(())
}

fn is_word_character(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn class_item_matches(item: ClassItem, c: char) -> bool {
    match item {
        ClassItem::Range(low, high) => low <= c && c <= high,
        ClassItem::Digit(positive) => c.is_ascii_digit() == positive,
        ClassItem::Word(positive) => is_word_character(c) == positive,
        ClassItem::Space(positive) => c.is_whitespace() == positive,
    }
}

fn class_matches(class: &ReClass, c: char, ignore_case: bool) -> bool {
    let hit = |ch: char| class.items.iter().any(|item| class_item_matches(*item, ch));
    let found = hit(c) || (ignore_case && (c.to_lowercase().any(hit) || c.to_uppercase().any(hit)));
    found != class.negated
}

fn chars_equal(a: char, b: char, ignore_case: bool) -> bool {
    a == b || (ignore_case && a.to_lowercase().eq(b.to_lowercase()))
}

/// Follows jumps, splits and assertions from `start` at `pos`, adding the consuming instructions
/// reached to `list`. Returns true as soon as `Match` is reached.
fn re_add_thread(
    prog: &[Inst],
    text: &[char],
    list: &mut Vec<usize>,
    marks: &mut [usize],
    generation: usize,
    start: usize,
    pos: usize,
) -> bool {
    let mut stack = vec![start];
    while let Some(pc) = stack.pop() {
        let Some(mark) = marks.get_mut(pc) else {
            continue;
        };
        if *mark == generation {
            continue;
        }
        *mark = generation;
        match prog.get(pc) {
            Some(Inst::Match) => return true,
            Some(Inst::Jump(target)) => stack.push(*target),
            Some(Inst::Split(first, second)) => {
                stack.push(*second);
                stack.push(*first);
            }
            Some(Inst::Start) if pos == 0 => stack.push(pc + 1),
            Some(Inst::End) if pos == text.len() => stack.push(pc + 1),
            Some(Inst::Start | Inst::End) => {}
            Some(Inst::WordBoundary(wanted)) => {
                let before = pos
                    .checked_sub(1)
                    .and_then(|p| text.get(p))
                    .is_some_and(|c| is_word_character(*c));
                let after = text.get(pos).is_some_and(|c| is_word_character(*c));
                if (before != after) == *wanted {
                    stack.push(pc + 1);
                }
            }
            Some(Inst::Char(_) | Inst::AnyChar | Inst::Class(_)) => list.push(pc),
            None => {}
        }
    }
    false
}

/// Whether `pattern` matches anywhere in `text`; `None` when the pattern is outside the subset.
fn regex_is_match(pattern: &str, text: &str, ignore_case: bool) -> Option<bool> {
    let pattern: Vec<char> = pattern.chars().collect();
    let mut parser = ReParser {
        chars: &pattern,
        pos: 0,
        depth: 0,
    };
    let node = parser.parse_alternation()?;
    if parser.pos != pattern.len() {
        return None;
    }
    let mut prog = Vec::new();
    re_compile(&node, &mut prog)?;
    prog.push(Inst::Match);

    let text: Vec<char> = text.chars().collect();
    // A mark per instruction records the last position it was added at, so each instruction runs
    // at most once per position.
    let mut marks = vec![usize::MAX; prog.len()];
    let mut current = Vec::new();
    if re_add_thread(&prog, &text, &mut current, &mut marks, 0, 0, 0) {
        return Some(true);
    }
    for (pos, &c) in text.iter().enumerate() {
        let mut next = Vec::new();
        let generation = pos + 1;
        for &pc in &current {
            let advances = match prog.get(pc) {
                Some(Inst::Char(expected)) => chars_equal(*expected, c, ignore_case),
                Some(Inst::AnyChar) => c != '\n',
                Some(Inst::Class(class)) => class_matches(class, c, ignore_case),
                _ => false,
            };
            if advances && re_add_thread(&prog, &text, &mut next, &mut marks, generation, pc + 1, pos + 1) {
                return Some(true);
            }
        }
        // The search is unanchored, so a new attempt starts at every position.
        if re_add_thread(&prog, &text, &mut next, &mut marks, generation, 0, pos + 1) {
            return Some(true);
        }
        current = next;
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// What a test knows about a request. With `closed_world`, attributes that are not listed are
    /// known to be absent (regorus' test context); otherwise they are unknown.
    #[derive(Default)]
    struct TestAttrs {
        action: Option<String>,
        sub_operation: Option<String>,
        values: HashMap<(String, String), Vec<Value>>,
        closed_world: bool,
    }

    impl TestAttrs {
        fn for_action(action: &str) -> TestAttrs {
            TestAttrs {
                action: Some(action.to_owned()),
                ..TestAttrs::default()
            }
        }

        fn with(mut self, source: &str, name: &str, values: Vec<Value>) -> TestAttrs {
            self.values.insert((source.to_owned(), name.to_owned()), values);
            self
        }
    }

    impl Attributes for TestAttrs {
        fn action(&self) -> Option<&str> {
            self.action.as_deref()
        }

        fn sub_operation(&self) -> Option<&str> {
            self.sub_operation.as_deref()
        }

        fn attribute(&self, source: &str, name: &str) -> Option<Vec<Value>> {
            match self.values.get(&(source.to_owned(), name.to_owned())) {
                Some(values) => Some(values.clone()),
                None if self.closed_world => Some(Vec::new()),
                None => None,
            }
        }
    }

    fn s(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    fn eval(condition: &str, attrs: &TestAttrs) -> Truth {
        parse(condition)
            .unwrap_or_else(|e| panic!("{condition}: {e}"))
            .evaluate(attrs)
    }

    const KEY_VAULT_DATA_ACCESS_ADMINISTRATOR: &str = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{00482a5a-887f-4fb3-b363-3b7fe8e74483, a4417e6f-fecd-4de8-b567-7b0420556985, 14b46e9e-c2b7-41b4-b07b-48a6ebf60603, e147488a-f6f5-4113-8e2d-b22465e65bf6, 12338af0-0e69-4776-bea7-57ae8d297424, 21090545-7ca7-4776-b22c-e363652d74d2, b86a8fe4-44ce-4948-aee5-eccb2c155cd7, 4633458b-17de-408a-b874-0445c86b69e6})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{00482a5a-887f-4fb3-b363-3b7fe8e74483, a4417e6f-fecd-4de8-b567-7b0420556985, 14b46e9e-c2b7-41b4-b07b-48a6ebf60603, e147488a-f6f5-4113-8e2d-b22465e65bf6, 12338af0-0e69-4776-bea7-57ae8d297424, 21090545-7ca7-4776-b22c-e363652d74d2, b86a8fe4-44ce-4948-aee5-eccb2c155cd7, 4633458b-17de-408a-b874-0445c86b69e6}))";

    /// Verbatim conditions from built-in role definitions (`azure-builtin-roles.json`), one of each
    /// shape found there.
    const BUILTIN_CONDITIONS: &[&str] = &[
        KEY_VAULT_DATA_ACCESS_ADMINISTRATOR,
        // Azure Sphere Owner: GUIDs without dashes, no parentheses.
        "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{8b9dfcab4b774632a6df94bd07820648,c8ae62795a0b4cb2b3f0d4d62845742c,6d994134994b4a599974f479f0b227fb,5a382001fe3641ffbba48bf06bd54da9,749f88d5cbae40b8bcfce573ddc772fa,43d0d8ad25c7471493378ba259a9fe05}",
        // Privileged Monitoring Data Reader: ForAllOfAnyValues with a space before the set.
        "((!(ActionMatches{'Microsoft.OperationalInsights/workspaces/tables/data/read'})) OR (@Resource[Microsoft.OperationalInsights/workspaces/tables:protectionLevel] ForAllOfAnyValues:StringEquals {'General', 'Protected'})) AND ((!(ActionMatches{'Microsoft.Insights/logs/data/read'})) OR (@Resource[Microsoft.Insights/logs/tables:protectionLevel] ForAllOfAnyValues:StringEquals {'General', 'Protected'}))",
        // Lower-case operator and `&&`.
        "@Resource[HasObotoken] boolequals true && (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {de754d53-652d-4c75-a67f-1e48d8b49c97, acdd72a7-3385-48ef-bd42-f606fba81ae7, b0d8363b-8ddd-447d-831f-62ca05bff136, b24988ac-6180-42a0-ab88-20f7382dd24c, 7c2e40b7-25eb-482a-82cb-78ba06cb46d5})",
        "@Resource[HasObotoken] boolequals true",
        // A non-quantified string comparison next to a quantified one.
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR ((@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {c12c1c16-33a1-487b-954d-41c89c60f349, 69566ab7-960f-475b-8e7c-b3118f30c6bd, 17d1049b-9a84-46fb-8f53-869881c3d3ab}) AND (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEqualsIgnoreCase 'ServicePrincipal')))",
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR ((@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{4d97b98b-1d4f-4787-a291-c67834d212e7, f1a07417-d97a-45cb-824c-7a7467783830, acdd72a7-3385-48ef-bd42-f606fba81ae7, 92aaf0da-9dab-42b6-94a3-d43ce8d16293}) AND (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEquals{'ServicePrincipal'}))) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{4d97b98b-1d4f-4787-a291-c67834d212e7, f1a07417-d97a-45cb-824c-7a7467783830, acdd72a7-3385-48ef-bd42-f606fba81ae7, 92aaf0da-9dab-42b6-94a3-d43ce8d16293}))",
        // A bare disjunct after a parenthesised negation.
        "(!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{d715fb95a0f04f1c8be65ad2d2767f67, 4d97b98b1d4f4787a291c67834d212e7, 49fc33c1886f4b21a00e1d9993234734}",
        // GUIDs separated by commas without spaces.
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{eed3b665-ab3a-47b6-8f48-c9382fb1dad6,53ca6127-db72-4b80-b1b0-d745d6d5456d})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{eed3b665-ab3a-47b6-8f48-c9382fb1dad6,53ca6127-db72-4b80-b1b0-d745d6d5456d}))",
    ];

    #[test]
    fn builtin_role_conditions_parse() {
        for text in BUILTIN_CONDITIONS {
            let condition = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(condition.text(), *text);
            assert!(!condition.attributes().is_empty(), "{text}");
        }
    }

    #[test]
    fn key_vault_data_access_administrator() {
        let condition = parse(KEY_VAULT_DATA_ACCESS_ADMINISTRATOR).unwrap();
        let write = "Microsoft.Authorization/roleAssignments/write";
        let rdi = "Microsoft.Authorization/roleAssignments:RoleDefinitionId";
        // (a) Assigning an allowed role (Key Vault Secrets User), written in upper case.
        let allowed =
            TestAttrs::for_action(write).with("Request", rdi, vec![s("4633458B-17DE-408A-B874-0445C86B69E6")]);
        assert_eq!(condition.evaluate(&allowed), Truth::True);
        // (b) Assigning Owner.
        let owner = TestAttrs::for_action(write).with("Request", rdi, vec![s("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")]);
        assert_eq!(condition.evaluate(&owner), Truth::False);
        // (c) The role being assigned is not known.
        assert_eq!(condition.evaluate(&TestAttrs::for_action(write)), Truth::Unknown);
        // (d) Any other action is not restricted, whatever the attributes.
        let other = TestAttrs::for_action("Microsoft.KeyVault/vaults/secrets/getSecret/action");
        assert_eq!(condition.evaluate(&other), Truth::True);
        // Deleting needs the resource's role, which is unknown here.
        let delete = TestAttrs::for_action("Microsoft.Authorization/roleAssignments/delete");
        assert_eq!(condition.evaluate(&delete), Truth::Unknown);
        // With no action known at all nothing can be decided.
        assert_eq!(condition.evaluate(&TestAttrs::default()), Truth::Unknown);
        assert_eq!(
            condition.attributes(),
            vec![
                ("Request".to_owned(), rdi.to_owned()),
                ("Resource".to_owned(), rdi.to_owned()),
            ]
        );
    }

    #[test]
    fn guids_compare_without_dashes_or_case() {
        let condition = parse(BUILTIN_CONDITIONS[1]).unwrap();
        let rdi = "Microsoft.Authorization/roleAssignments:RoleDefinitionId";
        let attrs = TestAttrs::default().with("Request", rdi, vec![s("{749F88D5-CBAE-40B8-BCFC-E573DDC772FA}")]);
        assert_eq!(condition.evaluate(&attrs), Truth::True);
        let attrs = TestAttrs::default().with("Request", rdi, vec![s("not-a-guid")]);
        assert_eq!(condition.evaluate(&attrs), Truth::Unknown);
    }

    #[test]
    fn kleene_logic() {
        use Truth::{False as F, True as T, Unknown as U};
        let attrs = TestAttrs::default().with("Request", "t", vec![Value::Bool(true)]).with(
            "Request",
            "f",
            vec![Value::Bool(false)],
        );
        let term = |t: Truth| match t {
            T => "@Request[t] BoolEquals true",
            F => "@Request[f] BoolEquals true",
            U => "@Request[u] BoolEquals true",
        };
        for a in [T, F, U] {
            assert_eq!(eval(&format!("NOT {}", term(a)), &attrs), !a);
            assert_eq!(eval(&format!("!({})", term(a)), &attrs), !a);
            for b in [T, F, U] {
                let and = eval(&format!("{} AND {}", term(a), term(b)), &attrs);
                let or = eval(&format!("{} || {}", term(a), term(b)), &attrs);
                assert_eq!(and, a.and(b), "{a:?} AND {b:?}");
                assert_eq!(or, a.or(b), "{a:?} OR {b:?}");
            }
        }
        assert_eq!(F.and(U), F);
        assert_eq!(T.or(U), T);
        assert_eq!(!U, U);
        assert_eq!(T.and(U), U);
        assert_eq!(F.or(U), U);
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let attrs = TestAttrs::default();
        assert_eq!(eval("true OR false AND false", &attrs), Truth::True);
        assert_eq!(eval("(true OR false) AND false", &attrs), Truth::False);
        assert_eq!(eval("false and true or true", &attrs), Truth::True);
    }

    #[test]
    fn quantifiers_follow_the_documented_examples() {
        let attrs = TestAttrs::default();
        let cases = [
            ("{'red', 'blue'} ForAnyOfAnyValues:StringEquals {'blue', 'green'}", true),
            (
                "{'red', 'blue'} ForAnyOfAnyValues:StringEquals {'orange', 'green'}",
                false,
            ),
            (
                "{'red', 'blue'} ForAllOfAnyValues:StringEquals {'orange', 'red', 'blue'}",
                true,
            ),
            ("{'red', 'blue'} ForAllOfAnyValues:StringEquals {'red', 'green'}", false),
            ("{10, 20} ForAnyOfAllValues:NumericLessThan {15, 18}", true),
            ("{10, 20} ForAllOfAllValues:NumericLessThan {5, 15, 18}", false),
            ("{10, 20} ForAllOfAllValues:NumericLessThan {25, 30}", true),
            ("{10, 20} ForAllOfAllValues:NumericLessThan {15, 25, 30}", false),
            // The negation applies to each pair: some pair differs.
            ("{'a', 'b'} ForAnyOfAnyValues:StringNotEquals {'a'}", true),
            ("{'a'} ForAllOfAllValues:StringNotEquals {'a', 'b'}", false),
            ("{} ForAnyOfAnyValues:StringEquals {'a'}", false),
            ("{} ForAllOfAnyValues:StringEquals {'a'}", true),
            ("{'x'} foranyofanyvalues: stringequals {'X', 'x'}", true),
        ];
        for (condition, expected) in cases {
            assert_eq!(eval(condition, &attrs), Truth::from(expected), "{condition}");
        }
    }

    #[test]
    fn absent_and_unknown_attributes() {
        let attrs = TestAttrs::default().with("Resource", "tag", vec![]);
        assert_eq!(eval("@Resource[tag] StringEquals 'a'", &attrs), Truth::False);
        assert_eq!(eval("@Resource[tag] StringNotEquals 'a'", &attrs), Truth::True);
        assert_eq!(eval("Exists @Resource[tag]", &attrs), Truth::False);
        assert_eq!(eval("NotExists @Resource[tag]", &attrs), Truth::True);
        assert_eq!(eval("Exists @Resource[other]", &attrs), Truth::Unknown);
        assert_eq!(eval("@Resource[other] StringNotEquals 'a'", &attrs), Truth::Unknown);
        // A type mismatch is not guessed at.
        let attrs = TestAttrs::default().with("Request", "n", vec![s("ten")]);
        assert_eq!(eval("@Request[n] NumericEquals 10", &attrs), Truth::Unknown);
        assert_eq!(eval("@Request[n] NumericNotEquals 10", &attrs), Truth::Unknown);
        // Unknown functions, bare identifiers and `null` parse but are not evaluated.
        assert_eq!(eval("Frobnicate(@Request[n]) StringEquals 'x'", &attrs), Truth::Unknown);
        assert_eq!(eval("operationName ActionMatches 'a/b'", &attrs), Truth::Unknown);
        assert_eq!(eval("@Request[n] StringEquals null", &attrs), Truth::Unknown);
        // Operators and keywords are case-insensitive.
        assert_eq!(
            eval("@request[n] STRINGEQUALS 'ten' and NOT false", &attrs),
            Truth::True
        );
    }

    #[test]
    fn action_matching_is_segment_wise() {
        assert!(action_matches(
            "Microsoft.Storage/storageAccounts/read",
            "Microsoft.Storage/*/read"
        ));
        assert!(action_matches(
            "Microsoft.Storage/storageAccounts/read",
            "microsoft.storage/STORAGEACCOUNTS/*"
        ));
        assert!(!action_matches(
            "Microsoft.Storage/storageAccounts/blobServices/read",
            "Microsoft.Storage/*/read"
        ));
        assert!(!action_matches(
            "Microsoft.Storage/storageAccounts/read",
            "Microsoft.Storage/storageAccounts"
        ));
        let attrs = TestAttrs {
            sub_operation: Some("Blob.List".to_owned()),
            ..TestAttrs::for_action("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read")
        };
        let condition = "ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND SubOperationMatches{'Blob.List'}";
        assert_eq!(eval(condition, &attrs), Truth::True);
        assert_eq!(eval("ActionMatches{'*/*/*/*/*/*/write'}", &attrs), Truth::False);
    }

    #[test]
    fn string_like_and_matches() {
        assert!(like_match("a*c?", "abcd"));
        assert!(!like_match("A*C?", "abcd"));
        assert!(!like_match("a*c", "abcd"));
        assert!(like_match("*", ""));
        assert!(like_match("a\\*", "a*"));
        assert!(!like_match("a\\*", "ab"));
        assert!(like_match("*a*b*", "xxaxxbxx"));
        let attrs = TestAttrs::default().with("Resource", "name", vec![s("Prod-Web")]);
        assert_eq!(
            eval("@Resource[name] StringLikeIgnoreCase 'prod-*'", &attrs),
            Truth::True
        );
        assert_eq!(
            eval("@Resource[name] StringStartsWithIgnoreCase 'PROD'", &attrs),
            Truth::True
        );
        assert_eq!(regex_is_match("^FIN-[0-9]{4}$", "FIN-2024", false), Some(true));
        assert_eq!(regex_is_match("^FIN-[0-9]{4}$", "FIN-20245", false), Some(false));
        assert_eq!(regex_is_match("TEMP-[0-9]+", "a TEMP-1 b", false), Some(true));
        assert_eq!(regex_is_match("(?:ab|cd)+e", "xcdabe", false), Some(true));
        assert_eq!(regex_is_match("\\bword\\b", "a word here", false), Some(true));
        assert_eq!(regex_is_match("\\bword\\b", "swordfish", false), Some(false));
        assert_eq!(regex_is_match("[^\\d\\s]+$", "12 ab", false), Some(true));
        assert_eq!(regex_is_match("hello", "HeLLo", true), Some(true));
        assert_eq!(regex_is_match("(a*)*b", &"a".repeat(5000), false), Some(false));
        assert_eq!(regex_is_match("(?=a)", "a", false), None);
        assert_eq!(regex_is_match("(a)\\1", "aa", false), None);
        assert_eq!(regex_is_match("a{2,1}", "aa", false), None);
        assert_eq!(regex_is_match("a{x}", "a{x}", false), Some(true));
    }

    #[test]
    fn dates_times_and_addresses() {
        let early = parse_datetime("2023-05-01T12:00:00Z").unwrap();
        assert_eq!(parse_datetime("2023-05-01T14:00:00+02:00"), Some(early));
        assert_eq!(early.0, 1_682_942_400);
        assert!(parse_datetime("2023-02-29T00:00:00Z").is_none());
        assert_eq!(parse_datetime("2022-06-01T00:00:00.0Z"), Some((1_654_041_600, 0)));
        assert_eq!(
            format_datetime(early.0 + 86_400 * 366, 500_000_000).as_deref(),
            Some("2024-05-01T12:00:00.5Z")
        );
        assert_eq!(parse_time_of_day("09:30"), Some(34_200));
        assert_eq!(parse_time_of_day("24:00"), None);
        let ip = parse_ip("10.0.0.8").unwrap();
        assert_eq!(ip_in_cidr(ip, "10.0.0.0/24"), Some(true));
        assert_eq!(ip_in_cidr(ip, "0.0.0.0/0"), Some(true));
        assert_eq!(ip_in_cidr(ip, "10.0.0.9"), Some(false));
        assert_eq!(ip_in_cidr(ip, "10.0.0.0/33"), None);
        assert_eq!(
            ip_in_cidr(parse_ip("2001:db8::1").unwrap(), "2001:db8::/32"),
            Some(true)
        );
        let attrs = TestAttrs::default();
        assert_eq!(
            eval(
                "AddDays('2024-02-28T10:00:00Z', 1) DateTimeEquals '2024-02-29T10:00:00Z'",
                &attrs
            ),
            Truth::True
        );
        assert_eq!(
            eval(
                "AddDays('2023-12-31T23:00:00Z', 1) DateTimeEquals '2024-01-01T23:00:00Z'",
                &attrs
            ),
            Truth::True
        );
        assert_eq!(
            eval("'12:00' TimeOfDayInRange ['09:00', '17:00:00']", &attrs),
            Truth::True
        );
        assert_eq!(
            eval("5 NumericInRange {0, 10} AND NOT 11 NumericInRange [0, 10]", &attrs),
            Truth::True
        );
    }

    #[test]
    fn parse_errors_report_the_offset() {
        let cases: &[(&str, &str, usize)] = &[
            ("", "the condition is empty", 0),
            ("   ", "the condition is empty", 0),
            ("@Request[x] StringEqualz 'a'", "unknown operator `StringEqualz`", 12),
            (
                "@Request[x] ForSomeValues:StringEquals 'a'",
                "unknown quantifier `ForSomeValues`",
                12,
            ),
            (
                "@Request[x] ForAnyOfAnyValues:StringEqualz 'a'",
                "unknown operator `StringEqualz`",
                30,
            ),
            (
                "@Request[x] StringEquals 'abc",
                "unterminated string; expected a closing `'`",
                25,
            ),
            ("@Foo[x] StringEquals 'a'", "unknown attribute source `@Foo`", 0),
            (
                "@Request[x] StringEquals",
                "operator `StringEquals` is missing its right operand",
                24,
            ),
            (
                "StringEquals 'a'",
                "operator `StringEquals` is missing its left operand",
                0,
            ),
            (
                "(true",
                "expected `)` to close the `(` at character 0 but found the end of the condition",
                5,
            ),
            (
                "true)",
                "expected `AND`, `OR` or the end of the condition but found `)`",
                4,
            ),
            ("true & false", "unexpected character `&`", 5),
            (
                "true AND",
                "expected an expression but reached the end of the condition",
                8,
            ),
            (
                "ToLower('a', 'b') StringEquals 'a'",
                "`ToLower` takes 1 argument but was given 2",
                0,
            ),
            (
                "@Request[x] ListContains {'a', 'b'",
                "expected `,` or `}` in the list opened at character 25",
                34,
            ),
            (
                "@Request[a] ForAnyOfAnyValues:ListContains 'a'",
                "`ListContains` cannot be combined with a quantifier",
                30,
            ),
        ];
        for (text, message, offset) in cases {
            let error = parse(text).expect_err(text);
            assert!(error.message.starts_with(message), "{text}: {error}");
            assert_eq!(error.offset, *offset, "{text}: {error}");
        }
        let error = parse("a\u{e9}\u{e9} StringEqualz 'x'").unwrap_err();
        assert_eq!(error.offset, 4, "offsets count characters, not bytes");
        assert_eq!(error.to_string(), "unknown operator `StringEqualz` at character 4");
        let deep = format!("{}true{}", "(".repeat(500), ")".repeat(500));
        assert!(parse(&deep).unwrap_err().message.contains("nests more than"));
        let long = ["true"; 5000].join(" AND ");
        assert_eq!(eval(&long, &TestAttrs::default()), Truth::True);
    }

    /// The malformed expressions of regorus' parser tests (`tests.rs`, `test_parsing_errors`).
    #[test]
    fn regorus_invalid_expressions_are_rejected() {
        let invalid = [
            "",
            "@",
            "@Request",
            "@Request[",
            "@InvalidSource[attr]",
            "@Request[attr] InvalidOperator 'value'",
            "@Request[attr] StringEquals",
            "StringEquals 'value'",
            "@Request[attr] 'value'",
            "StringEquals",
            "@Request[attr] StringEquals 'value' AND",
            "AND @Request[attr] StringEquals 'value'",
            "@Request[attr] StringEquals 'value' OR",
            "OR @Request[attr] StringEquals 'value'",
            "NOT",
            "Exists",
            "NotExists",
            "(@Request[attr] StringEquals 'value'",
            "@Request[attr] StringEquals 'unclosed",
            "@Request[attr] StringEquals 'value')",
        ];
        for text in invalid {
            assert!(parse(text).is_err(), "{text:?} should not parse");
        }
    }

    /// The regorus parse vectors (`test_cases.yaml`): every condition must parse. The expected
    /// syntax trees there are regorus' own and are not compared.
    #[test]
    fn regorus_parse_vectors_parse() {
        let yaml = include_str!("../../tests/fixtures/conditions/test_cases.yaml");
        let mut count = 0;
        for line in yaml.lines() {
            if let Some(rest) = line.trim().strip_prefix("condition:") {
                let text = yaml_string(rest.trim());
                parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
                count += 1;
            }
        }
        assert_eq!(count, 61);
    }

    // --- regorus evaluation vectors ---------------------------------------------------------

    /// One evaluation vector from regorus' `test_cases/*.yaml`.
    #[derive(Debug, Default)]
    struct Vector {
        file: &'static str,
        name: String,
        condition: String,
        expected: Option<bool>,
        request_attributes: Option<Vec<(String, Vec<Value>)>>,
        resource_attributes: Option<Vec<(String, Vec<Value>)>>,
    }

    const VECTOR_FILES: &[(&str, &str)] = &[
        (
            "ActionMatches",
            include_str!("../../tests/fixtures/conditions/ActionMatches.yaml"),
        ),
        ("AddDays", include_str!("../../tests/fixtures/conditions/AddDays.yaml")),
        (
            "BoolEquals",
            include_str!("../../tests/fixtures/conditions/BoolEquals.yaml"),
        ),
        (
            "BoolNotEquals",
            include_str!("../../tests/fixtures/conditions/BoolNotEquals.yaml"),
        ),
        (
            "CrossProducts",
            include_str!("../../tests/fixtures/conditions/CrossProducts.yaml"),
        ),
        (
            "DateTimeEquals",
            include_str!("../../tests/fixtures/conditions/DateTimeEquals.yaml"),
        ),
        (
            "DateTimeGreaterThan",
            include_str!("../../tests/fixtures/conditions/DateTimeGreaterThan.yaml"),
        ),
        (
            "DateTimeGreaterThanEquals",
            include_str!("../../tests/fixtures/conditions/DateTimeGreaterThanEquals.yaml"),
        ),
        (
            "DateTimeLessThan",
            include_str!("../../tests/fixtures/conditions/DateTimeLessThan.yaml"),
        ),
        (
            "DateTimeLessThanEquals",
            include_str!("../../tests/fixtures/conditions/DateTimeLessThanEquals.yaml"),
        ),
        (
            "DateTimeNotEquals",
            include_str!("../../tests/fixtures/conditions/DateTimeNotEquals.yaml"),
        ),
        (
            "GuidEquals",
            include_str!("../../tests/fixtures/conditions/GuidEquals.yaml"),
        ),
        (
            "GuidNotEquals",
            include_str!("../../tests/fixtures/conditions/GuidNotEquals.yaml"),
        ),
        (
            "IpInRange",
            include_str!("../../tests/fixtures/conditions/IpInRange.yaml"),
        ),
        ("IpMatch", include_str!("../../tests/fixtures/conditions/IpMatch.yaml")),
        (
            "IpNotMatch",
            include_str!("../../tests/fixtures/conditions/IpNotMatch.yaml"),
        ),
        (
            "ListContains",
            include_str!("../../tests/fixtures/conditions/ListContains.yaml"),
        ),
        (
            "ListNotContains",
            include_str!("../../tests/fixtures/conditions/ListNotContains.yaml"),
        ),
        (
            "NormalizeList",
            include_str!("../../tests/fixtures/conditions/NormalizeList.yaml"),
        ),
        (
            "NormalizeSet",
            include_str!("../../tests/fixtures/conditions/NormalizeSet.yaml"),
        ),
        (
            "NumericEquals",
            include_str!("../../tests/fixtures/conditions/NumericEquals.yaml"),
        ),
        (
            "NumericGreaterThan",
            include_str!("../../tests/fixtures/conditions/NumericGreaterThan.yaml"),
        ),
        (
            "NumericGreaterThanEquals",
            include_str!("../../tests/fixtures/conditions/NumericGreaterThanEquals.yaml"),
        ),
        (
            "NumericInRange",
            include_str!("../../tests/fixtures/conditions/NumericInRange.yaml"),
        ),
        (
            "NumericLessThan",
            include_str!("../../tests/fixtures/conditions/NumericLessThan.yaml"),
        ),
        (
            "NumericLessThanEquals",
            include_str!("../../tests/fixtures/conditions/NumericLessThanEquals.yaml"),
        ),
        (
            "NumericNotEquals",
            include_str!("../../tests/fixtures/conditions/NumericNotEquals.yaml"),
        ),
        (
            "StringContains",
            include_str!("../../tests/fixtures/conditions/StringContains.yaml"),
        ),
        (
            "StringEndsWith",
            include_str!("../../tests/fixtures/conditions/StringEndsWith.yaml"),
        ),
        (
            "StringEquals",
            include_str!("../../tests/fixtures/conditions/StringEquals.yaml"),
        ),
        (
            "StringEqualsIgnoreCase",
            include_str!("../../tests/fixtures/conditions/StringEqualsIgnoreCase.yaml"),
        ),
        (
            "StringLike",
            include_str!("../../tests/fixtures/conditions/StringLike.yaml"),
        ),
        (
            "StringMatches",
            include_str!("../../tests/fixtures/conditions/StringMatches.yaml"),
        ),
        (
            "StringNotContains",
            include_str!("../../tests/fixtures/conditions/StringNotContains.yaml"),
        ),
        (
            "StringNotEndsWith",
            include_str!("../../tests/fixtures/conditions/StringNotEndsWith.yaml"),
        ),
        (
            "StringNotEquals",
            include_str!("../../tests/fixtures/conditions/StringNotEquals.yaml"),
        ),
        (
            "StringNotEqualsIgnoreCase",
            include_str!("../../tests/fixtures/conditions/StringNotEqualsIgnoreCase.yaml"),
        ),
        (
            "StringNotLike",
            include_str!("../../tests/fixtures/conditions/StringNotLike.yaml"),
        ),
        (
            "StringNotMatches",
            include_str!("../../tests/fixtures/conditions/StringNotMatches.yaml"),
        ),
        (
            "StringNotStartsWith",
            include_str!("../../tests/fixtures/conditions/StringNotStartsWith.yaml"),
        ),
        (
            "StringStartsWith",
            include_str!("../../tests/fixtures/conditions/StringStartsWith.yaml"),
        ),
        (
            "SubOperationMatches",
            include_str!("../../tests/fixtures/conditions/SubOperationMatches.yaml"),
        ),
        (
            "TimeOfDayEquals",
            include_str!("../../tests/fixtures/conditions/TimeOfDayEquals.yaml"),
        ),
        (
            "TimeOfDayGreaterThan",
            include_str!("../../tests/fixtures/conditions/TimeOfDayGreaterThan.yaml"),
        ),
        (
            "TimeOfDayGreaterThanEquals",
            include_str!("../../tests/fixtures/conditions/TimeOfDayGreaterThanEquals.yaml"),
        ),
        (
            "TimeOfDayInRange",
            include_str!("../../tests/fixtures/conditions/TimeOfDayInRange.yaml"),
        ),
        (
            "TimeOfDayLessThan",
            include_str!("../../tests/fixtures/conditions/TimeOfDayLessThan.yaml"),
        ),
        (
            "TimeOfDayLessThanEquals",
            include_str!("../../tests/fixtures/conditions/TimeOfDayLessThanEquals.yaml"),
        ),
        (
            "TimeOfDayNotEquals",
            include_str!("../../tests/fixtures/conditions/TimeOfDayNotEquals.yaml"),
        ),
        ("ToLower", include_str!("../../tests/fixtures/conditions/ToLower.yaml")),
        ("ToTime", include_str!("../../tests/fixtures/conditions/ToTime.yaml")),
        ("ToUpper", include_str!("../../tests/fixtures/conditions/ToUpper.yaml")),
        ("Trim", include_str!("../../tests/fixtures/conditions/Trim.yaml")),
    ];

    /// Vectors deliberately not run, with the reason. None at present.
    const SKIPPED: &[(&str, &str)] = &[];

    /// Reads a YAML double-quoted scalar; the fixtures only escape `"` and `\`.
    fn yaml_string(text: &str) -> String {
        let inner = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or_else(|| panic!("not a double-quoted YAML string: {text}"));
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                out.push(chars.next().expect("escape at the end of a YAML string"));
            } else {
                out.push(c);
            }
        }
        out
    }

    /// Reads `key: ["a", "b"]`, the only shape the fixtures' contexts use.
    fn yaml_flow_list(line: &str) -> (String, Vec<Value>) {
        let (key, list) = line.split_once(':').expect("key: [values]");
        let list = list.trim();
        let inner = list
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .unwrap_or_else(|| panic!("not a flow list: {line}"));
        let values = inner
            .split(',')
            .map(|item| Value::String(yaml_string(item.trim())))
            .collect();
        (key.trim().to_owned(), values)
    }

    /// Parses the simple YAML shape of the fixtures by hand, so that no YAML crate is needed.
    fn parse_vectors(file: &'static str, yaml: &str) -> Vec<Vector> {
        let mut vectors: Vec<Vector> = Vec::new();
        let mut section = "";
        for line in yaml.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed == "test_cases:" || trimmed.starts_with('#') {
                continue;
            }
            if let Some(name) = trimmed.strip_prefix("- name:") {
                vectors.push(Vector {
                    file,
                    name: name.trim().to_owned(),
                    ..Vector::default()
                });
                section = "";
                continue;
            }
            let vector = vectors
                .last_mut()
                .unwrap_or_else(|| panic!("{file}: line before the first case: {line}"));
            if let Some(rest) = trimmed.strip_prefix("condition:") {
                vector.condition = yaml_string(rest.trim());
            } else if let Some(rest) = trimmed.strip_prefix("expected:") {
                vector.expected = match rest.trim() {
                    "true" => Some(true),
                    "false" => Some(false),
                    other => panic!("{file}: unexpected expected value {other}"),
                };
            } else if trimmed == "context:" {
                section = "";
            } else if trimmed == "request_attributes:" {
                section = "request";
                vector.request_attributes = Some(Vec::new());
            } else if trimmed == "resource_attributes:" {
                section = "resource";
                vector.resource_attributes = Some(Vec::new());
            } else {
                let entry = yaml_flow_list(trimmed);
                match section {
                    "request" => vector.request_attributes.get_or_insert_with(Vec::new).push(entry),
                    "resource" => vector.resource_attributes.get_or_insert_with(Vec::new).push(entry),
                    _ => panic!("{file}: unexpected line {line}"),
                }
            }
        }
        vectors
    }

    fn n(number: f64) -> Value {
        Value::Number(number)
    }

    /// regorus' test context (`src/languages/azure_rbac/tests.rs`, `default_context`), in which
    /// every attribute not listed is known to be absent. A context override replaces the whole
    /// attribute object of its source, as regorus' `apply_overrides` does; the fallbacks regorus
    /// resolves from other context fields (resource id, principal type, environment) stay.
    fn regorus_context(vector: &Vector) -> TestAttrs {
        let strings = |items: &[&str]| items.iter().map(|i| s(i)).collect::<Vec<_>>();
        let default_request: Vec<(String, Vec<Value>)> = vec![
            ("owner".into(), vec![s("alice")]),
            ("text".into(), vec![s("HelloWorld")]),
            ("tags".into(), strings(&["prod", "gold"])),
            ("count".into(), vec![n(10.0)]),
            ("ratio".into(), vec![n(2.5)]),
            ("enabled".into(), vec![Value::Bool(true)]),
            ("ip".into(), vec![s("10.0.0.8")]),
            ("guid".into(), vec![s("A1B2C3D4-0000-0000-0000-000000000000")]),
            ("time".into(), vec![s("12:30:15")]),
            ("date".into(), vec![s("2023-05-01T12:00:00Z")]),
            ("numbers".into(), vec![n(1.0), n(2.0), n(3.0)]),
            ("letters".into(), strings(&["a", "b"])),
        ];
        let default_resource: Vec<(String, Vec<Value>)> = vec![
            ("owner".into(), vec![s("alice")]),
            ("tags".into(), strings(&["a", "b"])),
            ("count".into(), vec![n(5.0)]),
            ("enabled".into(), vec![Value::Bool(false)]),
            ("ip".into(), vec![s("10.0.0.5")]),
            ("guid".into(), vec![s("a1b2c3d4-0000-0000-0000-000000000000")]),
        ];
        let principal: Vec<(String, Vec<Value>)> = vec![
            ("department".into(), vec![s("eng")]),
            ("levels".into(), strings(&["L1", "L2"])),
            ("id".into(), vec![s("user-1")]),
            ("principalType".into(), vec![s("User")]),
        ];
        let request = vector.request_attributes.clone().unwrap_or(default_request);
        let resource = vector.resource_attributes.clone().unwrap_or(default_resource);
        let mut attrs = TestAttrs {
            action: Some("Microsoft.Storage/storageAccounts/read".to_owned()),
            sub_operation: Some("sub/read".to_owned()),
            closed_world: true,
            ..TestAttrs::default()
        };
        for (name, values) in request {
            attrs = attrs.with("Request", &name, values);
        }
        for (name, values) in resource {
            attrs = attrs.with("Resource", &name, values);
        }
        for (name, values) in principal {
            attrs = attrs.with("Principal", &name, values);
        }
        for (source, name, value) in [
            ("Request", "action", "Microsoft.Storage/storageAccounts/read"),
            ("Request", "dataAction", "Microsoft.Storage/storageAccounts/read"),
            ("Resource", "id", "/subscriptions/s1"),
            ("Resource", "type", "Microsoft.Storage/storageAccounts"),
            ("Resource", "scope", "/subscriptions/s1"),
            ("Environment", "utcNow", "2023-05-01T12:00:00Z"),
            ("Environment", "timeOfDay", "12:00:00"),
        ] {
            let key = (source.to_owned(), name.to_owned());
            attrs.values.entry(key).or_insert_with(|| vec![s(value)]);
        }
        attrs.with("Environment", "isPrivateLink", vec![Value::Bool(false)])
    }

    #[test]
    fn regorus_evaluation_vectors() {
        let mut failures = Vec::new();
        let (mut passed, mut skipped) = (0, 0);
        for (file, yaml) in VECTOR_FILES {
            let vectors = parse_vectors(file, yaml);
            assert!(!vectors.is_empty(), "{file} has no vectors");
            for vector in vectors {
                if SKIPPED.iter().any(|(name, _)| *name == vector.name) {
                    skipped += 1;
                    continue;
                }
                let expected = vector
                    .expected
                    .unwrap_or_else(|| panic!("{}: {} has no expected value", vector.file, vector.name));
                let attrs = regorus_context(&vector);
                let outcome = match parse(&vector.condition) {
                    Ok(condition) => condition.evaluate(&attrs),
                    Err(error) => {
                        failures.push(format!("{}/{}: parse error: {error}", vector.file, vector.name));
                        continue;
                    }
                };
                if outcome == Truth::from(expected) {
                    passed += 1;
                } else {
                    failures.push(format!(
                        "{}/{}: `{}` gave {outcome:?}, expected {expected}",
                        vector.file, vector.name, vector.condition
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "failing vectors:\n{}", failures.join("\n"));
        assert_eq!((passed, skipped), (112, 0));
    }
}
