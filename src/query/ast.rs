//! The syntax tree of a query. Names are kept as written, with their column, so resolution errors can
//! point at them.

use std::fmt;

/// A name as written, with the character column where it starts (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The text.
    pub text: String,
    /// 1-based column of its first character.
    pub col: usize,
}

/// Who a path may start from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// One principal.
    Principal(Name),
    /// Every transitive member of a group.
    MembersOf(Name),
    /// `any user`.
    AnyUser,
    /// `any group`.
    AnyGroup,
    /// `any service principal`.
    AnyServicePrincipal,
    /// `any identity`.
    AnyIdentity,
    /// `any principal`.
    AnyPrincipal,
    /// `anyone from LOCATION`: an unauthenticated actor.
    AnyoneFrom(Name),
}

/// The kinds of capability a query asks about (`docs/queries.md`, WHAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CapabilityKind {
    /// `data-read of R`.
    DataRead,
    /// `data-write of R`.
    DataWrite,
    /// `data of R`: read or write.
    Data,
    /// `secrets of R`.
    Secrets,
    /// `control of R`.
    Control,
    /// `assign on SCOPE`.
    Assign,
    /// `exec on R`.
    Exec,
    /// `act-as P`.
    ActAs,
    /// `invoke R`.
    Invoke,
    /// `push to R`.
    Push,
    /// `use R`.
    Use,
}

impl CapabilityKind {
    /// How the capability is written, without its object.
    pub fn keyword(self) -> &'static str {
        match self {
            CapabilityKind::DataRead => "data-read of",
            CapabilityKind::DataWrite => "data-write of",
            CapabilityKind::Data => "data of",
            CapabilityKind::Secrets => "secrets of",
            CapabilityKind::Control => "control of",
            CapabilityKind::Assign => "assign on",
            CapabilityKind::Exec => "exec on",
            CapabilityKind::ActAs => "act-as",
            CapabilityKind::Invoke => "invoke",
            CapabilityKind::Push => "push to",
            CapabilityKind::Use => "use",
        }
    }
}

/// A capability on an object, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    /// What.
    pub kind: CapabilityKind,
    /// On what.
    pub object: Name,
}

/// A constraint on the paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// No step uses these channels.
    Avoiding(Vec<Name>),
    /// The last step does not go through Azure ML.
    Directly,
    /// Actors start at this location only.
    From(Name),
    /// These principals are not actors, and no step naming them is used.
    Excluding(Vec<Name>),
    /// The derivation's depth is at most N.
    WithinSteps(u32),
    /// Every network premise holds.
    IgnoringNetwork,
}

/// The three forms of query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryForm {
    /// `can WHO reach WHAT`.
    Can(Who, Capability),
    /// `who can reach WHAT`.
    WhoCan(Capability),
    /// `what can WHO reach`.
    WhatCan(Who),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The text as given.
    pub text: String,
    /// The form.
    pub form: QueryForm,
    /// Constraints, in order.
    pub constraints: Vec<Constraint>,
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.keyword(), self.object.text)
    }
}
