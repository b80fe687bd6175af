//! Behaviour of the actor runtime through its public API: isolation of two runtimes in one
//! process, supervision (a panicking session is rebuilt from the journal), restart on the same
//! data dir, timers, and persist-before-effect on a failing journal.
use std::sync::Arc;
use std::time::Duration;

use switchboard_domain::{
    Command, CoreConfig, Effect, EndReason, Entry, Event, Message, Permissions, SdkEvent,
    SetupEvent, UiState, WaitingFor,
};
use switchboard_journal::testing::FailingJournal;
use switchboard_journal::{FlushPolicy, Journal, MemoryJournal};
use switchboard_runtime::fakes::{recording_ports, Recorder};
use switchboard_runtime::{JournalConfig, ManualClock, Runtime, RuntimeConfig};

const LINK: &str = "https://meet.switchboard.example/meet/";

/// A runtime whose fake shell answers every init and login with success.
async fn start(journal: JournalConfig) -> (Runtime, Arc<Recorder>) {
    let (rt, rec) = start_unanswered(journal).await;
    rec.answer_setup(rt.events());
    rt.settle().await;
    (rt, rec)
}

/// A runtime whose fake shell answers nothing: the test plays the init and login results.
async fn start_unanswered(journal: JournalConfig) -> (Runtime, Arc<Recorder>) {
    let clock = Arc::new(ManualClock::new(1_000));
    let (ports, rec) = recording_ports(clock);
    let config = RuntimeConfig {
        core: CoreConfig::default(),
        journal,
        permissions: Permissions::GRANTED,
    };
    let rt = Runtime::start(config, ports).await.expect("runtime starts");
    rt.settle().await;
    (rt, rec)
}

async fn send(rt: &Runtime, e: Event) {
    rt.send(e);
    rt.settle().await;
}

async fn sdk(rt: &Runtime, attempt: u64, event: SdkEvent) {
    send(rt, Event::Sdk { attempt, event }).await;
}

async fn join_call(rt: &Runtime, id: &str) {
    send(
        rt,
        Event::OpenLink {
            url: format!("{LINK}{id}"),
        },
    )
    .await;
    send(rt, Event::ViewAppeared).await;
    sdk(rt, 1, SdkEvent::JoinSucceeded).await;
}

fn ended(journal: &dyn Journal) -> Vec<EndReason> {
    journal
        .scan(0)
        .filter_map(|r| match r.expect("readable").body {
            Entry::Command(Command::Message(Message::Ended { reason, .. })) => Some(reason),
            _ => None,
        })
        .collect()
}

fn joins(rec: &Recorder) -> Vec<String> {
    rec.calls()
        .into_iter()
        .filter_map(|c| match c {
            Effect::JoinSession { session_id, .. } => Some(session_id.to_string()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runtimes_in_one_process_do_not_interfere() {
    let (a, rec_a) = start(JournalConfig::Memory).await;
    let (b, rec_b) = start(JournalConfig::Memory).await;
    join_call(&a, "alpha").await;
    join_call(&b, "bravo").await;
    sdk(&a, 1, SdkEvent::ConnectionClosed).await;

    assert_eq!(joins(&rec_a), vec!["alpha"]);
    assert_eq!(joins(&rec_b), vec!["bravo"]);
    assert_eq!(
        ended(a.journal().as_ref()),
        vec![EndReason::ConnectionClosed]
    );
    assert!(
        ended(b.journal().as_ref()).is_empty(),
        "b's call is untouched"
    );
    assert!(matches!(b.ui_state(), UiState::InCall { .. }));
    assert!(matches!(a.ui_state(), UiState::Ended { .. }));
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_session_is_restarted_with_its_state_rebuilt_from_the_log() {
    let (rt, rec) = start(JournalConfig::Memory).await;
    join_call(&rt, "alpha").await;
    send(&rt, Event::ToggleMic).await;
    rt.inject_session_panic(1);
    rt.settle().await;
    // Give the supervisor a moment to notice the failure and respawn.
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        rt.settle().await;
    }
    // The rebuilt session still knows it is in the call with the mic muted: toggling unmutes,
    // and the leave button leads to exactly one leave.
    send(&rt, Event::ToggleMic).await;
    sdk(&rt, 1, SdkEvent::LeaveButtonClicked).await;
    sdk(&rt, 1, SdkEvent::SessionLeft).await;
    let calls = rec.calls();
    assert!(calls.contains(&Effect::MuteAudio { attempt: 1 }));
    assert!(
        calls.contains(&Effect::UnmuteAudio { attempt: 1 }),
        "{calls:?}"
    );
    assert_eq!(
        rec.count(|c| matches!(c, Effect::LeaveSession { attempt: 1 })),
        1
    );
    assert_eq!(ended(rt.journal().as_ref()), vec![EndReason::LocalLeave]);
    rt.shutdown().await.unwrap();
}

/// A start is a new process (DESIGN rule 10): the call the log shows as live died with the old
/// process, so the new one ends it, shows the relaunch notice (never the call view), leaves the
/// dead SDK session alone, and a rejoin is one new join of the same session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_process_ends_the_old_call_and_offers_to_rejoin_it() {
    let dir = tempfile::tempdir().unwrap();
    let journal = JournalConfig::Sled {
        dir: dir.path().to_path_buf(),
        policy: FlushPolicy::PerBatch,
        retention: Default::default(),
    };
    let (first, _) = start(journal.clone()).await;
    join_call(&first, "alpha").await;
    sdk(&first, 1, SdkEvent::ConnectionLost).await;
    let before = first.journal().next_seq();
    first.shutdown().await.unwrap();

    let (second, rec) = start(journal).await;
    // Recovery folded from the snapshot the first process wrote at its launch.
    assert!(second.recovered_records() > 0 && second.recovered_records() < before);
    let renders = rec.renders();
    assert!(
        !renders.iter().any(UiState::shows_call_view),
        "a call view for a call this process did not join: {renders:?}"
    );
    match renders.first() {
        Some(UiState::Ended {
            reason: EndReason::AppTerminated,
            can_retry: true,
            ..
        }) => {}
        other => panic!("expected the relaunch notice first, got {other:?}"),
    }
    assert_eq!(
        ended(second.journal().as_ref()),
        vec![EndReason::AppTerminated]
    );
    let calls = rec.calls();
    assert!(
        !calls
            .iter()
            .any(|c| matches!(c, Effect::LeaveSession { .. } | Effect::JoinSession { .. })),
        "{calls:?}"
    );
    assert!(
        calls.contains(&Effect::DeactivateAudio {
            notify_others: true,
        }),
        "audio let go: {calls:?}"
    );
    // A callback of the dead session changes nothing.
    sdk(&second, 1, SdkEvent::ConnectionRestored).await;
    assert!(matches!(second.ui_state(), UiState::Ended { .. }));
    // Rejoin: one new attempt of the same session, one join once its view is up.
    send(&second, Event::Retry).await;
    send(&second, Event::ViewAppeared).await;
    assert_eq!(joins(&rec), vec!["alpha"]);
    assert_eq!(rec.last_join_attempt(), Some(2));
    second.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_join_that_never_completes_ends_by_the_core_join_timeout() {
    let (rt, rec) = start(JournalConfig::Memory).await;
    send(
        &rt,
        Event::OpenLink {
            url: format!("{LINK}alpha"),
        },
    )
    .await;
    send(&rt, Event::ViewAppeared).await;
    assert!(matches!(rt.ui_state(), UiState::Joining { .. }));
    tokio::time::sleep(Duration::from_millis(
        CoreConfig::default().join_timeout_ms + 10,
    ))
    .await;
    rt.settle().await;
    assert_eq!(ended(rt.journal().as_ref()), vec![EndReason::JoinTimedOut]);
    assert_eq!(
        rec.count(|c| matches!(c, Effect::LeaveSession { attempt: 1 })),
        1
    );
    assert!(matches!(rt.ui_state(), UiState::Error { .. }));
    rt.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_performed_when_the_journal_cannot_write() {
    let memory = Arc::new(FailingJournal::new(MemoryJournal::new()));
    let (rt, rec) = start(JournalConfig::shared(memory.clone())).await;
    let seq = memory.next_seq();
    memory.set_failing(true);
    send(
        &rt,
        Event::OpenLink {
            url: format!("{LINK}alpha"),
        },
    )
    .await;
    assert_eq!(memory.next_seq(), seq, "nothing was appended");
    assert_eq!(rt.journal_failures().len(), 1);
    assert_eq!(
        rt.ui_state(),
        UiState::Idle,
        "no effect without a durable record"
    );

    memory.set_failing(false);
    join_call(&rt, "alpha").await;
    assert_eq!(joins(&rec), vec!["alpha"]);
    rt.shutdown().await.unwrap();
}

/// DESIGN rule 11 through the actors: a cold-start link waits for the SDK's init, and after
/// every call the core initialises the SDK again; the next call's join waits for that init.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_calls_in_a_row_re_initialise_the_sdk_and_the_second_join_waits_for_it() {
    // No automatic answers: this test plays the shell's init results itself.
    let (rt, rec) = start_unanswered(JournalConfig::Memory).await;
    let inits = |rec: &Recorder| rec.count(|c| matches!(c, Effect::InitCalls { .. }));
    assert_eq!(inits(&rec), 1, "the launch initialises the SDK");
    let init_ok = |request| {
        Event::Setup(SetupEvent::InitSucceeded {
            request,
            logged_in: true,
        })
    };

    // A cold-start link: held until the launch's init succeeds.
    send(
        &rt,
        Event::OpenLink {
            url: format!("{LINK}alpha"),
        },
    )
    .await;
    send(&rt, Event::ViewAppeared).await;
    assert!(joins(&rec).is_empty(), "joined before the SDK was ready");
    assert!(matches!(
        rt.ui_state(),
        UiState::Joining {
            waiting_for: Some(WaitingFor::CallingService),
            ..
        }
    ));
    send(&rt, init_ok(1)).await;
    assert_eq!(joins(&rec), vec!["alpha"]);
    sdk(&rt, 1, SdkEvent::JoinSucceeded).await;
    send(&rt, Event::Leave).await;
    sdk(&rt, 1, SdkEvent::SessionLeft).await;
    send(&rt, Event::ViewDisappeared).await;
    send(&rt, Event::Dismiss).await;

    // The call ended: the SDK is initialised again, after the end.
    assert_eq!(inits(&rec), 2, "{:?}", rec.calls());
    let calls = rec.calls();
    let last_init = calls
        .iter()
        .rposition(|c| *c == Effect::InitCalls { request: 2 })
        .unwrap();
    let leave = calls
        .iter()
        .position(|c| matches!(c, Effect::LeaveSession { attempt: 1 }))
        .unwrap();
    assert!(last_init > leave);

    // The second call waits for that init.
    send(
        &rt,
        Event::OpenLink {
            url: format!("{LINK}bravo"),
        },
    )
    .await;
    send(&rt, Event::ViewAppeared).await;
    assert_eq!(joins(&rec), vec!["alpha"], "the second join did not wait");
    // The late answer to the first init would not do; the second init's does.
    send(&rt, init_ok(1)).await;
    assert_eq!(joins(&rec), vec!["alpha"]);
    send(&rt, init_ok(2)).await;
    assert_eq!(joins(&rec), vec!["alpha", "bravo"]);
    rt.shutdown().await.unwrap();
}
