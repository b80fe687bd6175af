//! Playing a run: the runtime started, events sent and settled, virtual time advanced, the
//! trace's actions acted out, and the closing phase.
use super::*;

impl<'a> Driver<'a> {
    pub(super) fn new(
        scenario: &'a Scenario,
        config: &'a RunConfig,
    ) -> Result<Driver<'a>, Violation> {
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

    pub(super) fn rt(&self) -> &Runtime {
        self.runtime.as_ref().expect("the runtime is running")
    }

    pub(super) async fn start_runtime(&mut self) -> Checked {
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
    pub(super) async fn settle(&mut self) -> Checked {
        self.settle_quietly().await?;
        self.check()
    }

    /// Waits until the runtime is idle, checking only that it gets there.
    pub(super) async fn settle_quietly(&mut self) -> Checked {
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

    /// Sends outside events together (they race in the mailboxes), settles, and checks that
    /// every terminal callback among them ended its call. While the journal is refusing writes,
    /// they go one at a time, so each refusal hits exactly one outside event.
    pub(super) async fn send_burst(&mut self, burst: Vec<Outgoing>) -> Checked {
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

    pub(super) async fn send_together(&mut self, burst: Vec<Outgoing>) -> Checked {
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

    pub(super) async fn send(&mut self, event: Event) -> Checked {
        let out = self.outgoing(event);
        self.send_burst(vec![out]).await
    }

    /// An event to send; a terminal callback for the live, joining or joined attempt must end it
    /// (rule 1), whatever the runtime does with it on the way.
    pub(super) fn outgoing(&self, event: Event) -> Outgoing {
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

    /// The session phase of an attempt, as replay of the journal has it.
    pub(super) fn phase(&self, attempt: u64) -> Option<Phase> {
        let sessions = &self.checker.machines().sessions;
        sessions.get(&attempt).map(|s| s.phase().clone())
    }

    pub(super) fn live_attempt(&self) -> Option<u64> {
        self.checker.machines().router.live_attempt()
    }

    /// The event a world callback becomes, if it still happens (an SDK callback of a closed
    /// session does not, a view report that changes nothing does not).
    pub(super) fn prepare(&mut self, due: Due) -> Option<Outgoing> {
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
    pub(super) async fn deliver_due(&mut self, items: Vec<Due>) -> Checked {
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

    pub(super) async fn flush(&mut self, burst: &mut Vec<Outgoing>) -> Checked {
        if burst.is_empty() {
            return Ok(());
        }
        let what: Vec<String> = burst.iter().map(|o| describe_event(&o.event)).collect();
        self.during = format!("delivering {}", what.join(" + "));
        self.send_burst(std::mem::take(burst)).await
    }

    /// Lets virtual time run to `target_ms`, delivering everything that comes due on the way
    /// (and checking after each).
    pub(super) async fn advance_to(&mut self, target_ms: u64) -> Checked {
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

    pub(super) async fn act(&mut self, action: &Action) -> Checked {
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
    pub(super) fn tap_without_a_screen(&self, event: &Event) -> bool {
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

    pub(super) async fn play(&mut self) -> Checked {
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
    pub(super) async fn closing(&mut self) -> Checked {
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
}
