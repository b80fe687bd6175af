//! Apache Parquet export: one row per record, with the columns an analyst groups and filters by
//! (actor, kind, body type, attempt, session, end reason) next to the full body as JSON, so an
//! existing engine (DuckDB, Spark, DataFusion) can query the logs of many devices together.
use std::collections::BTreeMap;
use std::sync::Arc;

use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::file::properties::WriterProperties;
use arrow_array::builder::{StringBuilder, UInt32Builder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use serde_json::Value;
use switchboard_domain::{ActorName, Command, Entry, Input, Message, RouterInput, SessionInput};
use switchboard_journal::Record;

use crate::error::CliError;
use crate::timeline::record_text;

/// Rows per Parquet row group (and per Arrow batch).
const ROWS_PER_GROUP: usize = 65_536;

/// The columns, in order.
pub fn schema() -> Schema {
    let s = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
    Schema::new(vec![
        Field::new("format", DataType::UInt32, false),
        Field::new("seq", DataType::UInt64, false),
        Field::new("at_ms", DataType::UInt64, false),
        s("actor", false),
        s("machine", false),
        s("kind", false),
        s("body_type", false),
        Field::new("attempt", DataType::UInt64, true),
        s("session_id", true),
        s("end_reason", true),
        s("text", false),
        s("body_json", false),
        Field::new("crc32", DataType::UInt32, false),
    ])
}

/// Column builders for one batch.
#[derive(Default)]
struct Columns {
    format: UInt32Builder,
    seq: UInt64Builder,
    at_ms: UInt64Builder,
    actor: StringBuilder,
    machine: StringBuilder,
    kind: StringBuilder,
    body_type: StringBuilder,
    attempt: UInt64Builder,
    session_id: StringBuilder,
    end_reason: StringBuilder,
    text: StringBuilder,
    body_json: StringBuilder,
    crc32: UInt32Builder,
    rows: usize,
}

impl Columns {
    fn push(&mut self, r: &Record, sessions: &BTreeMap<u64, String>) -> Result<(), CliError> {
        let body = serde_json::to_value(&r.body).map_err(CliError::input)?;
        let attempt = attempt_of(r, &body);
        self.format.append_value(u32::from(r.format));
        self.seq.append_value(r.seq);
        self.at_ms.append_value(r.at_ms);
        self.actor.append_value(r.actor.to_string());
        self.machine.append_value(machine(r.actor));
        self.kind.append_value(match r.body {
            Entry::Input(_) => "input",
            Entry::Command(_) => "command",
            Entry::Snapshot(_) => "snapshot",
        });
        self.body_type.append_value(body_type(&body));
        self.attempt.append_option(attempt);
        self.session_id
            .append_option(attempt.and_then(|a| sessions.get(&a)));
        self.end_reason.append_option(end_reason(&r.body));
        self.text.append_value(record_text(r));
        self.body_json.append_value(body.to_string());
        self.crc32.append_value(r.crc32()?);
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self, schema: &Arc<Schema>) -> Result<RecordBatch, CliError> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.format.finish()),
            Arc::new(self.seq.finish()),
            Arc::new(self.at_ms.finish()),
            Arc::new(self.actor.finish()),
            Arc::new(self.machine.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.body_type.finish()),
            Arc::new(self.attempt.finish()),
            Arc::new(self.session_id.finish()),
            Arc::new(self.end_reason.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.body_json.finish()),
            Arc::new(self.crc32.finish()),
        ];
        self.rows = 0;
        RecordBatch::try_new(schema.clone(), columns).map_err(CliError::input)
    }
}

/// Writes `records` to `out` as Parquet (snappy-compressed) and returns the row count.
pub fn write(records: &[Record], out: impl std::io::Write + Send) -> Result<u64, CliError> {
    let schema = Arc::new(schema());
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_size(ROWS_PER_GROUP)
        .build();
    let mut writer =
        ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(CliError::input)?;
    let mut sessions = BTreeMap::new();
    let mut cols = Columns::default();
    for r in records {
        note_session(r, &mut sessions);
        cols.push(r, &sessions)?;
        if cols.rows == ROWS_PER_GROUP {
            writer
                .write(&cols.finish(&schema)?)
                .map_err(CliError::input)?;
        }
    }
    if cols.rows > 0 {
        writer
            .write(&cols.finish(&schema)?)
            .map_err(CliError::input)?;
    }
    writer.close().map_err(CliError::input)?;
    Ok(records.len() as u64)
}

/// Remembers which session an attempt joins (from the router's `StartAttempt` and the
/// session's `Start`).
fn note_session(r: &Record, sessions: &mut BTreeMap<u64, String>) {
    match &r.body {
        Entry::Command(Command::Message(Message::StartAttempt {
            attempt,
            session_id,
            ..
        }))
        | Entry::Input(Input::Session(SessionInput::Start {
            attempt,
            session_id,
            ..
        })) => {
            sessions.insert(*attempt, session_id.to_string());
        }
        _ => {}
    }
}

fn machine(actor: ActorName) -> &'static str {
    match actor {
        ActorName::Router => "router",
        ActorName::Session(_) => "session",
        ActorName::Audio => "audio",
        ActorName::Ui => "ui",
    }
}

/// The attempt a record is about: its session actor's, or the first `attempt` in its body.
fn attempt_of(r: &Record, body: &Value) -> Option<u64> {
    if let ActorName::Session(a) = r.actor {
        return Some(a);
    }
    fn find(v: &Value) -> Option<u64> {
        match v {
            Value::Object(m) => m
                .get("attempt")
                .and_then(Value::as_u64)
                .or_else(|| m.values().find_map(find)),
            _ => None,
        }
    }
    find(body)
}

/// Field names of variants with one field: where the body type stops.
const FIELDS: &[&str] = &[
    "accept",
    "after_ms",
    "attempt",
    "code",
    "count",
    "id",
    "message",
    "mode",
    "muted",
    "notify_others",
    "output",
    "paused",
    "reason",
    "session_id",
    "should_resume",
    "speaker",
    "to",
    "url",
    "video",
];

/// The dotted variant path of a body, e.g. `input.session.sdk.connection_lost` or
/// `command.ended`.
pub fn body_type(body: &Value) -> String {
    let mut parts = Vec::new();
    let mut v = body;
    loop {
        match v {
            Value::String(s) => {
                parts.push(s.as_str());
                break;
            }
            Value::Object(m) if m.len() == 1 => {
                let (k, child) = m.iter().next().expect("one entry");
                if FIELDS.contains(&k.as_str()) {
                    break;
                }
                parts.push(k.as_str());
                v = child;
            }
            _ => break,
        }
    }
    parts.join(".")
}

/// Why a call ended, for the records that say so.
fn end_reason(body: &Entry) -> Option<String> {
    let reason = match body {
        Entry::Command(Command::Message(Message::Ended { reason, .. }))
        | Entry::Input(Input::Router(RouterInput::AttemptEnded { reason, .. })) => reason,
        _ => return None,
    };
    match serde_json::to_value(reason).ok()? {
        Value::String(s) => Some(s),
        Value::Object(m) => m.keys().next().cloned(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_types_name_the_variant_path() {
        let cases = [
            (
                json!({"input": {"session": {"sdk": "connection_lost"}}}),
                "input.session.sdk.connection_lost",
            ),
            (
                json!({"input": {"session": {"sdk": {"participant_count_changed": {"count": 3}}}}}),
                "input.session.sdk.participant_count_changed",
            ),
            (
                json!({"input": {"session": {"timer_fired": "join_timeout"}}}),
                "input.session.timer_fired.join_timeout",
            ),
            (
                json!({"command": {"ended": {"attempt": 1, "reason": "local_leave"}}}),
                "command.ended",
            ),
            (
                json!({"command": {"notify": {"link_rejected": {"reason": "wrong_path"}}}}),
                "command.notify.link_rejected",
            ),
            (
                json!({"command": "init_calls_sdk"}),
                "command.init_calls_sdk",
            ),
            (
                json!({"command": {"leave_session": {"attempt": 3}}}),
                "command.leave_session",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(body_type(&v), want);
        }
    }
}
