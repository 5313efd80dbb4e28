//! The command line: argument definitions, reading inputs, running a command, exit codes. The only
//! module that touches files, standard streams, environment variables and the process exit status.

mod args;
mod cmd;
mod graphviz;

pub mod exit;
mod input;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use exit::Status;

/// Runs the program with the process arguments and returns its exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (success) and usage errors to stderr.
            let _ = e.print();
            return if e.use_stderr() {
                Status::Error.into()
            } else {
                Status::Ok.into()
            };
        }
    };
    let mut stdout = std::io::stdout().lock();
    // Standard error is not held locked: other threads write to it too (stage timings, a panic's
    // message), and would wait for this one for ever while it waits for them.
    let mut stderr = std::io::stderr();
    let status = run(&cli, &mut stdout, &mut stderr);
    let _ = stdout.flush();
    status.into()
}

/// Runs a parsed command line, writing to the given streams. Broken pipes count as success (the
/// reader went away, as with `| head`).
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> Status {
    match cmd::run(cli, out, err) {
        Ok(status) => status,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Status::Ok,
        Err(e) => {
            let _ = writeln!(err, "mlaccess: error: {e}");
            Status::Error
        }
    }
}
