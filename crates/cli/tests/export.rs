//! `switchboard export --redact` and `--format parquet`: no raw personal or secret value is
//! left anywhere in a redacted export (JSON Lines or Parquet), a redacted log still replays and
//! verifies, and a Parquet export has one row per record with the columns analysts query.
mod support;

use std::path::Path;

use arrow_array::{Array, RecordBatch, StringArray, UInt64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use support::{export, switchboard, text, Script};
use switchboard_domain::{CoreConfig, Event, JoinErrorCode, SdkEvent};

/// Values the test log holds that a redacted export must not.
const RAW: &[&str] = &[
    "alice_smith-42",
    "bob_jones-7",
    "carol.w@example.com",
    "Weekly sync with Dana Scully",
    "Dana Scully",
    "eyJhbGciOiJIUzI1NiJ9.SECRET",
    "user 4711-dana",
    "ACCOUNT OF dana@example.org",
];

/// A log full of personal and secret values: call titles with a name, meeting links, a raw id
/// the user typed, SDK errors quoting a token and a user id, an odd vendor error code, a switch
/// offer to another meeting.
fn personal_log() -> Script {
    let mut config = CoreConfig::default();
    config.settings.title = "Weekly sync with Dana Scully".to_owned();
    let mut s = Script::with_config(config);
    s.event(Event::Join {
        session_id: "carol.w@example.com".into(),
    });
    s.event(Event::OpenLink {
        url: "https://meet.switchboard.example/meet/alice_smith-42".into(),
    })
    .event(Event::ViewAppeared)
    .sdk(
        1,
        SdkEvent::JoinFailed {
            code: JoinErrorCode::AuthToken,
            message: "token eyJhbGciOiJIUzI1NiJ9.SECRET rejected for user 4711-dana".into(),
        },
    )
    .close_view();
    s.event(Event::OpenLink {
        url: "https://meet.switchboard.example/meet/bob_jones-7".into(),
    })
    .event(Event::ViewAppeared)
    .event(Event::OpenLink {
        url: "https://meet.switchboard.example/meet/alice_smith-42".into(),
    })
    .sdk(
        2,
        SdkEvent::JoinFailed {
            code: JoinErrorCode::Other {
                code: "ACCOUNT OF dana@example.org".into(),
            },
            message: "user 4711-dana is suspended".into(),
        },
    )
    .close_view();
    s
}

fn batches(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

/// Every string cell of a Parquet file.
fn strings(path: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches(path) {
        for col in b.columns() {
            if let Some(s) = col.as_any().downcast_ref::<StringArray>() {
                out.extend(
                    (0..s.len())
                        .filter(|i| s.is_valid(*i))
                        .map(|i| s.value(i).to_owned()),
                );
            }
        }
    }
    out
}

#[test]
fn a_redacted_export_holds_no_raw_value_and_still_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let log = personal_log().write(tmp.path(), "log.jsonl");
    let raw_text = std::fs::read_to_string(&log).unwrap();
    for raw in RAW {
        assert!(raw_text.contains(raw), "the test log holds {raw}");
    }
    let red = tmp.path().join("redacted.jsonl");
    export(&log, &red, &["--redact"]);
    let bytes = std::fs::read(&red).unwrap();
    let red_text = String::from_utf8(bytes).unwrap();
    for raw in RAW {
        assert!(!red_text.contains(raw), "{raw} survived redaction");
    }
    // Shown to the user, quoted by the SDK, and in the timeline text: all hashed.
    assert!(red_text.contains("Could not join the call (AUTH TOKEN ERROR): r"));
    let timeline = text(&switchboard(&["replay", red.to_str().unwrap()])).0;
    for raw in RAW {
        assert!(!timeline.contains(raw), "{raw} in the redacted timeline");
    }
    let verify = switchboard(&["replay", red.to_str().unwrap(), "--verify"]);
    assert_eq!(verify.status.code(), Some(0), "{:?}", text(&verify));

    // Stable within one export: one meeting, one hash, wherever it appears.
    let ids: std::collections::BTreeSet<String> = red_text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter_map(|v| {
            v["body"]["command"]["join_session"]["session_id"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let first_join = ids.iter().next().unwrap();
    assert!(red_text.matches(first_join.as_str()).count() > 3);

    // A fresh salt each export: the hashes differ between two exports of the same log.
    let again = tmp.path().join("again.jsonl");
    export(&log, &again, &["--redact"]);
    assert_ne!(std::fs::read(&again).unwrap(), red_text.as_bytes());
}

#[test]
fn a_redacted_parquet_export_holds_no_raw_value() {
    let tmp = tempfile::tempdir().unwrap();
    let log = personal_log().write(tmp.path(), "log.jsonl");
    let plain = tmp.path().join("plain.parquet");
    export(&log, &plain, &["--format", "parquet"]);
    let all = strings(&plain).join("\n");
    assert!(all.contains("alice_smith-42"), "unredacted has the ids");
    let red = tmp.path().join("red.parquet");
    export(&log, &red, &["--format", "parquet", "--redact"]);
    let all = strings(&red).join("\n");
    for raw in RAW {
        assert!(!all.contains(raw), "{raw} survived in Parquet");
    }
}

#[test]
fn parquet_has_one_row_per_record_with_query_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("drop");
    support::demo(&dir, "drop");
    let jsonl = tmp.path().join("drop.jsonl");
    export(&dir, &jsonl, &[]);
    let lines = std::fs::read_to_string(&jsonl).unwrap().lines().count();
    let pq = tmp.path().join("drop.parquet");
    export(&dir, &pq, &["--format", "parquet"]);
    let batches = batches(&pq);
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, lines);
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "format",
            "seq",
            "at_ms",
            "actor",
            "machine",
            "kind",
            "body_type",
            "attempt",
            "session_id",
            "end_reason",
            "text",
            "body_json",
            "crc32"
        ]
    );
    let b = &batches[0];
    let col = |name: &str| {
        b.column_by_name(name)
            .unwrap()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap()
            .clone()
    };
    let (types, reasons, sessions) = (col("body_type"), col("end_reason"), col("session_id"));
    let ended: Vec<usize> = (0..b.num_rows())
        .filter(|i| types.value(*i) == "command.ended")
        .collect();
    assert_eq!(ended.len(), 1);
    assert_eq!(reasons.value(ended[0]), "connection_closed");
    assert_eq!(sessions.value(ended[0]), "field-ops");
    assert!((0..b.num_rows()).any(|i| types.value(i) == "input.session.sdk.connection_lost"));
    let seqs = b
        .column_by_name("seq")
        .unwrap()
        .as_any()
        .downcast_ref::<UInt64Array>()
        .unwrap()
        .clone();
    assert!((0..seqs.len()).all(|i| seqs.value(i) == i as u64));
}

#[test]
fn export_refuses_a_bad_format_and_an_unwritable_path() {
    let tmp = tempfile::tempdir().unwrap();
    let log = personal_log().write(tmp.path(), "log.jsonl");
    let l = log.to_str().unwrap();
    support::assert_bad_input(
        &switchboard(&["export", l, "--out", "x", "--format", "csv"]),
        "invalid value 'csv' for '--format <FORMAT>'",
    );
    let nowhere = tmp.path().join("no/such/dir/x.parquet");
    support::assert_bad_input(
        &switchboard(&[
            "export",
            l,
            "--out",
            nowhere.to_str().unwrap(),
            "--format",
            "parquet",
        ]),
        "cannot write",
    );
}
