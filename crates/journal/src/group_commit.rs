//! [`GroupCommit`]: one thread that owns the journal's writes. Callers on any thread submit
//! batches; the thread drains everything queued, appends it as one batch (one store, one flush)
//! and then acknowledges each caller with its own seqs. Many small appends thus share a flush.
//!
//! The queue in front of the thread is bounded. Async callers wait for a place without blocking
//! their executor's thread ([`Submitter::submit`]); plain threads may block ([`GroupCommit::submit`]).
use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use futures::channel::oneshot;
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

/// The group-commit thread and the queue in front of it.
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
        let policy = journal.flush_policy();
        if policy != FlushPolicy::PerBatch {
            return Err(Error::FlushPolicy(policy));
        }
        let (queue, mut jobs) = mpsc::channel(QUEUE_BATCHES_MAX);
        let thread = std::thread::Builder::new()
            .name("journal-commit".to_owned())
            .spawn(move || commit_loop(&*journal, &mut jobs))
            .map_err(|e| Error::Write(format!("cannot start the commit thread: {e}")))?;
        Ok(GroupCommit {
            queue: Some(queue),
            thread: Some(thread),
        })
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

    /// Commits everything queued, flushes, and stops the thread.
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

/// Runs until every sender is gone: take one job, drain what else is queued (bounded), commit.
fn commit_loop(journal: &dyn Journal, jobs: &mut Receiver<Job>) -> Result<()> {
    let mut carry: Option<Job> = None;
    loop {
        let first = match carry.take() {
            Some(job) => job,
            None => match jobs.blocking_recv() {
                Some(job) => job,
                None => break,
            },
        };
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
        commit(journal, group);
    }
    journal.flush()
}

/// Appends the jobs' batches as one (one flush) and acknowledges each with its own seqs.
fn commit(journal: &dyn Journal, mut group: Vec<Job>) {
    let lens: Vec<usize> = group.iter().map(|j| j.batch.len()).collect();
    let all: Vec<NewRecord> = group.iter_mut().flat_map(|j| j.batch.drain(..)).collect();
    match journal.append(&all) {
        Ok(range) => {
            assert_eq!(range.end - range.start, all.len() as u64);
            let mut start = range.start;
            for (job, len) in group.into_iter().zip(lens) {
                let end = start + len as u64;
                let _ = job.ack.send(Ok(start..end));
                start = end;
            }
        }
        Err(e) => {
            let msg = e.to_string();
            tracing::error!(error = %msg, records = all.len(), "group commit failed");
            for job in group {
                let _ = job.ack.send(Err(Error::Write(msg.clone())));
            }
        }
    }
}
