//! The runtime faults a run injects: user actions racing the world's callbacks, session actor
//! panics, process crashes and relaunches, and journal writes refused.
use super::checks::restart_consistent;
use super::*;

impl Driver<'_> {
    /// The in-flight panic: the live session's actor is told to panic just before a callback
    /// for it is sent, so the callback waits in the mailbox behind the panicking message.
    pub(super) fn maybe_panic_in_flight(&mut self, burst: &[Outgoing]) {
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
    pub(super) async fn send_refused(&mut self, out: Outgoing) -> Checked {
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

    /// The race fault: the user's action and the world's next callbacks (if they are due soon)
    /// arrive at the same moment and race in the mailboxes. Returns whether it raced.
    pub(super) async fn race(&mut self, index: usize, action: &Action) -> Result<bool, Violation> {
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

    pub(super) async fn panic_session(&mut self) -> Checked {
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
    pub(super) async fn crash_restart(&mut self) -> Checked {
        self.restart(false).await
    }

    /// The user turned a permission on in Settings: iOS ends the app's process, and the user
    /// opens the app again (a new process, which reads the new permissions at launch).
    pub(super) async fn settings_relaunch(&mut self) -> Checked {
        if !self.world.take_settings_kill() {
            return Ok(());
        }
        self.during = "the user turned a permission on in Settings: iOS ends the app".to_owned();
        self.restart(false).await
    }

    /// Crashes (at once when `in_flight`, or once settled) and restarts.
    pub(super) async fn restart(&mut self, in_flight: bool) -> Checked {
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
}
