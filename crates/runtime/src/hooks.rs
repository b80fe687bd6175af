//! The simulator's hooks into a running runtime: bugs planted on purpose (the simulator's own
//! tests show that they find them) and injected panics (supervision). Compiled only with the
//! `sim-hooks` feature, which `switchboard-sim` and the CLI turn on; the library the app ships
//! (`switchboard-ffi`) is built without it, so none of this is on its path.
use std::sync::atomic::{AtomicU8, Ordering};

use switchboard_domain::{Command, Effect};

/// A known bug the simulator's own tests plant in a running runtime to show that they catch it.
/// Never set outside those tests (see [`crate::Runtime::plant_bug`]).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PlantedBug {
    /// Every `LeaveSession` a session decides is recorded and performed twice (breaks rule 6).
    DoubleLeave = 1,
    /// `onSessionTimedOut` is dropped by the router before it reaches the session (breaks rule 1).
    IgnoreTimedOut = 2,
    /// A new process does not end the call the old one left live: the router drops the
    /// `AppRelaunched` on its way to the session, so the call carries on (breaks rule 10).
    ContinueAfterRelaunch = 3,
    /// The router's `Hold` never reaches the session, so a join asked for before the Calls SDK
    /// is ready (or a permission is answered) goes out as soon as the call view appears (breaks
    /// rules 11 and 12).
    JoinBeforeReady = 4,
}

impl PlantedBug {
    const ALL: [PlantedBug; 4] = [
        PlantedBug::DoubleLeave,
        PlantedBug::IgnoreTimedOut,
        PlantedBug::ContinueAfterRelaunch,
        PlantedBug::JoinBeforeReady,
    ];
}

/// The bug planted in one runtime, read on every message it concerns: an atomic, not a lock.
#[derive(Debug, Default)]
pub(crate) struct Planted(AtomicU8);

impl Planted {
    pub(crate) fn set(&self, bug: Option<PlantedBug>) {
        self.0.store(bug.map_or(0, |b| b as u8), Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> Option<PlantedBug> {
        let n = self.0.load(Ordering::Relaxed);
        PlantedBug::ALL.into_iter().find(|b| *b as u8 == n)
    }

    /// Whether `bug` is the one planted.
    pub(crate) fn is(&self, bug: PlantedBug) -> bool {
        self.get() == Some(bug)
    }

    /// What a machine decided, as the planted bug changes it: with
    /// [`PlantedBug::DoubleLeave`], each `LeaveSession` is followed by a copy of itself.
    pub(crate) fn decided(&self, mut commands: Vec<Command>) -> Vec<Command> {
        if self.is(PlantedBug::DoubleLeave) {
            if let Some(i) = commands
                .iter()
                .position(|c| matches!(c, Command::Effect(Effect::LeaveSession { .. })))
            {
                let copy = commands[i].clone();
                commands.insert(i + 1, copy);
            }
        }
        commands
    }
}
