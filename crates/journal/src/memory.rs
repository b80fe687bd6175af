//! [`MemoryJournal`]: the journal in memory, for tests and the simulator. It stores the same
//! batch values as [`crate::SledJournal`], so checksums and damage behave the same; it is
//! deterministic and starts no threads. A crash can be injected: losing what was not flushed
//! (failed writes: `testing::FailingJournal`, behind the `test-support` feature).
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::batch::{encode_batch, BatchScan, BATCH_RECORDS_MAX};
use crate::error::Result;
use crate::journal::{FlushPolicy, Journal};
use crate::record::{NewRecord, Record};

/// Stored batch values by first seq.
pub type Batches = BTreeMap<u64, Arc<[u8]>>;

#[derive(Default)]
struct State {
    batches: Batches,
    next_seq: u64,
    /// Everything below this seq has been flushed.
    durable_seq: u64,
    /// Records before this seq were deleted by retention ([`Journal::forget_before`]).
    forgotten_before: u64,
}

/// A journal held in memory.
#[derive(Default)]
pub struct MemoryJournal {
    policy: FlushPolicy,
    state: Mutex<State>,
}

impl std::fmt::Debug for MemoryJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryJournal")
            .field("policy", &self.policy)
            .field("next_seq", &self.next_seq())
            .finish()
    }
}

impl MemoryJournal {
    /// An empty journal with the default (per-batch) flush policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty journal with a flush policy. There is no clock here, so under `Interval` records
    /// become durable only on an explicit [`Journal::flush`] (the simulator decides when time
    /// has passed).
    pub fn with_policy(policy: FlushPolicy) -> Self {
        MemoryJournal {
            policy,
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Simulates a crash: drops every record that was not flushed, and returns how many.
    pub fn lose_unflushed(&self) -> u64 {
        let mut s = self.lock();
        let durable = s.durable_seq;
        let lost = s.next_seq - durable;
        s.batches.retain(|&key, _| key < durable);
        s.next_seq = durable;
        lost
    }

    /// The stored batch values, for hashing a run or damaging bytes in a test. Changing them
    /// does not change [`Journal::next_seq`].
    pub fn with_batches<R>(&self, f: impl FnOnce(&mut Batches) -> R) -> R {
        f(&mut self.lock().batches)
    }

    fn store(s: &mut State, records: &[NewRecord], buf: &mut Vec<u8>) -> Result<()> {
        let seq = s.next_seq;
        encode_batch(seq, records, buf)?;
        let old = s.batches.insert(seq, Arc::from(&buf[..]));
        assert!(old.is_none(), "batch {seq} overwrote an existing batch");
        s.next_seq += records.len() as u64;
        Ok(())
    }
}

impl Journal for MemoryJournal {
    fn append(&self, batch: &[NewRecord]) -> Result<Range<u64>> {
        let mut s = self.lock();
        let first = s.next_seq;
        if batch.is_empty() {
            return Ok(first..first);
        }
        // Encode everything before storing anything, so a bad record appends nothing.
        let chunk_len = match self.policy {
            FlushPolicy::EveryRecord => 1,
            _ => BATCH_RECORDS_MAX,
        };
        let mut staged = State {
            next_seq: first,
            ..State::default()
        };
        let mut buf = Vec::new();
        for chunk in crate::batch::stored_chunks(batch, chunk_len) {
            Self::store(&mut staged, chunk, &mut buf)?;
        }
        // extend, not BTreeMap::append: append rebuilds the whole map, quadratic over a run.
        s.batches.extend(std::mem::take(&mut staged.batches));
        s.next_seq = staged.next_seq;
        if !matches!(self.policy, FlushPolicy::Interval { .. }) {
            s.durable_seq = s.next_seq;
        }
        Ok(first..s.next_seq)
    }

    fn flush(&self) -> Result<()> {
        let mut s = self.lock();
        s.durable_seq = s.next_seq;
        Ok(())
    }

    fn scan(&self, from_seq: u64) -> Box<dyn Iterator<Item = Result<Record>> + '_> {
        let s = self.lock();
        // Before the first record retention kept, the scan starts at it.
        let from_seq = from_seq.max(s.forgotten_before);
        let start_key = s
            .batches
            .range(..=from_seq)
            .next_back()
            .map_or(from_seq, |(&k, _)| k);
        let batches: Vec<Result<(u64, Arc<[u8]>)>> = s
            .batches
            .range(start_key..)
            .map(|(&k, v)| Ok((k, v.clone())))
            .collect();
        Box::new(BatchScan::new(batches.into_iter(), start_key, from_seq))
    }

    fn first_seq(&self) -> u64 {
        self.lock().forgotten_before
    }

    fn forget_before(&self, seq: u64) -> Result<u64> {
        let mut s = self.lock();
        let first = s.forgotten_before;
        if seq <= first {
            return Ok(0);
        }
        if !s.batches.contains_key(&seq) {
            return Err(crate::error::Error::Write(format!(
                "seq {seq} does not start a batch: records are deleted by whole batches"
            )));
        }
        let kept = s.batches.split_off(&seq);
        s.batches = kept;
        s.forgotten_before = seq;
        s.durable_seq = s.durable_seq.max(seq);
        Ok(seq - first)
    }

    fn next_seq(&self) -> u64 {
        self.lock().next_seq
    }

    fn flush_policy(&self) -> FlushPolicy {
        self.policy
    }
}
