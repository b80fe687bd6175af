//! Rules about what stands between a join and the Calls SDK on a real phone: the SDK's init and
//! login (DESIGN rule 11), and the microphone and camera permissions (rule 12). Logs written
//! before those rules (a `Boot`, no `Launch`) hold none of these inputs and give no findings.
use switchboard_domain::describe::authorization_name;
use switchboard_domain::{
    ActorName, AttemptId, Authorization, Command, Effect, EndReason, Entry, Incident, Input,
    MediaKind, Message, Notice, RouterInput, SessionInput, SetupEvent, SetupStep, WaitingFor,
};

use super::{secs, Finding, Log};

/// The router's commands that answered the router input at index `i` (a machine's step is
/// journaled as its input followed by its commands).
fn router_commands<'a>(log: &'a Log, i: usize) -> impl Iterator<Item = (usize, &'a Command)> + 'a {
    log.records
        .iter()
        .enumerate()
        .skip(i + 1)
        .take_while(|(_, r)| r.actor == ActorName::Router && matches!(r.body, Entry::Command(_)))
        .filter_map(|(j, r)| match &r.body {
            Entry::Command(c) => Some((j, c)),
            Entry::Input(_) | Entry::Snapshot(_) => None,
        })
}

/// The router input a router command at `cmd` answered.
fn cause_of<'a>(log: &Log<'a>, cmd: usize) -> Option<(usize, &'a RouterInput)> {
    log.records[..cmd]
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, r)| match (&r.actor, &r.body) {
            (ActorName::Router, Entry::Input(Input::Router(input))) => Some((i, input)),
            _ => None,
        })
}

/// Why an init or login command at `cmd` was sent, as a clause.
fn why_sent(log: &Log, cmd: usize) -> String {
    let Some((i, input)) = cause_of(log, cmd) else {
        return String::new();
    };
    let seq = log.records[i].seq;
    match input {
        RouterInput::Launch(_) => format!(" at launch (seq {seq})"),
        RouterInput::Boot(_) => format!(" at boot (seq {seq})"),
        RouterInput::AttemptEnded { attempt, .. } => {
            format!(" to initialise the SDK again after attempt {attempt} ended (seq {seq})")
        }
        RouterInput::Setup(SetupEvent::InitSucceeded {
            logged_in: false, ..
        }) => {
            format!(" because init found no user logged in (seq {seq})")
        }
        RouterInput::OpenLink { .. }
        | RouterInput::Join { .. }
        | RouterInput::Retry
        | RouterInput::NewMeeting { .. }
        | RouterInput::AnswerSwitch { .. } => {
            format!(" again for a new join (seq {seq}), {}", why_again(log, cmd))
        }
        _ => format!(" after seq {seq}"),
    }
}

/// Why a new join asked for the step of the command at `cmd` again: the last try had failed, or
/// had gone unanswered for longer than a join may wait.
fn why_again(log: &Log, cmd: usize) -> String {
    let Entry::Command(c) = &log.records[cmd].body else {
        return String::new();
    };
    let Some((step, _)) = step_command(c) else {
        return String::new();
    };
    let before = last_command(log, cmd, |c| {
        step_command(c).is_some_and(|(s, _)| s == step)
    });
    match before.map(|b| (b, answer_to(log, b, cmd))) {
        Some((b, None)) => format!(
            "since the last {} (seq {}) had gone unanswered for longer than the join timeout",
            step.name(),
            log.records[b].seq
        ),
        _ => "since the last try had failed".to_owned(),
    }
}

/// An init or login command: its step, and the init's request number (`None` for a login and
/// for the unnumbered init of a `Boot`ed process).
fn step_command(c: &Command) -> Option<(SetupStep, Option<u64>)> {
    c.effect().and_then(step_effect)
}

/// The step an init or login effect asks for, with the init's request number.
fn step_effect(e: &Effect) -> Option<(SetupStep, Option<u64>)> {
    match e {
        Effect::InitCalls { request } => Some((SetupStep::Init, Some(*request))),
        Effect::InitCallsSdk => Some((SetupStep::Init, None)),
        Effect::LoginCallsSdk => Some((SetupStep::Login, None)),
        _ => None,
    }
}

/// What a router input reports about init or login: a completion the shell reported, or a port
/// failure of the command (which counts as that step failing).
struct SetupResult<'a> {
    step: SetupStep,
    /// The init it completes (`None`: a login, or the unnumbered init of a `Boot`ed process).
    request: Option<u64>,
    /// The failure's message; `None` for a success.
    failure: Option<&'a str>,
    /// The shell could not even call the SDK (a port failure), rather than the SDK's `onError`.
    port: bool,
}

fn setup_result(input: &RouterInput) -> Option<SetupResult<'_>> {
    let (step, request, failure, port) = match input {
        RouterInput::Setup(SetupEvent::InitSucceeded { request, .. }) => {
            (SetupStep::Init, Some(*request), None, false)
        }
        RouterInput::Setup(SetupEvent::InitFailed { request, message }) => (
            SetupStep::Init,
            Some(*request),
            Some(message.as_str()),
            false,
        ),
        RouterInput::Setup(SetupEvent::LoginSucceeded) => (SetupStep::Login, None, None, false),
        RouterInput::Setup(SetupEvent::LoginFailed { message }) => {
            (SetupStep::Login, None, Some(message.as_str()), false)
        }
        RouterInput::Incident(Incident::PortFailed { command, message }) => {
            let (step, request) = step_effect(command)?;
            (step, request, Some(message.as_str()), true)
        }
        _ => return None,
    };
    Some(SetupResult {
        step,
        request,
        failure,
        port,
    })
}

/// The init or login result in the record at `i`, if it holds one.
fn result_at<'a>(log: &Log<'a>, i: usize) -> Option<SetupResult<'a>> {
    match &log.records[i].body {
        Entry::Input(Input::Router(input)) => setup_result(input),
        _ => None,
    }
}

/// Whether `result` completes the init or login command `c`: the same step and, for a numbered
/// init, the same request.
fn completes(result: &SetupResult, c: &Command) -> bool {
    step_command(c).is_some_and(|(step, request)| {
        step == result.step && (request.is_none() || request == result.request)
    })
}

/// The first result, before index `until`, that completes the init or login command at `sent`,
/// and whether it was a success.
fn answer_to(log: &Log, sent: usize, until: usize) -> Option<(usize, bool)> {
    let Entry::Command(c) = &log.records[sent].body else {
        return None;
    };
    (sent + 1..until).find_map(|j| {
        result_at(log, j)
            .filter(|r| completes(r, c))
            .map(|r| (j, r.failure.is_none()))
    })
}

/// The init or login command the result at `i` answers: for a numbered init, the init of that
/// number this process asked for; otherwise the last command of its step.
fn command_answered(log: &Log, i: usize, result: &SetupResult) -> Option<usize> {
    let launch = log.records[..i]
        .iter()
        .rposition(|r| matches!(r.body, Entry::Input(Input::Router(RouterInput::Launch(_)))))
        .unwrap_or(0);
    last_command(log, i, |c| completes(result, c))
        .filter(|&c| result.request.is_none() || c > launch)
}

/// Why the core ignored the init result at `i` (a sentence), or `None` if it counted: the router
/// counts an init result only if it names the latest init asked for and that one is unanswered.
/// Login results, and the unnumbered inits of a `Boot`ed process, always count here.
fn ignored(log: &Log, i: usize, result: &SetupResult) -> Option<String> {
    let request = result.request?;
    let latest = last_command(log, i, |c| {
        step_command(c).is_some_and(|(s, _)| s == SetupStep::Init)
    });
    match (command_answered(log, i, result), latest) {
        (None, _) => Some(format!(
            " The core had asked for no init #{request} in this process, so it ignored this \
             answer."
        )),
        (Some(c), Some(l)) if c != l => {
            let newer = match &log.records[l].body {
                Entry::Command(Command::Effect(Effect::InitCalls { request: n })) => {
                    format!("#{n} ")
                }
                _ => String::new(),
            };
            Some(format!(
                " By then the core had asked for init again ({newer}at seq {}), so it ignored \
                 this late answer to init #{request}: only the answer to the latest init counts.",
                log.records[l].seq
            ))
        }
        (Some(c), _) => answer_to(log, c, i).map(|(j, _)| {
            format!(
                " Init #{request} had been answered already (seq {}), so the core ignored this \
                 second answer.",
                log.records[j].seq
            )
        }),
    }
}

/// The last command before index `before` that `is` picks.
fn last_command(log: &Log, before: usize, is: impl Fn(&Command) -> bool) -> Option<usize> {
    log.records[..before]
        .iter()
        .rposition(|r| matches!(&r.body, Entry::Command(c) if is(c)))
}

/// The session id an attempt was started for, as text.
fn session_of(log: &Log, attempt: AttemptId) -> String {
    log.sessions
        .get(&attempt)
        .map_or_else(|| "its session".to_owned(), |s| s.to_string())
}

/// Where a permission's status came from, for the record at index `at`: the last launch or
/// permission input before it that set `media`.
struct StatusSource {
    index: usize,
    status: Authorization,
    /// The launch read it (not a prompt's answer or a change reported later).
    at_launch: bool,
    /// The prompt the core sent before the answer, if any (index).
    asked: Option<usize>,
}

fn status_source(log: &Log, at: usize, media: MediaKind) -> Option<StatusSource> {
    let (index, status, at_launch) =
        log.records[..at]
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, r)| match &r.body {
                Entry::Input(Input::Router(RouterInput::Launch(l))) => {
                    Some((i, l.permissions.of(media), true))
                }
                Entry::Input(Input::Router(RouterInput::Permission { media: m, status }))
                    if *m == media =>
                {
                    Some((i, *status, false))
                }
                _ => None,
            })?;
    let launch = log.records[..index]
        .iter()
        .rposition(|r| matches!(r.body, Entry::Input(Input::Router(RouterInput::Launch(_)))))
        .unwrap_or(0);
    let asked = if at_launch {
        None
    } else {
        last_command(
            log,
            index,
            |c| matches!(c, Command::Effect(Effect::RequestPermission { media: m }) if *m == media),
        )
        .filter(|&q| q >= launch)
    };
    Some(StatusSource {
        index,
        status,
        at_launch,
        asked,
    })
}

/// How the status came to be, as a sentence.
fn source_text(log: &Log, media: MediaKind, src: &StatusSource) -> String {
    let name = media.name();
    let status = authorization_name(src.status);
    let seq = log.records[src.index].seq;
    if src.at_launch && src.status == Authorization::Restricted {
        format!(
            "The app started (launch at seq {seq}) with {name} access restricted on this device \
             (Screen Time or a device-management profile), so no prompt could be shown."
        )
    } else if src.at_launch {
        format!(
            "The app started (launch at seq {seq}) with {name} access already {status}: the user \
             said no to the prompt earlier, or turned it off in Settings, so no prompt was shown."
        )
    } else if let Some(q) = src.asked {
        format!(
            "The core asked for the {name} (request at seq {}) and the answer, at seq {seq}, \
             was {status}.",
            log.records[q].seq
        )
    } else {
        format!(
            "The shell reported the {name} as {status} at seq {seq} (a change made in Settings \
             while the app was running)."
        )
    }
}

/// What to tell the user about turning a device back on.
fn settings_fix(media: MediaKind, status: Authorization) -> String {
    let name = media.name();
    let pane = match media {
        MediaKind::Microphone => "Microphone",
        MediaKind::Camera => "Camera",
    };
    if status == Authorization::Restricted {
        format!(
            "The {name} is restricted on this device (Screen Time content restrictions or a \
             device-management profile): the user cannot allow it; whoever manages the device \
             must. Nothing in the app is wrong."
        )
    } else {
        format!(
            "Ask the user to allow the {name} for the app: Settings > Privacy & Security > \
             {pane} (the app's error screen has an Open Settings button that goes there). \
             Nothing in the app is wrong."
        )
    }
}

/// Rule `microphone-denied`: a join that was refused because the microphone is denied or
/// restricted: an attempt that ended `MicrophoneDenied` (the user said no to the prompt), or a
/// join refused before any attempt started (the microphone was refused already). No
/// `joinSession` went out.
pub fn microphone_denied(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    for (e, r) in log.records.iter().enumerate() {
        let (attempt, session) = match &r.body {
            Entry::Command(Command::Message(Message::Ended {
                attempt,
                reason: EndReason::MicrophoneDenied,
            })) => (Some(*attempt), session_of(log, *attempt)),
            Entry::Command(Command::Message(Message::Notify(Notice::JoinRefused {
                session_id,
                reason: EndReason::MicrophoneDenied,
            }))) => (None, session_id.to_string()),
            _ => continue,
        };
        let src = status_source(log, e, MediaKind::Microphone);
        let first = src.as_ref().map_or(e, |s| s.index.min(e));
        let mut f = log.finding("microphone-denied", first, e);
        f.attempt = attempt;
        let status = src
            .as_ref()
            .map_or(Authorization::Denied, |s| s.status)
            .max_refusal();
        f.title = format!(
            "the call {session} was not joined: microphone access is {}",
            authorization_name(status)
        );
        let how = src
            .as_ref()
            .map(|s| source_text(log, MediaKind::Microphone, s))
            .unwrap_or_default();
        let next = log.records[e + 1..]
            .iter()
            .position(|r| {
                matches!(
                    r.body,
                    Entry::Command(Command::Message(
                        Message::StartAttempt { .. } | Message::Notify(Notice::JoinRefused { .. })
                    ))
                )
            })
            .map_or(log.records.len(), |p| e + 1 + p);
        let settings = log.records[e..next].iter().find(|r| {
            matches!(
                r.body,
                Entry::Command(Command::Effect(Effect::OpenAppSettings))
            )
        });
        let tapped = match settings {
            Some(r) => format!(
                " The user tapped Open Settings (the app's Settings page opened at seq {}).",
                r.seq
            ),
            None => " The user did not tap Open Settings.".to_owned(),
        };
        let what = match attempt {
            Some(a) => format!(
                "Attempt {a} ({session}) ended at seq {} without joining",
                r.seq
            ),
            None => format!(
                "The join of {session} was refused at seq {} before any attempt started",
                r.seq
            ),
        };
        f.explanation = format!(
            "{what}: a call needs the microphone, and access to it is {}. {how} No joinSession \
             went out; the user saw an error saying how to allow the microphone, with an Open \
             Settings button.{tapped}",
            authorization_name(status),
        );
        f.fix = settings_fix(MediaKind::Microphone, status);
        out.push(f);
    }
    out
}

trait Refusal {
    /// A status for a refused device: restricted stays restricted, anything else reads denied.
    fn max_refusal(self) -> Authorization;
}

impl Refusal for Authorization {
    fn max_refusal(self) -> Authorization {
        if self == Authorization::Restricted {
            self
        } else {
            Authorization::Denied
        }
    }
}

/// Rule `camera-denied`: a video call that the router let join with the camera denied or
/// restricted, so it joined with video paused.
pub fn camera_denied(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    // Attempts already reported, or joined before a release (which the session then ignores).
    let mut done = std::collections::BTreeSet::new();
    for (i, r) in log.records.iter().enumerate() {
        if let (
            ActorName::Session(a),
            Entry::Command(Command::Effect(Effect::JoinSession { .. })),
        ) = (&r.actor, &r.body)
        {
            done.insert(*a);
        }
        let (
            ActorName::Session(attempt),
            Entry::Input(Input::Session(SessionInput::Release {
                camera_unavailable: true,
            })),
        ) = (&r.actor, &r.body)
        else {
            continue;
        };
        let attempt = *attempt;
        if log.video.get(&attempt) == Some(&false) || !done.insert(attempt) {
            continue;
        }
        let src = status_source(log, i, MediaKind::Camera);
        let first = src.as_ref().map_or(i, |s| s.index.min(i));
        let join = log.records[i..].iter().position(|r| {
            matches!(&r.body, Entry::Command(Command::Effect(Effect::JoinSession { attempt: a, .. })) if *a == attempt)
        });
        let last = join.map_or(i, |p| i + p);
        let mut f = log.finding("camera-denied", first, last);
        f.attempt = Some(attempt);
        let status = src
            .as_ref()
            .map_or(Authorization::Denied, |s| s.status)
            .max_refusal();
        let session = session_of(log, attempt);
        f.title = format!(
            "the video call {session} was joined without the camera: camera access is {}",
            authorization_name(status)
        );
        let how = src
            .as_ref()
            .map(|s| source_text(log, MediaKind::Camera, s))
            .unwrap_or_default();
        let joined = match join {
            Some(p) => format!(
                "it joined at seq {} with video paused, and the call screen said the camera is \
                 unavailable. The others in the call saw no video from this user; audio was not \
                 affected.",
                log.records[i + p].seq
            ),
            None => "it ended before its joinSession went out.".to_owned(),
        };
        f.explanation = format!(
            "Attempt {attempt} ({session}) is a video call and camera access is {}. {how} The \
             core let the join go at seq {} without the camera: {joined}",
            authorization_name(status),
            r.seq
        );
        f.fix = settings_fix(MediaKind::Camera, status);
        out.push(f);
    }
    out
}

/// The init and login failures in the log, with their indices.
fn setup_failures<'a>(log: &Log<'a>, step: SetupStep) -> Vec<(usize, SetupResult<'a>)> {
    (0..log.records.len())
        .filter_map(|i| result_at(log, i).map(|r| (i, r)))
        .filter(|(_, r)| r.step == step && r.failure.is_some())
        .collect()
}

/// The next result for a step after index `i` that the core counted: `true` a success, `false`
/// a failure.
fn next_outcome(log: &Log, i: usize, step: SetupStep) -> Option<(usize, bool)> {
    (i + 1..log.records.len()).find_map(|j| {
        let r = result_at(log, j).filter(|r| r.step == step)?;
        ignored(log, j, &r)
            .is_none()
            .then_some((j, r.failure.is_none()))
    })
}

fn setup_failed(log: &Log, step: SetupStep) -> Vec<Finding> {
    let rule = match step {
        SetupStep::Init => "init-failed",
        SetupStep::Login => "login-failed",
    };
    let (call, sdk_call) = match step {
        SetupStep::Init => ("init", "CometChatCalls(callsAppSettings:)"),
        SetupStep::Login => ("login", "CometChatCalls.login(authToken:)"),
    };
    let mut out = Vec::new();
    for (i, failure) in setup_failures(log, step) {
        let message = failure.failure.unwrap_or_default();
        let sent = command_answered(log, i, &failure);
        let why_ignored = ignored(log, i, &failure);
        let ended = router_commands(log, i).find_map(|(_, c)| match c {
            Command::Message(Message::Forward {
                attempt,
                input:
                    SessionInput::Abandon {
                        reason: EndReason::SetupFailed { .. },
                    },
            }) => Some(*attempt),
            _ => None,
        });
        let end_index = ended.and_then(|a| log.ended.get(&a).copied());
        let mut f = log.finding(rule, sent.unwrap_or(i), end_index.unwrap_or(i).max(i));
        f.attempt = ended;
        f.title = if failure.port {
            format!(
                "the shell could not start the Calls SDK's {call}: {}",
                clip(message)
            )
        } else {
            format!("the Calls SDK's {call} failed: {}", clip(message))
        };
        let named = match failure.request {
            Some(n) => format!("{call} #{n}"),
            None => call.to_owned(),
        };
        let asked = match sent {
            Some(c) => format!(
                "The core asked for {named} at seq {}{}",
                log.records[c].seq,
                why_sent(log, c)
            ),
            None => format!("The core asked for {named}"),
        };
        let how = if failure.port {
            format!(
                "the shell's port call failed at seq {} before {sdk_call} could run: {}",
                log.records[i].seq, message
            )
        } else {
            format!(
                "{sdk_call} reported onError at seq {}: {}",
                log.records[i].seq, message
            )
        };
        let effect = match (ended, end_index, why_ignored) {
            (_, _, Some(why)) => why,
            (Some(a), Some(e), None) => format!(
                " It ended attempt {a} ({}), which was waiting for it, at seq {} \
                 (SetupFailed): no joinSession went out, and the user saw \"Could not connect to \
                 the calling service\" with Retry.",
                session_of(log, a),
                log.records[e].seq
            ),
            _ => " No join was waiting for it at the time; the next join asks again.".to_owned(),
        };
        let later = match next_outcome(log, i, step) {
            Some((j, true)) => format!(" The next {call} succeeded at seq {}.", log.records[j].seq),
            Some((j, false)) => format!(
                " The next {call} failed too, at seq {}.",
                log.records[j].seq
            ),
            None => format!(" The log shows no later {call} succeeding."),
        };
        f.explanation = format!("{asked}, and {how}.{effect}{later}");
        f.fix = match step {
            SetupStep::Init => "Read the SDK's message: check the CometChat app id and region the \
                                shell passes to CallAppSettingsBuilder, and the device's network \
                                at that time (init fetches the app's settings from CometChat)."
                .to_owned(),
            SetupStep::Login => "Read the message: the auth token the app's token provider gave \
                                 (expired, revoked, issued for another app id or user), or the \
                                 token provider itself failing (its server unreachable). The \
                                 core never sees the token; check the app's own logs for the \
                                 token request."
                .to_owned(),
        };
        out.push(f);
    }
    out
}

/// Rule `init-failed`: the Calls SDK's init failed (its `onError`, or the shell could not call
/// it); says whether a waiting join was ended by it.
pub fn init_failed(log: &Log) -> Vec<Finding> {
    setup_failed(log, SetupStep::Init)
}

/// Rule `login-failed`: the Calls SDK's login failed (its `onError`, the token provider, or the
/// shell could not call it); says whether a waiting join was ended by it.
pub fn login_failed(log: &Log) -> Vec<Finding> {
    setup_failed(log, SetupStep::Login)
}

fn clip(text: &str) -> String {
    const MAX: usize = 100;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// One attempt's wait for the calling service, as the rule follows it.
#[derive(Default)]
struct Wait {
    /// What the session was last told it waits for.
    held: Option<WaitingFor>,
    /// The call view is on screen (as the session last heard).
    view_up: bool,
    /// Where the user started looking at "connecting": the hold for the calling service while
    /// the view was up, or the view's appearance while held for it.
    since: Option<usize>,
    /// The attempt's first hold (of any kind).
    first_hold: Option<usize>,
    /// Its `joinSession` went out: a later hold or release changes nothing (the session
    /// ignores them).
    joined: bool,
}

/// Rule `slow-sdk-ready`: a join that waited long for the Calls SDK to get ready (from the
/// hold for the calling service, or the view's appearance while held, to the release), one
/// given up on while waiting, and an attempt that ended `NotReady` at its join timeout.
pub fn slow_sdk_ready(log: &Log) -> Vec<Finding> {
    let mut waits: std::collections::BTreeMap<AttemptId, Wait> = Default::default();
    let mut out = Vec::new();
    let limit = log.limits.ready_ms;
    for (i, r) in log.records.iter().enumerate() {
        match (&r.actor, &r.body) {
            (
                ActorName::Session(a),
                Entry::Command(Command::Effect(Effect::JoinSession { .. })),
            ) => {
                waits.entry(*a).or_default().joined = true;
            }
            (ActorName::Session(a), Entry::Input(Input::Session(input))) => {
                let w = waits.entry(*a).or_default();
                if w.joined {
                    continue;
                }
                match input {
                    SessionInput::Hold { waiting_for } => {
                        w.held = Some(*waiting_for);
                        w.first_hold.get_or_insert(i);
                        if *waiting_for != WaitingFor::CallingService {
                            w.since = None;
                        } else if w.view_up && w.since.is_none() {
                            w.since = Some(i);
                        }
                    }
                    SessionInput::ViewAppeared => {
                        w.view_up = true;
                        if w.held == Some(WaitingFor::CallingService) && w.since.is_none() {
                            w.since = Some(i);
                        }
                    }
                    SessionInput::ViewDisappeared => w.view_up = false,
                    SessionInput::Release { .. } => {
                        if let (Some(WaitingFor::CallingService), Some(s)) = (w.held, w.since) {
                            let took = r.at_ms.saturating_sub(log.records[s].at_ms);
                            if took > limit {
                                out.push(slow(log, *a, s, i, took, Outcome::Released));
                            }
                        }
                        w.held = None;
                        w.since = None;
                    }
                    _ => {}
                }
            }
            (_, Entry::Command(Command::Message(Message::Ended { attempt, reason }))) => {
                let Some(w) = waits.get_mut(attempt).filter(|w| !w.joined) else {
                    continue;
                };
                let (held, since, first) = (w.held.take(), w.since.take(), w.first_hold);
                match reason {
                    EndReason::NotReady { waiting_for } => {
                        let s = since.or(first).unwrap_or(i);
                        let took = r.at_ms.saturating_sub(log.records[s].at_ms);
                        out.push(slow(
                            log,
                            *attempt,
                            s,
                            i,
                            took,
                            Outcome::TimedOut(*waiting_for),
                        ));
                    }
                    EndReason::LocalLeave if held == Some(WaitingFor::CallingService) => {
                        if let Some(s) = since {
                            let took = r.at_ms.saturating_sub(log.records[s].at_ms);
                            if took > limit {
                                out.push(slow(log, *attempt, s, i, took, Outcome::GaveUp));
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    out
}

/// How a long wait ended.
enum Outcome {
    /// The SDK got ready and the join went out.
    Released,
    /// The user left while it was still connecting.
    GaveUp,
    /// The join timeout ended it, still waiting for this.
    TimedOut(WaitingFor),
}

/// The init and login traffic that a wait from `since` to `end` sat through: from the last init
/// sent at or before `since` to `end`.
fn setup_trail(log: &Log, since: usize, end: usize) -> Vec<String> {
    let start = last_command(log, since + 1, |c| {
        step_command(c).is_some_and(|(s, _)| s == SetupStep::Init)
    })
    .unwrap_or(since);
    let origin = log.records[since].at_ms;
    let at = |j: usize| {
        let t = log.records[j].at_ms;
        if t >= origin {
            format!("+{}", secs(t - origin))
        } else {
            format!("{} before", secs(origin - t))
        }
    };
    let mut out = Vec::new();
    for (j, r) in log.records.iter().enumerate().take(end + 1).skip(start) {
        let mut text = match &r.body {
            Entry::Command(c) if step_command(c).is_some() => {
                format!("{c}, sent{}", why_sent(log, j))
            }
            Entry::Input(Input::Router(RouterInput::Setup(e))) => e.to_string(),
            Entry::Input(Input::Router(input @ RouterInput::Incident(incident)))
                if setup_result(input).is_some() =>
            {
                incident.to_string()
            }
            _ => continue,
        };
        if let Some(result) = result_at(log, j) {
            if ignored(log, j, &result).is_some() {
                text.push_str(" (the core ignored it: not the answer to the latest open init)");
            }
        }
        out.push(format!("seq {}, {}: {text}", r.seq, at(j)));
    }
    out
}

fn slow(
    log: &Log,
    attempt: AttemptId,
    since: usize,
    end: usize,
    took: u64,
    how: Outcome,
) -> Finding {
    let mut f = log.finding("slow-sdk-ready", since, end);
    f.attempt = Some(attempt);
    let session = session_of(log, attempt);
    let from = log.records[since].seq;
    let until = log.records[end].seq;
    let trail = setup_trail(log, since, end);
    let trail = if trail.is_empty() {
        " The log shows no init or login answer in that time.".to_owned()
    } else {
        format!(" Meanwhile: {}.", trail.join("; "))
    };
    let timeout = log
        .timeouts
        .get(&attempt)
        .map_or(String::new(), |t| format!(" ({})", secs(t.join_ms)));
    match how {
        Outcome::Released => {
            f.title = format!(
                "the join of {session} waited {} for the Calls SDK to get ready",
                secs(took)
            );
            f.explanation = format!(
                "From seq {from} the user saw \"connecting\" for attempt {attempt} ({session}): \
                 the join was held until the Calls SDK's init and login had succeeded in this \
                 process, and went out only at seq {until}, {} later (limit {}).{trail}",
                secs(took),
                secs(log.limits.ready_ms)
            );
        }
        Outcome::GaveUp => {
            f.title = format!(
                "the user left {session} after {} of waiting for the Calls SDK",
                secs(took)
            );
            f.explanation = format!(
                "From seq {from} the user saw \"connecting\" for attempt {attempt} ({session}); \
                 the Calls SDK was still not ready when the user left at seq {until}, {} later. \
                 No joinSession went out.{trail}",
                secs(took)
            );
        }
        Outcome::TimedOut(w) => {
            let what = match w {
                WaitingFor::CallingService => "the Calls SDK's init and login",
                WaitingFor::MicrophonePermission => "the answer to the microphone prompt",
                WaitingFor::CameraPermission => "the answer to the camera prompt",
            };
            f.title = format!("the join of {session} gave up waiting for {what}",);
            f.explanation = format!(
                "Attempt {attempt} ({session}) was held from seq {from}, and its join timeout{timeout} \
                 ended it at seq {until} (NotReady) still waiting for {what}; no joinSession \
                 went out, and the user was offered Retry.{}",
                if w == WaitingFor::CallingService {
                    trail
                } else {
                    String::new()
                }
            );
        }
    }
    f.fix = match how {
        Outcome::TimedOut(WaitingFor::MicrophonePermission | WaitingFor::CameraPermission) => {
            "Check that the shell reports the prompt's answer (permission_changed with the result \
             of AVCaptureDevice.requestAccess) and that the prompt was shown at all (a failed \
             request_permission is logged as a port failure)."
                .to_owned()
        }
        _ => "Each join waits for the SDK's init (again after every call) and login in this \
              process. Check the device's network and CometChat's status at that time, and how \
              long the app's token provider takes to give the login token (cache it, or fetch it \
              earlier); check that the shell reports every init and login completion \
              (setup_event)."
            .to_owned(),
    };
    f
}
