//! `switchboard sim`: seeded, deterministic simulations of the real actors with injected faults
//! (the `switchboard-sim` crate does the work; this prints it). One seed prints a summary; many
//! seeds print a progress bar and a closing table. A failing seed is shrunk, its journal written
//! under `--out`, and the command exits 1.
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use switchboard_domain::IntegrationMode;
use switchboard_sim::batch::{failure_path, headline};
use switchboard_sim::shrink::SHRINK_RUNS_MAX;
use switchboard_sim::{
    format_ms, minimize, recheck, run_batch, write_jsonl, BatchConfig, BatchOutcome, FaultLevel,
    JournalMode, PlantedBug, RunConfig, RunReport, Scenario, SeedResult, Shard,
};

use crate::error::CliError;

/// Failing seeds that are shrunk and written out in full; the next ones get a headline.
const FAILURES_DETAILED_MAX: usize = 3;
/// Failing seeds listed at all.
const FAILURES_LISTED_MAX: usize = 25;

/// Arguments of `switchboard sim`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  switchboard sim --seed 7                         one seed: summary and journal hash
  switchboard sim --seed 7 --check-determinism     run it twice, compare the journals byte for byte
  switchboard sim --seeds 10000 --faults heavy     a batch, with a closing table
  switchboard sim --seeds 1000000 --shard 3/16 --jobs 2   one machine's part of a big batch
  switchboard sim --seed 7 --journal-dir /tmp/sim  the journal in sled instead of memory

A failing seed prints the broken invariant and the step, a minimized input trace, and the
path of its journal under --out, which `switchboard replay` opens. Exit 1 when a seed fails.
Guide: docs/simulation.md")]
pub struct SimArgs {
    /// Run this one seed and print its summary; with --seeds, the first seed of the range.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Run this many seeds, from --seed (default 0).
    #[arg(long, value_name = "N")]
    seeds: Option<u64>,
    /// Run only shard I of N of the seed range (I from 1), for spreading a batch over machines.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Fault level: none, light or heavy. Each seed picks its own faults within the level.
    #[arg(long, default_value = "light", value_name = "LEVEL")]
    faults: String,
    /// Threads; each simulation stays on one thread.
    #[arg(long, default_value_t = 1, value_name = "J")]
    jobs: usize,
    /// Run every seed twice and compare the two journals byte for byte.
    #[arg(long)]
    check_determinism: bool,
    /// Keep journals in sled under this directory (one per seed, removed when the seed passes)
    /// instead of in memory.
    #[arg(long, value_name = "DIR")]
    journal_dir: Option<PathBuf>,
    /// Where failing journals are written.
    #[arg(long, default_value = "sim-failures", value_name = "DIR")]
    out: PathBuf,
    /// Plant a known bug in the runtime (double-leave, ignore-timed-out, continue-after-relaunch,
    /// join-before-ready): the simulator's self-test.
    #[arg(long, hide = true, value_name = "BUG")]
    plant_bug: Option<String>,
}

/// What the arguments ask for, checked.
struct Plan {
    level: FaultLevel,
    shard: Option<Shard>,
    run: RunConfig,
    planted_name: Option<String>,
}

fn plan(args: &SimArgs) -> Result<Plan, CliError> {
    let level: FaultLevel = args.faults.parse().map_err(CliError::input)?;
    let shard = match &args.shard {
        Some(s) => Some(s.parse::<Shard>().map_err(CliError::input)?),
        None => None,
    };
    if shard.is_some() && args.seeds.is_none() {
        return Err(CliError::input(
            "--shard needs --seeds N (the range to split)",
        ));
    }
    if args.jobs == 0 || args.jobs > 256 {
        return Err(CliError::input("--jobs must be between 1 and 256"));
    }
    let planted = match args.plant_bug.as_deref() {
        None => None,
        Some("double-leave") => Some(PlantedBug::DoubleLeave),
        Some("ignore-timed-out") => Some(PlantedBug::IgnoreTimedOut),
        Some("continue-after-relaunch") => Some(PlantedBug::ContinueAfterRelaunch),
        Some("join-before-ready") => Some(PlantedBug::JoinBeforeReady),
        Some(other) => return Err(CliError::input(format!("unknown planted bug '{other}'"))),
    };
    let journal = match &args.journal_dir {
        None => JournalMode::Memory,
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
            JournalMode::Sled(dir.clone())
        }
    };
    Ok(Plan {
        level,
        shard,
        run: RunConfig {
            journal,
            planted,
            keep_journal: false,
            // Injected faults make the runtime log errors (a failed journal write, a panicking
            // actor): expected here, so they stay quiet unless SWITCHBOARD_LOG asks for them.
            logs: std::env::var_os("SWITCHBOARD_LOG").is_some(),
        },
        planted_name: args.plant_bug.clone(),
    })
}

/// Runs `switchboard sim`.
pub fn run(args: SimArgs) -> Result<(), CliError> {
    let plan = plan(&args)?;
    match args.seeds {
        None => one_seed(&args, &plan, args.seed.unwrap_or(0)),
        Some(count) => many_seeds(&args, &plan, args.seed.unwrap_or(0), count),
    }
}

fn one_seed(args: &SimArgs, plan: &Plan, seed: u64) -> Result<(), CliError> {
    let run_config = RunConfig {
        keep_journal: true,
        ..plan.run.clone()
    };
    let started = std::time::Instant::now();
    let result = switchboard_sim::run_seed(seed, plan.level, &run_config, args.check_determinism);
    let wall = started.elapsed();
    let scenario = Scenario::from_seed(seed, plan.level);
    print_summary(&scenario, &result, wall, args.check_determinism);
    if !result.failed() {
        println!("  result         ok: every invariant held after every step");
        return Ok(());
    }
    report_failure(args, plan, &result)?;
    Err(CliError::Finding)
}

fn print_summary(
    scenario: &Scenario,
    result: &SeedResult,
    wall: std::time::Duration,
    checked: bool,
) {
    let r = &result.report;
    println!(
        "switchboard sim: seed {}, faults {}",
        r.seed, scenario.plan.level
    );
    println!("  fault plan     {}", scenario.plan.describe());
    print_config(scenario);
    print_what_happened(r);
    // With --check-determinism the wall time covers both runs.
    let runs = if checked { 2.0 } else { 1.0 };
    let wall_s = wall.as_secs_f64() / runs;
    println!(
        "  simulated      {} in {:.1} ms of wall time ({:.0}x)",
        format_ms(r.sim_ms),
        wall_s * 1000.0,
        r.sim_ms as f64 / 1000.0 / wall_s.max(1e-9)
    );
    let states: Vec<String> = r
        .final_states
        .iter()
        .map(|(a, s)| format!("{a}: {s}"))
        .collect();
    println!("  final states   {}", states.join("; "));
    println!(
        "  journal        {} records, {} bytes, hash {:016x}",
        r.records.len(),
        r.journal_bytes.len(),
        r.journal_hash()
    );
    match (&result.nondeterminism, checked) {
        (Some(why), _) => println!("  determinism    FAILED: {why}"),
        (None, true) => println!(
            "  determinism    ok: a second run wrote the same {} bytes",
            r.journal_bytes.len()
        ),
        (None, false) => {}
    }
}

fn print_config(scenario: &Scenario) {
    let core = &scenario.core;
    let mode = match core.mode {
        IntegrationMode::Additive => "additive",
        IntegrationMode::Standalone => "standalone",
    };
    println!(
        "  config         {mode}, {:?}, join timeout {}, leave ack {}, idle timeout {} s",
        core.settings.session_type,
        format_ms(core.join_timeout_ms),
        format_ms(core.leave_ack_timeout_ms),
        core.settings.idle_timeout_s
    );
}

fn print_what_happened(r: &RunReport) {
    println!(
        "  inputs         {} events sent to the core ({} trace actions)",
        r.inputs, r.actions
    );
    let w = &r.world;
    println!(
        "  sdk callbacks  {} scheduled: {} dropped, {} duplicated, {} held back, {} reordered, \
         {} after their session closed",
        w.sdk_callbacks, w.dropped, w.duplicated, w.delayed, w.reordered, w.after_close
    );
    println!(
        "  other faults   {} audio notifications, {} race(s), {} actor panic(s), {} process \
         death(s), {} event(s) refused by the journal",
        w.audio_events,
        r.faults.races,
        r.faults.panics,
        r.faults.crashes,
        r.faults.journal_failures
    );
    println!(
        "  commits        {} group commit(s) of the journal, {} holding more than one batch",
        r.faults.commits, r.faults.shared_commits
    );
    println!(
        "  calls sdk      {} init(s): {} failed, {} slower than the join timeout, {} superseded, \
         {} found nobody logged in; {} login(s): {} failed; {} session(s) cleared its state",
        w.inits,
        w.init_failures,
        w.slow_inits,
        w.inits_superseded,
        w.logins_needed,
        w.logins,
        w.login_failures,
        w.states_cleared
    );
    println!(
        "  permissions    {} prompt(s), {} denial(s) (at launch and in prompts), {} turned on in \
         Settings; {} join(s) held, {} refused for the microphone",
        w.prompts, w.permission_denials, w.settings_grants, r.log.held, r.log.refused
    );
    let ends: Vec<String> = r
        .log
        .ended
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!(
        "  attempts       {} started; ended: {}",
        r.log.attempts,
        or_none(&ends.join(", "))
    );
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "none"
    } else {
        s
    }
}

fn many_seeds(args: &SimArgs, plan: &Plan, base: u64, count: u64) -> Result<(), CliError> {
    let config = BatchConfig {
        level: plan.level,
        base,
        count,
        shard: plan.shard,
        jobs: args.jobs,
        run: plan.run.clone(),
        check_determinism: args.check_determinism,
    };
    let (first, len) = switchboard_sim::shard_range(base, count, plan.shard);
    let shard = plan.shard.map_or(String::new(), |s| {
        format!(" (shard {}/{} of {count} from {base})", s.index, s.total)
    });
    eprintln!(
        "switchboard sim: seeds {first}..{}{shard}, faults {}, {} job(s){}",
        first.wrapping_add(len),
        plan.level,
        args.jobs,
        if args.check_determinism {
            ", each run twice"
        } else {
            ""
        }
    );
    let bar = progress_bar(len);
    let outcome = run_batch(&config, &|_r: &SeedResult| bar.inc(1));
    bar.finish_and_clear();
    print_table(&outcome, args.check_determinism);
    if outcome.failures.is_empty() {
        return Ok(());
    }
    for (i, result) in outcome.failures.iter().enumerate() {
        if i < FAILURES_DETAILED_MAX {
            report_failure(args, plan, result)?;
        } else if i < FAILURES_LISTED_MAX {
            println!("FAILED {}", failure_line(result));
        } else {
            let rest = outcome.failures.len() - i;
            println!("... and {rest} more failing seed(s)");
            break;
        }
    }
    Err(CliError::Finding)
}

fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:40}] {pos}/{len} seeds ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn print_table(o: &BatchOutcome, twice: bool) {
    let hours = o.sim_ms as f64 / 3_600_000.0;
    let calls_per_s = o.attempts as f64 / o.wall.as_secs_f64().max(1e-9);
    let rows = [
        (
            "runs",
            format!("{}{}", o.runs, if twice { " (each twice)" } else { "" }),
        ),
        ("inputs", o.inputs.to_string()),
        ("calls (attempts)", o.attempts.to_string()),
        ("simulated hours", format!("{hours:.1}")),
        ("failures", o.failures.len().to_string()),
        ("process deaths", o.faults.crashes.to_string()),
        ("init failures", o.world.init_failures.to_string()),
        ("login failures", o.world.login_failures.to_string()),
        ("slow inits", o.world.slow_inits.to_string()),
        ("permission denials", o.world.permission_denials.to_string()),
        ("held joins", o.log.held.to_string()),
        ("ended NotReady", o.log.not_ready.to_string()),
        ("ended mic denied", o.log.mic_denied.to_string()),
        ("joins refused (mic)", o.log.refused.to_string()),
        ("simulations/s", format!("{:.0}", o.runs_per_s())),
        ("simulated calls/s", format!("{calls_per_s:.0}")),
        ("simulated/wall time", format!("{:.0}x", o.time_ratio())),
        ("wall time", format!("{:.2} s", o.wall.as_secs_f64())),
    ];
    for (name, value) in rows {
        println!("  {name:<20} {value:>14}");
    }
    let (w, f) = (&o.world, &o.faults);
    println!(
        "  faults that struck: SDK callbacks {} scheduled, {} dropped, {} duplicated, {} held back, \
         {} reordered, {} after close; {} audio notifications; {} races; {} actor panics ({} with a \
         callback queued); {} process deaths ({} mid-cascade, {} for a permission turned on in \
         Settings); {} events refused by the journal ({} group commits, {} shared by batches); {} Calls SDK inits ({} slower than the join \
         timeout, {} failed), {} logins ({} failed), {} sessions that cleared the SDK's state; \
         {} permission prompts, {} denials",
        w.sdk_callbacks,
        w.dropped,
        w.duplicated,
        w.delayed,
        w.reordered,
        w.after_close,
        w.audio_events,
        f.races,
        f.panics,
        f.panics_in_flight,
        f.crashes,
        f.crashes_in_flight,
        w.settings_grants,
        f.journal_failures,
        f.commits,
        f.shared_commits,
        w.inits,
        w.slow_inits,
        w.init_failures,
        w.logins,
        w.login_failures,
        w.states_cleared,
        w.prompts,
        w.permission_denials
    );
}

fn failure_line(result: &SeedResult) -> String {
    match (&result.report.failure, &result.nondeterminism) {
        (Some(f), _) => headline(result.seed, f),
        (None, Some(why)) => format!("seed {}: not deterministic: {why}", result.seed),
        (None, None) => format!("seed {}: passed", result.seed),
    }
}

/// Prints a failing seed in full: headline, minimized trace, written journal, how to open it.
fn report_failure(args: &SimArgs, plan: &Plan, result: &SeedResult) -> Result<(), CliError> {
    println!("\nFAILED {}", failure_line(result));
    let Some(failure) = &result.report.failure else {
        println!(
            "  reproduce:  {}",
            reproduce_command(args, plan, result.seed)
        );
        return Ok(());
    };
    println!("  {}", failure.violation);
    let scenario = Scenario::from_seed(result.seed, plan.level);
    let invariant = failure.violation.invariant;
    let min = minimize(
        &scenario,
        &plan.run,
        invariant,
        result.report.clone(),
        SHRINK_RUNS_MAX,
    );
    println!(
        "  minimized input trace: {} of {} actions ({} runs):",
        min.scenario.trace.len(),
        scenario.trace.len(),
        min.runs
    );
    print_trace(&min.scenario);
    let (path, report) = write_failure(args, plan, &min.scenario, &min.report)?;
    if let Some(f) = &report.failure {
        println!("  the minimized run: {}", headline(result.seed, f));
    }
    let again = recheck(&path).map_err(CliError::input)?;
    let note = match again {
        Some(v) if v.invariant == invariant => format!("the same invariant: {v}"),
        Some(v) => format!("another invariant: {v}"),
        None => "passes (this invariant is about the fakes' view of the world, which the journal \
                 does not hold; rerun the seed to see it)"
            .to_owned(),
    };
    println!("  journal:    {}", path.display());
    println!("  re-read from disk and checked: {note}");
    println!("  open it:    switchboard replay {}", path.display());
    println!(
        "  reproduce:  {}",
        reproduce_command(args, plan, result.seed)
    );
    Ok(())
}

fn print_trace(scenario: &Scenario) {
    let mut t = 0;
    for (i, step) in scenario.trace.iter().enumerate() {
        t += step.after_ms;
        println!("    {:>3}  {:>12}  {}", i + 1, format_ms(t), step.action);
    }
    println!("    then: the closing phase (leave, let the world go quiet, dismiss)");
}

/// Writes the minimized run's journal under `--out`: JSON Lines, or sled with `--journal-dir`.
fn write_failure(
    args: &SimArgs,
    plan: &Plan,
    scenario: &Scenario,
    report: &RunReport,
) -> Result<(PathBuf, RunReport), CliError> {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", args.out.display())))?;
    let sled = matches!(plan.run.journal, JournalMode::Sled(_));
    let path = failure_path(&args.out, report.seed, sled);
    if !sled {
        write_jsonl(report, &path).map_err(CliError::input)?;
        return Ok((path, report.clone()));
    }
    remove_old(&path)?;
    let config = RunConfig {
        journal: JournalMode::Sled(path.clone()),
        keep_journal: true,
        ..plan.run.clone()
    };
    Ok((path, switchboard_sim::run(scenario, &config)))
}

fn remove_old(path: &Path) -> Result<(), CliError> {
    if path.exists() {
        std::fs::remove_dir_all(path)
            .map_err(|e| CliError::input(format!("cannot replace {}: {e}", path.display())))?;
    }
    Ok(())
}

fn reproduce_command(args: &SimArgs, plan: &Plan, seed: u64) -> String {
    let mut cmd = format!("switchboard sim --seed {seed} --faults {}", plan.level);
    if args.check_determinism {
        cmd.push_str(" --check-determinism");
    }
    if let Some(bug) = &plan.planted_name {
        cmd.push_str(&format!(" --plant-bug {bug}"));
    }
    cmd
}
