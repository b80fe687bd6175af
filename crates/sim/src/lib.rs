//! Deterministic simulation of the Switchboard call core, for testers.
//!
//! One u64 seed drives everything. It is split into sub-seeds ([`Seeds`]): the workload (user
//! journeys), the SDK's faults, the audio session's faults, the shell's timing, and the fault mix
//! (which faults are on for this seed). A run ([`run()`]) plays the seed's input trace against the
//! **real** runtime (the ractor actors, the journal) on a single-threaded tokio runtime whose
//! clock is paused, with fakes of the Calls SDK, the audio session and the shell
//! ([`world::World`]) that answer what the core asks for, as the real ones would, through the
//! seed's fault plan. Tokio's current-thread scheduler is FIFO and ractor's mailbox select is
//! biased, so the same seed gives the same journal, byte for byte.
//!
//! The world models the phone as DESIGN.md section 6 says: a crash is the death of the process
//! (its SDK sessions, their queued callbacks, the SDK's init, the audio session and the call
//! view die with it, and the restart is a new process that launches), while an actor panic stays
//! inside the process; the Calls SDK's init and login can be slow or fail, a session can clear
//! the SDK's state, and the microphone and camera can be undetermined, denied or restricted.
//!
//! After every step the invariants are checked ([`invariant::Invariant`]): DESIGN.md's rules
//! 1-12 on the journal ([`check::LogChecker`], also usable on any log with [`check_log`]), a call
//! view never stranded, the journal replaying to the same commands, effects only after their
//! record, crash and restart losing nothing acknowledged, no join on an SDK that is not ready,
//! every held join ending by its timeout. A failing seed is shrunk ([`shrink::minimize`]) and
//! its journal written where `switchboard replay` opens it.
#![warn(missing_docs)]

pub mod batch;
pub mod check;
pub mod faults;
pub mod invariant;
pub mod journal;
pub mod rng;
pub mod run;
pub mod shrink;
pub mod workload;
pub mod world;

use std::path::Path;

pub use batch::{run_batch, run_seed, shard_range, BatchConfig, BatchOutcome, SeedResult, Shard};
pub use check::{check_log, LogChecker};
pub use faults::{FaultLevel, FaultPlan};
pub use invariant::{Invariant, Violation};
pub use journal::JournalMode;
pub use rng::Seeds;
pub use run::{run, Failure, RunConfig, RunReport, Scenario};
pub use shrink::{minimize, Minimized};
pub use switchboard_runtime::PlantedBug;
pub use workload::{Action, TraceStep};

/// Virtual milliseconds as `1h02m03.004s` (hours only when there are any).
pub fn format_ms(ms: u64) -> String {
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 {
        format!("{h}h{m:02}m{s:02}.{milli:03}s")
    } else if m > 0 {
        format!("{m}m{s:02}.{milli:03}s")
    } else {
        format!("{s}.{milli:03}s")
    }
}

/// Writes a run's journal as JSON Lines (what `switchboard replay` opens).
pub fn write_jsonl(report: &RunReport, path: &Path) -> Result<(), switchboard_journal::Error> {
    let io = |source| switchboard_journal::Error::Io {
        path: path.into(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let file = std::fs::File::create(path).map_err(io)?;
    let out = std::io::BufWriter::new(file);
    switchboard_journal::export_jsonl(report.records.iter().cloned().map(Ok), out)?;
    Ok(())
}

/// Reads a written journal back (a JSON Lines file or a sled directory) and checks it: the
/// journal-level invariant it breaks, if any.
pub fn recheck(path: &Path) -> Result<Option<Violation>, switchboard_journal::Error> {
    let records = switchboard_journal::open_log(path)?;
    Ok(check_log(&records).err())
}
