//! The Switchboard runtime: ractor actors hosting the domain machines (router, one session per
//! attempt, audio, UI bridge), the ports to the outside world, timers, supervision, and recovery
//! from the journal.
//!
//! Persist before effect: every input an actor takes is appended to the journal together with the
//! commands its machine decided, and nothing is performed until that append is durable (one group
//! commit per batch on the sled journal). A runtime started on an existing journal is a new
//! process (DESIGN rule 10): it rebuilds every machine by replaying the journal, ends the call the
//! old process left live (its SDK session died with it) without re-arming its timers, and carries
//! on.
//!
//! It cannot hang and does not give up: a journal sled cannot open is set aside and a fresh one
//! started (the reason is the new log's first input); a port that fails or panics becomes a
//! journaled incident; an actor that panics rebuilds itself in place; [`Runtime::shutdown`] is
//! bounded, and no port is called once it has returned.
#![warn(missing_docs)]

mod actors;
#[cfg(feature = "fakes")]
pub mod fakes;
#[cfg(feature = "sim-hooks")]
mod hooks;
mod log;
mod messages;
pub mod ports;
mod recover;
mod shared;
mod tracker;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorRef};
use switchboard_domain::audio::Audio;
use switchboard_domain::ui_bridge::UiBridge;
use switchboard_domain::{CoreConfig, Event, Incident, Launch, MachineError, Permissions, UiState};
pub use switchboard_journal::Pace;
pub use switchboard_journal::Retention;
use switchboard_journal::{
    FlushPolicy, GroupCommit, Journal, MemoryJournal, NoPace, OpenReport, SledJournal,
    SnapshottingJournal,
};
use tokio::task::JoinHandle;

pub use log::LogWriter;
pub use messages::{AudioMsg, Envelope, RouterMsg, SessionMsg, UiMsg};
pub use ports::{
    AudioSession, CallsSdk, Clock, ManualClock, PortError, PortResult, Ports, SystemClock, UiSink,
};
pub use recover::{recover, Recovered};

use actors::{PlainActor, PlainState, RouterActor, RouterArgs};
#[cfg(feature = "sim-hooks")]
#[doc(hidden)]
pub use hooks::PlantedBug;
pub use shared::panic_message;
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
    /// Shutdown could not wait for everything in flight (it stopped and closed the journal
    /// anyway).
    #[error("shut down with {in_flight} message(s) still in flight after {waited_ms} ms and {ports_busy} port call(s) under way")]
    Unsettled {
        /// Messages still counted in flight when the wait ran out.
        in_flight: usize,
        /// How long shutdown waited.
        waited_ms: u64,
        /// Port calls that had not returned when the port gate closed.
        ports_busy: usize,
    },
}

/// How long [`Runtime::shutdown`] waits for everything in flight to be handled.
pub const SHUTDOWN_SETTLE_MS: u64 = 3_000;

/// How long shutdown waits for each actor to stop, and for port calls under way to return.
pub const SHUTDOWN_STOP_MS: u64 = 1_000;

/// Most events in flight at once; [`Runtime::try_send`] refuses more (the actors' mailboxes are
/// otherwise unbounded).
pub const EVENTS_IN_FLIGHT_MAX: usize = 10_000;

/// [`Runtime::try_send`] refused an event: too many are in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the core is overloaded: {in_flight} messages in flight")]
pub struct Overloaded {
    /// Messages in flight at the time.
    pub in_flight: usize,
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
        /// How much history the journal keeps (whole calls are deleted from the oldest end).
        retention: Retention,
    },
    /// A journal the caller owns, written through the same group-commit writer as `Sled`, run
    /// as a task on the runtime's own executor instead of a thread, and paced by what `pace`
    /// makes (one per start). The simulator uses it: on its seeded single thread, the pace
    /// decides which appends share a commit and when each is acknowledged.
    Shared {
        /// The journal.
        journal: Arc<dyn Journal>,
        /// Makes the writer's pace for each start ([`NoPace`] drains at once).
        pace: PaceMaker,
    },
}

/// Makes a group-commit writer's [`Pace`] for a runtime start.
pub type PaceMaker = Arc<dyn Fn() -> Box<dyn Pace> + Send + Sync>;

impl JournalConfig {
    /// A journal the caller owns, written through a group-commit task that drains at once.
    pub fn shared(journal: Arc<dyn Journal>) -> JournalConfig {
        JournalConfig::Shared {
            journal,
            pace: Arc::new(|| Box::new(NoPace)),
        }
    }
}

/// Sends events to a running core; see [`Runtime::events`]. Events sent after shutdown are
/// dropped.
#[derive(Clone)]
pub struct EventSink {
    shared: Arc<Shared>,
}

impl EventSink {
    /// Hands an event to the core (like [`Runtime::send`], without the in-flight bound).
    pub fn send(&self, event: Event) {
        self.shared.send_router(RouterMsg::Event(event));
    }
}

/// How to start a runtime.
#[derive(Clone)]
pub struct RuntimeConfig {
    /// The core's configuration, recorded with the router's `Launch` input at every start.
    pub core: CoreConfig,
    /// Where the journal lives.
    pub journal: JournalConfig,
    /// Microphone and camera authorisation as the shell read them when the app started (DESIGN
    /// rule 12), recorded with the `Launch`.
    pub permissions: Permissions,
}

/// A running core. Cheap to share behind an `Arc`; every method returns at once except
/// [`Runtime::settle`] and [`Runtime::shutdown`].
pub struct Runtime {
    shared: Arc<Shared>,
    router: ActorRef<Envelope<RouterMsg>>,
    audio: ActorRef<Envelope<AudioMsg>>,
    ui: ActorRef<Envelope<UiMsg>>,
    handles: std::sync::Mutex<Vec<JoinHandle<()>>>,
    recovered_records: u64,
}

/// Opens the journal, recovers every machine from it (from its newest snapshot), and says what
/// had to be repaired to open it, as incidents to record. Every journal is wrapped in a
/// [`SnapshottingJournal`]; only the app's sled journal deletes old calls.
fn open_writer(
    config: &JournalConfig,
) -> Result<(LogWriter, Vec<Incident>, Recovered), RuntimeError> {
    let wrap = |journal: Arc<dyn Journal>, retention| -> Result<_, RuntimeError> {
        let (journal, report) = SnapshottingJournal::open(journal, retention)?;
        let recovered = Recovered {
            machines: journal.machines(),
            records: report.records,
            report,
        };
        Ok((Arc::new(journal) as Arc<dyn Journal>, recovered))
    };
    Ok(match config {
        JournalConfig::Memory => {
            let (journal, recovered) = wrap(Arc::new(MemoryJournal::new()), Retention::KEEP_ALL)?;
            (LogWriter::Direct(journal), vec![], recovered)
        }
        JournalConfig::Shared { journal, pace } => {
            let (journal, recovered) = wrap(Arc::clone(journal), Retention::KEEP_ALL)?;
            let (group, task) = GroupCommit::start_task(Arc::clone(&journal), pace())?;
            let task = tokio::spawn(task);
            (
                LogWriter::group(journal, group, Some(task)),
                vec![],
                recovered,
            )
        }
        JournalConfig::Sled {
            dir,
            policy,
            retention,
        } => {
            let (journal, report) = SledJournal::open_or_set_aside(dir, *policy)?;
            let incidents = open_incidents(report);
            let (journal, recovered) = wrap(Arc::new(journal), *retention)?;
            let group = GroupCommit::start(Arc::clone(&journal))?;
            (LogWriter::group(journal, group, None), incidents, recovered)
        }
    })
}

/// What opening the journal repaired, as incidents, the set-aside journal first.
fn open_incidents(report: OpenReport) -> Vec<Incident> {
    let mut out = Vec::new();
    if let Some(aside) = report.set_aside {
        let kept_as = aside.path.file_name().map_or_else(
            || aside.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        out.push(Incident::JournalSetAside {
            kept_as,
            message: switchboard_domain::incident::clip_message(&aside.reason),
        });
    }
    if !report.leftovers_removed.is_empty() {
        out.push(Incident::StorageLeftoversRemoved {
            files: report.leftovers_removed,
        });
    }
    if let Some(bad) = report.quarantined {
        tracing::warn!(?bad, "the journal's damaged tail was set aside");
        out.push(Incident::JournalTailQuarantined {
            from_seq: bad.from_seq,
            batches: bad.batches as u64,
            bytes: bad.bytes as u64,
            message: switchboard_domain::incident::clip_message(&bad.reason),
        });
    }
    out
}

fn spawn_err(e: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::Spawn(e.to_string())
}

impl Runtime {
    /// Opens the journal, rebuilds every machine from it, starts the actors, shows the shell the
    /// current `UiState` unless it is a call view, and launches the router with `config.core` and
    /// `config.permissions`. Joins then wait for the shell's setup events (init, login) and for
    /// the microphone to be allowed (DESIGN rules 11 and 12).
    ///
    /// A start is a new process (DESIGN rule 10): an attempt the log shows as still live belonged
    /// to the process that died, so it is ended (`AppRelaunched`, after `Launch`), its timers are
    /// not re-armed, and no call view is shown for it: the shell first sees the relaunch notice
    /// (an `Ended` state with `AppTerminated`, offering rejoin) or whatever was on screen before.
    pub async fn start(config: RuntimeConfig, ports: Ports) -> Result<Runtime, RuntimeError> {
        let (writer, incidents, recovered) = open_writer(&config.journal)?;
        let mut machines = recovered.machines;
        // The old process's live attempt ends, and messages between machines lost with it (sent,
        // journaled, never received) are delivered, except those that would carry the call on.
        let repairs = machines.reconcile_at_launch();
        let recovered_ui = machines.ui.current();
        let ui_state = if recovered_ui.shows_call_view() {
            UiState::Idle
        } else {
            recovered_ui
        };
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

        // The old process's timers are not re-armed: every core timer belongs to the live
        // attempt, which the repairs above end.
        if ui_state != UiState::Idle {
            let render = switchboard_domain::Effect::Render(ui_state.clone());
            shared.call_port(&render, |p| p.ui.render(&ui_state));
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
        // What opening the journal repaired comes first: on a fresh log after a set-aside, the
        // reason is its first input.
        for incident in incidents {
            runtime.send(Event::Incident(incident));
        }
        // Then the boot, so the router knows it is a new process (no call view on screen, no
        // switch the old one's user accepted) before the old process's loose ends reach it.
        runtime.send(Event::Launch(Launch {
            config: config.core,
            permissions: config.permissions,
        }));
        for (target, input) in repairs {
            runtime.shared.deliver(target, input);
        }
        Ok(runtime)
    }

    /// Hands an event to the core and returns at once. When [`EVENTS_IN_FLIGHT_MAX`] messages are
    /// already in flight the event is dropped (and logged); [`Runtime::try_send`] says so instead.
    pub fn send(&self, event: Event) {
        if let Err(e) = self.try_send(event) {
            tracing::error!(error = %e, "event dropped");
            self.shared.record_failure(format!("event dropped: {e}"));
        }
    }

    /// Hands an event to the core and returns at once, or refuses it when
    /// [`EVENTS_IN_FLIGHT_MAX`] messages are already in flight.
    pub fn try_send(&self, event: Event) -> Result<(), Overloaded> {
        let in_flight = self.shared.tracker.in_flight();
        if in_flight >= EVENTS_IN_FLIGHT_MAX {
            return Err(Overloaded { in_flight });
        }
        self.shared
            .send(Some(&self.router), RouterMsg::Event(event));
        Ok(())
    }

    /// A handle that sends events to this core from anywhere (a fake shell answering a port call
    /// from inside it, as a real SDK's completion handler would later).
    pub fn events(&self) -> EventSink {
        EventSink {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Waits until every event sent so far, and everything it caused, has been handled. Timers
    /// still pending do not count. Every message's count ends however its handling ends, so
    /// this returns unless an actor is stuck inside a port call; [`Runtime::settle_within`]
    /// bounds the wait.
    pub async fn settle(&self) {
        self.shared.tracker.settled().await;
    }

    /// Like [`Runtime::settle`], for at most `bound`; true when everything was handled.
    pub async fn settle_within(&self, bound: Duration) -> bool {
        tokio::time::timeout(bound, self.settle()).await.is_ok()
    }

    /// Messages in flight now.
    pub fn in_flight(&self) -> usize {
        self.shared.tracker.in_flight()
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
    #[cfg(feature = "sim-hooks")]
    #[doc(hidden)]
    pub fn inject_session_panic(&self, attempt: u64) {
        self.shared
            .send(Some(&self.router), RouterMsg::PanicSession(attempt));
    }

    /// Test hook: makes the router, audio or UI actor panic while handling its next message, so
    /// it rebuilds itself from the journal in place (a session's name goes to
    /// [`Runtime::inject_session_panic`]).
    #[cfg(feature = "sim-hooks")]
    #[doc(hidden)]
    pub fn inject_panic(&self, actor: switchboard_domain::ActorName) {
        use switchboard_domain::ActorName;
        match actor {
            ActorName::Router => self.shared.send_panic(Some(&self.router)),
            ActorName::Audio => self.shared.send_panic(Some(&self.audio)),
            ActorName::Ui => self.shared.send_panic(Some(&self.ui)),
            ActorName::Session(attempt) => self.inject_session_panic(attempt),
        }
    }

    /// Simulator self-test hook: plants a known bug in this runtime (or removes it with `None`),
    /// so the simulator's tests can show that they find it. Never used by an app.
    #[cfg(feature = "sim-hooks")]
    #[doc(hidden)]
    pub fn plant_bug(&self, bug: Option<PlantedBug>) {
        self.shared.planted.set(bug);
    }

    /// Waits (at most [`SHUTDOWN_SETTLE_MS`]) for everything in flight, stops every actor and
    /// timer, closes the ports and then flushes and closes the journal. Events sent afterwards
    /// are dropped, and no port is called once this has returned. When the wait ran out it still
    /// stops and closes, then says what was left ([`RuntimeError::Unsettled`]).
    pub async fn shutdown(&self) -> Result<(), RuntimeError> {
        let settled = self
            .settle_within(Duration::from_millis(SHUTDOWN_SETTLE_MS))
            .await;
        let in_flight = self.in_flight();
        let ports_busy = self.stop().await?;
        if settled && ports_busy == 0 {
            return Ok(());
        }
        let e = RuntimeError::Unsettled {
            in_flight: if settled { 0 } else { in_flight },
            waited_ms: SHUTDOWN_SETTLE_MS,
            ports_busy,
        };
        tracing::error!(error = %e, "shutdown did not settle");
        Err(e)
    }

    /// Simulator hook: stops at once, as a crash would. Messages still in the actors' mailboxes
    /// are lost (nothing is settled first); the journal keeps what was appended and is closed.
    #[cfg(feature = "sim-hooks")]
    #[doc(hidden)]
    pub async fn crash(&self) -> Result<(), RuntimeError> {
        self.stop().await.map(|_| ())
    }

    /// Stops timers and actors (each waited for at most [`SHUTDOWN_STOP_MS`]), closes the port
    /// gate, and closes the journal. Returns how many port calls were still under way.
    async fn stop(&self) -> Result<usize, RuntimeError> {
        let bound = Duration::from_millis(SHUTDOWN_STOP_MS);
        self.shared.cancel_all_timers();
        self.router.stop_children(None);
        self.router.stop(None);
        self.audio.stop(None);
        self.ui.stop(None);
        let mut handles =
            std::mem::take(&mut *self.handles.lock().unwrap_or_else(|p| p.into_inner()));
        // Sessions too: an actor of a stopped runtime must not write or act afterwards (a
        // crashed process's actors are gone; a restart must not meet them).
        handles.extend(self.shared.take_session_tasks());
        for h in handles {
            if tokio::time::timeout(bound, h).await.is_err() {
                tracing::error!("an actor did not stop in time");
            }
        }
        let ports_busy = self.shared.close_ports(bound).await;
        self.shared.cancel_all_timers();
        self.shared.writer.close().await?;
        Ok(ports_busy)
    }
}
