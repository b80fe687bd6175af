//! One test per rule of DESIGN.md section 2, driven through [`Core::handle_event`]: the four
//! machines wired together exactly as the runtime wires them. Timers are fired the way the runtime
//! fires them: `TimerFired` delivered straight to the session of the attempt that started them.
use switchboard_domain::core::{Core, Step};
use switchboard_domain::session::Phase;
use switchboard_domain::{
    ActorName, AttemptId, Command, CoreConfig, Effect, EndReason, Event, Input, IntegrationMode,
    JoinErrorCode, Message, RouterInput, SdkButton, SdkEvent, SessionInput, Target, TimerId,
    TimerKind, UiState, DEFAULT_ALLOWED_HOST,
};

const LINK: &str = "https://meet.switchboard.example/meet/abc";
const OTHER_LINK: &str = "https://meet.switchboard.example/meet/xyz";

/// A core plus a clock; every call returns the flattened commands of one outside event, in the
/// order the machines decided them.
struct Harness {
    core: Core,
    now: u64,
}

impl Harness {
    fn boot(config: CoreConfig) -> (Self, Vec<Command>) {
        let mut h = Harness {
            core: Core::default(),
            now: 1_000,
        };
        let out = h.send(Event::Boot(config));
        (h, out)
    }

    fn booted() -> Self {
        Self::boot(CoreConfig::default()).0
    }

    /// Booted, link opened, view appeared: `JoinSession` sent for attempt 1.
    fn joining() -> Self {
        let mut h = Self::booted();
        h.send(Event::OpenLink { url: LINK.into() });
        let out = h.send(Event::ViewAppeared);
        assert_eq!(count(&out, is_join(1)), 1, "setup: the join went out");
        assert_eq!(h.phase(1), Phase::Joining);
        h
    }

    /// Joined and connected on attempt 1.
    fn in_call() -> Self {
        let mut h = Self::joining();
        h.sdk(1, SdkEvent::JoinSucceeded);
        assert_eq!(
            h.phase(1),
            Phase::InCall {
                reconnecting: false
            }
        );
        h
    }

    /// In call on attempt 1, then the user left: `LeaveSession` sent, waiting for a callback.
    fn leaving() -> Self {
        let mut h = Self::in_call();
        let out = h.send(Event::Leave);
        assert_eq!(count(&out, is_leave(1)), 1, "setup: the leave went out");
        assert_eq!(h.phase(1), Phase::Leaving);
        h
    }

    fn steps(&mut self, event: Event) -> Vec<Step> {
        self.now += 10;
        self.core.handle_event(event, self.now)
    }

    fn send(&mut self, event: Event) -> Vec<Command> {
        flatten(&self.steps(event))
    }

    fn sdk(&mut self, attempt: AttemptId, event: SdkEvent) -> Vec<Command> {
        self.send(Event::Sdk { attempt, event })
    }

    fn fire(&mut self, attempt: AttemptId, kind: TimerKind) -> Vec<Command> {
        self.now += 10;
        flatten(&self.core.deliver(
            Target::Session(attempt),
            Input::Session(SessionInput::TimerFired(kind)),
            self.now,
        ))
    }

    fn phase(&self, attempt: AttemptId) -> Phase {
        self.core.machines.sessions[&attempt].phase().clone()
    }

    fn ui(&self) -> UiState {
        self.core.machines.ui.current()
    }
}

fn flatten(steps: &[Step]) -> Vec<Command> {
    steps.iter().flat_map(|s| s.commands.clone()).collect()
}

fn count(cmds: &[Command], pred: impl Fn(&Command) -> bool) -> usize {
    cmds.iter().filter(|c| pred(c)).count()
}

fn is_join(attempt: AttemptId) -> impl Fn(&Command) -> bool {
    move |c| matches!(c, Command::Effect(Effect::JoinSession { attempt: a, .. }) if *a == attempt)
}

fn is_leave(attempt: AttemptId) -> impl Fn(&Command) -> bool {
    move |c| matches!(c, Command::Effect(Effect::LeaveSession { attempt: a }) if *a == attempt)
}

fn is_ended(c: &Command) -> bool {
    matches!(c, Command::Message(Message::Ended { .. }))
}

fn endings(cmds: &[Command]) -> Vec<(AttemptId, EndReason)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Message(Message::Ended { attempt, reason }) => {
                Some((*attempt, reason.clone()))
            }
            _ => None,
        })
        .collect()
}

fn renders(cmds: &[Command]) -> Vec<UiState> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Effect(Effect::Render(s)) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn timer(kind: TimerKind, attempt: AttemptId) -> TimerId {
    TimerId { kind, attempt }
}

/// The commands of one event ended `attempt` exactly once with `reason`, and a dismissing
/// `UiState` was rendered after the `Ended`; audio was given back.
#[track_caller]
fn assert_ended_once(cmds: &[Command], attempt: AttemptId, reason: &EndReason) {
    assert_eq!(
        endings(cmds),
        vec![(attempt, reason.clone())],
        "exactly one Ended: {cmds:#?}"
    );
    let at = cmds.iter().position(is_ended).expect("an Ended");
    let dismissing: Vec<_> = cmds[at..]
        .iter()
        .filter_map(|c| match c {
            Command::Effect(Effect::Render(s)) if s.dismisses_call_view() => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        dismissing.len(),
        1,
        "one dismissing Render after Ended: {cmds:#?}"
    );
    assert_eq!(
        count(cmds, |c| matches!(
            c,
            Command::Effect(Effect::DeactivateAudio {
                notify_others: true
            })
        )),
        1,
        "audio deactivated with notifyOthersOnDeactivation: {cmds:#?}"
    );
}

/// What the UI must show for a reason that is not an error.
fn ended_ui(reason: &EndReason) -> UiState {
    UiState::Ended {
        reason: reason.clone(),
        message: reason.message(),
        can_retry: reason.can_retry(),
    }
}

const TERMINALS: [SdkEvent; 3] = [
    SdkEvent::SessionLeft,
    SdkEvent::ConnectionClosed,
    SdkEvent::SessionTimedOut,
];

#[test]
fn rule_1_any_terminal_callback_ends_exactly_once() {
    // Each terminal callback alone ends an established call and dismisses the view; the other two,
    // arriving later, are no-ops.
    for first in TERMINALS {
        let mut h = Harness::in_call();
        let out = h.sdk(1, first.clone());
        let reason = match first {
            SdkEvent::SessionLeft => EndReason::RemovedOrRemote,
            SdkEvent::ConnectionClosed => EndReason::ConnectionClosed,
            _ => EndReason::IdleTimeout,
        };
        assert_ended_once(&out, 1, &reason);
        assert_eq!(h.phase(1), Phase::Ended(reason.clone()));
        assert_eq!(h.ui(), ended_ui(&reason), "after {first:?}");
        assert!(h.ui().dismisses_call_view());
        assert_eq!(h.core.machines.router.live_attempt(), None);
        for later in TERMINALS {
            let out = h.sdk(1, later.clone());
            assert!(out.is_empty(), "{later:?} after {first:?}: {out:#?}");
        }
        assert_eq!(h.phase(1), Phase::Ended(reason.clone()), "first one wins");
        assert_eq!(h.ui(), ended_ui(&reason));
    }

    // All three arriving together, in every order, while in call: one Ended, the first one's
    // reason, one dismissing render over the whole burst.
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for order in orders {
        let mut h = Harness::in_call();
        let mut all = Vec::new();
        for i in order {
            all.extend(h.sdk(1, TERMINALS[i].clone()));
        }
        let first = &TERMINALS[order[0]];
        assert_eq!(count(&all, is_ended), 1, "order {order:?}: {all:#?}");
        assert_eq!(
            renders(&all).len(),
            1,
            "one render for the burst {order:?}: {all:#?}"
        );
        let Phase::Ended(reason) = h.phase(1) else {
            panic!("not ended after {order:?}");
        };
        let want = match first {
            SdkEvent::SessionLeft => EndReason::RemovedOrRemote,
            SdkEvent::ConnectionClosed => EndReason::ConnectionClosed,
            _ => EndReason::IdleTimeout,
        };
        assert_eq!(reason, want, "order {order:?}");
        assert_ended_once(&all, 1, &want);
    }

    // Terminal callbacks end the call in every live phase after the join went out: while joining
    // and while leaving too.
    for terminal in TERMINALS {
        let mut h = Harness::joining();
        let out = h.sdk(1, terminal.clone());
        assert_eq!(count(&out, is_ended), 1, "{terminal:?} while joining");
        assert!(
            out.contains(&Command::Effect(Effect::CancelTimer {
                id: timer(TimerKind::JoinTimeout, 1)
            })),
            "the join timer is cancelled when {terminal:?} ends a joining call"
        );
        assert!(h.ui().dismisses_call_view());

        let mut h = Harness::leaving();
        let out = h.sdk(1, terminal.clone());
        assert_eq!(count(&out, is_ended), 1, "{terminal:?} while leaving");
        assert!(
            out.contains(&Command::Effect(Effect::CancelTimer {
                id: timer(TimerKind::LeaveAck, 1)
            })),
            "the leave timer is cancelled when {terminal:?} ends a leaving call"
        );
        assert!(h.ui().dismisses_call_view());
        // The leave timer firing late (a race with the cancel) changes nothing.
        assert!(h.fire(1, TimerKind::LeaveAck).is_empty());
    }
}

#[test]
fn rule_2_reason_from_core_state() {
    // (how to get there, callback, expected reason)
    type Setup = fn() -> Harness;
    let cases: [(&str, Setup, SdkEvent, EndReason); 9] = [
        (
            "timed out in call",
            Harness::in_call,
            SdkEvent::SessionTimedOut,
            EndReason::IdleTimeout,
        ),
        (
            "timed out while leaving",
            Harness::leaving,
            SdkEvent::SessionTimedOut,
            EndReason::IdleTimeout,
        ),
        (
            "left while leaving",
            Harness::leaving,
            SdkEvent::SessionLeft,
            EndReason::LocalLeave,
        ),
        (
            "closed while leaving",
            Harness::leaving,
            SdkEvent::ConnectionClosed,
            EndReason::LocalLeave,
        ),
        (
            "closed in call",
            Harness::in_call,
            SdkEvent::ConnectionClosed,
            EndReason::ConnectionClosed,
        ),
        (
            "left in call",
            Harness::in_call,
            SdkEvent::SessionLeft,
            EndReason::RemovedOrRemote,
        ),
        (
            "closed while joining",
            Harness::joining,
            SdkEvent::ConnectionClosed,
            EndReason::ConnectionClosed,
        ),
        (
            "left while joining",
            Harness::joining,
            SdkEvent::SessionLeft,
            EndReason::RemovedOrRemote,
        ),
        (
            "timed out while joining",
            Harness::joining,
            SdkEvent::SessionTimedOut,
            EndReason::IdleTimeout,
        ),
    ];
    for (name, setup, event, want) in cases {
        let mut h = setup();
        let out = h.sdk(1, event);
        assert_ended_once(&out, 1, &want);
        assert_eq!(h.phase(1), Phase::Ended(want.clone()), "{name}");
        assert_eq!(h.ui(), ended_ui(&want), "{name}");
        assert_eq!(
            h.core
                .machines
                .router
                .current()
                .and_then(|c| c.ended.clone()),
            Some(want.clone()),
            "{name}: the router records the reason"
        );
    }

    // Closed while reconnecting is still a closed connection, not our leave.
    let mut h = Harness::in_call();
    h.sdk(1, SdkEvent::ConnectionLost);
    let out = h.sdk(1, SdkEvent::ConnectionClosed);
    assert_ended_once(&out, 1, &EndReason::ConnectionClosed);

    // Our leave with no callback at all ends as our leave when the leave timer fires; the SDK is
    // not asked to leave a second time.
    let mut h = Harness::leaving();
    let out = h.fire(1, TimerKind::LeaveAck);
    assert_ended_once(&out, 1, &EndReason::LocalLeave);
    assert_eq!(count(&out, is_leave(1)), 0);

    // Only ConnectionClosed and join failures worth retrying offer retry.
    assert!(EndReason::ConnectionClosed.can_retry());
    assert!(!EndReason::LocalLeave.can_retry());
    assert!(!EndReason::RemovedOrRemote.can_retry());
    assert!(!EndReason::IdleTimeout.can_retry());
}

#[test]
fn rule_3_connection_lost_never_ends() {
    let mut h = Harness::in_call();
    let out = h.sdk(1, SdkEvent::ConnectionLost);
    assert_eq!(count(&out, is_ended), 0);
    assert_eq!(count(&out, is_leave(1)), 0);
    assert_eq!(h.phase(1), Phase::InCall { reconnecting: true });
    assert!(
        matches!(
            renders(&out).as_slice(),
            [UiState::InCall {
                reconnecting: true,
                ..
            }]
        ),
        "the UI shows reconnecting: {out:#?}"
    );
    assert!(h.ui().shows_call_view());

    // Lost again, and for a long time: still in the call (the core has no reconnect deadline).
    assert!(h.sdk(1, SdkEvent::ConnectionLost).is_empty());
    h.now += 10 * 60 * 1000;
    assert_eq!(count(&h.sdk(1, SdkEvent::ConnectionLost), is_ended), 0);
    assert_eq!(h.phase(1), Phase::InCall { reconnecting: true });

    // Restored returns to Connected.
    let out = h.sdk(1, SdkEvent::ConnectionRestored);
    assert_eq!(
        h.phase(1),
        Phase::InCall {
            reconnecting: false
        }
    );
    assert!(
        matches!(
            renders(&out).as_slice(),
            [UiState::InCall {
                reconnecting: false,
                ..
            }]
        ),
        "the UI shows connected again: {out:#?}"
    );

    // Lost then closed: ends as a closed connection and dismisses the view.
    h.sdk(1, SdkEvent::ConnectionLost);
    let out = h.sdk(1, SdkEvent::ConnectionClosed);
    assert_ended_once(&out, 1, &EndReason::ConnectionClosed);
    assert_eq!(h.ui(), ended_ui(&EndReason::ConnectionClosed));

    // Lost while still joining does not end the join either.
    let mut h = Harness::joining();
    let out = h.sdk(1, SdkEvent::ConnectionLost);
    assert_eq!(count(&out, is_ended), 0);
    assert_eq!(h.phase(1), Phase::Joining);
    h.sdk(1, SdkEvent::SessionJoined);
    assert_eq!(
        h.phase(1),
        Phase::InCall {
            reconnecting: false
        }
    );
}

#[test]
fn rule_4_join_success_and_joined_in_either_order() {
    let orders = [
        [SdkEvent::JoinSucceeded, SdkEvent::SessionJoined],
        [SdkEvent::SessionJoined, SdkEvent::JoinSucceeded],
    ];
    for [first, second] in orders {
        let mut h = Harness::joining();
        let out = h.sdk(1, first.clone());
        assert_eq!(
            h.phase(1),
            Phase::InCall {
                reconnecting: false
            },
            "{first:?} alone joins"
        );
        assert_eq!(
            out.iter()
                .filter(|c| **c
                    == Command::Effect(Effect::CancelTimer {
                        id: timer(TimerKind::JoinTimeout, 1)
                    }))
                .count(),
            1,
            "{first:?} cancels the join timer: {out:#?}"
        );
        assert!(
            matches!(
                renders(&out).as_slice(),
                [UiState::InCall {
                    reconnecting: false,
                    participant_count: 1,
                    ..
                }]
            ),
            "{first:?} renders InCall: {out:#?}"
        );
        let out = h.sdk(1, second.clone());
        assert!(out.is_empty(), "{second:?} after {first:?}: {out:#?}");
        assert_eq!(
            h.phase(1),
            Phase::InCall {
                reconnecting: false
            }
        );
        // A join timer that fires anyway (raced with the cancel) does not end a joined call.
        assert!(h.fire(1, TimerKind::JoinTimeout).is_empty());
        assert!(matches!(h.ui(), UiState::InCall { .. }));
    }
}

#[test]
fn rule_5_spurious_init_error_tolerated_other_errors_end() {
    // INIT ERROR (the SDK 5.0.x bug): the attempt goes on and joins anyway.
    let mut h = Harness::joining();
    let init = SdkEvent::JoinFailed {
        code: JoinErrorCode::from_sdk("INIT ERROR"),
        message: "init failed".into(),
    };
    let out = h.sdk(1, init.clone());
    assert!(
        out.is_empty(),
        "a spurious INIT ERROR does nothing: {out:#?}"
    );
    assert_eq!(h.phase(1), Phase::Joining);
    assert_eq!(h.core.machines.sessions[&1].spurious_init_errors(), 1);
    assert!(matches!(h.ui(), UiState::Joining { .. }));
    // Twice is still tolerated.
    assert!(h.sdk(1, init).is_empty());
    h.sdk(1, SdkEvent::SessionJoined);
    assert!(matches!(h.ui(), UiState::InCall { .. }));

    // Every other code ends the attempt with the SDK's message shown.
    let codes = [
        ("AUTH TOKEN ERROR", JoinErrorCode::AuthToken, false),
        ("SESSION ID ERROR", JoinErrorCode::SessionId, false),
        ("API ERROR", JoinErrorCode::Api, true),
        (
            "SOMETHING ELSE",
            JoinErrorCode::Other {
                code: "SOMETHING ELSE".into(),
            },
            true,
        ),
    ];
    for (sdk_code, code, can_retry) in codes {
        assert_eq!(JoinErrorCode::from_sdk(sdk_code), code);
        let mut h = Harness::joining();
        // A spurious INIT ERROR first does not protect against a real error after it.
        h.sdk(
            1,
            SdkEvent::JoinFailed {
                code: JoinErrorCode::Init,
                message: "spurious".into(),
            },
        );
        let message = format!("details for {sdk_code}");
        let out = h.sdk(
            1,
            SdkEvent::JoinFailed {
                code: code.clone(),
                message: message.clone(),
            },
        );
        let reason = EndReason::JoinFailed {
            code: code.clone(),
            message: message.clone(),
        };
        assert_ended_once(&out, 1, &reason);
        assert!(out.contains(&Command::Effect(Effect::CancelTimer {
            id: timer(TimerKind::JoinTimeout, 1)
        })));
        match h.ui() {
            UiState::Error {
                message: shown,
                can_retry: r,
                open_settings: false,
            } => {
                assert!(shown.contains(&message), "{shown:?} shows {message:?}");
                assert!(shown.contains(sdk_code), "{shown:?} names {sdk_code:?}");
                assert_eq!(r, can_retry, "{sdk_code}");
            }
            other => panic!("{sdk_code}: expected an Error alert, got {other:?}"),
        }
    }

    // A join that never completes ends by the core's join timeout: the SDK is told to stop, the
    // attempt ends once, the alert offers retry, and retry starts attempt 2.
    let mut h = Harness::booted();
    h.send(Event::OpenLink { url: LINK.into() });
    let out = h.send(Event::ViewAppeared);
    assert!(out.contains(&Command::Effect(Effect::StartTimer {
        id: timer(TimerKind::JoinTimeout, 1),
        after_ms: CoreConfig::default().join_timeout_ms,
    })));
    h.sdk(
        1,
        SdkEvent::JoinFailed {
            code: JoinErrorCode::Init,
            message: String::new(),
        },
    );
    let out = h.fire(1, TimerKind::JoinTimeout);
    assert_ended_once(&out, 1, &EndReason::JoinTimedOut);
    assert_eq!(count(&out, is_leave(1)), 1, "the SDK is told to stop");
    assert!(matches!(
        h.ui(),
        UiState::Error {
            can_retry: true,
            ..
        }
    ));
    // A late join success for the timed-out attempt does not bring it back.
    assert!(h.sdk(1, SdkEvent::JoinSucceeded).is_empty());
    assert!(h.sdk(1, SdkEvent::SessionLeft).is_empty());
    assert!(h.fire(1, TimerKind::JoinTimeout).is_empty());
    let out = h.send(Event::Retry);
    assert!(
        out.iter().any(|c| matches!(
            c,
            Command::Message(Message::StartAttempt { attempt: 2, .. })
        )),
        "retry starts attempt 2: {out:#?}"
    );
    assert!(matches!(h.ui(), UiState::Joining { .. }));
}

#[test]
fn auth_token_error_shows_error_then_dismiss_returns_to_idle() {
    let mut h = Harness::joining();
    let out = h.sdk(
        1,
        SdkEvent::JoinFailed {
            code: JoinErrorCode::from_sdk("AUTH TOKEN ERROR"),
            message: "token expired".into(),
        },
    );
    let reason = EndReason::JoinFailed {
        code: JoinErrorCode::AuthToken,
        message: "token expired".into(),
    };
    assert_ended_once(&out, 1, &reason);
    assert_eq!(
        renders(&out),
        vec![UiState::Error {
            message: reason.message(),
            can_retry: false,
            open_settings: false,
        }]
    );
    // No retry for an auth failure.
    assert!(h.send(Event::Retry).is_empty());
    let out = h.send(Event::Dismiss);
    assert_eq!(renders(&out), vec![UiState::Idle]);
    assert_eq!(h.ui(), UiState::Idle);
    // Dismissing again changes nothing.
    assert!(renders(&h.send(Event::Dismiss)).is_empty());
}

#[test]
fn rule_6_leave_button_and_user_leave_one_leave_session() {
    // Leave button, then the user's leave, then onSessionLeft.
    let mut h = Harness::in_call();
    let mut all = h.sdk(1, SdkEvent::LeaveButtonClicked);
    assert_eq!(count(&all, is_leave(1)), 1);
    assert!(all.contains(&Command::Effect(Effect::StartTimer {
        id: timer(TimerKind::LeaveAck, 1),
        after_ms: CoreConfig::default().leave_ack_timeout_ms,
    })));
    assert_eq!(renders(&all), vec![UiState::Leaving]);
    all.extend(h.send(Event::Leave));
    all.extend(h.sdk(1, SdkEvent::LeaveButtonClicked));
    let out = h.sdk(1, SdkEvent::SessionLeft);
    assert_ended_once(&out, 1, &EndReason::LocalLeave);
    all.extend(out);
    all.extend(h.send(Event::Leave));
    assert_eq!(count(&all, is_leave(1)), 1, "one LeaveSession: {all:#?}");
    assert_eq!(h.ui(), ended_ui(&EndReason::LocalLeave));

    // The user's leave, then the button (which fires before the SDK's own leave), then closed.
    let mut h = Harness::in_call();
    let mut all = h.send(Event::Leave);
    all.extend(h.sdk(1, SdkEvent::LeaveButtonClicked));
    let out = h.sdk(1, SdkEvent::ConnectionClosed);
    assert_ended_once(&out, 1, &EndReason::LocalLeave);
    all.extend(out);
    assert_eq!(count(&all, is_leave(1)), 1, "one LeaveSession: {all:#?}");

    // Leaving while still joining: one leave, and the join timer is cancelled.
    let mut h = Harness::joining();
    let out = h.sdk(1, SdkEvent::LeaveButtonClicked);
    assert_eq!(count(&out, is_leave(1)), 1);
    assert!(out.contains(&Command::Effect(Effect::CancelTimer {
        id: timer(TimerKind::JoinTimeout, 1)
    })));
    assert_eq!(count(&h.send(Event::Leave), is_leave(1)), 0);
    assert!(h.fire(1, TimerKind::JoinTimeout).is_empty());
    let out = h.fire(1, TimerKind::LeaveAck);
    assert_ended_once(&out, 1, &EndReason::LocalLeave);
    assert_eq!(count(&out, is_leave(1)), 0);

    // Leaving before the view appeared: nothing was joined, so nothing to leave; the call ends.
    let mut h = Harness::booted();
    h.send(Event::OpenLink { url: LINK.into() });
    let out = h.send(Event::Leave);
    assert_eq!(
        count(&out, |c| matches!(
            c,
            Command::Effect(Effect::LeaveSession { .. })
        )),
        0
    );
    assert_ended_once_no_audio(&out, 1, &EndReason::LocalLeave);
    // The view appearing afterwards does not join the ended attempt.
    assert_eq!(count(&h.send(Event::ViewAppeared), is_join(1)), 0);
}

/// Like [`assert_ended_once`] for an attempt that never took the audio session.
#[track_caller]
fn assert_ended_once_no_audio(cmds: &[Command], attempt: AttemptId, reason: &EndReason) {
    assert_eq!(endings(cmds), vec![(attempt, reason.clone())]);
    let at = cmds.iter().position(is_ended).expect("an Ended");
    assert!(
        cmds[at..]
            .iter()
            .any(|c| matches!(c, Command::Effect(Effect::Render(s)) if s.dismisses_call_view())),
        "a dismissing render after Ended: {cmds:#?}"
    );
    assert_eq!(
        count(cmds, |c| matches!(
            c,
            Command::Effect(Effect::DeactivateAudio { .. })
        )),
        0,
        "no audio to give back: {cmds:#?}"
    );
}

#[test]
fn rule_7_view_appearing_twice_joins_once() {
    let mut h = Harness::booted();
    let out = h.send(Event::OpenLink { url: LINK.into() });
    assert_eq!(count(&out, is_join(1)), 0, "no join before the view is up");
    assert!(matches!(h.ui(), UiState::Joining { .. }));

    let mut all = h.send(Event::ViewAppeared);
    // Listeners are registered before the join, so an early onSessionJoined is not missed.
    let reg = all
        .iter()
        .position(|c| *c == Command::Effect(Effect::RegisterListeners { attempt: 1 }))
        .expect("listeners registered");
    let join = all.iter().position(is_join(1)).expect("joined");
    assert!(reg < join);
    assert!(h.core.machines.router.view_visible());

    all.extend(h.send(Event::ViewAppeared));
    let out = h.send(Event::ViewDisappeared);
    assert!(!h.core.machines.router.view_visible());
    all.extend(out);
    all.extend(h.send(Event::ViewAppeared));
    assert!(h.core.machines.router.view_visible());
    // The same link again, and a join by the same id, while joining or in the call: nothing at
    // all (no new attempt, no switch offer).
    let same = [
        Event::OpenLink { url: LINK.into() },
        Event::Join {
            session_id: "abc".into(),
        },
    ];
    for event in same.clone() {
        let out = h.send(event.clone());
        assert!(out.is_empty(), "{event:?} while joining: {out:#?}");
    }
    h.sdk(1, SdkEvent::JoinSucceeded);
    all.extend(h.send(Event::ViewAppeared));
    for event in same.into_iter().chain([Event::OpenLink {
        url: format!("{LINK}/?from=mail"),
    }]) {
        let out = h.send(event.clone());
        assert!(out.is_empty(), "{event:?} in the call: {out:#?}");
    }

    assert_eq!(count(&all, is_join(1)), 1, "one JoinSession: {all:#?}");
    assert_eq!(
        count(&all, |c| matches!(
            c,
            Command::Effect(Effect::RegisterListeners { .. })
        )),
        1
    );
    assert_eq!(
        count(&all, |c| matches!(
            c,
            Command::Effect(Effect::ConfigureAudio { .. })
        )),
        1
    );
    assert_eq!(
        count(&all, |c| matches!(
            c,
            Command::Message(Message::StartAttempt { .. })
        )),
        0,
        "no second attempt for the same session"
    );
    assert_eq!(h.core.machines.sessions.len(), 1);
    assert!(matches!(h.ui(), UiState::InCall { .. }));

    // A link for another session during the call asks to switch instead of joining.
    let out = h.send(Event::OpenLink {
        url: OTHER_LINK.into(),
    });
    assert_eq!(
        count(&out, |c| matches!(
            c,
            Command::Message(Message::StartAttempt { .. })
        )),
        0
    );
    assert!(
        matches!(
            h.ui(),
            UiState::InCall { switch_offer: Some(ref to), .. } if to == "xyz"
        ),
        "{:?}",
        h.ui()
    );
}

#[test]
fn rule_8_old_attempt_and_after_ended_events_ignored() {
    let mut h = Harness::in_call();
    h.sdk(1, SdkEvent::ConnectionClosed);
    assert!(h.ui().dismisses_call_view());
    let ui_before = h.ui();

    // Every SDK callback for the ended attempt is recorded (a router step) and ignored.
    let late = [
        SdkEvent::JoinSucceeded,
        SdkEvent::SessionJoined,
        SdkEvent::SessionLeft,
        SdkEvent::SessionTimedOut,
        SdkEvent::ConnectionLost,
        SdkEvent::ConnectionRestored,
        SdkEvent::ConnectionClosed,
        SdkEvent::LeaveButtonClicked,
        SdkEvent::JoinFailed {
            code: JoinErrorCode::Api,
            message: "late".into(),
        },
        SdkEvent::ParticipantCountChanged { count: 5 },
        SdkEvent::LocalAudioMuted { muted: true },
        SdkEvent::ButtonClicked {
            button: SdkButton::RecordingToggle,
        },
    ];
    for event in late.clone() {
        let steps = h.steps(Event::Sdk {
            attempt: 1,
            event: event.clone(),
        });
        assert_eq!(steps.len(), 1, "{event:?}: {steps:#?}");
        assert_eq!(steps[0].actor, ActorName::Router);
        assert_eq!(
            steps[0].input,
            Input::Router(RouterInput::StaleSdkEvent {
                attempt: 1,
                event: event.clone()
            })
        );
        assert!(steps[0].commands.is_empty());
    }
    // User intents after Ended reach no session.
    for event in [
        Event::Leave,
        Event::ToggleMic,
        Event::ToggleCamera,
        Event::ViewAppeared,
    ] {
        assert!(h.send(event.clone()).is_empty(), "{event:?}");
    }
    // Timers of the ended attempt firing late do nothing.
    assert!(h.fire(1, TimerKind::JoinTimeout).is_empty());
    assert!(h.fire(1, TimerKind::LeaveAck).is_empty());
    assert_eq!(h.phase(1), Phase::Ended(EndReason::ConnectionClosed));
    assert_eq!(h.ui(), ui_before);
    // Even delivered straight to the ended session's actor (no liveness check on the way), every
    // input is ignored.
    let direct = late.iter().cloned().map(SessionInput::Sdk).chain([
        SessionInput::Sdk(SdkEvent::LocalVideoPaused { paused: true }),
        SessionInput::Sdk(SdkEvent::AudioModeChanged {
            mode: switchboard_domain::AudioMode::Earpiece,
        }),
        SessionInput::ViewAppeared,
        SessionInput::Leave,
        SessionInput::ToggleMic,
        SessionInput::ToggleCamera,
    ]);
    for input in direct {
        h.now += 10;
        let steps = h
            .core
            .deliver(Target::Session(1), Input::Session(input.clone()), h.now);
        assert_eq!(steps.len(), 1);
        assert!(steps[0].commands.is_empty(), "{input:?}: {steps:#?}");
    }
    assert_eq!(h.phase(1), Phase::Ended(EndReason::ConnectionClosed));
    assert_eq!(h.ui(), ui_before);

    // Retry starts attempt 2; attempt 1's callbacks (an old attempt) cannot touch it.
    let out = h.send(Event::Retry);
    assert!(out.iter().any(|c| matches!(
        c,
        Command::Message(Message::StartAttempt { attempt: 2, .. })
    )));
    h.send(Event::ViewAppeared);
    assert_eq!(h.phase(2), Phase::Joining);
    for event in late {
        let out = h.sdk(1, event.clone());
        assert!(out.is_empty(), "old attempt's {event:?}: {out:#?}");
    }
    assert_eq!(h.phase(2), Phase::Joining, "old callbacks did not join 2");
    assert!(matches!(h.ui(), UiState::Joining { .. }));
    // Callbacks for an attempt that never existed are ignored too.
    assert!(h.sdk(7, SdkEvent::SessionJoined).is_empty());
    assert!(h.sdk(7, SdkEvent::ConnectionClosed).is_empty());
    assert_eq!(h.phase(2), Phase::Joining);
    // Attempt 2's own callbacks still work.
    h.sdk(2, SdkEvent::JoinSucceeded);
    assert!(matches!(h.ui(), UiState::InCall { .. }));
    let out = h.sdk(2, SdkEvent::SessionLeft);
    assert_ended_once(&out, 2, &EndReason::RemovedOrRemote);
}

#[test]
fn rule_9_standalone_never_inits_chat_sdk() {
    let (mut h, boot) = Harness::boot(CoreConfig::default());
    assert_eq!(CoreConfig::default().mode, IntegrationMode::Standalone);
    assert_eq!(boot, vec![Command::Effect(Effect::InitCallsSdk)]);
    // A whole call in standalone mode never touches the chat SDK.
    let mut all = h.send(Event::OpenLink { url: LINK.into() });
    all.extend(h.send(Event::ViewAppeared));
    all.extend(h.sdk(1, SdkEvent::SessionJoined));
    all.extend(h.send(Event::Leave));
    all.extend(h.sdk(1, SdkEvent::SessionLeft));
    assert_eq!(
        count(&all, |c| *c == Command::Effect(Effect::InitChatSdk)),
        0
    );

    // Additive mode keeps both.
    let (_, boot) = Harness::boot(CoreConfig {
        mode: IntegrationMode::Additive,
        ..CoreConfig::default()
    });
    assert_eq!(
        count(&boot, |c| *c == Command::Effect(Effect::InitCallsSdk)),
        1
    );
    assert_eq!(
        count(&boot, |c| *c == Command::Effect(Effect::InitChatSdk)),
        1
    );
}

#[test]
fn sdk_callbacks_before_the_join_went_out_are_ignored() {
    // The view has not appeared, so no JoinSession was sent: a "joined" or a terminal callback
    // for the attempt cannot be real and must not move it.
    let mut h = Harness::booted();
    h.send(Event::OpenLink { url: LINK.into() });
    assert_eq!(h.phase(1), Phase::Waiting);
    for event in [
        SdkEvent::JoinSucceeded,
        SdkEvent::SessionJoined,
        SdkEvent::JoinFailed {
            code: JoinErrorCode::Api,
            message: "early".into(),
        },
        SdkEvent::SessionLeft,
        SdkEvent::ConnectionClosed,
        SdkEvent::SessionTimedOut,
        SdkEvent::ConnectionLost,
    ] {
        let out = h.sdk(1, event.clone());
        assert_eq!(count(&out, is_ended), 0, "{event:?}");
        assert_eq!(h.phase(1), Phase::Waiting, "{event:?}");
    }
    assert!(matches!(h.ui(), UiState::Joining { .. }));
    // The view appearing then joins normally.
    assert_eq!(count(&h.send(Event::ViewAppeared), is_join(1)), 1);
}

#[test]
fn dismiss_never_takes_down_a_live_call() {
    for setup in [Harness::joining, Harness::in_call, Harness::leaving] {
        let mut h = setup();
        let ui = h.ui();
        assert!(ui.shows_call_view());
        let out = h.send(Event::Dismiss);
        assert!(
            out.is_empty(),
            "the router ignores Dismiss during a call: {out:#?}"
        );
        // The UI bridge holds on too, should a Dismissed notice reach it anyway.
        h.now += 10;
        let steps = h.core.deliver(
            Target::Ui,
            Input::Ui(switchboard_domain::UiInput::Notice(
                switchboard_domain::Notice::Dismissed,
            )),
            h.now,
        );
        assert!(flatten(&steps).is_empty(), "{steps:#?}");
        assert_eq!(h.ui(), ui);
    }
}

#[test]
fn audio_policy_play_and_record_interruptions_and_reset() {
    use switchboard_domain::effect::{AudioCategory, AudioOptions, AudioSessionMode};
    use switchboard_domain::{
        AppState, AudioEvent, AudioPort, InterruptionReason, RouteChangeReason,
    };

    let configure = |mode| {
        Command::Effect(Effect::ConfigureAudio {
            category: AudioCategory::PlayAndRecord,
            mode,
            options: AudioOptions {
                allow_bluetooth: true,
                default_to_speaker: true,
            },
        })
    };
    // Video call: .playAndRecord + .videoChat, activated on join.
    let mut h = Harness::booted();
    h.send(Event::OpenLink { url: LINK.into() });
    let out = h.send(Event::ViewAppeared);
    let cfg = out
        .iter()
        .position(|c| *c == configure(AudioSessionMode::VideoChat))
        .expect("configured for video");
    let act = out
        .iter()
        .position(|c| *c == Command::Effect(Effect::ActivateAudio))
        .expect("activated");
    assert!(cfg < act);
    h.sdk(1, SdkEvent::JoinSucceeded);

    // An interruption shows in the UI; it ends with shouldResume: audio comes back.
    let out = h.send(Event::Audio(AudioEvent::InterruptionBegan {
        reason: InterruptionReason::Default,
    }));
    assert!(matches!(
        renders(&out).as_slice(),
        [UiState::InCall {
            audio_interrupted: true,
            ..
        }]
    ));
    assert_eq!(
        count(&out, is_ended),
        0,
        "an interruption does not end the call"
    );
    let out = h.send(Event::Audio(AudioEvent::InterruptionEnded {
        should_resume: true,
    }));
    assert!(out.contains(&Command::Effect(Effect::ActivateAudio)));
    assert!(matches!(
        h.ui(),
        UiState::InCall {
            audio_interrupted: false,
            ..
        }
    ));

    // Without shouldResume, audio waits for the foreground.
    h.send(Event::Audio(AudioEvent::InterruptionBegan {
        reason: InterruptionReason::AppWasSuspended,
    }));
    let out = h.send(Event::Audio(AudioEvent::InterruptionEnded {
        should_resume: false,
    }));
    assert!(!out.contains(&Command::Effect(Effect::ActivateAudio)));
    let out = h.send(Event::App(AppState::Foreground));
    assert!(out.contains(&Command::Effect(Effect::ActivateAudio)));

    // The route shows in the UI.
    h.send(Event::Audio(AudioEvent::RouteChanged {
        reason: RouteChangeReason::NewDeviceAvailable,
        output: AudioPort::BluetoothHfp,
    }));
    assert!(matches!(
        h.ui(),
        UiState::InCall {
            audio_route: AudioPort::BluetoothHfp,
            ..
        }
    ));

    // Speaker chosen: the SDK's setAudioMode carries it out; the core does not override the
    // audio session's output behind the SDK's back.
    let out = h.send(Event::SelectAudioRoute { speaker: true });
    assert_eq!(
        out.iter()
            .filter(|c| c.port().is_some())
            .cloned()
            .collect::<Vec<_>>(),
        vec![Command::Effect(Effect::SetAudioMode {
            attempt: 1,
            mode: switchboard_domain::AudioMode::Speaker,
        })]
    );
    let out = h.send(Event::SelectAudioRoute { speaker: false });
    assert!(out.contains(&Command::Effect(Effect::SetAudioMode {
        attempt: 1,
        mode: switchboard_domain::AudioMode::Earpiece,
    })));
    // Media services reset: reconfigure and reactivate, and nothing overrides the output.
    let out = h.send(Event::Audio(AudioEvent::MediaServicesReset));
    assert_eq!(
        out.iter()
            .filter(|c| c.port() == Some(switchboard_domain::effect::Port::Audio))
            .cloned()
            .collect::<Vec<_>>(),
        vec![
            configure(AudioSessionMode::VideoChat),
            Command::Effect(Effect::ActivateAudio)
        ]
    );

    // The end gives audio back with notifyOthersOnDeactivation; audio events after it do nothing.
    let out = h.sdk(1, SdkEvent::SessionLeft);
    assert_ended_once(&out, 1, &EndReason::RemovedOrRemote);
    for e in [
        AudioEvent::MediaServicesReset,
        AudioEvent::InterruptionBegan {
            reason: InterruptionReason::Default,
        },
    ] {
        let out = h.send(Event::Audio(e));
        assert_eq!(
            count(&out, |c| c.port()
                == Some(switchboard_domain::effect::Port::Audio)),
            0
        );
    }
    assert!(h.send(Event::SelectAudioRoute { speaker: true }).is_empty());

    // Voice call: .voiceChat.
    let mut config = CoreConfig::default();
    config.settings.session_type = switchboard_domain::SessionType::Voice;
    let (mut h, _) = Harness::boot(config);
    h.send(Event::OpenLink { url: LINK.into() });
    let out = h.send(Event::ViewAppeared);
    assert!(out.contains(&configure(AudioSessionMode::VoiceChat)));
}

#[test]
fn a_link_for_another_session_offers_a_switch_and_accepting_it_switches() {
    let mut h = Harness::in_call();
    let out = h.send(Event::OpenLink {
        url: OTHER_LINK.into(),
    });
    assert_eq!(
        count(&out, |c| matches!(
            c,
            Command::Message(Message::StartAttempt { .. })
        )),
        0
    );
    assert_eq!(
        count(&out, is_leave(1)),
        0,
        "the offer alone does not leave"
    );
    assert!(matches!(
        h.ui(),
        UiState::InCall { switch_offer: Some(ref to), .. } if to == "xyz"
    ));
    let out = h.send(Event::AnswerSwitch { accept: true });
    assert_eq!(count(&out, is_leave(1)), 1);
    let out = h.sdk(1, SdkEvent::SessionLeft);
    assert_ended_once(&out, 1, &EndReason::LocalLeave);
    assert!(
        out.iter().any(|c| matches!(
            c,
            Command::Message(Message::StartAttempt { attempt: 2, session_id, .. }) if session_id.as_str() == "xyz"
        )),
        "{out:#?}"
    );
    assert!(matches!(h.ui(), UiState::Joining { ref session_id, .. } if session_id == "xyz"));

    // Declining keeps the call and clears the offer.
    let mut h = Harness::in_call();
    h.send(Event::OpenLink {
        url: OTHER_LINK.into(),
    });
    let out = h.send(Event::AnswerSwitch { accept: false });
    assert_eq!(count(&out, is_leave(1)), 0);
    assert!(matches!(
        h.ui(),
        UiState::InCall {
            switch_offer: None,
            ..
        }
    ));
}

/// Regression: the user accepted switching to `xyz`; while the old call is leaving, another link
/// (`qqq`) arrives. The switch must still happen once the old call ends (the newest link wins).
#[test]
fn accepted_switch_survives_another_link_while_leaving() {
    let mut h = Harness::in_call();
    h.send(Event::OpenLink {
        url: OTHER_LINK.into(),
    });
    h.send(Event::AnswerSwitch { accept: true });
    assert_eq!(h.phase(1), Phase::Leaving);
    h.send(Event::OpenLink {
        url: "https://meet.switchboard.example/meet/qqq".into(),
    });
    let out = h.sdk(1, SdkEvent::SessionLeft);
    assert_ended_once(&out, 1, &EndReason::LocalLeave);
    assert!(
        out.iter().any(|c| matches!(
            c,
            Command::Message(Message::StartAttempt { attempt: 2, .. })
        )),
        "the switch the user accepted must still happen: {out:#?}"
    );
}

/// Regression: a link for another session while the first is still joining becomes a switch
/// offer, and the Joining screen shows it.
#[test]
fn a_switch_offer_while_joining_is_shown() {
    let mut h = Harness::joining();
    let out = h.send(Event::OpenLink {
        url: OTHER_LINK.into(),
    });
    assert!(out.iter().any(|c| matches!(
        c,
        Command::Message(Message::Notify(
            switchboard_domain::Notice::SwitchOffered { .. }
        ))
    )));
    assert!(
        !renders(&out).is_empty(),
        "the offer reaches the screen: {out:#?}"
    );
}

/// Regression: the router tracks the call view whatever the attempt, so a view taken down after
/// the call ended is known to be gone (and one left up would be a stranded view).
#[test]
fn view_disappearing_after_the_end_reaches_the_ended_session() {
    let mut h = Harness::in_call();
    assert!(h.core.machines.router.view_visible());
    h.sdk(1, SdkEvent::ConnectionClosed);
    assert!(h.ui().dismisses_call_view());
    // The shell takes the call view down, as told, and reports it.
    h.send(Event::ViewDisappeared);
    assert!(
        !h.core.machines.router.view_visible(),
        "the ended session still believes its view is on screen"
    );
}

#[test]
fn the_sdk_buttons_other_than_leave_and_share_are_recorded_and_acted_on_by_the_sdk_alone() {
    let mut h = Harness::in_call();
    let ui_before = h.ui();
    for button in SdkButton::ALL {
        let event = SdkEvent::ButtonClicked { button };
        let steps = h.steps(Event::Sdk {
            attempt: 1,
            event: event.clone(),
        });
        if button == SdkButton::ShareInvite {
            // The one the core acts on: the router shares the call's meeting link.
            let id = h.core.machines.router.current().unwrap().session_id.clone();
            assert_eq!(steps.len(), 1, "{steps:#?}");
            assert_eq!(steps[0].actor, ActorName::Router);
            assert_eq!(
                steps[0].commands,
                vec![Command::Effect(Effect::ShareLink {
                    url: format!("https://{DEFAULT_ALLOWED_HOST}/meet/{id}")
                })]
            );
            continue;
        }
        // One journaled step on the live session, no command: the SDK performs its own default
        // action and reports the result through its media callbacks.
        assert_eq!(steps.len(), 1, "{button:?}: {steps:#?}");
        assert_eq!(steps[0].actor, ActorName::Session(1));
        assert_eq!(steps[0].input, Input::Session(SessionInput::Sdk(event)));
        assert!(steps[0].commands.is_empty(), "{button:?}: {steps:#?}");
    }
    assert_eq!(h.ui(), ui_before);
    assert_eq!(
        h.phase(1),
        Phase::InCall {
            reconnecting: false
        }
    );
    // The leave button is not one of them: it still leaves, once.
    assert_eq!(
        count(&h.sdk(1, SdkEvent::LeaveButtonClicked), is_leave(1)),
        1
    );
}
