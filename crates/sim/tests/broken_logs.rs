//! The journal-level invariants catch deliberately broken logs, each at the record that breaks
//! it, and a broken log written to disk and read back reports the same violation.
use switchboard_domain::command::AudioCategory;
use switchboard_domain::{
    ActorName, Command, EndReason, Entry, Input, RouterInput, SdkEvent, SessionInput, UiInput,
};
use switchboard_journal::script::scripted_log;
use switchboard_journal::Record;
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
        is_command(r, |c| matches!(c, Command::LeaveSession { .. }))
    });
    log.insert(i + 1, log[i].clone());
    assert_breaks(&renumber(log), Invariant::OneLeave, i as u64 + 1);
}

#[test]
fn a_second_join_breaks_rule_7() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::JoinSession { .. }))
    });
    log.insert(i + 1, log[i].clone());
    assert_breaks(&renumber(log), Invariant::OneJoin, i as u64 + 1);
}

#[test]
fn a_wrong_end_reason_breaks_rule_2() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::Ended { .. }))
    });
    let Entry::Command(Command::Ended { attempt, .. }) = log[i].body.clone() else {
        unreachable!()
    };
    log[i].body = Entry::Command(Command::Ended {
        attempt,
        reason: EndReason::RemovedOrRemote,
    });
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
    let ended = Command::Ended {
        attempt,
        reason: EndReason::ConnectionClosed,
    };
    log.insert(i + 1, command(log[i].actor, log[i].at_ms, ended));
    assert_breaks(&renumber(log), Invariant::LostNeverEnds, i as u64 + 1);
}

#[test]
fn a_category_without_the_microphone_is_caught() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::ConfigureAudio { .. }))
    });
    let Entry::Command(Command::ConfigureAudio { mode, options, .. }) = log[i].body.clone() else {
        unreachable!()
    };
    log[i].body = Entry::Command(Command::ConfigureAudio {
        category: AudioCategory::Playback,
        mode,
        options,
    });
    assert_breaks(&log, Invariant::MicCategory, i as u64);
}

#[test]
fn a_chat_sdk_in_standalone_mode_breaks_rule_9() {
    let mut log = good_log();
    let i = position(&log, |r| is_command(r, |c| *c == Command::InitCallsSdk));
    log.insert(
        i + 1,
        command(ActorName::Router, log[i].at_ms, Command::InitChatSdk),
    );
    assert_breaks(&renumber(log), Invariant::SdkInit, i as u64 + 1);
}

#[test]
fn a_missing_leave_breaks_rule_6() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::LeaveSession { .. }))
    });
    log.remove(i);
    // The user's leave (the input just before) produced no LeaveSession.
    assert_breaks(&renumber(log), Invariant::LeaveLeads, i as u64 - 1);
}

#[test]
fn an_ended_call_whose_view_never_went_away_is_stranded() {
    let mut log = good_log();
    let ended = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::Ended { .. }))
    });
    // Drop the UI bridge's input with the ended session, and the render it caused.
    let ui = position(&log, |r| {
        matches!(&r.body, Entry::Input(Input::Ui(UiInput::Session(v)))
            if matches!(v.phase, switchboard_domain::ui_bridge::PhaseView::Ended(_)))
    });
    assert!(ui > ended);
    log.drain(ui..ui + 2);
    assert_breaks(&renumber(log), Invariant::ViewNotStranded, ended as u64);
}

#[test]
fn a_decision_on_a_stale_callback_breaks_rule_8() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::Ended { .. }))
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
        Command::Notify(switchboard_domain::Notice::Dismissed),
    ));
    assert_breaks(&renumber(log), Invariant::StaleIgnored, end as u64 + 1);
}

#[test]
fn a_decision_after_the_end_breaks_rule_8() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::Ended { .. }))
    });
    let (actor, at) = (log[i].actor, log[i].at_ms);
    let ActorName::Session(attempt) = actor else {
        unreachable!()
    };
    let end = log.len();
    log.push(input(actor, at, Input::Session(SessionInput::ToggleMic)));
    log.push(command(actor, at, Command::MuteAudio { attempt }));
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
        is_command(r, |c| matches!(c, Command::StartTimer { .. }))
    });
    log.remove(i);
    let v = check_log(&renumber(log)).expect_err("caught");
    assert_eq!(v.invariant, Invariant::ReplayCommands, "{v}");
}

#[test]
fn a_broken_log_read_back_from_disk_breaks_the_same_rule() {
    let mut log = good_log();
    let i = position(&log, |r| {
        is_command(r, |c| matches!(c, Command::LeaveSession { .. }))
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
    for name in ["format-1.jsonl", "support-stranded-view.jsonl"] {
        let path = fixtures.join(name);
        if path.exists() {
            let broken = switchboard_sim::recheck(&path).unwrap();
            assert_eq!(broken, None, "{name}");
        }
    }
}
