//! Cuts a demo journal and its JSONL export into seed corpora for the fuzz targets.
//!
//! Usage: make_corpus JOURNAL_DIR EXPORT.jsonl OUT_DIR (scripts/fuzz-corpus.sh runs it).
//! Writes OUT_DIR/<target>/<checksum of the seed>: for jsonl_import, runs of consecutive lines and
//! single lines; for record_decode, records' stored bytes; for batch_decode, stored batch values;
//! for link, the links the log holds and hand-written bad ones. One seed per record shape (the
//! body's variant names), so the corpus stays a few dozen small files per target.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use switchboard_fuzz::{batch_first_seq, claimed_seq};
use switchboard_journal::{decode_batch, open_sled_db, Record, RECORDS_TREE};

/// Most seeds per target of each kind.
const SEEDS_MAX: usize = 40;
/// Lines in one multi-line JSONL seed.
const RUN_LINES: usize = 6;

/// Links no validator may accept, beside the demo's good ones.
const BAD_LINKS: &[&str] = &[
    "",
    "meet.switchboard.example/meet/abc",
    "http://meet.switchboard.example/meet/abc",
    "https://evil.example/meet/abc",
    "https://meet.switchboard.example.evil.example/meet/abc",
    "https://user:pw@meet.switchboard.example/meet/abc",
    "https://meet.switchboard.example:8443/meet/abc",
    "https://meet.switchboard.example/meet/",
    "https://meet.switchboard.example/meet",
    "https://meet.switchboard.example/meet/a/b",
    "https://meet.switchboard.example/meet/a%2Fb",
    "https://meet.switchboard.example/meet/%2e%2e",
    "https://meet.switchboard.example/meet/../admin",
    "https://meet.switchboard.example/meet/a b",
    "https://meet.switchboard.example/meet/a\tb",
    "https://meet.switchboard.example\\meet\\abc",
    "https://meet.switchboard.example/meet/%ff",
    "https://meet.switchboard.example/meet/\u{e9}t\u{e9}",
    "https://MEET.SWITCHBOARD.EXAMPLE/meet/Upper_Case-1",
    "https://calls.example.org/meet/abc?x=1#frag",
    "https://b\u{fc}cher.example/meet/abc",
    "https://meet.switchboard.example/meet/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [journal, export, out] = args.as_slice() else {
        eprintln!("usage: make_corpus JOURNAL_DIR EXPORT.jsonl OUT_DIR");
        return ExitCode::from(2);
    };
    match run(journal, export, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("make_corpus: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(journal: &Path, export: &Path, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(export).map_err(|e| format!("{}: {e}", export.display()))?;
    let lines: Vec<&str> = text.lines().collect();
    let records = switchboard_journal::import_jsonl(text.as_bytes()).map_err(|e| e.to_string())?;
    jsonl_seeds(&lines, &records, &out.join("jsonl_import"))?;
    record_seeds(&records, &out.join("record_decode"))?;
    batch_seeds(journal, &out.join("batch_decode"))?;
    link_seeds(&text, &out.join("link"))?;
    Ok(())
}

/// The variant names a record's body is made of: records of one shape make one seed.
fn shape(record: &Record) -> String {
    let value = serde_json::to_value(&record.body).unwrap_or_default();
    let mut names = Vec::new();
    let mut at = &value;
    while let Some((name, inner)) = at.as_object().and_then(|o| o.iter().next()) {
        names.push(name.clone());
        at = inner;
    }
    format!("{}:{}", record.actor, names.join("/"))
}

/// Indexes of the first record of each shape, at most [`SEEDS_MAX`].
fn one_per_shape(records: &[Record]) -> Vec<usize> {
    let mut seen = BTreeSet::new();
    (0..records.len())
        .filter(|&i| seen.insert(shape(&records[i])))
        .take(SEEDS_MAX)
        .collect()
}

fn jsonl_seeds(lines: &[&str], records: &[Record], dir: &Path) -> Result<(), String> {
    let picked = one_per_shape(records);
    for &i in &picked {
        write_seed(dir, format!("{}\n", lines[i]).as_bytes())?;
    }
    // Runs of consecutive lines: whole small logs, starting at the first line and then spread
    // out over the export (a run's seqs follow each other, so each one imports).
    let step = (lines.len() / 8).max(RUN_LINES);
    for start in (0..lines.len().saturating_sub(RUN_LINES)).step_by(step) {
        let run = lines[start..start + RUN_LINES].join("\n") + "\n";
        write_seed(dir, run.as_bytes())?;
    }
    Ok(())
}

fn record_seeds(records: &[Record], dir: &Path) -> Result<(), String> {
    for i in one_per_shape(records) {
        let bytes = records[i].to_bytes().map_err(|e| e.to_string())?;
        // The target decodes at the seq the bytes claim: check a seed reads back that way.
        let seq = claimed_seq(&bytes).ok_or("a record without a readable seq")?;
        Record::from_bytes(&bytes, seq).map_err(|e| e.to_string())?;
        write_seed(dir, &bytes)?;
    }
    Ok(())
}

fn batch_seeds(journal: &Path, dir: &Path) -> Result<(), String> {
    let db = open_sled_db(journal).map_err(|e| e.to_string())?;
    let tree = db.open_tree(RECORDS_TREE).map_err(|e| e.to_string())?;
    let mut sizes = BTreeSet::new();
    for kv in tree.iter() {
        let (_, value) = kv.map_err(|e| e.to_string())?;
        // One batch per record count and size class keeps the set small but varied.
        let first = batch_first_seq(&value).ok_or("a batch without a readable first seq")?;
        let n = decode_batch(first, &value)
            .map_err(|e| e.to_string())?
            .len();
        if sizes.len() < SEEDS_MAX && sizes.insert((n, value.len() / 64)) {
            write_seed(dir, &value)?;
        }
    }
    Ok(())
}

fn link_seeds(export: &str, dir: &Path) -> Result<(), String> {
    let mut links = BTreeSet::new();
    for line in export.lines() {
        let value: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        collect_links(&value, &mut links);
    }
    for link in links
        .iter()
        .map(String::as_str)
        .chain(BAD_LINKS.iter().copied())
    {
        write_seed(dir, link.as_bytes())?;
    }
    Ok(())
}

/// Every string in `value` that looks like a URL.
fn collect_links(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::String(s) if s.contains("://") => {
            out.insert(s.clone());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_links(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_links(v, out)),
        _ => {}
    }
}

/// Writes one seed named by a checksum of its content, as libFuzzer names by content (a repeat
/// overwrites). The checksum starts with a salt: the plain CRC32 of stored record bytes, which
/// end with their own CRC32, is the same constant for every record.
fn write_seed(dir: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(b"seed");
    hasher.update(bytes);
    let path = dir.join(format!("{:08x}", hasher.finalize()));
    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}
