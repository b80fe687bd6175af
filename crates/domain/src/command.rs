//! Commands: what the machines decide. Some are effects for a port (the Calls SDK, the audio
//! session, the UI, the timer service); the rest are messages to other machines, which
//! [`Command::deliveries`] turns into their inputs. The runtime and [`crate::core::Core`] both
//! route with that one function, so they cannot disagree.
use serde::{Deserialize, Serialize};

use crate::device::MediaKind;
use crate::ids::{AttemptId, SessionId};
use crate::input::{AudioInput, Input, RouterInput, SessionInput, TimerId, UiInput};
use crate::rejection::LinkRejection;
use crate::settings::{AudioMode, SessionSettings};
use crate::ui::UiState;
use crate::view::{AudioView, EndReason, SessionView};

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

/// A decision of a machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Command {
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

/// Which machine an input goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// The router.
    Router,
    /// The session of an attempt.
    Session(AttemptId),
    /// The audio machine.
    Audio,
    /// The UI bridge.
    Ui,
}

/// The port an effect command is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Port {
    /// The Calls SDK.
    Sdk,
    /// The audio session.
    Audio,
    /// Timers.
    Timer,
    /// The UI, and the app around it (permission prompts, the Settings app, the share sheet).
    Ui,
}

impl Command {
    /// The inputs this command delivers to other machines (empty for effects).
    pub fn deliveries(&self) -> Vec<(Target, Input)> {
        match self {
            Command::StartAttempt {
                attempt,
                session_id,
                settings,
                join_timeout_ms,
                leave_ack_timeout_ms,
            } => vec![(
                Target::Session(*attempt),
                Input::Session(SessionInput::Start {
                    attempt: *attempt,
                    session_id: session_id.clone(),
                    settings: settings.clone(),
                    join_timeout_ms: *join_timeout_ms,
                    leave_ack_timeout_ms: *leave_ack_timeout_ms,
                }),
            )],
            Command::Forward { attempt, input } => {
                vec![(Target::Session(*attempt), Input::Session(input.clone()))]
            }
            Command::CallStarting { attempt, video } => vec![(
                Target::Audio,
                Input::Audio(AudioInput::CallStarting {
                    attempt: *attempt,
                    video: *video,
                }),
            )],
            Command::Ended { attempt, reason } => vec![
                (
                    Target::Router,
                    Input::Router(RouterInput::AttemptEnded {
                        attempt: *attempt,
                        reason: reason.clone(),
                    }),
                ),
                (
                    Target::Audio,
                    Input::Audio(AudioInput::CallEnded { attempt: *attempt }),
                ),
            ],
            Command::SessionChanged(v) => {
                vec![(Target::Ui, Input::Ui(UiInput::Session(v.clone())))]
            }
            Command::AudioChanged(v) => vec![(Target::Ui, Input::Ui(UiInput::Audio(v.clone())))],
            Command::Notify(n) => vec![(Target::Ui, Input::Ui(UiInput::Notice(n.clone())))],
            // Effects deliver nothing. Listed, not wildcarded: a new command must say here
            // whether it is a message.
            Command::InitCallsSdk
            | Command::InitChatSdk
            | Command::RegisterListeners { .. }
            | Command::JoinSession { .. }
            | Command::LeaveSession { .. }
            | Command::MuteAudio { .. }
            | Command::UnmuteAudio { .. }
            | Command::PauseVideo { .. }
            | Command::ResumeVideo { .. }
            | Command::SetAudioMode { .. }
            | Command::ConfigureAudio { .. }
            | Command::ActivateAudio
            | Command::DeactivateAudio { .. }
            | Command::OverrideOutput { .. }
            | Command::StartTimer { .. }
            | Command::CancelTimer { .. }
            | Command::Render(_)
            | Command::LoginCallsSdk
            | Command::RequestPermission { .. }
            | Command::OpenAppSettings
            | Command::ShareLink { .. }
            | Command::InitCalls { .. } => Vec::new(),
        }
    }

    /// The call attempt this command is about, when it is about one.
    pub fn attempt(&self) -> Option<AttemptId> {
        use Command::*;
        match self {
            RegisterListeners { attempt }
            | JoinSession { attempt, .. }
            | LeaveSession { attempt }
            | MuteAudio { attempt }
            | UnmuteAudio { attempt }
            | PauseVideo { attempt }
            | ResumeVideo { attempt }
            | SetAudioMode { attempt, .. }
            | StartAttempt { attempt, .. }
            | Forward { attempt, .. }
            | CallStarting { attempt, .. }
            | Ended { attempt, .. } => Some(*attempt),
            StartTimer { id, .. } | CancelTimer { id } => Some(id.attempt),
            SessionChanged(view) => Some(view.attempt),
            InitCallsSdk
            | InitChatSdk
            | ConfigureAudio { .. }
            | ActivateAudio
            | DeactivateAudio { .. }
            | OverrideOutput { .. }
            | Render(_)
            | AudioChanged(_)
            | Notify(_)
            | LoginCallsSdk
            | RequestPermission { .. }
            | OpenAppSettings
            | ShareLink { .. }
            | InitCalls { .. } => None,
        }
    }

    /// The port an effect goes to, or `None` for a message between machines.
    pub fn port(&self) -> Option<Port> {
        use Command::*;
        match self {
            InitCallsSdk
            | InitChatSdk
            | RegisterListeners { .. }
            | JoinSession { .. }
            | LeaveSession { .. }
            | MuteAudio { .. }
            | UnmuteAudio { .. }
            | PauseVideo { .. }
            | ResumeVideo { .. }
            | SetAudioMode { .. }
            | LoginCallsSdk
            | InitCalls { .. } => Some(Port::Sdk),
            ConfigureAudio { .. }
            | ActivateAudio
            | DeactivateAudio { .. }
            | OverrideOutput { .. } => Some(Port::Audio),
            StartTimer { .. } | CancelTimer { .. } => Some(Port::Timer),
            Render(_) | RequestPermission { .. } | OpenAppSettings | ShareLink { .. } => {
                Some(Port::Ui)
            }
            StartAttempt { .. }
            | Forward { .. }
            | CallStarting { .. }
            | Ended { .. }
            | SessionChanged(_)
            | AudioChanged(_)
            | Notify(_) => None,
        }
    }
}
