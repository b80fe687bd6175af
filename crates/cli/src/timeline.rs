//! Timelines: every record of a log, with the state its input led to (the log folded through
//! today's machines as it is printed).
use std::io::Write;

use switchboard_domain::{ActorName, Entry};
use switchboard_journal::{Fold, Kind, Record, Replay, SnapshotUse};

use crate::error::CliError;
use crate::output::{DiffLine, MachineState, ReplayRow as Row, StateAt};
use crate::state;

/// Folds records and yields rows; `keep` chooses which are printed (all are folded).
pub fn rows<'a>(records: &'a [Record], keep: impl Fn(&Record) -> bool) -> Vec<Row<'a>> {
    let mut replay = Replay::folding();
    let mut out = Vec::new();
    for r in records {
        let step = replay.feed(r);
        let (kind, text, state) = match (&r.body, step.fold) {
            (Entry::Input(input), Fold::Rejected(why)) => (
                Kind::Input,
                input.to_string(),
                Some(format!("(rejected, state unchanged: {why})")),
            ),
            (Entry::Input(input), _) => (
                Kind::Input,
                input.to_string(),
                Some(step.machines.summary(r.actor)),
            ),
            (Entry::Command(c), _) => (Kind::Command, c.to_string(), None),
            (Entry::Snapshot(s), fold) => {
                let state = match fold {
                    Fold::Snapshot(SnapshotUse::Started) => "the log starts here".to_owned(),
                    Fold::Snapshot(SnapshotUse::Unusable(why)) => {
                        format!("the log starts here, unusable: {why}")
                    }
                    _ => "a cache of the fold so far".to_owned(),
                };
                (Kind::Snapshot, s.to_string(), Some(state))
            }
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
            Kind::Input => format!("<- {}", row.text),
            Kind::Command => format!("     -> {}", row.text),
            Kind::Snapshot => format!("== {}", row.text),
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

/// A record's body as one readable line, arrow included: `<- input` or `-> command`.
pub fn record_text(r: &Record) -> String {
    match &r.body {
        Entry::Input(i) => format!("<- {i}"),
        Entry::Command(c) => format!("-> {c}"),
        Entry::Snapshot(s) => format!("== {s}"),
    }
}

/// `replay --at SEQ`: the state of every machine just after record `seq`.
pub fn print_at(records: &[Record], seq: u64, json: bool) -> Result<(), CliError> {
    let Some(pos) = records.iter().position(|r| r.seq == seq) else {
        let held = match (records.first(), records.last()) {
            (Some(first), Some(last)) => format!("its seqs run {}..={}", first.seq, last.seq),
            _ => "it is empty".to_owned(),
        };
        let why = if records.first().is_some_and(|r| r.seq > seq) {
            "; older records were deleted by retention, the log starts at a snapshot"
        } else {
            ""
        };
        return Err(CliError::input(format!(
            "seq {seq} is not in the log ({held}{why})"
        )));
    };
    let machines = switchboard_journal::fold(&records[..=pos]).map_err(CliError::input)?;
    let r = &records[pos];
    let origin = records.first().map_or(0, |r| r.at_ms);
    let mut out = std::io::stdout().lock();
    if json {
        let doc = StateAt {
            seq: r.seq,
            at_ms: r.at_ms,
            actor: r.actor.to_string(),
            record: record_text(r),
            machines: state::actors(&machines)
                .into_iter()
                .map(|a| MachineState {
                    actor: a.to_string(),
                    summary: machines.summary(a),
                    state: state::machine_json(&machines, a),
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut out, &doc).map_err(CliError::input)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "state after seq {} (+{}, {} {})\n",
        r.seq,
        seconds(r.at_ms.saturating_sub(origin)),
        r.actor,
        record_text(r)
    )?;
    for a in state::actors(&machines) {
        writeln!(out, "{:<10}  {}", a.to_string(), machines.summary(a))?;
        writeln!(out, "{:<10}  {}", "", state::machine_json(&machines, a))?;
    }
    Ok(())
}

/// `replay --diff`: for every input `keep` selects, the fields of its machine that changed.
pub fn print_diff(
    records: &[Record],
    keep: impl Fn(&Record) -> bool,
    json: bool,
) -> Result<(), CliError> {
    let origin = records.first().map_or(0, |r| r.at_ms);
    let mut replay = Replay::folding();
    let mut out = std::io::stdout().lock();
    let (mut inputs, mut changed) = (0, 0);
    for r in records {
        let Entry::Input(input) = &r.body else {
            replay.feed(r);
            continue;
        };
        let before = state::machine_json(replay.machines(), r.actor);
        let step = replay.feed(r);
        if let Fold::Rejected(why) = &step.fold {
            // The replay's rule: a rejected input changes nothing; say so and go on.
            eprintln!(
                "switchboard: seq {}: input rejected, state unchanged: {why}",
                r.seq
            );
            continue;
        }
        if !keep(r) {
            continue;
        }
        inputs += 1;
        let changes = state::diff(&before, &state::machine_json(step.machines, r.actor));
        if changes.is_empty() {
            continue;
        }
        changed += 1;
        if json {
            let doc = DiffLine {
                seq: r.seq,
                at_ms: r.at_ms,
                actor: r.actor.to_string(),
                input: input.to_string(),
                changes,
            };
            serde_json::to_writer(&mut out, &doc).map_err(CliError::input)?;
            writeln!(out)?;
            continue;
        }
        let time = format!("+{}", seconds(r.at_ms.saturating_sub(origin)));
        writeln!(
            out,
            "{:>5}  {:>9}  {:<10}  <- {input}",
            r.seq,
            time,
            r.actor.to_string()
        )?;
        for c in &changes {
            writeln!(out, "{:>31}{}", "", state::change_text(c))?;
        }
    }
    if !json {
        writeln!(out, "{changed} of {inputs} inputs changed a state")?;
    }
    Ok(())
}
