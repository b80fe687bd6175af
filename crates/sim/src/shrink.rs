//! Shrinking: cut a failing trace down while the same invariant still fails, so a tester reads
//! five actions instead of eighty. Delta debugging, simplified: remove chunks of the trace
//! (halving the chunk size when nothing more can go), keeping a cut whenever the run still breaks
//! the same invariant; then turn each remaining action into a plain wait where that keeps the
//! failure (time often matters, the action not). Bounded by a number of runs; candidates run with
//! the journal in memory.
use crate::invariant::Invariant;
use crate::journal::JournalMode;
use crate::run::{run, RunConfig, RunReport, Scenario};
use crate::workload::{Action, TraceStep};

/// Runs the shrinker may spend by default.
pub const SHRINK_RUNS_MAX: u32 = 400;

/// The smallest failing scenario found.
#[derive(Debug)]
pub struct Minimized {
    /// The scenario with the cut-down trace.
    pub scenario: Scenario,
    /// Its run (which breaks the same invariant).
    pub report: RunReport,
    /// Runs spent.
    pub runs: u32,
}

/// Cuts `scenario`'s trace down while its run still breaks `invariant`. `failing` is the run
/// of the full scenario.
pub fn minimize(
    scenario: &Scenario,
    config: &RunConfig,
    invariant: Invariant,
    failing: RunReport,
    runs_max: u32,
) -> Minimized {
    let candidate_config = RunConfig {
        journal: JournalMode::Memory,
        keep_journal: false,
        ..config.clone()
    };
    let mut shrinker = Shrinker {
        config: candidate_config,
        invariant,
        runs: 0,
        runs_max,
        best: scenario.clone(),
        best_report: failing,
    };
    shrinker.cut_chunks();
    shrinker.idle_actions();
    Minimized {
        scenario: shrinker.best,
        report: shrinker.best_report,
        runs: shrinker.runs,
    }
}

/// The state of one shrink.
struct Shrinker {
    config: RunConfig,
    invariant: Invariant,
    runs: u32,
    runs_max: u32,
    best: Scenario,
    best_report: RunReport,
}

impl Shrinker {
    /// Runs a candidate trace; keeps it when it breaks the same invariant.
    fn try_trace(&mut self, trace: Vec<TraceStep>) -> bool {
        let candidate = Scenario {
            trace,
            ..self.best.clone()
        };
        self.runs += 1;
        let report = run(&candidate, &self.config);
        let same = report.failure.as_ref().map(|f| f.violation.invariant) == Some(self.invariant);
        if same {
            self.best = candidate;
            self.best_report = report;
        }
        same
    }

    fn cut_chunks(&mut self) {
        let mut chunk = (self.best.trace.len() / 2).max(1);
        while self.runs < self.runs_max && !self.best.trace.is_empty() {
            let mut cut_any = false;
            let mut i = 0;
            while i < self.best.trace.len() && self.runs < self.runs_max {
                let end = (i + chunk).min(self.best.trace.len());
                let trace = [&self.best.trace[..i], &self.best.trace[end..]].concat();
                if self.try_trace(trace) {
                    cut_any = true;
                } else {
                    i += chunk;
                }
            }
            if !cut_any {
                if chunk == 1 {
                    break;
                }
                chunk /= 2;
            }
        }
    }

    fn idle_actions(&mut self) {
        for i in 0..self.best.trace.len() {
            if self.runs >= self.runs_max {
                return;
            }
            if self.best.trace[i].action == Action::Idle {
                continue;
            }
            let mut trace = self.best.trace.clone();
            trace[i].action = Action::Idle;
            self.try_trace(trace);
        }
    }
}
