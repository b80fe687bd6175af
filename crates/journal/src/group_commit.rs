//! [`GroupCommit`]: one writer that owns the journal's writes. Callers on any thread submit
//! batches; the writer drains everything queued, appends it as one batch (one store, one flush)
//! and then acknowledges each caller with its own seqs. Many small appends thus share a flush.
//!
//! The queue in front of the writer is bounded. Async callers wait for a place without blocking
//! their executor's thread ([`Submitter::submit`]); plain threads may block ([`GroupCommit::submit`]).
//!
//! The writer is one loop ([`commit_loop`]) run in one of two places. The app runs it on a thread
//! of its own ([`GroupCommit::start`]). The simulator runs the same loop as a task on its seeded
//! single-threaded runtime ([`GroupCommit::start_task`]): a [`Pace`] chosen by the seed says how
//! long the writer lets other callers queue before it drains, so which appends share a commit,
//! and when each acknowledgement arrives, are scheduling decisions the seed makes and replays.
use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use futures::channel::oneshot;
use futures::future::BoxFuture;
use tokio::sync::mpsc::{self, error::TrySendError, Receiver, Sender};

use crate::error::{Error, Result};
use crate::journal::{FlushPolicy, Journal};
use crate::record::NewRecord;

/// Most batches waiting for the commit thread; a submit blocks while the queue is full.
pub const QUEUE_BATCHES_MAX: usize = 1024;

/// Most records the thread commits with one flush; more stay queued for the next commit.
pub const COMMIT_RECORDS_MAX: usize = 16 * 1024;

struct Job {
    batch: Vec<NewRecord>,
    ack: oneshot::Sender<Result<Range<u64>>>,
}

/// Resolves to the seqs of a submitted batch once it is durable.
#[derive(Debug)]
#[must_use = "an Ack does nothing unless awaited"]
pub struct Ack(oneshot::Receiver<Result<Range<u64>>>);

impl Future for Ack {
    type Output = Result<Range<u64>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.unwrap_or(Err(Error::Closed)))
    }
}

/// How the writer paces itself, and what it tells about each commit. The app's thread uses
/// [`NoPace`]; the simulator gives a seeded one.
pub trait Pace: Send {
    /// Awaited after the writer took the first queued batch and before it drains the rest: the
    /// longer it takes (in scheduling turns of the writer's executor), the more batches can join
    /// this commit.
    fn before_drain(&mut self) -> BoxFuture<'static, ()>;
    /// Told after each commit: how many submitted batches it held and whether it was stored.
    fn committed(&mut self, batches: usize, stored: bool);
}

/// Drains at once and notes nothing: the app's writer thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPace;

impl Pace for NoPace {
    fn before_drain(&mut self) -> BoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }

    fn committed(&mut self, _batches: usize, _stored: bool) {}
}

impl<P: Pace + ?Sized> Pace for Box<P> {
    fn before_drain(&mut self) -> BoxFuture<'static, ()> {
        (**self).before_drain()
    }

    fn committed(&mut self, batches: usize, stored: bool) {
        (**self).committed(batches, stored);
    }
}

/// The writer's loop as a future, for the caller to run on its own executor
/// ([`GroupCommit::start_task`]). Resolves once every handle to the queue is gone and the journal
/// is flushed.
#[must_use = "the writer does nothing unless the future is run"]
pub struct CommitTask(BoxFuture<'static, Result<()>>);

impl Future for CommitTask {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl std::fmt::Debug for CommitTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CommitTask")
    }
}

/// The group-commit writer (a thread, or a task its caller runs) and the queue in front of it.
pub struct GroupCommit {
    queue: Option<Sender<Job>>,
    thread: Option<JoinHandle<Result<()>>>,
}

/// A cheap handle that submits batches to a [`GroupCommit`] from async code: it waits for a
/// place in the bounded queue without blocking the executor's thread.
#[derive(Clone, Debug)]
pub struct Submitter(Sender<Job>);

impl Submitter {
    /// Queues `batch`, waiting (asynchronously) while the queue is full; the returned [`Ack`]
    /// resolves to its seqs once they are durable, or to [`Error::Closed`] if the commit thread
    /// has stopped.
    pub async fn submit(&self, batch: Vec<NewRecord>) -> Ack {
        let (ack, done) = oneshot::channel();
        // A send fails only when the thread is gone; the dropped sender then resolves the Ack to
        // `Error::Closed`.
        let _ = self.0.send(Job { batch, ack }).await;
        Ack(done)
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("records", &self.batch.len())
            .finish()
    }
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("running", &self.thread.is_some())
            .finish()
    }
}

impl GroupCommit {
    /// Starts the commit thread for `journal`, which must flush per batch (so that one append
    /// is one flush).
    pub fn start(journal: Arc<dyn Journal>) -> Result<GroupCommit> {
        let (queue, jobs) = open_queue(&*journal)?;
        let thread = std::thread::Builder::new()
            .name("journal-commit".to_owned())
            .spawn(move || futures::executor::block_on(commit_loop(journal, jobs, NoPace)))
            .map_err(|e| Error::Write(format!("cannot start the commit thread: {e}")))?;
        Ok(GroupCommit {
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// The same writer, for the caller to run: the returned [`CommitTask`] is the writer's loop,
    /// paced by `pace`. Shutting the `GroupCommit` down closes the queue; the task then commits
    /// what is queued, flushes and resolves, so the caller awaits it after the shutdown. For a
    /// single-threaded executor whose scheduling is the thing under test (the simulator).
    pub fn start_task(
        journal: Arc<dyn Journal>,
        pace: impl Pace + 'static,
    ) -> Result<(GroupCommit, CommitTask)> {
        let (queue, jobs) = open_queue(&*journal)?;
        let task = CommitTask(Box::pin(commit_loop(journal, jobs, pace)));
        let commit = GroupCommit {
            queue: Some(queue),
            thread: None,
        };
        Ok((commit, task))
    }

    /// Queues `batch`; the returned [`Ack`] resolves to its seqs once they are durable. Blocks
    /// the calling thread only while [`QUEUE_BATCHES_MAX`] batches are already waiting, so it is
    /// for plain threads: async code uses [`GroupCommit::submitter`] (this panics inside an async
    /// runtime's thread, where blocking is not allowed).
    pub fn submit(&self, batch: Vec<NewRecord>) -> Ack {
        let (ack, done) = oneshot::channel();
        if let Some(queue) = &self.queue {
            // A send fails only when the thread is gone; the dropped sender then resolves the
            // Ack to `Error::Closed`.
            let _ = queue.blocking_send(Job { batch, ack });
        }
        Ack(done)
    }

    /// A handle for async callers, or `None` once shut down.
    pub fn submitter(&self) -> Option<Submitter> {
        self.queue.clone().map(Submitter)
    }

    /// Like [`GroupCommit::submit`], but fails with [`Error::Write`] at once instead of blocking
    /// when the queue is full.
    pub fn try_submit(&self, batch: Vec<NewRecord>) -> Result<Ack> {
        let (ack, done) = oneshot::channel();
        let queue = self.queue.as_ref().ok_or(Error::Closed)?;
        match queue.try_send(Job { batch, ack }) {
            Ok(()) => Ok(Ack(done)),
            Err(TrySendError::Full(_)) => Err(Error::Write("commit queue is full".to_owned())),
            Err(TrySendError::Closed(_)) => Err(Error::Closed),
        }
    }

    /// Submits `batch` and waits until it is durable.
    pub fn submit_blocking(&self, batch: Vec<NewRecord>) -> Result<Range<u64>> {
        futures::executor::block_on(self.submit(batch))
    }

    /// Commits everything queued, flushes, and stops the thread (for [`GroupCommit::start_task`]:
    /// closes the queue, after which the task does that and resolves).
    pub fn shutdown(mut self) -> Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> Result<()> {
        drop(self.queue.take());
        match self.thread.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Write("the commit thread panicked".to_owned())),
        }
    }
}

impl Drop for GroupCommit {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            tracing::error!(error = %e, "group commit shutdown failed");
        }
    }
}

/// The bounded queue in front of a writer for `journal`, which must flush per batch (so that one
/// append is one flush).
fn open_queue(journal: &dyn Journal) -> Result<(Sender<Job>, Receiver<Job>)> {
    let policy = journal.flush_policy();
    if policy != FlushPolicy::PerBatch {
        return Err(Error::FlushPolicy(policy));
    }
    Ok(mpsc::channel(QUEUE_BATCHES_MAX))
}

/// The writer: until every sender is gone, take one job, let `pace` decide how long others may
/// queue behind it, drain what is queued (bounded), commit. Then flush.
async fn commit_loop(
    journal: Arc<dyn Journal>,
    mut jobs: Receiver<Job>,
    mut pace: impl Pace,
) -> Result<()> {
    let mut carry: Option<Job> = None;
    loop {
        let first = match carry.take() {
            Some(job) => job,
            None => match jobs.recv().await {
                Some(job) => job,
                None => break,
            },
        };
        pace.before_drain().await;
        let mut group = vec![first];
        let mut records = group[0].batch.len();
        while records < COMMIT_RECORDS_MAX {
            let Ok(job) = jobs.try_recv() else { break };
            if records + job.batch.len() > COMMIT_RECORDS_MAX {
                carry = Some(job);
                break;
            }
            records += job.batch.len();
            group.push(job);
        }
        let batches = group.len();
        let stored = commit(&*journal, group);
        pace.committed(batches, stored);
    }
    journal.flush()
}

/// Appends the jobs' batches as one (one flush) and acknowledges each with its own seqs; false
/// when the append failed (every job is then told so).
fn commit(journal: &dyn Journal, mut group: Vec<Job>) -> bool {
    let lens: Vec<u64> = group.iter().map(|j| j.batch.len() as u64).collect();
    let records: u64 = lens.iter().sum();
    let batches: Vec<Vec<NewRecord>> = group
        .iter_mut()
        .map(|j| std::mem::take(&mut j.batch))
        .collect();
    match journal.append_groups(batches) {
        Ok(ranges) => {
            assert_eq!(ranges.len(), group.len());
            for ((job, range), len) in group.into_iter().zip(ranges).zip(lens) {
                assert_eq!(range.end - range.start, len);
                let _ = job.ack.send(Ok(range));
            }
            true
        }
        Err(e) => {
            let msg = e.to_string();
            tracing::error!(error = %msg, records, "group commit failed");
            for job in group {
                let _ = job.ack.send(Err(Error::Write(msg.clone())));
            }
            false
        }
    }
}
