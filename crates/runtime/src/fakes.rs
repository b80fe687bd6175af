//! Fake ports that record what the core asked of them: for the demo, tests and the simulator.
//! They never call back on their own; the caller plays the SDK's and the system's side.
//!
//! A call is recorded as the domain's own [`Effect`], built from the port call's arguments (so a
//! test compares what was performed with what the machines decided, in one type). The port does
//! not see everything an effect says: `init_calls(0)` is recorded as `InitCalls { request: 0 }`
//! whether the core decided `InitCallsSdk` or `InitCalls`.
use std::sync::{Arc, Mutex};

use switchboard_domain::effect::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{
    AttemptId, AudioMode, Effect, Event, MediaKind, SessionId, SessionSettings, SetupEvent, UiState,
};

use crate::ports::{AudioSession, CallsSdk, Clock, PortError, PortResult, Ports, UiSink};
use crate::{EventSink, Runtime};

/// Which port calls a [`Recorder`] makes fail, and how.
type FailWhen = Box<dyn Fn(&Effect) -> Option<Failure> + Send + Sync>;

/// How a port call the [`Recorder`] was told to fail fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// It returns a [`PortError`].
    Error,
    /// It panics.
    Panic,
}

/// Records every port call in order (failed ones too).
#[derive(Default)]
pub struct Recorder {
    calls: Mutex<Vec<Effect>>,
    fail_when: Mutex<Option<FailWhen>>,
    /// How many calls [`Recorder::setup_answers`] has looked at.
    setup_seen: Mutex<usize>,
    /// Where [`Recorder::answer_setup`] sends its answers.
    answers: Mutex<Option<EventSink>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("calls", &self.calls().len())
            .finish()
    }
}

impl Recorder {
    fn push(&self, call: Effect) -> PortResult {
        let failure = self
            .fail_when
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .and_then(|f| f(&call));
        let text = format!("{call:?}");
        {
            // Held across answering and recording, so `answer_setup` sees each call once.
            let sink = self.answers.lock().unwrap_or_else(|p| p.into_inner());
            if let (None, Some(sink)) = (failure, sink.as_ref()) {
                if let Some(event) = setup_answer(&call) {
                    sink.send(event);
                }
            }
            self.calls
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(call);
        }
        match failure {
            None => Ok(()),
            Some(Failure::Error) => Err(PortError(format!("fake port refused {text}"))),
            Some(Failure::Panic) => panic!("fake port panicked on {text}"),
        }
    }

    /// From now on, the calls `when` picks fail as it says (a test's stand-in for a shell that
    /// could not carry a call out).
    pub fn fail_when(&self, when: impl Fn(&Effect) -> Option<Failure> + Send + Sync + 'static) {
        *self.fail_when.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(when));
    }

    /// From now on, plays a shell whose Calls SDK always gets ready: every init it is asked for
    /// succeeds (the user still logged in) and every login succeeds, each answered through `sink`
    /// from inside the port call. The init and login calls made before this are answered now.
    pub fn answer_setup(&self, sink: EventSink) {
        let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
        for event in self.setup_answers() {
            sink.send(event);
        }
        *answers = Some(sink);
    }

    /// What a shell whose SDK always gets ready reports for the init and login calls made since
    /// the last time this was asked: init succeeds with the user still logged in, login succeeds.
    pub fn setup_answers(&self) -> Vec<Event> {
        let calls = self.calls();
        let mut seen = self.setup_seen.lock().unwrap_or_else(|p| p.into_inner());
        let answers = calls.iter().skip(*seen).filter_map(setup_answer).collect();
        *seen = calls.len();
        answers
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Effect> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How many calls match.
    pub fn count(&self, f: impl Fn(&Effect) -> bool) -> usize {
        self.calls().iter().filter(|c| f(c)).count()
    }

    /// The attempt of the last `join_session`.
    pub fn last_join_attempt(&self) -> Option<AttemptId> {
        self.calls().iter().rev().find_map(|c| match c {
            Effect::JoinSession { attempt, .. } => Some(*attempt),
            _ => None,
        })
    }

    /// Every `UiState` rendered, in order.
    pub fn renders(&self) -> Vec<UiState> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                Effect::Render(s) => Some(s),
                _ => None,
            })
            .collect()
    }
}

impl CallsSdk for Recorder {
    fn init_calls(&self, request: u64) -> PortResult {
        self.push(Effect::init_calls(request))
    }
    fn init_chat(&self) -> PortResult {
        self.push(Effect::InitChatSdk)
    }
    fn register_listeners(&self, attempt: AttemptId) -> PortResult {
        self.push(Effect::RegisterListeners { attempt })
    }
    fn join_session(
        &self,
        attempt: AttemptId,
        session_id: &SessionId,
        settings: &SessionSettings,
    ) -> PortResult {
        self.push(Effect::JoinSession {
            attempt,
            session_id: session_id.clone(),
            settings: settings.clone(),
        })
    }
    fn leave_session(&self, attempt: AttemptId) -> PortResult {
        self.push(Effect::LeaveSession { attempt })
    }
    fn set_audio_muted(&self, attempt: AttemptId, muted: bool) -> PortResult {
        self.push(Effect::audio_muted(attempt, muted))
    }
    fn set_video_paused(&self, attempt: AttemptId, paused: bool) -> PortResult {
        self.push(Effect::video_paused(attempt, paused))
    }
    fn set_audio_mode(&self, attempt: AttemptId, mode: AudioMode) -> PortResult {
        self.push(Effect::SetAudioMode { attempt, mode })
    }
    fn login(&self) -> PortResult {
        self.push(Effect::LoginCallsSdk)
    }
}

impl AudioSession for Recorder {
    fn configure(
        &self,
        category: AudioCategory,
        mode: AudioSessionMode,
        options: AudioOptions,
    ) -> PortResult {
        self.push(Effect::ConfigureAudio {
            category,
            mode,
            options,
        })
    }
    fn activate(&self) -> PortResult {
        self.push(Effect::ActivateAudio)
    }
    fn deactivate(&self, notify_others: bool) -> PortResult {
        self.push(Effect::DeactivateAudio { notify_others })
    }
    fn override_output(&self, speaker: bool) -> PortResult {
        self.push(Effect::OverrideOutput { speaker })
    }
}

impl UiSink for Recorder {
    fn render(&self, state: &UiState) -> PortResult {
        self.push(Effect::Render(state.clone()))
    }
    fn request_permission(&self, media: MediaKind) -> PortResult {
        self.push(Effect::RequestPermission { media })
    }
    fn open_app_settings(&self) -> PortResult {
        self.push(Effect::OpenAppSettings)
    }
    fn share_link(&self, url: &str) -> PortResult {
        self.push(Effect::ShareLink {
            url: url.to_owned(),
        })
    }
}

/// A shell's answer, when its SDK always gets ready, to an init or login call.
fn setup_answer(call: &Effect) -> Option<Event> {
    let event = match call {
        // (`init_calls(0)` is recorded as `InitCalls`, never as `InitCallsSdk`.)
        Effect::InitCalls { request } => SetupEvent::InitSucceeded {
            request: *request,
            logged_in: true,
        },
        Effect::LoginCallsSdk => SetupEvent::LoginSucceeded,
        _ => return None,
    };
    Some(Event::Setup(event))
}

/// Settles the runtime, playing a shell whose Calls SDK always gets ready: each init or login
/// it was asked for is answered with success ([`Recorder::setup_answers`]) until none is left.
pub async fn settle_ready(rt: &Runtime, rec: &Recorder) {
    loop {
        rt.settle().await;
        let answers = rec.setup_answers();
        if answers.is_empty() {
            return;
        }
        for event in answers {
            rt.send(event);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_domain::{TimerId, TimerKind};

    /// Every port call is recorded as an effect whose `port_method` is the method called, so a
    /// shell's fake can name the method to fail from the effect it recorded.
    #[test]
    fn each_port_call_records_an_effect_named_after_its_method() {
        let rec = Recorder::default();
        let session = SessionId::parse("abc").unwrap();
        let options = AudioOptions {
            allow_bluetooth: true,
            default_to_speaker: false,
        };
        let calls: Vec<(&str, PortResult)> = vec![
            ("init_calls", rec.init_calls(3)),
            ("init_chat", rec.init_chat()),
            ("register_listeners", rec.register_listeners(1)),
            (
                "join_session",
                rec.join_session(1, &session, &SessionSettings::default()),
            ),
            ("leave_session", rec.leave_session(1)),
            ("set_audio_muted", rec.set_audio_muted(1, true)),
            ("set_audio_muted", rec.set_audio_muted(1, false)),
            ("set_video_paused", rec.set_video_paused(1, true)),
            ("set_video_paused", rec.set_video_paused(1, false)),
            ("set_audio_mode", rec.set_audio_mode(1, AudioMode::Speaker)),
            ("login", rec.login()),
            (
                "configure",
                rec.configure(
                    AudioCategory::PlayAndRecord,
                    AudioSessionMode::VoiceChat,
                    options,
                ),
            ),
            ("activate", rec.activate()),
            ("deactivate", rec.deactivate(true)),
            ("override_output", rec.override_output(false)),
            ("render", rec.render(&UiState::Idle)),
            (
                "request_permission",
                rec.request_permission(MediaKind::Camera),
            ),
            ("open_app_settings", rec.open_app_settings()),
            ("share_link", rec.share_link("https://example.org/s/abc")),
        ];
        let recorded = rec.calls();
        assert_eq!(recorded.len(), calls.len());
        for ((method, result), effect) in calls.into_iter().zip(recorded) {
            assert_eq!(result, Ok(()));
            assert_eq!(effect.port_method(), Some(method), "{effect:?}");
        }
        // `init_calls(0)` performs `InitCallsSdk` too.
        assert_eq!(Effect::InitCallsSdk.port_method(), Some("init_calls"));
        // The timers are no port's.
        let id = TimerId {
            kind: TimerKind::JoinTimeout,
            attempt: 1,
        };
        assert_eq!(Effect::CancelTimer { id }.port_method(), None);
    }
}
