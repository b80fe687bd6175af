//! `import_jsonl` on arbitrary bytes, as they are and with each line's `crc32` recomputed (so
//! mutated bodies get past the checksum): it must never panic, and a log it accepts must be
//! gap-free and come back the same through an export and a second import.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_journal::{export_jsonl, import_jsonl, LogLine, Record};

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(fixed) = with_line_crcs(data) {
        check(&fixed);
    }
});

fn check(bytes: &[u8]) {
    let Ok(records) = import_jsonl(bytes) else {
        return;
    };
    for pair in records.windows(2) {
        assert_eq!(pair[1].seq, pair[0].seq + 1, "a gap or a repeat");
    }
    let mut out = Vec::new();
    let n = export_jsonl(records.iter().cloned().map(Ok), &mut out).expect("export");
    assert_eq!(n, records.len() as u64);
    let back = import_jsonl(&out[..]).expect("an export imports");
    assert_eq!(back, records, "export and import changed the log");
}

/// The input with the `crc32` of every line that reads as a [`LogLine`] set to its record's
/// checksum; `None` when no line needed it.
fn with_line_crcs(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut changed = false;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        match fixed_line(line) {
            Some(fixed) => {
                out.extend_from_slice(&fixed);
                changed = true;
            }
            None => out.extend_from_slice(line),
        }
    }
    changed.then_some(out)
}

fn fixed_line(line: &[u8]) -> Option<Vec<u8>> {
    let mut parsed: LogLine = serde_json::from_slice(line).ok()?;
    let record = Record {
        format: parsed.format,
        seq: parsed.seq,
        at_ms: parsed.at_ms,
        actor: parsed.actor.parse().ok()?,
        body: parsed.body.clone(),
    };
    let crc = record.crc32().ok()?;
    if crc == parsed.crc32 {
        return None;
    }
    parsed.crc32 = crc;
    let mut out = serde_json::to_vec(&parsed).ok()?;
    if line.ends_with(b"\n") {
        out.push(b'\n');
    }
    Some(out)
}
