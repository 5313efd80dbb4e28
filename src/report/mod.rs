//! Rendering, for people (text) and machines (JSON). Renderers take what to show and a writer; they
//! decide nothing and do no other I/O.

pub mod answer;
pub mod check;
pub mod compare;
pub mod diagnostics;
pub mod html;
pub mod permissions;
pub mod rules;

/// Whether text output may use colour (decided by the CLI from the terminal, `--color` and `NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// Plain text.
    Never,
    /// ANSI colours.
    Always,
}
