//! What every actor of one runtime shares: the ports, the journal writer, the message tracker,
//! the timer registry and the other actors' addresses. Nothing here is process-global, so two
//! runtimes in one process never see each other.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use ractor::ActorRef;
use switchboard_domain::command::Target;
use switchboard_domain::machine::Machine;
use switchboard_domain::{ActorName, Command, Entry, Input, SessionInput, TimerId, UiState};
use switchboard_journal::NewRecord;
use tokio::task::AbortHandle;

use crate::actors::{AudioMsg, RouterMsg, UiMsg};
use crate::log::{input_record, LogWriter};
use crate::ports::Ports;
use crate::tracker::Tracker;

/// The state of one runtime that its actors share.
pub struct Shared {
    pub(crate) ports: Ports,
    pub(crate) writer: LogWriter,
    pub(crate) tracker: Arc<Tracker>,
    pub(crate) timers: Mutex<BTreeMap<TimerId, AbortHandle>>,
    pub(crate) router: OnceLock<ActorRef<RouterMsg>>,
    pub(crate) audio: OnceLock<ActorRef<AudioMsg>>,
    pub(crate) ui: OnceLock<ActorRef<UiMsg>>,
    pub(crate) ui_state: Mutex<UiState>,
    pub(crate) failures: Mutex<Vec<String>>,
    pub(crate) planted: Mutex<Option<PlantedBug>>,
}

/// A known bug the simulator's own tests plant in a running runtime to show that they catch it.
/// Never set outside those tests (see [`crate::Runtime::plant_bug`]).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlantedBug {
    /// Every `LeaveSession` a session decides is recorded and performed twice (breaks rule 6).
    DoubleLeave,
    /// `onSessionTimedOut` is dropped by the router before it reaches the session (breaks rule 1).
    IgnoreTimedOut,
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
            failures: Mutex::new(Vec::new()),
            planted: Mutex::new(None),
        }
    }

    /// Sends to an actor, counting the message as in flight until it is handled.
    pub(crate) fn send<M: Send + 'static>(&self, to: Option<&ActorRef<M>>, msg: M) {
        self.tracker.begin();
        let sent = to.map(|r| r.send_message(msg).is_ok()).unwrap_or(false);
        if !sent {
            tracing::debug!("message dropped: its actor is gone");
            self.tracker.end();
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
        let mut commands = next.step(&input, at_ms);
        if self.planted() == Some(PlantedBug::DoubleLeave) {
            plant_double_leave(&mut commands);
        }
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
                lock(&self.failures).push(format!("{actor}: {e}"));
                Vec::new()
            }
        }
    }

    /// Performs commands: port effects, timers, and deliveries to other machines.
    pub(crate) fn perform(self: &Arc<Self>, commands: &[Command]) {
        for c in commands {
            self.perform_one(c);
        }
    }

    fn perform_one(self: &Arc<Self>, c: &Command) {
        let p = &self.ports;
        match c {
            Command::InitCallsSdk => p.sdk.init_calls(),
            Command::InitChatSdk => p.sdk.init_chat(),
            Command::RegisterListeners { attempt } => p.sdk.register_listeners(*attempt),
            Command::JoinSession {
                attempt,
                session_id,
                settings,
            } => p.sdk.join_session(*attempt, session_id, settings),
            Command::LeaveSession { attempt } => p.sdk.leave_session(*attempt),
            Command::MuteAudio { attempt } => p.sdk.set_audio_muted(*attempt, true),
            Command::UnmuteAudio { attempt } => p.sdk.set_audio_muted(*attempt, false),
            Command::PauseVideo { attempt } => p.sdk.set_video_paused(*attempt, true),
            Command::ResumeVideo { attempt } => p.sdk.set_video_paused(*attempt, false),
            Command::SetAudioMode { attempt, mode } => p.sdk.set_audio_mode(*attempt, *mode),
            Command::ConfigureAudio {
                category,
                mode,
                options,
            } => p.audio.configure(*category, *mode, *options),
            Command::ActivateAudio => p.audio.activate(),
            Command::DeactivateAudio { notify_others } => p.audio.deactivate(*notify_others),
            Command::OverrideOutput { speaker } => p.audio.override_output(*speaker),
            Command::StartTimer { id, after_ms } => self.start_timer(*id, *after_ms),
            Command::CancelTimer { id } => self.cancel_timer(id),
            Command::Render(state) => {
                *lock(&self.ui_state) = state.clone();
                p.ui.render(state);
            }
            other => {
                for (target, input) in other.deliveries() {
                    self.deliver(target, input);
                }
            }
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
        lock(&self.failures).clone()
    }

    pub(crate) fn planted(&self) -> Option<PlantedBug> {
        *lock(&self.planted)
    }
}

/// The planted [`PlantedBug::DoubleLeave`]: each `LeaveSession` is followed by a copy of itself.
fn plant_double_leave(commands: &mut Vec<Command>) {
    if let Some(i) = commands
        .iter()
        .position(|c| matches!(c, Command::LeaveSession { .. }))
    {
        let copy = commands[i].clone();
        commands.insert(i + 1, copy);
    }
}
