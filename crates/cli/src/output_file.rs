//! Writing an output file (`export --out`, `report --out`) without harming what is already
//! there: never onto the log being read, and replacing an old file only once the new one is
//! complete, so a failed or interrupted write leaves the old file whole.
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// Refuses an output path that is the log itself, or inside the log's journal directory.
pub fn check_not_the_log(log: &Path, out: &Path) -> Result<(), CliError> {
    let Ok(log) = log.canonicalize() else {
        return Ok(()); // reading the log reports a missing one
    };
    let out = resolved(out);
    if out == log || (log.is_dir() && out.starts_with(&log)) {
        return Err(CliError::input(format!(
            "--out {} would write over the log being read; choose another path",
            out.display()
        )));
    }
    Ok(())
}

/// `path` with its parent directory resolved (the file itself may not exist yet).
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (parent.canonicalize(), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_owned(),
    }
}

/// Writes `out` through `write`, replacing an old file only once the new one is complete (see
/// [`switchboard_journal::write_atomically`]). A file-system error, from `write` or from the
/// replacing, is reported as "cannot write FILE: ..."; any other error passes through as it is.
pub fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> Result<(), Written>,
) -> Result<(), CliError> {
    switchboard_journal::write_atomically(out, write).map_err(|e| match e {
        Written::Cli(e) => e,
        Written::Io(e) => CliError::input(format!("cannot write {}: {e}", out.display())),
    })
}

/// Why writing failed: the content (a CLI or journal error) or the file system.
pub enum Written {
    /// Making the content failed.
    Cli(CliError),
    /// The file system refused.
    Io(std::io::Error),
}

impl From<std::io::Error> for Written {
    fn from(e: std::io::Error) -> Self {
        Written::Io(e)
    }
}

impl From<CliError> for Written {
    fn from(e: CliError) -> Self {
        Written::Cli(e)
    }
}

impl From<switchboard_journal::Error> for Written {
    fn from(e: switchboard_journal::Error) -> Self {
        Written::Cli(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_written_file_is_an_ordinary_file_and_a_bad_directory_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("report.html");
        write_atomically(&out, |w| {
            w.write_all(b"new").unwrap();
            Ok(())
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_ne!(mode & 0o044, 0, "readable beyond the owner: {mode:o}");
        }
        let nowhere = tmp.path().join("no/such/dir/report.html");
        match write_atomically(&nowhere, |_| Ok(())) {
            Err(CliError::Input(msg)) => assert!(msg.starts_with("cannot write "), "{msg}"),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn the_log_itself_or_a_path_inside_its_journal_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("call.jsonl");
        std::fs::write(&log, "").unwrap();
        assert!(check_not_the_log(&log, &log).is_err());
        let dotted = tmp.path().join(".").join("call.jsonl");
        assert!(check_not_the_log(&log, &dotted).is_err());
        assert!(check_not_the_log(&log, &tmp.path().join("other.jsonl")).is_ok());
        let journal = tmp.path().join("journal");
        std::fs::create_dir(&journal).unwrap();
        assert!(check_not_the_log(&journal, &journal.join("db")).is_err());
        assert!(check_not_the_log(&journal, &tmp.path().join("x.html")).is_ok());
    }
}
