//! Recovery: rebuild every machine from the journal before accepting input, folding from the
//! newest usable snapshot (`switchboard_journal::recover`).
//!
//! The old process's timers are not recovered: every core timer belongs to the attempt that was
//! live, and a new process ends that attempt (DESIGN rule 10), so nothing would re-arm them.
use switchboard_domain::Machines;
use switchboard_journal::{Journal, Recovery};

use crate::RuntimeError;

/// What a journal says about where the core stood.
#[derive(Debug, Default)]
pub struct Recovered {
    /// Every machine, as the journal left it.
    pub machines: Machines,
    /// Records read (from the snapshot the fold started at).
    pub records: u64,
    /// Where the fold started, and what it passed over.
    pub report: Recovery,
}

/// Folds the journal from its newest usable snapshot. An input the machines reject (a damaged
/// or foreign log) is logged and skipped, by the replay's one rule
/// (`switchboard_journal::Replay`), so the app still starts.
pub fn recover(journal: &dyn Journal) -> Result<Recovered, RuntimeError> {
    let (replay, report) = switchboard_journal::recover(journal)?;
    Ok(Recovered {
        machines: replay.into_machines(),
        records: report.records,
        report,
    })
}
