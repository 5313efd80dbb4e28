//! The `mlaccess` binary: parse arguments, run, exit with the documented status.

use std::process::ExitCode;

fn main() -> ExitCode {
    mlaccess::cli::main()
}
