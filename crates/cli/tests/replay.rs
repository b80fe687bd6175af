//! `switchboard replay --at SEQ` and `--diff`, and every log fixture in schemas/fixtures (each
//! format version, and the support logs the docs walk through) read by replay, diagnose and
//! report.
mod support;

use std::path::{Path, PathBuf};

use support::{assert_bad_input, demo, switchboard, text, Script};
use switchboard_domain::{AppState, Effect, Event, SdkEvent};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/fixtures")
}

/// The hand-made log of docs/support-replay.md: the other side ends the call, the core
/// dismisses the call view, the shell never takes it down; the user taps mute and leave on the
/// dead screen, then gives up and leaves the app.
pub fn stranded_view_log() -> Script {
    let mut s = Script::new();
    s.joined_call("design-review", 1).wait(95_000);
    s.sdk(1, SdkEvent::ParticipantCountChanged { count: 3 })
        .wait(240_000);
    s.sdk(1, SdkEvent::SessionLeft).wait(12_000);
    s.event(Event::ToggleMic).wait(6_000);
    s.event(Event::Leave).wait(9_000);
    s.event(Event::Leave).wait(20_000);
    s.event(Event::App(AppState::Background));
    s
}

const STRANDED: &str = "support-stranded-view.jsonl";

/// Writes the stranded-view fixture when asked and only if it does not exist:
/// `WRITE_FIXTURES=1 cargo test -p switchboard-cli --test replay`.
#[test]
fn write_the_support_fixture_when_asked() {
    let path = fixtures().join(STRANDED);
    if std::env::var_os("WRITE_FIXTURES").is_none() || path.exists() {
        return;
    }
    stranded_view_log().write(&fixtures(), STRANDED);
}

#[test]
fn the_stranded_view_fixture_is_what_the_script_makes_and_diagnose_finds_it() {
    let path = fixtures().join(STRANDED);
    let tmp = tempfile::tempdir().unwrap();
    let fresh = stranded_view_log().write(tmp.path(), "fresh.jsonl");
    // The fixture was written in format 1 and stays so (an old log must keep reading): its
    // records, upcast, are what the script makes today.
    let frozen = switchboard_journal::open_log(&path).expect("the fixture reads");
    assert!(frozen
        .iter()
        .all(|r| r.format == switchboard_journal::FORMAT_VERSION));
    assert!(
        frozen == switchboard_journal::open_log(&fresh).unwrap(),
        "{STRANDED} differs from what stranded_view_log() makes"
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("{\"format\":1,"));
    let rules = support::rules(&support::diagnose(&path).1);
    assert_eq!(rules, ["view-stranded", "after-ended"]);
}

#[test]
fn every_fixture_replays_verifies_and_is_diagnosed_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        seen += 1;
        let p = path.to_str().unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // A seq a few records in (a log that starts at a snapshot starts past 0).
        let first = switchboard_journal::open_log(&path).unwrap()[0].seq;
        let at = (first + 3).to_string();
        for args in [
            vec!["replay", p],
            vec!["replay", p, "--verify"],
            vec!["replay", p, "--diff"],
            vec!["replay", p, "--at", at.as_str()],
        ] {
            let out = switchboard(&args);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{name} {args:?}: {:?}",
                text(&out)
            );
        }
        let (code, _) = support::diagnose(&path);
        assert!(code == 0 || code == 1, "{name}");
        let html = tmp.path().join(format!("{name}.html"));
        let out = switchboard(&["report", p, "--out", html.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {:?}", text(&out));
    }
    assert!(seen >= 2, "format-1 and the support fixture");
}

/// The seq of the first input whose text contains `what`.
fn seq_of(log: &Path, what: &str) -> u64 {
    let out = switchboard(&["replay", log.to_str().unwrap(), "--json"]);
    text(&out)
        .0
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["kind"] == "input" && v["text"].as_str().unwrap().contains(what))
        .map(|v| v["seq"].as_u64().unwrap())
        .unwrap()
}

#[test]
fn at_prints_the_state_of_every_machine_at_a_seq() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("drop");
    demo(&dir, "drop");
    let seq = seq_of(&dir, "onConnectionLost");
    let d = dir.to_str().unwrap();
    let out = switchboard(&["replay", d, "--at", &seq.to_string()]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with(&format!("state after seq {seq} ")),
        "{stdout}"
    );
    for want in [
        "router ",
        "session/1 ",
        "audio ",
        "ui ",
        "in call, reconnecting",
    ] {
        assert!(stdout.contains(want), "{want} in {stdout}");
    }
    // Just before the drop the call was connected.
    let out = switchboard(&["replay", d, "--at", &(seq - 1).to_string(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let session = v["machines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["actor"] == "session/1")
        .unwrap();
    assert_eq!(session["summary"], "in call, connected");
    assert_eq!(session["state"]["phase"]["InCall"]["reconnecting"], false);
    assert_bad_input(
        &switchboard(&["replay", d, "--at", "999999"]),
        "seq 999999 is not in the log",
    );
    let out = switchboard(&["replay", d, "--at", "3", "--verify"]);
    assert_eq!(out.status.code(), Some(2), "--at and --verify conflict");
}

#[test]
fn diff_prints_what_changed_at_each_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("drop");
    demo(&dir, "drop");
    let d = dir.to_str().unwrap();
    let out = switchboard(&["replay", d, "--diff"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout.contains("phase.InCall.reconnecting: false -> true"),
        "{stdout}"
    );
    assert!(stdout.contains("inputs changed a state"), "{stdout}");
    let out = switchboard(&["replay", d, "--diff", "--json"]);
    let lines: Vec<serde_json::Value> = text(&out)
        .0
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lost = lines
        .iter()
        .find(|l| l["input"] == "sdk: onConnectionLost")
        .unwrap();
    assert_eq!(lost["actor"], "session/1");
    assert_eq!(lost["changes"][0]["path"], "phase.InCall.reconnecting");
    assert_eq!(lost["changes"][0]["after"], true);
    // Only the changes within one session's span.
    let out = switchboard(&["replay", d, "--diff", "--session", "field-ops"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_stranded_fixture_at_its_finding_shows_ended_with_the_view_up() {
    let path = fixtures().join(STRANDED);
    let out = switchboard(&["replay", path.to_str().unwrap(), "--at", "45", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let router = &v["machines"][0];
    assert_eq!(router["actor"], "router");
    assert_eq!(router["state"]["view_visible"], true, "{router}");
}

/// One broken log, two readers: a recorded command altered (the in-call render's participant
/// count), then `switchboard replay --verify` and the simulator's checker (what `switchboard
/// sim` runs on a failing journal) name the same seq: the input whose commands differ.
#[test]
fn replay_verify_and_the_simulators_checker_name_the_same_seq() {
    use switchboard_domain::{Command, Entry, UiState};
    let mut s = Script::new();
    s.joined_call("altered", 1).wait(5_000);
    s.event(Event::Leave)
        .wait(300)
        .sdk(1, SdkEvent::SessionLeft);
    let mut records = s.records();
    let i = records
        .iter()
        .rposition(|r| {
            matches!(
                &r.body,
                Entry::Command(Command::Effect(Effect::Render(UiState::InCall { .. })))
            )
        })
        .expect("an in-call render");
    let Entry::Command(Command::Effect(Effect::Render(UiState::InCall {
        participant_count, ..
    }))) = &mut records[i].body
    else {
        unreachable!()
    };
    *participant_count += 40;
    let altered_seq = records[i].seq;
    let input_seq = records[..i]
        .iter()
        .rev()
        .find(|r| r.actor == records[i].actor && matches!(r.body, Entry::Input(_)))
        .unwrap()
        .seq;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("altered.jsonl");
    let file = std::fs::File::create(&path).unwrap();
    switchboard_journal::export_jsonl(records.into_iter().map(Ok), file).unwrap();

    let out = switchboard(&["replay", path.to_str().unwrap(), "--verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, _) = text(&out);
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["verified"], false);
    let divergence = &report["divergence"];
    assert_eq!(divergence["seq"], input_seq, "{report}");
    assert_eq!(divergence["first_difference_seq"], altered_seq, "{report}");

    let violation = switchboard_sim::recheck(&path)
        .unwrap()
        .expect("the checker catches it");
    assert_eq!(
        violation.invariant,
        switchboard_sim::Invariant::ReplayCommands,
        "{violation}"
    );
    assert_eq!(violation.seq, Some(input_seq), "{violation}");

    let text_out = switchboard(&["replay", path.to_str().unwrap(), "--verify"]);
    let (stdout, _) = text(&text_out);
    assert!(
        stdout.contains(&format!("seq {input_seq} (ui)")),
        "{stdout}"
    );
}

#[test]
fn verify_refuses_session_and_answers_json_on_a_good_log() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Script::new();
    s.joined_call("fine", 1);
    let path = s.write(tmp.path(), "fine.jsonl");
    let p = path.to_str().unwrap();
    let out = switchboard(&["replay", p, "--verify", "--session", "fine"]);
    assert_eq!(out.status.code(), Some(2));
    let (_, stderr) = text(&out);
    assert!(stderr.contains("--session"), "{stderr}");
    let out = switchboard(&["replay", p, "--verify", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_str(text(&out).0.trim()).unwrap();
    assert_eq!(report["verified"], true);
    assert!(report["commands_matched"].as_u64().unwrap() > 5, "{report}");
    assert!(report.get("divergence").is_none());
}
