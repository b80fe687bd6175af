//! JSON Lines export and import: one record per line, in the shape of [`LogLine`] (described by
//! schemas/log-record.schema.json). Each line carries the CRC32 of the record's stored bytes, so
//! an edited seq, time, actor or body is caught on import.
//!
//! One rule for unknown fields, at every level: a field the format does not have, whether at the
//! top of a line or anywhere inside its body, is an error naming the line and the field
//! ([`unknown_field`]). Serde alone would reject one at the top and silently drop one inside a
//! body, and a dropped field is data the sender believed was kept.
use std::io::{BufRead, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use switchboard_domain::{ActorName, Entry};

use crate::error::{Error, Result};
use crate::journal::Journal;
use crate::record::{crc32_v1, Kind, Record, FORMAT_VERSION};
use crate::sled_journal::SledJournal;

/// Longest line accepted on import, in bytes.
pub const LINE_BYTES_MAX: usize = 4 << 20;

/// One exported record: a line of a JSON Lines log.
// Unknown fields are found by `unknown_field` (at every level, with one message), so serde does
// not reject them here; the schema still says the top level allows no others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
#[schemars(
    title = "Switchboard log record",
    description = "One record of an exported Switchboard event log (JSON Lines: one per line)."
)]
pub struct LogLine {
    /// Record format version.
    #[schemars(range(min = 1))]
    pub format: u16,
    /// Position in the log: from 0, ascending, gap-free.
    pub seq: u64,
    /// When the record was written, in milliseconds (the time its machine was given).
    pub at_ms: u64,
    /// The actor: `router`, `audio`, `ui` or `session/<attempt>`.
    #[schemars(pattern(r"^(router|audio|ui|session/(0|[1-9][0-9]*))$"))]
    pub actor: String,
    /// Whether the body is an input or a command; must agree with the body.
    pub kind: Kind,
    /// The input the actor received or the command it decided.
    pub body: Entry,
    /// CRC32 of the record's stored bytes (bincode of format, seq, at_ms, actor, body).
    pub crc32: u32,
}

impl LogLine {
    /// The line for a record.
    pub fn from_record(record: &Record) -> Result<LogLine> {
        Ok(LogLine {
            format: record.format,
            seq: record.seq,
            at_ms: record.at_ms,
            actor: record.actor.to_string(),
            kind: record.kind(),
            body: record.body.clone(),
            crc32: record.crc32()?,
        })
    }

    /// The record a line holds, checked: format, actor, kind against body, checksum.
    pub fn into_record(self, line: u64) -> Result<Record> {
        let seq = self.seq;
        let bad = |what: String| Error::BadLine {
            line,
            seq: Some(seq),
            what,
        };
        if self.format != FORMAT_VERSION && self.format != crate::format::FORMAT_2 {
            return Err(bad(format!(
                "format {} is not one this build reads (1 to {FORMAT_VERSION})",
                self.format
            )));
        }
        let actor: ActorName = self.actor.parse().map_err(|e| bad(format!("{e}")))?;
        if actor.to_string() != self.actor {
            return Err(bad(format!(
                "actor '{}' is not written canonically",
                self.actor
            )));
        }
        if Kind::of(&self.body) != self.kind {
            return Err(bad(format!("kind {:?} does not match the body", self.kind)));
        }
        if self.format == crate::format::FORMAT_2 && matches!(self.body, Entry::Snapshot(_)) {
            return Err(bad("a format-2 line cannot hold a snapshot".into()));
        }
        // A format-2 line is read as today's format: the types are the same, and its checksum
        // is over the bytes a format-2 build stored.
        let record = Record {
            format: FORMAT_VERSION,
            seq,
            at_ms: self.at_ms,
            actor,
            body: self.body,
        };
        if record.crc32_as(self.format)? != self.crc32 {
            return Err(Error::LineChecksum { line, seq });
        }
        Ok(record)
    }
}

/// Writes records as JSON Lines and returns how many were written. Stops at the first error from
/// `records` (the lines before it are written) and returns it.
pub fn export_jsonl<I, W>(records: I, mut out: W) -> Result<u64>
where
    I: IntoIterator<Item = Result<Record>>,
    W: Write,
{
    // The writer has no path to name; the caller, who knows where it writes, adds it.
    let io = |e: std::io::Error| Error::Write(format!("cannot write the export: {e}"));
    let mut n = 0;
    for record in records {
        let line = LogLine::from_record(&record?)?;
        serde_json::to_writer(&mut out, &line).map_err(|e| io(e.into()))?;
        out.write_all(b"\n").map_err(io)?;
        n += 1;
    }
    out.flush().map_err(io)?;
    Ok(n)
}

/// Reads a JSON Lines log: every line must be a checked record, seqs ascending and gap-free.
/// Errors name the line (1-based) and the seq.
/// A read error names no path (a reader has none): the caller adds it.
pub fn import_jsonl<R: BufRead>(mut input: R) -> Result<Vec<Record>> {
    match jsonl_prefix(&mut input, None)? {
        (records, None) => Ok(records),
        (_, Some(e)) => Err(e),
    }
}

/// One line (with its newline, if any) into a record that follows `after_seq`.
fn parse_line(bytes: &[u8], line: u64, after_seq: Option<u64>) -> Result<Record> {
    let bad = |what: String| Error::BadLine {
        line,
        seq: None,
        what,
    };
    let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    // The reader stops after LINE_BYTES_MAX + 1 bytes, so an over-long line is never held whole.
    if text.len() > LINE_BYTES_MAX {
        return Err(bad(format!("longer than {LINE_BYTES_MAX} bytes")));
    }
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("empty line".to_owned()));
    }
    if claimed_format(text) == Some(1) {
        return parse_line_v1(text, line, after_seq);
    }
    let parsed: LogLine = parse_json(text, line, after_seq, "a log record")?;
    if let Some(field) = unknown_field(text, &parsed) {
        return Err(Error::BadLine {
            line,
            seq: Some(parsed.seq),
            what: format!("unknown field '{field}'"),
        });
    }
    let expected = after_seq.map(|s| s + 1);
    if expected.is_some_and(|s| s != parsed.seq) {
        return Err(Error::BadLine {
            line,
            seq: Some(parsed.seq),
            what: format!(
                "out of order: expected seq {} after seq {}",
                after_seq.unwrap_or(0) + 1,
                after_seq.unwrap_or(0)
            ),
        });
    }
    parsed.into_record(line)
}

/// A line a format-1 build exported.
#[derive(Deserialize, Serialize)]
struct LogLineV1 {
    format: u16,
    seq: u64,
    at_ms: u64,
    actor: String,
    kind: Kind,
    body: switchboard_domain::format1::Entry,
    crc32: u32,
}

#[derive(Deserialize)]
struct FormatOnly {
    format: u16,
}

/// The format a line says it has, if it parses that far.
fn claimed_format(text: &[u8]) -> Option<u16> {
    serde_json::from_slice::<FormatOnly>(text)
        .ok()
        .map(|f| f.format)
}

/// A line parsed as `T`; a cut-off line is `TruncatedLine`, anything else that is not `T` a
/// `BadLine` saying it is not `what`.
fn parse_json<T: serde::de::DeserializeOwned>(
    text: &[u8],
    line: u64,
    after_seq: Option<u64>,
    what: &str,
) -> Result<T> {
    serde_json::from_slice(text).map_err(|e| {
        if e.is_eof() {
            Error::TruncatedLine { line, after_seq }
        } else {
            Error::BadLine {
                line,
                seq: claimed_seq(text),
                what: format!("not {what}: {e}"),
            }
        }
    })
}

/// A format-1 line: read through the format-1 types, its checksum checked against the bytes a
/// format-1 build stored, then upcast (the record says today's format).
fn parse_line_v1(text: &[u8], line: u64, after_seq: Option<u64>) -> Result<Record> {
    let parsed: LogLineV1 = parse_json(text, line, after_seq, "a format-1 log record")?;
    let seq = parsed.seq;
    let bad = |what: String| Error::BadLine {
        line,
        seq: Some(seq),
        what,
    };
    let written: Option<serde_json::Value> = serde_json::from_slice(text).ok();
    let kept = serde_json::to_value(&parsed).ok();
    if let (Some(w), Some(k)) = (written, kept) {
        if let Some(field) = first_dropped(&w, &k, "") {
            return Err(bad(format!("unknown field '{field}'")));
        }
    }
    let expected = after_seq.map(|s| s + 1);
    if expected.is_some_and(|s| s != seq) {
        return Err(bad(format!(
            "out of order: expected seq {} after seq {}",
            after_seq.unwrap_or(0) + 1,
            after_seq.unwrap_or(0)
        )));
    }
    let actor: ActorName = parsed.actor.parse().map_err(|e| bad(format!("{e}")))?;
    if actor.to_string() != parsed.actor {
        return Err(bad(format!(
            "actor '{}' is not written canonically",
            parsed.actor
        )));
    }
    let body = Entry::from(parsed.body.clone());
    if Kind::of(&body) != parsed.kind {
        return Err(bad(format!(
            "kind {:?} does not match the body",
            parsed.kind
        )));
    }
    if crc32_v1(seq, parsed.at_ms, actor, &parsed.body)? != parsed.crc32 {
        return Err(Error::LineChecksum { line, seq });
    }
    Ok(Record {
        format: FORMAT_VERSION,
        seq,
        at_ms: parsed.at_ms,
        actor,
        body,
    })
}

/// The first field of the line that the record does not have, as a path (`body.Input.x`).
///
/// The typed record is serialised back and compared with the line as written: a key present in
/// the line but absent from the round trip was dropped by serde. Every field of the format is
/// always serialised (none is skipped when empty or default), so a key missing from the round
/// trip is one the format does not have; an explicit `null` for an absent key is what the
/// round trip would mean too, and is accepted.
fn unknown_field(text: &[u8], parsed: &LogLine) -> Option<String> {
    let written: serde_json::Value = serde_json::from_slice(text).ok()?;
    let kept = serde_json::to_value(parsed).ok()?;
    first_dropped(&written, &kept, "")
}

fn first_dropped(
    written: &serde_json::Value,
    kept: &serde_json::Value,
    at: &str,
) -> Option<String> {
    use serde_json::Value;
    match (written, kept) {
        (Value::Object(w), Value::Object(k)) => w.iter().find_map(|(key, value)| {
            let path = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            match k.get(key) {
                Some(kept) => first_dropped(value, kept, &path),
                None if value.is_null() => None,
                None => Some(path),
            }
        }),
        (Value::Array(w), Value::Array(k)) => w
            .iter()
            .zip(k)
            .enumerate()
            .find_map(|(i, (w, k))| first_dropped(w, k, &format!("{at}[{i}]"))),
        _ => None,
    }
}

/// The seq a line that is not a valid record claims to have, if it says.
fn claimed_seq(text: &[u8]) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_slice(text).ok()?;
    value.get("seq")?.as_u64()
}

/// Reads a whole log for the CLI: a sled journal directory (opened read-only) or an exported
/// JSON Lines file. Fails at the first bad record.
pub fn open_log(path: impl AsRef<Path>) -> Result<Vec<Record>> {
    let (records, error) = open_log_prefix(path)?;
    match error {
        Some(e) => Err(e),
        None => Ok(records),
    }
}

/// Like [`open_log`], but returns the good records before the first bad one together with the
/// error (for a support engineer looking at a damaged log). Fails when nothing can be read at
/// all: a missing path, something that is not a log, or a bad first record.
pub fn open_log_prefix(path: impl AsRef<Path>) -> Result<(Vec<Record>, Option<Error>)> {
    match read_log_prefix(path.as_ref())? {
        (records, Some(e)) if records.is_empty() => Err(e),
        read => Ok(read),
    }
}

fn read_log_prefix(path: &Path) -> Result<(Vec<Record>, Option<Error>)> {
    if check_log_path(path)? {
        let journal = SledJournal::open_existing(path)?;
        let mut records = Vec::new();
        for r in journal.scan(0) {
            match r {
                Ok(r) => records.push(r),
                Err(e) => return Ok((records, Some(e))),
            }
        }
        return Ok((records, None));
    }
    let file = std::fs::File::open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound { path: path.into() },
        _ => Error::Io {
            path: path.into(),
            source,
        },
    })?;
    let mut reader = std::io::BufReader::new(file);
    jsonl_prefix(&mut reader, Some(path))
}

/// Whether `path` is a directory (else it is a regular file), judged from its metadata before
/// anything is opened: opening a FIFO blocks until a writer comes, and a socket or a device is
/// no log either, so those are refused at once.
fn check_log_path(path: &Path) -> Result<bool> {
    let meta = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound { path: path.into() },
        _ => Error::Io {
            path: path.into(),
            source,
        },
    })?;
    if meta.is_dir() || meta.is_file() {
        return Ok(meta.is_dir());
    }
    Err(Error::Io {
        path: path.into(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file or a directory (a FIFO, socket or device?); give a .jsonl \
             export or a journal directory",
        ),
    })
}

/// Reads lines until the first bad one, keeping the good ones. A read error names `path` when
/// there is one, and the line otherwise.
fn jsonl_prefix<R: BufRead>(
    input: &mut R,
    path: Option<&Path>,
) -> Result<(Vec<Record>, Option<Error>)> {
    let mut records: Vec<Record> = Vec::new();
    let mut buf = Vec::new();
    for line in 1u64.. {
        buf.clear();
        let read = (&mut *input)
            .take(LINE_BYTES_MAX as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|source| match path {
                Some(path) => Error::Io {
                    path: path.into(),
                    source,
                },
                None => Error::BadLine {
                    line,
                    seq: None,
                    what: format!("cannot read: {source}"),
                },
            })?;
        if read == 0 {
            break;
        }
        match parse_line(&buf, line, records.last().map(|r| r.seq)) {
            Ok(r) => records.push(r),
            Err(e) => return Ok((records, Some(e))),
        }
    }
    Ok((records, None))
}
