//! What a run did: the report every run returns, its failure, and the faults that struck.
use super::*;

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

pub(super) fn failed_to_open(scenario: &Scenario, violation: Violation) -> RunReport {
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

impl Driver<'_> {
    /// Shuts down, reads the journal back, and reports.
    pub(super) async fn finish(mut self, result: Checked) -> RunReport {
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
