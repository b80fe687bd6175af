//! Group commit across threads: gap-free seqs, one flush for many callers, errors to everyone.
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::*;
use switchboard_journal::testing::FailingJournal;
use switchboard_journal::{Error, FlushPolicy, GroupCommit, Journal, MemoryJournal, SledJournal};

const THREADS: u64 = 4;
const BATCHES_PER_THREAD: u64 = 40;

#[test]
fn threads_get_gap_free_seqs_and_their_records_are_where_acknowledged() {
    let tmp = tempfile::tempdir().unwrap();
    let journal: Arc<dyn Journal> = Arc::new(open(tmp.path()));
    let commit = GroupCommit::start(Arc::clone(&journal)).unwrap();
    let template = records(10);
    // Every record carries its thread and number in at_ms, so each can be found again.
    let acks: Vec<(u64, std::ops::Range<u64>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (commit, template) = (&commit, &template);
                s.spawn(move || {
                    (0..BATCHES_PER_THREAD)
                        .map(|i| {
                            let size = 1 + ((t + i) % 10) as usize;
                            let batch = template[..size]
                                .iter()
                                .cloned()
                                .map(|mut r| {
                                    r.at_ms = t * 1_000_000 + i;
                                    r
                                })
                                .collect();
                            (t * 1_000_000 + i, commit.submit_blocking(batch).unwrap())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    commit.shutdown().unwrap();

    let by_start: BTreeMap<u64, (u64, std::ops::Range<u64>)> = acks
        .into_iter()
        .map(|(tag, r)| (r.start, (tag, r)))
        .collect();
    let mut next = 0;
    for (tag, range) in by_start.values() {
        assert_eq!(
            range.start, next,
            "acknowledged ranges are gap-free and disjoint"
        );
        next = range.end;
        for r in read_ok(&*journal, range.start)
            .iter()
            .take((range.end - range.start) as usize)
        {
            assert_eq!(r.at_ms, *tag);
        }
    }
    assert_eq!(journal.next_seq(), next);
    assert_eq!(read_ok(&*journal, 0).len() as u64, next);
}

#[test]
fn submit_returns_a_future_that_resolves_once_durable() {
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let commit = GroupCommit::start(Arc::clone(&journal)).unwrap();
    let new = records(30);
    let acks: Vec<_> = new.chunks(10).map(|c| commit.submit(c.to_vec())).collect();
    let ranges = futures::executor::block_on(futures::future::join_all(acks));
    let ranges: Vec<_> = ranges.into_iter().map(Result::unwrap).collect();
    assert_eq!(ranges, vec![0..10, 10..20, 20..30]);
    assert_eq!(read_ok(&*journal, 0), expected(&new));
}

#[test]
fn a_failed_commit_fails_every_caller_in_it() {
    let memory = Arc::new(FailingJournal::new(MemoryJournal::new()));
    let commit = GroupCommit::start(memory.clone()).unwrap();
    memory.set_failing(true);
    let err = commit.submit_blocking(records(3)).unwrap_err();
    assert!(matches!(err, Error::Write(_)), "{err:?}");
    memory.set_failing(false);
    assert_eq!(commit.submit_blocking(records(3)).unwrap(), 0..3);
}

#[test]
fn it_needs_a_per_batch_journal_and_stops_cleanly() {
    let every = Arc::new(MemoryJournal::with_policy(FlushPolicy::EveryRecord));
    assert!(matches!(
        GroupCommit::start(every),
        Err(Error::FlushPolicy(_))
    ));

    let tmp = tempfile::tempdir().unwrap();
    let (journal, _) = SledJournal::open(tmp.path(), FlushPolicy::PerBatch).unwrap();
    let journal = Arc::new(journal);
    let commit = GroupCommit::start(journal.clone()).unwrap();
    let pending = commit.submit(records(5));
    commit.shutdown().unwrap();
    assert_eq!(futures::executor::block_on(pending).unwrap(), 0..5);
    assert_eq!(journal.next_seq(), 5);
}

/// A pace that lets `turns` scheduling turns pass before each drain and notes every commit.
struct Turns {
    turns: usize,
    commits: Arc<std::sync::Mutex<Vec<(usize, bool)>>>,
}

impl switchboard_journal::Pace for Turns {
    fn before_drain(&mut self) -> futures::future::BoxFuture<'static, ()> {
        let turns = self.turns;
        Box::pin(async move {
            for _ in 0..turns {
                tokio::task::yield_now().await;
            }
        })
    }

    fn committed(&mut self, batches: usize, stored: bool) {
        self.commits.lock().unwrap().push((batches, stored));
    }
}

/// What each commit held and whether it was stored, and each caller's acknowledgement.
type Paced = (
    Vec<(usize, bool)>,
    Vec<switchboard_journal::Result<std::ops::Range<u64>>>,
);

/// Runs the task writer on a single-threaded runtime under a pace of `turns`: one caller submits
/// three batches, yielding between them, then waits for all three. Returns the commits the pace
/// saw and the acknowledged ranges.
fn paced_commits(journal: Arc<dyn Journal>, turns: usize) -> Paced {
    let commits = Arc::new(std::sync::Mutex::new(Vec::new()));
    let pace = Turns {
        turns,
        commits: Arc::clone(&commits),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let acks = rt.block_on(async {
        let (commit, task) = GroupCommit::start_task(journal, pace).unwrap();
        let writer = tokio::spawn(task);
        let submitter = commit.submitter().unwrap();
        let mut acks = Vec::new();
        for batch in records(3).chunks(1) {
            acks.push(submitter.submit(batch.to_vec()).await);
            tokio::task::yield_now().await;
        }
        let acks = futures::future::join_all(acks).await;
        drop(submitter);
        commit.shutdown().unwrap();
        writer.await.unwrap().unwrap();
        acks
    });
    let commits = commits.lock().unwrap().clone();
    (commits, acks)
}

#[test]
fn the_task_writer_commits_what_its_pace_lets_queue_together() {
    // Draining at once, each batch is committed alone, as soon as the caller yields.
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (commits, acks) = paced_commits(Arc::clone(&journal), 0);
    assert_eq!(commits, vec![(1, true); 3]);
    let acks: Vec<_> = acks.into_iter().map(Result::unwrap).collect();
    assert_eq!(acks, vec![0..1, 1..2, 2..3]);

    // Letting turns pass, the later batches queue behind the first and share its commit; the
    // seqs stay in submission order either way.
    let journal: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (commits, acks) = paced_commits(Arc::clone(&journal), 8);
    assert!(
        commits.len() < 3,
        "some batches shared a commit: {commits:?}"
    );
    assert_eq!(commits.iter().map(|c| c.0).sum::<usize>(), 3);
    let acks: Vec<_> = acks.into_iter().map(Result::unwrap).collect();
    assert_eq!(acks, vec![0..1, 1..2, 2..3]);
    assert_eq!(read_ok(&*journal, 0).len(), 3);
}

#[test]
fn the_task_writer_tells_its_pace_and_every_caller_of_a_failed_commit() {
    let memory = Arc::new(FailingJournal::new(MemoryJournal::new()));
    memory.set_failing(true);
    let (commits, acks) = paced_commits(memory.clone(), 8);
    assert!(commits.iter().all(|&(_, stored)| !stored), "{commits:?}");
    assert_eq!(commits.iter().map(|c| c.0).sum::<usize>(), 3);
    assert!(
        acks.iter().all(|a| matches!(a, Err(Error::Write(_)))),
        "{acks:?}"
    );
    assert_eq!(memory.next_seq(), 0);
}
