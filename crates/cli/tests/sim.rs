//! `switchboard sim` as a tester runs it: one seed with a journal hash that does not change
//! between invocations, a batch with its closing table, bad usage, and a failing seed (a bug
//! planted in the runtime) that comes back as a journal `switchboard replay` opens.
use std::process::{Command, Output};

fn switchboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn hash_line(out: &Output) -> String {
    stdout(out)
        .lines()
        .find(|l| l.trim_start().starts_with("journal"))
        .expect("a journal line")
        .to_owned()
}

#[test]
fn one_seed_prints_its_summary_and_the_same_hash_every_time() {
    let first = switchboard(&["sim", "--seed", "7", "--check-determinism"]);
    assert_eq!(first.status.code(), Some(0), "{}", stdout(&first));
    let text = stdout(&first);
    for word in [
        "seed 7",
        "inputs",
        "simulated",
        "final states",
        "hash",
        "determinism    ok",
    ] {
        assert!(text.contains(word), "'{word}' not in:\n{text}");
    }
    let second = switchboard(&["sim", "--seed", "7"]);
    assert_eq!(hash_line(&first), hash_line(&second));
}

#[test]
fn a_batch_prints_the_closing_table() {
    let out = switchboard(&["sim", "--seeds", "40", "--faults", "heavy", "--jobs", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    for row in [
        "runs",
        "inputs",
        "simulated hours",
        "failures",
        "simulations/s",
        "simulated/wall time",
        "ended NotReady",
        "ended mic denied",
        "joins refused (mic)",
    ] {
        assert!(text.contains(row), "'{row}' not in:\n{text}");
    }
    // The phone's faults struck and are counted (DESIGN section 6).
    for row in [
        "process deaths",
        "init failures",
        "login failures",
        "slow inits",
        "permission denials",
        "held joins",
    ] {
        let count = table_value(&text, row);
        assert!(count > 0, "{row} {count} in:\n{text}");
    }
}

/// The number in a row of the closing table.
fn table_value(text: &str, row: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(row))
        .unwrap_or_else(|| panic!("no '{row}' row in:\n{text}"));
    line[line.find(row).unwrap() + row.len()..]
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("'{line}' has no count"))
}

#[test]
fn a_join_before_the_sdk_is_ready_is_found_and_written_where_replay_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = switchboard(&[
        "sim",
        "--seeds",
        "50",
        "--faults",
        "light",
        "--plant-bug",
        "join-before-ready",
        "--out",
        out_dir,
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("join-before-ready (DESIGN rule 11)"),
        "{text}"
    );
    assert!(
        text.contains("re-read from disk and checked: the same invariant"),
        "{text}"
    );
}

#[test]
fn bad_usage_is_one_line_and_exit_2() {
    for args in [
        vec!["sim", "--faults", "loud"],
        vec!["sim", "--seeds", "10", "--shard", "0/3"],
        vec!["sim", "--shard", "1/2"],
        vec!["sim", "--seed", "1", "--jobs", "0"],
    ] {
        let out = switchboard(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn a_failing_seed_is_minimized_and_written_where_replay_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = switchboard(&[
        "sim",
        "--seed",
        "0",
        "--plant-bug",
        "double-leave",
        "--out",
        out_dir,
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for word in [
        "FAILED seed 0",
        "one-leave",
        "minimized input trace",
        "switchboard replay",
    ] {
        assert!(text.contains(word), "'{word}' not in:\n{text}");
    }
    assert!(
        text.contains("re-read from disk and checked: the same invariant"),
        "{text}"
    );
    let journal = dir.path().join("seed-0.jsonl");
    assert!(journal.exists());
    let replay = switchboard(&["replay", journal.to_str().unwrap(), "--verify"]);
    assert_eq!(
        replay.status.code(),
        Some(1),
        "the planted bug's log diverges from today's machines"
    );
}
