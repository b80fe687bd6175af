//! The workload: user journeys, drawn from the workload seed, with the runtime faults of the
//! seed (actor panics, crashes, journal write failures) dropped in between. The result is the
//! input trace of a run: a list of timed actions that the shrinker can cut down. What the SDK,
//! the audio session and the shell do in reply is not in the trace; the fakes decide it.
use std::fmt;

use switchboard_domain::{
    AppState, AudioMode, CoreConfig, Event, IntegrationMode, SessionSettings, SessionType,
    DEFAULT_ALLOWED_HOST,
};

use crate::faults::FaultPlan;
use crate::rng::SimRng;

/// Session ids the journeys use: few, so the same link comes back often.
pub const SESSION_IDS: [&str; 4] = ["standup_42", "retro-7", "design_review", "field-ops"];

/// Links the router must reject, each for a different reason.
const BAD_LINKS: [&str; 6] = [
    "http://meet.switchboard.example/meet/standup_42",
    "https://evil.example/meet/standup_42",
    "https://meet.switchboard.example/meet/a%2Fb",
    "https://user:pw@meet.switchboard.example/meet/standup_42",
    "https://meet.switchboard.example/join/standup_42",
    "not a link",
];

/// Journeys per run.
const JOURNEYS_MIN: u64 = 2;
const JOURNEYS_MAX: u64 = 6;
/// In-call actions per journey.
const IN_CALL_ACTIONS_MAX: u64 = 6;

/// One thing that happens in a run, at a time the trace gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Something the user does in the app: sent to the core as is.
    User(Event),
    /// The user presses the SDK's own leave button (for the SDK's current session).
    SdkLeaveButton,
    /// The user mutes or unmutes with the SDK's own button (the SDK reports it).
    SdkMuteButton,
    /// The user presses the SDK's share-invite button (for the SDK's current session).
    SdkShareButton,
    /// The user taps "Open Settings" on the error, if the error on screen offers it (a denied
    /// microphone).
    OpenSettingsIfOffered,
    /// Navigation takes the call view away and brings it back `back_ms` later.
    Navigate {
        /// How long the view is gone.
        back_ms: u64,
    },
    /// The call view's `onAppear` fires again while it is on screen.
    ViewAppearsAgain,
    /// Nothing: time passes.
    Idle,
    /// The live session's actor panics (the router restarts it from the journal).
    PanicSession,
    /// The runtime crashes and starts again on the same journal.
    CrashRestart,
    /// The live session's actor panics with the next SDK callback for it queued behind the
    /// panicking message.
    PanicInFlight,
    /// The runtime crashes while the next SDK callback is in flight between the actors: right
    /// after the `appends`-th journal append it causes. Starts again on the same journal.
    CrashInFlight {
        /// Journal appends of the callback's cascade that happen before the crash.
        appends: u64,
    },
    /// The next `events` events from outside fail to be journaled.
    JournalFailure {
        /// How many events in a row.
        events: u64,
    },
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::User(e) => match e {
                Event::OpenLink { url } => write!(f, "open link {url}"),
                Event::Join { session_id } => write!(f, "join by id {session_id}"),
                Event::SelectAudioRoute { speaker } => {
                    write!(f, "select route speaker = {speaker}")
                }
                Event::AnswerSwitch { accept } => write!(f, "answer switch: accept = {accept}"),
                Event::App(s) => write!(f, "app {s:?}"),
                Event::NewMeeting { session_id } => write!(f, "start a new meeting {session_id}"),
                Event::OpenSettings => f.write_str("open the app's Settings page"),
                other => write!(f, "{other:?}"),
            },
            Action::SdkLeaveButton => f.write_str("press the SDK's leave button"),
            Action::SdkMuteButton => f.write_str("press the SDK's mute button"),
            Action::SdkShareButton => f.write_str("press the SDK's share-invite button"),
            Action::OpenSettingsIfOffered => {
                f.write_str("tap Open Settings, if the error on screen offers it")
            }
            Action::Navigate { back_ms } => write!(f, "navigate away, back after {back_ms} ms"),
            Action::ViewAppearsAgain => f.write_str("the call view's onAppear fires again"),
            Action::Idle => f.write_str("wait"),
            Action::PanicSession => f.write_str("FAULT: the live session actor panics"),
            Action::CrashRestart => f.write_str("FAULT: the runtime crashes and restarts"),
            Action::PanicInFlight => f.write_str(
                "FAULT: the live session actor panics with the next SDK callback queued behind",
            ),
            Action::CrashInFlight { appends } => write!(
                f,
                "FAULT: the runtime crashes after {appends} journal append(s) of the next SDK callback, and restarts"
            ),
            Action::JournalFailure { events } => {
                write!(
                    f,
                    "FAULT: the next {events} outside event(s) fail to be journaled"
                )
            }
        }
    }
}

/// An action and how long after the previous one it happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    /// Virtual milliseconds after the previous action.
    pub after_ms: u64,
    /// What happens.
    pub action: Action,
}

/// The core configuration of a run (the router's `Boot`), drawn from the workload seed.
pub fn core_config(rng: &mut SimRng) -> CoreConfig {
    let mode = if rng.chance(300) {
        IntegrationMode::Additive
    } else {
        IntegrationMode::Standalone
    };
    let settings = SessionSettings {
        title: "Simulated call".to_owned(),
        session_type: if rng.chance(300) {
            SessionType::Voice
        } else {
            SessionType::Video
        },
        start_audio_muted: rng.chance(200),
        start_video_paused: rng.chance(200),
        audio_mode: *rng.pick(&[AudioMode::Speaker, AudioMode::Earpiece]),
        idle_timeout_s: *rng.pick(&[60, 180, 300]) as u32,
    };
    CoreConfig {
        mode,
        allowed_hosts: vec![DEFAULT_ALLOWED_HOST.to_owned()],
        settings,
        join_timeout_ms: rng.range(10_000, 45_000),
        leave_ack_timeout_ms: rng.range(3_000, 15_000),
    }
}

fn link(id: &str) -> Action {
    Action::User(Event::OpenLink {
        url: format!("https://{DEFAULT_ALLOWED_HOST}/meet/{id}"),
    })
}

/// Builds a trace step by step.
struct Journeys<'a> {
    rng: &'a mut SimRng,
    out: Vec<TraceStep>,
}

impl Journeys<'_> {
    /// Adds `action`, `lo..=hi` ms after the previous one.
    fn after(&mut self, lo: u64, hi: u64, action: Action) {
        let after_ms = self.rng.range(lo, hi);
        self.out.push(TraceStep { after_ms, action });
    }

    /// Adds `action` after a think time: a short pause (a tap after a glance), or now and then
    /// a long one.
    fn think(&mut self, action: Action) {
        let after_ms = match self.rng.weighted(&[60, 30, 10]) {
            0 => self.rng.range(200, 4_000),
            1 => self.rng.range(4_000, 60_000),
            _ => self.rng.range(60_000, 600_000),
        };
        self.out.push(TraceStep { after_ms, action });
    }

    fn start(&mut self, id: &str) {
        match self.rng.weighted(&[72, 12, 8, 5, 3]) {
            0 => self.after(500, 30_000, link(id)),
            1 => {
                let join = Action::User(Event::Join {
                    session_id: id.to_owned(),
                });
                self.after(500, 30_000, join);
            }
            2 => {
                // The link is tapped twice (a double tap, or the app and the browser both).
                self.after(500, 30_000, link(id));
                self.after(0, 1_500, link(id));
            }
            3 => {
                // Leaving before the join completes (or while it waits for the SDK or a prompt).
                self.after(500, 30_000, link(id));
                self.after(100, 2_500, Action::User(Event::Leave));
            }
            _ => {
                // "Start a new meeting": the shell makes a fresh id (a UUID).
                let session_id = uuid(self.rng);
                self.after(500, 30_000, Action::User(Event::NewMeeting { session_id }));
            }
        }
    }

    fn in_call(&mut self, id: &str) {
        let actions = self.rng.below(IN_CALL_ACTIONS_MAX + 1);
        for _ in 0..actions {
            let action = match self
                .rng
                .weighted(&[14, 8, 10, 6, 8, 6, 4, 6, 5, 4, 5, 8, 3])
            {
                0 => Action::User(Event::ToggleMic),
                1 => Action::User(Event::ToggleCamera),
                2 => Action::User(Event::SelectAudioRoute {
                    speaker: self.rng.coin(),
                }),
                3 => Action::SdkMuteButton,
                4 => {
                    self.think(Action::User(Event::App(AppState::Background)));
                    Action::User(Event::App(AppState::Foreground))
                }
                5 => Action::Navigate {
                    back_ms: self.rng.range(100, 5_000),
                },
                6 => Action::ViewAppearsAgain,
                7 => link(id),
                8 => Action::User(Event::OpenLink {
                    url: (*self.rng.pick(&BAD_LINKS)).to_owned(),
                }),
                9 => Action::User(Event::Join {
                    session_id: "not valid!".to_owned(),
                }),
                10 => {
                    self.switch(id);
                    continue;
                }
                11 => Action::Idle,
                _ => Action::SdkShareButton,
            };
            self.think(action);
        }
    }

    /// Another link during the call, and the answer (or none).
    fn switch(&mut self, id: &str) {
        let other = *self.rng.pick(&SESSION_IDS);
        let other = if other == id { SESSION_IDS[0] } else { other };
        self.think(link(other));
        let answer = |accept| Action::User(Event::AnswerSwitch { accept });
        match self.rng.weighted(&[40, 35, 15, 10]) {
            0 => self.after(500, 5_000, answer(true)),
            1 => self.after(500, 5_000, answer(false)),
            2 => {
                // Answered twice (a double tap).
                let accept = self.rng.coin();
                self.after(500, 5_000, answer(accept));
                self.after(0, 800, answer(!accept));
            }
            _ => {}
        }
    }

    fn end(&mut self) {
        match self.rng.weighted(&[40, 25, 15, 20]) {
            0 => self.think(Action::User(Event::Leave)),
            1 => self.think(Action::SdkLeaveButton),
            // Stay until the call ends on its own (remote end, idle timeout) or not.
            2 => self.after(300_000, 900_000, Action::Idle),
            _ => {}
        }
        match self.rng.weighted(&[60, 15, 8, 17]) {
            0 => self.after(500, 8_000, Action::User(Event::Dismiss)),
            1 => self.after(500, 8_000, Action::User(Event::Retry)),
            2 => {
                // "Open Settings" (offered when the microphone is denied), then back and retry
                // or dismiss.
                self.after(500, 8_000, Action::OpenSettingsIfOffered);
                let back = if self.rng.coin() {
                    Event::Retry
                } else {
                    Event::Dismiss
                };
                self.after(2_000, 60_000, Action::User(back));
            }
            _ => {}
        }
    }

    fn journey(&mut self) {
        if self.rng.chance(70) {
            let bad = (*self.rng.pick(&BAD_LINKS)).to_owned();
            self.after(500, 20_000, Action::User(Event::OpenLink { url: bad }));
            self.after(500, 5_000, Action::User(Event::Dismiss));
            return;
        }
        let id = *self.rng.pick(&SESSION_IDS);
        self.start(id);
        if self.rng.chance(150) {
            // A join refused at once (the microphone is off): the user goes to Settings.
            self.after(1_000, 6_000, Action::OpenSettingsIfOffered);
        }
        self.in_call(id);
        self.end();
    }
}

/// A version-4 UUID from the workload stream (what the shell's `UUID()` gives).
fn uuid(rng: &mut SimRng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        8 + (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// Places the seed's runtime faults at random points of the trace.
fn add_faults(trace: &mut Vec<TraceStep>, plan: &FaultPlan, rng: &mut SimRng) {
    let mut faults = Vec::new();
    faults.extend(std::iter::repeat_n(
        Action::PanicSession,
        plan.panics as usize,
    ));
    faults.extend(std::iter::repeat_n(
        Action::CrashRestart,
        plan.crashes as usize,
    ));
    for _ in 0..plan.journal_failures {
        let events = rng.range(1, 3);
        faults.push(Action::JournalFailure { events });
    }
    faults.extend(std::iter::repeat_n(
        Action::PanicInFlight,
        plan.panics_in_flight as usize,
    ));
    for _ in 0..plan.crashes_in_flight {
        let appends = rng.range(1, 4);
        faults.push(Action::CrashInFlight { appends });
    }
    for action in faults {
        let at = rng.below(trace.len() as u64 + 1) as usize;
        let after_ms = rng.range(0, 3_000);
        trace.insert(at, TraceStep { after_ms, action });
    }
}

/// The input trace of a seed: user journeys from the workload stream, runtime faults placed
/// by the mix stream.
pub fn generate(workload: &mut SimRng, mix: &mut SimRng, plan: &FaultPlan) -> Vec<TraceStep> {
    let mut journeys = Journeys {
        rng: workload,
        out: Vec::new(),
    };
    let count = journeys.rng.range(JOURNEYS_MIN, JOURNEYS_MAX);
    for _ in 0..count {
        journeys.journey();
    }
    let mut trace = journeys.out;
    add_faults(&mut trace, plan, mix);
    trace
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::FaultLevel;

    #[test]
    fn traces_are_reproducible_and_varied() {
        let gen = |seed: u64| {
            let mut w = SimRng::new(seed);
            let mut m = SimRng::new(seed ^ 1);
            let plan = FaultPlan::draw(FaultLevel::Heavy, &mut m);
            generate(&mut w, &mut m, &plan)
        };
        assert_eq!(gen(3), gen(3));
        assert_ne!(gen(3), gen(4));
        let total: usize = (0..50).map(|s| gen(s).len()).sum();
        assert!(total / 50 > 10, "average trace length {}", total / 50);
    }
}
