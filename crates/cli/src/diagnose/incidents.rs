//! Rules about what the runtime reported of its own footing (incidents): a journal that could
//! not be opened and was set aside, a damaged tail moved into quarantine, port calls the shell
//! could not carry out (DESIGN rule 13), and calls lost when the app's process ended (rule 10).
use std::collections::BTreeMap;

use switchboard_domain::session::Phase;
use switchboard_domain::{ActorName, AttemptId, Entry, Incident, Input, RouterInput, SessionInput};

use super::{Finding, Log};

/// Every incident in the log, with its record's index.
fn incidents<'a>(log: &'a Log) -> impl Iterator<Item = (usize, &'a Incident)> + 'a {
    log.records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.body {
            Entry::Input(Input::Router(RouterInput::Incident(incident))) => Some((i, incident)),
            _ => None,
        })
}

/// Rule `journal-set-aside`: the journal could not be opened at all, so it was moved aside and
/// this log started afresh; what came before is in the set-aside journal.
pub fn journal_set_aside(log: &Log) -> Vec<Finding> {
    incidents(log)
        .filter_map(|(i, incident)| {
            let Incident::JournalSetAside { kept_as, message } = incident else {
                return None;
            };
            let mut f = log.finding("journal-set-aside", i, i);
            f.title = format!("the journal could not be opened and was set aside as {kept_as}");
            f.explanation = format!(
                "At start-up the app's journal could not be opened ({message}). It was moved \
                 aside whole as {kept_as}, beside the data directory, and this log started \
                 fresh: every call before seq {} is in the set-aside journal, not here.",
                f.seq_first
            );
            f.fix = "Ask for the set-aside journal too (the app exports it with \
                     export_set_aside_log); switchboard replay reads it as far as it can. If \
                     this repeats on one device, its storage is failing."
                .to_owned();
            Some(f)
        })
        .collect()
}

/// Rule `journal-tail-quarantined`: the journal opened, but its last records were damaged and
/// were moved into its quarantine tree; the calls they held are missing from this log.
pub fn journal_tail_quarantined(log: &Log) -> Vec<Finding> {
    incidents(log)
        .filter_map(|(i, incident)| {
            let Incident::JournalTailQuarantined {
                from_seq,
                batches,
                bytes,
                message,
            } = incident
            else {
                return None;
            };
            let mut f = log.finding("journal-tail-quarantined", i, i);
            f.title = format!("a damaged journal tail from seq {from_seq} was set aside");
            f.explanation = format!(
                "At start-up the journal read cleanly up to seq {from_seq}; the record there \
                 was damaged ({message}). {batches} stored batch(es), {bytes} bytes, were moved \
                 into the journal's quarantine tree (kept, not deleted) and new records \
                 continue from seq {from_seq}."
            );
            f.fix = "Whatever happened just before this start (often the app was killed during a \
                     write) may be missing from the log; a damage that repeats points at storage."
                .to_owned();
            Some(f)
        })
        .collect()
}

/// Rule `port-failed`: the shell could not carry out a command the core performed (an SDK or
/// audio-session call that threw, or a render); the command is in the log, but it did not
/// happen on the device.
pub fn port_failed(log: &Log) -> Vec<Finding> {
    incidents(log)
        .filter_map(|(i, incident)| {
            let Incident::PortFailed { command, message } = incident else {
                return None;
            };
            let mut f = log.finding("port-failed", i, i);
            f.attempt = command.attempt();
            f.title = format!("the shell could not carry out: {command}");
            f.explanation = format!(
                "The core decided \"{command}\" and the shell's port call failed: {message}. \
                 The log shows the command, but the device did not do it."
            );
            f.fix = "Read the shell's error: an SDK call made when no session was active, or an \
                     AVAudioSession error code, usually says which state the shell was in."
                .to_owned();
            Some(f)
        })
        .collect()
}

/// Rule `app-terminated`: a call was lost because the app's process ended while it was live (a
/// crash, the system reclaiming a background app, a force-quit); the next launch ended it and
/// offered to rejoin (DESIGN rule 10).
pub fn app_terminated(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut last_boot: Option<usize> = None;
    let mut phase_before: BTreeMap<AttemptId, &'static str> = BTreeMap::new();
    log.fold_each(|i, r, m| match &r.body {
        Entry::Input(Input::Router(RouterInput::Boot(_))) => last_boot = Some(i),
        Entry::Input(Input::Session(SessionInput::AppRelaunched {
            attempt,
            session_id,
        })) => {
            let boot = last_boot.unwrap_or(i);
            let mut f = log.finding("app-terminated", boot, i);
            f.attempt = Some(*attempt);
            let phase = phase_before
                .get(attempt)
                .copied()
                .unwrap_or("not yet started");
            f.title = format!("the call {session_id} was lost when the app's process ended");
            f.explanation = format!(
                "Attempt {attempt} ({session_id}) was {phase} when the app's process ended: the \
                 next launch (boot at seq {}) found it still live in the log and ended it, since \
                 its SDK session died with the old process. The user was shown that the call \
                 ended when the app closed, with an offer to rejoin.",
                log.records[boot].seq
            );
            f.fix = "Find out why the process ended before that boot: a crash (the device's crash \
                     reports), the system reclaiming the app in the background (memory use, \
                     background modes), or the user force-quitting it."
                .to_owned();
            out.push(f);
        }
        // A session's phase changes only on its own inputs: note it after each of them.
        _ => {
            if let (ActorName::Session(a), Some(s)) = (r.actor, m.sessions.get(&attempt_of(r))) {
                phase_before.insert(a, phase_name(s.phase()));
            }
        }
    });
    out
}

/// The attempt of a session's record (0 for other actors, which have none).
fn attempt_of(r: &switchboard_journal::Record) -> AttemptId {
    match r.actor {
        ActorName::Session(a) => a,
        _ => 0,
    }
}

fn phase_name(phase: &Phase) -> &'static str {
    match phase {
        Phase::Unstarted => "not yet started",
        Phase::Waiting => "waiting for its call view",
        Phase::Joining => "joining",
        Phase::InCall {
            reconnecting: false,
        } => "in the call",
        Phase::InCall { reconnecting: true } => "reconnecting",
        Phase::Leaving => "leaving",
        Phase::Ended(_) => "over",
    }
}
