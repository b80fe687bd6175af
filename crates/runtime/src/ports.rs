//! Ports: the traits the outside world implements. The Swift shell implements them over the FFI;
//! the demo, tests and simulator implement them with fakes. Every method returns at once: the core
//! never waits on the shell. A method that could not do what it was asked returns a
//! [`PortError`]; the runtime records it in the journal as an incident (DESIGN rule 13), as it
//! does when a method panics, and carries on.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use switchboard_domain::effect::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{AttemptId, AudioMode, MediaKind, SessionId, SessionSettings, UiState};

/// What a port call returns: `Err` when the shell could not carry it out.
pub type PortResult = Result<(), PortError>;

/// Why the shell could not carry out a port call: one line, as the shell said it (no tokens, no
/// personal data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortError(pub String);

impl std::fmt::Display for PortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PortError {}

/// The Calls SDK (CometChat Calls SDK v5 on iOS).
pub trait CallsSdk: Send + Sync {
    /// Initialise the Calls SDK; the shell names `request` in its result (`SetupEvent`), so a
    /// late completion of an earlier init is known for what it is. (0 only when replaying logs
    /// written before requests were numbered.)
    fn init_calls(&self, request: u64) -> PortResult;
    /// Initialise the Chat SDK (additive mode only).
    fn init_chat(&self) -> PortResult;
    /// Register the session-status and button listeners; callbacks carry `attempt`.
    fn register_listeners(&self, attempt: AttemptId) -> PortResult;
    /// `joinSession(sessionID:callSetting:container:onSuccess:onError:)`.
    fn join_session(
        &self,
        attempt: AttemptId,
        session_id: &SessionId,
        settings: &SessionSettings,
    ) -> PortResult;
    /// `leaveSession()`.
    fn leave_session(&self, attempt: AttemptId) -> PortResult;
    /// `muteAudio()` / `unmuteAudio()`.
    fn set_audio_muted(&self, attempt: AttemptId, muted: bool) -> PortResult;
    /// `pauseVideo()` / `resumeVideo()`.
    fn set_video_paused(&self, attempt: AttemptId, paused: bool) -> PortResult;
    /// `setAudioMode(_:)`.
    fn set_audio_mode(&self, attempt: AttemptId, mode: AudioMode) -> PortResult;
    /// `CometChatCalls.login(authToken:onSuccess:onError:)`: the shell gets the token from the
    /// app's token provider (the core never sees it) and reports the result as a setup event.
    fn login(&self) -> PortResult;
}

/// `AVAudioSession`.
pub trait AudioSession: Send + Sync {
    /// `setCategory(_:mode:options:)`.
    fn configure(
        &self,
        category: AudioCategory,
        mode: AudioSessionMode,
        options: AudioOptions,
    ) -> PortResult;
    /// `setActive(true)`.
    fn activate(&self) -> PortResult;
    /// `setActive(false, options: notifyOthersOnDeactivation?)`.
    fn deactivate(&self, notify_others: bool) -> PortResult;
    /// `overrideOutputAudioPort(.speaker | .none)`.
    fn override_output(&self, speaker: bool) -> PortResult;
}

/// Where `UiState` goes (SwiftUI's view model), and the app's own system interactions.
pub trait UiSink: Send + Sync {
    /// Draw this state.
    fn render(&self, state: &UiState) -> PortResult;
    /// `AVCaptureDevice.requestAccess(for:)`: the answer comes back as a permission event.
    fn request_permission(&self, media: MediaKind) -> PortResult;
    /// Open the app's page in the Settings app (`UIApplication.openSettingsURLString`).
    fn open_app_settings(&self) -> PortResult;
    /// Show the share sheet with a meeting link.
    fn share_link(&self, url: &str) -> PortResult;
}

/// The time stamped on every journal record.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch (or since any fixed origin, for fakes).
    fn now_ms(&self) -> u64;
}

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }
}

/// A clock that only moves when told to: for demos and tests.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock reading `start_ms`.
    pub fn new(start_ms: u64) -> Self {
        ManualClock(AtomicU64::new(start_ms))
    }

    /// Moves the clock forward.
    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The four ports a runtime talks to.
#[derive(Clone)]
pub struct Ports {
    /// The Calls SDK.
    pub sdk: Arc<dyn CallsSdk>,
    /// The audio session.
    pub audio: Arc<dyn AudioSession>,
    /// The UI.
    pub ui: Arc<dyn UiSink>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}
