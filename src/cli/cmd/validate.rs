//! `mlaccess validate MODEL`.

use std::io::Write;

use serde_json::json;

use super::super::args::{Format, ValidateArgs};
use super::super::exit::Status;
use crate::load;
use crate::model::{PrincipalKind, ResourceKind};
use crate::report::{self, Color};

pub fn run(a: &ValidateArgs, color: Color, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Status> {
    let sources = match super::read_sources(&a.model, err)? {
        Ok(s) => s,
        Err(status) => return Ok(status),
    };
    let refs: Vec<&load::Source> = sources.iter().collect();
    let name = sources
        .first()
        .map_or_else(|| a.model.model.clone(), |s| s.name.clone());
    let result = load::merge::load_many(&sources);
    match a.format {
        Format::Json => {
            let (valid, diags, counts) = match &result {
                Ok(l) => (true, &l.warnings, Some(counts(&l.model))),
                Err(d) => (false, d, None),
            };
            let doc = json!({
                "schema": "mlaccess/validate/v1",
                "file": name,
                "valid": valid,
                "errors": diags.error_count(),
                "warnings": diags.warning_count(),
                "diagnostics": report::diagnostics::to_json_values(diags),
                "counts": counts,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
        }
        Format::Text => match &result {
            Ok(l) => {
                if !l.warnings.is_empty() {
                    write!(err, "{}", super::render_problems(&l.warnings, &refs, color))?;
                }
                let c = counts(&l.model);
                let n = |k: &str| c.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
                let mut parts = vec![
                    plural(n("principals"), "principal"),
                    plural(n("resources"), "resource"),
                    plural(n("role_assignments"), "role assignment"),
                    plural(n("deny_assignments"), "deny assignment"),
                    plural(n("credentials"), "credential"),
                ];
                if !l.warnings.is_empty() {
                    parts.push(plural(l.warnings.warning_count() as u64, "warning"));
                }
                writeln!(out, "{}: valid ({})", name, parts.join(", "))?;
            }
            Err(diags) => {
                write!(err, "{}", super::render_problems(diags, &refs, color))?;
                writeln!(err, "{}", super::summary(diags, &name))?;
            }
        },
    }
    let status = if result.is_ok() { Status::Ok } else { Status::Error };
    // The process ends once the command returns: freeing a large model allocation by allocation
    // would take a second at size L and give nothing back to anyone.
    std::mem::forget(result);
    Ok(status)
}

fn counts(m: &crate::model::Model) -> serde_json::Value {
    let kind = |k: PrincipalKind| m.principals.iter().filter(|p| p.kind == k).count();
    json!({
        "principals": m.principals.len(),
        "users": kind(PrincipalKind::User),
        "groups": kind(PrincipalKind::Group),
        "service_principals": kind(PrincipalKind::ServicePrincipal),
        "managed_identities": kind(PrincipalKind::ManagedIdentity),
        "resources": m.resources.iter().filter(|r| r.kind != ResourceKind::ResourceGroup).count(),
        "resource_groups": m.resources.iter().filter(|r| r.kind == ResourceKind::ResourceGroup).count(),
        "role_assignments": m.assignments.len(),
        "deny_assignments": m.denies.len(),
        "credentials": m.credentials.len(),
        "custom_roles": m.roles.iter().filter(|r| !r.builtin).count(),
    })
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
