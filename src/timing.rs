//! Stage timings on standard error (`--timings`, or `MLACCESS_TIMINGS=1`): where a long run on a
//! large estate goes (reading, loading, each stage of the graph build, the question), so a slow run
//! can be reported, and a benchmark figure reproduced, without a profiler.
//!
//! Off by default; when off, a stage costs one relaxed atomic load. The lines go to standard error
//! and never change what is written to standard output.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns the timings on for the rest of the process.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether the timings are on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Runs `work`, and when the timings are on writes how long it took as `timing: NAME: S s`.
pub fn stage<T>(name: &str, work: impl FnOnce() -> T) -> T {
    if !enabled() {
        return work();
    }
    let started = Instant::now();
    let out = work();
    report(name, started);
    out
}

/// Writes how long since `started`, when the timings are on (for a stage that is not one closure).
pub fn report(name: &str, started: Instant) {
    if enabled() {
        eprintln!("timing: {name}: {:.3} s", started.elapsed().as_secs_f64());
    }
}

/// Writes a fact about a stage (how much work it had), when the timings are on.
pub fn note(name: &str, text: &str) {
    if enabled() {
        eprintln!("timing: {name}: {text}");
    }
}
