//! Importers: exports of real estates become model trees (`source::Node`) in the model format, which the
//! one loader then validates like any hand-written model. Nodes keep the positions of the export values
//! they come from (marked with the export's file number, `source::origin`), so a problem found after
//! import names the export file and line.
//!
//! **Architecture invariant:** importers do no I/O (the command line reads the export folder) and
//! never decide access: they only translate.

pub mod azure;
pub mod azurehound;
pub mod build;
pub mod common;

use std::collections::BTreeMap;

use crate::source::Node;

/// An imported model, and what the import met on the way.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The model, in the model format.
    pub tree: Node,
    /// What was imported, kept generic, or left out.
    pub summary: Summary,
    /// Problems in the exports that did not stop the import, positioned in the export files.
    pub warnings: crate::diag::Diagnostics,
}

/// What an import did, for the user to review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// How many things of each kind were imported (`users`, `workspace`, `role assignments`, ...).
    pub counts: BTreeMap<String, usize>,
    /// Resource types the tool does not model, kept as generic resources, with their counts.
    pub generic: BTreeMap<String, usize>,
    /// What was left out, and why (e.g. an assignment to a principal the export does not hold).
    pub left_out: Vec<String>,
    /// What the export cannot tell and must come from an overlay.
    pub missing: Vec<String>,
}

impl Summary {
    /// Counts one more thing of a kind.
    pub fn count(&mut self, kind: &str) {
        *self.counts.entry(kind.to_string()).or_default() += 1;
    }
}
