//! The `switchboard` binary as a user runs it: exit codes, one-line errors, and the round trips
//! the acceptance criteria name.
use std::path::Path;

mod support;
use support::{assert_bad_input, demo, export, switchboard, text};

#[test]
fn demo_all_prints_every_scenario_with_a_dismissed_view_and_a_passing_replay_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let (stdout, _) = text(&demo(&dir, "all"));
    // Each scenario's own checks, beyond the common ones.
    let own = |name: &str| -> &[&str] {
        match name {
            "relaunch" => &["[ok] after the relaunch the first render was the relaunch notice"],
            "cold-link" => &[
                "[ok] the call view said \"connecting\"",
                "[ok] joinSession (seq ",
            ],
            "mic-denied" => &[
                "[ok] joinSession sent 0 time(s)",
                "[ok] the core asked for the microphone",
                "[ok] Open Settings opened the app's Settings page",
            ],
            "second-call" => &[
                "[ok] the Calls SDK was initialised again between the two calls",
                "[ok] the second joinSession (seq ",
            ],
            _ => &[],
        }
    };
    for &name in support::SCENARIOS {
        let start = stdout
            .find(&format!("=== scenario {name}:"))
            .unwrap_or_else(|| panic!("scenario {name} missing"));
        let section = &stdout[start..];
        let end = section[4..]
            .find("=== scenario")
            .map_or(section.len(), |i| i + 4);
        let section = &section[..end];
        assert!(
            section.contains("[call view dismissed]"),
            "{name}: {section}"
        );
        assert!(
            section.contains("[ok] replay check: all"),
            "{name}: {section}"
        );
        assert!(!section.contains("FAILED"), "{name}: {section}");
        for line in own(name) {
            assert!(section.contains(line), "{name}: {line} in {section}");
        }
    }
    let out = switchboard(&["replay", dir.to_str().unwrap(), "--verify"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("commands matched"), "{stdout}");
}

#[test]
fn the_demo_help_names_every_scenario() {
    let out = switchboard(&["demo", "--help"]);
    let (help, _) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    let listed = help.split("Scenarios:").nth(1).expect("a scenario list");
    for name in support::SCENARIOS.iter().chain(&["all"]) {
        assert!(
            listed.split([',', ' ', '\n', '.', '(']).any(|w| w == *name),
            "{name} missing from: {help}"
        );
    }
}

#[test]
fn the_demo_prints_the_same_timelines_from_run_to_run() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let dir = tmp.path().join(name);
        let (stdout, _) = text(&demo(&dir, "all"));
        stdout.replace(dir.to_str().unwrap(), "DIR")
    };
    let (first, second) = (run("one"), run("two"));
    assert!(first.contains("=== scenario second-call:"), "{first}");
    assert_eq!(first, second);
}

#[test]
fn export_import_export_is_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    demo(&dir, "drop");
    let first = tmp.path().join("first.jsonl");
    let second = tmp.path().join("second.jsonl");
    let restored = tmp.path().join("restored");
    let p = |p: &Path| p.to_str().unwrap().to_owned();
    export(&dir, &first, &[]);
    assert!(
        switchboard(&["import", &p(&first), "--journal", &p(&restored)])
            .status
            .success()
    );
    export(&restored, &second, &[]);
    let a = std::fs::read(&first).unwrap();
    assert!(a.len() > 1000);
    assert_eq!(a, std::fs::read(&second).unwrap());
    // The exported file replays and verifies on its own.
    assert!(switchboard(&["replay", &p(&first), "--verify"])
        .status
        .success());
    // Importing over an existing journal is refused.
    assert_bad_input(
        &switchboard(&["import", &p(&first), "--journal", &p(&restored)]),
        "not empty",
    );
}

#[test]
fn damaged_logs_and_foreign_paths_exit_2_naming_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    demo(&dir, "happy");
    let p = |p: &Path| p.to_str().unwrap().to_owned();
    let jsonl = tmp.path().join("log.jsonl");
    export(&dir, &jsonl, &[]);
    let full = std::fs::read_to_string(&jsonl).unwrap();

    // Cut in the middle of a line.
    let cut = tmp.path().join("cut.jsonl");
    let mid = full.len() / 2;
    let mid = (mid..full.len())
        .find(|i| full.is_char_boundary(*i) && &full[*i..*i + 1] != "\n")
        .unwrap();
    std::fs::write(&cut, &full[..mid]).unwrap();
    let out = switchboard(&["replay", &p(&cut)]);
    assert_bad_input(&out, "line");

    // One record's body altered (its CRC no longer matches).
    let lines: Vec<&str> = full.lines().collect();
    let idx = lines
        .iter()
        .position(|l| l.contains("\"ended\"") || l.contains("Ended"))
        .unwrap_or(5);
    let altered_line = lines[idx].replacen("local_leave", "connection_closed", 1);
    let altered_line = if altered_line == lines[idx] {
        lines[idx].replacen("\"at_ms\":", "\"at_ms\":1", 1)
    } else {
        altered_line
    };
    let mut altered = lines.clone();
    altered[idx] = &altered_line;
    let bad = tmp.path().join("altered.jsonl");
    std::fs::write(&bad, altered.join("\n") + "\n").unwrap();
    let out = switchboard(&["replay", &p(&bad), "--verify"]);
    assert_bad_input(&out, &format!("seq {idx}"));

    // A directory that is not a journal, and a path that does not exist.
    let plain = tmp.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("notes.txt"), "hello").unwrap();
    assert_bad_input(
        &switchboard(&["replay", &p(&plain)]),
        "not a switchboard journal",
    );
    assert_bad_input(
        &switchboard(&["replay", &p(&tmp.path().join("missing"))]),
        "missing",
    );
    // The demo refuses to empty a directory that is not a journal.
    assert_bad_input(
        &switchboard(&["demo", "--journal", &p(&plain), "--scenario", "happy"]),
        "refusing",
    );
    assert!(plain.join("notes.txt").exists());
    assert_bad_input(
        &switchboard(&["demo", "--scenario", "nope"]),
        "unknown scenario",
    );
}

#[test]
fn link_accepts_a_meeting_link_and_rejects_each_bad_kind_with_its_own_reason() {
    let base = "https://meet.switchboard.example/meet/";
    let out = switchboard(&["link", &format!("{base}abc_DEF-123")]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["accepted"], true);
    assert_eq!(v["session_id"], "abc_DEF-123");

    let long = format!("{base}{}", "a".repeat(10_000));
    let cases = [
        (format!("{base}abc/extra"), "wrong_path"),
        (
            "http://meet.switchboard.example/meet/abc".to_owned(),
            "wrong_scheme",
        ),
        (
            "https://other.example/meet/abc".to_owned(),
            "host_not_allowed",
        ),
        (format!("{base}%2e%2e"), "bad_characters"),
        (base.to_owned(), "empty"),
        (long, "too_long"),
    ];
    let mut reasons = Vec::new();
    for (url, want) in cases {
        let out = switchboard(&["link", &url]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{url:.60}: {stderr}");
        let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(v["accepted"], false);
        assert_eq!(v["reason"], want, "{url:.60}");
        reasons.push(want);
    }
    reasons.dedup();
    assert_eq!(reasons.len(), 6, "distinct reasons");

    let out = switchboard(&[
        "link",
        "https://calls.acme.test/meet/x1",
        "--allow-host",
        "calls.acme.test",
    ]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn usage_errors_are_one_line_with_the_usage_and_exit_2() {
    assert_bad_input(
        &switchboard(&["replay", "--bogus"]),
        "unexpected argument '--bogus' found (usage: switchboard replay",
    );
    assert_bad_input(
        &switchboard(&["export", "log.jsonl"]),
        "required arguments were not provided: --out <OUT>",
    );
    assert_bad_input(
        &switchboard(&["nosuch"]),
        "unrecognized subcommand 'nosuch'",
    );
    assert_bad_input(
        &switchboard(&["sim", "--seeds", "many"]),
        "invalid value 'many' for '--seeds <N>'",
    );
    assert_bad_input(
        &switchboard(&["diagnose", "log.jsonl", "--ready-ms", "soon"]),
        "invalid value 'soon' for '--ready-ms <READY_MS>'",
    );
    // Help is not an error: on stdout, exit 0.
    let help = switchboard(&["replay", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help).0.contains("Usage: switchboard replay"));
}

#[test]
fn an_output_path_that_is_the_log_is_refused_and_the_log_survives() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    demo(&dir, "happy");
    let p = |p: &Path| p.to_str().unwrap().to_owned();
    let jsonl = tmp.path().join("call.jsonl");
    export(&dir, &jsonl, &[]);
    let before = std::fs::read(&jsonl).unwrap();
    assert_bad_input(
        &switchboard(&["report", &p(&jsonl), "--out", &p(&jsonl)]),
        "would write over the log being read",
    );
    assert_bad_input(
        &switchboard(&["export", &p(&jsonl), "--out", &p(&jsonl), "--redact"]),
        "would write over the log being read",
    );
    assert_bad_input(
        &switchboard(&["export", &p(&dir), "--out", &p(&dir.join("copy.jsonl"))]),
        "would write over the log being read",
    );
    assert_eq!(std::fs::read(&jsonl).unwrap(), before);
    assert!(switchboard(&["replay", &p(&dir), "--verify"])
        .status
        .success());
}
