//! Call settings and the core's configuration: what a join asks the SDK for, and how the core is
//! set up by the app (allowed link hosts, standalone or additive mode, timeouts).
use serde::{Deserialize, Serialize};

use crate::link::DEFAULT_ALLOWED_HOST;

/// Voice or video session (`SessionSettingsBuilder.setSessionType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SessionType {
    /// Audio only.
    Voice,
    /// Audio and video (the SDK default).
    Video,
}

/// The SDK's audio output mode (`AudioMode`: `.speaker/.earpiece/.bluetooth/.headphones`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AudioMode {
    /// Loudspeaker (the SDK default).
    Speaker,
    /// The phone's receiver.
    Earpiece,
    /// A Bluetooth device.
    Bluetooth,
    /// Wired headphones.
    Headphones,
}

impl AudioMode {
    /// The string the SDK's `CallSession.setAudioMode(_:)` takes.
    pub fn sdk_name(self) -> &'static str {
        match self {
            AudioMode::Speaker => "SPEAKER",
            AudioMode::Earpiece => "EARPIECE",
            AudioMode::Bluetooth => "BLUETOOTH",
            AudioMode::Headphones => "HEADPHONES",
        }
    }
}

/// What a `JoinSession` asks for; the shell turns it into `SessionSettingsBuilder` calls. Settings
/// cannot change once the session has started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SessionSettings {
    /// Title shown in the SDK's header.
    pub title: String,
    /// Voice or video.
    pub session_type: SessionType,
    /// Join with the microphone muted.
    pub start_audio_muted: bool,
    /// Join with the camera off.
    pub start_video_paused: bool,
    /// Initial audio output.
    pub audio_mode: AudioMode,
    /// The SDK's alone-in-call timeout in seconds; 0 disables it (SDK default 300).
    pub idle_timeout_s: u32,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            title: "Switchboard call".to_owned(),
            session_type: SessionType::Video,
            start_audio_muted: false,
            start_video_paused: false,
            audio_mode: AudioMode::Speaker,
            idle_timeout_s: 300,
        }
    }
}

/// Whether the app uses the Calls SDK alone or together with the Chat SDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum IntegrationMode {
    /// Calls only: the chat SDK is never initialised.
    Standalone,
    /// Chat and calls: both SDKs are initialised.
    Additive,
}

/// How the app sets the core up. It is the first input the router records, so a replay uses the
/// same allowed hosts and timeouts as the recorded run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CoreConfig {
    /// Calls only, or chat and calls.
    pub mode: IntegrationMode,
    /// Hosts whose `https://HOST/meet/{id}` links are accepted (compared case-insensitively).
    pub allowed_hosts: Vec<String>,
    /// Settings for every join.
    pub settings: SessionSettings,
    /// A join with no success, no joined callback and no real error ends after this long.
    pub join_timeout_ms: u64,
    /// A leave with no terminal callback ends the call after this long.
    pub leave_ack_timeout_ms: u64,
}

impl Default for CoreConfig {
    fn default() -> Self {
        CoreConfig {
            mode: IntegrationMode::Standalone,
            allowed_hosts: vec![DEFAULT_ALLOWED_HOST.to_owned()],
            settings: SessionSettings::default(),
            join_timeout_ms: 30_000,
            leave_ack_timeout_ms: 10_000,
        }
    }
}
