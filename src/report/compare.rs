//! `whatif` and `diff` results: access gained (with witnesses) and lost, and suite expectations whose
//! outcome changes.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::answer::{witness_json, witness_text};
use crate::compare::{Difference, Network};
use crate::graph::AccessGraph;

/// For people.
pub fn render_text(title: &str, g: &AccessGraph, d: &Difference, witnesses: bool) -> String {
    let mut out = format!("{title}\n");
    if d.network == Network::Ignored {
        let _ = writeln!(
            out,
            "network ignored: every place is assumed to reach every endpoint, in both models"
        );
    }
    if d.gained.is_empty() && !d.unknown.is_empty() {
        let _ = writeln!(out, "\nno new access found, but the comparison is incomplete:");
    } else if d.gained.is_empty() {
        let _ = writeln!(out, "\nno new access");
    } else {
        let actors: std::collections::BTreeSet<&str> = d.gained.iter().map(|c| c.actor.as_str()).collect();
        let _ = writeln!(
            out,
            "\nnew access: {} capabilit{} for {} actor{}",
            d.gained.len(),
            if d.gained.len() == 1 { "y" } else { "ies" },
            actors.len(),
            if actors.len() == 1 { "" } else { "s" }
        );
        for c in &d.gained {
            let _ = writeln!(out, "  + {}: {}", c.actor, c.capability);
            if let (true, Some(l)) = (witnesses, &c.witness) {
                out.push_str(&witness_text(g, &l.witness, "      "));
            }
        }
        if !witnesses {
            let _ = writeln!(out, "(--witnesses prints how each is reached)");
        }
    }
    if !d.lost.is_empty() {
        let _ = writeln!(out, "\nlost access ({}):", d.lost.len());
        for c in &d.lost {
            let _ = writeln!(out, "  - {}: {}", c.actor, c.capability);
        }
    }
    if !d.unknown.is_empty() {
        let _ = writeln!(out, "\nundecided ({}):", d.unknown.len());
        for u in &d.unknown {
            let _ = writeln!(out, "  ? {u}");
        }
    }
    if d.compared > 0 && d.flips.is_empty() {
        let _ = writeln!(out, "\nnone of {} expectations changes its outcome", d.compared);
    }
    if !d.flips.is_empty() {
        let _ = writeln!(
            out,
            "\nexpectations whose outcome changes ({} of {}):",
            d.flips.len(),
            d.compared
        );
        for f in &d.flips {
            let e = &f.expectation;
            let _ = writeln!(
                out,
                "  {} ({}:{}): {} → {}",
                e.name, e.file, e.pos.line, f.before, f.after
            );
        }
    }
    out
}

/// For machines (`docs/json-output.md`, `mlaccess/compare/v1`).
pub fn render_json(g: &AccessGraph, d: &Difference) -> Value {
    json!({
        "schema": "mlaccess/compare/v1",
                "new_access": !d.gained.is_empty(),
        "complete": d.unknown.is_empty(),
        "network": match d.network { Network::Decided => "decided", Network::Ignored => "ignored" },
        "unknown": d.unknown,
        "gained": d.gained.iter().map(|c| json!({
            "actor": c.actor, "capability": c.capability,
            "witness": c.witness.as_ref().map(|l| witness_json(g, &l.witness)),
        })).collect::<Vec<_>>(),
        "lost": d.lost.iter().map(|c| json!({"actor": c.actor, "capability": c.capability})).collect::<Vec<_>>(),
                "expectations_compared": d.compared,
        "flips": d.flips.iter().map(|f| json!({
            "file": f.expectation.file, "line": f.expectation.pos.line, "name": f.expectation.name,
            "query": f.expectation.query, "before": f.before, "after": f.after,
        })).collect::<Vec<_>>(),
    })
}
