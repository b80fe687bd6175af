//! Timelines: every record of a log, with the state its input led to (the log folded through
//! today's machines as it is printed).
use std::io::Write;

use serde::Serialize;
use switchboard_domain::{ActorName, Entry, Machines};
use switchboard_journal::Record;

/// One printed row.
#[derive(Debug, Serialize)]
pub struct Row<'a> {
    /// The record's seq.
    pub seq: u64,
    /// When it was recorded.
    pub at_ms: u64,
    /// The actor, as named in the log.
    pub actor: String,
    /// `input` or `command`.
    pub kind: &'static str,
    /// A readable description.
    pub text: String,
    /// For inputs: the actor's state afterwards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The record's body, as in the JSONL export.
    pub body: &'a Entry,
}

/// Folds records and yields rows; `keep` chooses which are printed (all are folded).
pub fn rows<'a>(records: &'a [Record], keep: impl Fn(&Record) -> bool) -> Vec<Row<'a>> {
    let mut machines = Machines::default();
    let mut out = Vec::new();
    for r in records {
        let (kind, text, state) = match &r.body {
            Entry::Input(input) => {
                let state = match machines.step(r.actor, input, r.at_ms) {
                    Ok(_) => machines.summary(r.actor),
                    Err(e) => format!("(cannot fold: {e})"),
                };
                ("input", input.to_string(), Some(state))
            }
            Entry::Command(c) => ("command", c.to_string(), None),
        };
        if keep(r) {
            out.push(Row {
                seq: r.seq,
                at_ms: r.at_ms,
                actor: r.actor.to_string(),
                kind,
                text,
                state,
                body: &r.body,
            });
        }
    }
    out
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

/// Prints rows as a table; times are relative to `origin_ms`.
pub fn print_table(out: &mut impl Write, rows: &[Row<'_>], origin_ms: u64) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>5}  {:>9}  {:<10}  {:<64}  state after",
        "seq", "time", "actor", "input / command"
    )?;
    for row in rows {
        let time = format!("+{}", seconds(row.at_ms.saturating_sub(origin_ms)));
        let what = match row.kind {
            "input" => format!("<- {}", row.text),
            _ => format!("     -> {}", row.text),
        };
        match &row.state {
            Some(state) => writeln!(
                out,
                "{:>5}  {:>9}  {:<10}  {:<64}  {state}",
                row.seq, time, row.actor, what
            )?,
            None => writeln!(
                out,
                "{:>5}  {:>9}  {:<10}  {what}",
                row.seq, time, row.actor
            )?,
        }
    }
    Ok(())
}

/// True when the actor is a session of one of these attempts.
pub fn is_session_of(actor: ActorName, attempts: &[u64]) -> bool {
    matches!(actor, ActorName::Session(a) if attempts.contains(&a))
}
