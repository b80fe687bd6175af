//! `switchboard report` (being built: this placeholder only reserves the command).
use crate::error::CliError;

/// Arguments of `switchboard report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {}

/// Runs `switchboard report`.
pub fn run(_args: ReportArgs) -> Result<(), CliError> {
    Err(CliError::input("switchboard report is not built yet"))
}
