//! The runtime's side of the journal: where records go (the group-commit writer: a thread for
//! sled, a task for a journal the caller shares; in line for the in-memory journal) and reading
//! an actor's history back.
use std::ops::Range;
use std::sync::{Arc, Mutex};

use switchboard_domain::{ActorName, Entry, Input, Machines};
use switchboard_journal::{Fold, GroupCommit, Journal, NewRecord, Replay};
use tokio::task::JoinHandle;

use crate::RuntimeError;

/// How records reach the journal.
#[derive(Clone)]
pub enum LogWriter {
    /// Appended in line, on the caller's thread (the in-memory journal of `JournalConfig::Memory`).
    Direct(Arc<dyn Journal>),
    /// Sent to the group-commit writer, which flushes once for everything queued.
    Group(Arc<dyn Journal>, Arc<Mutex<GroupWriter>>),
}

/// The group-commit writer, and the task it runs as when it is not a thread of its own.
pub struct GroupWriter {
    commit: Option<GroupCommit>,
    task: Option<JoinHandle<switchboard_journal::Result<()>>>,
}

impl LogWriter {
    /// A writer through `commit`, whose loop runs as `task` when it is not a thread.
    pub fn group(
        journal: Arc<dyn Journal>,
        commit: GroupCommit,
        task: Option<JoinHandle<switchboard_journal::Result<()>>>,
    ) -> LogWriter {
        let writer = GroupWriter {
            commit: Some(commit),
            task,
        };
        LogWriter::Group(journal, Arc::new(Mutex::new(writer)))
    }

    /// The journal behind the writer.
    pub fn journal(&self) -> &Arc<dyn Journal> {
        match self {
            LogWriter::Direct(j) | LogWriter::Group(j, _) => j,
        }
    }

    /// Appends a batch and returns once it is durable under the journal's flush policy.
    pub async fn append(&self, batch: Vec<NewRecord>) -> Result<Range<u64>, RuntimeError> {
        match self {
            LogWriter::Direct(j) => Ok(j.append(&batch)?),
            LogWriter::Group(_, g) => {
                // The lock is held only to clone the handle: never across an await.
                let submitter = lock(g).commit.as_ref().and_then(GroupCommit::submitter);
                let Some(submitter) = submitter else {
                    return Err(switchboard_journal::Error::Closed.into());
                };
                Ok(submitter.submit(batch).await.await?)
            }
        }
    }

    /// Commits what is queued, stops the writer (its thread, or its task, waited for), and
    /// closes the journal.
    pub async fn close(&self) -> Result<(), RuntimeError> {
        if let LogWriter::Group(_, g) = self {
            let (commit, task) = {
                let mut g = lock(g);
                (g.commit.take(), g.task.take())
            };
            if let Some(commit) = commit {
                commit.shutdown()?;
            }
            if let Some(task) = task {
                match task.await {
                    Ok(result) => result?,
                    Err(e) => {
                        let why = format!("the commit task failed: {e}");
                        return Err(switchboard_journal::Error::Write(why).into());
                    }
                }
            }
        }
        // close() releases sled's directory lock even while other handles to the journal live.
        self.journal().close()?;
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Folds every record of one actor through fresh machines: how a restarted actor gets its state.
/// A rejected input is skipped and logged, as in recovery.
pub fn rebuild(journal: &dyn Journal, actor: ActorName) -> Result<Machines, RuntimeError> {
    let mut replay = Replay::folding();
    for record in journal.scan(0) {
        let record = record?;
        if record.actor != actor {
            continue;
        }
        if let Fold::Rejected(why) = replay.feed(&record).fold {
            tracing::warn!(
                seq = record.seq,
                "rebuilding {actor} skipped a rejected input: {why}"
            );
        }
    }
    Ok(replay.into_machines())
}

/// The input record for an actor's input.
pub fn input_record(at_ms: u64, actor: ActorName, input: Input) -> NewRecord {
    NewRecord {
        at_ms,
        actor,
        body: Entry::Input(input),
    }
}
