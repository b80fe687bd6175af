//! The JSON Schema of an exported log line, generated from [`crate::LogLine`] and committed as
//! schemas/log-record.schema.json.

/// Where the schema lives, relative to the workspace root.
pub const LOG_RECORD_SCHEMA_PATH: &str = "schemas/log-record.schema.json";

/// The schema of one exported log line, as pretty-printed JSON with a final newline.
pub fn log_record_schema() -> String {
    let schema = schemars::schema_for!(crate::LogLine);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    text.push('\n');
    text
}
