//! Effects: the commands a port carries out, and the port vocabulary they carry (the audio
//! session's category, mode and options; the core's timers). Below inputs and messages: an input
//! can name an effect (a port failure), and nothing here names an input.
use serde::{Deserialize, Serialize};

use crate::device::MediaKind;
use crate::ids::{AttemptId, SessionId};
use crate::settings::{AudioMode, SessionSettings};
use crate::ui::UiState;

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

/// The core's own timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TimerKind {
    /// A join that has not completed ends when this fires.
    JoinTimeout,
    /// A leave that got no terminal callback ends the call when this fires.
    LeaveAck,
}

/// A timer of one session attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimerId {
    /// Which timer.
    pub kind: TimerKind,
    /// The attempt that owns it.
    pub attempt: AttemptId,
}

/// A command for a port: what the runtime performs (through the Calls SDK, the audio session, its
/// timers, the UI and the app around it) after the journal holds it. The fake ports record these
/// too, built from the arguments of the port call ([`Effect::init_calls`],
/// [`Effect::audio_muted`], [`Effect::video_paused`] where a call's arguments are not the
/// effect's fields one for one).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Effect {
    // ---- Calls SDK port ----
    /// Initialise the Calls SDK (`CometChatCalls(callsAppSettings:)`).
    InitCallsSdk,
    /// Calls SDK port: initialise the Calls SDK (`CometChatCalls(callsAppSettings:...)`), as
    /// [`Effect::InitCallsSdk`] does, for a process that `Launch`ed: the shell names `request`
    /// in the result ([`crate::SetupEvent`]), so only the answer to the latest init counts.
    InitCalls {
        /// This process's count of inits asked for (1 at launch).
        request: u64,
    },
    /// Calls SDK port: `CometChatCalls.login(authToken:onSuccess:onError:)` with the token the
    /// app's token provider gives the shell. The core never sees the token; the result comes back
    /// as [`crate::SetupEvent`].
    LoginCallsSdk,
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

    // ---- UI port (and the app around it) ----
    /// Draw this state.
    Render(UiState),
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
}

/// The port an effect is for.
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

impl Effect {
    /// The effect of the Calls SDK port's `init_calls(request)`. The port does not tell the two
    /// init effects apart: [`Effect::InitCallsSdk`] is performed as `init_calls(0)`, so a fake
    /// records it as `InitCalls { request: 0 }`.
    pub fn init_calls(request: u64) -> Effect {
        Effect::InitCalls { request }
    }

    /// The effect of the Calls SDK port's `set_audio_muted(attempt, muted)`: `MuteAudio` or
    /// `UnmuteAudio`.
    pub fn audio_muted(attempt: AttemptId, muted: bool) -> Effect {
        if muted {
            Effect::MuteAudio { attempt }
        } else {
            Effect::UnmuteAudio { attempt }
        }
    }

    /// The effect of the Calls SDK port's `set_video_paused(attempt, paused)`: `PauseVideo` or
    /// `ResumeVideo`.
    pub fn video_paused(attempt: AttemptId, paused: bool) -> Effect {
        if paused {
            Effect::PauseVideo { attempt }
        } else {
            Effect::ResumeVideo { attempt }
        }
    }

    /// The port this effect goes to.
    pub fn port(&self) -> Port {
        use Effect::*;
        match self {
            InitCallsSdk
            | InitCalls { .. }
            | LoginCallsSdk
            | InitChatSdk
            | RegisterListeners { .. }
            | JoinSession { .. }
            | LeaveSession { .. }
            | MuteAudio { .. }
            | UnmuteAudio { .. }
            | PauseVideo { .. }
            | ResumeVideo { .. }
            | SetAudioMode { .. } => Port::Sdk,
            ConfigureAudio { .. }
            | ActivateAudio
            | DeactivateAudio { .. }
            | OverrideOutput { .. } => Port::Audio,
            StartTimer { .. } | CancelTimer { .. } => Port::Timer,
            Render(_) | RequestPermission { .. } | OpenAppSettings | ShareLink { .. } => Port::Ui,
        }
    }

    /// The port method that carries this effect out, as the port traits spell it: `configure`,
    /// `activate`, `deactivate` and `override_output` on the audio session; `init_calls`,
    /// `set_audio_muted`, `join_session`... on the Calls SDK; `render`, `share_link`... on the
    /// UI. `None` for the timers, which the runtime runs itself. A fake port goes by it to fail
    /// one method.
    pub fn port_method(&self) -> Option<&'static str> {
        use Effect::*;
        Some(match self {
            InitCallsSdk | InitCalls { .. } => "init_calls",
            LoginCallsSdk => "login",
            InitChatSdk => "init_chat",
            RegisterListeners { .. } => "register_listeners",
            JoinSession { .. } => "join_session",
            LeaveSession { .. } => "leave_session",
            MuteAudio { .. } | UnmuteAudio { .. } => "set_audio_muted",
            PauseVideo { .. } | ResumeVideo { .. } => "set_video_paused",
            SetAudioMode { .. } => "set_audio_mode",
            ConfigureAudio { .. } => "configure",
            ActivateAudio => "activate",
            DeactivateAudio { .. } => "deactivate",
            OverrideOutput { .. } => "override_output",
            StartTimer { .. } | CancelTimer { .. } => return None,
            Render(_) => "render",
            RequestPermission { .. } => "request_permission",
            OpenAppSettings => "open_app_settings",
            ShareLink { .. } => "share_link",
        })
    }

    /// The call attempt this effect is about, when it is about one.
    pub fn attempt(&self) -> Option<AttemptId> {
        use Effect::*;
        match self {
            RegisterListeners { attempt }
            | JoinSession { attempt, .. }
            | LeaveSession { attempt }
            | MuteAudio { attempt }
            | UnmuteAudio { attempt }
            | PauseVideo { attempt }
            | ResumeVideo { attempt }
            | SetAudioMode { attempt, .. } => Some(*attempt),
            StartTimer { id, .. } | CancelTimer { id } => Some(id.attempt),
            InitCallsSdk
            | InitCalls { .. }
            | LoginCallsSdk
            | InitChatSdk
            | ConfigureAudio { .. }
            | ActivateAudio
            | DeactivateAudio { .. }
            | OverrideOutput { .. }
            | Render(_)
            | RequestPermission { .. }
            | OpenAppSettings
            | ShareLink { .. } => None,
        }
    }
}
