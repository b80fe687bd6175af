//! Recovery: rebuild every machine from the journal before accepting input, and find the timers
//! that were running when the last run stopped.
use std::collections::BTreeMap;

use switchboard_domain::{ActorName, Command, Entry, Machines, SessionInput, TimerId};
use switchboard_journal::Journal;

use crate::RuntimeError;

/// What a journal says about where the core stood.
#[derive(Debug, Default)]
pub struct Recovered {
    /// Every machine, as the journal left it.
    pub machines: Machines,
    /// Timers started and neither cancelled nor fired, with their due time (ms, journal clock).
    pub pending_timers: BTreeMap<TimerId, u64>,
    /// Records read.
    pub records: u64,
}

/// Reads the whole journal and folds it.
pub fn recover(journal: &dyn Journal) -> Result<Recovered, RuntimeError> {
    let mut out = Recovered::default();
    for record in journal.scan(0) {
        let record = record?;
        out.records += 1;
        match &record.body {
            Entry::Input(input) => {
                if let (
                    ActorName::Session(attempt),
                    switchboard_domain::Input::Session(SessionInput::TimerFired(kind)),
                ) = (record.actor, input)
                {
                    out.pending_timers.remove(&TimerId {
                        kind: *kind,
                        attempt,
                    });
                }
                out.machines.step(record.actor, input, record.at_ms)?;
            }
            Entry::Command(Command::StartTimer { id, after_ms }) => {
                out.pending_timers
                    .insert(*id, record.at_ms.saturating_add(*after_ms));
            }
            Entry::Command(Command::CancelTimer { id }) => {
                out.pending_timers.remove(id);
            }
            Entry::Command(_) => {}
        }
    }
    Ok(out)
}
