//! The `Switchboard` object: one core per app, built from a config and the shell's ports. Every
//! input method enqueues an event and returns at once; the actors run on the object's own tokio
//! runtime, so the caller (the main thread) never waits on an actor.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard_domain::{
    AppState, AudioEvent, Authorization, CoreConfig, Event, MediaKind, Permissions, SdkEvent,
    SetupEvent, UiState,
};
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
    /// `AVCaptureDevice.authorizationStatus(for: .audio)` and `(for: .video)` at launch.
    pub permissions: Permissions,
}

/// The call core, as the Swift shell sees it.
#[derive(uniffi::Object)]
pub struct Switchboard {
    /// Always `Some` until drop, which takes it out (see the `Drop` impl).
    tokio: Option<tokio::runtime::Runtime>,
    core: Mutex<Option<Arc<Runtime>>>,
    data_dir: PathBuf,
}

/// The data directory of a config: it must be an absolute path (an empty or relative one would
/// put the log wherever the process's working directory happens to be).
fn checked_data_dir(data_dir: &str) -> Result<PathBuf, SwitchboardError> {
    let path = PathBuf::from(data_dir);
    if data_dir.trim().is_empty() || !path.is_absolute() {
        return Err(SwitchboardError::InvalidConfig {
            message: format!("data_dir must be an absolute path, not '{data_dir}'"),
        });
    }
    Ok(path)
}

/// Writes `journal`'s records as JSON Lines to `path`, redacted when asked; replaces an existing
/// file only once the new one is complete. Returns the number of records written.
fn export_records(
    journal: &dyn Journal,
    path: &str,
    redact: bool,
) -> Result<u64, SwitchboardError> {
    let records: Vec<_> = journal.scan(0).collect::<Result<_, _>>()?;
    let records = if redact {
        switchboard_journal::redact::redact(&records, &switchboard_journal::redact::fresh_salt())?
    } else {
        records
    };
    switchboard_journal::write_atomically(Path::new(path), |out| {
        Ok(switchboard_journal::export_jsonl(
            records.into_iter().map(Ok),
            out,
        )?)
    })
}

impl Drop for Switchboard {
    /// The last reference may go away on one of the core's own threads (inside a port call, when
    /// the host's garbage collector frees it there): a tokio runtime dropped in an async context
    /// panics, so it is shut down in the background instead, which never blocks or panics.
    fn drop(&mut self) {
        if let Some(tokio) = self.tokio.take() {
            tokio.shutdown_background();
        }
    }
}

impl Switchboard {
    fn tokio(&self) -> Result<&tokio::runtime::Runtime, SwitchboardError> {
        self.tokio.as_ref().ok_or(SwitchboardError::ShutDown)
    }

    /// The running core; the lock is held only to clone it, so no call ever waits on another.
    fn running(&self) -> Result<Arc<Runtime>, SwitchboardError> {
        let core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        core.clone().ok_or(SwitchboardError::ShutDown)
    }

    fn set_aside_prefix(&self) -> (PathBuf, String) {
        let parent = self
            .data_dir
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_owned);
        let name = self
            .data_dir
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        (
            parent,
            format!("{name}{}", switchboard_journal::SET_ASIDE_SUFFIX),
        )
    }

    fn with_core<T>(&self, f: impl FnOnce(&Runtime) -> T) -> Result<T, SwitchboardError> {
        Ok(f(self.running()?.as_ref()))
    }

    fn send(&self, event: Event) -> Result<(), SwitchboardError> {
        guard(|| {
            self.with_core(|rt| rt.try_send(event))?
                .map_err(|e| SwitchboardError::Overloaded {
                    message: e.to_string(),
                })
        })
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
            let data_dir = checked_data_dir(&config.data_dir)?;
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
                    dir: data_dir.clone(),
                    policy: FlushPolicy::PerBatch,
                    retention: Default::default(),
                },
                permissions: config.permissions,
            };
            let core = tokio.block_on(Runtime::start(runtime_config, ports))?;
            Ok(Arc::new(Switchboard {
                tokio: Some(tokio),
                core: Mutex::new(Some(Arc::new(core))),
                data_dir,
            }))
        })
    }

    /// The Calls SDK's init or login completed: init's `onSuccess` (with whether
    /// `CometChatCalls.getLoggedInUser()` gave a user) or `onError`, login's `onSuccess` or
    /// `onError`. No join goes out before init and login have succeeded in this process.
    pub fn setup_event(&self, event: SetupEvent) -> Result<(), SwitchboardError> {
        self.send(Event::Setup(event))
    }

    /// The answer to `request_permission`, or a status the app saw change.
    pub fn permission_changed(
        &self,
        media: MediaKind,
        status: Authorization,
    ) -> Result<(), SwitchboardError> {
        self.send(Event::Permission { media, status })
    }

    /// The user started a new meeting: `session_id` is a fresh id the app generated
    /// (`UUID().uuidString`), checked like any other.
    pub fn new_meeting(&self, session_id: String) -> Result<(), SwitchboardError> {
        self.send(Event::NewMeeting { session_id })
    }

    /// The user tapped "Open Settings" on an error that needs a permission.
    pub fn open_settings(&self) -> Result<(), SwitchboardError> {
        self.send(Event::OpenSettings)
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
                .tokio()?
                .block_on(async { tokio::time::timeout(limit, rt.settle()).await });
            Ok(settled.is_ok())
        })
    }

    /// Writes the event log as JSON Lines to `path` (for support); `redact` replaces session ids
    /// with stable salted hashes. Returns the number of records written.
    pub fn export_log(&self, path: String, redact: bool) -> Result<u64, SwitchboardError> {
        guard(|| {
            let journal: Arc<dyn Journal> = self.with_core(Runtime::journal)?;
            export_records(journal.as_ref(), &path, redact)
        })
    }

    /// The journals the core set aside because they could not be opened (names of directories
    /// beside the data directory, oldest first). Each can be exported for support with
    /// [`Switchboard::export_set_aside_log`].
    pub fn set_aside_logs(&self) -> Result<Vec<String>, SwitchboardError> {
        guard(|| {
            let (parent, prefix) = self.set_aside_prefix();
            let mut found: Vec<(u32, String)> = match std::fs::read_dir(&parent) {
                Ok(entries) => entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        let n = name.strip_prefix(&prefix)?.parse().ok()?;
                        Some((n, name))
                    })
                    .collect(),
                Err(_) => Vec::new(),
            };
            found.sort();
            Ok(found.into_iter().map(|(_, name)| name).collect())
        })
    }

    /// Writes a set-aside journal (a name from [`Switchboard::set_aside_logs`]) as JSON Lines to
    /// `path`, as far as it can be read; `redact` as for [`Switchboard::export_log`]. Returns the
    /// number of records written.
    pub fn export_set_aside_log(
        &self,
        name: String,
        path: String,
        redact: bool,
    ) -> Result<u64, SwitchboardError> {
        guard(|| {
            let (parent, prefix) = self.set_aside_prefix();
            if !name.starts_with(&prefix) || name.contains(['/', '\\']) {
                return Err(SwitchboardError::InvalidConfig {
                    message: format!("'{name}' is not a set-aside journal of this core"),
                });
            }
            let journal = switchboard_journal::SledJournal::open_existing(parent.join(&name))?;
            // A damaged journal is exported up to its first unreadable record.
            let good: Vec<_> = journal.scan(0).map_while(Result::ok).collect();
            let memory = switchboard_journal::MemoryJournal::new();
            memory.append(&good.into_iter().map(Into::into).collect::<Vec<_>>())?;
            export_records(&memory, &path, redact)
        })
    }

    /// Stops the core: every actor and timer, then flushes and closes the log. Later calls fail
    /// with `ShutDown`.
    pub fn shutdown(&self) -> Result<(), SwitchboardError> {
        guard(|| {
            let core = self.core.lock().unwrap_or_else(|p| p.into_inner()).take();
            match core {
                Some(rt) => Ok(self.tokio()?.block_on(rt.shutdown())?),
                None => Err(SwitchboardError::ShutDown),
            }
        })
    }
}
