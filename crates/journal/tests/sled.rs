//! The sled journal through its public API: round trips, reopening, scanning, damage, quarantine.
mod common;

use common::*;
use switchboard_journal::{Error, FlushPolicy, Journal, SledJournal};

#[test]
fn round_trip_in_batches_of_every_size() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = open(tmp.path());
    let new = records(300);
    assert_eq!(journal.append(&[]).unwrap(), 0..0);
    append_in_batches(&journal, &new, &[1, 16, 5, 100, 3]);
    assert_eq!(journal.next_seq(), 300);
    let (got, err) = read(&journal, 0);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(got, expected(&new));
}

#[test]
fn reopen_continues_the_sequence() {
    let tmp = tempfile::tempdir().unwrap();
    let new = records(60);
    let (journal, report) = SledJournal::open(tmp.path(), FlushPolicy::PerBatch).unwrap();
    assert!(report.created && report.next_seq == 0 && report.quarantined.is_none());
    assert_eq!(journal.append(&new[..25]).unwrap(), 0..25);
    drop(journal);
    let (journal, report) = SledJournal::open(tmp.path(), FlushPolicy::PerBatch).unwrap();
    assert!(!report.created);
    assert_eq!(report.next_seq, 25);
    assert_eq!(journal.append(&new[25..]).unwrap(), 25..60);
    drop(journal);
    let journal = SledJournal::open_existing(tmp.path()).unwrap();
    assert_eq!(journal.next_seq(), 60);
    assert_eq!(read_ok(&journal, 0), expected(&new));
}

#[test]
fn scan_from_a_seq_inside_a_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = open(tmp.path());
    let new = records(30);
    append_in_batches(&journal, &new, &[10]);
    let all = expected(&new);
    for from in [0, 3, 10, 15, 29] {
        assert_eq!(read_ok(&journal, from), all[from as usize..].to_vec());
    }
    assert_eq!(read_ok(&journal, 30), vec![]);
    assert_eq!(read_ok(&journal, 1000), vec![]);
}

#[test]
fn a_flipped_byte_is_reported_with_its_seq_and_earlier_records_survive() {
    let tmp = tempfile::tempdir().unwrap();
    let new = records(30);
    append_in_batches(&open(tmp.path()), &new, &[10]);
    flip_byte_of(tmp.path(), 10, 4);
    let journal = SledJournal::open_existing(tmp.path()).unwrap();
    let (good, err) = read(&journal, 0);
    assert_eq!(good, expected(&new[..14]));
    let err = err.unwrap();
    assert_eq!(err.seq(), Some(14));
    assert!(
        err.to_string()
            .starts_with("corrupt record at seq 14: checksum mismatch"),
        "{err}"
    );
    // A scan from inside the damaged batch stops at it; one from a later batch does not read it.
    assert_eq!(read(&journal, 12).1.and_then(|e| e.seq()), Some(14));
    assert_eq!(read_ok(&journal, 20), expected(&new)[20..].to_vec());
}

/// Flips one byte in the payload of frame `index` of the batch at `key`.
fn flip_byte_of(dir: &std::path::Path, key: u64, index: usize) {
    with_records_tree(dir, |tree| {
        let mut value = tree.get(key.to_be_bytes()).unwrap().unwrap().to_vec();
        let at = frame_offset(&value, index) + 6;
        value[at] ^= 0x40;
        tree.insert(key.to_be_bytes(), value).unwrap();
    });
}

#[test]
fn a_torn_batch_is_reported_and_the_records_before_it_survive() {
    let tmp = tempfile::tempdir().unwrap();
    let new = records(30);
    append_in_batches(&open(tmp.path()), &new, &[10]);
    with_records_tree(tmp.path(), |tree| {
        let value = tree.get(20u64.to_be_bytes()).unwrap().unwrap();
        tree.insert(20u64.to_be_bytes(), &value[..value.len() - 3])
            .unwrap();
    });
    let journal = SledJournal::open_existing(tmp.path()).unwrap();
    let (good, err) = read(&journal, 0);
    assert_eq!(good, expected(&new[..29]));
    let err = err.unwrap();
    assert!(matches!(err, Error::Torn { seq: 29, .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("torn record at seq 29: "), "{text}");
    assert!(text.ends_with(" were expected"), "{text}");
}

#[test]
fn a_missing_batch_is_reported_at_the_first_missing_seq() {
    let tmp = tempfile::tempdir().unwrap();
    let new = records(30);
    append_in_batches(&open(tmp.path()), &new, &[10]);
    with_records_tree(tmp.path(), |tree| tree.remove(10u64.to_be_bytes()).unwrap());
    let journal = SledJournal::open_existing(tmp.path()).unwrap();
    let (good, err) = read(&journal, 0);
    assert_eq!(good.len(), 10);
    let err = err.unwrap();
    assert_eq!(
        err.to_string(),
        "corrupt record at seq 10: records 10..20 are missing"
    );
}

#[test]
fn a_record_in_an_unknown_format_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let new = records(5);
    open(tmp.path()).append(&new[..4]).unwrap();
    // Seq 4 written by a hypothetical format 4.
    let fields = (4u16, 4u64, 0u64, "router", &new[4].body);
    let payload = bincode::serde::encode_to_vec(fields, bincode::config::standard()).unwrap();
    let mut frame = 1u32.to_le_bytes().to_vec(); // the batch's record count
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(&payload);
    frame.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    with_records_tree(tmp.path(), |tree| {
        tree.insert(4u64.to_be_bytes(), frame).unwrap()
    });
    let (good, err) = read(&SledJournal::open_existing(tmp.path()).unwrap(), 0);
    assert_eq!(good.len(), 4);
    assert_eq!(
        err.unwrap().to_string(),
        "record at seq 4 has format 4; this build reads formats 1 to 3"
    );
}

#[test]
fn opening_for_writing_quarantines_a_bad_tail_and_continues_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    let new = records(40);
    append_in_batches(&open(tmp.path()), &new[..30], &[10]);
    let before: Vec<Vec<u8>> = with_records_tree(tmp.path(), |t| {
        [10u64, 20]
            .map(|k| t.get(k.to_be_bytes()).unwrap().unwrap().to_vec())
            .to_vec()
    });
    flip_byte_of(tmp.path(), 10, 4);

    let (journal, report) = SledJournal::open(tmp.path(), FlushPolicy::PerBatch).unwrap();
    let q = report.quarantined.clone().expect("a quarantine");
    assert_eq!((report.next_seq, q.from_seq, q.batches), (14, 14, 2));
    assert!(q.reason.contains("seq 14"), "{}", q.reason);
    assert_eq!(read_ok(&journal, 0), expected(&new[..14]));
    // Nothing is deleted: the damaged batch and the one after it are kept whole.
    let kept = journal.quarantined_batches().unwrap();
    assert_eq!(kept.len(), 2);
    assert_ne!(kept[0].1, before[0], "the damaged copy is what is kept");
    assert_eq!(kept[0].1.len(), before[0].len());
    assert_eq!(kept[1].1, before[1]);

    // Appends continue after the last good record, and a reopen finds a clean log.
    assert_eq!(journal.append(&new[14..40]).unwrap(), 14..40);
    drop(journal);
    let (journal, report) = SledJournal::open(tmp.path(), FlushPolicy::PerBatch).unwrap();
    assert_eq!((report.next_seq, report.quarantined), (40, None));
    assert_eq!(read_ok(&journal, 0), expected(&new));
    assert_eq!(journal.quarantined_batches().unwrap().len(), 2);
}

#[test]
fn open_existing_creates_nothing_and_names_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    let err = SledJournal::open_existing(&missing).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: no such file or directory", missing.display())
    );
    assert!(!missing.exists());

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = SledJournal::open_existing(&empty).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{} is not a switchboard journal", empty.display())
    );
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);

    let plain = tmp.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("notes.txt"), "hello").unwrap();
    assert!(matches!(
        SledJournal::open_existing(&plain),
        Err(Error::NotAJournal { .. })
    ));
    // Opening for writing refuses it too, and leaves it alone.
    assert!(matches!(
        SledJournal::open(&plain, FlushPolicy::PerBatch),
        Err(Error::NotAJournal { .. })
    ));
    assert_eq!(std::fs::read_dir(&plain).unwrap().count(), 1);

    let file = plain.join("notes.txt");
    assert!(matches!(
        SledJournal::open_existing(&file),
        Err(Error::NotAJournal { .. })
    ));
}

#[test]
fn a_foreign_sled_database_is_not_a_journal() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let db = switchboard_journal::open_sled_db(tmp.path()).unwrap();
        db.insert("hello", "world").unwrap();
        db.flush().unwrap();
    }
    assert!(matches!(
        SledJournal::open_existing(tmp.path()),
        Err(Error::NotAJournal { .. })
    ));
    assert!(matches!(
        SledJournal::open(tmp.path(), FlushPolicy::PerBatch),
        Err(Error::NotAJournal { .. })
    ));
}

#[test]
fn a_read_only_journal_refuses_appends() {
    let tmp = tempfile::tempdir().unwrap();
    drop(open(tmp.path()));
    let journal = SledJournal::open_existing(tmp.path()).unwrap();
    assert!(matches!(journal.append(&records(1)), Err(Error::ReadOnly)));
}

#[test]
fn flush_policies_store_one_value_per_record_or_per_append() {
    let tmp = tempfile::tempdir().unwrap();
    let new = records(20);
    for (name, policy, values) in [
        ("every", FlushPolicy::EveryRecord, 20),
        ("batch", FlushPolicy::PerBatch, 2),
        ("interval", FlushPolicy::Interval { ms: 50 }, 2),
    ] {
        let dir = tmp.path().join(name);
        let (journal, _) = SledJournal::open(&dir, policy).unwrap();
        assert_eq!(journal.flush_policy(), policy);
        append_in_batches(&journal, &new, &[10]);
        drop(journal);
        assert_eq!(with_records_tree(&dir, |t| t.len()), values, "{name}");
        let journal = SledJournal::open_existing(&dir).unwrap();
        assert_eq!(read_ok(&journal, 0), expected(&new), "{name}");
    }
}

#[test]
fn close_releases_the_directory_while_handles_remain() {
    let tmp = tempfile::tempdir().unwrap();
    let new = records(20);
    let first = std::sync::Arc::new(open(tmp.path()));
    first.append(&new[..10]).unwrap();
    // sled holds a file lock: a second open fails while the first is open...
    assert!(SledJournal::open(tmp.path(), FlushPolicy::PerBatch).is_err());
    first.close().unwrap();
    first.close().unwrap();
    // ...and succeeds once it is closed, though the first handle still exists.
    let (second, report) = SledJournal::open(tmp.path(), FlushPolicy::PerBatch).unwrap();
    assert_eq!(report.next_seq, 10);
    assert!(matches!(first.append(&new[10..]), Err(Error::Closed)));
    assert!(matches!(first.scan(0).next(), Some(Err(Error::Closed))));
    assert_eq!(second.append(&new[10..]).unwrap(), 10..20);
    assert_eq!(read_ok(&second, 0), expected(&new));
}
