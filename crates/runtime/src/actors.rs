//! The four kinds of actor. Each hosts one domain machine and owns its state; every message is
//! journaled before it has any effect (see [`Shared::process`]). The router supervises one
//! session actor per live attempt and restarts a failed one from the journal.
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
    ActorName, AttemptId, AudioInput, Event, Input, RouterInput, SdkEvent, SessionInput, Target,
    UiInput,
};

use crate::log::rebuild;
use crate::shared::{PlantedBug, Shared};

/// Messages to the router actor.
#[derive(Debug)]
pub enum RouterMsg {
    /// An event from the outside world, to be routed.
    Event(Event),
    /// An input for the router machine itself.
    Input(RouterInput),
    /// An input for the session of an attempt (spawned on `Start`).
    ToSession(AttemptId, SessionInput),
    /// Test and simulator hook: make the session actor of an attempt panic.
    PanicSession(AttemptId),
}

/// Messages to a session actor.
#[derive(Debug)]
pub enum SessionMsg {
    /// An input for the session machine.
    Input(SessionInput),
    /// Panic (test and simulator hook for supervision).
    Panic,
}

/// A message to the audio actor.
#[derive(Debug)]
pub struct AudioMsg(pub AudioInput);

/// A message to the UI-bridge actor.
#[derive(Debug)]
pub struct UiMsg(pub UiInput);

/// Hosts the router machine and supervises the session actors.
pub struct RouterActor;

/// The router actor's state.
pub struct RouterState {
    shared: Arc<Shared>,
    machine: Router,
    sessions: BTreeMap<AttemptId, ActorRef<SessionMsg>>,
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
    async fn spawn_session(
        &mut self,
        myself: &ActorRef<RouterMsg>,
        attempt: AttemptId,
        machine: Session,
    ) -> Result<(), ActorProcessingErr> {
        let args = SessionArgs {
            shared: Arc::clone(&self.shared),
            attempt,
            machine,
        };
        let (session, _) = Actor::spawn_linked(None, SessionActor, args, myself.get_cell()).await?;
        self.sessions.insert(attempt, session);
        Ok(())
    }

    async fn deliver_to_session(
        &mut self,
        myself: &ActorRef<RouterMsg>,
        attempt: AttemptId,
        input: SessionInput,
    ) -> Result<(), ActorProcessingErr> {
        if matches!(input, SessionInput::Start { .. }) && !self.sessions.contains_key(&attempt) {
            self.spawn_session(myself, attempt, Session::default())
                .await?;
        }
        match self.sessions.get(&attempt) {
            Some(s) => self.shared.send(Some(s), SessionMsg::Input(input)),
            None => tracing::debug!(attempt, ?input, "no session actor; input dropped"),
        }
        Ok(())
    }

    fn session_live(&self, attempt: AttemptId) -> bool {
        self.machine.live_attempt() == Some(attempt) && self.sessions.contains_key(&attempt)
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
        shared.perform(&commands);
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
    type Msg = RouterMsg;
    type State = RouterState;
    type Arguments = RouterArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<RouterMsg>,
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
        myself: ActorRef<RouterMsg>,
        state: &mut RouterState,
    ) -> Result<(), ActorProcessingErr> {
        for (attempt, machine) in std::mem::take(&mut state.recovered) {
            state.spawn_session(&myself, attempt, machine).await?;
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<RouterMsg>,
        msg: RouterMsg,
        state: &mut RouterState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            RouterMsg::Event(Event::Sdk {
                event: SdkEvent::SessionTimedOut,
                ..
            }) if state.shared.planted() == Some(PlantedBug::IgnoreTimedOut) => {}
            RouterMsg::Event(event) => {
                let (target, input) = event.route(|a| state.session_live(a));
                match (target, input) {
                    (Target::Router, Input::Router(i)) => state.own_input(i).await,
                    (Target::Session(a), Input::Session(i)) => {
                        state.deliver_to_session(&myself, a, i).await?
                    }
                    (target, input) => state.shared.deliver(target, input),
                }
            }
            RouterMsg::Input(input) => state.own_input(input).await,
            RouterMsg::ToSession(attempt, input) => {
                state.deliver_to_session(&myself, attempt, input).await?
            }
            RouterMsg::PanicSession(attempt) => {
                if let Some(s) = state.sessions.get(&attempt) {
                    state.shared.send(Some(s), SessionMsg::Panic);
                }
            }
        }
        state.shared.tracker.end();
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<RouterMsg>,
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
        let mut machines = rebuild(state.shared.writer.journal().as_ref(), actor)?;
        let machine = machines.sessions.remove(&attempt).unwrap_or_default();
        state.spawn_session(&myself, attempt, machine).await
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

impl Actor for SessionActor {
    type Msg = SessionMsg;
    type State = SessionArgs;
    type Arguments = SessionArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<SessionMsg>,
        args: SessionArgs,
    ) -> Result<SessionArgs, ActorProcessingErr> {
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<SessionMsg>,
        msg: SessionMsg,
        state: &mut SessionArgs,
    ) -> Result<(), ActorProcessingErr> {
        let shared = Arc::clone(&state.shared);
        let attempt = state.attempt;
        // A panic while handling one message must not lose the messages queued behind it (they
        // would vanish with the actor's mailbox): the actor catches it, rebuilds its machine from
        // the journal, as a restarted actor would, and carries on with the next message.
        let handled = AssertUnwindSafe(async {
            match msg {
                SessionMsg::Input(input) => {
                    let actor = ActorName::Session(attempt);
                    let commands = shared
                        .process(actor, &mut state.machine, input, Input::Session)
                        .await;
                    shared.perform(&commands);
                }
                SessionMsg::Panic => panic!("injected panic in session/{attempt}"),
            }
        })
        .catch_unwind()
        .await;
        if handled.is_err() {
            tracing::warn!(
                attempt,
                "session actor panicked; rebuilding it from the journal"
            );
            let actor = ActorName::Session(attempt);
            let mut machines = rebuild(shared.writer.journal().as_ref(), actor)?;
            state.machine = machines.sessions.remove(&attempt).unwrap_or_default();
        }
        shared.tracker.end();
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
}

impl<M> Actor for PlainActor<M>
where
    M: Plain,
    M::Input: Send + std::fmt::Debug + 'static,
{
    type Msg = M::Msg;
    type State = PlainState<M>;
    type Arguments = PlainState<M>;

    async fn pre_start(
        &self,
        _myself: ActorRef<M::Msg>,
        args: PlainState<M>,
    ) -> Result<PlainState<M>, ActorProcessingErr> {
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<M::Msg>,
        msg: M::Msg,
        state: &mut PlainState<M>,
    ) -> Result<(), ActorProcessingErr> {
        let shared = Arc::clone(&state.shared);
        let commands = shared
            .process(M::ACTOR, &mut state.machine, M::input(msg), M::wrap)
            .await;
        shared.perform(&commands);
        shared.tracker.end();
        Ok(())
    }
}
