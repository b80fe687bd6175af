//! The four kinds of actor. Each hosts one domain machine and owns its state; every message is
//! journaled before it has any effect (see [`Shared::process`]). The router supervises one
//! session actor per live attempt and restarts a failed one from the journal.
//!
//! No actor dies of a panic: each catches a panic in its handler, rebuilds its machine from the
//! journal in place and goes on with the next message, so nothing queued behind the panic is
//! lost (a restarted ractor actor would lose its mailbox). The messages they take are in
//! [`crate::messages`].
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;

use ractor::{Actor, ActorProcessingErr, ActorRef, SupervisionEvent};
use switchboard_domain::audio::Audio;
use switchboard_domain::machine::Machine;
use switchboard_domain::router::Router;
use switchboard_domain::session::Session;
use switchboard_domain::ui_bridge::UiBridge;
use switchboard_domain::{
    ActorName, AttemptId, AudioInput, Input, RouterInput, SessionInput, Target, UiInput,
};

use switchboard_domain::Machines;

#[cfg(feature = "sim-hooks")]
use crate::hooks::PlantedBug;
use crate::log::rebuild;
use crate::messages::{AudioMsg, Envelope, RouterMsg, SessionMsg, UiMsg};
use crate::shared::{panic_message, Shared};

/// What an injected panic (an envelope without a message) reports. Only `sim-hooks` builds make
/// such an envelope.
#[cfg(feature = "sim-hooks")]
fn injected_panic(actor: &str) -> Option<String> {
    Some(format!("injected panic in {actor}"))
}

/// Without `sim-hooks` no envelope lacks its message.
#[cfg(not(feature = "sim-hooks"))]
fn injected_panic(_actor: &str) -> Option<String> {
    None
}

/// Runs one handler, catching a panic in it. Returns the panic's message, if there was one.
async fn catching(handler: impl std::future::Future<Output = ()>) -> Option<String> {
    AssertUnwindSafe(handler)
        .catch_unwind()
        .await
        .err()
        .map(|payload| panic_message(payload.as_ref()))
}

/// The machines of `actor` folded from the journal: what an actor that panicked rebuilds itself
/// from. `None` (after logging why) when the journal cannot be read, and the actor keeps the
/// state it had, which persist-before-effect keeps in step with the journal anyway.
fn rebuilt(shared: &Shared, actor: ActorName) -> Option<Machines> {
    match rebuild(shared.writer.journal().as_ref(), actor) {
        Ok(machines) => Some(machines),
        Err(e) => {
            tracing::error!(%actor, error = %e, "cannot rebuild the actor from the journal; keeping its state");
            shared.record_failure(format!("{actor}: rebuild failed: {e}"));
            None
        }
    }
}

/// Hosts the router machine and supervises the session actors.
pub struct RouterActor;

/// The router actor's state.
pub struct RouterState {
    shared: Arc<Shared>,
    machine: Router,
    sessions: BTreeMap<AttemptId, ActorRef<Envelope<SessionMsg>>>,
    /// Live sessions recovered from the journal, spawned once the router is up.
    recovered: Vec<(AttemptId, Session)>,
}

/// What the router actor starts with.
pub struct RouterArgs {
    pub(crate) shared: Arc<Shared>,
    pub(crate) machine: Router,
    pub(crate) sessions: Vec<(AttemptId, Session)>,
}

impl RouterState {
    /// Whether the simulator planted `bug` in this runtime.
    #[cfg(feature = "sim-hooks")]
    fn planted(&self, bug: PlantedBug) -> bool {
        self.shared.planted.is(bug)
    }

    /// Spawns the session actor of `attempt`. A failure (ractor could not start the task) is
    /// logged and recorded; the attempt's inputs are then dropped with a log line.
    async fn spawn_session(
        &mut self,
        myself: &ActorRef<Envelope<RouterMsg>>,
        attempt: AttemptId,
        machine: Session,
    ) {
        let args = SessionArgs {
            shared: Arc::clone(&self.shared),
            attempt,
            machine,
        };
        match Actor::spawn_linked(None, SessionActor, args, myself.get_cell()).await {
            Ok((session, task)) => {
                self.sessions.insert(attempt, session);
                self.shared.add_session_task(task);
            }
            Err(e) => {
                tracing::error!(attempt, error = %e, "cannot spawn a session actor");
                self.shared
                    .record_failure(format!("session/{attempt}: cannot spawn: {e}"));
            }
        }
    }

    async fn deliver_to_session(
        &mut self,
        myself: &ActorRef<Envelope<RouterMsg>>,
        attempt: AttemptId,
        input: SessionInput,
    ) {
        // A Start makes the actor; so does the router's decision about the join, which it sends
        // just before the Start (rules 11, 12), and the end of an attempt whose Start was lost
        // with the old process (it must still end, rule 10).
        let makes_actor = matches!(
            input,
            SessionInput::Start { .. }
                | SessionInput::AppRelaunched { .. }
                | SessionInput::Hold { .. }
                | SessionInput::Release { .. }
                | SessionInput::Abandon { .. }
        );
        if makes_actor && !self.sessions.contains_key(&attempt) {
            self.spawn_session(myself, attempt, Session::default())
                .await;
        }
        match self.sessions.get(&attempt) {
            Some(s) => self.shared.send(Some(s), SessionMsg::Input(input)),
            None => tracing::debug!(attempt, ?input, "no session actor; input dropped"),
        }
    }

    async fn handle_msg(&mut self, myself: &ActorRef<Envelope<RouterMsg>>, msg: RouterMsg) {
        match msg {
            #[cfg(feature = "sim-hooks")]
            RouterMsg::Event(switchboard_domain::Event::Sdk {
                event: switchboard_domain::SdkEvent::SessionTimedOut,
                ..
            }) if self.planted(PlantedBug::IgnoreTimedOut) => {}
            RouterMsg::Event(event) => {
                let (target, input) = event.route(|a| self.session_live(a));
                match (target, input) {
                    (Target::Router, Input::Router(i)) => self.own_input(i).await,
                    (Target::Session(a), Input::Session(i)) => {
                        self.deliver_to_session(myself, a, i).await
                    }
                    (target, input) => self.shared.deliver(target, input),
                }
            }
            RouterMsg::Input(input) => self.own_input(input).await,
            #[cfg(feature = "sim-hooks")]
            RouterMsg::ToSession(_, SessionInput::AppRelaunched { .. })
                if self.planted(PlantedBug::ContinueAfterRelaunch) => {}
            #[cfg(feature = "sim-hooks")]
            RouterMsg::ToSession(_, SessionInput::Hold { .. })
                if self.planted(PlantedBug::JoinBeforeReady) => {}
            RouterMsg::ToSession(attempt, input) => {
                self.deliver_to_session(myself, attempt, input).await
            }
            #[cfg(feature = "sim-hooks")]
            RouterMsg::PanicSession(attempt) => {
                if let Some(s) = self.sessions.get(&attempt) {
                    self.shared.send_panic(Some(s));
                }
            }
        }
    }

    fn session_live(&self, attempt: AttemptId) -> bool {
        let exists = self.sessions.contains_key(&attempt);
        self.machine.routes_callbacks_to(attempt, exists)
    }

    async fn own_input(&mut self, input: RouterInput) {
        let ended = match &input {
            RouterInput::AttemptEnded { attempt, .. } => Some(*attempt),
            _ => None,
        };
        let shared = Arc::clone(&self.shared);
        let commands = shared
            .process(ActorName::Router, &mut self.machine, input, Input::Router)
            .await;
        shared.perform_all(&commands);
        // An ended attempt's actor finishes what is in its mailbox and stops; later callbacks for
        // it are recorded by the router as stale.
        if let Some(attempt) = ended.filter(|a| self.machine.live_attempt() != Some(*a)) {
            if let Some(s) = self.sessions.remove(&attempt) {
                let _ = s.drain();
            }
        }
    }
}

impl Actor for RouterActor {
    type Msg = Envelope<RouterMsg>;
    type State = RouterState;
    type Arguments = RouterArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Envelope<RouterMsg>>,
        args: RouterArgs,
    ) -> Result<RouterState, ActorProcessingErr> {
        Ok(RouterState {
            shared: args.shared,
            machine: args.machine,
            sessions: BTreeMap::new(),
            recovered: args.sessions,
        })
    }

    async fn post_start(
        &self,
        myself: ActorRef<Envelope<RouterMsg>>,
        state: &mut RouterState,
    ) -> Result<(), ActorProcessingErr> {
        for (attempt, machine) in std::mem::take(&mut state.recovered) {
            state.spawn_session(&myself, attempt, machine).await;
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<Envelope<RouterMsg>>,
        envelope: Envelope<RouterMsg>,
        state: &mut RouterState,
    ) -> Result<(), ActorProcessingErr> {
        let handled = match envelope.msg {
            Some(msg) => catching(state.handle_msg(&myself, msg)).await,
            None => injected_panic("the router"),
        };
        if let Some(panic) = handled {
            tracing::warn!(%panic, "router panicked; rebuilding it from the journal");
            if let Some(machines) = rebuilt(&state.shared, ActorName::Router) {
                state.machine = machines.router;
            }
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Envelope<RouterMsg>>,
        event: SupervisionEvent,
        state: &mut RouterState,
    ) -> Result<(), ActorProcessingErr> {
        let SupervisionEvent::ActorFailed(cell, err) = event else {
            return Ok(());
        };
        let Some(attempt) = state
            .sessions
            .iter()
            .find(|(_, s)| s.get_id() == cell.get_id())
            .map(|(a, _)| *a)
        else {
            return Ok(());
        };
        tracing::warn!(attempt, error = %err, "session actor failed; restarting it from the journal");
        state.sessions.remove(&attempt);
        let actor = ActorName::Session(attempt);
        let machine = rebuilt(&state.shared, actor)
            .and_then(|mut m| m.sessions.remove(&attempt))
            .unwrap_or_default();
        state.spawn_session(&myself, attempt, machine).await;
        Ok(())
    }
}

/// Hosts the session machine of one attempt.
pub struct SessionActor;

/// What a session actor starts with.
pub struct SessionArgs {
    shared: Arc<Shared>,
    attempt: AttemptId,
    machine: Session,
}

impl SessionArgs {
    async fn handle_input(&mut self, input: SessionInput) {
        let shared = Arc::clone(&self.shared);
        let actor = ActorName::Session(self.attempt);
        let commands = shared
            .process(actor, &mut self.machine, input, Input::Session)
            .await;
        shared.perform_all(&commands);
    }
}

impl Actor for SessionActor {
    type Msg = Envelope<SessionMsg>;
    type State = SessionArgs;
    type Arguments = SessionArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Envelope<SessionMsg>>,
        args: SessionArgs,
    ) -> Result<SessionArgs, ActorProcessingErr> {
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Envelope<SessionMsg>>,
        envelope: Envelope<SessionMsg>,
        state: &mut SessionArgs,
    ) -> Result<(), ActorProcessingErr> {
        let attempt = state.attempt;
        let handled = match envelope.msg {
            Some(SessionMsg::Input(input)) => catching(state.handle_input(input)).await,
            #[cfg(feature = "sim-hooks")]
            Some(SessionMsg::Panic) => injected_panic(&format!("session/{attempt}")),
            None => injected_panic(&format!("session/{attempt}")),
        };
        if let Some(panic) = handled {
            tracing::warn!(attempt, %panic, "session actor panicked; rebuilding it from the journal");
            if let Some(mut machines) = rebuilt(&state.shared, ActorName::Session(attempt)) {
                state.machine = machines.sessions.remove(&attempt).unwrap_or_default();
            }
        }
        Ok(())
    }
}

/// Hosts a machine that needs nothing but its inputs (audio, UI bridge).
pub struct PlainActor<M>(std::marker::PhantomData<M>);

impl<M> Default for PlainActor<M> {
    fn default() -> Self {
        PlainActor(std::marker::PhantomData)
    }
}

/// A plain actor's state.
pub struct PlainState<M> {
    pub(crate) shared: Arc<Shared>,
    pub(crate) machine: M,
}

/// How a plain machine is named, wrapped and addressed.
pub trait Plain: Machine + Clone + Send + Sync + 'static
where
    Self::Input: Send + std::fmt::Debug + 'static,
{
    /// The message carrying one input.
    type Msg: Send + std::fmt::Debug + 'static;
    /// The actor's stable name.
    const ACTOR: ActorName;
    /// Unwraps a message.
    fn input(msg: Self::Msg) -> Self::Input;
    /// Wraps an input for the journal.
    fn wrap(input: Self::Input) -> Input;
    /// Takes this machine out of a set of rebuilt machines.
    fn take(machines: Machines) -> Self;
}

impl Plain for Audio {
    type Msg = AudioMsg;
    const ACTOR: ActorName = ActorName::Audio;
    fn input(msg: AudioMsg) -> AudioInput {
        msg.0
    }
    fn wrap(input: AudioInput) -> Input {
        Input::Audio(input)
    }
    fn take(machines: Machines) -> Audio {
        machines.audio
    }
}

impl Plain for UiBridge {
    type Msg = UiMsg;
    const ACTOR: ActorName = ActorName::Ui;
    fn input(msg: UiMsg) -> UiInput {
        msg.0
    }
    fn wrap(input: UiInput) -> Input {
        Input::Ui(input)
    }
    fn take(machines: Machines) -> UiBridge {
        machines.ui
    }
}

impl<M> PlainState<M>
where
    M: Plain,
    M::Input: Send + std::fmt::Debug + 'static,
{
    async fn handle_msg(&mut self, msg: M::Msg) {
        let shared = Arc::clone(&self.shared);
        let commands = shared
            .process(M::ACTOR, &mut self.machine, M::input(msg), M::wrap)
            .await;
        shared.perform_all(&commands);
    }
}

impl<M> Actor for PlainActor<M>
where
    M: Plain,
    M::Input: Send + std::fmt::Debug + 'static,
{
    type Msg = Envelope<M::Msg>;
    type State = PlainState<M>;
    type Arguments = PlainState<M>;

    async fn pre_start(
        &self,
        _myself: ActorRef<Envelope<M::Msg>>,
        args: PlainState<M>,
    ) -> Result<PlainState<M>, ActorProcessingErr> {
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Envelope<M::Msg>>,
        envelope: Envelope<M::Msg>,
        state: &mut PlainState<M>,
    ) -> Result<(), ActorProcessingErr> {
        let handled = match envelope.msg {
            Some(msg) => catching(state.handle_msg(msg)).await,
            None => injected_panic(&M::ACTOR.to_string()),
        };
        if let Some(panic) = handled {
            tracing::warn!(actor = %M::ACTOR, %panic, "actor panicked; rebuilding it from the journal");
            if let Some(machines) = rebuilt(&state.shared, M::ACTOR) {
                state.machine = M::take(machines);
            }
        }
        Ok(())
    }
}
