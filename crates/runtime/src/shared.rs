//! What every actor of one runtime shares: the ports, the journal writer, the message tracker,
//! the timer registry and the other actors' addresses. Nothing here is process-global, so two
//! runtimes in one process never see each other.
//!
//! Every effect is performed by [`Shared::perform`], and every port call goes through
//! [`Shared::call_port`]: a port that errors or panics becomes an
//! [`Incident::PortFailed`] input (journaled, then the core goes on), and once the runtime has
//! shut down no port is called at all.
use std::collections::{BTreeMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use ractor::ActorRef;
use switchboard_domain::machine::Machine;
use switchboard_domain::message::Target;
use switchboard_domain::{
    ActorName, Command, Effect, Entry, Event, Incident, Input, SessionInput, TimerId, UiState,
};
use switchboard_journal::NewRecord;
use tokio::task::AbortHandle;

use crate::log::{input_record, LogWriter};
use crate::messages::{AudioMsg, Envelope, RouterMsg, UiMsg};
use crate::ports::{PortResult, Ports};
use crate::tracker::Tracker;

/// Most journal failures kept for [`crate::Runtime::journal_failures`]; older ones are dropped.
pub const FAILURES_KEPT_MAX: usize = 64;

/// Whether ports may still be called, and how many calls are under way: shutdown closes the gate
/// and waits for the calls under way, so none happens after it returned.
#[derive(Debug)]
struct PortGate {
    open: AtomicBool,
    active: AtomicUsize,
}

/// The state of one runtime that its actors share.
pub struct Shared {
    pub(crate) ports: Ports,
    pub(crate) writer: LogWriter,
    pub(crate) tracker: Arc<Tracker>,
    pub(crate) timers: Mutex<BTreeMap<TimerId, AbortHandle>>,
    pub(crate) router: OnceLock<ActorRef<Envelope<RouterMsg>>>,
    pub(crate) audio: OnceLock<ActorRef<Envelope<AudioMsg>>>,
    pub(crate) ui: OnceLock<ActorRef<Envelope<UiMsg>>>,
    pub(crate) ui_state: Mutex<UiState>,
    pub(crate) failures: Mutex<VecDeque<String>>,
    /// The bug the simulator planted, if any (`sim-hooks` builds only).
    #[cfg(feature = "sim-hooks")]
    pub(crate) planted: crate::hooks::Planted,
    gate: PortGate,
    /// The tasks of the session actors spawned so far (finished ones pruned): stopping the
    /// runtime waits for them, so no actor of a stopped runtime writes or acts afterwards.
    session_tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave the data half-written (every critical
    // section is a single insert, remove or assignment), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub(crate) fn new(ports: Ports, writer: LogWriter, ui_state: UiState) -> Self {
        Shared {
            ports,
            writer,
            tracker: Arc::new(Tracker::default()),
            timers: Mutex::new(BTreeMap::new()),
            router: OnceLock::new(),
            audio: OnceLock::new(),
            ui: OnceLock::new(),
            ui_state: Mutex::new(ui_state),
            failures: Mutex::new(VecDeque::new()),
            #[cfg(feature = "sim-hooks")]
            planted: crate::hooks::Planted::default(),
            gate: PortGate {
                open: AtomicBool::new(true),
                active: AtomicUsize::new(0),
            },
            session_tasks: Mutex::new(Vec::new()),
        }
    }

    /// Keeps a session actor's task for [`Shared::take_session_tasks`].
    pub(crate) fn add_session_task(&self, task: tokio::task::JoinHandle<()>) {
        let mut tasks = lock(&self.session_tasks);
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }

    /// The session actors' tasks still kept.
    pub(crate) fn take_session_tasks(&self) -> Vec<tokio::task::JoinHandle<()>> {
        std::mem::take(&mut *lock(&self.session_tasks))
    }

    /// Sends to an actor, counting the message as in flight until it is handled (its guard
    /// travels with it and ends the count however the message ends).
    pub(crate) fn send<M: Send + std::fmt::Debug + 'static>(
        &self,
        to: Option<&ActorRef<Envelope<M>>>,
        msg: M,
    ) {
        let envelope = Envelope::new(msg, self.tracker.begin());
        let sent = to
            .map(|r| r.send_message(envelope).is_ok())
            .unwrap_or(false);
        if !sent {
            // The envelope, and with it the count, went with the error.
            tracing::debug!("message dropped: its actor is gone");
        }
    }

    /// Sends a test hook to an actor: the actor panics while handling it.
    #[cfg(feature = "sim-hooks")]
    pub(crate) fn send_panic<M: Send + std::fmt::Debug + 'static>(
        &self,
        to: Option<&ActorRef<Envelope<M>>>,
    ) {
        if let Some(r) = to {
            let _ = r.send_message(Envelope::panic(self.tracker.begin()));
        }
    }

    /// Records a one-line failure for [`crate::Runtime::journal_failures`], keeping the newest
    /// [`FAILURES_KEPT_MAX`].
    pub(crate) fn record_failure(&self, line: String) {
        let mut failures = lock(&self.failures);
        if failures.len() == FAILURES_KEPT_MAX {
            failures.pop_front();
        }
        failures.push_back(line);
    }

    /// Calls a port for `effect`, unless the runtime has shut down. An error or a panic from the
    /// port becomes an incident the router journals; it never reaches the actor.
    pub(crate) fn call_port(&self, effect: &Effect, call: impl FnOnce(&Ports) -> PortResult) {
        self.gate.active.fetch_add(1, Ordering::SeqCst);
        if !self.gate.open.load(Ordering::SeqCst) {
            self.gate.active.fetch_sub(1, Ordering::SeqCst);
            tracing::debug!(command = %effect, "port call skipped: the runtime has shut down");
            return;
        }
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| call(&self.ports)));
        self.gate.active.fetch_sub(1, Ordering::SeqCst);
        let message = match result {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e.to_string(),
            Err(payload) => format!("panicked: {}", panic_message(payload.as_ref())),
        };
        tracing::warn!(command = %effect, error = %message, "a port call failed");
        let incident = Incident::port_failed(effect.clone(), &message);
        self.send_router(RouterMsg::Event(Event::Incident(incident)));
    }

    /// Closes the port gate and waits, at most `bound`, for the port calls under way. Returns how
    /// many were still under way when the bound ran out.
    pub(crate) async fn close_ports(&self, bound: Duration) -> usize {
        self.gate.open.store(false, Ordering::SeqCst);
        let start = tokio::time::Instant::now();
        loop {
            let active = self.gate.active.load(Ordering::SeqCst);
            if active == 0 || start.elapsed() >= bound {
                return active;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    pub(crate) fn send_router(&self, msg: RouterMsg) {
        self.send(self.router.get(), msg);
    }

    /// Delivers an input to the machine that owns it.
    pub(crate) fn deliver(&self, target: Target, input: Input) {
        match (target, input) {
            (Target::Router, Input::Router(i)) => self.send_router(RouterMsg::Input(i)),
            (Target::Session(a), Input::Session(i)) => self.send_router(RouterMsg::ToSession(a, i)),
            (Target::Audio, Input::Audio(i)) => self.send(self.audio.get(), AudioMsg(i)),
            (Target::Ui, Input::Ui(i)) => self.send(self.ui.get(), UiMsg(i)),
            (target, input) => {
                tracing::error!(?target, kind = input.kind_name(), "misrouted input dropped")
            }
        }
    }

    /// Persist before effect: steps a copy of the machine, appends the input and the commands it
    /// produced in one batch, and only once that is durable adopts the new state and returns the
    /// commands to perform. On a journal failure the state is unchanged and nothing is performed.
    pub(crate) async fn process<M: Machine + Clone>(
        &self,
        actor: ActorName,
        machine: &mut M,
        input: M::Input,
        wrap: impl FnOnce(M::Input) -> Input,
    ) -> Vec<Command> {
        let at_ms = self.ports.clock.now_ms();
        let mut next = machine.clone();
        let commands = next.step(&input, at_ms);
        #[cfg(feature = "sim-hooks")]
        let commands = self.planted.decided(commands);
        let mut batch = Vec::with_capacity(1 + commands.len());
        batch.push(input_record(at_ms, actor, wrap(input)));
        batch.extend(commands.iter().map(|c| NewRecord {
            at_ms,
            actor,
            body: Entry::Command(c.clone()),
        }));
        match self.writer.append(batch).await {
            Ok(_) => {
                *machine = next;
                commands
            }
            Err(e) => {
                tracing::error!(%actor, error = %e, "journal write failed; input not applied");
                self.record_failure(format!("{actor}: {e}"));
                Vec::new()
            }
        }
    }

    /// Performs commands in order: each effect through its port ([`Shared::perform`]), each
    /// message by delivering its inputs to the machines it is for.
    pub(crate) fn perform_all(self: &Arc<Self>, commands: &[Command]) {
        for c in commands {
            match c {
                Command::Effect(e) => self.perform(e),
                Command::Message(m) => {
                    for (target, input) in m.deliveries() {
                        self.deliver(target, input);
                    }
                }
            }
        }
    }

    /// Performs one effect: timers here, everything else through its port. One arm per effect,
    /// no wildcard: a new effect does not compile until it is performed.
    pub(crate) fn perform(self: &Arc<Self>, e: &Effect) {
        match e {
            Effect::StartTimer { id, after_ms } => self.start_timer(*id, *after_ms),
            Effect::CancelTimer { id } => self.cancel_timer(id),
            Effect::Render(state) => {
                *lock(&self.ui_state) = state.clone();
                self.call_port(e, |p| p.ui.render(state));
            }
            Effect::InitCallsSdk => self.call_port(e, |p| p.sdk.init_calls(0)),
            Effect::InitCalls { request } => self.call_port(e, |p| p.sdk.init_calls(*request)),
            Effect::LoginCallsSdk => self.call_port(e, |p| p.sdk.login()),
            Effect::InitChatSdk => self.call_port(e, |p| p.sdk.init_chat()),
            Effect::RegisterListeners { attempt } => {
                self.call_port(e, |p| p.sdk.register_listeners(*attempt))
            }
            Effect::JoinSession {
                attempt,
                session_id,
                settings,
            } => self.call_port(e, |p| p.sdk.join_session(*attempt, session_id, settings)),
            Effect::LeaveSession { attempt } => {
                self.call_port(e, |p| p.sdk.leave_session(*attempt))
            }
            Effect::MuteAudio { attempt } => {
                self.call_port(e, |p| p.sdk.set_audio_muted(*attempt, true))
            }
            Effect::UnmuteAudio { attempt } => {
                self.call_port(e, |p| p.sdk.set_audio_muted(*attempt, false))
            }
            Effect::PauseVideo { attempt } => {
                self.call_port(e, |p| p.sdk.set_video_paused(*attempt, true))
            }
            Effect::ResumeVideo { attempt } => {
                self.call_port(e, |p| p.sdk.set_video_paused(*attempt, false))
            }
            Effect::SetAudioMode { attempt, mode } => {
                self.call_port(e, |p| p.sdk.set_audio_mode(*attempt, *mode))
            }
            Effect::ConfigureAudio {
                category,
                mode,
                options,
            } => self.call_port(e, |p| p.audio.configure(*category, *mode, *options)),
            Effect::ActivateAudio => self.call_port(e, |p| p.audio.activate()),
            Effect::DeactivateAudio { notify_others } => {
                self.call_port(e, |p| p.audio.deactivate(*notify_others))
            }
            Effect::OverrideOutput { speaker } => {
                self.call_port(e, |p| p.audio.override_output(*speaker))
            }
            Effect::RequestPermission { media } => {
                self.call_port(e, |p| p.ui.request_permission(*media))
            }
            Effect::OpenAppSettings => self.call_port(e, |p| p.ui.open_app_settings()),
            Effect::ShareLink { url } => self.call_port(e, |p| p.ui.share_link(url)),
        }
    }

    /// Starts (or restarts) a timer whose firing comes back to the attempt's session as an input.
    pub(crate) fn start_timer(self: &Arc<Self>, id: TimerId, after_ms: u64) {
        let shared = Arc::clone(self);
        let task = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(after_ms)).await;
            lock(&shared.timers).remove(&id);
            shared.send_router(RouterMsg::ToSession(
                id.attempt,
                SessionInput::TimerFired(id.kind),
            ));
        });
        if let Some(old) = lock(&self.timers).insert(id, task.abort_handle()) {
            old.abort();
        }
    }

    pub(crate) fn cancel_timer(&self, id: &TimerId) {
        if let Some(handle) = lock(&self.timers).remove(id) {
            handle.abort();
        }
    }

    pub(crate) fn cancel_all_timers(&self) {
        for (_, handle) in std::mem::take(&mut *lock(&self.timers)) {
            handle.abort();
        }
    }

    pub(crate) fn ui_state(&self) -> UiState {
        lock(&self.ui_state).clone()
    }

    pub(crate) fn failures(&self) -> Vec<String> {
        lock(&self.failures).iter().cloned().collect()
    }
}

/// The text of a panic payload (what `panic!` was given, or "unknown panic").
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
