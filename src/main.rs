//! The `mlaccess` binary: parse arguments, run, exit with the documented status.

use std::process::ExitCode;

/// mimalloc rather than the system allocator: building a large estate's graph makes millions of
/// small allocations from several threads, where glibc's allocator spent a fifth of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    mlaccess::cli::main()
}
