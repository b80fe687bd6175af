//! The simulator finds a bug planted in the runtime: within 1000 seeds, minimized, written as a
//! journal that, read back from disk and checked again, breaks the same invariant.
use switchboard_sim::{
    minimize, recheck, run, write_jsonl, FaultLevel, Invariant, PlantedBug, RunConfig, RunReport,
    Scenario,
};

const SEEDS_MAX: u64 = 1000;

fn planted(bug: PlantedBug) -> RunConfig {
    RunConfig {
        planted: Some(bug),
        ..RunConfig::default()
    }
}

/// The first failing seed and its run.
fn find(bug: PlantedBug, level: FaultLevel) -> (u64, RunReport) {
    let config = planted(bug);
    for seed in 0..SEEDS_MAX {
        let report = run(&Scenario::from_seed(seed, level), &config);
        if report.failure.is_some() {
            return (seed, report);
        }
    }
    panic!("{bug:?} not found in {SEEDS_MAX} seeds");
}

/// A planted bug found, and its failing run minimized.
struct Found {
    seed: u64,
    /// The scenario of the seed, before minimizing.
    scenario: Scenario,
    /// The minimized run.
    min: switchboard_sim::Minimized,
    /// The invariant the first failure broke (one of those expected), which the minimized run
    /// breaks too.
    invariant: Invariant,
    /// The minimized run's violation.
    violation: switchboard_sim::Violation,
}

/// Finds `bug` at `level`, checks that it broke one of `expected`, and minimizes the run, which
/// must still break the same invariant and be no longer than the original.
fn find_and_minimize(bug: PlantedBug, level: FaultLevel, expected: &[Invariant]) -> Found {
    let (seed, report) = find(bug, level);
    let failure = report.failure.clone().expect("failed");
    let invariant = failure.violation.invariant;
    assert!(expected.contains(&invariant), "seed {seed}: {failure:?}");
    let scenario = Scenario::from_seed(seed, level);
    let min = minimize(&scenario, &planted(bug), invariant, report, 200);
    assert!(min.scenario.trace.len() <= scenario.trace.len());
    let violation = min
        .report
        .failure
        .as_ref()
        .expect("the minimized run still fails")
        .violation
        .clone();
    assert_eq!(violation.invariant, invariant);
    Found {
        seed,
        scenario,
        min,
        invariant,
        violation,
    }
}

/// Without the bug, the seed passes.
fn assert_passes_without_the_bug(scenario: &Scenario) {
    let clean = run(scenario, &RunConfig::default());
    assert!(clean.failure.is_none(), "{:?}", clean.failure);
}

/// Writes a run's journal to disk as `switchboard sim` does and checks it again from there: the
/// violation the log alone shows.
fn recheck_from_disk(seed: u64, report: &RunReport) -> switchboard_sim::Violation {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("seed-{seed}.jsonl"));
    write_jsonl(report, &path).unwrap();
    recheck(&path)
        .unwrap()
        .expect("the journal on disk breaks a rule")
}

#[test]
fn a_double_leave_is_found_minimized_and_reproduced_from_disk() {
    let bug = PlantedBug::DoubleLeave;
    let (seed, report) = find(bug, FaultLevel::Light);
    let failure = report.failure.clone().expect("failed");
    assert_eq!(
        failure.violation.invariant,
        Invariant::OneLeave,
        "{failure:?}"
    );

    let scenario = Scenario::from_seed(seed, FaultLevel::Light);
    let min = minimize(&scenario, &planted(bug), Invariant::OneLeave, report, 200);
    assert!(
        min.scenario.trace.len() < scenario.trace.len(),
        "minimized from {} to {} actions",
        scenario.trace.len(),
        min.scenario.trace.len()
    );
    let min_failure = min
        .report
        .failure
        .as_ref()
        .expect("the minimized run still fails");
    assert_eq!(min_failure.violation.invariant, Invariant::OneLeave);

    let again = recheck_from_disk(seed, &min.report);
    assert_eq!(again.invariant, Invariant::OneLeave, "{again}");
    assert_eq!(again.seq, min_failure.violation.seq, "at the same record");
}

#[test]
fn an_ignored_idle_timeout_is_found_by_the_world_checks() {
    let bug = PlantedBug::IgnoreTimedOut;
    let (seed, report) = find(bug, FaultLevel::Heavy);
    let failure = report.failure.expect("failed");
    assert_eq!(
        failure.violation.invariant,
        Invariant::TerminalEnds,
        "seed {seed}: {failure:?}"
    );
    // Without the bug, the seed passes.
    let clean = run(
        &Scenario::from_seed(seed, FaultLevel::Heavy),
        &RunConfig::default(),
    );
    assert!(clean.failure.is_none(), "{:?}", clean.failure);
}

#[test]
fn a_call_continued_after_a_relaunch_is_found_minimized_and_reproduced_from_disk() {
    let expected = [Invariant::RelaunchEndsOldCall, Invariant::RestartConsistent];
    let f = find_and_minimize(
        PlantedBug::ContinueAfterRelaunch,
        FaultLevel::Heavy,
        &expected,
    );
    // The journal on disk shows it too: the new process's first input to the old session is not
    // the one that ends it.
    let again = recheck_from_disk(f.seed, &f.min.report);
    assert_eq!(again.invariant, Invariant::RelaunchEndsOldCall, "{again}");
    assert_passes_without_the_bug(&f.scenario);
}

#[test]
fn a_join_that_does_not_wait_for_the_sdk_is_found_minimized_and_reproduced_from_disk() {
    let expected = [Invariant::JoinBeforeReady, Invariant::DeniedMicNeverJoins];
    let f = find_and_minimize(PlantedBug::JoinBeforeReady, FaultLevel::Light, &expected);
    // The journal on disk shows it: a JoinSession while the router held the join.
    let again = recheck_from_disk(f.seed, &f.min.report);
    assert_eq!(again.invariant, f.invariant, "{again}");
    assert_eq!(again.seq, f.violation.seq, "at the same record");
    assert_passes_without_the_bug(&f.scenario);
}
