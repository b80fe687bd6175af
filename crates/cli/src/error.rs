//! How commands fail: a finding (exit 1) or bad usage or input (exit 2), always as one line on
//! stderr, never a panic or a backtrace.
use std::process::ExitCode;

/// A command's failure.
#[derive(Debug)]
pub enum CliError {
    /// Something was found (divergence, failed check, rejected link). Already printed.
    Finding,
    /// Bad usage or bad input: one line for stderr.
    Input(String),
}

impl CliError {
    /// Bad input, with its line.
    pub fn input(msg: impl std::fmt::Display) -> Self {
        CliError::Input(msg.to_string())
    }

    /// An unexpected failure: still one line and exit 2.
    pub fn internal(e: anyhow::Error) -> Self {
        CliError::Input(format!("{e:#}"))
    }

    /// Prints and picks the exit code.
    pub fn report(self) -> ExitCode {
        match self {
            CliError::Finding => ExitCode::from(1),
            CliError::Input(msg) => {
                let line = msg.lines().next().unwrap_or("failed");
                eprintln!("switchboard: error: {line}");
                ExitCode::from(2)
            }
        }
    }
}

impl From<switchboard_journal::Error> for CliError {
    fn from(e: switchboard_journal::Error) -> Self {
        CliError::input(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::input(e)
    }
}
