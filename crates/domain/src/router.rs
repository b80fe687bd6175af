//! The router machine: meeting links and join requests, which attempt is current, switching
//! between calls, retry, the SDKs to initialise (rule 9), and whether a join may go out yet: the
//! Calls SDK's init and login (rule 11) and the microphone and camera permissions (rule 12).
use serde::{Deserialize, Serialize};

use crate::command::Command;

use crate::view::Notice;

use crate::message::Message;

use crate::device::{Authorization, MediaKind, Permissions, SetupEvent, SetupStep, WaitingFor};
use crate::effect::Effect;
use crate::ids::{AttemptId, SessionId};
use crate::incident::Incident;
use crate::input::{Launch, RouterInput, SessionInput};
use crate::link::{meeting_link, validate_link};
use crate::machine::Machine;
use crate::rejection::LinkRejection;
use crate::settings::{CoreConfig, IntegrationMode, SessionType};
use crate::view::EndReason;

/// The attempt the router last started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Current {
    /// The attempt.
    pub attempt: AttemptId,
    /// Its session.
    pub session_id: SessionId,
    /// Set once the attempt ended.
    pub ended: Option<EndReason>,
    /// What its join is held for, as last told to the session.
    pub held: Option<WaitingFor>,
    /// The router last let its join go.
    pub released: bool,
    /// The router ended it before its join (nothing more to decide).
    pub abandoned: bool,
    /// Its join was let go at some point, so the SDK may have been used for it.
    pub used_sdk: bool,
}

/// Where one step of getting the Calls SDK ready is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Readiness {
    /// Not done in this process (yet).
    #[default]
    Pending,
    /// Done.
    Ready,
    /// Failed with the SDK's message; the next join asks again.
    Failed(String),
}

/// The Calls SDK as this process knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdkReadiness {
    /// Init (again after every call).
    pub init: Readiness,
    /// Login.
    pub login: Readiness,
    /// An `InitCallsSdk` is out and not answered.
    pub init_sent: bool,
    /// A `LoginCallsSdk` is out and not answered.
    pub login_sent: bool,
    /// The number of the latest init asked for in this process (`Effect::InitCalls`).
    pub init_request: u64,
    /// When the last `InitCallsSdk` and `LoginCallsSdk` went out.
    pub init_sent_at: u64,
    /// See `init_sent_at`.
    pub login_sent_at: u64,
}

impl SdkReadiness {
    /// Init and login both done.
    pub fn ready(&self) -> bool {
        self.init == Readiness::Ready && self.login == Readiness::Ready
    }
}

/// State of the router.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Router {
    config: CoreConfig,
    last_attempt: AttemptId,
    current: Option<Current>,
    pending_switch: Option<SessionId>,
    switch_accepted: bool,
    view_visible: bool,
    /// Rules 11 and 12 apply: this process started with [`RouterInput::Launch`]. A log that only
    /// holds [`RouterInput::Boot`] predates them and replays as recorded (joins are not held).
    gated: bool,
    sdk: SdkReadiness,
    permissions: Permissions,
    /// Permission prompts out and not answered, with when they were asked for.
    asked: Vec<(MediaKind, u64)>,
    /// The time of the input being handled (machines read no clock: it comes with the input).
    now: u64,
}

impl Router {
    /// The attempt last started, if any.
    pub fn current(&self) -> Option<&Current> {
        self.current.as_ref()
    }

    /// The attempt whose call is not over yet, if any.
    pub fn live_attempt(&self) -> Option<AttemptId> {
        self.current
            .as_ref()
            .filter(|c| c.ended.is_none())
            .map(|c| c.attempt)
    }

    /// The one liveness rule, for `Core` and the runtime alike: an SDK callback for `attempt` goes
    /// to its session while the router holds `attempt` as the live one and its session exists
    /// (`session_exists`: the session machine in `Core`, the session actor in the runtime);
    /// otherwise the router records it as stale. So both journal a late callback under the same
    /// actor.
    pub fn routes_callbacks_to(&self, attempt: AttemptId, session_exists: bool) -> bool {
        self.live_attempt() == Some(attempt) && session_exists
    }

    /// Whether the shell last reported the call view on screen, whatever the attempt (an ended
    /// call whose view is still up is a stranded view).
    pub fn view_visible(&self) -> bool {
        self.view_visible
    }

    /// The configuration from the last boot.
    pub fn config(&self) -> &CoreConfig {
        &self.config
    }

    /// Whether joins are held until the SDK is ready and the microphone allowed (a process
    /// started with `Launch`).
    pub fn gated(&self) -> bool {
        self.gated
    }

    /// The Calls SDK's readiness in this process.
    pub fn sdk(&self) -> &SdkReadiness {
        &self.sdk
    }

    /// The permissions as last reported.
    pub fn permissions(&self) -> Permissions {
        self.permissions
    }

    fn video(&self) -> bool {
        self.config.settings.session_type == SessionType::Video
    }

    fn start_attempt(&mut self, session_id: SessionId) -> Vec<Command> {
        if self.gated && self.permissions.microphone.refused() {
            // Rule 12: no join without the microphone, and no call view either: the user sees
            // the error (with Open Settings) straight away.
            return vec![Command::Message(Message::Notify(Notice::JoinRefused {
                session_id,
                reason: EndReason::MicrophoneDenied,
            }))];
        }
        self.last_attempt += 1;
        let attempt = self.last_attempt;
        self.current = Some(Current {
            attempt,
            session_id: session_id.clone(),
            ended: None,
            held: None,
            released: !self.gated,
            abandoned: false,
            used_sdk: !self.gated,
        });
        let start = Command::Message(Message::StartAttempt {
            attempt,
            session_id,
            settings: self.config.settings.clone(),
            join_timeout_ms: self.config.join_timeout_ms,
            leave_ack_timeout_ms: self.config.leave_ack_timeout_ms,
        });
        if !self.gated {
            return vec![start];
        }
        // The decision goes to the session before its Start, so its first view already says
        // whether (and for what) the join waits: no plain "joining" flashes before "connecting".
        let mut out = self.retry_setup();
        out.extend(self.ask_permissions());
        out.extend(self.gate());
        out.push(start);
        out
    }

    /// Whether a request sent at `at` has gone unanswered for longer than a join may wait: its
    /// answer was lost (the shell never sent it, or the journal refused it), so a new join asks
    /// again rather than wait for it forever.
    fn overdue(&self, at: u64) -> bool {
        self.now.saturating_sub(at) >= self.config.join_timeout_ms
    }

    /// A join after a failed init or login asks the SDK again, as does one after an init or login
    /// whose answer never came.
    fn retry_setup(&mut self) -> Vec<Command> {
        let init_lost = self.sdk.init_sent && self.overdue(self.sdk.init_sent_at);
        if matches!(self.sdk.init, Readiness::Failed(_)) || init_lost {
            return self.init();
        }
        let login_lost = self.sdk.login_sent && self.overdue(self.sdk.login_sent_at);
        if login_lost {
            self.sdk.login_sent = false;
        }
        if self.sdk.init == Readiness::Ready
            && (matches!(self.sdk.login, Readiness::Failed(_)) || login_lost)
        {
            return self.login();
        }
        Vec::new()
    }

    fn init(&mut self) -> Vec<Command> {
        self.sdk.init = Readiness::Pending;
        self.sdk.init_sent = true;
        self.sdk.init_sent_at = self.now;
        self.sdk.init_request += 1;
        vec![Command::Effect(Effect::InitCalls {
            request: self.sdk.init_request,
        })]
    }

    fn login(&mut self) -> Vec<Command> {
        if self.sdk.login_sent || self.sdk.login == Readiness::Ready {
            return Vec::new();
        }
        self.sdk.login = Readiness::Pending;
        self.sdk.login_sent = true;
        self.sdk.login_sent_at = self.now;
        vec![Command::Effect(Effect::LoginCallsSdk)]
    }

    /// Rule 12: ask for what is undetermined, before the join (the camera for video calls only).
    fn ask_permissions(&mut self) -> Vec<Command> {
        let mut wanted = vec![MediaKind::Microphone];
        if self.video() {
            wanted.push(MediaKind::Camera);
        }
        let mut out = Vec::new();
        for media in wanted {
            if self.permissions.of(media) != Authorization::NotDetermined {
                continue;
            }
            let pending = self
                .asked
                .iter()
                .find(|(m, _)| *m == media)
                .map(|(_, at)| *at);
            if pending.is_some_and(|at| !self.overdue(at)) {
                continue;
            }
            self.asked.retain(|(m, _)| *m != media);
            self.asked.push((media, self.now));
            out.push(Command::Effect(Effect::RequestPermission { media }));
        }
        out
    }

    /// What the current attempt's join still needs, or why it cannot happen.
    fn blocker(&self) -> Result<Option<WaitingFor>, EndReason> {
        let mic = self.permissions.microphone;
        if mic.refused() {
            return Err(EndReason::MicrophoneDenied);
        }
        if let Readiness::Failed(message) = &self.sdk.init {
            return Err(EndReason::SetupFailed {
                step: SetupStep::Init,
                message: message.clone(),
            });
        }
        if let Readiness::Failed(message) = &self.sdk.login {
            return Err(EndReason::SetupFailed {
                step: SetupStep::Login,
                message: message.clone(),
            });
        }
        if mic == Authorization::NotDetermined {
            return Ok(Some(WaitingFor::MicrophonePermission));
        }
        if self.video() && self.permissions.camera == Authorization::NotDetermined {
            return Ok(Some(WaitingFor::CameraPermission));
        }
        if !self.sdk.ready() {
            return Ok(Some(WaitingFor::CallingService));
        }
        Ok(None)
    }

    /// Rules 11 and 12 for the live attempt: hold its join (saying what for), let it go, or end
    /// it. Decided again whenever what it depends on changes; a session that already joined
    /// ignores a later hold or end (a permission the user turned off in Settings mid-call; iOS
    /// ends the app for that anyway).
    fn gate(&mut self) -> Vec<Command> {
        if !self.gated {
            return Vec::new();
        }
        let blocker = self.blocker();
        let camera_unavailable = self.video() && self.permissions.camera.refused();
        let Some(c) = self
            .current
            .as_mut()
            .filter(|c| c.ended.is_none() && !c.abandoned)
        else {
            return Vec::new();
        };
        let attempt = c.attempt;
        let input = match blocker {
            Err(reason) => {
                c.abandoned = true;
                SessionInput::Abandon { reason }
            }
            Ok(None) if !c.released => {
                c.released = true;
                c.used_sdk = true;
                c.held = None;
                SessionInput::Release { camera_unavailable }
            }
            Ok(Some(waiting_for)) if c.released || c.held != Some(waiting_for) => {
                c.released = false;
                c.held = Some(waiting_for);
                SessionInput::Hold { waiting_for }
            }
            Ok(_) => return Vec::new(),
        };
        vec![Command::Message(Message::Forward { attempt, input })]
    }

    /// A result counts only when it answers a request this process made and has not had answered:
    /// an init result naming the latest init asked for, a login result after `LoginCallsSdk`.
    /// Anything else (a late completion of an init asked for again, a duplicate, a stray) is
    /// recorded and ignored, so it cannot make a join go out early or for the wrong init.
    /// Rule 13: the shell could not carry out `effect`. A prompt never shown is asked for again
    /// at the next join; a join the shell could not start ends its attempt; an init or login the
    /// shell could not even start is that step failing. Other failed effects are only recorded.
    fn port_failed(&mut self, effect: &Effect, message: &str) -> Vec<Command> {
        let event = match effect {
            // The prompt was never shown, so no answer will come: the next join asks again (this
            // one waits until its join timeout).
            Effect::RequestPermission { media } => {
                self.asked.retain(|(m, _)| m != media);
                return Vec::new();
            }
            // No SDK callback will come for a join the shell could not start.
            Effect::JoinSession { attempt, .. } if self.live_attempt() == Some(*attempt) => {
                return vec![Command::Message(Message::Forward {
                    attempt: *attempt,
                    input: SessionInput::JoinNotStarted {
                        message: message.to_owned(),
                    },
                })];
            }
            Effect::InitCalls { request } => SetupEvent::InitFailed {
                request: *request,
                message: message.to_owned(),
            },
            Effect::LoginCallsSdk => SetupEvent::LoginFailed {
                message: message.to_owned(),
            },
            _ => return Vec::new(),
        };
        self.setup(&event)
    }

    fn setup(&mut self, event: &SetupEvent) -> Vec<Command> {
        let answers = match event {
            SetupEvent::InitSucceeded { request, .. } | SetupEvent::InitFailed { request, .. } => {
                self.sdk.init_sent && *request == self.sdk.init_request
            }
            SetupEvent::LoginSucceeded | SetupEvent::LoginFailed { .. } => self.sdk.login_sent,
        };
        if !answers {
            return Vec::new();
        }
        match event {
            SetupEvent::InitSucceeded { .. } | SetupEvent::InitFailed { .. } => {
                self.sdk.init_sent = false;
            }
            SetupEvent::LoginSucceeded | SetupEvent::LoginFailed { .. } => {
                self.sdk.login_sent = false;
            }
        }
        let mut out = Vec::new();
        match event {
            SetupEvent::InitSucceeded { logged_in, .. } => {
                self.sdk.init = Readiness::Ready;
                if *logged_in {
                    self.sdk.login = Readiness::Ready;
                } else {
                    // A re-init may find the user logged out: log in again.
                    if self.sdk.login == Readiness::Ready {
                        self.sdk.login = Readiness::Pending;
                    }
                    out.extend(self.login());
                }
            }
            SetupEvent::InitFailed { message, .. } => {
                self.sdk.init = Readiness::Failed(message.clone());
            }
            SetupEvent::LoginSucceeded => self.sdk.login = Readiness::Ready,
            SetupEvent::LoginFailed { message } => {
                self.sdk.login = Readiness::Failed(message.clone());
            }
        }
        out.extend(self.gate());
        out
    }

    fn permission(&mut self, media: MediaKind, status: Authorization) -> Vec<Command> {
        self.permissions.set(media, status);
        if status != Authorization::NotDetermined {
            self.asked.retain(|(m, _)| *m != media);
        }
        self.gate()
    }

    /// The share-invite button: the meeting link of the attempt it was pressed in, for the first
    /// allowed host.
    fn share_invite(&self, attempt: AttemptId) -> Vec<Command> {
        let (Some(c), Some(host)) = (&self.current, self.config.allowed_hosts.first()) else {
            return Vec::new();
        };
        if c.attempt != attempt || c.ended.is_some() {
            return Vec::new();
        }
        vec![Command::Effect(Effect::ShareLink {
            url: meeting_link(host, &c.session_id),
        })]
    }

    fn request(&mut self, id: Result<SessionId, LinkRejection>) -> Vec<Command> {
        let id = match id {
            Ok(id) => id,
            Err(reason) => {
                return vec![Command::Message(Message::Notify(Notice::LinkRejected {
                    reason,
                }))]
            }
        };
        match (&self.current, self.live_attempt()) {
            // A link for the call we are in, or joining: nothing to do.
            (Some(c), Some(_)) if c.session_id == id => Vec::new(),
            (Some(_), Some(_)) => {
                if self.pending_switch.as_ref() == Some(&id) {
                    return Vec::new();
                }
                if self.switch_accepted {
                    // The user already chose to leave this call: the newest link is the one to
                    // join once it has ended.
                    self.pending_switch = Some(id);
                    return Vec::new();
                }
                self.pending_switch = Some(id.clone());
                self.switch_accepted = false;
                vec![Command::Message(Message::Notify(Notice::SwitchOffered {
                    to: id,
                }))]
            }
            _ => self.start_attempt(id),
        }
    }

    fn answer_switch(&mut self, accept: bool) -> Vec<Command> {
        if self.pending_switch.is_none() || self.switch_accepted {
            return Vec::new();
        }
        let Some(attempt) = self.live_attempt() else {
            let id = self.pending_switch.take().expect("checked above");
            return if accept {
                self.start_attempt(id)
            } else {
                vec![Command::Message(Message::Notify(Notice::SwitchCleared))]
            };
        };
        if accept {
            self.switch_accepted = true;
            vec![Command::Message(Message::Forward {
                attempt,
                input: SessionInput::Leave,
            })]
        } else {
            self.pending_switch = None;
            vec![Command::Message(Message::Notify(Notice::SwitchCleared))]
        }
    }

    fn attempt_ended(&mut self, attempt: AttemptId, reason: &EndReason) -> Vec<Command> {
        let released = match &mut self.current {
            Some(c) if c.attempt == attempt && c.ended.is_none() => {
                c.ended = Some(reason.clone());
                c.used_sdk
            }
            _ => return Vec::new(),
        };
        // Rule 11: after every call the Calls SDK is initialised again (its state can be cleared
        // after a session), and the next join waits for that init.
        let mut out = Vec::new();
        if self.gated && released && self.sdk.init == Readiness::Ready {
            out.extend(self.init());
        }
        out.extend(self.after_end(reason));
        out
    }

    fn after_end(&mut self, reason: &EndReason) -> Vec<Command> {
        // A switch the user accepted in a process that has since died is not carried out by the
        // next one on its own: that process shows the relaunch notice instead (rule 10).
        if self.switch_accepted && *reason != EndReason::AppTerminated {
            self.switch_accepted = false;
            if let Some(id) = self.pending_switch.take() {
                return self.start_attempt(id);
            }
        }
        self.switch_accepted = false;
        if self.pending_switch.take().is_some() {
            return vec![Command::Message(Message::Notify(Notice::SwitchCleared))];
        }
        Vec::new()
    }

    fn retry(&mut self) -> Vec<Command> {
        match &self.current {
            Some(Current {
                session_id,
                ended: Some(reason),
                ..
            }) if reason.can_retry() => {
                let id = session_id.clone();
                self.start_attempt(id)
            }
            _ => Vec::new(),
        }
    }
}

impl Router {
    fn boot(&mut self, config: &CoreConfig) -> Vec<Command> {
        self.config = config.clone();
        // A new process starts with no call view on screen: the old one's died with it, and so
        // did any switch between calls it was offering or about to make.
        self.view_visible = false;
        self.pending_switch = None;
        self.switch_accepted = false;
        let mut out = if self.gated {
            self.init()
        } else {
            vec![Command::Effect(Effect::InitCallsSdk)]
        };
        if config.mode == IntegrationMode::Additive {
            out.push(Command::Effect(Effect::InitChatSdk));
        }
        out
    }
}

impl Machine for Router {
    type Input = RouterInput;

    fn step(&mut self, input: &RouterInput, at_ms: u64) -> Vec<Command> {
        self.now = at_ms;
        match input {
            RouterInput::Boot(config) => {
                self.gated = false;
                self.boot(config)
            }
            RouterInput::Launch(Launch {
                config,
                permissions,
            }) => {
                // A new process: its SDK is not initialised, nobody is logged in to it yet, no
                // prompt of the old process is still open, and this SDK has served no call (so
                // the old process's call, ending now as `AppTerminated`, asks for no re-init).
                self.gated = true;
                self.sdk = SdkReadiness::default();
                self.permissions = *permissions;
                self.asked.clear();
                if let Some(current) = self.current.as_mut() {
                    current.used_sdk = false;
                }
                self.boot(config)
            }
            RouterInput::Setup(event) => self.setup(event),
            RouterInput::Permission { media, status } => self.permission(*media, *status),
            RouterInput::NewMeeting { session_id } => self.request(SessionId::parse(session_id)),
            RouterInput::ShareInvite { attempt } => self.share_invite(*attempt),
            RouterInput::OpenSettings => {
                let needs = self
                    .current
                    .as_ref()
                    .and_then(|c| c.ended.as_ref())
                    .is_some_and(EndReason::needs_settings);
                // (A refused join has no attempt: the refused microphone itself says it.)
                if needs || self.permissions.microphone.refused() {
                    vec![Command::Effect(Effect::OpenAppSettings)]
                } else {
                    Vec::new()
                }
            }
            // The shell could not carry out an effect: a prompt, a join, init or login.
            RouterInput::Incident(Incident::PortFailed { command, message }) if self.gated => {
                self.port_failed(command, message)
            }
            RouterInput::OpenLink { url } => {
                let id = validate_link(url, &self.config.allowed_hosts);
                self.request(id)
            }
            RouterInput::Join { session_id } => self.request(SessionId::parse(session_id)),
            RouterInput::AnswerSwitch { accept } => self.answer_switch(*accept),
            RouterInput::Retry => self.retry(),
            RouterInput::Dismiss => {
                if self.live_attempt().is_some() {
                    return Vec::new();
                }
                self.pending_switch = None;
                vec![Command::Message(Message::Notify(Notice::Dismissed))]
            }
            RouterInput::ForCurrent(input) => {
                match input {
                    SessionInput::ViewAppeared => self.view_visible = true,
                    SessionInput::ViewDisappeared => self.view_visible = false,
                    _ => {}
                }
                match self.live_attempt() {
                    Some(attempt) => vec![Command::Message(Message::Forward {
                        attempt,
                        input: input.clone(),
                    })],
                    None => Vec::new(),
                }
            }
            RouterInput::AttemptEnded { attempt, reason } => self.attempt_ended(*attempt, reason),
            RouterInput::StaleSdkEvent { .. } | RouterInput::Incident(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::{Permissions, SetupEvent};

    fn launch() -> RouterInput {
        RouterInput::Launch(Launch {
            config: CoreConfig::default(),
            permissions: Permissions::GRANTED,
        })
    }

    /// Init #1 of this process succeeds, with a user logged in.
    fn first_init_succeeds(r: &mut Router, at_ms: u64) {
        r.step(
            &RouterInput::Setup(SetupEvent::InitSucceeded {
                request: 1,
                logged_in: true,
            }),
            at_ms,
        );
        assert_eq!(r.sdk().init, Readiness::Ready);
    }

    /// A launched router whose SDK is ready, with a call whose join went out.
    fn in_a_call() -> (Router, AttemptId) {
        let mut r = Router::default();
        r.step(&launch(), 0);
        first_init_succeeds(&mut r, 1);
        r.step(
            &RouterInput::OpenLink {
                url: "https://meet.switchboard.example/meet/abc".into(),
            },
            2,
        );
        let attempt = r.live_attempt().expect("an attempt");
        assert!(
            r.current.as_ref().is_some_and(|c| c.used_sdk),
            "its join went out"
        );
        (r, attempt)
    }

    fn re_inits(out: &[Command]) -> usize {
        out.iter()
            .filter(|c| matches!(c, Command::Effect(Effect::InitCalls { .. })))
            .count()
    }

    /// The liveness rule: the live attempt, while its session exists; no other attempt, and not
    /// after its end.
    #[test]
    fn callbacks_go_to_the_live_attempts_session_only() {
        let (mut r, attempt) = in_a_call();
        assert!(r.routes_callbacks_to(attempt, true));
        assert!(
            !r.routes_callbacks_to(attempt, false),
            "no session to take it yet"
        );
        assert!(!r.routes_callbacks_to(attempt + 1, true));
        r.step(
            &RouterInput::AttemptEnded {
                attempt,
                reason: EndReason::LocalLeave,
            },
            10,
        );
        assert!(
            !r.routes_callbacks_to(attempt, true),
            "ended: the router's, as stale"
        );
    }

    /// The app was killed in a call and launched again; the new SDK's init answers before the
    /// old call's end reaches the router (an order the phone may give). Only the launch's init
    /// goes out: the new SDK never served that call, so there is nothing to re-initialise. The
    /// same end in the process that joined the call is followed by a re-init.
    #[test]
    fn the_old_process_call_ending_after_a_relaunch_asks_for_no_re_init() {
        let (mut joined_here, attempt) = in_a_call();
        let out = joined_here.step(
            &RouterInput::AttemptEnded {
                attempt,
                reason: EndReason::ConnectionClosed,
            },
            10,
        );
        assert_eq!(re_inits(&out), 1, "{out:?}");

        let (mut relaunched, attempt) = in_a_call();
        assert_eq!(re_inits(&relaunched.step(&launch(), 100)), 1);
        // The new process numbers its inits afresh: this answers its #1.
        first_init_succeeds(&mut relaunched, 101);
        let out = relaunched.step(
            &RouterInput::AttemptEnded {
                attempt,
                reason: EndReason::AppTerminated,
            },
            102,
        );
        assert_eq!(re_inits(&out), 0, "{out:?}");
    }
}
