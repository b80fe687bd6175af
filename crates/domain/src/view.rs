//! The words the machines share: how a session and the audio session look to the UI bridge
//! ([`SessionView`], [`AudioView`]), why a call ended ([`EndReason`]), and the SDK's and the
//! audio session's own vocabulary those carry ([`JoinErrorCode`], [`AudioPort`]), and what the
//! router tells the user ([`Notice`]). A leaf: it
//! depends on no machine, input or command, so every one of those can name it.
use serde::{Deserialize, Serialize};

use crate::device::{SetupStep, WaitingFor};
use crate::ids::{AttemptId, SessionId};
use crate::rejection::LinkRejection;
use crate::settings::AudioMode;

/// The error codes of `joinSession`'s `onError`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum JoinErrorCode {
    /// `INIT ERROR`: SDK 5.0.x reports it spuriously and then joins anyway.
    Init,
    /// `AUTH TOKEN ERROR`.
    AuthToken,
    /// `SESSION ID ERROR`.
    SessionId,
    /// `API ERROR`.
    Api,
    /// Any other code, as the SDK gave it.
    Other {
        /// The SDK's code.
        code: String,
    },
}

impl JoinErrorCode {
    /// The codes the SDK documents, by their SDK spelling.
    const KNOWN: [(&'static str, JoinErrorCode); 4] = [
        ("INIT ERROR", JoinErrorCode::Init),
        ("AUTH TOKEN ERROR", JoinErrorCode::AuthToken),
        ("SESSION ID ERROR", JoinErrorCode::SessionId),
        ("API ERROR", JoinErrorCode::Api),
    ];

    /// Maps the SDK's error code string to a code. Case, surrounding space and underscores for
    /// spaces do not matter (`auth_token_error` is AUTH TOKEN ERROR); anything else is `Other`,
    /// keeping the SDK's code as given (trimmed).
    pub fn from_sdk(code: &str) -> Self {
        let name = normalised(code);
        match Self::KNOWN.iter().find(|(known, _)| *known == name) {
            Some((_, code)) => code.clone(),
            None => JoinErrorCode::Other {
                code: code.trim().to_owned(),
            },
        }
    }

    /// Maps what `joinSession`'s `onError` hands over: the error's code and its description,
    /// either of which may be missing. A known code in `code` wins; otherwise a known code named
    /// in the description (the SDK's docs show codes in both places); otherwise `Other` with the
    /// code as given, or `UNKNOWN ERROR` when there is none.
    pub fn from_sdk_error(code: Option<&str>, description: Option<&str>) -> Self {
        let by_code = Self::from_sdk(code.unwrap_or_default());
        if !matches!(by_code, JoinErrorCode::Other { .. }) {
            return by_code;
        }
        let text = normalised(description.unwrap_or_default());
        if let Some((_, known)) = Self::KNOWN.iter().find(|(name, _)| text.contains(name)) {
            return known.clone();
        }
        match by_code {
            JoinErrorCode::Other { code } if !code.is_empty() => JoinErrorCode::Other { code },
            _ => JoinErrorCode::Other {
                code: "UNKNOWN ERROR".to_owned(),
            },
        }
    }

    /// The SDK's spelling of the code.
    pub fn sdk_name(&self) -> &str {
        match self {
            JoinErrorCode::Init => "INIT ERROR",
            JoinErrorCode::AuthToken => "AUTH TOKEN ERROR",
            JoinErrorCode::SessionId => "SESSION ID ERROR",
            JoinErrorCode::Api => "API ERROR",
            JoinErrorCode::Other { code } => code,
        }
    }
}

/// Upper case (ASCII: the codes are), underscores as spaces, trimmed: how codes are compared.
fn normalised(text: &str) -> String {
    text.trim().to_ascii_uppercase().replace('_', " ")
}

/// The kind of the current output port (`AVAudioSession.Port`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AudioPort {
    #[default]
    Receiver,
    Speaker,
    BluetoothHfp,
    BluetoothA2dp,
    Headphones,
    CarAudio,
    AirPlay,
    Other,
}

/// Why an attempt ended. The SDK gives no reason with its terminal callbacks, so the session works
/// it out from its own state (rule 2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum EndReason {
    /// We left: a terminal callback after our leave, or no callback before the leave timeout.
    LocalLeave,
    /// `onConnectionClosed` while we were not leaving.
    ConnectionClosed,
    /// `onSessionTimedOut`: the SDK's idle (alone) timeout.
    IdleTimeout,
    /// `onSessionLeft` while we were not leaving: removed, or ended remotely.
    RemovedOrRemote,
    /// `joinSession` failed with a real error.
    JoinFailed {
        /// The code.
        code: JoinErrorCode,
        /// The SDK's description.
        message: String,
    },
    /// The join did not complete before the core's join timeout.
    JoinTimedOut,
    /// The app's process ended while the attempt was live (a crash, the system reclaiming memory
    /// in the background, a force-quit): its SDK session died with it, and the next process
    /// ended the attempt when it booted (DESIGN rule 10). Declared last so that logs written
    /// before it existed decode unchanged.
    AppTerminated,
    /// The microphone is denied (or restricted): the call was not joined (DESIGN rule 12).
    MicrophoneDenied,
    /// The Calls SDK's init or login failed while the join waited for it (rule 11).
    SetupFailed {
        /// Which step.
        step: SetupStep,
        /// The SDK's message.
        message: String,
    },
    /// The join waited for the SDK (or a permission answer) until the join timeout ran out.
    NotReady {
        /// What it was still waiting for.
        waiting_for: WaitingFor,
    },
}

impl EndReason {
    /// A sentence for the user.
    pub fn message(&self) -> String {
        match self {
            EndReason::LocalLeave => "You left the call.".to_owned(),
            EndReason::ConnectionClosed => "The connection to the call was closed.".to_owned(),
            EndReason::IdleTimeout => {
                "The call ended because you were alone in it for too long.".to_owned()
            }
            EndReason::RemovedOrRemote => "The call was ended by someone else.".to_owned(),
            EndReason::JoinFailed { code, message } => {
                format!("Could not join the call ({}): {message}", code.sdk_name())
            }
            EndReason::JoinTimedOut => "Joining the call took too long.".to_owned(),
            EndReason::AppTerminated => {
                "The call ended when the app closed. You can rejoin it.".to_owned()
            }
            EndReason::MicrophoneDenied => "Calls need the microphone, and access to it is off. \
                 Turn it on in Settings > Privacy & Security > Microphone, then join again."
                .to_owned(),
            EndReason::SetupFailed { step, message } => format!(
                "Could not connect to the calling service ({} failed): {message}",
                step.name()
            ),
            EndReason::NotReady { waiting_for } => match waiting_for {
                WaitingFor::CallingService => {
                    "The calling service did not get ready in time. Try again.".to_owned()
                }
                WaitingFor::MicrophonePermission | WaitingFor::CameraPermission => {
                    "The call waited too long for an answer about camera or microphone access."
                        .to_owned()
                }
            },
        }
    }

    /// A join failure, shown as an alert rather than a plain "call ended".
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            EndReason::JoinFailed { .. }
                | EndReason::JoinTimedOut
                | EndReason::MicrophoneDenied
                | EndReason::SetupFailed { .. }
                | EndReason::NotReady { .. }
        )
    }

    /// Whether the user needs the Settings app to fix it (an "Open Settings" action).
    pub fn needs_settings(&self) -> bool {
        matches!(self, EndReason::MicrophoneDenied)
    }

    /// Whether offering "retry" makes sense.
    pub fn can_retry(&self) -> bool {
        matches!(
            self,
            EndReason::ConnectionClosed
                | EndReason::JoinTimedOut
                | EndReason::AppTerminated
                | EndReason::SetupFailed { .. }
                | EndReason::NotReady { .. }
                | EndReason::JoinFailed {
                    code: JoinErrorCode::Api | JoinErrorCode::Other { .. },
                    ..
                }
        )
    }
}

/// Where a session is, as the UI needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhaseView {
    /// Started, waiting for the call view to appear.
    Waiting,
    /// `JoinSession` sent, not joined yet.
    Joining,
    /// Joined and connected.
    Connected,
    /// Joined, connection lost, the SDK is reconnecting.
    Reconnecting,
    /// `LeaveSession` sent, waiting for the terminal callback.
    Leaving,
    /// Ended.
    Ended(EndReason),
}

/// A session's state as published to the UI bridge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionView {
    /// The attempt.
    pub attempt: AttemptId,
    /// The session.
    pub session_id: SessionId,
    /// The call's title.
    pub title: String,
    /// Where it is.
    pub phase: PhaseView,
    /// Local microphone muted.
    pub muted: bool,
    /// Local camera off.
    pub camera_off: bool,
    /// Participants, the local user included.
    pub participant_count: u32,
    /// The SDK's audio mode, when it has reported one.
    pub audio_mode: Option<AudioMode>,
    /// The join is held until this is ready (rules 11 and 12).
    pub waiting_for: Option<WaitingFor>,
    /// The camera is denied: a video call joins with video paused.
    pub camera_unavailable: bool,
}

/// The audio machine's state as published to the UI bridge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AudioView {
    /// The session is active.
    pub active: bool,
    /// An interruption began and audio has not resumed.
    pub interrupted: bool,
    /// The current output port.
    pub route: AudioPort,
    /// Activating (or configuring) the audio session failed; it is retried on the next foreground
    /// or route change.
    pub unavailable: bool,
}

/// Something the router tells the user through the UI bridge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// A link was rejected.
    LinkRejected {
        /// Why.
        reason: LinkRejection,
    },
    /// A link for another session arrived during a call: ask the user whether to switch.
    SwitchOffered {
        /// The other session.
        to: SessionId,
    },
    /// The switch offer was declined or is gone.
    SwitchCleared,
    /// The user dismissed the ended call or the alert.
    Dismissed,
    /// A join that cannot happen at all was refused before any attempt started (the microphone
    /// is denied or restricted: DESIGN rule 12), so no call view is shown for it. Declared last
    /// so that logs written before it existed decode unchanged.
    JoinRefused {
        /// The session the user asked for.
        session_id: SessionId,
        /// Why (what the error view says).
        reason: EndReason,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn other(code: &str) -> JoinErrorCode {
        JoinErrorCode::Other { code: code.into() }
    }

    #[test]
    fn sdk_codes_map_whatever_their_case_spacing_or_underscores() {
        assert_eq!(JoinErrorCode::from_sdk("INIT ERROR"), JoinErrorCode::Init);
        assert_eq!(
            JoinErrorCode::from_sdk(" auth_token_error "),
            JoinErrorCode::AuthToken
        );
        assert_eq!(
            JoinErrorCode::from_sdk("Session Id Error"),
            JoinErrorCode::SessionId
        );
        assert_eq!(JoinErrorCode::from_sdk("API ERROR"), JoinErrorCode::Api);
        assert_eq!(
            JoinErrorCode::from_sdk(" ERR_SOMETHING "),
            other("ERR_SOMETHING")
        );
        for (name, code) in JoinErrorCode::KNOWN {
            assert_eq!(code.sdk_name(), name);
        }
    }

    #[test]
    fn a_missing_or_unknown_code_falls_back_to_the_description_then_to_unknown() {
        let map = JoinErrorCode::from_sdk_error;
        assert_eq!(
            map(None, Some("INIT ERROR: not initialised")),
            JoinErrorCode::Init
        );
        assert_eq!(
            map(Some("E42"), Some("api error while joining")),
            JoinErrorCode::Api
        );
        assert_eq!(map(Some("E42"), Some("no idea")), other("E42"));
        assert_eq!(
            map(Some("  "), Some("something else")),
            other("UNKNOWN ERROR")
        );
        assert_eq!(map(None, None), other("UNKNOWN ERROR"));
        // A known code wins over what the description says.
        assert_eq!(
            map(Some("AUTH TOKEN ERROR"), Some("INIT ERROR")),
            JoinErrorCode::AuthToken
        );
    }
}
