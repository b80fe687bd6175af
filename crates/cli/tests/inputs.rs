//! What the commands that read a LOG or FILE do with input that is not a log: a FIFO is refused
//! at once (never opened), errors name the path given, and stderr holds only the CLI's one line
//! (no third-party `tracing` output, no colour codes).
mod support;

use std::path::Path;

use support::{assert_bad_input, demo, export, switchboard, text};

fn p(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

/// Every command that reads a log, with `log` as its input.
fn readers(log: &str, tmp: &Path) -> Vec<Vec<String>> {
    let out = |name: &str| p(&tmp.join(name));
    [
        vec!["replay", log],
        vec!["replay", log, "--verify"],
        vec!["diagnose", log],
        vec!["export", log, "--out", &out("x.jsonl")],
        vec!["import", log, "--journal", &out("restored")],
        vec!["report", log, "--out", &out("x.html")],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_owned).collect())
    .collect()
}

fn run(args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    switchboard(&args)
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_at_once_by_every_command_that_reads_a_log() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("call.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success(), "mkfifo");
    // Held open for reading and writing, with a line in it: a command that opened the FIFO
    // anyway would not block but read this line and fail on it, so a regression fails the
    // test (with another message) instead of hanging it.
    let mut held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    std::io::Write::write_all(&mut held, b"not a record\n").unwrap();
    for args in readers(&p(&fifo), tmp.path()) {
        let out = run(&args);
        assert_bad_input(&out, &p(&fifo));
        let (_, err) = text(&out);
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
    }
    assert!(!tmp.path().join("restored").exists());
}

#[test]
fn import_of_a_directory_names_the_path_given() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("journal");
    demo(&dir, "happy");
    let out = switchboard(&["import", &p(&dir), "--journal", &p(&tmp.path().join("r"))]);
    assert_bad_input(&out, &format!("{} is a directory", p(&dir)));
    let (_, err) = text(&out);
    assert!(
        !err.contains('<'),
        "a placeholder instead of the path: {err}"
    );
    assert_bad_input(
        &switchboard(&[
            "import",
            &p(&tmp.path().join("none.jsonl")),
            "--journal",
            "r",
        ]),
        "none.jsonl: no such file",
    );
}

#[test]
fn a_bad_line_on_import_names_the_file_and_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.jsonl");
    std::fs::write(&file, "hello\n").unwrap();
    let out = switchboard(&["import", &p(&file), "--journal", &p(&tmp.path().join("r"))]);
    assert_bad_input(&out, &format!("{}: line 1: not a log record", p(&file)));
}

/// A sled journal whose stored configuration is damaged: sled itself logs an ERROR event about
/// it ("failed to parse segment_size value") before the open fails.
fn damaged_journal(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("journal");
    demo(&dir, "happy");
    let conf = dir.join("conf");
    let bytes = std::fs::read(&conf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let start = text
        .find("segment_size: ")
        .expect("sled's conf names the segment size");
    let end = start + text[start..].find('\n').unwrap();
    let mut damaged = bytes[..start].to_vec();
    damaged.extend_from_slice(b"segment_size: x");
    damaged.extend_from_slice(&bytes[end..]);
    std::fs::write(&conf, damaged).unwrap();
    dir
}

#[test]
fn a_damaged_journal_gives_exactly_one_line_on_stderr_without_colour_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = damaged_journal(tmp.path());
    for args in readers(&p(&dir), tmp.path()) {
        if args[0] == "import" {
            continue; // import reads a file, not a journal directory
        }
        let out = run(&args);
        let (_, err) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, got:\n{err}");
        assert!(err.starts_with("switchboard: error: "), "{args:?}: {err}");
        assert!(!err.contains('\x1b'), "{args:?}: colour codes in {err:?}");
    }
}

#[test]
fn an_env_filter_still_turns_third_party_events_on_without_colour_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = damaged_journal(tmp.path());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["replay", &p(&dir)])
        .env("SWITCHBOARD_LOG", "trace")
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.lines().count() > 1, "asked-for events missing: {err}");
    assert!(!err.contains('\x1b'), "colour codes in {err:?}");
}

#[test]
fn a_clean_export_still_round_trips_through_import() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("journal");
    demo(&dir, "drop");
    let first = tmp.path().join("first.jsonl");
    export(&dir, &first, &[]);
    let restored = tmp.path().join("restored");
    let out = switchboard(&["import", &p(&first), "--journal", &p(&restored)]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("incomplete")),
        "a temporary file was left: {names:?}"
    );
}
