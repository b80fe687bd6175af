//! The three traits the Swift shell implements, and their adapters to the runtime's ports. The
//! core calls them on its own threads; implementations must return quickly and hop to the main
//! thread themselves for UIKit work.
//!
//! Every method may fail: a Swift `throw` (any error, not only [`PortError`]) comes back as an
//! error, and the core records it in its log as a failed port call (DESIGN rule 13) and goes on.
use std::sync::Arc;

use switchboard_domain::effect::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{AttemptId, AudioMode, MediaKind, SessionId, SessionSettings, UiState};
use switchboard_runtime::ports as rt;

/// Why the shell could not carry out a port call. Throw it (or any other error) from a port
/// method; the core journals the call and the message. Keep the message to one line, with no
/// tokens or personal data.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PortError {
    /// The call could not be carried out.
    #[error("{message}")]
    Failed {
        /// What went wrong, for the log.
        message: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PortError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        PortError::Failed { message: e.reason }
    }
}

/// The runtime's port result for a shell's answer.
fn port(result: Result<(), PortError>) -> rt::PortResult {
    result.map_err(|e| rt::PortError(e.to_string()))
}

/// The Calls SDK, implemented by `CometChatCallsAdapter` (and `FakeCallsSDK` in tests). Every
/// callback the adapter later reports for a join must carry the `attempt` given here.
#[uniffi::export(foreign)]
pub trait CallsSdk: Send + Sync {
    /// `CometChatCalls(callsAppSettings:onSuccess:onError:)`. Report its completion with
    /// `Switchboard.setup_event`, naming this `request` (`InitSucceeded`/`InitFailed`): the core
    /// counts only the answer to the latest init it asked for.
    fn init_calls(&self, request: u64) -> Result<(), PortError>;
    /// `CometChat.init` (additive mode only).
    fn init_chat(&self) -> Result<(), PortError>;
    /// Register the SessionStatusListener and ButtonClickListener for this attempt.
    fn register_listeners(&self, attempt: u64) -> Result<(), PortError>;
    /// `CometChatCalls.joinSession(sessionID:callSetting:container:onSuccess:onError:)`.
    fn join_session(
        &self,
        attempt: u64,
        session_id: String,
        settings: SessionSettings,
    ) -> Result<(), PortError>;
    /// `CallSession.shared.leaveSession()`.
    fn leave_session(&self, attempt: u64) -> Result<(), PortError>;
    /// `muteAudio()` / `unmuteAudio()`.
    fn set_audio_muted(&self, attempt: u64, muted: bool) -> Result<(), PortError>;
    /// `pauseVideo()` / `resumeVideo()`.
    fn set_video_paused(&self, attempt: u64, paused: bool) -> Result<(), PortError>;
    /// `setAudioMode(_:)`.
    fn set_audio_mode(&self, attempt: u64, mode: AudioMode) -> Result<(), PortError>;
    /// `CometChatCalls.login(authToken:onSuccess:onError:)`, with a token from the app's own
    /// token provider (the core never sees it). Report the result with
    /// `Switchboard.setup_event` (`LoginSucceeded` or `LoginFailed`).
    fn login(&self) -> Result<(), PortError>;
}

/// `AVAudioSession`, implemented by `AVAudioSessionAdapter`.
#[uniffi::export(foreign)]
pub trait AudioSession: Send + Sync {
    /// `setCategory(_:mode:options:)`.
    fn configure(
        &self,
        category: AudioCategory,
        mode: AudioSessionMode,
        options: AudioOptions,
    ) -> Result<(), PortError>;
    /// `setActive(true)`.
    fn activate(&self) -> Result<(), PortError>;
    /// `setActive(false, options:)`.
    fn deactivate(&self, notify_others: bool) -> Result<(), PortError>;
    /// `overrideOutputAudioPort(_:)`.
    fn override_output(&self, speaker: bool) -> Result<(), PortError>;
}

/// Receives every new `UiState` (the view model), and performs the app's system interactions.
#[uniffi::export(foreign)]
pub trait UiObserver: Send + Sync {
    /// Draw this state.
    fn render(&self, state: UiState) -> Result<(), PortError>;
    /// `AVCaptureDevice.requestAccess(for:)`; report the answer with
    /// `Switchboard.permission_changed`.
    fn request_permission(&self, media: MediaKind) -> Result<(), PortError>;
    /// Open this app's page in the Settings app (`UIApplication.openSettingsURLString`).
    fn open_app_settings(&self) -> Result<(), PortError>;
    /// Show the share sheet with this meeting link.
    fn share_link(&self, url: String) -> Result<(), PortError>;
}

pub(crate) struct SdkPort(pub Arc<dyn CallsSdk>);
pub(crate) struct AudioPort(pub Arc<dyn AudioSession>);
pub(crate) struct UiPort(pub Arc<dyn UiObserver>);

impl rt::CallsSdk for SdkPort {
    fn init_calls(&self, request: u64) -> rt::PortResult {
        port(self.0.init_calls(request))
    }
    fn init_chat(&self) -> rt::PortResult {
        port(self.0.init_chat())
    }
    fn register_listeners(&self, attempt: AttemptId) -> rt::PortResult {
        port(self.0.register_listeners(attempt))
    }
    fn join_session(
        &self,
        attempt: AttemptId,
        session_id: &SessionId,
        settings: &SessionSettings,
    ) -> rt::PortResult {
        port(
            self.0
                .join_session(attempt, session_id.to_string(), settings.clone()),
        )
    }
    fn leave_session(&self, attempt: AttemptId) -> rt::PortResult {
        port(self.0.leave_session(attempt))
    }
    fn set_audio_muted(&self, attempt: AttemptId, muted: bool) -> rt::PortResult {
        port(self.0.set_audio_muted(attempt, muted))
    }
    fn set_video_paused(&self, attempt: AttemptId, paused: bool) -> rt::PortResult {
        port(self.0.set_video_paused(attempt, paused))
    }
    fn set_audio_mode(&self, attempt: AttemptId, mode: AudioMode) -> rt::PortResult {
        port(self.0.set_audio_mode(attempt, mode))
    }
    fn login(&self) -> rt::PortResult {
        port(self.0.login())
    }
}

impl rt::AudioSession for AudioPort {
    fn configure(
        &self,
        category: AudioCategory,
        mode: AudioSessionMode,
        options: AudioOptions,
    ) -> rt::PortResult {
        port(self.0.configure(category, mode, options))
    }
    fn activate(&self) -> rt::PortResult {
        port(self.0.activate())
    }
    fn deactivate(&self, notify_others: bool) -> rt::PortResult {
        port(self.0.deactivate(notify_others))
    }
    fn override_output(&self, speaker: bool) -> rt::PortResult {
        port(self.0.override_output(speaker))
    }
}

impl rt::UiSink for UiPort {
    fn render(&self, state: &UiState) -> rt::PortResult {
        port(self.0.render(state.clone()))
    }
    fn request_permission(&self, media: MediaKind) -> rt::PortResult {
        port(self.0.request_permission(media))
    }
    fn open_app_settings(&self) -> rt::PortResult {
        port(self.0.open_app_settings())
    }
    fn share_link(&self, url: &str) -> rt::PortResult {
        port(self.0.share_link(url.to_owned()))
    }
}
