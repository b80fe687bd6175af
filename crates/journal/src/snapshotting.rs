//! [`SnapshottingJournal`]: a journal that writes snapshot records and applies the retention
//! policy, and [`recover`]: the fold from the newest usable snapshot.
//!
//! **When a snapshot is written.** After the batch holding a launch (`Launch` or `Boot`), after
//! the batch holding a router's `AttemptEnded`, and after any batch that leaves
//! [`SNAPSHOT_EVERY_RECORDS`] records since the last one. Each snapshot is a batch of its own,
//! appended right after the batch that called for it: every input's commands are in the input's
//! batch, so a snapshot never splits an input from its commands. It holds the fold of every
//! record before it (the wrapper folds each batch it writes, after the write succeeded), so it is
//! what a replay would compute, by construction. Losing one (a failed write, a crash in between)
//! loses nothing: readers fold from further back.
//!
//! **Retention** ([`Retention`]) deletes whole calls from the oldest end: it cuts only at a
//! snapshot taken while no call was live and every session had ended (a quiet snapshot), and
//! deletes every record before it. The live call and the snapshot it needs are never before a
//! quiet snapshot.
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use switchboard_domain::{ActorName, Entry, Input, Machines, RouterInput};

use crate::error::Result;
use crate::journal::{FlushPolicy, Journal};
use crate::record::{NewRecord, Record};
use crate::replay::{Fold, Replay, SnapshotUse};
use crate::snapshot::State;

/// Most records between two snapshots: bounds what a start-up folds.
pub const SNAPSHOT_EVERY_RECORDS: u64 = 4096;

/// Bytes a record takes on disk in sled, measured (`switchboard bench`: 74 to 89 on this
/// machine): what turns [`Retention::bytes_kept`] into a number of records.
pub const DISK_BYTES_PER_RECORD: u64 = 100;

/// How much history the journal keeps. Whichever limit is reached first applies; retention
/// deletes whole calls, so the log can briefly hold one call more than a limit says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Calls (attempts) kept. Default 200: months of use at a few calls a day, and every call a
    /// support engineer is likely to be asked about.
    pub calls_kept: u64,
    /// Days kept, counted back from the newest record. Default 30.
    pub days_kept: u64,
    /// Bytes on disk the journal aims to stay under. Default 8 MiB: small beside a phone's
    /// storage and its backups. sled keeps its files at their largest size and reuses freed
    /// space, so this bounds the files' high-water mark. Enforced as a count of records
    /// ([`DISK_BYTES_PER_RECORD`] each).
    pub bytes_kept: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            calls_kept: 200,
            days_kept: 30,
            bytes_kept: 8 << 20,
        }
    }
}

impl Retention {
    /// Keeps everything (for tools that read and must not delete).
    pub const KEEP_ALL: Retention = Retention {
        calls_kept: u64::MAX,
        days_kept: u64::MAX,
        bytes_kept: u64::MAX,
    };

    fn records_kept(&self) -> u64 {
        self.bytes_kept / DISK_BYTES_PER_RECORD
    }
}

/// What [`recover`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// The seq the fold started at (a snapshot, or the first record kept).
    pub start_seq: u64,
    /// Whether it started at a snapshot.
    pub from_snapshot: bool,
    /// Records read.
    pub records: u64,
    /// Snapshots passed over, and why (newest first).
    pub passed_over: Vec<String>,
    /// Inputs the machines rejected (a damaged or foreign log), skipped.
    pub rejected: Vec<String>,
}

/// Folds the journal from its newest usable snapshot: a snapshot that does not read (damaged,
/// another build's layout) is passed over for the one before it, and at last for the whole log.
/// The replay returned is the log's state.
pub fn recover(journal: &dyn Journal) -> Result<(Replay, Recovery)> {
    let mut report = Recovery::default();
    let first = journal.first_seq();
    let candidates = journal.snapshot_seqs()?;
    let mut start = None;
    for seq in candidates.into_iter().rev().filter(|&s| s >= first) {
        match journal.scan(seq).next() {
            Some(Ok(r)) if r.seq == seq => match &r.body {
                Entry::Snapshot(s) => match State::from_snapshot(s) {
                    Ok(_) => {
                        start = Some(seq);
                        break;
                    }
                    Err(why) => report.passed_over.push(format!("seq {seq}: {why}")),
                },
                _ => report
                    .passed_over
                    .push(format!("seq {seq}: not a snapshot record")),
            },
            Some(Err(e)) => report.passed_over.push(format!("seq {seq}: {e}")),
            _ => report
                .passed_over
                .push(format!("seq {seq}: no such record")),
        }
    }
    report.from_snapshot = start.is_some();
    report.start_seq = start.unwrap_or(first);
    for why in &report.passed_over {
        tracing::warn!("recovery passed over a snapshot: {why}");
    }
    let mut replay = Replay::folding();
    for record in journal.scan(report.start_seq) {
        let record = record?;
        report.records += 1;
        match replay.feed(&record).fold {
            Fold::Rejected(why) => {
                tracing::warn!(seq = record.seq, "recovery skipped a rejected input: {why}");
                report.rejected.push(format!("seq {}: {why}", record.seq));
            }
            Fold::Snapshot(SnapshotUse::Unusable(why)) => {
                tracing::warn!(
                    seq = record.seq,
                    "the log starts at an unusable snapshot: {why}"
                );
                report
                    .passed_over
                    .push(format!("seq {}: {why}", record.seq));
            }
            _ => {}
        }
    }
    Ok((replay, report))
}

/// A quiet snapshot: where retention may cut.
#[derive(Clone, Copy, Debug)]
struct Mark {
    seq: u64,
    at_ms: u64,
    /// The newest attempt when it was taken.
    attempt: u64,
}

struct Folder {
    replay: Replay,
    last_snapshot: u64,
    /// Quiet snapshots, oldest first; `None` until first needed (read back from the journal).
    marks: Option<VecDeque<Mark>>,
}

/// A journal that writes snapshots and applies a retention policy; every other call goes to the
/// journal inside. See the module's documentation.
pub struct SnapshottingJournal {
    inner: Arc<dyn Journal>,
    retention: Retention,
    folder: Mutex<Folder>,
}

impl std::fmt::Debug for SnapshottingJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshottingJournal")
            .field("retention", &self.retention)
            .field("next_seq", &self.inner.next_seq())
            .finish()
    }
}

fn newest_attempt(m: &Machines) -> u64 {
    m.router.current().map_or(0, |c| c.attempt)
}

fn quiet(m: &Machines) -> bool {
    m.router.live_attempt().is_none() && m.sessions.values().all(|s| s.is_ended())
}

impl SnapshottingJournal {
    /// Recovers `inner` ([`recover`]) and wraps it. Returns the wrapper and what recovery did;
    /// the machines are in [`SnapshottingJournal::machines`].
    pub fn open(
        inner: Arc<dyn Journal>,
        retention: Retention,
    ) -> Result<(SnapshottingJournal, Recovery)> {
        let (replay, report) = recover(inner.as_ref())?;
        let last_snapshot = report.start_seq;
        let journal = SnapshottingJournal {
            inner,
            retention,
            folder: Mutex::new(Folder {
                replay,
                last_snapshot,
                marks: None,
            }),
        };
        Ok((journal, report))
    }

    /// The machines as the log leaves them.
    pub fn machines(&self) -> Machines {
        self.lock().replay.machines().clone()
    }

    /// The journal inside.
    pub fn inner(&self) -> &Arc<dyn Journal> {
        &self.inner
    }

    fn lock(&self) -> MutexGuard<'_, Folder> {
        self.folder.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The quiet snapshots of the log, read back once per process.
    fn marks<'a>(&self, folder: &'a mut Folder) -> Result<&'a mut VecDeque<Mark>> {
        if folder.marks.is_none() {
            let mut marks = VecDeque::new();
            for seq in self.inner.snapshot_seqs()? {
                let Some(Ok(r)) = self.inner.scan(seq).next() else {
                    continue;
                };
                let Entry::Snapshot(s) = &r.body else {
                    continue;
                };
                if let Ok(state) = State::from_snapshot(s) {
                    if r.seq == seq && quiet(&state.machines) {
                        let attempt = newest_attempt(&state.machines);
                        marks.push_back(Mark {
                            seq,
                            at_ms: r.at_ms,
                            attempt,
                        });
                    }
                }
            }
            folder.marks = Some(marks);
        }
        Ok(folder.marks.as_mut().expect("just filled"))
    }

    /// Deletes the oldest calls the policy no longer keeps. Returns the records deleted.
    fn apply_retention(&self, folder: &mut Folder, now_ms: u64) -> Result<u64> {
        let newest = newest_attempt(folder.replay.machines());
        let next_seq = self.inner.next_seq();
        let policy = self.retention;
        let first = self.inner.first_seq();
        let marks = self.marks(folder)?;
        marks.retain(|m| m.seq >= first);
        let day_ms = 24 * 60 * 60 * 1000;
        let too_old = now_ms.saturating_sub(policy.days_kept.saturating_mul(day_ms));
        // Keeping from seq `from` holds too much when it holds more calls or records than
        // the policy keeps. The count cut is the oldest mark that holds little enough; the age
        // cut, the newest mark with nothing newer than the limit before it. The cut is the
        // later of the two.
        let calls_from = |attempt: u64| newest.saturating_sub(attempt);
        let first_attempt = marks
            .front()
            .filter(|m| m.seq == first)
            .map_or(0, |m| m.attempt);
        let too_much = |seq: u64, attempt: u64| {
            calls_from(attempt) > policy.calls_kept || next_seq - seq > policy.records_kept()
        };
        let by_count = if too_much(first, first_attempt) {
            marks
                .iter()
                .find(|m| !too_much(m.seq, m.attempt))
                .or(marks.back())
                .map(|m| m.seq)
        } else {
            None
        };
        let by_age = marks
            .iter()
            .rev()
            .find(|m| m.at_ms <= too_old)
            .map(|m| m.seq);
        let Some(cut) = by_count.max(by_age).filter(|&c| c > first) else {
            return Ok(0);
        };
        let gone = self.inner.forget_before(cut)?;
        marks.retain(|m| m.seq >= cut);
        if gone > 0 {
            tracing::info!(
                before_seq = cut,
                records = gone,
                "retention deleted old calls"
            );
        }
        Ok(gone)
    }

    /// Folds whatever the journal holds from `from_seq` on (after a failed write, which may have
    /// stored part of what it was given).
    fn catch_up(&self, folder: &mut Folder, from_seq: u64) {
        if self.inner.next_seq() <= from_seq {
            return;
        }
        for r in self.inner.scan(from_seq).map_while(|r| r.ok()) {
            folder.replay.feed(&r);
        }
    }

    /// Stores the batches in one append, with a snapshot after each batch that calls for one,
    /// and returns each batch's seqs. The fold moves on only once the append succeeded.
    fn store(&self, groups: Vec<Vec<NewRecord>>) -> Result<Vec<Range<u64>>> {
        let mut folder = self.lock();
        let before = self.inner.next_seq();
        let total: u64 = groups.iter().map(|g| g.len() as u64).sum();
        let mut calls: Vec<bool> = groups.iter().map(|g| calls_for_snapshot(g)).collect();
        if before + total - folder.last_snapshot >= SNAPSHOT_EVERY_RECORDS {
            if let Some(last) = calls.last_mut() {
                *last = true;
            }
        }
        if !calls.contains(&true) {
            // No snapshot: one append of the batches as they are, folded once it is stored.
            let mut ranges = Vec::with_capacity(groups.len());
            let mut start = before;
            for g in &groups {
                ranges.push(start..start + g.len() as u64);
                start += g.len() as u64;
            }
            let all: Vec<NewRecord> = groups.into_iter().flatten().collect();
            if let Err(e) = self.inner.append(&all) {
                self.catch_up(&mut folder, before);
                return Err(e);
            }
            for (seq, r) in (before..).zip(&all) {
                folder.replay.feed(&r.at_seq(seq));
            }
            return Ok(ranges);
        }
        // Fold a copy, write it all, and keep the copy once stored.
        let mut next = folder.replay.clone();
        let mut all = Vec::with_capacity(total as usize + groups.len());
        let mut ranges = Vec::with_capacity(groups.len());
        let mut marks = Vec::new();
        let mut last_snapshot = None;
        let mut seq = before;
        for (g, call) in groups.into_iter().zip(calls) {
            let start = seq;
            for r in &g {
                next.feed(&r.at_seq(seq));
                seq += 1;
            }
            ranges.push(start..seq);
            let at_ms = g.last().map_or(0, |r| r.at_ms);
            all.extend(g);
            if !call {
                continue;
            }
            match next.state().to_snapshot() {
                Ok(snapshot) => {
                    let record = NewRecord {
                        at_ms,
                        actor: ActorName::Router,
                        body: Entry::Snapshot(snapshot),
                    };
                    next.feed(&record.at_seq(seq));
                    all.push(record);
                    if quiet(next.machines()) {
                        let attempt = newest_attempt(next.machines());
                        marks.push(Mark {
                            seq,
                            at_ms,
                            attempt,
                        });
                    }
                    last_snapshot = Some(seq);
                    seq += 1;
                }
                Err(e) => tracing::warn!(error = %e, "a snapshot could not be encoded"),
            }
        }
        match self.inner.append(&all) {
            Ok(stored) => assert_eq!(stored, before..seq, "the journal stored what it was given"),
            Err(e) => {
                self.catch_up(&mut folder, before);
                return Err(e);
            }
        }
        folder.replay = next;
        if let Some(seq) = last_snapshot {
            folder.last_snapshot = seq;
        }
        let now_ms = marks.last().map(|m| m.at_ms);
        if let Some(known) = folder.marks.as_mut() {
            known.extend(marks);
        }
        if let (Some(now_ms), false) = (now_ms, self.retention == Retention::KEEP_ALL) {
            if let Err(e) = self.apply_retention(&mut folder, now_ms) {
                tracing::warn!(error = %e, "retention could not delete old calls");
            }
        }
        Ok(ranges)
    }
}

/// Whether a batch calls for a snapshot after it: a launch, or the end of a call.
fn calls_for_snapshot(batch: &[NewRecord]) -> bool {
    batch.iter().any(|r| {
        matches!(
            &r.body,
            Entry::Input(Input::Router(
                RouterInput::Launch(_) | RouterInput::Boot(_) | RouterInput::AttemptEnded { .. }
            ))
        )
    })
}

impl Journal for SnapshottingJournal {
    fn append(&self, batch: &[NewRecord]) -> Result<Range<u64>> {
        let mut ranges = self.store(vec![batch.to_vec()])?;
        Ok(ranges.pop().expect("one batch, one range"))
    }

    fn append_groups(&self, groups: Vec<Vec<NewRecord>>) -> Result<Vec<Range<u64>>> {
        self.store(groups)
    }

    fn flush(&self) -> Result<()> {
        self.inner.flush()
    }

    fn scan(&self, from_seq: u64) -> Box<dyn Iterator<Item = Result<Record>> + '_> {
        self.inner.scan(from_seq)
    }

    fn next_seq(&self) -> u64 {
        self.inner.next_seq()
    }

    fn flush_policy(&self) -> FlushPolicy {
        self.inner.flush_policy()
    }

    fn close(&self) -> Result<()> {
        self.inner.close()
    }

    fn first_seq(&self) -> u64 {
        self.inner.first_seq()
    }

    fn snapshot_seqs(&self) -> Result<Vec<u64>> {
        self.inner.snapshot_seqs()
    }

    fn forget_before(&self, seq: u64) -> Result<u64> {
        self.inner.forget_before(seq)
    }

    fn size_on_disk(&self) -> Option<u64> {
        self.inner.size_on_disk()
    }
}
