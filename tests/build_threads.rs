//! The graph builder decides principals' grants on several threads and adds them in model order: the
//! graph (every fact and rule instance, in order) must be the same with one thread and with four.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use mlaccess::r#gen::{Params, generate};
use mlaccess::graph::AccessGraph;
use mlaccess::graph::build::build;
use mlaccess::graph::network::AssumedOpen;
use mlaccess::load::{Source, load};
use mlaccess::model::Model;

fn build_with_threads(model: &Model, threads: usize) -> AccessGraph {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| build(model, &AssumedOpen { reason: "assumed open" }))
}

#[test]
fn the_graph_is_the_same_with_one_thread_and_four() {
    // Size S has deny assignments, so both passes of the grants (per holder, then per principal
    // where a deny may deny) run.
    let text = serde_json::to_string(&generate(&Params::size("S").unwrap())).unwrap();
    let model = load(&Source::new("estate.json", text)).unwrap().model;
    assert!(!model.denies.is_empty(), "the estate has deny assignments");
    let one = build_with_threads(&model, 1);
    let four = build_with_threads(&model, 4);
    assert!(
        one.rules.len() > 10_000,
        "a graph of some size: {} rule instances",
        one.rules.len()
    );
    assert_eq!(one.facts, four.facts, "the fact tables differ");
    assert_eq!(one.rules.len(), four.rules.len(), "the rule tables differ in length");
    for (i, (a, b)) in one.rules.iter().zip(&four.rules).enumerate() {
        assert_eq!(a, b, "rule instance {i} differs");
    }
}
