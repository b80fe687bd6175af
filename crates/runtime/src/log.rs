//! The runtime's side of the journal: where records go (group commit on a writer thread for sled,
//! in line for the in-memory journal) and reading an actor's history back.
use std::ops::Range;
use std::sync::{Arc, Mutex};

use switchboard_domain::{ActorName, Entry, Input, Machines};
use switchboard_journal::{Fold, GroupCommit, Journal, NewRecord, Replay};

use crate::RuntimeError;

/// How records reach the journal.
#[derive(Clone)]
pub enum LogWriter {
    /// Appended in line, on the caller's thread (in-memory journals, the simulator).
    Direct(Arc<dyn Journal>),
    /// Sent to a group-commit thread that flushes once for everything queued.
    Group(Arc<dyn Journal>, Arc<Mutex<Option<GroupCommit>>>),
}

impl LogWriter {
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
                let submitter = g
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .as_ref()
                    .and_then(GroupCommit::submitter);
                let Some(submitter) = submitter else {
                    return Err(switchboard_journal::Error::Closed.into());
                };
                Ok(submitter.submit(batch).await.await?)
            }
        }
    }

    /// Flushes and stops the writer thread, if any.
    pub fn close(&self) -> Result<(), RuntimeError> {
        if let LogWriter::Group(_, g) = self {
            let commit = g.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(commit) = commit {
                commit.shutdown()?;
            }
        }
        // close() releases sled's directory lock even while other handles to the journal live.
        self.journal().close()?;
        Ok(())
    }
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
