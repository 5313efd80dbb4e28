//! Exit statuses, one contract for every command (documented in `--help` and the README).
//!
//! | status | `query` | `check` | `validate` | `permissions --action` |
//! |---|---|---|---|---|
//! | 0 | yes, a path exists | every expectation holds | the model is valid | allowed |
//! | 1 | no, proved | some expectation fails | — | not allowed |
//! | 2 | usage, model, query or internal error | same | the model has errors | usage or model error |
//! | 3 | unknown | none fails, some unknown | — | — |

use std::process::ExitCode;

/// A process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: success, valid, allowed, or a path exists.
    Ok = 0,
    /// 1: a negative answer (not allowed, no path, an expectation fails).
    No = 1,
    /// 2: a usage, input or internal error.
    Error = 2,
    /// 3: the answer is unknown.
    Unknown = 3,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(s as u8)
    }
}
