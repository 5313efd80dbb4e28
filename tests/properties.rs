//! Property tests of the loader: arbitrary bytes and mutated models never make it panic, and whenever a
//! model is rejected there is at least one error, each naming the file and a position.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use mlaccess::load::{Source, load};
use mlaccess::source::Format;
use proptest::prelude::*;

fn check_never_panics_and_explains(name: &str, text: String) {
    let format = Format::from_path(name);
    let input = text.clone();
    let text_has = |s: &str| input.contains(s);
    match load(&Source {
        name: name.to_string(),
        text,
        format,
    }) {
        Ok(loaded) => {
            for w in loaded.warnings.iter() {
                assert_eq!(w.file, name);
                assert!(w.pos.is_some(), "warning without position: {w}");
            }
        }
        Err(diags) => {
            assert!(diags.has_errors(), "rejected without an error: {diags:?}");
            for d in diags.iter() {
                assert_eq!(d.file, name);
                assert!(d.pos.is_some(), "diagnostic without position: {d}");
                assert!(!d.message.is_empty());
                // Messages never leak Rust type names (the input itself may contain `::`, and messages
                // quote the input).
                for leak in ["mlaccess::", "std::", "core::", "alloc::", "serde", "struct ", "::"] {
                    if !text_has(leak) {
                        assert!(!d.message.contains(leak), "{d}");
                    }
                }
            }
        }
    }
}

const MODEL: &str = include_str!("../models/contoso-ml.yaml");
const MINIMAL_JSON: &str = include_str!("fixtures/models/minimal.json");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_as_yaml(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_never_panics_and_explains("fuzz.yaml", String::from_utf8_lossy(&bytes).into_owned());
    }

    #[test]
    fn arbitrary_bytes_as_json(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_never_panics_and_explains("fuzz.json", String::from_utf8_lossy(&bytes).into_owned());
    }

    #[test]
    fn yaml_like_text(text in "(version: 1\n)?([a-z_ ]{0,8}:[ \\[\\]{},a-z0-9.:/-]{0,20}\n){0,12}") {
        check_never_panics_and_explains("fuzz.yaml", text);
    }

    #[test]
    fn mutated_bundled_model(start in 0usize..MODEL.len(), len in 0usize..64, insert in "[ -~\n]{0,16}") {
        let start = MODEL.char_indices().map(|(i, _)| i).find(|&i| i >= start).unwrap_or(MODEL.len());
        let end = MODEL.char_indices().map(|(i, _)| i).find(|&i| i >= start + len).unwrap_or(MODEL.len());
        let mut text = MODEL.to_string();
        text.replace_range(start..end, &insert);
        check_never_panics_and_explains("mutated.yaml", text);
    }

    #[test]
    fn mutated_json_model(start in 0usize..MINIMAL_JSON.len(), len in 0usize..32, insert in "[ -~]{0,8}") {
        let end = (start + len).min(MINIMAL_JSON.len());
        let mut text = MINIMAL_JSON.to_string();
        text.replace_range(start..end, &insert);
        check_never_panics_and_explains("mutated.json", text);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("version: 1\nname: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    check_never_panics_and_explains("deep.yaml", deep);
    let deep = format!(
        "{{\"version\": 1, \"name\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    check_never_panics_and_explains("deep.json", deep);
}
