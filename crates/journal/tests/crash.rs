//! The crash test: a child process appends with the default policy and prints each seq only
//! after `append` returned; the parent kills it with SIGKILL at random moments, reopens the
//! journal, and checks that every acknowledged record is there, intact, in a gap-free log.
//!
//! The number of kills is 24 by default (a few seconds); set `SWITCHBOARD_CRASH_KILLS` for a
//! longer campaign, e.g. `SWITCHBOARD_CRASH_KILLS=1000 cargo test -p switchboard-journal --test
//! crash` (see docs/reliability.md). Every round appends to the same journal.
mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use switchboard_journal::{FlushPolicy, Journal, NewRecord, SledJournal};

/// Set in the child's environment: the journal directory it appends to.
const CHILD_DIR_ENV: &str = "SWITCHBOARD_CRASH_CHILD_DIR";
/// Set in the child's environment: its RNG seed.
const CHILD_SEED_ENV: &str = "SWITCHBOARD_CRASH_CHILD_SEED";
/// How many times the parent kills a child: the default, unless set in the environment.
const KILLS_ENV: &str = "SWITCHBOARD_CRASH_KILLS";
const KILLS_DEFAULT: u64 = 24;
const TEMPLATES: usize = 200;

/// What the record at `seq` holds, so the parent can check every byte came back.
fn record_for(seq: u64, templates: &[NewRecord]) -> NewRecord {
    let mut r = templates[(seq % templates.len() as u64) as usize].clone();
    r.at_ms = seq * 7 + 3;
    r
}

/// The child: a no-op unless started by the parent below.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV) else {
        return;
    };
    let seed = std::env::var(CHILD_SEED_ENV).map_or(0, |s| s.parse().unwrap_or(0));
    let mut rng = StdRng::seed_from_u64(seed);
    let templates = records(TEMPLATES);
    let (journal, _) = SledJournal::open(&dir, FlushPolicy::default()).unwrap();
    // Bounded so a child that is never killed still ends.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let next = journal.next_seq();
        let size = rng.random_range(1..=20u64);
        let batch: Vec<NewRecord> = (next..next + size)
            .map(|s| record_for(s, &templates))
            .collect();
        let seqs = journal.append(&batch).unwrap();
        // Acknowledged: append returned, so these records are flushed.
        println!("ack {}", seqs.end - 1);
    }
}

#[test]
fn acknowledged_records_survive_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("journal");
    let templates = records(TEMPLATES);
    let mut rng = StdRng::seed_from_u64(0x5eed_c0de);
    let mut acked: Option<u64> = None;
    let started = Instant::now();
    let kills = kills();
    for round in 0..kills {
        let round_acked =
            run_and_kill(&dir, round, Duration::from_millis(rng.random_range(5..=80)));
        acked = acked.max(round_acked);
        check_log(&dir, acked, &templates);
    }
    let acked = acked.expect("the children acknowledged something");
    // The children must have done real work; a short campaign asks for less.
    let floor = if kills >= KILLS_DEFAULT {
        100
    } else {
        kills * 4
    };
    assert!(
        acked > floor,
        "only {acked} records acknowledged in {kills} rounds"
    );
    eprintln!(
        "crash test: {kills} kills, {} records acknowledged, {:?}",
        acked + 1,
        started.elapsed()
    );
}

/// The kill count: `SWITCHBOARD_CRASH_KILLS` if set (a positive whole number), else the default.
fn kills() -> u64 {
    match std::env::var(KILLS_ENV) {
        Err(_) => KILLS_DEFAULT,
        Ok(text) => match text.trim().parse() {
            Ok(n) if n > 0 => n,
            _ => panic!("{KILLS_ENV} must be a positive whole number, not {text:?}"),
        },
    }
}

/// Starts a child on `dir`, kills it after `after`, and returns the last seq it acknowledged.
fn run_and_kill(dir: &Path, round: u64, after: Duration) -> Option<u64> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR_ENV, dir)
        .env(CHILD_SEED_ENV, round.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || last_ack(BufReader::new(stdout)));
    std::thread::sleep(after);
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap()
}

/// The highest seq in complete `ack N` lines (a line cut by the kill does not count).
fn last_ack(mut out: impl BufRead) -> Option<u64> {
    let mut last = None;
    let mut line = String::new();
    while out.read_line(&mut line).unwrap_or(0) > 0 {
        if let Some(seq) = line.strip_prefix("ack ").and_then(|s| s.strip_suffix('\n')) {
            last = last.max(seq.parse().ok());
        }
        line.clear();
    }
    last
}

/// Reopens the journal as the app would and checks it holds a gap-free prefix covering
/// everything acknowledged, each record exactly as written.
fn check_log(dir: &Path, acked: Option<u64>, templates: &[NewRecord]) {
    if acked.is_none() && !dir.exists() {
        return;
    }
    let (journal, report) = SledJournal::open(dir, FlushPolicy::default()).unwrap();
    assert_eq!(
        report.quarantined, None,
        "a crash must not damage acknowledged records"
    );
    let all = read_ok(&journal, 0);
    for (seq, r) in (0u64..).zip(&all) {
        assert_eq!(r.seq, seq);
        assert_eq!(
            NewRecord::from(r.clone()),
            record_for(seq, templates),
            "seq {seq}"
        );
    }
    if let Some(acked) = acked {
        assert!(
            all.len() as u64 > acked,
            "acknowledged seq {acked} lost ({} records)",
            all.len()
        );
    }
    assert_eq!(journal.next_seq(), all.len() as u64);
}
