//! Reading logs from a path (sled journal directory or `.jsonl` export), and `export` / `import`.
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::Path;

use switchboard_journal::{FlushPolicy, Journal, Record, SledJournal};

use crate::error::CliError;
use crate::output_file::{check_not_the_log, write_atomically, Written};

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
            let mut w = KeepIoError {
                inner: w,
                error: None,
            };
            let written =
                switchboard_journal::export_jsonl(records.iter().cloned().map(Ok), &mut w);
            match (written, w.error) {
                (Ok(_), _) => Ok(()),
                // The file system refused: reported as "cannot write OUT: ...".
                (Err(_), Some(io)) => Err(Written::Io(io)),
                (Err(e), None) => Err(e.into()),
            }
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

/// A writer that keeps the first I/O error it saw: `export_jsonl` does not know the path it
/// writes to, so the error it returns cannot name it; this one is reported with the path.
struct KeepIoError<W> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: Write> KeepIoError<W> {
    fn keep<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        r.map_err(|e| {
            let copy = std::io::Error::new(e.kind(), e.to_string());
            self.error.get_or_insert(e);
            copy
        })
    }
}

impl<W: Write> Write for KeepIoError<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.keep(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.keep(r)
    }
}

/// Refuses anything but a regular file, from its metadata and before opening it: a directory
/// (or a journal directory, which `export` turns into a file), and a FIFO, socket or device,
/// which would block or make no sense.
fn check_regular_file(file: &Path) -> Result<(), CliError> {
    let meta = std::fs::metadata(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            CliError::input(switchboard_journal::Error::NotFound { path: file.into() })
        }
        _ => CliError::input(format!("cannot read {}: {e}", file.display())),
    })?;
    if meta.is_dir() {
        return Err(CliError::input(format!(
            "{} is a directory; import reads a .jsonl file (export a journal directory first)",
            file.display()
        )));
    }
    if !meta.is_file() {
        return Err(CliError::input(format!(
            "{} is not a regular file (a FIFO, socket or device?); import reads a .jsonl file",
            file.display()
        )));
    }
    Ok(())
}

/// `switchboard import FILE --journal DIR`.
pub fn import(file: &Path, dir: &Path) -> Result<(), CliError> {
    check_regular_file(file)?;
    let reader = File::open(file)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", file.display())))?;
    // The reader has no path: errors name the line, and this names the file.
    let records = switchboard_journal::import_jsonl(BufReader::new(reader))
        .map_err(|e| CliError::input(format!("{}: {e}", file.display())))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A disk that is full after `room` bytes.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.room {
                return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
            }
            self.room -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_first_io_error_of_an_export_is_kept_for_the_message_with_the_path() {
        let records = switchboard_journal::script::scripted_log(5);
        let records: Vec<_> = (0u64..).zip(&records).map(|(s, r)| r.at_seq(s)).collect();
        let mut w = KeepIoError {
            inner: Full { room: 100 },
            error: None,
        };
        let err = switchboard_journal::export_jsonl(records.into_iter().map(Ok), &mut w);
        assert!(err.is_err());
        let kept = w.error.expect("the disk's error");
        assert_eq!(kept.kind(), std::io::ErrorKind::StorageFull);
    }
}
