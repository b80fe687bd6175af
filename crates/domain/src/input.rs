//! Inputs: everything that can happen to the core. [`Event`] is what the outside world (the Swift
//! shell, the SDK adapter, the audio adapter, a test) reports; [`Input`] is what one machine
//! receives and what the journal records.
use serde::{Deserialize, Serialize};

use crate::device::{Authorization, MediaKind, Permissions, SetupEvent, WaitingFor};
use crate::ids::{AttemptId, SessionId};
use crate::incident::Incident;
use crate::settings::{AudioMode, CoreConfig, SessionSettings};

use crate::effect::{Effect, TimerKind};
use crate::view::{AudioPort, AudioView, EndReason, JoinErrorCode, Notice, SessionView};

impl SdkEvent {
    /// `joinSession`'s `onError` as the core's input, from the error's code and description
    /// (either may be missing): the code as [`JoinErrorCode::from_sdk_error`] maps it, and as the
    /// message the description, else the code, else a generic line.
    pub fn join_failed_from_sdk(code: Option<&str>, description: Option<&str>) -> SdkEvent {
        let message = [description, code]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|t| !t.is_empty())
            .unwrap_or("Failed to join the call")
            .to_owned();
        SdkEvent::JoinFailed {
            code: JoinErrorCode::from_sdk_error(code, description),
            message,
        }
    }
}

/// The buttons of the SDK's call screen other than leave, as `ButtonClickListener` reports them.
/// The leave button has its own event ([`SdkEvent::LeaveButtonClicked`]) because the core acts on
/// it; these are recorded for the log only: the SDK performs the action itself ("button click
/// events fire before the SDK's default action") and reports the result through its media
/// callbacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SdkButton {
    /// `onToggleAudioButtonClicked`.
    ToggleAudio,
    /// `onToggleVideoButtonClicked`.
    ToggleVideo,
    /// `onSwitchCameraButtonClicked`.
    SwitchCamera,
    /// `onRaiseHandButtonClicked`.
    RaiseHand,
    /// `onShareInviteButtonClicked`.
    ShareInvite,
    /// `onChangeLayoutButtonClicked`.
    ChangeLayout,
    /// `onParticipantListButtonClicked`.
    ParticipantList,
    /// `onChatButtonClicked`.
    Chat,
    /// `onRecordingToggleButtonClicked`.
    RecordingToggle,
}

impl SdkButton {
    /// Every button, in declaration order.
    pub const ALL: [SdkButton; 9] = [
        SdkButton::ToggleAudio,
        SdkButton::ToggleVideo,
        SdkButton::SwitchCamera,
        SdkButton::RaiseHand,
        SdkButton::ShareInvite,
        SdkButton::ChangeLayout,
        SdkButton::ParticipantList,
        SdkButton::Chat,
        SdkButton::RecordingToggle,
    ];

    /// The `ButtonClickListener` callback that reports this button.
    pub fn sdk_callback(self) -> &'static str {
        match self {
            SdkButton::ToggleAudio => "onToggleAudioButtonClicked",
            SdkButton::ToggleVideo => "onToggleVideoButtonClicked",
            SdkButton::SwitchCamera => "onSwitchCameraButtonClicked",
            SdkButton::RaiseHand => "onRaiseHandButtonClicked",
            SdkButton::ShareInvite => "onShareInviteButtonClicked",
            SdkButton::ChangeLayout => "onChangeLayoutButtonClicked",
            SdkButton::ParticipantList => "onParticipantListButtonClicked",
            SdkButton::Chat => "onChatButtonClicked",
            SdkButton::RecordingToggle => "onRecordingToggleButtonClicked",
        }
    }
}

/// What the Calls SDK reports about one attempt: `joinSession`'s completions, the six
/// `SessionStatusListener` callbacks, every `ButtonClickListener` callback, and the media and
/// participant callbacks the UI needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SdkEvent {
    /// `joinSession` `onSuccess`.
    JoinSucceeded,
    /// `joinSession` `onError` with its code and `errorDescription`.
    JoinFailed {
        /// The error code.
        code: JoinErrorCode,
        /// The SDK's description, shown to the user for real failures.
        message: String,
    },
    /// `onSessionJoined`.
    SessionJoined,
    /// `onSessionLeft`: left via `leaveSession()` or removed.
    SessionLeft,
    /// `onSessionTimedOut`: ended by the SDK's idle timeout.
    SessionTimedOut,
    /// `onConnectionLost`: the SDK is trying to reconnect.
    ConnectionLost,
    /// `onConnectionRestored`.
    ConnectionRestored,
    /// `onConnectionClosed`: closed for good.
    ConnectionClosed,
    /// `ButtonClickListener.onLeaveSessionButtonClicked`.
    LeaveButtonClicked,
    /// `onParticipantListChanged`: how many participants, the local user included.
    ParticipantCountChanged {
        /// Participant count.
        count: u32,
    },
    /// `onAudioMuted` / `onAudioUnMuted` (the local user).
    LocalAudioMuted {
        /// Whether the microphone is now muted.
        muted: bool,
    },
    /// `onVideoPaused` / `onVideoResumed` (the local user).
    LocalVideoPaused {
        /// Whether the camera is now off.
        paused: bool,
    },
    /// `onAudioModeChanged`.
    AudioModeChanged {
        /// The new output.
        mode: AudioMode,
    },
    /// A `ButtonClickListener` callback other than the leave button. Recorded, never acted on.
    /// Declared last so that logs written before it existed decode unchanged.
    ButtonClicked {
        /// Which button.
        button: SdkButton,
    },
}

impl SdkEvent {
    /// True for the three callbacks that end a call.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            SdkEvent::SessionLeft | SdkEvent::SessionTimedOut | SdkEvent::ConnectionClosed
        )
    }
}

/// `AVAudioSession.RouteChangeReason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RouteChangeReason {
    Unknown,
    NewDeviceAvailable,
    OldDeviceUnavailable,
    CategoryChange,
    Override,
    WakeFromSleep,
    NoSuitableRouteForCategory,
    RouteConfigurationChange,
}

/// `AVAudioSession.InterruptionReason` of a began interruption.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum InterruptionReason {
    Default,
    AppWasSuspended,
    BuiltInMicMuted,
    RouteDisconnected,
    SceneWasBackgrounded,
}

/// What the audio adapter reports from `AVAudioSession` notifications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AudioEvent {
    /// `routeChangeNotification`, with the new output.
    RouteChanged {
        /// Why the route changed.
        reason: RouteChangeReason,
        /// The new output port.
        output: AudioPort,
    },
    /// `interruptionNotification` with type `.began`.
    InterruptionBegan {
        /// Why.
        reason: InterruptionReason,
    },
    /// `interruptionNotification` with type `.ended`.
    InterruptionEnded {
        /// `InterruptionOptions.shouldResume`.
        should_resume: bool,
    },
    /// `mediaServicesWereResetNotification`: the whole audio setup must be rebuilt.
    MediaServicesReset,
}

/// The app's lifecycle as the shell sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AppState {
    /// The app came to the foreground.
    Foreground,
    /// The app went to the background.
    Background,
}

/// What the outside world reports to the core: the FFI's methods, the SDK adapter, the audio
/// adapter, and the user's intents. [`crate::core::Core::handle_event`] and the runtime route each
/// one to the machine that owns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The app started the core with this configuration.
    Boot(CoreConfig),
    /// A meeting link was opened (Universal Link or in-app).
    OpenLink {
        /// The raw URL, exactly as the system gave it.
        url: String,
    },
    /// The user asked to join a session by id.
    Join {
        /// The raw id as typed or tapped.
        session_id: String,
    },
    /// The user pressed the app's own leave control.
    Leave,
    /// The user toggled the microphone.
    ToggleMic,
    /// The user toggled the camera.
    ToggleCamera,
    /// The user picked the loudspeaker or the earpiece: the SDK's `setAudioMode` (SPEAKER or
    /// EARPIECE) carries it out, so the SDK's own controls and `onAudioModeChanged` stay in step.
    SelectAudioRoute {
        /// `true` for the loudspeaker, `false` for the earpiece.
        speaker: bool,
    },
    /// The user asked to retry a failed call.
    Retry,
    /// The user dismissed an ended call or an error alert.
    Dismiss,
    /// The user answered "switch to the other call?".
    AnswerSwitch {
        /// Leave this call and join the other one.
        accept: bool,
    },
    /// The shell's call view appeared on screen.
    ViewAppeared,
    /// The shell's call view went away.
    ViewDisappeared,
    /// A Calls SDK callback for an attempt.
    Sdk {
        /// The attempt whose `JoinSession` the adapter is serving.
        attempt: AttemptId,
        /// What the SDK said.
        event: SdkEvent,
    },
    /// An `AVAudioSession` notification.
    Audio(AudioEvent),
    /// The app moved to the foreground or background.
    App(AppState),
    /// The runtime's report of a storage or port failure (recorded by the router). Declared last
    /// so that logs written before it existed decode unchanged.
    Incident(Incident),
    /// A new app process started the core (DESIGN rule 10): its configuration and what the shell
    /// read of the microphone and camera authorisation. Every start since format 2 records this;
    /// [`Event::Boot`] is what older logs hold.
    Launch(Launch),
    /// The Calls SDK's init or login completed (rule 11).
    Setup(SetupEvent),
    /// The answer to a permission request, or a status the shell saw change (rule 12).
    Permission {
        /// Which device.
        media: MediaKind,
        /// Its status now.
        status: Authorization,
    },
    /// The user started a new meeting; the shell generated its id (a UUID), which is validated
    /// like any other id.
    NewMeeting {
        /// The raw id.
        session_id: String,
    },
    /// The user tapped "Open Settings" on an error that needs a permission turned on.
    OpenSettings,
}

/// What a new process records when it starts the core.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Launch {
    /// The core's configuration.
    pub config: CoreConfig,
    /// Microphone and camera authorisation when the app started.
    pub permissions: Permissions,
}

/// An input to the router machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RouterInput {
    /// The app started the core.
    Boot(CoreConfig),
    /// A meeting link was opened.
    OpenLink {
        /// The raw URL.
        url: String,
    },
    /// Join by a raw session id.
    Join {
        /// The raw id.
        session_id: String,
    },
    /// The user's answer to a switch offer.
    AnswerSwitch {
        /// Switch calls.
        accept: bool,
    },
    /// Retry the last call.
    Retry,
    /// Dismiss the ended call or alert.
    Dismiss,
    /// A call-level intent or view report, for the current attempt.
    ForCurrent(SessionInput),
    /// The session of an attempt ended.
    AttemptEnded {
        /// Which attempt.
        attempt: AttemptId,
        /// Why it ended.
        reason: EndReason,
    },
    /// An SDK callback for an attempt that has no live session (old, ended or unknown): recorded
    /// and ignored.
    StaleSdkEvent {
        /// The attempt the adapter named.
        attempt: AttemptId,
        /// The callback.
        event: SdkEvent,
    },
    /// A storage or port failure the runtime reports: recorded; a failed init or login command
    /// counts as that step failing. Declared after the older variants so that logs written before
    /// it existed decode unchanged (as are the ones below).
    Incident(Incident),
    /// A new process started: like [`RouterInput::Boot`], and from now on joins are held until
    /// the Calls SDK is ready and the microphone is allowed (rules 10-12). A log with only `Boot`
    /// was written before those rules and replays as it was recorded.
    Launch(Launch),
    /// The Calls SDK's init or login completed.
    Setup(SetupEvent),
    /// A permission's status.
    Permission {
        /// Which device.
        media: MediaKind,
        /// Its status now.
        status: Authorization,
    },
    /// Start a new meeting with this raw id.
    NewMeeting {
        /// The raw id.
        session_id: String,
    },
    /// The SDK's share-invite button was pressed during this attempt: share its meeting link.
    ShareInvite {
        /// The attempt the adapter named.
        attempt: AttemptId,
    },
    /// The user tapped "Open Settings".
    OpenSettings,
}

/// An input to a session machine (one attempt).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionInput {
    /// The router started this attempt.
    Start {
        /// The attempt number.
        attempt: AttemptId,
        /// The session to join.
        session_id: SessionId,
        /// The join settings.
        settings: SessionSettings,
        /// Join timeout.
        join_timeout_ms: u64,
        /// Leave acknowledgement timeout.
        leave_ack_timeout_ms: u64,
    },
    /// The call view appeared: the SDK has a container to draw in.
    ViewAppeared,
    /// The call view went away.
    ViewDisappeared,
    /// The user's own leave.
    Leave,
    /// Toggle the microphone.
    ToggleMic,
    /// Toggle the camera.
    ToggleCamera,
    /// An SDK callback for this attempt.
    Sdk(SdkEvent),
    /// One of this attempt's timers fired.
    TimerFired(TimerKind),
    /// A new process booted while this attempt was still live in the log: its SDK session died
    /// with the old process, so the attempt ends as [`crate::EndReason::AppTerminated`] (rule
    /// 10), whatever its phase, even if its `Start` was lost. Declared last so that logs written
    /// before it existed decode unchanged.
    AppRelaunched {
        /// The attempt (the session may never have received its `Start`).
        attempt: AttemptId,
        /// Its session, as the router knows it: what a rejoin joins.
        session_id: SessionId,
    },
    /// The user chose an audio output for the call: the SDK's `setAudioMode` (the core does not
    /// override the audio session's output behind the SDK's back). Declared last so that logs
    /// written before it existed decode unchanged.
    SelectAudioMode {
        /// The output.
        mode: AudioMode,
    },
    /// The router holds the join: the Calls SDK is not ready or a permission prompt is open.
    /// The view may appear (the joining screen says what it waits for, and the join timeout
    /// runs), but no `JoinSession` goes out until [`SessionInput::Release`].
    Hold {
        /// What it waits for.
        waiting_for: WaitingFor,
    },
    /// The router lets the join go: the SDK is ready and the microphone allowed.
    Release {
        /// The camera is denied: a video call joins with video paused and says so.
        camera_unavailable: bool,
    },
    /// The router ends an attempt that has not joined (the microphone is denied, init or login
    /// failed).
    Abandon {
        /// Why.
        reason: EndReason,
    },
    /// The shell could not start the join at all (its `join_session` port call failed: no
    /// container, the SDK refused the call): no SDK callback will ever come for it.
    JoinNotStarted {
        /// The shell's error.
        message: String,
    },
}

/// An input to the audio machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AudioInput {
    /// A session is about to join: configure and activate.
    CallStarting {
        /// The attempt.
        attempt: AttemptId,
        /// Video call (`.videoChat`) or voice (`.voiceChat`).
        video: bool,
    },
    /// A session ended: deactivate.
    CallEnded {
        /// The attempt.
        attempt: AttemptId,
    },
    /// An `AVAudioSession` notification.
    Event(AudioEvent),
    /// The user picked an output. Logs written before the choice went through the SDK's
    /// `setAudioMode` hold it; today's core routes the choice to the session instead
    /// ([`SessionInput::SelectAudioMode`]), and the audio machine keeps this only so that those
    /// logs replay as they were recorded.
    SelectRoute {
        /// Loudspeaker, or the category default.
        speaker: bool,
    },
    /// The app's lifecycle.
    App(AppState),
    /// The shell could not carry out an audio-session command (an `AVAudioSession` error, with
    /// its code in the message): recorded by the audio machine, which reacts to a failed
    /// activation (rule 13).
    PortFailed {
        /// The command.
        command: Effect,
        /// The shell's error.
        message: String,
    },
}

/// An input to the UI bridge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UiInput {
    /// A session's state changed.
    Session(SessionView),
    /// The audio state changed.
    Audio(AudioView),
    /// Something the router wants the user to see.
    Notice(Notice),
}

/// An input to any machine: the body of an input record in the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// For the router.
    Router(RouterInput),
    /// For a session.
    Session(SessionInput),
    /// For the audio machine.
    Audio(AudioInput),
    /// For the UI bridge.
    Ui(UiInput),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_join_failure_message_is_the_description_then_the_code_then_a_generic_line() {
        let message = |code, description| match SdkEvent::join_failed_from_sdk(code, description) {
            SdkEvent::JoinFailed { message, .. } => message,
            other => panic!("not a join failure: {other:?}"),
        };
        assert_eq!(
            message(Some("API ERROR"), Some(" Invalid call token ")),
            "Invalid call token"
        );
        assert_eq!(message(Some("API ERROR"), Some("")), "API ERROR");
        assert_eq!(message(None, None), "Failed to join the call");
    }

    #[test]
    fn every_sdk_button_is_listed_once_with_its_own_callback() {
        let mut seen = std::collections::BTreeSet::new();
        for button in SdkButton::ALL {
            // A new button fails to compile here until it is placed (and added to ALL).
            let place = match button {
                SdkButton::ToggleAudio => 0,
                SdkButton::ToggleVideo => 1,
                SdkButton::SwitchCamera => 2,
                SdkButton::RaiseHand => 3,
                SdkButton::ShareInvite => 4,
                SdkButton::ChangeLayout => 5,
                SdkButton::ParticipantList => 6,
                SdkButton::Chat => 7,
                SdkButton::RecordingToggle => 8,
            };
            assert_eq!(SdkButton::ALL[place], button);
            let callback = button.sdk_callback();
            assert!(
                callback.starts_with("on") && callback.ends_with("ButtonClicked"),
                "{callback}"
            );
            assert!(seen.insert(callback), "{callback} twice");
            assert_eq!(SdkEvent::ButtonClicked { button }.to_string(), callback);
        }
        assert_eq!(seen.len(), SdkButton::ALL.len());
    }
}
