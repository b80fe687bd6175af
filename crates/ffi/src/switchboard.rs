//! The `Switchboard` object: one core per app, built from a config and the shell's ports. Every
//! input method enqueues an event and returns at once; the actors run on the object's own tokio
//! runtime, so the caller (the main thread) never waits on an actor.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard_domain::{AppState, AudioEvent, CoreConfig, Event, SdkEvent, UiState};
use switchboard_journal::{FlushPolicy, Journal};
use switchboard_runtime::{JournalConfig, Ports, Runtime, RuntimeConfig, SystemClock};

use crate::error::{guard, SwitchboardError};
use crate::ports::{AudioPort, AudioSession, CallsSdk, SdkPort, UiObserver, UiPort};

/// How the app sets the core up.
#[derive(Clone, Debug, uniffi::Record)]
pub struct SwitchboardConfig {
    /// Where the event log lives (created if missing), e.g. Application Support/switchboard.
    pub data_dir: String,
    /// Allowed link hosts, calls-only or chat-and-calls mode, session settings, timeouts.
    pub core: CoreConfig,
}

/// The call core, as the Swift shell sees it.
#[derive(uniffi::Object)]
pub struct Switchboard {
    tokio: tokio::runtime::Runtime,
    core: Mutex<Option<Arc<Runtime>>>,
}

impl Switchboard {
    /// The running core; the lock is held only to clone it, so no call ever waits on another.
    fn running(&self) -> Result<Arc<Runtime>, SwitchboardError> {
        let core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        core.clone().ok_or(SwitchboardError::ShutDown)
    }

    fn with_core<T>(&self, f: impl FnOnce(&Runtime) -> T) -> Result<T, SwitchboardError> {
        Ok(f(self.running()?.as_ref()))
    }

    fn send(&self, event: Event) -> Result<(), SwitchboardError> {
        guard(|| self.with_core(|rt| rt.send(event)))
    }
}

#[uniffi::export]
impl Switchboard {
    /// Opens (or creates) the event log in `config.data_dir`, rebuilds the call state from it,
    /// starts the actors and boots the core. Blocks only for that start-up.
    #[uniffi::constructor]
    pub fn new(
        config: SwitchboardConfig,
        sdk: Arc<dyn CallsSdk>,
        audio: Arc<dyn AudioSession>,
        ui: Arc<dyn UiObserver>,
    ) -> Result<Arc<Self>, SwitchboardError> {
        guard(|| {
            if config.core.allowed_hosts.is_empty() {
                return Err(SwitchboardError::InvalidConfig {
                    message: "no allowed link host".to_owned(),
                });
            }
            let tokio = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("switchboard")
                .enable_all()
                .build()?;
            let ports = Ports {
                sdk: Arc::new(SdkPort(sdk)),
                audio: Arc::new(AudioPort(audio)),
                ui: Arc::new(UiPort(ui)),
                clock: Arc::new(SystemClock),
            };
            let runtime_config = RuntimeConfig {
                core: config.core,
                journal: JournalConfig::Sled {
                    dir: PathBuf::from(config.data_dir),
                    policy: FlushPolicy::PerBatch,
                },
            };
            let core = tokio.block_on(Runtime::start(runtime_config, ports))?;
            Ok(Arc::new(Switchboard {
                tokio,
                core: Mutex::new(Some(Arc::new(core))),
            }))
        })
    }

    /// A meeting link was opened (Universal Link or in-app): the raw URL, unchecked.
    pub fn open_url(&self, url: String) -> Result<(), SwitchboardError> {
        self.send(Event::OpenLink { url })
    }

    /// The user asked to join a session by id.
    pub fn join(&self, session_id: String) -> Result<(), SwitchboardError> {
        self.send(Event::Join { session_id })
    }

    /// The user pressed the app's own leave control.
    pub fn leave(&self) -> Result<(), SwitchboardError> {
        self.send(Event::Leave)
    }

    /// A Calls SDK callback (SessionStatusListener, ButtonClickListener, joinSession's
    /// completions...) for the attempt the adapter was given in `join_session`.
    pub fn sdk_event(&self, attempt: u64, event: SdkEvent) -> Result<(), SwitchboardError> {
        self.send(Event::Sdk { attempt, event })
    }

    /// An `AVAudioSession` notification.
    pub fn audio_event(&self, event: AudioEvent) -> Result<(), SwitchboardError> {
        self.send(Event::Audio(event))
    }

    /// The user toggled the microphone.
    pub fn toggle_mic(&self) -> Result<(), SwitchboardError> {
        self.send(Event::ToggleMic)
    }

    /// The user toggled the camera.
    pub fn toggle_camera(&self) -> Result<(), SwitchboardError> {
        self.send(Event::ToggleCamera)
    }

    /// The user picked the loudspeaker (`true`) or the default route (`false`).
    pub fn select_audio_route(&self, speaker: bool) -> Result<(), SwitchboardError> {
        self.send(Event::SelectAudioRoute { speaker })
    }

    /// The app moved to the foreground or background.
    pub fn app_state(&self, state: AppState) -> Result<(), SwitchboardError> {
        self.send(Event::App(state))
    }

    /// The call view (the SDK's container) appeared on screen.
    pub fn view_appeared(&self) -> Result<(), SwitchboardError> {
        self.send(Event::ViewAppeared)
    }

    /// The call view went away.
    pub fn view_disappeared(&self) -> Result<(), SwitchboardError> {
        self.send(Event::ViewDisappeared)
    }

    /// The user asked to retry a failed call.
    pub fn retry(&self) -> Result<(), SwitchboardError> {
        self.send(Event::Retry)
    }

    /// The user dismissed the ended call or the error alert.
    pub fn dismiss(&self) -> Result<(), SwitchboardError> {
        self.send(Event::Dismiss)
    }

    /// The user answered "switch to the other call?".
    pub fn answer_switch(&self, accept: bool) -> Result<(), SwitchboardError> {
        self.send(Event::AnswerSwitch { accept })
    }

    /// The `UiState` last rendered. Never waits on an actor.
    pub fn ui_state(&self) -> Result<UiState, SwitchboardError> {
        guard(|| self.with_core(Runtime::ui_state))
    }

    /// Waits up to `timeout_ms` until every input so far has been handled; true when it has.
    /// For tests and previews: never call it on the main thread of an app.
    pub fn wait_until_idle(&self, timeout_ms: u64) -> Result<bool, SwitchboardError> {
        guard(|| {
            let rt = self.running()?;
            let limit = Duration::from_millis(timeout_ms);
            let settled = self
                .tokio
                .block_on(async { tokio::time::timeout(limit, rt.settle()).await });
            Ok(settled.is_ok())
        })
    }

    /// Writes the event log as JSON Lines to `path` (for support); `redact` replaces session ids
    /// with stable salted hashes. Returns the number of records written.
    pub fn export_log(&self, path: String, redact: bool) -> Result<u64, SwitchboardError> {
        guard(|| {
            let journal: Arc<dyn Journal> = self.with_core(Runtime::journal)?;
            let records: Vec<_> = journal.scan(0).collect::<Result<_, _>>()?;
            let records = if redact {
                switchboard_journal::redact::redact(
                    &records,
                    &switchboard_journal::redact::fresh_salt(),
                )?
            } else {
                records
            };
            // An export at the same path as an earlier one replaces it only once complete.
            switchboard_journal::write_atomically(Path::new(&path), |out| {
                Ok(switchboard_journal::export_jsonl(
                    records.into_iter().map(Ok),
                    out,
                )?)
            })
        })
    }

    /// Stops the core: every actor and timer, then flushes and closes the log. Later calls fail
    /// with `ShutDown`.
    pub fn shutdown(&self) -> Result<(), SwitchboardError> {
        guard(|| {
            let core = self.core.lock().unwrap_or_else(|p| p.into_inner()).take();
            match core {
                Some(rt) => Ok(self.tokio.block_on(rt.shutdown())?),
                None => Err(SwitchboardError::ShutDown),
            }
        })
    }
}
