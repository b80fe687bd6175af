//! The journal-level invariants: DESIGN.md section 2's rules, the never-stranded view and replay,
//! checked on journal records alone. [`LogChecker`] takes records one at a time (the simulator
//! feeds it every record as it is written, so checking a whole run costs one pass), and
//! [`check_log`] runs it over any log, such as a failing journal written to disk, which then
//! reports the same violation.
//!
//! An input is closed (its recorded commands compared with what today's machines decide, and
//! with what the rules say it must produce) at the next input of its actor, or when a step ends.
//! The comparison is the journal's one replay (`switchboard_journal::Replay`): a divergence is
//! named by the seq `switchboard replay --verify` names, the input's.
//! Every `Ended` must be followed by a `UiState` that dismisses the call view before the step
//! ends. The simulator ends a step whenever the runtime has settled; in a log alone, a step ends
//! at a `Boot` or a `Launch` (the app started again) and at the end of the log.
//!
//! Rules 11 and 12 are checked against the checker's own model of the phone (`Phone`), built
//! from the journal and not from the router's state: what the shell reported about the Calls
//! SDK's init and login and about the permissions, since the process's `Launch`, and which
//! calls of this process joined (after one, the SDK needs a fresh init). Logs that only hold
//! `Boot` (written before the rules existed) are not held to them.
use std::collections::BTreeMap;

use switchboard_domain::session::Phase;
use switchboard_domain::view::PhaseView;
use switchboard_domain::{
    ActorName, AttemptId, Authorization, Command, Effect, EndReason, Entry, Incident, Input,
    IntegrationMode, JoinErrorCode, Launch, Machines, MediaKind, Message, Notice, RouterInput,
    SdkEvent, SessionInput, SessionType, SetupEvent, TimerKind, UiInput, UiState, WaitingFor,
};
use switchboard_journal::{Fold, Group, Record, Replay};

use crate::invariant::{Invariant, Violation};

/// What the simulator counts of an effect, as journaled and as the fakes performed it (the
/// simulator checks that no effect happened more often than it was journaled): the effect, less
/// what a port call cannot tell apart or the ledger need not match (which init, the audio
/// session's options, the share link's text...). Built only by [`LedgerKey::of`], from the
/// domain's [`Effect`], on both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LedgerKey {
    /// `init_calls`.
    InitCalls,
    /// `init_chat`.
    InitChat,
    /// `register_listeners`.
    RegisterListeners(AttemptId),
    /// `join_session`.
    Join(AttemptId),
    /// `leave_session`.
    Leave(AttemptId),
    /// `set_audio_muted`.
    AudioMuted(AttemptId, bool),
    /// `set_video_paused`.
    VideoPaused(AttemptId, bool),
    /// `set_audio_mode`.
    AudioMode(AttemptId),
    /// Audio `configure`.
    ConfigureAudio,
    /// Audio `activate`.
    ActivateAudio,
    /// Audio `deactivate`.
    DeactivateAudio,
    /// Audio `override_output`.
    OverrideOutput(bool),
    /// `login`.
    Login,
    /// `request_permission`.
    RequestPermission(MediaKind),
    /// `open_app_settings`.
    OpenAppSettings,
    /// `share_link`.
    ShareLink,
}

impl LedgerKey {
    /// The ledger's key for an effect, or `None` for the effects it does not count: timers and
    /// renders are the runtime's own (the fakes see no call for them). One arm per effect, no
    /// wildcard, so a new effect cannot be left out of the ledger unnoticed.
    pub fn of(effect: &Effect) -> Option<LedgerKey> {
        use Effect as E;
        Some(match effect {
            E::InitCallsSdk | E::InitCalls { .. } => LedgerKey::InitCalls,
            E::InitChatSdk => LedgerKey::InitChat,
            E::RegisterListeners { attempt } => LedgerKey::RegisterListeners(*attempt),
            E::JoinSession { attempt, .. } => LedgerKey::Join(*attempt),
            E::LeaveSession { attempt } => LedgerKey::Leave(*attempt),
            E::MuteAudio { attempt } => LedgerKey::AudioMuted(*attempt, true),
            E::UnmuteAudio { attempt } => LedgerKey::AudioMuted(*attempt, false),
            E::PauseVideo { attempt } => LedgerKey::VideoPaused(*attempt, true),
            E::ResumeVideo { attempt } => LedgerKey::VideoPaused(*attempt, false),
            E::SetAudioMode { attempt, .. } => LedgerKey::AudioMode(*attempt),
            E::ConfigureAudio { .. } => LedgerKey::ConfigureAudio,
            E::ActivateAudio => LedgerKey::ActivateAudio,
            E::DeactivateAudio { .. } => LedgerKey::DeactivateAudio,
            E::OverrideOutput { speaker } => LedgerKey::OverrideOutput(*speaker),
            E::LoginCallsSdk => LedgerKey::Login,
            E::RequestPermission { media } => LedgerKey::RequestPermission(*media),
            E::OpenAppSettings => LedgerKey::OpenAppSettings,
            E::ShareLink { .. } => LedgerKey::ShareLink,
            E::StartTimer { .. } | E::CancelTimer { .. } | E::Render(_) => return None,
        })
    }

    /// The ledger's key for a journaled command: its effect's, or `None` for a message between
    /// machines (nothing leaves the core for it).
    pub fn of_command(command: &Command) -> Option<LedgerKey> {
        match command {
            Command::Effect(e) => LedgerKey::of(e),
            Command::Message(_) => None,
        }
    }
}

/// Slack (ms) after a held attempt's join timeout before [`Invariant::WaitEnds`] is broken.
pub const WAIT_SLACK_MS: u64 = 2_000;

/// What the journal says about one attempt so far.
#[derive(Clone, Debug, Default)]
struct Facts {
    /// The seq of its `Ended`.
    ended: Option<u64>,
    joins: u32,
    leaves: u32,
    /// What the router holds its join for (its last `Forward` of `Hold`, until a `Release`).
    held: Option<WaitingFor>,
    /// The router held it at some point.
    was_held: bool,
    /// Its call view is up, as its session was last told.
    view_up: bool,
    /// Its join timeout, from its `Start`.
    join_timeout_ms: u64,
    /// When its call view first appeared (ms since the epoch): its join timeout runs from then.
    first_view_ms: Option<u64>,
    /// The process (count of `Boot`s and `Launch`es) whose `JoinSession` it got.
    joined_in: Option<u64>,
}

impl Facts {
    /// The deadline of a wait that is still on: the view is up (or was), nothing joined, not
    /// ended.
    fn wait_deadline(&self) -> Option<u64> {
        if self.ended.is_some() || self.joins > 0 {
            return None;
        }
        self.first_view_ms
            .map(|t| t + self.join_timeout_ms + WAIT_SLACK_MS)
    }
}

/// Where the Calls SDK's init is, as the journal shows it for this process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum InitState {
    /// Not asked for in this process since the last failure.
    #[default]
    NotAsked,
    /// `InitCallsSdk` (or `InitCalls`) went out; no result yet.
    Asked,
    /// Init succeeded after it was asked for.
    Ready,
    /// A call of this process that joined has ended since init succeeded: the SDK's state may
    /// be gone, and only an init asked for after that counts.
    Cleared,
}

/// The phone as the journal shows it: what this process was told about the SDK and the
/// permissions (rules 11 and 12).
#[derive(Clone, Debug, Default)]
struct Phone {
    /// This process started with a `Launch`: the rules apply.
    gated: bool,
    /// Processes so far (each `Boot` or `Launch` starts one).
    process: u64,
    init: InitState,
    /// The request number of the latest `InitCalls`: only its result counts.
    init_request: u64,
    logged_in: bool,
    microphone: Authorization,
    camera: Authorization,
}

impl Phone {
    fn launch(&mut self, launch: &Launch) {
        *self = Phone {
            gated: true,
            process: self.process + 1,
            microphone: launch.permissions.microphone,
            camera: launch.permissions.camera,
            ..Phone::default()
        };
    }

    fn boot(&mut self) {
        *self = Phone {
            process: self.process + 1,
            ..Phone::default()
        };
    }

    /// A router input the phone model learns from.
    fn input(&mut self, input: &RouterInput) {
        match input {
            RouterInput::Setup(SetupEvent::InitSucceeded { request, logged_in })
                if self.init == InitState::Asked && *request == self.init_request =>
            {
                self.init = InitState::Ready;
                self.logged_in = *logged_in;
            }
            RouterInput::Setup(SetupEvent::InitFailed { request, .. })
                if self.init == InitState::Asked && *request == self.init_request =>
            {
                self.init = InitState::NotAsked;
            }
            RouterInput::Incident(Incident::PortFailed {
                command: Effect::InitCallsSdk | Effect::InitCalls { .. },
                ..
            }) => self.init = InitState::NotAsked,
            RouterInput::Setup(SetupEvent::LoginSucceeded) => self.logged_in = true,
            // A login that failed logs nobody out: whoever was logged in still is (a second
            // login asked for while the first was slow may fail after the first succeeded).
            RouterInput::Setup(SetupEvent::LoginFailed { .. }) => {}
            RouterInput::Permission { media, status } => match media {
                MediaKind::Microphone => self.microphone = *status,
                MediaKind::Camera => self.camera = *status,
            },
            _ => {}
        }
    }

    /// The rules a `JoinSession` can break against the phone.
    fn join_rule(
        &self,
        attempt: AttemptId,
        video: bool,
        paused: bool,
    ) -> Option<(Invariant, String)> {
        if !self.gated {
            return None;
        }
        let not_ready = match (self.init, self.logged_in) {
            (InitState::NotAsked, _) => {
                Some("the Calls SDK was not initialised in this process (or its init failed)")
            }
            (InitState::Asked, _) => Some("the Calls SDK's init had not completed"),
            (InitState::Cleared, _) => Some(
                "a call of this process ended since the Calls SDK's last init, and no init \
                 asked for after it has succeeded",
            ),
            (InitState::Ready, false) => Some("nobody is logged in to the Calls SDK"),
            (InitState::Ready, true) => None,
        };
        if let Some(why) = not_ready {
            let why = format!("JoinSession for attempt {attempt}: {why}");
            return Some((Invariant::JoinBeforeReady, why));
        }
        if self.microphone != Authorization::Authorized {
            let why = format!(
                "JoinSession for attempt {attempt} while the microphone is {:?}",
                self.microphone
            );
            return Some((Invariant::DeniedMicNeverJoins, why));
        }
        if video && self.camera == Authorization::NotDetermined {
            let why =
                format!("JoinSession for video attempt {attempt} before the camera was answered");
            return Some((Invariant::DeniedCameraPaused, why));
        }
        if video && self.camera.refused() && !paused {
            let why = format!(
                "JoinSession for video attempt {attempt} with video on while the camera is {:?}",
                self.camera
            );
            return Some((Invariant::DeniedCameraPaused, why));
        }
        None
    }
}

/// The state of an actor's machine just before an input.
#[derive(Clone, Debug, Default)]
struct Before {
    /// The session's phase (sessions only).
    phase: Option<Phase>,
    /// A `LeaveSession` was recorded for the attempt.
    leaving: bool,
    /// The attempt had ended.
    ended: bool,
    /// The UI offered a retry (router inputs only).
    retry_offered: bool,
    /// A `JoinSession` was recorded for the attempt.
    joined: bool,
    /// What the router held the attempt's join for.
    held: Option<WaitingFor>,
    /// The microphone is refused, as the journal shows it.
    mic_refused: bool,
}

/// What an input's recorded commands include, for the rules of what an input must produce.
#[derive(Clone, Copy, Debug, Default)]
struct Produced {
    ended: bool,
    leave: bool,
    connected: bool,
    init_calls: bool,
    init_chat: bool,
    start_attempt: bool,
    /// A join refused before any attempt started (the microphone is refused).
    refused: bool,
}

impl Produced {
    fn note(&mut self, c: &Command) {
        match c {
            Command::Message(Message::Ended { .. }) => self.ended = true,
            Command::Effect(Effect::LeaveSession { .. }) => self.leave = true,
            Command::Message(Message::SessionChanged(v)) if v.phase == PhaseView::Connected => {
                self.connected = true
            }
            Command::Effect(Effect::InitCallsSdk | Effect::InitCalls { .. }) => {
                self.init_calls = true
            }
            Command::Effect(Effect::InitChatSdk) => self.init_chat = true,
            Command::Message(Message::StartAttempt { .. }) => self.start_attempt = true,
            Command::Message(Message::Notify(Notice::JoinRefused { .. })) => self.refused = true,
            _ => {}
        }
    }
}

/// An input whose commands are still being read, for the rules of what it must produce.
#[derive(Debug)]
struct Open {
    seq: u64,
    input: Input,
    produced: Produced,
    before: Before,
}

/// Counts over a checked log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogStats {
    /// Records read.
    pub records: u64,
    /// Input records.
    pub inputs: u64,
    /// Attempts started.
    pub attempts: u64,
    /// How attempts ended, by reason (`Display` of the reason).
    pub ended: BTreeMap<String, u64>,
    /// Processes started (`Boot` or `Launch` inputs).
    pub launches: u64,
    /// Attempts whose join the router held (rules 11 and 12).
    pub held: u64,
    /// Attempts that ended `NotReady` (a held join that waited out its join timeout).
    pub not_ready: u64,
    /// Attempts that ended `MicrophoneDenied`.
    pub mic_denied: u64,
    /// Joins refused before any attempt started (the microphone is refused).
    pub refused: u64,
    /// Init failures the shell reported.
    pub init_failures: u64,
    /// Login failures the shell reported.
    pub login_failures: u64,
}

impl LogStats {
    /// Adds another log's counts.
    pub fn add(&mut self, o: &LogStats) {
        self.records += o.records;
        self.inputs += o.inputs;
        self.attempts += o.attempts;
        for (k, v) in &o.ended {
            *self.ended.entry(k.clone()).or_default() += v;
        }
        self.launches += o.launches;
        self.held += o.held;
        self.not_ready += o.not_ready;
        self.mic_denied += o.mic_denied;
        self.refused += o.refused;
        self.init_failures += o.init_failures;
        self.login_failures += o.login_failures;
    }
}

/// What the rules remember about the log so far.
#[derive(Debug, Default)]
struct Memory {
    attempts: BTreeMap<AttemptId, Facts>,
    /// Ended attempts whose dismissing `UiState` has not come yet, with the seq of the `Ended`.
    pending_ended: BTreeMap<AttemptId, u64>,
    mode: Option<IntegrationMode>,
    effects: BTreeMap<LedgerKey, u64>,
    stats: LogStats,
    phone: Phone,
}

/// Checks journal records one at a time; see the module documentation.
#[derive(Debug, Default)]
pub struct LogChecker {
    /// Today's machines folding the log: the journal's one replay.
    replay: Replay,
    /// Open inputs by actor (a handful at most: one per actor).
    open: Vec<(ActorName, Open)>,
    memory: Memory,
    next_seq: u64,
    /// Violations, each with the seq it is ordered by (see [`LogChecker::take_first`]).
    found: Vec<(u64, Violation)>,
    /// Attempts live at a `Boot` and not yet ended by the new process, with that boot's seq.
    inherited: BTreeMap<AttemptId, u64>,
}

/// An input that starts a new step in a log read alone: the app started again.
fn starts_step(input: &Input) -> bool {
    matches!(
        input,
        Input::Router(RouterInput::Boot(_) | RouterInput::Launch(_))
    )
}

/// The end reason the rules give.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expected {
    /// Exactly this one.
    Exact(EndReason),
    /// `NotReady`, for whatever it was waiting for (a join let go while its view was away
    /// waits for the view).
    AnyNotReady,
}

impl Expected {
    fn matches(&self, reason: &EndReason) -> bool {
        match self {
            Expected::Exact(want) => want == reason,
            Expected::AnyNotReady => matches!(reason, EndReason::NotReady { .. }),
        }
    }
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Exact(r) => write!(f, "{r}"),
            Expected::AnyNotReady => f.write_str("NotReady"),
        }
    }
}

/// The reason the rules give for an attempt ended by `input`, or the rule the end breaks: rule
/// 2 for a joined call, rules 11 and 12 for a join that never went out (a held join that times
/// out is not ready, whatever it waited for; one the router abandons ends as the router said).
fn expected_reason(input: &Input, before: &Before) -> Result<Expected, (Invariant, String)> {
    match input {
        Input::Session(SessionInput::TimerFired(TimerKind::JoinTimeout)) if !before.joined => {
            return Ok(match before.held {
                Some(waiting_for) => Expected::Exact(EndReason::NotReady { waiting_for }),
                None => Expected::AnyNotReady,
            });
        }
        Input::Session(SessionInput::Abandon { reason }) => {
            if *reason == EndReason::MicrophoneDenied && !before.mic_refused {
                let why = "abandoned as MicrophoneDenied while the journal shows the microphone \
                           not refused"
                    .to_owned();
                return Err((Invariant::EndReason, why));
            }
            return Ok(Expected::Exact(reason.clone()));
        }
        _ => {}
    }
    exact_reason(input, before).map(Expected::Exact)
}

/// Rule 2's reason for an attempt ended by `input`.
fn exact_reason(input: &Input, before: &Before) -> Result<EndReason, (Invariant, String)> {
    let Input::Session(s) = input else {
        let why = format!("ended on a non-session input '{input}'");
        return Err((Invariant::EndReason, why));
    };
    let local_or = |r| {
        if before.leaving {
            EndReason::LocalLeave
        } else {
            r
        }
    };
    Ok(match s {
        SessionInput::Sdk(SdkEvent::SessionTimedOut) => EndReason::IdleTimeout,
        SessionInput::Sdk(SdkEvent::SessionLeft) => local_or(EndReason::RemovedOrRemote),
        SessionInput::Sdk(SdkEvent::ConnectionClosed) => local_or(EndReason::ConnectionClosed),
        SessionInput::Sdk(SdkEvent::JoinFailed {
            code: JoinErrorCode::Init,
            ..
        }) => {
            let why = "a spurious INIT ERROR ended the attempt".to_owned();
            return Err((Invariant::InitErrorTolerated, why));
        }
        SessionInput::Sdk(SdkEvent::JoinFailed { code, message }) => EndReason::JoinFailed {
            code: code.clone(),
            message: message.clone(),
        },
        SessionInput::Sdk(SdkEvent::ConnectionLost) => {
            let why = "onConnectionLost ended the call".to_owned();
            return Err((Invariant::LostNeverEnds, why));
        }
        SessionInput::TimerFired(TimerKind::JoinTimeout) => EndReason::JoinTimedOut,
        SessionInput::TimerFired(TimerKind::LeaveAck) => EndReason::LocalLeave,
        // Rule 10: a new process ends the attempt the old one left live.
        SessionInput::AppRelaunched { .. } => EndReason::AppTerminated,
        SessionInput::Leave | SessionInput::Sdk(SdkEvent::LeaveButtonClicked) => {
            EndReason::LocalLeave
        }
        other => {
            let why = format!("the call ended on '{other}', which never ends a call");
            return Err((Invariant::EndReason, why));
        }
    })
}

impl Memory {
    fn before(&self, machines: &Machines, actor: ActorName) -> Before {
        let ActorName::Session(a) = actor else {
            let ui = machines.ui.current();
            let retry_offered = matches!(
                ui,
                UiState::Ended {
                    can_retry: true,
                    ..
                } | UiState::Error {
                    can_retry: true,
                    ..
                }
            );
            return Before {
                retry_offered: actor == ActorName::Router && retry_offered,
                mic_refused: self.phone.gated && self.phone.microphone.refused(),
                ..Before::default()
            };
        };
        let facts = self.attempts.get(&a);
        Before {
            phase: machines.sessions.get(&a).map(|s| s.phase().clone()),
            leaving: facts.is_some_and(|f| f.leaves > 0),
            ended: facts.is_some_and(|f| f.ended.is_some()),
            retry_offered: false,
            joined: facts.is_some_and(|f| f.joins > 0),
            held: facts.and_then(|f| f.held),
            mic_refused: self.phone.gated && self.phone.microphone.refused(),
        }
    }

    /// The rules a recorded command can break on its own.
    fn command_rule(
        &mut self,
        r: &Record,
        c: &Command,
        input: &Input,
        before: &Before,
    ) -> Option<(Invariant, String)> {
        if matches!(r.actor, ActorName::Session(_)) && before.ended {
            let why = format!("{} decided '{c}' after it ended (on '{input}')", r.actor);
            return Some((Invariant::IgnoredAfterEnd, why));
        }
        if let Input::Router(RouterInput::StaleSdkEvent { attempt, .. }) = input {
            let why = format!("a stale callback of attempt {attempt} led to '{c}'");
            return Some((Invariant::StaleIgnored, why));
        }
        match c {
            Command::Message(Message::Ended { attempt, reason }) => {
                self.ended_rule(r.seq, *attempt, reason, input, before)
            }
            Command::Effect(Effect::LeaveSession { attempt }) => {
                let facts = self.attempts.entry(*attempt).or_default();
                facts.leaves += 1;
                let n = facts.leaves;
                if facts.joins == 0 {
                    let why = format!(
                        "LeaveSession for attempt {attempt}, whose join never went out (on \
                         '{input}'): there is nothing to leave"
                    );
                    return Some((Invariant::LeaveLeads, why));
                }
                let why = || format!("LeaveSession #{n} for attempt {attempt} (on '{input}')");
                (n > 1).then(|| (Invariant::OneLeave, why()))
            }
            Command::Effect(Effect::JoinSession {
                attempt, settings, ..
            }) => self.join_rule(*attempt, settings, input),
            Command::Message(Message::Forward {
                attempt,
                input: forwarded,
            }) => {
                let facts = self.attempts.entry(*attempt).or_default();
                match forwarded {
                    SessionInput::Hold { waiting_for } => {
                        if !facts.was_held {
                            self.stats.held += 1;
                        }
                        facts.held = Some(*waiting_for);
                        facts.was_held = true;
                    }
                    SessionInput::Release { .. } | SessionInput::Abandon { .. } => {
                        facts.held = None;
                    }
                    _ => {}
                }
                None
            }
            Command::Effect(Effect::InitCallsSdk) => {
                self.phone.init = InitState::Asked;
                None
            }
            Command::Effect(Effect::InitCalls { request }) => {
                self.phone.init = InitState::Asked;
                self.phone.init_request = *request;
                None
            }
            Command::Message(Message::Notify(Notice::JoinRefused { session_id, reason })) => {
                self.stats.refused += 1;
                let allowed = !(self.phone.gated && self.phone.microphone.refused());
                let why = format!(
                    "the join of {session_id} was refused ({reason}) while the journal shows the \
                     microphone {:?}",
                    self.phone.microphone
                );
                (allowed && *reason == EndReason::MicrophoneDenied)
                    .then_some((Invariant::DeniedMicNeverJoins, why))
            }
            Command::Effect(Effect::ConfigureAudio { category, .. })
                if !category.captures_microphone() =>
            {
                let why = format!("audio category {category:?} captures no microphone");
                Some((Invariant::MicCategory, why))
            }
            Command::Effect(Effect::InitChatSdk)
                if self.mode == Some(IntegrationMode::Standalone) =>
            {
                let why = "the chat SDK initialised in standalone mode".to_owned();
                Some((Invariant::SdkInit, why))
            }
            _ => None,
        }
    }

    /// Rules 7, 11 and 12 on a `JoinSession`.
    fn join_rule(
        &mut self,
        attempt: AttemptId,
        settings: &switchboard_domain::SessionSettings,
        input: &Input,
    ) -> Option<(Invariant, String)> {
        let process = self.phone.process;
        let facts = self.attempts.entry(attempt).or_default();
        facts.joins += 1;
        if facts.joins > 1 {
            let why = format!("JoinSession #{} for attempt {attempt}", facts.joins);
            return Some((Invariant::OneJoin, why));
        }
        facts.joined_in = Some(process);
        if let Some(waiting_for) = facts.held {
            let why = format!(
                "JoinSession for attempt {attempt} on '{input}' while the router holds its join \
                 for {waiting_for:?}"
            );
            return Some((Invariant::JoinBeforeReady, why));
        }
        // The view must be up: the join goes out as it appears, or when the router lets a
        // held join go while it is up.
        let on_view = match input {
            Input::Session(SessionInput::ViewAppeared) => true,
            Input::Session(SessionInput::Release { .. }) => facts.view_up,
            _ => false,
        };
        if !on_view {
            let why = format!("JoinSession for attempt {attempt} on '{input}'");
            return Some((Invariant::JoinAfterView, why));
        }
        let video = settings.session_type == SessionType::Video;
        self.phone
            .join_rule(attempt, video, settings.start_video_paused)
    }

    fn ended_rule(
        &mut self,
        seq: u64,
        attempt: AttemptId,
        reason: &EndReason,
        input: &Input,
        before: &Before,
    ) -> Option<(Invariant, String)> {
        *self.stats.ended.entry(reason.to_string()).or_default() += 1;
        match reason {
            EndReason::NotReady { .. } => self.stats.not_ready += 1,
            EndReason::MicrophoneDenied => self.stats.mic_denied += 1,
            _ => {}
        }
        let facts = self.attempts.entry(attempt).or_default();
        if let Some(first) = facts.ended {
            let why = format!("attempt {attempt} ended again ({reason}); it ended at seq {first}");
            return Some((Invariant::OneEnded, why));
        }
        facts.ended = Some(seq);
        facts.held = None;
        // A call of this process that reached the SDK is over: its state may be cleared, and
        // the next join needs an init asked for from now on (rule 11).
        if facts.joined_in == Some(self.phone.process) && self.phone.init != InitState::NotAsked {
            self.phone.init = InitState::Cleared;
        }
        self.pending_ended.insert(attempt, seq);
        match expected_reason(input, before) {
            Ok(want) if want.matches(reason) => None,
            Ok(want) => Some((
                Invariant::EndReason,
                format!("attempt {attempt} ended as {reason} on '{input}'; rule 2 says {want}"),
            )),
            Err(broken) => Some(broken),
        }
    }
}

impl LogChecker {
    /// A checker for a log that starts at seq 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The machines as replay left them.
    pub fn machines(&self) -> &Machines {
        self.replay.machines()
    }

    /// Port effects journaled so far.
    pub fn effects(&self) -> &BTreeMap<LedgerKey, u64> {
        &self.memory.effects
    }

    /// Counts so far.
    pub fn stats(&self) -> &LogStats {
        &self.memory.stats
    }

    /// The seq the next record must have.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Whether the attempt has ended, per the journal.
    pub fn ended(&self, attempt: AttemptId) -> bool {
        let facts = self.memory.attempts.get(&attempt);
        facts.is_some_and(|f| f.ended.is_some())
    }

    /// Whether a `JoinSession` went out for the attempt, per the journal.
    pub fn joined(&self, attempt: AttemptId) -> bool {
        let facts = self.memory.attempts.get(&attempt);
        facts.is_some_and(|f| f.joins > 0)
    }

    /// The violation whose first broken record comes first, removing every violation found. A
    /// replay divergence is named by its input's seq (as `replay --verify` names it) and placed
    /// by its first differing record; at the same record a broken rule comes before it (a
    /// runtime that decides a wrong command breaks both: the rule says more).
    pub fn take_first(&mut self) -> Option<Violation> {
        let mut found = std::mem::take(&mut self.found);
        found.sort_by_key(|(at, v)| (*at, v.invariant == Invariant::ReplayCommands));
        found.into_iter().next().map(|(_, v)| v)
    }

    fn fail(&mut self, invariant: Invariant, seq: u64, detail: impl Into<String>) {
        self.found
            .push((seq, Violation::at(invariant, seq, detail)));
    }

    /// A closed replay group: its divergence, if any, is a `ReplayCommands` violation.
    fn replayed(&mut self, group: Group) {
        if let Some(d) = group.divergence() {
            let at = d.first_difference.0;
            let why = format!("{} on '{}': {d}", group.actor, group.input);
            self.found
                .push((at, Violation::at(Invariant::ReplayCommands, d.seq, why)));
        }
    }

    /// Reads one record.
    pub fn feed(&mut self, r: &Record) {
        if r.seq != self.next_seq {
            let why = format!("expected seq {}", self.next_seq);
            self.fail(Invariant::LogSequence, r.seq, why);
        }
        self.next_seq = r.seq + 1;
        if matches!(&r.body, Entry::Input(i) if starts_step(i)) {
            // A new process: the old one's waits died with it (rule 10 ends their attempts),
            // however long after its last record the app was opened again.
            for facts in self.memory.attempts.values_mut() {
                facts.first_view_ms = None;
            }
        }
        if let Some(why) = self.overdue_wait(r.at_ms) {
            self.fail(Invariant::WaitEnds, r.seq, why);
        }
        self.memory.stats.records += 1;
        match &r.body {
            Entry::Input(input) => self.input(r, input),
            Entry::Command(c) => self.command(r, c),
            Entry::Snapshot(_) => self.snapshot(r),
        }
    }

    /// A snapshot must hold what the records before it fold to (the log's own cache of the
    /// fold: a wrong one would start a later recovery from the wrong state).
    fn snapshot(&mut self, r: &Record) {
        use switchboard_journal::SnapshotUse;
        if let Fold::Snapshot(SnapshotUse::Differs(why) | SnapshotUse::Unusable(why)) =
            self.replay.feed(r).fold
        {
            let why = format!("the snapshot at seq {} {why}", r.seq);
            self.fail(Invariant::ReplayCommands, r.seq, why);
        }
    }

    /// A wait still on at `now_ms` (ms since the epoch, as records are stamped) whose join
    /// timeout, plus [`WAIT_SLACK_MS`], has passed: the call view of an attempt appeared, no
    /// `JoinSession` went out, and it has not ended (rule 11: the wait is bounded by the join
    /// timeout). Reported once per attempt.
    pub fn overdue_wait(&mut self, now_ms: u64) -> Option<String> {
        let (attempt, _) = self
            .memory
            .attempts
            .iter()
            .filter_map(|(a, f)| f.wait_deadline().map(|d| (*a, d)))
            .find(|(_, d)| *d < now_ms)?;
        let facts = self.memory.attempts.get_mut(&attempt).expect("found above");
        let waited = now_ms - facts.first_view_ms.unwrap_or(now_ms);
        let what = facts
            .held
            .map_or("its call view".to_owned(), |w| format!("{w:?}"));
        // Reported once: the attempt no longer counts as waiting.
        facts.first_view_ms = None;
        Some(format!(
            "attempt {attempt} has waited {} for {what} since its call view appeared, past its \
             join timeout of {}",
            crate::format_ms(waited),
            crate::format_ms(facts.join_timeout_ms),
        ))
    }

    /// Rule 10 on the log: at a `Boot` or `Launch`, the attempt still live belonged to the
    /// process that died; the first input its session gets afterwards must be the one that
    /// ends it.
    fn relaunch_rule(&mut self, r: &Record, input: &Input) {
        if let Input::Router(RouterInput::Boot(_) | RouterInput::Launch(_)) = input {
            let live = self.replay.machines().router.live_attempt();
            if let Some(a) = live.filter(|a| !self.ended(*a)) {
                self.inherited.insert(a, r.seq);
            }
            return;
        }
        let (ActorName::Session(a), Input::Session(s)) = (r.actor, input) else {
            return;
        };
        let Some(boot) = self.inherited.remove(&a) else {
            return;
        };
        if !matches!(s, SessionInput::AppRelaunched { .. }) {
            let why = format!(
                "the process that booted at seq {boot} carried on attempt {a} of the one before \
                 it: its session got '{s}' instead of being ended"
            );
            self.fail(Invariant::RelaunchEndsOldCall, r.seq, why);
        }
    }

    fn input(&mut self, r: &Record, input: &Input) {
        if starts_step(input) {
            self.end_step();
        } else if let Some(i) = self.open.iter().position(|(a, _)| *a == r.actor) {
            let (_, prev) = self.open.swap_remove(i);
            self.close(prev);
        }
        self.relaunch_rule(r, input);
        self.memory.stats.inputs += 1;
        let before = self.memory.before(self.replay.machines(), r.actor);
        // A rejected input is its group's divergence, reported when the group closes.
        if let Some(group) = self.replay.feed(r).closed {
            self.replayed(group);
        }
        match input {
            Input::Router(RouterInput::Boot(config)) => {
                self.memory.mode = Some(config.mode);
                self.memory.phone.boot();
                self.memory.stats.launches += 1;
            }
            Input::Router(RouterInput::Launch(launch)) => {
                self.memory.mode = Some(launch.config.mode);
                self.memory.phone.launch(launch);
                self.memory.stats.launches += 1;
            }
            Input::Router(i) => {
                match i {
                    RouterInput::Setup(SetupEvent::InitFailed { .. }) => {
                        self.memory.stats.init_failures += 1;
                    }
                    RouterInput::Setup(SetupEvent::LoginFailed { .. }) => {
                        self.memory.stats.login_failures += 1;
                    }
                    _ => {}
                }
                self.memory.phone.input(i);
            }
            Input::Session(SessionInput::Start {
                attempt,
                join_timeout_ms,
                ..
            }) => {
                self.memory.stats.attempts += 1;
                let facts = self.memory.attempts.entry(*attempt).or_default();
                facts.join_timeout_ms = *join_timeout_ms;
            }
            Input::Session(s @ (SessionInput::ViewAppeared | SessionInput::ViewDisappeared)) => {
                if let ActorName::Session(a) = r.actor {
                    let facts = self.memory.attempts.entry(a).or_default();
                    facts.view_up = *s == SessionInput::ViewAppeared;
                    if facts.view_up && facts.first_view_ms.is_none() && facts.joins == 0 {
                        facts.first_view_ms = Some(r.at_ms);
                    }
                }
            }
            Input::Ui(UiInput::Session(view))
                if matches!(view.phase, PhaseView::Ended(_))
                    && self.replay.machines().ui.current().dismisses_call_view() =>
            {
                self.memory.pending_ended.remove(&view.attempt);
            }
            _ => {}
        }
        let open = Open {
            seq: r.seq,
            input: input.clone(),
            produced: Produced::default(),
            before,
        };
        self.open.push((r.actor, open));
    }

    fn command(&mut self, r: &Record, c: &Command) {
        // The router forwarding the user's intent to a session the new process never ended is
        // the same carrying-on as the session receiving it (rule 10).
        if let Command::Message(Message::Forward { attempt, input }) = c {
            if let Some(boot) = self.inherited.get(attempt).copied() {
                let why = format!(
                    "the process that booted at seq {boot} carried on attempt {attempt} of the \
                     one before it: the router forwarded '{input}' to it instead of ending it"
                );
                self.fail(Invariant::RelaunchEndsOldCall, r.seq, why);
            }
        }
        if let Fold::Stray(d) = self.replay.feed(r).fold {
            let why = format!("'{c}': {d}");
            self.fail(Invariant::ReplayCommands, d.seq, why);
        }
        let Some((_, open)) = self.open.iter_mut().find(|(a, _)| *a == r.actor) else {
            return;
        };
        open.produced.note(c);
        if let Some(key) = LedgerKey::of_command(c) {
            *self.memory.effects.entry(key).or_default() += 1;
        }
        let broken = self.memory.command_rule(r, c, &open.input, &open.before);
        if let Some((invariant, why)) = broken {
            self.fail(invariant, r.seq, why);
        }
    }

    /// Closes an input: checks what it must produce (replay's comparison is the replay group's,
    /// closed by the replay itself).
    fn close(&mut self, open: Open) {
        if let Some((invariant, why)) = must_produce(&open) {
            self.fail(invariant, open.seq, why);
        }
    }

    /// Ends a step: closes every open input, and reports every `Ended` not followed by a
    /// dismissing `UiState`. Violations are kept for [`LogChecker::take_first`].
    pub fn end_step(&mut self) {
        while let Some((_, open)) = self.open.pop() {
            self.close(open);
        }
        for group in self.replay.close_all() {
            self.replayed(group);
        }
        // Rule 10: the new process ends the old one's live attempt as it starts, in the same
        // step; one still live when the step ends is carried on.
        for (attempt, boot) in std::mem::take(&mut self.inherited) {
            if !self.ended(attempt) {
                let why = format!(
                    "the process that started at seq {boot} did not end attempt {attempt}, which \
                     the process before it left live: the call carries on"
                );
                self.fail(Invariant::RelaunchEndsOldCall, boot, why);
            }
        }
        while let Some((attempt, seq)) = self.memory.pending_ended.pop_first() {
            let why = format!(
                "attempt {attempt} ended and no UiState dismissing the call view followed in the \
                 same step"
            );
            self.fail(Invariant::ViewNotStranded, seq, why);
        }
    }

    /// Ends the log: ends the last step and returns the first violation.
    pub fn finish(&mut self) -> Option<Violation> {
        self.end_step();
        self.take_first()
    }
}

/// The commands an input must produce, given the state before it.
fn must_produce(open: &Open) -> Option<(Invariant, String)> {
    let out = open.produced;
    let phase = open.before.phase.as_ref();
    // Joining with a JoinSession out: a join held (or let go while the view was away) has no
    // SDK session, and what the SDK says is not about it.
    let joined = open.before.joined;
    let joining = phase == Some(&Phase::Joining) && joined;
    let in_call = matches!(phase, Some(Phase::InCall { .. }));
    let unjoined = matches!(phase, Some(Phase::Waiting | Phase::Joining)) && !joined;
    let fail = |i: Invariant, why: &str| Some((i, format!("'{}': {why}", open.input)));
    match &open.input {
        Input::Session(SessionInput::Sdk(e)) if e.is_terminal() => {
            let live = joining || in_call || phase == Some(&Phase::Leaving);
            if live && !out.ended {
                return fail(
                    Invariant::TerminalEnds,
                    "a terminal callback did not end the call",
                );
            }
        }
        Input::Session(SessionInput::Sdk(SdkEvent::ConnectionRestored))
            if phase == Some(&Phase::InCall { reconnecting: true }) && !out.connected =>
        {
            return fail(Invariant::RestoredConnects, "did not return to Connected");
        }
        Input::Session(SessionInput::Sdk(SdkEvent::JoinSucceeded | SdkEvent::SessionJoined))
            if joining && !out.connected =>
        {
            return fail(Invariant::JoinedEitherOrder, "did not join the call");
        }
        Input::Session(SessionInput::Sdk(SdkEvent::JoinFailed { code, .. }))
            if joining && *code != JoinErrorCode::Init && !out.ended =>
        {
            return fail(
                Invariant::JoinErrorEnds,
                "a real join error did not end the attempt",
            );
        }
        Input::Session(SessionInput::Leave | SessionInput::Sdk(SdkEvent::LeaveButtonClicked))
            if (joining || in_call) && !open.before.leaving && !out.leave =>
        {
            return fail(Invariant::LeaveLeads, "no LeaveSession");
        }
        // Rule 6 before the join went out: nothing to leave, so the leave ends the attempt.
        Input::Session(SessionInput::Leave) if unjoined && !out.ended => {
            return fail(
                Invariant::LeaveLeads,
                "a leave before the join went out did not end the attempt",
            );
        }
        Input::Session(SessionInput::Abandon { .. }) if unjoined && !out.ended => {
            return fail(
                Invariant::EndReason,
                "the router abandoned the join and the attempt did not end",
            );
        }
        // A retry the UI offered starts an attempt, or is refused at once when the microphone
        // is refused now (rule 12: no attempt, the error view says why).
        Input::Router(RouterInput::Retry)
            if open.before.retry_offered
                && !out.start_attempt
                && !(out.refused && open.before.mic_refused) =>
        {
            return fail(
                Invariant::RetryKept,
                "the UI offered a retry and none started",
            );
        }
        Input::Router(RouterInput::Boot(config) | RouterInput::Launch(Launch { config, .. })) => {
            let additive = config.mode == IntegrationMode::Additive;
            if !out.init_calls || (additive && !out.init_chat) {
                return fail(
                    Invariant::SdkInit,
                    "the SDKs were not initialised for the mode",
                );
            }
        }
        _ => {}
    }
    None
}

/// Checks a whole log (from seq 0). Returns its counts, or the violation with the lowest seq.
pub fn check_log(records: &[Record]) -> Result<LogStats, Violation> {
    let mut checker = LogChecker::new();
    for r in records {
        checker.feed(r);
    }
    match checker.finish() {
        Some(v) => Err(v),
        None => Ok(checker.memory.stats),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_domain::{CoreConfig, Permissions, SessionSettings};

    fn launched(permissions: Permissions) -> Memory {
        let mut m = Memory::default();
        m.phone.launch(&Launch {
            config: CoreConfig::default(),
            permissions,
        });
        m
    }

    /// A `JoinSession` for a new attempt whose view is up: the rule it breaks, if any.
    fn join(m: &mut Memory, attempt: AttemptId, settings: &SessionSettings) -> Option<Invariant> {
        m.attempts.entry(attempt).or_default().view_up = true;
        let release = Input::Session(SessionInput::Release {
            camera_unavailable: false,
        });
        m.join_rule(attempt, settings, &release).map(|(i, _)| i)
    }

    fn voice() -> SessionSettings {
        SessionSettings {
            session_type: SessionType::Voice,
            ..SessionSettings::default()
        }
    }

    fn setup(m: &mut Memory, event: SetupEvent) {
        m.phone.input(&RouterInput::Setup(event));
    }

    #[test]
    fn a_join_needs_an_init_asked_for_and_answered_and_a_login_in_this_process() {
        let mut m = launched(Permissions::GRANTED);
        let v = voice();
        assert_eq!(join(&mut m, 1, &v), Some(Invariant::JoinBeforeReady));
        // An answer nobody asked for does not count.
        setup(
            &mut m,
            SetupEvent::InitSucceeded {
                request: 1,
                logged_in: true,
            },
        );
        assert_eq!(join(&mut m, 2, &v), Some(Invariant::JoinBeforeReady));
        m.phone.init = InitState::Asked;
        m.phone.init_request = 1;
        assert_eq!(join(&mut m, 3, &v), Some(Invariant::JoinBeforeReady));
        setup(
            &mut m,
            SetupEvent::InitSucceeded {
                request: 1,
                logged_in: false,
            },
        );
        assert_eq!(join(&mut m, 4, &v), Some(Invariant::JoinBeforeReady));
        setup(&mut m, SetupEvent::LoginSucceeded);
        assert_eq!(join(&mut m, 5, &v), None);

        // The call ends: its session may have cleared the SDK, and only a new init counts.
        let leave = Input::Session(SessionInput::Leave);
        let ended = m.ended_rule(9, 5, &EndReason::LocalLeave, &leave, &Before::default());
        assert_eq!(ended, None);
        assert_eq!(m.phone.init, InitState::Cleared);
        setup(
            &mut m,
            SetupEvent::InitSucceeded {
                request: 1,
                logged_in: true,
            },
        );
        assert_eq!(join(&mut m, 6, &v), Some(Invariant::JoinBeforeReady));
        m.phone.init = InitState::Asked;
        m.phone.init_request = 2;
        // The late answer to the first init does not count for the second.
        setup(
            &mut m,
            SetupEvent::InitSucceeded {
                request: 1,
                logged_in: true,
            },
        );
        assert_eq!(join(&mut m, 7, &v), Some(Invariant::JoinBeforeReady));
        setup(
            &mut m,
            SetupEvent::InitSucceeded {
                request: 2,
                logged_in: true,
            },
        );
        assert_eq!(join(&mut m, 11, &v), None);

        // A new process starts from nothing; a log of the old format is not held to it.
        m.phone.launch(&Launch {
            config: CoreConfig::default(),
            permissions: Permissions::GRANTED,
        });
        assert_eq!(join(&mut m, 8, &v), Some(Invariant::JoinBeforeReady));
        m.phone.boot();
        assert_eq!(join(&mut m, 10, &v), None);
    }

    #[test]
    fn a_join_needs_the_microphone_and_a_video_join_an_answered_camera() {
        let mut m = launched(Permissions::default());
        m.phone.init = InitState::Asked;
        setup(
            &mut m,
            SetupEvent::InitSucceeded {
                request: 0,
                logged_in: true,
            },
        );
        let v = voice();
        assert_eq!(join(&mut m, 1, &v), Some(Invariant::DeniedMicNeverJoins));
        let mic = |status| RouterInput::Permission {
            media: MediaKind::Microphone,
            status,
        };
        m.phone.input(&mic(Authorization::Denied));
        assert_eq!(join(&mut m, 2, &v), Some(Invariant::DeniedMicNeverJoins));
        m.phone.input(&mic(Authorization::Authorized));
        assert_eq!(join(&mut m, 3, &v), None);

        let video = SessionSettings {
            session_type: SessionType::Video,
            start_video_paused: false,
            ..SessionSettings::default()
        };
        assert_eq!(join(&mut m, 4, &video), Some(Invariant::DeniedCameraPaused));
        m.phone.input(&RouterInput::Permission {
            media: MediaKind::Camera,
            status: Authorization::Restricted,
        });
        assert_eq!(join(&mut m, 5, &video), Some(Invariant::DeniedCameraPaused));
        let paused = SessionSettings {
            start_video_paused: true,
            ..video
        };
        assert_eq!(join(&mut m, 6, &paused), None);
    }

    #[test]
    fn a_held_join_that_times_out_is_not_ready_for_what_it_waited_for() {
        let timeout = Input::Session(SessionInput::TimerFired(TimerKind::JoinTimeout));
        let held = Before {
            held: Some(WaitingFor::CameraPermission),
            ..Before::default()
        };
        let want = Expected::Exact(EndReason::NotReady {
            waiting_for: WaitingFor::CameraPermission,
        });
        assert_eq!(expected_reason(&timeout, &held), Ok(want));
        // Let go while its view was away: not ready, for the view.
        assert_eq!(
            expected_reason(&timeout, &Before::default()),
            Ok(Expected::AnyNotReady)
        );
        let joined = Before {
            joined: true,
            ..Before::default()
        };
        assert_eq!(
            expected_reason(&timeout, &joined),
            Ok(Expected::Exact(EndReason::JoinTimedOut))
        );
        let abandon = Input::Session(SessionInput::Abandon {
            reason: EndReason::MicrophoneDenied,
        });
        assert!(expected_reason(&abandon, &Before::default()).is_err());
        let refused = Before {
            mic_refused: true,
            ..Before::default()
        };
        assert_eq!(
            expected_reason(&abandon, &refused),
            Ok(Expected::Exact(EndReason::MicrophoneDenied))
        );
    }
}
