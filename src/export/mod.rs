//! Exports of a model and its access graph to other tools' formats.

pub mod bloodhound;
