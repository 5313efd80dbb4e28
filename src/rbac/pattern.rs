//! Matching an operation against a role's action pattern (`spec/azure-access-semantics.md` §1.4).
//!
//! - Case-insensitive.
//! - `*` matches any sequence of characters, `/` included (multi-segment).
//! - A `/*/` also matches a single `/`: `X/*/Y` matches `X/Y`. This is what makes Managed Identity
//!   Operator able to assign identities, keeps AzureML Data Scientist from writing computes, and keeps
//!   Contributor from writing role assignments (§1.4 item 3).
//! - Whether a trailing `/*` matches the bare prefix (`X/*` vs `X`) is unknown (§1.4 item 4), so the
//!   caller says which reading grants more access for the list the pattern is in: [`Trailing::Bare`]
//!   for lists that grant, [`Trailing::NotBare`] for lists that take away.
//!
//! ABAC `ActionMatches` (segment-wise) is deliberately not used here (§1.4 item 6).

use std::sync::Arc;

use regex::Regex;

/// How a trailing `/*` treats the bare prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trailing {
    /// `X/*` also matches `X` (the reading that grants more, for `actions`, `data_actions` and a
    /// deny's `not_*` lists).
    Bare,
    /// `X/*` does not match `X` (for `not_actions`, `not_data_actions` and a deny's `actions`).
    NotBare,
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// Shared with every decision that cites the pattern.
    text: Arc<str>,
    regex: Option<Regex>,
}

impl Pattern {
    /// Compiles a pattern. A pattern that cannot be compiled (it cannot happen for the characters
    /// Azure allows) matches nothing, which the loader reports as a problem beforehand.
    pub fn new(text: &str, trailing: Trailing) -> Pattern {
        let regex = Regex::new(&to_regex(text, trailing)).ok();
        Pattern {
            text: Arc::from(text),
            regex,
        }
    }

    /// The pattern as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The pattern as written, shared rather than copied.
    pub fn shared_text(&self) -> Arc<str> {
        Arc::clone(&self.text)
    }

    /// True when the operation matches.
    pub fn matches(&self, operation: &str) -> bool {
        self.regex.as_ref().is_some_and(|r| r.is_match(operation))
    }
}

/// Translates a pattern to an anchored, case-insensitive regular expression.
fn to_regex(pattern: &str, trailing: Trailing) -> String {
    let mut out = String::from("(?i)^");
    let mut rest = pattern.trim();
    while !rest.is_empty() {
        if trailing == Trailing::Bare && rest == "/*" {
            out.push_str("(?:/.*)?");
            break;
        }
        if let Some(after) = rest.strip_prefix("/*/") {
            // The wildcard segment may be empty: `X/*/Y` matches `X/Y` and `X/a/b/Y`.
            out.push_str("/(?:.*/)?");
            rest = after;
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        if c == '*' {
            out.push_str(".*");
        } else {
            out.push_str(&regex::escape(c.encode_utf8(&mut [0u8; 4])));
        }
        rest = chars.as_str();
    }
    out.push('$');
    out
}

/// True when the pattern matches; a convenience for one-off checks.
pub fn matches(pattern: &str, operation: &str, trailing: Trailing) -> bool {
    Pattern::new(pattern, trailing).matches(operation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, op: &str, expected: bool) {
        assert_eq!(matches(pattern, op, Trailing::Bare), expected, "{pattern} vs {op}");
    }

    #[test]
    fn case_insensitive() {
        check(
            "Microsoft.Authorization/*/Write",
            "microsoft.authorization/roleassignments/write",
            true,
        );
    }

    #[test]
    fn star_spans_segments() {
        check(
            "Microsoft.Compute/virtualMachines/*",
            "Microsoft.Compute/virtualMachines/extensions/write",
            true,
        );
        check(
            "Microsoft.MachineLearningServices/workspaces/*/read",
            "Microsoft.MachineLearningServices/workspaces/datasets/registered/preview/read",
            true,
        );
        check("*/read", "Microsoft.Storage/storageAccounts/read", true);
        check("*/read", "Microsoft.Storage/storageAccounts/write", false);
        check("*", "anything/at/all", true);
    }

    #[test]
    fn slash_star_slash_may_be_empty() {
        check(
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
            "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
            true,
        );
        check(
            "Microsoft.MachineLearningServices/workspaces/computes/*/write",
            "Microsoft.MachineLearningServices/workspaces/computes/write",
            true,
        );
        check(
            "Microsoft.MachineLearningServices/workspaces/*/delete",
            "Microsoft.MachineLearningServices/workspaces/delete",
            true,
        );
        // The empty segment does not let the pattern jump over a non-empty name.
        check("X/*/Y", "X/Z", false);
    }

    #[test]
    fn trailing_star_and_the_bare_prefix() {
        assert!(matches(
            "Microsoft.Storage/storageAccounts/*",
            "Microsoft.Storage/storageAccounts",
            Trailing::Bare
        ));
        assert!(!matches(
            "Microsoft.Storage/storageAccounts/*",
            "Microsoft.Storage/storageAccounts",
            Trailing::NotBare
        ));
        assert!(matches(
            "Microsoft.Storage/storageAccounts/*",
            "Microsoft.Storage/storageAccounts/read",
            Trailing::NotBare
        ));
    }

    #[test]
    fn literal_dots_and_specials_are_not_wildcards() {
        check("Microsoft.Storage/read", "MicrosoftXStorage/read", false);
        check("a+b/(c)", "a+b/(c)", true);
    }

    #[test]
    fn several_stars_are_accepted() {
        check(
            "Microsoft.CostManagement/*/query/*",
            "Microsoft.CostManagement/exports/query/read",
            true,
        );
    }
}
