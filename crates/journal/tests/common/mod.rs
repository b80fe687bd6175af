//! Helpers shared by the integration tests.
#![allow(dead_code)]
use std::path::Path;

use switchboard_journal::script::scripted_log;
use switchboard_journal::{Error, FlushPolicy, Journal, NewRecord, Record, SledJournal};

/// The first `n` records of scripted calls.
pub fn records(n: usize) -> Vec<NewRecord> {
    let mut all = scripted_log(n);
    all.truncate(n);
    all
}

/// The records `new` become when appended from seq 0.
pub fn expected(new: &[NewRecord]) -> Vec<Record> {
    (0u64..).zip(new).map(|(seq, r)| r.at_seq(seq)).collect()
}

/// Opens (or creates) a sled journal with the default policy.
pub fn open(dir: &Path) -> SledJournal {
    SledJournal::open(dir, FlushPolicy::default()).unwrap().0
}

/// Every good record from `from`, and the error that ended the scan, if any.
pub fn read(journal: &dyn Journal, from: u64) -> (Vec<Record>, Option<Error>) {
    let mut good = Vec::new();
    for r in journal.scan(from) {
        match r {
            Ok(r) => good.push(r),
            Err(e) => return (good, Some(e)),
        }
    }
    (good, None)
}

/// Appends `records` in batches of `sizes` (cycled).
pub fn append_in_batches(journal: &dyn Journal, records: &[NewRecord], sizes: &[usize]) {
    let mut rest = records;
    for &size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (batch, tail) = rest.split_at(size.min(rest.len()));
        journal.append(batch).unwrap();
        rest = tail;
    }
}

/// Opens the journal's sled database directly (the journal must be closed) and runs `f` on its
/// records tree.
pub fn with_records_tree<R>(dir: &Path, f: impl FnOnce(&sled::Tree) -> R) -> R {
    let db = switchboard_journal::open_sled_db(dir).unwrap();
    let tree = db.open_tree("records").unwrap();
    let out = f(&tree);
    db.flush().unwrap();
    out
}

/// Byte offset of the `index`-th frame in a batch value (after its 4-byte record count).
pub fn frame_offset(value: &[u8], index: usize) -> usize {
    let mut pos = 4;
    for _ in 0..index {
        let len = u32::from_le_bytes(value[pos..pos + 4].try_into().unwrap()) as usize;
        pos += 4 + len + 4;
    }
    pos
}

/// Every record from `from`; fails the test on a scan error.
pub fn read_ok(journal: &dyn Journal, from: u64) -> Vec<Record> {
    let (good, err) = read(journal, from);
    assert!(err.is_none(), "unexpected scan error: {err:?}");
    good
}
