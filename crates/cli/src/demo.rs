//! `switchboard demo`: scripted calls through the real runtime (actors, sled journal, group
//! commit) with a fake SDK and audio session. The script plays the user, the SDK and the system;
//! the core decides. Each scenario prints its timeline, checks what the fake SDK was asked to do,
//! and ends with a replay check of the journal.
use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;

use switchboard_domain::{
    AppState, AudioEvent, AudioPort, Authorization, Command, CoreConfig, Effect, EndReason, Entry,
    Event, Input, JoinErrorCode, MediaKind, Message, Permissions, RouteChangeReason, RouterInput,
    SdkEvent, SetupEvent, SetupStep, UiState, WaitingFor,
};
use switchboard_journal::{FlushPolicy, Record};
use switchboard_runtime::fakes::{recording_ports, Recorder};
use switchboard_runtime::{JournalConfig, ManualClock, Runtime, RuntimeConfig};

use crate::error::CliError;
use crate::timeline::{print_table, rows};

const LINK: &str = "https://meet.switchboard.example/meet/";

/// One step of a script.
enum Act {
    /// Something the user, the shell or the system does.
    Do(Event),
    /// A Calls SDK callback for the attempt the fake SDK was last asked to join.
    Sdk(SdkEvent),
    /// Time passes (milliseconds).
    Wait(u64),
    /// The app's process is killed (the system reclaims it, or it crashes) and opened again: a
    /// new runtime starts on the same journal (DESIGN rule 10).
    Relaunch,
    /// The app's process ended while it was idle, and the app is opened from cold: a new
    /// runtime starts on the same journal, and the shell reads these permissions at launch.
    Launch(Permissions),
    /// The shell reports the completion of the oldest init or login call not answered yet
    /// (an init names the request it was given).
    Answer(Reply),
    /// The user answers the permission prompt the core asked for.
    Permission(MediaKind, Authorization),
}

/// A shell's report that an init or login call succeeded.
#[derive(Clone, Copy)]
enum Reply {
    /// Init's `onSuccess`, with whether a user is logged in already.
    Init { logged_in: bool },
    /// Login's `onSuccess`.
    Login,
}

/// A scenario's own checks, given what the fake ports were asked (in order) and the scenario's
/// records.
type Checks = fn(&[Effect], &[Record]) -> Vec<(bool, String)>;

struct Scenario {
    name: &'static str,
    about: &'static str,
    acts: Vec<Act>,
    /// How its calls must end, in order (one `Ended` per attempt).
    ends: fn(&[EndReason]) -> bool,
    ends_text: &'static str,
    /// How many times `joinSession` must be sent.
    joins: usize,
    /// The shell answers every init and login with success on its own, as soon as it is asked
    /// (an SDK that always gets ready at once). When false only the script's [`Act::Answer`]s
    /// answer them, and joins wait for those.
    auto_setup: bool,
    /// What this scenario checks beyond the common checks.
    checks: Checks,
}

fn no_checks(_: &[Effect], _: &[Record]) -> Vec<(bool, String)> {
    Vec::new()
}

fn open(id: &str) -> Act {
    Act::Do(Event::OpenLink {
        url: format!("{LINK}{id}"),
    })
}

fn join_ok() -> Vec<Act> {
    vec![
        Act::Do(Event::ViewAppeared),
        Act::Wait(900),
        Act::Sdk(SdkEvent::JoinSucceeded),
        Act::Sdk(SdkEvent::SessionJoined),
        Act::Sdk(SdkEvent::ParticipantCountChanged { count: 2 }),
    ]
}

fn closing() -> Vec<Act> {
    vec![
        Act::Wait(300),
        Act::Do(Event::ViewDisappeared),
        Act::Wait(1500),
        Act::Do(Event::Dismiss),
    ]
}

fn script(parts: Vec<Vec<Act>>) -> Vec<Act> {
    parts.into_iter().flatten().collect()
}

fn scenarios() -> Vec<Scenario> {
    use Act::*;
    vec![
        Scenario {
            name: "happy",
            about: "join, joined, mute, leave button, left",
            acts: script(vec![
                vec![open("standup_42")],
                join_ok(),
                vec![Wait(20_000), Do(Event::ToggleMic), Wait(40_000)],
                vec![
                    Sdk(SdkEvent::LeaveButtonClicked),
                    Wait(400),
                    Sdk(SdkEvent::SessionLeft),
                ],
                closing(),
            ]),
            ends: |e| matches!(e, [EndReason::LocalLeave]),
            ends_text: "LocalLeave",
            joins: 1,
            auto_setup: true,
            checks: no_checks,
        },
        Scenario {
            name: "drop",
            about: "connection lost, restored, lost again, closed",
            acts: script(vec![
                vec![open("field-ops")],
                join_ok(),
                vec![
                    Wait(30_000),
                    Sdk(SdkEvent::ConnectionLost),
                    Wait(4_000),
                    Sdk(SdkEvent::ConnectionRestored),
                    Wait(60_000),
                    Sdk(SdkEvent::ConnectionLost),
                    Wait(25_000),
                    Sdk(SdkEvent::ConnectionClosed),
                ],
                closing(),
            ]),
            ends: |e| matches!(e, [EndReason::ConnectionClosed]),
            ends_text: "ConnectionClosed",
            joins: 1,
            auto_setup: true,
            checks: no_checks,
        },
        Scenario {
            name: "timeout",
            about: "the other side leaves; alone until the SDK's idle timeout",
            acts: script(vec![
                vec![open("office-hours")],
                join_ok(),
                vec![
                    Do(Event::Audio(AudioEvent::RouteChanged {
                        reason: RouteChangeReason::NewDeviceAvailable,
                        output: AudioPort::BluetoothHfp,
                    })),
                    Wait(45_000),
                    Sdk(SdkEvent::ParticipantCountChanged { count: 1 }),
                    Wait(300_000),
                    Sdk(SdkEvent::SessionTimedOut),
                    Wait(200),
                    Sdk(SdkEvent::ConnectionClosed),
                ],
                closing(),
            ]),
            ends: |e| matches!(e, [EndReason::IdleTimeout]),
            ends_text: "IdleTimeout",
            joins: 1,
            auto_setup: true,
            checks: no_checks,
        },
        Scenario {
            name: "spurious-init-error",
            about: "joinSession reports INIT ERROR, then succeeds (SDK 5.0.x)",
            acts: script(vec![
                vec![
                    open("retro_7"),
                    Do(Event::ViewAppeared),
                    Wait(700),
                    Sdk(SdkEvent::JoinFailed {
                        code: JoinErrorCode::Init,
                        message: "INIT ERROR".into(),
                    }),
                    Wait(500),
                    Sdk(SdkEvent::SessionJoined),
                    Sdk(SdkEvent::JoinSucceeded),
                    Wait(30_000),
                    Do(Event::Leave),
                    Wait(600),
                    Sdk(SdkEvent::ConnectionClosed),
                    Sdk(SdkEvent::SessionLeft),
                ],
                closing(),
            ]),
            ends: |e| matches!(e, [EndReason::LocalLeave]),
            ends_text: "LocalLeave",
            joins: 1,
            auto_setup: true,
            checks: no_checks,
        },
        Scenario {
            name: "double-appear",
            about: "the call view appears twice (navigation): one join",
            acts: script(vec![
                vec![
                    open("design-review"),
                    Do(Event::ViewAppeared),
                    Wait(200),
                    Do(Event::ViewDisappeared),
                    Do(Event::ViewAppeared),
                    Wait(800),
                    Sdk(SdkEvent::JoinSucceeded),
                    Sdk(SdkEvent::SessionJoined),
                    Wait(10_000),
                    Do(Event::Leave),
                    Sdk(SdkEvent::LeaveButtonClicked),
                    Wait(500),
                    Sdk(SdkEvent::SessionLeft),
                ],
                closing(),
            ]),
            ends: |e| matches!(e, [EndReason::LocalLeave]),
            ends_text: "LocalLeave",
            joins: 1,
            auto_setup: true,
            checks: no_checks,
        },
        Scenario {
            name: "auth-error",
            about: "joinSession fails with AUTH TOKEN ERROR: alert, then dismiss",
            acts: script(vec![
                vec![
                    open("board-meeting"),
                    Do(Event::ViewAppeared),
                    Wait(1_200),
                    Sdk(SdkEvent::JoinFailed {
                        code: JoinErrorCode::AuthToken,
                        message: "The auth token is invalid or expired.".into(),
                    }),
                ],
                closing(),
            ]),
            ends: |e| {
                matches!(
                    e,
                    [EndReason::JoinFailed {
                        code: JoinErrorCode::AuthToken,
                        ..
                    }]
                )
            },
            ends_text: "JoinFailed(AUTH TOKEN ERROR)",
            joins: 1,
            auto_setup: true,
            checks: no_checks,
        },
        Scenario {
            name: "relaunch",
            about: "the app is killed mid-call and opened again: notice, rejoin, leave",
            acts: script(vec![
                vec![open("night-shift")],
                join_ok(),
                vec![Wait(15_000), Relaunch, Wait(2_000), Do(Event::Retry)],
                join_ok(),
                vec![
                    Wait(10_000),
                    Sdk(SdkEvent::LeaveButtonClicked),
                    Wait(400),
                    Sdk(SdkEvent::SessionLeft),
                ],
                closing(),
            ]),
            ends: |e| matches!(e, [EndReason::AppTerminated, EndReason::LocalLeave]),
            ends_text: "AppTerminated, then LocalLeave",
            joins: 2,
            auto_setup: true,
            checks: no_checks,
        },
        Scenario {
            name: "cold-link",
            about: "a link opens the app from cold: connecting until init and login, then the call",
            acts: script(vec![
                vec![
                    Launch(Permissions::GRANTED),
                    open("launch-review"),
                    Do(Event::ViewAppeared),
                    Wait(1_500),
                    Answer(Reply::Init { logged_in: false }),
                    Wait(700),
                    Answer(Reply::Login),
                    Wait(900),
                    Sdk(SdkEvent::JoinSucceeded),
                    Sdk(SdkEvent::SessionJoined),
                    Sdk(SdkEvent::ParticipantCountChanged { count: 3 }),
                    Wait(25_000),
                    Sdk(SdkEvent::LeaveButtonClicked),
                    Wait(400),
                    Sdk(SdkEvent::SessionLeft),
                ],
                closing(),
                // The re-initialisation after the call completes.
                vec![Answer(Reply::Init { logged_in: true })],
            ]),
            ends: |e| matches!(e, [EndReason::LocalLeave]),
            ends_text: "LocalLeave",
            joins: 1,
            auto_setup: false,
            checks: cold_link_checks,
        },
        Scenario {
            name: "mic-denied",
            about: "the user denies the microphone prompt: no join, Open Settings, dismiss",
            acts: vec![
                Launch(Permissions {
                    microphone: Authorization::NotDetermined,
                    camera: Authorization::Authorized,
                }),
                open("all-hands"),
                Do(Event::ViewAppeared),
                Wait(2_500),
                Permission(MediaKind::Microphone, Authorization::Denied),
                Wait(300),
                Do(Event::ViewDisappeared),
                Wait(1_500),
                Do(Event::OpenSettings),
                Do(Event::App(AppState::Background)),
                // In Settings the user turns the microphone on and comes back; the shell reads
                // the status again and reports it.
                Wait(12_000),
                Do(Event::App(AppState::Foreground)),
                Do(Event::Permission {
                    media: MediaKind::Microphone,
                    status: Authorization::Authorized,
                }),
                Wait(800),
                Do(Event::Dismiss),
            ],
            ends: |e| matches!(e, [EndReason::MicrophoneDenied]),
            ends_text: "MicrophoneDenied",
            joins: 0,
            auto_setup: true,
            checks: mic_denied_checks,
        },
        Scenario {
            name: "second-call",
            about: "two calls in a row: the SDK is initialised again and the second join waits",
            acts: script(vec![
                vec![open("morning-sync")],
                join_ok(),
                vec![
                    Wait(20_000),
                    Sdk(SdkEvent::LeaveButtonClicked),
                    Wait(400),
                    Sdk(SdkEvent::SessionLeft),
                ],
                closing(),
                vec![
                    Wait(3_000),
                    open("afternoon-sync"),
                    Do(Event::ViewAppeared),
                    Wait(1_200),
                    Answer(Reply::Init { logged_in: true }),
                    Wait(900),
                    Sdk(SdkEvent::JoinSucceeded),
                    Sdk(SdkEvent::SessionJoined),
                    Sdk(SdkEvent::ParticipantCountChanged { count: 2 }),
                    Wait(15_000),
                    Do(Event::Leave),
                    Wait(400),
                    Sdk(SdkEvent::SessionLeft),
                ],
                closing(),
                vec![Answer(Reply::Init { logged_in: true })],
            ]),
            ends: |e| matches!(e, [EndReason::LocalLeave, EndReason::LocalLeave]),
            ends_text: "LocalLeave, then LocalLeave",
            joins: 2,
            auto_setup: false,
            checks: second_call_checks,
        },
    ]
}

/// Index (into `records`) of the first record `is` picks, at or after `from`.
fn find(records: &[Record], from: usize, is: impl Fn(&Entry) -> bool) -> Option<usize> {
    records
        .iter()
        .skip(from)
        .position(|r| is(&r.body))
        .map(|p| from + p)
}

fn is_join(e: &Entry) -> bool {
    matches!(
        e,
        Entry::Command(Command::Effect(Effect::JoinSession { .. }))
    )
}

fn is_setup(e: &Entry, want: &SetupEvent) -> bool {
    matches!(e, Entry::Input(Input::Router(RouterInput::Setup(s))) if s == want)
}

/// The request number of a numbered init command.
fn init_request(e: &Entry) -> Option<u64> {
    match e {
        Entry::Command(Command::Effect(Effect::InitCalls { request })) => Some(*request),
        _ => None,
    }
}

fn connecting(c: &Effect) -> bool {
    matches!(
        c,
        Effect::Render(UiState::Joining {
            waiting_for: Some(WaitingFor::CallingService),
            ..
        })
    )
}

/// The seq of a record, for a check's text.
fn seq_of(records: &[Record], i: Option<usize>) -> String {
    i.map_or("none".to_owned(), |i| records[i].seq.to_string())
}

fn cold_link_checks(calls: &[Effect], mine: &[Record]) -> Vec<(bool, String)> {
    let first_join = calls
        .iter()
        .position(|c| matches!(c, Effect::JoinSession { .. }))
        .unwrap_or(calls.len());
    let shown = calls[..first_join].iter().any(connecting);
    // The launch's init, and the answer to that very request.
    let init_sent = find(mine, 0, |e| init_request(e).is_some());
    let request = init_sent.and_then(|i| init_request(&mine[i].body));
    let init = init_sent.zip(request).and_then(|(i, request)| {
        find(mine, i, |e| {
            is_setup(
                e,
                &SetupEvent::InitSucceeded {
                    request,
                    logged_in: false,
                },
            )
        })
    });
    let login = init.and_then(|i| {
        find(mine, i, |e| {
            matches!(e, Entry::Command(Command::Effect(Effect::LoginCallsSdk)))
        })
    });
    let logged_in = login.and_then(|i| find(mine, i, |e| is_setup(e, &SetupEvent::LoginSucceeded)));
    let join = find(mine, 0, is_join);
    let ordered = matches!((logged_in, join), (Some(l), Some(j)) if l < j);
    let no_early_join = match (init, join) {
        (Some(i), Some(j)) => i < j,
        _ => false,
    };
    vec![
        (
            shown,
            "the call view said \"connecting\" (joining, waiting for the calling service) \
             before any joinSession"
                .to_owned(),
        ),
        (
            ordered && no_early_join,
            format!(
                "joinSession (seq {}) only after init #{} (seq {}) succeeded not logged in (seq \
                 {}), login was sent (seq {}) and succeeded (seq {})",
                seq_of(mine, join),
                request.map_or("?".to_owned(), |n| n.to_string()),
                seq_of(mine, init_sent),
                seq_of(mine, init),
                seq_of(mine, login),
                seq_of(mine, logged_in)
            ),
        ),
    ]
}

fn mic_denied_checks(calls: &[Effect], _: &[Record]) -> Vec<(bool, String)> {
    let asked = calls.iter().position(|c| {
        *c == Effect::RequestPermission {
            media: MediaKind::Microphone,
        }
    });
    let error = calls.iter().position(|c| {
        matches!(
            c,
            Effect::Render(UiState::Error {
                open_settings: true,
                can_retry: false,
                ..
            })
        )
    });
    let settings = calls.iter().position(|c| *c == Effect::OpenAppSettings);
    vec![
        (
            asked.is_some(),
            "the core asked for the microphone (request_permission)".to_owned(),
        ),
        (
            error.is_some(),
            "the error said how to allow the microphone, with Open Settings and no retry"
                .to_owned(),
        ),
        (
            matches!((error, settings), (Some(e), Some(s)) if e < s),
            "Open Settings opened the app's Settings page (open_app_settings)".to_owned(),
        ),
    ]
}

fn second_call_checks(calls: &[Effect], mine: &[Record]) -> Vec<(bool, String)> {
    let joins: Vec<usize> = calls
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c, Effect::JoinSession { .. }))
        .map(|(i, _)| i)
        .collect();
    let between = match joins[..] {
        [a, b, ..] => &calls[a..b],
        _ => &[],
    };
    let waited = between.iter().any(connecting);
    let first_end = find(mine, 0, |e| {
        matches!(e, Entry::Command(Command::Message(Message::Ended { .. })))
    });
    // The re-init the router asked for after the first call, and the answer to that request.
    let init_sent = first_end.and_then(|e| find(mine, e, |b| init_request(b).is_some()));
    let request = init_sent.and_then(|i| init_request(&mine[i].body));
    let reinit = request.is_some_and(|n| between.contains(&Effect::InitCalls { request: n }));
    let init_ok = init_sent.zip(request).and_then(|(i, n)| {
        find(mine, i, |e| {
            matches!(
                e,
                Entry::Input(Input::Router(RouterInput::Setup(
                    SetupEvent::InitSucceeded { request, .. }
                ))) if *request == n
            )
        })
    });
    let second_join = first_end.and_then(|e| find(mine, e, is_join));
    vec![
        (
            reinit,
            format!(
                "the Calls SDK was initialised again between the two calls (init_calls #{})",
                request.map_or("?".to_owned(), |n| n.to_string())
            ),
        ),
        (
            waited,
            "the second call said \"connecting\" while the re-init was under way".to_owned(),
        ),
        (
            matches!((init_ok, second_join), (Some(i), Some(j)) if i < j),
            format!(
                "the second joinSession (seq {}) came after the re-init (seq {}) succeeded (seq {})",
                seq_of(mine, second_join),
                seq_of(mine, init_sent),
                seq_of(mine, init_ok)
            ),
        ),
    ]
}

/// Names accepted by `--scenario`.
fn names() -> Vec<&'static str> {
    scenarios().iter().map(|s| s.name).collect()
}

/// Empties the demo directory, refusing to touch a directory that is not a journal.
fn prepare_dir(dir: &Path) -> Result<(), CliError> {
    if !dir.exists() {
        return Ok(());
    }
    let empty = dir
        .read_dir()
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if !empty && switchboard_journal::SledJournal::open_existing(dir).is_err() {
        return Err(CliError::input(format!(
            "{} exists and is not a switchboard journal; refusing to empty it",
            dir.display()
        )));
    }
    std::fs::remove_dir_all(dir)
        .map_err(|e| CliError::input(format!("cannot empty {}: {e}", dir.display())))
}

/// `switchboard demo --journal DIR --scenario NAME`.
pub fn run(dir: &Path, scenario: &str) -> Result<(), CliError> {
    let chosen: Vec<Scenario> = match scenario {
        "all" => scenarios(),
        name => {
            let found: Vec<_> = scenarios().into_iter().filter(|s| s.name == name).collect();
            if found.is_empty() {
                return Err(CliError::input(format!(
                    "unknown scenario '{name}' (choose one of: {}, all)",
                    names().join(", ")
                )));
            }
            found
        }
    };
    prepare_dir(dir)?;
    // One thread: the actors' records interleave in the same order on every run, so with the
    // fixed clock the printed timelines do not change from run to run.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::input)?;
    let failed = rt.block_on(run_all(dir, chosen))?;
    say(format_args!(
        "\nThe journal is in {}. Replay it with:\n  switchboard replay {} --verify",
        dir.display(),
        dir.display()
    ))?;
    if failed > 0 {
        say(format_args!("{failed} check(s) failed"))?;
        return Err(CliError::Finding);
    }
    Ok(())
}

async fn run_all(dir: &Path, chosen: Vec<Scenario>) -> Result<usize, CliError> {
    // A fixed start time keeps the printed timelines the same from run to run.
    let clock = Arc::new(ManualClock::new(1_764_000_000_000));
    let (ports, rec) = recording_ports(clock.clone());
    let mut app = App {
        config: RuntimeConfig {
            core: CoreConfig::default(),
            journal: JournalConfig::Sled {
                dir: dir.to_path_buf(),
                policy: FlushPolicy::PerBatch,
                retention: Default::default(),
            },
            permissions: Permissions::GRANTED,
        },
        ports,
        shell: Shell::default(),
    };
    let mut runtime = app.launch().await?;
    app.shell.settle(&runtime, &rec, true).await;
    let mut failed = 0;
    for s in &chosen {
        failed += play(&mut runtime, &mut app, &clock, &rec, s).await?;
    }
    runtime.shutdown().await.map_err(CliError::input)?;
    Ok(failed)
}

/// What starting the app again needs: the same configuration (with the permissions the device
/// has now) and the same (fake) shell.
struct App {
    config: RuntimeConfig,
    ports: switchboard_runtime::Ports,
    shell: Shell,
}

impl App {
    /// Starts a runtime, as an app process does at launch, and lets it settle.
    async fn launch(&self) -> Result<Runtime, CliError> {
        let runtime = Runtime::start(self.config.clone(), self.ports.clone())
            .await
            .map_err(CliError::input)?;
        runtime.settle().await;
        Ok(runtime)
    }
}

/// The demo's shell: the init, login and permission-prompt calls the core made that it has not
/// answered yet. With automatic answers on, every init and login succeeds as soon as it is
/// asked for (init finding the user logged in); otherwise only the script answers, in order.
#[derive(Default)]
struct Shell {
    /// Port calls looked at so far.
    seen: usize,
    /// Init and login calls not answered yet, oldest first.
    setup: VecDeque<Pending>,
    /// Permission prompts on screen.
    prompts: Vec<MediaKind>,
}

/// An init or login call the demo's shell has not answered yet.
#[derive(Clone, Copy)]
enum Pending {
    /// `init_calls(request)`.
    Init(u64),
    /// `login`.
    Login,
}

impl Pending {
    fn step(self) -> SetupStep {
        match self {
            Pending::Init(_) => SetupStep::Init,
            Pending::Login => SetupStep::Login,
        }
    }
}

impl Shell {
    /// Notes the calls made since the last look.
    fn poll(&mut self, rec: &Recorder) {
        let calls = rec.calls();
        for c in &calls[self.seen.min(calls.len())..] {
            match c {
                Effect::InitCalls { request } => self.setup.push_back(Pending::Init(*request)),
                Effect::LoginCallsSdk => self.setup.push_back(Pending::Login),
                Effect::RequestPermission { media } => self.prompts.push(*media),
                _ => {}
            }
        }
        self.seen = calls.len();
    }

    /// The process died: its SDK calls and prompts died with it.
    fn process_died(&mut self, rec: &Recorder) {
        self.poll(rec);
        self.setup.clear();
        self.prompts.clear();
    }

    /// Settles the runtime; with `auto`, answers every init and login with success until none
    /// is left.
    async fn settle(&mut self, rt: &Runtime, rec: &Recorder, auto: bool) {
        loop {
            rt.settle().await;
            self.poll(rec);
            if !auto || self.setup.is_empty() {
                return;
            }
            for pending in std::mem::take(&mut self.setup) {
                rt.send(Event::Setup(match pending {
                    Pending::Init(request) => SetupEvent::InitSucceeded {
                        request,
                        logged_in: true,
                    },
                    Pending::Login => SetupEvent::LoginSucceeded,
                }));
            }
        }
    }

    /// The answer to the oldest unanswered call of the step `reply` completes: an init's names
    /// the request that call was given.
    fn answer(&mut self, reply: Reply) -> Result<Event, CliError> {
        let step = match reply {
            Reply::Init { .. } => SetupStep::Init,
            Reply::Login => SetupStep::Login,
        };
        let at = self.setup.iter().position(|p| p.step() == step);
        let pending = at.and_then(|at| self.setup.remove(at)).ok_or_else(|| {
            CliError::input(format!(
                "script error: an answer to {} that the core did not ask for",
                step.name()
            ))
        })?;
        Ok(Event::Setup(match (pending, reply) {
            (Pending::Init(request), Reply::Init { logged_in }) => {
                SetupEvent::InitSucceeded { request, logged_in }
            }
            _ => SetupEvent::LoginSucceeded,
        }))
    }

    /// The user's answer to the prompt for `media`.
    fn permission(&mut self, media: MediaKind, status: Authorization) -> Result<Event, CliError> {
        let at = self
            .prompts
            .iter()
            .position(|m| *m == media)
            .ok_or_else(|| {
                CliError::input(format!(
                    "script error: an answer to a {} prompt the core did not show",
                    media.name()
                ))
            })?;
        self.prompts.remove(at);
        Ok(Event::Permission { media, status })
    }
}

async fn play(
    runtime: &mut Runtime,
    app: &mut App,
    clock: &ManualClock,
    rec: &Recorder,
    s: &Scenario,
) -> Result<usize, CliError> {
    say(format_args!("\n=== scenario {}: {} ===", s.name, s.about))?;
    // What an earlier scenario left unanswered is answered before this one starts.
    app.shell.settle(runtime, rec, true).await;
    let journal = runtime.journal();
    let first_seq = journal.next_seq();
    let first_call = rec.calls().len();
    let mut relaunched_at = None;
    for act in &s.acts {
        match act {
            Act::Relaunch => {
                // Killed: nothing is settled first; what was acknowledged is in the journal.
                runtime.crash().await.map_err(CliError::input)?;
                app.shell.process_died(rec);
                relaunched_at = Some(rec.calls().len() - first_call);
                *runtime = app.launch().await?;
            }
            Act::Launch(permissions) => {
                // The idle app's process ended (the system reclaimed it): a clean stop.
                runtime.shutdown().await.map_err(CliError::input)?;
                app.shell.process_died(rec);
                app.config.permissions = *permissions;
                *runtime = app.launch().await?;
            }
            Act::Answer(reply) => runtime.send(app.shell.answer(*reply)?),
            Act::Permission(media, status) => {
                runtime.send(app.shell.permission(*media, *status)?);
                app.config.permissions.set(*media, *status);
            }
            Act::Do(e) => {
                if let Event::Permission { media, status } = e {
                    app.config.permissions.set(*media, *status);
                }
                runtime.send(e.clone());
            }
            Act::Sdk(event) => {
                let attempt = rec.last_join_attempt().ok_or_else(|| {
                    CliError::input("script error: an SDK callback before any join")
                })?;
                runtime.send(Event::Sdk {
                    attempt,
                    event: event.clone(),
                });
            }
            Act::Wait(ms) => clock.advance(*ms),
        }
        app.shell.settle(runtime, rec, s.auto_setup).await;
        clock.advance(50);
    }
    let journal = runtime.journal();
    let records: Vec<Record> = journal.scan(0).collect::<Result<_, _>>()?;
    let shown = rows(&records, |r| r.seq >= first_seq);
    let origin = records
        .iter()
        .find(|r| r.seq >= first_seq)
        .map_or(0, |r| r.at_ms);
    print_table(&mut std::io::stdout().lock(), &shown, origin)?;
    let calls = &rec.calls()[first_call..];
    let mine = &records[first_seq as usize..];
    let mut failed = check(s, calls, mine, runtime.ui_state(), &records)?;
    if let Some(at) = relaunched_at {
        failed += report(relaunch_checks(&calls[at..]))?;
    }
    failed += report((s.checks)(calls, mine))?;
    Ok(failed)
}

/// What a relaunch must show: the notice first, never a call view before the rejoin, and no
/// call on the dead process's SDK session.
fn relaunch_checks(after: &[Effect]) -> Vec<(bool, String)> {
    let before_rejoin: Vec<&Effect> = after
        .iter()
        .take_while(|c| !matches!(c, Effect::JoinSession { .. }))
        .collect();
    let renders: Vec<&UiState> = before_rejoin
        .iter()
        .filter_map(|c| match c {
            Effect::Render(s) => Some(s),
            _ => None,
        })
        .collect();
    let notice = matches!(
        renders.first(),
        Some(UiState::Ended {
            reason: EndReason::AppTerminated,
            can_retry: true,
            ..
        })
    );
    let first = renders.first().map_or("nothing", |s| s.label());
    let untouched = !before_rejoin
        .iter()
        .any(|c| matches!(c, Effect::LeaveSession { .. } | Effect::JoinSession { .. }));
    vec![
        (
            notice,
            format!("after the relaunch the first render was the relaunch notice (got {first})"),
        ),
        (
            !renders
                .iter()
                .any(|s| s.shows_call_view() && !matches!(s, UiState::Joining { .. })),
            "no in-call or leaving view for the call the new process did not join".to_owned(),
        ),
        (
            untouched,
            "the dead process's SDK session was neither left nor joined".to_owned(),
        ),
    ]
}

/// Prints each result and returns how many failed.
fn report(results: Vec<(bool, String)>) -> std::io::Result<usize> {
    let mut failed = 0;
    for (ok, text) in results {
        say(format_args!(
            "  [{}] {text}",
            if ok { "ok" } else { "FAILED" }
        ))?;
        failed += usize::from(!ok);
    }
    Ok(failed)
}

fn check(
    s: &Scenario,
    calls: &[Effect],
    mine: &[Record],
    ui: UiState,
    all: &[Record],
) -> std::io::Result<usize> {
    let joins = calls
        .iter()
        .filter(|c| matches!(c, Effect::JoinSession { .. }))
        .count();
    let mut leaves = std::collections::BTreeMap::new();
    for c in calls {
        if let Effect::LeaveSession { attempt: a } = c {
            *leaves.entry(*a).or_insert(0usize) += 1;
        }
    }
    let most_leaves = leaves.values().copied().max().unwrap_or(0);
    let all_leaves: usize = leaves.values().sum();
    let ended: Vec<EndReason> = mine
        .iter()
        .filter_map(|r| match &r.body {
            switchboard_domain::Entry::Command(switchboard_domain::Command::Message(
                switchboard_domain::Message::Ended { reason, .. },
            )) => Some(reason.clone()),
            _ => None,
        })
        .collect();
    let renders: Vec<&UiState> = calls
        .iter()
        .filter_map(|c| match c {
            Effect::Render(s) => Some(s),
            _ => None,
        })
        .collect();
    let dismissed = renders.iter().any(|r| r.dismisses_call_view());
    let replay = switchboard_journal::verify(all);
    let folded_ui = switchboard_journal::fold(all).map(|m| m.ui.current());
    let mut results = vec![
        (
            joins == s.joins,
            format!("joinSession sent {} time(s) (sent {joins})", s.joins),
        ),
        (
            most_leaves <= 1,
            format!("leaveSession sent at most once per call (sent {all_leaves})"),
        ),
        (
            (s.ends)(&ended),
            format!(
                "each call ended exactly once, as {} (got {})",
                s.ends_text,
                ended
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        (
            dismissed,
            "the call view was dismissed (a dismissing UiState was rendered)".to_owned(),
        ),
        (
            ui == UiState::Idle,
            format!("back to idle after dismiss (UiState {})", ui.label()),
        ),
    ];
    results.push(match (&replay, &folded_ui) {
        (Ok(ok), Ok(folded)) if *folded == ui => (
            true,
            format!(
                "replay check: all {} commands matched, final UiState equal",
                ok.commands_matched
            ),
        ),
        (Ok(_), Ok(folded)) => (
            false,
            format!("replay check: final UiState differs ({})", folded.label()),
        ),
        (Err(d), _) => (false, format!("replay check: {d}")),
        (_, Err(e)) => (false, format!("replay check: {e}")),
    });
    report(results)
}

/// Prints a line. A stdout that was closed (`| head`) is an error for the caller, not a panic.
fn say(line: std::fmt::Arguments) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_fmt(line)?;
    out.write_all(b"\n")
}
