//! The simulator's journal: the real backend (a [`MemoryJournal`], or a [`SledJournal`] under
//! `--journal-dir`) behind a thin wrapper that keeps a copy of every acknowledged record, so the
//! invariants can be checked as records are written without decoding them again, and so "nothing
//! acknowledged is lost" can be checked after a crash against what the backend really holds.
//!
//! The runtime writes it through the group-commit writer the app ships (the runtime's
//! `JournalConfig::Shared`), run as a task on the simulation's one thread rather than a thread of
//! its own, so nothing waits on another thread while virtual time is paused. Its [`SeededPace`]
//! lets a seeded number of scheduling turns pass before each commit drains the queue: which
//! appends share a commit, and when each caller's acknowledgement arrives, vary with the seed as
//! they vary with the phone's scheduler, and replay with it.
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures::future::BoxFuture;
use switchboard_domain::Entry;
use switchboard_journal::{
    Error, FlushPolicy, Journal, MemoryJournal, NewRecord, Pace, Record, Result, SledJournal,
};
use switchboard_runtime::PaceMaker;

use crate::rng::SimRng;

use crate::check::LedgerKey;

/// Port effects journaled so far, by [`LedgerKey`]: written by the journal as commands are
/// appended, read by the fakes at the moment an effect happens (persist before effect). Shared
/// across restarts.
#[derive(Debug, Default)]
pub struct EffectLedger(Mutex<std::collections::BTreeMap<LedgerKey, u64>>);

impl EffectLedger {
    /// How many times an effect with this key was journaled.
    pub fn journaled(&self, key: LedgerKey) -> u64 {
        lock(&self.0).get(&key).copied().unwrap_or(0)
    }

    fn note(&self, batch: &[NewRecord]) {
        let mut ledger = lock(&self.0);
        for r in batch {
            let command = match &r.body {
                Entry::Command(c) => c,
                Entry::Input(_) | Entry::Snapshot(_) => continue,
            };
            if let Some(key) = LedgerKey::of_command(command) {
                *ledger.entry(key).or_default() += 1;
            }
        }
    }
}

/// Where a run keeps its journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalMode {
    /// In memory (the default; fastest).
    Memory,
    /// A sled journal in this directory (created; it must not hold a journal already).
    Sled(PathBuf),
}

/// The backend of a run.
#[derive(Clone)]
enum Backend {
    Memory(Arc<MemoryJournal>),
    Sled(Arc<SledJournal>, PathBuf),
}

impl Backend {
    fn journal(&self) -> Arc<dyn Journal> {
        match self {
            Backend::Memory(m) => m.clone(),
            Backend::Sled(s, _) => s.clone(),
        }
    }
}

/// The journal a simulated runtime writes; see the module documentation.
pub struct SimJournal {
    backend: Backend,
    inner: Arc<dyn Journal>,
    /// Every acknowledged record, in seq order.
    acknowledged: Mutex<Vec<Record>>,
    /// What the runtime's commit writer did (counted by its pace), across restarts.
    commits: Arc<CommitCounts>,
    /// Injected failures still to come.
    fail_next: AtomicU64,
    /// Effects journaled, for the fakes.
    ledger: Arc<EffectLedger>,
    /// A crash is armed: appends still allowed before the process "dies" (every later append
    /// fails, as nothing after a crash reaches the disk). `u64::MAX` when none is armed.
    appends_before_crash: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimJournal {
    /// Opens a fresh journal that counts the effects it journals in `ledger`.
    pub fn open(mode: &JournalMode, ledger: Arc<EffectLedger>) -> Result<SimJournal> {
        let backend = match mode {
            JournalMode::Memory => Backend::Memory(Arc::new(MemoryJournal::new())),
            JournalMode::Sled(dir) => {
                let (journal, _) = SledJournal::open(dir, FlushPolicy::PerBatch)?;
                if journal.next_seq() != 0 {
                    return Err(Error::NotEmpty {
                        next_seq: journal.next_seq(),
                    });
                }
                Backend::Sled(Arc::new(journal), dir.clone())
            }
        };
        Ok(SimJournal::with_backend(
            backend,
            Vec::new(),
            Arc::default(),
            ledger,
        ))
    }

    fn with_backend(
        backend: Backend,
        acknowledged: Vec<Record>,
        commits: Arc<CommitCounts>,
        ledger: Arc<EffectLedger>,
    ) -> SimJournal {
        SimJournal {
            ledger,
            inner: backend.journal(),
            backend,
            acknowledged: Mutex::new(acknowledged),
            commits,
            fail_next: AtomicU64::new(0),
            appends_before_crash: AtomicU64::new(u64::MAX),
        }
    }

    /// After a crash: the same storage opened again (sled is reopened from its directory; the
    /// memory journal loses what was not flushed). Carries the acknowledged copy over, and
    /// returns how many records the crash lost.
    pub fn reopen(&self) -> Result<(SimJournal, u64)> {
        let (backend, lost) = match &self.backend {
            Backend::Memory(m) => (Backend::Memory(m.clone()), m.lose_unflushed()),
            Backend::Sled(_, dir) => {
                let (journal, _) = SledJournal::open(dir, FlushPolicy::PerBatch)?;
                (Backend::Sled(Arc::new(journal), dir.clone()), 0)
            }
        };
        let acknowledged = lock(&self.acknowledged).clone();
        let commits = Arc::clone(&self.commits);
        let journal = SimJournal::with_backend(backend, acknowledged, commits, self.ledger.clone());
        Ok((journal, lost))
    }

    /// Makes the next `n` appends fail, appending nothing (as a storage error would).
    pub fn fail_next_appends(&self, n: u64) {
        self.fail_next.store(n, Ordering::SeqCst);
    }

    /// The pace of the runtime's group-commit writer for a start: seeded by `seed`, counting
    /// its commits here.
    pub fn pace(&self, seed: u64) -> PaceMaker {
        let counts = Arc::clone(&self.commits);
        Arc::new(move || {
            Box::new(SeededPace {
                rng: SimRng::new(seed),
                counts: Arc::clone(&counts),
            })
        })
    }

    /// Arms a crash: after `appends` more appends, the process is dead and nothing more is
    /// written (every append fails) until the journal is reopened. `u64::MAX` disarms it.
    pub fn crash_after_appends(&self, appends: u64) {
        self.appends_before_crash.store(appends, Ordering::SeqCst);
    }

    /// Whether an armed crash has struck.
    pub fn crashed(&self) -> bool {
        self.appends_before_crash.load(Ordering::SeqCst) == 0
    }

    /// Counts an append against an armed crash; true when the process is already dead.
    fn dead(&self) -> bool {
        let left = self.appends_before_crash.load(Ordering::SeqCst);
        if left == 0 {
            return true;
        }
        if left != u64::MAX {
            self.appends_before_crash.store(left - 1, Ordering::SeqCst);
        }
        false
    }

    /// Submitted batches whose commit failed so far: each is a failure the runtime must report.
    pub fn failed_batches(&self) -> u64 {
        self.commits.failed_batches.load(Ordering::SeqCst)
    }

    /// Commits the writer made so far, and how many of them held more than one batch.
    pub fn commits(&self) -> (u64, u64) {
        let c = &self.commits;
        (
            c.commits.load(Ordering::SeqCst),
            c.shared.load(Ordering::SeqCst),
        )
    }

    /// How many records were acknowledged.
    pub fn acknowledged_len(&self) -> u64 {
        lock(&self.acknowledged).len() as u64
    }

    /// Runs `f` over the acknowledged records from `from` on.
    pub fn with_acknowledged<R>(&self, from: u64, f: impl FnOnce(&[Record]) -> R) -> R {
        let records = lock(&self.acknowledged);
        let from = usize::try_from(from)
            .unwrap_or(usize::MAX)
            .min(records.len());
        f(&records[from..])
    }

    /// Every record the backend holds, read back and decoded. A sled journal closed by the
    /// runtime's shutdown is opened again (read only) to read it.
    pub fn read_back(&self) -> Result<Vec<Record>> {
        match &self.backend {
            Backend::Sled(journal, dir) => match journal.scan(0).collect() {
                Err(Error::Closed) => SledJournal::open_existing(dir)?.scan(0).collect(),
                read => read,
            },
            Backend::Memory(m) => m.scan(0).collect(),
        }
    }

    /// The sled directory, when the journal is on disk.
    pub fn dir(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sled(_, dir) => Some(dir),
            Backend::Memory(_) => None,
        }
    }

    fn injected_failure(&self) -> bool {
        self.fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// Most scheduling turns the writer lets pass before it drains the queue.
pub const COMMIT_TURNS_MAX: u64 = 3;

/// The simulator's pace for the group-commit writer: before each commit drains the queue, a
/// seeded number of scheduling turns (0 to [`COMMIT_TURNS_MAX`]) in which other actors may
/// submit; and the run's commit counts.
struct SeededPace {
    rng: SimRng,
    counts: Arc<CommitCounts>,
}

/// What a run's commit writers did.
#[derive(Debug, Default)]
struct CommitCounts {
    commits: AtomicU64,
    shared: AtomicU64,
    failed_batches: AtomicU64,
}

impl Pace for SeededPace {
    fn before_drain(&mut self) -> BoxFuture<'static, ()> {
        let turns = self.rng.below(COMMIT_TURNS_MAX + 1);
        Box::pin(async move {
            for _ in 0..turns {
                tokio::task::yield_now().await;
            }
        })
    }

    fn committed(&mut self, batches: usize, stored: bool) {
        let c = &self.counts;
        c.commits.fetch_add(1, Ordering::SeqCst);
        if batches > 1 {
            c.shared.fetch_add(1, Ordering::SeqCst);
        }
        if !stored {
            c.failed_batches.fetch_add(batches as u64, Ordering::SeqCst);
        }
    }
}

impl Journal for SimJournal {
    fn append(&self, batch: &[NewRecord]) -> Result<Range<u64>> {
        if self.dead() {
            return Err(Error::Write("the process crashed".to_owned()));
        }
        if self.injected_failure() {
            return Err(Error::Write("injected write failure".to_owned()));
        }
        let seqs = self.inner.append(batch)?;
        let mut acknowledged = lock(&self.acknowledged);
        assert_eq!(
            acknowledged.len() as u64,
            seqs.start,
            "the backend's seqs follow the acknowledged records"
        );
        acknowledged.extend(batch.iter().zip(seqs.clone()).map(|(r, s)| r.at_seq(s)));
        self.ledger.note(batch);
        Ok(seqs)
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
}
