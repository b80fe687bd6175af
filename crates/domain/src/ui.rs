//! What SwiftUI draws: one [`UiState`], and why a call ended ([`EndReason`]).
use serde::{Deserialize, Serialize};

use crate::device::WaitingFor;
use crate::view::{AudioPort, EndReason};

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
