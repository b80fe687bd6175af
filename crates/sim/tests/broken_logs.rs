//! The journal-level invariants catch deliberately broken logs, each at the record that breaks
//! it, and a broken log written to disk and read back reports the same violation.
use switchboard_domain::core::Core;
use switchboard_domain::effect::AudioCategory;
use switchboard_domain::message::Target;
use switchboard_domain::{
    ActorName, Authorization, Command, CoreConfig, Effect, EndReason, Entry, Event, Input, Launch,
    Message, Permissions, RouterInput, SdkEvent, SessionInput, SetupEvent, TimerKind, UiInput,
};
use switchboard_journal::script::{records_from_steps, scripted_log};
use switchboard_journal::{NewRecord, Record};
use switchboard_sim::{check_log, Invariant};

/// A good log: a booted core and a few scripted calls (each joins, mutes, leaves, dismisses).
fn good_log() -> Vec<Record> {
    let new = scripted_log(120);
    (0u64..).zip(&new).map(|(seq, r)| r.at_seq(seq)).collect()
}

fn renumber(mut log: Vec<Record>) -> Vec<Record> {
    for (seq, r) in (0u64..).zip(log.iter_mut()) {
        r.seq = seq;
    }
    log
}

fn position(log: &[Record], f: impl Fn(&Record) -> bool) -> usize {
    log.iter().position(f).expect("the scripted log has it")
}

fn is_command(r: &Record, f: impl Fn(&Command) -> bool) -> bool {
    matches!(&r.body, Entry::Command(c) if f(c))
}

fn command(actor: ActorName, at_ms: u64, c: Command) -> Record {
    Record {
        format: switchboard_journal::FORMAT_VERSION,
        seq: 0,
        at_ms,
        actor,
        body: Entry::Command(c),
    }
}

fn input(actor: ActorName, at_ms: u64, i: Input) -> Record {
    Record {
        format: switchboard_journal::FORMAT_VERSION,
        seq: 0,
        at_ms,
        actor,
        body: Entry::Input(i),
    }
}

/// Checks that the log breaks `invariant` at `seq`.
fn assert_breaks(log: &[Record], invariant: Invariant, seq: u64) {
    let v = check_log(log).expect_err("the broken log is caught");
    assert_eq!((v.invariant, v.seq), (invariant, Some(seq)), "{v}");
}

#[test]
fn a_good_log_passes() {
    let stats = check_log(&good_log()).expect("the scripted calls hold every rule");
    assert!(stats.attempts >= 2);
    assert_eq!(stats.ended.get("LocalLeave"), Some(&stats.attempts));
}

#[test]
fn a_second_leave_breaks_rule_6() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| {
            matches!(c, Command::Effect(Effect::LeaveSession { .. }))
        })
    });
    log.insert(i + 1, log[i].clone());
    assert_breaks(&renumber(log), Invariant::OneLeave, i as u64 + 1);
}

#[test]
fn a_second_join_breaks_rule_7() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| {
            matches!(c, Command::Effect(Effect::JoinSession { .. }))
        })
    });
    log.insert(i + 1, log[i].clone());
    assert_breaks(&renumber(log), Invariant::OneJoin, i as u64 + 1);
}

#[test]
fn a_wrong_end_reason_breaks_rule_2() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::Message(Message::Ended { .. })))
    });
    let Entry::Command(Command::Message(Message::Ended { attempt, .. })) = log[i].body.clone()
    else {
        unreachable!()
    };
    log[i].body = Entry::Command(Command::Message(Message::Ended {
        attempt,
        reason: EndReason::RemovedOrRemote,
    }));
    assert_breaks(&log, Invariant::EndReason, i as u64);
}

#[test]
fn an_end_on_a_lost_connection_breaks_rule_3() {
    let mut log = good_log();
    let lost = Input::Session(SessionInput::Sdk(SdkEvent::ConnectionLost));
    let i = position(&log, |r| r.body == Entry::Input(lost.clone()));
    let ActorName::Session(attempt) = log[i].actor else {
        unreachable!()
    };
    let ended = Command::Message(Message::Ended {
        attempt,
        reason: EndReason::ConnectionClosed,
    });
    log.insert(i + 1, command(log[i].actor, log[i].at_ms, ended));
    assert_breaks(&renumber(log), Invariant::LostNeverEnds, i as u64 + 1);
}

#[test]
fn a_category_without_the_microphone_is_caught() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| {
            matches!(c, Command::Effect(Effect::ConfigureAudio { .. }))
        })
    });
    let Entry::Command(Command::Effect(Effect::ConfigureAudio { mode, options, .. })) =
        log[i].body.clone()
    else {
        unreachable!()
    };
    log[i].body = Entry::Command(Command::Effect(Effect::ConfigureAudio {
        category: AudioCategory::Playback,
        mode,
        options,
    }));
    assert_breaks(&log, Invariant::MicCategory, i as u64);
}

#[test]
fn a_chat_sdk_in_standalone_mode_breaks_rule_9() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| *c == Command::Effect(Effect::InitCallsSdk))
    });
    log.insert(
        i + 1,
        command(
            ActorName::Router,
            log[i].at_ms,
            Command::Effect(Effect::InitChatSdk),
        ),
    );
    assert_breaks(&renumber(log), Invariant::SdkInit, i as u64 + 1);
}

#[test]
fn a_missing_leave_breaks_rule_6() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| {
            matches!(c, Command::Effect(Effect::LeaveSession { .. }))
        })
    });
    log.remove(i);
    // The user's leave (the input just before) produced no LeaveSession.
    assert_breaks(&renumber(log), Invariant::LeaveLeads, i as u64 - 1);
}

#[test]
fn an_ended_call_whose_view_never_went_away_is_stranded() {
    let mut log = good_log();
    let ended = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::Message(Message::Ended { .. })))
    });
    // Drop the UI bridge's input with the ended session, and the render it caused.
    let ui = position(&log, |r| {
        matches!(&r.body, Entry::Input(Input::Ui(UiInput::Session(v)))
            if matches!(v.phase, switchboard_domain::view::PhaseView::Ended(_)))
    });
    assert!(ui > ended);
    log.drain(ui..ui + 2);
    assert_breaks(&renumber(log), Invariant::ViewNotStranded, ended as u64);
}

#[test]
fn a_decision_on_a_stale_callback_breaks_rule_8() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::Message(Message::Ended { .. })))
    });
    let at = log[i].at_ms;
    let stale = Input::Router(RouterInput::StaleSdkEvent {
        attempt: 1,
        event: SdkEvent::SessionJoined,
    });
    let end = log.len();
    log.push(input(ActorName::Router, at, stale));
    log.push(command(
        ActorName::Router,
        at,
        Command::Message(Message::Notify(switchboard_domain::Notice::Dismissed)),
    ));
    assert_breaks(&renumber(log), Invariant::StaleIgnored, end as u64 + 1);
}

#[test]
fn a_decision_after_the_end_breaks_rule_8() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::Message(Message::Ended { .. })))
    });
    let (actor, at) = (log[i].actor, log[i].at_ms);
    let ActorName::Session(attempt) = actor else {
        unreachable!()
    };
    let end = log.len();
    log.push(input(actor, at, Input::Session(SessionInput::ToggleMic)));
    log.push(command(
        actor,
        at,
        Command::Effect(Effect::MuteAudio { attempt }),
    ));
    assert_breaks(&renumber(log), Invariant::IgnoredAfterEnd, end as u64 + 1);
}

#[test]
fn a_gap_in_the_seqs_is_caught() {
    let mut log = good_log();
    log.remove(10);
    assert_breaks(&log, Invariant::LogSequence, 11);
}

#[test]
fn a_command_replay_does_not_decide_is_a_divergence() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| {
            matches!(c, Command::Effect(Effect::StartTimer { .. }))
        })
    });
    log.remove(i);
    let v = check_log(&renumber(log)).expect_err("caught");
    assert_eq!(v.invariant, Invariant::ReplayCommands, "{v}");
}

#[test]
fn a_broken_log_read_back_from_disk_breaks_the_same_rule() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| {
            matches!(c, Command::Effect(Effect::LeaveSession { .. }))
        })
    });
    log.insert(i + 1, log[i].clone());
    let log = renumber(log);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.jsonl");
    let file = std::fs::File::create(&path).unwrap();
    switchboard_journal::export_jsonl(log.iter().cloned().map(Ok), file).unwrap();
    let again = switchboard_sim::recheck(&path)
        .unwrap()
        .expect("still broken");
    assert_eq!(Some(again), check_log(&log).err());
}

/// The repository's fixtures hold every rule of the core: the golden log of format 1, and the
/// support engineers' stranded-view log, where the core did dismiss the call view (rendered
/// `Ended`) and the shell never took it down (`switchboard diagnose` finds that one).
#[test]
fn the_fixtures_hold_the_core_rules() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/fixtures");
    for name in [
        "format-1.jsonl",
        "format-2.jsonl",
        "support-stranded-view.jsonl",
    ] {
        let path = fixtures.join(name);
        if path.exists() {
            let broken = switchboard_sim::recheck(&path).unwrap();
            assert_eq!(broken, None, "{name}");
        }
    }
}

// ---- logs of a launched core (rules 10-12 apply) ----

/// A log of a core started with `Launch`, built by stepping the domain's [`Core`] as the
/// runtime would, one event at a time.
struct Launched {
    core: Core,
    at_ms: u64,
    records: Vec<NewRecord>,
}

impl Launched {
    /// A new process: `Launch` with the default configuration (30 s join timeout, a video
    /// call) and these permissions.
    fn new(permissions: Permissions) -> Launched {
        let mut l = Launched {
            core: Core::default(),
            at_ms: 0,
            records: Vec::new(),
        };
        l.relaunch(permissions);
        l
    }

    /// `Launch` of a new process on the same log.
    fn relaunch(&mut self, permissions: Permissions) {
        self.event(
            0,
            Event::Launch(Launch {
                config: CoreConfig::default(),
                permissions,
            }),
        );
    }

    /// An outside event `after_ms` after the last one.
    fn event(&mut self, after_ms: u64, event: Event) {
        self.at_ms += after_ms;
        let steps = self.core.handle_event(event, self.at_ms);
        self.records.extend(records_from_steps(&steps, self.at_ms));
    }

    /// An input delivered to a machine (a timer firing), `after_ms` after the last one.
    fn deliver(&mut self, after_ms: u64, target: Target, input: Input) {
        self.at_ms += after_ms;
        let steps = self.core.deliver(target, input, self.at_ms);
        self.records.extend(records_from_steps(&steps, self.at_ms));
    }

    /// What a new process does first: end the attempt the old one left live (rule 10).
    fn repair(&mut self) {
        for (target, input) in self.core.machines.reconcile_at_launch() {
            self.deliver(0, target, input);
        }
    }

    fn log(&self) -> Vec<Record> {
        (0u64..)
            .zip(&self.records)
            .map(|(seq, r)| r.at_seq(seq))
            .collect()
    }

    /// The seq the next record will have.
    fn next_seq(&self) -> u64 {
        self.records.len() as u64
    }
}

fn link() -> Event {
    Event::OpenLink {
        url: "https://meet.switchboard.example/meet/standup_42".to_owned(),
    }
}

/// A link before the Calls SDK's init completed: the join is held, its view appears.
fn held_join() -> Launched {
    let mut l = Launched::new(Permissions::GRANTED);
    l.event(200, link());
    l.event(500, Event::ViewAppeared);
    l
}

impl Launched {
    /// The latest init the core asked for succeeds, the user logged in already.
    fn ready(&self) -> Event {
        Event::Setup(SetupEvent::InitSucceeded {
            request: self.core.machines.router.sdk().init_request,
            logged_in: true,
        })
    }
}

#[test]
fn a_held_join_that_waits_out_its_timeout_ends_not_ready_and_the_log_is_clean() {
    let mut l = held_join();
    let timeout = Input::Session(SessionInput::TimerFired(TimerKind::JoinTimeout));
    l.deliver(30_000, Target::Session(1), timeout);
    l.event(400, Event::ViewDisappeared);
    l.event(2_000, Event::Dismiss);
    let stats = check_log(&l.log()).expect("every rule holds");
    assert_eq!((stats.held, stats.not_ready, stats.launches), (1, 1, 1));
    assert_eq!(stats.ended.get("NotReady(CallingService)"), Some(&1));
}

#[test]
fn a_held_join_that_outlives_its_join_timeout_breaks_rule_11() {
    let mut l = held_join();
    // No join timeout fires: the next record comes a minute later, the wait still on.
    let late = l.next_seq();
    l.event(60_000, Event::Leave);
    assert_breaks(&l.log(), Invariant::WaitEnds, late);
}

#[test]
fn a_process_that_dies_while_a_join_waits_and_opens_an_hour_later_is_clean() {
    let mut l = held_join();
    l.at_ms += 3_600_000;
    l.relaunch(Permissions::GRANTED);
    l.repair();
    let stats = check_log(&l.log()).expect("the wait died with its process");
    assert_eq!(stats.ended.get("AppTerminated"), Some(&1));
}

#[test]
fn a_join_while_the_router_holds_it_breaks_rule_11() {
    let l = held_join();
    let mut log = l.log();
    let i = position(&log, |r| {
        r.body == Entry::Input(Input::Session(SessionInput::ViewAppeared))
    });
    let join = Command::Effect(Effect::JoinSession {
        attempt: 1,
        session_id: switchboard_domain::SessionId::parse("standup_42").unwrap(),
        settings: CoreConfig::default().settings,
    });
    log.insert(i + 1, command(log[i].actor, log[i].at_ms, join));
    assert_breaks(&renumber(log), Invariant::JoinBeforeReady, i as u64 + 1);
}

#[test]
fn a_leave_of_a_join_that_never_went_out_ends_it_without_leave_session() {
    let mut l = held_join();
    l.event(1_000, Event::Leave);
    let log = l.log();
    let stats = check_log(&log).expect("a held join's leave ends it");
    assert_eq!(stats.ended.get("LocalLeave"), Some(&1));
    // A LeaveSession there breaks rule 6: there is nothing to leave.
    let mut log = log;
    let i = position(&log, |r| {
        r.body == Entry::Input(Input::Session(SessionInput::Leave))
    });
    let leave = Command::Effect(Effect::LeaveSession { attempt: 1 });
    log.insert(i + 1, command(log[i].actor, log[i].at_ms, leave));
    assert_breaks(&renumber(log), Invariant::LeaveLeads, i as u64 + 1);
}

/// A call that joined, in a process that then died.
fn joined_then_relaunched() -> Launched {
    let mut l = Launched::new(Permissions::GRANTED);
    l.event(50, l.ready());
    l.event(500, link());
    l.event(500, Event::ViewAppeared);
    let sdk = |event| Event::Sdk { attempt: 1, event };
    l.event(800, sdk(SdkEvent::JoinSucceeded));
    l.event(100, sdk(SdkEvent::SessionJoined));
    l.event(
        60_000,
        Event::Launch(Launch {
            config: CoreConfig::default(),
            permissions: Permissions::GRANTED,
        }),
    );
    l
}

#[test]
fn a_new_process_that_ends_the_old_call_is_clean_and_one_that_does_not_breaks_rule_10() {
    let mut l = joined_then_relaunched();
    let launch = l.next_seq() - 2;
    assert_eq!(
        l.log()[launch as usize].body,
        Entry::Input(Input::Router(RouterInput::Launch(Launch {
            config: CoreConfig::default(),
            permissions: Permissions::GRANTED,
        })))
    );
    // Nothing ends attempt 1 in the new process: the call carries on.
    assert_breaks(&l.log(), Invariant::RelaunchEndsOldCall, launch);
    l.repair();
    let stats = check_log(&l.log()).expect("the new process ended the old call");
    assert_eq!(stats.ended.get("AppTerminated"), Some(&1));
    assert_eq!(stats.launches, 2);
}

#[test]
fn the_second_call_waits_for_the_sdk_initialised_again_after_the_first() {
    let mut l = Launched::new(Permissions::GRANTED);
    l.event(50, l.ready());
    for attempt in 1..=2 {
        l.event(500, link());
        l.event(500, Event::ViewAppeared);
        let sdk = |event| Event::Sdk { attempt, event };
        l.event(800, sdk(SdkEvent::JoinSucceeded));
        l.event(5_000, Event::Leave);
        l.event(300, sdk(SdkEvent::SessionLeft));
        l.event(300, Event::ViewDisappeared);
        l.event(1_000, Event::Dismiss);
        // The re-init the router asked for after the call.
        l.event(200, l.ready());
    }
    let log = l.log();
    let stats = check_log(&log).expect("every rule holds");
    let inits = log
        .iter()
        .filter(|r| {
            is_command(r, |c| {
                matches!(c, Command::Effect(Effect::InitCalls { .. }))
            })
        })
        .count();
    assert_eq!(
        (stats.attempts, inits),
        (2, 3),
        "launch, and after each call"
    );
}

#[test]
fn a_denied_microphone_never_joins_and_the_join_is_refused() {
    let denied = Permissions {
        microphone: Authorization::Denied,
        camera: Authorization::Authorized,
    };
    let mut l = Launched::new(denied);
    l.event(50, l.ready());
    l.event(500, link());
    l.event(1_000, Event::OpenSettings);
    let log = l.log();
    let stats = check_log(&log).expect("every rule holds");
    assert_eq!((stats.attempts, stats.refused), (0, 1));
    assert!(log
        .iter()
        .any(|r| is_command(r, |c| *c == Command::Effect(Effect::OpenAppSettings))));
}
