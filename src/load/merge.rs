//! Several model files as one model, merged in order (an import, then hand-written overlays): named
//! things (resources, principals, role definitions, credentials, VNets, NSGs, private endpoints) with the
//! same name are merged field by field, lists of references (members, rules, address ranges) are
//! united, and other lists (assignments, peerings, gateways) are concatenated. Two files that give one
//! field different values is an error naming both places. Every problem of the merged model is reported
//! in the file and at the line it comes from (`source::origin`).

use super::{Loaded, Source, load_tree};
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{self, Node, NodeKind, origin};

/// Lists whose items are named and merged by name.
const NAMED: &[&str] = &[
    "resources",
    "role_definitions",
    "credentials",
    "users",
    "groups",
    "service_principals",
    "managed_identities",
    "vnets",
    "nsgs",
    "private_endpoints",
    "subnets",
    "rules",
];

/// What the merge needs besides the trees: the file names, and the problems found.
struct Cx<'a> {
    names: &'a [&'a str],
    diags: Diagnostics,
}

fn name_of(n: &Node) -> Option<String> {
    n.get("name").and_then(Node::as_str).map(str::to_lowercase)
}

fn conflict(path: &str, earlier: &Node, later: &Node, names: &[&str]) -> Diagnostic {
    let shown = |n: &Node| {
        n.as_str()
            .map_or_else(|| "a structure".to_string(), |s| format!("`{s}`"))
    };
    let (at, file) = origin::unmark(earlier.pos);
    Diagnostic::error(
        "merge-conflict",
        format!(
            "{} here, but {} in {}:{}",
            shown(later),
            shown(earlier),
            names.get(file).copied().unwrap_or("an earlier file"),
            at.line
        ),
    )
    .with_pos(later.pos)
    .at(path.to_string())
    .with_help("remove one of the two, or make them agree")
}

fn same_scalar(a: &Node, b: &Node) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Merges `later` into `earlier` at `path`, key by key.
fn merge_node(earlier: &mut Node, later: &Node, path: &str, key: &str, cx: &mut Cx<'_>) {
    if same_scalar(earlier, later) {
        return;
    }
    match (&mut earlier.kind, &later.kind) {
        (_, NodeKind::Null) => {}
        (NodeKind::Null, _) => *earlier = later.clone(),
        (NodeKind::Map(a), NodeKind::Map(b)) => {
            for (k, v) in b {
                let sub = if path.is_empty() {
                    k.text.clone()
                } else {
                    format!("{path}.{}", k.text)
                };
                match a.iter_mut().find(|(x, _)| x.text == k.text) {
                    Some((_, existing)) => merge_node(existing, v, &sub, &k.text, cx),
                    None => a.push((k.clone(), v.clone())),
                }
            }
        }
        (NodeKind::Seq(a), NodeKind::Seq(b)) => merge_list(a, b, path, key, cx),

        _ => {
            let d = conflict(path, earlier, later, cx.names);
            cx.diags.push(d);
        }
    }
}

fn merge_list(a: &mut Vec<Node>, b: &[Node], path: &str, key: &str, cx: &mut Cx<'_>) {
    for item in b {
        if NAMED.contains(&key)
            && let Some(name) = name_of(item)
        {
            match a.iter_mut().find(|x| name_of(x).as_deref() == Some(name.as_str())) {
                Some(existing) => merge_node(existing, item, &format!("{path}[{name}]"), key, cx),
                None => a.push(item.clone()),
            }
            continue;
        }
        // References and whole entries: keep one copy of each.
        let duplicate = a.iter().any(|x| same_content(x, item));
        if !duplicate {
            a.push(item.clone());
        }
    }
}

/// Equal ignoring positions.
fn same_content(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Null, NodeKind::Null) => true,
        (NodeKind::Scalar { text: x, .. }, NodeKind::Scalar { text: y, .. }) => x == y,
        (NodeKind::Seq(x), NodeKind::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_content(p, q)),
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(l, w)| l.text == k.text && same_content(v, w)))
        }
        _ => false,
    }
}

/// Parses and merges model files in order; the tree's positions are marked with the file number.
pub fn merge_sources(sources: &[Source]) -> Result<Node, Diagnostics> {
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    merge_onto(None, &names, sources)
}

/// Merges model files, in order, onto a tree already marked with file numbers (an import); `names`
/// names every file, the base's first, then one per source.
pub fn merge_onto(base: Option<Node>, names: &[&str], sources: &[Source]) -> Result<Node, Diagnostics> {
    let first = names.len().saturating_sub(sources.len());
    let mut merged = base;
    let mut cx = Cx {
        names,
        diags: Diagnostics::new(),
    };
    let mut unreadable = Diagnostics::new();
    for (i, s) in sources.iter().enumerate() {
        let mut tree = match source::parse(&s.text, s.format) {
            Ok(t) => t,
            Err(d) => {
                unreadable.push(d.in_file(&s.name));
                continue;
            }
        };
        origin::mark(&mut tree, first + i);
        match merged.as_mut() {
            None => merged = Some(tree),
            Some(m) => merge_node(m, &tree, "", "", &mut cx),
        }
    }
    let mut diags = cx.diags;
    origin::attribute(&mut diags, names);
    diags.extend(unreadable);
    match merged {
        Some(m) if !diags.has_errors() => Ok(m),
        _ => {
            diags.sort();
            Err(diags)
        }
    }
}

/// Loads several model files as one, merged in order. Problems name the file they are in.
pub fn load_many(sources: &[Source]) -> Result<Loaded, Diagnostics> {
    if let [one] = sources {
        return super::load(one);
    }
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    let tree = merge_sources(sources)?;
    load_marked(&tree, &names)
}

/// Loads a tree whose nodes are marked with the number of the file they come from (`names[n]`), and
/// names each problem's file.
pub fn load_marked(tree: &Node, names: &[&str]) -> Result<Loaded, Diagnostics> {
    match load_tree(tree, names.first().copied().unwrap_or("<model>")) {
        Ok(mut loaded) => {
            origin::attribute(&mut loaded.warnings, names);
            Ok(loaded)
        }
        Err(mut d) => {
            origin::attribute(&mut d, names);
            d.sort();
            Err(d)
        }
    }
}
