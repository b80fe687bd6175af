//! One run: a scenario (seeds, fault plan, core configuration, input trace) played against the
//! real runtime on a single-threaded tokio runtime with paused time. Each step (an action of the
//! trace, or a callback of the world coming due) is sent to the core, the runtime is settled, and
//! every invariant is checked before the next one. After the trace, a closing phase leaves any
//! call, lets the world go quiet and dismisses, and checks that nothing is left hanging.
//!
//! One type, [`Driver`], plays a run; its methods are split by concern:
//! - `driver.rs`: starting the runtime, sending events, settling, advancing virtual time, playing
//!   the trace's actions and the closing phase;
//! - `inject.rs`: the runtime faults (races, actor panics, crashes and relaunches, refused
//!   journal writes);
//! - `checks.rs`: the world's invariants, checked after every step (the journal's own are in
//!   `crate::check`);
//! - `report.rs`: what a run did ([`RunReport`], [`Failure`], [`FaultCounts`]).
mod checks;
mod driver;
mod inject;
mod report;

use report::failed_to_open;
pub use report::{fnv1a, Failure, FaultCounts, RunReport};

use std::sync::Arc;
use std::time::Duration;

use switchboard_domain::session::Phase;
use switchboard_domain::{ActorName, CoreConfig, EndReason, Event, SdkButton, SdkEvent, UiState};
use switchboard_journal::Record;
use switchboard_runtime::{JournalConfig, PlantedBug, Runtime, RuntimeConfig};

use crate::check::{LogChecker, LogStats};
use crate::faults::{FaultLevel, FaultPlan};
use crate::invariant::{Invariant, Violation};
use crate::journal::{EffectLedger, JournalMode, SimJournal};
use crate::rng::{derive, Seeds, SimRng};
use crate::workload::{core_config, generate, Action, TraceStep};
use crate::world::{Due, SimClock, World, WorldStats};

/// Longest a settle may take in virtual time before the run counts as stalled.
const SETTLE_LIMIT: Duration = Duration::from_secs(3_600);
/// Rounds of "leave, wait" in the closing phase (a switch accepted earlier can start a call).
const CLOSING_ROUNDS: usize = 4;
/// Virtual time each closing round waits, in ms (longer than any join or leave timeout).
const CLOSING_WAIT_MS: u64 = 60_000;
/// Bound on deliveries while draining the world at the end.
const DRAIN_DELIVERIES_MAX: usize = 10_000;
/// Yields after an injected panic, so the supervisor's restart has run before the next step.
const PANIC_YIELDS: usize = 4;
/// How far ahead (ms) a racing action pulls the world's next callbacks.
const RACE_WINDOW_MS: u64 = 3_000;
/// Keys the race decisions apart from the shell's timing draws (which key by render count).
const RACE_KEY: u64 = 1 << 62;
/// Key of the group-commit writer's pace stream (plus the process's crash count).
const COMMIT_KEY: u64 = 1 << 61;

/// Everything a run is made of; a seed gives one, and the shrinker makes smaller ones.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The sub-seeds.
    pub seeds: Seeds,
    /// The faults of this seed.
    pub plan: FaultPlan,
    /// The core's configuration.
    pub core: CoreConfig,
    /// The input trace.
    pub trace: Vec<TraceStep>,
}

impl Scenario {
    /// The scenario of a seed at a fault level.
    pub fn from_seed(seed: u64, level: FaultLevel) -> Scenario {
        let seeds = Seeds::split(seed);
        let mut workload = SimRng::new(seeds.workload);
        let mut mix = SimRng::new(seeds.mix);
        let plan = FaultPlan::draw(level, &mut mix);
        let core = core_config(&mut workload);
        let trace = generate(&mut workload, &mut mix, &plan);
        Scenario {
            seeds,
            plan,
            core,
            trace,
        }
    }
}

/// How to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunConfig {
    /// Where the journal lives.
    pub journal: JournalMode,
    /// A bug to plant in the runtime (the simulator's self-test).
    pub planted: Option<PlantedBug>,
    /// Read the journal back at the end and keep its bytes (for the hash and determinism checks).
    pub keep_journal: bool,
    /// Let the runtime's `tracing` output through. Off by default: injected faults make the
    /// runtime log errors that are expected here.
    pub logs: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            journal: JournalMode::Memory,
            planted: None,
            keep_journal: false,
            logs: false,
        }
    }
}

/// Keeps the panics the simulator injects into session actors off stderr (ractor catches them
/// and the router restarts the actor); every other panic is reported as before.
fn silence_injected_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let text = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("");
            if !text.starts_with("injected panic in session/") {
                previous(info);
            }
        }));
    });
}

/// Runs a scenario on a fresh paused single-threaded tokio runtime.
pub fn run(scenario: &Scenario, config: &RunConfig) -> RunReport {
    silence_injected_panics();
    // The runtime runs on this thread only, so a thread-local default silences all of it.
    let _quiet = (!config.logs)
        .then(|| tracing::subscriber::set_default(tracing::subscriber::NoSubscriber::default()));
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread tokio runtime can be built");
    tokio.block_on(async {
        let mut driver = match Driver::new(scenario, config) {
            Ok(d) => d,
            Err(v) => return failed_to_open(scenario, v),
        };
        let result = driver.play().await;
        driver.finish(result).await
    })
}

/// An outside event about to be sent, and the attempt it must end (a terminal callback for the
/// live attempt).
struct Outgoing {
    event: Event,
    must_end: Option<u64>,
}

fn describe_event(event: &Event) -> String {
    match event {
        Event::Sdk { attempt, event } => format!("SDK callback '{event}' for attempt {attempt}"),
        Event::Audio(e) => format!("audio notification '{e}'"),
        other => format!("{other:?}"),
    }
}

/// Plays one scenario.
struct Driver<'a> {
    scenario: &'a Scenario,
    config: &'a RunConfig,
    clock: Arc<SimClock>,
    world: Arc<World>,
    journal: Arc<SimJournal>,
    runtime: Option<Runtime>,
    checker: LogChecker,
    /// Journal failures reported by runtimes that were shut down.
    reported_before: u64,
    /// Outside events still to be refused by the journal.
    refuse_next: u64,
    inputs: u64,
    faults: FaultCounts,
    step: Option<usize>,
    during: String,
    /// (renders, next seq) when the UI views were last compared.
    ui_checked: Option<(u64, u64)>,
    /// The next SDK callback's cascade crashes the process after this many journal appends.
    crash_in_flight: Option<u64>,
    /// The live session panics just before the next SDK callback for it arrives.
    panic_in_flight: bool,
    /// When a settle that never finished began.
    stalled_at_ms: Option<u64>,
}

type Checked = Result<(), Violation>;
