//! Model files to a [`Model`]: parse (YAML or JSON, with positions), decode (serde, every element on
//! its own), resolve (names, scopes, roles, defaults, implicit things). Every problem of every stage
//! is collected and positioned; a model with any error is rejected as a whole.
//!
//! **Architecture invariant:** loading does no I/O. It takes text and a source name; only `cli` opens
//! files, so nothing the user gave can be modified here.

pub mod change;
pub mod decode;
pub mod dto;
pub mod merge;
pub mod resolve;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Model;
use crate::source::{self, Format};
use crate::timing;

/// One input document.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name shown in diagnostics (a path, or `<stdin>`).
    pub name: String,
    /// The text.
    pub text: String,
    /// YAML or JSON.
    pub format: Format,
}

impl Source {
    /// A source whose format follows from its name.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let name = name.into();
        let format = Format::from_path(&name);
        Source {
            name,
            text: text.into(),
            format,
        }
    }
}

/// A loaded model with the warnings found on the way.
#[derive(Debug)]
pub struct Loaded {
    /// The model.
    pub model: Model,
    /// Warnings (no errors: a model with errors is not loaded).
    pub warnings: Diagnostics,
}

/// Loads one model document. On failure every problem is returned, sorted by position.
pub fn load(source: &Source) -> Result<Loaded, Diagnostics> {
    if let Some(loaded) = load_unpositioned(source) {
        return Ok(loaded);
    }
    let root = match timing::stage("parse", || source::parse(&source.text, source.format)) {
        Ok(root) => root,
        Err(d) => return Err(Diagnostics::from(d.in_file(&source.name))),
    };
    let loaded = load_tree(&root, &source.name);
    free_in_background(root);
    loaded
}

/// A model read without positions (JSON, see [`source::parse_unpositioned`]), kept only when loading
/// it reports nothing at all: every problem, warnings included, must say where it is, so then the
/// caller reads the text again with positions and loads that.
fn load_unpositioned(source: &Source) -> Option<Loaded> {
    let root = timing::stage("parse", || source::parse_unpositioned(&source.text, source.format))?;
    let decoded = timing::stage("decode", || decode::decode(&root));
    // Without positions the tree has nothing more to give: freed before the model is built, its
    // memory is used again rather than new memory taken (which costs time as well as space).
    free_in_background(root);
    if !decoded.diagnostics.is_empty() {
        return None;
    }
    let (model, warnings) = resolve_decoded(&decoded);
    free_in_background(decoded);
    warnings.is_empty().then_some(Loaded { model, warnings })
}

/// Drops a large value on another thread: freeing the positioned tree of a big file one node at a
/// time takes about as long as building it, and nothing waits for it.
fn free_in_background<T: Send + 'static>(value: T) {
    // Without a thread to be had, the value is dropped here, with the closure that holds it.
    let _detached = std::thread::Builder::new()
        .name("free".into())
        .spawn(move || drop(value));
}

/// Loads a model from its parsed tree (`name` is shown in diagnostics).
pub fn load_tree(root: &source::Node, name: &str) -> Result<Loaded, Diagnostics> {
    let source = Source::new(name, "");
    let decoded = timing::stage("decode", || decode::decode(root));
    let (model, resolve_diags) = resolve_decoded(&decoded);
    let mut diags = decoded.diagnostics;
    diags.extend(resolve_diags);
    for d in diags.iter_mut() {
        position(d, root, &source.name);
    }
    diags.sort();
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(Loaded { model, warnings: diags })
    }
}

/// The model of a decoded document, with the problems resolving found.
fn resolve_decoded(decoded: &decode::Decoded) -> (Model, Diagnostics) {
    timing::stage("resolve", || {
        resolve::resolve(&decoded.dto, &decoded.broken_names, &decoded.origins)
    })
}

/// Fills in the file and, from the field path, the position of a diagnostic.
fn position(d: &mut Diagnostic, root: &source::Node, file: &str) {
    d.file = file.to_string();
    if d.pos.is_none() {
        d.pos = Some(if d.code == "unknown-key" {
            root.key_pos_at_path(&d.path)
                .unwrap_or_else(|| root.pos_at_path(&d.path))
        } else {
            root.pos_at_path(&d.path)
        });
    }
}
