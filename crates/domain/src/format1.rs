//! The record bodies of journal format 1, frozen, and their upcast to today's types.
//!
//! Format 2 added fields to three structures that records carry ([`crate::UiState`]'s
//! `Joining`, `InCall` and `Error`, [`SessionView`](crate::view::SessionView) and
//! [`AudioView`](crate::view::AudioView)). bincode writes a struct as its fields in order,
//! with no names and no count, so a format-1 record cannot be read through today's types: it is
//! read through these, which are exactly the shapes format 1 had, and then upcast. Only the
//! types on a path from [`Entry`] to a changed structure are mirrored here; everything below them
//! (settings, ids, SDK events, end reasons...) only ever gained variants at the end, which old
//! bytes never name, and is shared.
//!
//! Never edit these: a format-1 log must decode the same forever. A later format that changes a
//! structure again gets its own module, and this one's upcast goes through it.
use serde::{Deserialize, Serialize};

use crate::view::Notice;

use crate::effect::TimerId;
use crate::effect::{AudioCategory, AudioOptions, AudioSessionMode};
use crate::ids::{AttemptId, SessionId};
use crate::input::{AudioInput, SessionInput};
use crate::settings::{AudioMode, CoreConfig, SessionSettings};
use crate::view::{AudioPort, EndReason, PhaseView};

/// A format-1 record body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Entry {
    Input(Input),
    Command(Command),
}

/// A format-1 input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Input {
    Router(RouterInput),
    Session(SessionInput),
    Audio(AudioInput),
    Ui(UiInput),
}

/// A format-1 router input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum RouterInput {
    Boot(CoreConfig),
    OpenLink {
        url: String,
    },
    Join {
        session_id: String,
    },
    AnswerSwitch {
        accept: bool,
    },
    Retry,
    Dismiss,
    ForCurrent(SessionInput),
    AttemptEnded {
        attempt: AttemptId,
        reason: EndReason,
    },
    StaleSdkEvent {
        attempt: AttemptId,
        event: crate::input::SdkEvent,
    },
    Incident(Incident),
}

/// A format-1 incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Incident {
    JournalSetAside {
        kept_as: String,
        message: String,
    },
    JournalTailQuarantined {
        from_seq: u64,
        batches: u64,
        bytes: u64,
        message: String,
    },
    StorageLeftoversRemoved {
        files: Vec<String>,
    },
    PortFailed {
        command: FailedEffect,
        message: String,
    },
}

/// The command a format-1 port failure names: always an effect (only effects go to a port).
/// Reading one that names a message between machines fails, as any undecodable record does.
/// It writes back the format-1 command it was read from, so a record's checksum still holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedEffect {
    original: Command,
    effect: crate::Effect,
}

impl FailedEffect {
    /// The format-1 command as recorded.
    pub fn original(&self) -> &Command {
        &self.original
    }
}

impl TryFrom<Command> for FailedEffect {
    type Error = String;

    fn try_from(original: Command) -> Result<Self, String> {
        match crate::Command::from(original.clone()) {
            crate::Command::Effect(effect) => Ok(FailedEffect { original, effect }),
            crate::Command::Message(m) => Err(format!(
                "a port failure names a message between machines, not an effect: {m:?}"
            )),
        }
    }
}

impl Serialize for FailedEffect {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.original.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FailedEffect {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        FailedEffect::try_from(Command::deserialize(deserializer)?)
            .map_err(serde::de::Error::custom)
    }
}

/// A format-1 UI bridge input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum UiInput {
    Session(SessionView),
    Audio(AudioView),
    Notice(Notice),
}

/// A format-1 session view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct SessionView {
    pub attempt: AttemptId,
    pub session_id: SessionId,
    pub title: String,
    pub phase: PhaseView,
    pub muted: bool,
    pub camera_off: bool,
    pub participant_count: u32,
    pub audio_mode: Option<AudioMode>,
}

/// A format-1 audio view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct AudioView {
    pub active: bool,
    pub interrupted: bool,
    pub route: AudioPort,
}

/// A format-1 UI state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum UiState {
    Idle,
    Joining {
        session_id: String,
        title: String,
        switch_offer: Option<String>,
    },
    InCall {
        session_id: String,
        reconnecting: bool,
        muted: bool,
        camera_off: bool,
        audio_route: AudioPort,
        participant_count: u32,
        audio_interrupted: bool,
        switch_offer: Option<String>,
    },
    Leaving,
    Ended {
        reason: EndReason,
        message: String,
        can_retry: bool,
    },
    Error {
        message: String,
        can_retry: bool,
    },
}

/// A format-1 command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Command {
    InitCallsSdk,
    InitChatSdk,
    RegisterListeners {
        attempt: AttemptId,
    },
    JoinSession {
        attempt: AttemptId,
        session_id: SessionId,
        settings: SessionSettings,
    },
    LeaveSession {
        attempt: AttemptId,
    },
    MuteAudio {
        attempt: AttemptId,
    },
    UnmuteAudio {
        attempt: AttemptId,
    },
    PauseVideo {
        attempt: AttemptId,
    },
    ResumeVideo {
        attempt: AttemptId,
    },
    SetAudioMode {
        attempt: AttemptId,
        mode: AudioMode,
    },
    ConfigureAudio {
        category: AudioCategory,
        mode: AudioSessionMode,
        options: AudioOptions,
    },
    ActivateAudio,
    DeactivateAudio {
        notify_others: bool,
    },
    OverrideOutput {
        speaker: bool,
    },
    StartTimer {
        id: TimerId,
        after_ms: u64,
    },
    CancelTimer {
        id: TimerId,
    },
    Render(UiState),
    StartAttempt {
        attempt: AttemptId,
        session_id: SessionId,
        settings: SessionSettings,
        join_timeout_ms: u64,
        leave_ack_timeout_ms: u64,
    },
    Forward {
        attempt: AttemptId,
        input: SessionInput,
    },
    CallStarting {
        attempt: AttemptId,
        video: bool,
    },
    Ended {
        attempt: AttemptId,
        reason: EndReason,
    },
    SessionChanged(SessionView),
    AudioChanged(AudioView),
    Notify(Notice),
}

impl From<Entry> for crate::Entry {
    fn from(e: Entry) -> Self {
        match e {
            Entry::Input(i) => crate::Entry::Input(i.into()),
            Entry::Command(c) => crate::Entry::Command(c.into()),
        }
    }
}

impl From<Input> for crate::Input {
    fn from(i: Input) -> Self {
        match i {
            Input::Router(r) => crate::Input::Router(r.into()),
            Input::Session(s) => crate::Input::Session(s),
            Input::Audio(a) => crate::Input::Audio(a),
            Input::Ui(u) => crate::Input::Ui(u.into()),
        }
    }
}

impl From<RouterInput> for crate::RouterInput {
    fn from(r: RouterInput) -> Self {
        use crate::RouterInput as R;
        match r {
            RouterInput::Boot(c) => R::Boot(c),
            RouterInput::OpenLink { url } => R::OpenLink { url },
            RouterInput::Join { session_id } => R::Join { session_id },
            RouterInput::AnswerSwitch { accept } => R::AnswerSwitch { accept },
            RouterInput::Retry => R::Retry,
            RouterInput::Dismiss => R::Dismiss,
            RouterInput::ForCurrent(i) => R::ForCurrent(i),
            RouterInput::AttemptEnded { attempt, reason } => R::AttemptEnded { attempt, reason },
            RouterInput::StaleSdkEvent { attempt, event } => R::StaleSdkEvent { attempt, event },
            RouterInput::Incident(i) => R::Incident(i.into()),
        }
    }
}

impl From<Incident> for crate::Incident {
    fn from(i: Incident) -> Self {
        use crate::Incident as I;
        match i {
            Incident::JournalSetAside { kept_as, message } => {
                I::JournalSetAside { kept_as, message }
            }
            Incident::JournalTailQuarantined {
                from_seq,
                batches,
                bytes,
                message,
            } => I::JournalTailQuarantined {
                from_seq,
                batches,
                bytes,
                message,
            },
            Incident::StorageLeftoversRemoved { files } => I::StorageLeftoversRemoved { files },
            Incident::PortFailed { command, message } => I::PortFailed {
                command: command.effect,
                message,
            },
        }
    }
}

impl From<UiInput> for crate::UiInput {
    fn from(u: UiInput) -> Self {
        match u {
            UiInput::Session(v) => crate::UiInput::Session(v.into()),
            UiInput::Audio(v) => crate::UiInput::Audio(v.into()),
            UiInput::Notice(n) => crate::UiInput::Notice(n),
        }
    }
}

impl From<SessionView> for crate::view::SessionView {
    fn from(v: SessionView) -> Self {
        crate::view::SessionView {
            attempt: v.attempt,
            session_id: v.session_id,
            title: v.title,
            phase: v.phase,
            muted: v.muted,
            camera_off: v.camera_off,
            participant_count: v.participant_count,
            audio_mode: v.audio_mode,
            // Format 1 had no holds and no unavailable camera.
            waiting_for: None,
            camera_unavailable: false,
        }
    }
}

impl From<AudioView> for crate::view::AudioView {
    fn from(v: AudioView) -> Self {
        crate::view::AudioView {
            active: v.active,
            interrupted: v.interrupted,
            route: v.route,
            unavailable: false,
        }
    }
}

impl From<UiState> for crate::UiState {
    fn from(s: UiState) -> Self {
        use crate::UiState as U;
        match s {
            UiState::Idle => U::Idle,
            UiState::Joining {
                session_id,
                title,
                switch_offer,
            } => U::Joining {
                session_id,
                title,
                switch_offer,
                waiting_for: None,
            },
            UiState::InCall {
                session_id,
                reconnecting,
                muted,
                camera_off,
                audio_route,
                participant_count,
                audio_interrupted,
                switch_offer,
            } => U::InCall {
                session_id,
                reconnecting,
                muted,
                camera_off,
                audio_route,
                participant_count,
                audio_interrupted,
                switch_offer,
                camera_unavailable: false,
                audio_unavailable: false,
            },
            UiState::Leaving => U::Leaving,
            UiState::Ended {
                reason,
                message,
                can_retry,
            } => U::Ended {
                reason,
                message,
                can_retry,
            },
            UiState::Error { message, can_retry } => U::Error {
                message,
                can_retry,
                open_settings: false,
            },
        }
    }
}

impl From<Command> for crate::Command {
    fn from(c: Command) -> Self {
        use crate::effect::Effect as E;
        use crate::message::Message as M;
        match c {
            Command::InitCallsSdk => E::InitCallsSdk.into(),
            Command::InitChatSdk => E::InitChatSdk.into(),
            Command::RegisterListeners { attempt } => E::RegisterListeners { attempt }.into(),
            Command::JoinSession {
                attempt,
                session_id,
                settings,
            } => E::JoinSession {
                attempt,
                session_id,
                settings,
            }
            .into(),
            Command::LeaveSession { attempt } => E::LeaveSession { attempt }.into(),
            Command::MuteAudio { attempt } => E::MuteAudio { attempt }.into(),
            Command::UnmuteAudio { attempt } => E::UnmuteAudio { attempt }.into(),
            Command::PauseVideo { attempt } => E::PauseVideo { attempt }.into(),
            Command::ResumeVideo { attempt } => E::ResumeVideo { attempt }.into(),
            Command::SetAudioMode { attempt, mode } => E::SetAudioMode { attempt, mode }.into(),
            Command::ConfigureAudio {
                category,
                mode,
                options,
            } => E::ConfigureAudio {
                category,
                mode,
                options,
            }
            .into(),
            Command::ActivateAudio => E::ActivateAudio.into(),
            Command::DeactivateAudio { notify_others } => {
                E::DeactivateAudio { notify_others }.into()
            }
            Command::OverrideOutput { speaker } => E::OverrideOutput { speaker }.into(),
            Command::StartTimer { id, after_ms } => E::StartTimer { id, after_ms }.into(),
            Command::CancelTimer { id } => E::CancelTimer { id }.into(),
            Command::Render(s) => E::Render(s.into()).into(),
            Command::StartAttempt {
                attempt,
                session_id,
                settings,
                join_timeout_ms,
                leave_ack_timeout_ms,
            } => M::StartAttempt {
                attempt,
                session_id,
                settings,
                join_timeout_ms,
                leave_ack_timeout_ms,
            }
            .into(),
            Command::Forward { attempt, input } => M::Forward { attempt, input }.into(),
            Command::CallStarting { attempt, video } => M::CallStarting { attempt, video }.into(),
            Command::Ended { attempt, reason } => M::Ended { attempt, reason }.into(),
            Command::SessionChanged(v) => M::SessionChanged(v.into()).into(),
            Command::AudioChanged(v) => M::AudioChanged(v.into()).into(),
            Command::Notify(n) => M::Notify(n).into(),
        }
    }
}
