//! The step-function contract every machine follows, the journal entry type, and [`Machines`]:
//! one machine per actor name, so a log can be folded through today's machines (replay).
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::audio::Audio;
use crate::command::Command;
use crate::ids::ActorName;
use crate::input::Input;
use crate::router::Router;
use crate::session::Session;
use crate::ui_bridge::UiBridge;

/// A pure state machine: one input in, the commands it decides out. It reads no clock: `at_ms` is
/// the time the input was recorded.
pub trait Machine: Default {
    /// What it accepts.
    type Input;
    /// Applies one input.
    fn step(&mut self, input: &Self::Input, at_ms: u64) -> Vec<Command>;
}

/// The body of one journal record: an input an actor received, or a command it decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// An input, recorded before the machine acted on it.
    Input(Input),
    /// A command the machine decided.
    Command(Command),
}

/// An input was given to a machine of the wrong kind (a foreign or damaged log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineError {
    /// The actor.
    pub actor: ActorName,
    /// What kind of input it got.
    pub got: &'static str,
}

impl fmt::Display for MachineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "actor {} cannot take a {} input", self.actor, self.got)
    }
}

impl std::error::Error for MachineError {}

impl Input {
    /// The machine kind this input is for.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Input::Router(_) => "router",
            Input::Session(_) => "session",
            Input::Audio(_) => "audio",
            Input::Ui(_) => "ui",
        }
    }
}

/// Every machine of a core, keyed by actor name: what replay folds a log through.
#[derive(Clone, Debug, Default)]
pub struct Machines {
    /// The router.
    pub router: Router,
    /// Sessions by attempt.
    pub sessions: BTreeMap<u64, Session>,
    /// The audio machine.
    pub audio: Audio,
    /// The UI bridge.
    pub ui: UiBridge,
}

impl Machines {
    /// Steps the machine of `actor` with `input`.
    pub fn step(
        &mut self,
        actor: ActorName,
        input: &Input,
        at_ms: u64,
    ) -> Result<Vec<Command>, MachineError> {
        let bad = || MachineError {
            actor,
            got: input.kind_name(),
        };
        Ok(match (actor, input) {
            (ActorName::Router, Input::Router(i)) => self.router.step(i, at_ms),
            (ActorName::Session(a), Input::Session(i)) => {
                self.sessions.entry(a).or_default().step(i, at_ms)
            }
            (ActorName::Audio, Input::Audio(i)) => self.audio.step(i, at_ms),
            (ActorName::Ui, Input::Ui(i)) => self.ui.step(i, at_ms),
            _ => return Err(bad()),
        })
    }
}
