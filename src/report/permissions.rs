//! The `permissions` answer: effective permissions of a principal at a scope, and the decision for one
//! operation with the assignments, blocks and patterns behind it.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::model::{Model, PrincipalId};
use crate::rbac::effective::{Effective, Placed};
use crate::rbac::operations::Operation;
use crate::rbac::scope::Coverage;
use crate::rbac::{ConditionStatus, Decision, Grant, OpKind};

/// A decision for one operation, with what was asked.
pub struct OperationAnswer<'a> {
    /// The operation as asked.
    pub operation: &'a str,
    /// Its plane.
    pub kind: OpKind,
    /// Whether the operation is in the catalogue of provider operations.
    pub known: Option<&'a Operation>,
    /// The decision.
    pub decision: Decision,
}

/// Everything `permissions` prints.
pub struct PermissionsReport<'a> {
    /// The model.
    pub model: &'a Model,
    /// Effective permissions.
    pub effective: Effective,
    /// The decision for `--action`, if asked.
    pub operation: Option<OperationAnswer<'a>>,
    /// Concrete operations the principal may perform here, if `--expand` was asked.
    pub expanded: Option<Vec<(&'a Operation, bool)>>,
}

fn chain(model: &Model, principal: PrincipalId, via: &[PrincipalId]) -> String {
    if via.is_empty() {
        return "held directly".to_string();
    }
    let mut names = vec![model.principal(principal).name.clone()];
    names.extend(via.iter().map(|g| model.principal(*g).name.clone()));
    format!("through group membership {}", names.join(" → "))
}

fn plane(kind: OpKind) -> &'static str {
    match kind {
        OpKind::Control => "control plane",
        OpKind::Data => "data plane",
    }
}

fn condition_text(c: &ConditionStatus) -> Option<String> {
    match c {
        ConditionStatus::None => None,
        ConditionStatus::Holds => Some("condition evaluated: holds".to_string()),
        ConditionStatus::NotEvaluated { text, needs } => Some(format!(
            "condition not evaluated (needs {}); assumed to hold: {text}",
            if needs.is_empty() {
                "attributes the model does not have".to_string()
            } else {
                needs.join(", ")
            }
        )),
        ConditionStatus::False { text } => Some(format!("condition evaluated: false: {text}")),
    }
}

fn coverage_text(model: &Model, scope_display: &str, p: &Placed, at: Option<&str>) -> String {
    let a_scope = &model.assignment(p.held.assignment).scope;
    match (p.coverage, at) {
        (Coverage::AssumedManagementGroup, _) => format!(
            "at {} (a management group; assumed to cover every subscription, the tree is not modelled)",
            a_scope.display
        ),
        (_, Some(key)) if a_scope.key == key => format!("at this scope ({scope_display})"),
        (Coverage::Yes, Some(_)) => format!("inherited from {}", a_scope.display),
        _ => format!("at {}", a_scope.display),
    }
}

/// Renders the report as text.
pub fn render_text(r: &PermissionsReport<'_>) -> String {
    let model = r.model;
    let e = &r.effective;
    let p = model.principal(e.principal);
    let mut out = String::new();
    let scope_display = e
        .scope
        .as_ref()
        .map_or("every scope".to_string(), |s| s.display.clone());
    let _ = writeln!(out, "{} ({}) at {scope_display}", p.name, p.kind.as_str());
    let groups: Vec<String> = e
        .memberships
        .iter()
        .skip(1)
        .map(|m| chain(model, e.principal, &m.chain).replace("through group membership ", ""))
        .collect();
    if !groups.is_empty() {
        let _ = writeln!(out, "member of: {}", groups.join("; "));
    }
    if let Some(op) = &r.operation {
        out.push('\n');
        render_operation(&mut out, model, e.principal, op);
    }
    let key = e.scope.as_ref().map(|s| s.key.as_str());
    let _ = writeln!(
        out,
        "\n{} ({}):",
        if e.scope.is_some() {
            "role assignments that apply here"
        } else {
            "role assignments held"
        },
        e.applicable.len()
    );
    if e.applicable.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for placed in &e.applicable {
        render_assignment(&mut out, model, e.principal, placed, &scope_display, key);
    }
    if !e.below.is_empty() {
        let _ = writeln!(
            out,
            "\nrole assignments below this scope, not effective at it ({}):",
            e.below.len()
        );
        for placed in &e.below {
            render_assignment(&mut out, model, e.principal, placed, &scope_display, key);
        }
    }
    if !e.denies.is_empty() {
        let _ = writeln!(
            out,
            "\ndeny assignments that apply {} ({}):",
            if e.scope.is_some() { "here" } else { "to this principal" },
            e.denies.len()
        );
        for d in &e.denies {
            let deny = model.deny(*d);
            let _ = writeln!(out, "  - `{}` at {}", deny.name, deny.scope.display);
            for (label, list) in [
                ("denies", &deny.actions),
                ("except", &deny.not_actions),
                ("denies data", &deny.data_actions),
                ("except data", &deny.not_data_actions),
            ] {
                if !list.is_empty() {
                    let _ = writeln!(out, "      {label}: {}", list.join(", "));
                }
            }
        }
    }
    if let Some(ops) = &r.expanded {
        let _ = writeln!(
            out,
            "\nknown operations allowed here ({}):",
            ops.iter().filter(|(_, ok)| *ok).count()
        );
        for (op, allowed) in ops {
            if *allowed {
                let _ = writeln!(out, "  {}{}", op.name, if op.is_data_action { " (data)" } else { "" });
            }
        }
    }
    out
}

fn render_operation(out: &mut String, model: &Model, principal: PrincipalId, op: &OperationAnswer<'_>) {
    let d = &op.decision;
    let verdict = if d.allowed { "ALLOWED" } else { "NOT ALLOWED" };
    let _ = writeln!(out, "{} ({}): {verdict}", op.operation, plane(op.kind));
    if let Some(known) = op.known
        && let Some(desc) = &known.description
    {
        let _ = writeln!(out, "  Azure describes it as: {desc}");
    }
    if op.known.is_none() {
        let _ = writeln!(
            out,
            "  note: not in the catalogue of provider operations; evaluated as a {} operation",
            plane(op.kind)
        );
    }
    if !d.grants.is_empty() {
        let _ = writeln!(out, "  granted by:");
        for g in &d.grants {
            render_grant(out, model, principal, g);
        }
    }
    if !d.refused_by_condition.is_empty() {
        let _ = writeln!(out, "  matched, but the condition is false:");
        for g in &d.refused_by_condition {
            render_grant(out, model, principal, g);
        }
    }
    for hit in &d.denied_by {
        let deny = model.deny(hit.deny);
        let who = match hit.via {
            None => "everyone".to_string(),
            Some(g) if g == principal => "the principal itself".to_string(),
            Some(g) => format!("group `{}`", model.principal(g).name),
        };
        let _ = writeln!(
            out,
            "  denied by deny assignment `{}` at {} (names {who}; pattern `{}`)",
            deny.name, deny.scope.display, hit.pattern
        );
    }
    for sub in &d.subtracted {
        let a = model.assignment(sub.assignment);
        let _ = writeln!(
            out,
            "  not granted by assignment `{}` ({} at {}): block {} grants it with `{}` but removes it again with `{}`",
            a.id,
            model.role(a.role).name,
            a.scope.display,
            sub.block + 1,
            sub.pattern,
            sub.not_pattern
        );
    }
    if d.grants.is_empty() && d.denied_by.is_empty() && d.subtracted.is_empty() {
        let _ = writeln!(out, "  no role assignment that applies here grants it");
    }
    for n in &d.notes {
        let _ = writeln!(out, "  note: {n}");
    }
}

fn render_grant(out: &mut String, model: &Model, principal: PrincipalId, g: &Grant) {
    let a = model.assignment(g.assignment);
    let role = model.role(a.role);
    let _ = writeln!(out, "    - assignment `{}`: {} at {}", a.id, role.name, a.scope.display);
    let _ = writeln!(out, "      {}", chain(model, principal, &g.via));
    let _ = writeln!(out, "      permission block {}, pattern `{}`", g.block + 1, g.pattern);
    if let Some(c) = condition_text(&g.condition) {
        let _ = writeln!(out, "      {c}");
    }
}

fn render_assignment(
    out: &mut String,
    model: &Model,
    principal: PrincipalId,
    p: &Placed,
    scope_display: &str,
    key: Option<&str>,
) {
    let a = model.assignment(p.held.assignment);
    let role = model.role(a.role);
    let _ = writeln!(
        out,
        "  - {} [{}] {}",
        role.name,
        if role.builtin { "built-in" } else { "custom" },
        coverage_text(model, scope_display, p, key)
    );
    let _ = writeln!(
        out,
        "      assignment `{}`, {}",
        a.id,
        chain(model, principal, &p.held.via)
    );
    if let Some(c) = &a.condition {
        let _ = writeln!(out, "      assignment condition: {c}");
    }
    for (i, b) in role.permissions.iter().enumerate() {
        if role.permissions.len() > 1 {
            let _ = writeln!(out, "      block {}:", i + 1);
        }
        for (label, list) in [
            ("actions", &b.actions),
            ("not actions", &b.not_actions),
            ("data actions", &b.data_actions),
            ("not data actions", &b.not_data_actions),
        ] {
            if !list.is_empty() {
                let _ = writeln!(out, "      {label}: {}", list.join(", "));
            }
        }
        if let Some(c) = &b.condition {
            let _ = writeln!(out, "      condition: {c}");
        }
    }
}

fn grant_json(model: &Model, g: &Grant) -> Value {
    let a = model.assignment(g.assignment);
    json!({
        "assignment": a.id,
        "role": model.role(a.role).name,
        "scope": a.scope.display,
        "via": g.via.iter().map(|p| model.principal(*p).name.clone()).collect::<Vec<_>>(),
        "block": g.block + 1,
        "pattern": &*g.pattern,
        "management_group_assumed": g.coverage == Coverage::AssumedManagementGroup,
        "condition": condition_json(&g.condition),
    })
}

fn condition_json(c: &ConditionStatus) -> Value {
    match c {
        ConditionStatus::None => Value::Null,
        ConditionStatus::Holds => json!({"status": "holds"}),
        ConditionStatus::NotEvaluated { text, needs } => {
            json!({"status": "not_evaluated", "text": text, "needs": needs})
        }
        ConditionStatus::False { text } => json!({"status": "false", "text": text}),
    }
}

fn placed_json(model: &Model, p: &Placed) -> Value {
    let a = model.assignment(p.held.assignment);
    let role = model.role(a.role);
    json!({
        "assignment": a.id,
        "role": role.name,
        "role_id": role.guid,
        "builtin": role.builtin,
        "scope": a.scope.display,
        "via": p.held.via.iter().map(|g| model.principal(*g).name.clone()).collect::<Vec<_>>(),
        "management_group_assumed": p.coverage == Coverage::AssumedManagementGroup,
        "condition": a.condition,
        "permissions": role.permissions.iter().map(|b| json!({
            "actions": b.actions, "not_actions": b.not_actions,
            "data_actions": b.data_actions, "not_data_actions": b.not_data_actions,
            "condition": b.condition,
        })).collect::<Vec<_>>(),
    })
}

/// Renders the report as JSON (schema in `docs/json-output.md`).
pub fn render_json(r: &PermissionsReport<'_>) -> Value {
    let model = r.model;
    let e = &r.effective;
    let p = model.principal(e.principal);
    let operation = r.operation.as_ref().map(|op| {
        json!({
            "operation": op.operation,
            "plane": match op.kind { OpKind::Control => "control", OpKind::Data => "data" },
            "known_operation": op.known.is_some(),
            "allowed": op.decision.allowed,
            "grants": op.decision.grants.iter().map(|g| grant_json(model, g)).collect::<Vec<_>>(),
            "refused_by_condition": op.decision.refused_by_condition.iter().map(|g| grant_json(model, g)).collect::<Vec<_>>(),
            "denied_by": op.decision.denied_by.iter().map(|h| {
                let d = model.deny(h.deny);
                json!({"deny": d.name, "scope": d.scope.display, "pattern": h.pattern,
                       "via": h.via.map(|g| model.principal(g).name.clone())})
            }).collect::<Vec<_>>(),
            "subtracted": op.decision.subtracted.iter().map(|s| {
                let a = model.assignment(s.assignment);
                json!({"assignment": a.id, "role": model.role(a.role).name, "block": s.block + 1,
                       "pattern": s.pattern, "not_pattern": s.not_pattern})
            }).collect::<Vec<_>>(),
            "notes": op.decision.notes,
        })
    });
    json!({
        "schema": "mlaccess/permissions/v1",
        "principal": {"name": p.name, "kind": p.kind.as_str()},
        "scope": e.scope.as_ref().map(|s| s.display.clone()),
        "groups": e.memberships.iter().skip(1).map(|m| json!({
            "group": model.principal(m.group).name,
            "chain": m.chain.iter().map(|g| model.principal(*g).name.clone()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "operation": operation,
        "assignments": e.applicable.iter().map(|pl| placed_json(model, pl)).collect::<Vec<_>>(),
        "assignments_below": e.below.iter().map(|pl| placed_json(model, pl)).collect::<Vec<_>>(),
        "denies": e.denies.iter().map(|d| {
            let deny = model.deny(*d);
            json!({"name": deny.name, "scope": deny.scope.display, "actions": deny.actions,
                   "not_actions": deny.not_actions, "data_actions": deny.data_actions,
                   "not_data_actions": deny.not_data_actions})
        }).collect::<Vec<_>>(),
        "allowed_operations": r.expanded.as_ref().map(|ops| ops.iter().filter(|(_, ok)| *ok)
            .map(|(o, _)| o.name.clone()).collect::<Vec<_>>()),
    })
}
