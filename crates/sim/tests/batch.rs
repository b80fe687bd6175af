//! Batches: a short fault-heavy batch passes on two threads, and shards of a range run exactly
//! its seeds.
use switchboard_sim::{run_batch, BatchConfig, FaultLevel, RunConfig, Shard};

fn batch(level: FaultLevel, count: u64, shard: Option<Shard>, jobs: usize) -> BatchConfig {
    BatchConfig {
        level,
        base: 1_000,
        count,
        shard,
        jobs,
        run: RunConfig::default(),
        check_determinism: false,
    }
}

#[test]
fn a_short_fault_heavy_batch_passes() {
    let outcome = run_batch(&batch(FaultLevel::Heavy, 120, None, 2), &|_| {});
    let failed: Vec<String> = outcome
        .failures
        .iter()
        .map(|r| format!("seed {}: {:?}", r.seed, r.report.failure))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(outcome.runs, 120);
    assert!(outcome.attempts > 120, "calls were made");
    let (w, f) = (&outcome.world, &outcome.faults);
    assert!(w.dropped > 0 && w.duplicated > 0 && w.reordered > 0 && w.delayed > 0);
    assert!(f.panics > 0 && f.crashes > 0 && f.journal_failures > 0 && f.races > 0);
    assert!(f.panics_in_flight > 0 && f.crashes_in_flight > 0, "{f:?}");
}

#[test]
fn shards_run_their_part_of_the_range() {
    let seen = std::sync::Mutex::new(Vec::new());
    for index in 1..=3 {
        let shard = Some(Shard { index, total: 3 });
        let outcome = run_batch(&batch(FaultLevel::None, 10, shard, 1), &|r| {
            seen.lock().unwrap().push(r.seed);
        });
        assert!(outcome.failures.is_empty());
    }
    let mut seen = seen.into_inner().unwrap();
    seen.sort_unstable();
    assert_eq!(seen, (1_000..1_010).collect::<Vec<_>>());
}
