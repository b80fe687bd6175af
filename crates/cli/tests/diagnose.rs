//! `switchboard diagnose`: for every rule, a log that triggers it and one that does not; the
//! demo scenarios are clean; damaged and foreign input.
mod support;

use std::path::Path;

use support::{diagnose, rules, Script};
use switchboard_domain::effect::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{
    ActorName, AppState, AudioEvent, AudioPort, Authorization, Command, CoreConfig, Effect, Entry,
    Event, Incident, MediaKind, Message, Permissions, RouteChangeReason, SdkButton, SdkEvent,
    SessionType, SetupEvent, TimerKind,
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
        .find(|r| {
            matches!(
                r.body,
                Entry::Command(Command::Effect(Effect::JoinSession { .. }))
            )
        })
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
        Entry::Command(Command::Effect(Effect::ConfigureAudio {
            category: AudioCategory::Playback,
            mode: AudioSessionMode::VoiceChat,
            options: AudioOptions {
                allow_bluetooth: true,
                default_to_speaker: false,
            },
        })),
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
fn an_input_the_machines_reject_is_a_finding_and_the_rest_is_read_on() {
    let tmp = tempfile::tempdir().unwrap();
    let mut records = ordinary().records();
    let i = records
        .iter()
        .position(|r| r.actor == ActorName::Audio && matches!(r.body, Entry::Input(_)))
        .unwrap();
    records[i].body = Entry::Input(switchboard_domain::Input::Router(
        switchboard_domain::RouterInput::Retry,
    ));
    let seq = records[i].seq;
    let (code, findings) = diagnose(&write_records(records, tmp.path(), "bad.jsonl"));
    assert_eq!(code, 1);
    let f = findings
        .iter()
        .find(|f| f["rule"] == "input-rejected")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(f["seq_first"], seq);
    assert!(
        f["explanation"].as_str().unwrap().contains("rejected"),
        "{f}"
    );
    let clean = write_records(ordinary().records(), tmp.path(), "good.jsonl");
    assert!(!found_rules(&clean).contains(&"input-rejected".to_owned()));
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
    user.sdk(1, SdkEvent::ConnectionClosed).wait(3_000);
    user.event(Event::ToggleMic);
    let tmp = tempfile::tempdir().unwrap();
    let got = found(&user, tmp.path(), "user.jsonl");
    assert!(got.contains(&"after-ended".to_owned()), "{got:?}");

    // The same tap 200 ms after the end, while the shell takes the view down (within the view
    // grace): the screen was still there for good reason, nothing to find.
    let mut quick = Script::new();
    quick.joined_call("standup_42", 1);
    quick.sdk(1, SdkEvent::ConnectionClosed).wait(150);
    quick.event(Event::ToggleMic).wait(100);
    quick
        .event(Event::ViewDisappeared)
        .wait(1_000)
        .event(Event::Dismiss);
    assert_eq!(
        found(&quick, tmp.path(), "quick.jsonl"),
        Vec::<String>::new()
    );

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
    // The relaunch scenario kills the app mid-call on purpose, and in mic-denied the user says
    // no to the microphone: that, and only that, is found.
    let expected = |scenario: &str| match scenario {
        "relaunch" => vec!["app-terminated".to_owned()],
        "mic-denied" => vec!["microphone-denied".to_owned()],
        "all" => vec!["app-terminated".to_owned(), "microphone-denied".to_owned()],
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
fn the_help_lists_every_rule_the_output_schema_names() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schemas/cli/diagnose.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let rules: Vec<String> = schema
        .pointer("/$defs/Finding/properties/rule/enum")
        .and_then(|v| v.as_array())
        .unwrap_or_else(|| panic!("no rule enum in {schema:#}"))
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    assert!(rules.len() >= 19, "{rules:?}");
    let out = support::switchboard(&["diagnose", "--help"]);
    let (help, _) = support::text(&out);
    assert_eq!(out.status.code(), Some(0));
    let listed = help
        .split("Rules:")
        .nth(1)
        .expect("a rule list")
        .replace('\n', " ");
    for rule in &rules {
        assert!(
            listed.split([',', ' ', '.']).any(|w| w == rule),
            "{rule} missing from: {help}"
        );
    }
    assert!(help.contains("--ready-ms"), "{help}");
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

/// The finding of `rule` in the log `s` writes (exactly one).
fn the_finding(s: &Script, rule: &str) -> serde_json::Value {
    let tmp = tempfile::tempdir().unwrap();
    let (_, findings) = diagnose(&s.write(tmp.path(), "log.jsonl"));
    let mut of_rule = findings.iter().filter(|f| f["rule"] == rule);
    let f = of_rule
        .next()
        .unwrap_or_else(|| panic!("{rule} not found in {findings:#?}"))
        .clone();
    assert!(of_rule.next().is_none(), "{rule} twice in {findings:#?}");
    f
}

fn text_of(f: &serde_json::Value, field: &str) -> String {
    f[field].as_str().unwrap().to_owned()
}

/// The seq of the first record of `s` whose body `is` picks.
fn seq_where(s: &Script, is: impl Fn(&Entry) -> bool) -> u64 {
    s.records()
        .into_iter()
        .find(|r| is(&r.body))
        .expect("such a record")
        .seq
}

#[test]
fn port_failed() {
    // After the call (no call holds the audio session): recorded by the audio actor, named.
    let mut bad = ordinary();
    bad.event(Event::Incident(Incident::port_failed(
        Effect::ActivateAudio,
        "AVAudioSession error 561017449 (insufficient priority)",
    )));
    let audio_actor = bad.records().into_iter().any(|r| {
        r.actor == ActorName::Audio
            && matches!(
                r.body,
                Entry::Input(switchboard_domain::Input::Audio(
                    switchboard_domain::AudioInput::PortFailed { .. }
                ))
            )
    });
    assert!(audio_actor, "the audio actor records audio-port failures");
    let f = the_finding(&bad, "port-failed");
    assert!(
        text_of(&f, "title").contains("audio setActive(true)"),
        "{f}"
    );
    check("port-failed", &bad, &ordinary());

    // A router incident: a leave the SDK refused.
    let mut leave = Script::new();
    leave
        .joined_call("standup_42", 1)
        .wait(5_000)
        .event(Event::Leave);
    leave.event(Event::Incident(Incident::port_failed(
        Effect::LeaveSession { attempt: 1 },
        "CallSession.shared has no active session",
    )));
    leave.wait(400).sdk(1, SdkEvent::SessionLeft).close_view();
    let f = the_finding(&leave, "port-failed");
    assert_eq!(f["attempt"], 1, "{f}");
    assert!(
        text_of(&f, "title").contains("leaveSession (attempt 1)"),
        "{f}"
    );
    assert!(
        text_of(&f, "explanation").contains("no active session"),
        "{f}"
    );
}

#[test]
fn port_failed_join_names_how_the_attempt_ended() {
    let mut bad = Script::launched(Permissions::GRANTED);
    bad.ready().open("standup_42").event(Event::ViewAppeared);
    bad.event(Event::Incident(Incident::port_failed(
        Effect::JoinSession {
            attempt: 1,
            session_id: switchboard_domain::SessionId::parse("standup_42").unwrap(),
            settings: Default::default(),
        },
        "no container view for the call",
    )));
    bad.close_view();
    let f = the_finding(&bad, "port-failed");
    assert_eq!(f["attempt"], 1, "{f}");
    let what = text_of(&f, "explanation");
    assert!(what.contains("no container view"), "{what}");
    assert!(what.contains("The call was not joined"), "{what}");
    // No SDK callback will come for a join the shell could not start: the core ends it at once.
    let ended = seq_where(&bad, |e| {
        matches!(
            e,
            Entry::Command(Command::Message(Message::Ended { attempt: 1, .. }))
        )
    });
    assert!(what.contains(&format!("ended at seq {ended}")), "{what}");
}

#[test]
fn port_failed_audio_activation_during_a_call_says_there_was_no_audio_until_the_retry() {
    let mut bad = Script::launched(Permissions::GRANTED);
    bad.ready().joined_call("standup_42", 1);
    let failed_at = bad.records().len() as u64;
    bad.event(Event::Incident(Incident::port_failed(
        Effect::ActivateAudio,
        "AVAudioSession error 561017449 (insufficient priority)",
    )));
    bad.wait(20_000)
        .event(Event::App(AppState::Background))
        .wait(5_000)
        .event(Event::App(AppState::Foreground))
        .wait(10_000);
    left(&mut bad, 1).close_view();
    let retry = bad
        .records()
        .into_iter()
        .filter(|r| r.actor == ActorName::Audio)
        .find(|r| {
            r.seq > failed_at
                && matches!(
                    r.body,
                    Entry::Command(Command::Effect(Effect::ActivateAudio))
                )
        })
        .expect("the audio machine retries on the foreground")
        .seq;
    let f = the_finding(&bad, "port-failed");
    assert_eq!(f["seq_first"], failed_at, "{f}");
    assert_eq!(f["seq_last"], retry, "{f}");
    assert_eq!(f["attempt"], 1, "{f}");
    assert!(
        text_of(&f, "title").contains("the call had no audio"),
        "{f}"
    );
    let what = text_of(&f, "explanation");
    assert!(
        what.contains("without audio")
            && what.contains(&format!(
                "retried at seq {retry} when the app came back to the foreground"
            ))
            && what.contains("audio came back"),
        "{what}"
    );

    // A call whose audio never came back says so.
    let mut never = Script::launched(Permissions::GRANTED);
    never.ready().joined_call("standup_42", 1);
    never.event(Event::Incident(Incident::port_failed(
        Effect::ConfigureAudio {
            category: AudioCategory::PlayAndRecord,
            mode: AudioSessionMode::VideoChat,
            options: AudioOptions {
                allow_bluetooth: true,
                default_to_speaker: true,
            },
        },
        "AVAudioSession error -50",
    )));
    never.wait(5_000);
    left(&mut never, 1).close_view();
    let what = text_of(&the_finding(&never, "port-failed"), "explanation");
    assert!(what.contains("audio never came back"), "{what}");
}

/// A whole call in a process launched with `permissions`: the SDK gets ready, the user allows
/// what was not determined, and the call is joined and left (the re-init after it is still out
/// when the log ends).
fn launched_call(permissions: Permissions) -> Script {
    let mut s = Script::launched(permissions);
    s.ready().open("standup_42");
    for media in [MediaKind::Microphone, MediaKind::Camera] {
        if permissions.of(media) == Authorization::NotDetermined {
            s.wait(1_000).permission(media, Authorization::Authorized);
        }
    }
    s.event(Event::ViewAppeared)
        .wait(800)
        .sdk(1, SdkEvent::JoinSucceeded)
        .sdk(1, SdkEvent::SessionJoined)
        .wait(20_000);
    left(&mut s, 1).close_view();
    s
}

#[test]
fn launched_calls_that_get_everything_they_ask_for_are_clean() {
    let tmp = tempfile::tempdir().unwrap();
    for permissions in [
        Permissions::GRANTED,
        Permissions::default(),
        Permissions {
            microphone: Authorization::NotDetermined,
            camera: Authorization::Authorized,
        },
    ] {
        let s = launched_call(permissions);
        assert!(
            s.records().iter().any(|r| matches!(
                r.body,
                Entry::Command(Command::Effect(Effect::JoinSession { .. }))
            )),
            "{permissions:?}: the call joins"
        );
        assert_eq!(
            found(&s, tmp.path(), "ok.jsonl"),
            Vec::<String>::new(),
            "{permissions:?}"
        );
    }
}

#[test]
fn microphone_denied() {
    // Asked, and the user said no.
    let mut bad = Script::launched(Permissions {
        microphone: Authorization::NotDetermined,
        camera: Authorization::Authorized,
    });
    bad.ready()
        .open("standup_42")
        .event(Event::ViewAppeared)
        .wait(2_000)
        .permission(MediaKind::Microphone, Authorization::Denied);
    bad.close_view();
    let asked = seq_where(&bad, |e| {
        matches!(
            e,
            Entry::Command(Command::Effect(Effect::RequestPermission {
                media: MediaKind::Microphone
            }))
        )
    });
    check(
        "microphone-denied",
        &bad,
        &launched_call(Permissions::default()),
    );
    let f = the_finding(&bad, "microphone-denied");
    assert_eq!(f["attempt"], 1, "{f}");
    assert!(text_of(&f, "title").contains("standup_42"), "{f}");
    let what = text_of(&f, "explanation");
    assert!(what.contains(&format!("request at seq {asked}")), "{what}");
    assert!(what.contains("No joinSession went out"), "{what}");
    assert!(what.contains("did not tap Open Settings"), "{what}");

    // Denied already at launch, and the user went to Settings from the error.
    let mut before = Script::launched(Permissions {
        microphone: Authorization::Denied,
        camera: Authorization::Authorized,
    });
    before.ready().open("standup_42").event(Event::ViewAppeared);
    before.close_view();
    before.event(Event::OpenSettings);
    let opened = seq_where(&before, |e| {
        matches!(e, Entry::Command(Command::Effect(Effect::OpenAppSettings)))
    });
    let what = text_of(&the_finding(&before, "microphone-denied"), "explanation");
    assert!(what.contains("already denied"), "{what}");
    assert!(what.contains(&format!("opened at seq {opened}")), "{what}");

    // Restricted: the user cannot change it.
    let mut restricted = Script::launched(Permissions {
        microphone: Authorization::Restricted,
        camera: Authorization::Authorized,
    });
    restricted.ready().open("standup_42");
    let f = the_finding(&restricted, "microphone-denied");
    assert!(text_of(&f, "title").ends_with("restricted"), "{f}");
    assert!(text_of(&f, "fix").contains("Screen Time"), "{f}");
    assert!(!text_of(&f, "explanation").contains("said no"), "{f}");
}

#[test]
fn camera_denied() {
    let denied = Permissions {
        microphone: Authorization::Authorized,
        camera: Authorization::Denied,
    };
    let bad = launched_call(denied);
    let join = bad
        .records()
        .into_iter()
        .find(|r| {
            matches!(
                r.body,
                Entry::Command(Command::Effect(Effect::JoinSession { .. }))
            )
        })
        .unwrap();
    let Entry::Command(Command::Effect(Effect::JoinSession { settings, .. })) = &join.body else {
        unreachable!()
    };
    assert!(settings.start_video_paused, "joined with video paused");
    check("camera-denied", &bad, &launched_call(Permissions::GRANTED));
    let f = the_finding(&bad, "camera-denied");
    assert_eq!(f["seq_last"], join.seq, "{f}");
    let what = text_of(&f, "explanation");
    assert!(
        what.contains(&format!("joined at seq {} with video paused", join.seq)),
        "{what}"
    );
    assert!(what.contains("already denied"), "{what}");

    // A voice call needs no camera: nothing to find.
    let mut config = CoreConfig::default();
    config.settings.session_type = SessionType::Voice;
    let mut voice = Script::launched_with(config, denied);
    voice.ready().joined_call("standup_42", 1).wait(10_000);
    left(&mut voice, 1).close_view();
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        found(&voice, tmp.path(), "voice.jsonl"),
        Vec::<String>::new()
    );
}

#[test]
fn init_failed() {
    // A cold link waits for init, which fails: the attempt ends with Retry.
    let mut bad = Script::launched(Permissions::GRANTED);
    bad.open("standup_42")
        .event(Event::ViewAppeared)
        .wait(1_500);
    bad.init_failed("The app ID is invalid for region eu");
    bad.close_view();
    check("init-failed", &bad, &launched_call(Permissions::GRANTED));
    let init = seq_where(&bad, |e| {
        matches!(
            e,
            Entry::Command(Command::Effect(Effect::InitCalls { request: 1 }))
        )
    });
    let f = the_finding(&bad, "init-failed");
    assert_eq!(f["attempt"], 1, "{f}");
    assert_eq!(f["seq_first"], init, "{f}");
    assert!(
        text_of(&f, "title").contains("The app ID is invalid"),
        "{f}"
    );
    let what = text_of(&f, "explanation");
    assert!(
        what.contains(&format!("init #1 at seq {init} at launch")),
        "{what}"
    );
    assert!(what.contains("It ended attempt 1"), "{what}");
    assert!(what.contains("SetupFailed"), "{what}");

    // The shell could not even call init at launch; nobody was waiting; the retry worked. One
    // finding for the record: init-failed, not port-failed as well.
    let mut port = Script::launched(Permissions::GRANTED);
    port.event(Event::Incident(Incident::port_failed(
        Effect::InitCalls { request: 1 },
        "CometChatCalls is not linked",
    )));
    port.wait(5_000).open("standup_42");
    port.ready().event(Event::ViewAppeared).wait(800);
    port.sdk(1, SdkEvent::SessionJoined).wait(5_000);
    left(&mut port, 1).close_view();
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(found(&port, tmp.path(), "port.jsonl"), ["init-failed"]);
    let f = the_finding(&port, "init-failed");
    assert!(f["attempt"].is_null(), "{f}");
    assert!(text_of(&f, "title").contains("could not start"), "{f}");
    let what = text_of(&f, "explanation");
    assert!(what.contains("No join was waiting"), "{what}");
    assert!(what.contains("The next init succeeded"), "{what}");
}

#[test]
fn init_failed_names_an_answer_the_core_ignored() {
    // Init #1 at launch goes unanswered past the join timeout, so the first join asks again
    // (#2); then #1's failure arrives late. The core ignores it and the join waits for #2.
    let mut late = Script::launched(Permissions::GRANTED);
    late.wait(40_000)
        .open("standup_42")
        .event(Event::ViewAppeared)
        .wait(3_000);
    assert_eq!(late.init_request(), 2, "the join asked for init again");
    late.setup(SetupEvent::InitFailed {
        request: 1,
        message: "The app ID is invalid for region eu".into(),
    });
    late.wait(3_000)
        .ready()
        .wait(800)
        .sdk(1, SdkEvent::SessionJoined)
        .wait(10_000);
    left(&mut late, 1).close_view();
    let first = seq_where(&late, |e| {
        matches!(
            e,
            Entry::Command(Command::Effect(Effect::InitCalls { request: 1 }))
        )
    });
    let again = seq_where(&late, |e| {
        matches!(
            e,
            Entry::Command(Command::Effect(Effect::InitCalls { request: 2 }))
        )
    });
    let f = the_finding(&late, "init-failed");
    assert!(f["attempt"].is_null(), "{f}");
    assert_eq!(f["seq_first"], first, "{f}");
    let what = text_of(&f, "explanation");
    assert!(
        what.contains(&format!("init #1 at seq {first} at launch")),
        "{what}"
    );
    assert!(
        what.contains(&format!("asked for init again (#2 at seq {again})")),
        "{what}"
    );
    assert!(
        what.contains("ignored this late answer to init #1"),
        "{what}"
    );
    assert!(!what.contains("It ended attempt"), "{what}");
    assert!(what.contains("The next init succeeded"), "{what}");
    // The join's wait names why init was asked again, and the ignored answer.
    let what = text_of(&the_finding(&late, "slow-sdk-ready"), "explanation");
    assert!(
        what.contains(&format!(
            "init Calls SDK (#2), sent again for a new join (seq {}), since the last init (seq \
             {first}) had gone unanswered for longer than the join timeout",
            again - 1
        )),
        "{what}"
    );
    assert!(
        what.contains(
            "Calls SDK init #1 FAILED: The app ID is invalid for region eu (the core ignored it"
        ),
        "{what}"
    );

    // A second answer to an init already answered is ignored too.
    let mut twice = Script::launched(Permissions::GRANTED);
    twice.ready().wait(1_000);
    let answered = twice.records().len() as u64 - 1;
    twice.setup(SetupEvent::InitFailed {
        request: 1,
        message: "The app ID is invalid for region eu".into(),
    });
    let what = text_of(&the_finding(&twice, "init-failed"), "explanation");
    assert!(
        what.contains(&format!("had been answered already (seq {answered})")),
        "{what}"
    );
    assert!(
        what.contains("The log shows no later init succeeding"),
        "{what}"
    );

    // An older log's unnumbered init that the shell could not call is init-failed too.
    let mut booted = Script::new();
    booted.event(Event::Incident(Incident::port_failed(
        Effect::InitCallsSdk,
        "CometChatCalls is not linked",
    )));
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(found(&booted, tmp.path(), "boot.jsonl"), ["init-failed"]);
    let f = the_finding(&booted, "init-failed");
    let what = text_of(&f, "explanation");
    assert!(what.contains("asked for init at seq 1 at boot"), "{what}");
}

#[test]
fn login_failed() {
    let mut bad = Script::launched(Permissions::GRANTED);
    bad.open("standup_42")
        .event(Event::ViewAppeared)
        .wait(1_000);
    bad.init_succeeded(false)
        .wait(700)
        .setup(SetupEvent::LoginFailed {
            message: "AUTH_TOKEN_EXPIRED: the auth token has expired".into(),
        });
    bad.close_view();
    let mut good = Script::launched(Permissions::GRANTED);
    good.open("standup_42")
        .event(Event::ViewAppeared)
        .wait(1_000);
    good.init_succeeded(false)
        .wait(700)
        .setup(SetupEvent::LoginSucceeded)
        .wait(800)
        .sdk(1, SdkEvent::SessionJoined)
        .wait(10_000);
    left(&mut good, 1).close_view();
    check("login-failed", &bad, &good);
    let f = the_finding(&bad, "login-failed");
    assert_eq!(f["attempt"], 1, "{f}");
    assert!(text_of(&f, "title").contains("AUTH_TOKEN_EXPIRED"), "{f}");
    let what = text_of(&f, "explanation");
    assert!(
        what.contains("because init found no user logged in"),
        "{what}"
    );
    assert!(what.contains("It ended attempt 1"), "{what}");
    assert!(text_of(&f, "fix").contains("token"), "{f}");
}

#[test]
fn slow_sdk_ready() {
    // A cold link: the user looks at "connecting" for 7 s before the join goes out.
    let mut bad = Script::launched(Permissions::GRANTED);
    bad.open("standup_42")
        .event(Event::ViewAppeared)
        .wait(7_000);
    bad.ready()
        .wait(800)
        .sdk(1, SdkEvent::SessionJoined)
        .wait(10_000);
    left(&mut bad, 1).close_view();
    // The same at 1.5 s is fine.
    let mut good = Script::launched(Permissions::GRANTED);
    good.open("standup_42")
        .event(Event::ViewAppeared)
        .wait(1_500);
    good.ready()
        .wait(800)
        .sdk(1, SdkEvent::SessionJoined)
        .wait(10_000);
    left(&mut good, 1).close_view();
    check("slow-sdk-ready", &bad, &good);
    // The limit is the engineer's: at 8 s the same wait is fine.
    let tmp = tempfile::tempdir().unwrap();
    let path = bad.write(tmp.path(), "bad.jsonl");
    let out = support::switchboard(&["diagnose", path.to_str().unwrap(), "--ready-ms", "8000"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", support::text(&out));
    let f = the_finding(&bad, "slow-sdk-ready");
    assert!(text_of(&f, "title").contains("7.0 s"), "{f}");
    let viewed = seq_where(&bad, |e| {
        matches!(
            e,
            Entry::Input(switchboard_domain::Input::Session(
                switchboard_domain::SessionInput::ViewAppeared
            ))
        )
    });
    assert_eq!(f["seq_first"], viewed, "{f}");
    let what = text_of(&f, "explanation");
    assert!(
        what.contains("init Calls SDK (#1), sent at launch"),
        "{what}"
    );
    assert!(what.contains("Calls SDK init #1 succeeded"), "{what}");

    // The join timeout runs out while it still waits: NotReady, whatever the threshold.
    let mut never = Script::launched(Permissions::GRANTED);
    never
        .open("standup_42")
        .event(Event::ViewAppeared)
        .wait(30_000);
    never.timer(1, TimerKind::JoinTimeout).close_view();
    let ended = seq_where(&never, |e| {
        matches!(
            e,
            Entry::Command(Command::Message(Message::Ended {
                reason: switchboard_domain::EndReason::NotReady { .. },
                ..
            }))
        )
    });
    let f = the_finding(&never, "slow-sdk-ready");
    assert_eq!(f["seq_last"], ended, "{f}");
    assert!(
        text_of(&f, "title").contains("gave up waiting for the Calls SDK"),
        "{f}"
    );
    assert!(text_of(&f, "explanation").contains("NotReady"), "{f}");

    // The second call of a process waits for the re-init after the first: slow is named too.
    let mut second = launched_call(Permissions::GRANTED);
    second
        .open("retro_7")
        .event(Event::ViewAppeared)
        .wait(6_000);
    second
        .ready()
        .wait(500)
        .sdk(2, SdkEvent::SessionJoined)
        .wait(5_000);
    left(&mut second, 2).close_view();
    let f = the_finding(&second, "slow-sdk-ready");
    assert_eq!(f["attempt"], 2, "{f}");
    let what = text_of(&f, "explanation");
    assert!(what.contains("after attempt 1 ended"), "{what}");
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
