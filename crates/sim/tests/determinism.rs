//! The same seed gives the same journal, byte for byte: twice in a row, on another thread, and
//! with the journal in sled instead of memory. Different seeds give different journals.
use std::collections::BTreeSet;

use switchboard_sim::{run, run_seed, FaultLevel, JournalMode, RunConfig, Scenario};

fn keep() -> RunConfig {
    RunConfig {
        keep_journal: true,
        ..RunConfig::default()
    }
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_other_seeds_do_not() {
    let mut hashes = BTreeSet::new();
    for seed in 0..12 {
        let scenario = Scenario::from_seed(seed, FaultLevel::Heavy);
        let a = run(&scenario, &keep());
        let b = run(&scenario, &keep());
        assert!(a.failure.is_none(), "seed {seed}: {:?}", a.failure);
        assert!(a.records.len() > 10, "seed {seed} wrote a journal");
        assert_eq!(a.journal_bytes, b.journal_bytes, "seed {seed}");
        hashes.insert(a.journal_hash());
    }
    assert_eq!(hashes.len(), 12, "every seed wrote a different journal");
}

#[test]
fn a_seed_is_the_same_on_another_thread() {
    let here = run(&Scenario::from_seed(42, FaultLevel::Heavy), &keep());
    let there = std::thread::spawn(|| run(&Scenario::from_seed(42, FaultLevel::Heavy), &keep()))
        .join()
        .expect("the run does not panic");
    assert_eq!(here.journal_hash(), there.journal_hash());
    assert_eq!(here.journal_bytes, there.journal_bytes);
}

#[test]
fn a_seed_writes_the_same_records_in_sled_as_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Scenario::from_seed(7, FaultLevel::Heavy);
    let memory = run(&scenario, &keep());
    let sled = RunConfig {
        journal: JournalMode::Sled(dir.path().join("journal")),
        ..keep()
    };
    let on_disk = run(&scenario, &sled);
    assert!(on_disk.failure.is_none(), "{:?}", on_disk.failure);
    assert_eq!(memory.journal_bytes, on_disk.journal_bytes);
    let reread = switchboard_journal::open_log(dir.path().join("journal")).unwrap();
    assert_eq!(
        reread, memory.records,
        "the sled directory holds the run's journal"
    );
}

#[test]
fn check_determinism_runs_twice_and_finds_them_equal() {
    let result = run_seed(3, FaultLevel::Heavy, &RunConfig::default(), true);
    assert!(
        !result.failed(),
        "{:?} {:?}",
        result.report.failure,
        result.nondeterminism
    );
    assert!(!result.report.journal_bytes.is_empty());
}
