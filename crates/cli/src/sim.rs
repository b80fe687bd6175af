//! `switchboard sim` (being built: this placeholder only reserves the command).
use crate::error::CliError;

/// Arguments of `switchboard sim`.
#[derive(clap::Args, Debug)]
pub struct SimArgs {}

/// Runs `switchboard sim`.
pub fn run(_args: SimArgs) -> Result<(), CliError> {
    Err(CliError::input("switchboard sim is not built yet"))
}
