//! The shapes of the CLI's JSON output, and their JSON Schemas.
//!
//! Every `--json` document (and `link`'s verdict) is one of these types, or `diagnose`'s
//! [`crate::diagnose::DiagnoseReport`] (beside the findings it holds), so a script reading the
//! output has a contract: schemas/cli/*.schema.json, generated from the types here and checked
//! for staleness by a test (`UPDATE_SCHEMAS=1 cargo test -p switchboard-cli --bin switchboard
//! output` rewrites them).
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use switchboard_domain::{Entry, LinkRejection};
use switchboard_journal::Kind;

use crate::state::Change;

/// `switchboard link URL`: what the router decides about a meeting link.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "switchboard link")]
pub struct LinkVerdict {
    /// Whether the link opens a call.
    pub accepted: bool,
    /// The meeting's session id, when accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Why it was rejected, as a stable code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "rejection_codes")]
    pub reason: Option<&'static str>,
    /// The rejection in plain words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
}

/// The schema of a rejection code: one of [`LinkRejection::code`]'s values.
fn rejection_codes(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let codes: Vec<&str> = LinkRejection::ALL.iter().map(|r| r.code()).collect();
    schemars::json_schema!({ "type": "string", "enum": codes })
}

/// `switchboard replay LOG --json`: one line per record.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "switchboard replay --json (one line)")]
pub struct ReplayRow<'a> {
    /// The record's seq.
    pub seq: u64,
    /// When it was recorded, in ms of the device's clock.
    pub at_ms: u64,
    /// The actor, as named in the log (`router`, `session/3`, `audio`, `ui`).
    pub actor: String,
    /// Whether the record is an input or a command.
    pub kind: Kind,
    /// A readable description of the record.
    pub text: String,
    /// For inputs: a summary of the actor's state afterwards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The record's body, as in the JSONL export.
    pub body: &'a Entry,
}

/// `switchboard replay LOG --at SEQ --json`: every machine's state just after one record.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "switchboard replay --at --json")]
pub struct StateAt {
    /// The record's seq.
    pub seq: u64,
    /// When it was recorded.
    pub at_ms: u64,
    /// Its actor.
    pub actor: String,
    /// The record, as one readable line (`<- input` or `-> command`).
    pub record: String,
    /// Every machine, router first, then sessions by attempt, audio and ui.
    pub machines: Vec<MachineState>,
}

/// One machine's state.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MachineState {
    /// The machine's actor name.
    pub actor: String,
    /// Its state in a few words.
    pub summary: String,
    /// Its full state, serialized from the domain types; the fields follow the code of the
    /// version that printed it and are meant for reading, not for a stable contract.
    pub state: Value,
}

/// `switchboard replay LOG --diff --json`: one line per input that changed its machine.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "switchboard replay --diff --json (one line)")]
pub struct DiffLine {
    /// The input's seq.
    pub seq: u64,
    /// When it was recorded.
    pub at_ms: u64,
    /// The actor that received it.
    pub actor: String,
    /// The input, as one readable line.
    pub input: String,
    /// Every field of the machine's state that it changed.
    pub changes: Vec<Change>,
}

/// `switchboard replay LOG --verify --json`: whether today's machines decide the recorded
/// commands, and where they first do not.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "switchboard replay --verify --json")]
pub struct VerifyReport {
    /// Every recorded command was decided again.
    pub verified: bool,
    /// Inputs folded (when verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputs: Option<u64>,
    /// Recorded commands decided again (when verified: all of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commands_matched: Option<u64>,
    /// The first divergence (the lowest seq), when not verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub divergence: Option<DivergenceReport>,
}

/// The first place a replay differs from the log.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DivergenceReport {
    /// The seq that names it: the input whose recorded commands differ, the rejected input, or
    /// a command recorded before any input of its actor (the seq `switchboard sim` names too).
    pub seq: u64,
    /// Its actor.
    pub actor: String,
    /// `commands`, `commands_without_input` or `rejected`.
    pub kind: &'static str,
    /// The seq of the first recorded command that differs (the input's seq when the log
    /// recorded too few).
    pub first_difference_seq: u64,
    /// The commands the log recorded after the input, one readable line each.
    pub recorded: Vec<String>,
    /// The commands today's machine decides, one readable line each.
    pub decided: Vec<String>,
    /// The divergence in one line, as the text output prints it.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diagnose::DiagnoseReport;

    /// Every schema of the CLI's JSON output: (path under the workspace root, pretty JSON with a
    /// final newline).
    fn schemas() -> Vec<(&'static str, String)> {
        fn text<T: JsonSchema>() -> String {
            let schema = schemars::schema_for!(T);
            let mut text =
                serde_json::to_string_pretty(&schema).expect("a schema always serializes");
            text.push('\n');
            text
        }
        vec![
            ("schemas/cli/link.schema.json", text::<LinkVerdict>()),
            (
                "schemas/cli/replay-row.schema.json",
                text::<ReplayRow<'static>>(),
            ),
            ("schemas/cli/replay-at.schema.json", text::<StateAt>()),
            ("schemas/cli/replay-diff.schema.json", text::<DiffLine>()),
            ("schemas/cli/diagnose.schema.json", text::<DiagnoseReport>()),
            (
                "schemas/cli/replay-verify.schema.json",
                text::<VerifyReport>(),
            ),
        ]
    }

    #[test]
    fn the_committed_cli_output_schemas_are_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
        let mut stale = Vec::new();
        for (path, fresh) in schemas() {
            let file = root.join(path);
            if update {
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, &fresh).unwrap();
            } else if std::fs::read_to_string(&file).unwrap_or_default() != fresh {
                stale.push(path);
            }
        }
        assert!(
            stale.is_empty(),
            "stale (the output types changed): {stale:?}; regenerate with \
             `UPDATE_SCHEMAS=1 cargo test -p switchboard-cli --bin switchboard output` and commit"
        );
    }

    #[test]
    fn every_schema_names_the_fields_its_type_prints() {
        let verdict = LinkVerdict {
            accepted: false,
            session_id: None,
            reason: Some(LinkRejection::WrongPath.code()),
            message: Some("no"),
        };
        let printed = serde_json::to_value(&verdict).unwrap();
        let schema: Value = serde_json::from_str(&schemas()[0].1).unwrap();
        for key in printed.as_object().unwrap().keys() {
            assert!(
                schema["properties"].get(key).is_some(),
                "{key} not in schema"
            );
        }
        assert_eq!(schema["required"], serde_json::json!(["accepted"]));
    }
}
