//! Rules about what the runtime reported of its own footing (incidents): a journal that could
//! not be opened and was set aside, a damaged tail moved into quarantine, and port calls the
//! shell could not carry out (DESIGN rule 13).
use switchboard_domain::{Entry, Incident, Input, RouterInput};

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
