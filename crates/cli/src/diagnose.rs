//! `switchboard diagnose` (being built: this placeholder only reserves the command).
use crate::error::CliError;

/// Arguments of `switchboard diagnose`.
#[derive(clap::Args, Debug)]
pub struct DiagnoseArgs {}

/// Runs `switchboard diagnose`.
pub fn run(_args: DiagnoseArgs) -> Result<(), CliError> {
    Err(CliError::input("switchboard diagnose is not built yet"))
}
