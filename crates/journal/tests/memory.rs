//! The in-memory journal: the same bytes as sled, a crash that loses what was not flushed, and
//! (through `FailingJournal`) failed writes.
mod common;

use common::*;
use switchboard_journal::testing::FailingJournal;
use switchboard_journal::{Error, FlushPolicy, Journal, MemoryJournal};

#[test]
fn a_failed_write_appends_nothing() {
    let journal = FailingJournal::new(MemoryJournal::new());
    let new = records(30);
    journal.append(&new[..10]).unwrap();
    journal.set_failing(true);
    for _ in 0..3 {
        let err = journal.append(&new[10..20]).unwrap_err();
        assert!(matches!(err, Error::Write(_)), "{err:?}");
        assert_eq!(journal.next_seq(), 10);
    }
    journal.set_failing(false);
    assert_eq!(journal.append(&new[10..30]).unwrap(), 10..30);
    assert_eq!(read_ok(&journal, 0), expected(&new));
}

#[test]
fn it_stores_the_same_bytes_as_sled() {
    let tmp = tempfile::tempdir().unwrap();
    let new = records(50);
    let memory = MemoryJournal::new();
    append_in_batches(&memory, &new, &[7, 20, 1]);
    append_in_batches(&open(tmp.path()), &new, &[7, 20, 1]);
    let on_disk: Vec<(u64, Vec<u8>)> = with_records_tree(tmp.path(), |t| {
        t.iter()
            .map(|kv| {
                let (k, v) = kv.unwrap();
                (
                    u64::from_be_bytes(k.as_ref().try_into().unwrap()),
                    v.to_vec(),
                )
            })
            .collect()
    });
    let in_memory: Vec<(u64, Vec<u8>)> =
        memory.with_batches(|b| b.iter().map(|(k, v)| (*k, v.to_vec())).collect());
    assert_eq!(in_memory, on_disk);
}

#[test]
fn damage_reads_back_as_it_does_from_sled() {
    let journal = MemoryJournal::new();
    let new = records(30);
    append_in_batches(&journal, &new, &[10]);
    journal.with_batches(|b| {
        let value = b.get_mut(&10).unwrap();
        let mut bytes = value.to_vec();
        let at = frame_offset(&bytes, 4) + 6;
        bytes[at] ^= 0x40;
        *value = bytes.into();
    });
    let (good, err) = read(&journal, 0);
    assert_eq!(good, expected(&new[..14]));
    let err = err.unwrap().to_string();
    assert!(
        err.starts_with("corrupt record at seq 14: checksum mismatch"),
        "{err}"
    );
}

#[test]
fn a_crash_loses_only_what_was_not_flushed() {
    let new = records(30);
    let per_batch = MemoryJournal::new();
    per_batch.append(&new[..10]).unwrap();
    assert_eq!(per_batch.lose_unflushed(), 0);

    let interval = MemoryJournal::with_policy(FlushPolicy::Interval { ms: 100 });
    interval.append(&new[..10]).unwrap();
    interval.flush().unwrap();
    interval.append(&new[10..25]).unwrap();
    assert_eq!(interval.lose_unflushed(), 15);
    assert_eq!(interval.next_seq(), 10);
    assert_eq!(interval.append(&new[10..30]).unwrap(), 10..30);
    assert_eq!(read_ok(&interval, 0), expected(&new));
}

#[test]
fn every_record_policy_stores_one_value_per_record() {
    let journal = MemoryJournal::with_policy(FlushPolicy::EveryRecord);
    journal.append(&records(12)).unwrap();
    assert_eq!(journal.with_batches(|b| b.len()), 12);
    assert_eq!(read_ok(&journal, 5).len(), 7);
}
