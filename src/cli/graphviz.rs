//! Running Graphviz's `dot` to turn DOT into SVG. `MLACCESS_DOT` names another `dot` binary.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// Renders DOT as SVG with `dot -Tsvg`.
pub fn svg(dot: &str) -> Result<String, String> {
    let program = std::env::var("MLACCESS_DOT").unwrap_or_else(|_| "dot".to_string());
    let mut child = Command::new(&program)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "Graphviz's `{program}` was not found. Install Graphviz (`apt-get install graphviz`, \
                 `brew install graphviz`, `winget install graphviz`), or ask for `--format dot` and render it \
                 elsewhere"
            ),
            _ => format!("cannot run `{program}`: {e}"),
        })?;
    // Write on another thread so a large picture cannot fill both pipes and stall.
    let input = dot.to_string();
    let mut stdin = child.stdin.take();
    let writer = std::thread::spawn(move || stdin.as_mut().map(|s| s.write_all(input.as_bytes())));
    let mut svg = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut svg)
            .map_err(|e| format!("cannot read `{program}`'s output: {e}"))?;
    }
    let mut problems = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut problems);
    }
    let _ = writer.join();
    let status = child.wait().map_err(|e| format!("`{program}` failed: {e}"))?;
    if !status.success() {
        return Err(format!("`{program}` failed ({status}): {}", problems.trim()));
    }
    Ok(svg)
}
