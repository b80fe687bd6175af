//! Messages: the commands one machine sends to others, and [`Target`], the machine an input goes
//! to. Above inputs: a message carries one (`Forward`) and becomes others ([`Message::deliveries`]).
use crate::ids::{AttemptId, SessionId};
use crate::input::{AudioInput, Input, RouterInput, SessionInput, UiInput};
use crate::settings::SessionSettings;
use crate::view::{AudioView, EndReason, Notice, SessionView};

/// A command for other machines: [`Message::deliveries`] says which inputs it becomes, and for
/// which machine. Nothing leaves the core for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
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

impl Message {
    /// The inputs this message delivers, and to which machine, in order.
    pub fn deliveries(&self) -> Vec<(Target, Input)> {
        match self {
            Message::StartAttempt {
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
            Message::Forward { attempt, input } => {
                vec![(Target::Session(*attempt), Input::Session(input.clone()))]
            }
            Message::CallStarting { attempt, video } => vec![(
                Target::Audio,
                Input::Audio(AudioInput::CallStarting {
                    attempt: *attempt,
                    video: *video,
                }),
            )],
            Message::Ended { attempt, reason } => vec![
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
            Message::SessionChanged(v) => {
                vec![(Target::Ui, Input::Ui(UiInput::Session(v.clone())))]
            }
            Message::AudioChanged(v) => vec![(Target::Ui, Input::Ui(UiInput::Audio(v.clone())))],
            Message::Notify(n) => vec![(Target::Ui, Input::Ui(UiInput::Notice(n.clone())))],
        }
    }

    /// The call attempt this message is about, when it is about one.
    pub fn attempt(&self) -> Option<AttemptId> {
        match self {
            Message::StartAttempt { attempt, .. }
            | Message::Forward { attempt, .. }
            | Message::CallStarting { attempt, .. }
            | Message::Ended { attempt, .. } => Some(*attempt),
            Message::SessionChanged(view) => Some(view.attempt),
            Message::AudioChanged(_) | Message::Notify(_) => None,
        }
    }
}
