//! What SwiftUI draws: one [`UiState`], and why a call ended ([`EndReason`]).
use serde::{Deserialize, Serialize};

use crate::input::{AudioPort, JoinErrorCode};

/// Why an attempt ended. The SDK gives no reason with its terminal callbacks, so the session works
/// it out from its own state (rule 2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum EndReason {
    /// We left: a terminal callback after our leave, or no callback before the leave timeout.
    LocalLeave,
    /// `onConnectionClosed` while we were not leaving.
    ConnectionClosed,
    /// `onSessionTimedOut`: the SDK's idle (alone) timeout.
    IdleTimeout,
    /// `onSessionLeft` while we were not leaving: removed, or ended remotely.
    RemovedOrRemote,
    /// `joinSession` failed with a real error.
    JoinFailed {
        /// The code.
        code: JoinErrorCode,
        /// The SDK's description.
        message: String,
    },
    /// The join did not complete before the core's join timeout.
    JoinTimedOut,
    /// The app's process ended while the attempt was live (a crash, the system reclaiming memory
    /// in the background, a force-quit): its SDK session died with it, and the next process
    /// ended the attempt when it booted (DESIGN rule 10). Declared last so that logs written
    /// before it existed decode unchanged.
    AppTerminated,
}

impl EndReason {
    /// A sentence for the user.
    pub fn message(&self) -> String {
        match self {
            EndReason::LocalLeave => "You left the call.".to_owned(),
            EndReason::ConnectionClosed => "The connection to the call was closed.".to_owned(),
            EndReason::IdleTimeout => {
                "The call ended because you were alone in it for too long.".to_owned()
            }
            EndReason::RemovedOrRemote => "The call was ended by someone else.".to_owned(),
            EndReason::JoinFailed { code, message } => {
                format!("Could not join the call ({}): {message}", code.sdk_name())
            }
            EndReason::JoinTimedOut => "Joining the call took too long.".to_owned(),
            EndReason::AppTerminated => {
                "The call ended when the app closed. You can rejoin it.".to_owned()
            }
        }
    }

    /// A join failure, shown as an alert rather than a plain "call ended".
    pub fn is_error(&self) -> bool {
        matches!(self, EndReason::JoinFailed { .. } | EndReason::JoinTimedOut)
    }

    /// Whether offering "retry" makes sense.
    pub fn can_retry(&self) -> bool {
        matches!(
            self,
            EndReason::ConnectionClosed
                | EndReason::JoinTimedOut
                | EndReason::AppTerminated
                | EndReason::JoinFailed {
                    code: JoinErrorCode::Api | JoinErrorCode::Other { .. },
                    ..
                }
        )
    }
}

/// The one state SwiftUI renders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum UiState {
    /// No call.
    Idle,
    /// A call is being joined: the call view is up and the SDK is connecting.
    Joining {
        /// The session.
        session_id: String,
        /// Its title.
        title: String,
        /// A link for another session arrived: ask whether to switch.
        switch_offer: Option<String>,
    },
    /// In the call.
    InCall {
        /// The session.
        session_id: String,
        /// The connection dropped and the SDK is reconnecting.
        reconnecting: bool,
        /// Local microphone muted.
        muted: bool,
        /// Local camera off.
        camera_off: bool,
        /// Current audio output.
        audio_route: AudioPort,
        /// Participants, the local user included.
        participant_count: u32,
        /// Audio is interrupted (a phone call, Siri...).
        audio_interrupted: bool,
        /// A link for another session arrived: ask whether to switch.
        switch_offer: Option<String>,
    },
    /// Leaving the call.
    Leaving,
    /// The call ended: the call view is dismissed.
    Ended {
        /// Why.
        reason: EndReason,
        /// A sentence for the user.
        message: String,
        /// Offer retry.
        can_retry: bool,
    },
    /// Something went wrong: shown as an alert, then dismissed. The call view is dismissed.
    Error {
        /// A sentence for the user.
        message: String,
        /// Offer retry.
        can_retry: bool,
    },
}

impl UiState {
    /// True when this state takes the call view off the screen.
    pub fn dismisses_call_view(&self) -> bool {
        matches!(self, UiState::Ended { .. } | UiState::Error { .. })
    }

    /// True while the call view must be on screen.
    pub fn shows_call_view(&self) -> bool {
        matches!(
            self,
            UiState::Joining { .. } | UiState::InCall { .. } | UiState::Leaving
        )
    }

    /// A short name for timelines.
    pub fn label(&self) -> &'static str {
        match self {
            UiState::Idle => "idle",
            UiState::Joining { .. } => "joining",
            UiState::InCall {
                reconnecting: true, ..
            } => "reconnecting",
            UiState::InCall { .. } => "in-call",
            UiState::Leaving => "leaving",
            UiState::Ended { .. } => "ended",
            UiState::Error { .. } => "error",
        }
    }
}
