//! `switchboard diagnose`: for every rule, a log that triggers it and one that does not; the
//! demo scenarios are clean; damaged and foreign input.
mod support;

use std::path::Path;

use support::{diagnose, rules, Script};
use switchboard_domain::command::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{
    ActorName, AppState, AudioEvent, AudioPort, Command, Entry, Event, RouteChangeReason,
    SdkButton, SdkEvent, TimerKind,
};

/// Writes the log and returns the rules it triggers.
fn found(s: &Script, dir: &Path, name: &str) -> Vec<String> {
    rules(&diagnose(&s.write(dir, name)).1)
}

/// Asserts `bad` triggers `rule` (and says where), and `good` triggers nothing at all.
fn check(rule: &str, bad: &Script, good: &Script) {
    let tmp = tempfile::tempdir().unwrap();
    let path = bad.write(tmp.path(), "bad.jsonl");
    let (code, findings) = diagnose(&path);
    assert_eq!(code, 1);
    let f = findings
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("{rule} not found in {findings:#?}"));
    for field in ["title", "explanation", "fix"] {
        assert!(
            f[field].as_str().is_some_and(|t| t.len() > 10),
            "{field}: {f}"
        );
    }
    assert!(f["seq_first"].as_u64().unwrap() <= f["seq_last"].as_u64().unwrap());
    assert_eq!(found(good, tmp.path(), "good.jsonl"), Vec::<String>::new());
}

fn left(s: &mut Script, attempt: u64) -> &mut Script {
    s.event(Event::Leave)
        .wait(400)
        .sdk(attempt, SdkEvent::SessionLeft)
}

/// A whole ordinary call.
fn ordinary() -> Script {
    let mut s = Script::new();
    s.joined_call("standup_42", 1).wait(20_000);
    left(&mut s, 1).close_view();
    s
}

#[test]
fn view_stranded() {
    let mut bad = Script::new();
    bad.joined_call("standup_42", 1).wait(5_000);
    bad.sdk(1, SdkEvent::SessionLeft).wait(30_000);
    // Any later record shows time went on with the view still up.
    bad.event(Event::Audio(AudioEvent::RouteChanged {
        reason: RouteChangeReason::OldDeviceUnavailable,
        output: AudioPort::Speaker,
    }));
    check("view-stranded", &bad, &ordinary());

    // Taken down, but 12 s late.
    let mut late = Script::new();
    late.joined_call("standup_42", 1);
    late.sdk(1, SdkEvent::ConnectionClosed)
        .wait(12_000)
        .close_view();
    let tmp = tempfile::tempdir().unwrap();
    let (_, findings) = diagnose(&late.write(tmp.path(), "late.jsonl"));
    assert_eq!(rules(&findings), ["view-stranded"]);
    assert!(
        findings[0]["title"].as_str().unwrap().contains("12."),
        "{findings:?}"
    );
}

#[test]
fn join_twice() {
    let mut bad = Script::new();
    bad.joined_call("standup_42", 1);
    let join = bad
        .records()
        .into_iter()
        .find(|r| matches!(r.body, Entry::Command(Command::JoinSession { .. })))
        .unwrap();
    bad.raw(join.actor, join.body);
    left(&mut bad, 1).close_view();

    // The same session joined again by a retry after the first attempt ended: fine.
    let mut good = Script::new();
    good.joined_call("standup_42", 1);
    good.sdk(1, SdkEvent::ConnectionClosed).close_view();
    good.event(Event::Retry)
        .event(Event::ViewAppeared)
        .wait(500);
    good.sdk(2, SdkEvent::SessionJoined);
    left(&mut good, 2).close_view();
    check("join-twice", &bad, &good);
}

#[test]
fn join_timeout() {
    let mut bad = Script::new();
    bad.event(Event::OpenLink {
        url: "https://meet.switchboard.example/meet/standup_42".into(),
    })
    .event(Event::ViewAppeared)
    .wait(30_000)
    .timer(1, TimerKind::JoinTimeout)
    .close_view();

    let mut good = Script::new();
    good.event(Event::OpenLink {
        url: "https://meet.switchboard.example/meet/standup_42".into(),
    })
    .event(Event::ViewAppeared)
    .wait(29_000)
    .sdk(1, SdkEvent::SessionJoined);
    left(&mut good, 1).close_view();
    check("join-timeout", &bad, &good);
}

#[test]
fn sdk_before_listeners() {
    let mut bad = Script::new();
    bad.event(Event::OpenLink {
        url: "https://meet.switchboard.example/meet/standup_42".into(),
    })
    .sdk(1, SdkEvent::SessionJoined)
    .event(Event::ViewAppeared)
    .sdk(1, SdkEvent::JoinSucceeded);
    left(&mut bad, 1).close_view();
    check("sdk-before-listeners", &bad, &ordinary());
}

#[test]
fn reconnect_stuck() {
    let mut bad = Script::new();
    bad.joined_call("field-ops", 1).wait(10_000);
    bad.sdk(1, SdkEvent::ConnectionLost).wait(90_000);
    bad.sdk(1, SdkEvent::ConnectionClosed).close_view();

    let mut good = Script::new();
    good.joined_call("field-ops", 1).wait(10_000);
    good.sdk(1, SdkEvent::ConnectionLost).wait(20_000);
    good.sdk(1, SdkEvent::ConnectionRestored).wait(90_000);
    left(&mut good, 1).close_view();
    check("reconnect-stuck", &bad, &good);
}

#[test]
fn audio_no_mic() {
    let mut bad = ordinary();
    bad.raw(
        ActorName::Audio,
        Entry::Command(Command::ConfigureAudio {
            category: AudioCategory::Playback,
            mode: AudioSessionMode::VoiceChat,
            options: AudioOptions {
                allow_bluetooth: true,
                default_to_speaker: false,
            },
        }),
    );
    check("audio-no-mic", &bad, &ordinary());
}

#[test]
fn leave_unanswered() {
    let mut bad = Script::new();
    bad.joined_call("standup_42", 1).wait(5_000);
    bad.event(Event::Leave)
        .wait(10_000)
        .timer(1, TimerKind::LeaveAck)
        .close_view();
    check("leave-unanswered", &bad, &ordinary());
}

#[test]
fn time_gap() {
    // A join timer that was due and did not fire for 100 s: the process was not running.
    let mut frozen = Script::new();
    frozen
        .event(Event::OpenLink {
            url: "https://meet.switchboard.example/meet/standup_42".into(),
        })
        .event(Event::ViewAppeared)
        .wait(100_000)
        .timer(1, TimerKind::JoinTimeout)
        .close_view();

    // Two quiet minutes in the foreground in a call (nothing was due): fine.
    let mut good = Script::new();
    good.joined_call("standup_42", 1).wait(120_000);
    left(&mut good, 1).close_view();
    check("time-gap", &frozen, &good);

    // Two quiet minutes in the background during a call, nothing due: with its background modes
    // the app keeps running and a call can be silent, so this is no evidence of suspension.
    let mut background = Script::new();
    background.joined_call("standup_42", 1);
    background
        .event(Event::App(AppState::Background))
        .wait(120_000);
    background.event(Event::App(AppState::Foreground));
    left(&mut background, 1).close_view();
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        found(&background, tmp.path(), "bg.jsonl"),
        Vec::<String>::new()
    );
}

/// Writes `records` (renumbered times and all) as JSON Lines.
fn write_records(
    records: Vec<switchboard_journal::Record>,
    dir: &Path,
    name: &str,
) -> std::path::PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    switchboard_journal::export_jsonl(records.into_iter().map(Ok), file).unwrap();
    path
}

#[test]
fn records_of_two_actors_interleaving_out_of_time_order_are_no_time_gap() {
    // The audio actor stamps each record when it handles its message, 400 ms after the router
    // stamped the records around it: in the journal an audio record is then followed by router
    // records that are older. Each actor's own records still go forward.
    let mut records = ordinary().records();
    for r in records.iter_mut().filter(|r| r.actor == ActorName::Audio) {
        r.at_ms += 400;
    }
    let older_than_previous = records
        .windows(2)
        .filter(|w| w[1].at_ms < w[0].at_ms)
        .count();
    assert!(
        older_than_previous > 0,
        "the log must interleave out of order"
    );
    let tmp = tempfile::tempdir().unwrap();
    let path = write_records(records, tmp.path(), "interleaved.jsonl");
    assert_eq!(diagnose(&path), (0, Vec::new()));
    let out = support::switchboard(&["diagnose", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{:?}", support::text(&out));
}

#[test]
fn one_actors_clock_going_backwards_is_a_time_gap_in_milliseconds() {
    let mut records = ordinary().records();
    let routers: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].actor == ActorName::Router)
        .collect();
    // The router's last record is stamped 400 ms before the router's record before it.
    let (before, last) = (routers[routers.len() - 2], routers[routers.len() - 1]);
    records[last].at_ms = records[before].at_ms - 400;
    let (seq_before, seq_last) = (records[before].seq, records[last].seq);
    let tmp = tempfile::tempdir().unwrap();
    let (code, findings) = diagnose(&write_records(records, tmp.path(), "back.jsonl"));
    assert_eq!(code, 1);
    let f = findings
        .iter()
        .find(|f| f["rule"] == "time-gap")
        .unwrap_or_else(|| panic!("no time-gap in {findings:#?}"));
    assert_eq!(
        f["title"], "the clock went backwards by 400 ms (actor router)",
        "{f}"
    );
    assert_eq!(
        (f["seq_first"].as_u64(), f["seq_last"].as_u64()),
        (Some(seq_before), Some(seq_last))
    );
}

#[test]
fn after_ended() {
    let mut bad = Script::new();
    bad.joined_call("standup_42", 1).wait(5_000);
    bad.sdk(1, SdkEvent::SessionLeft).close_view();
    bad.wait(2_000)
        .sdk(1, SdkEvent::ParticipantCountChanged { count: 3 });

    // Late terminal callbacks after the first one are expected (rule 1): fine.
    let mut good = Script::new();
    good.joined_call("standup_42", 1).wait(5_000);
    good.sdk(1, SdkEvent::SessionTimedOut)
        .wait(200)
        .sdk(1, SdkEvent::ConnectionClosed)
        .close_view();
    check("after-ended", &bad, &good);

    // The user pressing mute on a call that is over: they still see a call screen.
    let mut user = Script::new();
    user.joined_call("standup_42", 1);
    user.sdk(1, SdkEvent::ConnectionClosed).wait(500);
    user.event(Event::ToggleMic);
    let tmp = tempfile::tempdir().unwrap();
    let got = found(&user, tmp.path(), "user.jsonl");
    assert!(got.contains(&"after-ended".to_owned()), "{got:?}");

    // The same tap after the shell reported the call view gone came from no call screen (a
    // system control, or the simulator's user): not a sign of one left up.
    let mut gone = Script::new();
    gone.joined_call("standup_42", 1);
    gone.sdk(1, SdkEvent::ConnectionClosed).wait(500);
    gone.event(Event::ViewDisappeared).wait(500);
    gone.event(Event::ToggleMic);
    assert_eq!(found(&gone, tmp.path(), "gone.jsonl"), Vec::<String>::new());

    // A tap on one of the SDK's own buttons after the end is named as such.
    let mut tap = Script::new();
    tap.joined_call("standup_42", 1);
    tap.sdk(1, SdkEvent::SessionLeft).wait(800);
    tap.sdk(
        1,
        SdkEvent::ButtonClicked {
            button: SdkButton::ToggleVideo,
        },
    );
    let (code, findings) = diagnose(&tap.write(tmp.path(), "tap.jsonl"));
    assert_eq!(code, 1);
    let f = findings
        .iter()
        .find(|f| f["rule"] == "after-ended")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    let text = f["explanation"].as_str().unwrap();
    assert!(
        text.contains("a tap on the SDK's call screen (onToggleVideoButtonClicked)"),
        "{text}"
    );
}

#[test]
fn corrupt_tail_reports_the_good_prefix_too() {
    let tmp = tempfile::tempdir().unwrap();
    let good = ordinary().write(tmp.path(), "good.jsonl");
    assert_eq!(diagnose(&good), (0, vec![]));
    let full = std::fs::read_to_string(&good).unwrap();
    let cut = tmp.path().join("cut.jsonl");
    std::fs::write(&cut, &full[..full.len() - 40]).unwrap();
    let (code, findings) = diagnose(&cut);
    assert_eq!(
        (code, rules(&findings)),
        (1, vec!["corrupt-tail".to_owned()])
    );
    assert!(findings[0]["explanation"]
        .as_str()
        .unwrap()
        .contains("truncated"));

    // A stranded view in the good part is still found.
    let mut s = Script::new();
    s.joined_call("standup_42", 1);
    s.sdk(1, SdkEvent::SessionLeft).wait(30_000);
    s.event(Event::App(AppState::Foreground));
    s.event(Event::App(AppState::Background));
    let path = s.write(tmp.path(), "stranded.jsonl");
    let full = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &full[..full.len() - 20]).unwrap();
    let got = rules(&diagnose(&path).1);
    assert!(got.contains(&"view-stranded".to_owned()), "{got:?}");
    assert!(got.contains(&"corrupt-tail".to_owned()), "{got:?}");
}

#[test]
fn every_demo_scenario_is_clean() {
    let tmp = tempfile::tempdir().unwrap();
    // The relaunch scenario kills the app mid-call on purpose: that, and only that, is found.
    let expected = |scenario: &str| match scenario {
        "relaunch" | "all" => vec!["app-terminated".to_owned()],
        _ => Vec::new(),
    };
    for scenario in support::SCENARIOS.iter().copied().chain(["all"]) {
        let dir = tmp.path().join(scenario);
        support::demo(&dir, scenario);
        let (_, findings) = diagnose(&dir);
        assert_eq!(
            rules(&findings),
            expected(scenario),
            "{scenario}: {findings:#?}"
        );
    }
}

#[test]
fn text_output_names_rule_range_explanation_and_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Script::new();
    s.joined_call("standup_42", 1);
    s.sdk(1, SdkEvent::SessionLeft).wait(30_000);
    s.event(Event::ToggleMic);
    let path = s.write(tmp.path(), "stranded.jsonl");
    let out = support::switchboard(&["diagnose", path.to_str().unwrap()]);
    let (stdout, _) = support::text(&out);
    assert_eq!(out.status.code(), Some(1));
    for want in ["[view-stranded]", "where: seq ", "what:  ", "fix:   "] {
        assert!(stdout.contains(want), "{want} in {stdout}");
    }
}

#[test]
fn unreadable_input_exits_2_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing.jsonl");
    support::assert_bad_input(
        &support::switchboard(&["diagnose", missing.to_str().unwrap()]),
        "no such file",
    );
    let junk = tmp.path().join("junk.jsonl");
    std::fs::write(&junk, "hello\n").unwrap();
    support::assert_bad_input(
        &support::switchboard(&["diagnose", junk.to_str().unwrap()]),
        "line 1: not a log record",
    );
    let empty = tmp.path().join("empty-dir");
    std::fs::create_dir(&empty).unwrap();
    support::assert_bad_input(
        &support::switchboard(&["diagnose", empty.to_str().unwrap()]),
        "is not a switchboard journal",
    );
}

#[test]
fn hostile_times_never_panic_diagnose_report_or_replay() {
    let tmp = tempfile::tempdir().unwrap();
    let mut records = ordinary().records();
    let n = records.len();
    for (i, r) in records.iter_mut().enumerate() {
        r.at_ms = match i % 5 {
            0 => u64::MAX - i as u64,
            1 => 0,
            2 => r.at_ms,
            3 => u64::MAX / 2,
            _ => (n - i) as u64,
        };
    }
    let path = tmp.path().join("hostile.jsonl");
    let file = std::fs::File::create(&path).unwrap();
    switchboard_journal::export_jsonl(records.into_iter().map(Ok), file).unwrap();
    let p = path.to_str().unwrap();
    let html = tmp.path().join("h.html");
    for args in [
        vec!["diagnose", p],
        vec!["diagnose", p, "--json"],
        vec!["report", p, "--out", html.to_str().unwrap()],
        vec!["replay", p, "--diff"],
        vec!["replay", p, "--at", "7"],
        vec!["replay", p],
    ] {
        let out = support::switchboard(&args);
        let (_, err) = support::text(&out);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let rules = found_rules(&path);
    assert!(rules.contains(&"time-gap".to_owned()), "{rules:?}");
}

fn found_rules(path: &Path) -> Vec<String> {
    rules(&diagnose(path).1)
}

/// A script whose log starts as the core starts after a repair: the incident comes first.
fn after(incident: switchboard_domain::Incident) -> Script {
    let mut s = Script::new();
    s.event(Event::Incident(incident));
    s.joined_call("standup_42", 1).wait(20_000);
    left(&mut s, 1).close_view();
    s
}

#[test]
fn journal_set_aside() {
    let bad = after(switchboard_domain::Incident::JournalSetAside {
        kept_as: "switchboard.set-aside-1".into(),
        message: "storage error: Read corrupted data at file offset None".into(),
    });
    // Removed sled leftovers alone lose nothing: no finding.
    let good = after(switchboard_domain::Incident::StorageLeftoversRemoved {
        files: vec!["snap.FFFFFFFFFFFFFFFF.generating".into()],
    });
    check("journal-set-aside", &bad, &good);
}

#[test]
fn journal_tail_quarantined() {
    let bad = after(switchboard_domain::Incident::JournalTailQuarantined {
        from_seq: 61,
        batches: 1,
        bytes: 40,
        message: "corrupt record at seq 61: checksum mismatch".into(),
    });
    check("journal-tail-quarantined", &bad, &ordinary());
}

#[test]
fn port_failed() {
    let mut bad = ordinary();
    bad.event(Event::Incident(switchboard_domain::Incident::port_failed(
        Command::ActivateAudio,
        "AVAudioSession error 561017449 (insufficient priority)",
    )));
    let tmp = tempfile::tempdir().unwrap();
    let (_, findings) = diagnose(&bad.write(tmp.path(), "bad.jsonl"));
    assert!(findings.iter().any(|f| f["title"]
        .as_str()
        .unwrap()
        .contains("audio setActive(true)")));
    check("port-failed", &bad, &ordinary());
}

#[test]
fn app_terminated() {
    let mut bad = Script::new();
    bad.joined_call("standup_42", 1).wait(20_000);
    bad.relaunch().wait(2_000).event(Event::Dismiss);
    let tmp = tempfile::tempdir().unwrap();
    let (_, findings) = diagnose(&bad.write(tmp.path(), "bad.jsonl"));
    let text = findings[0]["explanation"].as_str().unwrap();
    assert!(text.contains("was in the call"), "{text}");
    // A relaunch with no call live loses nothing: no finding.
    let mut good = ordinary();
    good.relaunch();
    check("app-terminated", &bad, &good);
}
