//! JSON Lines export and import: byte-identical round trips, and every kind of bad line named.
mod common;

use std::path::Path;

use common::*;
use switchboard_journal::{
    export_jsonl, import_jsonl, open_log, open_log_prefix, Error, FlushPolicy, Journal,
    MemoryJournal, Record, SledJournal, LINE_BYTES_MAX,
};

fn export(records: &[Record]) -> String {
    let mut out = Vec::new();
    export_jsonl(records.iter().cloned().map(Ok), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn import(text: &str) -> Result<Vec<Record>, Error> {
    import_jsonl(text.as_bytes())
}

fn sample() -> (Vec<Record>, String) {
    let records = expected(&records(40));
    let text = export(&records);
    (records, text)
}

#[test]
fn export_import_export_is_byte_identical_through_a_journal() {
    let tmp = tempfile::tempdir().unwrap();
    let (records, first) = sample();
    assert_eq!(first.lines().count(), 40);
    assert!(first.starts_with(
        r#"{"format":3,"seq":0,"at_ms":0,"actor":"router","kind":"input","body":{"input":"#
    ));
    let imported = import(&first).unwrap();
    assert_eq!(imported, records);

    let (journal, _) = SledJournal::open(tmp.path(), FlushPolicy::PerBatch).unwrap();
    assert_eq!(journal.import(&imported).unwrap(), 0..40);
    let mut second = Vec::new();
    assert_eq!(export_jsonl(journal.scan(0), &mut second).unwrap(), 40);
    assert_eq!(String::from_utf8(second).unwrap(), first);
}

#[test]
fn import_needs_an_empty_journal_and_seqs_from_zero() {
    let (records, _) = sample();
    let journal = MemoryJournal::new();
    let err = journal.import(&records[1..]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot import: expected seq 0, found seq 1"
    );
    assert_eq!(journal.next_seq(), 0);
    journal.import(&records).unwrap();
    let err = journal.import(&records).unwrap_err();
    assert!(matches!(err, Error::NotEmpty { next_seq: 40 }), "{err:?}");
}

#[test]
fn a_line_cut_short_is_truncated_and_names_the_last_good_seq() {
    let (_, text) = sample();
    let lines: Vec<&str> = text.lines().collect();
    let mut cut = lines[..16].join("\n");
    cut.push('\n');
    cut.push_str(&lines[16][..lines[16].len() / 2]);
    let err = import(&cut).unwrap_err();
    assert_eq!(err.to_string(), "line 17 is truncated (after seq 15)");
    let err = import(&lines[0][..10]).unwrap_err();
    assert_eq!(err.to_string(), "line 1 is truncated (before any record)");
}

#[test]
fn an_edited_field_fails_the_checksum() {
    let (_, text) = sample();
    let lines: Vec<&str> = text.lines().collect();
    let idx = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"command\""))
        .unwrap();
    for (from, to) in [
        ("\"at_ms\":", "\"at_ms\":1"),
        ("\"actor\":\"", "\"actor\":\"x"),
        ("\"crc32\":", "\"crc32\":1"),
    ] {
        let mut edited = lines.clone();
        let line = lines[idx].replacen(from, to, 1);
        edited[idx] = &line;
        let err = import(&(edited.join("\n") + "\n")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("line {} (seq {idx})", idx + 1)),
            "{err}"
        );
    }
    // A changed body.
    let body_idx = lines
        .iter()
        .position(|l| l.contains("\"init_calls_sdk\""))
        .unwrap();
    let mut edited = lines.clone();
    let line = lines[body_idx].replacen("init_calls_sdk", "init_chat_sdk", 1);
    edited[body_idx] = &line;
    let err = import(&(edited.join("\n") + "\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "line {} (seq {body_idx}): checksum mismatch: the record was edited or damaged",
            body_idx + 1
        )
    );
}

#[test]
fn seqs_must_ascend_without_gaps_and_kinds_must_match() {
    let (_, text) = sample();
    let lines: Vec<&str> = text.lines().collect();
    let mut gap = lines.clone();
    gap.remove(5);
    let err = import(&gap.join("\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 6 (seq 6): out of order: expected seq 5 after seq 4"
    );

    let idx = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"command\""))
        .unwrap();
    let mut wrong_kind = lines.clone();
    let line = lines[idx].replacen("\"kind\":\"command\"", "\"kind\":\"input\"", 1);
    wrong_kind[idx] = &line;
    let err = import(&wrong_kind.join("\n")).unwrap_err();
    assert!(err.to_string().contains("does not match the body"), "{err}");
}

#[test]
fn foreign_lines_are_named() {
    let (_, text) = sample();
    let first = text.lines().next().unwrap();
    for (bad, says) in [
        ("hello\n".to_owned(), "line 1: not a log record"),
        ("\n".to_owned(), "line 1: empty line"),
        (
            format!("{first}\n{{\"x\":1}}\n"),
            "line 2: not a log record",
        ),
        (
            first.replacen("\"format\":3", "\"format\":7", 1),
            "line 1 (seq 0): format 7",
        ),
        (
            format!("{},\"extra\":true}}", &first[..first.len() - 1]),
            "line 1 (seq 0): unknown field 'extra'",
        ),
    ] {
        let err = import(&bad).unwrap_err().to_string();
        assert!(err.starts_with(says), "{err}");
    }
    assert!(import("").unwrap().is_empty());
}

/// `line` with `"extra": 1` added to the object at `pointer` (a JSON pointer).
fn with_extra(line: &str, pointer: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    let object = v.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
    object.insert("extra".into(), 1.into());
    serde_json::to_string(&v).unwrap()
}

#[test]
fn an_unknown_field_at_any_level_is_an_error_naming_the_line_and_the_field() {
    let records = golden_records();
    let text = export(&records);
    let lines: Vec<&str> = text.lines().collect();
    // A command with a struct body (`start_timer`) holding a nested struct (its timer `id`).
    let n = lines
        .iter()
        .position(|l| l.contains(r#""start_timer":{"id":{"#))
        .expect("a start_timer line");
    let seq = records[n].seq;
    for (pointer, field) in [
        ("", "extra".to_owned()),
        (
            "/body/command/start_timer",
            "body.command.start_timer.extra".to_owned(),
        ),
        (
            "/body/command/start_timer/id",
            "body.command.start_timer.id.extra".to_owned(),
        ),
    ] {
        let mut edited = lines.clone();
        let line = with_extra(lines[n], pointer);
        edited[n] = &line;
        let err = import(&(edited.join("\n") + "\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("line {} (seq {seq}): unknown field '{field}'", n + 1),
            "{pointer}"
        );
    }
    // The line itself, untouched but re-serialised the same way, is fine.
    let same = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(lines[n]).unwrap())
        .unwrap();
    let mut edited = lines.clone();
    edited[n] = &same;
    assert_eq!(import(&(edited.join("\n") + "\n")).unwrap(), records);
}

#[test]
fn a_clean_export_of_every_kind_of_record_round_trips_without_false_unknown_fields() {
    let records = golden_records();
    let text = export(&records);
    assert_eq!(import(&text).unwrap(), records);
    assert_eq!(export(&import(&text).unwrap()), text);
}

#[test]
fn an_over_long_line_is_refused_without_reading_it_whole() {
    // An endless line: a reader that buffered the whole line before checking would never
    // return.
    let endless = std::io::BufReader::new(std::io::repeat(b' '));
    let err = import_jsonl(endless).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("line 1: longer than {LINE_BYTES_MAX} bytes")
    );
    // Exactly the limit, plus its newline, is not over-long (it is judged as a record).
    let at_limit = format!("{}\n", " ".repeat(LINE_BYTES_MAX));
    let err = import(&at_limit).unwrap_err().to_string();
    assert!(!err.contains("longer than"), "{err}");
    let over = format!("{}\n", " ".repeat(LINE_BYTES_MAX + 1));
    let err = import(&over).unwrap_err().to_string();
    assert!(err.contains("longer than"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_being_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("log.jsonl");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // Opening it for reading would block until a writer came: the error must come at once.
    // Held open here with a line in it, so that a regression reads that line and fails this
    // test instead of hanging it.
    let mut held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    std::io::Write::write_all(&mut held, b"x\n").unwrap();
    let err = open_log(&fifo).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}: not a regular file", fifo.display())),
        "{err}"
    );
    assert!(open_log_prefix(&fifo).is_err());
}

#[test]
fn open_log_reads_a_journal_dir_or_a_jsonl_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("journal");
    let new = records(30);
    append_in_batches(&open(&dir), &new, &[10]);
    let (records, text) = (expected(&new), export(&expected(&new)));
    let file = tmp.path().join("log.jsonl");
    std::fs::write(&file, &text).unwrap();
    assert_eq!(open_log(&dir).unwrap(), records);
    assert_eq!(open_log(&file).unwrap(), records);

    let missing = tmp.path().join("missing.jsonl");
    assert!(matches!(open_log(&missing), Err(Error::NotFound { .. })));
    assert!(matches!(
        open_log(tmp.path()),
        Err(Error::NotAJournal { .. })
    ));

    // A damaged file: open_log fails naming the line, open_log_prefix keeps what came before.
    let cut = tmp.path().join("cut.jsonl");
    std::fs::write(&cut, &text[..text.len() - 20]).unwrap();
    let err = open_log(&cut).unwrap_err();
    assert_eq!(err.to_string(), "line 30 is truncated (after seq 28)");
    let (good, err) = open_log_prefix(&cut).unwrap();
    assert_eq!(
        (good.len(), err.map(|e| e.to_string())),
        (29, Some("line 30 is truncated (after seq 28)".into()))
    );
    assert!(open_log_prefix(Path::new(&missing)).is_err());
}

#[test]
fn the_golden_format_1_log_still_imports_replays_and_exports_as_today() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN_V1);
    let golden = std::fs::read_to_string(&path).expect("the golden log of format 1");
    assert!(golden.lines().all(|l| l.starts_with(r#"{"format":1,"#)));
    let records = import(&golden).unwrap();
    assert!(records.len() > 100);
    // Every recorded input is still accepted by today's machines (what the commands are may
    // change with the domain; `switchboard replay --verify` reports that).
    switchboard_journal::fold(&records).unwrap();
    // Upcast on read: it exports as today's format, and that export reads back to the same
    // records.
    let again = export(&records);
    assert!(again.lines().all(|l| l.starts_with(r#"{"format":3,"#)));
    assert_eq!(import(&again).unwrap(), records);
    // The same records, line for line: only the format, the checksum and the fields format 2
    // added (at their "nothing new" values) differ.
    for (old, new) in golden.lines().zip(again.lines()) {
        let old: serde_json::Value = serde_json::from_str(old).unwrap();
        let new: serde_json::Value = serde_json::from_str(new).unwrap();
        for key in ["seq", "at_ms", "actor", "kind"] {
            assert_eq!(old[key], new[key]);
        }
        assert_eq!(
            without_format_2_fields(new["body"].clone()),
            old["body"],
            "seq {}",
            old["seq"]
        );
    }
}

/// A body with the fields format 2 added removed, where they hold their default.
fn without_format_2_fields(mut v: serde_json::Value) -> serde_json::Value {
    const ADDED: [&str; 5] = [
        "waiting_for",
        "camera_unavailable",
        "audio_unavailable",
        "open_settings",
        "unavailable",
    ];
    match &mut v {
        serde_json::Value::Object(map) => {
            for key in ADDED {
                if map
                    .get(key)
                    .is_some_and(|x| x.is_null() || *x == serde_json::Value::Bool(false))
                {
                    map.remove(key);
                }
            }
            for value in map.values_mut() {
                *value = without_format_2_fields(value.take());
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                *item = without_format_2_fields(item.take());
            }
        }
        _ => {}
    }
    v
}

#[test]
fn the_golden_format_2_log_still_imports_replays_and_exports_as_format_3() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN_V2);
    let golden = std::fs::read_to_string(&path).expect("the golden log of format 2");
    let records = import(&golden).unwrap();
    assert!(records.len() > 100);
    switchboard_journal::fold(&records).unwrap();
    // Format 3 added snapshot records and nothing else: each line is the same but for its
    // format number and checksum, and the export reads back to the same records.
    let again = export(&records);
    assert_eq!(import(&again).unwrap(), records);
    for (old, new) in golden.lines().zip(again.lines()) {
        let mut old: serde_json::Value = serde_json::from_str(old).unwrap();
        let mut new: serde_json::Value = serde_json::from_str(new).unwrap();
        assert_eq!(
            (old["format"].take(), new["format"].take()),
            (2.into(), 3.into())
        );
        old["crc32"].take();
        new["crc32"].take();
        assert_eq!(old, new);
    }
}

/// Where the golden log of format 2 lives. It is frozen: a later format adds a new fixture.
const GOLDEN_V2: &str = "../../schemas/fixtures/format-2.jsonl";

/// Writes the golden log of format 2 once, when asked and only if it does not exist:
/// `WRITE_GOLDEN_V2=1 cargo test -p switchboard-journal --test jsonl`.
#[test]
fn write_the_golden_format_2_log_when_asked() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN_V2);
    if std::env::var_os("WRITE_GOLDEN_V2").is_none() || path.exists() {
        return;
    }
    std::fs::write(&path, export(&golden_v2_records())).unwrap();
}

/// A launched process (DESIGN rules 10-13): a cold-start link waiting for init, login and the
/// microphone prompt; a video call with the camera denied; the share-invite button; a failed
/// audio activation retried on foreground; the re-init after the call and a second call waiting
/// for it; a new meeting; a failed login and its retry; a relaunch mid-call; a microphone
/// denied at the prompt and Open Settings.
fn golden_v2_records() -> Vec<Record> {
    use switchboard_domain::core::Core;
    use switchboard_domain::{
        AppState, Authorization, CoreConfig, Effect, Event, Incident, Launch, MediaKind,
        Permissions, SdkButton, SdkEvent, SetupEvent,
    };
    use switchboard_journal::script::records_from_steps;
    let permissions = Permissions {
        microphone: Authorization::NotDetermined,
        camera: Authorization::Denied,
    };
    let launch = Event::Launch(Launch {
        config: CoreConfig::default(),
        permissions,
    });
    let setup = Event::Setup;
    let mut events = vec![
        launch.clone(),
        link("cold-start"),
        Event::ViewAppeared,
        Event::Permission {
            media: MediaKind::Microphone,
            status: Authorization::Authorized,
        },
        setup(SetupEvent::InitSucceeded {
            request: 1,
            logged_in: false,
        }),
        setup(SetupEvent::LoginSucceeded),
        sdk(1, SdkEvent::JoinSucceeded),
        sdk(1, SdkEvent::SessionJoined),
        sdk(
            1,
            SdkEvent::ButtonClicked {
                button: SdkButton::ShareInvite,
            },
        ),
        Event::Incident(Incident::port_failed(
            Effect::ActivateAudio,
            "AVAudioSession error 561017449",
        )),
        Event::App(AppState::Background),
        Event::App(AppState::Foreground),
        Event::Leave,
        sdk(1, SdkEvent::SessionLeft),
        Event::ViewDisappeared,
        Event::Dismiss,
        // The second call waits for the re-init.
        Event::NewMeeting {
            session_id: "3F2504E0-4F89-11D3-9A0C-0305E82C3301".into(),
        },
        Event::ViewAppeared,
        setup(SetupEvent::InitSucceeded {
            request: 2,
            logged_in: false,
        }),
        setup(SetupEvent::LoginFailed {
            message: "AUTH TOKEN ERROR: expired".into(),
        }),
        Event::Retry,
        setup(SetupEvent::LoginSucceeded),
        Event::ViewAppeared,
        sdk(3, SdkEvent::JoinSucceeded),
    ];
    // Killed mid-call; the next process ends the call and is told no for the microphone.
    let mut core = Core::default();
    let mut out = Vec::new();
    let mut at_ms = 0;
    for event in events.drain(..) {
        out.extend(records_from_steps(&core.handle_event(event, at_ms), at_ms));
        at_ms += 40;
    }
    let repairs = core.machines.reconcile_at_launch();
    let relaunch = Event::Launch(Launch {
        config: CoreConfig::default(),
        permissions: Permissions {
            microphone: Authorization::Denied,
            camera: Authorization::Authorized,
        },
    });
    out.extend(records_from_steps(
        &core.handle_event(relaunch, at_ms),
        at_ms,
    ));
    for (target, input) in repairs {
        out.extend(records_from_steps(
            &core.deliver(target, input, at_ms),
            at_ms,
        ));
    }
    for event in [
        Event::Dismiss,
        setup(SetupEvent::InitSucceeded {
            request: 1,
            logged_in: true,
        }),
        link("after-relaunch"),
        Event::OpenSettings,
        Event::Dismiss,
    ] {
        at_ms += 40;
        out.extend(records_from_steps(&core.handle_event(event, at_ms), at_ms));
    }
    let _ = launch;
    expected(&out)
}

/// Where the golden log of format 1 lives. It is frozen: a later format adds a new fixture.
const GOLDEN_V1: &str = "../../schemas/fixtures/format-1.jsonl";

/// Writes the golden log once, when asked and only if it does not exist:
/// `WRITE_GOLDEN_V1=1 cargo test -p switchboard-journal --test jsonl`.
#[test]
fn write_the_golden_log_when_asked() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN_V1);
    if std::env::var_os("WRITE_GOLDEN_V1").is_none() || path.exists() {
        return;
    }
    std::fs::write(&path, export(&golden_records())).unwrap();
}

/// Calls that touch most input and command variants: a normal call, a spurious INIT ERROR,
/// audio interruptions and routes, a closed connection and a retry that times out, a stale
/// callback, a rejected link, an auth failure and a declined switch.
fn golden_records() -> Vec<Record> {
    use switchboard_domain::core::Core;
    use switchboard_domain::{Input, SessionInput, Target, TimerKind};
    use switchboard_journal::script::records_from_steps;
    let mut core = Core::default();
    let mut out = Vec::new();
    let mut at_ms = 0;
    for event in golden_events_to_retry() {
        out.extend(records_from_steps(&core.handle_event(event, at_ms), at_ms));
        at_ms += 40;
    }
    let timer = Input::Session(SessionInput::TimerFired(TimerKind::JoinTimeout));
    out.extend(records_from_steps(
        &core.deliver(Target::Session(3), timer, at_ms),
        at_ms,
    ));
    for event in golden_events_after_timeout() {
        at_ms += 40;
        out.extend(records_from_steps(&core.handle_event(event, at_ms), at_ms));
    }
    expected(&out)
}

fn sdk(attempt: u64, event: switchboard_domain::SdkEvent) -> switchboard_domain::Event {
    switchboard_domain::Event::Sdk { attempt, event }
}

fn link(id: &str) -> switchboard_domain::Event {
    switchboard_domain::Event::OpenLink {
        url: format!("https://meet.switchboard.example/meet/{id}"),
    }
}

/// Boot, a normal call, then a call with a spurious INIT ERROR, audio events, a closed
/// connection and a retry.
fn golden_events_to_retry() -> Vec<switchboard_domain::Event> {
    use switchboard_domain::{
        AppState, AudioEvent, AudioMode, CoreConfig, Event, IntegrationMode, InterruptionReason,
        JoinErrorCode, SdkEvent,
    };
    let config = CoreConfig {
        mode: IntegrationMode::Additive,
        ..CoreConfig::default()
    };
    let mut events = vec![Event::Boot(config)];
    events.extend(switchboard_journal::script::call_events(1));
    events.extend([
        link("standup-2"),
        Event::ViewAppeared,
        sdk(
            2,
            SdkEvent::JoinFailed {
                code: JoinErrorCode::Init,
                message: "INIT ERROR".into(),
            },
        ),
        sdk(2, SdkEvent::SessionJoined),
        Event::ToggleCamera,
        sdk(2, SdkEvent::LocalVideoPaused { paused: true }),
        sdk(
            2,
            SdkEvent::AudioModeChanged {
                mode: AudioMode::Earpiece,
            },
        ),
        Event::Audio(AudioEvent::InterruptionBegan {
            reason: InterruptionReason::Default,
        }),
        Event::Audio(AudioEvent::InterruptionEnded {
            should_resume: true,
        }),
        Event::App(AppState::Background),
        Event::App(AppState::Foreground),
        Event::SelectAudioRoute { speaker: true },
        Event::Audio(AudioEvent::MediaServicesReset),
        sdk(2, SdkEvent::ConnectionClosed),
        Event::Retry,
        Event::ViewAppeared,
    ]);
    events
}

/// After the retry's join timed out: a stale callback, a rejected link, an auth failure and a
/// declined switch.
fn golden_events_after_timeout() -> Vec<switchboard_domain::Event> {
    use switchboard_domain::{Event, JoinErrorCode, SdkEvent};
    vec![
        sdk(2, SdkEvent::SessionLeft),
        Event::OpenLink {
            url: "http://evil.example/meet/x".into(),
        },
        Event::Dismiss,
        Event::Join {
            session_id: "weekly".into(),
        },
        Event::ViewAppeared,
        link("other-call"),
        Event::AnswerSwitch { accept: false },
        sdk(
            4,
            SdkEvent::JoinFailed {
                code: JoinErrorCode::AuthToken,
                message: "token expired".into(),
            },
        ),
        Event::Dismiss,
    ]
}
