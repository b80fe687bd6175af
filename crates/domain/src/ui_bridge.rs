//! The UI bridge machine: folds the current session's and the audio machine's views, and the
//! router's notices, into one [`UiState`], and renders it only when it changed.
use serde::{Deserialize, Serialize};

use crate::command::Command;

use crate::view::Notice;

use crate::effect::Effect;
use crate::ids::SessionId;
use crate::input::UiInput;
use crate::machine::Machine;
use crate::ui::UiState;
use crate::view::{AudioView, PhaseView, SessionView};

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
        vec![Command::Effect(Effect::Render(next))]
    }
}
