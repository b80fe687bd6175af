//! The committed JSON Schema of an exported line must match the Rust types.
use std::path::Path;

use switchboard_journal::{log_record_schema, LOG_RECORD_SCHEMA_PATH};

#[test]
fn the_committed_log_record_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(LOG_RECORD_SCHEMA_PATH);
    let fresh = log_record_schema();
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{LOG_RECORD_SCHEMA_PATH} is stale (the exported record types changed); regenerate it with \
         `UPDATE_SCHEMAS=1 cargo test -p switchboard-journal --test schema` and commit the result"
    );
}

#[test]
fn exported_lines_validate_structurally_against_the_schema() {
    // The schema names exactly the fields an exported line has, and requires them in order.
    let schema: serde_json::Value = serde_json::from_str(&log_record_schema()).unwrap();
    let line: serde_json::Value = serde_json::from_str(
        include_str!("../../../schemas/fixtures/format-1.jsonl")
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&schema["properties"]), keys(&line));
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        required,
        ["format", "seq", "at_ms", "actor", "kind", "body", "crc32"]
    );
    assert_eq!(schema["additionalProperties"], false);
}
