//! The step-function contract every machine follows ([`Machine`]) and the error for an input
//! given to the wrong kind of machine. The machines of one
//! core together are [`crate::machines::Machines`].
use std::fmt;

use crate::command::Command;
use crate::ids::ActorName;
use crate::input::Input;

/// A pure state machine: one input in, the commands it decides out. It reads no clock: `at_ms` is
/// the time the input was recorded.
pub trait Machine: Default {
    /// What it accepts.
    type Input;
    /// Applies one input.
    fn step(&mut self, input: &Self::Input, at_ms: u64) -> Vec<Command>;
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
