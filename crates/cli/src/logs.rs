//! Reading logs from a path (sled journal directory or `.jsonl` export), and `export` / `import`.
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use switchboard_journal::{FlushPolicy, Journal, Record, SledJournal};

use crate::error::CliError;
use crate::output_file::{check_not_the_log, write_atomically};

/// Reads every record of a log, or says in one line why it cannot.
pub fn load(path: &Path) -> Result<Vec<Record>, CliError> {
    Ok(switchboard_journal::open_log(path)?)
}

/// What `export` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// JSON Lines: one record per line with its CRC (what `import` and `replay` read).
    #[default]
    Jsonl,
    /// Apache Parquet: one row per record, for DuckDB, Spark or DataFusion.
    Parquet,
}

/// `switchboard export LOG --out FILE [--redact] [--format jsonl|parquet]`.
pub fn export(log: &Path, out: &Path, redact: bool, format: ExportFormat) -> Result<(), CliError> {
    check_not_the_log(log, out)?;
    let mut records = load(log)?;
    if redact {
        let salt = switchboard_journal::redact::fresh_salt();
        records = switchboard_journal::redact::redact(&records, &salt)?;
    }
    match format {
        ExportFormat::Jsonl => write_atomically(out, |w| {
            switchboard_journal::export_jsonl(records.iter().cloned().map(Ok), w)?;
            Ok(())
        })?,
        ExportFormat::Parquet => write_atomically(out, |w| {
            crate::columnar::write(&records, w)?;
            Ok(())
        })?,
    }
    println!(
        "exported {} records to {}{}",
        records.len(),
        out.display(),
        if redact { " (redacted)" } else { "" }
    );
    Ok(())
}

/// `switchboard import FILE --journal DIR`.
pub fn import(file: &Path, dir: &Path) -> Result<(), CliError> {
    let reader = File::open(file)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", file.display())))?;
    let records = switchboard_journal::import_jsonl(BufReader::new(reader))?;
    if dir.exists()
        && dir
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(CliError::input(format!(
            "{} is not empty; import needs a new directory",
            dir.display()
        )));
    }
    let (journal, _) = SledJournal::open(dir, FlushPolicy::PerBatch)?;
    journal.import(&records)?;
    journal.flush()?;
    println!("imported {} records into {}", records.len(), dir.display());
    Ok(())
}
