//! Property tests: random sequences of outside events (and of the timers the core itself started)
//! driven through [`Core`], checking the call rules that must hold whatever happens.
use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use switchboard_domain::core::{Core, Step};
use switchboard_domain::session::Phase;
use switchboard_domain::settings::{AudioMode, SessionType};
use switchboard_domain::ui_bridge::PhaseView;
use switchboard_domain::{
    AppState, AttemptId, AudioEvent, AudioPort, Command, CoreConfig, Event, Input, IntegrationMode,
    InterruptionReason, JoinErrorCode, RouteChangeReason, SdkButton, SdkEvent, SessionInput,
    Target, TimerId,
};

/// Which attempt an SDK callback names.
#[derive(Clone, Debug)]
enum AttemptPick {
    /// The router's latest attempt (1 before any): what a live adapter would stamp.
    Latest,
    /// A fixed number: old, current or not yet started.
    Fixed(AttemptId),
}

/// One step of a scenario.
#[derive(Clone, Debug)]
enum Action {
    /// An outside event (SDK callbacks carry an [`AttemptPick`] resolved at run time).
    Event(Event),
    /// An SDK callback.
    Sdk(AttemptPick, SdkEvent),
    /// Fire the n-th (mod count) timer that was started and not cancelled; nothing when none.
    FireTimer(usize),
    /// The app's process dies and a new one starts on the same log (DESIGN rule 10): what the
    /// runtime delivers at launch, then `Boot`.
    Relaunch,
}

const URLS: &[&str] = &[
    "https://meet.switchboard.example/meet/abc",
    "https://meet.switchboard.example/meet/abc/",
    "https://meet.switchboard.example/meet/%61bc?x=1",
    "https://MEET.switchboard.example/meet/xyz",
    "https://meet.switchboard.example/meet/xyz#frag",
    "http://meet.switchboard.example/meet/abc",
    "https://evil.example/meet/abc",
    "https://meet.switchboard.example/meet/a%2Fb",
    "https://meet.switchboard.example/meet/",
    "https://meet.switchboard.example/meet/../meet/abc",
    "",
    "nope",
];

const RAW_IDS: &[&str] = &["abc", "xyz", "bad id", ""];

fn sdk_event() -> impl Strategy<Value = SdkEvent> {
    let code = prop_oneof![
        Just(JoinErrorCode::Init),
        Just(JoinErrorCode::AuthToken),
        Just(JoinErrorCode::SessionId),
        Just(JoinErrorCode::Api),
        Just(JoinErrorCode::Other {
            code: "BOOM".into()
        }),
    ];
    let mode = prop_oneof![
        Just(AudioMode::Speaker),
        Just(AudioMode::Earpiece),
        Just(AudioMode::Bluetooth),
        Just(AudioMode::Headphones),
    ];
    prop_oneof![
        4 => Just(SdkEvent::JoinSucceeded),
        4 => Just(SdkEvent::SessionJoined),
        3 => code.prop_map(|code| SdkEvent::JoinFailed {
            code,
            message: "failed".into()
        }),
        2 => Just(SdkEvent::SessionLeft),
        2 => Just(SdkEvent::SessionTimedOut),
        3 => Just(SdkEvent::ConnectionLost),
        3 => Just(SdkEvent::ConnectionRestored),
        2 => Just(SdkEvent::ConnectionClosed),
        2 => Just(SdkEvent::LeaveButtonClicked),
        1 => (0u32..6).prop_map(|count| SdkEvent::ParticipantCountChanged { count }),
        1 => any::<bool>().prop_map(|muted| SdkEvent::LocalAudioMuted { muted }),
        1 => any::<bool>().prop_map(|paused| SdkEvent::LocalVideoPaused { paused }),
        1 => mode.prop_map(|mode| SdkEvent::AudioModeChanged { mode }),
        1 => proptest::sample::select(&SdkButton::ALL[..])
            .prop_map(|button| SdkEvent::ButtonClicked { button }),
    ]
}

fn audio_event() -> impl Strategy<Value = AudioEvent> {
    let reason = prop_oneof![
        Just(RouteChangeReason::Unknown),
        Just(RouteChangeReason::NewDeviceAvailable),
        Just(RouteChangeReason::OldDeviceUnavailable),
        Just(RouteChangeReason::CategoryChange),
        Just(RouteChangeReason::Override),
        Just(RouteChangeReason::RouteConfigurationChange),
    ];
    let port = prop_oneof![
        Just(AudioPort::Receiver),
        Just(AudioPort::Speaker),
        Just(AudioPort::BluetoothHfp),
        Just(AudioPort::Headphones),
        Just(AudioPort::CarAudio),
    ];
    let why = prop_oneof![
        Just(InterruptionReason::Default),
        Just(InterruptionReason::AppWasSuspended),
        Just(InterruptionReason::BuiltInMicMuted),
        Just(InterruptionReason::RouteDisconnected),
        Just(InterruptionReason::SceneWasBackgrounded),
    ];
    prop_oneof![
        (reason, port).prop_map(|(reason, output)| AudioEvent::RouteChanged { reason, output }),
        why.prop_map(|reason| AudioEvent::InterruptionBegan { reason }),
        any::<bool>().prop_map(|should_resume| AudioEvent::InterruptionEnded { should_resume }),
        Just(AudioEvent::MediaServicesReset),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    let attempt = prop_oneof![
        3 => Just(AttemptPick::Latest),
        1 => (1u64..=4).prop_map(AttemptPick::Fixed),
    ];
    let ev = |e: Event| Action::Event(e);
    prop_oneof![
        3 => prop::sample::select(URLS).prop_map(move |u| ev(Event::OpenLink { url: u.into() })),
        1 => prop::sample::select(RAW_IDS)
            .prop_map(move |id| ev(Event::Join { session_id: id.into() })),
        2 => Just(ev(Event::Leave)),
        1 => Just(ev(Event::ToggleMic)),
        1 => Just(ev(Event::ToggleCamera)),
        1 => any::<bool>().prop_map(move |speaker| ev(Event::SelectAudioRoute { speaker })),
        1 => Just(ev(Event::Retry)),
        1 => Just(ev(Event::Dismiss)),
        1 => any::<bool>().prop_map(move |accept| ev(Event::AnswerSwitch { accept })),
        4 => Just(ev(Event::ViewAppeared)),
        1 => Just(ev(Event::ViewDisappeared)),
        14 => (attempt, sdk_event()).prop_map(|(a, e)| Action::Sdk(a, e)),
        2 => audio_event().prop_map(move |e| ev(Event::Audio(e))),
        1 => prop_oneof![Just(AppState::Foreground), Just(AppState::Background)]
            .prop_map(move |s| ev(Event::App(s))),
        3 => any::<usize>().prop_map(Action::FireTimer),
        1 => Just(Action::Relaunch),
    ]
}

fn config() -> impl Strategy<Value = CoreConfig> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(additive, video, muted)| {
        let mut c = CoreConfig::default();
        if additive {
            c.mode = IntegrationMode::Additive;
        }
        c.settings.session_type = if video {
            SessionType::Video
        } else {
            SessionType::Voice
        };
        c.settings.start_audio_muted = muted;
        c
    })
}

/// Everything the test observed over one run.
#[derive(Default)]
struct Tally {
    ended: BTreeMap<AttemptId, usize>,
    leaves: BTreeMap<AttemptId, usize>,
    joins: BTreeMap<AttemptId, usize>,
    timers: BTreeSet<TimerId>,
    chat_inits: usize,
}

impl Tally {
    /// Checks the commands of one outside event, and updates the counts and live timers.
    fn observe(&mut self, steps: &[Step], mode: IntegrationMode) -> Result<(), TestCaseError> {
        let cmds: Vec<&Command> = steps.iter().flat_map(|s| &s.commands).collect();
        for (i, c) in cmds.iter().enumerate() {
            match c {
                Command::Ended { attempt, .. } => {
                    *self.ended.entry(*attempt).or_default() += 1;
                    prop_assert!(
                        cmds[i + 1..]
                            .iter()
                            .any(|c| matches!(c, Command::Render(s) if s.dismisses_call_view())),
                        "Ended for attempt {} not followed by a dismissing Render: {:#?}",
                        attempt,
                        cmds
                    );
                }
                Command::LeaveSession { attempt } => {
                    *self.leaves.entry(*attempt).or_default() += 1;
                }
                Command::JoinSession { attempt, .. } => {
                    *self.joins.entry(*attempt).or_default() += 1;
                    prop_assert!(
                        cmds[..i].contains(&&Command::RegisterListeners { attempt: *attempt }),
                        "JoinSession before RegisterListeners: {:#?}",
                        cmds
                    );
                }
                Command::ConfigureAudio { category, .. } => {
                    prop_assert!(
                        category.captures_microphone(),
                        "ConfigureAudio with {:?}",
                        category
                    );
                }
                Command::StartTimer { id, .. } => {
                    self.timers.insert(*id);
                }
                Command::CancelTimer { id } => {
                    self.timers.remove(id);
                }
                Command::InitChatSdk => self.chat_inits += 1,
                Command::SessionChanged(view) => {
                    // Nothing is joining, in the call or leaving before its JoinSession went out.
                    let joined_phase = matches!(
                        view.phase,
                        PhaseView::Joining
                            | PhaseView::Connected
                            | PhaseView::Reconnecting
                            | PhaseView::Leaving
                    );
                    prop_assert!(
                        !joined_phase || self.joins.contains_key(&view.attempt),
                        "attempt {} is {:?} without a JoinSession",
                        view.attempt,
                        view.phase
                    );
                }
                _ => {}
            }
        }
        for (attempt, n) in &self.ended {
            prop_assert!(*n <= 1, "attempt {} ended {} times", attempt, n);
        }
        for (attempt, n) in &self.leaves {
            prop_assert!(*n <= 1, "attempt {} sent LeaveSession {} times", attempt, n);
        }
        for (attempt, n) in &self.joins {
            prop_assert!(*n <= 1, "attempt {} sent JoinSession {} times", attempt, n);
        }
        if mode == IntegrationMode::Standalone {
            prop_assert_eq!(self.chat_inits, 0, "standalone initialised the chat SDK");
        }
        Ok(())
    }
}

/// State checks after every outside event.
fn check_state(core: &Core, tally: &Tally) -> Result<(), TestCaseError> {
    let m = &core.machines;
    // With every message delivered, the machines agree: crash recovery would repair nothing.
    let repairs = m.reconcile();
    prop_assert!(
        repairs.is_empty(),
        "reconcile found gaps in a consistent core: {:?}",
        repairs
    );
    let live: Vec<AttemptId> = m
        .sessions
        .iter()
        .filter(|(_, s)| !s.is_ended() && *s.phase() != Phase::Unstarted)
        .map(|(a, _)| *a)
        .collect();
    prop_assert!(live.len() <= 1, "more than one live session: {:?}", live);
    prop_assert_eq!(
        m.router.live_attempt(),
        live.first().copied(),
        "router and sessions disagree on the live attempt"
    );
    // Never stranded, never a ghost: the call view is up exactly while a call is live.
    let ui = m.ui.current();
    prop_assert_eq!(
        ui.shows_call_view(),
        !live.is_empty(),
        "UI {:?} with live attempts {:?}",
        ui,
        live
    );
    // Audio is only held by a live call.
    if let Some(a) = m.audio.call() {
        prop_assert!(live.contains(&a), "audio held by attempt {} not live", a);
    }
    // An attempt ended (as far as its session knows) iff exactly one Ended was emitted for it.
    for (attempt, s) in &m.sessions {
        let n = tally.ended.get(attempt).copied().unwrap_or(0);
        prop_assert_eq!(n, usize::from(s.is_ended()), "attempt {}", attempt);
    }
    // No timer outlives its attempt.
    for id in &tally.timers {
        prop_assert!(
            live.contains(&id.attempt),
            "timer {:?} still running for an ended attempt",
            id
        );
    }
    Ok(())
}

fn run(config: CoreConfig, actions: &[Action]) -> Result<Vec<Vec<Step>>, TestCaseError> {
    let mode = config.mode;
    let mut core = Core::default();
    let mut tally = Tally::default();
    let mut at = 0u64;
    let mut log = Vec::new();
    let boot = core.handle_event(Event::Boot(config.clone()), at);
    tally.observe(&boot, mode)?;
    log.push(boot);
    for action in actions {
        at += 137;
        let steps = match action {
            Action::Event(e) => core.handle_event(e.clone(), at),
            Action::Sdk(pick, event) => {
                let attempt = match pick {
                    AttemptPick::Latest => core.machines.router.current().map_or(1, |c| c.attempt),
                    AttemptPick::Fixed(a) => *a,
                };
                core.handle_event(
                    Event::Sdk {
                        attempt,
                        event: event.clone(),
                    },
                    at,
                )
            }
            Action::FireTimer(n) => {
                if tally.timers.is_empty() {
                    continue;
                }
                let id = *tally.timers.iter().nth(n % tally.timers.len()).unwrap();
                tally.timers.remove(&id);
                core.deliver(
                    Target::Session(id.attempt),
                    Input::Session(SessionInput::TimerFired(id.kind)),
                    at,
                )
            }
            Action::Relaunch => {
                // As the runtime does: the boot first, then the old process's loose ends.
                let repairs = core.machines.reconcile_at_launch();
                let mut steps = core.handle_event(Event::Boot(config.clone()), at);
                for (target, input) in repairs {
                    steps.extend(core.deliver(target, input, at));
                }
                // The new process joined nothing: no call view, whatever the old one showed.
                prop_assert!(
                    !core.machines.ui.current().shows_call_view(),
                    "a call view after a relaunch: {:?}",
                    core.machines.ui.current()
                );
                prop_assert!(
                    !steps.iter().flat_map(|s| &s.commands).any(|c| matches!(
                        c,
                        Command::JoinSession { .. } | Command::LeaveSession { .. }
                    )),
                    "a relaunch joined or left the dead process's SDK session: {steps:#?}"
                );
                steps
            }
        };
        tally.observe(&steps, mode)?;
        check_state(&core, &tally)?;
        log.push(steps);
    }
    Ok(log)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn call_rules_hold_for_any_event_sequence(
        config in config(),
        actions in prop::collection::vec(action(), 0..60),
    ) {
        let first = run(config.clone(), &actions)?;
        // Deterministic: the same inputs give the same steps.
        let second = run(config, &actions)?;
        prop_assert!(first == second, "two runs of the same events differ");
    }
}

/// The generator reaches the interesting states; otherwise the property above proves little.
#[test]
fn generator_reaches_every_ending() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use switchboard_domain::EndReason;

    let mut runner = TestRunner::deterministic();
    let mut seen = BTreeSet::new();
    let mut join_timeouts = 0;
    for _ in 0..300 {
        let actions = prop::collection::vec(action(), 0..60)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let log = run(CoreConfig::default(), &actions).expect("properties hold");
        for c in log.iter().flatten().flat_map(|s| &s.commands) {
            if let Command::Ended { reason, .. } = c {
                let name = match reason {
                    EndReason::LocalLeave => "local_leave",
                    EndReason::ConnectionClosed => "connection_closed",
                    EndReason::IdleTimeout => "idle_timeout",
                    EndReason::RemovedOrRemote => "removed",
                    EndReason::JoinFailed { .. } => "join_failed",
                    EndReason::JoinTimedOut => "join_timed_out",
                    EndReason::AppTerminated => "app_terminated",
                    EndReason::MicrophoneDenied => "microphone_denied",
                    EndReason::SetupFailed { .. } => "setup_failed",
                    EndReason::NotReady { .. } => "not_ready",
                };
                seen.insert(name);
                if *reason == EndReason::JoinTimedOut {
                    join_timeouts += 1;
                }
            }
        }
    }
    assert_eq!(seen.len(), 7, "endings reached: {seen:?}");
    assert!(join_timeouts > 0);
}
