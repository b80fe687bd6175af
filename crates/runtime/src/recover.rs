//! Recovery: rebuild every machine from the journal before accepting input.
//!
//! The old process's timers are not recovered: every core timer belongs to the attempt that was
//! live, and a new process ends that attempt (DESIGN rule 10), so nothing would re-arm them.
use switchboard_domain::Machines;
use switchboard_journal::{Fold, Journal, Replay};

use crate::RuntimeError;

/// What a journal says about where the core stood.
#[derive(Debug, Default)]
pub struct Recovered {
    /// Every machine, as the journal left it.
    pub machines: Machines,
    /// Records read.
    pub records: u64,
}

/// Reads the whole journal and folds it. An input the machines reject (a damaged or foreign
/// log) is logged and skipped, by the replay's one rule (`switchboard_journal::Replay`), so the
/// app still starts.
pub fn recover(journal: &dyn Journal) -> Result<Recovered, RuntimeError> {
    let mut replay = Replay::folding();
    let mut records = 0;
    for record in journal.scan(0) {
        let record = record?;
        records += 1;
        if let Fold::Rejected(why) = replay.feed(&record).fold {
            tracing::warn!(seq = record.seq, "recovery skipped a rejected input: {why}");
        }
    }
    Ok(Recovered {
        machines: replay.into_machines(),
        records,
    })
}
