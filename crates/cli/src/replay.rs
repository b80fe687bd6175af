//! `switchboard replay` and `switchboard link`.
use std::io::Write;
use std::path::Path;

use switchboard_domain::{
    validate_link, ActorName, Entry, Input, SessionInput, DEFAULT_ALLOWED_HOST,
};
use switchboard_journal::{Divergence, DivergenceKind, Record};

use crate::error::CliError;
use crate::logs::load;
use crate::output::{DivergenceReport, LinkVerdict, VerifyReport};
use crate::timeline::{is_session_of, print_table, rows};

/// The attempts that were started for this session id.
fn attempts_of(records: &[Record], session: &str) -> Vec<u64> {
    records
        .iter()
        .filter_map(|r| match (&r.actor, &r.body) {
            (
                ActorName::Session(a),
                Entry::Input(Input::Session(SessionInput::Start { session_id, .. })),
            ) if session_id.as_str() == session => Some(*a),
            _ => None,
        })
        .collect()
}

/// The seq span of those attempts' own records.
fn span(records: &[Record], attempts: &[u64]) -> Option<(u64, u64)> {
    let mut seqs = records
        .iter()
        .filter(|r| is_session_of(r.actor, attempts))
        .map(|r| r.seq);
    let first = seqs.next()?;
    let last = seqs.next_back().unwrap_or(first);
    Some((first, last))
}

/// What `switchboard replay` was asked for.
pub struct Options<'a> {
    /// Only the attempts of this session id.
    pub session: Option<&'a str>,
    /// JSON lines instead of a table.
    pub json: bool,
    /// Check the recorded commands.
    pub verify: bool,
    /// The state of every machine after this seq.
    pub at: Option<u64>,
    /// What changed at each input.
    pub diff: bool,
}

/// `switchboard replay LOG [--session ID] [--json] [--verify | --at SEQ | --diff]`.
pub fn run(log: &Path, opts: Options<'_>) -> Result<(), CliError> {
    let records = load(log)?;
    if opts.verify {
        return verify_log(&records, opts.json);
    }
    if let Some(seq) = opts.at {
        return crate::timeline::print_at(&records, seq, opts.json);
    }
    let window = match opts.session {
        None => None,
        Some(id) => {
            let attempts = attempts_of(&records, id);
            match span(&records, &attempts) {
                Some(s) => Some(s),
                None => {
                    return Err(CliError::input(format!(
                        "no attempt for session {id} in {}",
                        log.display()
                    )))
                }
            }
        }
    };
    let keep = |r: &Record| window.is_none_or(|(a, b)| r.seq >= a && r.seq <= b);
    if opts.diff {
        return crate::timeline::print_diff(&records, keep, opts.json);
    }
    let rows = rows(&records, keep);
    let mut out = std::io::stdout().lock();
    if opts.json {
        for row in &rows {
            serde_json::to_writer(&mut out, row).map_err(CliError::input)?;
            writeln!(out)?;
        }
    } else {
        let origin = records.first().map_or(0, |r| r.at_ms);
        print_table(&mut out, &rows, origin)?;
        writeln!(out, "{} records", rows.len())?;
    }
    Ok(())
}

/// `replay --verify [--json]`: the whole log (a machine's state depends on everything before
/// it, so `--session` cannot narrow the check; clap refuses the pair).
fn verify_log(records: &[Record], json: bool) -> Result<(), CliError> {
    let result = switchboard_journal::verify(records);
    if json {
        let report = match &result {
            Ok(ok) => VerifyReport {
                verified: true,
                inputs: Some(ok.inputs),
                commands_matched: Some(ok.commands_matched),
                divergence: None,
            },
            Err(d) => VerifyReport {
                verified: false,
                inputs: None,
                commands_matched: None,
                divergence: Some(divergence_report(d)),
            },
        };
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &report).map_err(CliError::input)?;
        writeln!(out)?;
    } else {
        match &result {
            Ok(ok) => println!(
                "replay check passed: all {} commands matched ({} inputs folded)",
                ok.commands_matched, ok.inputs
            ),
            Err(d) => println!("replay check FAILED: {d}"),
        }
    }
    result.map(|_| ()).map_err(|_| CliError::Finding)
}

fn divergence_report(d: &Divergence) -> DivergenceReport {
    let lines = |cs: &[switchboard_domain::Command]| cs.iter().map(|c| c.to_string()).collect();
    DivergenceReport {
        seq: d.seq,
        actor: d.actor.to_string(),
        kind: match d.kind {
            DivergenceKind::Commands => "commands",
            DivergenceKind::CommandsWithoutInput => "commands_without_input",
            DivergenceKind::Rejected(_) => "rejected",
            DivergenceKind::Snapshot(_) => "snapshot",
        },
        first_difference_seq: d.first_difference.0,
        recorded: lines(&d.expected),
        decided: lines(&d.got),
        message: d.to_string(),
    }
}

/// `switchboard link URL [--allow-host HOST]...`.
pub fn link(url: &str, allow_hosts: Vec<String>) -> Result<(), CliError> {
    let hosts = if allow_hosts.is_empty() {
        vec![DEFAULT_ALLOWED_HOST.to_owned()]
    } else {
        allow_hosts
    };
    let verdict = match validate_link(url, &hosts) {
        Ok(id) => LinkVerdict {
            accepted: true,
            session_id: Some(id.as_str().to_owned()),
            reason: None,
            message: None,
        },
        Err(reason) => LinkVerdict {
            accepted: false,
            session_id: None,
            reason: Some(reason.code()),
            message: Some(reason.message()),
        },
    };
    println!(
        "{}",
        serde_json::to_string(&verdict).map_err(CliError::input)?
    );
    if verdict.accepted {
        Ok(())
    } else {
        Err(CliError::Finding)
    }
}
