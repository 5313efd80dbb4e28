//! Change files (what-if, `docs/model-format.md`, Change files): `add` merges new things into the model,
//! `remove` takes things out by name (role assignments by principal, role and scope, or id), `set`
//! deep-merges properties of existing resources and rules of existing NSGs. A change is applied to the
//! parsed model in memory; the result is loaded and validated like any model. No file is written.

use super::{Loaded, Source};
use crate::diag::{Diagnostic, Diagnostics, Pos, suggest};
use crate::source::{self, Key, Node, NodeKind, origin};

const SECTIONS: &[&str] = &["add", "remove", "set"];
const LISTS: &[&str] = &[
    "resources",
    "role_definitions",
    "role_assignments",
    "deny_assignments",
    "credentials",
];
const PRINCIPAL_LISTS: &[&str] = &["users", "groups", "service_principals", "managed_identities"];
const NETWORK_LISTS: &[&str] = &["vnets", "peerings", "gateways", "nsgs", "private_endpoints"];

struct Ctx<'a> {
    file: &'a str,
    diags: Diagnostics,
}

impl Ctx<'_> {
    fn error(&mut self, code: &'static str, pos: Pos, path: &str, message: String, help: Option<String>) {
        self.diags.push(
            Diagnostic::error(code, message)
                .with_pos(origin::unmark(pos).0)
                .at(path.to_string())
                .in_file(self.file)
                .with_optional_help(help),
        );
    }
}

fn name_of(n: &Node) -> Option<&str> {
    n.get("name").and_then(Node::as_str)
}

/// The value under `key` in a mapping node, created (null) if absent; a non-mapping node becomes one.
fn map_mut<'n>(node: &'n mut Node, key: &str) -> &'n mut Node {
    let pos = node.pos;
    let entries = entries_mut(node);
    let i = match entries.iter().position(|(k, _)| k.text == key) {
        Some(i) => i,
        None => {
            entries.push((
                Key {
                    pos,
                    text: key.to_string(),
                },
                Node {
                    pos,
                    kind: NodeKind::Null,
                },
            ));
            entries.len() - 1
        }
    };
    match entries.get_mut(i) {
        Some((_, value)) => value,
        None => invariant_broken(),
    }
}

/// The entries of a mapping node; a non-mapping node becomes an empty mapping.
fn entries_mut(node: &mut Node) -> &mut Vec<(Key, Node)> {
    if !matches!(node.kind, NodeKind::Map(_)) {
        node.kind = NodeKind::Map(Vec::new());
    }
    match &mut node.kind {
        NodeKind::Map(entries) => entries,
        _ => invariant_broken(),
    }
}

/// The items of a sequence node; a non-sequence node becomes an empty sequence.
fn seq_mut(node: &mut Node) -> &mut Vec<Node> {
    if !matches!(node.kind, NodeKind::Seq(_)) {
        node.kind = NodeKind::Seq(Vec::new());
    }
    match &mut node.kind {
        NodeKind::Seq(items) => items,
        _ => invariant_broken(),
    }
}

#[expect(
    clippy::panic,
    reason = "INVARIANT: the node was given the shape just above, and the index exists"
)]
fn invariant_broken() -> ! {
    panic!("a node just given its shape does not have it")
}

/// Deep-merges `from` into `into`: mappings key by key, everything else replaced.
fn merge(into: &mut Node, from: &Node) {
    match (&mut into.kind, &from.kind) {
        (NodeKind::Map(a), NodeKind::Map(b)) => {
            for (k, v) in b {
                match a.iter_mut().find(|(x, _)| x.text == k.text) {
                    Some((_, existing)) => merge(existing, v),
                    None => a.push((k.clone(), v.clone())),
                }
            }
        }
        _ => *into = from.clone(),
    }
}

fn items(n: &Node) -> &[Node] {
    n.as_seq().unwrap_or_default()
}

/// The list a change section names, in the model: `resources`, `principals.users`, `network.nsgs`, ...
fn target_list<'m>(model: &'m mut Node, section: &str, sub: Option<&str>) -> &'m mut Vec<Node> {
    match sub {
        Some(s) => seq_mut(map_mut(map_mut(model, section), s)),
        None => seq_mut(map_mut(model, section)),
    }
}

/// The lists of a change section with their model paths.
fn lists(ctx: &mut Ctx<'_>, section_name: &str, section: &Node) -> Vec<(String, Option<String>, Node)> {
    let mut out = Vec::new();
    let Some(entries) = section.as_map() else {
        if !section.is_null() {
            ctx.error(
                "invalid-change",
                section.pos,
                section_name,
                format!("`{section_name}` must be a mapping of model sections"),
                None,
            );
        }
        return out;
    };
    for (k, v) in entries {
        let path = format!("{section_name}.{}", k.text);
        if LISTS.contains(&k.text.as_str()) {
            out.push((k.text.clone(), None, v.clone()));
        } else if k.text == "principals" || k.text == "network" {
            let known = if k.text == "principals" {
                PRINCIPAL_LISTS
            } else {
                NETWORK_LISTS
            };
            for (sk, sv) in v.as_map().unwrap_or_default() {
                if known.contains(&sk.text.as_str()) {
                    out.push((k.text.clone(), Some(sk.text.clone()), sv.clone()));
                } else {
                    ctx.error(
                        "unknown-key",
                        sk.pos,
                        &format!("{path}.{}", sk.text),
                        format!("unknown key `{}`", sk.text),
                        suggest::did_you_mean(&sk.text, known.iter().copied()),
                    );
                }
            }
        } else if k.text == "locations" && section_name == "add" {
            out.push(("locations".into(), None, v.clone()));
        } else {
            let known: Vec<&str> = LISTS
                .iter()
                .copied()
                .chain(["principals", "network", "locations"])
                .collect();
            ctx.error(
                "unknown-key",
                k.pos,
                &path,
                format!("unknown key `{}`", k.text),
                suggest::did_you_mean(&k.text, known),
            );
        }
    }
    out
}

fn add(ctx: &mut Ctx<'_>, model: &mut Node, section: &Node) {
    for (list, sub, new) in lists(ctx, "add", section) {
        if list == "locations" {
            for (k, v) in new.as_map().unwrap_or_default() {
                let locs = map_mut(model, "locations");
                if locs.get(&k.text).is_some() {
                    ctx.error(
                        "duplicate-name",
                        k.pos,
                        &format!("add.locations.{}", k.text),
                        format!("location `{}` already exists", k.text),
                        None,
                    );
                } else if let NodeKind::Map(e) = &mut locs.kind {
                    e.push((k.clone(), v.clone()));
                }
            }
            continue;
        }
        let target = target_list(model, &list, sub.as_deref());
        for item in items(&new) {
            // An existing group gets new members; an existing NSG gets new rules.
            let existing = name_of(item).and_then(|n| {
                target
                    .iter_mut()
                    .find(|x| name_of(x).is_some_and(|m| m.eq_ignore_ascii_case(n)))
            });
            match (existing, sub.as_deref()) {
                (Some(group), Some("groups")) => {
                    let members = seq_mut(map_mut(group, "members"));
                    members.extend(item.get("members").map(items).unwrap_or_default().iter().cloned());
                }
                (Some(nsg), Some("nsgs")) => {
                    let rules = seq_mut(map_mut(nsg, "rules"));
                    rules.extend(item.get("rules").map(items).unwrap_or_default().iter().cloned());
                }
                (Some(_), _) => {
                    let n = name_of(item).unwrap_or("?").to_string();
                    ctx.error(
                        "duplicate-name",
                        item.pos,
                        &format!("add.{list}"),
                        format!("`{n}` already exists in `{list}`"),
                        Some("use `set` to change it, or `remove` it first".into()),
                    );
                }
                (None, _) => target.push(item.clone()),
            }
        }
    }
}

fn same(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x.trim().eq_ignore_ascii_case(y.trim()))
}

fn remove(ctx: &mut Ctx<'_>, model: &mut Node, section: &Node) {
    for (list, sub, gone) in lists(ctx, "remove", section) {
        let path = match &sub {
            Some(s) => format!("remove.{list}.{s}"),
            None => format!("remove.{list}"),
        };
        let target = target_list(model, &list, sub.as_deref());
        for item in items(&gone) {
            let before = target.len();
            if list == "role_assignments" {
                let field = |n: &Node, k: &str| n.get(k).and_then(Node::as_str).map(str::to_string);
                target.retain(|a| {
                    let by_id =
                        item.get("id").is_some() && same(field(a, "id").as_deref(), field(item, "id").as_deref());
                    let by_triple = ["principal", "role", "scope"]
                        .iter()
                        .all(|k| same(field(a, k).as_deref(), field(item, k).as_deref()));
                    !(by_id || by_triple)
                });
                if target.len() == before {
                    ctx.error(
                        "not-found",
                        item.pos,
                        &path,
                        "no role assignment matches (by principal, role and scope, or id)".into(),
                        None,
                    );
                }
                continue;
            }
            let Some(name) = name_of(item).map(str::to_string) else {
                ctx.error(
                    "missing-key",
                    item.pos,
                    &path,
                    "missing required key `name`".into(),
                    None,
                );
                continue;
            };
            let names: Vec<String> = target.iter().filter_map(|x| name_of(x).map(str::to_string)).collect();
            let Some(i) = target.iter().position(|x| same(name_of(x), Some(&name))) else {
                ctx.error(
                    "not-found",
                    item.pos,
                    &path,
                    format!("`{name}` does not exist in `{list}`"),
                    suggest::did_you_mean(&name, names.iter().map(String::as_str)),
                );
                continue;
            };
            // Removing members of a group or rules of an NSG, rather than the thing itself.
            let parts = match sub.as_deref() {
                Some("groups") => item.get("members").map(|m| ("members", m.clone())),
                Some("nsgs") => item.get("rules").map(|r| ("rules", r.clone())),
                _ => None,
            };
            match (parts, target.get_mut(i)) {
                (Some((field, which)), Some(x)) => {
                    let list = seq_mut(map_mut(x, field));
                    for w in items(&which) {
                        let key = if field == "rules" { name_of(w) } else { w.as_str() };
                        let n = list.len();
                        list.retain(|y| !same(if field == "rules" { name_of(y) } else { y.as_str() }, key));
                        if list.len() == n {
                            ctx.error(
                                "not-found",
                                w.pos,
                                &path,
                                format!("`{}` is not in `{name}`'s {field}", key.unwrap_or("?")),
                                None,
                            );
                        }
                    }
                }
                _ => {
                    target.remove(i);
                }
            }
        }
    }
}

fn set(ctx: &mut Ctx<'_>, model: &mut Node, section: &Node) {
    for (list, sub, changes) in lists(ctx, "set", section) {
        let allowed = list == "resources" || sub.as_deref() == Some("nsgs") || sub.as_deref() == Some("vnets");
        if !allowed {
            ctx.error(
                "invalid-change",
                changes.pos,
                &format!("set.{list}"),
                format!("`set` changes resources and NSGs, not `{list}`"),
                Some("use `remove` and `add`".into()),
            );
            continue;
        }
        let target = target_list(model, &list, sub.as_deref());
        for item in items(&changes) {
            let Some(name) = name_of(item) else {
                ctx.error(
                    "missing-key",
                    item.pos,
                    &format!("set.{list}"),
                    "missing required key `name`".into(),
                    None,
                );
                continue;
            };
            let names: Vec<String> = target.iter().filter_map(|x| name_of(x).map(str::to_string)).collect();
            let Some(existing) = target.iter_mut().find(|x| same(name_of(x), Some(name))) else {
                ctx.error(
                    "not-found",
                    item.pos,
                    &format!("set.{list}"),
                    format!("`{name}` does not exist"),
                    suggest::did_you_mean(name, names.iter().map(String::as_str)),
                );
                continue;
            };
            if sub.as_deref() == Some("nsgs") {
                // NSG rules merge by rule name.
                for r in item.get("rules").map(items).unwrap_or_default() {
                    let rules = seq_mut(map_mut(existing, "rules"));
                    match rules.iter_mut().find(|x| same(name_of(x), name_of(r))) {
                        Some(x) => merge(x, r),
                        None => rules.push(r.clone()),
                    }
                }
            } else {
                merge(existing, item);
            }
        }
    }
}

/// Applies a change to a model (its files merged in order) and loads the result. Problems of the change
/// itself name the change file; problems of the changed model name the file they come from.
pub fn load_changed(models: &[Source], change: &Source) -> Result<Loaded, Diagnostics> {
    let mut root = super::merge::merge_sources(models)?;
    let mut c = source::parse(&change.text, change.format).map_err(|d| Diagnostics::from(d.in_file(&change.name)))?;
    origin::mark(&mut c, models.len());
    let names: Vec<&str> = models
        .iter()
        .map(|m| m.name.as_str())
        .chain([change.name.as_str()])
        .collect();
    let mut ctx = Ctx {
        file: &change.name,
        diags: Diagnostics::new(),
    };
    match c.as_map() {
        Some(entries) => {
            for (k, _) in entries {
                if !SECTIONS.contains(&k.text.as_str()) {
                    ctx.error(
                        "unknown-key",
                        k.pos,
                        &k.text,
                        format!("unknown key `{}`", k.text),
                        suggest::did_you_mean(&k.text, SECTIONS.iter().copied()),
                    );
                }
            }
        }
        None => ctx.error(
            "invalid-change",
            c.pos,
            "",
            "a change is a mapping with `add`, `remove` and `set`".into(),
            None,
        ),
    }
    if let Some(s) = c.get("remove") {
        remove(&mut ctx, &mut root, s);
    }
    if let Some(s) = c.get("add") {
        add(&mut ctx, &mut root, s);
    }
    if let Some(s) = c.get("set") {
        set(&mut ctx, &mut root, s);
    }
    if ctx.diags.has_errors() {
        let mut d = ctx.diags;
        d.sort();
        return Err(d);
    }
    super::merge::load_marked(&root, &names)
}
