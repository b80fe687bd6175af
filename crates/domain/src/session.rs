//! The session machine: one call attempt, from the call view appearing to `Ended`.
//!
//! `Waiting -> Joining -> InCall{Connected|Reconnecting} -> Leaving -> Ended{reason}`. It sends
//! `JoinSession` exactly once, `LeaveSession` at most once, and ends exactly once, whichever
//! terminal callback comes first (rules 1-8 of DESIGN.md section 2).
use serde::{Deserialize, Serialize};

use crate::command::Command;

use crate::message::Message;

use crate::device::WaitingFor;
use crate::effect::Effect;
use crate::effect::{TimerId, TimerKind};
use crate::ids::{AttemptId, SessionId};
use crate::input::{SdkEvent, SessionInput};
use crate::machine::Machine;
use crate::settings::{AudioMode, SessionSettings, SessionType};
use crate::view::{EndReason, JoinErrorCode, PhaseView, SessionView};

/// The code of a join the shell could not start (its `join_session` port call failed).
pub const JOIN_NOT_STARTED: &str = "JOIN NOT STARTED";

/// Where the attempt is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// No `Start` input yet.
    #[default]
    Unstarted,
    /// Started; waiting for the call view, which gives the SDK its container.
    Waiting,
    /// `JoinSession` sent.
    Joining,
    /// Joined.
    InCall {
        /// Connection lost; the SDK is reconnecting.
        reconnecting: bool,
    },
    /// `LeaveSession` sent.
    Leaving,
    /// Over.
    Ended(EndReason),
}

/// State of one attempt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    attempt: AttemptId,
    session_id: Option<SessionId>,
    settings: SessionSettings,
    join_timeout_ms: u64,
    leave_ack_timeout_ms: u64,
    phase: Phase,
    join_sent: bool,
    leave_sent: bool,
    spurious_init_errors: u32,
    muted: bool,
    camera_off: bool,
    participant_count: u32,
    audio_mode: Option<AudioMode>,
    hold: Option<WaitingFor>,
    camera_unavailable: bool,
    /// The call view is on screen, as the shell last reported: a held join goes out only while
    /// it is (the SDK draws into it).
    view_up: bool,
    /// An `Abandon` that came before the `Start`.
    decided_early: Option<EndReason>,
}

impl Session {
    /// Where the attempt is.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// True once the attempt has ended.
    pub fn is_ended(&self) -> bool {
        matches!(self.phase, Phase::Ended(_))
    }

    /// True for a video call (`.videoChat` audio), false for voice.
    pub fn is_video(&self) -> bool {
        self.settings.session_type == SessionType::Video
    }

    /// True once `JoinSession` went out for this attempt (a held join has not).
    pub fn join_sent(&self) -> bool {
        self.join_sent
    }

    /// What a held join waits for, if it is held.
    pub fn waiting_for(&self) -> Option<WaitingFor> {
        if self.held_back() {
            self.hold
        } else {
            None
        }
    }

    /// How many spurious `INIT ERROR`s were tolerated.
    pub fn spurious_init_errors(&self) -> u32 {
        self.spurious_init_errors
    }

    fn timer(&self, kind: TimerKind) -> TimerId {
        TimerId {
            kind,
            attempt: self.attempt,
        }
    }

    /// The view published to the UI bridge.
    pub fn view(&self) -> Option<SessionView> {
        let phase = match &self.phase {
            Phase::Unstarted => return None,
            Phase::Waiting => PhaseView::Waiting,
            Phase::Joining => PhaseView::Joining,
            Phase::InCall {
                reconnecting: false,
            } => PhaseView::Connected,
            Phase::InCall { reconnecting: true } => PhaseView::Reconnecting,
            Phase::Leaving => PhaseView::Leaving,
            Phase::Ended(r) => PhaseView::Ended(r.clone()),
        };
        Some(SessionView {
            attempt: self.attempt,
            session_id: self.session_id.clone()?,
            title: self.settings.title.clone(),
            phase,
            muted: self.muted,
            camera_off: self.camera_off,
            participant_count: self.participant_count,
            audio_mode: self.audio_mode,
            waiting_for: match self.phase {
                Phase::Waiting | Phase::Joining if !self.join_sent => self.hold,
                _ => None,
            },
            camera_unavailable: self.camera_unavailable,
        })
    }

    fn start(&mut self, input: &SessionInput) -> Vec<Command> {
        let SessionInput::Start {
            attempt,
            session_id,
            settings,
            join_timeout_ms,
            leave_ack_timeout_ms,
        } = input
        else {
            return Vec::new();
        };
        self.attempt = *attempt;
        self.session_id = Some(session_id.clone());
        self.settings = settings.clone();
        self.join_timeout_ms = *join_timeout_ms;
        self.leave_ack_timeout_ms = *leave_ack_timeout_ms;
        self.muted = settings.start_audio_muted;
        self.camera_off =
            settings.start_video_paused || settings.session_type == SessionType::Voice;
        self.participant_count = 1;
        self.phase = Phase::Waiting;
        // What the router decided before the Start arrived (it sends its decision first, so the
        // first view the UI sees already says whether the join waits).
        let camera_unavailable = std::mem::take(&mut self.camera_unavailable);
        self.release_camera(camera_unavailable);
        match self.decided_early.take() {
            Some(reason) => self.end(reason),
            None => Vec::new(),
        }
    }

    /// A denied camera on a video call: the join goes out with video paused, and says so.
    fn release_camera(&mut self, camera_unavailable: bool) {
        if camera_unavailable && self.is_video() {
            self.camera_unavailable = true;
            self.camera_off = true;
            self.settings.start_video_paused = true;
        }
    }

    /// The router's decision (hold, release, abandon) can come before the `Start`: it is kept
    /// and applied when the attempt starts.
    fn decide_early(&mut self, input: &SessionInput) -> Vec<Command> {
        match input {
            SessionInput::Hold { waiting_for } => self.hold = Some(*waiting_for),
            SessionInput::Release { camera_unavailable } => {
                self.hold = None;
                self.camera_unavailable = *camera_unavailable;
            }
            SessionInput::Abandon { reason } => self.decided_early = Some(reason.clone()),
            _ => {}
        }
        Vec::new()
    }

    /// Rule 7: the join goes out on the first appearance of the view, never again. A held join
    /// (rules 11 and 12) shows the joining screen and starts the join timeout, and goes out on
    /// [`SessionInput::Release`].
    fn view_appeared(&mut self) -> Vec<Command> {
        self.view_up = true;
        if self.phase == Phase::Joining && !self.join_sent && self.hold.is_none() {
            // Released while the view was away: the join goes out now that it is back.
            return self.join();
        }
        if self.phase != Phase::Waiting || self.join_sent {
            return Vec::new();
        }
        self.phase = Phase::Joining;
        let timer = Command::Effect(Effect::StartTimer {
            id: self.timer(TimerKind::JoinTimeout),
            after_ms: self.join_timeout_ms,
        });
        if self.hold.is_some() {
            return vec![timer];
        }
        let mut out = self.join();
        out.insert(2, timer);
        out
    }

    /// The join itself: listeners, `JoinSession`, and the audio session for the call.
    fn join(&mut self) -> Vec<Command> {
        self.join_sent = true;
        let session_id = self
            .session_id
            .clone()
            .expect("started sessions have an id");
        vec![
            Command::Effect(Effect::RegisterListeners {
                attempt: self.attempt,
            }),
            Command::Effect(Effect::JoinSession {
                attempt: self.attempt,
                session_id,
                settings: self.settings.clone(),
            }),
            Command::Message(Message::CallStarting {
                attempt: self.attempt,
                video: self.settings.session_type == SessionType::Video,
            }),
        ]
    }

    /// True while the join is held: the view may be up, but nothing was sent to the SDK.
    fn held_back(&self) -> bool {
        matches!(self.phase, Phase::Waiting | Phase::Joining) && !self.join_sent
    }

    fn hold(&mut self, waiting_for: WaitingFor) -> Vec<Command> {
        if self.held_back() {
            self.hold = Some(waiting_for);
        }
        Vec::new()
    }

    /// The router lets the join go. A camera that is denied pauses video from the start.
    fn release(&mut self, camera_unavailable: bool) -> Vec<Command> {
        if !self.held_back() {
            return Vec::new();
        }
        self.release_camera(camera_unavailable);
        let was_held = self.hold.take().is_some();
        if was_held && self.phase == Phase::Joining && self.view_up {
            return self.join();
        }
        Vec::new()
    }

    /// The shell could not even start the join: it ends as a failed join now, rather than when
    /// the join timeout runs out. Nothing started in the SDK, so there is nothing to leave.
    fn join_not_started(&mut self, message: &str) -> Vec<Command> {
        if self.phase != Phase::Joining || !self.join_sent {
            return Vec::new();
        }
        self.end(EndReason::JoinFailed {
            code: JoinErrorCode::Other {
                code: JOIN_NOT_STARTED.to_owned(),
            },
            message: message.to_owned(),
        })
    }

    /// The router ends an attempt that never reached the SDK.
    fn abandon(&mut self, reason: &EndReason) -> Vec<Command> {
        if !self.held_back() {
            return Vec::new();
        }
        self.end(reason.clone())
    }

    /// Rule 6: the leave button and the user's leave both lead to one `LeaveSession`.
    fn leave(&mut self) -> Vec<Command> {
        match self.phase {
            // Nothing reached the SDK yet: nothing to leave.
            Phase::Waiting => self.end(EndReason::LocalLeave),
            Phase::Joining if !self.join_sent => self.end(EndReason::LocalLeave),
            Phase::Joining | Phase::InCall { .. } if !self.leave_sent => {
                let mut out = self.cancel_join_timer();
                self.leave_sent = true;
                self.phase = Phase::Leaving;
                out.push(Command::Effect(Effect::LeaveSession {
                    attempt: self.attempt,
                }));
                out.push(Command::Effect(Effect::StartTimer {
                    id: self.timer(TimerKind::LeaveAck),
                    after_ms: self.leave_ack_timeout_ms,
                }));
                out
            }
            _ => Vec::new(),
        }
    }

    fn cancel_join_timer(&self) -> Vec<Command> {
        if self.phase == Phase::Joining {
            vec![Command::Effect(Effect::CancelTimer {
                id: self.timer(TimerKind::JoinTimeout),
            })]
        } else {
            Vec::new()
        }
    }

    /// Rule 1: the one way into `Ended`.
    fn end(&mut self, reason: EndReason) -> Vec<Command> {
        let mut out = self.cancel_join_timer();
        if self.phase == Phase::Leaving {
            out.push(Command::Effect(Effect::CancelTimer {
                id: self.timer(TimerKind::LeaveAck),
            }));
        }
        self.phase = Phase::Ended(reason.clone());
        out.push(Command::Message(Message::Ended {
            attempt: self.attempt,
            reason,
        }));
        out
    }

    /// Rule 4: join `onSuccess` and `onSessionJoined` in either order; the first one joins.
    fn joined(&mut self) -> Vec<Command> {
        if self.phase != Phase::Joining {
            return Vec::new();
        }
        let out = self.cancel_join_timer();
        self.phase = Phase::InCall {
            reconnecting: false,
        };
        out
    }

    /// Rule 5: a spurious `INIT ERROR` does not end the attempt; other errors do.
    fn join_failed(&mut self, code: &JoinErrorCode, message: &str) -> Vec<Command> {
        if self.phase != Phase::Joining {
            return Vec::new();
        }
        if *code == JoinErrorCode::Init {
            self.spurious_init_errors += 1;
            return Vec::new();
        }
        self.end(EndReason::JoinFailed {
            code: code.clone(),
            message: message.to_owned(),
        })
    }

    /// Rules 1 and 2: the first terminal callback ends the call; the reason comes from our state.
    fn terminal(&mut self, event: &SdkEvent) -> Vec<Command> {
        let leaving = self.phase == Phase::Leaving;
        if !matches!(
            self.phase,
            Phase::Joining | Phase::InCall { .. } | Phase::Leaving
        ) {
            return Vec::new();
        }
        let reason = match event {
            SdkEvent::SessionTimedOut => EndReason::IdleTimeout,
            _ if leaving => EndReason::LocalLeave,
            SdkEvent::ConnectionClosed => EndReason::ConnectionClosed,
            _ => EndReason::RemovedOrRemote,
        };
        self.end(reason)
    }

    fn sdk(&mut self, event: &SdkEvent) -> Vec<Command> {
        if self.held_back() {
            // No JoinSession went out for this attempt: nothing the SDK says is about it.
            return Vec::new();
        }
        match event {
            SdkEvent::JoinSucceeded | SdkEvent::SessionJoined => self.joined(),
            SdkEvent::JoinFailed { code, message } => self.join_failed(code, message),
            SdkEvent::SessionLeft | SdkEvent::SessionTimedOut | SdkEvent::ConnectionClosed => {
                self.terminal(event)
            }
            // Rule 3: a lost connection never ends the call.
            SdkEvent::ConnectionLost | SdkEvent::ConnectionRestored => {
                if let Phase::InCall { reconnecting } = &mut self.phase {
                    *reconnecting = *event == SdkEvent::ConnectionLost;
                }
                Vec::new()
            }
            SdkEvent::LeaveButtonClicked => self.leave(),
            SdkEvent::ParticipantCountChanged { count } => {
                self.participant_count = *count;
                Vec::new()
            }
            SdkEvent::LocalAudioMuted { muted } => {
                self.muted = *muted;
                Vec::new()
            }
            SdkEvent::LocalVideoPaused { paused } => {
                self.camera_off = *paused;
                Vec::new()
            }
            SdkEvent::AudioModeChanged { mode } => {
                self.audio_mode = Some(*mode);
                Vec::new()
            }
            // The SDK acts on its own buttons; the result comes back as a media callback.
            SdkEvent::ButtonClicked { .. } => Vec::new(),
        }
    }

    /// Rule 10: the process that joined is gone, and its SDK session with it. No `LeaveSession`
    /// (there is no session to leave); the timers are cancelled and the attempt ends.
    fn relaunched(&mut self, attempt: AttemptId, session_id: &SessionId) -> Vec<Command> {
        if self.phase == Phase::Unstarted {
            // Its Start was lost with the old process: it still ends, and says which call.
            self.attempt = attempt;
            self.session_id = Some(session_id.clone());
        }
        self.end(EndReason::AppTerminated)
    }

    fn toggle_mic(&mut self) -> Vec<Command> {
        if !matches!(self.phase, Phase::InCall { .. }) {
            return Vec::new();
        }
        self.muted = !self.muted;
        let attempt = self.attempt;
        vec![if self.muted {
            Command::Effect(Effect::MuteAudio { attempt })
        } else {
            Command::Effect(Effect::UnmuteAudio { attempt })
        }]
    }

    /// The user's output choice goes to the SDK, which reports the change back through
    /// `onAudioModeChanged`; there is no SDK session to ask before the call is joined.
    fn select_audio_mode(&self, mode: AudioMode) -> Vec<Command> {
        if !matches!(self.phase, Phase::InCall { .. }) {
            return Vec::new();
        }
        vec![Command::Effect(Effect::SetAudioMode {
            attempt: self.attempt,
            mode,
        })]
    }

    fn toggle_camera(&mut self) -> Vec<Command> {
        let video = self.settings.session_type == SessionType::Video;
        if !video || !matches!(self.phase, Phase::InCall { .. }) {
            return Vec::new();
        }
        self.camera_off = !self.camera_off;
        let attempt = self.attempt;
        vec![if self.camera_off {
            Command::Effect(Effect::PauseVideo { attempt })
        } else {
            Command::Effect(Effect::ResumeVideo { attempt })
        }]
    }

    fn timer_fired(&mut self, kind: TimerKind) -> Vec<Command> {
        match (kind, &self.phase) {
            // Rule 11: the join waited for the SDK (or a prompt) as long as a join may take.
            // Nothing was sent to the SDK, so there is nothing to leave.
            (TimerKind::JoinTimeout, Phase::Joining) if !self.join_sent => {
                let waiting_for = self.hold.unwrap_or(WaitingFor::CallingService);
                let mut out = self.end(EndReason::NotReady { waiting_for });
                out.retain(|c| !matches!(c, Command::Effect(Effect::CancelTimer { .. })));
                out
            }
            // Rule 5: a join that never completes ends by the core's own timeout; the SDK is
            // told to stop, so it cannot join later into a dismissed view.
            (TimerKind::JoinTimeout, Phase::Joining) => {
                let mut out = vec![Command::Effect(Effect::LeaveSession {
                    attempt: self.attempt,
                })];
                self.leave_sent = true;
                out.extend(self.end(EndReason::JoinTimedOut));
                out.retain(|c| !matches!(c, Command::Effect(Effect::CancelTimer { .. })));
                out
            }
            (TimerKind::LeaveAck, Phase::Leaving) => {
                let mut out = self.end(EndReason::LocalLeave);
                out.retain(|c| !matches!(c, Command::Effect(Effect::CancelTimer { .. })));
                out
            }
            _ => Vec::new(),
        }
    }
}

impl Machine for Session {
    type Input = SessionInput;

    fn step(&mut self, input: &SessionInput, _at_ms: u64) -> Vec<Command> {
        // Rule 8: after Ended, everything is recorded (by the caller) and ignored.
        if self.is_ended() {
            return Vec::new();
        }
        let before = self.view();
        let mut out = match input {
            SessionInput::AppRelaunched {
                attempt,
                session_id,
            } => self.relaunched(*attempt, session_id),
            SessionInput::SelectAudioMode { mode } => self.select_audio_mode(*mode),
            SessionInput::Start { .. } if self.phase == Phase::Unstarted => self.start(input),
            SessionInput::Hold { .. }
            | SessionInput::Release { .. }
            | SessionInput::Abandon { .. }
                if self.phase == Phase::Unstarted =>
            {
                self.decide_early(input)
            }
            _ if self.phase == Phase::Unstarted => return Vec::new(),
            SessionInput::Start { .. } => Vec::new(),
            SessionInput::ViewAppeared => self.view_appeared(),
            // The router keeps track of the view for the log; the session only needs to know
            // whether a held join has somewhere to draw.
            SessionInput::ViewDisappeared => {
                self.view_up = false;
                Vec::new()
            }
            SessionInput::Leave => self.leave(),
            SessionInput::ToggleMic => self.toggle_mic(),
            SessionInput::ToggleCamera => self.toggle_camera(),
            SessionInput::Sdk(event) => self.sdk(event),
            SessionInput::TimerFired(kind) => self.timer_fired(*kind),
            SessionInput::Hold { waiting_for } => self.hold(*waiting_for),
            SessionInput::Release { camera_unavailable } => self.release(*camera_unavailable),
            SessionInput::Abandon { reason } => self.abandon(reason),
            SessionInput::JoinNotStarted { message } => self.join_not_started(message),
        };
        let after = self.view();
        if after != before {
            if let Some(v) = after {
                out.push(Command::Message(Message::SessionChanged(v)));
            }
        }
        out
    }
}
