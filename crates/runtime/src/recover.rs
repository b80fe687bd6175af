//! Recovery: rebuild every machine from the journal before accepting input.
//!
//! The old process's timers are not recovered: every core timer belongs to the attempt that was
//! live, and a new process ends that attempt (DESIGN rule 10), so nothing would re-arm them.
use switchboard_domain::{Entry, Machines};
use switchboard_journal::Journal;

use crate::RuntimeError;

/// What a journal says about where the core stood.
#[derive(Debug, Default)]
pub struct Recovered {
    /// Every machine, as the journal left it.
    pub machines: Machines,
    /// Records read.
    pub records: u64,
}

/// Reads the whole journal and folds it.
pub fn recover(journal: &dyn Journal) -> Result<Recovered, RuntimeError> {
    let mut out = Recovered::default();
    for record in journal.scan(0) {
        let record = record?;
        out.records += 1;
        if let Entry::Input(input) = &record.body {
            out.machines.step(record.actor, input, record.at_ms)?;
        }
    }
    Ok(out)
}
