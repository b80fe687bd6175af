//! One run: a scenario (seeds, fault plan, core configuration, input trace) played against the
//! real runtime on a single-threaded tokio runtime with paused time. Each step (an action of the
//! trace, or a callback of the world coming due) is sent to the core, the runtime is settled, and
//! every invariant is checked before the next one. After the trace, a closing phase leaves any
//! call, lets the world go quiet and dismisses, and checks that nothing is left hanging.
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

/// A broken invariant, and where the run was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What broke.
    pub violation: Violation,
    /// The trace step (1-based) being played, or `None` in the closing phase.
    pub step: Option<usize>,
    /// Virtual time, ms since the start.
    pub at_ms: u64,
    /// What was being done when it was found.
    pub during: String,
}

/// Runtime faults that struck.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Session actors panicked and restarted.
    pub panics: u64,
    /// Process deaths and relaunches (crashes, and iOS ending the app when a permission is
    /// turned on in Settings).
    pub crashes: u64,
    /// Outside events refused because their journal write failed.
    pub journal_failures: u64,
    /// User actions that raced the world's callbacks.
    pub races: u64,
    /// Of the panics, those with a callback queued behind the panicking message.
    pub panics_in_flight: u64,
    /// Of the crashes, those part-way through a cascade.
    pub crashes_in_flight: u64,
    /// Commits of the journal's group-commit writer.
    pub commits: u64,
    /// Of the commits, those that held more than one actor's batch (the seeded pace let them
    /// queue together).
    pub shared_commits: u64,
}

impl FaultCounts {
    /// Adds another run's counts.
    pub fn add(&mut self, o: &FaultCounts) {
        self.panics += o.panics;
        self.crashes += o.crashes;
        self.journal_failures += o.journal_failures;
        self.races += o.races;
        self.panics_in_flight += o.panics_in_flight;
        self.crashes_in_flight += o.crashes_in_flight;
        self.commits += o.commits;
        self.shared_commits += o.shared_commits;
    }
}

/// What a run did.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The seed.
    pub seed: u64,
    /// Actions in the trace.
    pub actions: usize,
    /// Events sent to the core (actions and world callbacks).
    pub inputs: u64,
    /// Virtual time simulated, ms.
    pub sim_ms: u64,
    /// What the journal says.
    pub log: LogStats,
    /// What the fakes did.
    pub world: WorldStats,
    /// Runtime faults.
    pub faults: FaultCounts,
    /// The final `UiState`.
    pub final_ui: UiState,
    /// One line per machine: its final state.
    pub final_states: Vec<(String, String)>,
    /// The journal's records (when kept, or on failure).
    pub records: Vec<Record>,
    /// The journal's stored bytes, record after record (when kept).
    pub journal_bytes: Vec<u8>,
    /// The broken invariant, if any.
    pub failure: Option<Failure>,
}

impl RunReport {
    /// FNV-1a (64 bits) of the journal's bytes: the same seed gives the same hash.
    pub fn journal_hash(&self) -> u64 {
        fnv1a(&self.journal_bytes)
    }
}

/// FNV-1a, 64 bits.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
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

fn failed_to_open(scenario: &Scenario, violation: Violation) -> RunReport {
    RunReport {
        seed: scenario.seeds.seed,
        actions: scenario.trace.len(),
        inputs: 0,
        sim_ms: 0,
        log: LogStats::default(),
        world: WorldStats::default(),
        faults: FaultCounts::default(),
        final_ui: UiState::Idle,
        final_states: Vec::new(),
        records: Vec::new(),
        journal_bytes: Vec::new(),
        failure: Some(Failure {
            violation,
            step: None,
            at_ms: 0,
            during: "opening the journal".to_owned(),
        }),
    }
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

impl<'a> Driver<'a> {
    fn new(scenario: &'a Scenario, config: &'a RunConfig) -> Result<Driver<'a>, Violation> {
        let clock = Arc::new(SimClock::start());
        let ledger = Arc::new(EffectLedger::default());
        let world = Arc::new(World::new(
            clock.clone(),
            scenario.plan.clone(),
            scenario.seeds,
            &scenario.core,
            ledger.clone(),
        ));
        let journal = SimJournal::open(&config.journal, ledger).map_err(|e| {
            Violation::world(
                Invariant::RuntimeStarts,
                format!("cannot open the journal: {e}"),
            )
        })?;
        Ok(Driver {
            scenario,
            config,
            clock,
            world,
            journal: Arc::new(journal),
            runtime: None,
            checker: LogChecker::new(),
            reported_before: 0,
            refuse_next: 0,
            inputs: 0,
            faults: FaultCounts::default(),
            step: None,
            during: "starting the runtime".to_owned(),
            ui_checked: None,
            crash_in_flight: None,
            panic_in_flight: false,
            stalled_at_ms: None,
        })
    }

    fn rt(&self) -> &Runtime {
        self.runtime.as_ref().expect("the runtime is running")
    }

    async fn start_runtime(&mut self) -> Checked {
        let config = RuntimeConfig {
            core: self.scenario.core.clone(),
            // The writer the app ships, as a task on this thread, paced by the seed (a new
            // stream for each process).
            journal: JournalConfig::Shared {
                journal: self.journal.clone(),
                pace: self.journal.pace(derive(
                    self.scenario.seeds.timing,
                    COMMIT_KEY + self.faults.crashes,
                )),
            },
            // What the phone says at launch: kept across processes, changed by the prompts'
            // answers and by Settings.
            permissions: self.world.launch_permissions(),
        };
        let runtime = Runtime::start(config, self.world.ports())
            .await
            .map_err(|e| {
                Violation::world(
                    Invariant::RuntimeStarts,
                    format!("the runtime did not start: {e}"),
                )
            })?;
        runtime.plant_bug(self.config.planted);
        self.runtime = Some(runtime);
        self.ui_checked = None;
        self.settle().await
    }

    /// Waits until the runtime is idle, then checks every invariant.
    async fn settle(&mut self) -> Checked {
        self.settle_quietly().await?;
        self.check()
    }

    /// Waits until the runtime is idle, checking only that it gets there.
    async fn settle_quietly(&mut self) -> Checked {
        let before = self.clock.elapsed_ms();
        let settled = tokio::time::timeout(SETTLE_LIMIT, self.rt().settle()).await;
        let after = self.clock.elapsed_ms();
        if settled.is_err() || after != before {
            self.stalled_at_ms = Some(before);
            let why = match settled {
                Err(_) => format!(
                    "the runtime never settled (gave up after {} of virtual time): a message \
                     it counts as in flight was lost",
                    crate::format_ms(after - before)
                ),
                Ok(()) => format!(
                    "the runtime took {} ms of virtual time to settle",
                    after - before
                ),
            };
            return Err(Violation::world(Invariant::SettleStalled, why));
        }
        Ok(())
    }

    fn check(&mut self) -> Checked {
        let from = self.checker.next_seq();
        let checker = &mut self.checker;
        self.journal.with_acknowledged(from, |records| {
            for r in records {
                checker.feed(r);
            }
        });
        self.checker.end_step();
        if let Some(v) = self.checker.take_first() {
            return Err(v);
        }
        // Every wait ends (rule 11): checked as time passes, not only when a record comes.
        let now = crate::world::EPOCH_MS + self.clock.elapsed_ms();
        if let Some(why) = self.checker.overdue_wait(now) {
            return Err(Violation::world(Invariant::WaitEnds, why));
        }
        if let Some(v) = self.world.take_violations().into_iter().next() {
            return Err(v);
        }
        self.check_ui()?;
        self.check_failures_reported()
    }

    /// Compares the three views of the UI when anything that could change one of them happened.
    fn check_ui(&mut self) -> Checked {
        let mark = (self.world.renders(), self.checker.next_seq());
        if self.ui_checked == Some(mark) {
            return Ok(());
        }
        self.ui_checked = Some(mark);
        let runtime = self.rt().ui_state();
        let shell = self.world.last_render().unwrap_or(UiState::Idle);
        let replayed = self.checker.machines().ui.current();
        if runtime != shell || runtime != replayed {
            let why = format!(
                "runtime shows {}, the shell last drew {}, replay says {}",
                runtime.label(),
                shell.label(),
                replayed.label()
            );
            return Err(Violation::world(Invariant::UiConsistent, why));
        }
        let machines = self.checker.machines();
        if runtime.shows_call_view() && machines.router.live_attempt().is_none() {
            let why = format!("the UI shows {} and no call is live", runtime.label());
            return Err(Violation::world(Invariant::ViewNotStranded, why));
        }
        if machines.audio.call().is_none() && self.world.audio_active() {
            let why = "the audio session is active and no call holds it".to_owned();
            return Err(Violation::world(Invariant::AudioReleased, why));
        }
        Ok(())
    }

    fn check_failures_reported(&self) -> Checked {
        let failed = self.journal.failed_batches();
        let reported = self.reported_before + self.rt().journal_failures().len() as u64;
        if failed != reported {
            let why = format!("{failed} journal write(s) failed, the runtime reported {reported}");
            return Err(Violation::world(Invariant::JournalFailureReported, why));
        }
        Ok(())
    }

    /// Sends outside events together (they race in the mailboxes), settles, and checks that
    /// every terminal callback among them ended its call. While the journal is refusing writes,
    /// they go one at a time, so each refusal hits exactly one outside event.
    async fn send_burst(&mut self, burst: Vec<Outgoing>) -> Checked {
        if self.refuse_next == 0 {
            return self.send_together(burst).await;
        }
        for out in burst {
            if self.refuse_next > 0 {
                self.send_refused(out).await?;
            } else {
                self.send_together(vec![out]).await?;
            }
        }
        Ok(())
    }

    async fn send_together(&mut self, burst: Vec<Outgoing>) -> Checked {
        self.maybe_panic_in_flight(&burst);
        for out in &burst {
            self.inputs += 1;
            match out.event {
                Event::ViewAppeared => self.world.view_reported(true),
                Event::ViewDisappeared => self.world.view_reported(false),
                _ => {}
            }
            self.rt().send(out.event.clone());
        }
        let sdk = burst.iter().any(|o| matches!(o.event, Event::Sdk { .. }));
        if let Some(appends) = self.crash_in_flight.filter(|_| sdk) {
            self.crash_in_flight = None;
            self.journal.crash_after_appends(appends);
            // The process may die part-way: nothing is checked until it has restarted.
            self.settle_quietly().await?;
            if self.journal.crashed() {
                self.faults.crashes_in_flight += 1;
                return self.restart(true).await;
            }
            self.journal.crash_after_appends(u64::MAX);
            self.check()?;
        } else {
            self.settle().await?;
        }
        for out in &burst {
            self.check_ended(out)?;
        }
        Ok(())
    }

    async fn send(&mut self, event: Event) -> Checked {
        let out = self.outgoing(event);
        self.send_burst(vec![out]).await
    }

    /// The in-flight panic: the live session's actor is told to panic just before a callback
    /// for it is sent, so the callback waits in the mailbox behind the panicking message.
    fn maybe_panic_in_flight(&mut self, burst: &[Outgoing]) {
        let Some(live) = self.live_attempt() else {
            return;
        };
        let for_live = burst
            .iter()
            .any(|o| matches!(o.event, Event::Sdk { attempt, .. } if attempt == live));
        if self.panic_in_flight && for_live {
            self.panic_in_flight = false;
            self.faults.panics += 1;
            self.faults.panics_in_flight += 1;
            self.rt().inject_session_panic(live);
        }
    }

    /// Sends an event whose journal write is made to fail: it must leave no record and no
    /// effect, and the failure must be reported.
    async fn send_refused(&mut self, out: Outgoing) -> Checked {
        self.inputs += 1;
        self.refuse_next = self.refuse_next.saturating_sub(1);
        self.faults.journal_failures += 1;
        let records = self.journal.acknowledged_len();
        let calls = self.world.calls();
        self.journal.fail_next_appends(1);
        self.rt().send(out.event);
        let settled = self.settle().await;
        self.journal.fail_next_appends(0);
        settled?;
        if self.journal.acknowledged_len() != records || self.world.calls() != calls {
            let why = "an event whose journal write failed still had effects".to_owned();
            return Err(Violation::world(Invariant::JournalFailureReported, why));
        }
        Ok(())
    }

    /// An event to send; a terminal callback for the live, joining or joined attempt must end it
    /// (rule 1), whatever the runtime does with it on the way.
    fn outgoing(&self, event: Event) -> Outgoing {
        let must_end = match &event {
            Event::Sdk { attempt, event }
                if event.is_terminal()
                    && self.live_attempt() == Some(*attempt)
                    && self.checker.joined(*attempt)
                    && matches!(
                        self.phase(*attempt),
                        Some(Phase::Joining | Phase::InCall { .. } | Phase::Leaving)
                    ) =>
            {
                Some(*attempt)
            }
            _ => None,
        };
        Outgoing { event, must_end }
    }

    fn check_ended(&self, out: &Outgoing) -> Checked {
        match (out.must_end, &out.event) {
            (Some(attempt), Event::Sdk { event, .. }) if !self.checker.ended(attempt) => {
                let why = format!("'{event}' for the live attempt {attempt} did not end it");
                Err(Violation::world(Invariant::TerminalEnds, why))
            }
            _ => Ok(()),
        }
    }

    /// The session phase of an attempt, as replay of the journal has it.
    fn phase(&self, attempt: u64) -> Option<Phase> {
        let sessions = &self.checker.machines().sessions;
        sessions.get(&attempt).map(|s| s.phase().clone())
    }

    fn live_attempt(&self) -> Option<u64> {
        self.checker.machines().router.live_attempt()
    }

    /// The event a world callback becomes, if it still happens (an SDK callback of a closed
    /// session does not, a view report that changes nothing does not).
    fn prepare(&mut self, due: Due) -> Option<Outgoing> {
        let now = self.clock.elapsed_ms();
        let event = match due {
            Due::Sdk {
                attempt,
                event,
                leak,
            } => {
                if !self.world.sdk_deliverable(attempt, now, leak) {
                    return None;
                }
                self.world.sdk_delivered(attempt, &event);
                Event::Sdk { attempt, event }
            }
            Due::Audio(event) => Event::Audio(event),
            Due::Setup(event) => {
                self.world.setup_delivered(&event);
                Event::Setup(event)
            }
            Due::Permission { media, status } => {
                self.world.permission_delivered(media, status);
                Event::Permission { media, status }
            }
            Due::View {
                appeared,
                navigation,
            } => match self.world.view_change(appeared, navigation)? {
                true => Event::ViewAppeared,
                false => Event::ViewDisappeared,
            },
        };
        Some(self.outgoing(event))
    }

    /// Delivers the world's callbacks due now: SDK and audio callbacks due at the same moment
    /// race together; a view report (a router input from the shell) goes alone.
    async fn deliver_due(&mut self, items: Vec<Due>) -> Checked {
        let mut burst = Vec::new();
        for item in items {
            if matches!(item, Due::View { .. }) {
                self.flush(&mut burst).await?;
                if let Some(out) = self.prepare(item) {
                    self.during = format!("the shell reports '{:?}'", out.event);
                    self.send_burst(vec![out]).await?;
                }
            } else if let Some(out) = self.prepare(item) {
                burst.push(out);
            }
        }
        self.flush(&mut burst).await
    }

    async fn flush(&mut self, burst: &mut Vec<Outgoing>) -> Checked {
        if burst.is_empty() {
            return Ok(());
        }
        let what: Vec<String> = burst.iter().map(|o| describe_event(&o.event)).collect();
        self.during = format!("delivering {}", what.join(" + "));
        self.send_burst(std::mem::take(burst)).await
    }

    /// Lets virtual time run to `target_ms`, delivering everything that comes due on the way
    /// (and checking after each).
    async fn advance_to(&mut self, target_ms: u64) -> Checked {
        loop {
            let now = self.clock.elapsed_ms();
            if let Some(due) = self.world.next_due().filter(|d| *d <= now) {
                let items = self.world.take_due(due);
                self.deliver_due(items).await?;
                continue;
            }
            if now >= target_ms {
                return Ok(());
            }
            let wake = self
                .world
                .next_due()
                .map_or(target_ms, |d| d.min(target_ms));
            let scheduled = self.world.scheduled.notified();
            tokio::select! {
                biased;
                () = scheduled => {}
                () = tokio::time::sleep_until(self.clock.instant(wake)) => {}
            }
            // Timers may have fired on the way.
            self.during = "letting time pass (the core's own timers)".to_owned();
            self.settle().await?;
        }
    }

    async fn act(&mut self, action: &Action) -> Checked {
        self.during = format!("'{action}'");
        match action {
            Action::User(event) if self.tap_without_a_screen(event) => Ok(()),
            Action::User(event) => self.send(event.clone()).await,
            Action::OpenSettingsIfOffered => match self.rt().ui_state() {
                UiState::Error {
                    open_settings: true,
                    ..
                } => self.send(Event::OpenSettings).await,
                _ => Ok(()),
            },
            Action::SdkShareButton => match self.world.sdk_current() {
                Some(attempt) => {
                    let event = SdkEvent::ButtonClicked {
                        button: SdkButton::ShareInvite,
                    };
                    self.send(Event::Sdk { attempt, event }).await
                }
                None => Ok(()),
            },
            Action::SdkLeaveButton => match self.world.sdk_current() {
                Some(attempt) => {
                    let event = SdkEvent::LeaveButtonClicked;
                    self.send(Event::Sdk { attempt, event }).await
                }
                None => Ok(()),
            },
            Action::SdkMuteButton => {
                let current = self.world.sdk_current();
                match current.and_then(|a| self.world.sdk_mute_button(a).map(|e| (a, e))) {
                    Some((attempt, event)) => {
                        // As the SDK does: the click is reported first, then its default action.
                        let click = SdkEvent::ButtonClicked {
                            button: SdkButton::ToggleAudio,
                        };
                        self.send(Event::Sdk {
                            attempt,
                            event: click,
                        })
                        .await?;
                        self.send(Event::Sdk { attempt, event }).await
                    }
                    None => Ok(()),
                }
            }
            Action::Navigate { back_ms } => {
                if self.world.navigate(*back_ms) {
                    return self.send(Event::ViewDisappeared).await;
                }
                Ok(())
            }
            Action::ViewAppearsAgain if self.world.view_visible() => {
                self.send(Event::ViewAppeared).await
            }
            Action::ViewAppearsAgain | Action::Idle => Ok(()),
            Action::PanicSession => self.panic_session().await,
            Action::CrashRestart => self.crash_restart().await,
            Action::PanicInFlight => {
                self.panic_in_flight = true;
                Ok(())
            }
            Action::CrashInFlight { appends } => {
                self.crash_in_flight = Some(*appends);
                Ok(())
            }
            Action::JournalFailure { events } => {
                self.refuse_next += events;
                Ok(())
            }
        }
    }

    /// Whether a call-control tap has no call screen to be made on: without faults the user
    /// only taps what is drawn, so a tap after the call ended (its view on its way out) is
    /// dropped; with faults it goes through, racing the end (rule 8 says it is ignored).
    fn tap_without_a_screen(&self, event: &Event) -> bool {
        let control = matches!(
            event,
            Event::Leave | Event::ToggleMic | Event::ToggleCamera | Event::SelectAudioRoute { .. }
        );
        control
            && self.scenario.plan.level == FaultLevel::None
            && !self
                .world
                .last_render()
                .is_some_and(|ui| ui.shows_call_view())
    }

    /// The race fault: the user's action and the world's next callbacks (if they are due soon)
    /// arrive at the same moment and race in the mailboxes. Returns whether it raced.
    async fn race(&mut self, index: usize, action: &Action) -> Result<bool, Violation> {
        let Action::User(event) = action else {
            return Ok(false);
        };
        let mut rng = SimRng::new(derive(self.scenario.seeds.timing, RACE_KEY + index as u64));
        if self.refuse_next > 0 || !rng.chance(self.scenario.plan.race) {
            return Ok(false);
        }
        let now = self.clock.elapsed_ms();
        let Some(due) = self.world.next_due().filter(|d| *d <= now + RACE_WINDOW_MS) else {
            return Ok(false);
        };
        let Some(items) = self.world.take_due_callbacks(due) else {
            return Ok(false);
        };
        let mut burst: Vec<Outgoing> = items.into_iter().filter_map(|d| self.prepare(d)).collect();
        let user = self.outgoing(event.clone());
        if rng.coin() {
            burst.insert(0, user);
        } else {
            burst.push(user);
        }
        self.faults.races += 1;
        self.during = format!("'{action}' racing with the world's next callbacks");
        self.send_burst(burst).await?;
        Ok(true)
    }

    async fn panic_session(&mut self) -> Checked {
        let Some(attempt) = self.live_attempt() else {
            return Ok(());
        };
        self.faults.panics += 1;
        self.rt().inject_session_panic(attempt);
        self.settle().await?;
        for _ in 0..PANIC_YIELDS {
            tokio::task::yield_now().await;
        }
        self.settle().await
    }

    /// Stops the runtime, opens the journal again as a restarted app would, checks that every
    /// acknowledged record is there, and starts a new runtime on it.
    async fn crash_restart(&mut self) -> Checked {
        self.restart(false).await
    }

    /// The user turned a permission on in Settings: iOS ends the app's process, and the user
    /// opens the app again (a new process, which reads the new permissions at launch).
    async fn settings_relaunch(&mut self) -> Checked {
        if !self.world.take_settings_kill() {
            return Ok(());
        }
        self.during = "the user turned a permission on in Settings: iOS ends the app".to_owned();
        self.restart(false).await
    }

    /// Crashes (at once when `in_flight`, or once settled) and restarts.
    async fn restart(&mut self, in_flight: bool) -> Checked {
        self.faults.crashes += 1;
        let ui_before = self.rt().ui_state();
        let runtime = self.runtime.take().expect("running");
        self.reported_before += runtime.journal_failures().len() as u64;
        let stopped = if in_flight {
            runtime.crash().await
        } else {
            runtime.shutdown().await
        };
        stopped.map_err(|e| {
            Violation::world(
                Invariant::NothingAcknowledgedLost,
                format!("shutdown failed: {e}"),
            )
        })?;
        drop(runtime);
        // A crash is the death of the process: the SDK session and the shell die with it.
        self.world.process_died();
        let (journal, lost) = self.journal.reopen().map_err(|e| {
            Violation::world(
                Invariant::RuntimeStarts,
                format!("cannot reopen the journal: {e}"),
            )
        })?;
        if lost > 0 {
            let why = format!("the crash lost {lost} acknowledged record(s)");
            return Err(Violation::world(Invariant::NothingAcknowledgedLost, why));
        }
        self.journal = Arc::new(journal);
        self.check_stored()?;
        self.start_runtime().await?;
        let ui_after = self.rt().ui_state();
        restart_consistent(&ui_before, &ui_after, in_flight)
    }

    /// Every acknowledged record is in the backend, byte for byte the same record.
    fn check_stored(&self) -> Result<Vec<Record>, Violation> {
        let lost = |why: String| Violation::world(Invariant::NothingAcknowledgedLost, why);
        let stored = self
            .journal
            .read_back()
            .map_err(|e| lost(format!("the journal cannot be read back: {e}")))?;
        self.journal.with_acknowledged(0, |acknowledged| {
            if let Some((a, s)) = acknowledged.iter().zip(&stored).find(|(a, s)| a != s) {
                return Err(Violation::at(
                    Invariant::NothingAcknowledgedLost,
                    a.seq,
                    format!(
                        "the journal holds another record at seq {} than was acknowledged",
                        s.seq
                    ),
                ));
            }
            if stored.len() < acknowledged.len() {
                let why = format!(
                    "{} acknowledged, {} stored",
                    acknowledged.len(),
                    stored.len()
                );
                return Err(lost(why));
            }
            Ok(())
        })?;
        Ok(stored)
    }

    async fn play(&mut self) -> Checked {
        self.start_runtime().await?;
        for (i, step) in self.scenario.trace.iter().enumerate() {
            self.step = Some(i + 1);
            let target = self.clock.elapsed_ms() + step.after_ms;
            self.advance_to(target).await?;
            if !self.race(i, &step.action).await? {
                self.act(&step.action).await?;
            }
            self.settings_relaunch().await?;
        }
        self.step = None;
        self.closing().await
    }

    /// Leave any call, let the world go quiet, dismiss; then nothing may be left hanging.
    async fn closing(&mut self) -> Checked {
        self.refuse_next = 0;
        for _ in 0..CLOSING_ROUNDS {
            if self.live_attempt().is_some() {
                self.during = "closing: the user leaves".to_owned();
                self.send(Event::Leave).await?;
            }
            let target = self.clock.elapsed_ms() + CLOSING_WAIT_MS;
            self.advance_to(target).await?;
        }
        self.during = "closing: the world goes quiet".to_owned();
        for _ in 0..DRAIN_DELIVERIES_MAX {
            let Some(due) = self.world.next_due() else {
                break;
            };
            self.advance_to(due).await?;
        }
        self.during = "closing: the user dismisses".to_owned();
        self.send(Event::Dismiss).await?;
        let target = self.clock.elapsed_ms() + CLOSING_WAIT_MS;
        self.advance_to(target).await?;
        self.check_closed()
    }

    fn check_closed(&self) -> Checked {
        let machines = self.checker.machines();
        if let Some(a) = self.live_attempt() {
            let why = format!("attempt {a} is still live after the closing leave");
            return Err(Violation::world(Invariant::AllEnded, why));
        }
        if let Some((a, s)) = machines.sessions.iter().find(|(_, s)| !s.is_ended()) {
            let why = format!("attempt {a} never ended ({:?})", s.phase());
            return Err(Violation::world(Invariant::AllEnded, why));
        }
        let ui = self.rt().ui_state();
        let idle = |why: String| Err(Violation::world(Invariant::IdleAtEnd, why));
        if ui != UiState::Idle {
            return idle(format!(
                "the UI shows {} after the closing dismiss",
                ui.label()
            ));
        }
        if self.world.audio_active() {
            return idle("the audio session is still active".to_owned());
        }
        if self.world.view_visible() {
            return idle("the call view is still on screen".to_owned());
        }
        Ok(())
    }

    /// Shuts down, reads the journal back, and reports.
    async fn finish(mut self, result: Checked) -> RunReport {
        let at_ms = self
            .stalled_at_ms
            .unwrap_or_else(|| self.clock.elapsed_ms());
        let mut failure = result.err();
        if failure.is_none() {
            failure = self.checker.finish();
        }
        if let Some(rt) = self.runtime.take() {
            // A stalled runtime never settles: give up on a clean shutdown then.
            let _ = tokio::time::timeout(SETTLE_LIMIT, rt.shutdown()).await;
        }
        let keep = self.config.keep_journal || failure.is_some();
        let mut records = Vec::new();
        if keep || self.journal.dir().is_some() {
            match self.check_stored() {
                Ok(stored) => records = stored,
                Err(v) => failure = failure.or(Some(v)),
            }
        }
        let journal_bytes = if self.config.keep_journal {
            records
                .iter()
                .flat_map(|r| r.to_bytes().unwrap_or_default())
                .collect()
        } else {
            Vec::new()
        };
        if !keep {
            records.clear();
        }
        let machines = self.checker.machines();
        let final_states = [ActorName::Router, ActorName::Audio, ActorName::Ui]
            .into_iter()
            .map(|a| (a.to_string(), machines.summary(a)))
            .collect();
        let (commits, shared_commits) = self.journal.commits();
        let faults = FaultCounts {
            commits,
            shared_commits,
            ..self.faults
        };
        RunReport {
            seed: self.scenario.seeds.seed,
            actions: self.scenario.trace.len(),
            inputs: self.inputs,
            sim_ms: self.clock.elapsed_ms(),
            log: self.checker.stats().clone(),
            world: self.world.stats(),
            faults,
            final_ui: machines.ui.current(),
            final_states,
            records,
            journal_bytes,
            failure: failure.map(|violation| Failure {
                violation,
                step: self.step,
                at_ms,
                during: self.during.clone(),
            }),
        }
    }
}

/// The restart invariant (DESIGN rule 10): a new process never shows a call view, since it
/// joined nothing; after a settled crash, a call that was on screen comes back as the relaunch
/// notice (ended, app terminated) and anything else as it was.
fn restart_consistent(before: &UiState, after: &UiState, in_flight: bool) -> Checked {
    let fail = |why: String| Err(Violation::world(Invariant::RestartConsistent, why));
    if after.shows_call_view() {
        return fail(format!(
            "showed {} after the restart, for a call this process did not join",
            after.label()
        ));
    }
    if in_flight {
        return Ok(());
    }
    let notice = matches!(
        after,
        UiState::Ended {
            reason: EndReason::AppTerminated,
            ..
        }
    );
    match (before.shows_call_view(), notice) {
        (true, false) => fail(format!(
            "showed {} before the crash and {} after, not the relaunch notice",
            before.label(),
            after.label()
        )),
        (false, _) if after != before => fail(format!(
            "showed {} before the crash, {} after",
            before.label(),
            after.label()
        )),
        _ => Ok(()),
    }
}
