//! A runtime that cannot hang: a port that errors or panics becomes a journaled incident and the
//! core goes on; an actor that panics rebuilds itself in place and loses nothing queued for it;
//! a shutdown that cannot settle still returns, closes the journal, and calls no port after it.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use switchboard_domain::{
    ActorName, AudioInput, Command, CoreConfig, Effect, Entry, Event, Incident, Input, MediaKind,
    Message, Permissions, RouterInput, SdkEvent, UiState,
};
use switchboard_journal::Journal;
use switchboard_runtime::fakes::{recording_ports, Failure, Recorder};
use switchboard_runtime::{
    AudioSession, CallsSdk, JournalConfig, ManualClock, PortResult, Ports, Runtime, RuntimeConfig,
    RuntimeError, UiSink,
};

const LINK: &str = "https://meet.switchboard.example/meet/";

/// A guard on every test: a hang fails the test instead of stalling the suite.
const TEST_BOUND: Duration = Duration::from_secs(30);

async fn start() -> (Runtime, Arc<Recorder>) {
    start_failing(|_| None).await
}

/// A runtime whose fake ports fail the calls `when` picks, from the first one (`init_calls` at
/// boot) on.
async fn start_failing(
    when: impl Fn(&Effect) -> Option<Failure> + Send + Sync + 'static,
) -> (Runtime, Arc<Recorder>) {
    let (ports, rec) = recording_ports(Arc::new(ManualClock::new(1_000)));
    rec.fail_when(when);
    let config = RuntimeConfig {
        core: CoreConfig::default(),
        journal: JournalConfig::Memory,
        permissions: Permissions::GRANTED,
    };
    let rt = Runtime::start(config, ports).await.expect("runtime starts");
    rec.answer_setup(rt.events());
    rt.settle().await;
    (rt, rec)
}

async fn send(rt: &Runtime, e: Event) {
    rt.send(e);
    assert!(
        rt.settle_within(TEST_BOUND).await,
        "the core did not settle"
    );
}

/// A whole call: link, view, joined, leave, left.
async fn call(rt: &Runtime, attempt: u64, id: &str) {
    let sdk = |event| Event::Sdk { attempt, event };
    send(
        rt,
        Event::OpenLink {
            url: format!("{LINK}{id}"),
        },
    )
    .await;
    send(rt, Event::ViewAppeared).await;
    send(rt, sdk(SdkEvent::JoinSucceeded)).await;
    send(rt, Event::Leave).await;
    send(rt, sdk(SdkEvent::SessionLeft)).await;
    send(rt, Event::ViewDisappeared).await;
    send(rt, Event::Dismiss).await;
}

fn incidents(journal: &dyn Journal) -> Vec<Incident> {
    journal
        .scan(0)
        .filter_map(|r| match r.expect("readable").body {
            Entry::Input(Input::Router(RouterInput::Incident(i))) => Some(i),
            // The audio machine takes its own failed commands (it reacts to a failed activation).
            Entry::Input(Input::Audio(AudioInput::PortFailed { command, message })) => {
                Some(Incident::PortFailed { command, message })
            }
            _ => None,
        })
        .collect()
}

fn ends(journal: &dyn Journal) -> usize {
    let is_end = |r: &switchboard_journal::Record| {
        matches!(
            r.body,
            Entry::Command(Command::Message(Message::Ended { .. }))
        )
    };
    journal
        .scan(0)
        .filter(|r| is_end(r.as_ref().unwrap()))
        .count()
}

/// Every kind of port call, as the fake records it, with a call that triggers it.
type Pick = fn(&Effect) -> bool;

fn port_calls() -> Vec<(&'static str, Pick)> {
    vec![
        ("init_calls", |c| matches!(c, Effect::InitCalls { .. })),
        ("register_listeners", |c| {
            matches!(c, Effect::RegisterListeners { .. })
        }),
        ("join_session", |c| matches!(c, Effect::JoinSession { .. })),
        ("leave_session", |c| {
            matches!(c, Effect::LeaveSession { .. })
        }),
        ("configure", |c| matches!(c, Effect::ConfigureAudio { .. })),
        ("activate", |c| matches!(c, Effect::ActivateAudio)),
        ("deactivate", |c| {
            matches!(c, Effect::DeactivateAudio { .. })
        }),
        ("render", |c| matches!(c, Effect::Render(_))),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_or_panicking_port_is_journaled_and_the_core_goes_on() {
    for failure in [Failure::Error, Failure::Panic] {
        for (name, pick) in port_calls() {
            let (rt, _rec) = start_failing(move |c| pick(c).then_some(failure)).await;
            call(&rt, 1, "first").await;
            call(&rt, 2, "second").await;
            let journal = rt.journal();
            let failed: Vec<_> = incidents(journal.as_ref())
                .into_iter()
                .filter(|i| matches!(i, Incident::PortFailed { .. }))
                .collect();
            assert!(
                !failed.is_empty(),
                "{name} {failure:?}: no incident journaled"
            );
            if let Incident::PortFailed { message, .. } = &failed[0] {
                let expected = if failure == Failure::Panic {
                    "panicked"
                } else {
                    "refused"
                };
                assert!(message.contains(expected), "{name}: {message}");
            }
            // Both calls went all the way through despite the failures.
            assert_eq!(ends(journal.as_ref()), 2, "{name} {failure:?}");
            assert_eq!(rt.ui_state(), UiState::Idle, "{name} {failure:?}");
            tokio::time::timeout(TEST_BOUND, rt.shutdown())
                .await
                .expect("shutdown returns")
                .expect("shutdown is clean");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_router_audio_or_ui_actor_rebuilds_itself_and_loses_nothing_queued() {
    for actor in [ActorName::Router, ActorName::Audio, ActorName::Ui] {
        let (rt, rec) = start().await;
        send(
            &rt,
            Event::OpenLink {
                url: format!("{LINK}alpha"),
            },
        )
        .await;
        // The panic and the messages behind it are queued together: none may be lost.
        rt.inject_panic(actor);
        send(&rt, Event::ViewAppeared).await;
        rt.inject_panic(actor);
        send(
            &rt,
            Event::Sdk {
                attempt: 1,
                event: SdkEvent::JoinSucceeded,
            },
        )
        .await;
        assert!(
            matches!(rt.ui_state(), UiState::InCall { .. }),
            "{actor}: {:?}",
            rt.ui_state()
        );
        assert_eq!(
            rec.count(|c| matches!(c, Effect::JoinSession { .. })),
            1,
            "{actor}"
        );
        send(&rt, Event::Leave).await;
        send(
            &rt,
            Event::Sdk {
                attempt: 1,
                event: SdkEvent::SessionLeft,
            },
        )
        .await;
        assert_eq!(ends(rt.journal().as_ref()), 1, "{actor}");
        assert!(matches!(rt.ui_state(), UiState::Ended { .. }), "{actor}");
        rt.shutdown().await.expect("clean shutdown");
    }
}

/// Ports whose `render` blocks until released, counting calls made after shutdown returned.
struct Stuck {
    release: Mutex<bool>,
    released: Condvar,
    after_shutdown: AtomicBool,
    shut_down: AtomicBool,
}

impl Stuck {
    fn note(&self) -> PortResult {
        if self.shut_down.load(Ordering::SeqCst) {
            self.after_shutdown.store(true, Ordering::SeqCst);
        }
        Ok(())
    }
}

impl CallsSdk for Stuck {
    fn init_calls(&self, _: u64) -> PortResult {
        self.note()
    }
    fn init_chat(&self) -> PortResult {
        self.note()
    }
    fn register_listeners(&self, _: u64) -> PortResult {
        self.note()
    }
    fn join_session(
        &self,
        _: u64,
        _: &switchboard_domain::SessionId,
        _: &switchboard_domain::SessionSettings,
    ) -> PortResult {
        self.note()
    }
    fn leave_session(&self, _: u64) -> PortResult {
        self.note()
    }
    fn set_audio_muted(&self, _: u64, _: bool) -> PortResult {
        self.note()
    }
    fn set_video_paused(&self, _: u64, _: bool) -> PortResult {
        self.note()
    }
    fn set_audio_mode(&self, _: u64, _: switchboard_domain::AudioMode) -> PortResult {
        self.note()
    }
    fn login(&self) -> PortResult {
        self.note()
    }
}

impl AudioSession for Stuck {
    fn configure(
        &self,
        _: switchboard_domain::effect::AudioCategory,
        _: switchboard_domain::effect::AudioSessionMode,
        _: switchboard_domain::effect::AudioOptions,
    ) -> PortResult {
        self.note()
    }
    fn activate(&self) -> PortResult {
        self.note()
    }
    fn deactivate(&self, _: bool) -> PortResult {
        self.note()
    }
    fn override_output(&self, _: bool) -> PortResult {
        self.note()
    }
}

impl UiSink for Stuck {
    fn render(&self, state: &UiState) -> PortResult {
        // Noted on the way in: the one render under way at shutdown may finish after it.
        self.note()?;
        if matches!(state, UiState::Joining { .. }) {
            let mut go = self.release.lock().unwrap();
            while !*go {
                go = self.released.wait(go).unwrap();
            }
        }
        Ok(())
    }
    fn request_permission(&self, _: MediaKind) -> PortResult {
        self.note()
    }
    fn open_app_settings(&self) -> PortResult {
        self.note()
    }
    fn share_link(&self, _: &str) -> PortResult {
        self.note()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shutdown_that_cannot_settle_says_what_was_left_and_still_closes() {
    let stuck = Arc::new(Stuck {
        release: Mutex::new(false),
        released: Condvar::new(),
        after_shutdown: AtomicBool::new(false),
        shut_down: AtomicBool::new(false),
    });
    let ports = Ports {
        sdk: stuck.clone(),
        audio: stuck.clone(),
        ui: stuck.clone(),
        clock: Arc::new(ManualClock::new(1_000)),
    };
    let config = RuntimeConfig {
        core: CoreConfig::default(),
        journal: JournalConfig::Memory,
        permissions: Permissions::GRANTED,
    };
    let rt = Runtime::start(config, ports).await.unwrap();
    rt.send(Event::OpenLink {
        url: format!("{LINK}alpha"),
    });
    let result = tokio::time::timeout(TEST_BOUND, rt.shutdown())
        .await
        .expect("shutdown is bounded");
    match result {
        Err(RuntimeError::Unsettled { ports_busy, .. }) => assert_eq!(ports_busy, 1),
        other => panic!("expected an unsettled shutdown, got {other:?}"),
    }
    stuck.shut_down.store(true, Ordering::SeqCst);
    // Let the stuck render go; whatever the core does next must not reach a port.
    *stuck.release.lock().unwrap() = true;
    stuck.released.notify_all();
    rt.send(Event::ViewAppeared);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !stuck.after_shutdown.load(Ordering::SeqCst),
        "a port was called after shutdown returned"
    );
}
