//! Why a command could not do its job, and the exit codes atkmap promises.
//!
//! Findings are not failures: a report with gaps exits 1 through [`Outcome::Findings`], while a
//! [`Failure`] (bad input, missing data, I/O) always exits 2 with a message and hints.

use std::fmt;
use std::process::ExitCode;

/// Exit code: the command did its job and found nothing at or above the gate.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above the gate (`report --fail-on`).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the command could not do its job (usage, invalid input, missing data, I/O).
pub const EXIT_FAILURE: u8 = 2;

/// How a command that ran to the end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    Findings,
    /// The input was checked and is invalid (`check` with errors): exit 2, already reported.
    Invalid,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Outcome::Clean => EXIT_OK,
            Outcome::Findings => EXIT_FINDINGS,
            Outcome::Invalid => EXIT_FAILURE,
        })
    }
}

/// A stopping error with what the user can do about it.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub hints: Vec<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hints.push(hint.into());
        self
    }

    /// An I/O error on a path, with the path in the message.
    pub fn io(action: &str, path: &std::path::Path, error: &std::io::Error) -> Failure {
        Failure::new(format!("cannot {action} {}: {error}", path.display()))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl From<atkmap::report::render::RenderError> for Failure {
    fn from(e: atkmap::report::render::RenderError) -> Failure {
        Failure::new(e.to_string())
    }
}

impl From<atkmap::report::build::BuildError> for Failure {
    fn from(e: atkmap::report::build::BuildError) -> Failure {
        let failure = Failure::new(e.to_string());
        match e.hint() {
            Some(hint) => failure.hint(hint),
            None => failure,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::new(e.to_string())
    }
}

pub type CliResult<T = Outcome> = Result<T, Failure>;
