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
    // The phone around the call (DESIGN section 6): init and login slow or failing, a session
    // clearing the SDK's state, prompts answered no, a permission turned on in Settings.
    assert!(
        w.inits > outcome.runs && w.init_failures > 0 && w.slow_inits > 0,
        "{w:?}"
    );
    assert!(
        w.logins > 0 && w.login_failures > 0 && w.states_cleared > 0,
        "{w:?}"
    );
    assert!(w.prompts > 0 && w.permission_denials > 0, "{w:?}");
    // And what the core made of it: held joins, some of which waited out their join timeout,
    // attempts ended for a denied microphone, joins refused for one.
    let log = &outcome.log;
    assert!(log.held > 0 && log.not_ready > 0, "{log:?}");
    assert!(log.mic_denied > 0 && log.refused > 0, "{log:?}");
    assert!(log.init_failures > 0 && log.login_failures > 0, "{log:?}");
}

#[test]
fn without_faults_the_phone_grants_everything_and_gets_ready() {
    let outcome = run_batch(&batch(FaultLevel::None, 60, None, 2), &|_| {});
    assert!(outcome.failures.is_empty());
    let (w, log) = (&outcome.world, &outcome.log);
    assert_eq!(
        (w.init_failures, w.login_failures, w.slow_inits, w.prompts),
        (0, 0, 0, 0)
    );
    assert_eq!((w.permission_denials, w.states_cleared), (0, 0));
    assert_eq!((log.not_ready, log.mic_denied, log.refused), (0, 0, 0));
    assert_eq!(outcome.faults.crashes, 0, "no process deaths");
    assert!(log.attempts > 60);
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
