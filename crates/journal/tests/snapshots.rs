//! Snapshots: a fold that starts at any snapshot the journal wrote gives the same machines and
//! timers as the full fold of the log (random histories, random commit groups), and retention
//! deletes whole calls from the oldest end while what is kept still verifies.
use std::sync::Arc;

use proptest::prelude::*;
use switchboard_domain::core::Core;
use switchboard_domain::{
    Authorization, CoreConfig, Event, Launch, Permissions, SdkEvent, SetupEvent,
};
use switchboard_journal::script::records_from_steps;
use switchboard_journal::{
    recover, verify, Journal, Kind, MemoryJournal, NewRecord, Replay, Retention,
    SnapshottingJournal,
};

fn launch() -> Event {
    Event::Launch(Launch {
        config: CoreConfig::default(),
        permissions: Permissions {
            microphone: Authorization::Authorized,
            camera: Authorization::Authorized,
        },
    })
}

/// One outside event from a menu, with an attempt and a number to vary it.
fn event(kind: u8, attempt: u64, n: u64) -> Event {
    let sdk = |event| Event::Sdk { attempt, event };
    match kind % 11 {
        0 => launch(),
        1 | 10 => Event::OpenLink {
            url: format!("https://meet.switchboard.example/meet/m{n}"),
        },
        2 => Event::ViewAppeared,
        3 => Event::Setup(SetupEvent::InitSucceeded {
            request: n % 4,
            logged_in: true,
        }),
        4 => sdk(SdkEvent::JoinSucceeded),
        5 => sdk(SdkEvent::SessionLeft),
        6 => sdk(SdkEvent::ConnectionLost),
        7 => Event::Leave,
        8 => Event::Dismiss,
        _ => sdk(SdkEvent::ConnectionClosed),
    }
}

/// The records a core writes for these events, one batch per machine step, a relaunch (with
/// its repairs) wherever the menu says launch.
fn history(events: &[(u8, u64, u64)]) -> Vec<Vec<NewRecord>> {
    let mut core = Core::default();
    let mut out = Vec::new();
    let mut at_ms = 0;
    let mut steps = core.handle_event(launch(), at_ms);
    for &(kind, attempt, n) in events {
        for step in &steps {
            out.push(records_from_steps(std::slice::from_ref(step), at_ms));
        }
        at_ms += 1_000 + n;
        let e = event(kind, attempt, n);
        steps = if matches!(e, Event::Launch(_)) {
            let repairs = core.machines.reconcile_at_launch();
            let mut steps = core.handle_event(e, at_ms);
            for (target, input) in repairs {
                steps.extend(core.deliver(target, input, at_ms));
            }
            steps
        } else {
            core.handle_event(e, at_ms)
        };
    }
    for step in &steps {
        out.push(records_from_steps(std::slice::from_ref(step), at_ms));
    }
    out
}

/// Writes the batches through a snapshotting journal, `group` batches per commit.
fn write(batches: Vec<Vec<NewRecord>>, group: usize, retention: Retention) -> Arc<dyn Journal> {
    let inner: Arc<dyn Journal> = Arc::new(MemoryJournal::new());
    let (journal, _) = SnapshottingJournal::open(Arc::clone(&inner), retention).unwrap();
    let mut batches = batches.into_iter().peekable();
    while batches.peek().is_some() {
        let groups: Vec<Vec<NewRecord>> = batches.by_ref().take(group.max(1)).collect();
        let ranges = journal.append_groups(groups.clone()).unwrap();
        for (g, r) in groups.iter().zip(ranges) {
            assert_eq!(r.end - r.start, g.len() as u64);
        }
    }
    inner
}

/// `calls` ordinary calls in a row: a link, the view, joined, the user leaves, left, dismissed.
fn ordinary_calls(calls: u64) -> Vec<(u8, u64, u64)> {
    (1..=calls)
        .flat_map(|a| {
            [
                (1, a, a),
                (2, a, 0),
                (4, a, 0),
                (7, a, 0),
                (5, a, 0),
                (8, a, 0),
            ]
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_fold_from_any_snapshot_is_the_full_fold(
        events in proptest::collection::vec((0u8..11, 1u64..5, 0u64..8), 1..120),
        group in 1usize..5,
    ) {
        let journal = write(history(&events), group, Retention::KEEP_ALL);
        let all: Vec<_> = journal.scan(0).map(Result::unwrap).collect();
        let mut full = Replay::folding();
        for r in &all {
            full.feed(r);
        }
        // Every snapshot agrees with the fold before it (a comparing replay checks each).
        prop_assert!(verify(&all).is_ok(), "{:?}", verify(&all));
        let snapshots = journal.snapshot_seqs().unwrap();
        prop_assert!(!snapshots.is_empty(), "the launch writes one");
        for &seq in &snapshots {
            let mut from = Replay::folding();
            for r in journal.scan(seq) {
                from.feed(&r.unwrap());
            }
            prop_assert_eq!(from.machines(), full.machines(), "from seq {}", seq);
            prop_assert_eq!(from.timers(), full.timers(), "from seq {}", seq);
        }
        // Recovery starts at the newest one and gets the same.
        let (recovered, report) = recover(journal.as_ref()).unwrap();
        prop_assert!(report.from_snapshot);
        prop_assert_eq!(report.start_seq, *snapshots.last().unwrap());
        prop_assert_eq!(recovered.machines(), full.machines());
    }
}

#[test]
fn a_damaged_newest_snapshot_falls_back_to_the_one_before() {
    let events = ordinary_calls(3);
    let inner = write(history(&events), 1, Retention::KEEP_ALL);
    let snapshots = inner.snapshot_seqs().unwrap();
    assert!(snapshots.len() >= 3, "{snapshots:?}");
    let newest = *snapshots.last().unwrap();
    // Rewrite the newest snapshot's state with another layout (what a build whose machines
    // changed shape reads): the record still reads, the snapshot is unusable.
    let memory = MemoryJournal::new();
    let mut records: Vec<_> = inner.scan(0).map(Result::unwrap).collect();
    if let switchboard_domain::Entry::Snapshot(s) = &mut records[newest as usize].body {
        s.layout += 1;
    }
    memory.import(&records).unwrap();
    let (replay, report) = recover(&memory).unwrap();
    assert_eq!(report.passed_over.len(), 1, "{report:?}");
    assert!(report.passed_over[0].contains("layout"), "{report:?}");
    assert_eq!(report.start_seq, snapshots[snapshots.len() - 2]);
    let mut full = Replay::folding();
    for r in &records {
        full.feed(r);
    }
    assert_eq!(replay.machines(), full.machines());
}

#[test]
fn retention_deletes_whole_calls_from_the_oldest_end() {
    let calls = 30u64;
    let events = ordinary_calls(calls);
    let retention = Retention {
        calls_kept: 5,
        ..Retention::default()
    };
    let journal = write(history(&events), 2, retention);
    let first = journal.first_seq();
    assert!(first > 0, "nothing was deleted");
    let kept: Vec<_> = journal.scan(0).map(Result::unwrap).collect();
    assert_eq!(kept[0].seq, first);
    assert_eq!(
        kept[0].kind(),
        Kind::Snapshot,
        "the log starts at a snapshot"
    );
    // What is kept replays and verifies from that snapshot, and holds the newest calls whole.
    verify(&kept).unwrap();
    let attempts: std::collections::BTreeSet<u64> = kept
        .iter()
        .filter_map(|r| match r.actor {
            switchboard_domain::ActorName::Session(a) => Some(a),
            _ => None,
        })
        .collect();
    assert!(attempts.len() >= 5 && attempts.len() <= 7, "{attempts:?}");
    assert_eq!(attempts.last(), Some(&calls));
    // Every kept call's session starts with its release or start, not in its middle.
    for a in &attempts {
        let firsts: Vec<_> = kept
            .iter()
            .filter(|r| r.actor == switchboard_domain::ActorName::Session(*a))
            .take(1)
            .collect();
        let text = format!("{:?}", firsts[0].body);
        assert!(
            text.contains("Release") || text.contains("Hold") || text.contains("Start"),
            "{text}"
        );
    }
}

/// The golden log of format 3: the newest calls of a longer history, as retention left them,
/// starting at a snapshot. Every fixture replays and verifies (crates/cli/tests/replay.rs).
const GOLDEN_V3: &str = "../../schemas/fixtures/format-3-snapshot.jsonl";

fn golden_v3() -> String {
    let events: Vec<(u8, u64, u64)> = (1..=8)
        .flat_map(|a| {
            [
                (1, a, a),
                (2, a, 0),
                (4, a, 0),
                (6, a, 0),
                (7, a, 0),
                (5, a, 0),
                (8, a, 0),
            ]
        })
        .collect();
    let retention = Retention {
        calls_kept: 2,
        ..Retention::default()
    };
    let journal = write(history(&events), 1, retention);
    let mut out = Vec::new();
    switchboard_journal::export_jsonl(journal.scan(0), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Writes the golden log of format 3 when asked and only if it does not exist:
/// `WRITE_GOLDEN_V3=1 cargo test -p switchboard-journal --test snapshots`.
#[test]
fn the_golden_format_3_log_starts_at_a_snapshot_and_is_what_retention_leaves() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN_V3);
    if std::env::var_os("WRITE_GOLDEN_V3").is_some() && !path.exists() {
        std::fs::write(&path, golden_v3()).unwrap();
    }
    let golden = std::fs::read_to_string(&path).expect("the golden log of format 3");
    assert!(golden.starts_with(r#"{"format":3,"#));
    let records = switchboard_journal::import_jsonl(golden.as_bytes()).unwrap();
    assert!(records[0].seq > 0);
    assert_eq!(records[0].kind(), Kind::Snapshot);
    verify(&records).unwrap();
    assert_eq!(
        golden,
        golden_v3(),
        "{GOLDEN_V3} differs from what golden_v3() makes"
    );
}
