//! Answers to queries: text with numbered steps for people, JSON (`mlaccess/answer/v1`) for machines.
//! Every list is in a stable order; renderers decide nothing.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::answer::{Actor, Answer, Listed, Verdict, Witness};
use crate::graph::text::{endpoint_text, fact_text, place_text, step_text_on};
use crate::graph::{AccessGraph, Endpoint, Evidence, FactId, Place, RuleIdx};
use crate::model::{Model, ResourceId};
use crate::rbac::ConditionStatus;

/// One rendered step.
struct Step {
    n: usize,
    rule: RuleIdx,
    premises: Vec<String>,
    network: Vec<(Place, Endpoint, String)>,
    /// The resource of the P20 host instance the step relies on.
    host: Option<ResourceId>,
}

/// Numbers the steps of a witness (network instances become notes of the steps that use them).
fn steps(g: &AccessGraph, w: &Witness) -> Vec<Step> {
    let mut by_fact: HashMap<FactId, usize> = HashMap::new();
    let mut network: HashMap<FactId, (Place, Endpoint, String)> = HashMap::new();
    let mut places: HashMap<FactId, usize> = HashMap::new();
    // The place packets leave from when the network is not decided (the `Online` step's).
    let mut online: Option<Place> = None;
    // For each network premise, the earlier steps it relies on (the place, network changes).
    let mut net_after: HashMap<FactId, Vec<usize>> = HashMap::new();
    // The P20 host: its resource, and the steps that made it one.
    let mut hosts: HashMap<FactId, (ResourceId, Vec<usize>)> = HashMap::new();
    let mut out = Vec::new();
    for &r in &w.rules {
        let Some(rule) = g.rule(r) else { continue };
        if !rule.rule.is_step() {
            match &rule.evidence {
                Evidence::Network {
                    place,
                    endpoint,
                    decision,
                    rules,
                    ..
                } => {
                    let text = if rules.is_empty() {
                        decision.clone()
                    } else {
                        format!("{decision}; let through by {}", rules.join(", "))
                    };
                    let Some(place) = place.or(online) else { continue };
                    network.insert(rule.conclusion, (place, *endpoint, text));
                    let after: Vec<usize> = rule
                        .premises
                        .iter()
                        .filter_map(|p| by_fact.get(p).or_else(|| places.get(p)).copied())
                        .collect();
                    net_after.insert(rule.conclusion, after);
                }
                Evidence::Host { resource } => {
                    let after = rule.premises.iter().filter_map(|p| by_fact.get(p).copied()).collect();
                    hosts.insert(rule.conclusion, (*resource, after));
                }
                Evidence::Online { place } => {
                    online = Some(*place);
                    if let Some(p) = rule.premises.first().and_then(|p| by_fact.get(p)) {
                        places.insert(rule.conclusion, *p);
                    }
                }
                _ => {
                    // A place gained by running code: refer to the step that gave it.
                    if let Some(p) = rule.premises.first().and_then(|p| by_fact.get(p)) {
                        places.insert(rule.conclusion, *p);
                    }
                }
            }
            continue;
        }
        let n = out.len() + 1;
        let mut premises = Vec::new();
        let mut net = Vec::new();
        let mut host = None;
        for p in &rule.premises {
            if let Some(k) = by_fact.get(p) {
                premises.push(k.to_string());
            } else if let Some((resource, after)) = hosts.get(p) {
                host = Some(*resource);
                premises.extend(after.iter().map(usize::to_string));
            } else if let Some(x) = network.get(p) {
                for k in net_after.get(p).into_iter().flatten() {
                    if !premises.contains(&k.to_string()) {
                        premises.push(k.to_string());
                    }
                }
                net.push(x.clone());
            }
        }
        by_fact.insert(rule.conclusion, n);
        out.push(Step {
            n,
            rule: r,
            premises,
            network: net,
            host,
        });
    }
    out
}

fn evidence_lines(g: &AccessGraph, r: RuleIdx) -> Vec<String> {
    let m = &g.model;
    let Some(rule) = g.rule(r) else { return Vec::new() };
    let mut out = Vec::new();
    if let Evidence::Grant {
        assignment,
        via,
        block,
        pattern,
        condition,
        ..
    } = &rule.evidence
    {
        let a = m.assignment(*assignment);
        let mut line = format!(
            "assignment `{}`: {} at {}; block {}, pattern `{pattern}`",
            a.id,
            m.role(a.role).name,
            a.scope.display,
            block + 1
        );
        if !via.is_empty() {
            line.push_str(&format!(
                "; held by group `{}`",
                via.last().map_or("?".to_string(), |g| m.principal(*g).name.clone())
            ));
        }
        out.push(line);
        if let ConditionStatus::NotEvaluated { needs, .. } = condition.status() {
            out.push(format!(
                "condition not evaluated (needs {}); assumed to hold",
                needs.join(", ")
            ));
        }
    }
    if let Evidence::Fact {
        credential: Some(c), ..
    } = &rule.evidence
        && let Some(cred) = m.credentials.get(c.index())
    {
        out.push(format!("credential `{}` ({})", cred.name, cred.kind.as_str()));
    }
    out
}

/// Renders a witness as numbered steps.
pub fn witness_text(g: &AccessGraph, w: &Witness, indent: &str) -> String {
    let mut out = String::new();
    for s in steps(g, w) {
        let Some(rule) = g.rule(s.rule) else { continue };
        let uses = if s.premises.is_empty() {
            String::new()
        } else {
            format!("  (after {})", s.premises.join(", "))
        };
        let _ = writeln!(
            out,
            "{indent}{}. [{}, {}] {}{uses}",
            s.n,
            rule.rule.as_str(),
            rule.channel.as_str(),
            step_text_on(g, s.rule, s.host)
        );
        for line in evidence_lines(g, s.rule) {
            let _ = writeln!(out, "{indent}     {line}");
        }
        for (place, endpoint, decision) in &s.network {
            let _ = writeln!(
                out,
                "{indent}     network: from {} to {}: {decision}",
                place_text(&g.model, *place),
                endpoint_text(&g.model, *endpoint)
            );
        }
        for tag in &rule.tags {
            let _ = writeln!(out, "{indent}     tagged: {tag}");
        }
    }
    out
}

fn step_count(g: &AccessGraph, w: &Witness) -> usize {
    w.rules
        .iter()
        .filter(|r| g.rule(**r).is_some_and(|x| x.rule.is_step()))
        .count()
}

fn size(g: &AccessGraph, w: &Witness) -> String {
    let n = step_count(g, w);
    format!("depth {}, {n} step{}", w.depth, if n == 1 { "" } else { "s" })
}

/// Renders an answer for people.
pub fn render_text(g: &AccessGraph, a: &Answer) -> String {
    let m = &g.model;
    let mut out = String::new();
    let _ = writeln!(out, "{}", a.query);
    match a.verdict {
        Verdict::Yes => {
            let _ = writeln!(out, "yes");
            if !a.unknown.is_empty() {
                let _ = writeln!(out, "the list may be incomplete:");
                for u in &a.unknown {
                    let _ = writeln!(out, "  because {u}");
                }
            }
        }
        Verdict::No => {
            let _ = write!(
                out,
                "no: no path over {} actor{} ({} search{}), exhausting {} facts and {} rule instances",
                a.proof.actors,
                if a.proof.actors == 1 { "" } else { "s" },
                a.proof.searches,
                if a.proof.searches == 1 { "" } else { "es" },
                a.proof.facts,
                a.proof.rules
            );
            match a.proof.cone {
                Some((facts, rules)) => {
                    let _ = writeln!(
                        out,
                        " of the {facts} facts and {rules} rule instances that can lead to the goal"
                    );
                }
                None => {
                    let _ = writeln!(out);
                }
            }
            if !a.network_blocks.is_empty() {
                let _ = writeln!(out, "the network stops these steps (no packet passes):");
                for b in &a.network_blocks {
                    let _ = writeln!(out, "  - {b}");
                }
            }
        }
        Verdict::Unknown => {
            let _ = writeln!(out, "unknown");
            for u in &a.unknown {
                let _ = writeln!(out, "  because {u}");
            }
        }
    }
    for (i, w) in a.witnesses.iter().enumerate() {
        let goal = g.fact(w.goal).map(|f| fact_text(g, f)).unwrap_or_default();
        let _ = writeln!(
            out,
            "\n{}{} reaches {goal} ({}):",
            if a.witnesses.len() > 1 {
                format!("path {}: ", i + 1)
            } else {
                String::new()
            },
            w.actor.label(m),
            size(g, w)
        );
        out.push_str(&witness_text(g, w, "  "));
    }
    if !a.listed.is_empty() {
        for l in &a.listed {
            let _ = writeln!(
                out,
                "\n{} reaches {} ({}):",
                l.actor.label(m),
                l.capability,
                size(g, &l.witness)
            );
            out.push_str(&witness_text(g, &l.witness, "  "));
        }
    }
    if !a.notes.is_empty() {
        let _ = writeln!(out);
        for n in &a.notes {
            let _ = writeln!(out, "note: {n}");
        }
    }
    let _ = writeln!(out, "\ndecided in {} ms", a.elapsed_ms);
    let _ = writeln!(out, "\nassumed absent (the model format cannot hold them):");
    for x in &a.assumptions {
        let _ = writeln!(out, "  - {x}");
    }
    out
}

fn actor_json(m: &Model, a: Actor) -> Value {
    match a {
        Actor::Principal(p) => {
            json!({"kind": m.principal(p).kind.as_str(), "name": m.principal(p).name, "label": a.label(m)})
        }
        Actor::Anyone(l) => json!({"kind": "anyone", "location": m.location(l).name, "label": a.label(m)}),
    }
}

fn evidence_json(g: &AccessGraph, r: RuleIdx, host: Option<ResourceId>) -> Value {
    let m = &g.model;
    let Some(rule) = g.rule(r) else { return Value::Null };
    let scope = |s: u32| g.scope(s).map(|x| x.display.clone());
    match &rule.evidence {
        Evidence::Membership { member, group } => {
            json!({"member": m.principal(*member).name, "group": m.principal(*group).name})
        }
        Evidence::Online { place } => json!({"from": place_text(m, *place)}),
        Evidence::Host { resource } => json!({"resource": m.resource_display(*resource)}),
        Evidence::Attach { identity, resource } => json!({
            "resource": host.map(|h| m.resource_display(h)),
            "other": m.resource_display(*resource),
            "credential": null,
            "principal": m.principal(*identity).name,
        }),
        Evidence::Grant {
            principal,
            operation,
            data,
            scope: s,
            assignment,
            via,
            block,
            pattern,
            condition,
        } => {
            let a = m.assignment(*assignment);
            json!({
                "principal": m.principal(*principal).name,
                "operation": &**operation,
                "data_action": data,
                "scope": scope(*s),
                "assignment": a.id,
                "role": m.role(a.role).name,
                "assignment_scope": a.scope.display,
                "via": via.iter().map(|p| m.principal(*p).name.clone()).collect::<Vec<_>>(),
                "block": block + 1,
                "pattern": &**pattern,
                "condition": match condition.status() {
                    ConditionStatus::None => Value::Null,
                    ConditionStatus::Holds => json!({"status": "holds"}),
                    ConditionStatus::NotEvaluated { text, needs } => json!({"status": "not_evaluated", "text": text, "needs": needs}),
                    ConditionStatus::False { text } => json!({"status": "false", "text": text}),
                },
            })
        }
        Evidence::Assigned {
            at,
            role,
            operation,
            scope: s,
        } => {
            json!({"assign_scope": scope(*at), "role": role, "operation": operation, "scope": scope(*s)})
        }
        Evidence::Fact {
            resource,
            other,
            credential,
            principal,
            ..
        } => json!({
            "resource": resource.map(|r| m.resource_display(r)),
            "other": other.map(|r| m.resource_display(r)),
            "credential": credential.and_then(|c| m.credentials.get(c.index())).map(|c| c.name.clone()),
            "principal": principal.map(|p| m.principal(p).name.clone()),
        }),
        Evidence::Network {
            place,
            endpoint,
            decision,
            packet,
            rules,
            ..
        } => json!({
            "from": place.map_or_else(|| crate::graph::text::ANY_PLACE.to_string(), |p| place_text(m, p)),
            "to": endpoint_text(m, *endpoint),
            "decision": decision,
            "packet": packet.as_deref().map(packet_json),
            "rules": rules,
        }),
    }
}

/// A witness as JSON.
pub fn witness_json(g: &AccessGraph, w: &Witness) -> Value {
    let m = &g.model;
    let steps: Vec<Value> = steps(g, w)
        .into_iter()
        .filter_map(|s| {
            let rule = g.rule(s.rule)?;
            Some(json!({
                "n": s.n,
                "rule": rule.rule.as_str(),
                "channel": rule.channel.as_str(),
                "text": step_text_on(g, s.rule, s.host),
                "after": s.premises.iter().filter_map(|p| p.parse::<usize>().ok()).collect::<Vec<_>>(),
                "evidence": evidence_json(g, s.rule, s.host),
                "network": s.network.iter().map(|(p, e, d)| json!({"from": place_text(m, *p), "to": endpoint_text(m, *e), "decision": d})).collect::<Vec<_>>(),
                "tags": rule.tags,
            }))
        })
        .collect();
    json!({
        "actor": actor_json(m, w.actor),
        "goal": g.fact(w.goal).map(|f| fact_text(g, f)),
        "depth": w.depth,
        "steps": steps,
    })
}

fn listed_json(g: &AccessGraph, l: &Listed) -> Value {
    json!({
        "actor": actor_json(&g.model, l.actor),
        "capability": l.capability,
        "witness": witness_json(g, &l.witness),
    })
}

/// Renders an answer as JSON (`docs/json-output.md`, `mlaccess/answer/v1`).
pub fn render_json(g: &AccessGraph, a: &Answer) -> Value {
    json!({
        "schema": "mlaccess/answer/v1",
        "query": a.query,
        "verdict": a.verdict.as_str(),
        "engine": "graph",
        "witnesses": a.witnesses.iter().map(|w| witness_json(g, w)).collect::<Vec<_>>(),
        "listed": a.listed.iter().map(|l| listed_json(g, l)).collect::<Vec<_>>(),
        "proof": (a.verdict == Verdict::No).then(|| json!({
            "actors": a.proof.actors,
            "searches": a.proof.searches,
            "facts": a.proof.facts,
            "rule_instances": a.proof.rules,
            "cone": a.proof.cone.map(|(facts, rules)| json!({"facts": facts, "rule_instances": rules})),
        })),
        "unknown": a.unknown,
        "network_blocks": a.network_blocks,
        "assumptions": a.assumptions,
        "notes": a.notes,
        "network_applied": g.network_applied,
        "elapsed_ms": a.elapsed_ms,
    })
}

/// A packet as JSON.
pub fn packet_json(p: &crate::network::Packet) -> Value {
    json!({
        "protocol": "tcp",
        "source": std::net::Ipv4Addr::from(p.src).to_string(),
        "source_port": p.src_port,
        "destination": std::net::Ipv4Addr::from(p.dst).to_string(),
        "destination_port": p.dst_port,
        "source_after_nat": p.nat_src.map(|n| std::net::Ipv4Addr::from(n).to_string()),
    })
}
