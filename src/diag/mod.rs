//! Problems in what the user gave: one diagnostic model, collected (never "first error only").
//!
//! A [`Diagnostic`] names the file, the position, the field path (`role_assignments[3].role`), what was
//! expected, and where possible the nearest known name. Rendering lives in `report::diagnostics`; this
//! module only describes problems.

pub mod suggest;

use std::fmt;

/// A position in a source file: 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// How bad a problem is: errors reject the model, warnings are reported and loading goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input is rejected.
    Error,
    /// The input is accepted, but something deserves a look.
    Warning,
}

impl Severity {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem in a user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A short stable code, e.g. `unknown-key`, usable by tools that read JSON output.
    pub code: &'static str,
    /// What is wrong: lowercase, no trailing period, user input in backticks.
    pub message: String,
    /// The file the problem is in (`<stdin>` for standard input, `<query>` for a query text).
    pub file: String,
    /// Where in the file, when known.
    pub pos: Option<Pos>,
    /// The path of the field, e.g. `role_assignments[3].role`; empty for the document itself.
    pub path: String,
    /// What would fix it, e.g. "did you mean `AzureML Data Scientist`?".
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error with the given code and message; file, position and path are filled in later.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            file: String::new(),
            pos: None,
            path: String::new(),
            help: None,
        }
    }

    /// A new warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Sets the field path.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sets the position.
    pub fn with_pos(mut self, pos: Pos) -> Self {
        self.pos = Some(pos);
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help text when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Sets the file name.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = file.into();
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(pos) = self.pos {
            write!(f, ":{pos}")?;
        }
        write!(f, ": {}: {}", self.severity.as_str(), self.message)?;
        if !self.path.is_empty() {
            write!(f, " (at `{}`)", self.path)?;
        }
        if let Some(help) = &self.help {
            write!(f, "; help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem found in one input, in the order found; sorted by position before reporting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Diagnostics::default()
    }

    /// Adds one problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds every problem of another list.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True when at least one problem is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Mutable access, used by the loader to fill in positions.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Diagnostic> {
        self.items.iter_mut()
    }

    /// Sorts by file, position, then message, and drops exact duplicates, so reports are stable.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.pos.is_none(), a.pos, &a.path, &a.message).cmp(&(
                &b.file,
                b.pos.is_none(),
                b.pos,
                &b.path,
                &b.message,
            ))
        });
        self.items.dedup();
    }

    /// The problems as a vector.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
