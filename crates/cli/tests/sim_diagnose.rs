//! `switchboard diagnose` finds nothing in the journals of 1,000 simulated seeds without faults:
//! the real actors, each stamping its own records, with interleaved journals. `switchboard sim`
//! removes the journals of passing seeds, so this runs the simulator's library for each seed,
//! keeps the journal, writes it as JSON Lines and runs the real `switchboard diagnose` on it.
mod support;

use switchboard_sim::{run_seed, write_jsonl, FaultLevel, RunConfig};

const SEEDS: u64 = 1_000;

#[test]
fn the_journals_of_a_thousand_fault_free_seeds_are_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let config = RunConfig {
        keep_journal: true,
        ..RunConfig::default()
    };
    let mut dirty = Vec::new();
    let mut records = 0;
    for seed in 0..SEEDS {
        let result = run_seed(seed, FaultLevel::None, &config, false);
        assert!(!result.failed(), "seed {seed} failed in the simulator");
        assert!(!result.report.records.is_empty(), "seed {seed}: no journal");
        records += result.report.records.len();
        let path = tmp.path().join(format!("seed-{seed}.jsonl"));
        write_jsonl(&result.report, &path).unwrap();
        let (code, findings) = support::diagnose(&path);
        if code != 0 {
            dirty.push((
                seed,
                support::rules(&findings),
                findings[0]["title"].clone(),
            ));
        }
        std::fs::remove_file(&path).unwrap();
    }
    assert!(records > SEEDS as usize * 10, "{records} records in all");
    assert!(dirty.is_empty(), "{} dirty seeds: {dirty:?}", dirty.len());
}
