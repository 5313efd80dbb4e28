//! Pictures of privilege paths in Graphviz's DOT language (written with `dot-writer`): the witnesses of
//! an answer, or the paths around a principal or resource (`neighbourhood`). Facts are nodes shaped by
//! kind (`style`), grouped in a box per resource; rule steps are edges styled by channel and labelled
//! with their step number and rule; the first path can be highlighted; a legend explains what is used.
//!
//! A step needs all of its incoming edges (the drawing is of an AND/OR graph): a node with two arrows
//! into it from one step needs both. Rendering to SVG is the command line's job (it runs `dot`).

pub mod neighbourhood;
pub mod style;

use std::collections::{BTreeMap, BTreeSet};

use dot_writer::{Attributes, DotWriter, Scope};

use crate::answer::{Actor, Witness};
use crate::channel::Channel;
use crate::graph::rule::Evidence;
use crate::graph::text::{fact_text, step_text};
use crate::graph::{AccessGraph, Fact, FactId, RuleIdx};
use crate::model::ResourceId;
use style::{NodeKind, channel_look};

/// A node to draw.
struct NodeSpec {
    label: String,
    kind: NodeKind,
    goal: bool,
    highlighted: bool,
    tooltip: String,
}

/// An edge to draw.
struct EdgeSpec {
    from: String,
    to: String,
    label: String,
    tooltip: String,
    channel: Option<Channel>,
    highlighted: bool,
}

/// What a picture holds before it is written.
#[derive(Default)]
struct Drawing {
    nodes: BTreeMap<String, NodeSpec>,
    clusters: BTreeMap<ResourceId, BTreeSet<String>>,
    edges: BTreeMap<(String, String, RuleIdx), EdgeSpec>,
    actors: Vec<Actor>,
}

/// Escapes text for a quoted DOT string, with line breaks after about `width` characters.
fn quoted(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for (i, paragraph) in text.split('\n').enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        for word in paragraph.split(' ').flat_map(|w| split_long(w, width)) {
            let current = lines.last().map_or(0, |l| l.chars().count());
            if current > 0 && current + word.chars().count() > width {
                lines.push(String::new());
            }
            if let Some(line) = lines.last_mut() {
                if !line.is_empty() && !line.ends_with('/') {
                    line.push(' ');
                }
                line.push_str(&word);
            }
        }
    }
    lines
        .iter()
        .map(|l| l.replace('\\', "\\\\").replace('"', "\\\"").replace('`', ""))
        .collect::<Vec<_>>()
        .join("\\n")
}

/// A word longer than `width` split after its slashes (operation names), each part ending in `/`.
fn split_long(word: &str, width: usize) -> Vec<String> {
    if word.chars().count() <= width || !word.contains('/') {
        return vec![word.to_string()];
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    for piece in word.split_inclusive('/') {
        if !current.is_empty() && current.chars().count() + piece.chars().count() > width {
            parts.push(std::mem::take(&mut current));
        }
        current.push_str(piece);
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// The resource a fact is about, for grouping nodes in the resource's box.
pub fn fact_resource(g: &AccessGraph, f: &Fact) -> Option<ResourceId> {
    match *f {
        Fact::Reach(e) => Some(e.resource()),
        Fact::Can(_, s) | Fact::Assign(s) | Fact::AssignSome(s, _) => g.scope(s).and_then(|x| x.resource),
        _ => f.single_resource(),
    }
}

/// The edge label's second line: the role or credential the step relies on.
fn evidence_hint(g: &AccessGraph, e: &Evidence) -> Option<String> {
    let m = &g.model;
    match e {
        Evidence::Grant { assignment, .. } => Some(m.role(m.assignment(*assignment).role).name.clone()),
        Evidence::Fact {
            credential: Some(c), ..
        } => m.credentials.get(c.index()).map(|c| format!("with {}", c.name)),
        Evidence::Network { decision, .. } => Some(decision.split(" via ").next().unwrap_or(decision).to_string()),
        _ => None,
    }
}

impl Drawing {
    fn actor_node(&mut self, g: &AccessGraph, actor: Actor, highlighted: bool) -> String {
        let i = match self.actors.iter().position(|a| *a == actor) {
            Some(i) => i,
            None => {
                self.actors.push(actor);
                self.actors.len() - 1
            }
        };
        let id = format!("actor{i}");
        let kind = match actor {
            Actor::Principal(p) => NodeKind::of_principal(g.model.principal(p).kind),
            Actor::Anyone(_) => NodeKind::Location,
        };
        let node = self.nodes.entry(id.clone()).or_insert_with(|| NodeSpec {
            label: actor.label(&g.model),
            kind,
            goal: false,
            highlighted,
            tooltip: format!("where the path starts: {}", actor.label(&g.model)),
        });
        node.highlighted |= highlighted;
        id
    }

    fn fact_node(&mut self, g: &AccessGraph, f: FactId, goal: bool, highlighted: bool) -> String {
        let id = format!("f{}", f.0);
        if let Some(fact) = g.fact(f) {
            let text = fact_text(g, fact);
            let node = self.nodes.entry(id.clone()).or_insert_with(|| NodeSpec {
                label: text.clone(),
                kind: NodeKind::of(&g.model, fact),
                goal: false,
                highlighted: false,
                tooltip: text,
            });
            node.goal |= goal;
            node.highlighted |= highlighted;
            if let Some(r) = fact_resource(g, fact) {
                self.clusters.entry(r).or_default().insert(id.clone());
            }
        }
        id
    }

    /// Adds a witness; `highlighted` draws it thick and numbers its steps.
    fn add(&mut self, g: &AccessGraph, w: &Witness, highlighted: bool) {
        let actor = self.actor_node(g, w.actor, highlighted);
        let own_token = match w.actor {
            Actor::Principal(p) => g.fact_id(&Fact::As(p)),
            Actor::Anyone(_) => None,
        };
        let concluded: BTreeSet<FactId> = w
            .rules
            .iter()
            .filter_map(|r| g.rule(*r))
            .map(|r| r.conclusion)
            .collect();
        let mut n = 0;
        for &r in &w.rules {
            let Some(rule) = g.rule(r) else { continue };
            let step = rule.rule.is_step();
            if step {
                n += 1;
            }
            let to = self.fact_node(g, rule.conclusion, rule.conclusion == w.goal, highlighted);
            let mut label = match (step, highlighted) {
                (true, true) => format!("{n}. {}", rule.rule.as_str()),
                (true, false) => rule.rule.as_str().to_string(),
                (false, _) => String::new(),
            };
            if let Some(hint) = evidence_hint(g, &rule.evidence) {
                if !label.is_empty() {
                    label.push(' ');
                }
                label.push_str(&hint);
            }
            let tooltip = step_text(g, r);
            for (i, &p) in rule.premises.iter().enumerate() {
                let from = if Some(p) == own_token {
                    actor.clone()
                } else {
                    let id = self.fact_node(g, p, false, highlighted);
                    if !concluded.contains(&p) {
                        // A fact the actor starts with (its location, a credential it holds, ...).
                        let how = match g.fact(p) {
                            Some(Fact::At(_)) => "is at",
                            Some(Fact::Holds(_)) => "holds",
                            _ => "starts with",
                        };
                        self.edge(
                            actor.clone(),
                            id.clone(),
                            RuleIdx(u32::MAX),
                            how.to_string(),
                            None,
                            highlighted,
                            how,
                        );
                    }
                    id
                };
                let text = if i == 0 { label.clone() } else { String::new() };
                let channel = step.then_some(rule.channel);
                self.edge(from, to.clone(), r, text, channel, highlighted, &tooltip);
            }
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one edge's attributes, named at the call sites"
    )]
    fn edge(
        &mut self,
        from: String,
        to: String,
        rule: RuleIdx,
        label: String,
        channel: Option<Channel>,
        highlighted: bool,
        tooltip: &str,
    ) {
        let e = self
            .edges
            .entry((from.clone(), to.clone(), rule))
            .or_insert_with(|| EdgeSpec {
                from,
                to,
                label: String::new(),
                tooltip: tooltip.to_string(),
                channel,
                highlighted: false,
            });
        if highlighted || e.label.is_empty() {
            e.label = label;
        }
        e.highlighted |= highlighted;
    }
}

fn write_node(scope: &mut Scope<'_, '_>, id: &str, n: &NodeSpec) {
    let (shape, style, fill) = n.kind.look();
    let mut node = scope.node_named(id);
    node.set("label", &quoted(&n.label, 28), true)
        .set("shape", shape, true)
        .set("style", style, true)
        .set("fillcolor", if n.goal { style::GOAL_FILL } else { fill }, true)
        .set("tooltip", &quoted(&n.tooltip, 1000), true);
    if n.highlighted {
        node.set("penwidth", style::WIDTH_HIGHLIGHT, true);
    }
}

/// The legend, to the right of the picture: every node is tied to it by an invisible edge through an
/// anchor, so the legend's column comes after the last step.
fn write_legend(
    scope: &mut Scope<'_, '_>,
    nodes: &BTreeSet<&String>,
    kinds: &BTreeSet<NodeKind>,
    channels: &BTreeSet<Option<Channel>>,
) {
    scope
        .node_named("legend_anchor")
        .set("shape", "point", true)
        .set("style", "invis", true);
    for n in nodes {
        scope
            .edge(n.as_str(), "legend_anchor")
            .attributes()
            .set("style", "invis", true);
    }
    let mut legend = scope.cluster();
    legend
        .set("label", "legend", true)
        .set("style", "rounded", true)
        .set("color", "#bbbbbb", true)
        .set("fontsize", "11", true);
    for (i, kind) in kinds.iter().enumerate() {
        legend
            .edge("legend_anchor", format!("legend_k{i}"))
            .attributes()
            .set("style", "invis", true);
        let (shape, style, fill) = kind.look();
        legend
            .node_named(format!("legend_k{i}"))
            .set("label", &quoted(kind.legend(), 24), true)
            .set("shape", shape, true)
            .set("style", style, true)
            .set("fillcolor", fill, true)
            .set("fontsize", "10", true);
    }
    for (i, channel) in channels.iter().enumerate() {
        let (color, style) = channel_look(*channel);
        legend
            .edge("legend_anchor", format!("legend_c{i}a"))
            .attributes()
            .set("style", "invis", true);
        for end in ["a", "b"] {
            legend
                .node_named(format!("legend_c{i}{end}"))
                .set("shape", "point", true)
                .set("width", "0.05", true);
        }
        let name = channel.map_or("network or starting fact", |c| c.as_str());
        legend
            .edge(format!("legend_c{i}a"), format!("legend_c{i}b"))
            .attributes()
            .set("label", name, true)
            .set("color", color, true)
            .set("fontcolor", color, true)
            .set("style", style, true)
            .set("fontsize", "10", true);
    }
}

/// Draws witnesses: the first one highlighted when `highlight_first`. `title` heads the picture.
pub fn render(g: &AccessGraph, title: &str, witnesses: &[&Witness], highlight_first: bool) -> String {
    let mut d = Drawing::default();
    for (i, w) in witnesses.iter().enumerate() {
        d.add(g, w, highlight_first && i == 0);
    }
    let kinds: BTreeSet<NodeKind> = d.nodes.values().map(|n| n.kind).collect();
    let channels: BTreeSet<Option<Channel>> = d.edges.values().map(|e| e.channel).collect();
    let in_cluster: BTreeSet<&String> = d.clusters.values().flatten().collect();
    let mut out = Vec::new();
    {
        let mut writer = DotWriter::from(&mut out);
        let mut graph = writer.digraph();
        graph
            .set("label", &quoted(title, 100), true)
            .set("labelloc", "t", true)
            .set("rankdir", "LR", true)
            .set("fontname", "Helvetica", true)
            .set("nodesep", "0.3", true);
        graph
            .node_attributes()
            .set("fontname", "Helvetica", true)
            .set("fontsize", "11", true);
        graph
            .edge_attributes()
            .set("fontname", "Helvetica", true)
            .set("fontsize", "9", true);
        for (id, n) in d.nodes.iter().filter(|(id, _)| !in_cluster.contains(id)) {
            write_node(&mut graph, id, n);
        }
        for (r, ids) in &d.clusters {
            let res = g.model.resource(*r);
            let mut cluster = graph.cluster();
            cluster
                .set(
                    "label",
                    &quoted(&format!("{} ({})", g.model.resource_display(*r), res.kind.alias()), 60),
                    true,
                )
                .set("style", "rounded,filled", true)
                .set("fillcolor", "#fafafa", true)
                .set("color", "#999999", true);
            for id in ids {
                if let Some(n) = d.nodes.get(id) {
                    write_node(&mut cluster, id, n);
                }
            }
        }
        for e in d.edges.values() {
            let (color, style) = channel_look(e.channel);
            let edge = graph.edge(&e.from, &e.to);
            let mut attributes = edge.attributes();
            attributes
                .set("label", &quoted(&e.label, 36), true)
                .set("tooltip", &quoted(&e.tooltip, 1000), true)
                .set("color", color, true)
                .set("fontcolor", color, true)
                .set("style", style, true)
                .set(
                    "penwidth",
                    if e.highlighted {
                        style::WIDTH_HIGHLIGHT
                    } else {
                        style::WIDTH_NORMAL
                    },
                    true,
                );
        }
        if !d.nodes.is_empty() {
            let sinks: BTreeSet<&String> = d
                .nodes
                .keys()
                .filter(|id| !d.edges.values().any(|e| &e.from == *id))
                .collect();
            write_legend(&mut graph, &sinks, &kinds, &channels);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{quoted, split_long};

    #[test]
    fn quoting_escapes_and_wraps() {
        assert_eq!(quoted(r#"a "b" \c"#, 80), r#"a \"b\" \\c"#);
        assert_eq!(quoted("one two three", 7), r"one two\nthree");
        assert_eq!(quoted("first\nsecond", 80), r"first\nsecond");
        assert_eq!(quoted("`alice` is", 80), "alice is");
    }

    #[test]
    fn long_operation_names_break_after_slashes() {
        assert_eq!(
            split_long("Microsoft.Storage/storageAccounts/listKeys/action", 20),
            ["Microsoft.Storage/", "storageAccounts/", "listKeys/action"]
        );
        assert_eq!(split_long("short", 20), ["short"]);
        assert_eq!(
            split_long("averyveryverylongwordwithoutslashes", 5),
            ["averyveryverylongwordwithoutslashes"]
        );
    }
}
