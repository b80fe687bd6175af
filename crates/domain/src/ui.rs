//! What SwiftUI draws: one [`UiState`], and why a call ended ([`EndReason`]).
use serde::{Deserialize, Serialize};

use crate::device::{SetupStep, WaitingFor};
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
    /// The microphone is denied (or restricted): the call was not joined (DESIGN rule 12).
    MicrophoneDenied,
    /// The Calls SDK's init or login failed while the join waited for it (rule 11).
    SetupFailed {
        /// Which step.
        step: SetupStep,
        /// The SDK's message.
        message: String,
    },
    /// The join waited for the SDK (or a permission answer) until the join timeout ran out.
    NotReady {
        /// What it was still waiting for.
        waiting_for: WaitingFor,
    },
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
            EndReason::MicrophoneDenied => "Calls need the microphone, and access to it is off. \
                 Turn it on in Settings > Privacy & Security > Microphone, then join again."
                .to_owned(),
            EndReason::SetupFailed { step, message } => format!(
                "Could not connect to the calling service ({} failed): {message}",
                step.name()
            ),
            EndReason::NotReady { waiting_for } => match waiting_for {
                WaitingFor::CallingService => {
                    "The calling service did not get ready in time. Try again.".to_owned()
                }
                WaitingFor::MicrophonePermission | WaitingFor::CameraPermission => {
                    "The call waited too long for an answer about camera or microphone access."
                        .to_owned()
                }
            },
        }
    }

    /// A join failure, shown as an alert rather than a plain "call ended".
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            EndReason::JoinFailed { .. }
                | EndReason::JoinTimedOut
                | EndReason::MicrophoneDenied
                | EndReason::SetupFailed { .. }
                | EndReason::NotReady { .. }
        )
    }

    /// Whether the user needs the Settings app to fix it (an "Open Settings" action).
    pub fn needs_settings(&self) -> bool {
        matches!(self, EndReason::MicrophoneDenied)
    }

    /// Whether offering "retry" makes sense.
    pub fn can_retry(&self) -> bool {
        matches!(
            self,
            EndReason::ConnectionClosed
                | EndReason::JoinTimedOut
                | EndReason::AppTerminated
                | EndReason::SetupFailed { .. }
                | EndReason::NotReady { .. }
                | EndReason::JoinFailed {
                    code: JoinErrorCode::Api | JoinErrorCode::Other { .. },
                    ..
                }
        )
    }
}

/// The in-call line for `audio_unavailable`.
pub const AUDIO_UNAVAILABLE_NOTICE: &str =
    "Audio is unavailable. It comes back when you return to the app or change the audio route.";
/// The in-call line for `camera_unavailable`.
pub const CAMERA_UNAVAILABLE_NOTICE: &str =
    "Camera access is off, so your video is paused. You can allow it in Settings.";

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
        /// The join is held: what it waits for (the SDK getting ready, a permission prompt).
        /// `None` once `joinSession` went out.
        waiting_for: Option<WaitingFor>,
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
        /// The camera is denied: the video call was joined with video paused.
        camera_unavailable: bool,
        /// The audio session could not be activated; it is tried again on the next foreground
        /// or route change.
        audio_unavailable: bool,
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
        /// Offer "Open Settings" (a permission is off).
        open_settings: bool,
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

    /// The in-call indicators the call view shows over the SDK's UI, one line each, in the order
    /// they show (none outside the call).
    pub fn notices(&self) -> Vec<&'static str> {
        let UiState::InCall {
            camera_unavailable,
            audio_unavailable,
            ..
        } = self
        else {
            return Vec::new();
        };
        let mut notices = Vec::new();
        if *audio_unavailable {
            notices.push(AUDIO_UNAVAILABLE_NOTICE);
        }
        if *camera_unavailable {
            notices.push(CAMERA_UNAVAILABLE_NOTICE);
        }
        notices
    }

    /// A short name for timelines.
    pub fn label(&self) -> &'static str {
        match self {
            UiState::Idle => "idle",
            UiState::Joining {
                waiting_for: Some(_),
                ..
            } => "connecting",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn in_call(camera_unavailable: bool, audio_unavailable: bool) -> UiState {
        UiState::InCall {
            session_id: "s".into(),
            reconnecting: false,
            muted: false,
            camera_off: false,
            audio_route: AudioPort::Speaker,
            participant_count: 1,
            audio_interrupted: false,
            switch_offer: None,
            camera_unavailable,
            audio_unavailable,
        }
    }

    #[test]
    fn notices_show_in_the_call_only_audio_first() {
        assert!(in_call(false, false).notices().is_empty());
        assert_eq!(
            in_call(true, true).notices(),
            [AUDIO_UNAVAILABLE_NOTICE, CAMERA_UNAVAILABLE_NOTICE]
        );
        assert_eq!(in_call(true, false).notices(), [CAMERA_UNAVAILABLE_NOTICE]);
        assert!(UiState::Leaving.notices().is_empty());
        assert!(UiState::Leaving.shows_call_view());
        assert!(!UiState::Idle.shows_call_view());
    }
}
