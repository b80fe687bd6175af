//! Writing an export file without harming what is already there: the data goes to
//! `.NAME.incomplete-PID` beside the target, is flushed to disk, and only then renamed over
//! `NAME`. A failed write leaves the old file as it was (and removes the temporary one). A killed
//! process cannot clean up, so the temporary name is hidden (a leading dot), says it is
//! incomplete, and does not end like the target: `ls`, `*.jsonl` globs and tools that pick files
//! by extension do not take it for an export.
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

/// `DIR/.NAME.incomplete-PID` for `DIR/NAME` (the process id keeps two writers of one target
/// apart).
fn partial_path(out: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(out.file_name().unwrap_or_default());
    name.push(format!(".incomplete-{}", std::process::id()));
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

    /// What is on disk while the data is being written is what a kill at that moment leaves.
    #[test]
    fn while_writing_the_only_new_file_is_hidden_and_says_it_is_incomplete() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("call.jsonl");
        let names = || -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let during = write_atomically(&out, |w| -> std::io::Result<Vec<String>> {
            w.write_all(b"{}\n")?;
            w.flush()?;
            Ok(names())
        })
        .unwrap();
        let expected = format!(".call.jsonl.incomplete-{}", std::process::id());
        assert_eq!(during, [expected]);
        assert!(during
            .iter()
            .all(|n| n.starts_with('.') && !n.ends_with(".jsonl")));
        assert_eq!(names(), ["call.jsonl"]);
    }
}
