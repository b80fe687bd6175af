//! The UI bridge machine: folds the current session's and the audio machine's views, and the
//! router's notices, into one [`UiState`], and renders it only when it changed.
use serde::{Deserialize, Serialize};

use crate::command::{Command, Notice};
use crate::device::WaitingFor;
use crate::ids::{AttemptId, SessionId};
use crate::input::{AudioPort, UiInput};
use crate::machine::Machine;
use crate::settings::AudioMode;
use crate::ui::{EndReason, UiState};

/// Where a session is, as the UI needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhaseView {
    /// Started, waiting for the call view to appear.
    Waiting,
    /// `JoinSession` sent, not joined yet.
    Joining,
    /// Joined and connected.
    Connected,
    /// Joined, connection lost, the SDK is reconnecting.
    Reconnecting,
    /// `LeaveSession` sent, waiting for the terminal callback.
    Leaving,
    /// Ended.
    Ended(EndReason),
}

/// A session's state as published to the UI bridge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionView {
    /// The attempt.
    pub attempt: AttemptId,
    /// The session.
    pub session_id: SessionId,
    /// The call's title.
    pub title: String,
    /// Where it is.
    pub phase: PhaseView,
    /// Local microphone muted.
    pub muted: bool,
    /// Local camera off.
    pub camera_off: bool,
    /// Participants, the local user included.
    pub participant_count: u32,
    /// The SDK's audio mode, when it has reported one.
    pub audio_mode: Option<AudioMode>,
    /// The join is held until this is ready (rules 11 and 12).
    pub waiting_for: Option<WaitingFor>,
    /// The camera is denied: a video call joins with video paused.
    pub camera_unavailable: bool,
}

/// The audio machine's state as published to the UI bridge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AudioView {
    /// The session is active.
    pub active: bool,
    /// An interruption began and audio has not resumed.
    pub interrupted: bool,
    /// The current output port.
    pub route: AudioPort,
    /// Activating (or configuring) the audio session failed; it is retried on the next foreground
    /// or route change.
    pub unavailable: bool,
}

/// State of the UI bridge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiBridge {
    session: Option<SessionView>,
    audio: AudioView,
    /// An alert that belongs to no attempt: a rejected link, a refused join. With whether it
    /// offers Open Settings.
    link_error: Option<(String, bool)>,
    switch_offer: Option<SessionId>,
    rendered: Option<UiState>,
}

impl UiBridge {
    /// The session view it holds, if any.
    pub fn session_view(&self) -> Option<&SessionView> {
        self.session.as_ref()
    }

    /// The audio view it holds.
    pub fn audio_view(&self) -> &AudioView {
        &self.audio
    }

    /// The state last rendered (Idle before anything was rendered).
    pub fn current(&self) -> UiState {
        self.rendered.clone().unwrap_or(UiState::Idle)
    }

    fn derive(&self) -> UiState {
        let Some(s) = &self.session else {
            return match &self.link_error {
                Some((message, open_settings)) => UiState::Error {
                    message: message.clone(),
                    can_retry: false,
                    open_settings: *open_settings,
                },
                None => UiState::Idle,
            };
        };
        match &s.phase {
            PhaseView::Waiting | PhaseView::Joining => UiState::Joining {
                session_id: s.session_id.to_string(),
                title: s.title.clone(),
                switch_offer: self.switch_offer.as_ref().map(|id| id.to_string()),
                waiting_for: s.waiting_for,
            },
            PhaseView::Connected | PhaseView::Reconnecting => UiState::InCall {
                session_id: s.session_id.to_string(),
                reconnecting: s.phase == PhaseView::Reconnecting,
                muted: s.muted,
                camera_off: s.camera_off,
                audio_route: self.audio.route,
                participant_count: s.participant_count,
                audio_interrupted: self.audio.interrupted,
                switch_offer: self.switch_offer.as_ref().map(|id| id.to_string()),
                camera_unavailable: s.camera_unavailable,
                audio_unavailable: self.audio.unavailable,
            },
            PhaseView::Leaving => UiState::Leaving,
            PhaseView::Ended(reason) if reason.is_error() => UiState::Error {
                message: reason.message(),
                can_retry: reason.can_retry(),
                open_settings: reason.needs_settings(),
            },
            PhaseView::Ended(reason) => UiState::Ended {
                reason: reason.clone(),
                message: reason.message(),
                can_retry: reason.can_retry(),
            },
        }
    }

    /// An alert that belongs to no attempt (a bad link, a refused join). During a call it does
    /// not tear the call screen down.
    fn alert(&mut self, message: String, open_settings: bool) {
        let in_call = self
            .session
            .as_ref()
            .is_some_and(|s| !matches!(s.phase, PhaseView::Ended(_)));
        if !in_call {
            self.session = None;
            self.link_error = Some((message, open_settings));
        }
    }

    fn apply(&mut self, input: &UiInput) {
        match input {
            UiInput::Session(view) => {
                let newer = self
                    .session
                    .as_ref()
                    .is_none_or(|s| view.attempt >= s.attempt);
                if newer {
                    if self.session.as_ref().map(|s| s.attempt) != Some(view.attempt) {
                        self.switch_offer = None;
                    }
                    self.link_error = None;
                    self.session = Some(view.clone());
                }
            }
            UiInput::Audio(view) => self.audio = view.clone(),
            UiInput::Notice(Notice::LinkRejected { reason }) => {
                self.alert(reason.message().to_owned(), false);
            }
            UiInput::Notice(Notice::JoinRefused { reason, .. }) => {
                self.alert(reason.message(), reason.needs_settings());
            }
            UiInput::Notice(Notice::SwitchOffered { to }) => self.switch_offer = Some(to.clone()),
            UiInput::Notice(Notice::SwitchCleared) => self.switch_offer = None,
            UiInput::Notice(Notice::Dismissed) => {
                let ended = self
                    .session
                    .as_ref()
                    .is_none_or(|s| matches!(s.phase, PhaseView::Ended(_)));
                if ended {
                    self.session = None;
                    self.link_error = None;
                }
            }
        }
    }
}

impl Machine for UiBridge {
    type Input = UiInput;

    fn step(&mut self, input: &UiInput, _at_ms: u64) -> Vec<Command> {
        self.apply(input);
        let next = self.derive();
        if self.rendered.as_ref() == Some(&next)
            || (self.rendered.is_none() && next == UiState::Idle)
        {
            return Vec::new();
        }
        self.rendered = Some(next.clone());
        vec![Command::Render(next)]
    }
}
