//! The pure call model of Switchboard.
//!
//! Four machines decide everything about a call: the [`router`] (meeting links, which attempt is
//! current), the [`session`] (one call attempt: join, leave, drops, timeouts), the [`audio`]
//! session policy, and the [`ui_bridge`] that folds them into one [`UiState`]. Each is a pure step
//! function from an input to a list of [`Command`]s. Nothing here does I/O, reads a clock or spawns
//! a task: time arrives inside inputs (`at_ms`), and timers are commands and inputs.
//!
//! [`core::Core`] wires the four machines together in-process with the same delivery rules the
//! actor runtime uses ([`command::Message::deliveries`]); property tests and the simulator lean on it.
#![warn(missing_docs)]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod audio;
pub mod command;
pub mod core;
pub mod describe;
pub mod device;
pub mod effect;
pub mod entry;
pub mod format1;
pub mod ids;
pub mod incident;
pub mod input;
pub mod link;
pub mod machine;
pub mod machines;
pub mod message;
pub mod rejection;
pub mod router;
pub mod session;
pub mod settings;
pub mod ui;
pub mod ui_bridge;
pub mod view;
mod wire;

pub use command::Command;
pub use device::{Authorization, MediaKind, Permissions, SetupEvent, SetupStep, WaitingFor};
pub use effect::{Effect, Port, TimerId, TimerKind};
pub use entry::{Entry, Snapshot};
pub use ids::{ActorName, AttemptId, SessionId};
pub use incident::Incident;
pub use input::Launch;
pub use input::{
    AppState, AudioEvent, AudioInput, Event, Input, InterruptionReason, RouteChangeReason,
    RouterInput, SdkButton, SdkEvent, SessionInput, UiInput,
};
pub use link::{validate_link, DEFAULT_ALLOWED_HOST};
pub use machine::{Machine, MachineError};
pub use machines::Machines;
pub use message::{Message, Target};
pub use rejection::LinkRejection;
pub use settings::{AudioMode, CoreConfig, IntegrationMode, SessionSettings, SessionType};
pub use ui::UiState;
pub use view::{AudioPort, AudioView, EndReason, JoinErrorCode, Notice, PhaseView, SessionView};
