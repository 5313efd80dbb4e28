//! `check --format html`: one self-contained page (no scripts, no external files) with the summary, a
//! row per expectation, and for each that does not hold its witness as text and as a picture. The
//! pictures come rendered (SVG) from the caller, which runs Graphviz.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use super::check::{expect_text, summary_line};
use crate::answer::expect::Outcome;
use crate::check::{Graphs, Item, ItemResult, summary};

/// The picture of one item: SVG to inline, or why there is none.
pub type Picture = Result<String, String>;

const STYLE: &str = "body{font-family:system-ui,Helvetica,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35em .5em;\
text-align:left;vertical-align:top}th{background:#f3f3f3}.holds{color:#38761d}.fails{color:#cc0000;\
font-weight:bold}.unknown{color:#b45f06;font-weight:bold}.error{color:#990000;font-weight:bold}\
code,pre{font-family:ui-monospace,Menlo,monospace;font-size:.9em}pre{background:#f8f8f8;padding:.8em;\
overflow-x:auto}section{margin-top:2.5em}.picture{overflow-x:auto;border:1px solid #ddd;padding:.5em}\
.picture svg{max-width:100%;height:auto}";

fn class(i: &Item) -> &'static str {
    match i.outcome() {
        Some(Outcome::Holds) => "holds",
        Some(Outcome::Fails) => "fails",
        Some(Outcome::Unknown) => "unknown",
        None => "error",
    }
}

/// SVG as Graphviz writes it, without the XML prolog and doctype, to inline in HTML.
fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| svg.get(i..).unwrap_or(svg))
}

/// Renders the page. `pictures` has one entry per item (`None` for items that hold).
pub fn render(title: &str, graphs: &Graphs, items: &[Item], pictures: &[Option<Picture>]) -> String {
    let mut out = String::new();
    let s = summary(items);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p>{}</p>\n",
        escape(title),
        escape(title),
        escape(summary_line(s).as_str())
    );
    out.push_str(
        "<table>\n<tr><th>outcome</th><th>expectation</th><th>query</th><th>expected</th><th>suite</th></tr>\n",
    );
    for (n, i) in items.iter().enumerate() {
        let e = &i.expectation;
        let name = if class(i) == "holds" {
            escape(e.name.as_str()).into_owned()
        } else {
            format!("<a href=\"#item{n}\">{}</a>", escape(e.name.as_str()))
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"{c}\">{c}</td><td>{name}</td><td><code>{}</code></td><td>{}</td><td>{}:{}</td></tr>",
            escape(e.query.as_str()),
            escape(expect_text(&e.expect).as_str()),
            escape(e.file.as_str()),
            e.pos.line,
            c = class(i),
        );
    }
    out.push_str("</table>\n");
    for (n, i) in items.iter().enumerate() {
        if class(i) == "holds" {
            continue;
        }
        let e = &i.expectation;
        let _ = write!(
            out,
            "<section id=\"item{n}\">\n<h2 class=\"{}\">{}</h2>\n<p><code>{}</code> at {}:{}; expected {}.</p>\n",
            class(i),
            escape(e.name.as_str()),
            escape(e.query.as_str()),
            escape(e.file.as_str()),
            e.pos.line,
            escape(expect_text(&e.expect).as_str())
        );
        if let Some(why) = &e.why {
            let _ = writeln!(out, "<p>Why this must hold: {}</p>", escape(why.as_str()));
        }
        match &i.result {
            ItemResult::Decided { answer, .. } => {
                let text = super::check::decided_text(graphs, i, answer);
                let _ = writeln!(out, "<pre>{}</pre>", escape(text.as_str()));
            }
            ItemResult::Error(d) => {
                let _ = writeln!(out, "<pre>{}</pre>", escape(d.message.as_str()));
            }
        }
        match pictures.get(n).and_then(Option::as_ref) {
            Some(Ok(svg)) => {
                let _ = writeln!(out, "<div class=\"picture\">\n{}\n</div>", inline_svg(svg));
            }
            Some(Err(why)) => {
                let _ = writeln!(out, "<p><em>No picture: {}</em></p>", escape(why.as_str()));
            }
            None => {}
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
