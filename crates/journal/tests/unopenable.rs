//! A journal that sled itself cannot open: leftovers of a kill in the middle of a sled snapshot
//! are removed before sled sees the directory; anything worse is set aside whole, a fresh journal
//! starts in its place, and the old one stays readable as far as it can be.
mod common;

use std::path::Path;

use common::*;
use switchboard_journal::{Error, FlushPolicy, Journal, SledJournal, SET_ASIDE_SUFFIX};

/// sled writes `snap.<lsn>.generating` and renames it when complete; a kill before the rename
/// leaves it behind, and this exact file name (the highest lsn) is what sled reads first.
const LEFTOVER: &str = "snap.FFFFFFFFFFFFFFFF.generating";

fn journal_with(dir: &Path, n: usize) -> Vec<switchboard_journal::NewRecord> {
    let new = records(n);
    let journal = open(dir);
    append_in_batches(&journal, &new, &[7]);
    journal.close().unwrap();
    new
}

#[test]
fn sled_refuses_a_journal_with_an_empty_unfinished_snapshot() {
    // The failure this defends against, shown on sled directly: if this ever stops failing, the
    // defence is no longer needed (and the test says so).
    let tmp = tempfile::tempdir().unwrap();
    journal_with(tmp.path(), 20);
    std::fs::write(tmp.path().join(LEFTOVER), b"").unwrap();
    let raw = sled::Config::new().path(tmp.path()).open();
    assert!(
        raw.is_err(),
        "sled opened a directory with an empty {LEFTOVER}"
    );
}

#[test]
fn an_empty_unfinished_snapshot_is_removed_and_every_record_opens() {
    let tmp = tempfile::tempdir().unwrap();
    let new = journal_with(tmp.path(), 50);
    std::fs::write(tmp.path().join(LEFTOVER), b"").unwrap();

    let (journal, report) = SledJournal::open(tmp.path(), FlushPolicy::PerBatch).unwrap();
    assert_eq!(report.leftovers_removed, vec![LEFTOVER.to_owned()]);
    assert_eq!(report.next_seq, 50);
    assert!(report.set_aside.is_none() && report.quarantined.is_none());
    assert_eq!(read_ok(&journal, 0), expected(&new));
    assert!(!tmp.path().join(LEFTOVER).exists());
    journal.close().unwrap();

    // The read-only open (replay, export) defends itself the same way.
    std::fs::write(tmp.path().join(LEFTOVER), b"").unwrap();
    let journal = SledJournal::open_existing(tmp.path()).unwrap();
    assert_eq!(read_ok(&journal, 0), expected(&new));
}

/// A complete-looking snapshot whose checksum is wrong: sled cannot open the directory, and
/// removing unfinished files does not help.
fn break_snapshot(dir: &Path) {
    std::fs::write(dir.join("snap.FFFFFFFFFFFFFFFE"), [0x5a; 64]).unwrap();
}

#[test]
fn a_journal_sled_cannot_open_is_set_aside_whole_and_a_fresh_one_starts() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("journal");
    let new = journal_with(&dir, 40);
    break_snapshot(&dir);
    assert!(SledJournal::open(&dir, FlushPolicy::PerBatch).is_err());

    let (journal, report) = SledJournal::open_or_set_aside(&dir, FlushPolicy::PerBatch).unwrap();
    let aside = report.set_aside.clone().expect("set aside");
    assert_eq!(
        aside.path,
        parent.path().join(format!("journal{SET_ASIDE_SUFFIX}1"))
    );
    assert!(!aside.reason.is_empty());
    assert!(report.created && report.next_seq == 0, "{report:?}");
    assert_eq!(journal.append(&new[..3]).unwrap(), 0..3);
    journal.close().unwrap();

    // Nothing was deleted: the broken snapshot is still there, and the old journal reads back
    // whole through a salvage copy without its snapshots.
    assert!(aside.path.join("snap.FFFFFFFFFFFFFFFE").exists());
    let old = SledJournal::open_existing(&aside.path).unwrap();
    assert!(old.salvaged_from_copy().is_some());
    assert_eq!(read_ok(&old, 0), expected(&new));
    drop(old);
    assert!(aside.path.join("snap.FFFFFFFFFFFFFFFE").exists());

    // A second failure gets the next number; the first set-aside journal is kept.
    break_snapshot(&dir);
    let (_, report) = SledJournal::open_or_set_aside(&dir, FlushPolicy::PerBatch).unwrap();
    let second = report.set_aside.expect("set aside again").path;
    assert_eq!(
        second,
        parent.path().join(format!("journal{SET_ASIDE_SUFFIX}2"))
    );
    assert!(aside.path.exists());
}

#[test]
fn a_directory_of_other_files_is_never_moved() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), b"mine").unwrap();
    let err = SledJournal::open_or_set_aside(tmp.path(), FlushPolicy::PerBatch).unwrap_err();
    assert!(matches!(err, Error::NotAJournal { .. }), "{err}");
    assert!(tmp.path().join("notes.txt").exists());
}
