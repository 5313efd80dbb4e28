//! `mlaccess permissions MODEL PRINCIPAL [--at SCOPE] [--action OP]`.

use std::io::Write;

use super::super::args::{Format, PermissionsArgs};
use super::super::exit::Status;
use crate::diag::Diagnostic;
use crate::model::lookup;
use crate::rbac::effective::effective;
use crate::rbac::{OpKind, Rbac, Request, RequestAttributes, catalog, operations};
use crate::report::Color;
use crate::report::permissions::{OperationAnswer, PermissionsReport, render_json, render_text};

pub fn run(a: &PermissionsArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let (loaded, _) = match super::load_model(&a.model, color, err)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let model = &loaded.model;
    let principal = match lookup::principal(model, &a.principal) {
        Ok(p) => p,
        Err(e) => return super::usage_error(err, &Diagnostic::error(e.code, e.message).with_optional_help(e.help)),
    };
    let scope = match &a.at {
        None => None,
        Some(text) => match lookup::scope(model, text) {
            Ok((s, warning)) => {
                if let Some(w) = warning {
                    writeln!(err, "mlaccess: warning: {w}")?;
                }
                Some(s)
            }
            Err(e) => {
                return super::usage_error(
                    err,
                    &Diagnostic::error(e.code, format!("--at: {}", e.message)).with_optional_help(e.help),
                );
            }
        },
    };
    let role_definition_id = match &a.assigning {
        None => None,
        Some(r) => match model
            .role_named(r)
            .map(|id| model.role(id).guid.clone())
            .or_else(|| catalog::builtin().find(r).map(|b| b.guid.clone()))
        {
            Some(g) => Some(g),
            None => {
                let help = crate::diag::suggest::did_you_mean(r, catalog::builtin().names());
                return super::usage_error(
                    err,
                    &Diagnostic::error("unknown-role", format!("--assigning: unknown role `{r}`"))
                        .with_optional_help(help),
                );
            }
        },
    };
    let rbac = Rbac::new(model);
    let ops = operations::catalog();
    let operation = match (&a.action, &scope) {
        (Some(op), Some(s)) => {
            let known = ops.find(op);
            if known.is_none() && ops.covers_provider(op) {
                let help = crate::diag::suggest::did_you_mean(op, ops.names());
                if let Some(h) = &help {
                    writeln!(
                        err,
                        "mlaccess: warning: `{op}` is not an operation Azure lists for its provider; {h}"
                    )?;
                }
            }
            let kind = if a.data_action || known.is_some_and(|k| k.is_data_action) {
                OpKind::Data
            } else {
                OpKind::Control
            };
            let decision = rbac.check(&Request {
                principal,
                operation: op,
                kind,
                target: &s.key,
                attributes: RequestAttributes { role_definition_id },
            });
            Some(OperationAnswer {
                operation: op,
                kind,
                known,
                decision,
            })
        }
        _ => None,
    };
    let expanded = match (&scope, a.expand) {
        (Some(s), true) => Some(
            ops.all()
                .iter()
                .map(|op| {
                    let kind = if op.is_data_action {
                        OpKind::Data
                    } else {
                        OpKind::Control
                    };
                    let d = rbac.check(&Request {
                        principal,
                        operation: &op.name,
                        kind,
                        target: &s.key,
                        attributes: RequestAttributes::default(),
                    });
                    (op, d.allowed)
                })
                .collect(),
        ),
        _ => None,
    };
    let report = PermissionsReport {
        model,
        effective: effective(&rbac, principal, scope.as_ref()),
        operation,
        expanded,
    };
    match a.format {
        Format::Text => write!(out, "{}", render_text(&report))?,
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&render_json(&report)).unwrap_or_default()
        )?,
    }
    Ok(match &report.operation {
        Some(op) if !op.decision.allowed => Status::No,
        _ => Status::Ok,
    })
}
