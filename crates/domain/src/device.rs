//! What the phone around the call reports: whether the Calls SDK is ready (its init and login
//! results, DESIGN rule 11) and what the user allowed (microphone and camera, rule 12). The router
//! holds a join until both say yes, and says what it is waiting for.
use serde::{Deserialize, Serialize};

/// `AVAuthorizationStatus` for one kind of capture device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Authorization {
    /// `.notDetermined`: the user has not been asked yet.
    #[default]
    NotDetermined,
    /// `.restricted`: not allowed, and the user cannot change it (parental controls, MDM).
    Restricted,
    /// `.denied`: the user said no; only the Settings app can change it now.
    Denied,
    /// `.authorized`.
    Authorized,
}

impl Authorization {
    /// True when the device may be used.
    pub fn granted(self) -> bool {
        self == Authorization::Authorized
    }

    /// True when the device may not be used and asking again shows no prompt.
    pub fn refused(self) -> bool {
        matches!(self, Authorization::Denied | Authorization::Restricted)
    }
}

/// A capture device a call needs permission for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MediaKind {
    /// `AVCaptureDevice.requestAccess(for: .audio)`.
    Microphone,
    /// `AVCaptureDevice.requestAccess(for: .video)`.
    Camera,
}

impl MediaKind {
    /// Its name in a sentence.
    pub fn name(self) -> &'static str {
        match self {
            MediaKind::Microphone => "microphone",
            MediaKind::Camera => "camera",
        }
    }
}

/// The microphone and camera authorisation the shell read when the app started
/// (`AVCaptureDevice.authorizationStatus(for:)`), recorded with the launch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Permissions {
    /// The microphone.
    pub microphone: Authorization,
    /// The camera.
    pub camera: Authorization,
}

impl Permissions {
    /// Both allowed (tests and tools that do not model the prompts).
    pub const GRANTED: Permissions = Permissions {
        microphone: Authorization::Authorized,
        camera: Authorization::Authorized,
    };

    /// The status of one device.
    pub fn of(&self, media: MediaKind) -> Authorization {
        match media {
            MediaKind::Microphone => self.microphone,
            MediaKind::Camera => self.camera,
        }
    }

    /// Sets the status of one device.
    pub fn set(&mut self, media: MediaKind, status: Authorization) {
        match media {
            MediaKind::Microphone => self.microphone = status,
            MediaKind::Camera => self.camera = status,
        }
    }
}

/// The step of getting the Calls SDK ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SetupStep {
    /// `CometChatCalls(callsAppSettings:onSuccess:onError:)`.
    Init,
    /// `CometChatCalls.login(authToken:onSuccess:onError:)`.
    Login,
}

impl SetupStep {
    /// Its name in a sentence.
    pub fn name(self) -> &'static str {
        match self {
            SetupStep::Init => "init",
            SetupStep::Login => "login",
        }
    }
}

/// What the shell reports about getting the Calls SDK ready: the completions of init and login.
/// An init result names the init it completes (the `request` the core gave `init_calls`), so a
/// late completion of an init the core has since asked for again is known for what it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SetupEvent {
    /// Init's `onSuccess`, with whether `CometChatCalls.getLoggedInUser()` then gave a user
    /// (already logged in: no login needed).
    InitSucceeded {
        /// The init this completes, as given to `init_calls`.
        request: u64,
        /// A user is logged in already.
        logged_in: bool,
    },
    /// Init's `onError`, with the exception's description (or a line saying there was none).
    InitFailed {
        /// The init this completes, as given to `init_calls`.
        request: u64,
        /// The SDK's message.
        message: String,
    },
    /// Login's `onSuccess`.
    LoginSucceeded,
    /// Login's `onError` (or the app's token provider could not give a token).
    LoginFailed {
        /// The SDK's (or the token provider's) message.
        message: String,
    },
}

/// What a held join is waiting for, as the UI says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum WaitingFor {
    /// The Calls SDK's init or login ("connecting").
    CallingService,
    /// The user's answer to the microphone prompt.
    MicrophonePermission,
    /// The user's answer to the camera prompt (video calls).
    CameraPermission,
}

impl WaitingFor {
    /// A short line for the joining screen.
    pub fn message(self) -> &'static str {
        match self {
            WaitingFor::CallingService => "Connecting to the calling service…",
            WaitingFor::MicrophonePermission => "Waiting for microphone access…",
            WaitingFor::CameraPermission => "Waiting for camera access…",
        }
    }
}
