//! Writing an export file without harming what is already there: the data goes to
//! `NAME.partial` beside the target, is flushed to disk, and only then renamed over `NAME`. A
//! failed or interrupted write leaves the old file as it was (and removes the partial one).
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `out` through `write`, replacing any old file only once the new one is complete.
pub fn write_atomically<T, E: From<std::io::Error>>(
    out: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> Result<T, E>,
) -> Result<T, E> {
    let partial = partial_path(out);
    let file = File::create(&partial)?;
    let written = (|| {
        let mut w = BufWriter::new(&file);
        let value = write(&mut w)?;
        w.flush()?;
        drop(w);
        file.sync_all()?;
        std::fs::rename(&partial, out)?;
        Ok(value)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// `DIR/NAME.partial` for `DIR/NAME`.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    out.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_partial_file() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("call.jsonl");
        std::fs::write(&out, "old, good").unwrap();
        let failed: std::io::Result<()> = write_atomically(&out, |w| {
            w.write_all(b"half of the new")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old, good");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);

        let n = write_atomically(&out, |w| w.write_all(b"new").map(|()| 3)).unwrap();
        assert_eq!(n, 3);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
