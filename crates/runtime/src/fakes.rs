//! Fake ports that record what the core asked of them: for the demo, tests and the simulator.
//! They never call back on their own; the caller plays the SDK's and the system's side.
use std::sync::{Arc, Mutex};

use switchboard_domain::command::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{AttemptId, AudioMode, SessionId, SessionSettings, UiState};

use crate::ports::{AudioSession, CallsSdk, Clock, Ports, UiSink};

/// One call the core made on a fake port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortCall {
    /// `init_calls`.
    InitCalls,
    /// `init_chat`.
    InitChat,
    /// `register_listeners`.
    RegisterListeners(AttemptId),
    /// `join_session`.
    JoinSession(AttemptId, SessionId),
    /// `leave_session`.
    LeaveSession(AttemptId),
    /// `set_audio_muted`.
    AudioMuted(AttemptId, bool),
    /// `set_video_paused`.
    VideoPaused(AttemptId, bool),
    /// `set_audio_mode`.
    AudioMode(AttemptId, AudioMode),
    /// `configure`.
    Configure(AudioCategory, AudioSessionMode),
    /// `activate`.
    Activate,
    /// `deactivate`.
    Deactivate(bool),
    /// `override_output`.
    OverrideOutput(bool),
    /// `render`.
    Render(UiState),
}

/// Records every port call in order.
#[derive(Debug, Default)]
pub struct Recorder {
    calls: Mutex<Vec<PortCall>>,
}

impl Recorder {
    fn push(&self, call: PortCall) {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(call);
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<PortCall> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How many calls match.
    pub fn count(&self, f: impl Fn(&PortCall) -> bool) -> usize {
        self.calls().iter().filter(|c| f(c)).count()
    }

    /// The attempt of the last `join_session`.
    pub fn last_join_attempt(&self) -> Option<AttemptId> {
        self.calls().iter().rev().find_map(|c| match c {
            PortCall::JoinSession(a, _) => Some(*a),
            _ => None,
        })
    }

    /// Every `UiState` rendered, in order.
    pub fn renders(&self) -> Vec<UiState> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                PortCall::Render(s) => Some(s),
                _ => None,
            })
            .collect()
    }
}

impl CallsSdk for Recorder {
    fn init_calls(&self) {
        self.push(PortCall::InitCalls);
    }
    fn init_chat(&self) {
        self.push(PortCall::InitChat);
    }
    fn register_listeners(&self, attempt: AttemptId) {
        self.push(PortCall::RegisterListeners(attempt));
    }
    fn join_session(&self, attempt: AttemptId, session_id: &SessionId, _: &SessionSettings) {
        self.push(PortCall::JoinSession(attempt, session_id.clone()));
    }
    fn leave_session(&self, attempt: AttemptId) {
        self.push(PortCall::LeaveSession(attempt));
    }
    fn set_audio_muted(&self, attempt: AttemptId, muted: bool) {
        self.push(PortCall::AudioMuted(attempt, muted));
    }
    fn set_video_paused(&self, attempt: AttemptId, paused: bool) {
        self.push(PortCall::VideoPaused(attempt, paused));
    }
    fn set_audio_mode(&self, attempt: AttemptId, mode: AudioMode) {
        self.push(PortCall::AudioMode(attempt, mode));
    }
}

impl AudioSession for Recorder {
    fn configure(&self, category: AudioCategory, mode: AudioSessionMode, _: AudioOptions) {
        self.push(PortCall::Configure(category, mode));
    }
    fn activate(&self) {
        self.push(PortCall::Activate);
    }
    fn deactivate(&self, notify_others: bool) {
        self.push(PortCall::Deactivate(notify_others));
    }
    fn override_output(&self, speaker: bool) {
        self.push(PortCall::OverrideOutput(speaker));
    }
}

impl UiSink for Recorder {
    fn render(&self, state: &UiState) {
        self.push(PortCall::Render(state.clone()));
    }
}

/// Ports that all record into one [`Recorder`], with the given clock.
pub fn recording_ports(clock: Arc<dyn Clock>) -> (Ports, Arc<Recorder>) {
    let rec = Arc::new(Recorder::default());
    let ports = Ports {
        sdk: rec.clone(),
        audio: rec.clone(),
        ui: rec.clone(),
        clock,
    };
    (ports, rec)
}
