//! The wire form of a [`Command`](crate::command::Command) and of an [`Effect`], frozen: the flat enum that journal format 2
//! (bincode, serde mode, standard config) and the JSON Lines export write, and whose JSON schema
//! `schemas/` holds. Commands were one flat enum when format 2 was defined; the domain now splits
//! them into [`Effect`]s and [`Message`]s, and serializes both through this enum (the impls at
//! the end) so that not one byte of a record, and not one character of its JSON or of the
//! schema, changes. An effect inside an input (a port failure) is written the same way.
//!
//! Do not change what is here: not a variant's position (bincode writes its index), its name
//! (JSON writes it), its fields, or its doc comments (the schema carries them). A new command goes
//! into [`Effect`] or [`Message`] and is appended at the end of this enum (as
//! `docs/journal-format.md` says for any new variant); the conversions below do not compile until
//! it is mapped. The test `every_command_keeps_its_format_2_variant_number`
//! (`crates/journal/src/record.rs`) pins the numbers.
use serde::{Deserialize, Serialize};

use crate::command;
use crate::device::MediaKind;
use crate::effect::{AudioCategory, AudioOptions, AudioSessionMode, Effect, TimerId};
use crate::ids::{AttemptId, SessionId};
use crate::input::SessionInput;
use crate::message::Message;
use crate::settings::{AudioMode, SessionSettings};
use crate::ui::UiState;
use crate::view::{AudioView, EndReason, Notice, SessionView};

/// A decision of a machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub(crate) enum Command {
    // ---- Calls SDK port ----
    /// Initialise the Calls SDK (`CometChatCalls(callsAppSettings:)`).
    InitCallsSdk,
    /// Initialise the Chat SDK: additive mode only.
    InitChatSdk,
    /// Register the session-status and button listeners for this attempt (before joining, so an
    /// early `onSessionJoined` is not missed).
    RegisterListeners {
        /// The attempt.
        attempt: AttemptId,
    },
    /// `CometChatCalls.joinSession(sessionID:callSetting:container:...)`: the single-call join.
    /// Issued exactly once per attempt.
    JoinSession {
        /// The attempt the adapter must stamp on every callback.
        attempt: AttemptId,
        /// The session.
        session_id: SessionId,
        /// The settings for `SessionSettingsBuilder`.
        settings: SessionSettings,
    },
    /// `CallSession.shared.leaveSession()`: at most once per attempt.
    LeaveSession {
        /// The attempt.
        attempt: AttemptId,
    },
    /// `muteAudio()`.
    MuteAudio {
        /// The attempt.
        attempt: AttemptId,
    },
    /// `unmuteAudio()`.
    UnmuteAudio {
        /// The attempt.
        attempt: AttemptId,
    },
    /// `pauseVideo()`.
    PauseVideo {
        /// The attempt.
        attempt: AttemptId,
    },
    /// `resumeVideo()`.
    ResumeVideo {
        /// The attempt.
        attempt: AttemptId,
    },
    /// `setAudioMode(_:)`.
    SetAudioMode {
        /// The attempt.
        attempt: AttemptId,
        /// The output.
        mode: AudioMode,
    },

    // ---- Audio session port ----
    /// `setCategory(_:mode:options:)`.
    ConfigureAudio {
        /// The category (always `.playAndRecord` from this core).
        category: AudioCategory,
        /// `.voiceChat` or `.videoChat`.
        mode: AudioSessionMode,
        /// Options.
        options: AudioOptions,
    },
    /// `setActive(true)`.
    ActivateAudio,
    /// `setActive(false, options:)`.
    DeactivateAudio {
        /// `.notifyOthersOnDeactivation`, so music apps resume.
        notify_others: bool,
    },
    /// `overrideOutputAudioPort(.speaker | .none)`.
    OverrideOutput {
        /// `.speaker` when true, `.none` when false.
        speaker: bool,
    },

    // ---- Timer port ----
    /// Start (or restart) a timer; its firing comes back as an input.
    StartTimer {
        /// Which timer.
        id: TimerId,
        /// Delay in milliseconds.
        after_ms: u64,
    },
    /// Cancel a timer.
    CancelTimer {
        /// Which timer.
        id: TimerId,
    },

    // ---- UI port ----
    /// Draw this state.
    Render(UiState),

    // ---- Between machines ----
    /// Router -> a new session machine for this attempt.
    StartAttempt {
        /// The attempt.
        attempt: AttemptId,
        /// The session.
        session_id: SessionId,
        /// Join settings.
        settings: SessionSettings,
        /// Join timeout.
        join_timeout_ms: u64,
        /// Leave acknowledgement timeout.
        leave_ack_timeout_ms: u64,
    },
    /// Router -> the session of an attempt: an intent or a view report.
    Forward {
        /// The attempt.
        attempt: AttemptId,
        /// The input.
        input: SessionInput,
    },
    /// Session -> audio: about to join.
    CallStarting {
        /// The attempt.
        attempt: AttemptId,
        /// Video call.
        video: bool,
    },
    /// Session -> router and audio: the attempt ended. Exactly one per attempt.
    Ended {
        /// The attempt.
        attempt: AttemptId,
        /// Why.
        reason: EndReason,
    },
    /// Session -> UI bridge: the session's state.
    SessionChanged(SessionView),
    /// Audio -> UI bridge: the audio state.
    AudioChanged(AudioView),
    /// Router -> UI bridge.
    Notify(Notice),

    // ---- Added in format 2 (declared last, so the older ones keep their numbers) ----
    /// Calls SDK port: `CometChatCalls.login(authToken:onSuccess:onError:)` with the token the
    /// app's token provider gives the shell. The core never sees the token; the result comes back
    /// as [`crate::SetupEvent`].
    LoginCallsSdk,
    /// App port: ask for a device (`AVCaptureDevice.requestAccess(for:)`); the answer comes back as
    /// [`crate::Event::Permission`].
    RequestPermission {
        /// Which device.
        media: MediaKind,
    },
    /// App port: open this app's page in the Settings app
    /// (`UIApplication.openSettingsURLString`).
    OpenAppSettings,
    /// App port: show the share sheet with this meeting link.
    ShareLink {
        /// The link.
        url: String,
    },
    /// Calls SDK port: initialise the Calls SDK (`CometChatCalls(callsAppSettings:...)`), as
    /// [`Command::InitCallsSdk`] does, for a process that `Launch`ed: the shell names `request`
    /// in the result ([`crate::SetupEvent`]), so only the answer to the latest init counts.
    InitCalls {
        /// This process's count of inits asked for (1 at launch).
        request: u64,
    },
}

impl From<Command> for command::Command {
    fn from(c: Command) -> Self {
        use command::Command as C;
        match c {
            Command::InitCallsSdk => C::Effect(Effect::InitCallsSdk),
            Command::InitChatSdk => C::Effect(Effect::InitChatSdk),
            Command::RegisterListeners { attempt } => {
                C::Effect(Effect::RegisterListeners { attempt })
            }
            Command::JoinSession {
                attempt,
                session_id,
                settings,
            } => C::Effect(Effect::JoinSession {
                attempt,
                session_id,
                settings,
            }),
            Command::LeaveSession { attempt } => C::Effect(Effect::LeaveSession { attempt }),
            Command::MuteAudio { attempt } => C::Effect(Effect::MuteAudio { attempt }),
            Command::UnmuteAudio { attempt } => C::Effect(Effect::UnmuteAudio { attempt }),
            Command::PauseVideo { attempt } => C::Effect(Effect::PauseVideo { attempt }),
            Command::ResumeVideo { attempt } => C::Effect(Effect::ResumeVideo { attempt }),
            Command::SetAudioMode { attempt, mode } => {
                C::Effect(Effect::SetAudioMode { attempt, mode })
            }
            Command::ConfigureAudio {
                category,
                mode,
                options,
            } => C::Effect(Effect::ConfigureAudio {
                category,
                mode,
                options,
            }),
            Command::ActivateAudio => C::Effect(Effect::ActivateAudio),
            Command::DeactivateAudio { notify_others } => {
                C::Effect(Effect::DeactivateAudio { notify_others })
            }
            Command::OverrideOutput { speaker } => C::Effect(Effect::OverrideOutput { speaker }),
            Command::StartTimer { id, after_ms } => C::Effect(Effect::StartTimer { id, after_ms }),
            Command::CancelTimer { id } => C::Effect(Effect::CancelTimer { id }),
            Command::Render(state) => C::Effect(Effect::Render(state)),
            Command::StartAttempt {
                attempt,
                session_id,
                settings,
                join_timeout_ms,
                leave_ack_timeout_ms,
            } => C::Message(Message::StartAttempt {
                attempt,
                session_id,
                settings,
                join_timeout_ms,
                leave_ack_timeout_ms,
            }),
            Command::Forward { attempt, input } => C::Message(Message::Forward { attempt, input }),
            Command::CallStarting { attempt, video } => {
                C::Message(Message::CallStarting { attempt, video })
            }
            Command::Ended { attempt, reason } => C::Message(Message::Ended { attempt, reason }),
            Command::SessionChanged(v) => C::Message(Message::SessionChanged(v)),
            Command::AudioChanged(v) => C::Message(Message::AudioChanged(v)),
            Command::Notify(n) => C::Message(Message::Notify(n)),
            Command::LoginCallsSdk => C::Effect(Effect::LoginCallsSdk),
            Command::RequestPermission { media } => C::Effect(Effect::RequestPermission { media }),
            Command::OpenAppSettings => C::Effect(Effect::OpenAppSettings),
            Command::ShareLink { url } => C::Effect(Effect::ShareLink { url }),
            Command::InitCalls { request } => C::Effect(Effect::InitCalls { request }),
        }
    }
}

impl From<command::Command> for Command {
    fn from(c: command::Command) -> Self {
        match c {
            command::Command::Effect(e) => e.into(),
            command::Command::Message(m) => m.into(),
        }
    }
}

impl From<Effect> for Command {
    fn from(e: Effect) -> Self {
        match e {
            Effect::InitCallsSdk => Command::InitCallsSdk,
            Effect::InitChatSdk => Command::InitChatSdk,
            Effect::RegisterListeners { attempt } => Command::RegisterListeners { attempt },
            Effect::JoinSession {
                attempt,
                session_id,
                settings,
            } => Command::JoinSession {
                attempt,
                session_id,
                settings,
            },
            Effect::LeaveSession { attempt } => Command::LeaveSession { attempt },
            Effect::MuteAudio { attempt } => Command::MuteAudio { attempt },
            Effect::UnmuteAudio { attempt } => Command::UnmuteAudio { attempt },
            Effect::PauseVideo { attempt } => Command::PauseVideo { attempt },
            Effect::ResumeVideo { attempt } => Command::ResumeVideo { attempt },
            Effect::SetAudioMode { attempt, mode } => Command::SetAudioMode { attempt, mode },
            Effect::ConfigureAudio {
                category,
                mode,
                options,
            } => Command::ConfigureAudio {
                category,
                mode,
                options,
            },
            Effect::ActivateAudio => Command::ActivateAudio,
            Effect::DeactivateAudio { notify_others } => Command::DeactivateAudio { notify_others },
            Effect::OverrideOutput { speaker } => Command::OverrideOutput { speaker },
            Effect::StartTimer { id, after_ms } => Command::StartTimer { id, after_ms },
            Effect::CancelTimer { id } => Command::CancelTimer { id },
            Effect::Render(state) => Command::Render(state),
            Effect::LoginCallsSdk => Command::LoginCallsSdk,
            Effect::RequestPermission { media } => Command::RequestPermission { media },
            Effect::OpenAppSettings => Command::OpenAppSettings,
            Effect::ShareLink { url } => Command::ShareLink { url },
            Effect::InitCalls { request } => Command::InitCalls { request },
        }
    }
}

impl From<Message> for Command {
    fn from(m: Message) -> Self {
        match m {
            Message::StartAttempt {
                attempt,
                session_id,
                settings,
                join_timeout_ms,
                leave_ack_timeout_ms,
            } => Command::StartAttempt {
                attempt,
                session_id,
                settings,
                join_timeout_ms,
                leave_ack_timeout_ms,
            },
            Message::Forward { attempt, input } => Command::Forward { attempt, input },
            Message::CallStarting { attempt, video } => Command::CallStarting { attempt, video },
            Message::Ended { attempt, reason } => Command::Ended { attempt, reason },
            Message::SessionChanged(v) => Command::SessionChanged(v),
            Message::AudioChanged(v) => Command::AudioChanged(v),
            Message::Notify(n) => Command::Notify(n),
        }
    }
}

// ---- Serialization of the split types through the wire form ----

impl Serialize for command::Command {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Command::from(self.clone()).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for command::Command {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Command::deserialize(deserializer).map(Into::into)
    }
}

impl Serialize for Effect {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Command::from(self.clone()).serialize(serializer)
    }
}

/// An effect reads any wire command and refuses a message between machines: only effects are
/// performed through a port, so no log names a message where an effect belongs.
impl<'de> Deserialize<'de> for Effect {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match command::Command::from(Command::deserialize(deserializer)?) {
            command::Command::Effect(effect) => Ok(effect),
            command::Command::Message(message) => Err(serde::de::Error::custom(format!(
                "expected an effect for a port, found a message between machines: {message:?}"
            ))),
        }
    }
}

/// The schema of the wire form, which is what a command and an effect serialize as.
macro_rules! wire_schema {
    ($ty:ty) => {
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $ty {
            fn inline_schema() -> bool {
                <Command as schemars::JsonSchema>::inline_schema()
            }

            fn schema_name() -> std::borrow::Cow<'static, str> {
                <Command as schemars::JsonSchema>::schema_name()
            }

            fn schema_id() -> std::borrow::Cow<'static, str> {
                <Command as schemars::JsonSchema>::schema_id()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                <Command as schemars::JsonSchema>::json_schema(generator)
            }
        }
    };
}

wire_schema!(command::Command);
wire_schema!(Effect);
