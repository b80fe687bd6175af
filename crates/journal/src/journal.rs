//! The [`Journal`] trait every backend implements, and the [`FlushPolicy`] that says when appended
//! records are made durable.
use std::ops::Range;

use crate::batch::BATCH_RECORDS_MAX;
use crate::error::{Error, Result};
use crate::record::{NewRecord, Record, FORMAT_VERSION};

/// When appended records are made durable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FlushPolicy {
    /// Each record is stored and flushed on its own before the next one (slowest, simplest).
    EveryRecord,
    /// One flush per `append` call, for all its records: group commit. The default.
    #[default]
    PerBatch,
    /// Flush when the last flush is older than `ms`, on an explicit flush and on drop. An append
    /// may return before its records are durable.
    Interval {
        /// Longest time between flushes, in milliseconds.
        ms: u64,
    },
}

/// An append-only log of records with gap-free seqs, from 0 or, once retention has deleted
/// older calls, from [`Journal::first_seq`] (where a snapshot stands).
pub trait Journal: Send + Sync {
    /// Appends `batch` with consecutive seqs and makes it durable per the flush policy. Returns
    /// the seqs it got. On error nothing more than [`Journal::next_seq`] says was written.
    fn append(&self, batch: &[NewRecord]) -> Result<Range<u64>>;

    /// Appends several batches as one (one store, one flush) and returns each batch's seqs: what
    /// group commit calls. A journal that writes records of its own between them (snapshots)
    /// overrides it; by default the batches are concatenated.
    fn append_groups(&self, groups: Vec<Vec<NewRecord>>) -> Result<Vec<Range<u64>>> {
        let lens: Vec<u64> = groups.iter().map(|g| g.len() as u64).collect();
        let all: Vec<NewRecord> = groups.into_iter().flatten().collect();
        let range = self.append(&all)?;
        let mut start = range.start;
        Ok(lens
            .into_iter()
            .map(|len| {
                let r = start..start + len;
                start = r.end;
                r
            })
            .collect())
    }

    /// Makes everything appended so far durable.
    fn flush(&self) -> Result<()>;

    /// The records from `from_seq` on, in seq order. At the first torn or corrupt record it
    /// yields one error naming the seq and what is wrong, then ends; records before it are
    /// returned as usual.
    fn scan(&self, from_seq: u64) -> Box<dyn Iterator<Item = Result<Record>> + '_>;

    /// The seq the next appended record gets.
    fn next_seq(&self) -> u64;

    /// The seq of the oldest record kept: 0 until [`Journal::forget_before`] deleted some.
    fn first_seq(&self) -> u64 {
        0
    }

    /// The seqs of the snapshot records, oldest first, as far as the journal keeps track of
    /// them: a hint to check against the record at each seq, never a promise. By default, a scan
    /// of the whole log.
    fn snapshot_seqs(&self) -> Result<Vec<u64>> {
        let mut out = Vec::new();
        for r in self.scan(0) {
            let r = r?;
            if r.kind() == crate::record::Kind::Snapshot {
                out.push(r.seq);
            }
        }
        Ok(out)
    }

    /// Deletes every record before `seq`, which must start a stored batch (a snapshot, written as
    /// a batch of its own), and makes that durable. Returns how many records went.
    fn forget_before(&self, seq: u64) -> Result<u64> {
        let _ = seq;
        Err(Error::Write("this journal cannot delete records".into()))
    }

    /// Bytes the journal takes on disk, when it is on disk.
    fn size_on_disk(&self) -> Option<u64> {
        None
    }

    /// The flush policy this journal was opened with.
    fn flush_policy(&self) -> FlushPolicy;

    /// Flushes and releases the storage: for sled, the database and its file lock, so the same
    /// directory can be opened again in this process while handles to this journal remain; its
    /// later appends, flushes and scans fail with [`Error::Closed`]. The in-memory journal has
    /// nothing to release and stays usable. Closing twice is a no-op.
    fn close(&self) -> Result<()> {
        self.flush()
    }

    /// Writes `records` (read from an export or another journal) into this journal, which must
    /// be empty, keeping their seqs: they must run gap-free from 0. Flushes once at the end.
    fn import(&self, records: &[Record]) -> Result<Range<u64>> {
        let next_seq = self.next_seq();
        if next_seq != 0 {
            return Err(Error::NotEmpty { next_seq });
        }
        check_import(records)?;
        for chunk in records.chunks(BATCH_RECORDS_MAX) {
            let batch: Vec<NewRecord> = chunk.iter().cloned().map(NewRecord::from).collect();
            let got = self.append(&batch)?;
            assert_eq!(got.start, chunk[0].seq, "import keeps seqs");
        }
        self.flush()?;
        Ok(0..self.next_seq())
    }
}

/// Checks that records run gap-free from seq 0 in the current format.
fn check_import(records: &[Record]) -> Result<()> {
    for (expected, r) in (0u64..).zip(records) {
        if r.seq != expected {
            return Err(Error::ImportSequence {
                expected,
                found: r.seq,
            });
        }
        if r.format != FORMAT_VERSION {
            return Err(Error::UnsupportedFormat {
                seq: r.seq,
                format: r.format,
                supported: FORMAT_VERSION,
            });
        }
    }
    Ok(())
}
