//! Short, readable one-line descriptions of inputs, commands and machine states, for timelines
//! (`switchboard demo`, `switchboard replay`) and logs. Session ids are shown; tokens never exist
//! in these types.
use std::fmt;

use crate::command::Command;

use crate::view::Notice;

use crate::message::Message;

use crate::device::{Authorization, SetupEvent, WaitingFor};
use crate::effect::Effect;
use crate::incident::Incident;
use crate::input::{AudioEvent, AudioInput, Input, RouterInput, SdkEvent, SessionInput, UiInput};
use crate::ui::UiState;
use crate::view::{AudioView, EndReason, PhaseView};

impl fmt::Display for SdkEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkEvent::JoinSucceeded => f.write_str("joinSession onSuccess"),
            SdkEvent::JoinFailed { code, message } => {
                write!(f, "joinSession onError {} \"{message}\"", code.sdk_name())
            }
            SdkEvent::SessionJoined => f.write_str("onSessionJoined"),
            SdkEvent::SessionLeft => f.write_str("onSessionLeft"),
            SdkEvent::SessionTimedOut => f.write_str("onSessionTimedOut"),
            SdkEvent::ConnectionLost => f.write_str("onConnectionLost"),
            SdkEvent::ConnectionRestored => f.write_str("onConnectionRestored"),
            SdkEvent::ConnectionClosed => f.write_str("onConnectionClosed"),
            SdkEvent::LeaveButtonClicked => f.write_str("onLeaveSessionButtonClicked"),
            SdkEvent::ParticipantCountChanged { count } => write!(f, "participants = {count}"),
            SdkEvent::LocalAudioMuted { muted } => write!(f, "local audio muted = {muted}"),
            SdkEvent::LocalVideoPaused { paused } => write!(f, "local video paused = {paused}"),
            SdkEvent::AudioModeChanged { mode } => {
                write!(f, "onAudioModeChanged {}", mode.sdk_name())
            }
            SdkEvent::ButtonClicked { button } => f.write_str(button.sdk_callback()),
        }
    }
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndReason::JoinFailed { code, .. } => write!(f, "JoinFailed({})", code.sdk_name()),
            EndReason::SetupFailed { step, .. } => write!(f, "SetupFailed({})", step.name()),
            EndReason::NotReady { waiting_for } => write!(f, "NotReady({waiting_for:?})"),
            other => write!(f, "{other:?}"),
        }
    }
}

impl fmt::Display for AudioEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AudioEvent::RouteChanged { reason, output } => {
                write!(f, "route changed to {output:?} ({reason:?})")
            }
            AudioEvent::InterruptionBegan { reason } => {
                write!(f, "interruption began ({reason:?})")
            }
            AudioEvent::InterruptionEnded { should_resume } => {
                write!(f, "interruption ended (shouldResume = {should_resume})")
            }
            AudioEvent::MediaServicesReset => f.write_str("media services were reset"),
        }
    }
}

impl fmt::Display for SessionInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionInput::Start {
                attempt,
                session_id,
                ..
            } => write!(f, "start attempt {attempt} for session {session_id}"),
            SessionInput::ViewAppeared => f.write_str("call view appeared"),
            SessionInput::ViewDisappeared => f.write_str("call view disappeared"),
            SessionInput::Leave => f.write_str("user leave"),
            SessionInput::ToggleMic => f.write_str("toggle mic"),
            SessionInput::ToggleCamera => f.write_str("toggle camera"),
            SessionInput::Sdk(e) => write!(f, "sdk: {e}"),
            SessionInput::TimerFired(kind) => write!(f, "timer fired: {kind:?}"),
            SessionInput::SelectAudioMode { mode } => {
                write!(f, "select audio mode {}", mode.sdk_name())
            }
            SessionInput::AppRelaunched {
                attempt,
                session_id,
            } => write!(
                f,
                "app relaunched: attempt {attempt} ({session_id}) died with the old process"
            ),
            SessionInput::Hold { waiting_for } => {
                write!(
                    f,
                    "hold the join: waiting for {}",
                    waiting_for_name(*waiting_for)
                )
            }
            SessionInput::Release { camera_unavailable } => {
                if *camera_unavailable {
                    f.write_str("release the join (camera unavailable: video paused)")
                } else {
                    f.write_str("release the join")
                }
            }
            SessionInput::Abandon { reason } => write!(f, "abandon the join: {reason}"),
            SessionInput::JoinNotStarted { message } => {
                write!(
                    f,
                    "the shell could not start the join: {}",
                    clip(message, 160)
                )
            }
        }
    }
}

impl fmt::Display for Incident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Incident::JournalSetAside { kept_as, message } => {
                write!(f, "journal set aside as {kept_as}: {}", clip(message, 160))
            }
            Incident::JournalTailQuarantined {
                from_seq,
                batches,
                bytes,
                message,
            } => write!(
                f,
                "journal tail from seq {from_seq} quarantined ({batches} batches, {bytes} bytes): {}",
                clip(message, 160)
            ),
            Incident::StorageLeftoversRemoved { files } => {
                write!(f, "storage leftovers removed: {}", files.join(", "))
            }
            Incident::PortFailed { command, message } => {
                write!(f, "port call failed: {command}: {}", clip(message, 160))
            }
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::LinkRejected { reason } => write!(f, "link rejected ({})", reason.code()),
            Notice::SwitchOffered { to } => write!(f, "offer switch to {to}"),
            Notice::SwitchCleared => f.write_str("switch offer cleared"),
            Notice::Dismissed => f.write_str("dismissed"),
            Notice::JoinRefused { session_id, reason } => {
                write!(f, "join of {session_id} refused ({reason})")
            }
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Router(r) => match r {
                RouterInput::Boot(c) => write!(f, "boot ({:?} mode)", c.mode),
                RouterInput::OpenLink { url } => write!(f, "open link {}", clip(url, 80)),
                RouterInput::Join { session_id } => write!(f, "join {}", clip(session_id, 80)),
                RouterInput::AnswerSwitch { accept } => write!(f, "answer switch: {accept}"),
                RouterInput::Retry => f.write_str("retry"),
                RouterInput::Dismiss => f.write_str("dismiss"),
                RouterInput::ForCurrent(i) => write!(f, "for current call: {i}"),
                RouterInput::AttemptEnded { attempt, reason } => {
                    write!(f, "attempt {attempt} ended ({reason})")
                }
                RouterInput::StaleSdkEvent { attempt, event } => {
                    write!(f, "stale sdk event for attempt {attempt}: {event}")
                }
                RouterInput::Incident(i) => i.fmt(f),
                RouterInput::Launch(l) => write!(
                    f,
                    "launch ({:?} mode; microphone {}, camera {})",
                    l.config.mode,
                    authorization_name(l.permissions.microphone),
                    authorization_name(l.permissions.camera)
                ),
                RouterInput::Setup(e) => e.fmt(f),
                RouterInput::Permission { media, status } => {
                    write!(
                        f,
                        "{} permission: {}",
                        media.name(),
                        authorization_name(*status)
                    )
                }
                RouterInput::NewMeeting { session_id } => {
                    write!(f, "new meeting {}", clip(session_id, 80))
                }
                RouterInput::ShareInvite { attempt } => {
                    write!(f, "share invite pressed (attempt {attempt})")
                }
                RouterInput::OpenSettings => f.write_str("user asked to open Settings"),
            },
            Input::Session(s) => s.fmt(f),
            Input::Audio(a) => match a {
                AudioInput::CallStarting { attempt, video } => {
                    write!(f, "call starting (attempt {attempt}, video = {video})")
                }
                AudioInput::CallEnded { attempt } => write!(f, "call ended (attempt {attempt})"),
                AudioInput::Event(e) => e.fmt(f),
                AudioInput::SelectRoute { speaker } => {
                    write!(f, "select route speaker = {speaker}")
                }
                AudioInput::App(s) => write!(f, "app {s:?}"),
                AudioInput::PortFailed { command, message } => {
                    write!(
                        f,
                        "audio port call failed: {command}: {}",
                        clip(message, 160)
                    )
                }
            },
            Input::Ui(u) => match u {
                UiInput::Session(v) => {
                    write!(f, "session {} is {}", v.attempt, phase_label(&v.phase))
                }
                UiInput::Audio(v) => describe_audio(f, v),
                UiInput::Notice(n) => n.fmt(f),
            },
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Effect(e) => e.fmt(f),
            Command::Message(m) => m.fmt(f),
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Effect::*;
        match self {
            InitCallsSdk => f.write_str("init Calls SDK"),
            InitChatSdk => f.write_str("init Chat SDK"),
            RegisterListeners { attempt } => write!(f, "register listeners (attempt {attempt})"),
            JoinSession {
                attempt,
                session_id,
                settings,
            } => write!(
                f,
                "joinSession {session_id} (attempt {attempt}, {:?}, muted = {}, video paused = {})",
                settings.session_type, settings.start_audio_muted, settings.start_video_paused
            ),
            LeaveSession { attempt } => write!(f, "leaveSession (attempt {attempt})"),
            MuteAudio { .. } => f.write_str("muteAudio"),
            UnmuteAudio { .. } => f.write_str("unmuteAudio"),
            PauseVideo { .. } => f.write_str("pauseVideo"),
            ResumeVideo { .. } => f.write_str("resumeVideo"),
            SetAudioMode { mode, .. } => write!(f, "setAudioMode {}", mode.sdk_name()),
            ConfigureAudio {
                category,
                mode,
                options,
            } => write!(
                f,
                "audio setCategory {category:?} mode {mode:?} (bluetooth = {}, speaker = {})",
                options.allow_bluetooth, options.default_to_speaker
            ),
            ActivateAudio => f.write_str("audio setActive(true)"),
            DeactivateAudio { notify_others } => {
                write!(f, "audio setActive(false, notifyOthers = {notify_others})")
            }
            OverrideOutput { speaker } => write!(f, "audio override output speaker = {speaker}"),
            StartTimer { id, after_ms } => write!(f, "start timer {:?} ({after_ms} ms)", id.kind),
            CancelTimer { id } => write!(f, "cancel timer {:?}", id.kind),
            Render(state) => write!(f, "render {}", describe_ui(state)),
            LoginCallsSdk => f.write_str("login Calls SDK (with the app's token)"),
            RequestPermission { media } => write!(f, "request {} permission", media.name()),
            OpenAppSettings => f.write_str("open the app's Settings page"),
            ShareLink { url } => write!(f, "share link {}", clip(url, 120)),
            InitCalls { request } => write!(f, "init Calls SDK (#{request})"),
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Message::*;
        match self {
            StartAttempt {
                attempt,
                session_id,
                ..
            } => write!(f, "start attempt {attempt} for {session_id}"),
            Forward { attempt, input } => write!(f, "to session/{attempt}: {input}"),
            CallStarting { attempt, video } => {
                write!(f, "call starting (attempt {attempt}, video = {video})")
            }
            Ended { attempt, reason } => write!(f, "ENDED attempt {attempt}: {reason}"),
            SessionChanged(v) => write!(f, "session {} is {}", v.attempt, phase_label(&v.phase)),
            AudioChanged(v) => describe_audio(f, v),
            Notify(n) => write!(f, "notify: {n}"),
        }
    }
}

impl fmt::Display for SetupEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupEvent::InitSucceeded { request, logged_in } => write!(
                f,
                "Calls SDK init #{request} succeeded ({})",
                if *logged_in {
                    "already logged in"
                } else {
                    "not logged in"
                }
            ),
            SetupEvent::InitFailed { request, message } => {
                write!(
                    f,
                    "Calls SDK init #{request} FAILED: {}",
                    clip(message, 160)
                )
            }
            SetupEvent::LoginSucceeded => f.write_str("Calls SDK login succeeded"),
            SetupEvent::LoginFailed { message } => {
                write!(f, "Calls SDK login FAILED: {}", clip(message, 160))
            }
        }
    }
}

/// How a permission status reads in a timeline.
pub fn authorization_name(status: Authorization) -> &'static str {
    match status {
        Authorization::NotDetermined => "not determined",
        Authorization::Restricted => "restricted",
        Authorization::Denied => "denied",
        Authorization::Authorized => "authorized",
    }
}

fn waiting_for_name(w: WaitingFor) -> &'static str {
    match w {
        WaitingFor::CallingService => "the calling service (init and login)",
        WaitingFor::MicrophonePermission => "the microphone prompt",
        WaitingFor::CameraPermission => "the camera prompt",
    }
}

fn describe_audio(f: &mut fmt::Formatter<'_>, v: &AudioView) -> fmt::Result {
    write!(
        f,
        "audio active = {}, interrupted = {}, route {:?}",
        v.active, v.interrupted, v.route
    )?;
    if v.unavailable {
        f.write_str(", UNAVAILABLE (activation failed)")?;
    }
    Ok(())
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!(
            "{}… ({} bytes)",
            s.chars().take(max).collect::<String>(),
            s.len()
        )
    }
}

fn phase_label(p: &PhaseView) -> String {
    match p {
        PhaseView::Ended(r) => format!("ended ({r})"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// A one-line description of a `UiState`.
pub fn describe_ui(state: &UiState) -> String {
    match state {
        UiState::InCall {
            muted,
            camera_off,
            participant_count,
            audio_route,
            ..
        } => format!(
            "{} (muted = {muted}, camera off = {camera_off}, {participant_count} in call, {audio_route:?})",
            state.label()
        ),
        UiState::Joining {
            waiting_for: Some(w),
            ..
        } => format!("{} ({})", state.label(), waiting_for_name(*w)),
        UiState::Ended { message, .. } | UiState::Error { message, .. } => {
            format!("{} \"{message}\" [call view dismissed]", state.label())
        }
        other => other.label().to_owned(),
    }
}
