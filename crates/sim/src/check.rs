//! The journal-level invariants: DESIGN.md section 2's rules, the never-stranded view and replay,
//! checked on journal records alone. [`LogChecker`] takes records one at a time (the simulator
//! feeds it every record as it is written, so checking a whole run costs one pass), and
//! [`check_log`] runs it over any log, such as a failing journal written to disk, which then
//! reports the same violation.
//!
//! An input is closed (its recorded commands compared with what today's machines decide, and
//! with what the rules say it must produce) at the next input of its actor, or when a step ends.
//! Every `Ended` must be followed by a `UiState` that dismisses the call view before the step
//! ends. The simulator ends a step whenever the runtime has settled; in a log alone, a step ends
//! at a `Boot` (the app started again) and at the end of the log.
use std::collections::BTreeMap;

use switchboard_domain::session::Phase;
use switchboard_domain::ui_bridge::PhaseView;
use switchboard_domain::{
    ActorName, AttemptId, Command, EndReason, Entry, Input, IntegrationMode, JoinErrorCode,
    Machines, MediaKind, RouterInput, SdkEvent, SessionInput, TimerKind, UiInput, UiState,
};
use switchboard_journal::Record;

use crate::invariant::{Invariant, Violation};

/// An effect on a port, as counted from the journal's commands and from the fakes' calls (the
/// simulator checks that no effect happened more often than it was journaled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
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

impl Effect {
    /// The port effect of a command (timers, renders and messages between machines are not
    /// counted here).
    pub fn of(command: &Command) -> Option<Effect> {
        use Command as C;
        Some(match command {
            C::InitCallsSdk => Effect::InitCalls,
            C::InitChatSdk => Effect::InitChat,
            C::RegisterListeners { attempt } => Effect::RegisterListeners(*attempt),
            C::JoinSession { attempt, .. } => Effect::Join(*attempt),
            C::LeaveSession { attempt } => Effect::Leave(*attempt),
            C::MuteAudio { attempt } => Effect::AudioMuted(*attempt, true),
            C::UnmuteAudio { attempt } => Effect::AudioMuted(*attempt, false),
            C::PauseVideo { attempt } => Effect::VideoPaused(*attempt, true),
            C::ResumeVideo { attempt } => Effect::VideoPaused(*attempt, false),
            C::SetAudioMode { attempt, .. } => Effect::AudioMode(*attempt),
            C::ConfigureAudio { .. } => Effect::ConfigureAudio,
            C::ActivateAudio => Effect::ActivateAudio,
            C::DeactivateAudio { .. } => Effect::DeactivateAudio,
            C::OverrideOutput { speaker } => Effect::OverrideOutput(*speaker),
            C::LoginCallsSdk => Effect::Login,
            C::RequestPermission { media } => Effect::RequestPermission(*media),
            C::OpenAppSettings => Effect::OpenAppSettings,
            C::ShareLink { .. } => Effect::ShareLink,
            _ => return None,
        })
    }
}

/// What the journal says about one attempt so far.
#[derive(Clone, Debug, Default)]
struct Facts {
    /// The seq of its `Ended`.
    ended: Option<u64>,
    joins: u32,
    leaves: u32,
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
}

impl Produced {
    fn note(&mut self, c: &Command) {
        match c {
            Command::Ended { .. } => self.ended = true,
            Command::LeaveSession { .. } => self.leave = true,
            Command::SessionChanged(v) if v.phase == PhaseView::Connected => self.connected = true,
            Command::InitCallsSdk => self.init_calls = true,
            Command::InitChatSdk => self.init_chat = true,
            Command::StartAttempt { .. } => self.start_attempt = true,
            _ => {}
        }
    }
}

/// An input whose commands are still being read.
#[derive(Debug)]
struct Open {
    seq: u64,
    input: Input,
    /// What today's machine decided.
    got: Vec<Command>,
    /// Commands the log recorded after the input so far.
    recorded: usize,
    /// The first recorded command that differs from replay's: its seq, index and the command.
    first_difference: Option<(u64, usize, Command)>,
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
}

/// What the rules remember about the log so far.
#[derive(Debug, Default)]
struct Memory {
    attempts: BTreeMap<AttemptId, Facts>,
    /// Ended attempts whose dismissing `UiState` has not come yet, with the seq of the `Ended`.
    pending_ended: BTreeMap<AttemptId, u64>,
    mode: Option<IntegrationMode>,
    effects: BTreeMap<Effect, u64>,
    stats: LogStats,
}

/// Checks journal records one at a time; see the module documentation.
#[derive(Debug, Default)]
pub struct LogChecker {
    machines: Machines,
    /// Open inputs by actor (a handful at most: one per actor).
    open: Vec<(ActorName, Open)>,
    memory: Memory,
    next_seq: u64,
    found: Vec<Violation>,
    /// Attempts live at a `Boot` and not yet ended by the new process, with that boot's seq.
    inherited: BTreeMap<AttemptId, u64>,
}

/// An input that starts a new step in a log read alone: the app started again.
fn starts_step(input: &Input) -> bool {
    matches!(input, Input::Router(RouterInput::Boot(_)))
}

/// The reason rule 2 gives for an attempt ended by `input`, or the rule the end breaks.
fn expected_reason(input: &Input, before: &Before) -> Result<EndReason, (Invariant, String)> {
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
                ..Before::default()
            };
        };
        let facts = self.attempts.get(&a);
        Before {
            phase: machines.sessions.get(&a).map(|s| s.phase().clone()),
            leaving: facts.is_some_and(|f| f.leaves > 0),
            ended: facts.is_some_and(|f| f.ended.is_some()),
            retry_offered: false,
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
            Command::Ended { attempt, reason } => {
                self.ended_rule(r.seq, *attempt, reason, input, before)
            }
            Command::LeaveSession { attempt } => {
                let facts = self.attempts.entry(*attempt).or_default();
                facts.leaves += 1;
                let n = facts.leaves;
                let why = || format!("LeaveSession #{n} for attempt {attempt} (on '{input}')");
                (n > 1).then(|| (Invariant::OneLeave, why()))
            }
            Command::JoinSession { attempt, .. } => {
                let facts = self.attempts.entry(*attempt).or_default();
                facts.joins += 1;
                if facts.joins > 1 {
                    let why = format!("JoinSession #{} for attempt {attempt}", facts.joins);
                    return Some((Invariant::OneJoin, why));
                }
                let why = || format!("JoinSession for attempt {attempt} on '{input}'");
                (*input != Input::Session(SessionInput::ViewAppeared))
                    .then(|| (Invariant::JoinAfterView, why()))
            }
            Command::ConfigureAudio { category, .. } if !category.captures_microphone() => {
                let why = format!("audio category {category:?} captures no microphone");
                Some((Invariant::MicCategory, why))
            }
            Command::InitChatSdk if self.mode == Some(IntegrationMode::Standalone) => {
                let why = "the chat SDK initialised in standalone mode".to_owned();
                Some((Invariant::SdkInit, why))
            }
            _ => None,
        }
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
        let facts = self.attempts.entry(attempt).or_default();
        if let Some(first) = facts.ended {
            let why = format!("attempt {attempt} ended again ({reason}); it ended at seq {first}");
            return Some((Invariant::OneEnded, why));
        }
        facts.ended = Some(seq);
        self.pending_ended.insert(attempt, seq);
        match expected_reason(input, before) {
            Ok(want) if want == *reason => None,
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
        &self.machines
    }

    /// Port effects journaled so far.
    pub fn effects(&self) -> &BTreeMap<Effect, u64> {
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

    /// The violation with the lowest seq found so far, removing every violation found. At the
    /// same seq a broken rule comes before a replay difference (a runtime that decides a wrong
    /// command breaks both: the rule says more).
    pub fn take_first(&mut self) -> Option<Violation> {
        let mut found = std::mem::take(&mut self.found);
        found.sort_by_key(|v| {
            let replay = v.invariant == Invariant::ReplayCommands;
            (v.seq.unwrap_or(u64::MAX), replay)
        });
        found.into_iter().next()
    }

    fn fail(&mut self, invariant: Invariant, seq: u64, detail: impl Into<String>) {
        self.found.push(Violation::at(invariant, seq, detail));
    }

    /// Reads one record.
    pub fn feed(&mut self, r: &Record) {
        if r.seq != self.next_seq {
            let why = format!("expected seq {}", self.next_seq);
            self.fail(Invariant::LogSequence, r.seq, why);
        }
        self.next_seq = r.seq + 1;
        self.memory.stats.records += 1;
        match &r.body {
            Entry::Input(input) => self.input(r, input),
            Entry::Command(c) => self.command(r, c),
        }
    }

    /// Rule 10 on the log: at a `Boot`, the attempt still live belonged to the process that
    /// died; the first input its session gets afterwards must be the one that ends it.
    fn relaunch_rule(&mut self, r: &Record, input: &Input) {
        if let Input::Router(RouterInput::Boot(_)) = input {
            let live = self.machines.router.live_attempt();
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
                "the process that booted at seq {boot} carried on attempt {a} of the one before                  it: its session got '{s}' instead of being ended"
            );
            self.fail(Invariant::RelaunchEndsOldCall, r.seq, why);
        }
    }

    fn input(&mut self, r: &Record, input: &Input) {
        self.relaunch_rule(r, input);
        if starts_step(input) {
            self.end_step();
        } else if let Some(i) = self.open.iter().position(|(a, _)| *a == r.actor) {
            let (actor, prev) = self.open.swap_remove(i);
            self.close(actor, prev);
        }
        self.memory.stats.inputs += 1;
        let before = self.memory.before(&self.machines, r.actor);
        let got = match self.machines.step(r.actor, input, r.at_ms) {
            Ok(got) => got,
            Err(e) => {
                let why = format!("replay rejected the input: {e}");
                self.fail(Invariant::ReplayCommands, r.seq, why);
                Vec::new()
            }
        };
        match input {
            Input::Router(RouterInput::Boot(config)) => self.memory.mode = Some(config.mode),
            Input::Session(SessionInput::Start { attempt, .. }) => {
                self.memory.stats.attempts += 1;
                self.memory.attempts.entry(*attempt).or_default();
            }
            Input::Ui(UiInput::Session(view))
                if matches!(view.phase, PhaseView::Ended(_))
                    && self.machines.ui.current().dismisses_call_view() =>
            {
                self.memory.pending_ended.remove(&view.attempt);
            }
            _ => {}
        }
        let open = Open {
            seq: r.seq,
            input: input.clone(),
            got,
            recorded: 0,
            first_difference: None,
            produced: Produced::default(),
            before,
        };
        self.open.push((r.actor, open));
    }

    fn command(&mut self, r: &Record, c: &Command) {
        // The router forwarding the user's intent to a session the new process never ended is
        // the same carrying-on as the session receiving it (rule 10).
        if let Command::Forward { attempt, input } = c {
            if let Some(boot) = self.inherited.get(attempt).copied() {
                let why = format!(
                    "the process that booted at seq {boot} carried on attempt {attempt} of the                      one before it: the router forwarded '{input}' to it instead of ending it"
                );
                self.fail(Invariant::RelaunchEndsOldCall, r.seq, why);
            }
        }
        let Some((_, open)) = self.open.iter_mut().find(|(a, _)| *a == r.actor) else {
            let why = format!("'{c}' recorded before any input of {}", r.actor);
            self.fail(Invariant::ReplayCommands, r.seq, why);
            return;
        };
        let index = open.recorded;
        open.recorded += 1;
        if open.first_difference.is_none() && open.got.get(index) != Some(c) {
            open.first_difference = Some((r.seq, index, c.clone()));
        }
        open.produced.note(c);
        if let Some(effect) = Effect::of(c) {
            *self.memory.effects.entry(effect).or_default() += 1;
        }
        let broken = self.memory.command_rule(r, c, &open.input, &open.before);
        if let Some((invariant, why)) = broken {
            self.fail(invariant, r.seq, why);
        }
    }

    /// Closes an input: compares its commands with replay's, and checks what it must produce.
    fn close(&mut self, actor: ActorName, open: Open) {
        if open.first_difference.is_some() || open.recorded != open.got.len() {
            let (seq, why) = divergence(actor, &open);
            self.fail(Invariant::ReplayCommands, seq, why);
        }
        if let Some((invariant, why)) = must_produce(&open) {
            self.fail(invariant, open.seq, why);
        }
    }

    /// Ends a step: closes every open input, and reports every `Ended` not followed by a
    /// dismissing `UiState`. Violations are kept for [`LogChecker::take_first`].
    pub fn end_step(&mut self) {
        while let Some((actor, open)) = self.open.pop() {
            self.close(actor, open);
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

/// Where replay first differs from the log (the seq of the first differing command record, or
/// of the input when the log recorded too few), and how.
fn divergence(actor: ActorName, open: &Open) -> (u64, String) {
    let (seq, index, logged) = match &open.first_difference {
        Some((seq, index, c)) => (*seq, *index, format!("'{c}'")),
        None => (open.seq, open.recorded, "nothing".to_owned()),
    };
    let replayed = open
        .got
        .get(index)
        .map_or("nothing".to_owned(), |c| format!("'{c}'"));
    let why = format!(
        "{actor} on '{}' (seq {}): the log recorded {} command(s), replay decided {}; first \
         difference: log {logged} vs replay {replayed}",
        open.input,
        open.seq,
        open.recorded,
        open.got.len(),
    );
    (seq, why)
}

/// The commands an input must produce, given the state before it.
fn must_produce(open: &Open) -> Option<(Invariant, String)> {
    let out = open.produced;
    let phase = open.before.phase.as_ref();
    let joining = phase == Some(&Phase::Joining);
    let in_call = matches!(phase, Some(Phase::InCall { .. }));
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
        Input::Router(RouterInput::Retry) if open.before.retry_offered && !out.start_attempt => {
            return fail(
                Invariant::RetryKept,
                "the UI offered a retry and none started",
            );
        }
        Input::Router(RouterInput::Boot(config)) => {
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
