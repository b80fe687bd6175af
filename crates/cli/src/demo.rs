//! `switchboard demo`: scripted calls through the real runtime (actors, sled journal, group
//! commit) with a fake SDK and audio session. The script plays the user, the SDK and the system;
//! the core decides. Each scenario prints its timeline, checks what the fake SDK was asked to do,
//! and ends with a replay check of the journal.
use std::path::Path;
use std::sync::Arc;

use switchboard_domain::{
    AudioEvent, AudioPort, CoreConfig, EndReason, Event, JoinErrorCode, Permissions,
    RouteChangeReason, SdkEvent, UiState,
};
use switchboard_journal::{FlushPolicy, Record};
use switchboard_runtime::fakes::{recording_ports, settle_ready, PortCall, Recorder};
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
}

struct Scenario {
    name: &'static str,
    about: &'static str,
    acts: Vec<Act>,
    /// How its calls must end, in order (one `Ended` per attempt).
    ends: fn(&[EndReason]) -> bool,
    ends_text: &'static str,
    /// How many times `joinSession` must be sent.
    joins: usize,
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
        },
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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CliError::input)?;
    let failed = rt.block_on(run_all(dir, chosen))?;
    println!(
        "\nThe journal is in {}. Replay it with:\n  switchboard replay {} --verify",
        dir.display(),
        dir.display()
    );
    if failed > 0 {
        println!("{failed} check(s) failed");
        return Err(CliError::Finding);
    }
    Ok(())
}

async fn run_all(dir: &Path, chosen: Vec<Scenario>) -> Result<usize, CliError> {
    // A fixed start time keeps the printed timelines the same from run to run.
    let clock = Arc::new(ManualClock::new(1_764_000_000_000));
    let (ports, rec) = recording_ports(clock.clone());
    let app = App {
        config: RuntimeConfig {
            core: CoreConfig::default(),
            journal: JournalConfig::Sled {
                dir: dir.to_path_buf(),
                policy: FlushPolicy::PerBatch,
            },
            permissions: Permissions::GRANTED,
        },
        ports,
    };
    let mut runtime = app.launch().await?;
    settle_ready(&runtime, &rec).await;
    let mut failed = 0;
    for s in &chosen {
        failed += play(&mut runtime, &app, &clock, &rec, s).await?;
    }
    runtime.shutdown().await.map_err(CliError::input)?;
    Ok(failed)
}

/// What starting the app again needs: the same configuration and the same (fake) shell.
struct App {
    config: RuntimeConfig,
    ports: switchboard_runtime::Ports,
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

async fn play(
    runtime: &mut Runtime,
    app: &App,
    clock: &ManualClock,
    rec: &Recorder,
    s: &Scenario,
) -> Result<usize, CliError> {
    println!("\n=== scenario {}: {} ===", s.name, s.about);
    let journal = runtime.journal();
    let first_seq = journal.next_seq();
    let first_call = rec.calls().len();
    let mut relaunched_at = None;
    for act in &s.acts {
        match act {
            Act::Relaunch => {
                // Killed: nothing is settled first; what was acknowledged is in the journal.
                runtime.crash().await.map_err(CliError::input)?;
                relaunched_at = Some(rec.calls().len() - first_call);
                *runtime = app.launch().await?;
                settle_ready(runtime, rec).await;
            }
            Act::Do(e) => runtime.send(e.clone()),
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
        settle_ready(runtime, rec).await;
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
    let mut failed = check(s, calls, mine, runtime.ui_state(), &records);
    if let Some(at) = relaunched_at {
        failed += report(relaunch_checks(&calls[at..]));
    }
    Ok(failed)
}

/// What a relaunch must show: the notice first, never a call view before the rejoin, and no
/// call on the dead process's SDK session.
fn relaunch_checks(after: &[PortCall]) -> Vec<(bool, String)> {
    let before_rejoin: Vec<&PortCall> = after
        .iter()
        .take_while(|c| !matches!(c, PortCall::JoinSession(..)))
        .collect();
    let renders: Vec<&UiState> = before_rejoin
        .iter()
        .filter_map(|c| match c {
            PortCall::Render(s) => Some(s),
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
        .any(|c| matches!(c, PortCall::LeaveSession(_) | PortCall::JoinSession(..)));
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
fn report(results: Vec<(bool, String)>) -> usize {
    let mut failed = 0;
    for (ok, text) in results {
        println!("  [{}] {text}", if ok { "ok" } else { "FAILED" });
        failed += usize::from(!ok);
    }
    failed
}

fn check(s: &Scenario, calls: &[PortCall], mine: &[Record], ui: UiState, all: &[Record]) -> usize {
    let joins = calls
        .iter()
        .filter(|c| matches!(c, PortCall::JoinSession(..)))
        .count();
    let leaves = calls
        .iter()
        .filter(|c| matches!(c, PortCall::LeaveSession(..)))
        .count();
    let ended: Vec<EndReason> = mine
        .iter()
        .filter_map(|r| match &r.body {
            switchboard_domain::Entry::Command(switchboard_domain::Command::Ended {
                reason,
                ..
            }) => Some(reason.clone()),
            _ => None,
        })
        .collect();
    let renders: Vec<&UiState> = calls
        .iter()
        .filter_map(|c| match c {
            PortCall::Render(s) => Some(s),
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
            leaves <= 1,
            format!("leaveSession sent at most once (sent {leaves})"),
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
