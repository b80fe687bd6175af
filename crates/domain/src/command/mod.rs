//! Commands: what the machines decide. A command is either an [`Effect`], for a port (the Calls
//! SDK, the audio session, the timer service, the UI and the app around it), which the runtime
//! performs with one exhaustive match ([`Effect::port`] says which port), or a [`Message`] to
//! other machines, which [`Message::deliveries`] turns into their inputs. The runtime and
//! [`crate::core::Core`] both route with that one function, so they cannot disagree.
//!
//! The journal and the JSON export do not see the split: a [`Command`] is written as the flat
//! enum format 2 defined (`wire.rs`, frozen), so its bytes, its JSON and its schema are what they
//! were when commands were one enum.
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{AttemptId, SessionId};
use crate::rejection::LinkRejection;
use crate::view::EndReason;

mod effect;
mod message;
mod wire;

pub use effect::{Effect, Port};
pub use message::{Message, Target};

/// `AVAudioSession.Category`. Only `PlayAndRecord` captures the microphone; the audio machine
/// never asks for anything else, and the simulator checks that.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AudioCategory {
    /// `.playAndRecord`: microphone and output.
    PlayAndRecord,
    /// `.playback`: output only, no microphone. Never right for a call.
    Playback,
    /// `.ambient`: mixes with others, no microphone.
    Ambient,
}

impl AudioCategory {
    /// True when the category records from the microphone.
    pub fn captures_microphone(self) -> bool {
        matches!(self, AudioCategory::PlayAndRecord)
    }
}

/// `AVAudioSession.Mode` used for calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AudioSessionMode {
    /// `.voiceChat`: echo cancellation tuned for voice.
    VoiceChat,
    /// `.videoChat`: the same, defaulting to the speaker.
    VideoChat,
}

/// `AVAudioSession.CategoryOptions` the core sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AudioOptions {
    /// `.allowBluetooth` (HFP input routes).
    pub allow_bluetooth: bool,
    /// `.defaultToSpeaker`.
    pub default_to_speaker: bool,
}

/// Something the router tells the user through the UI bridge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// A link was rejected.
    LinkRejected {
        /// Why.
        reason: LinkRejection,
    },
    /// A link for another session arrived during a call: ask the user whether to switch.
    SwitchOffered {
        /// The other session.
        to: SessionId,
    },
    /// The switch offer was declined or is gone.
    SwitchCleared,
    /// The user dismissed the ended call or the alert.
    Dismissed,
    /// A join that cannot happen at all was refused before any attempt started (the microphone
    /// is denied or restricted: DESIGN rule 12), so no call view is shown for it. Declared last
    /// so that logs written before it existed decode unchanged.
    JoinRefused {
        /// The session the user asked for.
        session_id: SessionId,
        /// Why (what the error view says).
        reason: EndReason,
    },
}

/// A decision of a machine: an effect for a port, or a message to other machines.
///
/// Serialized (bincode and JSON) as the frozen flat enum of journal format 2 (`wire.rs`), so the
/// split costs no format change. `Debug` shows the effect or the message alone, as the flat enum
/// did.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "wire::Command", into = "wire::Command")]
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

/// The schema of the wire form, which is what a command serializes as.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Command {
    fn inline_schema() -> bool {
        <wire::Command as schemars::JsonSchema>::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <wire::Command as schemars::JsonSchema>::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        <wire::Command as schemars::JsonSchema>::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <wire::Command as schemars::JsonSchema>::json_schema(generator)
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
