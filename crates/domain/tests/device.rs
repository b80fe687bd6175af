//! DESIGN rules 11-13 and the invite button, through [`Core`]: a process that `Launch`ed holds
//! every join until the Calls SDK's init and login succeeded and the microphone is allowed,
//! re-initialises the SDK after every call, asks for undetermined permissions before the join,
//! refuses to join with a denied microphone, pauses video with a denied camera, shares the
//! meeting link, and reacts to a failed audio activation.
use switchboard_domain::core::{Core, Step};
use switchboard_domain::session::Phase;
use switchboard_domain::settings::SessionType;
use switchboard_domain::{
    validate_link, AppState, AttemptId, AudioEvent, AudioPort, Authorization, Command, CoreConfig,
    Effect, EndReason, Event, Incident, Input, Launch, MediaKind, Message, Notice, Permissions,
    RouteChangeReason, SdkButton, SdkEvent, SessionInput, SetupEvent, SetupStep, Target, TimerKind,
    UiState, WaitingFor,
};

const LINK: &str = "https://meet.switchboard.example/meet/abc";

struct Harness {
    core: Core,
    now: u64,
}

impl Harness {
    fn launch(config: CoreConfig, permissions: Permissions) -> (Self, Vec<Command>) {
        let mut h = Harness {
            core: Core::default(),
            now: 1_000,
        };
        let out = h.send(Event::Launch(Launch {
            config,
            permissions,
        }));
        (h, out)
    }

    /// Launched with both permissions granted; nothing from the SDK yet.
    fn cold() -> Self {
        Self::launch(CoreConfig::default(), Permissions::GRANTED).0
    }

    /// Launched, and the SDK is ready (init succeeded with a logged-in user).
    fn ready() -> Self {
        let mut h = Self::cold();
        h.init_ok(true);
        h
    }

    fn steps(&mut self, event: Event) -> Vec<Step> {
        self.now += 10;
        self.core.handle_event(event, self.now)
    }

    fn send(&mut self, event: Event) -> Vec<Command> {
        self.steps(event)
            .iter()
            .flat_map(|s| s.commands.clone())
            .collect()
    }

    fn setup(&mut self, event: SetupEvent) -> Vec<Command> {
        self.send(Event::Setup(event))
    }

    /// The latest init the core asked for.
    fn init_request(&self) -> u64 {
        self.core.machines.router.sdk().init_request
    }

    /// The latest init succeeds.
    fn init_ok(&mut self, logged_in: bool) -> Vec<Command> {
        let request = self.init_request();
        self.setup(SetupEvent::InitSucceeded { request, logged_in })
    }

    fn sdk(&mut self, attempt: AttemptId, event: SdkEvent) -> Vec<Command> {
        self.send(Event::Sdk { attempt, event })
    }

    fn fire(&mut self, attempt: AttemptId, kind: TimerKind) -> Vec<Command> {
        self.now += 10;
        self.core
            .deliver(
                Target::Session(attempt),
                Input::Session(SessionInput::TimerFired(kind)),
                self.now,
            )
            .iter()
            .flat_map(|s| s.commands.clone())
            .collect()
    }

    fn phase(&self, attempt: AttemptId) -> Phase {
        self.core.machines.sessions[&attempt].phase().clone()
    }

    fn ui(&self) -> UiState {
        self.core.machines.ui.current()
    }

    /// A whole call on the ready SDK: link, view, joined, leave, left, view gone, dismissed.
    fn call(&mut self, attempt: AttemptId) -> Vec<Command> {
        let mut out = self.send(Event::OpenLink { url: LINK.into() });
        out.extend(self.send(Event::ViewAppeared));
        out.extend(self.sdk(attempt, SdkEvent::JoinSucceeded));
        out.extend(self.send(Event::Leave));
        out.extend(self.sdk(attempt, SdkEvent::SessionLeft));
        out.extend(self.send(Event::ViewDisappeared));
        out.extend(self.send(Event::Dismiss));
        out
    }
}

fn joins(cmds: &[Command]) -> usize {
    cmds.iter()
        .filter(|c| matches!(c, Command::Effect(Effect::JoinSession { .. })))
        .count()
}

fn has(cmds: &[Command], c: &Command) -> bool {
    cmds.contains(c)
}

fn endings(cmds: &[Command]) -> Vec<EndReason> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Message(Message::Ended { reason, .. }) => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

fn video() -> CoreConfig {
    let mut c = CoreConfig::default();
    c.settings.session_type = SessionType::Video;
    c
}

fn voice() -> CoreConfig {
    let mut c = CoreConfig::default();
    c.settings.session_type = SessionType::Voice;
    c
}

#[test]
fn launch_initialises_the_calls_sdk_and_a_logged_out_user_is_logged_in() {
    let (mut h, out) = Harness::launch(CoreConfig::default(), Permissions::GRANTED);
    assert!(
        has(&out, &Command::Effect(Effect::InitCalls { request: 1 })),
        "{out:#?}"
    );
    assert!(!has(&out, &Command::Effect(Effect::LoginCallsSdk)));
    let out = h.init_ok(false);
    assert_eq!(out, vec![Command::Effect(Effect::LoginCallsSdk)]);
    // A second init answer while the login is out does not log in twice.
    let out = h.init_ok(false);
    assert!(
        !has(&out, &Command::Effect(Effect::LoginCallsSdk)),
        "{out:#?}"
    );
    h.setup(SetupEvent::LoginSucceeded);
    assert!(h.core.machines.router.sdk().ready());
}

#[test]
fn a_cold_start_link_waits_connecting_and_joins_once_init_and_login_succeed() {
    let mut h = Harness::cold();
    let out = h.send(Event::OpenLink { url: LINK.into() });
    assert_eq!(joins(&out), 0);
    // The first thing drawn already says what the join waits for: no plain "joining" first.
    let drawn: Vec<&UiState> = out
        .iter()
        .filter_map(|c| match c {
            Command::Effect(Effect::Render(s)) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(drawn.len(), 1, "{drawn:#?}");
    assert_eq!(drawn[0].label(), "connecting");
    let out = h.send(Event::ViewAppeared);
    assert_eq!(joins(&out), 0, "no join before the SDK is ready: {out:#?}");
    assert!(out.iter().any(|c| matches!(
        c,
        Command::Effect(Effect::StartTimer { id, .. }) if id.kind == TimerKind::JoinTimeout
    )));
    assert_eq!(h.phase(1), Phase::Joining);
    match h.ui() {
        UiState::Joining {
            waiting_for: Some(WaitingFor::CallingService),
            ..
        } => {}
        other => panic!("expected a connecting state, got {other:?}"),
    }
    assert_eq!(h.ui().label(), "connecting");
    // Init succeeds but nobody is logged in: still waiting, now for the login.
    let out = h.init_ok(false);
    assert_eq!(joins(&out), 0);
    assert!(has(&out, &Command::Effect(Effect::LoginCallsSdk)));
    let out = h.setup(SetupEvent::LoginSucceeded);
    assert_eq!(joins(&out), 1, "{out:#?}");
    let at = |c: fn(&Command) -> bool| out.iter().position(c).unwrap();
    assert!(
        at(|c| matches!(c, Command::Effect(Effect::RegisterListeners { .. })))
            < at(|c| matches!(c, Command::Effect(Effect::JoinSession { .. }))),
        "listeners before the join"
    );
    assert!(out
        .iter()
        .any(|c| matches!(c, Command::Message(Message::CallStarting { .. }))));
    match h.ui() {
        UiState::Joining {
            waiting_for: None, ..
        } => {}
        other => panic!("expected joining, got {other:?}"),
    }
    // Joined as ever; a second view appearance joins nothing.
    h.sdk(1, SdkEvent::JoinSucceeded);
    assert!(matches!(h.phase(1), Phase::InCall { .. }));
    assert_eq!(joins(&h.send(Event::ViewAppeared)), 0);
}

#[test]
fn a_wait_for_the_sdk_is_bounded_by_the_join_timeout_and_leaves_nothing_behind() {
    let mut h = Harness::cold();
    h.send(Event::OpenLink { url: LINK.into() });
    h.send(Event::ViewAppeared);
    let out = h.fire(1, TimerKind::JoinTimeout);
    let reason = EndReason::NotReady {
        waiting_for: WaitingFor::CallingService,
    };
    assert_eq!(endings(&out), vec![reason.clone()]);
    assert!(
        !out.iter()
            .any(|c| matches!(c, Command::Effect(Effect::LeaveSession { .. }))),
        "nothing was joined, so nothing to leave: {out:#?}"
    );
    match h.ui() {
        UiState::Error {
            message, can_retry, ..
        } => {
            assert!(message.contains("did not get ready"), "{message}");
            assert!(can_retry);
        }
        other => panic!("expected an error, got {other:?}"),
    }
    // The SDK getting ready later joins nothing for the ended attempt.
    let out = h.init_ok(true);
    assert_eq!(joins(&out), 0);
    // Retry starts a new attempt, which the ready SDK joins at once.
    h.send(Event::Retry);
    let out = h.send(Event::ViewAppeared);
    assert_eq!(joins(&out), 1);
}

#[test]
fn an_init_or_login_failure_ends_the_waiting_attempt_with_the_sdks_message_and_retry_asks_again() {
    for step in [SetupStep::Init, SetupStep::Login] {
        let mut h = Harness::cold();
        if step == SetupStep::Login {
            h.init_ok(false);
        }
        h.send(Event::OpenLink { url: LINK.into() });
        h.send(Event::ViewAppeared);
        let message = "the app id is not valid".to_owned();
        let failure = match step {
            SetupStep::Init => SetupEvent::InitFailed {
                request: h.init_request(),
                message: message.clone(),
            },
            SetupStep::Login => SetupEvent::LoginFailed {
                message: message.clone(),
            },
        };
        let out = h.setup(failure);
        let reason = EndReason::SetupFailed {
            step,
            message: message.clone(),
        };
        assert_eq!(endings(&out), vec![reason], "{step:?}");
        assert!(out.iter().any(|c| matches!(
            c,
            Command::Effect(Effect::CancelTimer { id }) if id.kind == TimerKind::JoinTimeout
        )));
        match h.ui() {
            UiState::Error {
                message: shown,
                can_retry: true,
                open_settings: false,
            } => assert!(shown.contains(&message), "{shown}"),
            other => panic!("{step:?}: expected a retryable error, got {other:?}"),
        }
        // Retry asks the SDK again, and the new attempt waits for the answer.
        let out = h.send(Event::Retry);
        let again = match step {
            SetupStep::Init => Command::Effect(Effect::InitCalls { request: 2 }),
            SetupStep::Login => Command::Effect(Effect::LoginCallsSdk),
        };
        assert!(has(&out, &again), "{step:?}: {out:#?}");
        assert_eq!(joins(&h.send(Event::ViewAppeared)), 0);
        let ok = match step {
            SetupStep::Init => SetupEvent::InitSucceeded {
                request: h.init_request(),
                logged_in: true,
            },
            SetupStep::Login => SetupEvent::LoginSucceeded,
        };
        assert_eq!(joins(&h.setup(ok)), 1, "{step:?}");
    }
}

#[test]
fn a_shell_that_cannot_even_start_init_counts_as_a_failed_init() {
    let mut h = Harness::cold();
    h.send(Event::OpenLink { url: LINK.into() });
    let out = h.send(Event::Incident(Incident::port_failed(
        Effect::InitCalls { request: 1 },
        "CometChatCalls is not linked",
    )));
    assert_eq!(
        endings(&out),
        vec![EndReason::SetupFailed {
            step: SetupStep::Init,
            message: "CometChatCalls is not linked".into()
        }]
    );
}

#[test]
fn after_every_call_the_sdk_is_initialised_again_and_the_next_join_waits_for_it() {
    let mut h = Harness::ready();
    let first = h.call(1);
    assert_eq!(joins(&first), 1);
    let reinit = first
        .iter()
        .position(|c| *c == Command::Effect(Effect::InitCalls { request: 2 }))
        .expect("a re-init after the call");
    let ended = first
        .iter()
        .position(|c| matches!(c, Command::Message(Message::Ended { .. })))
        .unwrap();
    assert!(reinit > ended, "the re-init follows the end");
    // The second call waits for that init.
    h.send(Event::OpenLink { url: LINK.into() });
    let out = h.send(Event::ViewAppeared);
    assert_eq!(joins(&out), 0, "the second join waits for the re-init");
    let out = h.init_ok(true);
    assert_eq!(joins(&out), 1);
    // Still one join per attempt, each with its own attempt number.
    assert!(out
        .iter()
        .any(|c| matches!(c, Command::Effect(Effect::JoinSession { attempt: 2, .. }))));
}

#[test]
fn a_log_without_launch_replays_as_it_was_recorded_with_no_holds() {
    // What logs written before rules 11-12 hold: Boot, then a join that goes out at once.
    let mut core = Core::default();
    core.handle_event(Event::Boot(CoreConfig::default()), 1);
    core.handle_event(Event::OpenLink { url: LINK.into() }, 2);
    let out: Vec<Command> = core
        .handle_event(Event::ViewAppeared, 3)
        .iter()
        .flat_map(|s| s.commands.clone())
        .collect();
    assert_eq!(joins(&out), 1);
    assert!(!core.machines.router.gated());
}

#[test]
fn undetermined_permissions_are_asked_for_before_the_join() {
    let permissions = Permissions {
        microphone: Authorization::NotDetermined,
        camera: Authorization::NotDetermined,
    };
    let (mut h, _) = Harness::launch(video(), permissions);
    h.init_ok(true);
    let out = h.send(Event::OpenLink { url: LINK.into() });
    assert!(has(
        &out,
        &Command::Effect(Effect::RequestPermission {
            media: MediaKind::Microphone
        })
    ));
    assert!(has(
        &out,
        &Command::Effect(Effect::RequestPermission {
            media: MediaKind::Camera
        })
    ));
    assert_eq!(joins(&h.send(Event::ViewAppeared)), 0);
    match h.ui() {
        UiState::Joining {
            waiting_for: Some(WaitingFor::MicrophonePermission),
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    let mic = |status| Event::Permission {
        media: MediaKind::Microphone,
        status,
    };
    assert_eq!(joins(&h.send(mic(Authorization::Authorized))), 0);
    let out = h.send(Event::Permission {
        media: MediaKind::Camera,
        status: Authorization::Authorized,
    });
    assert_eq!(joins(&out), 1);
    // A voice call never asks for the camera.
    let permissions = Permissions {
        microphone: Authorization::NotDetermined,
        camera: Authorization::NotDetermined,
    };
    let (mut h, _) = Harness::launch(voice(), permissions);
    let out = h.send(Event::OpenLink { url: LINK.into() });
    assert!(!has(
        &out,
        &Command::Effect(Effect::RequestPermission {
            media: MediaKind::Camera
        })
    ));
}

#[test]
fn a_denied_microphone_never_joins_and_offers_the_settings_page() {
    for denied in [Authorization::Denied, Authorization::Restricted] {
        let permissions = Permissions {
            microphone: denied,
            camera: Authorization::Authorized,
        };
        let (mut h, _) = Harness::launch(CoreConfig::default(), permissions);
        h.init_ok(true);
        let out = h.send(Event::OpenLink { url: LINK.into() });
        // Refused at the door: no attempt, so no call view, no prompt (it would not show).
        assert!(
            out.iter().any(|c| matches!(
                c,
                Command::Message(Message::Notify(Notice::JoinRefused {
                    reason: EndReason::MicrophoneDenied,
                    ..
                }))
            )),
            "{out:#?}"
        );
        assert!(!out.iter().any(|c| matches!(
            c,
            Command::Message(Message::StartAttempt { .. })
                | Command::Effect(Effect::RequestPermission { .. })
        )));
        assert!(!out
            .iter()
            .any(|c| matches!(c, Command::Effect(Effect::Render(s)) if s.shows_call_view())));
        assert!(h.core.machines.router.current().is_none());
        assert_eq!(joins(&h.send(Event::ViewAppeared)), 0);
        match h.ui() {
            UiState::Error {
                message,
                can_retry: false,
                open_settings: true,
            } => assert!(message.contains("Settings"), "{message}"),
            other => panic!("expected the settings error, got {other:?}"),
        }
        assert_eq!(
            h.send(Event::OpenSettings),
            vec![Command::Effect(Effect::OpenAppSettings)]
        );
        h.send(Event::Dismiss);
        assert_eq!(h.ui(), UiState::Idle);
    }
    // Denied at the prompt: the waiting attempt ends the same way.
    let permissions = Permissions {
        microphone: Authorization::NotDetermined,
        camera: Authorization::Authorized,
    };
    let (mut h, _) = Harness::launch(CoreConfig::default(), permissions);
    h.init_ok(true);
    h.send(Event::OpenLink { url: LINK.into() });
    h.send(Event::ViewAppeared);
    let out = h.send(Event::Permission {
        media: MediaKind::Microphone,
        status: Authorization::Denied,
    });
    assert_eq!(endings(&out), vec![EndReason::MicrophoneDenied]);
    assert_eq!(joins(&out), 0);
    // Open Settings does nothing when no permission is the problem.
    let mut h = Harness::ready();
    assert!(h.send(Event::OpenSettings).is_empty());
}

#[test]
fn a_denied_camera_joins_a_video_call_with_video_paused_and_says_so() {
    let permissions = Permissions {
        microphone: Authorization::Authorized,
        camera: Authorization::Denied,
    };
    let (mut h, _) = Harness::launch(video(), permissions);
    h.init_ok(true);
    h.send(Event::OpenLink { url: LINK.into() });
    let out = h.send(Event::ViewAppeared);
    let settings = out
        .iter()
        .find_map(|c| match c {
            Command::Effect(Effect::JoinSession { settings, .. }) => Some(settings.clone()),
            _ => None,
        })
        .expect("the call joins");
    assert!(settings.start_video_paused);
    h.sdk(1, SdkEvent::JoinSucceeded);
    match h.ui() {
        UiState::InCall {
            camera_off: true,
            camera_unavailable: true,
            ..
        } => {}
        other => panic!("expected the camera marked unavailable, got {other:?}"),
    }
    // A voice call is not affected by the camera.
    let (mut h, _) = Harness::launch(voice(), permissions);
    h.init_ok(true);
    h.send(Event::OpenLink { url: LINK.into() });
    h.send(Event::ViewAppeared);
    h.sdk(1, SdkEvent::JoinSucceeded);
    assert!(matches!(
        h.ui(),
        UiState::InCall {
            camera_unavailable: false,
            ..
        }
    ));
}

#[test]
fn a_join_released_while_the_view_was_away_goes_out_when_it_is_back() {
    let mut h = Harness::cold();
    h.send(Event::OpenLink { url: LINK.into() });
    h.send(Event::ViewAppeared);
    h.send(Event::ViewDisappeared);
    let out = h.init_ok(true);
    assert_eq!(joins(&out), 0, "no container to draw in: {out:#?}");
    assert_eq!(joins(&h.send(Event::ViewAppeared)), 1);
}

#[test]
fn leaving_a_held_join_ends_it_without_a_leave_session() {
    let mut h = Harness::cold();
    h.send(Event::OpenLink { url: LINK.into() });
    h.send(Event::ViewAppeared);
    let out = h.send(Event::Leave);
    assert_eq!(endings(&out), vec![EndReason::LocalLeave]);
    assert!(!out
        .iter()
        .any(|c| matches!(c, Command::Effect(Effect::LeaveSession { .. }))));
    // Callbacks for it, had any come, are ignored; the SDK getting ready joins nothing.
    assert_eq!(joins(&h.init_ok(true)), 0);
}

#[test]
fn the_share_invite_button_shares_a_link_the_router_accepts() {
    let mut h = Harness::ready();
    h.send(Event::OpenLink { url: LINK.into() });
    h.send(Event::ViewAppeared);
    h.sdk(1, SdkEvent::JoinSucceeded);
    let out = h.sdk(
        1,
        SdkEvent::ButtonClicked {
            button: SdkButton::ShareInvite,
        },
    );
    let url = match out.as_slice() {
        [Command::Effect(Effect::ShareLink { url })] => url.clone(),
        other => panic!("expected one ShareLink, got {other:#?}"),
    };
    let hosts = &h.core.machines.router.config().allowed_hosts;
    assert_eq!(validate_link(&url, hosts).unwrap().as_str(), "abc");
    // Opening it during that very call does nothing; a stale button press shares nothing.
    assert!(h.send(Event::OpenLink { url }).is_empty());
    assert!(h
        .sdk(
            7,
            SdkEvent::ButtonClicked {
                button: SdkButton::ShareInvite
            }
        )
        .is_empty());
}

#[test]
fn a_new_meeting_takes_the_shells_id_validated_like_any_other() {
    let mut h = Harness::ready();
    let id = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
    let out = h.send(Event::NewMeeting {
        session_id: id.into(),
    });
    assert!(out.iter().any(
        |c| matches!(c, Command::Message(Message::StartAttempt { session_id, .. }) if session_id.as_str() == id)
    ));
    let mut h = Harness::ready();
    let out = h.send(Event::NewMeeting {
        session_id: "not a uuid/../x".into(),
    });
    assert!(!out
        .iter()
        .any(|c| matches!(c, Command::Message(Message::StartAttempt { .. }))));
    assert!(matches!(h.ui(), UiState::Error { .. }));
}

#[test]
fn a_failed_audio_activation_shows_audio_unavailable_and_is_retried_on_foreground_or_route() {
    for retry in [
        Event::App(AppState::Foreground),
        Event::Audio(AudioEvent::RouteChanged {
            reason: RouteChangeReason::NewDeviceAvailable,
            output: AudioPort::BluetoothHfp,
        }),
    ] {
        let mut h = Harness::ready();
        h.send(Event::OpenLink { url: LINK.into() });
        h.send(Event::ViewAppeared);
        h.sdk(1, SdkEvent::JoinSucceeded);
        let steps = h.steps(Event::Incident(Incident::port_failed(
            Effect::ActivateAudio,
            "AVAudioSession error 561017449",
        )));
        // Recorded by the audio machine, which owns the session.
        assert_eq!(steps[0].actor, switchboard_domain::ActorName::Audio);
        assert!(matches!(
            h.ui(),
            UiState::InCall {
                audio_unavailable: true,
                ..
            }
        ));
        let out = h.send(retry.clone());
        assert!(
            has(&out, &Command::Effect(Effect::ActivateAudio)),
            "{retry:?}: {out:#?}"
        );
        assert!(out
            .iter()
            .any(|c| matches!(c, Command::Effect(Effect::ConfigureAudio { .. }))));
        assert!(matches!(
            h.ui(),
            UiState::InCall {
                audio_unavailable: false,
                ..
            }
        ));
        // Without a failure, a foreground does not touch the audio session.
        assert!(!has(
            &h.send(Event::App(AppState::Foreground)),
            &Command::Effect(Effect::ActivateAudio)
        ));
    }
    // A failed deactivation is recorded and changes nothing.
    let mut h = Harness::ready();
    let before = h.core.machines.audio.view();
    let out = h.send(Event::Incident(Incident::port_failed(
        Effect::DeactivateAudio {
            notify_others: true,
        },
        "busy",
    )));
    assert!(out.is_empty());
    assert_eq!(h.core.machines.audio.view(), before);
}

#[test]
fn a_join_the_shell_could_not_start_ends_at_once_as_a_failed_join() {
    let mut h = Harness::ready();
    h.send(Event::OpenLink { url: LINK.into() });
    let out = h.send(Event::ViewAppeared);
    let join = out
        .iter()
        .filter_map(Command::effect)
        .find(|e| matches!(e, Effect::JoinSession { .. }))
        .cloned()
        .expect("the join went out");
    let out = h.send(Event::Incident(Incident::port_failed(
        join,
        "the call view has no container",
    )));
    let reason = EndReason::JoinFailed {
        code: switchboard_domain::JoinErrorCode::Other {
            code: switchboard_domain::session::JOIN_NOT_STARTED.into(),
        },
        message: "the call view has no container".into(),
    };
    assert_eq!(endings(&out), vec![reason.clone()]);
    assert!(reason.can_retry());
    assert!(!out
        .iter()
        .any(|c| matches!(c, Command::Effect(Effect::LeaveSession { .. }))));
    assert!(out.iter().any(|c| matches!(
        c,
        Command::Effect(Effect::CancelTimer { id }) if id.kind == TimerKind::JoinTimeout
    )));
    assert!(matches!(
        h.ui(),
        UiState::Error {
            can_retry: true,
            ..
        }
    ));
    // A failure of some other SDK call during the call is only recorded.
    let mut h = Harness::ready();
    h.send(Event::OpenLink { url: LINK.into() });
    h.send(Event::ViewAppeared);
    h.sdk(1, SdkEvent::JoinSucceeded);
    let out = h.send(Event::Incident(Incident::port_failed(
        Effect::MuteAudio { attempt: 1 },
        "no active session",
    )));
    assert!(out.is_empty(), "{out:#?}");
    assert!(matches!(h.phase(1), Phase::InCall { .. }));
}

#[test]
fn an_answer_that_never_came_is_asked_for_again_by_a_later_join() {
    // The launch's init got no answer (the shell lost it, or the journal refused it).
    let permissions = Permissions {
        microphone: Authorization::NotDetermined,
        camera: Authorization::Authorized,
    };
    let (mut h, _) = Harness::launch(voice(), permissions);
    let out = h.send(Event::OpenLink { url: LINK.into() });
    // Soon after the launch: the init and the prompt are still under way; nothing is sent twice.
    assert!(
        !has(&out, &Command::Effect(Effect::InitCalls { request: 2 })),
        "{out:#?}"
    );
    assert!(has(
        &out,
        &Command::Effect(Effect::RequestPermission {
            media: MediaKind::Microphone
        })
    ));
    h.send(Event::ViewAppeared);
    h.now += 30_000;
    let out = h.fire(1, TimerKind::JoinTimeout);
    assert_eq!(endings(&out).len(), 1);
    h.send(Event::Dismiss);
    // A join after the join timeout has passed asks again for both.
    let out = h.send(Event::OpenLink { url: LINK.into() });
    assert!(
        has(&out, &Command::Effect(Effect::InitCalls { request: 2 })),
        "{out:#?}"
    );
    assert!(has(
        &out,
        &Command::Effect(Effect::RequestPermission {
            media: MediaKind::Microphone
        })
    ));
    h.send(Event::Permission {
        media: MediaKind::Microphone,
        status: Authorization::Authorized,
    });
    h.send(Event::ViewAppeared);
    assert_eq!(joins(&h.init_ok(true)), 1);
}

#[test]
fn only_the_answer_to_the_latest_init_counts() {
    // The launch's init is slow; a join much later asks again (#2); #1's answer then arrives.
    let mut h = Harness::cold();
    h.now += 40_000;
    let out = h.send(Event::OpenLink { url: LINK.into() });
    assert!(
        has(&out, &Command::Effect(Effect::InitCalls { request: 2 })),
        "{out:#?}"
    );
    h.send(Event::ViewAppeared);
    let late = h.setup(SetupEvent::InitSucceeded {
        request: 1,
        logged_in: true,
    });
    assert_eq!(
        joins(&late),
        0,
        "the answer to a superseded init let the join out"
    );
    let late_failure = h.setup(SetupEvent::InitFailed {
        request: 1,
        message: "timed out".into(),
    });
    assert!(endings(&late_failure).is_empty(), "{late_failure:#?}");
    assert_eq!(joins(&h.init_ok(true)), 1);
    // A duplicate of the answer already taken changes nothing.
    assert!(h.init_ok(false).is_empty());
}
