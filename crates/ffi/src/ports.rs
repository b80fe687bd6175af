//! The three traits the Swift shell implements, and their adapters to the runtime's ports. The
//! core calls them on its own threads; implementations must return quickly and hop to the main
//! thread themselves for UIKit work.
use std::sync::Arc;

use switchboard_domain::command::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{AttemptId, AudioMode, SessionId, SessionSettings, UiState};
use switchboard_runtime::ports as rt;

/// The Calls SDK, implemented by `CometChatCallsAdapter` (and `FakeCallsSDK` in tests). Every
/// callback the adapter later reports for a join must carry the `attempt` given here.
#[uniffi::export(foreign)]
pub trait CallsSdk: Send + Sync {
    /// `CometChatCalls(callsAppSettings:)`.
    fn init_calls(&self);
    /// `CometChat.init` (additive mode only).
    fn init_chat(&self);
    /// Register the SessionStatusListener and ButtonClickListener for this attempt.
    fn register_listeners(&self, attempt: u64);
    /// `CometChatCalls.joinSession(sessionID:callSetting:container:onSuccess:onError:)`.
    fn join_session(&self, attempt: u64, session_id: String, settings: SessionSettings);
    /// `CallSession.shared.leaveSession()`.
    fn leave_session(&self, attempt: u64);
    /// `muteAudio()` / `unmuteAudio()`.
    fn set_audio_muted(&self, attempt: u64, muted: bool);
    /// `pauseVideo()` / `resumeVideo()`.
    fn set_video_paused(&self, attempt: u64, paused: bool);
    /// `setAudioMode(_:)`.
    fn set_audio_mode(&self, attempt: u64, mode: AudioMode);
}

/// `AVAudioSession`, implemented by `AVAudioSessionAdapter`.
#[uniffi::export(foreign)]
pub trait AudioSession: Send + Sync {
    /// `setCategory(_:mode:options:)`.
    fn configure(&self, category: AudioCategory, mode: AudioSessionMode, options: AudioOptions);
    /// `setActive(true)`.
    fn activate(&self);
    /// `setActive(false, options:)`.
    fn deactivate(&self, notify_others: bool);
    /// `overrideOutputAudioPort(_:)`.
    fn override_output(&self, speaker: bool);
}

/// Receives every new `UiState` (the view model).
#[uniffi::export(foreign)]
pub trait UiObserver: Send + Sync {
    /// Draw this state.
    fn render(&self, state: UiState);
}

pub(crate) struct SdkPort(pub Arc<dyn CallsSdk>);
pub(crate) struct AudioPort(pub Arc<dyn AudioSession>);
pub(crate) struct UiPort(pub Arc<dyn UiObserver>);

impl rt::CallsSdk for SdkPort {
    fn init_calls(&self) {
        self.0.init_calls();
    }
    fn init_chat(&self) {
        self.0.init_chat();
    }
    fn register_listeners(&self, attempt: AttemptId) {
        self.0.register_listeners(attempt);
    }
    fn join_session(&self, attempt: AttemptId, session_id: &SessionId, settings: &SessionSettings) {
        self.0
            .join_session(attempt, session_id.to_string(), settings.clone());
    }
    fn leave_session(&self, attempt: AttemptId) {
        self.0.leave_session(attempt);
    }
    fn set_audio_muted(&self, attempt: AttemptId, muted: bool) {
        self.0.set_audio_muted(attempt, muted);
    }
    fn set_video_paused(&self, attempt: AttemptId, paused: bool) {
        self.0.set_video_paused(attempt, paused);
    }
    fn set_audio_mode(&self, attempt: AttemptId, mode: AudioMode) {
        self.0.set_audio_mode(attempt, mode);
    }
}

impl rt::AudioSession for AudioPort {
    fn configure(&self, category: AudioCategory, mode: AudioSessionMode, options: AudioOptions) {
        self.0.configure(category, mode, options);
    }
    fn activate(&self) {
        self.0.activate();
    }
    fn deactivate(&self, notify_others: bool) {
        self.0.deactivate(notify_others);
    }
    fn override_output(&self, speaker: bool) {
        self.0.override_output(speaker);
    }
}

impl rt::UiSink for UiPort {
    fn render(&self, state: &UiState) {
        self.0.render(state.clone());
    }
}
