//! Many seeds: one seed at a time per thread (each run stays single-threaded), shards of a seed
//! range for spreading a batch over machines, determinism checks, and the totals of a batch.
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::faults::FaultLevel;
use crate::journal::JournalMode;
use crate::run::{run, Failure, RunConfig, RunReport, Scenario};

/// One shard of a seed range: `index` of `total`, counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 1.
    pub index: u64,
    /// Shards in all.
    pub total: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("bad shard '{s}': expected I/N with 1 <= I <= N, e.g. 3/8");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let total: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > total {
            return Err(bad());
        }
        Ok(Shard { index, total })
    }
}

/// The seeds of one shard of `count` seeds from `base`: the first seed and how many. Shards are
/// contiguous, differ in size by at most one, and together cover the range exactly once.
pub fn shard_range(base: u64, count: u64, shard: Option<Shard>) -> (u64, u64) {
    let Some(Shard { index, total }) = shard else {
        return (base, count);
    };
    assert!(
        (1..=total).contains(&index),
        "shard {index}/{total}: I must be in 1..=N"
    );
    let at = |k: u64| (u128::from(count) * u128::from(k) / u128::from(total)) as u64;
    let (from, to) = (at(index - 1), at(index));
    (base.wrapping_add(from), to - from)
}

/// What one seed gave.
#[derive(Clone, Debug)]
pub struct SeedResult {
    /// The seed.
    pub seed: u64,
    /// The run (the first one, with `--check-determinism`).
    pub report: RunReport,
    /// With `--check-determinism`: how the second run differed, if it did.
    pub nondeterminism: Option<String>,
}

impl SeedResult {
    /// Whether the seed failed (an invariant, or nondeterminism).
    pub fn failed(&self) -> bool {
        self.report.failure.is_some() || self.nondeterminism.is_some()
    }
}

/// The journal mode of one run of a seed: under `--journal-dir`, a fresh directory per run.
fn journal_for(mode: &JournalMode, seed: u64, suffix: &str) -> JournalMode {
    match mode {
        JournalMode::Memory => JournalMode::Memory,
        JournalMode::Sled(dir) => {
            let path = dir.join(format!("seed-{seed}{suffix}"));
            let _ = std::fs::remove_dir_all(&path);
            JournalMode::Sled(path)
        }
    }
}

fn remove_dir(mode: &JournalMode) {
    if let JournalMode::Sled(path) = mode {
        let _ = std::fs::remove_dir_all(path);
    }
}

/// Runs one seed (twice, with `check_determinism`, comparing the journals byte for byte).
pub fn run_seed(
    seed: u64,
    level: FaultLevel,
    config: &RunConfig,
    check_determinism: bool,
) -> SeedResult {
    let scenario = Scenario::from_seed(seed, level);
    let first_mode = journal_for(&config.journal, seed, "");
    let first_config = RunConfig {
        journal: first_mode.clone(),
        keep_journal: config.keep_journal || check_determinism,
        ..config.clone()
    };
    let report = run(&scenario, &first_config);
    let mut nondeterminism = None;
    if check_determinism {
        let second_mode = journal_for(&config.journal, seed, "-again");
        let second_config = RunConfig {
            journal: second_mode.clone(),
            ..first_config.clone()
        };
        let again = run(&scenario, &second_config);
        nondeterminism = compare(&report, &again);
        if nondeterminism.is_none() {
            remove_dir(&second_mode);
        }
    }
    if report.failure.is_none() && nondeterminism.is_none() {
        remove_dir(&first_mode);
    }
    SeedResult {
        seed,
        report,
        nondeterminism,
    }
}

/// How two runs of one seed differ, if they do.
pub fn compare(a: &RunReport, b: &RunReport) -> Option<String> {
    if a.journal_bytes == b.journal_bytes && a.failure == b.failure {
        return None;
    }
    if let Some((x, y)) = a.records.iter().zip(&b.records).find(|(x, y)| x != y) {
        return Some(format!(
            "the journals differ first at seq {}: '{}' at {} ms vs '{}' at {} ms",
            x.seq,
            describe(&x.body),
            x.at_ms,
            describe(&y.body),
            y.at_ms
        ));
    }
    if a.records.len() != b.records.len() {
        return Some(format!(
            "the journals differ in length: {} vs {} records",
            a.records.len(),
            b.records.len()
        ));
    }
    if a.failure != b.failure {
        return Some("the two runs failed differently".to_owned());
    }
    Some(format!(
        "the journals differ in their bytes ({} vs {} bytes)",
        a.journal_bytes.len(),
        b.journal_bytes.len()
    ))
}

fn describe(body: &switchboard_domain::Entry) -> String {
    match body {
        switchboard_domain::Entry::Input(i) => format!("input {i}"),
        switchboard_domain::Entry::Command(c) => format!("command {c}"),
        switchboard_domain::Entry::Snapshot(s) => format!("snapshot of {} bytes", s.state.len()),
    }
}

/// A batch of seeds.
#[derive(Clone, Debug)]
pub struct BatchConfig {
    /// The fault level.
    pub level: FaultLevel,
    /// The first seed of the whole range.
    pub base: u64,
    /// Seeds in the whole range.
    pub count: u64,
    /// The part of the range to run here.
    pub shard: Option<Shard>,
    /// Threads.
    pub jobs: usize,
    /// How each run is made.
    pub run: RunConfig,
    /// Run every seed twice and compare.
    pub check_determinism: bool,
}

/// The totals of a batch.
#[derive(Clone, Debug, Default)]
pub struct BatchOutcome {
    /// Seeds run.
    pub runs: u64,
    /// Events sent to the core, over all runs.
    pub inputs: u64,
    /// Call attempts simulated.
    pub attempts: u64,
    /// Virtual time simulated, ms.
    pub sim_ms: u64,
    /// What the fakes did, over all runs.
    pub world: crate::world::WorldStats,
    /// Runtime faults that struck, over all runs.
    pub faults: crate::run::FaultCounts,
    /// What the journals say, over all runs (held joins, how attempts ended, setup failures).
    pub log: crate::check::LogStats,
    /// Failing seeds, in seed order.
    pub failures: Vec<SeedResult>,
    /// Wall-clock time.
    pub wall: Duration,
}

impl BatchOutcome {
    /// Simulations per wall-clock second.
    pub fn runs_per_s(&self) -> f64 {
        self.runs as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Virtual time over wall-clock time.
    pub fn time_ratio(&self) -> f64 {
        self.sim_ms as f64 / 1000.0 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// Runs a batch on `config.jobs` threads, calling `done` after each seed.
pub fn run_batch(config: &BatchConfig, done: &(dyn Fn(&SeedResult) + Sync)) -> BatchOutcome {
    let (first, count) = shard_range(config.base, config.count, config.shard);
    let next = AtomicU64::new(0);
    let totals = Mutex::new(BatchOutcome::default());
    let started = Instant::now();
    let worker = || loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        if i >= count {
            break;
        }
        let seed = first.wrapping_add(i);
        let result = run_seed(seed, config.level, &config.run, config.check_determinism);
        done(&result);
        let mut t = totals.lock().unwrap_or_else(|p| p.into_inner());
        t.runs += 1;
        t.inputs += result.report.inputs;
        t.attempts += result.report.log.attempts;
        t.sim_ms += result.report.sim_ms;
        t.world.add(&result.report.world);
        t.faults.add(&result.report.faults);
        t.log.add(&result.report.log);
        if result.failed() {
            t.failures.push(result);
        }
    };
    std::thread::scope(|s| {
        for _ in 1..config.jobs.max(1) {
            s.spawn(worker);
        }
        worker();
    });
    let mut out = totals.into_inner().unwrap_or_else(|p| p.into_inner());
    out.failures.sort_by_key(|r| r.seed);
    out.wall = started.elapsed();
    out
}

/// Where a failing seed's journal goes in `out`: a JSON Lines file, or a sled directory.
pub fn failure_path(out: &Path, seed: u64, sled: bool) -> std::path::PathBuf {
    if sled {
        out.join(format!("seed-{seed}"))
    } else {
        out.join(format!("seed-{seed}.jsonl"))
    }
}

/// A failure's one-line headline.
pub fn headline(seed: u64, failure: &Failure) -> String {
    let step = failure
        .step
        .map_or("the closing phase".to_owned(), |s| format!("step {s}"));
    format!(
        "seed {seed}: {} broken at {step} (t = {}) while {}",
        failure.violation.invariant,
        crate::format_ms(failure.at_ms),
        failure.during
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_a_range_exactly_once() {
        for (base, count, total) in [
            (0, 10, 3),
            (5, 1, 4),
            (u64::MAX - 3, 7, 2),
            (9, 1000, 7),
            (0, 0, 3),
        ] {
            let mut seen = Vec::new();
            for index in 1..=total {
                let (from, len) = shard_range(base, count, Some(Shard { index, total }));
                seen.extend((0..len).map(|i| from.wrapping_add(i)));
            }
            let all: Vec<u64> = (0..count).map(|i| base.wrapping_add(i)).collect();
            assert_eq!(seen, all, "base {base} count {count} total {total}");
        }
        assert_eq!(shard_range(3, 10, None), (3, 10));
        assert_eq!("2/5".parse(), Ok(Shard { index: 2, total: 5 }));
        for bad in ["0/3", "4/3", "x/3", "3", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
