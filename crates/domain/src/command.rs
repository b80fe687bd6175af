//! Commands: what the machines decide. A command is either an [`Effect`], for a port (the Calls
//! SDK, the audio session, the timer service, the UI and the app around it), which the runtime
//! performs with one exhaustive match ([`Effect::port`] says which port), or a [`Message`] to
//! other machines, which [`Message::deliveries`] turns into their inputs. The runtime and
//! [`crate::core::Core`] both route with that one function, so they cannot disagree.
//!
//! The journal and the JSON export do not see the split: a [`Command`] is written as the flat
//! enum format 2 defined ([`crate::wire`], frozen), so its bytes, its JSON and its schema are what they
//! were when commands were one enum.
use std::fmt;

use crate::effect::{Effect, Port};
use crate::ids::AttemptId;
use crate::message::Message;

/// A decision of a machine: an effect for a port, or a message to other machines.
///
/// Serialized (bincode and JSON) as the frozen flat enum of journal format 2 (`wire.rs`), so the
/// split costs no format change. `Debug` shows the effect or the message alone, as the flat enum
/// did.
#[derive(Clone, PartialEq, Eq)]
pub enum Command {
    /// For a port: the Calls SDK, the audio session, timers, the UI and the app.
    Effect(Effect),
    /// For other machines.
    Message(Message),
}

impl From<Effect> for Command {
    fn from(e: Effect) -> Self {
        Command::Effect(e)
    }
}

impl From<Message> for Command {
    fn from(m: Message) -> Self {
        Command::Message(m)
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Effect(e) => e.fmt(f),
            Command::Message(m) => m.fmt(f),
        }
    }
}

impl Command {
    /// The call attempt this command is about, when it is about one.
    pub fn attempt(&self) -> Option<AttemptId> {
        match self {
            Command::Effect(e) => e.attempt(),
            Command::Message(m) => m.attempt(),
        }
    }

    /// The port an effect goes to, or `None` for a message between machines.
    pub fn port(&self) -> Option<Port> {
        match self {
            Command::Effect(e) => Some(e.port()),
            Command::Message(_) => None,
        }
    }

    /// The effect, when this is one.
    pub fn effect(&self) -> Option<&Effect> {
        match self {
            Command::Effect(e) => Some(e),
            Command::Message(_) => None,
        }
    }

    /// The message, when this is one.
    pub fn message(&self) -> Option<&Message> {
        match self {
            Command::Effect(_) => None,
            Command::Message(m) => Some(m),
        }
    }
}
