//! The world's invariants, checked after every step: what the user sees, that failures are
//! reported, that calls end, that nothing acknowledged is lost, and that a restart is consistent.
use super::*;

impl Driver<'_> {
    pub(super) fn check(&mut self) -> Checked {
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
    pub(super) fn check_ui(&mut self) -> Checked {
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

    pub(super) fn check_failures_reported(&self) -> Checked {
        let failed = self.journal.failed_batches();
        let reported = self.reported_before + self.rt().journal_failures().len() as u64;
        if failed != reported {
            let why = format!("{failed} journal write(s) failed, the runtime reported {reported}");
            return Err(Violation::world(Invariant::JournalFailureReported, why));
        }
        Ok(())
    }

    pub(super) fn check_ended(&self, out: &Outgoing) -> Checked {
        match (out.must_end, &out.event) {
            (Some(attempt), Event::Sdk { event, .. }) if !self.checker.ended(attempt) => {
                let why = format!("'{event}' for the live attempt {attempt} did not end it");
                Err(Violation::world(Invariant::TerminalEnds, why))
            }
            _ => Ok(()),
        }
    }

    /// Every acknowledged record is in the backend, byte for byte the same record.
    pub(super) fn check_stored(&self) -> Result<Vec<Record>, Violation> {
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

    pub(super) fn check_closed(&self) -> Checked {
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
}

/// The restart invariant (DESIGN rule 10): a new process never shows a call view, since it
/// joined nothing; after a settled crash, a call that was on screen comes back as the relaunch
/// notice (ended, app terminated) and anything else as it was.
pub(super) fn restart_consistent(before: &UiState, after: &UiState, in_flight: bool) -> Checked {
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
