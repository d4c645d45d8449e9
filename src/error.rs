//! Errors: one enum for the whole library, each variant naming the stage and the input that failed.
//!
//! Every message is written for the person running the tool: it names the file (and line where there
//! is one) and says how to fix the problem. [`Error::exit_code`] maps an error to the documented exit
//! codes (1 error, 2 usage error).

use std::path::PathBuf;

/// Result alias used across crmclean.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the run failed (bad input, I/O error, ...).
pub const EXIT_ERROR: u8 = 1;
/// Exit code: the command line or the config was wrong.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: a quality gate failed (`crmclean check`).
pub const EXIT_GATE: u8 = 3;

/// Everything that can go wrong in a crmclean run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file could not be opened or read.
    #[error("cannot read {path}: {source}\n  hint: check that the file exists and that you may read it")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An input file is not usable as a CSV export (empty, binary, bad header, ...).
    #[error("{path}{}: {message}\n  hint: {hint}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Input { path: PathBuf, line: Option<u64>, message: String, hint: String },
    /// The config file or a command-line option is invalid.
    #[error("{message}\n  hint: {hint}")]
    Config { message: String, hint: String },
    /// An output could not be written.
    #[error("cannot write {path}: {message}\n  hint: {hint}")]
    Output { path: PathBuf, message: String, hint: String },
    /// A file written by an earlier run (model, decisions, truth) could not be used.
    #[error("{path}: {message}")]
    Artifact { path: PathBuf, message: String },
    /// The run would need more memory than the machine has.
    #[error("{message}\n  hint: {hint}")]
    Resources { message: String, hint: String },
    /// A polars operation failed.
    #[error("dataframe error: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

impl Error {
    /// Shorthand for an input error.
    pub fn input(
        path: impl Into<PathBuf>,
        line: Option<u64>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::Input { path: path.into(), line, message: message.into(), hint: hint.into() }
    }

    /// Shorthand for a config/usage error.
    pub fn config(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Config { message: message.into(), hint: hint.into() }
    }

    /// Shorthand for an output error.
    pub fn output(path: impl Into<PathBuf>, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Output { path: path.into(), message: message.into(), hint: hint.into() }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config { .. } => EXIT_USAGE,
            _ => EXIT_ERROR,
        }
    }
}
