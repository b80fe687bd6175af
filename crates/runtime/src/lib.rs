//! The Switchboard runtime: ractor actors hosting the domain machines (router, one session per
//! attempt, audio, UI bridge), the ports to the outside world, timers, supervision, and recovery
//! from the journal.
//!
//! Persist before effect: every input an actor takes is appended to the journal together with the
//! commands its machine decided, and nothing is performed until that append is durable (one group
//! commit per batch on the sled journal). A runtime started on an existing journal rebuilds every
//! machine by replaying it, re-arms the timers that were running, and carries on.
#![warn(missing_docs)]

mod actors;
pub mod fakes;
mod log;
pub mod ports;
mod recover;
mod shared;
mod tracker;

use std::path::PathBuf;
use std::sync::Arc;

use ractor::{Actor, ActorRef};
use switchboard_domain::audio::Audio;
use switchboard_domain::ui_bridge::UiBridge;
use switchboard_domain::{CoreConfig, Event, MachineError, UiState};
use switchboard_journal::{FlushPolicy, GroupCommit, Journal, MemoryJournal, SledJournal};
use tokio::task::JoinHandle;

pub use actors::{AudioMsg, RouterMsg, SessionMsg, UiMsg};
pub use log::LogWriter;
pub use ports::{AudioSession, CallsSdk, Clock, ManualClock, Ports, SystemClock, UiSink};
pub use recover::{recover, Recovered};

use actors::{PlainActor, PlainState, RouterActor, RouterArgs};
#[doc(hidden)]
pub use shared::PlantedBug;
use shared::Shared;

/// Why a runtime could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The journal failed.
    #[error(transparent)]
    Journal(#[from] switchboard_journal::Error),
    /// The journal holds an input its actor cannot take.
    #[error("the journal does not fit today's machines: {0}")]
    Machine(#[from] MachineError),
    /// An actor could not be started.
    #[error("could not start an actor: {0}")]
    Spawn(String),
}

/// Where a runtime keeps its journal.
#[derive(Clone)]
pub enum JournalConfig {
    /// In memory only (lost at shutdown).
    Memory,
    /// A sled journal in this directory (created if missing), written through a group-commit
    /// thread.
    Sled {
        /// The data directory.
        dir: PathBuf,
        /// When records are made durable.
        policy: FlushPolicy,
    },
    /// A journal the caller owns, appended to in line (the simulator's in-memory journal).
    Shared(Arc<dyn Journal>),
}

/// How to start a runtime.
#[derive(Clone)]
pub struct RuntimeConfig {
    /// The core's configuration, recorded as the router's `Boot` input at every start.
    pub core: CoreConfig,
    /// Where the journal lives.
    pub journal: JournalConfig,
}

/// A running core. Cheap to share behind an `Arc`; every method returns at once except
/// [`Runtime::settle`] and [`Runtime::shutdown`].
pub struct Runtime {
    shared: Arc<Shared>,
    router: ActorRef<RouterMsg>,
    audio: ActorRef<AudioMsg>,
    ui: ActorRef<UiMsg>,
    handles: std::sync::Mutex<Vec<JoinHandle<()>>>,
    recovered_records: u64,
}

fn open_writer(config: &JournalConfig) -> Result<LogWriter, RuntimeError> {
    Ok(match config {
        JournalConfig::Memory => LogWriter::Direct(Arc::new(MemoryJournal::new())),
        JournalConfig::Shared(j) => LogWriter::Direct(Arc::clone(j)),
        JournalConfig::Sled { dir, policy } => {
            let (journal, report) = SledJournal::open(dir, *policy)?;
            if let Some(bad) = report.quarantined {
                tracing::warn!(?bad, "the journal's damaged tail was set aside");
            }
            let journal: Arc<dyn Journal> = Arc::new(journal);
            let group = GroupCommit::start(Arc::clone(&journal))?;
            LogWriter::Group(journal, Arc::new(std::sync::Mutex::new(Some(group))))
        }
    })
}

fn spawn_err(e: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::Spawn(e.to_string())
}

impl Runtime {
    /// Opens the journal, rebuilds every machine from it, starts the actors, re-arms pending
    /// timers, shows the shell the current `UiState`, and boots the router with `config.core`.
    pub async fn start(config: RuntimeConfig, ports: Ports) -> Result<Runtime, RuntimeError> {
        let writer = open_writer(&config.journal)?;
        let recovered = recover(writer.journal().as_ref())?;
        let mut machines = recovered.machines;
        // Messages between machines lost with the last process (sent, journaled, never received).
        let repairs = machines.reconcile();
        let ui_state = machines.ui.current();
        let shared = Arc::new(Shared::new(ports, writer, ui_state.clone()));

        let ui_args = PlainState::<UiBridge> {
            shared: Arc::clone(&shared),
            machine: std::mem::take(&mut machines.ui),
        };
        let (ui, ui_handle) = Actor::spawn(None, PlainActor::<UiBridge>::default(), ui_args)
            .await
            .map_err(spawn_err)?;
        let audio_args = PlainState::<Audio> {
            shared: Arc::clone(&shared),
            machine: std::mem::take(&mut machines.audio),
        };
        let (audio, audio_handle) = Actor::spawn(None, PlainActor::<Audio>::default(), audio_args)
            .await
            .map_err(spawn_err)?;
        let live = machines.router.live_attempt();
        let sessions = std::mem::take(&mut machines.sessions)
            .into_iter()
            .filter(|(a, s)| Some(*a) == live && !s.is_ended())
            .collect();
        let router_args = RouterArgs {
            shared: Arc::clone(&shared),
            machine: std::mem::take(&mut machines.router),
            sessions,
        };
        let (router, router_handle) = Actor::spawn(None, RouterActor, router_args)
            .await
            .map_err(spawn_err)?;
        let _ = shared.ui.set(ui.clone());
        let _ = shared.audio.set(audio.clone());
        let _ = shared.router.set(router.clone());

        let now = shared.ports.clock.now_ms();
        for (id, due_ms) in recovered.pending_timers {
            if Some(id.attempt) == live {
                shared.start_timer(id, due_ms.saturating_sub(now));
            }
        }
        if ui_state != UiState::Idle {
            shared.ports.ui.render(&ui_state);
        }
        let runtime = Runtime {
            shared,
            router,
            audio,
            ui,
            handles: std::sync::Mutex::new(vec![router_handle, audio_handle, ui_handle]),
            recovered_records: recovered.records,
        };
        if !repairs.is_empty() {
            tracing::warn!(
                count = repairs.len(),
                "redelivering messages lost in a crash"
            );
        }
        for (target, input) in repairs {
            runtime.shared.deliver(target, input);
        }
        runtime.send(Event::Boot(config.core));
        Ok(runtime)
    }

    /// Hands an event to the core and returns at once.
    pub fn send(&self, event: Event) {
        self.shared
            .send(Some(&self.router), RouterMsg::Event(event));
    }

    /// Waits until every event sent so far, and everything it caused, has been handled. Timers
    /// still pending do not count.
    pub async fn settle(&self) {
        self.shared.tracker.settled().await;
    }

    /// The `UiState` last rendered; no actor round-trip.
    pub fn ui_state(&self) -> UiState {
        self.shared.ui_state()
    }

    /// The journal this runtime writes.
    pub fn journal(&self) -> Arc<dyn Journal> {
        Arc::clone(self.shared.writer.journal())
    }

    /// How many records the journal held when the runtime started.
    pub fn recovered_records(&self) -> u64 {
        self.recovered_records
    }

    /// Journal write failures reported so far (each a one-line description).
    pub fn journal_failures(&self) -> Vec<String> {
        self.shared.failures()
    }

    /// Test and simulator hook: makes the session actor of `attempt` panic, so the router
    /// restarts it from the journal.
    #[doc(hidden)]
    pub fn inject_session_panic(&self, attempt: u64) {
        self.shared
            .send(Some(&self.router), RouterMsg::PanicSession(attempt));
    }

    /// Simulator self-test hook: plants a known bug in this runtime (or removes it with `None`),
    /// so the simulator's tests can show that they find it. Never used by an app.
    #[doc(hidden)]
    pub fn plant_bug(&self, bug: Option<PlantedBug>) {
        *self
            .shared
            .planted
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = bug;
    }

    /// Stops every actor and timer, then flushes and closes the journal. Events sent afterwards
    /// are dropped.
    pub async fn shutdown(&self) -> Result<(), RuntimeError> {
        self.settle().await;
        self.stop().await
    }

    /// Simulator hook: stops at once, as a crash would. Messages still in the actors' mailboxes
    /// are lost (nothing is settled first); the journal keeps what was appended and is closed.
    #[doc(hidden)]
    pub async fn crash(&self) -> Result<(), RuntimeError> {
        self.stop().await
    }

    async fn stop(&self) -> Result<(), RuntimeError> {
        self.shared.cancel_all_timers();
        self.router.stop_children(None);
        self.router.stop(None);
        self.audio.stop(None);
        self.ui.stop(None);
        let handles = std::mem::take(&mut *self.handles.lock().unwrap_or_else(|p| p.into_inner()));
        for h in handles {
            let _ = h.await;
        }
        self.shared.writer.close()
    }
}
